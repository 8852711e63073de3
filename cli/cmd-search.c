/* cmd-search.c - `gennas search`: find an architecture, end to end
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Loads the space and the proxy, opens the store, starts (or resumes) a
 * run and drives the search with a pool of worker processes; every result
 * is committed to the store as it arrives.  The report names the best
 * architecture and, when the space has a benchmark table, its true
 * accuracy against the table's optimum.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"
#include "cli-truth.h"
#include "gn-mpi.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *proxy, *recipe, *algo, *db, *data, *on_failure;
  char **params, **final_params, **space_options, **final_space_options;
  int budget, population, tournament, workers, final;
  gint64 seed, task_seed;
  double max_seconds, timeout;
  gboolean resume, no_cache, mpi;
} SearchOptions;

#define NOT_GIVEN G_MININT64

typedef struct {
  gboolean tty;
  gint64 t0;
  int start;              /* evaluations restored before this process */
  GnCliTruth *truth;      /* (nullable) */
} Progress;

static void
on_progress (const GnEval *e, int done, int budget, GnSearch *search,
             gpointer user)
{
  Progress *p = user;
  const char *best_arch = NULL;
  double best = NAN;
  gn_search_best (search, &best_arch, &best);
  double elapsed = (g_get_monotonic_time () - p->t0) / 1e6;
  int fresh = done - p->start;
  double eta = fresh > 0 ? elapsed / fresh * (budget - done) : 0;
  if (p->tty)
    {
      int width = 24, fill = budget ? MIN (width, done * width / budget) : 0;
      fprintf (stderr, "\r\033[K[%.*s%*s] %d/%d  best %.5g", fill,
               "########################", width - fill, "", done, budget,
               best);
      if (p->truth && best_arch)
        fprintf (stderr, " (truth %.2f)", gn_cli_truth_of (p->truth,
                                                            best_arch));
      fprintf (stderr, "  %.0f s, ETA %.0f s", elapsed, eta);
      if (done >= budget)
        fputc ('\n', stderr);
    }
  else
    fprintf (stderr, "eval %d/%d %s score=%.6g%s best=%.6g %.1fs %s\n", done,
             budget, gn_eval_status_name (e->status), e->score,
             e->cached ? " (cached)" : "", best, e->seconds, e->arch);
  if (!gn_eval_status_scored (e->status) && p->tty)
    fprintf (stderr, "\n%s: %s: %s\n", e->arch,
             gn_eval_status_name (e->status), e->message ? e->message : "");
}

/* Returns: (transfer full): @s escaped for a JSON string.  g_strescape()
 * would write UTF-8 as octal escapes, which JSON does not have: bytes from
 * 0x80 up are kept as they are.  (`gennas plot` reads it back with
 * g_strcompress().) */
static char *
json_escape (const char *s)
{
  char high[129];
  for (int i = 0; i < 128; i++)
    high[i] = (char) (0x80 + i);
  high[128] = '\0';
  return g_strescape (s, high);
}

/* Returns: (transfer full): a run's configuration as the store keeps it,
 * the JSON object of what every run has around @members (JSON members of
 * its own, "name": value, ...); @identity is what its hash is of. */
static char *
run_json (GnCliProxy *p, const char *space_path, const char *algo,
          const char *members, int workers, const char *identity)
{
  char *space = json_escape (gn_space_name (p->space));
  /* absolute, so that `gennas plot` finds it from any directory */
  char *abs = g_canonicalize_filename (space_path, NULL);
  char *path = json_escape (abs);
  g_free (abs);
  char *id = json_escape (identity);
  char *json = g_strdup_printf (
    "{\"space\": \"%s\", \"space_file\": \"%s\", \"algo\": \"%s\", %s, "
    "\"workers\": %d, \"proxy\": \"%s\", \"identity\": \"%s\"}",
    space, path, algo, members, workers, gn_proxy_desc (p->proxy)->name, id);
  g_free (id);
  g_free (path);
  g_free (space);
  return json;
}

/* The run's identity: what --resume matches on.  The budget, the workers,
 * the time limit and the cache switch may change between sessions. */
static char *
run_config (const SearchOptions *o, GnCliProxy *p, const char *space_path,
            char **hash)
{
  char *space_sum = NULL, *src = NULL;
  gsize len = 0;
  if (g_file_get_contents (space_path, &src, &len, NULL))
    space_sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                             (const guchar *) src, len);
  g_free (src);
  guint64 task_seed = gn_proxy_task_seed (p->proxy);
  char *id = g_strdup_printf ("space=%s;space_sha256=%s;algo=%s;"
                              "population=%d;tournament=%d;seed=%"
                              G_GINT64_FORMAT ";task_seed=%" G_GUINT64_FORMAT
                              ";proxy=%s;on_failure=%s",
                              gn_space_name (p->space),
                              space_sum ? space_sum : "?", o->algo,
                              o->population, o->tournament, o->seed,
                              task_seed, gn_proxy_config (p->proxy),
                              o->on_failure);
  *hash = gn_store_config_hash (id);
  char *members = g_strdup_printf (
    "\"population\": %d, \"tournament\": %d, \"seed\": %" G_GINT64_FORMAT
    ", \"task_seed\": %" G_GUINT64_FORMAT ", \"budget\": %d, "
    "\"max_seconds\": %g", o->population, o->tournament, o->seed, task_seed,
    o->budget, o->max_seconds);
  char *json = run_json (p, space_path, o->algo, members, o->workers, id);
  g_free (members);
  g_free (space_sum);
  g_free (id);
  return json;
}

typedef struct {
  GnSearch *search;
  int n;
} Restore;

static gboolean
restore_one (const GnEval *e, gpointer user)
{
  Restore *r = user;
  gn_search_restore (r->search, e->arch, e->score,
                     !gn_eval_status_scored (e->status));
  r->n++;
  return TRUE;
}

/* What the search and its final stage share. */
typedef struct {
  const SearchOptions *o;
  GnStore *store;
  GnMpi *mpi;             /* (nullable) */
  GnCliTruth *truth;      /* (nullable) */
} Env;

/* One run in the store: the search proper, or its final stage. */
typedef struct {
  GnCliProxy *p;
  GnSearch *search;
  const char *json, *hash;   /* the run's configuration and identity */
  gint64 parent;             /* the search a final stage re-scores, or 0 */
  int budget;
  double max_seconds;
  /* out */
  gint64 run;
  int restored;
  double seconds;
} Stage;

/* Starts or (with --resume) continues @st's run and drives its search to
 * the budget; every evaluation is in the store when this returns, even on
 * failure. */
static gboolean
run_stage (const Env *env, Stage *st, GError **error)
{
  const SearchOptions *o = env->o;
  GnWorkers *workers = NULL;
  char *config_hash = NULL;
  gboolean ok = FALSE;
  Restore restored = { st->search, 0 };

  if (o->resume && gn_store_find_run (env->store, st->hash, &st->run, NULL,
                                      NULL))
    {
      if (!gn_store_foreach (env->store, st->run, restore_one, &restored,
                             error))
        goto out;
      gn_search_restored (st->search);
      fprintf (stderr, "gennas search: resuming run %" G_GINT64_FORMAT
               " with %d evaluations recorded\n", st->run, restored.n);
    }
  else
    {
      if (o->resume)
        fprintf (stderr, "gennas search: no run with this configuration in "
                 "%s; starting a new one\n", o->db ? o->db : "gennas.db");
      if (!gn_store_new_run (env->store, st->json, st->hash, st->parent,
                             &st->run, error))
        goto out;
    }
  st->restored = restored.n;
  gn_store_set_run_status (env->store, st->run, "running", NULL);
  config_hash = gn_store_config_hash (gn_proxy_config (st->p->proxy));

  if (!env->mpi && (workers = gn_workers_new (o->workers, gn_cli_proxy_work,
                                              st->p, o->timeout,
                                              error)) == NULL)
    goto out;
  Progress prog = { .tty = isatty (STDERR_FILENO),
                    .t0 = g_get_monotonic_time (),
                    .start = gn_search_n_counted (st->search),
                    .truth = env->truth };
  GnSearchDrive drive = {
    .store = env->store, .run = st->run,
    .space_name = gn_space_name (st->p->space),
    .proxy_name = gn_proxy_desc (st->p->proxy)->name,
    .config_hash = config_hash,
    .seed = (gint64) gn_proxy_task_seed (st->p->proxy),
    .budget = st->budget, .max_seconds = st->max_seconds,
    .use_cache = !o->no_cache, .progress = on_progress,
    .progress_data = &prog };
  GnEvaluator ev = env->mpi ? gn_mpi_evaluator (env->mpi)
                            : gn_workers_evaluator (workers);
  if (!gn_search_drive (st->search, &ev, &drive, error))
    goto out;
  int done = gn_search_n_counted (st->search);
  gn_store_set_run_status (env->store, st->run,
                           done >= st->budget ? "finished" : "stopped", NULL);
  if (prog.tty && done < st->budget)
    fputc ('\n', stderr);
  st->seconds = (g_get_monotonic_time () - prog.t0) / 1e6;
  ok = TRUE;

out:
  gn_workers_free (workers);
  g_free (config_hash);
  return ok;
}

typedef struct {
  char *arch;
  double score;
} Ranked;

static gboolean
collect_ok (const GnEval *e, gpointer user)
{
  if (e->status == GN_EVAL_OK)
    {
      Ranked r = { g_strdup (e->arch), e->score };
      g_array_append_val (user, r);
    }
  return TRUE;
}

/* best score first; g_array_sort() is stable, so among equals the
 * earlier evaluation (gn_store_foreach() visits them in order) */
static gint
by_score (gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;
  return x->score > y->score ? -1 : x->score < y->score;
}

/* The @k best architectures of @run, best first (NULL-terminated). */
static char **
top_of_run (GnStore *store, gint64 run, int k, GError **error)
{
  GArray *all = g_array_new (FALSE, FALSE, sizeof (Ranked));
  char **top = NULL;
  if (gn_store_foreach (store, run, collect_ok, all, error))
    {
      g_array_sort (all, by_score);
      guint n = MIN ((guint) k, all->len);
      top = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        top[i] = g_strdup (g_array_index (all, Ranked, i).arch);
    }
  for (guint i = 0; i < all->len; i++)
    g_free (g_array_index (all, Ranked, i).arch);
  g_array_free (all, TRUE);
  return top;
}

/* The seed of the proxy's task: --task-seed, or the search's. */
static guint64
task_seed (const SearchOptions *o)
{
  return (guint64) (o->task_seed != NOT_GIVEN ? o->task_seed : o->seed);
}

/* Returns: (transfer container): @a's strings then @b's, NULL-terminated
 * (either may be NULL): settings with others on top. */
static GPtrArray *
strv_join (char **a, char **b)
{
  GPtrArray *all = g_ptr_array_new ();
  for (char **s = a; s && *s; s++)
    g_ptr_array_add (all, *s);
  for (char **s = b; s && *s; s++)
    g_ptr_array_add (all, *s);
  g_ptr_array_add (all, NULL);
  return all;
}

/* The final stage: the search's @k best, re-scored in order by the same
 * proxy with the --final-param and --final-space-option settings on top,
 * as a run of its own (so it resumes and caches like any other). */
static gboolean
final_stage (const Env *env, const char *space_path, char **params,
             gint64 parent, const char *parent_hash, Stage *st,
             GnCliProxy *p, GnSearch **search, GError **error)
{
  const SearchOptions *o = env->o;
  GPtrArray *all = strv_join (params, o->final_params);
  GPtrArray *options = strv_join (o->space_options, o->final_space_options);
  char **top = NULL, *id = NULL, *json = NULL, *hash = NULL;
  gboolean ok = FALSE;

  if (!gn_cli_proxy_open (p, space_path, o->proxy ? o->proxy : "regression",
                          (char **) all->pdata, (char **) options->pdata,
                          o->data, task_seed (o), error))
    goto out;
  top = top_of_run (env->store, parent, o->final, error);
  if (top == NULL)
    goto out;
  GnSearchConfig cfg = { .algo = GN_SEARCH_LIST, .seed = (guint64) o->seed,
                         .on_failure = GN_FAILURE_WORST,
                         .candidates = (const char *const *) top };
  if ((*search = gn_search_new (p->space, &cfg, error)) == NULL)
    goto out;

  id = g_strdup_printf ("final_of=%s;top=%d;proxy=%s", parent_hash, o->final,
                        gn_proxy_config (p->proxy));
  hash = gn_store_config_hash (id);
  char *members = g_strdup_printf ("\"stage\": \"final\", \"parent\": %"
                                   G_GINT64_FORMAT ", \"top\": %d", parent,
                                   o->final);
  json = run_json (p, space_path, "list", members, o->workers, id);
  g_free (members);

  fprintf (stderr, "gennas search: final stage: re-scoring the %d best with "
           "%s\n", g_strv_length (top), gn_proxy_config (p->proxy));
  *st = (Stage) { .p = p, .search = *search, .json = json, .hash = hash,
                  .parent = parent, .budget = (int) g_strv_length (top) };
  ok = run_stage (env, st, error);

out:
  g_ptr_array_free (all, TRUE);
  g_ptr_array_free (options, TRUE);
  g_strfreev (top);
  g_free (id);
  g_free (json);
  g_free (hash);
  return ok;
}

/* The report's lines for a stage's pick: the architecture, its score and,
 * with a benchmark table, its true accuracy against the optimum. */
static double
print_pick (const char *what, GnCliTruth *truth, const char *arch,
            double score)
{
  double t = truth ? gn_cli_truth_of (truth, arch) : NAN;
  printf ("%s architecture: %s\n", what, arch);
  printf ("%s score: %.6g\n", what, score);
  if (truth)
    {
      double opt = gn_cli_truth_optimum (truth);
      printf ("true %s: %.4g (the table's best: %.4g; regret %.4g)\n",
              gn_cli_truth_metric (truth), t, opt, opt - t);
    }
  return t;
}

int
gn_cmd_search (int argc, char **argv)
{
  SearchOptions o = { .budget = 100, .population = 50, .tournament = 10,
                      .workers = (int) g_get_num_processors (), .seed = 1,
                      .task_seed = NOT_GIVEN, .final = -1 /* not given */ };
  GOptionEntry entries[] = {
    { "proxy", 'p', 0, G_OPTION_ARG_STRING, &o.proxy,
      "the proxy plugin (default: regression)", "NAME" },
    { "recipe", 'r', 0, G_OPTION_ARG_STRING, &o.recipe,
      "the regression proxy's signal recipe (default: combo)", "NAME" },
    { "param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.params,
      "set a proxy parameter (repeatable; see `gennas proxies`)",
      "NAME=VALUE" },
    { "space-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.space_options,
      "a build option of the network, as the space defines them, e.g. N=3 "
      "(repeatable)", "KEY=VALUE" },
    { "algo", 'a', 0, G_OPTION_ARG_STRING, &o.algo,
      "rea (regularized evolution, default) or random", "ALGO" },
    { "budget", 'b', 0, G_OPTION_ARG_INT, &o.budget,
      "evaluations in the run (default 100)", "N" },
    { "max-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o.max_seconds,
      "stop proposing after this much wall time (default: none)", "SEC" },
    { "population", 'P', 0, G_OPTION_ARG_INT, &o.population,
      "evolution's population (default 50)", "P" },
    { "tournament", 'S', 0, G_OPTION_ARG_INT, &o.tournament,
      "evolution's tournament sample (default 10)", "S" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &o.workers,
      "evaluations in parallel, one process each (default: the cores)", "W" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed,
      "seed of the search, and of the proxy's task unless --task-seed is "
      "given (default 1)", "S" },
    { "task-seed", 0, 0, G_OPTION_ARG_INT64, &o.task_seed,
      "seed of the proxy's task (default: --seed); searches with one task "
      "seed share cached scores", "T" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o.db,
      "the results store (default: gennas.db)", "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &o.resume,
      "continue the latest run with this configuration", NULL },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &o.no_cache,
      "evaluate even what the store already knows", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o.timeout,
      "seconds one evaluation may take (default: no limit)", "SEC" },
    { "on-failure", 0, 0, G_OPTION_ARG_STRING, &o.on_failure,
      "a failed evaluation scores worst (default) or is resampled",
      "worst|resample" },
    { "data", 0, 0, G_OPTION_ARG_STRING, &o.data,
      "image set: cifar10 (default) or fashion-mnist", "SET" },
    { "final", 0, 0, G_OPTION_ARG_INT, &o.final,
      "after the search, re-score its K best with the --final-param and "
      "--final-space-option settings and report the best of those "
      "(default 0: no final stage)", "K" },
    { "final-param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.final_params,
      "a proxy parameter for the final stage, on top of --param "
      "(repeatable)", "NAME=VALUE" },
    { "final-space-option", 0, 0, G_OPTION_ARG_STRING_ARRAY,
      &o.final_space_options,
      "a build option for the final stage, on top of --space-option "
      "(repeatable), e.g. N=5", "KEY=VALUE" },
    { "mpi", 0, 0, G_OPTION_ARG_NONE, &o.mpi,
      "run under mpirun: rank 0 searches and keeps the store, every other "
      "rank evaluates (one at a time; --workers is ignored)", NULL },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("SPACE.lua - search the space "
                                              "for a good architecture");
  g_option_context_set_summary (ctx,
    "Regularized evolution (or random search) over a Lua search space,\n"
    "scoring candidates with a proxy plugin in parallel worker processes.\n"
    "Every evaluation is committed to the store as it arrives: a killed\n"
    "search continues with --resume, and a score already known for the\n"
    "same space, architecture, proxy configuration (parameters and build\n"
    "options) and task seed is reused. The last line is\n"
    "  best=ARCH score=X truth=Y evaluations=N\n"
    "where truth is the architecture's accuracy in the space's benchmark\n"
    "table (nan without one).\n"
    "\n"
    "With --final K, the K best are then re-scored, as a run of their own,\n"
    "by the proxy with the --final-param and --final-space-option settings\n"
    "added (a costlier, more faithful configuration: on NAS-Bench-201,\n"
    "--final-space-option N=5, the paper's five cells per stage). The last\n"
    "line then names the best of the final stage, with its final score;\n"
    "evaluations= still counts the search's.\n"
    "\n"
    "On NAS-Bench-201, what measured best (docs/benchmarks.md) is to\n"
    "search with three cells per stage, then re-score on the paper's five:\n"
    "  gennas search spaces/nb201.lua --budget 450 --space-option N=3 \\\n"
    "      --final 20 --final-space-option N=5\n"
    "\n"
    "With --mpi, under mpirun (or srun) with N >= 2 ranks, rank 0 runs the\n"
    "search and writes the store while the N-1 other ranks evaluate:\n"
    "  mpirun -np 9 gennas search SPACE.lua --mpi --budget 450\n"
    "See docs/scaling.md.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean parsed = gn_cli_parse (ctx, "search", &argc, &argv);
  g_option_context_free (ctx);

  int status = 2;
  GError *error = NULL;
  GnCliProxy p = { 0 }, pf = { 0 };
  GnStore *store = NULL;
  GnSearch *search = NULL, *final = NULL;
  GnMpi *mpi = NULL;
  GnCliTruth *truth = NULL;
  char *json = NULL, *hash = NULL;
  GPtrArray *params = g_ptr_array_new_with_free_func (g_free);

  if (!parsed)
    goto out;
  if (argc != 2)
    {
      gn_cli_error ("search", "give exactly one space file (try --help)");
      goto out;
    }
  if (!gn_cli_check_params (o.params, "--param", "--task-seed",
                            "--space-option", &error)
      || !gn_cli_check_params (o.final_params, "--final-param", "--task-seed",
                               "--final-space-option", &error))
    {
      gn_cli_error ("search", "%s", error->message);
      goto out;
    }
  if (o.algo == NULL)
    o.algo = g_strdup ("rea");
  if (o.on_failure == NULL)
    o.on_failure = g_strdup ("worst");
  GnSearchConfig cfg = { .population = o.population,
                         .tournament = o.tournament, .seed = (guint64) o.seed };
  if (strcmp (o.algo, "rea") == 0)
    cfg.algo = GN_SEARCH_REA;
  else if (strcmp (o.algo, "random") == 0)
    cfg.algo = GN_SEARCH_RANDOM;
  else
    {
      gn_cli_error ("search", "--algo must be rea or random, not '%s'",
                    o.algo);
      goto out;
    }
  if (strcmp (o.on_failure, "worst") == 0)
    cfg.on_failure = GN_FAILURE_WORST;
  else if (strcmp (o.on_failure, "resample") == 0)
    cfg.on_failure = GN_FAILURE_RESAMPLE;
  else
    {
      gn_cli_error ("search", "--on-failure must be worst or resample");
      goto out;
    }
  if (o.budget < 1 || o.workers < 1 || o.final < -1)
    {
      gn_cli_error ("search", "--budget and --workers must be >= 1, --final "
                    ">= 0");
      goto out;
    }
  if ((o.final_params || o.final_space_options) && o.final == -1)
    {
      gn_cli_error ("search", "--final-param and --final-space-option need "
                    "--final K");
      goto out;
    }
  o.final = MAX (o.final, 0);   /* an explicit --final 0 turns it off */
  if (o.final > 0 && o.final_params == NULL && o.final_space_options == NULL)
    {
      gn_cli_error ("search", "--final K needs a --final-param or a "
                    "--final-space-option: with the search's own "
                    "configuration it would only repeat its scores");
      goto out;
    }
  if (o.final > 0 && o.mpi)
    {
      gn_cli_error ("search", "--final does not run under --mpi yet; run "
                    "the final stage with --resume --final K without --mpi");
      goto out;
    }

  status = 1;
  gn_cli_single_thread ();
  if (o.mpi && (mpi = gn_mpi_new (&error)) == NULL)
    goto fail;
  for (char **a = o.params; a && *a; a++)
    g_ptr_array_add (params, g_strdup (*a));
  if (o.recipe)
    g_ptr_array_add (params, g_strdup_printf ("recipe=%s", o.recipe));
  g_ptr_array_add (params, NULL);
  if (!gn_cli_proxy_open (&p, argv[1], o.proxy ? o.proxy : "regression",
                          (char **) params->pdata, o.space_options, o.data,
                          task_seed (&o), &error))
    goto fail;
  if (mpi && gn_mpi_rank (mpi) > 0)
    {
      /* a worker rank: evaluate what rank 0 sends, until it says stop */
      status = gn_mpi_serve (mpi, gn_cli_proxy_work, &p, o.timeout, &error)
               ? 0 : 1;
      if (status)
        goto fail;
      goto out;
    }
  if (mpi)
    o.workers = gn_mpi_size (mpi) - 1;
  store = gn_store_open (o.db ? o.db : "gennas.db", &error);
  if (store == NULL)
    goto fail;
  search = gn_search_new (p.space, &cfg, &error);
  if (search == NULL)
    goto fail;
  truth = gn_cli_truth_new (p.space, NULL, NULL);   /* NULL without a table */

  json = run_config (&o, &p, argv[1], &hash);
  Env env = { .o = &o, .store = store, .mpi = mpi, .truth = truth };
  Stage st = { .p = &p, .search = search, .json = json, .hash = hash,
               .budget = o.budget, .max_seconds = o.max_seconds };
  fprintf (stderr, "gennas search: %s on %s, proxy %s, budget %d, %d "
           "worker(s), store %s\n",
           cfg.algo == GN_SEARCH_REA ? "regularized evolution" : "random search",
           gn_space_name (p.space), gn_proxy_desc (p.proxy)->name, o.budget,
           o.workers, o.db ? o.db : "gennas.db");
  if (!run_stage (&env, &st, &error))
    goto fail;
  gn_mpi_summary (mpi, stderr);
  int done = gn_search_n_counted (search);

  const char *best_arch = NULL;
  double best = NAN;
  if (!gn_search_best (search, &best_arch, &best))
    {
      gn_cli_error ("search", "no evaluation succeeded");
      printf ("best=none score=nan truth=nan evaluations=%d\n", done);
      goto out;
    }
  printf ("search finished: run %" G_GINT64_FORMAT ", %d evaluations (%d "
          "restored), %.0f s\n", st.run, done, st.restored, st.seconds);
  double t = print_pick ("best", truth, best_arch, best);

  if (o.final > 0 && done >= o.budget)
    {
      Stage fs;
      fflush (stdout);   /* the search's report before the stage's log */
      if (!final_stage (&env, argv[1], (char **) params->pdata, st.run, hash,
                        &fs, &pf, &final, &error))
        goto fail;
      const char *pick = NULL;
      double pick_score = NAN;
      if (!gn_search_best (final, &pick, &pick_score))
        {
          gn_cli_error ("search", "no evaluation of the final stage "
                        "succeeded");
          goto out;
        }
      printf ("final stage: run %" G_GINT64_FORMAT ", the %d best "
              "re-scored (%d restored), %.0f s\n", fs.run,
              gn_search_n_counted (final), fs.restored, fs.seconds);
      t = print_pick ("final", truth, pick, pick_score);
      best_arch = pick;
      best = pick_score;
    }
  printf ("best=%s score=%.6g truth=%.6g evaluations=%d\n", best_arch, best,
          t, done);
  status = done >= o.budget ? 0 : 1;
  goto out;

fail:
  if (isatty (STDERR_FILENO))
    fputc ('\n', stderr);
  gn_cli_error ("search", "%s", error->message);
out:
  g_clear_error (&error);
  gn_mpi_free (mpi);
  gn_cli_truth_free (truth);
  gn_search_free (final);
  gn_search_free (search);
  gn_store_close (store);
  gn_cli_proxy_close (&pf);
  gn_cli_proxy_close (&p);
  g_ptr_array_free (params, TRUE);
  g_free (json);
  g_free (hash);
  g_free (o.proxy);
  g_free (o.recipe);
  g_free (o.algo);
  g_free (o.db);
  g_free (o.data);
  g_free (o.on_failure);
  g_strfreev (o.params);
  g_strfreev (o.final_params);
  g_strfreev (o.space_options);
  g_strfreev (o.final_space_options);
  return status;
}
