/* test-export-cli.c - `gennas export-arch` and `gennas export --best` as a
 * user runs them: the three formats, standard input and -o, a search's
 * best architecture from its store, and every error in one line with the
 * exit status of the other commands (1 failed, 2 usage)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "run-cli.h"
#include "spaces.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <string.h>

#define NB201_ARCH "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+" \
                   "|skip_connect~0|none~1|nor_conv_1x1~2|"

#define DARTS_V2 \
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), " \
  "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), " \
  "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], " \
  "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), " \
  "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), " \
  "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), " \
  "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"


/* A failure: status @status, nothing on standard output, and one line
 * on standard error starting with @prefix. */
static void
assert_one_line (CliRun *r, int status, const char *prefix)
{
  g_assert_cmpint (r->status, ==, status);
  g_assert_cmpstr (r->out, ==, "");
  if (!g_str_has_prefix (r->err, prefix))
    g_error ("expected '%s...', got '%s'", prefix, r->err);
  g_assert_cmpint (strchr (r->err, '\n') - r->err + 1, ==, strlen (r->err));
  cli_run_clear (r);
}

static JsonObject *
parse (JsonParser *parser, const char *text)
{
  GError *error = NULL;
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* --format genotype: the canonical string, or DARTS's literal */
static void
test_genotype (void)
{
  char *nb201 = test_space_path ("nb201.lua"),
       *darts = test_space_path ("darts.lua");
  char *nds = test_space_path ("nds-darts-in.lua");
  CliRun r = cli_run_gennas (NULL, "export-arch", nb201, NB201_ARCH, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, NB201_ARCH "\n");
  g_assert_cmpstr (r.err, ==, "");
  cli_run_clear (&r);

  /* another form DARTS writes, made canonical */
  char *ranged = g_strdup (DARTS_V2);
  char *at = strstr (ranged, "normal_concat=[2, 3, 4, 5]");
  memcpy (at, "normal_concat=range(2,6)  ", 26);
  r = cli_run_gennas (NULL, "export-arch", darts, ranged, "--format",
                      "genotype", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, DARTS_V2 "\n");
  cli_run_clear (&r);
  g_free (ranged);

  /* the NDS spaces' width and depth are not DARTS's genotype */
  r = cli_run_gennas (NULL, "export-arch", nds, DARTS_V2 " width=32 depth=8",
                      "-f", "genotype", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, DARTS_V2 "\n");
  cli_run_clear (&r);

  /* "-": the architecture on standard input */
  r = cli_run_gennas ("\n  " NB201_ARCH "  \n", "export-arch", nb201, "-",
                      NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, NB201_ARCH "\n");
  cli_run_clear (&r);
  g_free (nb201);
  g_free (darts);
  g_free (nds);
}

/* --format json: the network `gennas space info` counts, with the build
 * options given */
static void
test_json (void)
{
  char *nb201 = test_space_path ("nb201.lua");
  CliRun r
      = cli_run_gennas (NULL, "export-arch", nb201, NB201_ARCH, "--format",
                        "json", "--space-option", "C=8", "--space-option",
                        "N=1", "--classes", "100", "--input-size", "16", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  JsonParser *parser = json_parser_new ();
  JsonObject *root = parse (parser, r.out);
  CliRun info = cli_run_gennas (NULL, "space", "info", nb201, NB201_ARCH,
                     "--space-option", "C=8", "--space-option", "N=1",
                     "--classes", "100", "--input-size", "16", NULL);
  g_assert_cmpint (info.status, ==, 0);
  char *want = g_strdup_printf ("%.6f,", json_object_get_int_member (
                                  root, "params") / 1e6);
  g_assert_nonnull (strstr (info.out, want));
  g_free (want);
  cli_run_clear (&info);

  JsonObject *build = json_object_get_object_member (root, "build");
  g_assert_cmpint (json_object_get_int_member (build, "classes"), ==, 100);
  JsonArray *input = json_object_get_array_member (build, "input");
  g_assert_cmpint (json_array_get_int_element (input, 1), ==, 16);
  JsonObject *options = json_object_get_object_member (build, "options");
  g_assert_cmpint (json_object_get_int_member (options, "C"), ==, 8);
  g_assert_cmpstr (json_object_get_string_member (root, "arch"), ==,
                   NB201_ARCH);
  g_object_unref (parser);
  cli_run_clear (&r);
  g_free (nb201);
}

/* --config NAME: the space's named network, the command line's options
 * on top; a name the space does not have is a usage error */
static void
test_config (void)
{
  char *darts = test_space_path ("darts.lua"),
       *nb201 = test_space_path ("nb201.lua");
  CliRun r = cli_run_gennas (NULL, "export-arch", darts, DARTS_V2, "-f",
                             "json", "--config", "mobile", NULL);
  g_assert_cmpint (r.status, ==, 0);
  JsonParser *parser = json_parser_new ();
  JsonObject *root = parse (parser, r.out);
  /* computed_sizes.csv: DARTS_V2 at imagenet_mobile */
  g_assert_cmpint (json_object_get_int_member (root, "params"), ==,
                   4718752);
  JsonObject *build = json_object_get_object_member (root, "build");
  g_assert_cmpint (json_object_get_int_member (build, "classes"), ==, 1000);
  JsonObject *options = json_object_get_object_member (build, "options");
  g_assert_cmpstr (json_object_get_string_member (options, "network"), ==,
                   "imagenet");
  g_assert_cmpint (json_object_get_int_member (options, "width"), ==, 48);
  cli_run_clear (&r);

  /* the command line's options override the configuration's */
  r = cli_run_gennas (NULL, "export-arch", darts, DARTS_V2, "-f", "json", "-c",
           "mobile", "--space-option", "width=50", "--classes", "100",
           NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse (parser, r.out);
  build = json_object_get_object_member (root, "build");
  g_assert_cmpint (json_object_get_int_member (build, "classes"), ==, 100);
  options = json_object_get_object_member (build, "options");
  g_assert_cmpint (json_object_get_int_member (options, "width"), ==, 50);
  JsonArray *input = json_object_get_array_member (build, "input");
  g_assert_cmpint (json_array_get_int_element (input, 1), ==, 224);
  cli_run_clear (&r);
  g_object_unref (parser);

  r = cli_run_gennas (NULL, "export-arch", darts, DARTS_V2, "--config", "tiny",
                      NULL);
  assert_one_line (&r, 2, "gennas export-arch: ");
  r = cli_run_gennas (NULL, "export-arch", nb201, NB201_ARCH, "-f", "pytorch",
           "--config", "mobile", NULL);
  assert_one_line (&r, 2, "gennas export-arch: ");
  g_free (darts);
  g_free (nb201);
}

/* --format pytorch -o FILE: the file, and nothing on standard output */
static void
test_pytorch_file (void)
{
  char *nb201 = test_space_path ("nb201.lua");
  char *dir = g_dir_make_tmp ("gennas-export-XXXXXX", NULL);
  char *py = g_build_filename (dir, "model.py", NULL);
  CliRun r = cli_run_gennas (NULL, "export-arch", nb201, NB201_ARCH,
                             "--format", "pytorch", "-o", py, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_cmpstr (r.err, ==, "");
  cli_run_clear (&r);
  char *text = NULL;
  g_assert_true (g_file_get_contents (py, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "# model.py - "));
  g_assert_nonnull (strstr (text, "\nclass Network(nn.Module):\n"));
  g_assert_nonnull (strstr (text, "\nARCH = \"" NB201_ARCH "\"\n"));
  g_free (text);
  g_remove (py);
  g_rmdir (dir);
  g_free (py);
  g_free (dir);
  g_free (nb201);
}

static void
test_errors (void)
{
  char *nb201 = test_space_path ("nb201.lua"),
       *darts = test_space_path ("darts.lua");
  CliRun r = cli_run_gennas (NULL, "export-arch", nb201, NULL);
  assert_one_line (&r, 2, "gennas export-arch: give a space file and an "
                   "architecture (try --help)\n");
  r = cli_run_gennas (NULL, "export-arch", nb201, NB201_ARCH, "--format",
                      "onnx", NULL);
  assert_one_line (&r, 2, "gennas export-arch: --format must be genotype, "
                   "json or pytorch, not 'onnx'\n");
  r = cli_run_gennas (NULL, "export-arch", nb201, NB201_ARCH, "--input-size",
                      "-3", NULL);
  assert_one_line (&r, 2, "gennas export-arch: --input-size must be in ");
  r = cli_run_gennas (NULL, "export-arch", nb201, NB201_ARCH, "--bogus", NULL);
  assert_one_line (&r, 2, "gennas export-arch: ");
  r = cli_run_gennas (NULL, "export-arch", nb201, "|nor_conv_9x9~0|", NULL);
  assert_one_line (&r, 1, "gennas export-arch: invalid architecture "
                   "'|nor_conv_9x9~0|': ");
  r = cli_run_gennas (NULL, "export-arch", nb201, "|nor_conv_9x9~0|", "-f",
                      "pytorch", NULL);
  assert_one_line (&r, 1, "gennas export-arch: invalid architecture ");
  r = cli_run_gennas (NULL, "export-arch", "/nonexistent/space.lua",
                      NB201_ARCH, NULL);
  assert_one_line (&r, 1, "gennas export-arch: cannot read the space "
                   "file /nonexistent/space.lua");
  /* a build option the space refuses: its message, not the traceback */
  r = cli_run_gennas (NULL, "export-arch", darts, DARTS_V2, "-f", "json",
           "--space-option", "network=mobile", NULL);
  g_assert_nonnull (strstr (r.err, "darts-cells.lua:"));
  g_assert_nonnull (strstr (r.err, ": option network must be imagenet or "
                            "cifar\n"));
  assert_one_line (&r, 1, "gennas export-arch: ");
  r = cli_run_gennas (NULL, "export-arch", darts, DARTS_V2, "-f", "json",
           "--space-option", "colour=red", NULL);
  g_assert_nonnull (strstr (r.err, ": unknown option 'colour'"));
  assert_one_line (&r, 1, "gennas export-arch: ");
  r = cli_run_gennas (NULL, "export-arch", nb201, NB201_ARCH, "-f", "pytorch",
                      "-o", "/nonexistent/dir/model.py", NULL);
  assert_one_line (&r, 1, "gennas export-arch: /nonexistent/dir/model.py: "
                   "No such file or directory\n");
  g_free (nb201);
  g_free (darts);
}

typedef struct {
  char *arch;
  double score;
} Best;

static gboolean
keep_best (const GnEval *e, gpointer user)
{
  Best *best = user;
  if (e->status == GN_EVAL_OK && (best->arch == NULL
                                  || e->score > best->score))
    {
      g_free (best->arch);
      best->arch = g_strdup (e->arch);
      best->score = e->score;
    }
  return TRUE;
}

/* The best of a stored run, as gn_store_foreach() sees it: the highest
 * "ok" score, the earliest of equal ones. */
static char *
best_of (const char *db, gint64 run)
{
  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  Best best = { NULL, 0 };
  g_assert_true (gn_store_foreach (store, run, keep_best, &best, &error));
  g_assert_no_error (error);
  gn_store_close (store);
  g_assert_nonnull (best.arch);
  return best.arch;
}

static void
remove_store (const char *db)
{
  for (const char *const *s = (const char *const[]) { "", "-wal", "-shm",
                                                      NULL }; *s; s++)
    {
      char *f = g_strconcat (db, *s, NULL);
      g_remove (f);
      g_free (f);
    }
}

/* export --best: a search's store in, its best architecture out */
static void
test_best (void)
{
  char *dir = g_dir_make_tmp ("gennas-best-XXXXXX", NULL);
  char *db = g_build_filename (dir, "s.db", NULL);
  char *copy = g_build_filename (dir, "nb201.lua", NULL);
  char *py = g_build_filename (dir, "model.py", NULL);
  char *csv = g_build_filename (dir, "out.csv", NULL);
  char *nb201 = test_space_path ("nb201.lua"),
       *nb101 = test_space_path ("nb101.lua");
  char *text = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (nb201, &text, &len, NULL));
  g_assert_true (g_file_set_contents (copy, text, (gssize) len, NULL));

  CliRun r
      = cli_run_gennas (NULL, "search", copy, "--proxy", "params", "--budget",
                        "5", "--workers", "1", "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli_run_clear (&r);
  char *best = best_of (db, 1);
  char *want = g_strconcat (best, "\n", NULL);

  r = cli_run_gennas (NULL, "export", db, "--best", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, want);
  g_assert_true (g_str_has_prefix (r.err, "gennas export: the best of run "
                                   "1, evaluation "));
  cli_run_clear (&r);

  r = cli_run_gennas (NULL, "export", db, "--best", "--run", "1", "--format",
                      "json", "--classes", "3", NULL);
  g_assert_cmpint (r.status, ==, 0);
  JsonParser *parser = json_parser_new ();
  JsonObject *root = parse (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (root, "arch"), ==, best);
  JsonObject *build = json_object_get_object_member (root, "build");
  g_assert_cmpint (json_object_get_int_member (build, "classes"), ==, 3);
  g_object_unref (parser);
  cli_run_clear (&r);

  r = cli_run_gennas (NULL, "export", db, "--best", "-f", "pytorch", "-o", py,
                      NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_true (g_file_test (py, G_FILE_TEST_IS_REGULAR));
  cli_run_clear (&r);

  /* the evaluations, to -o's file */
  r = cli_run_gennas (NULL, "export", db, "-o", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  cli_run_clear (&r);
  g_free (text);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "run,seq,space,arch,"));
  g_free (text);

  /* errors: no such run, store, format; build options without --best */
  r = cli_run_gennas (NULL, "export", db, "--best", "--run", "7", NULL);
  assert_one_line (&r, 1, "gennas export: ");
  r = cli_run_gennas (NULL, "export", "/nonexistent.db", "--best", NULL);
  assert_one_line (&r, 1, "gennas export: /nonexistent.db: no such file\n");
  r = cli_run_gennas (NULL, "export", db, "--best", "--format", "csv", NULL);
  assert_one_line (&r, 2, "gennas export: with --best, --format must be "
                   "genotype, json or pytorch, not 'csv'\n");
  r = cli_run_gennas (NULL, "export", db, "--format", "pytorch", NULL);
  assert_one_line (&r, 2, "gennas export: --format must be csv or jsonl "
                   "(or, with --best, genotype, json or pytorch)\n");
  r = cli_run_gennas (NULL, "export", db, "--space-option", "C=8", NULL);
  assert_one_line (&r, 2, "gennas export: --space, --config, "
                   "--space-option, --input-size and --classes need "
                   "--best\n");
  r = cli_run_gennas (NULL, "export", db, "--best", "--config", "mobile",
                      NULL);
  assert_one_line (&r, 2, "gennas export: ");
  r = cli_run_gennas (NULL, "export", db, "--best", "--space", nb101, NULL);
  assert_one_line (&r, 1, "gennas export: --space ");

  /* the run's space file changed: refused, unless --space names a copy */
  g_assert_true (g_file_get_contents (copy, &text, &len, NULL));
  char *changed = g_strconcat (text, "-- edited\n", NULL);
  g_assert_true (g_file_set_contents (copy, changed, -1, NULL));
  r = cli_run_gennas (NULL, "export", db, "--best", NULL);
  g_assert_nonnull (strstr (r.err, "contents changed"));
  assert_one_line (&r, 1, "gennas export: no space to build run 1's best "
                   "with (--space names the space file): ");
  r = cli_run_gennas (NULL, "export", db, "--best", "--space", nb201, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, want);
  cli_run_clear (&r);

  g_free (changed);
  g_free (text);
  remove_store (db);
  g_remove (copy);
  g_remove (py);
  g_remove (csv);
  g_rmdir (dir);
  g_free (want);
  g_free (best);
  g_free (nb101);
  g_free (nb201);
  g_free (csv);
  g_free (py);
  g_free (copy);
  g_free (db);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export-cli/genotype", test_genotype);
  g_test_add_func ("/export-cli/json", test_json);
  g_test_add_func ("/export-cli/config", test_config);
  g_test_add_func ("/export-cli/pytorch-file", test_pytorch_file);
  g_test_add_func ("/export-cli/errors", test_errors);
  g_test_add_func ("/export-cli/best", test_best);
  return g_test_run ();
}
