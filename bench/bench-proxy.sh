#!/bin/sh
# bench-proxy.sh - seconds per architecture of the GenNAS regression proxy on
# the full NAS-Bench-201 network (C=16, N=5, 100 steps, batch 16, combo
# recipe), one thread, for three reference cells; side by side with a
# PyTorch implementation of the same proxy when one is given.
#
#   bench/bench-proxy.sh [BUILD_DIR] [REFERENCE.py]
#
# BUILD_DIR defaults to build/.  REFERENCE.py is a script taking
# "TABLE.csv N --threads 1 --iters 100 --N 5 --recipe combo" (the interface
# of the GenNAS reference used to calibrate gennas), run with
# /usr/bin/python3; the cells are timed one by one, alternating with
# gennas, so both see the same machine load.  Where the CPU runs bf16
# products (AVX512-BF16), each cell is also timed with precision=bf16
# right after its fp32 run (bf16_s; bf16_x is fp32 time over bf16).
# Prints one line per cell and the totals; peak resident memory (of the
# fp32 run) is measured with /usr/bin/time.  OpenBLAS picks its own
# kernels: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which some machines set
# to force its AVX2 ones, are unset.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
ref=${2:-}
gennas=$build/gennas
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cells="all-3x3 |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|
mixed |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
pool/skip |avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|none~1|avg_pool_3x3~2|"

export OPENBLAS_NUM_THREADS=1
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
bf16=no
if "$gennas" score "$here/spaces/nb201.lua" --param steps=1 \
       --param precision=bf16 \
       '|avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|none~1|avg_pool_3x3~2|' \
       > /dev/null 2>&1; then
    bf16=yes
fi
printf '%-10s %12s %10s %10s %8s %12s %8s\n' cell gennas_s peak_MB bf16_s \
    bf16_x pytorch_s ratio
echo "$cells" | while read -r name arch; do
    /usr/bin/time -f '%M' -o "$tmp/mem" "$gennas" score "$here/spaces/nb201.lua" \
        --space-option N=5 "$arch" > "$tmp/out" 2>/dev/null
    s=$(tail -n 1 "$tmp/out" | awk -F, '{print $NF}')
    mb=$(awk '{printf "%.0f", $1 / 1024}' "$tmp/mem")
    s16=nan; x16=nan
    if [ "$bf16" = yes ]; then
        "$gennas" score "$here/spaces/nb201.lua" --space-option N=5 \
            --param precision=bf16 "$arch" > "$tmp/out16" 2>/dev/null
        s16=$(tail -n 1 "$tmp/out16" | awk -F, '{print $NF}')
        x16=$(awk -v a="$s" -v b="$s16" 'BEGIN { printf "%.2f", a / b }')
    fi
    p=nan; r=nan
    if [ -n "$ref" ]; then
        printf 'arch_str,cifar10_test\n"%s",0\n' "$arch" > "$tmp/one.csv"
        p=$(/usr/bin/python3 "$ref" "$tmp/one.csv" 1 --threads 1 --iters 100 \
              --N 5 --recipe combo 2>/dev/null |
            sed -n 's/.*mean_s=\([0-9.]*\).*/\1/p')
        r=$(awk -v a="$s" -v b="$p" 'BEGIN { printf "%.2f", b / a }')
    fi
    printf '%-10s %12s %10s %10s %8s %12s %8s\n' "$name" "$s" "$mb" "$s16" \
        "$x16" "$p" "$r"
    echo "$s $p $s16" >> "$tmp/sums"
done
awk '{ g += $1; p += $2; h += $3 }
     END { printf "%-10s %12.2f %10s %10.2f %8.2f %12.2f %8.2f\n", "total",
           g, "", h, (h > 0 ? g / h : 0), p, (p > 0 ? p / g : 0) }' \
    "$tmp/sums"
