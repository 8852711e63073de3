/* test-chaos.c - a search at its budget while its processes are killed
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * `gennas search` over spaces/nb201.lua with the test plugin "good"
 * (tests/plugins/broken.c: it scores the length of the architecture
 * string, after sleeping `delay` seconds, so that kills land in the
 * middle of a run).  Worker processes are killed with SIGKILL at random
 * while the search runs, then the coordinator itself, and the search is
 * resumed with --resume: the run must end with exactly its budget of
 * distinct architectures in the store, none evaluated twice, with one
 * failed ("crashed") evaluation at most per worker killed.  With one
 * worker and a seed, a search killed and resumed must pick what an
 * undisturbed search picks.
 *
 * Kills wait for the store to hold enough evaluations, never for a time;
 * the delays leave seconds between the last kill and the end of a run.
 */
#include "gennas.h"
#include "store-wait.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define BUDGET 30

static char *gennas, *space_path, *tmpdir;

/* The arguments of `gennas search` on "good" into @db, then @extra. */
static GPtrArray *
search_argv (const char *db, const char *delay, const char *workers,
             const char *const *extra)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *base[] = { gennas, "search", space_path, "--proxy", "good",
                         "--param", NULL, "--budget", NULL,
                         "--population", "10", "--tournament", "3",
                         "--workers", workers, "--seed", "5", "--db", db };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, g_strdup (base[i]));
  g_free (argv->pdata[6]);
  argv->pdata[6] = g_strdup_printf ("delay=%s", delay);
  g_free (argv->pdata[8]);
  argv->pdata[8] = g_strdup_printf ("%d", BUDGET);
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);
  return argv;
}

static GSubprocess *
spawn (GPtrArray *argv)
{
  GError *error = NULL;
  GSubprocess *p = g_subprocess_newv ((const char *const *) argv->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                      | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                      &error);
  g_assert_no_error (error);
  return p;
}

/* Waits for @p to exit by itself with status 0; returns its stdout's last
 * line ("best=ARCH score=X truth=Y evaluations=N"). */
static char *
finish (GSubprocess *p)
{
  GError *error = NULL;
  char *out = NULL;
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL,
                                                &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (p));
  g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
  g_strchomp (out);
  char *nl = strrchr (out, '\n');
  char *last = g_strdup (nl ? nl + 1 : out);
  g_free (out);
  g_assert_true (g_str_has_prefix (last, "best="));
  return last;
}

/* Kills @p with SIGKILL and reaps it: it must have been running. */
static void
kill_coordinator (GSubprocess *p)
{
  g_subprocess_force_exit (p);
  g_assert_true (g_subprocess_wait (p, NULL, NULL));
  g_assert_true (g_subprocess_get_if_signaled (p));
  g_assert_cmpint (g_subprocess_get_term_sig (p), ==, SIGKILL);
}

/* Returns: the processes whose parent is @parent (its workers). */
static GArray *
children_of (pid_t parent)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  GDir *proc = g_dir_open ("/proc", 0, NULL);
  g_assert_nonnull (proc);
  for (const char *name; (name = g_dir_read_name (proc)) != NULL; )
    {
      char *end;
      long pid = strtol (name, &end, 10);
      if (*end != '\0' || pid <= 0)
        continue;
      char *path = g_build_filename ("/proc", name, "stat", NULL);
      char *stat = NULL;
      /* "pid (comm) state ppid ...": comm may hold spaces and parens */
      if (g_file_get_contents (path, &stat, NULL, NULL))
        {
          const char *close = strrchr (stat, ')');
          char state;
          long ppid;
          if (close && sscanf (close + 1, " %c %ld", &state, &ppid) == 2
              && ppid == (long) parent && state != 'Z')
            {
              pid_t child = (pid_t) pid;
              g_array_append_val (pids, child);
            }
        }
      g_free (stat);
      g_free (path);
    }
  g_dir_close (proc);
  return pids;
}

/* SIGKILLs one of @coordinator's workers, chosen at random; returns
 * whether there was one to kill. */
static gboolean
kill_a_worker (GSubprocess *coordinator)
{
  pid_t parent = (pid_t) atol (g_subprocess_get_identifier (coordinator));
  GArray *workers = children_of (parent);
  gboolean killed = FALSE;
  if (workers->len > 0)
    {
      pid_t victim = g_array_index (workers, pid_t,
                                    g_test_rand_int_range (0, (gint32)
                                                           workers->len));
      killed = kill (victim, SIGKILL) == 0;
      g_test_message ("killed worker %ld of %u", (long) victim,
                      workers->len);
    }
  g_array_free (workers, TRUE);
  return killed;
}

/* Waits until @store's latest run holds @n evaluations. */
static void
wait_for (GnStore **store, const char *db, gint64 n, gint64 *run)
{
  gint64 count = 0;
  if (*store == NULL)
    *store = store_wait_for_evals (db, n, run, &count);
  else
    for (int i = 0; i < 6000 && count < n; i++)
      {
        count = gn_store_count (*store, *run);
        if (count < n)
          g_usleep (20000);
      }
  g_assert_nonnull (*store);
  g_assert_cmpint (gn_store_count (*store, *run), >=, n);
}

typedef struct {
  GHashTable *archs;
  GPtrArray *order;
  int crashed, other_failures;
} Rows;

static gboolean
collect (const GnEval *e, gpointer user)
{
  Rows *r = user;
  g_assert_true (g_hash_table_add (r->archs, g_strdup (e->arch)));
  g_ptr_array_add (r->order, g_strdup (e->arch));
  if (e->status == GN_EVAL_CRASHED)
    r->crashed++;
  else if (e->status != GN_EVAL_OK)
    r->other_failures++;
  return TRUE;
}

/* The rows of @run, each architecture once (asserted). */
static Rows
rows_of (GnStore *store, gint64 run)
{
  GError *error = NULL;
  Rows r = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
             g_ptr_array_new_with_free_func (g_free), 0, 0 };
  g_assert_true (gn_store_foreach (store, run, collect, &r, &error));
  g_assert_no_error (error);
  return r;
}

static void
rows_clear (Rows *r)
{
  g_hash_table_destroy (r->archs);
  g_ptr_array_free (r->order, TRUE);
}

/* Three workers, three of them killed at random while the search runs,
 * then the coordinator; resumed, and one more worker killed: exactly the
 * budget of distinct evaluations, in the same run, each crash one row. */
static void
test_kill_workers_and_coordinator (void)
{
  char *db = g_build_filename (tmpdir, "chaos.db", NULL);
  GPtrArray *argv = search_argv (db, "0.3", "3", NULL);
  GnStore *store = NULL;
  gint64 run = -1, latest;
  int kills = 0;

  GSubprocess *p = spawn (argv);
  for (int k = 1; k <= 3; k++)
    {
      wait_for (&store, db, 3 * k, &run);
      kills += kill_a_worker (p);
    }
  wait_for (&store, db, 12, &run);
  kill_coordinator (p);
  g_object_unref (p);
  gint64 before = gn_store_count (store, run);
  g_assert_cmpint (before, <, BUDGET);

  g_ptr_array_free (argv, TRUE);
  const char *resume[] = { "--resume", NULL };
  argv = search_argv (db, "0.3", "3", resume);
  p = spawn (argv);
  wait_for (&store, db, before + 3, &run);
  kills += kill_a_worker (p);
  char *last = finish (p);
  g_object_unref (p);

  g_assert_true (gn_store_find_run (store, NULL, &latest, NULL, NULL));
  g_assert_cmpint (latest, ==, run);   /* the same run, continued */
  Rows r = rows_of (store, run);
  g_assert_cmpuint (r.order->len, ==, BUDGET);
  g_assert_cmpuint (g_hash_table_size (r.archs), ==, BUDGET);
  g_assert_cmpint (r.crashed, <=, kills);
  g_assert_cmpint (r.other_failures, ==, 0);
  g_assert_nonnull (strstr (last, " evaluations=30"));
  g_test_message ("%d workers killed, %d evaluations crashed, %"
                  G_GINT64_FORMAT " recorded before the coordinator was "
                  "killed", kills, r.crashed, before);

  rows_clear (&r);
  g_free (last);
  gn_store_close (store);
  g_ptr_array_free (argv, TRUE);
  g_free (db);
}

/* One worker and a seed: a search killed and resumed picks what an
 * undisturbed one does. */
static void
test_resume_deterministic (void)
{
  char *ref_db = g_build_filename (tmpdir, "undisturbed.db", NULL);
  char *db = g_build_filename (tmpdir, "resumed.db", NULL);
  GPtrArray *ref_argv = search_argv (ref_db, "0.1", "1", NULL);
  GPtrArray *argv = search_argv (db, "0.1", "1", NULL);
  const char *resume[] = { "--resume", NULL };
  GPtrArray *resume_argv = search_argv (db, "0.1", "1", resume);
  GnStore *store = NULL;
  gint64 run = -1;
  GError *error = NULL;

  GSubprocess *p = spawn (ref_argv);
  char *expected = finish (p);
  g_object_unref (p);

  p = spawn (argv);
  wait_for (&store, db, 10, &run);
  kill_coordinator (p);
  g_object_unref (p);
  p = spawn (resume_argv);
  char *got = finish (p);
  g_object_unref (p);

  Rows r = rows_of (store, run);
  g_assert_cmpuint (r.order->len, ==, BUDGET);
  GnStore *ref = gn_store_open (ref_db, &error);
  g_assert_no_error (error);
  gint64 ref_run;
  g_assert_true (gn_store_find_run (ref, NULL, &ref_run, NULL, NULL));
  Rows want = rows_of (ref, ref_run);
  guint same = 0;
  while (same < BUDGET
         && strcmp (r.order->pdata[same], want.order->pdata[same]) == 0)
    same++;

  if (strcmp (got, expected) != 0)
    {
      char *why = g_strdup_printf ("resuming does not reproduce the "
                                   "undisturbed search yet: it picked '%s', "
                                   "the undisturbed one '%s' (the first %u "
                                   "of %d evaluations agree)", got,
                                   expected, same, BUDGET);
      g_test_incomplete (why);
      g_free (why);
    }
  else
    g_test_message ("the first %u of %d evaluations agree", same, BUDGET);

  rows_clear (&r);
  rows_clear (&want);
  gn_store_close (ref);
  gn_store_close (store);
  g_free (got);
  g_free (expected);
  g_ptr_array_free (resume_argv, TRUE);
  g_ptr_array_free (argv, TRUE);
  g_ptr_array_free (ref_argv, TRUE);
  g_free (db);
  g_free (ref_db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  char *plugins = g_test_build_filename (G_TEST_BUILT, ".libs", NULL);
  g_setenv ("GENNAS_PROXY_PATH", plugins, TRUE);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_free (plugins);
  gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                  NULL);
  space_path = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                      "nb201.lua", NULL);
  tmpdir = g_dir_make_tmp ("gennas-chaos-XXXXXX", NULL);

  g_test_add_func ("/chaos/kill-workers-and-coordinator",
                   test_kill_workers_and_coordinator);
  g_test_add_func ("/chaos/resume-deterministic", test_resume_deterministic);
  int status = g_test_run ();

  GDir *d = g_dir_open (tmpdir, 0, NULL);
  for (const char *f; d && (f = g_dir_read_name (d)) != NULL; )
    {
      char *path = g_build_filename (tmpdir, f, NULL);
      g_unlink (path);
      g_free (path);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (space_path);
  g_free (gennas);
  return status;
}
