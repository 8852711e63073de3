/* cli-listed.c - architectures listed in a file
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-listed.h"

#include <math.h>
#include <string.h>

char *
gn_cli_listed_row_text (const GnBenchmark *bm, const GnTable *t, guint row,
                        GError **error)
{
  GString *s = g_string_new (NULL);
  for (char **c = bm->arch_columns; c && *c; c++)
    {
      int col = gn_table_find_column (t, *c, error);
      if (col < 0)
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      g_string_append_printf (s, "%s%s", c == bm->arch_columns ? "" : ";",
                              gn_table_get (t, row, (guint) col));
    }
  return g_string_free (s, FALSE);
}

char *
gn_cli_listed_row_arch (GnSpace *space, const GnBenchmark *bm,
                        const GnTable *t, guint row, GError **error)
{
  char *text = gn_cli_listed_row_text (bm, t, row, error);
  char *arch = text ? gn_space_canonicalize (space, text, error) : NULL;
  g_free (text);
  return arch;
}

static void
listed_free (gpointer p)
{
  g_free (((GnCliListed *) p)->text);
  g_free (p);
}

/* TRUE when @line, a CSV header, names every arch column of @bm. */
static gboolean
is_csv_header (const char *line, const GnBenchmark *bm)
{
  char **fields = g_strsplit (line, ",", -1);
  gboolean all = bm->arch_columns != NULL && bm->arch_columns[0] != NULL;
  for (char **c = bm->arch_columns; all && c && *c; c++)
    {
      gboolean found = FALSE;
      for (char **f = fields; *f && !found; f++)
        found = strcmp (g_strstrip (*f), *c) == 0;
      all = found;
    }
  g_strfreev (fields);
  return all;
}

static gboolean
read_csv (const char *path, const GnBenchmark *bm, const char *metric,
          GPtrArray *out, GError **error)
{
  GnTable *csv = gn_table_load (path, error);
  if (csv == NULL)
    return FALSE;
  int col = metric ? gn_table_find_column (csv, metric, error) : -1;
  gboolean ok = metric == NULL || col >= 0;
  for (guint r = 0; ok && r < gn_table_n_rows (csv); r++)
    {
      GnCliListed *l = g_new0 (GnCliListed, 1);
      l->line = r + 2;
      l->value = NAN;
      g_ptr_array_add (out, l);
      if ((l->text = gn_cli_listed_row_text (bm, csv, r, error)) == NULL)
        ok = FALSE;
      else if (col >= 0 && !gn_table_get_double (csv, r, (guint) col,
                                                 &l->value, error))
        {
          g_prefix_error (error, "line %u: ", l->line);
          ok = FALSE;
        }
    }
  gn_table_free (csv);
  return ok;
}

GPtrArray *
gn_cli_listed_read (const char *path, const GnBenchmark *bm,
                    const char *metric, gboolean *is_csv, GError **error)
{
  char *contents = NULL;
  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (listed_free);
  char **lines = g_strsplit (contents, "\n", -1);
  g_free (contents);
  gboolean csv = lines[0] && is_csv_header (lines[0], bm);
  if (is_csv)
    *is_csv = csv;
  if (csv)
    {
      if (!read_csv (path, bm, metric, out, error))
        {
          g_prefix_error (error, "%s: ", path);
          g_clear_pointer (&out, g_ptr_array_unref);
        }
      g_strfreev (lines);
      return out;
    }
  for (guint i = 0; lines[i]; i++)
    {
      char *t = g_strstrip (lines[i]);
      if (*t == '\0' || *t == '#')
        continue;
      GnCliListed *l = g_new (GnCliListed, 1);
      *l = (GnCliListed) { g_strdup (t), i + 1, NAN };
      g_ptr_array_add (out, l);
    }
  g_strfreev (lines);
  return out;
}
