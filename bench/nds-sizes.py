#!/usr/bin/env python3
"""nds-sizes.py - every NDS record's size, as gennas builds it, against NDS

    bench/nds-sizes.py [--gennas build/gennas] [SPACE.lua ...]

For each NDS space (default: every spaces/nds-*.lua), feeds the `arch`
column of its benchmark table to `gennas space info` (which builds the
network as NDS trained it: 224x224, 1000 classes) and counts the records
whose canonical string is the table's own and whose parameters equal the
table's `params`, and those whose operations counted as NDS counted them
(`space info`'s flops column: the space's `published.flops` rule,
core/engine/gn-net.h) equal its `flops`.  Prints one line per space and
a total; exits 1 if any record's parameters or flops differ.  `make
check` runs a seeded subset of the same comparison (tests/test-nds.c,
tests/test-anynet.c).
Standard library only.
"""
import argparse
import csv
import glob
import io
import os
import re
import subprocess
import sys


def benchmark_path(gennas, space):
    out = subprocess.run([gennas, "space", "check", space],
                         capture_output=True, text=True)
    m = re.search(r"benchmark (\S+) \(", out.stdout)
    if out.returncode != 0 or not m:
        sys.exit("%s: %s" % (space, (out.stderr or out.stdout).strip()))
    return m.group(1)


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gennas", default="build/gennas")
    ap.add_argument("spaces", nargs="*")
    a = ap.parse_args()
    spaces = a.spaces or sorted(glob.glob(os.path.join(top, "spaces",
                                                       "nds-*.lua")))
    total = same = flops = 0
    for space in spaces:
        with open(benchmark_path(a.gennas, space), newline="") as f:
            rows = list(csv.DictReader(f))
        out = subprocess.run([a.gennas, "space", "info", space],
                             input="\n".join(r["arch"] for r in rows) + "\n",
                             capture_output=True, text=True)
        got = list(csv.reader(io.StringIO(out.stdout)))[1:]
        if out.returncode != 0 or len(got) != len(rows):
            sys.exit("%s: gennas space info failed: %s"
                     % (space, out.stderr.strip()))
        ok = sum(1 for r, g in zip(rows, got)
                 if g[0] == r["arch"] and round(float(g[1]) * 1e6)
                 == int(r["params"]))
        fl = sum(1 for r, g in zip(rows, got)
                 if round(float(g[3]) * 1e6) == int(r["flops"]))
        print("%-28s %5d records  params equal %5d  flops equal %5d"
              % (os.path.basename(space), len(rows), ok, fl))
        total += len(rows)
        same += ok
        flops += fl
    print("%-28s %5d records  params equal %5d  flops equal %5d"
          % ("total", total, same, flops))
    return 0 if same == total and flops == total else 1


if __name__ == "__main__":
    sys.exit(main())
