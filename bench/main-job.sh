#!/bin/sh
# main-job.sh - the main job (./quickstart's search) for several seeds:
# the cell each picks, its CIFAR-10 test accuracy, and the wall time.
#
#   bench/main-job.sh [-b BUILD_DIR] [-o DIR] [-j JOB] [SEED...]
#
# Runs `gennas search $MAIN_JOB --seed S --db DIR/seedS.db` (MAIN_JOB as
# ./quickstart sets it, or JOB: the arguments of a candidate job, e.g.
# -j "spaces/nb201.lua --budget 150 --space-option N=3 --final 10
# --final-space-option N=5") for each seed (default 1 2 3 4 5), one store per
# seed so no run reuses another's scores, and prints one line per seed:
#   seed=S wall=SECONDS cpu=SECONDS final=ARCH truth=ACC
# where cpu is the user+system time of the search and its workers (on an
# idle machine with 2 cores, the wall time is about half of it; nan
# without GNU time, Debian's package `time`).  A seed
# whose log ends with its result line is not run again: run the script
# again after an interruption.  Logs: DIR/seedS.log, DIR/seedS.err.
# Defaults: build/, DIR main-job/.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
dir=main-job
usage() {
    sed -n '2,19s/^# \{0,1\}//p' "$0"
    exit "$1"
}
job=
while getopts b:o:j:h opt; do
    case $opt in
        b) build=$OPTARG ;;
        o) dir=$OPTARG ;;
        j) job=$OPTARG ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || set -- 1 2 3 4 5
gennas=$build/gennas
[ -x "$gennas" ] || { echo "main-job.sh: no $gennas (build first)" >&2; exit 1; }
[ -n "$job" ] || job=$(sed -n 's/^MAIN_JOB="\(.*\)"$/\1/p' "$here/quickstart")
[ -n "$job" ] || { echo "main-job.sh: no MAIN_JOB in $here/quickstart" >&2; exit 1; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)   # the runs below start in the source tree
cd "$here"
for s in "$@"; do
    log=$dir/seed$s.log
    if ! tail -n 1 "$log" 2>/dev/null | grep -q '^best='; then
        rm -f "$dir/seed$s.db" "$dir/seed$s.db-lock" "$dir/seed$s.db-wal" "$dir/seed$s.db-shm"
        start=$(date +%s)
        timer=""   # GNU time (Debian's `time`), for the CPU seconds
        [ -x /usr/bin/time ] && timer="/usr/bin/time -f %U_%S -o $dir/seed$s.time"
        # shellcheck disable=SC2086
        $timer "$gennas" search $job --seed "$s" --db "$dir/seed$s.db" \
            > "$log" 2> "$dir/seed$s.err" || {
            echo "main-job.sh: seed $s failed, see $dir/seed$s.err" >&2
            exit 1
        }
        echo "$(( $(date +%s) - start ))" > "$dir/seed$s.wall"
    fi
    cpu=$(awk -F_ '{ printf "%.0f", $1 + $2 }' "$dir/seed$s.time" 2>/dev/null || echo nan)
    last=$(tail -n 1 "$log")
    arch=${last#best=}
    arch=${arch%% *}
    truth=${last##*truth=}
    truth=${truth%% *}
    echo "seed=$s wall=$(cat "$dir/seed$s.wall") cpu=$cpu final=$arch truth=$truth"
done
