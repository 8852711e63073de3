#!/bin/sh
# pass-shares.sh - where one proxy evaluation spends its time, by pass:
# the products, the unrolling and layout copies, batch norm, ReLU,
# pooling, ... as shares of the CPU samples `perf` takes of three
# `gennas score` runs (bench-proxy.sh's three NB201 cells), one thread,
# OpenBLAS on its own kernel choice.
#
#   bench/pass-shares.sh [-b BUILD_DIR] [-v] [GENNAS_SCORE_ARGS...]
#
# The arguments go to every `gennas score spaces/nb201.lua` (default:
# none, the default proxy; e.g. --space-option N=5 --param
# precision=bf16).  Prints one line per pass: its share of the samples
# and its seconds a cell (that share of the three runs' wall time: what
# fusing the pass away entirely would save at most), then what a cell
# would take with only the products left, the floor no fusion of the
# other passes goes below.  -v also lists each pass's symbols.
# Needs `perf` (Debian's linux-perf) with user-space sampling allowed
# (kernel.perf_event_paranoid <= 2).  Default build: build/.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
verbose=0
usage() {
    sed -n '2,19s/^# \{0,1\}//p' "$0"
    exit "$1"
}
while getopts b:vh opt; do
    case $opt in
        b) build=$OPTARG ;;
        v) verbose=1 ;;
        h) usage 0 ;;
        *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
gennas=$build/gennas
[ -x "$gennas" ] || { echo "pass-shares.sh: no $gennas (build first)" >&2; exit 1; }
command -v perf > /dev/null || { echo "pass-shares.sh: needs perf (apt-get install linux-perf)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
cat > "$tmp/cells" <<'EOF'
|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|
|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
|avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|none~1|avg_pool_3x3~2|
EOF
# the three runs, in one recording; the libtool wrapper's shell is sampled too
# (a few milliseconds), its share lands in "other"
{
    echo 'set -e'
    while read -r cell; do
        printf '"$1" score "%s" ' "$here/spaces/nb201.lua"
        for a in "$@"; do printf "'%s' " "$a"; done
        printf "'%s' > /dev/null\n" "$cell"
    done < "$tmp/cells"
} > "$tmp/run.sh"
start=$(date +%s.%N)
perf record -q -F 1999 -o "$tmp/perf.data" -- sh "$tmp/run.sh" "$gennas" 2> "$tmp/perf.err" || {
    cat "$tmp/perf.err" >&2
    echo "pass-shares.sh: perf record failed" >&2
    exit 1
}
wall=$(echo "$(date +%s.%N) - $start" | bc)
perf report -i "$tmp/perf.data" --no-children --sort sym --stdio 2> /dev/null |
    awk -v wall="$wall" -v verbose="$verbose" '
function pass_of(s) {
    if (s ~ /^(sgemm|sbgemm|ssgemm|gn__sgemm|gn__sbgemm|cblas_)|_kernel_|copy_(SKYLAKEX|COOPERLAKE|HASWELL|ZEN|PRESCOTT)|^(ks_rows|ks_tile|tile|dot_tile|pack_a|pack_b|pack_rows|pairs_of|transpose16|scale_c)/)
        return "products (sgemm, its packing, bf16 kernels)"
    if (s ~ /^(im2row|row2im|shift_|rows_to_nchw|nchw_to_crows|transpose_line|unroll_kw|gemm_backward|general_|pointwise_|win_|gn_conv2d_|gn__conv_direct|forward_taps|dx_|fill_phases|copy_floats|__mem(move|cpy)|memcpy)/)
        return "unrolling and layout copies (conv glue)"
    if (s ~ /batchnorm|normalise_channel|plane_|block_moment|block_grad|chains_total|channel_moment/)
        return "batch norm"
    if (s ~ /relu/)
        return "ReLU"
    if (s ~ /pool/)
        return "pooling"
    if (s ~ /^(gn_add_forward|gn_accumulate|add2|add_into|gn_concat|gn_resize|nearest_src|gn_crop)/)
        return "sums, resizes (node glue)"
    if (s ~ /^__memset/)
        return "zeroing (memset)"
    if (s ~ /^(gn_rng|splitmix|rotl|gn_noise|gn_signal|draw_|wave_fn|__ieee754_|__log|__exp|__sin|__cos|gaussian|gn_loss|mse_grad)/)
        return "signals, noise, loss"
    if (s ~ /optim|sgd_|adam_/)
        return "optimiser"
    return "other (start-up, kernel, data)"
}
/^#/ || !/%/ { next }
{
    pct = $1; sub(/%/, "", pct)
    sym = $0; sub(/^[^]]*\] /, "", sym)
    p = pass_of(sym)
    share[p] += pct; total += pct
    if (pct >= 0.2) syms[p] = syms[p] sprintf("  %5.2f%% %s\n", pct, sym)
}
END {
    n = 0
    for (p in share) order[++n] = p
    for (i = 1; i <= n; i++)       # sort by share, largest first
        for (j = i + 1; j <= n; j++)
            if (share[order[j]] > share[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
    printf "three runs: %.2f s wall, %.2f s a cell; %.1f%% of the samples placed\n", wall, wall / 3, total
    printf "%-44s %7s %9s\n", "pass", "share", "s a cell"
    for (i = 1; i <= n; i++) {
        p = order[i]
        printf "%-44s %6.1f%% %9.3f\n", p, share[p], share[p] / 100 * wall / 3
        if (verbose) printf "%s", syms[p]
    }
    products = share["products (sgemm, its packing, bf16 kernels)"]
    printf "with only the products left: %.3f s a cell (%.1f%%)\n", products / 100 * wall / 3, products
}'
