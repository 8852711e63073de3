/* fuzz-table.c - fuzz harness: the benchmark CSV reader
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The input is a CSV file's bytes, parsed by gn_table_new_from_data()
 * (gn_table_load() reads the file and calls the same parser).  If it
 * parses, every field is read, as text and as a number, and every row is
 * looked up by its first column's key, as a space's benchmark lookups
 * do.  What must hold besides not crashing: a table or a
 * GN_TABLE_ERROR_PARSE; at least one column, each with a non-empty,
 * distinct name; a key found in its column gives a row with that key.
 */
#include "gennas.h"
#include "fuzz.h"

#include <string.h>

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  GnTable *t = gn_table_new_from_data ("fuzz.csv", (const char *) data,
                                       (gssize) size, &error);
  if (t == NULL)
    {
      g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE);
      g_error_free (error);
      return 0;
    }
  guint rows = gn_table_n_rows (t), cols = gn_table_n_columns (t);
  g_assert_cmpuint (cols, >=, 1);
  for (guint c = 0; c < cols; c++)
    {
      const char *name = gn_table_column_name (t, c);
      g_assert_cmpstr (name, !=, "");
      g_assert_cmpint (gn_table_find_column (t, name, NULL), ==, (int) c);
    }
  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < cols; c++)
      {
        double v;
        g_assert_nonnull (gn_table_get (t, r, c));
        if (!gn_table_get_double (t, r, c, &v, &error))
          {
            g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_VALUE);
            g_clear_error (&error);
          }
      }
  for (guint r = 0; r < rows; r++)
    {
      const char *key = gn_table_get (t, r, 0);
      int found = gn_table_lookup (t, 0, key, &error);
      g_assert_no_error (error);
      g_assert_cmpint (found, >=, 0);
      g_assert_cmpint (found, <=, (int) r);
      g_assert_cmpstr (gn_table_get (t, (guint) found, 0), ==, key);
    }
  if (gn_table_lookup (t, 0, "\x01 no such key", &error) < 0)
    {
      g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }
  gn_table_free (t);
  return 0;
}
