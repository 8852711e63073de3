#!/bin/sh
# bench-proxy.sh - seconds per architecture of the GenNAS regression proxy
# on NAS-Bench-201 (100 steps, batch 16, combo recipe), one thread, for
# three reference cells: gennas fp32 and bf16, and PyTorch fp32 and bf16
# autocast doing the same work, in one run.
#
#   bench/bench-proxy.sh [-N CELLS] [-T] [BUILD_DIR] [REFERENCE.py]
#
# -N is the cells per stage (default 5, the paper's network; 1 is
# gennas's default proxy).  BUILD_DIR defaults to build/.  Each cell is
# timed with gennas (fp32, then precision=bf16 where the CPU runs bf16
# products, AVX512-BF16), then with PyTorch (Debian's python3-torch, run
# with /usr/bin/python3) on the same network, `gennas export-arch
# --format pytorch`, by bench/proxy-torch.py: fp32, then under
# torch.autocast("cpu", torch.bfloat16).  -T leaves PyTorch out.
# REFERENCE.py, if given, is also timed: a script taking "TABLE.csv N
# --threads 1 --iters 100 --N CELLS --recipe combo" (the interface of the
# GenNAS reference used to calibrate gennas).  Cells are timed one by
# one, every program in turn, so all see the same machine load.
#
# Prints one line per cell and the totals: seconds of each, gennas's peak
# resident memory (fp32, /usr/bin/time), bf16_x = gennas fp32 / gennas
# bf16, torch_x = PyTorch fp32 / gennas fp32, torch16_x = PyTorch bf16 /
# gennas bf16 (ratios above 1: gennas faster), ref_x = REFERENCE / gennas
# fp32.  OpenBLAS picks its own kernels: OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE, which some machines set to force its AVX2 ones, are
# unset, and gennas replaces OpenBLAS's fallback for a CPU it does not
# know as it does for every user (README.md, "Which OpenBLAS kernels
# run"); the kernels that ran are printed first.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cells_per_stage=5
torch=yes
usage() {
    sed -n '2,29s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts N:Th opt; do
    case $opt in
        N) cells_per_stage=$OPTARG ;;
        T) torch=no ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
build=${1:-$here/build}
ref=${2:-}
gennas=$build/gennas
[ -x "$gennas" ] || { echo "bench-proxy.sh: no $gennas (build first)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cells="all-3x3 |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|
mixed |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
pool/skip |avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|none~1|avg_pool_3x3~2|"

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
space=$here/spaces/nb201.lua
# the combo task (64 target channels a stage, no noise) at batch 16, as
# proxy-torch.py runs it below, whatever the space's defaults
opt="--space-option N=$cells_per_stage --param recipe=combo --param batch=16"
bf16=no
if "$gennas" score "$space" --param steps=1 --param precision=bf16 \
       '|avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|none~1|avg_pool_3x3~2|' \
       > /dev/null 2>&1; then
    bf16=yes
fi
if [ "$torch" = yes ] && ! /usr/bin/python3 -c 'import torch' 2> /dev/null; then
    echo "bench-proxy.sh: no PyTorch (python3-torch) for /usr/bin/python3; its columns are nan" >&2
    torch=no
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan") print "nan"; else printf "%.2f", a / b }'; }

echo "OpenBLAS kernels (gennas): $("$gennas" --version | sed -n 's/^OpenBLAS kernels: //p')"
fmt='%-10s %9s %8s %9s %7s %9s %9s %8s %9s %9s %7s\n'
# shellcheck disable=SC2059
printf "$fmt" cell gennas_s peak_MB bf16_s bf16_x torch_s torch16_s torch_x \
    torch16_x ref_s ref_x
echo "$cells" | while read -r name arch; do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%M' -o "$tmp/mem" "$gennas" score "$space" $opt \
        "$arch" > "$tmp/out" 2>/dev/null
    s=$(tail -n 1 "$tmp/out" | awk -F, '{print $NF}')
    mb=$(awk '{printf "%.0f", $1 / 1024}' "$tmp/mem")
    s16=nan
    if [ "$bf16" = yes ]; then
        # shellcheck disable=SC2086
        "$gennas" score "$space" $opt --param precision=bf16 "$arch" \
            > "$tmp/out16" 2>/dev/null
        s16=$(tail -n 1 "$tmp/out16" | awk -F, '{print $NF}')
    fi
    p=nan; p16=nan
    if [ "$torch" = yes ]; then
        # shellcheck disable=SC2086
        "$gennas" export-arch "$space" "$arch" --format pytorch $opt \
            -o "$tmp/model.py"
        for ac in none bf16; do
            t=$(/usr/bin/python3 "$here/bench/proxy-torch.py" "$tmp/model.py" \
                  --steps 100 --batch 16 --channels 64,64,64 --noise 0 \
                  --autocast $ac --threads 1 | sed -n 's/^seconds=//p')
            if [ $ac = none ]; then p=$t; else p16=$t; fi
        done
    fi
    r=nan
    if [ -n "$ref" ]; then
        printf 'arch_str,cifar10_test\n"%s",0\n' "$arch" > "$tmp/one.csv"
        r=$(/usr/bin/python3 "$ref" "$tmp/one.csv" 1 --threads 1 --iters 100 \
              --N "$cells_per_stage" --recipe combo 2>/dev/null |
            sed -n 's/.*mean_s=\([0-9.]*\).*/\1/p')
    fi
    # shellcheck disable=SC2059
    printf "$fmt" "$name" "$s" "$mb" "$s16" "$(ratio "$s" "$s16")" "$p" "$p16" \
        "$(ratio "$p" "$s")" "$(ratio "$p16" "$s16")" "$r" "$(ratio "$r" "$s")"
    echo "$s $s16 $p $p16 $r" >> "$tmp/sums"
done
awk -v fmt="$fmt" '
    function sum(i) { return t[i] == "nan" ? "nan" : sprintf("%.2f", t[i]) }
    function x(a, b) { return (t[a] == "nan" || t[b] == "nan") ? "nan" \
                              : sprintf("%.2f", t[a] / t[b]) }
    { for (i = 1; i <= 5; i++)
          if ($i == "nan" || t[i] == "nan") t[i] = "nan"; else t[i] += $i }
    END { printf fmt, "total", sum(1), "", sum(2), x(1, 2), sum(3), sum(4),
                  x(3, 1), x(4, 2), sum(5), x(5, 1) }' "$tmp/sums"
