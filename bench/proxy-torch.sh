#!/bin/sh
# proxy-torch.sh - seconds per architecture of the GenNAS regression proxy
# on an NDS space's proxy network, gennas against PyTorch doing the same
# work (bench/proxy-torch.py on the network `gennas export-arch` writes),
# one thread each, for the first records of the space's table.
#
#   bench/proxy-torch.sh [-b BUILD_DIR] [-n RECORDS] [-r REPEAT] [SPACE]
#
# SPACE is a spaces/nds-*-in.lua base name (default: darts).  The proxy
# is nds-rank.sh's: recipe darts (channels 80,32,80), 100 steps, batch 8,
# width_mult=0.25, stems at stride 1 on 32x32.  The records (default the
# first 3 of data/nds/) are timed one by one, gennas then PyTorch, each
# the best of REPEAT (default 1) runs, so both see the same machine load.
# PyTorch is Debian's python3-torch, run with /usr/bin/python3.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
records=3
repeat=1
usage() {
    sed -n '2,15s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts b:n:r:h opt; do
    case $opt in
        b) build=$OPTARG ;;
        n) records=$OPTARG ;;
        r) repeat=$OPTARG ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
space=$here/spaces/nds-${1:-darts}-in.lua
[ -f "$space" ] || { echo "proxy-torch.sh: no $space" >&2; exit 1; }
gennas=$build/gennas
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

# the records' architectures, as the space's table has them
table=$(sed -n 's/.*benchmark = { file = "\([^"]*\)".*/\1/p' "$space")
[ -n "$table" ] || { echo "proxy-torch.sh: $space names no table" >&2; exit 1; }
/usr/bin/python3 - "$here/data/$table" "$records" \
    > "$tmp/archs" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows[:int(sys.argv[2])]:
    print(r["idx"] + "\t" + r["arch"])
PY

opts="--space-option width_mult=0.25 --space-option stem_stride=1"
printf '%-6s %10s %10s %8s %s\n' record gennas_s pytorch_s ratio params
while IFS="$(printf '\t')" read -r idx arch; do
    best_g=
    i=0
    while [ $i -lt "$repeat" ]; do
        s=$("$gennas" score -w 1 --recipe darts --param steps=100 \
                --param batch=8 --space-option width_mult=0.25 "$space" \
                "$arch" | tail -n 1 | awk -F, '{print $NF}')
        best_g=$(echo "$best_g $s" | awk '{b=$1; if (NF==1||$2<b) b=$NF; print b}')
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    "$gennas" export-arch "$space" "$arch" --format pytorch $opts \
        --input-size 32 --classes 10 -o "$tmp/model.py"
    params=$(sed -n 's/^PARAMS = //p' "$tmp/model.py")
    p=$(/usr/bin/python3 "$here/bench/proxy-torch.py" "$tmp/model.py" \
          --steps 100 --batch 8 --channels 80,32,80 --threads 1 \
          --repeat "$repeat" | sed -n 's/^seconds=//p')
    printf '%-6s %10.2f %10.2f %8.2f %s\n' "$idx" "$best_g" "$p" \
        "$(echo "$p $best_g" | awk '{print $1 / $2}')" "$params"
done < "$tmp/archs"
