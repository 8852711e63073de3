#!/usr/bin/env python3
"""Split NDS's ImageNet records into one benchmark table per space.

Usage: python3 data/nds/split.py ../shared/data/nds/nds_summary.csv data/nds

Reads nds_summary.csv (one row per trained model of "On Network Design
Spaces for Visual Recognition", Radosavovic et al., ICCV 2019; provenance
in data/README.md) and writes data/nds/<space>.csv for each ImageNet
space, with the columns

    idx, arch, final_test_acc, min_test_acc, params, flops, epochs,
    base_lr, wd, job_id, rng_seed, net_json

where `arch` is the record's architecture as the space's Lua encoder
spells it (the key gennas looks it up by), final_test_acc = 100 - the
last epoch's top-1 error (GenNAS's and NASWOT's ground truth) and
min_test_acc = 100 - the best epoch's.  Every other column is copied
unchanged.  The CIFAR-10 seed reruns (ResNet_reruns, Vanilla_reruns) are
one configuration each and are left out.  Standard library only; the
output is deterministic (rows in the input's order).
"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def genotype_arch(net):
    """The cell spaces' canonical string (spaces/lib/darts-cells.lua)."""
    g = net["genotype"]

    def ops(edges):
        return "[" + ", ".join("('%s', %d)" % (op, i) for op, i in edges) + "]"

    def ints(xs):
        return "[" + ", ".join(str(x) for x in xs) + "]"

    return ("Genotype(normal=%s, normal_concat=%s, reduce=%s, "
            "reduce_concat=%s) width=%d depth=%d"
            % (ops(g["normal"]), ints(g["normal_concat"]), ops(g["reduce"]),
               ints(g["reduce_concat"]), net["width"], net["depth"]))


def arch_of(net):
    if "genotype" in net:
        return genotype_arch(net)
    try:
        from anynet_arch import anynet_arch
    except ImportError:          # the AnyNet spaces' encoder is not here
        return None
    return anynet_arch(net)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    src, out_dir = sys.argv[1], sys.argv[2]
    columns = ["idx", "arch", "final_test_acc", "min_test_acc", "params",
               "flops", "epochs", "base_lr", "wd", "job_id", "rng_seed",
               "net_json"]
    rows = {}
    with open(src, newline="") as f:
        for r in csv.DictReader(f):
            if r["dataset"] != "imagenet":
                continue
            net = json.loads(r["net_json"])
            arch = arch_of(net)
            if arch is None:
                continue
            rows.setdefault(r["space"], []).append({
                "idx": r["idx"],
                "arch": arch,
                "final_test_acc": r["final_test_acc"],
                "min_test_acc": "%.4f" % (100 - float(r["min_test_top1_err"])),
                "params": r["params"],
                "flops": r["flops"],
                "epochs": r["epochs"],
                "base_lr": r["base_lr"],
                "wd": r["wd"],
                "job_id": r["job_id"],
                "rng_seed": r["rng_seed"],
                "net_json": r["net_json"],
            })
    for space, rs in sorted(rows.items()):
        path = os.path.join(out_dir, space + ".csv")
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, columns, lineterminator="\n")
            w.writeheader()
            w.writerows(rs)
        print("%s: %d rows" % (path, len(rs)))


if __name__ == "__main__":
    main()
