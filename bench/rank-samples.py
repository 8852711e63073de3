#!/usr/bin/env python3
"""rank-samples.py - the table of bench/rank-samples.sh from its logs.

    python3 bench/rank-samples.py [--combine A+B[@REFERENCE.csv]]...
                                  LOG_DIR PROXY[:NAME=VALUE,...] ...

Reads LOG_DIR/nb201-TAG-gennas_sample1000_K.log (K = 0, 1, 2; TAG as
bench/rank-table.sh names it) and prints, per proxy and test set,
Spearman, Kendall and top-10% as mean ± sd over the samples found, each
followed by the mean of the samples' 95% bootstrap bounds, then every
sample's own figures and intervals.  Each --combine adds a row computed
from the proxies' CSVs there (bench/rank-combine.py, 1,000 resamples):
A+B is the rank average of proxies A and B; A+B@REFERENCE.csv the
combine proxy's sum with that reference sample.
"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rankstats import (bootstrap, kendall_b, read_rank_csv,  # noqa: E402
                       spearman, top_share)
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "rank_combine", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "rank-combine.py"))
rank_combine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rank_combine)

SETS = [("cifar10_test", "C10"), ("cifar100_test", "C100"),
        ("imagenet16_test", "IN16")]
LINE = re.compile(
    r"^\s+(\S+)\s+spearman\s+(\S+) \[\s*(\S+),\s*(\S+)\]\s+"
    r"kendall\s+(\S+) \[\s*(\S+),\s*(\S+)\]\s+"
    r"top(\d+)\s+(\S+) \[\s*(\S+),\s*(\S+)\]\s+\(n=(\d+)\)")


def tag_of(spec):
    name, _, params = spec.partition(":")
    if not params:
        return name
    return name + "-" + params.replace(",", "-").replace("=", "_")


def read_log(path):
    """{metric: (rho, lo, hi, tau, lo, hi, top, lo, hi, n)} of one log."""
    out = {}
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or not lines[-1].startswith("spearman="):
        return None   # unfinished
    for line in lines:
        m = LINE.match(line)
        if m:
            g = m.groups()
            out[g[0]] = tuple(float(v) for v in g[1:7] + g[8:11]) + (int(g[11]),)
    return out


def combined_run(logs, spec, k):
    """the read_log() form of a --combine row on sample k, or None"""
    names, _, reference = spec.partition("@")
    names = names.split("+")
    paths = [os.path.join(logs, "nb201-%s-gennas_sample1000_%d.csv"
                          % (tag_of(n), k)) for n in names]
    if not all(os.path.exists(p) for p in paths):
        return None
    cols = [key for key, _ in SETS]
    tables, truth = [], {}
    for p in paths:
        scores, t = read_rank_csv(p, cols, "rank-samples.py")
        tables.append(scores)
        for c in cols:
            truth.setdefault(c, {}).update(t[c])
    archs, combined = rank_combine.combine(
        tables, reference or None, [n.partition(":")[0] for n in names])
    out = {}
    for c in cols:
        y = [truth[c][x] for x in archs]
        (sl, sh), (kl, kh), (tl, th) = bootstrap(combined, y, 1000)
        out[c] = (spearman(combined, y), sl, sh, kendall_b(combined, y), kl,
                  kh, top_share(combined, y), tl, th, len(archs))
    return out


def fmt(values, los, his):
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else float("nan")
    return "%.3f ± %.3f [%.3f, %.3f]" % (mean, sd, statistics.fmean(los),
                                         statistics.fmean(his))


def main():
    # argparse formats the usage with %: the docstring's "top-10%" escaped
    ap = argparse.ArgumentParser(usage=__doc__.replace("%", "%%"))
    ap.add_argument("--combine", action="append", default=[])
    ap.add_argument("logs")
    ap.add_argument("proxies", nargs="+")
    a = ap.parse_args()
    logs, specs = a.logs, a.proxies
    per = {}
    for spec in specs:
        for k in range(3):
            path = os.path.join(logs, "nb201-%s-gennas_sample1000_%d.log"
                                % (tag_of(spec), k))
            r = read_log(path) if os.path.exists(path) else None
            if r is not None:
                per.setdefault(spec, []).append((k, r))
    for spec in a.combine:
        for k in range(3):
            r = combined_run(logs, spec, k)
            if r is not None:
                per.setdefault(spec, []).append((k, r))
    specs = specs + a.combine
    print("| proxy | test set | samples | Spearman ρ | Kendall τ | top-10% |")
    print("|---|---|---|---|---|---|")
    for spec in specs:
        runs = per.get(spec, [])
        for key, short in SETS:
            rows = [r[key] for _, r in runs if key in r]
            if not rows:
                continue
            cols = [fmt([r[i] for r in rows], [r[i + 1] for r in rows],
                        [r[i + 2] for r in rows]) for i in (0, 3, 6)]
            print("| %s | %s | %d | %s |" % (spec, short, len(rows),
                                             " | ".join(cols)))
    print()
    print("Each sample (95% bootstrap intervals):")
    print()
    for spec in specs:
        for k, r in per.get(spec, []):
            for key, short in SETS:
                if key in r:
                    v = r[key]
                    print("- %s, sample %d, %s: ρ %.3f [%.3f, %.3f], "
                          "τ %.3f [%.3f, %.3f], top-10%% %.2f [%.2f, %.2f]"
                          % ((spec, k, short) + v[:9]))


if __name__ == "__main__":
    main()
