#!/usr/bin/python3
"""pick-simulation.py - how good is the architecture a proxy picks from B
random candidates?  Random search simulated on scores already computed.

    pick-simulation.py [--truth COLUMN] [--budgets 100,200,450]
                       [--trials T] [--seed S] [--goal X]
                       TABLE.csv A.csv [B.csv ...]

TABLE.csv is a benchmark table (data/nb201.csv): its arch_str column and
the --truth column (default cifar10_test).  Each of A.csv, B.csv, ... is
what `gennas rank --csv` writes (arch, score, ...) for one proxy on the
same architectures; those scored by every file (finite scores) are the
pool.  For each budget B, T times: draw B architectures of the pool
without replacement, and let each proxy pick its best-scored one (ties:
the first drawn); also the rank average of all the files, and the
oracle (the truly best of the B).  Prints, per budget and picker, the
mean truth of the pick and the share of trials whose pick reaches
--goal (default 94.0), and first, over the whole table, how many
architectures reach the goal at all: the oracle's share is the ceiling
of any random search of that budget, and of evolution's first B draws.
"""
import argparse
import csv
import math
import random
import statistics


def read_scores(path):
    out = {}
    for r in csv.DictReader(open(path)):
        v = float(r["score"])
        if math.isfinite(v):
            out[r["arch"]] = v
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("table")
    ap.add_argument("scores", nargs="+")
    ap.add_argument("--truth", default="cifar10_test")
    ap.add_argument("--budgets", default="100,200,450")
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--goal", type=float, default=94.0)
    a = ap.parse_args()

    rows = list(csv.DictReader(open(a.table)))
    if not rows or a.truth not in rows[0] or "arch_str" not in rows[0]:
        raise SystemExit("pick-simulation.py: %s has no arch_str or %s column"
                         % (a.table, a.truth))
    truth = {r["arch_str"]: float(r[a.truth]) for r in rows}
    print("%s: %d architectures, %d reach %g"
          % (a.table, len(truth), sum(v >= a.goal for v in truth.values()),
             a.goal))

    names = [p.rsplit("/", 1)[-1] for p in a.scores]
    scores = [read_scores(p) for p in a.scores]
    pool = [x for x in scores[0] if x in truth
            and all(x in s for s in scores[1:])]
    print("pool: %d architectures scored by every file, %d reach %g"
          % (len(pool), sum(truth[x] >= a.goal for x in pool), a.goal))

    rng = random.Random(a.seed)
    for budget in (int(b) for b in a.budgets.split(",")):
        if budget > len(pool):
            print("B=%d: larger than the pool" % budget)
            continue
        picks = {}
        for _ in range(a.trials):
            draw = rng.sample(pool, budget)
            order = {x: i for i, x in enumerate(draw)}
            chosen = {}
            rank_sum = dict.fromkeys(draw, 0)
            for name, s in zip(names, scores):
                chosen[name] = max(draw, key=lambda x: (s[x], -order[x]))
                for r, x in enumerate(sorted(draw, key=lambda x: s[x])):
                    rank_sum[x] += r
            if len(scores) > 1:
                chosen["rank average"] = max(
                    draw, key=lambda x: (rank_sum[x], -order[x]))
            chosen["oracle"] = max(draw, key=lambda x: truth[x])
            for k, x in chosen.items():
                picks.setdefault(k, []).append(truth[x])
        print("B=%d, %d trials:" % (budget, a.trials))
        for k, v in picks.items():
            print("  %-40s mean %.2f  reaches %g: %3.0f%%"
                  % (k, statistics.mean(v), a.goal,
                     100.0 * sum(t >= a.goal for t in v) / len(v)))


if __name__ == "__main__":
    main()
