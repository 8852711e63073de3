#!/bin/sh
# bench-mpi.sh - evaluations per minute of `gennas search --mpi` with 1, 2,
# ... worker ranks on this machine, back to back, and where the CPU went.
#
#   bench/bench-mpi.sh [-b BUDGET] [-n "2 3"] [-- extra gennas search args]
#
# Run from a build directory (it uses the build tree's ./gennas and
# ../spaces/nb201.lua unless GENNAS and SPACE say otherwise).  Each job is
# a fresh store, the regression proxy at its defaults, seed 1, --no-cache;
# with the default population (50) above the budget, every job evaluates
# the same random architectures, so the jobs differ only in how many ranks
# share the work.
#
# For each job it prints the wall time (mpirun's, start-up included), the
# search's time (rank 0's, from its first job to its last result) and the
# evaluations per minute over it, the CPU
# seconds the job's processes used (mpirun's children: the ranks and their
# evaluation processes) and the CPU seconds every other process on the
# machine used meanwhile (from /proc/stat), the mean seconds per
# evaluation that the workers recorded, and rank 0's own summary line.
set -eu

budget=40
nps="2 3"
while [ $# -gt 0 ]; do
    case $1 in
        -b) budget=$2; shift 2 ;;
        -n) nps=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "usage: $0 [-b BUDGET] [-n \"2 3\"] [-- args]" >&2; exit 2 ;;
    esac
done

GENNAS=${GENNAS:-./gennas}
SPACE=${SPACE:-$(dirname "$0")/../spaces/nb201.lua}
[ -f "$SPACE" ] || SPACE=../spaces/nb201.lua
MPIRUN=${MPIRUN:-mpirun}
root=""
[ "$(id -u)" -eq 0 ] && root="--allow-run-as-root"
hz=$(getconf CLK_TCK)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

busy () {  # jiffies the whole machine spent busy so far
    awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# budget $budget, $GENNAS search $SPACE --no-cache --seed 1 $*"
printf '# %-3s %-7s %8s %8s %10s %9s %10s %9s %6s\n' np workers wall-s search-s evals/min job-cpu others-cpu s/eval evals
for np in $nps; do
    db=$tmp/np$np.db
    b0=$(busy)
    /usr/bin/time -f '%e %U %S' -o "$tmp/time" \
        "$MPIRUN" $root --oversubscribe --bind-to none -np "$np" \
        "$GENNAS" search "$SPACE" --mpi --budget "$budget" --no-cache \
        --seed 1 --db "$db" "$@" >"$tmp/out" 2>"$tmp/err"
    b1=$(busy)
    read -r wall user sys <"$tmp/time"
    n=$(sqlite3 "$db" "select count(*) from evals where cached = 0")
    search=$(sed -n 's/^gennas search: MPI: .* in \([0-9.]*\) s;.*/\1/p' "$tmp/err")
    per=$(sqlite3 "$db" "select printf('%.2f', avg(seconds)) from evals where cached = 0")
    awk -v np="$np" -v wall="$wall" -v u="$user" -v s="$sys" -v n="$n" \
        -v search="${search:-0}" \
        -v per="$per" -v b="$((b1 - b0))" -v hz="$hz" 'BEGIN {
        job = u + s; all = b / hz
        printf "  %-3d %-7d %8.1f %8.1f %10.2f %9.1f %10.1f %9s %6d\n",
               np, np - 1, wall, search, 60 * n / search, job, all - job,
               per, n }'
    grep '^gennas search: MPI:' "$tmp/err" | sed 's/^/#   /'
    sqlite3 "$db" "select arch from evals order by arch" | md5sum |
        sed 's/ .*//; s/^/#   architectures md5 /'
done
