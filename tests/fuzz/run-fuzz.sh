#!/bin/sh
# run-fuzz.sh - `make fuzz`: the harnesses of tests/fuzz/ under libFuzzer
#
# Usage (the top-level `make fuzz` runs it):
#   FUZZ_CC=clang [FUZZ_SECONDS=60] [FUZZ_HARNESSES="table store"] \
#     run-fuzz.sh ABS_SRCDIR FUZZ_BUILDDIR
#
# Configures FUZZ_BUILDDIR (once) as a build tree of its own with $FUZZ_CC
# and -fsanitize=fuzzer-no-link,address,undefined, builds the library's
# layers and the fuzz-NAME programs there, then runs each harness for
# FUZZ_SECONDS (default 60) on its grown corpus FUZZ_BUILDDIR/corpus/NAME
# and the seed corpus tests/fuzz/corpus/NAME, with tests/fuzz/NAME.dict
# if there is one.  Findings (crash-*, timeout-*, leak-*, oom-*) go to
# FUZZ_BUILDDIR/crashes/NAME/, each run's log to FUZZ_BUILDDIR/logs/.
# Prints one line per harness; exits 1 if any harness found something.
# Extra libFuzzer flags: FUZZ_FLAGS (e.g. "-runs=1000000"; with
# "-fork=1 -ignore_timeouts=1" a run goes on past a hang, collecting every
# one it finds).  Findings of earlier runs stay in crashes/NAME/ (and
# make a harness report them) until removed.
set -u
srcdir=${1:?usage: run-fuzz.sh ABS_SRCDIR FUZZ_BUILDDIR}
builddir=${2:?usage: run-fuzz.sh ABS_SRCDIR FUZZ_BUILDDIR}
seconds=${FUZZ_SECONDS:-60}
make=${MAKE:-make}

if [ -z "${FUZZ_CC:-}" ]; then
    cat >&2 <<'MSG'
make fuzz: no clang with libFuzzer was found when this tree was configured.
On Debian 12:  apt-get install clang libclang-rt-14-dev libfuzzer-14-dev
then run configure again (or give it FUZZ_CC=/path/to/clang).  Fuzzing is
optional: `make check` replays the seed corpora without it.
MSG
    exit 2
fi

harnesses=${FUZZ_HARNESSES:-}
if [ -z "$harnesses" ]; then
    for d in "$srcdir"/tests/fuzz/corpus/*/; do
        harnesses="$harnesses $(basename "$d")"
    done
fi

mkdir -p "$builddir" || exit 2
cd "$builddir" || exit 2
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
if [ ! -f Makefile ]; then
    echo "make fuzz: configuring $builddir with $FUZZ_CC"
    "$srcdir/configure" --quiet --without-mpi --disable-fuzz \
        CC="$FUZZ_CC" \
        CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $sanitize" \
        LDFLAGS="$sanitize" >configure.log 2>&1 ||
        { echo "make fuzz: configure failed, see $builddir/configure.log" >&2; exit 2; }
fi
programs=
for h in $harnesses; do programs="$programs fuzz-$h"; done
echo "make fuzz: building$programs"
{ $make -C core libgn-engine.la libgn-script.la libgn-search.la libgn-report.la &&
  $make -C tests $programs; } >build.log 2>&1 ||
    { echo "make fuzz: the build failed, see $builddir/build.log" >&2; exit 2; }

export G_TEST_SRCDIR="$srcdir/tests"
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$srcdir/tests/lsan.supp}"
status=0
mkdir -p logs
for h in $harnesses; do
    mkdir -p "corpus/$h" "crashes/$h"
    dict=
    [ -f "$srcdir/tests/fuzz/$h.dict" ] && dict="-dict=$srcdir/tests/fuzz/$h.dict"
    log=logs/$h.log
    # shellcheck disable=SC2086
    ./tests/fuzz-$h -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="crashes/$h/" $dict \
        ${FUZZ_FLAGS:-} "corpus/$h" "$srcdir/tests/fuzz/corpus/$h" >"$log" 2>&1
    rc=$?
    # the final stats, or with -fork=N the last progress line
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    progress=$(grep -E '^#[0-9]+(:|[[:space:]]).* cov: ' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(echo "$progress" | sed -n 's/^#\([0-9]*\).*/\1/p')
    [ -n "$speed" ] || speed=$(echo "$progress" | sed -n 's/.*exec\/s:\{0,1\} \([0-9]*\).*/\1/p')
    cov=$(echo "$progress" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$progress" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    found=$(ls "crashes/$h" | tr '\n' ' ')
    if [ $rc -eq 0 ] && [ -z "$found" ]; then
        echo "fuzz-$h: ok: ${runs:-?} runs, ${speed:-?} exec/s, cov ${cov:-?}, ft ${ft:-?} ($builddir/$log)"
    else
        status=1
        echo "fuzz-$h: FOUND SOMETHING (status $rc, ${runs:-?} runs): $found($builddir/$log)"
        grep -m 1 -E 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|libFuzzer)|runtime error|ERROR \*\*|CRITICAL \*\*' "$log" | sed 's/^/    /'
    fi
done
exit $status
