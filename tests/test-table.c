/* test-table.c - the CSV reader: quoting, line ends, malformed input,
 * numbers, lookups, and the shipped benchmark tables
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"

#include <glib/gstdio.h>
#include <string.h>

static GnTable *
parse_ok (const char *text)
{
  GError *error = NULL;
  GnTable *t = gn_table_new_from_data ("t.csv", text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t);
  return t;
}

static void
test_quoting (void)
{
  GnTable *t = parse_ok ("\xef\xbb\xbf" "a,b,\"c d\"\r\n"
                         "1,\"x, \"\"y\"\"\",\"two\nlines\"\r\n"
                         "\n"
                         ",,\n"
                         "3,z,last");
  g_assert_cmpuint (gn_table_n_columns (t), ==, 3);
  g_assert_cmpuint (gn_table_n_rows (t), ==, 3);
  g_assert_cmpstr (gn_table_column_name (t, 0), ==, "a");
  g_assert_cmpstr (gn_table_column_name (t, 2), ==, "c d");
  g_assert_cmpstr (gn_table_get (t, 0, 1), ==, "x, \"y\"");
  g_assert_cmpstr (gn_table_get (t, 0, 2), ==, "two\nlines");
  g_assert_cmpstr (gn_table_get (t, 1, 0), ==, "");
  g_assert_cmpstr (gn_table_get (t, 2, 2), ==, "last");
  g_assert_cmpstr (gn_table_name (t), ==, "t.csv");
  gn_table_free (t);

  /* a header alone is an empty table */
  t = parse_ok ("only\n");
  g_assert_cmpuint (gn_table_n_rows (t), ==, 0);
  gn_table_free (t);

  /* '#' lines before the header are comments, after it data */
  t = parse_ok ("\xef\xbb\xbf" "# task-seed=1 params:x,y\r\n#\n\n"
                "a,b\n#1,2\n");
  g_assert_cmpuint (gn_table_n_columns (t), ==, 2);
  g_assert_cmpstr (gn_table_column_name (t, 0), ==, "a");
  g_assert_cmpuint (gn_table_n_rows (t), ==, 1);
  g_assert_cmpstr (gn_table_get (t, 0, 0), ==, "#1");
  const char *const *c = gn_table_comments (t);
  g_assert_cmpstr (c[0], ==, "task-seed=1 params:x,y");
  g_assert_cmpstr (c[1], ==, "");
  g_assert_null (c[2]);
  gn_table_free (t);
  t = parse_ok ("a\n1\n");
  g_assert_null (gn_table_comments (t)[0]);
  gn_table_free (t);
  /* a CRLF line end is not part of the comment; a second space is */
  t = parse_ok ("#  two spaces\r\nh\n");
  g_assert_cmpstr (gn_table_comments (t)[0], ==, " two spaces");
  gn_table_free (t);
}

static void
test_malformed (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "a,b\n1,2\n3\n", "t.csv:3: expected 2 fields, found 1" },
    { "a,b\n1,2,3\n", "t.csv:2: expected 2 fields, found 3" },
    { "a,b\n1,\"open\n", "t.csv:2: unterminated quoted field" },
    { "a,b\n1,\"x\"y\n",
      "t.csv:2: unexpected character after a closing quote" },
    { "a,b\n1,x\"y\n", "t.csv:2: a quote inside an unquoted field" },
    { "a,a\n", "t.csv:1: column name 'a' appears twice" },
    { "a,,c\n", "t.csv:1: column 2 has no name" },
    { "", "t.csv: empty file (no header row)" },
    { "\n\n", "t.csv: empty file (no header row)" },
    { "# a comment only", "t.csv: empty file (no header row)" },
    { "# comments count\n# as lines\na,b\n1\n",
      "t.csv:4: expected 2 fields, found 1" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      g_assert_null (gn_table_new_from_data ("t.csv", cases[i].text, -1,
                                             &error));
      g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_error_free (error);
    }

  GError *error = NULL;
  g_assert_null (gn_table_new_from_data ("t.csv", "a\n1\0\n", 5, &error));
  g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE);
  g_clear_error (&error);

  g_assert_null (gn_table_load ("/nonexistent/t.csv", &error));
  g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_IO);
  g_clear_error (&error);
}

static void
test_numbers_and_lookup (void)
{
  GnTable *t = parse_ok ("key,v\nalpha,1.5\nbeta,-2e3\ngamma,x\ndelta,\n"
                         "alpha,9\n");
  GError *error = NULL;
  double v;
  g_assert_cmpint (gn_table_find_column (t, "v", &error), ==, 1);
  g_assert_cmpint (gn_table_find_column (t, "w", &error), ==, -1);
  g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_NO_COLUMN);
  g_clear_error (&error);

  g_assert_true (gn_table_get_double (t, 0, 1, &v, &error));
  g_assert_cmpfloat (v, ==, 1.5);
  g_assert_true (gn_table_get_double (t, 1, 1, &v, &error));
  g_assert_cmpfloat (v, ==, -2000.0);
  g_assert_false (gn_table_get_double (t, 2, 1, &v, &error));
  g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_VALUE);
  g_assert_cmpstr (error->message, ==,
                   "t.csv:4: column 'v': 'x' is not a number");
  g_clear_error (&error);
  g_assert_false (gn_table_get_double (t, 3, 1, &v, &error));
  g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_VALUE);
  g_clear_error (&error);

  /* the first of duplicate keys wins */
  g_assert_cmpint (gn_table_lookup (t, 0, "alpha", &error), ==, 0);
  g_assert_cmpint (gn_table_lookup (t, 0, "delta", &error), ==, 3);
  g_assert_cmpint (gn_table_lookup (t, 1, "-2e3", &error), ==, 1);
  g_assert_cmpint (gn_table_lookup (t, 0, "omega", &error), ==, -1);
  g_assert_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  gn_table_free (t);
}

static void
test_shipped (void)
{
  GError *error = NULL;
  char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "nb201.csv",
                                      NULL);
  g_autoptr (GnTable) t = gn_table_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gn_table_n_rows (t), ==, 15625);
  g_assert_cmpuint (gn_table_n_columns (t), ==, 14);
  int key = gn_table_find_column (t, "arch_str", &error);
  int acc = gn_table_find_column (t, "cifar10_test", &error);
  g_assert_no_error (error);
  /* the NB201 paper's best CIFAR-10 cell, index 6111 */
  int row = gn_table_lookup (t, key, "|nor_conv_3x3~0|+|nor_conv_3x3~0|"
                             "nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
                             "nor_conv_1x1~2|", &error);
  g_assert_no_error (error);
  g_assert_cmpint (row, ==, 6111);
  double v;
  g_assert_true (gn_table_get_double (t, row, acc, &v, &error));
  g_assert_cmpfloat_with_epsilon (v, 94.3733, 1e-9);
  g_free (path);

  path = g_test_build_filename (G_TEST_DIST, "..", "data", "nb101.csv", NULL);
  g_autoptr (GnTable) u = gn_table_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gn_table_n_rows (u), ==, 1000);
  g_free (path);
}

/* A benchmark table must hold ground truth: rows, unique keys, finite
 * numbers; anything else is refused in one line naming where. */
static void
test_benchmark (void)
{
  static const struct {
    const char *text;
    int code;                  /* a GnTableError */
    const char *message;       /* after the path; NULL: accepted */
  } cases[] = {
    { "arch,acc,other\na,1.5,x\nb,-2,\n", 0, NULL },
    { "arch,acc,other\n", GN_TABLE_ERROR_EMPTY,
      ": no rows, only a header" },
    { "arch,acc,other\na,1,x\nb,nan,x\n", GN_TABLE_ERROR_VALUE,
      ":3: column 'acc': 'nan' is not a finite number" },
    { "arch,acc,other\na,-inf,x\n", GN_TABLE_ERROR_VALUE,
      ":2: column 'acc': '-inf' is not a finite number" },
    { "arch,acc,other\na,1e400,x\n", GN_TABLE_ERROR_VALUE,
      ":2: column 'acc': '1e400' is beyond a double's range" },
    { "arch,acc,other\na,93.1%,x\n", GN_TABLE_ERROR_VALUE,
      ":2: column 'acc': '93.1%' is not a number" },
    { "arch,acc,other\na,,x\n", GN_TABLE_ERROR_VALUE,
      ":2: column 'acc': '' is not a number" },
    { "arch,acc,other\na,\"1\n2\",x\n", GN_TABLE_ERROR_VALUE,
      ":2: column 'acc': '1\\n2' is not a number" },
    { "arch,acc,other\na,1,x\nb,2,x\n\na,3,x\n", GN_TABLE_ERROR_DUPLICATE,
      ":5: column 'arch': the key of line 2 again" },
    { "key,acc\na,1\n", GN_TABLE_ERROR_NO_COLUMN,
      ": no column named 'arch'" },
    { "arch,other\na,1\n", GN_TABLE_ERROR_NO_COLUMN,
      ": no column named 'acc'" },
  };
  char *dir = g_dir_make_tmp ("test-table-XXXXXX", NULL);
  char *path = g_build_filename (dir, "bench.csv", NULL);
  char *metrics[] = { "acc", NULL }, *arch_columns[] = { "arch", NULL };
  GnBenchmark bm = { .path = path, .key_column = "arch",
                     .metrics = metrics, .arch_columns = arch_columns };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      g_assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
      GnTable *t = gn_table_load_benchmark (&bm, &error);
      if (cases[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpint (gn_table_lookup (t, 0, "b", &error), ==, 1);
          gn_table_free (t);
          continue;
        }
      g_assert_null (t);
      g_assert_error (error, GN_TABLE_ERROR, cases[i].code);
      char *want = g_strconcat (path, cases[i].message, NULL);
      g_assert_cmpstr (error->message, ==, want);
      g_free (want);
      g_error_free (error);
    }
  g_remove (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/table/quoting", test_quoting);
  g_test_add_func ("/table/malformed", test_malformed);
  g_test_add_func ("/table/numbers-and-lookup", test_numbers_and_lookup);
  g_test_add_func ("/table/shipped", test_shipped);
  g_test_add_func ("/table/benchmark", test_benchmark);
  return g_test_run ();
}
