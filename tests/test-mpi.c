/* test-mpi.c - `gennas search --mpi` and `gennas rank --mpi` under mpirun,
 * on loopback
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Jobs of three ranks on this machine (rank 0 searches, ranks 1 and 2
 * evaluate) with the test plugins of tests/plugins/broken.c, over TCP on
 * the loopback interface only.  Built when configure found MPI and mpirun;
 * MPIRUN is its path.
 */
#include "gennas.h"
#include "run-cli.h"
#include "store-wait.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *space_path, *tmpdir, *gennas;

/* mpirun [options] -np N gennas search SPACE ARGS... */
static GPtrArray *
mpirun_argv (int np)
{
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (a, g_strdup (MPIRUN));
  if (geteuid () == 0)
    g_ptr_array_add (a, g_strdup ("--allow-run-as-root"));
  const char *opts[] = {
    "--oversubscribe", "--stdin", "none", "--bind-to", "none",
    /* loopback only: TCP over lo, no shared memory, no fabrics */
    "--mca", "pml", "ob1", "--mca", "btl", "self,tcp",
    "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo",
    NULL };
  for (const char **o = opts; *o; o++)
    g_ptr_array_add (a, g_strdup (*o));
  g_ptr_array_add (a, g_strdup ("-np"));
  g_ptr_array_add (a, g_strdup_printf ("%d", np));
  return a;
}

/* gennas search SPACE --db DB ARGS... (then a NULL) */
static void
add_search (GPtrArray *a, const char *db, const char *const *args)
{
  g_ptr_array_add (a, g_strdup (gennas));
  g_ptr_array_add (a, g_strdup ("search"));
  g_ptr_array_add (a, g_strdup (space_path));
  g_ptr_array_add (a, g_strdup ("--db"));
  g_ptr_array_add (a, g_build_filename (tmpdir, db, NULL));
  for (; args && *args; args++)
    g_ptr_array_add (a, g_strdup (*args));
  g_ptr_array_add (a, NULL);
}

/* Runs argv to the end; returns its exit status (-signal if killed) and
 * (if @err) its standard error. */
static int
run_cmd (GPtrArray *argv, char **err)
{
  CliRun r = cli_run ((const char *const *) argv->pdata, NULL);
  if (err)
    *err = g_steal_pointer (&r.err);
  cli_run_clear (&r);
  return r.status;
}

typedef struct {
  GHashTable *archs;   /* distinct */
  int n, failed, crashed, cached;
  GPtrArray *crashed_archs;
} Tally;

static gboolean
tally_one (const GnEval *e, gpointer user)
{
  Tally *t = user;
  g_hash_table_add (t->archs, g_strdup (e->arch));
  t->n++;
  t->cached += e->cached;
  t->failed += e->status != GN_EVAL_OK;
  if (e->status == GN_EVAL_CRASHED)
    {
      t->crashed++;
      g_ptr_array_add (t->crashed_archs, g_strdup (e->arch));
    }
  return TRUE;
}

/* The evaluations of the latest run in @db. */
static Tally
tally (const char *db, gint64 *run_out)
{
  GError *error = NULL;
  char *path = g_build_filename (tmpdir, db, NULL);
  GnStore *store = gn_store_open (path, &error);
  g_assert_no_error (error);
  gint64 run = -1;
  g_assert_true (gn_store_find_run (store, NULL, &run, NULL, NULL));
  Tally t = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
              0, 0, 0, 0, g_ptr_array_new_with_free_func (g_free) };
  g_assert_true (gn_store_foreach (store, run, tally_one, &t, &error));
  g_assert_no_error (error);
  gn_store_close (store);
  g_free (path);
  if (run_out)
    *run_out = run;
  return t;
}

static void
tally_clear (Tally *t)
{
  g_hash_table_destroy (t->archs);
  g_ptr_array_free (t->crashed_archs, TRUE);
}

/* Three ranks finish the budget, with every evaluation distinct, as many
 * as a local run with the same budget; both worker ranks take part. */
static void
test_budget (void)
{
  const char *args[] = { "--proxy", "good", "--param", "delay=0.02",
                         "--budget", "40", "--seed", "5", "--no-cache",
                         "--mpi", NULL };
  GPtrArray *a = mpirun_argv (3);
  add_search (a, "mpi.db", args);
  char *err = NULL;
  g_assert_cmpint (run_cmd (a, &err), ==, 0);
  g_ptr_array_free (a, TRUE);

  /* "per rank: A B": both worker ranks evaluated (how evenly depends on
   * when each finished loading, so only the fact is asserted) */
  const char *spread = strstr (err, "per rank: ");
  g_assert_nonnull (spread);
  int r1 = 0, r2 = 0;
  g_assert_cmpint (sscanf (spread, "per rank: %d %d", &r1, &r2), ==, 2);
  g_test_message ("results per worker rank: %d %d", r1, r2);
  g_assert_cmpint (r1 + r2, ==, 40);
  g_assert_cmpint (r1, >=, 1);
  g_assert_cmpint (r2, >=, 1);
  g_free (err);

  const char *local_args[] = { "--proxy", "good", "--param", "delay=0.02",
                               "--budget", "40", "--seed", "5",
                               "--no-cache", "--workers", "2", NULL };
  a = g_ptr_array_new_with_free_func (g_free);
  add_search (a, "local.db", local_args);
  g_assert_cmpint (run_cmd (a, NULL), ==, 0);
  g_ptr_array_free (a, TRUE);

  Tally m = tally ("mpi.db", NULL), l = tally ("local.db", NULL);
  g_assert_cmpint (m.n, ==, 40);
  g_assert_cmpint (g_hash_table_size (m.archs), ==, 40);
  g_assert_cmpint (g_hash_table_size (m.archs), ==,
                   g_hash_table_size (l.archs));
  g_assert_cmpint (m.failed, ==, 0);
  g_assert_cmpint (m.cached, ==, 0);
  tally_clear (&m);
  tally_clear (&l);
}

/* A plugin that segfaults on a worker rank kills only that rank's
 * evaluation process: exactly the architectures it crashes on are
 * recorded as crashed, and the search finishes its budget. */
static void
test_crash_on_worker (void)
{
  const char *args[] = { "--proxy", "crashy", "--param",
                         "crash_on=avg_pool_3x3~2", "--budget", "40",
                         "--seed", "7", "--mpi", NULL };
  GPtrArray *a = mpirun_argv (3);
  add_search (a, "crash.db", args);
  char *err = NULL;
  g_assert_cmpint (run_cmd (a, &err), ==, 0);
  g_assert_nonnull (strstr (err, "crashed"));
  g_free (err);
  g_ptr_array_free (a, TRUE);

  Tally t = tally ("crash.db", NULL);
  g_assert_cmpint (t.n, ==, 40);
  g_assert_cmpint (t.crashed, >, 0);
  g_assert_cmpint (t.crashed, ==, t.failed);
  for (guint i = 0; i < t.crashed_archs->len; i++)
    g_assert_nonnull (strstr (t.crashed_archs->pdata[i], "avg_pool_3x3~2"));
  int expected = 0;
  GHashTableIter it;
  gpointer arch;
  g_hash_table_iter_init (&it, t.archs);
  while (g_hash_table_iter_next (&it, &arch, NULL))
    expected += strstr (arch, "avg_pool_3x3~2") != NULL;
  g_assert_cmpint (t.crashed, ==, expected);
  tally_clear (&t);
}

/* One rank has nobody to evaluate: a clear error, no search. */
static void
test_single_rank (void)
{
  const char *args[] = { "--proxy", "good", "--budget", "5", "--mpi", NULL };
  GPtrArray *a = mpirun_argv (1);
  add_search (a, "single.db", args);
  char *err = NULL;
  g_assert_cmpint (run_cmd (a, &err), !=, 0);
  g_assert_nonnull (strstr (err, "--mpi needs at least 2 ranks"));
  g_free (err);
  g_ptr_array_free (a, TRUE);
}

/* The pid of the process with OMPI_COMM_WORLD_RANK=@rank nearest below
 * @ancestor (the rank, not its evaluation process, which inherited the
 * same environment), or 0. */
static GPid
find_rank (GPid ancestor, int rank)
{
  char *want = g_strdup_printf ("OMPI_COMM_WORLD_RANK=%d", rank);
  GPid found = 0;
  int found_depth = G_MAXINT;
  GDir *proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  while (proc && (name = g_dir_read_name (proc)))
    {
      GPid pid = (GPid) atoi (name);
      if (pid <= 0)
        continue;
      /* walk up the parents to @ancestor */
      GPid p = pid;
      int depth = 0;
      for (; depth < 8 && p > 1 && p != ancestor; depth++)
        {
          char *stat = NULL, *path = g_strdup_printf ("/proc/%d/stat", p);
          gboolean ok = g_file_get_contents (path, &stat, NULL, NULL);
          g_free (path);
          const char *close = ok ? strrchr (stat, ')') : NULL;
          int ppid = 0;
          if (close == NULL || sscanf (close, ") %*c %d", &ppid) != 1)
            ppid = 0;
          g_free (stat);
          p = ppid;
        }
      if (p != ancestor || depth >= found_depth)
        continue;
      char *path = g_strdup_printf ("/proc/%d/environ", pid), *env = NULL;
      gsize len = 0;
      if (g_file_get_contents (path, &env, &len, NULL))
        for (gsize off = 0; off < len; off += strlen (env + off) + 1)
          if (strcmp (env + off, want) == 0)
            {
              found = pid;
              found_depth = depth;
            }
      g_free (env);
      g_free (path);
    }
  if (proc)
    g_dir_close (proc);
  g_free (want);
  return found;
}

/* A worker rank killed with SIGKILL ends the MPI job; --resume (again
 * with MPI) continues the run from the store: exactly its budget of
 * distinct evaluations, nothing lost or repeated. */
static void
test_rank_killed_then_resume (void)
{
  GError *error = NULL;
  const char *args[] = { "--proxy", "good", "--param", "delay=0.2",
                         "--budget", "60", "--seed", "3", "--mpi", NULL,
                         NULL };
  GPtrArray *a = mpirun_argv (3);
  add_search (a, "killed.db", args);
  GSubprocess *p = g_subprocess_newv ((const char *const *) a->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                      | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                      &error);
  g_assert_no_error (error);
  g_ptr_array_free (a, TRUE);
  GPid mpirun = (GPid) atoi (g_subprocess_get_identifier (p));

  /* some, not all, evaluations */
  char *db = g_build_filename (tmpdir, "killed.db", NULL);
  gint64 run, count;
  GnStore *store = store_wait_for_evals (db, 10, &run, &count);
  g_assert_cmpint (count, >=, 10);
  GPid victim = find_rank (mpirun, 1);
  g_assert_cmpint (victim, >, 0);
  g_assert_cmpint (kill (victim, SIGKILL), ==, 0);
  g_subprocess_wait (p, NULL, NULL);
  /* mpirun ends the whole job and says so */
  g_assert_false (g_subprocess_get_successful (p));
  g_object_unref (p);
  count = gn_store_count (store, run);
  g_assert_cmpint (count, <, 60);
  g_test_message ("%" G_GINT64_FORMAT " evaluations recorded when rank 1 "
                  "was killed", count);

  args[9] = "--resume";
  a = mpirun_argv (3);
  add_search (a, "killed.db", args);
  char *err = NULL;
  g_assert_cmpint (run_cmd (a, &err), ==, 0);
  g_assert_nonnull (strstr (err, "resuming run"));
  g_free (err);
  g_ptr_array_free (a, TRUE);

  gint64 latest;
  g_assert_true (gn_store_find_run (store, NULL, &latest, NULL, NULL));
  g_assert_cmpint (latest, ==, run);   /* the same run, continued */
  gn_store_close (store);
  Tally t = tally ("killed.db", NULL);
  g_assert_cmpint (t.n, ==, 60);
  g_assert_cmpint (g_hash_table_size (t.archs), ==, 60);
  g_assert_cmpint (t.failed, ==, 0);
  tally_clear (&t);
  g_free (db);
}

/* @path, a `gennas rank --csv` file, without its seconds column */
static char *
csv_without_seconds (const char *path)
{
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  GString *out = g_string_new (NULL);
  char **lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char **f = g_strsplit (*l, ",", -1);   /* the archs have no commas */
      for (guint i = 0; f[i]; i++)
        if (i != 4)
          g_string_append_printf (out, "%s%s", i ? "," : "", f[i]);
      g_string_append_c (out, '\n');
      g_strfreev (f);
    }
  g_strfreev (lines);
  g_free (text);
  return g_string_free (out, FALSE);
}

/* `gennas rank --mpi` evaluates its sample on the worker ranks through
 * the search's evaluator: a plugin crashing on a worker rank fails only
 * its architectures, and every score and status is the one a local rank
 * gets. */
static void
test_rank (void)
{
  char *mpi_csv = g_build_filename (tmpdir, "rank-mpi.csv", NULL);
  char *local_csv = g_build_filename (tmpdir, "rank-local.csv", NULL);
  const char *args[] = { "rank", space_path, "--proxy", "crashy", "--param",
                         "crash_on=avg_pool_3x3~2", "--sample", "30",
                         "--seed", "4", "--csv", mpi_csv, "--mpi", NULL };
  GPtrArray *a = mpirun_argv (3);
  g_ptr_array_add (a, g_strdup (gennas));
  for (const char **s = args; *s; s++)
    g_ptr_array_add (a, g_strdup (*s));
  g_ptr_array_add (a, NULL);
  char *err = NULL;
  g_assert_cmpint (run_cmd (a, &err), ==, 1);   /* some crashed */
  g_assert_nonnull (strstr (err, "gennas rank: MPI: 30 results"));
  g_assert_nonnull (strstr (err, "crashed"));
  g_free (err);
  g_ptr_array_free (a, TRUE);

  a = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (a, g_strdup (gennas));
  for (const char **s = args; *s; s++)
    g_ptr_array_add (a, g_strdup (*s == mpi_csv ? local_csv
                                  : strcmp (*s, "--mpi") == 0 ? "--workers=2"
                                  : *s));
  g_ptr_array_add (a, NULL);
  g_assert_cmpint (run_cmd (a, NULL), ==, 1);
  g_ptr_array_free (a, TRUE);

  char *m = csv_without_seconds (mpi_csv);
  char *l = csv_without_seconds (local_csv);
  g_assert_nonnull (strstr (m, ",crashed,"));
  g_assert_nonnull (strstr (m, ",ok,"));
  g_assert_cmpstr (m, ==, l);
  g_free (m);
  g_free (l);
  g_free (mpi_csv);
  g_free (local_csv);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
append_eval (const GnEval *e, gpointer user)
{
  g_ptr_array_add (user, g_strdup_printf ("%s %.17g %d", e->arch, e->score,
                                          (int) e->status));
  return TRUE;
}

/* Run @run of @db: "arch score status" per evaluation, sorted. */
static char *
run_evals (const char *db, gint64 run)
{
  GError *error = NULL;
  char *path = g_build_filename (tmpdir, db, NULL);
  GnStore *store = gn_store_open (path, &error);
  g_assert_no_error (error);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (gn_store_foreach (store, run, append_eval, lines, &error));
  g_assert_no_error (error);
  gn_store_close (store);
  g_free (path);
  g_ptr_array_sort (lines, compare_strings);
  g_ptr_array_add (lines, NULL);
  char *all = g_strjoinv ("\n", (char **) lines->pdata);
  g_ptr_array_free (lines, TRUE);
  return all;
}

/* A search with a warmup and a final stage, each with its own proxy
 * settings, under MPI: the worker ranks evaluate every stage with that
 * stage's proxy, and the three runs hold exactly what the same search on
 * two local workers records (the same seed and number of workers give
 * the same candidates), down to the last bit of every score. */
static void
test_stages (void)
{
  const char *args[] = { "--proxy", "good", "--param", "delay=0.01",
                         "--budget", "30", "--population", "10",
                         "--tournament", "3", "--seed", "3",
                         "--warmup", "40", "--warmup-proxy", "good",
                         "--warmup-param", "flag=true",
                         "--final", "5", "--final-param", "flag=true",
                         "--no-cache", "--mpi", NULL };
  GPtrArray *a = mpirun_argv (3);
  add_search (a, "stages-mpi.db", args);
  char *err = NULL;
  int status = run_cmd (a, &err);
  if (status != 0)
    g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "warmup: scoring 40 random candidates"));
  g_assert_nonnull (strstr (err, "final stage: re-scoring the 5 best"));
  g_free (err);
  g_ptr_array_free (a, TRUE);

  const char *local_args[G_N_ELEMENTS (args)];
  for (gsize i = 0; i < G_N_ELEMENTS (args); i++)
    local_args[i] = args[i] && strcmp (args[i], "--mpi") == 0
                    ? "--workers=2" : args[i];
  a = g_ptr_array_new_with_free_func (g_free);
  add_search (a, "stages-local.db", local_args);
  g_assert_cmpint (run_cmd (a, NULL), ==, 0);
  g_ptr_array_free (a, TRUE);

  /* run 1 the warmup (flag=true: negated scores), 2 the search, 3 the
   * final stage (negated again) */
  for (gint64 run = 1; run <= 3; run++)
    {
      char *m = run_evals ("stages-mpi.db", run);
      char *l = run_evals ("stages-local.db", run);
      int lines = 1;
      for (const char *c = m; *c; c++)
        lines += *c == '\n';
      g_assert_cmpint (lines, ==, run == 1 ? 40 : run == 2 ? 30 : 5);
      g_assert_cmpstr (m, ==, l);
      g_free (m);
      g_free (l);
    }
}

/* `gennas search --help` documents --mpi. */
static void
test_help (void)
{
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (a, g_strdup (gennas));
  g_ptr_array_add (a, g_strdup ("search"));
  g_ptr_array_add (a, g_strdup ("--help"));
  g_ptr_array_add (a, NULL);
  CliRun r = cli_run ((const char *const *) a->pdata, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "--mpi"));
  g_assert_nonnull (strstr (r.out, "mpirun"));
  cli_run_clear (&r);
  g_ptr_array_free (a, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  char *plugins = g_test_build_filename (G_TEST_BUILT, ".libs", NULL);
  g_setenv ("GENNAS_PROXY_PATH", plugins, TRUE);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_free (plugins);
  space_path = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                      "nb201.lua", NULL);
  gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas", NULL);
  tmpdir = g_dir_make_tmp ("gennas-mpi-XXXXXX", NULL);
  /* under AddressSanitizer: Open MPI's leaks are suppressed by library
   * (tests/lsan.supp), which needs full allocation stacks, as its own
   * libraries have no frame pointers */
  const char *asan = g_getenv ("ASAN_OPTIONS");
  char *opts = g_strdup_printf ("%s%sfast_unwind_on_malloc=0",
                                asan ? asan : "", asan && *asan ? ":" : "");
  g_setenv ("ASAN_OPTIONS", opts, TRUE);
  g_free (opts);

  g_test_add_func ("/mpi/help", test_help);
  g_test_add_func ("/mpi/single-rank", test_single_rank);
  g_test_add_func ("/mpi/budget", test_budget);
  g_test_add_func ("/mpi/crash-on-worker", test_crash_on_worker);
  g_test_add_func ("/mpi/rank-killed-then-resume",
                   test_rank_killed_then_resume);
  g_test_add_func ("/mpi/rank", test_rank);
  g_test_add_func ("/mpi/stages", test_stages);
  int status = g_test_run ();

  GDir *d = g_dir_open (tmpdir, 0, NULL);
  const char *f;
  while (d && (f = g_dir_read_name (d)))
    {
      char *p = g_build_filename (tmpdir, f, NULL);
      g_unlink (p);
      g_free (p);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (space_path);
  g_free (gennas);
  return status;
}
