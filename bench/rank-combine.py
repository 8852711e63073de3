#!/usr/bin/python3
"""rank-combine.py - the rank average of several proxies' scores on the
same architectures, ranked against the truth as `gennas rank` ranks one.

    rank-combine.py [--truth final_test_acc] A.csv B.csv [...]

Each CSV is what `gennas rank --csv` writes (arch, score, ..., the truth
columns).  Architectures missing or with a non-finite score in any file
are left out.  Prints Spearman's rho, Kendall's tau-b and top-10%
retrieval (the share of the truly best 10%, rounded up, that the combined
score also puts in its best 10%) of the mean of the per-proxy ranks.
"""
import argparse
import csv
import math

from rankstats import kendall_b, ranks, spearman, top_share


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth", default="final_test_acc")
    ap.add_argument("csv", nargs="+")
    a = ap.parse_args()
    tables = []
    truth = {}
    for path in a.csv:
        t = {}
        for row in csv.DictReader(open(path)):
            s = float(row["score"]) if row["score"] else float("nan")
            if math.isfinite(s):
                t[row["arch"]] = s
                truth[row["arch"]] = float(row[a.truth])
        tables.append(t)
    archs = sorted(set.intersection(*(set(t) for t in tables)))
    per = [ranks([t[x] for x in archs]) for t in tables]
    combined = [sum(p[i] for p in per) / len(per) for i in range(len(archs))]
    y = [truth[x] for x in archs]
    print("spearman=%.4f kendall=%.4f top10=%.4f n=%d"
          % (spearman(combined, y), kendall_b(combined, y),
             top_share(combined, y), len(archs)))


if __name__ == "__main__":
    main()
