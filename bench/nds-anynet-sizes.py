#!/usr/bin/env python3
"""Every record of the NDS AnyNet spaces against `gennas space info`.

    bench/nds-anynet-sizes.py [--build BUILD_DIR]

For ResNeXt-A, ResNeXt-B, ResNet_lr-wd and Vanilla_lr-wd on ImageNet
(data/nds/*.csv, spaces/nds-*.lua), feeds every row's `arch` to
`gennas space info` (the network as published: 224x224, 1000 classes)
and prints, per space, how many rows have NDS's parameter count, how many
have NDS's flops as gennas's MACs (convolutions and the classifier, bias
included), and the range of the difference flops - MACs, which is NDS
counting 5 operations per batch-norm output element (tests/test-anynet.c
checks that on every row; `space info` does not count batch norms).
Reports; never fails on a mismatch (exit status 0 unless gennas fails).
"""
import argparse
import csv
import io
import os
import subprocess
import sys

SPACES = [
    ("nds-resnext-a-in.lua", "ResNeXt-A_in.csv"),
    ("nds-resnext-b-in.lua", "ResNeXt-B_in.csv"),
    ("nds-resnet-lr-wd-in.lua", "ResNet_lr-wd_in.csv"),
    ("nds-vanilla-lr-wd-in.lua", "Vanilla_lr-wd_in.csv"),
]


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(here, "build"),
                    help="the build tree (default: build/)")
    args = ap.parse_args()
    gennas = os.path.join(args.build, "gennas")
    print("| space | rows | params equal | MACs = flops | flops - MACs |")
    print("|---|---|---|---|---|")
    for space, table in SPACES:
        with open(os.path.join(here, "data", "nds", table), newline="") as f:
            rows = list(csv.DictReader(f))
        archs = "".join(r["arch"] + "\n" for r in rows)
        out = subprocess.run(
            [gennas, "space", "info", os.path.join(here, "spaces", space)],
            input=archs, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("%s: gennas space info failed: %s"
                     % (space, out.stderr.strip()))
        info = {r["arch"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
        params_eq = macs_eq = 0
        diffs = []
        for r in rows:
            got = info[r["arch"]]
            params = round(float(got["params"]) * 1e6)
            macs = round(float(got["macs"]) * 1e6)
            params_eq += params == int(r["params"])
            macs_eq += macs == int(r["flops"])
            diffs.append(int(r["flops"]) - macs)
        print("| %s | %d | %d | %d | %d to %d |"
              % (table[:-4], len(rows), params_eq, macs_eq, min(diffs),
                 max(diffs)))


if __name__ == "__main__":
    main()
