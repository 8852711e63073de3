#!/usr/bin/env python3
"""bench/make-nbnlp-table.py - data/nbnlp/nbnlp_ptb_nets.csv, NB-NLP's PTB table by network

Usage: bench/make-nbnlp-table.py [BUILD]   (BUILD defaults to build/)

NB-NLP trained some networks more than once under other node names or
key orders (the vanilla RNN 28 times).  spaces/nbnlp.lua's hash is the
same for every recipe of one network, and a benchmark table needs one
row per key, so this joins data/nbnlp/nbnlp_ptb.csv (one row per run)
with the recipes of data/nbnlp/nbnlp_ptb_cells.csv, keeps the runs whose
status is OK, and writes one row per network: its hash, the recipe of
its first run (lowest id), the ids of its OK runs, and the mean of each
perplexity over them.  Deterministic: run it again to check the file.
"""
import csv
import os
import subprocess
import sys

build = sys.argv[1] if len(sys.argv) > 1 else "build"
top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
data = os.path.join(top, "data", "nbnlp")
METRICS = ["min_test_ppl", "final_test_ppl", "test_ppl_at_best_val",
           "final_val_ppl", "test_ppl_ep1", "test_ppl_ep10"]
SAME = ["num_params", "hidden_tuple_size", "n_nodes", "n_linear"]

runs = {r["recepie_id"]: r
        for r in csv.DictReader(open(os.path.join(data, "nbnlp_ptb.csv")))}
cells = list(csv.DictReader(open(os.path.join(data, "nbnlp_ptb_cells.csv"))))
hashes = subprocess.run(
    [os.path.join(build, "gennas"), "space", "hash",
     os.path.join(top, "spaces", "nbnlp.lua")],
    input="".join(c["cell"] + "\n" for c in cells), capture_output=True,
    text=True, check=True).stdout.split()
if len(hashes) != len(cells):
    sys.exit("make-nbnlp-table: %d hashes for %d cells" % (len(hashes),
                                                          len(cells)))
nets = {}
for c, h in zip(cells, hashes):
    r = runs[c["recepie_id"]]
    if r["status"] != "OK":
        continue
    nets.setdefault(h, []).append((int(c["recepie_id"]), c["cell"], r))

out = csv.writer(open(os.path.join(data, "nbnlp_ptb_nets.csv"), "w",
                      newline=""), lineterminator="\n")
out.writerow(["nbnlp_hash", "cell", "runs", "recepie_ids"] + SAME + METRICS)
for h, rs in sorted(nets.items(), key=lambda kv: min(x[0] for x in kv[1])):
    rs.sort(key=lambda x: x[0])
    for f in SAME:
        if len({x[2][f] for x in rs}) != 1:
            sys.exit("make-nbnlp-table: %s differs between runs of %s"
                     % (f, h))
    row = [h, rs[0][1], len(rs), " ".join(str(x[0]) for x in rs)]
    row += [rs[0][2][f] for f in SAME]
    row += ["%.4f" % (sum(float(x[2][m]) for x in rs) / len(rs))
            for m in METRICS]
    out.writerow(row)
print("make-nbnlp-table: %d OK runs, %d networks"
      % (sum(len(v) for v in nets.values()), len(nets)))
