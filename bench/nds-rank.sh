#!/bin/sh
# nds-rank.sh - the NDS ranking table of docs/benchmarks.md: the
# regression proxy against params, synflow and naswot on each NDS
# ImageNet space, on the same seeded sample of records.
#
#   bench/nds-rank.sh [-b BUILD_DIR] [-o LOG_DIR] [-n SAMPLE] [-s SEED]
#                     [-w WORKERS] [SPACE ...]
#
# SPACE is a spaces/nds-*-in.lua base name without the prefix and suffix
# (default: darts enas pnas nasnet amoeba resnext-a resnext-b, the seven
# of the paper's headline).  For each, bench/rank-table.sh ranks SAMPLE
# records (default 100; all when the table has fewer) drawn with SEED
# (default 1):
#   regression   the GenNAS proxy with the task GenNAS searched for the
#                family (CONF_DARTS for the cell spaces, CONF_RESNET for
#                the AnyNet ones), 100 steps, batch 8, on the proxy
#                network at a quarter of the record's width
#                (--space-option width_mult=0.25)
#   synflow, naswot   on that same proxy network
#   params       the parameters of the record's own network
# Logs, CSVs and one results store (LOG_DIR/nds.db, so an interrupted
# table resumes from the evaluations it has) go to LOG_DIR (default
# nds-logs/); the tables are printed at the end, one per space.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
logs=nds-logs
sample=100
seed=1
workers=2
usage() {
    sed -n '2,22s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts b:o:n:s:w:h opt; do
    case $opt in
        b) build=$OPTARG ;;
        o) logs=$OPTARG ;;
        n) sample=$OPTARG ;;
        s) seed=$OPTARG ;;
        w) workers=$OPTARG ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- darts enas pnas nasnet amoeba resnext-a resnext-b
mkdir -p "$logs"
for s in "$@"; do
    space=$here/spaces/nds-$s-in.lua
    [ -f "$space" ] || { echo "nds-rank.sh: no $space" >&2; exit 1; }
    table=$logs/$s.md
    case $s in
        resnet*|resnext*|vanilla*) recipe=resnet ;;
        *) recipe=darts ;;
    esac
    {
        echo "### nds-$s-in"
        echo
        sh "$here/bench/rank-table.sh" -b "$build" -o "$logs" -n "$sample" \
            -s "$seed" -w "$workers" -d "$logs/nds.db" \
            -S width_mult=0.25 "$space" \
            regression:recipe=$recipe,steps=100,batch=8 synflow naswot
        sh "$here/bench/rank-table.sh" -b "$build" -o "$logs" -n "$sample" \
            -s "$seed" -w "$workers" -d "$logs/nds.db" "$space" params |
            tail -n +3
        echo
    } > "$table.part"
    mv "$table.part" "$table"
done
for s in "$@"; do
    cat "$logs/$s.md"
done
