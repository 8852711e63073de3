#!/usr/bin/python3
"""pick-rules.py - what a finished warm-started search would have picked
under each pick rule, from its store alone (no new search).

    pick-rules.py [--gennas BUILD/gennas] [--space SPACE.lua]
                  [--table TABLE.csv] [--arch-column NAME] [--truth COLUMN]
                  [--space-option KEY=VALUE]... [--goal X] STORE.db...

Each STORE.db is a `gennas search --warmup W` store (bench/main-job.sh's
seedS.db): run 1 the warmup, run 2 the search.  For each, the search's
scored candidates are ranked by the search's score and by the warmup
proxy's (the warmup's own scores, and for the mutants the warmup never
saw, `gennas score --proxy synflow` with --space-option and the seed in
the file name, seedS.db, as the task seed; cached next to the store as
STORE.db.warmup.csv), and the script prints, per store, the truth
(--truth in --table, default NB201's cifar10_test) of the pick by the
best search score (`--pick score`, the default) and by the best sum of
the two ranks (`--pick ranks`; ties: the better search score, then the
string that sorts first, as gennas does), the best candidate's truth and
how many reach --goal (default 94.0); then how many picks of each rule
reach it.  The warmup proxy must be synflow at its defaults (what
--warmup runs unless told otherwise).
"""
import argparse
import csv
import os
import re
import sqlite3
import subprocess

from rankstats import ranks

HERE = os.path.dirname(os.path.abspath(__file__))


def warmup_scores(a, db, con, archs):
    """{arch: warmup proxy score} for @archs: the warmup run's, then synflow
    for the rest (cached in DB.warmup.csv)"""
    have = dict(con.execute(
        "select arch, score from evals where run = 1 and status = 'ok'"))
    need = [x for x in archs if x not in have]
    cache = db + ".warmup.csv"
    if need and not os.path.exists(cache):
        m = re.search(r"seed(\d+)\.db$", db)
        if not m:
            raise SystemExit("pick-rules.py: %s: no seedS.db name, so no task "
                             "seed for the warmup proxy" % db)
        cmd = [a.gennas, "score", a.space, "--proxy", "synflow",
               "--task-seed", m.group(1)]
        for o in a.space_option:
            cmd += ["--space-option", o]
        out = subprocess.run(cmd + need, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("pick-rules.py: %s failed: %s"
                             % (" ".join(cmd[:6]), out.stderr.strip()))
        with open(cache, "w") as f:
            f.write(out.stdout)
    if need:
        with open(cache) as f:
            for r in csv.DictReader(f):
                have[r["arch"]] = float(r["score"])
    return have


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--gennas", default=os.path.join(HERE, "..", "build",
                                                     "gennas"))
    ap.add_argument("--space", default=os.path.join(HERE, "..", "spaces",
                                                    "nb201.lua"))
    ap.add_argument("--table", default=os.path.join(HERE, "..", "data",
                                                    "nb201.csv"))
    ap.add_argument("--arch-column", default="arch_str")
    ap.add_argument("--truth", default="cifar10_test")
    ap.add_argument("--space-option", action="append", default=["N=5"],
                    help="build options of the warmup proxy (default N=5, "
                    "the main job's)")
    ap.add_argument("--goal", type=float, default=94.0)
    a = ap.parse_args()
    with open(a.table) as f:
        truth = {r[a.arch_column]: float(r[a.truth]) for r in csv.DictReader(f)}
    n_score = n_ranks = 0
    print("%-24s %7s %7s %7s %5s" % ("store", "score", "ranks", "best", ">=goal"))
    for db in a.stores:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        search = con.execute("select arch, score from evals where run = 2 "
                             "and status = 'ok'").fetchall()
        if not search:
            raise SystemExit("pick-rules.py: %s has no scored search run 2"
                             % db)
        archs = [x for x, _ in search]
        s1 = [s for _, s in search]
        warm = warmup_scores(a, db, con, archs)
        s2 = [warm.get(x, float("-inf")) for x in archs]
        r1, r2 = ranks(s1), ranks(s2)
        by_score = min(range(len(archs)), key=lambda i: (-s1[i], archs[i]))
        by_ranks = min(range(len(archs)),
                       key=lambda i: (-(r1[i] + r2[i]), -s1[i], archs[i]))
        t_score, t_ranks = truth[archs[by_score]], truth[archs[by_ranks]]
        n_score += t_score >= a.goal
        n_ranks += t_ranks >= a.goal
        print("%-24s %7.2f %7.2f %7.2f %5d" % (
            db[-24:], t_score, t_ranks, max(truth[x] for x in archs),
            sum(truth[x] >= a.goal for x in archs)))
    print("picks reaching %g: by score %d of %d, by ranks %d of %d"
          % (a.goal, n_score, len(a.stores), n_ranks, len(a.stores)))


if __name__ == "__main__":
    main()
