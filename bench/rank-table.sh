#!/bin/sh
# rank-table.sh - one `gennas rank` per proxy on the same seeded sample,
# and the Markdown table of their rank quality side by side.
#
#   bench/rank-table.sh [-b BUILD_DIR] [-o LOG_DIR] [-n SAMPLE] [-s SEED]
#                       [-a ARCHS] [-w WORKERS] [-d DB] [-S KEY=VALUE]...
#                       SPACE.lua PROXY[:NAME=VALUE,...] ...
#
# For each proxy (parameters after a colon, comma-separated, become
# --param options) runs
#   gennas rank SPACE.lua --proxy NAME [--param ...] --sample SAMPLE
#               --seed SEED --workers WORKERS --csv LOG_DIR/X.csv
#               [--db DB] [--space-option KEY=VALUE ...]
# with its output in LOG_DIR/X.log, X = SPACEBASE-PROXY[-PARAMS]-sSEED;
# with -a, --archs ARCHS replaces --sample and --seed, and X ends in the
# base name of ARCHS instead of sSEED.
# A log that already ends with the "spearman=..." line is reused, so an
# interrupted table resumes where it stopped; with -d, the evaluations an
# interrupted rank recorded in the store are reused too.  -S (repeatable)
# is a build option of the space's network for every proxy.  Prints one
# row per proxy:
# Spearman rho, Kendall tau-b and top-10% retrieval against the space's
# first truth column (the rank's last line), and seconds per architecture.
# Defaults: build/, LOG_DIR rank-logs/, 200 cells, seed 1, 2 workers.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
logs=rank-logs
sample=200
seed=1
workers=2
db=
space_opts=
archs=
usage() {
    sed -n '2,26s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts b:o:n:s:a:w:d:S:h opt; do
    case $opt in
        b) build=$OPTARG ;;
        o) logs=$OPTARG ;;
        n) sample=$OPTARG ;;
        s) seed=$OPTARG ;;
        a) archs=$OPTARG ;;
        w) workers=$OPTARG ;;
        d) db=$OPTARG ;;
        S) space_opts="$space_opts $OPTARG" ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage 2 >&2
space=$1
shift
gennas=$build/gennas
[ -x "$gennas" ] || { echo "rank-table.sh: no $gennas (build first)" >&2; exit 1; }
[ -f "$space" ] || { echo "rank-table.sh: no space file $space" >&2; exit 1; }
mkdir -p "$logs"
base=$(basename "$space" .lua)

echo "| proxy | Spearman ρ | Kendall τ | top-10% | s/arch |"
echo "|---|---|---|---|---|"
for spec in "$@"; do
    name=${spec%%:*}
    params=
    tag=$name
    if [ "$name" != "$spec" ]; then
        params=${spec#*:}
        tag=$name-$(echo "$params" | tr ',=' '-_')
    fi
    from=s$seed
    [ -z "$archs" ] || from=$(basename "$archs" .csv)
    log=$logs/$base-$tag-$from.log
    if ! tail -n 1 "$log" 2>/dev/null | grep -q '^spearman='; then
        # (the loop list was expanded once: reusing "$@" is safe)
        set -- --proxy "$name" --workers "$workers" \
            --csv "$logs/$base-$tag-$from.csv"
        if [ -n "$archs" ]; then
            set -- "$@" --archs "$archs"
        else
            set -- "$@" --sample "$sample" --seed "$seed"
        fi
        old_ifs=$IFS
        IFS=,
        for p in $params; do
            set -- "$@" --param "$p"
        done
        IFS=$old_ifs
        [ -z "$db" ] || set -- "$@" --db "$db"
        for o in $space_opts; do
            set -- "$@" --space-option "$o"
        done
        echo "rank-table.sh: gennas rank $space $*" >&2
        "$gennas" rank "$space" "$@" > "$log" 2>&1 || {
            echo "rank-table.sh: $spec failed, see $log" >&2
            echo "| $spec | failed | | | |"
            continue
        }
    fi
    tail -n 1 "$log" | sed 's/[a-z_0-9]*=/ /g' | {
        read -r rho tau top n secs _intervals
        printf '| %s | %.3f | %.3f | %.2f | %s |\n' "$spec" "$rho" "$tau" \
            "$top" "$secs"
    }
done
