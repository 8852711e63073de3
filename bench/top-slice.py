#!/usr/bin/python3
"""top-slice.py - how well does a proxy order the best cells of a table?

    top-slice.py draw [--table T] [--truth COLUMN] [--min X] [--count N]
                      [--seed S]
    top-slice.py judge [--table T] [--truth COLUMN] [--other COLUMN]
                       [--size COLUMN] RANK.csv [MORE.csv ...]

`draw` prints, one per line for `gennas rank --archs`, N architectures
(default 60) of the benchmark table T (default data/nb201.csv) whose
truth column (default cifar10_test) is at least X (default 93.5): the
qualifying rows shuffled with Python's random.Random(S) (default 7),
the first N.  A search's candidates near its end are such cells, and
its pick depends on how its proxy orders them.

`judge` reports, for each RANK.csv (what `gennas rank --csv` writes on
such a slice) and for the mean of their scores (two or more files),
Spearman's rho, Kendall's tau-b and top-10% retrieval against the truth,
with 95% bootstrap intervals as `gennas rank` draws them; then the same
for two of the table's own columns on the same cells: --other (default
cifar10_valid: on NAS-Bench-201 a second training of each cell, the best
a judge can hope for when the truth is one training run) and --size
(default params_c10_M).  Also the Spearman between each pair of files.
"""
import argparse
import csv
import itertools
import os
import random
import sys

import rankstats as rs

HERE = os.path.dirname(os.path.abspath(__file__))


def read_table(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def arch_column(rows, path):
    for c in ("arch_str", "arch"):
        if rows and c in rows[0]:
            return c
    raise SystemExit("top-slice.py: %s has no arch_str or arch column" % path)


def report(name, score, truth):
    (rlo, rhi), (tlo, thi), (plo, phi) = rs.bootstrap(score, truth)
    print("%-34s rho %.3f [%.3f, %.3f]  tau %.3f [%.3f, %.3f]  "
          "top10 %.2f [%.2f, %.2f]" % (
              name, rs.spearman(score, truth), rlo, rhi,
              rs.kendall_b(score, truth), tlo, thi,
              rs.top_share(score, truth), plo, phi))


def draw(a):
    rows = read_table(a.table)
    col = arch_column(rows, a.table)
    if a.truth not in rows[0]:
        raise SystemExit("top-slice.py: %s has no column '%s'"
                         % (a.table, a.truth))
    top = [r[col] for r in rows if float(r[a.truth]) >= a.min]
    if len(top) < a.count:
        raise SystemExit("top-slice.py: only %d rows have %s >= %g"
                         % (len(top), a.truth, a.min))
    random.Random(a.seed).shuffle(top)
    print("# %d of the %d rows of %s with %s >= %g (random.Random(%d))"
          % (a.count, len(top), os.path.basename(a.table), a.truth, a.min,
             a.seed))
    for arch in top[:a.count]:
        print(arch)


def judge(a):
    rows = read_table(a.table)
    col = arch_column(rows, a.table)
    by_arch = {r[col]: r for r in rows}
    files = []
    for path in a.csv:
        scores, truth = rs.read_rank_csv(path, [a.truth], "top-slice.py")
        files.append((os.path.basename(path), scores))
    common = sorted(set.intersection(*(set(s) for _, s in files)))
    if len(common) < 3:
        raise SystemExit("top-slice.py: fewer than 3 cells scored in "
                         "every file")
    truth = [float(by_arch[x][a.truth]) for x in common]
    print("%d cells, against %s" % (len(common), a.truth))
    for name, scores in files:
        report(name, [scores[x] for x in common], truth)
    if len(files) > 1:
        report("mean of the files", [sum(s[x] for _, s in files) / len(files)
                                     for x in common], truth)
    for column in (a.other, a.size):
        report("table: " + column,
               [float(by_arch[x][column]) for x in common], truth)
    for (n1, s1), (n2, s2) in itertools.combinations(files, 2):
        print("Spearman %s vs %s: %.3f" % (
            n1, n2, rs.spearman([s1[x] for x in common],
                                [s2[x] for x in common])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("draw", "judge"):
        p = sub.add_parser(name)
        p.add_argument("--table", default=os.path.join(HERE, "..", "data",
                                                        "nb201.csv"))
        p.add_argument("--truth", default="cifar10_test")
    d = sub.choices["draw"]
    d.add_argument("--min", type=float, default=93.5)
    d.add_argument("--count", type=int, default=60)
    d.add_argument("--seed", type=int, default=7)
    j = sub.choices["judge"]
    j.add_argument("--other", default="cifar10_valid")
    j.add_argument("--size", default="params_c10_M")
    j.add_argument("csv", nargs="+")
    a = ap.parse_args()
    draw(a) if a.cmd == "draw" else judge(a)


if __name__ == "__main__":
    sys.exit(main())
