/* test-search.c - evolution and random search, driven, stored and resumed
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Runs real searches over spaces/nb201.lua with the test plugins of
 * tests/plugins/broken.c ("good" scores the length of the architecture
 * string, so the best NB201 cells are those without a `none` edge), in
 * worker processes, into a temporary store; and one through the `gennas`
 * command, killed with SIGKILL and resumed.
 */
#include "gennas.h"
#include "run-cli.h"
#include "store-wait.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static char *space_path, *tmpdir;

typedef struct {
  GnSpace *space;
  GnProxyRegistry *reg;
  GnProxy *proxy;
  GnProxyContext *ctx;
  GnStore *store;
  char *config_hash;
} Env;

static gboolean
work (gpointer user, const char *arch, GnProxyResult *r, GError **error)
{
  return gn_proxy_score (user, arch, r, error);
}

/* @options: (nullable): the build options of the proxy's context */
static void
env_open_full (Env *e, const char *proxy, const char *const *params,
               const char *const *options, const char *db)
{
  GError *error = NULL;
  e->space = gn_space_load (space_path, &error);
  g_assert_no_error (error);
  e->reg = gn_proxy_registry_new ();
  const GnProxyDesc *d = gn_proxy_registry_lookup (e->reg, proxy, &error);
  g_assert_no_error (error);
  e->ctx = gn_proxy_context_new (e->space, NULL, 1, options, &error);
  g_assert_no_error (error);
  e->proxy = gn_proxy_new (d, e->ctx, params, &error);
  g_assert_no_error (error);
  char *path = g_build_filename (tmpdir, db, NULL);
  e->store = gn_store_open (path, &error);
  g_assert_no_error (error);
  g_free (path);
  e->config_hash = gn_store_config_hash (gn_proxy_config (e->proxy));
}

static void
env_open (Env *e, const char *proxy, const char *const *params,
          const char *db)
{
  env_open_full (e, proxy, params, NULL, db);
}

static void
env_close (Env *e)
{
  gn_store_close (e->store);
  gn_proxy_free (e->proxy);
  gn_proxy_context_free (e->ctx);
  gn_proxy_registry_free (e->reg);
  gn_space_free (e->space);
  g_free (e->config_hash);
}

/* Runs a search into a new (or given) run; returns the run id. */
static gint64
run_search (Env *e, const GnSearchConfig *cfg, int budget, int workers,
            gboolean cache, GnSearch **out)
{
  GError *error = NULL;
  GnSearch *s = gn_search_new (e->space, cfg, &error);
  g_assert_no_error (error);
  gint64 run;
  g_assert_true (gn_store_new_run (e->store, "{}", "test", 0, &run, &error));
  GnWorkers *w = gn_workers_new (workers, work, e->proxy, 0, &error);
  g_assert_no_error (error);
  GnSearchDrive d = { .store = e->store, .run = run, .space_name = "nb201",
                      .proxy_name = gn_proxy_desc (e->proxy)->name,
                      .config_hash = e->config_hash, .seed = 1,
                      .budget = budget, .use_cache = cache };
  GnEvaluator ev = gn_workers_evaluator (w);
  g_assert_true (gn_search_drive (s, &ev, &d, &error));
  g_assert_no_error (error);
  gn_workers_free (w);
  if (out)
    *out = s;
  else
    gn_search_free (s);
  return run;
}

typedef struct {
  GPtrArray *archs;
  GArray *scores;
  int cached, failed;
} Collect;

static gboolean
collect (const GnEval *e, gpointer user)
{
  Collect *c = user;
  g_ptr_array_add (c->archs, g_strdup (e->arch));
  g_array_append_val (c->scores, e->score);
  c->cached += e->cached;
  c->failed += e->status != GN_EVAL_OK;
  return TRUE;
}

static Collect
collect_run (GnStore *store, gint64 run)
{
  Collect c = { g_ptr_array_new_with_free_func (g_free),
                g_array_new (FALSE, FALSE, sizeof (double)), 0, 0 };
  GError *error = NULL;
  g_assert_true (gn_store_foreach (store, run, collect, &c, &error));
  g_assert_no_error (error);
  return c;
}

static void
collect_clear (Collect *c)
{
  g_ptr_array_free (c->archs, TRUE);
  g_array_free (c->scores, TRUE);
}

/* The index of the best of @c's evaluations not yet @used, as a search
 * hands its next stage its best: the highest score, and among equal
 * scores the architecture whose string sorts first (whatever order the
 * results came in).  Marks it used. */
static int
take_best (const Collect *c, int *used)
{
  int best = -1;
  for (guint i = 0; i < c->archs->len; i++)
    {
      if (used[i])
        continue;
      double si = g_array_index (c->scores, double, i);
      if (best < 0 || si > g_array_index (c->scores, double, best)
          || (si == g_array_index (c->scores, double, best)
              && strcmp (c->archs->pdata[i], c->archs->pdata[best]) < 0))
        best = (int) i;
    }
  used[best] = 1;
  return best;
}

static void
assert_distinct (GPtrArray *archs)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < archs->len; i++)
    g_assert_true (g_hash_table_add (set, archs->pdata[i]));
  g_hash_table_destroy (set);
}

static const GnSearchConfig rea = { .algo = GN_SEARCH_REA, .population = 10,
                                    .tournament = 3, .seed = 7 };

/* One worker and a seed reproduce a run exactly; the run has exactly its
 * budget of distinct architectures. */
static void
test_reproducible (void)
{
  Env a, b;
  env_open (&a, "good", NULL, "repro-a.db");
  env_open (&b, "good", NULL, "repro-b.db");
  gint64 ra = run_search (&a, &rea, 40, 1, FALSE, NULL);
  gint64 rb = run_search (&b, &rea, 40, 1, FALSE, NULL);
  Collect ca = collect_run (a.store, ra), cb = collect_run (b.store, rb);
  g_assert_cmpuint (ca.archs->len, ==, 40);
  g_assert_cmpuint (cb.archs->len, ==, 40);
  for (guint i = 0; i < 40; i++)
    g_assert_cmpstr (ca.archs->pdata[i], ==, cb.archs->pdata[i]);
  assert_distinct (ca.archs);
  collect_clear (&ca);
  collect_clear (&cb);
  env_close (&a);
  env_close (&b);
}

/* An evaluator of W simulated workers whose results come back in an
 * order drawn from its own seed (any busy job may finish next), each
 * scored by a fixed function of the architecture: what real workers do
 * when evaluations take varying times. */
typedef struct {
  int workers;
  GRand *order;
  GArray *jobs;       /* gint64 */
  GPtrArray *archs;   /* char*, by position in jobs */
  GPtrArray *proposed;  /* char*, every submission in order */
} Shuffled;

static int
shuffled_idle (gpointer self)
{
  Shuffled *sh = self;
  return sh->workers - (int) sh->jobs->len;
}

static int
shuffled_busy (gpointer self)
{
  return (int) ((Shuffled *) self)->jobs->len;
}

static gboolean
shuffled_submit (gpointer self, gint64 job, const char *arch, GError **error)
{
  Shuffled *sh = self;
  (void) error;
  g_array_append_val (sh->jobs, job);
  g_ptr_array_add (sh->archs, g_strdup (arch));
  g_ptr_array_add (sh->proposed, g_strdup (arch));
  return TRUE;
}

static gboolean
shuffled_wait (gpointer self, int timeout_ms, GnWorkerResult *out)
{
  Shuffled *sh = self;
  (void) timeout_ms;
  g_assert_cmpuint (sh->jobs->len, >, 0);
  guint i = (guint) g_rand_int_range (sh->order, 0, (gint32) sh->jobs->len);
  char *arch = sh->archs->pdata[i];
  memset (out, 0, sizeof *out);
  out->job = g_array_index (sh->jobs, gint64, i);
  /* fewer `none` edges score higher, ties broken by a hash */
  double score = 0;
  for (const char *p = arch; (p = strstr (p, "none")) != NULL; p++)
    score -= 1;
  out->result.score = score + (g_str_hash (arch) % 1000) * 1e-4;
  out->result.status = GN_EVAL_OK;
  out->result.loss = -out->result.score;
  out->seconds = 1;
  g_array_remove_index (sh->jobs, i);
  g_free (g_ptr_array_steal_index (sh->archs, i));
  return TRUE;
}

/* The candidates a 3-worker search proposes, with results coming back in
 * the order @order_seed draws. */
static GPtrArray *
shuffled_search (Env *e, const GnSearchConfig *cfg, gboolean in_order,
                 guint32 order_seed)
{
  GError *error = NULL;
  GnSearch *s = gn_search_new (e->space, cfg, &error);
  g_assert_no_error (error);
  gint64 run;
  g_assert_true (gn_store_new_run (e->store, "{}", "test", 0, &run, &error));
  Shuffled sh = { 3, g_rand_new_with_seed (order_seed),
                  g_array_new (FALSE, FALSE, sizeof (gint64)),
                  g_ptr_array_new_with_free_func (g_free),
                  g_ptr_array_new_with_free_func (g_free) };
  GnEvaluator ev = { &sh, shuffled_idle, shuffled_busy, shuffled_submit,
                     shuffled_wait };
  GnSearchDrive d = { .store = e->store, .run = run, .space_name = "nb201",
                      .proxy_name = "shuffled", .config_hash = "x",
                      .seed = 1, .budget = 60, .in_order = in_order };
  g_assert_true (gn_search_drive (s, &ev, &d, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gn_search_n_counted (s), ==, 60);
  g_assert_cmpuint (sh.jobs->len, ==, 0);
  gn_search_free (s);
  g_rand_free (sh.order);
  g_array_unref (sh.jobs);
  g_ptr_array_unref (sh.archs);
  return sh.proposed;
}

/* Several workers and a seed reproduce a search when results join in
 * proposal order, whichever evaluation finishes first; without that,
 * the order changes what evolution proposes. */
static void
test_reproducible_workers (void)
{
  Env e;
  env_open (&e, "good", NULL, "repro-workers.db");
  /* evolution, and random search (which has no population to lag:
   * it proposes while earlier results are out, as the warmup does) */
  const GnSearchConfig rnd = { .algo = GN_SEARCH_RANDOM, .seed = 7 };
  const GnSearchConfig *cfgs[] = { &rea, &rnd };
  for (int c = 0; c < 2; c++)
    {
      GPtrArray *first = shuffled_search (&e, cfgs[c], TRUE, 1);
      g_assert_cmpuint (first->len, ==, 60);
      assert_distinct (first);
      for (guint32 seed = 2; seed <= 4; seed++)
        {
          GPtrArray *again = shuffled_search (&e, cfgs[c], TRUE, seed);
          g_assert_cmpuint (again->len, ==, first->len);
          for (guint i = 0; i < first->len; i++)
            g_assert_cmpstr (again->pdata[i], ==, first->pdata[i]);
          g_ptr_array_unref (again);
        }
      g_ptr_array_unref (first);
    }
  /* evolution without in_order: some completion order changes it */
  gboolean differs = FALSE;
  for (guint32 seed = 1; seed <= 4 && !differs; seed++)
    {
      GPtrArray *a = shuffled_search (&e, &rea, FALSE, seed);
      GPtrArray *b = shuffled_search (&e, &rea, FALSE, seed + 100);
      for (guint i = 0; i < MIN (a->len, b->len) && !differs; i++)
        differs = strcmp (a->pdata[i], b->pdata[i]) != 0;
      g_ptr_array_unref (a);
      g_ptr_array_unref (b);
    }
  g_assert_true (differs);
  env_close (&e);
}

/* Evolution climbs: on "good" (longer strings are better: fewer `none`
 * edges) its later half beats random search's, and it finds the optimum
 * (no none at all) well within the budget. */
static void
test_evolution_climbs (void)
{
  Env e;
  env_open (&e, "good", NULL, "climb.db");
  GnSearch *s = NULL;
  GnSearchConfig cfg = rea;
  cfg.population = 20;
  cfg.tournament = 5;
  run_search (&e, &cfg, 120, 2, FALSE, &s);
  const char *best;
  double score;
  g_assert_true (gn_search_best (s, &best, &score));
  g_assert_null (strstr (best, "none"));
  gn_search_free (s);

  GnSearchConfig rnd = { .algo = GN_SEARCH_RANDOM, .seed = 7 };
  gint64 r1 = run_search (&e, &cfg, 120, 1, FALSE, NULL);
  gint64 r2 = run_search (&e, &rnd, 120, 1, FALSE, NULL);
  Collect c1 = collect_run (e.store, r1), c2 = collect_run (e.store, r2);
  double late_rea = 0, late_rnd = 0;
  for (guint i = 60; i < 120; i++)
    {
      late_rea += strlen (c1.archs->pdata[i]);
      late_rnd += strlen (c2.archs->pdata[i]);
    }
  g_assert_cmpfloat (late_rea, >, late_rnd);
  collect_clear (&c1);
  collect_clear (&c2);
  env_close (&e);
}

static gboolean
restore_into (const GnEval *ev, gpointer user)
{
  gn_search_restore (user, ev->arch, ev->score,
                     !gn_eval_status_scored (ev->status));
  return TRUE;
}

/* A run stopped after 25 evaluations and resumed reaches its budget of
 * 50 with no architecture evaluated twice. */
static void
test_resume (void)
{
  Env e;
  GError *error = NULL;
  env_open (&e, "good", NULL, "resume.db");
  gint64 run = run_search (&e, &rea, 25, 2, FALSE, NULL);
  g_assert_cmpint (gn_store_count (e.store, run), ==, 25);

  GnSearch *s = gn_search_new (e.space, &rea, &error);
  g_assert_true (gn_store_foreach (e.store, run, restore_into, s, &error));
  gn_search_restored (s);
  g_assert_cmpint (gn_search_n_counted (s), ==, 25);
  GnWorkers *w = gn_workers_new (2, work, e.proxy, 0, &error);
  GnSearchDrive d = { .store = e.store, .run = run, .space_name = "nb201",
                      .proxy_name = "good", .config_hash = e.config_hash,
                      .seed = 1, .budget = 50 };
  GnEvaluator ev = gn_workers_evaluator (w);
  g_assert_true (gn_search_drive (s, &ev, &d, &error));
  g_assert_no_error (error);
  gn_workers_free (w);
  gn_search_free (s);
  Collect c = collect_run (e.store, run);
  g_assert_cmpuint (c.archs->len, ==, 50);
  assert_distinct (c.archs);
  collect_clear (&c);
  env_close (&e);
}

/* A second identical run computes nothing: every score is a cache hit;
 * without the cache it computes them all again. */
static void
test_cache (void)
{
  Env e;
  env_open (&e, "good", NULL, "cache.db");
  gint64 r1 = run_search (&e, &rea, 30, 1, TRUE, NULL);
  gint64 r2 = run_search (&e, &rea, 30, 1, TRUE, NULL);
  gint64 r3 = run_search (&e, &rea, 30, 1, FALSE, NULL);
  Collect c1 = collect_run (e.store, r1), c2 = collect_run (e.store, r2),
          c3 = collect_run (e.store, r3);
  g_assert_cmpint (c1.cached, ==, 0);
  g_assert_cmpint (c2.cached, ==, 30);
  g_assert_cmpint (c3.cached, ==, 0);
  for (guint i = 0; i < 30; i++)
    g_assert_cmpstr (c1.archs->pdata[i], ==, c2.archs->pdata[i]);
  collect_clear (&c1);
  collect_clear (&c2);
  collect_clear (&c3);
  env_close (&e);
}

/* The build options are part of a score's identity: the same search
 * with other options reuses nothing, with the same ones (however spelt)
 * everything. */
static void
test_cache_build_options (void)
{
  const char *n2[] = { "N=2", NULL }, *n3[] = { "N=3", NULL };
  const char *n2_again[] = { "N=1", "N=2", NULL };
  Env a, b, c;
  env_open_full (&a, "good", NULL, n2, "options.db");
  env_open_full (&b, "good", NULL, n3, "options.db");
  env_open_full (&c, "good", NULL, n2_again, "options.db");
  g_assert_cmpstr (a.config_hash, !=, b.config_hash);
  g_assert_cmpstr (a.config_hash, ==, c.config_hash);
  gint64 r1 = run_search (&a, &rea, 20, 1, TRUE, NULL);
  gint64 r2 = run_search (&b, &rea, 20, 1, TRUE, NULL);
  gint64 r3 = run_search (&c, &rea, 20, 1, TRUE, NULL);
  Collect c1 = collect_run (a.store, r1), c2 = collect_run (a.store, r2),
          c3 = collect_run (a.store, r3);
  g_assert_cmpint (c1.cached, ==, 0);
  g_assert_cmpint (c2.cached, ==, 0);   /* the same cells, other options */
  g_assert_cmpint (c3.cached, ==, 20);
  for (guint i = 0; i < 20; i++)
    {
      g_assert_cmpstr (c1.archs->pdata[i], ==, c2.archs->pdata[i]);
      g_assert_cmpstr (c1.archs->pdata[i], ==, c3.archs->pdata[i]);
    }
  collect_clear (&c1);
  collect_clear (&c2);
  collect_clear (&c3);
  env_close (&c);
  env_close (&b);
  env_close (&a);
}

/* A plugin that segfaults on some architectures does not stop the search:
 * those evaluations are recorded as crashed.  With the resample policy
 * they do not count toward the budget. */
static void
test_crashing_plugin (void)
{
  const char *params[] = { "crash_on=avg_pool_3x3~2", NULL };
  Env e;
  env_open (&e, "crashy", params, "crash.db");
  gint64 run = run_search (&e, &rea, 40, 2, FALSE, NULL);
  Collect c = collect_run (e.store, run);
  g_assert_cmpuint (c.archs->len, ==, 40);
  g_assert_cmpint (c.failed, >, 0);
  for (guint i = 0; i < c.archs->len; i++)
    if (strstr (c.archs->pdata[i], "avg_pool_3x3~2"))
      c.failed--;
  g_assert_cmpint (c.failed, ==, 0);   /* exactly those crashed */
  collect_clear (&c);

  GnSearchConfig resample = rea;
  resample.on_failure = GN_FAILURE_RESAMPLE;
  run = run_search (&e, &resample, 40, 2, FALSE, NULL);
  c = collect_run (e.store, run);
  g_assert_cmpint (c.failed, >, 0);
  g_assert_cmpuint (c.archs->len - (guint) c.failed, ==, 40);
  collect_clear (&c);
  env_close (&e);
}

/* `gennas search` killed with SIGKILL in the middle, then resumed, ends
 * with exactly its budget of distinct evaluations in the store. */
static void
test_kill_and_resume (void)
{
  GError *error = NULL;
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "killed.db", NULL);
  const char *argv[] = { gennas, "search", space_path, "--proxy", "good",
                         "--param", "delay=0.3", "--budget", "60",
                         "--workers", "2", "--seed", "3", "--db", db, NULL,
                         NULL };

  GSubprocessLauncher *l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  GSubprocess *p = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);

  /* some, not all, evaluations: 0.3 s each leaves seconds between the
   * 15th result and the last */
  gint64 run, count;
  GnStore *store = store_wait_for_evals (db, 15, &run, &count);
  g_assert_cmpint (count, >=, 15);
  g_subprocess_force_exit (p);   /* SIGKILL */
  g_subprocess_wait (p, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (p));
  g_assert_cmpint (g_subprocess_get_term_sig (p), ==, SIGKILL);
  g_object_unref (p);
  count = gn_store_count (store, run);
  g_assert_cmpint (count, <, 60);

  argv[15] = "--resume";
  p = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (p, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (p);

  gint64 latest;
  g_assert_true (gn_store_find_run (store, NULL, &latest, NULL, NULL));
  g_assert_cmpint (latest, ==, run);   /* the same run, continued */
  Collect c = collect_run (store, run);
  g_assert_cmpuint (c.archs->len, ==, 60);
  assert_distinct (c.archs);
  collect_clear (&c);
  gn_store_close (store);
  g_object_unref (l);
  g_free (db);
  g_free (gennas);
}

/* One process drives a run at a time: a --resume while the run's own
 * process is still at work fails at once with a line naming that
 * process, and touches nothing; once the process is gone (killed: the
 * kernel drops its lock), --resume continues the run. */
static void
test_resume_locked (void)
{
  GError *error = NULL;
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "locked.db", NULL);
  const char *argv[] = { gennas, "search", space_path, "--proxy", "good",
                         "--param", "delay=0.2", "--budget", "200",
                         "--workers", "1", "--seed", "3", "--db", db, NULL,
                         NULL };
  GSubprocessLauncher *l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  GSubprocess *first = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);
  gint64 run, count;
  GnStore *store = store_wait_for_evals (db, 2, &run, &count);
  g_assert_nonnull (store);

  argv[15] = "--resume";
  CliRun r = cli_run (argv, NULL);
  g_assert_cmpint (r.status, ==, 1);
  char *want = g_strdup_printf ("gennas search: run %" G_GINT64_FORMAT " of "
                                "%s is being run by process %s; wait for it "
                                "to end (or stop it) before resuming\n", run,
                                db, g_subprocess_get_identifier (first));
  g_assert_true (g_str_has_suffix (r.err, want));
  g_assert_null (strstr (r.err, "resuming run"));
  cli_run_clear (&r);
  g_free (want);

  g_subprocess_force_exit (first);   /* SIGKILL: no chance to clean up */
  g_subprocess_wait (first, NULL, NULL);
  g_object_unref (first);
  count = gn_store_count (store, run);
  argv[8] = "2";   /* the budget: already reached, nothing to evaluate */
  r = cli_run (argv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  char *resuming = g_strdup_printf ("resuming run %" G_GINT64_FORMAT, run);
  g_assert_nonnull (strstr (r.err, resuming));
  g_assert_cmpint (gn_store_count (store, run), ==, count);
  cli_run_clear (&r);
  g_free (resuming);
  gn_store_close (store);
  g_object_unref (l);
  g_free (db);
  g_free (gennas);
}

static gboolean
seed_of (const GnEval *e, gpointer user)
{
  gint64 *seed = user;
  g_assert_true (*seed < 0 || *seed == e->seed);   /* one per run */
  *seed = e->seed;
  return TRUE;
}

/* Runs @argv (NULL-terminated); returns its stdout and exit status. */
static char *
run_stdout (const char *const *argv, int *exit_status)
{
  CliRun r = cli_run (argv, NULL);
  *exit_status = r.status;
  g_free (r.err);
  return r.out;
}

/* Runs `gennas search SPACE` (@space, or NULL for spaces/nb201.lua) on
 * "good" with @extra arguments after a base set (later options override
 * earlier ones); returns its stdout. */
static char *
search_cli (const char *gennas, const char *space, const char *db,
            const char *const *extra, int *exit_status)
{
  GPtrArray *argv = g_ptr_array_new ();
  const char *base[] = { gennas, "search", space ? space : space_path,
                         "--proxy", "good",
                         "--budget", "30", "--population", "10",
                         "--tournament", "3", "--workers", "2", "--seed", "3",
                         "--db", db };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, (gpointer) base[i]);
  for (int i = 0; extra[i]; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  char *out = run_stdout ((const char *const *) argv->pdata, exit_status);
  g_ptr_array_free (argv, TRUE);
  return out;
}

/* @args, then @more (both NULL-terminated), as one NULL-terminated array
 * of the same strings; free with g_free(). */
static const char **
args_and (const char *const *args, const char *const *more)
{
  GPtrArray *a = g_ptr_array_new ();
  for (; *args; args++)
    g_ptr_array_add (a, (gpointer) *args);
  for (; *more; more++)
    g_ptr_array_add (a, (gpointer) *more);
  g_ptr_array_add (a, NULL);
  return (const char **) g_ptr_array_free (a, FALSE);
}

/* Runs the search with @args and --max-seconds 1, which stops it before
 * its end: status 1 and a last line with no best after @evaluations of
 * the search's.  Returns: (transfer full): the store, opened. */
static GnStore *
search_out_of_time (const char *gennas, const char *db,
                    const char *const *args, int evaluations)
{
  const char *more[] = { "--max-seconds", "1", NULL };
  const char **timed = args_and (args, more);
  int status;
  char *out = search_cli (gennas, NULL, db, timed, &status);
  g_assert_cmpint (status, ==, 1);
  char *last = g_strdup_printf ("best=none score=nan truth=nan "
                                "evaluations=%d\n", evaluations);
  g_assert_true (g_str_has_suffix (out, last));
  g_free (last);
  g_free (out);
  g_free (timed);
  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  return store;
}

/* The same search resumed without the limit: it finishes (status 0).
 * Returns: (transfer full): its standard output. */
static char *
search_resumed (const char *gennas, const char *db, const char *const *args)
{
  const char *more[] = { "--resume", NULL };
  const char **resumed = args_and (args, more);
  int status;
  char *out = search_cli (gennas, NULL, db, resumed, &status);
  g_assert_cmpint (status, ==, 0);
  g_free (resumed);
  return out;
}

/* Returns: (transfer full): run @run's configuration in @store, parsed
 * (it must be a JSON object). */
static JsonObject *
run_config_of (GnStore *store, gint64 run, gint64 *parent)
{
  GError *error = NULL;
  char *text = NULL;
  g_assert_true (gn_store_get_run (store, run, &text, parent, &error));
  g_assert_no_error (error);
  JsonNode *root = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  JsonObject *config = json_object_ref (json_node_get_object (root));
  json_node_unref (root);
  g_free (text);
  return config;
}

/* The seed of `gennas search DB --seed S [--task-seed T]`'s latest run as
 * recorded: the key its scores are cached under. */
static gint64
recorded_seed (const char *gennas, const char *db, const char *search_seed,
               const char *task_seed)
{
  GError *error = NULL;
  const char *extra[] = { "--budget", "4", "--workers", "1", "--seed",
                          search_seed, task_seed ? "--task-seed" : NULL,
                          task_seed, NULL };
  int status;
  g_free (search_cli (gennas, NULL, db, extra, &status));
  g_assert_cmpint (status, ==, 0);
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  gint64 run, seed = -1;
  g_assert_true (gn_store_find_run (store, NULL, &run, NULL, NULL));
  g_assert_true (gn_store_foreach (store, run, seed_of, &seed, &error));
  gn_store_close (store);
  return seed;
}

/* Scores are cached under the seed the proxy's task runs on: the
 * search's seed, unless --task-seed pins another, so searches with
 * different seeds share the scores of one pinned task. */
static void
test_task_seed (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "task-seed.db", NULL);
  g_assert_cmpint (recorded_seed (gennas, db, "2", NULL), ==, 2);
  g_assert_cmpint (recorded_seed (gennas, db, "2", "5"), ==, 5);
  g_assert_cmpint (recorded_seed (gennas, db, "3", "5"), ==, 5);
  g_free (db);
  g_free (gennas);
}

typedef struct {
  int n, cached;
  char *config_hash;
} Tally;

static gboolean
tally_one (const GnEval *e, gpointer user)
{
  Tally *t = user;
  t->n++;
  t->cached += e->cached;
  g_assert_true (t->config_hash == NULL
                 || strcmp (t->config_hash, e->config_hash) == 0);
  g_free (t->config_hash);
  t->config_hash = g_strdup (e->config_hash);
  return TRUE;
}

/* `gennas search` of @space (NULL: spaces/nb201.lua) with @options (then
 * --db @db and 6 evaluations): how many of its run's scores came from the
 * cache, and under which proxy configuration. */
static Tally
search_tally (const char *gennas, const char *space, const char *db,
              const char *const *options)
{
  GError *error = NULL;
  GPtrArray *extra = g_ptr_array_new ();
  const char *base[] = { "--budget", "6", "--workers", "1" };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (extra, (gpointer) base[i]);
  for (int i = 0; options[i]; i++)
    g_ptr_array_add (extra, (gpointer) options[i]);
  g_ptr_array_add (extra, NULL);
  int status;
  g_free (search_cli (gennas, space, db, (const char *const *) extra->pdata,
                      &status));
  g_assert_cmpint (status, ==, 0);
  g_ptr_array_free (extra, TRUE);
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  gint64 run;
  Tally t = { 0 };
  g_assert_true (gn_store_find_run (store, NULL, &run, NULL, NULL));
  g_assert_true (gn_store_foreach (store, run, tally_one, &t, &error));
  gn_store_close (store);
  g_assert_cmpint (t.n, ==, 6);
  return t;
}

/* `--space-option K=V` is part of the cache key: one set of build
 * options, in any order, is one entry; two are two.  The old spellings
 * through --param are one-line usage errors naming the option to use. */
static void
test_space_option_cli (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "space-option.db", NULL);
  const char *n2[] = { "--space-option", "N=2", "--space-option", "C=8",
                       NULL };
  const char *n3[] = { "--space-option", "N=3", "--space-option", "C=8",
                       NULL };
  const char *n2_again[] = { "--space-option", "C=8", "--space-option",
                             "N=2", NULL };
  Tally a = search_tally (gennas, NULL, db, n2),
        b = search_tally (gennas, NULL, db, n3),
        c = search_tally (gennas, NULL, db, n2_again);
  g_assert_cmpint (a.cached, ==, 0);
  g_assert_cmpint (b.cached, ==, 0);
  g_assert_cmpint (c.cached, ==, 6);
  g_assert_cmpstr (a.config_hash, !=, b.config_hash);
  g_assert_cmpstr (a.config_hash, ==, c.config_hash);
  g_free (a.config_hash);
  g_free (b.config_hash);
  g_free (c.config_hash);

  static const struct { const char *option, *value, *needle; } old[] = {
    { "--param", "space_options=N=3,C=8",
      "--param space_options=N=3,C=8: build options have an option of "
      "their own; use --space-option N=3 --space-option C=8\n" },
    { "--param", "seed=5", "--param seed=5: the task seed is not a proxy "
      "parameter; use --task-seed 5\n" },
    { "--final-param", "space_options=N=5", "use --final-space-option N=5" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (old); i++)
    {
      const char *argv[] = { gennas, "search", space_path, "--proxy", "good",
                             "--db", db, "--final", "3", old[i].option,
                             old[i].value, NULL };
      CliRun r = cli_run (argv, NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, old[i].needle));
      g_assert_cmpint (strchr (r.err, '\n') - r.err + 1, ==, strlen (r.err));
      cli_run_clear (&r);
    }
  /* a malformed option: one line, and nothing evaluated */
  const char *bad[] = { gennas, "search", space_path, "--proxy", "good",
                        "--db", db, "--space-option", "N", NULL };
  CliRun r = cli_run (bad, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "build option 'N' is not KEY=VALUE"));
  g_assert_cmpint (strchr (r.err, '\n') - r.err + 1, ==, strlen (r.err));
  cli_run_clear (&r);
  g_free (db);
  g_free (gennas);
}

/* The architectures of @db's run 1, in the order recorded. */
static GPtrArray *
archs_of (const char *db)
{
  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  Collect c = collect_run (store, 1);
  gn_store_close (store);
  g_array_free (c.scores, TRUE);
  return c.archs;
}

/* With one worker and a seed, a search stopped short (a smaller budget,
 * as a kill would) and resumed proposes exactly what the uninterrupted
 * search does: the resume replays the recorded proposals through the
 * generator rather than reseeding it.  Evolution (stopped in its mutant
 * phase, and before its first result) and random search alike. */
static void
test_resume_reproducible (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  static const struct { const char *algo, *stop; } cases[] = {
    { "rea", "17" }, { "rea", "4" }, { "random", "9" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *whole = g_strdup_printf ("%s/replay-%u-whole.db", tmpdir, i);
      char *parts = g_strdup_printf ("%s/replay-%u-parts.db", tmpdir, i);
      const char *all[] = { "--algo", cases[i].algo, "--budget", "30",
                            "--workers", "1", NULL };
      const char *first[] = { "--algo", cases[i].algo, "--budget",
                              cases[i].stop, "--workers", "1", NULL };
      const char *rest[] = { "--algo", cases[i].algo, "--budget", "30",
                             "--workers", "1", "--resume", NULL };
      int status;
      g_free (search_cli (gennas, NULL, whole, all, &status));
      g_assert_cmpint (status, ==, 0);
      g_free (search_cli (gennas, NULL, parts, first, &status));
      g_assert_cmpint (status, ==, 0);
      g_free (search_cli (gennas, NULL, parts, rest, &status));
      g_assert_cmpint (status, ==, 0);
      GPtrArray *a = archs_of (whole), *b = archs_of (parts);
      g_assert_cmpuint (a->len, ==, 30);
      g_assert_cmpuint (b->len, ==, 30);
      for (guint k = 0; k < 30; k++)
        if (strcmp (a->pdata[k], b->pdata[k]) != 0)
          g_error ("%s stopped after %s: evaluation %u differs: %s, not %s",
                   cases[i].algo, cases[i].stop, k + 1,
                   (char *) b->pdata[k], (char *) a->pdata[k]);
      g_ptr_array_free (a, TRUE);
      g_ptr_array_free (b, TRUE);
      g_free (whole);
      g_free (parts);
    }
  g_free (gennas);
}

/* The space file's contents are part of a score's identity: a copy of
 * nb201.lua under the same space name but with another default channel
 * count shares no cached score with the original; an identical copy
 * shares them all. */
static void
test_cache_space_contents (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "space-contents.db", NULL);
  char *same = g_build_filename (tmpdir, "nb201-same.lua", NULL);
  char *wide = g_build_filename (tmpdir, "nb201-c32.lua", NULL);
  char *src = NULL;
  g_assert_true (g_file_get_contents (space_path, &src, NULL, NULL));
  char **parts = g_strsplit (src, "{ C = 16,", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);   /* one default C */
  char *c32 = g_strjoinv ("{ C = 32,", parts);
  g_assert_true (g_file_set_contents (same, src, -1, NULL));
  g_assert_true (g_file_set_contents (wide, c32, -1, NULL));

  const char *none[] = { NULL };
  Tally a = search_tally (gennas, NULL, db, none),
        b = search_tally (gennas, wide, db, none),
        c = search_tally (gennas, same, db, none);
  g_assert_cmpint (a.cached, ==, 0);
  g_assert_cmpint (b.cached, ==, 0);   /* C = 32: nothing reused */
  g_assert_cmpint (c.cached, ==, 6);   /* the same contents: all of it */
  g_assert_cmpstr (a.config_hash, !=, b.config_hash);
  g_assert_cmpstr (a.config_hash, ==, c.config_hash);
  g_free (a.config_hash);
  g_free (b.config_hash);
  g_free (c.config_hash);
  g_strfreev (parts);
  g_free (c32);
  g_free (src);
  g_free (wide);
  g_free (same);
  g_free (db);
  g_free (gennas);
}

/* `gennas search` with @extra arguments after the base set of
 * search_cli(); its whole outcome. */
static CliRun
search_run (const char *gennas, const char *space, const char *db,
            const char *const *extra)
{
  GPtrArray *argv = g_ptr_array_new ();
  const char *base[] = { gennas, "search", space ? space : space_path,
                         "--proxy", "good",
                         "--budget", "30", "--population", "10",
                         "--tournament", "3", "--workers", "2", "--seed", "3",
                         "--db", db };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, (gpointer) base[i]);
  for (int i = 0; extra[i]; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  CliRun r = cli_run ((const char *const *) argv->pdata, NULL);
  g_ptr_array_free (argv, TRUE);
  return r;
}

/* The workers run @run recorded: the processes it ran with. */
static gint64
recorded_workers (const char *db, gint64 run)
{
  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  JsonObject *config = run_config_of (store, run, NULL);
  gint64 workers = json_object_get_int_member (config, "workers");
  json_object_unref (config);
  gn_store_close (store);
  return workers;
}

/* --workers is capped at the budget (no process without an evaluation
 * to run) and at 4 per core, with a note; a budget no larger than the
 * population says that evolution never starts. */
static void
test_workers_capped (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "workers.db", NULL);
  const char *few[] = { "--workers", "64", "--budget", "3", NULL };
  CliRun r = search_run (gennas, NULL, db, few);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "budget 3, 3 worker(s)"));
  g_assert_nonnull (strstr (r.err, "gennas search: the budget (3) is no "
                            "more than the population (10): every candidate "
                            "is a random sample"));
  g_assert_cmpint (recorded_workers (db, 1), ==, 3);
  cli_run_clear (&r);

  int most = 4 * (int) g_get_num_processors ();
  char *budget = g_strdup_printf ("%d", most + 1);
  const char *many[] = { "--workers", "100000", "--budget", budget, NULL };
  r = search_run (gennas, NULL, db, many);
  g_assert_cmpint (r.status, ==, 0);
  char *note = g_strdup_printf ("gennas search: --workers 100000 is more "
                                "than 4 per core; running %d on the %u "
                                "core(s)\n", most, g_get_num_processors ());
  g_assert_nonnull (strstr (r.err, note));
  g_assert_cmpint (recorded_workers (db, 2), ==, most);
  cli_run_clear (&r);
  g_free (note);
  g_free (budget);
  g_free (db);
  g_free (gennas);
}

/* The final stage's configuration is checked before the search spends
 * its budget: a parameter the proxy does not have, or a build option the
 * space refuses, is one line and nothing evaluated (no store even); so
 * is a build option of the search's own. */
static void
test_final_checked_first (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "final-checked.db", NULL);
  static const struct { const char *option, *value, *error; } cases[] = {
    { "--final-param", "bogus=1", "gennas search: the final stage "
      "(--final-param, --final-space-option): proxy 'good' has no "
      "parameter 'bogus'" },
    { "--final-space-option", "X=1", "gennas search: the final stage "
      "(--final-param, --final-space-option): the space does not build a "
      "sampled architecture with the build options given: " },
    { "--space-option", "C=0", "option C must be a positive integer\n" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *extra[] = { "--final", "2", "--final-param", "flag=true",
                              cases[i].option, cases[i].value, NULL };
      CliRun r = search_run (gennas, NULL, db, extra);
      g_assert_cmpint (r.status, ==, 1);
      if (!strstr (r.err, cases[i].error)
          || strchr (r.err, '\n') - r.err + 1 != (long) strlen (r.err))
        g_error ("%s %s: '%s'", cases[i].option, cases[i].value, r.err);
      g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
      cli_run_clear (&r);
    }
  g_free (db);
  g_free (gennas);
}

/* A search that runs out of new architectures says so when it stops
 * short of its budget. */
static void
test_exhausted (void)
{
  static const char two[] =
    "local OPS = { 'a', 'b' }\n"
    "return {\n"
    "  name = 'two',\n"
    "  genome = { genes = { { name = 'op', choices = OPS } } },\n"
    "  sample = function (rng) return { rng:choice (OPS) } end,\n"
    "  mutate = function (g, rng) return { rng:choice (OPS) } end,\n"
    "  encode = function (g) return g[1] end,\n"
    "  decode = function (s)\n"
    "    if s ~= 'a' and s ~= 'b' then error ('bad arch') end\n"
    "    return { s }\n"
    "  end,\n"
    "  build = function (net, g, opts)\n"
    "    local x = net:input ()\n"
    "    for s = 0, 2 do net:tap (x, 'stage' .. s) end\n"
    "  end,\n"
    "}\n";
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "exhausted.db", NULL);
  char *space = g_build_filename (tmpdir, "two.lua", NULL);
  g_assert_true (g_file_set_contents (space, two, -1, NULL));
  const char *algos[] = { "rea", "random" };
  for (guint i = 0; i < G_N_ELEMENTS (algos); i++)
    {
      const char *extra[] = { "--algo", algos[i], "--budget", "5",
                              "--population", "2", "--tournament", "1",
                              NULL };
      CliRun r = search_run (gennas, space, db, extra);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, "\ngennas search: stopped after 2 of "
                                "5 evaluations: the search found no new "
                                "architecture to propose (the space looks "
                                "used up)\n"));
      g_assert_nonnull (strstr (r.out, "evaluations=2\n"));
      cli_run_clear (&r);
    }
  /* a space without a benchmark table has nothing to search within */
  const char *within[] = { "--within-table", NULL };
  CliRun w = search_run (gennas, space, db, within);
  g_assert_cmpint (w.status, ==, 1);
  g_assert_nonnull (strstr (w.err, "gennas search: --within-table: "));
  cli_run_clear (&w);
  g_free (space);
  g_free (db);
  g_free (gennas);
}

/* --within-table's pool: a fixed list */
typedef struct {
  GPtrArray *archs;
  GHashTable *index;      /* arch -> index + 1 */
} TestPool;

static char *
test_pool_arch (int i, gpointer data, GError **error)
{
  return g_strdup (((TestPool *) data)->archs->pdata[i]);
}

static int
test_pool_find (const char *arch, gpointer data)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (((TestPool *) data)->index,
                                               arch)) - 1;
}

/* The distance counts differing parts; a search within a pool proposes
 * members only, each once, until the pool is used up; an empty pool is
 * refused. */
static void
test_pool (void)
{
  g_assert_cmpint (gn_search_arch_distance ("a;b;c", "a;b;c"), ==, 0);
  g_assert_cmpint (gn_search_arch_distance ("a;b;c", "a;b;d"), ==, 2);
  g_assert_cmpint (gn_search_arch_distance ("a|a+b", "a|b"), ==, 1);
  g_assert_cmpint (gn_search_arch_distance ("x=f(a|b)", "x=f(a|c)"), ==, 2);

  GError *error = NULL;
  GnSpace *space = gn_space_load (space_path, &error);
  g_assert_no_error (error);
  TestPool tp = { g_ptr_array_new_with_free_func (g_free),
                  g_hash_table_new (g_str_hash, g_str_equal) };
  GnRng rng;
  gn_rng_seed (&rng, 3);
  while (tp.archs->len < 60)
    {
      char *a = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
      if (g_hash_table_contains (tp.index, a))
        {
          g_free (a);
          continue;
        }
      g_ptr_array_add (tp.archs, a);
      g_hash_table_insert (tp.index, a, GINT_TO_POINTER (tp.archs->len));
    }
  GnSearchPool pool = { (int) tp.archs->len, test_pool_arch, test_pool_find,
                        &tp };
  GnSearchConfig cfg = { .algo = GN_SEARCH_REA, .population = 10,
                         .tournament = 3, .seed = 5, .pool = &pool };
  GnSearch *s = gn_search_new (space, &cfg, &error);
  g_assert_no_error (error);
  GHashTable *proposed = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                 g_free, NULL);
  char *arch;
  while ((arch = gn_search_propose (s, &error)) != NULL)
    {
      g_assert_cmpint (test_pool_find (arch, &tp), >=, 0);
      g_assert_false (g_hash_table_contains (proposed, arch));
      g_hash_table_add (proposed, arch);
      gn_search_report (s, arch, (double) strlen (arch), FALSE);
    }
  g_assert_no_error (error);
  /* every member is found: the nearest of 200 draws from 60 is a new one
   * while there is one */
  g_assert_cmpuint (g_hash_table_size (proposed), ==, tp.archs->len);
  g_assert_true (gn_search_exhausted (s));
  gn_search_free (s);
  g_hash_table_destroy (proposed);

  GnSearchPool empty = { 0, test_pool_arch, test_pool_find, &tp };
  cfg.pool = &empty;
  g_assert_null (gn_search_new (space, &cfg, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_ptr_array_free (tp.archs, TRUE);
  g_hash_table_destroy (tp.index);
  gn_space_free (space);
}

typedef struct {
  int n, nonfinite, explained;
} Diverged;

static gboolean
count_diverged (const GnEval *e, gpointer user)
{
  Diverged *d = user;
  d->n++;
  d->nonfinite += e->status == GN_EVAL_NONFINITE;
  d->explained += e->message && strstr (e->message, "not finite");
  return TRUE;
}

/* A search whose every evaluation is non-finite (a diverged loss) has no
 * best architecture: a failure with a one-line error that says so, not a
 * "best" with a regret; each of its rows says what happened. */
static void
test_all_nonfinite (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "nonfinite.db", NULL);
  const char *argv[] = { gennas, "search", space_path, "--proxy", "good",
                         "--param", "nan_on=|", "--budget", "4",
                         "--workers", "1", "--db", db, NULL };
  CliRun r = cli_run (argv, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_null (strstr (r.out, "best architecture"));
  g_assert_null (strstr (r.out, "regret"));
  g_assert_nonnull (strstr (r.err, "\ngennas search: no evaluation of the "
                            "search gave a finite score (4 non-finite, 0 "
                            "failed): there is no best architecture\n"));
  g_assert_true (g_str_has_suffix (r.err, "there is no best architecture\n"));
  cli_run_clear (&r);

  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  Diverged d = { 0 };
  g_assert_true (gn_store_foreach (store, 1, count_diverged, &d, &error));
  g_assert_cmpint (d.n, ==, 4);
  g_assert_cmpint (d.nonfinite, ==, 4);
  g_assert_cmpint (d.explained, ==, 4);
  gn_store_close (store);
  g_free (db);
  g_free (gennas);
}

/* A list search proposes its candidates in order, once each, skipping
 * what a restore brought in, and then reports exhaustion. */
static void
test_list (void)
{
  GError *error = NULL;
  GnSpace *space = gn_space_load (space_path, &error);
  g_assert_no_error (error);
  GnSearchConfig cfg = { .algo = GN_SEARCH_LIST };
  g_assert_null (gn_search_new (space, &cfg, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  const char *const list[] = { "a", "b", "a", "c", NULL };
  cfg.candidates = list;
  GnSearch *s = gn_search_new (space, &cfg, &error);
  g_assert_no_error (error);
  gn_search_restore (s, "b", 2.0, FALSE);
  gn_search_restored (s);
  const char *want[] = { "a", "c" };
  for (int i = 0; i < 2; i++)
    {
      char *arch = gn_search_propose (s, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (arch, ==, want[i]);
      gn_search_report (s, arch, i, FALSE);
      g_free (arch);
    }
  g_assert_null (gn_search_propose (s, &error));
  g_assert_no_error (error);
  const char *best;
  g_assert_true (gn_search_best (s, &best, NULL));
  g_assert_cmpstr (best, ==, "b");
  gn_search_free (s);
  gn_space_free (space);
}

static gboolean
refuse_second (const char *arch, gpointer data, GError **error)
{
  return strcmp (arch, ((char **) data)[1]) != 0;
}

/* GnSearchConfig.initial: the search starts with the given candidates, in
 * order, skipping one proposed before or refused, then draws; evolution
 * takes them only for its first population; a restored history leaves
 * the rest to propose. */
static void
test_initial (void)
{
  GError *error = NULL;
  GnSpace *space = gn_space_load (space_path, &error);
  g_assert_no_error (error);
  GnRng rng;
  gn_rng_seed (&rng, 7);
  char *arch[4] = { NULL };
  for (int i = 0; i < 3; i++)
    {
      arch[i] = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
    }
  const char *const initial[] = { arch[0], arch[1], arch[0], arch[2], NULL };
  GnSearchConfig cfg = { .algo = GN_SEARCH_RANDOM, .seed = 1,
                         .initial = initial, .accept = refuse_second,
                         .accept_data = arch };
  GnSearch *s = gn_search_new (space, &cfg, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 5; i++)
    {
      char *a = gn_search_propose (s, &error);
      g_assert_no_error (error);
      if (i == 0)
        g_assert_cmpstr (a, ==, arch[0]);
      else if (i == 1)
        g_assert_cmpstr (a, ==, arch[2]);   /* arch[1] refused, [0] done */
      else
        for (int k = 0; k < 3; k++)
          g_assert_cmpstr (a, !=, arch[k]);
      gn_search_report (s, a, i, FALSE);
      g_free (a);
    }
  g_assert_cmpint (gn_search_n_refused (s), ==, 1);
  gn_search_free (s);

  /* restored out of order: what was not restored comes next */
  s = gn_search_new (space, &cfg, &error);
  g_assert_no_error (error);
  gn_search_restore (s, arch[2], 1.0, FALSE);
  gn_search_restored (s);
  char *a = gn_search_propose (s, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, arch[0]);
  g_free (a);
  gn_search_free (s);

  /* evolution: the initial candidates make its first population, no
   * more (the third is left for a mutant) */
  GnSearchConfig evolution = { .algo = GN_SEARCH_REA, .population = 2,
                               .tournament = 1, .seed = 1,
                               .initial = initial };
  s = gn_search_new (space, &evolution, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      a = gn_search_propose (s, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (a, ==, arch[i]);
      gn_search_report (s, a, i, FALSE);
      g_free (a);
    }
  a = gn_search_propose (s, &error);
  g_assert_no_error (error);
  /* a mutant of the best member, arch[1]: one edge apart or more */
  g_assert_cmpint (gn_search_arch_distance (a, arch[1]), >, 0);
  g_free (a);
  gn_search_free (s);
  for (int i = 0; i < 3; i++)
    g_free (arch[i]);
  gn_space_free (space);
}

/* `--warmup W`: W random candidates scored by the warmup proxy as a run
 * of their own, whose best --population are the search's first
 * candidates, best first.  The warmup's "good" negates its score
 * (flag=true), so those are the shortest strings of the W, not what the
 * search's own "good" prefers.  --resume finds both runs finished. */
static void
test_warmup (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "warmup.db", NULL);
  const char *warm[] = { "--warmup", "40", "--warmup-proxy", "good",
                         "--warmup-param", "flag=true", "--workers", "1",
                         NULL };
  int status;
  char *out = search_cli (gennas, NULL, db, warm, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "warmup: run 1, 40 candidates scored by "
                            "good"));

  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  gint64 parent = -1;
  JsonObject *config = run_config_of (store, 1, &parent);
  g_assert_cmpstr (json_object_get_string_member (config, "stage"), ==,
                   "warmup");
  g_assert_cmpstr (json_object_get_string_member (config, "algo"), ==,
                   "random");
  g_assert_cmpint (json_object_get_int_member (config, "budget"), ==, 40);
  json_object_unref (config);
  config = run_config_of (store, 2, &parent);
  g_assert_cmpstr (json_object_get_string_member (config, "algo"), ==, "rea");
  g_assert_cmpint (json_object_get_int_member (config, "warmup"), ==, 40);
  g_assert_true (g_str_has_prefix (json_object_get_string_member
                                   (config, "warmup_proxy"), "good:"));
  json_object_unref (config);

  Collect w = collect_run (store, 1), main = collect_run (store, 2);
  g_assert_cmpuint (w.archs->len, ==, 40);
  g_assert_cmpuint (main.archs->len, ==, 30);
  int used[40] = { 0 };
  for (guint k = 0; k < 10; k++)
    {
      int best = take_best (&w, used);
      g_assert_cmpstr (main.archs->pdata[k], ==, w.archs->pdata[best]);
      g_assert_cmpfloat (g_array_index (main.scores, double, k), ==,
                         -g_array_index (w.scores, double, best));
    }
  g_free (out);

  /* resumed: nothing new */
  const char *resume[] = { "--warmup", "40", "--warmup-proxy", "good",
                           "--warmup-param", "flag=true", "--workers", "1",
                           "--resume", NULL };
  out = search_cli (gennas, NULL, db, resume, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "(40 restored)"));
  gint64 latest;
  g_assert_true (gn_store_find_run (store, NULL, &latest, NULL, NULL));
  g_assert_cmpint (latest, ==, 2);
  g_assert_cmpint (gn_store_count (store, 2), ==, 30);
  g_free (out);

  /* --max-seconds bounds the warmup too: 40 candidates of 0.1 s each
   * on one worker do not fit in 1 s; the search does not start, and
   * --resume (without the limit) finishes the warmup, then searches */
  char *db2 = g_build_filename (tmpdir, "warmup-time.db", NULL);
  const char *slow[] = { "--warmup", "40", "--warmup-proxy", "good",
                         "--warmup-param", "delay=0.1", "--workers", "1",
                         NULL };
  GnStore *store2 = search_out_of_time (gennas, db2, slow, 0);
  g_assert_true (gn_store_find_run (store2, NULL, &latest, NULL, NULL));
  g_assert_cmpint (latest, ==, 1);
  int scored = gn_store_count (store2, 1);
  g_assert_cmpint (scored, >, 0);
  g_assert_cmpint (scored, <, 40);
  out = search_resumed (gennas, db2, slow);
  char *restored = g_strdup_printf ("40 candidates scored by good (%d "
                                    "restored)", scored);
  g_assert_nonnull (strstr (out, restored));
  g_free (restored);
  g_assert_cmpint (gn_store_count (store2, 1), ==, 40);
  g_assert_cmpint (gn_store_count (store2, 2), ==, 30);
  g_free (out);
  gn_store_close (store2);
  g_free (db2);

  /* usage errors, and a warmup proxy that does not exist */
  const char *bad[] = { "--warmup-param", "flag=true", NULL };
  out = search_cli (gennas, NULL, db, bad, &status);
  g_assert_cmpint (status, ==, 2);
  g_free (out);
  const char *bad2[] = { "--warmup", "-2", NULL };
  out = search_cli (gennas, NULL, db, bad2, &status);
  g_assert_cmpint (status, ==, 2);
  g_free (out);
  const char *bad3[] = { "--warmup", "5", "--warmup-proxy", "nosuch", NULL };
  out = search_cli (gennas, NULL, db, bad3, &status);
  g_assert_cmpint (status, ==, 1);
  g_free (out);

  collect_clear (&w);
  collect_clear (&main);
  gn_store_close (store);
  g_free (db);
  g_free (gennas);
}

/* `--final K`: the search's K best (by score, then by string)
 * are re-scored, in that order (one worker keeps it in the store), as a
 * run of their own; the report's last line names the best of those under
 * the final scores.  "good" with flag=true negates its score, so the
 * final pick is the shortest string of the K (one with a `none` edge),
 * not the search's best.  --resume finds both runs finished. */
static void
test_final_stage (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "final.db", NULL);
  const char *final[] = { "--final", "15", "--final-param", "flag=true",
                          "--workers", "1", NULL };
  /* the space under a name that JSON must escape (a quote) and keep
   * (UTF-8): `gennas plot` reads it back from the run's configuration */
  char *dir = g_build_filename (tmpdir, "spaces \"\xc3\xa9t\xc3\xa9\"", NULL);
  char *space = g_build_filename (dir, "nb201.lua", NULL);
  char *target = g_canonicalize_filename (space_path, NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_cmpint (symlink (target, space), ==, 0);
  int status;
  char *out = search_cli (gennas, space, db, final, &status);
  g_assert_cmpint (status, ==, 0);

  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  /* both configurations are JSON objects of typed settings; the space
   * file is absolute, as given (not resolved through the link) */
  gint64 parent = -1;
  JsonObject *config = run_config_of (store, 1, &parent);
  g_assert_cmpint (parent, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (config, "algo"), ==, "rea");
  g_assert_cmpint (json_object_get_int_member (config, "seed"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (config, "budget"), ==, 30);
  g_assert_cmpfloat (json_object_get_double_member (config, "max_seconds"),
                     ==, 0.0);
  g_assert_cmpstr (json_object_get_string_member (config, "proxy"), ==,
                   "good");
  json_object_unref (config);
  config = run_config_of (store, 2, &parent);
  g_assert_cmpint (parent, ==, 1);
  g_assert_cmpint (json_object_get_int_member (config, "parent"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (config, "top"), ==, 15);
  g_assert_cmpstr (json_object_get_string_member (config, "stage"), ==,
                   "final");
  g_assert_cmpstr (json_object_get_string_member (config, "space_file"), ==,
                   space);
  /* with its contents' SHA-256, which plot checks before loading it */
  char *text = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (target, &text, &len, NULL));
  char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                           (const guchar *) text, len);
  g_assert_cmpstr (json_object_get_string_member (config, "space_sha256"),
                   ==, sum);
  g_free (sum);
  g_free (text);
  json_object_unref (config);
  Collect main = collect_run (store, 1), fin = collect_run (store, 2);
  g_assert_cmpuint (main.archs->len, ==, 30);
  g_assert_cmpuint (fin.archs->len, ==, 15);

  /* the final run holds the 15 best of the search, best first */
  int used[30] = { 0 };
  const char *pick = NULL;
  double pick_score = -G_MAXDOUBLE;
  for (guint k = 0; k < 15; k++)
    {
      int best = take_best (&main, used);
      g_assert_cmpstr (fin.archs->pdata[k], ==, main.archs->pdata[best]);
      double f = g_array_index (fin.scores, double, k);
      g_assert_cmpfloat (f, ==, -g_array_index (main.scores, double, best));
      if (f > pick_score)
        {
          pick = fin.archs->pdata[k];
          pick_score = f;
        }
    }
  g_assert_cmpfloat (pick_score, >, -95.0);   /* a shorter one was in */
  char *want = g_strdup_printf ("best=%s score=%g truth=", pick, pick_score);
  g_assert_nonnull (strstr (out, want));
  g_assert_true (g_str_has_suffix (out, "evaluations=30\n"));
  g_free (want);
  g_free (out);

  /* resumed: nothing new, the same pick */
  const char *resume[] = { "--final", "15", "--final-param", "flag=true",
                           "--workers", "1", "--resume", NULL };
  out = search_cli (gennas, NULL, db, resume, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, pick));
  gint64 latest;
  g_assert_true (gn_store_find_run (store, NULL, &latest, NULL, NULL));
  g_assert_cmpint (latest, ==, 2);
  g_assert_cmpint (gn_store_count (store, 2), ==, 15);
  g_free (out);

  /* `gennas plot` draws the search, not its final stage */
  char *png = g_build_filename (tmpdir, "final.png", NULL);
  const char *plot[] = { gennas, "plot", db, "--out", png, NULL };
  char *drawn = run_stdout (plot, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (drawn, ": run 1, 30 evaluations, against the "
                            "true cifar10_test"));
  g_free (drawn);
  g_free (png);
  g_assert_cmpint (g_unlink (space), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (target);
  g_free (space);
  g_free (dir);

  /* --final-param alone, or --final alone, is a usage error */
  const char *bad[] = { "--final-param", "flag=true", NULL };
  out = search_cli (gennas, NULL, db, bad, &status);
  g_assert_cmpint (status, ==, 2);
  g_free (out);
  const char *bad2[] = { "--final", "3", NULL };
  out = search_cli (gennas, NULL, db, bad2, &status);
  g_assert_cmpint (status, ==, 2);
  g_free (out);
  /* but an explicit --final 0 turns the stage off, whatever else is set */
  const char *off[] = { "--final", "15", "--final-param", "flag=true",
                        "--workers", "1", "--final", "0", "--resume", NULL };
  out = search_cli (gennas, NULL, db, off, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, "final stage"));
  g_free (out);

  /* --max-seconds bounds the final stage too: the search (no delay)
   * finishes, then 15 re-scorings of 0.2 s each on one worker do not fit
   * in what is left of 1 s; the command says so and --resume (without
   * the limit) re-scores the rest */
  char *db2 = g_build_filename (tmpdir, "final-time.db", NULL);
  const char *slow[] = { "--final", "15", "--final-param", "flag=true",
                         "--final-param", "delay=0.2", "--workers", "1",
                         NULL };
  GnStore *store2 = search_out_of_time (gennas, db2, slow, 30);
  g_assert_cmpint (gn_store_count (store2, 1), ==, 30);
  int rescored = gn_store_count (store2, 2);
  g_assert_cmpint (rescored, <, 15);
  out = search_resumed (gennas, db2, slow);
  char *restored = g_strdup_printf ("the 15 best re-scored (%d restored)",
                                    rescored);
  g_assert_nonnull (strstr (out, restored));
  g_free (restored);
  g_assert_nonnull (strstr (out, "best=|"));
  g_assert_cmpint (gn_store_count (store2, 2), ==, 15);
  g_free (out);
  gn_store_close (store2);
  g_free (db2);

  collect_clear (&main);
  collect_clear (&fin);
  gn_store_close (store);
  g_free (db);
  g_free (gennas);
}

/* A run recorded by an earlier gennas keeps the configuration text it
 * built by hand (", " and ": " between members, the space file escaped
 * with g_strescape()), with the space file's SHA-256 only in its
 * identity: `gennas plot` still reads and checks the space file from it.
 * A configuration that is not JSON at all only costs the plot its true
 * accuracies. */
static void
test_plot_earlier_config (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *db = g_build_filename (tmpdir, "earlier.db", NULL);
  char *png = g_build_filename (tmpdir, "earlier.png", NULL);
  char *dir = g_build_filename (tmpdir, "old \"spaces\"", NULL);
  char *space = g_build_filename (dir, "nb201.lua", NULL);
  char *target = g_canonicalize_filename (space_path, NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_cmpint (symlink (target, space), ==, 0);
  char *escaped = g_strescape (space, NULL);
  char *text = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (target, &text, &len, NULL));
  char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                           (const guchar *) text, len);
  char *earlier = g_strdup_printf (
    "{\"space\": \"nasbench201\", \"space_file\": \"%s\", \"algo\": \"rea\", "
    "\"population\": 10, \"tournament\": 3, \"seed\": 1, \"budget\": 2, "
    "\"max_seconds\": 0, \"workers\": 1, \"proxy\": \"good\", "
    "\"identity\": \"space=nasbench201;space_sha256=%s;seed=1\"}", escaped,
    sum);
  g_free (sum);
  g_free (text);

  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  const char *configs[] = { earlier, "not json" };
  const char *archs[] = {
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|"
    "nor_conv_3x3~1|nor_conv_3x3~2|",
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|" };
  for (int r = 0; r < 2; r++)
    {
      gint64 run;
      g_assert_true (gn_store_new_run (store, configs[r], "h", 0, &run,
                                       &error));
      g_assert_no_error (error);
      for (int i = 0; i < 2; i++)
        {
          GnEval e = { .run = run, .space = "nasbench201", .arch = archs[i],
                       .proxy = "good", .config_hash = "c", .seed = 1,
                       .score = 2 - i, .loss = NAN, .status = GN_EVAL_OK };
          g_assert_true (gn_store_record (store, &e, NULL, &error));
          g_assert_no_error (error);
        }
    }
  gn_store_close (store);

  int status;
  const char *plot[] = { gennas, "plot", db, "--out", png, "--run", "1",
                         NULL };
  char *out = run_stdout (plot, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, ": run 1, 2 evaluations, against the true "
                            "cifar10_test"));
  g_free (out);
  plot[6] = "2";
  out = run_stdout (plot, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, ": run 2, 2 evaluations\n"));
  g_free (out);

  g_assert_cmpint (g_unlink (space), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (earlier);
  g_free (escaped);
  g_free (target);
  g_free (space);
  g_free (dir);
  g_free (png);
  g_free (db);
  g_free (gennas);
}

/* `--pick ranks`: the search's candidates scored again by the warmup's
 * proxy as a run of their own (the warmup's scores reused from the
 * cache), and the pick the candidate with the best sum of its ranks
 * under the two, computed here from the store; --resume gives the same
 * pick without scoring anything; misuse is a usage error.  The search
 * runs "good" (the string's length), the warmup the real "params". */
static void
test_pick_ranks (void)
{
  char *gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas",
                                        NULL);
  char *plugins = g_test_build_filename (G_TEST_BUILT, "..", "plugins",
                                         ".libs", NULL);
  char *db = g_build_filename (tmpdir, "pick-ranks.db", NULL);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", plugins, TRUE);
  const char *args[] = { "--warmup", "40", "--warmup-proxy", "params",
                         "--pick", "ranks", NULL };
  int status;
  char *out = search_cli (gennas, NULL, db, args, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "pick: run 3, the search's 30 candidates "
                            "scored by params ("));

  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  gint64 parent = -1;
  JsonObject *config = run_config_of (store, 3, &parent);
  g_assert_cmpstr (json_object_get_string_member (config, "stage"), ==,
                   "pick");
  g_assert_cmpint (parent, ==, 2);
  json_object_unref (config);
  Collect warm = collect_run (store, 1), search = collect_run (store, 2);
  Collect second = collect_run (store, 3);
  g_assert_cmpuint (search.archs->len, ==, 30);
  g_assert_cmpuint (second.archs->len, ==, 30);
  /* the warmup's 10 best started the search: their params are cached */
  g_assert_cmpint (second.cached, >=, 10);
  char *cached = g_strdup_printf ("(%d from the store's cache, 0 restored)",
                                  second.cached);
  g_assert_nonnull (strstr (out, cached));
  g_free (cached);

  /* the pick, recomputed: ranks by comparison counts (ties halved) */
  const char *want = NULL;
  double want_sum = -1, want_score = 0;
  for (guint i = 0; i < 30; i++)
    {
      const char *a = search.archs->pdata[i];
      double s1 = g_array_index (search.scores, double, i), s2 = NAN;
      for (guint j = 0; j < 30; j++)
        if (strcmp (second.archs->pdata[j], a) == 0)
          s2 = g_array_index (second.scores, double, j);
      g_assert_false (isnan (s2));
      double sum = 0;
      for (guint j = 0; j < 30; j++)
        {
          const char *b = search.archs->pdata[j];
          double t1 = g_array_index (search.scores, double, j), t2 = NAN;
          for (guint k = 0; k < 30; k++)
            if (strcmp (second.archs->pdata[k], b) == 0)
              t2 = g_array_index (second.scores, double, k);
          sum += (s1 > t1) + (s1 == t1) * 0.5 + (s2 > t2) + (s2 == t2) * 0.5;
        }
      if (sum > want_sum
          || (sum == want_sum && (s1 > want_score
                                  || (s1 == want_score
                                      && strcmp (a, want) < 0))))
        {
          want = a;
          want_sum = sum;
          want_score = s1;
        }
    }
  char *line = g_strdup_printf ("\nbest=%s score=", want);
  g_assert_nonnull (strstr (out, line));
  char *picked = g_strdup_printf ("picked architecture: %s\n", want);
  g_assert_nonnull (strstr (out, picked));
  g_free (out);

  /* resumed: every stage restored, the same pick */
  const char *again[] = { "--warmup", "40", "--warmup-proxy", "params",
                          "--pick", "ranks", "--resume", NULL };
  out = search_cli (gennas, NULL, db, again, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, line));
  g_assert_nonnull (strstr (out, "candidates scored by params ("));
  g_assert_nonnull (strstr (out, "cache, 30 restored)"));
  g_free (out);

  /* misuse */
  const char *const bad[][7] = {
    { "--pick", "votes", "--warmup", "40", NULL },
    { "--pick", "ranks", NULL },
    { "--pick", "ranks", "--warmup", "40", "--final", "3", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      out = search_cli (gennas, NULL, db, bad[i], &status);
      g_assert_cmpint (status, ==, 2);
      g_free (out);
    }
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);

  g_free (picked);
  g_free (line);
  collect_clear (&warm);
  collect_clear (&search);
  collect_clear (&second);
  gn_store_close (store);
  g_free (db);
  g_free (plugins);
  g_free (gennas);
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
  tmpdir = g_dir_make_tmp ("gennas-search-XXXXXX", NULL);

  g_test_add_func ("/search/reproducible", test_reproducible);
  g_test_add_func ("/search/reproducible-workers",
                   test_reproducible_workers);
  g_test_add_func ("/search/evolution-climbs", test_evolution_climbs);
  g_test_add_func ("/search/resume", test_resume);
  g_test_add_func ("/search/cache", test_cache);
  g_test_add_func ("/search/cache-build-options", test_cache_build_options);
  g_test_add_func ("/search/crashing-plugin", test_crashing_plugin);
  g_test_add_func ("/search/kill-and-resume", test_kill_and_resume);
  g_test_add_func ("/search/resume-locked", test_resume_locked);
  g_test_add_func ("/search/resume-reproducible", test_resume_reproducible);
  g_test_add_func ("/search/task-seed", test_task_seed);
  g_test_add_func ("/search/space-option-cli", test_space_option_cli);
  g_test_add_func ("/search/cache-space-contents",
                   test_cache_space_contents);
  g_test_add_func ("/search/all-nonfinite", test_all_nonfinite);
  g_test_add_func ("/search/workers-capped", test_workers_capped);
  g_test_add_func ("/search/exhausted", test_exhausted);
  g_test_add_func ("/search/final-checked-first", test_final_checked_first);
  g_test_add_func ("/search/list", test_list);
  g_test_add_func ("/search/initial", test_initial);
  g_test_add_func ("/search/warmup", test_warmup);
  g_test_add_func ("/search/pick-ranks", test_pick_ranks);
  g_test_add_func ("/search/pool", test_pool);
  g_test_add_func ("/search/final-stage", test_final_stage);
  g_test_add_func ("/search/plot-earlier-config", test_plot_earlier_config);
  int status = g_test_run ();

  /* the temporary stores go with the test */
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
  return status;
}
