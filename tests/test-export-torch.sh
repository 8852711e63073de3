#!/bin/sh
# test-export-torch.sh - the models `gennas export-arch --format pytorch`
# writes, checked by their real consumer: PyTorch builds each model.py,
# counts its parameters, runs a batch and, loaded with gennas's weights,
# computes gennas's logits.
#
# Cases: a NAS-Bench-201 cell; two NAS-Bench-101 cells (NB101's example,
# and one whose vertices are built in pieces); DARTS V2 on CIFAR (width
# 36, depth 20) and as the ImageNet mobile network (width 48, depth 14,
# 224x224, 1000 classes); an NDS NASNet record (ImageNet, with every op
# of that space's cell but two); and all 13 published DARTS genotypes of
# data/darts_genotypes/ in both settings.  For each, the parameter count
# must equal `gennas space info`'s and the published figure where there
# is one (computed_sizes.csv's params, NB101's 2,694,282, the NDS
# record's params), and the logits be [2, classes]; the first six also
# run one forward pass in gennas (tests/net-dump) and in PyTorch on the
# same input with the same weights and compare (export-torch-check.py).
#
# Prints TAP.  Without a python3 that imports torch ($PYTHON, python3 on
# the PATH, /usr/bin/python3), skips: `apt-get install python3-torch`.
# Usage (make check sets both):
#   srcdir=SRC/tests builddir=BUILD/tests test-export-torch.sh
set -u
top=${srcdir:-.}/..
gennas=${builddir:-.}/../gennas
netdump=${builddir:-.}/net-dump

python=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$p" -c 'import torch' >/dev/null 2>&1; then python=$p; break; fi
done
if [ -z "$python" ]; then
  echo "1..0 # SKIP no python3 with torch (apt-get install python3-torch)"
  exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gennas-torch-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
manifest=$tmp/manifest.tsv
: > "$manifest"

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }

# the parameters `gennas space info` counts: SPACE ARCH [OPTION...]
info_params () {
  "$gennas" space info "$@" | awk -F, 'NR == 2 { printf "%.0f", $(NF - 2) * 1000000 }'
}

# case NAME SPACE ARCH CLASSES DUMP FIGURE [OPTION...]: exports NAME.py,
# and with DUMP=yes gennas's forward pass, and adds it to the manifest;
# FIGURE is a published parameter count as SOURCE=COUNT, or -
case_ () {
  name=$1 space=$2 arch=$3 classes=$4 dump=$5 figure=$6
  shift 6
  if ! err=$("$gennas" export-arch "$top/spaces/$space" "$arch" \
               --format pytorch -o "$tmp/$name.py" "$@" 2>&1); then
    not_ok "$name: gennas export-arch" "$err"
    return
  fi
  params=$(info_params "$top/spaces/$space" "$arch" "$@")
  figures="gennas space info=$params"
  [ "$figure" = - ] || figures="$figures,$figure"
  dir=-
  if [ "$dump" = yes ]; then
    dir=$tmp/$name.dump
    mkdir -p "$dir"
    if ! err=$("$netdump" "$top/spaces/$space" "$arch" "$dir" "$@" 2>&1); then
      not_ok "$name: net-dump" "$err"
      return
    fi
  fi
  ok "$name: exported"
  printf '%s\t%s\t2\t%s\t%s\t%s\n' "$name" "$tmp/$name.py" "$classes" \
    "$figures" "$dir" >> "$manifest"
}

# a row of data/darts_genotypes/genotypes.csv as DARTS writes it
genotype () {
  awk -F, -v name="$1" '
    function edges(s,   parts, k, i, out, e) {
      k = split(s, parts, "|"); out = ""
      for (i = 1; i <= k; i++) {
        split(parts[i], e, "~")
        out = out (i > 1 ? ", " : "") "(\047" e[1] "\047, " e[2] ")"
      }
      return "[" out "]"
    }
    function ints(s) { gsub(/\|/, ", ", s); return "[" s "]" }
    $1 == name {
      printf "Genotype(normal=%s, normal_concat=%s, reduce=%s, reduce_concat=%s)",
        edges($2), ints($3), edges($4), ints($5)
    }' "$top/data/darts_genotypes/genotypes.csv"
}

# computed_sizes.csv's params of GENOTYPE at CONFIG
darts_params () {
  awk -F, -v g="$1" -v c="$2" '$1 == g && $2 == c { print $9 }' \
    "$top/data/darts_genotypes/computed_sizes.csv"
}

CIFAR="--space-option network=cifar --space-option width=36 --space-option depth=20"
IMAGENET="--space-option network=imagenet --space-option width=48 --space-option depth=14 --input-size 224 --classes 1000"

case_ nb201 nb201.lua \
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|nor_conv_1x1~0|nor_conv_1x1~1|avg_pool_3x3~2|' \
  10 yes -
case_ nb101-example nb101.lua \
  '0111010000000100000010000100000000100000010000000;input|conv1x1-bn-relu|conv3x3-bn-relu|conv3x3-bn-relu|conv3x3-bn-relu|maxpool3x3|output' \
  10 yes "NB101's figure=2694282"
case_ nb101-pieces nb101.lua \
  '0100000001000000010010000110000000100000010000000;input|conv3x3-bn-relu|conv3x3-bn-relu|maxpool3x3|conv1x1-bn-relu|conv1x1-bn-relu|output' \
  10 yes -
v2=$(genotype DARTS_V2)
# shellcheck disable=SC2086 # the options are words
case_ darts-v2-cifar darts.lua "$v2" 10 yes "computed_sizes.csv=$(darts_params DARTS_V2 c10_darts)" $CIFAR
# shellcheck disable=SC2086
case_ darts-v2-imagenet darts.lua "$v2" 1000 yes "computed_sizes.csv=$(darts_params DARTS_V2 imagenet_mobile)" $IMAGENET
nasnet=$(awk -F'"' 'NR == 2 { print $2 }' "$top/data/nds/NASNet_in.csv")
nasnet_params=$(awk -F'"' 'NR == 2 { split($3, f, ","); print f[4] }' "$top/data/nds/NASNet_in.csv")
case_ nds-nasnet nds-nasnet-in.lua "$nasnet" 1000 yes "NASNet_in.csv=$nasnet_params"

# shellcheck disable=SC2013 # the names are words
for g in $(awk -F, 'NR > 1 { print $1 }' "$top/data/darts_genotypes/genotypes.csv"); do
  arch=$(genotype "$g")
  # shellcheck disable=SC2086
  case_ "$g-c10" darts.lua "$arch" 10 no "computed_sizes.csv=$(darts_params "$g" c10_darts)" $CIFAR
  # shellcheck disable=SC2086
  case_ "$g-imagenet" darts.lua "$arch" 1000 no "computed_sizes.csv=$(darts_params "$g" imagenet_mobile)" $IMAGENET
done

# PyTorch's side, one process for every model
out=$(OMP_NUM_THREADS=1 "$python" "$top/tests/export-torch-check.py" "$manifest" $((n + 1)) 2>&1)
status=$?
printf '%s\n' "$out"
m=$(printf '%s\n' "$out" | grep -c '^\(not \)\{0,1\}ok ')
n=$((n + m))
if [ $status -ne 0 ] && [ "$m" -eq 0 ]; then
  not_ok "export-torch-check.py ran (status $status)"
fi
[ $status -eq 0 ] || failed=1
echo "1..$n"
exit $failed
