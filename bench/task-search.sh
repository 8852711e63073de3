#!/bin/sh
# task-search.sh - GenNAS's proxy-task search on a labelled set, and the
# transfer of the task it finds to architectures it never saw.
#
#   bench/task-search.sh [-b BUILD_DIR] [-o DIR] [-w WORKERS] [-B BUDGET]
#                        [-P POPULATION] [-S TOURNAMENT] SET...
#
# SET is nb201 (the 20 cells of data/nb201-search20.csv, against
# cifar10_test) or nb101 (GenNAS's 20 cells, data/nb101-search20.csv,
# against acc_108ep).  For each:
#   gennas task-search spaces/SPACE.lua --labeled data/SET-search20.csv
#       --budget BUDGET --population P --tournament S --db DIR/tasks.db
#       --out DIR/SET-task.lua --workers WORKERS --resume
# then the task's transfer, with the regression proxy and that recipe:
#   nb201: gennas rank --archs nb201-samples/gennas_sample1000_0.csv
#   nb101: gennas rank --sample 200 --seed 1 (none of them labelled)
# into DIR/SET-transfer.log, evaluations kept in DIR/rank.db.  Every step
# resumes: run it again after an interruption.
# Defaults: build/, DIR task-search/, 2 workers, budget 30, population 10,
# tournament 3 (GenNAS: 450, 50, 10); a task may take an hour.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
dir=task-search
workers=2
budget=30
population=10
tournament=3
# one task scores 20 networks: on a loaded machine an NB101 task passed
# search's default limit of 600 s per evaluation, and scored worst
timeout=3600
usage() {
    sed -n '2,21s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts b:o:w:B:P:S:h opt; do
    case $opt in
        b) build=$OPTARG ;;
        o) dir=$OPTARG ;;
        w) workers=$OPTARG ;;
        B) budget=$OPTARG ;;
        P) population=$OPTARG ;;
        S) tournament=$OPTARG ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage 2 >&2
gennas=$build/gennas
[ -x "$gennas" ] || { echo "task-search.sh: no $gennas (build first)" >&2; exit 1; }
mkdir -p "$dir"
for set in "$@"; do
    case $set in
        nb201) transfer="--archs $here/data/nb201-samples/gennas_sample1000_0.csv" ;;
        nb101) transfer="--sample 200 --seed 1" ;;
        *) echo "task-search.sh: no set '$set' (nb201 or nb101)" >&2; exit 2 ;;
    esac
    out=$dir/$set-task.lua
    log=$dir/$set-task-search.log
    if ! tail -n 1 "$log" 2>/dev/null | grep -q '^recipe: '; then
        echo "task-search.sh: $set task search" >&2
        # --resume continues a killed search, or starts one
        "$gennas" task-search "$here/spaces/$set.lua" \
            --labeled "$here/data/$set-search20.csv" --budget "$budget" \
            --population "$population" --tournament "$tournament" \
            --db "$dir/tasks.db" --out "$out" --workers "$workers" \
            --timeout "$timeout" --resume > "$log" 2>&1 || {
            echo "task-search.sh: $set failed, see $log" >&2
            exit 1
        }
    fi
    tlog=$dir/$set-transfer.log
    if ! tail -n 1 "$tlog" 2>/dev/null | grep -q '^spearman='; then
        echo "task-search.sh: $set transfer" >&2
        # shellcheck disable=SC2086
        "$gennas" rank "$here/spaces/$set.lua" --param "recipe=$out" \
            $transfer --workers "$workers" --db "$dir/rank.db" \
            --csv "$dir/$set-transfer.csv" > "$tlog" 2>&1 || {
            echo "task-search.sh: $set transfer failed, see $tlog" >&2
            exit 1
        }
    fi
    grep '^-- Fitness' "$out"
    tail -n 1 "$tlog"
done
