/* cli-common.h - what every gennas command shares: errors and parsing
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#ifndef GN_CLI_COMMON_H
#define GN_CLI_COMMON_H

#include "gennas.h"

#include <stdio.h>

/* Prints "gennas CMD: message" to stderr. */
void gn_cli_error (const char *cmd, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* Parses the command's options; on failure prints the error and returns
 * FALSE.  @ctx is freed by the caller. */
gboolean gn_cli_parse (GOptionContext *ctx, const char *cmd, int *argc,
                       char ***argv);

/* One evaluation per core: OpenBLAS must not spawn threads of its own. */
void gn_cli_single_thread (void);

/* Writes @s to @out as one CSV field (RFC 4180): as it is, or between
 * double quotes (doubled inside) when it holds a comma, a quote or a line
 * break, as architecture strings do (DARTS genotypes, AnyNet stages). */
void gn_cli_print_csv_field (const char *s, FILE *out);

#endif /* GN_CLI_COMMON_H */
