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
#include "cli-constraint.h"
#include "cli-eval.h"
#include "cli-proxy.h"
#include "cli-run-config.h"
#include "cli-truth.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  GnCliProxyOptions proxy;
  GnCliEvalOptions eval;
  char *algo, *on_failure;
  char **final_params, **final_space_options;
  char *warmup_proxy;
  char **warmup_params;
  char *pick;
  int budget, population, tournament, final, warmup;
  double max_seconds;
  double max_macs, max_params;
  char *constraint_config;
  gboolean resume, within_table;
} SearchOptions;

/* The run's identity: what --resume matches on.  The budget, the workers,
 * the time limit and the cache switch may change between sessions.
 * @is_warmup: the run is the warmup stage (a random search of --warmup
 * candidates with @p the warmup's proxy); else the search, and @warmup
 * its warmup's proxy (NULL without --warmup), whose picks start it. */
static char *
run_config (const SearchOptions *o, const GnCliEval *ev, GnCliProxy *p,
            const GnCliConstraint *limit, const char *space_path,
            gboolean is_warmup, GnCliProxy *warmup, char **hash)
{
  guint64 task_seed = gn_proxy_task_seed (p->proxy);
  char *constraint = gn_cli_constraint_identity (limit);
  const char *algo = is_warmup ? "random" : o->algo;
  char *start = warmup ? g_strdup_printf (";warmup=%d;warmup_proxy=%s",
                                          o->warmup,
                                          gn_proxy_config (warmup->proxy))
                       : g_strdup (is_warmup ? ";stage=warmup" : "");
  char *id = g_strdup_printf ("space=%s;space_sha256=%s;algo=%s;"
                              "population=%d;tournament=%d;seed=%"
                              G_GINT64_FORMAT ";task_seed=%" G_GUINT64_FORMAT
                              ";proxy=%s;on_failure=%s%s%s%s",
                              gn_space_name (p->space),
                              gn_space_checksum (p->space), algo,
                              o->population, o->tournament, o->proxy.seed,
                              task_seed, gn_proxy_config (p->proxy),
                              o->on_failure, constraint,
                              o->within_table ? ";within=table" : "", start);
  g_free (start);
  g_free (constraint);
  *hash = gn_store_config_hash (id);
  JsonObject *own = json_object_new ();
  if (is_warmup)
    json_object_set_string_member (own, "stage", "warmup");
  json_object_set_int_member (own, "population", o->population);
  json_object_set_int_member (own, "tournament", o->tournament);
  json_object_set_int_member (own, "seed", o->proxy.seed);
  json_object_set_int_member (own, "task_seed", (gint64) task_seed);
  json_object_set_int_member (own, "budget",
                              is_warmup ? o->warmup : o->budget);
  if (warmup)
    {
      json_object_set_int_member (own, "warmup", o->warmup);
      json_object_set_string_member (own, "warmup_proxy",
                                     gn_proxy_config (warmup->proxy));
    }
  json_object_set_double_member (own, "max_seconds",
                                 o->max_seconds);
  json_object_set_boolean_member (own, "within_table", o->within_table);
  gn_cli_constraint_to_json (limit, own);
  char *json = gn_cli_run_config_json (p, space_path, algo, own,
                                       ev->workers, id);
  json_object_unref (own);
  g_free (id);
  return json;
}

/* --within-table: the rows of the space's benchmark table as the pool */
static char *
table_arch (int index, gpointer data, GError **error)
{
  char *arch = gn_cli_truth_row_arch (data, (guint) index, error);
  if (arch == NULL)
    g_prefix_error (error, "--within-table: the table's row %d: ", index + 1);
  return arch;
}

static int
table_find (const char *arch, gpointer data)
{
  return gn_cli_truth_row (data, arch);
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

/* best score first, and among equal scores the architecture whose string
 * sorts first: not the earlier evaluation, since with several workers the
 * store's order is the order results happened to arrive in, and a seeded
 * search must hand its next stage the same candidates every time */
static gint
by_score (gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return strcmp (x->arch, y->arch);
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

typedef struct {
  int nonfinite, failed;
} Outcomes;

static gboolean
count_outcome (const GnEval *e, gpointer user)
{
  Outcomes *n = user;
  n->nonfinite += e->status == GN_EVAL_NONFINITE;
  n->failed += !gn_eval_status_scored (e->status);
  return TRUE;
}

/* The one-line error of a stage whose run holds no finite score: how
 * many of its evaluations were not finite, and how many failed. */
static void
no_best (GnStore *store, gint64 run, const char *stage)
{
  Outcomes n = { 0 };
  gn_store_foreach (store, run, count_outcome, &n, NULL);
  gn_cli_error ("search", "no evaluation of the %s gave a finite score "
                "(%d non-finite, %d failed): there is no best architecture",
                stage, n.nonfinite, n.failed);
}

/* A stage that scores @candidates (NULL-terminated) in order with @p, as
 * a run of its own derived from @parent (so it resumes and caches like
 * any other): its identity @id and its own configuration @own (consumed),
 * within @max_seconds (0: no limit).  Sets *@search (the caller frees it)
 * and *@st. */
static gboolean
list_stage (const SearchOptions *o, const GnCliEval *ev,
            const char *space_path, GnCliProxy *p,
            const char *const *candidates, const char *id, JsonObject *own,
            gint64 parent, double max_seconds, GnCliStage *st,
            GnSearch **search, GError **error)
{
  char *hash = NULL, *json = NULL;
  gboolean ok = FALSE;
  GnSearchConfig cfg = { .algo = GN_SEARCH_LIST,
                         .seed = (guint64) o->proxy.seed,
                         .on_failure = GN_FAILURE_WORST,
                         .candidates = candidates };
  if ((*search = gn_search_new (p->space, &cfg, error)) == NULL)
    goto out;
  hash = gn_store_config_hash (id);
  json = gn_cli_run_config_json (p, space_path, "list", own, ev->workers, id);
  *st = (GnCliStage) { .p = p, .search = *search, .json = json,
                       .hash = hash, .parent = parent,
                       .budget = (int) g_strv_length ((char **) candidates),
                       .max_seconds = max_seconds };
  ok = gn_cli_eval_run (ev, st, error);
  st->json = st->hash = NULL;   /* freed below */

out:
  json_object_unref (own);
  g_free (json);
  g_free (hash);
  return ok;
}

/* The final stage: the search's @k best, re-scored in order by the same
 * proxy with the --final-param and --final-space-option settings on top
 * (@p, opened and checked before the search), within @max_seconds. */
static gboolean
final_stage (const SearchOptions *o, const GnCliEval *ev,
             const char *space_path, gint64 parent, const char *parent_hash,
             double max_seconds, GnCliStage *st, GnCliProxy *p,
             GnSearch **search, GError **error)
{
  char **top = top_of_run (ev->store, parent, o->final, error);
  if (top == NULL)
    return FALSE;
  char *id = g_strdup_printf ("final_of=%s;top=%d;proxy=%s", parent_hash,
                              o->final, gn_proxy_config (p->proxy));
  JsonObject *own = json_object_new ();
  json_object_set_string_member (own, "stage", "final");
  json_object_set_int_member (own, "parent", parent);
  json_object_set_int_member (own, "top", o->final);
  fprintf (stderr, "gennas search: final stage: re-scoring the %d best with "
           "%s\n", g_strv_length (top), gn_proxy_config (p->proxy));
  gboolean ok = list_stage (o, ev, space_path, p, (const char *const *) top,
                            id, own, parent, max_seconds, st, search, error);
  g_strfreev (top);
  g_free (id);
  return ok;
}

/* What --max-seconds (@max_seconds) leaves of its time to a stage that
 * starts now, the command's stages having started at @t_start: 0 (no
 * limit) without a limit, and never 0 with one (a stage out of time
 * still stops, having scored nothing new). */
static double
seconds_left (double max_seconds, gint64 t_start)
{
  if (max_seconds <= 0)
    return 0;
  return MAX (max_seconds - (g_get_monotonic_time () - t_start) / 1e6,
              1e-6);
}

/* The warmup stage: --warmup random candidates (drawn as the search
 * draws them: same seed, constraint and pool) scored by the warmup
 * proxy @pw, as a run of its own (so it resumes and caches like any
 * other), within --max-seconds.  Returns (transfer full) the
 * --population best of them, best first, NULL-terminated: the search's
 * first candidates; *@finished says whether all --warmup were scored
 * (FALSE: the time ran out first). */
static char **
warmup_stage (const SearchOptions *o, const GnCliEval *ev,
              const char *space_path, const GnSearchConfig *search_cfg,
              const GnCliConstraint *limit, GnCliProxy *pw,
              gboolean *finished, GError **error)
{
  char *json = NULL, *hash = NULL, **top = NULL;
  GnSearchConfig cfg = *search_cfg;
  cfg.algo = GN_SEARCH_RANDOM;
  cfg.initial = NULL;
  GnSearch *search = gn_search_new (pw->space, &cfg, error);
  if (search == NULL)
    goto out;
  json = run_config (o, ev, pw, limit, space_path, TRUE, NULL, &hash);
  fprintf (stderr, "gennas search: warmup: scoring %d random candidates "
           "with %s; the %d best start the search\n", o->warmup,
           gn_proxy_config (pw->proxy), o->population);
  GnCliStage st = { .p = pw, .search = search, .json = json, .hash = hash,
                    .budget = o->warmup, .max_seconds = o->max_seconds };
  if (!gn_cli_eval_run (ev, &st, error))
    goto out;
  *finished = gn_search_n_counted (search) >= o->warmup;
  top = top_of_run (ev->store, st.run, o->population, error);
  if (top == NULL)
    goto out;
  if (top[0] == NULL)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED, "no candidate of the "
                   "warmup (run %" G_GINT64_FORMAT ") got a score from %s",
                   st.run, gn_proxy_desc (pw->proxy)->name);
      g_clear_pointer (&top, g_strfreev);
      goto out;
    }
  printf ("warmup: run %" G_GINT64_FORMAT ", %d candidates scored by %s "
          "(%d restored), %.0f s; the best %u start the search\n", st.run,
          gn_search_n_counted (search), gn_proxy_desc (pw->proxy)->name,
          st.restored, st.seconds, g_strv_length (top));
  fflush (stdout);   /* before the search's log */

out:
  gn_search_free (search);
  g_free (json);
  g_free (hash);
  return top;
}

typedef struct {
  GHashTable *scores;    /* arch -> (double *) its score */
  int cached;            /* scores the store's cache gave */
} ScoresOf;

static gboolean
collect_scores (const GnEval *e, gpointer user)
{
  ScoresOf *s = user;
  s->cached += e->cached != 0;
  if (e->status == GN_EVAL_OK && isfinite (e->score))
    {
      double *v = g_new (double, 1);
      *v = e->score;
      g_hash_table_replace (s->scores, g_strdup (e->arch), v);
    }
  return TRUE;
}

/* --pick ranks: every candidate the search scored, scored again by the
 * warmup's proxy @pw as a run of its own (the warmup's scores are reused
 * from the store's cache), then the candidate with the best sum of its
 * ranks among them under the two proxies; among equal sums the better
 * search score, then the string that sorts first.  A candidate the
 * warmup's proxy could not score ranks last under it.  Sets *@pick
 * (transfer full) and *@pick_score (its search score). */
static gboolean
pick_stage (const SearchOptions *o, const GnCliEval *ev,
            const char *space_path, gint64 parent, const char *parent_hash,
            double max_seconds, GnCliProxy *pw, char **pick,
            double *pick_score, GError **error)
{
  GArray *all = g_array_new (FALSE, FALSE, sizeof (Ranked));
  char **list = NULL, *id = NULL;
  GnSearch *search = NULL;
  ScoresOf second = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             g_free), 0 };
  double *search_scores = NULL, *second_scores = NULL;
  double *r1 = NULL, *r2 = NULL;
  gboolean ok = FALSE;

  if (!gn_store_foreach (ev->store, parent, collect_ok, all, error))
    goto out;
  g_array_sort (all, by_score);
  guint n = all->len;
  if (n == 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED, "the pick: the search "
                   "(run %" G_GINT64_FORMAT ") has no scored candidate",
                   parent);
      goto out;
    }
  list = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    list[i] = g_strdup (g_array_index (all, Ranked, i).arch);
  id = g_strdup_printf ("pick_of=%s;rule=ranks;proxy=%s", parent_hash,
                        gn_proxy_config (pw->proxy));
  JsonObject *own = json_object_new ();
  json_object_set_string_member (own, "stage", "pick");
  json_object_set_int_member (own, "parent", parent);
  fprintf (stderr, "gennas search: pick: scoring the search's %u "
           "candidates with %s\n", n, gn_proxy_config (pw->proxy));
  GnCliStage st;
  if (!list_stage (o, ev, space_path, pw, (const char *const *) list, id,
                   own, parent, max_seconds, &st, &search, error))
    goto out;
  if (gn_search_n_counted (search) < (int) n)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED, "stopped during the "
                   "pick: --max-seconds %g ran out after %d of the %u "
                   "candidates were scored by %s (--resume continues)",
                   o->max_seconds, gn_search_n_counted (search), n,
                   gn_proxy_desc (pw->proxy)->name);
      goto out;
    }
  if (!gn_store_foreach (ev->store, st.run, collect_scores, &second, error))
    goto out;

  search_scores = g_new (double, n);
  second_scores = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      const Ranked *c = &g_array_index (all, Ranked, i);
      const double *v = g_hash_table_lookup (second.scores, c->arch);
      search_scores[i] = c->score;
      second_scores[i] = v != NULL ? *v : -G_MAXDOUBLE;
    }
  r1 = g_new (double, n);
  r2 = g_new (double, n);
  gn_stats_rank (search_scores, n, r1);
  gn_stats_rank (second_scores, n, r2);
  /* @all is best first by search score, then string: the first of the
   * best sums wins */
  guint best = 0;
  for (guint i = 1; i < n; i++)
    if (r1[i] + r2[i] > r1[best] + r2[best])
      best = i;
  *pick = g_strdup (g_array_index (all, Ranked, best).arch);
  *pick_score = g_array_index (all, Ranked, best).score;
  printf ("pick: run %" G_GINT64_FORMAT ", the search's %u candidates "
          "scored by %s (%d from the store's cache, %d restored), %.0f s; "
          "picked by the sum of their ranks under both proxies (its ranks "
          "%.1f and %.1f of %u)\n", st.run, n,
          gn_proxy_desc (pw->proxy)->name, second.cached, st.restored,
          st.seconds, r1[best], r2[best], n);
  ok = TRUE;

out:
  for (guint i = 0; i < all->len; i++)
    g_free (g_array_index (all, Ranked, i).arch);
  g_array_free (all, TRUE);
  g_hash_table_unref (second.scores);
  gn_search_free (search);
  g_strfreev (list);
  g_free (search_scores);
  g_free (second_scores);
  g_free (r1);
  g_free (r2);
  g_free (id);
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
              gn_cli_truth_metric (truth), t, opt,
              gn_cli_truth_lower (truth) ? t - opt : opt - t);
    }
  return t;
}

/* Kendall's tau and the like: the raw figure the store holds for @arch
 * in @run (NAN when none). */
typedef struct {
  const char *arch;
  double loss;
} LossOf;

static gboolean
find_loss (const GnEval *e, gpointer user)
{
  LossOf *l = user;
  if (strcmp (e->arch, l->arch) != 0)
    return TRUE;
  l->loss = e->loss;
  return FALSE;
}

static double
loss_of (GnStore *store, gint64 run, const char *arch)
{
  LossOf l = { arch, NAN };
  gn_store_foreach (store, run, find_loss, &l, NULL);
  return l.loss;
}

int
gn_cmd_search (int argc, char **argv)
{
  return gn_cli_search (argc, argv, NULL);
}

void
gn_cli_search_result_clear (GnCliSearchResult *r)
{
  g_clear_pointer (&r->best, g_free);
  g_clear_pointer (&r->db, g_free);
}

int
gn_cli_search (int argc, char **argv, GnCliSearchResult *result)
{
  SearchOptions o = { .budget = 100, .population = 50, .tournament = 10,
                      .final = -1 /* not given */, .warmup = -1 };
  GOptionEntry entries[] = {
    { "algo", 'a', 0, G_OPTION_ARG_STRING, &o.algo,
      "rea (regularized evolution, default) or random", "ALGO" },
    { "budget", 'b', 0, G_OPTION_ARG_INT, &o.budget,
      "evaluations in the run (default 100)", "N" },
    { "max-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o.max_seconds,
      "stop proposing after this much wall time, the warmup's, the "
      "search's and the final stage's together (default: none)", "SEC" },
    { "population", 'P', 0, G_OPTION_ARG_INT, &o.population,
      "evolution's population (default 50)", "P" },
    { "tournament", 'S', 0, G_OPTION_ARG_INT, &o.tournament,
      "evolution's tournament sample (default 10)", "S" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &o.resume,
      "continue the latest run with this configuration", NULL },
    { "on-failure", 0, 0, G_OPTION_ARG_STRING, &o.on_failure,
      "a failed evaluation scores worst (default) or is resampled",
      "worst|resample" },
    { "max-macs", 0, 0, G_OPTION_ARG_DOUBLE, &o.max_macs,
      "never evaluate a candidate whose network (as published, or in the "
      "--constraint-config) has more multiply-accumulates, e.g. 600e6 "
      "(default: no limit)", "M" },
    { "max-params", 0, 0, G_OPTION_ARG_DOUBLE, &o.max_params,
      "never evaluate a candidate with more parameters there, e.g. 5e6 "
      "(default: no limit)", "P" },
    { "constraint-config", 0, 0, G_OPTION_ARG_STRING, &o.constraint_config,
      "the space's named configuration the limits are measured in (e.g. "
      "mobile for DARTS's ImageNet mobile setting; default: the network as "
      "published)", "NAME" },
    { "within-table", 0, 0, G_OPTION_ARG_NONE, &o.within_table,
      "draw every candidate from the space's benchmark table, so every "
      "pick has its true accuracy (a mutation that leaves the table "
      "becomes the nearest of 200 rows drawn)", NULL },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &o.warmup,
      "first score W random candidates with the --warmup-proxy (a cheap "
      "one) and start the search from the best --population of them "
      "instead of random samples (default 0: no warmup)", "W" },
    { "warmup-proxy", 0, 0, G_OPTION_ARG_STRING, &o.warmup_proxy,
      "the warmup's proxy (default synflow)", "NAME" },
    { "warmup-param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.warmup_params,
      "a parameter of the warmup's proxy (repeatable; --param is the "
      "search's)", "NAME=VALUE" },
    { "pick", 0, 0, G_OPTION_ARG_STRING, &o.pick,
      "how the search's pick is chosen among its candidates: score (the "
      "best search score, default) or ranks (the best sum of its ranks "
      "under the search's proxy and the warmup's; needs --warmup)",
      "score|ranks" },
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
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("SPACE.lua");
  g_option_context_set_summary (ctx,
    "Regularized evolution (or random search) over a Lua search space,\n"
    "scoring candidates with a proxy plugin in parallel worker processes.\n"
    "Every evaluation is committed to the store as it arrives: a killed\n"
    "search continues with --resume, and a score already known for the\n"
    "same space (the file's contents, not only its name), architecture,\n"
    "proxy configuration (parameters and build options) and task seed is\n"
    "reused. The last line is\n"
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
    "With --warmup W, the search first scores W random candidates with a\n"
    "cheap proxy (--warmup-proxy, default synflow, about 0.02 s a cell on\n"
    "NAS-Bench-201), as a run of its own, and its first --population\n"
    "candidates are the best of those instead of random samples (the\n"
    "zero-cost warmup of Abdelfattah et al., ICLR 2021). They count toward\n"
    "--budget; the W do not. The warmup proxy runs with the --space-option\n"
    "settings and its own --warmup-param ones.\n"
    "\n"
    "With --pick ranks (and a warmup), the pick is not the best search\n"
    "score but the candidate with the best sum of its two ranks among the\n"
    "search's candidates: by the search's proxy and by the warmup's, which\n"
    "scores them all as a run of its own (the warmup's scores come from\n"
    "the store). Two judges that err on different cells: on NAS-Bench-201's\n"
    "main job it picked a cell of 94.0% or more on 14 seeds of 15 where the\n"
    "best search score did on 9 (docs/benchmarks.md).\n"
    "\n"
    "Evolution starts after --population evaluations: with a budget no\n"
    "larger, every candidate is a random sample (a note says so). A\n"
    "search that stops short of its budget (--max-seconds, which bounds\n"
    "the warmup, the search and the final stage together, or a space\n"
    "used up) says why and exits with status 1; so does one the time\n"
    "stopped in its warmup or final stage, with best=none on its last\n"
    "line (--resume continues it).\n"
    "\n"
    "With a seed, a search proposes the same candidates on every run\n"
    "with the same number of workers: each result joins evolution's\n"
    "population in the order the candidates were proposed, 2W - 1\n"
    "proposals later (docs/method.md, section 5.1), whichever evaluation\n"
    "finishes first.\n"
    "\n"
    "On NAS-Bench-201, what measured best (docs/benchmarks.md) is to\n"
    "search with three cells per stage, then re-score on the paper's five\n"
    "(about 25 minutes on 2 cores):\n"
    "  gennas search spaces/nb201.lua --budget 450 --space-option N=3 \\\n"
    "      --final 20 --final-space-option N=5\n"
    "and in under 10 minutes, a warm start by synflow, then evolution on\n"
    "the paper's network, picked by ranks (./quickstart's main job):\n"
    "  gennas search spaces/nb201.lua --warmup 4000 --population 20 \\\n"
    "      --tournament 5 --budget 40 --space-option N=5 --param batch=16 \\\n"
    "      --pick ranks\n"
    "\n"
    "With --within-table, every candidate is a row of the space's\n"
    "benchmark table, so the pick's true accuracy is known: a random\n"
    "candidate is a uniform row, and a mutation that is not a row is\n"
    "replaced by the row nearest to it (fewest differing parts of the\n"
    "canonical string) of 200 drawn. On NAS-Bench-NLP, whose generator\n"
    "makes cells its table almost never holds:\n"
    "  gennas search spaces/nbnlp.lua --within-table --budget 300\n"
    "\n"
    "With --max-macs or --max-params, a candidate whose network is larger\n"
    "(built as published, or as the space's --constraint-config names it)\n"
    "is refused before it is evaluated and another is drawn: in the DARTS\n"
    "space, the ImageNet mobile setting's 600M multiply-adds is\n"
    "  gennas search spaces/darts.lua --max-macs 600e6 \\\n"
    "      --constraint-config mobile\n"
    "The limits are part of the run (a --resume must give the same).\n"
    "\n"
    "With --mpi, under mpirun (or srun) with N >= 2 ranks, rank 0 runs the\n"
    "search and writes the store while the N-1 other ranks evaluate,\n"
    "the warmup and the final stage included:\n"
    "  mpirun -np 9 gennas search SPACE.lua --mpi --budget 450\n"
    "See docs/scaling.md.");
  gn_cli_proxy_options_add (ctx, &o.proxy);
  g_option_context_add_main_entries (ctx, entries, NULL);
  gn_cli_eval_options_add (ctx, &o.eval);
  gboolean parsed = gn_cli_parse (ctx, "search", &argc, &argv);
  g_option_context_free (ctx);

  int status = 2;
  GError *error = NULL;
  GnCliProxy p = { 0 }, pf = { 0 }, pw = { 0 };
  GnCliEval ev = { 0 };
  GnSearch *search = NULL, *final = NULL;
  GnCliConstraint limit = { 0 };
  char *json = NULL, *hash = NULL, **initial = NULL;

  if (!parsed)
    goto out;
  if (argc != 2)
    {
      gn_cli_error ("search", "give exactly one space file (try --help)");
      goto out;
    }
  if (!gn_cli_check_params (o.proxy.params, "--param", "--space-option",
                            &error)
      || !gn_cli_check_params (o.final_params, "--final-param",
                               "--final-space-option", &error)
      || !gn_cli_check_params (o.warmup_params, "--warmup-param",
                               "--space-option", &error))
    {
      gn_cli_error ("search", "%s", error->message);
      goto out;
    }
  if (o.algo == NULL)
    o.algo = g_strdup ("rea");
  if (o.on_failure == NULL)
    o.on_failure = g_strdup ("worst");
  GnSearchConfig cfg = { .population = o.population,
                         .tournament = o.tournament,
                         .seed = (guint64) o.proxy.seed };
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
  if (o.budget < 1 || o.final < -1)
    {
      gn_cli_error ("search", "--budget must be >= 1, --final >= 0");
      goto out;
    }
  if (!gn_cli_eval_options_check (&o.eval, &error))
    {
      gn_cli_error ("search", "%s", error->message);
      goto out;
    }
  if (!(o.max_seconds >= 0 && isfinite (o.max_seconds)))
    {
      gn_cli_error ("search", "--max-seconds must be a number of seconds "
                    ">= 0 (0: no limit), not %g", o.max_seconds);
      goto out;
    }
  if ((o.final_params || o.final_space_options) && o.final == -1)
    {
      gn_cli_error ("search", "--final-param and --final-space-option need "
                    "--final K");
      goto out;
    }
  o.final = MAX (o.final, 0);   /* an explicit --final 0 turns it off */
  if (o.warmup < -1)
    {
      gn_cli_error ("search", "--warmup must be >= 0");
      goto out;
    }
  if ((o.warmup_proxy || o.warmup_params) && o.warmup == -1)
    {
      gn_cli_error ("search", "--warmup-proxy and --warmup-param need "
                    "--warmup W");
      goto out;
    }
  o.warmup = MAX (o.warmup, 0);
  gboolean by_ranks = FALSE;
  if (o.pick != NULL && strcmp (o.pick, "ranks") == 0)
    by_ranks = TRUE;
  else if (o.pick != NULL && strcmp (o.pick, "score") != 0)
    {
      gn_cli_error ("search", "--pick must be score or ranks, not '%s'",
                    o.pick);
      goto out;
    }
  if (by_ranks && o.warmup == 0)
    {
      gn_cli_error ("search", "--pick ranks needs --warmup W: the warmup's "
                    "proxy is the pick's second judge");
      goto out;
    }
  if (by_ranks && o.final > 0)
    {
      gn_cli_error ("search", "--pick ranks and --final K: choose one (a "
                    "final stage picks by its own scores)");
      goto out;
    }
  if (o.final > 0 && o.final_params == NULL && o.final_space_options == NULL)
    {
      gn_cli_error ("search", "--final K needs a --final-param or a "
                    "--final-space-option: with the search's own "
                    "configuration it would only repeat its scores");
      goto out;
    }

  status = 1;
  gn_cli_single_thread ();
  gboolean served;
  if (!gn_cli_eval_init (&ev, "search", &o.eval, &error)
      || !gn_cli_proxy_open (&p, argv[1], &o.proxy, NULL, NULL, &error)
      || !gn_cli_proxy_check_build (&p, &error))
    goto fail;
  /* the final stage's configuration too, before the search spends its
   * budget */
  if (o.final > 0
      && (!gn_cli_proxy_open (&pf, argv[1], &o.proxy, o.final_params,
                              o.final_space_options, &error)
          || !gn_cli_proxy_check_build (&pf, &error)))
    {
      g_prefix_error (&error, "the final stage (--final-param, "
                      "--final-space-option): ");
      goto fail;
    }
  if (o.warmup > 0)
    {
      GnCliProxyOptions wo = o.proxy;   /* the seeds, data, build options */
      wo.proxy = o.warmup_proxy ? o.warmup_proxy : (char *) "synflow";
      wo.recipe = NULL;
      wo.params = o.warmup_params;
      if (!gn_cli_proxy_open (&pw, argv[1], &wo, NULL, NULL, &error)
          || !gn_cli_proxy_check_build (&pw, &error))
        {
          g_prefix_error (&error, "the warmup (--warmup-proxy, "
                          "--warmup-param): ");
          goto fail;
        }
    }
  /* every rank lists the stages alike: the same command line opened
   * the same ones */
  GnCliProxy *stages[GN_CLI_EVAL_MAX_STAGES] = { &p };
  int n_stages = 1;
  if (o.warmup > 0)
    stages[n_stages++] = &pw;
  if (o.final > 0)
    stages[n_stages++] = &pf;
  if (!gn_cli_eval_start (&ev, stages, n_stages, "gennas.db", &served,
                          &error))
    goto fail;
  if (served)
    {
      status = 0;
      goto out;
    }
  gn_cli_eval_limit_workers (&ev, o.budget);
  ev.resume = o.resume;
  if (!gn_cli_constraint_init (&limit, p.space, o.constraint_config,
                               o.max_macs, o.max_params, &error))
    goto fail;
  if (gn_cli_constraint_active (&limit))
    {
      cfg.accept = gn_cli_constraint_accept;
      cfg.accept_data = &limit;
    }
  /* NULL without one; a table that fails its checks is an error */
  ev.truth = gn_cli_truth_new (p.space, NULL, &error);
  if (ev.truth == NULL && error != NULL)
    goto fail;
  GnSearchPool pool = { 0 };
  if (o.within_table)
    {
      if (ev.truth == NULL)
        {
          if (gn_space_get_benchmark (p.space, &error) != NULL
              || error == NULL)
            g_set_error (&error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED,
                         "the space's benchmark table has no truth");
          g_prefix_error (&error, "--within-table: ");
          goto fail;
        }
      pool = (GnSearchPool) {
        .size = (int) gn_table_n_rows (gn_cli_truth_table (ev.truth)),
        .arch = table_arch, .find = table_find, .data = ev.truth };
      cfg.pool = &pool;
    }
  /* --max-seconds bounds the warmup, the search and the final stage
   * together: each gets what the ones before it left */
  gint64 t_start = g_get_monotonic_time ();
  if (o.warmup > 0)
    {
      gboolean finished = FALSE;
      initial = warmup_stage (&o, &ev, argv[1], &cfg, &limit, &pw,
                              &finished, &error);
      if (initial == NULL)
        goto fail;
      if (!finished)
        {
          gn_cli_error ("search", "stopped during the warmup: --max-seconds "
                        "%g ran out before its %d candidates were scored "
                        "(--resume continues)", o.max_seconds, o.warmup);
          printf ("best=none score=nan truth=nan evaluations=0\n");
          goto out;   /* status 1, as a search the time stopped */
        }
      cfg.initial = (const char *const *) initial;
    }
  search = gn_search_new (p.space, &cfg, &error);
  if (search == NULL)
    goto fail;

  json = run_config (&o, &ev, &p, &limit, argv[1], FALSE,
                     o.warmup > 0 ? &pw : NULL, &hash);
  GnCliStage st = { .p = &p, .search = search, .json = json, .hash = hash,
                    .budget = o.budget,
                    .max_seconds = seconds_left (o.max_seconds, t_start) };
  fprintf (stderr, "gennas search: %s on %s, proxy %s, budget %d, %d "
           "worker(s), store %s\n",
           cfg.algo == GN_SEARCH_REA ? "regularized evolution" : "random search",
           gn_space_name (p.space), gn_proxy_desc (p.proxy)->name, o.budget,
           ev.workers, ev.db);
  if (cfg.algo == GN_SEARCH_REA && o.population >= o.budget)
    fprintf (stderr, "gennas search: the budget (%d) is no more than the "
             "population (%d): every candidate is a random sample, as "
             "evolution starts after %d evaluations\n", o.budget,
             o.population, o.population);
  if (!gn_cli_eval_run (&ev, &st, &error))
    goto fail;
  gn_cli_eval_summary (&ev);
  int done = gn_search_n_counted (search);
  if (done < o.budget)
    {
      if (gn_search_exhausted (search))
        gn_cli_error ("search", "stopped after %d of %d evaluations: the "
                      "search found no new architecture to propose (the "
                      "space looks used up)", done, o.budget);
      else
        gn_cli_error ("search", "stopped after %d of %d evaluations: "
                      "--max-seconds %g ran out (--resume continues)", done,
                      o.budget, o.max_seconds);
    }

  const char *best_arch = NULL;
  double best = NAN;
  if (!gn_search_best (search, &best_arch, &best))
    {
      no_best (ev.store, st.run, "search");
      printf ("best=none score=nan truth=nan evaluations=%d\n", done);
      goto out;
    }
  printf ("search finished: run %" G_GINT64_FORMAT ", %d evaluations (%d "
          "restored), %.0f s\n", st.run, done, st.restored, st.seconds);
  if (gn_cli_constraint_active (&limit))
    printf ("constraint: %d candidates refused (larger than %s%s%s in the "
            "%s network)\n", gn_search_n_refused (search),
            limit.max_macs > 0 ? "--max-macs" : "",
            limit.max_macs > 0 && limit.max_params > 0 ? " or " : "",
            limit.max_params > 0 ? "--max-params" : "",
            limit.config ? limit.config : "published");
  double t = print_pick ("best", ev.truth, best_arch, best);
  gint64 picked_run = st.run;
  char *ranked_pick = NULL;

  if (by_ranks && done >= o.budget)
    {
      double pick_score = NAN;
      fflush (stdout);   /* the search's report before the stage's log */
      if (!pick_stage (&o, &ev, argv[1], st.run, hash,
                       seconds_left (o.max_seconds, t_start), &pw,
                       &ranked_pick, &pick_score, &error))
        {
          gn_cli_error ("search", "%s", error->message);
          printf ("best=none score=nan truth=nan evaluations=%d\n", done);
          goto out;   /* status 1 */
        }
      t = print_pick ("picked", ev.truth, ranked_pick, pick_score);
      best_arch = ranked_pick;
      best = pick_score;
    }

  if (o.final > 0 && done >= o.budget)
    {
      GnCliStage fs;
      fflush (stdout);   /* the search's report before the stage's log */
      if (!final_stage (&o, &ev, argv[1], st.run, hash,
                        seconds_left (o.max_seconds, t_start), &fs, &pf,
                        &final, &error))
        goto fail;
      int rescored = gn_search_n_counted (final);
      if (rescored < fs.budget)
        {
          gn_cli_error ("search", "stopped during the final stage: "
                        "--max-seconds %g ran out after %d of its %d "
                        "candidates were re-scored (--resume continues)",
                        o.max_seconds, rescored, fs.budget);
          printf ("best=none score=nan truth=nan evaluations=%d\n", done);
          goto out;   /* status 1, as a search the time stopped */
        }
      const char *pick = NULL;
      double pick_score = NAN;
      if (!gn_search_best (final, &pick, &pick_score))
        {
          no_best (ev.store, fs.run, "final stage");
          goto out;
        }
      printf ("final stage: run %" G_GINT64_FORMAT ", the %d best "
              "re-scored (%d restored), %.0f s\n", fs.run,
              gn_search_n_counted (final), fs.restored, fs.seconds);
      t = print_pick ("final", ev.truth, pick, pick_score);
      best_arch = pick;
      best = pick_score;
      picked_run = fs.run;
    }
  if (result)
    *result = (GnCliSearchResult) {
      .best = g_strdup (best_arch), .score = best,
      .loss = loss_of (ev.store, picked_run, best_arch), .evaluations = done,
      .run = picked_run, .db = g_strdup (ev.db) };
  printf ("best=%s score=%.6g truth=%.6g evaluations=%d\n", best_arch, best,
          t, done);
  status = done >= o.budget ? 0 : 1;
  g_free (ranked_pick);
  goto out;

fail:
  if (isatty (STDERR_FILENO))
    fputc ('\n', stderr);
  gn_cli_error ("search", "%s", error->message);
out:
  g_clear_error (&error);
  gn_cli_truth_free (ev.truth);
  gn_search_free (final);
  gn_search_free (search);
  gn_cli_constraint_clear (&limit);
  gn_cli_eval_clear (&ev);
  gn_cli_proxy_close (&pw);
  gn_cli_proxy_close (&pf);
  gn_cli_proxy_close (&p);
  g_strfreev (initial);
  g_free (json);
  g_free (hash);
  g_free (o.algo);
  g_free (o.on_failure);
  g_free (o.constraint_config);
  g_strfreev (o.final_params);
  g_strfreev (o.final_space_options);
  g_free (o.warmup_proxy);
  g_strfreev (o.warmup_params);
  g_free (o.pick);
  gn_cli_proxy_options_clear (&o.proxy);
  gn_cli_eval_options_clear (&o.eval);
  return status;
}
