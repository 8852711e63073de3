#!/bin/sh
# darts-search.sh - the DARTS-space search of docs/benchmarks.md: regularized
# evolution over DARTS genotypes inside the ImageNet mobile setting, a final
# stage on a deeper network, the best exported in every format, and the
# published DARTS V2, PC-DARTS and P-DARTS cells scored the same way.
#
#   bench/darts-search.sh [-b BUILD_DIR] [-o DIR] [-B BUDGET] [-w WORKERS]
#                         [SEED ...]
#
# For each SEED (default 1 2 3), in DIR (default darts-search/):
#   gennas search spaces/darts.lua   the regression proxy with CONF_DARTS
#       (--recipe darts), 100 steps at batch 8, task seed 1, on the
#       CIFAR network at width 16 with 14 cells (--space-option depth=14);
#       BUDGET evaluations (default 60), population 20, tournament 5;
#       candidates above 600M multiply-adds in the mobile setting are never
#       evaluated; then the 5 best re-scored with 20 cells (--final 5
#       --final-space-option depth=20); store DIR/seed-S.db, log
#       DIR/seed-S.log, wall time in DIR/seed-S.time
#   gennas export DIR/seed-S.db --best   as genotype, JSON (mobile) and
#       model.py (mobile): DIR/seed-S.{genotype,json,py}
#   gennas space info --config mobile    params and MACs: DIR/seed-S.size
# Then the found genotypes and the three published ones, scored on the
# final-stage network by `gennas score` (DIR/final-scores.csv) with their
# mobile sizes (DIR/final-sizes.csv).  A seed whose store holds a finished
# run is not searched again (delete DIR/seed-S.db to redo it); an
# interrupted one resumes.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
dir=darts-search
budget=60
workers=2
usage() {
    sed -n '2,26s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts b:o:B:w:h opt; do
    case $opt in
        b) build=$OPTARG ;;
        o) dir=$OPTARG ;;
        B) budget=$OPTARG ;;
        w) workers=$OPTARG ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 1 2 3
gennas=$build/gennas
space=$here/spaces/darts.lua
mkdir -p "$dir"
proxy="--recipe darts --param steps=100 --param batch=8 --task-seed 1"
search_depth=14
final_depth=20

for s in "$@"; do
    db=$dir/seed-$s.db
    if [ ! -s "$dir/seed-$s.genotype" ]; then
        resume=
        [ -f "$db" ] && resume=--resume
        start=$(date +%s)
        # shellcheck disable=SC2086
        "$gennas" search "$space" $proxy --seed "$s" --budget "$budget" \
            --space-option depth=$search_depth \
            --population 20 --tournament 5 --workers "$workers" \
            --max-macs 600e6 --constraint-config mobile \
            --final 5 --final-space-option depth=$final_depth --db "$db" $resume \
            > "$dir/seed-$s.log" 2>&1
        echo "$(( $(date +%s) - start ))" >> "$dir/seed-$s.time"
        "$gennas" export "$db" --best --format genotype \
            -o "$dir/seed-$s.genotype"
    fi
    "$gennas" export "$db" --best --format json --config mobile \
        -o "$dir/seed-$s.json"
    "$gennas" export "$db" --best --format pytorch --config mobile \
        -o "$dir/seed-$s.py"
    "$gennas" space info "$space" --config mobile \
        < "$dir/seed-$s.genotype" > "$dir/seed-$s.size"
done

# the published cells, as data/darts_genotypes/genotypes.csv lists them
/usr/bin/python3 - "$here/data/darts_genotypes/genotypes.csv" \
    > "$dir/published.txt" <<'PY'
import csv, sys
def edges(s):
    return "[" + ", ".join("('%s', %s)" % tuple(e.split("~"))
                           for e in s.split("|")) + "]"
for r in csv.DictReader(open(sys.argv[1])):
    if r["name"] in ("DARTS_V2", "PC_DARTS_cifar", "PDARTS"):
        print("%s\tGenotype(normal=%s, normal_concat=[%s], reduce=%s, "
              "reduce_concat=[%s])" % (r["name"], edges(r["normal"]),
              r["normal_concat"].replace("|", ", "), edges(r["reduce"]),
              r["reduce_concat"].replace("|", ", ")))
PY
for s in "$@"; do
    printf 'seed %s\t%s\n' "$s" "$(cat "$dir/seed-$s.genotype")"
done > "$dir/found.txt"
cat "$dir/published.txt" "$dir/found.txt" > "$dir/all.txt"
cut -f 2 "$dir/all.txt" > "$dir/all.archs"
# shellcheck disable=SC2086
xargs -d '\n' "$gennas" score "$space" $proxy \
    --space-option depth=$final_depth \
    --workers "$workers" < "$dir/all.archs" > "$dir/final-scores.csv"
"$gennas" space info "$space" --config mobile < "$dir/all.archs" \
    > "$dir/final-sizes.csv"

# one table: name, final-stage score, mobile params (M) and MACs (M)
/usr/bin/python3 - "$dir/all.txt" "$dir/final-scores.csv" \
    "$dir/final-sizes.csv" <<'PY'
import csv, sys
names = [l.split("\t")[0] for l in open(sys.argv[1]) if l.strip()]
scores = list(csv.DictReader(open(sys.argv[2])))
sizes = list(csv.DictReader(open(sys.argv[3])))
print("| cell | score (final stage) | mobile params (M) | mobile MACs (M) |")
print("|---|---|---|---|")
for n, sc, sz in zip(names, scores, sizes):
    print("| %s | %.4f | %.3f | %.1f |" % (n, float(sc["score"]),
          float(sz["params"]), float(sz["macs"])))
PY
for s in "$@"; do
    echo "seed $s: $(tail -n 1 "$dir/seed-$s.log")"
    echo "  wall seconds: $(tr '\n' ' ' < "$dir/seed-$s.time")"
done
