/* cli-truth.h - ground truth for the architectures a command reports
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Looks architectures up in the space's benchmark table (by canonical
 * string, or by hash where the table is keyed so), for `search` and
 * `plot` to print true accuracies next to proxy scores.
 */
#ifndef GN_CLI_TRUTH_H
#define GN_CLI_TRUTH_H

#include "gennas.h"

typedef struct _GnCliTruth GnCliTruth;

/* @metric: (nullable): the column; NULL means the table's first metric.
 * Returns NULL without @error when the space has no table (it names none,
 * or its file is not found), NULL with @error when the table fails
 * gn_table_load_benchmark()'s checks or has no column @metric. */
GnCliTruth *gn_cli_truth_new (GnSpace *space, const char *metric,
                              GError **error);
void        gn_cli_truth_free (GnCliTruth *t);
/* NAN when the architecture is not in the table. */
double      gn_cli_truth_of (GnCliTruth *t, const char *arch);
/* The table's row of the canonical @arch, -1 when it has none. */
int         gn_cli_truth_row (GnCliTruth *t, const char *arch);
/* The canonical architecture of row @row; NULL with @error if the space
 * cannot read it. */
char       *gn_cli_truth_row_arch (GnCliTruth *t, guint row, GError **error);
/* The whole table (every metric), owned by @t. */
const GnTable *gn_cli_truth_table (GnCliTruth *t);
/* Whether lower is better for the metric (GnBenchmark.lower). */
gboolean    gn_cli_truth_lower (GnCliTruth *t);
/* The best value of the metric over the whole table: the largest, or
 * the smallest where lower is better. */
double      gn_cli_truth_optimum (GnCliTruth *t);
const char *gn_cli_truth_metric (GnCliTruth *t);

#endif /* GN_CLI_TRUTH_H */
