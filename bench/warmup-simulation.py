#!/usr/bin/python3
"""warmup-simulation.py - how many top cells does a warm start hand the
search?  `gennas search --warmup W` simulated on scores already computed.

    warmup-simulation.py [--truth COLUMN] [--goal X] [--warmups 2000,4000]
                         [--keep 20,30] [--trials T] SCORES.csv [MORE.csv ...]

Each SCORES.csv is what `gennas rank --csv` writes (arch, score, ..., the
truth columns) for one zero-cost proxy over a whole space's benchmark
table (e.g. every NAS-Bench-201 cell); the pool is the architectures
with a finite score in every file.  For each W of --warmups and K of
--keep, T times (default 400, draw t from seed t): draw W architectures
of the pool without replacement and keep the K best by each file's
score, and by the sum of every file's scores standardised over the pool
(with two or more files).  Prints, per (W, K) and proxy, the mean number
of the K whose truth (--truth, default cifar10_test) reaches --goal
(default 94.0), and P(any): the share of draws in which at least one
does.  The K are evolution's first population under --warmup W
--population K.
"""
import argparse
import random
import statistics

from rankstats import read_rank_csv


def standardised(scores, pool):
    vals = [scores[a] for a in pool]
    m, s = statistics.mean(vals), statistics.pstdev(vals)
    return {a: (scores[a] - m) / s for a in pool}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth", default="cifar10_test")
    ap.add_argument("--goal", type=float, default=94.0)
    ap.add_argument("--warmups", default="2000,4000")
    ap.add_argument("--keep", default="20,30")
    ap.add_argument("--trials", type=int, default=400)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    files = [read_rank_csv(f, [a.truth], "warmup-simulation.py")
             for f in a.files]
    truth = files[0][1][a.truth]
    pool = sorted(set.intersection(*(set(s) for s, _ in files)))
    pickers = [(f.rsplit("/", 1)[-1], s) for f, (s, _) in zip(a.files, files)]
    if len(files) > 1:
        z = [standardised(s, pool) for s, _ in files]
        pickers.append(("sum of z-scores", {x: sum(d[x] for d in z)
                                            for x in pool}))
    print("pool: %d architectures, %d reach %g" %
          (len(pool), sum(truth[x] >= a.goal for x in pool), a.goal))
    for w in (int(x) for x in a.warmups.split(",")):
        if w > len(pool):
            raise SystemExit("warmup-simulation.py: W=%d is more than the "
                             "pool (%d)" % (w, len(pool)))
        for k in (int(x) for x in a.keep.split(",")):
            for name, score in pickers:
                hits = []
                for t in range(a.trials):
                    drawn = random.Random(t).sample(pool, w)
                    kept = sorted(drawn, key=lambda x: -score[x])[:k]
                    hits.append(sum(truth[x] >= a.goal for x in kept))
                print("W=%d K=%d %-20s mean %.2f  P(any) %.2f" %
                      (w, k, name, statistics.mean(hits),
                       sum(h > 0 for h in hits) / len(hits)))


if __name__ == "__main__":
    main()
