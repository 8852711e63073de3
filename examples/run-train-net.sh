#!/bin/sh
# run-train-net.sh - the example trains: it runs to the end, and the
# network regresses its targets better after training than at its first
# step ("eval loss X after N steps (first step Y); ...").
set -eu
out=$(./train-net --steps 20 --batch 4)
printf '%s\n' "$out"
printf '%s\n' "$out" | awk '
  /^eval loss / { seen = 1; final = $3 + 0; first = $9 + 0 }
  END { exit !(seen && final < first) }'
