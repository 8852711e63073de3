#!/bin/sh
# rank-samples.sh - the paper's NAS-Bench-201 protocol: each proxy ranks
# GenNAS's three 1,000-cell samples (data/nb201-samples/), and the table
# of Spearman, Kendall and top-10% against CIFAR-10, CIFAR-100 and
# ImageNet16-120 test accuracy as mean ± sd over the three samples, with
# each sample's bootstrap interval.
#
#   bench/rank-samples.sh [-b BUILD_DIR] [-o LOG_DIR] [-w WORKERS] [-d DB]
#                         [-S KEY=VALUE]... [-c A+B[@REFERENCE.csv]]...
#                         PROXY[:NAME=VALUE,...] ...
#
# Runs bench/rank-table.sh -a SAMPLE for each sample (logs in LOG_DIR,
# reused when complete, so an interrupted table resumes; with -d the store
# keeps the evaluations of an interrupted rank), then
# bench/rank-samples.py LOG_DIR PROXY... prints the table; each -c adds
# a row combining the proxies' scores (a rank average, or with a
# reference sample the combine proxy's sum: bench/rank-samples.py).
# Defaults: build/, LOG_DIR rank-samples/, 2 workers.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
logs=rank-samples
workers=2
set_opts=
combine=
usage() {
    sed -n '2,20s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts b:o:w:d:S:c:h opt; do
    case $opt in
        b) build=$OPTARG ;;
        o) logs=$OPTARG ;;
        w) workers=$OPTARG ;;
        d) set_opts="$set_opts -d $OPTARG" ;;
        S) set_opts="$set_opts -S $OPTARG" ;;
        c) combine="$combine --combine $OPTARG" ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage 2 >&2
for k in 0 1 2; do
    # (set_opts holds no spaces inside a value: split on purpose)
    # shellcheck disable=SC2086
    sh "$here/bench/rank-table.sh" -b "$build" -o "$logs" -w "$workers" \
        $set_opts -a "$here/data/nb201-samples/gennas_sample1000_$k.csv" \
        "$here/spaces/nb201.lua" "$@" > /dev/null
done
# shellcheck disable=SC2086
python3 "$here/bench/rank-samples.py" $combine "$logs" "$@"
