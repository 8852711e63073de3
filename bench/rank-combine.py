#!/usr/bin/python3
"""rank-combine.py - several proxies' scores of the same architectures,
combined, ranked against the truth as `gennas rank` ranks one proxy.

    rank-combine.py [--truth COLUMN] [--lower] [--resamples B]
                    [--reference REF.csv --names A,B[,...]
                     [--transforms T,T,...] [--weights W,W,...]]
                    A.csv B.csv [...]

Each CSV is what `gennas rank --csv` writes (arch, score, ..., the truth
columns).  Architectures missing or with a non-finite score in any file
are left out.  With --lower, lower truth is better (perplexities: the
truth is negated, as `gennas rank` judges a lower-is-better metric, so
a good proxy has a positive rho).  Without --reference: the mean of the
per-proxy ranks (a rank average, which needs the whole sample).  With it: what the combine
proxy computes for each architecture alone, the sum over the files of
w * (t(score) - mean) / sd, mean and sd (sample) of t over the column
NAME of REF.csv (rows with a non-finite value in any named column left
out), t one of none, log, neglog (-log(-score)); the defaults are the
combine proxy's (neglog for regression, none otherwise; weights 1).
Prints "spearman=R kendall=T top10=P n=N", with --resamples B > 0 then
the 95% percentile bootstrap bounds as `gennas rank` draws them.
"""
import argparse
import csv
import math

from rankstats import (bootstrap, kendall_b, ranks, read_rank_csv,
                       spearman, top_share)

TRANSFORMS = {
    "none": lambda v: v,
    "log": lambda v: math.log(v) if v > 0 else float("nan"),
    "neglog": lambda v: -math.log(-v) if v < 0 else float("nan"),
}


def uncommented(f):
    """@f's lines from its header on: a reference begins with '#' lines
    recording how each column was scored (bench/make-reference.sh)"""
    lines = iter(f)
    for line in lines:
        if not line.startswith("#"):
            yield line
            break
    yield from lines


def standardiser(reference, names, transforms):
    with open(reference) as f:
        rows = list(csv.DictReader(uncommented(f)))
    out = []
    cols = [[TRANSFORMS[t](float(r[n])) for r in rows]
            for n, t in zip(names, transforms)]
    keep = [i for i in range(len(rows))
            if all(math.isfinite(c[i]) for c in cols)]
    for c, t in zip(cols, transforms):
        v = [c[i] for i in keep]
        mean = sum(v) / len(v)
        sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (len(v) - 1))
        out.append((TRANSFORMS[t], mean, sd))
    return out


def combine(tables, reference=None, names=None, transforms=None,
            weights=None):
    """(archs, combined scores) over the architectures every table has:
    the rank average without @reference, else the combine proxy's sum"""
    archs = sorted(set.intersection(*(set(t) for t in tables)))
    if reference is None:
        per = [ranks([t[x] for x in archs]) for t in tables]
        return archs, [sum(p[i] for p in per) / len(per)
                       for i in range(len(archs))]
    transforms = transforms or ["neglog" if n == "regression" else "none"
                                for n in names]
    weights = weights or [1.0] * len(names)
    std = standardiser(reference, names, transforms)
    return archs, [sum(w * (f(t[x]) - m) / sd
                       for t, w, (f, m, sd) in zip(tables, weights, std))
                   for x in archs]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth", default="final_test_acc",
                    help="the truth column (default final_test_acc, NDS's; "
                    "cifar10_test on NB201)")
    ap.add_argument("--lower", action="store_true",
                    help="lower truth is better (e.g. min_test_ppl)")
    ap.add_argument("--resamples", type=int, default=0)
    ap.add_argument("--reference")
    ap.add_argument("--names")
    ap.add_argument("--transforms")
    ap.add_argument("--weights")
    ap.add_argument("csv", nargs="+")
    a = ap.parse_args()
    tables, truth = [], {}
    for path in a.csv:
        scores, t = read_rank_csv(path, [a.truth], "rank-combine.py")
        tables.append(scores)
        truth.update(t[a.truth])
    archs, combined = combine(
        tables, a.reference, a.names.split(",") if a.names else None,
        a.transforms.split(",") if a.transforms else None,
        [float(w) for w in a.weights.split(",")] if a.weights else None)
    sign = -1.0 if a.lower else 1.0
    y = [sign * truth[x] for x in archs]
    line = ("spearman=%.4f kendall=%.4f top10=%.4f n=%d"
            % (spearman(combined, y), kendall_b(combined, y),
               top_share(combined, y), len(archs)))
    if a.resamples > 0:
        (sl, sh), (kl, kh), (tl, th) = bootstrap(combined, y, a.resamples)
        line += (" spearman_lo=%.4f spearman_hi=%.4f kendall_lo=%.4f "
                 "kendall_hi=%.4f top10_lo=%.4f top10_hi=%.4f"
                 % (sl, sh, kl, kh, tl, th))
    print(line)


if __name__ == "__main__":
    main()
