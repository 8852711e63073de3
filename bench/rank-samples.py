#!/usr/bin/env python3
"""rank-samples.py - the table of bench/rank-samples.sh from its logs.

    python3 bench/rank-samples.py LOG_DIR PROXY[:NAME=VALUE,...] ...

Reads LOG_DIR/nb201-TAG-gennas_sample1000_K.log (K = 0, 1, 2; TAG as
bench/rank-table.sh names it) and prints, per proxy and test set,
Spearman, Kendall and top-10% as mean ± sd over the samples found, each
followed by the mean of the samples' 95% bootstrap bounds, then every
sample's own figures and intervals.
"""
import os
import re
import statistics
import sys

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


def fmt(values, los, his):
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else float("nan")
    return "%.3f ± %.3f [%.3f, %.3f]" % (mean, sd, statistics.fmean(los),
                                         statistics.fmean(his))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    logs, specs = sys.argv[1], sys.argv[2:]
    per = {}
    for spec in specs:
        for k in range(3):
            path = os.path.join(logs, "nb201-%s-gennas_sample1000_%d.log"
                                % (tag_of(spec), k))
            r = read_log(path) if os.path.exists(path) else None
            if r is not None:
                per.setdefault(spec, []).append((k, r))
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
