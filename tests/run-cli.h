/* run-cli.h - running a command (the gennas of the build tree) as a user
 * would, for the tests of the command-line tools
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#ifndef RUN_CLI_H
#define RUN_CLI_H

#include <glib.h>

typedef struct {
  int status;       /* the exit status, or -N if killed by signal N */
  char *out, *err;  /* what it wrote, both captured in full */
} CliRun;

/**
 * cli_run:
 * @argv: the command and its arguments, NULL-terminated
 * @input: (nullable): written to its standard input, which is then closed
 *
 * Runs @argv to its end; aborts the test if it cannot be started.  The
 * status and both outputs also go to the test log (g_test_message()).
 *
 * Returns: the outcome; release it with cli_run_clear().
 */
CliRun cli_run (const char *const *argv, const char *input);
void   cli_run_clear (CliRun *r);

/**
 * cli_run_gennas:
 * @input: (nullable): written to its standard input
 * @...: the arguments, NULL-terminated
 *
 * cli_run() of the build tree's gennas (tests/../cli/gennas).
 */
CliRun cli_run_gennas (const char *input, ...) G_GNUC_NULL_TERMINATED;

#endif /* RUN_CLI_H */
