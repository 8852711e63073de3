#!/usr/bin/python3
"""pick-simulation.py - how good is the architecture a proxy picks from B
random candidates?  Random search simulated on scores already computed.

    pick-simulation.py [--truth COLUMN] [--lower] [--goal X]
                       [--table TABLE.csv --arch-column NAME]
                       [--budgets 100,200,450] [--trials T] [--seed S]
                       A.csv [B.csv ...]

Each of A.csv, B.csv, ... is what `gennas rank --csv` writes (arch,
score, ..., the truth columns) for one proxy on the same architectures;
those with a finite score in every file are the pool, and their truth is
A.csv's --truth column (default cifar10_test; with --lower, lower is
better, as a perplexity).  For each budget B, T times (default 1000):
draw B architectures of the pool without replacement, and let each proxy
pick its best-scored one (ties: the first drawn); also the rank average
of all the files, and the oracle (the truly best of the B).  Prints, per
budget and picker, the mean truth of the pick and the share of trials
whose pick reaches --goal (default 94.0).  With --table, first how many
rows of the whole benchmark table reach the goal (its --arch-column,
default arch_str, only names the rows).  The oracle's share is the
ceiling of any random search of that budget, and of evolution's first B
draws.
"""
import argparse
import csv
import random
import statistics

from rankstats import read_rank_csv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scores", nargs="+")
    ap.add_argument("--truth", default="cifar10_test")
    ap.add_argument("--lower", action="store_true")
    ap.add_argument("--goal", type=float, default=94.0)
    ap.add_argument("--table")
    ap.add_argument("--arch-column", default="arch_str")
    ap.add_argument("--budgets", default="100,200,450")
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    sign = -1.0 if a.lower else 1.0

    def reaches(v):
        return sign * v >= sign * a.goal

    if a.table:
        with open(a.table) as f:
            rows = list(csv.DictReader(f))
        if not rows or a.truth not in rows[0] or a.arch_column not in rows[0]:
            raise SystemExit("pick-simulation.py: %s has no %s or %s column"
                             % (a.table, a.arch_column, a.truth))
        print("%s: %d architectures, %d reach %g"
              % (a.table, len(rows),
                 sum(reaches(float(r[a.truth])) for r in rows), a.goal))

    names = [p.rsplit("/", 1)[-1] for p in a.scores]
    read = [read_rank_csv(p, [a.truth], "pick-simulation.py")
            for p in a.scores]
    scores = [s for s, _ in read]
    truth = read[0][1][a.truth]
    pool = [x for x in scores[0] if all(x in s for s in scores[1:])]
    print("pool: %d architectures scored by every file, %d reach %g"
          % (len(pool), sum(reaches(truth[x]) for x in pool), a.goal))

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
            chosen["oracle"] = max(draw, key=lambda x: sign * truth[x])
            for k, x in chosen.items():
                picks.setdefault(k, []).append(truth[x])
        print("B=%d, %d trials:" % (budget, a.trials))
        for k, v in picks.items():
            print("  %-40s mean %.2f  reaches %g: %3.0f%%"
                  % (k, statistics.mean(v), a.goal,
                     100.0 * sum(reaches(t) for t in v) / len(v)))


if __name__ == "__main__":
    main()
