/* test-space-cli.c - `gennas space check|sample|info|hash` as a user
 * runs them, and the space's build options through `gennas score
 * --space-option`: output, errors on standard error, exit statuses
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "run-cli.h"
#include "spaces.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>


#define NB201_A "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+" \
                "|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
#define NB201_B "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+" \
                "|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"

static void
test_check (void)
{
  char *nb201 = test_space_path ("nb201.lua"),
       *nb101 = test_space_path ("nb101.lua");
  CliRun r = cli_run_gennas (NULL, "space", "check", nb201, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, nb201));
  g_assert_nonnull (strstr (r.out, ": ok: nasbench201, 6 genes (15625 "
                            "combinations), no hash, benchmark "));
  g_assert_cmpint (strchr (r.out, '\n') - r.out + 1, ==, strlen (r.out));
  cli_run_clear (&r);

  r = cli_run_gennas (NULL, "space", "check", nb101, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "nasbench101, 26 genes"));
  g_assert_nonnull (strstr (r.out, "(1000 rows, key nb101_hash = hash"));
  cli_run_clear (&r);

  /* a broken space: the error names file:line, the status is 1 */
  char *dir = g_dir_make_tmp ("gennas-cli-XXXXXX", NULL);
  char *bad = g_build_filename (dir, "bad.lua", NULL);
  g_assert_true (g_file_set_contents (bad, "local x = 1\nreturn io.open ('x')",
                                      -1, NULL));
  r = cli_run_gennas (NULL, "space", "check", bad, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  char *want = g_strdup_printf ("gennas space check: %s:2: ", bad);
  g_assert_true (g_str_has_prefix (r.err, want));
  cli_run_clear (&r);
  g_free (want);
  g_remove (bad);
  g_rmdir (dir);
  g_free (bad);
  g_free (dir);
  g_free (nb201);
  g_free (nb101);
}

/* space check mutates in a row and decodes every string: a mutate()
 * whose strings decode() rejects fails, in one line naming file:line. */
static void
test_check_round_trips (void)
{
  static const char head[] =
    "local OPS = { 'a', 'b' }\n"
    "return {\n"
    "  name = 'roundtrip',\n"
    "  genome = { genes = { { name = 'op', choices = OPS } } },\n"
    "  sample = function (rng) return { 'a' } end,\n";
  static const char tail[] =
    "  encode = function (g) return g[1] end,\n"
    "  decode = function (s)\n"
    "    if s ~= 'a' and s ~= 'b' then error ('no op ' .. s) end\n"
    "    return { s }\n"
    "  end,\n"
    "  build = function (net, g, opts)\n"
    "    for s = 0, 2 do net:tap (0, 'stage' .. s) end\n"
    "    if opts.classifier then\n"
    "      net:tap (net:linear (net:gap (0), 10), 'logits')\n"
    "    end\n"
    "  end,\n"
    "}\n";
  static const struct {
    const char *mutate, *err;
  } cases[] = {
    { "  mutate = function (g) return { g[1] == 'a' and 'b' or 'a' } end,\n",
      NULL },
    /* the second mutation returns a string decode rejects */
    { "  mutate = function (g) return { g[1] == 'a' and 'b' or 'c' } end,\n",
      "mutate() (draw 1, mutation 2) returned an architecture that does not "
      "decode: invalid architecture 'c': FILE:9: no op c\n" },
    { "  mutate = function (g) return { '\\27[2J' } end,\n",
      "mutate() (draw 1, mutation 1) returned an architecture that does not "
      "decode: invalid architecture '\\x1b[2J': FILE:9: no op \\x1b[2J\n" },
  };
  char *dir = g_dir_make_tmp ("gennas-cli-XXXXXX", NULL);
  char *file = g_build_filename (dir, "roundtrip.lua", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *src = g_strconcat (head, cases[i].mutate, tail, NULL);
      g_assert_true (g_file_set_contents (file, src, -1, NULL));
      CliRun r = cli_run_gennas (NULL, "space", "check", file, NULL);
      if (cases[i].err == NULL)
        {
          g_assert_cmpstr (r.err, ==, "");
          g_assert_cmpint (r.status, ==, 0);
        }
      else
        {
          GString *want = g_string_new ("gennas space check: ");
          g_string_append (want, cases[i].err);
          g_string_replace (want, "FILE", file, 1);
          g_assert_cmpstr (r.err, ==, want->str);
          g_assert_cmpint (r.status, ==, 1);
          g_string_free (want, TRUE);
        }
      cli_run_clear (&r);
      g_free (src);
    }

  /* not a space at all: refused unread */
  if (g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      CliRun r = cli_run_gennas (NULL, "space", "check", "/dev/zero", NULL);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_cmpstr (r.err, ==, "gennas space check: /dev/zero: the space "
                       "file is larger than 4 MiB (a script of a few "
                       "kilobytes is expected)\n");
      cli_run_clear (&r);
    }
  g_remove (file);
  g_rmdir (dir);
  g_free (file);
  g_free (dir);
}

static void
test_sample (void)
{
  char *nb201 = test_space_path ("nb201.lua"),
       *nb101 = test_space_path ("nb101.lua");
  CliRun a = cli_run_gennas (NULL, "space", "sample", nb201, "-n", "5",
                             "--seed", "3", NULL);
  CliRun b = cli_run_gennas (NULL, "space", "sample", nb201, "--seed=3", "-n",
                             "5", NULL);
  CliRun c = cli_run_gennas (NULL, "space", "sample", nb201, "-n", "5",
                             "--seed", "4", NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpstr (a.out, ==, b.out);
  g_assert_cmpstr (a.out, !=, c.out);
  char **lines = g_strsplit (a.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_cmpstr (lines[5], ==, "");
  for (int i = 0; i < 5; i++)
    g_assert_true (g_str_has_prefix (lines[i], "|"));
  g_strfreev (lines);
  cli_run_clear (&a);
  cli_run_clear (&b);
  cli_run_clear (&c);

  a = cli_run_gennas (NULL, "space", "sample", nb101, "-n", "300", "--unique",
                      NULL);
  g_assert_cmpint (a.status, ==, 0);
  lines = g_strsplit (a.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 301);
  g_strfreev (lines);
  cli_run_clear (&a);

  a = cli_run_gennas (NULL, "space", "sample", nb201, "-n", "x", NULL);
  g_assert_cmpint (a.status, ==, 2);
  g_assert_true (g_str_has_prefix (a.err, "gennas space sample: "));
  cli_run_clear (&a);
  g_free (nb201);
  g_free (nb101);
}

static void
test_info (void)
{
  char *nb201 = test_space_path ("nb201.lua");
  CliRun r = cli_run_gennas (NULL, "space", "info", nb201, NB201_A,
                             "|bogus~0|", NB201_B, NULL);
  g_assert_cmpint (r.status, ==, 1);
  /* NAS-Bench-201 counted MACs (its tables' flops): the last two agree */
  g_assert_cmpstr (r.out, ==, "arch,params,macs,flops\n"
                   NB201_A ",0.802426,113.951370,113.951370\n"
                   NB201_B ",0.129306,15.647370,15.647370\n");
  g_assert_true (g_str_has_prefix (r.err, "gennas space info: invalid "
                                   "architecture '|bogus~0|': "));
  cli_run_clear (&r);

  r = cli_run_gennas (NB201_B "\n\n  " NB201_A "  \n", "space", "info", nb201,
                      NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "arch,params,macs,flops\n"
                   NB201_B ",0.129306,15.647370,15.647370\n"
                   NB201_A ",0.802426,113.951370,113.951370\n");
  g_assert_cmpstr (r.err, ==, "");
  cli_run_clear (&r);

  r = cli_run_gennas (NULL, "space", "info", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "gennas space info"));
  g_assert_nonnull (strstr (r.out, "arch,params,macs,flops"));
  cli_run_clear (&r);

  r = cli_run_gennas (NULL, "space", "info", "/nonexistent.lua", NB201_A,
                      NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent.lua"));
  cli_run_clear (&r);
  g_free (nb201);
}

static void
test_hash (void)
{
  char *nb101 = test_space_path ("nb101.lua"),
       *nb201 = test_space_path ("nb201.lua");
  CliRun r = cli_run_gennas (NULL, "space", "hash", nb101,
               "0110000111000110000100000;input|conv1x1-bn-relu"
               "|conv3x3-bn-relu|maxpool3x3|output", "0;x", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpuint (strlen (r.out), ==, 33);
  g_assert_true (g_str_has_prefix (r.err, "gennas space hash: invalid "
                                   "architecture '0;x'"));
  cli_run_clear (&r);

  r = cli_run_gennas (NULL, "space", "hash", nb201, NB201_A, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "defines no hash"));
  cli_run_clear (&r);
  g_free (nb101);
  g_free (nb201);
}

/* Standard input with a NUL byte: as a C string the line would end
 * there (and NB201_A "\0junk" read as NB201_A); it is refused in one
 * line, and the other lines are still answered. */
static void
test_stdin_nul (void)
{
  static const char input[] = NB201_A "\n" NB201_A "\0junk\n" NB201_B "\n";
  char *nb201 = test_space_path ("nb201.lua");
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  const char *argv[] = { gennas, "space", "info", nb201, NULL };
  GError *error = NULL;
  GSubprocess *p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
                                            | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                            | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                      &error);
  g_assert_no_error (error);
  GBytes *in = g_bytes_new_static (input, sizeof input - 1);
  char *out = NULL, *err = NULL;
  GBytes *out_b = NULL, *err_b = NULL;
  g_assert_true (g_subprocess_communicate (p, in, NULL, &out_b, &err_b,
                                           &error));
  g_assert_no_error (error);
  out = g_strndup (g_bytes_get_data (out_b, NULL), g_bytes_get_size (out_b));
  err = g_strndup (g_bytes_get_data (err_b, NULL), g_bytes_get_size (err_b));
  g_test_message ("stdout:\n%s\nstderr:\n%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 1);
  g_assert_cmpstr (err, ==, "gennas space info: standard input, line 2: "
                            "a NUL byte\n");
  /* the header, then lines 1 and 3 */
  char **lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[1], NB201_A ","));
  g_assert_true (g_str_has_prefix (lines[2], NB201_B ","));
  g_strfreev (lines);
  g_free (out);
  g_free (err);
  g_bytes_unref (out_b);
  g_bytes_unref (err_b);
  g_bytes_unref (in);
  g_object_unref (p);
  g_free (gennas);
  g_free (nb201);
}

/* A benchmark table that cannot be ground truth (a NaN accuracy, here,
 * found first in the data path) is refused in one line by `space check`
 * and by `search`, which would otherwise report "the table's best" from
 * it. */
static void
test_bad_benchmark (void)
{
  char *nb201 = test_space_path ("nb201.lua");
  char *dir = g_dir_make_tmp ("gennas-bench-XXXXXX", NULL);
  char *csv = g_build_filename (dir, "nb201.csv", NULL);
  char *db = g_build_filename (dir, "s.db", NULL);
  g_assert_true (g_file_set_contents (csv,
    "arch_str,cifar10_test,cifar100_test,imagenet16_test,cifar10_valid,"
    "cifar100_valid,imagenet16_valid\n"
    NB201_A ",93.5,70,44,90,69,44\n"
    NB201_B ",nan,52,26,81,52,28\n", -1, NULL));
  /* before the shipped data, which still provides the images */
  char *old = g_strdup (g_getenv ("GENNAS_DATA_PATH"));
  char *path = g_strjoin (":", dir, old, NULL);
  g_setenv ("GENNAS_DATA_PATH", path, TRUE);
  g_free (path);

  CliRun r = cli_run_gennas (NULL, "space", "check", nb201, NULL);
  char *want = g_strdup_printf ("gennas space check: %s:3: column "
                                "'cifar10_test': 'nan' is not a finite "
                                "number\n", csv);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (g_str_has_suffix (r.err, want));
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "search", nb201, "--proxy", "params", "--budget",
                      "2", "--workers", "1", "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_null (strstr (r.out, "the table's best"));
  g_assert_nonnull (strstr (r.err, "'nan' is not a finite number\n"));
  cli_run_clear (&r);

  if (old != NULL)
    g_setenv ("GENNAS_DATA_PATH", old, TRUE);
  else
    g_unsetenv ("GENNAS_DATA_PATH");
  for (const char *const *f = (const char *const[]) { "nb201.csv", "s.db",
                                                       "s.db-wal", "s.db-shm",
                                                       NULL };
       *f; f++)
    {
      char *file = g_build_filename (dir, *f, NULL);
      g_remove (file);
      g_free (file);
    }
  g_rmdir (dir);
  g_free (want);
  g_free (old);
  g_free (db);
  g_free (csv);
  g_free (dir);
  g_free (nb201);
}

static void
test_usage (void)
{
  CliRun r = cli_run_gennas (NULL, "space", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "check"));
  g_assert_nonnull (strstr (r.out, "hash"));
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "space", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "space", "frobnicate", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "unknown command 'frobnicate'"));
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "space", "check", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "--help", NULL);
  g_assert_nonnull (strstr (r.out, "space"));
  cli_run_clear (&r);
}

/* The build options reach the network the proxy builds (here the
 * parameter count of the network as published: five cells per stage on
 * NB201, or the one asked for); the space refuses a key it does not know;
 * the old spelling is a usage error naming the new option. */
static void
test_score_space_option (void)
{
  char *nb201 = test_space_path ("nb201.lua");
  CliRun n5
      = cli_run_gennas (NULL, "score", nb201, "-p", "params", NB201_A, NULL);
  CliRun n1 = cli_run_gennas (NULL, "score", nb201, "-p", "params",
                              "--space-option", "N=1", NB201_A, NULL);
  CliRun again
      = cli_run_gennas (NULL, "score", nb201, "-p", "params", "--space-option",
                        "N=3", "--space-option", "N=5", NB201_A, NULL);
  g_assert_cmpint (n5.status, ==, 0);
  g_assert_cmpint (n1.status, ==, 0);
  g_assert_cmpint (again.status, ==, 0);
  /* the line after the header: arch,score,seconds */
  char **a = g_strsplit (strchr (n5.out, '\n') + 1, ",", -1);
  char **b = g_strsplit (strchr (n1.out, '\n') + 1, ",", -1);
  char **c = g_strsplit (strchr (again.out, '\n') + 1, ",", -1);
  g_assert_cmpstr (a[0], ==, NB201_A);
  g_assert_cmpfloat (g_ascii_strtod (b[1], NULL), <,
                     g_ascii_strtod (a[1], NULL) / 2);
  g_assert_cmpstr (c[1], ==, a[1]);   /* the last N wins: 5 */
  g_strfreev (a);
  g_strfreev (b);
  g_strfreev (c);
  cli_run_clear (&n5);
  cli_run_clear (&n1);
  cli_run_clear (&again);

  CliRun r = cli_run_gennas (NULL, "score", nb201, "-p", "params",
                             "--space-option", "bogus=1", NB201_A, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "unknown option 'bogus'"));
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "score", nb201, "-p", "params", "--param",
           "space_options=N=1", NB201_A, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.err, ==, "gennas score: --param space_options=N=1: "
                   "build options have an option of their own; use "
                   "--space-option N=1\n");
  cli_run_clear (&r);
  g_free (nb201);
}

/* The cost proxies count the network as published, as `gennas space info`
 * does: on an NDS ImageNet record, its 224 x 224 input and 1,000 classes,
 * so params is the table's (DARTS_in's first record: 3,041,248, the
 * classifier 1,000 x 768 and its bias of it); num_classes replaces the
 * classes. */
static void
test_score_cost_published (void)
{
  static const char arch[] =
    "Genotype(normal=[('none', 0), ('max_pool_3x3', 0),"
    " ('skip_connect', 0), ('avg_pool_3x3', 0), ('max_pool_3x3', 2),"
    " ('sep_conv_5x5', 0), ('max_pool_3x3', 1), ('avg_pool_3x3', 3)],"
    " normal_concat=[2, 3, 4, 5], reduce=[('none', 0), ('sep_conv_5x5',"
    " 1), ('max_pool_3x3', 0), ('skip_connect', 1), ('avg_pool_3x3',"
    " 1), ('none', 0), ('none', 1), ('max_pool_3x3', 0)],"
    " reduce_concat=[2, 3, 4, 5]) width=48 depth=14";
  char *darts = test_space_path ("nds-darts-in.lua");
  CliRun info = cli_run_gennas (NULL, "space", "info", darts, arch, NULL);
  CliRun params = cli_run_gennas (NULL, "score", darts, "-p", "params", arch,
                                  NULL);
  CliRun macs = cli_run_gennas (NULL, "score", darts, "-p", "macs", arch,
                                NULL);
  CliRun ten = cli_run_gennas (NULL, "score", darts, "-p", "params",
                               "--param", "num_classes=10", arch, NULL);
  g_assert_cmpint (info.status, ==, 0);
  g_assert_cmpint (params.status, ==, 0);
  g_assert_cmpint (macs.status, ==, 0);
  g_assert_cmpint (ten.status, ==, 0);
  /* the last line's fields from the end: info's params,macs,flops;
   * score's score,seconds */
  char **i = g_strsplit (strrchr (g_strchomp (info.out), ')') + 1, ",", -1);
  char **p = g_strsplit (strrchr (g_strchomp (params.out), ')') + 1, ",", -1);
  char **m = g_strsplit (strrchr (g_strchomp (macs.out), ')') + 1, ",", -1);
  char **t = g_strsplit (strrchr (g_strchomp (ten.out), ')') + 1, ",", -1);
  /* " width=48 depth=14", params, macs, flops as NDS counted them:
   * the record's `params` and `flops` in data/nds/DARTS_in.csv */
  g_assert_cmpuint (g_strv_length (i), ==, 4);
  g_assert_cmpstr (i[1], ==, "3.041248");
  g_assert_cmpstr (i[3], ==, "350.501992");
  g_assert_cmpstr (p[1], ==, i[1]);
  g_assert_cmpstr (m[1], ==, i[2]);
  /* 990 classes fewer: 990 x (768 weights + 1 bias) */
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (i[1], NULL)
                                  - g_ascii_strtod (t[1], NULL),
                                  990 * 769 / 1e6, 1e-9);
  g_strfreev (i);
  g_strfreev (p);
  g_strfreev (m);
  g_strfreev (t);
  cli_run_clear (&info);
  cli_run_clear (&params);
  cli_run_clear (&macs);
  cli_run_clear (&ten);
  g_free (darts);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/space-cli/check", test_check);
  g_test_add_func ("/space-cli/check-round-trips", test_check_round_trips);
  g_test_add_func ("/space-cli/sample", test_sample);
  g_test_add_func ("/space-cli/info", test_info);
  g_test_add_func ("/space-cli/score-cost-published",
                   test_score_cost_published);
  g_test_add_func ("/space-cli/hash", test_hash);
  g_test_add_func ("/space-cli/stdin-nul", test_stdin_nul);
  g_test_add_func ("/space-cli/bad-benchmark", test_bad_benchmark);
  g_test_add_func ("/space-cli/usage", test_usage);
  g_test_add_func ("/space-cli/score-space-option", test_score_space_option);
  return g_test_run ();
}
