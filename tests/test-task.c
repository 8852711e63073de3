/* test-task.c - GenNAS's proxy-task search: the space of tasks
 * (spaces/task-cv.lua), the task proxy that scores one, and
 * `gennas task-search` that evolves them
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "run-cli.h"
#include "spaces.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

enum { N_LABELED = 6 };

static char *tmpdir;

/* -- the space of tasks --------------------------------------------------- */

/* The "ch=a,b,c" multipliers of a task string. */
static void
multipliers (const char *task, double mult[3])
{
  const char *ch = strstr (task, ";ch=");
  g_assert_nonnull (ch);
  char **m = g_strsplit_set (ch + 4, ",;", 4);
  for (int s = 0; s < 3; s++)
    mult[s] = g_ascii_strtod (m[s], NULL);
  g_strfreev (m);
}

/* Sampled and mutated tasks are canonical, a mutation changes its parent,
 * and every task written as a recipe file is a recipe the regression
 * proxy loads, with the task's noise and 64 x multiplier channels. */
static void
test_space_tasks (void)
{
  GnSpace *space = test_space_load ("task-cv.lua");
  g_assert_false (gn_space_has_build (space));
  char *recipe_path = g_build_filename (tmpdir, "task.lua", NULL);
  for (guint64 seed = 1; seed <= 40; seed++)
    {
      GError *error = NULL;
      GnRng rng;
      gn_rng_seed (&rng, seed);
      char *task = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
      char *again = gn_space_canonicalize (space, task, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, task);
      char *child = gn_space_mutate (space, task, &rng, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (child, !=, task);

      char *text = gn_space_genotype (space, task, &error);
      g_assert_no_error (error);
      g_assert_true (g_file_set_contents (recipe_path, text, -1, NULL));
      GnRecipe *recipe = gn_recipe_load (recipe_path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gn_recipe_n_stages (recipe), ==, 3);
      double mult[3];
      multipliers (task, mult);
      for (int s = 0; s < 3; s++)
        g_assert_cmpint (gn_recipe_channels (recipe, s), ==,
                         (int) (64 * mult[s]));
      float level;
      GnNoiseKind kind = gn_recipe_noise (recipe, &level);
      g_assert_true (kind == (g_str_has_prefix (task, "noise=gaussian")
                              ? GN_NOISE_GAUSSIAN : GN_NOISE_UNIFORM));
      gn_recipe_free (recipe);
      g_free (text);
      g_free (child);
      g_free (again);
      g_free (task);
    }
  g_free (recipe_path);
  gn_space_free (space);
}

/* A malformed task is the user's error, one line saying what is wrong;
 * building one is unsupported, not a crash. */
static void
test_space_errors (void)
{
  static const struct { const char *task, *why; } cases[] = {
    { "noise=uniform:0.1;ch=1,1,1;s0=sin3d:1:0.1:0.2:L;s1=-;s2=-",
      "unknown signal 'sin3d'" },
    { "noise=uniform:0.1;ch=1,1,1;s0=sin1d:1:0.1:L;s1=-;s2=-",
      "needs 5 fields" },
    { "noise=uniform:0.1;ch=1,1,1;s0=dot:3.5:0.5:G;s1=-;s2=-",
      "level must be in [0.5, 2.9]" },
    { "noise=uniform:0.1;ch=1,1,1;s0=sin2d:1:0.3:0.2:G;s1=-;s2=-",
      "frequencies must be" },
    { "noise=uniform:0.1;ch=1,0.3,1;s0=-;s1=-;s2=-",
      "channel multiplier 0.3" },
    { "noise=uniform:0.1;ch=1,1,1;s0=resize:1,resize:2;s1=-;s2=-",
      "lists resize twice" },
    { "noise=pink:0.1;ch=1,1,1;s0=-;s1=-;s2=-",
      "noise must be gaussian or uniform" },
    { "noise=uniform:0.1;ch=1,1,1;s0=-;s1=-", "got 4 fields" },
    { "noise=uniform:0.1;ch=1,1,1;s0=gdot:1:0.5:X;s1=-;s2=-",
      "must end in L (local) or G" },
  };
  GnSpace *space = test_space_load ("task-cv.lua");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      char *c = gn_space_canonicalize (space, cases[i].task, &error);
      g_assert_null (c);
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
      if (strstr (error->message, cases[i].why) == NULL)
        g_error ("'%s': '%s' does not say '%s'", cases[i].task,
                 error->message, cases[i].why);
      g_assert_null (strchr (error->message, '\n'));
      g_error_free (error);
    }
  GError *error = NULL;
  GnBuildOptions opts = { .batch = 1 };
  GnNet *net = gn_space_build (space, "noise=uniform:0.1;ch=1,1,1;s0=-;"
                               "s1=-;s2=-", &opts, &error);
  g_assert_null (net);
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED);
  g_error_free (error);
  gn_space_free (space);
}

/* -- the task proxy -------------------------------------------------------- */

/* Six NB201 cells with their CIFAR-10 accuracies, as "ACCURACY ARCH"
 * lines in a file; @archs and @acc receive them. */
static char *
labeled_nb201 (char *archs[N_LABELED], double acc[N_LABELED])
{
  char *table_path = g_test_build_filename (G_TEST_DIST, "..", "data",
                                            "nb201.csv", NULL);
  GnTable *t = gn_table_load (table_path, NULL);
  g_assert_nonnull (t);
  int key = gn_table_find_column (t, "arch_str", NULL);
  int col = gn_table_find_column (t, "cifar10_test", NULL);
  GString *text = g_string_new ("# six cells\n");
  for (int i = 0; i < N_LABELED; i++)
    {
      guint row = 1000 + 2000 * (guint) i;
      archs[i] = g_strdup (gn_table_get (t, row, (guint) key));
      g_assert_true (gn_table_get_double (t, row, (guint) col, &acc[i],
                                          NULL));
      g_string_append_printf (text, "%s %s\n", gn_table_get (t, row,
                                                             (guint) col),
                              archs[i]);
    }
  char *path = g_build_filename (tmpdir, "labeled.txt", NULL);
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  g_string_free (text, TRUE);
  gn_table_free (t);
  g_free (table_path);
  return path;
}

/* The score column of `gennas score` output ("arch,score,seconds"). */
static double
score_of_line (const char *line)
{
  const char *end = strrchr (line, ',');
  g_assert_nonnull (end);
  const char *start = end - 1;
  while (start > line && *start != ',')
    start--;
  return g_ascii_strtod (start + 1, NULL);
}

#define TASK "noise=uniform:0.2;ch=1,0.75,0.5;s0=sin2d:1.1:0.0143:0.0229:L," \
             "dot:1:0.5:G;s1=sin1d:1.8:0.288:0.306:L,resize:2.4;s2=gdot:2.1:" \
             "0.4375:G"

/* A task's score is Spearman's rho between the regression proxy's scores
 * of the labelled cells, trained on the task written as a recipe, and
 * their accuracies: the same figure computed here from `gennas score`
 * of the regression proxy with that recipe file. */
static void
test_proxy_fitness (void)
{
  char *archs[N_LABELED];
  double acc[N_LABELED], scores[N_LABELED];
  char *labeled = labeled_nb201 (archs, acc);
  char *tasks = test_space_path ("task-cv.lua");
  char *nb201 = test_space_path ("nb201.lua");
  char *space_param = g_strconcat ("space=", nb201, NULL);
  char *labeled_param = g_strconcat ("labeled=", labeled, NULL);

  CliRun r = cli_run_gennas (NULL, "score", tasks, "--proxy", "task",
                             "--param", space_param, "--param", labeled_param,
                             "--param", "proxy_params=steps=2",
                             "--param", "arch_options=N=1", TASK, NULL);
  g_assert_cmpint (r.status, ==, 0);
  char **lines = g_strsplit (r.out, "\n", -1);
  double fitness = score_of_line (lines[1]);
  g_strfreev (lines);

  CliRun g = cli_run_gennas (NULL, "export-arch", tasks, TASK, "--format",
                             "genotype", NULL);
  g_assert_cmpint (g.status, ==, 0);
  char *recipe = g_build_filename (tmpdir, "fitness.lua", NULL);
  g_assert_true (g_file_set_contents (recipe, g.out, -1, NULL));
  char *recipe_param = g_strconcat ("recipe=", recipe, NULL);
  CliRun s = cli_run_gennas (NULL, "score", nb201, "--proxy", "regression",
                             "--param", recipe_param, "--param", "steps=2",
                             "--space-option", "N=1", archs[0], archs[1],
                             archs[2], archs[3], archs[4], archs[5], NULL);
  g_assert_cmpint (s.status, ==, 0);
  lines = g_strsplit (s.out, "\n", -1);
  for (int i = 0; i < N_LABELED; i++)
    scores[i] = score_of_line (lines[i + 1]);
  g_strfreev (lines);
  double rho = gn_stats_spearman (scores, acc, N_LABELED);
  g_test_message ("task fitness %.9g, rho of the scores %.9g", fitness, rho);
  g_assert_true (isfinite (rho));
  g_assert_cmpfloat_with_epsilon (fitness, rho, 1e-8);

  cli_run_clear (&r);
  cli_run_clear (&g);
  cli_run_clear (&s);
  for (int i = 0; i < N_LABELED; i++)
    g_free (archs[i]);
  g_free (recipe_param);
  g_free (recipe);
  g_free (space_param);
  g_free (labeled_param);
  g_free (labeled);
  g_free (tasks);
  g_free (nb201);
}

/* What the task proxy refuses, each a one-line error of `gennas score`. */
static void
test_proxy_errors (void)
{
  char *archs[N_LABELED];
  double acc[N_LABELED];
  char *labeled = labeled_nb201 (archs, acc);
  char *tasks = test_space_path ("task-cv.lua");
  char *nb201 = test_space_path ("nb201.lua");
  char *space_param = g_strconcat ("space=", nb201, NULL);
  char *labeled_param = g_strconcat ("labeled=", labeled, NULL);
  char *short_path = g_build_filename (tmpdir, "short.txt", NULL);
  char *short_text = g_strdup_printf ("93.1 %s\n90.0 %s\n", archs[0],
                                      archs[1]);
  g_assert_true (g_file_set_contents (short_path, short_text, -1, NULL));
  char *short_param = g_strconcat ("labeled=", short_path, NULL);
  char *bad_path = g_build_filename (tmpdir, "bad.txt", NULL);
  g_assert_true (g_file_set_contents (bad_path, "93.1\n", -1, NULL));
  char *bad_param = g_strconcat ("labeled=", bad_path, NULL);
  struct { const char *p1, *p2, *p3, *why; } cases[] = {
    { labeled_param, "proxy=regression", "proxy_params=steps=1",
      "needs space=FILE" },
    { space_param, labeled_param, "proxy_params=recipe=nb101",
      "proxy_params sets recipe" },
    { space_param, labeled_param, "proxy=task", "a task cannot be scored" },
    { space_param, short_param, "proxy_params=steps=1",
      "lists 2 labelled architecture(s)" },
    { space_param, bad_param, "proxy_params=steps=1", "bad.txt:1: expected" },
    { space_param, labeled_param, "proxy_params=stepz=1", "stepz" },
    /* a list value reaches the inner proxy whole, and its own check */
    { space_param, labeled_param, "proxy_params=steps=1,weights=0,0.5",
      "weights must be three" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CliRun r = cli_run_gennas (NULL, "score", tasks, "--proxy", "task",
                                 "--param", cases[i].p1, "--param",
                                 cases[i].p2, "--param", cases[i].p3, TASK,
                                 NULL);
      g_assert_cmpint (r.status, !=, 0);
      if (strstr (r.err, cases[i].why) == NULL)
        g_error ("case %u: '%s' does not say '%s'", i, r.err, cases[i].why);
      cli_run_clear (&r);
    }
  for (int i = 0; i < N_LABELED; i++)
    g_free (archs[i]);
  g_free (short_text);
  g_free (short_path);
  g_free (short_param);
  g_free (bad_path);
  g_free (bad_param);
  g_free (space_param);
  g_free (labeled_param);
  g_free (labeled);
  g_free (tasks);
  g_free (nb201);
}

/* -- gennas task-search ---------------------------------------------------- */

/* The value after "KEY=" in the "best=..." line of @out. */
static double
best_score (const char *out)
{
  const char *line = strstr (out, "\nbest=");
  g_assert_nonnull (line);
  const char *s = strstr (line, " score=");
  g_assert_nonnull (s);
  return g_ascii_strtod (s + 7, NULL);
}

/* A task search writes its best task as a recipe file whose header gives
 * the fitness the search reported, and which the regression proxy
 * loads; run again with --resume it restores every evaluation and picks
 * the same task.  A CSV of labelled cells is read by the benchmark's
 * columns.  (One worker: with two, which result arrives first, and so
 * the parent of the third task, depends on timing.) */
static void
test_search (void)
{
  char *archs[N_LABELED];
  double acc[N_LABELED];
  char *labeled = labeled_nb201 (archs, acc);
  char *nb201 = test_space_path ("nb201.lua");
  char *db = g_build_filename (tmpdir, "tasks.db", NULL);
  char *out = g_build_filename (tmpdir, "found.lua", NULL);
  const char *args[] = { "task-search", nb201, "--labeled", labeled,
                         "--budget", "3", "--population", "2",
                         "--tournament", "2", "--inner-param", "steps=2",
                         "--inner-space-option", "N=1", "--out", out,
                         "--db", db, "--workers", "1", "--seed", "7", NULL,
                         NULL };
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_BUILT, "..", "cli",
                                                "gennas", NULL));
  for (const char **a = args; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  g_ptr_array_add (argv, NULL);
  CliRun r = cli_run ((const char *const *) argv->pdata, NULL);
  g_assert_cmpint (r.status, ==, 0);
  double fitness = best_score (r.out);
  g_assert_true (fitness >= -1 && fitness <= 1);

  char *text = NULL;
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  char *said = g_strdup_printf ("-- Fitness: Spearman %.4f (Kendall ",
                                fitness);
  g_assert_nonnull (strstr (text, said));
  GError *error = NULL;
  GnRecipe *recipe = gn_recipe_load (out, &error);
  g_assert_no_error (error);
  gn_recipe_free (recipe);

  /* again, resumed: nothing evaluated anew, the same pick */
  argv->pdata[argv->len - 2] = (gpointer) "--resume";
  CliRun again = cli_run ((const char *const *) argv->pdata, NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.out, "3 evaluations (3 restored)"));
  g_assert_cmpfloat (best_score (again.out), ==, fitness);

  /* the labelled set as the benchmark's CSV gives the same tasks scores */
  char *csv = g_build_filename (tmpdir, "labeled.csv", NULL);
  GString *rows = g_string_new ("arch_str,cifar10_test\n");
  for (int i = 0; i < N_LABELED; i++)
    g_string_append_printf (rows, "%s,%.4f\n", archs[i], acc[i]);
  g_assert_true (g_file_set_contents (csv, rows->str, -1, NULL));
  argv->pdata[4] = csv;
  argv->pdata[argv->len - 2] = NULL;
  char *db2 = g_build_filename (tmpdir, "tasks2.db", NULL);
  argv->pdata[18] = db2;
  CliRun c = cli_run ((const char *const *) argv->pdata, NULL);
  g_assert_cmpint (c.status, ==, 0);
  g_assert_cmpfloat (best_score (c.out), ==, fitness);

  g_free (argv->pdata[0]);
  g_ptr_array_free (argv, TRUE);
  cli_run_clear (&r);
  cli_run_clear (&again);
  cli_run_clear (&c);
  g_string_free (rows, TRUE);
  for (int i = 0; i < N_LABELED; i++)
    g_free (archs[i]);
  g_free (csv);
  g_free (db2);
  g_free (said);
  g_free (text);
  g_free (out);
  g_free (db);
  g_free (nb201);
  g_free (labeled);
}

/* Usage errors of task-search: one line, status 2. */
static void
test_search_errors (void)
{
  char *nb201 = test_space_path ("nb201.lua");
  char *archs[N_LABELED];
  double acc[N_LABELED];
  char *labeled = labeled_nb201 (archs, acc);
  CliRun r = cli_run_gennas (NULL, "task-search", nb201, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--labeled FILE is required"));
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "task-search", nb201, "--labeled", labeled,
                      "--proxy", "synflow", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--inner-proxy"));
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "task-search", nb201, "--labeled", labeled,
                      "--tasks", nb201, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "is a space of networks"));
  cli_run_clear (&r);
  r = cli_run_gennas (NULL, "task-search", nb201, "--labeled", labeled,
                      "--metric", "cifar10_test", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "is not a CSV file"));
  cli_run_clear (&r);
  for (int i = 0; i < N_LABELED; i++)
    g_free (archs[i]);
  g_free (labeled);
  g_free (nb201);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("gennas-task-XXXXXX", NULL);
  g_test_add_func ("/task/space-tasks", test_space_tasks);
  g_test_add_func ("/task/space-errors", test_space_errors);
  g_test_add_func ("/task/proxy-fitness", test_proxy_fitness);
  g_test_add_func ("/task/proxy-errors", test_proxy_errors);
  g_test_add_func ("/task/search", test_search);
  g_test_add_func ("/task/search-errors", test_search_errors);
  int status = g_test_run ();
  char *rm[] = { "rm", "-rf", tmpdir, NULL };
  g_spawn_sync (NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                NULL, NULL);
  g_free (tmpdir);
  return status;
}
