/* cli-listed.h - architectures listed in a file: `rank --archs` and
 * `task-search --labeled`
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A file lists architectures either one per line, in any form the space
 * reads (blank lines and lines starting with '#' skipped), or as a CSV
 * file whose header names every architecture column of the space's
 * benchmark (GenNAS's samples, "index,arch_str"; its labelled NB101
 * cells, "...,adjacency_rowmajor,ops,acc_108ep"): then each row's
 * columns, joined with ';' as the benchmark's are.
 */
#ifndef GN_CLI_LISTED_H
#define GN_CLI_LISTED_H

#include "gennas.h"

typedef struct {
  char *text;         /* the architecture as written (not canonical)    */
  guint line;         /* its line in the file, 1-based                  */
  double value;       /* the CSV's @metric column, NAN without one      */
} GnCliListed;

/**
 * gn_cli_listed_read:
 * @bm: the benchmark whose architecture columns a CSV file names
 * @metric: (nullable): a column of a CSV file to read into each value
 * @is_csv: (out) (optional): whether the file was read as CSV
 *
 * Returns: (transfer full): the GnCliListed of the file in order, or NULL
 * with @error: the file cannot be read, or a CSV file lacks @metric or
 * holds a value of it that is not a number ("FILE:LINE: ...").
 */
GPtrArray *gn_cli_listed_read (const char *path, const GnBenchmark *bm,
                               const char *metric, gboolean *is_csv,
                               GError **error);

/**
 * gn_cli_listed_row_text:
 *
 * Row @row of @t's architecture as the space reads it: its
 * architecture columns (@bm's) joined with ';'.  NULL with @error when
 * @t lacks one of them.
 */
char *gn_cli_listed_row_text (const GnBenchmark *bm, const GnTable *t,
                              guint row, GError **error);

/**
 * gn_cli_listed_row_arch:
 *
 * Row @row of @t's architecture in @space's canonical form.  NULL with
 * @error when @t lacks an architecture column or the space cannot read
 * the row.
 */
char *gn_cli_listed_row_arch (GnSpace *space, const GnBenchmark *bm,
                              const GnTable *t, guint row, GError **error);

#endif /* GN_CLI_LISTED_H */
