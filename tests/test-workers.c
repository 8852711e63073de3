/* test-workers.c - worker processes survive crashing and hanging plugins
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"

#include <string.h>

static GnProxyContext *ctx;   /* the crashy proxy's: it reads nothing */

static GnProxy *
crashy (GnProxyRegistry *reg)
{
  GError *error = NULL;
  const GnProxyDesc *d = gn_proxy_registry_lookup (reg, "crashy", &error);
  g_assert_no_error (error);
  GnProxy *p = gn_proxy_new (d, ctx, NULL, &error);
  g_assert_no_error (error);
  return p;
}

static gboolean
work (gpointer user, const char *arch, GnProxyResult *result, GError **error)
{
  return gn_proxy_score (user, arch, result, error);
}

static void
run_one (GnWorkers *w, gint64 job, const char *arch, GnWorkerResult *out)
{
  GError *error = NULL;
  g_assert_true (gn_workers_submit (w, job, arch, &error));
  g_assert_no_error (error);
  g_assert_true (gn_workers_wait (w, 20000, out));
  g_assert_cmpint (out->job, ==, job);
}

static void
test_failures_are_contained (void)
{
  GError *error = NULL;
  GnProxyRegistry *reg = gn_proxy_registry_new ();
  GnProxy *proxy = crashy (reg);
  GnWorkers *w = gn_workers_new (2, work, proxy, 1.0, &error);
  g_assert_no_error (error);
  GnWorkerResult r;

  run_one (w, 1, "fine", &r);
  g_assert_cmpint (r.result.status, ==, GN_EVAL_OK);
  g_assert_cmpfloat (r.result.score, ==, 4.0);
  gn_worker_result_clear (&r);

  run_one (w, 2, "crash here", &r);
  g_assert_cmpint (r.result.status, ==, GN_EVAL_CRASHED);
  /* "killed by signal 11", or an exit status where a sanitizer catches
   * the fault first */
  g_assert_nonnull (strstr (r.message, "worker"));
  gn_worker_result_clear (&r);

  run_one (w, 3, "abort here", &r);
  g_assert_cmpint (r.result.status, ==, GN_EVAL_CRASHED);
  g_assert_nonnull (strstr (r.message, "worker"));
  gn_worker_result_clear (&r);

  run_one (w, 4, "hang here", &r);
  g_assert_cmpint (r.result.status, ==, GN_EVAL_TIMEOUT);
  g_assert_cmpfloat (r.seconds, >=, 1.0);
  gn_worker_result_clear (&r);

  run_one (w, 5, "an error", &r);
  g_assert_cmpint (r.result.status, ==, GN_EVAL_ERROR);
  g_assert_nonnull (strstr (r.message, "cannot score an error"));
  gn_worker_result_clear (&r);

  /* the pool is whole again and keeps working */
  g_assert_cmpint (gn_workers_n_restarts (w), ==, 3);
  g_assert_cmpint (gn_workers_n_idle (w), ==, 2);
  run_one (w, 6, "still fine", &r);
  g_assert_cmpint (r.result.status, ==, GN_EVAL_OK);
  g_assert_cmpfloat (r.result.score, ==, 10.0);
  gn_worker_result_clear (&r);

  gn_workers_free (w);
  gn_proxy_free (proxy);
  gn_proxy_registry_free (reg);
}

/* Several jobs in flight at once all come back, each exactly once. */
static void
test_parallel (void)
{
  GError *error = NULL;
  GnProxyRegistry *reg = gn_proxy_registry_new ();
  GnProxy *proxy = crashy (reg);
  GnWorkers *w = gn_workers_new (3, work, proxy, 0, &error);
  g_assert_no_error (error);
  enum { JOBS = 40 };
  gboolean seen[JOBS] = { FALSE };
  int submitted = 0, done = 0;
  while (done < JOBS)
    {
      while (submitted < JOBS && gn_workers_n_idle (w) > 0)
        {
          /* job j scores j + 1 (its length); every 7th crashes */
          char *arch = g_strnfill ((gsize) submitted + 1, 'a');
          if (submitted % 7 == 6)
            memcpy (arch, "crash", MIN (5, strlen (arch)));
          g_assert_true (gn_workers_submit (w, submitted, arch, &error));
          g_free (arch);
          submitted++;
        }
      GnWorkerResult r;
      g_assert_true (gn_workers_wait (w, -1, &r));
      g_assert_false (seen[r.job]);
      seen[r.job] = TRUE;
      if (r.job % 7 == 6)
        g_assert_cmpint (r.result.status, ==, GN_EVAL_CRASHED);
      else
        {
          g_assert_cmpint (r.result.status, ==, GN_EVAL_OK);
          g_assert_cmpfloat (r.result.score, ==, (double) r.job + 1);
        }
      gn_worker_result_clear (&r);
      done++;
    }
  g_assert_false (gn_workers_wait (w, 0, &(GnWorkerResult) { 0 }));
  gn_workers_free (w);
  gn_proxy_free (proxy);
  gn_proxy_registry_free (reg);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  char *dir = g_test_build_filename (G_TEST_BUILT, ".libs", NULL);
  g_setenv ("GENNAS_PROXY_PATH", dir, TRUE);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_free (dir);
  g_test_add_func ("/workers/failures-are-contained",
                   test_failures_are_contained);
  g_test_add_func ("/workers/parallel", test_parallel);
  ctx = gn_proxy_context_new (NULL, NULL, 1, NULL, NULL);
  int status = g_test_run ();
  gn_proxy_context_free (ctx);
  return status;
}
