#!/usr/bin/env python3
"""zc-naslib.py - agreement of gennas's zero-cost proxies with NASLib's scores

    bench/zc-naslib.py [--build DIR] [--n N] [--dataset cifar10] \
                       [--param NAME=VALUE ...] [PROXY ...]

Scores the NAS-Bench-201 cells of data/naslib_zc_nb201.csv (the first N
rows of the data set, in file order; all of them by default) with each
gennas proxy (default: every zero-cost one) through `gennas score` and
prints, per proxy, Spearman's rho between its scores and the NASLib
reference column for the same cells, the number of cells, and the mean
seconds per cell.  With --self S, each proxy also scores the cells with
seed S and the Spearman rho between its two runs is printed: the
agreement that random initialisation and the batch leave between two
runs of the same method.  Ties get average ranks; a non-finite or undefined
score (gennas's worst score, NASLib's -inf or -1e8) ranks lowest, and
such ties are averaged like any other.  With --csv, every score is
written next to NASLib's.  Standard library only.
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import time

from rankstats import spearman

COLUMN = {"synflow": "synflow", "naswot": "nwot", "jacob_cov": "jacov",
          "grad_norm": "grad_norm", "snip": "snip", "fisher": "fisher",
          "l2_norm": "l2_norm", "grasp": "grasp"}
WORST = -1e300


def clean(v):
    v = float(v)
    return WORST if not math.isfinite(v) or v <= -1e8 else v


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(here, "build"))
    ap.add_argument("--n", type=int, default=0, help="cells (0: all)")
    ap.add_argument("--dataset", default="cifar10")
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--seed", default="1")
    ap.add_argument("--self", dest="self_seed",
                    help="also score with this seed; print rho between runs")
    ap.add_argument("--csv", help="write arch,proxy,gennas,naslib here")
    ap.add_argument("proxies", nargs="*", default=list(COLUMN))
    a = ap.parse_args()

    with open(os.path.join(here, "data", "naslib_zc_nb201.csv")) as f:
        rows = [r for r in csv.DictReader(f) if r["dataset"] == a.dataset]
    if a.n > 0:
        rows = rows[:a.n]
    archs = [r["arch_str"] for r in rows]
    gennas = os.path.join(a.build, "gennas")
    space = os.path.join(here, "spaces", "nb201.lua")
    out = csv.writer(open(a.csv, "w", newline="")) if a.csv else None
    if out:
        out.writerow(["arch", "proxy", "gennas", "naslib"])
    def run(proxy, seed):
        # one worker: s/cell is the time of one evaluation on one core
        cmd = [gennas, "score", space, "--proxy", proxy, "--seed", seed,
               "--workers", "1"]
        for p in a.param:
            cmd += ["--param", p]
        t0 = time.time()
        res = subprocess.run(cmd + archs, capture_output=True, text=True,
                             env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
        secs = (time.time() - t0) / len(archs)
        got = {r["arch"]: float(r["score"])
               for r in csv.DictReader(res.stdout.splitlines())}
        if len(got) != len(archs):
            sys.exit("%s: scored %d of %d cells:\n%s"
                     % (proxy, len(got), len(archs), res.stderr))
        return [clean(got[arch]) for arch in archs], secs

    print("proxy      spearman    n  s/cell" + ("  self_rho" if a.self_seed
                                                 else ""))
    for proxy in a.proxies:
        x, secs = run(proxy, a.seed)
        y = [clean(r[COLUMN[proxy]]) for r in rows]
        line = "%-10s %8.4f %4d %7.3f" % (proxy, spearman(x, y), len(x), secs)
        if a.self_seed:
            line += " %9.4f" % spearman(x, run(proxy, a.self_seed)[0])
        print(line)
        sys.stdout.flush()
        if out:
            for arch, gx, r in zip(archs, x, rows):
                out.writerow([arch, proxy, repr(gx), r[COLUMN[proxy]]])


if __name__ == "__main__":
    main()
