/* fuzz.h - what the fuzz harnesses share
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Each tests/fuzz/fuzz-NAME.c is one harness in libFuzzer's form: an
 * LLVMFuzzerInitialize() that prepares what every input shares, and an
 * LLVMFuzzerTestOneInput() that feeds one input to one parser of
 * untrusted input and returns 0.  A crash, a hang or a sanitizer report
 * is a finding; an input the parser rejects with a GError is not.
 *
 * Linked with replay.c, a harness is a plain program that feeds it every
 * file of its seed corpus (tests/fuzz/corpus/NAME/): `make check` runs
 * those.  Linked with clang's -fsanitize=fuzzer, it is a fuzzer:
 * `make fuzz` (tests/fuzz/run-fuzz.sh, docs/fuzzing.md).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/**
 * fuzz_source_file:
 * @first: a path below the source tree's top, in elements, NULL-ended
 *
 * The source tree comes from $G_TEST_SRCDIR (its tests/ folder), which
 * `make check` and run-fuzz.sh set; without it the harness cannot start.
 *
 * Returns: (transfer full): the file's path.
 */
G_GNUC_NULL_TERMINATED char *fuzz_source_file (const char *first, ...);

/**
 * fuzz_quiet:
 *
 * Drops GLib's messages and warnings (a space's print(), the store's
 * complaints), so that a fuzzer's log shows its own progress; makes
 * criticals fatal, as errors are: a g_return_if_fail() that an input
 * reaches is a bug.
 */
void fuzz_quiet (void);

#endif /* FUZZ_H */
