#!/bin/sh
# score-cells.sh - the scores of five fixed cells (three of NAS-Bench-201,
# two of NAS-Bench-101) with every shipped proxy, one line each, to diff
# between two commits: a change that is not meant to move scores must
# leave this output identical.
#
#   bench/score-cells.sh build/gennas > after.txt
#   bench/score-cells.sh ../old/build/gennas ../old > before.txt
#   diff before.txt after.txt
#
# GENNAS is the command to run (a build tree's uninstalled `gennas`);
# SRCDIR (default: this script's source tree) holds spaces/.  The
# regression proxy runs 20 steps on NB201 (and 10 on an N=2 network),
# the label proxy 10, so the whole takes about a minute.
set -eu
G=${1:?usage: score-cells.sh GENNAS [SRCDIR]}
SRC=${2:-$(dirname "$0")/..}

nb201='|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|
|none~0|+|none~0|nor_conv_1x1~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|
|avg_pool_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|nor_conv_1x1~0|skip_connect~1|nor_conv_1x1~2|'
nb101='011001000;input|conv1x1-bn-relu|output
010000001111000010000010000001000000;input|maxpool3x3|maxpool3x3|conv1x1-bn-relu|maxpool3x3|output'

score () {  # score LABEL SPACE CELLS [OPTIONS...]
  label=$1 space=$2 cells=$3
  shift 3
  printf '%s\n' "$cells" \
    | xargs -d '\n' "$G" score "$SRC/spaces/$space.lua" --seed 3 "$@" \
    | cut -d, -f1,2 | sed "s/^/$label $space /"
}

for p in regression label params macs fisher grad_norm grasp jacob_cov \
         l2_norm naswot snip synflow; do
  for space in nb201 nb101; do
    set --
    [ "$p" = regression ] && [ "$space" = nb201 ] && set -- --param steps=20
    [ "$p" = label ] && set -- --param steps=10
    cells=$nb201
    [ "$space" = nb101 ] && cells=$nb101
    score "$p" "$space" "$cells" -p "$p" "$@"
  done
done
score regN2 nb201 "$nb201" --space-option N=2 --param steps=10
