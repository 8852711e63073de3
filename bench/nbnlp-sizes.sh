#!/bin/sh
# bench/nbnlp-sizes.sh - gennas space info against NAS-Bench-NLP's num_params
#
# Usage: bench/nbnlp-sizes.sh [BUILD]   (BUILD defaults to build)
#
# Builds every recipe of data/nbnlp/nbnlp_ptb_cells.csv (14,322 PTB runs,
# whatever their status) as published, NB-NLP's language model, and
# compares `gennas space info`'s parameter count with the run's
# num_params in data/nbnlp/nbnlp_ptb.csv.  Prints how many agree and the
# first few that do not; exit status 1 if any does not.
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tail -n +2 "$top/data/nbnlp/nbnlp_ptb_cells.csv" | cut -d, -f2- > "$tmp/cells"
"$build/gennas" space info "$top/spaces/nbnlp.lua" < "$tmp/cells" \
  | tail -n +2 > "$tmp/info"
python3 - "$top/data/nbnlp" "$tmp/cells" "$tmp/info" <<'PY'
import csv, sys
data, cells, info = sys.argv[1:]
runs = list(csv.DictReader(open(data + "/nbnlp_ptb.csv")))
ids = [r["recepie_id"] for r in csv.DictReader(open(data + "/nbnlp_ptb_cells.csv"))]
want = {r["recepie_id"]: int(r["num_params"]) for r in runs}
got = [round(float(line.rsplit(",", 3)[1]) * 1e6) for line in open(info)]
if len(got) != len(ids):
    sys.exit("nbnlp-sizes: %d counts for %d recipes" % (len(got), len(ids)))
bad = [(i, want[i], g) for i, g in zip(ids, got) if want[i] != g]
print("nbnlp-sizes: %d of %d recipes have NB-NLP's num_params"
      % (len(ids) - len(bad), len(ids)))
for i, w, g in bad[:10]:
    print("  %s: num_params %d, gennas %d" % (i, w, g))
sys.exit(1 if bad else 0)
PY
