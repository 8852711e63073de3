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


def ranks(values):
    """average ranks, 1-based, ties sharing their mean rank"""
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0 + 1
        i = j + 1
    return r


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def kendall_b(x, y):
    conc = disc = tx = ty = 0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif (dx > 0) == (dy > 0):
                conc += 1
            else:
                disc += 1
    return (conc - disc) / math.sqrt((conc + disc + tx) * (conc + disc + ty))


def top_share(score, truth, frac=0.1):
    k = max(1, math.ceil(frac * len(score)))
    best_true = set(sorted(range(len(truth)), key=lambda i: -truth[i])[:k])
    best_score = set(sorted(range(len(score)), key=lambda i: -score[i])[:k])
    return len(best_true & best_score) / k


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
          % (pearson(ranks(combined), ranks(y)), kendall_b(combined, y),
             top_share(combined, y), len(archs)))


if __name__ == "__main__":
    main()
