#!/bin/sh
# make-reference.sh - a reference sample for the combine proxy: N random
# architectures of a space and each one's score by each proxy, as CSV
# (arch,PROXY1,PROXY2,...) on standard output.
#
#   bench/make-reference.sh [-b BUILD_DIR] [-n N] [-s SEED] [-t TASK_SEED]
#                           [-w WORKERS] [-x EXCLUDE.csv]... [-S KEY=VALUE]...
#                           [-m MAX_PARAMS] SPACE.lua PROXY[:NAME=VALUE,...]...
#                           > reference.csv
#
# The architectures: the first N distinct ones of
# `gennas space sample SPACE --unique --seed SEED` (gennas's own generator,
# so the same command gives the same list) that appear in no EXCLUDE file
# (a CSV or a list; every comma-separated field of every line is taken as
# an architecture to leave out: name the test samples there, so the
# reference is disjoint from them) and, with -m, whose network as
# published (`gennas space info`) has at most MAX_PARAMS parameters
# (e.g. 6e6: draw as the benchmark drew, when it kept only networks under
# a size; NDS's ImageNet cell records are all under 6M).  The scores:
# `gennas score SPACE
# --proxy PROXY` with the parameters after a colon (comma-separated, each
# a --param; the column is named PROXY), the task seed TASK_SEED and the
# build options -S, one proxy after the other on WORKERS processes.
# Score with the settings the combine proxy will run with: the same
# parameters (its component_params), build options and task seed; a
# space's proxy_defaults reach `gennas score` but not combine's
# components, which start from their plugins' defaults, so name what a
# space sets (on NB201: regression:recipe=combo,batch=16).  The output
# begins with one line per proxy recording how its column was scored
# (`# task-seed=S CONFIG`, what `gennas score --print-config` prints);
# combine refuses a component whose settings differ from its record.  A
# score that is not finite (the worst score, a diverged loss) or that
# failed is written as nan (combine skips such rows).
# Defaults: build/, N 200, SEED 1, TASK_SEED 1 (what `gennas score`,
# `rank` and `search` use unless told otherwise), 1 worker.  The shipped
# data/reference/nb201.csv (provenance in data/README.md) is
#
#   bench/make-reference.sh -n 200 -s 1 -w 1 \
#       -x data/nb201-samples/gennas_sample1000_0.csv \
#       -x data/nb201-samples/gennas_sample1000_1.csv \
#       -x data/nb201-samples/gennas_sample1000_2.csv \
#       spaces/nb201.lua regression:recipe=combo,batch=16 synflow \
#       > data/reference/nb201.csv
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
n=200
seed=1
task_seed=1
workers=1
excludes=
space_opts=
max_params=
usage() {
    sed -n '2,43s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts b:n:s:t:w:x:S:m:h opt; do
    case $opt in
        b) build=$OPTARG ;;
        n) n=$OPTARG ;;
        s) seed=$OPTARG ;;
        t) task_seed=$OPTARG ;;
        w) workers=$OPTARG ;;
        x) [ -r "$OPTARG" ] || { echo "make-reference.sh: cannot read $OPTARG" >&2; exit 2; }
           excludes="$excludes $OPTARG" ;;
        S) space_opts="$space_opts --space-option $OPTARG" ;;
        m) max_params=$OPTARG ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage 2 >&2
space=$1
shift
gennas=$build/gennas
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the sample: draw 3N + 1000 (more than enough unless the exclusions cover
# most of the space), drop the excluded ones, keep the first N
"$gennas" space sample "$space" --unique --seed "$seed" -n $((3 * n + 1000)) \
    > "$tmp/drawn"
# shellcheck disable=SC2086
cat /dev/null $excludes | tr -d '\r' | tr ',' '\n' > "$tmp/excluded"
awk 'FILENAME == ARGV[1] { out[$0] = 1; next } !($0 in out)' "$tmp/excluded" \
    "$tmp/drawn" > "$tmp/kept"
if [ -n "$max_params" ]; then
    # the params proxy's score is in millions, in the order given (a
    # header per command xargs runs)
    tr '\n' '\0' < "$tmp/kept" \
        | xargs -0 "$gennas" score "$space" --proxy params --workers "$workers" \
        | awk -F, -v max="$max_params" '$0 != "arch,score,seconds" {
              print ($(NF - 1) * 1e6 <= max + 0) }' \
        > "$tmp/small"
    [ "$(wc -l < "$tmp/small")" -eq "$(wc -l < "$tmp/kept")" ] || {
        echo "make-reference.sh: the params proxy did not count every architecture" >&2
        exit 1
    }
    paste -d '\t' "$tmp/small" "$tmp/kept" | sed -n 's/^1\t//p' > "$tmp/kept.small"
    mv "$tmp/kept.small" "$tmp/kept"
fi
head -n "$n" "$tmp/kept" > "$tmp/archs"
got=$(wc -l < "$tmp/archs")
if [ "$got" -lt "$n" ]; then
    echo "make-reference.sh: only $got architectures left after the exclusions" \
        "${max_params:+and the size limit}" >&2
    exit 1
fi

# one column per proxy, in the order of the sample: gennas score's rows
# keyed by architecture (its first field, quoted as CSV when it must be;
# the score and the seconds are the last two), nan for what it did not
# score or scored as not finite
header=arch
columns=
i=0
for spec in "$@"; do
    i=$((i + 1))
    proxy=${spec%%:*}
    params=
    if [ "$proxy" != "$spec" ]; then
        for p in $(echo "${spec#*:}" | tr ',' ' '); do
            params="$params --param $p"
        done
    fi
    # how the column is scored, as the reference records it (the combine
    # proxy checks its components against these lines)
    # shellcheck disable=SC2086
    "$gennas" score "$space" --proxy "$proxy" $params --task-seed "$task_seed" \
        $space_opts --print-config >> "$tmp/records"
    # shellcheck disable=SC2086
    tr '\n' '\0' < "$tmp/archs" \
        | xargs -0 "$gennas" score "$space" --proxy "$proxy" $params \
            --task-seed "$task_seed" --workers "$workers" $space_opts \
            > "$tmp/scores" \
        || echo "make-reference.sh: $proxy did not score every architecture (nan)" >&2
    awk -v q='"' '
        FILENAME == ARGV[1] {
            if ($0 == "arch,score,seconds") next
            n = split($0, f, ",")
            arch = $0; sub(/,[^,]*,[^,]*$/, "", arch)
            if (substr(arch, 1, 1) == q) {
                arch = substr(arch, 2, length(arch) - 2); gsub(q q, q, arch)
            }
            s[arch] = (f[n - 1] + 0 <= -1.79e308) ? "nan" : f[n - 1]
            next
        }
        { print (($0 in s) ? s[$0] : "nan") }' "$tmp/scores" "$tmp/archs" \
        > "$tmp/column$i"
    header="$header,$proxy"
    columns="$columns $tmp/column$i"
done

# the architecture column as CSV: quoted when it holds a comma or a quote
awk -v q='"' '/[",]/ { gsub(q, q q); $0 = q $0 q } { print }' \
    "$tmp/archs" > "$tmp/column0"
cat "$tmp/records"
echo "$header"
# shellcheck disable=SC2086
paste -d, "$tmp/column0" $columns
