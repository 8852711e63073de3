/* cli-truth.c - ground truth for the architectures a command reports
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-truth.h"
#include "cli-listed.h"

#include <math.h>

struct _GnCliTruth {
  GnSpace *space;
  const GnBenchmark *bm;
  GnTable *table;
  int key, metric;
  gboolean lower;
  double optimum;
};

GnCliTruth *
gn_cli_truth_new (GnSpace *space, const char *metric, GError **error)
{
  /* no table to read is no truth to show, not an error */
  const GnBenchmark *bm = gn_space_get_benchmark (space, NULL);
  if (bm == NULL)
    return NULL;
  GnTable *table = gn_table_load_benchmark (bm, error);
  if (table == NULL)
    return NULL;
  const char *name = metric ? metric : bm->metrics[0];
  int key = gn_table_find_column (table, bm->key_column, error);
  int col = key >= 0 ? gn_table_find_column (table, name, error) : -1;
  if (col < 0)
    {
      gn_table_free (table);
      return NULL;
    }
  GnCliTruth *t = g_new0 (GnCliTruth, 1);
  t->space = space;
  t->bm = bm;
  t->table = table;
  t->key = key;
  t->metric = col;
  t->lower = gn_benchmark_lower_is_better (bm, name);
  t->optimum = t->lower ? INFINITY : -INFINITY;
  for (guint r = 0; r < gn_table_n_rows (table); r++)
    {
      double v;
      if (gn_table_get_double (table, r, (guint) col, &v, NULL)
          && isfinite (v))
        t->optimum = t->lower ? MIN (t->optimum, v) : MAX (t->optimum, v);
    }
  return t;
}

void
gn_cli_truth_free (GnCliTruth *t)
{
  if (t == NULL)
    return;
  gn_table_free (t->table);
  g_free (t);
}

int
gn_cli_truth_row (GnCliTruth *t, const char *arch)
{
  char *key = t->bm->key_is_hash ? gn_space_hash (t->space, arch, NULL)
                                 : g_strdup (arch);
  int row = key ? gn_table_lookup (t->table, (guint) t->key, key, NULL) : -1;
  g_free (key);
  return row;
}

char *
gn_cli_truth_row_arch (GnCliTruth *t, guint row, GError **error)
{
  return gn_cli_listed_row_arch (t->space, t->bm, t->table, row, error);
}

const GnTable *
gn_cli_truth_table (GnCliTruth *t)
{
  return t->table;
}

double
gn_cli_truth_of (GnCliTruth *t, const char *arch)
{
  double v = NAN;
  int row = gn_cli_truth_row (t, arch);
  if (row < 0 || !gn_table_get_double (t->table, (guint) row,
                                       (guint) t->metric, &v, NULL))
    v = NAN;
  return v;
}

gboolean
gn_cli_truth_lower (GnCliTruth *t)
{
  return t->lower;
}

double
gn_cli_truth_optimum (GnCliTruth *t)
{
  return t->optimum;
}

const char *
gn_cli_truth_metric (GnCliTruth *t)
{
  return gn_table_column_name (t->table, (guint) t->metric);
}
