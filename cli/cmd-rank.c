/* cmd-rank.c - `gennas rank`: how well does a proxy rank real architectures?
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Scores a seeded sample of the space's benchmark table with a proxy, as
 * a run of the store that `gennas search` drives and evaluates the way it
 * does its own (cli-eval.h), then compares the scores with the table's
 * true accuracies: Spearman's rho, Kendall's tau-b and top-10% retrieval,
 * for every metric column of the table, the chosen one last.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"
#include "cli-eval.h"
#include "cli-run-config.h"
#include "cli-proxy.h"

#include <math.h>
#include <string.h>

/* An evaluation as the store recorded it. */
typedef struct {
  double score, loss, seconds;
  GnEvalStatus status;
  gboolean evaluated;     /* the store has it: @status is set         */
  gboolean ok;            /* a score came back: ok or nonfinite       */
} Result;

typedef struct {
  char *arch;
  guint row;
  Result r;
} Item;

typedef struct {
  GnCliProxyOptions proxy;
  GnCliEvalOptions eval;
  char *truth, *csv, *plot;
  int sample;
} RankOptions;

/* The canonical architecture of a benchmark row: its arch columns joined
 * with ';' (one column for NB201's arch_str; adjacency and ops for NB101),
 * then canonicalised by the space. */
static char *
row_arch (GnSpace *space, const GnBenchmark *bm, const GnTable *t, guint row,
          GError **error)
{
  GString *s = g_string_new (NULL);
  for (char **c = bm->arch_columns; c && *c; c++)
    {
      int col = gn_table_find_column (t, *c, error);
      if (col < 0)
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      g_string_append_printf (s, "%s%s", c == bm->arch_columns ? "" : ";",
                              gn_table_get (t, row, (guint) col));
    }
  char *arch = gn_space_canonicalize (space, s->str, error);
  g_string_free (s, TRUE);
  return arch;
}

/* The items to evaluate: the distinct architectures, in sample order,
 * and where each one's results go. */
typedef struct {
  Item *items;
  GHashTable *first;      /* arch -> index + 1 of its first item */
} Sample;

static gboolean
collect (const GnEval *e, gpointer user)
{
  Sample *s = user;
  int i = GPOINTER_TO_INT (g_hash_table_lookup (s->first, e->arch)) - 1;
  if (i < 0)
    return TRUE;
  s->items[i].r = (Result) {
    .score = e->score, .loss = e->loss, .seconds = e->seconds,
    .status = e->status, .evaluated = TRUE,
    .ok = gn_eval_status_scored (e->status) };
  return TRUE;
}

/* Scores every item as a run of the store: a list search over the
 * sample, driven as `gennas search` drives its own (worker processes or
 * MPI ranks, the cache, the same statuses).  An architecture the sample
 * holds twice is evaluated once. */
static gboolean
score_all (const GnCliEval *ev, GnCliProxy *p, const char *space_path,
           const RankOptions *o, Item *items, int n, GError **error)
{
  Sample s = { items, g_hash_table_new (g_str_hash, g_str_equal) };
  GPtrArray *list = g_ptr_array_new ();
  GnSearch *search = NULL;
  char *id = NULL, *hash = NULL, *json = NULL;
  gboolean ok = FALSE;

  for (int i = 0; i < n; i++)
    if (!g_hash_table_contains (s.first, items[i].arch))
      {
        g_hash_table_insert (s.first, items[i].arch, GINT_TO_POINTER (i + 1));
        g_ptr_array_add (list, items[i].arch);
      }
  g_ptr_array_add (list, NULL);

  GnSearchConfig cfg = { .algo = GN_SEARCH_LIST,
                         .seed = (guint64) o->proxy.seed,
                         .on_failure = GN_FAILURE_WORST,
                         .candidates = (const char *const *) list->pdata };
  if ((search = gn_search_new (p->space, &cfg, error)) == NULL)
    goto out;
  guint64 task_seed = gn_proxy_task_seed (p->proxy);
  id = g_strdup_printf ("rank:space=%s;sample=%d;seed=%" G_GINT64_FORMAT
                        ";task_seed=%" G_GUINT64_FORMAT ";proxy=%s",
                        gn_space_name (p->space), o->sample, o->proxy.seed,
                        task_seed, gn_proxy_config (p->proxy));
  hash = gn_store_config_hash (id);
  JsonObject *own = json_object_new ();
  json_object_set_string_member (own, "stage", "rank");
  json_object_set_int_member (own, "sample", n);
  json_object_set_int_member (own, "seed", o->proxy.seed);
  json_object_set_int_member (own, "task_seed", (gint64) task_seed);
  json = gn_cli_run_config_json (p, space_path, "list", own, ev->workers, id);
  json_object_unref (own);
  GnCliStage st = { .p = p, .search = search, .json = json, .hash = hash,
                    .budget = (int) list->len - 1 };
  if (!gn_cli_eval_run (ev, &st, error)
      || !gn_store_foreach (ev->store, st.run, collect, &s, error))
    goto out;
  /* a repeated architecture shares its first item's result */
  for (int i = 0; i < n; i++)
    items[i].r = items[GPOINTER_TO_INT (g_hash_table_lookup (
                   s.first, items[i].arch)) - 1].r;
  ok = TRUE;

out:
  gn_search_free (search);
  g_hash_table_destroy (s.first);
  g_ptr_array_free (list, TRUE);
  g_free (id);
  g_free (hash);
  g_free (json);
  return ok;
}

typedef struct {
  double spearman, kendall, top10;
  int n;
} Agreement;

static Agreement
agreement (const Item *items, int n, const double *truth)
{
  double *s = g_new (double, n), *t = g_new (double, n);
  int m = 0;
  for (int i = 0; i < n; i++)
    if (items[i].r.ok && isfinite (truth[i]))
      {
        s[m] = items[i].r.score;
        t[m] = truth[i];
        m++;
      }
  Agreement a = { NAN, NAN, NAN, m };
  if (m >= 2)
    {
      a.spearman = gn_stats_spearman (s, t, (gsize) m);
      a.kendall = gn_stats_kendall_tau_b (s, t, (gsize) m);
      a.top10 = gn_stats_top_retrieval (s, t, (gsize) m, 0.1);
    }
  g_free (s);
  g_free (t);
  return a;
}

static gboolean
write_csv (const char *path, const Item *items, int n, const GnTable *t,
           const int *cols, char **metrics, GError **error)
{
  GString *out = g_string_new ("arch,score,loss,status,seconds");
  for (char **m = metrics; *m; m++)
    g_string_append_printf (out, ",%s", *m);
  g_string_append_c (out, '\n');
  for (int i = 0; i < n; i++)
    {
      const Item *it = &items[i];
      /* a failed evaluation has no score (the store's is the worst) */
      g_string_append_printf (out, "\"%s\",%.9g,%.9g,%s,%.3f", it->arch,
                              it->r.ok ? it->r.score : NAN,
                              it->r.ok ? it->r.loss : NAN,
                              it->r.evaluated
                              ? gn_eval_status_name (it->r.status)
                              : "unevaluated",
                              it->r.seconds);
      for (int k = 0; metrics[k]; k++)
        g_string_append_printf (out, ",%s",
                                gn_table_get (t, it->row, (guint) cols[k]));
      g_string_append_c (out, '\n');
    }
  gboolean ok = g_file_set_contents (path, out->str, (gssize) out->len,
                                     error);
  g_string_free (out, TRUE);
  return ok;
}

static gboolean
plot (const char *path, const Item *items, int n, const double *truth,
      const char *truth_name, const char *proxy, const Agreement *a,
      GError **error)
{
  double *x = g_new (double, n), *y = g_new (double, n);
  gsize m = 0;
  for (int i = 0; i < n; i++)
    if (items[i].r.evaluated && items[i].r.status == GN_EVAL_OK)
      {
        x[m] = items[i].r.score;
        y[m] = truth[i];
        m++;
      }
  char *title = g_strdup_printf ("%s vs %s: Spearman %.3f, Kendall %.3f, "
                                 "top-10%% %.2f (n=%d)", proxy, truth_name,
                                 a->spearman, a->kendall, a->top10, a->n);
  char *xlabel = g_strdup_printf ("%s score", proxy);
  GnPlotSeries series = { .x = x, .y = y, .n = m, .rgb = 0x1f77b4,
                          .style = GN_PLOT_POINTS };
  GnPlotSpec spec = { .title = title, .xlabel = xlabel,
                      .ylabel = truth_name };
  gboolean ok = gn_plot_png (path, &spec, &series, 1, error);
  g_free (title);
  g_free (xlabel);
  g_free (x);
  g_free (y);
  return ok;
}

int
gn_cmd_rank (int argc, char **argv)
{
  RankOptions o = { .sample = 100 };
  GOptionEntry entries[] = {
    { "sample", 'n', 0, G_OPTION_ARG_INT, &o.sample,
      "architectures drawn from the benchmark table (default 100)", "N" },
    { "truth", 't', 0, G_OPTION_ARG_STRING, &o.truth,
      "the metric column to rank against (default: the table's first)",
      "COLUMN" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv,
      "write every score with its true metrics to FILE", "FILE" },
    { "plot", 0, 0, G_OPTION_ARG_FILENAME, &o.plot,
      "draw score against truth into FILE.png", "FILE" },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("SPACE.lua");
  g_option_context_set_summary (ctx,
    "Scores a seeded sample of the architectures in the space's benchmark\n"
    "table with a proxy and reports how well the scores rank them against\n"
    "the true accuracies: Spearman's rho, Kendall's tau-b, and top-10%\n"
    "retrieval (the share of the truly best 10% that the proxy also puts in\n"
    "its best 10%), for every metric of the table. The last line is\n"
    "  spearman=R kendall=T top10=P n=N seconds_per_arch=S\n"
    "for the --truth column; seconds_per_arch is the mean time of one\n"
    "evaluation on one core. With fewer than two finite scores, or scores\n"
    "that do not vary, there is no ranking: an error instead of that line.\n"
    "\n"
    "The sample is evaluated as `gennas search` evaluates: in worker\n"
    "processes (or, with --mpi, on the ranks of an MPI job), a crash or a\n"
    "timeout failing only its architecture. With --db, the evaluations are\n"
    "recorded there as a run, and scores the store already holds for the\n"
    "same proxy configuration and task seed are reused.");
  gn_cli_proxy_options_add (ctx, &o.proxy);
  g_option_context_add_main_entries (ctx, entries, NULL);
  gn_cli_eval_options_add (ctx, &o.eval);
  gboolean parsed = gn_cli_parse (ctx, "rank", &argc, &argv);
  g_option_context_free (ctx);

  int status = 2;
  GnCliProxy p = { 0 };
  GnCliEval ev = { 0 };
  GnTable *table = NULL;
  Item *items = NULL;
  int *cols = NULL;
  double **truths = NULL;
  int n = 0, n_metrics = 0, truth_k = 0;
  GError *error = NULL;

  if (!parsed)
    goto out;
  if (argc != 2)
    {
      gn_cli_error ("rank", "give exactly one space file (try --help)");
      goto out;
    }
  if (o.sample < 2)
    {
      gn_cli_error ("rank", "--sample must be >= 2");
      goto out;
    }
  if (!gn_cli_eval_options_check (&o.eval, &error))
    {
      gn_cli_error ("rank", "%s", error->message);
      goto out;
    }
  if (!gn_cli_check_params (o.proxy.params, "--param", "--space-option",
                            &error))
    {
      gn_cli_error ("rank", "%s", error->message);
      goto out;
    }
  status = 1;
  gn_cli_single_thread ();
  gboolean served;
  if (!gn_cli_eval_init (&ev, "rank", &o.eval, &error)
      || !gn_cli_proxy_open (&p, argv[1], &o.proxy, NULL, NULL, &error)
      || !gn_cli_eval_start (&ev, &p, ":memory:", &served, &error))
    goto fail;
  if (served)
    {
      status = 0;
      goto out;
    }
  const GnBenchmark *bm = gn_space_get_benchmark (p.space, &error);
  if (bm == NULL)
    goto fail;
  table = gn_table_load_benchmark (bm, &error);
  if (table == NULL)
    goto fail;

  n_metrics = (int) g_strv_length (bm->metrics);
  cols = g_new (int, n_metrics);
  truth_k = -1;
  for (int k = 0; k < n_metrics; k++)
    {
      cols[k] = gn_table_find_column (table, bm->metrics[k], &error);
      if (cols[k] < 0)
        goto fail;
      if (o.truth == NULL ? k == 0 : strcmp (o.truth, bm->metrics[k]) == 0)
        truth_k = k;
    }
  if (truth_k < 0)
    {
      char *known = g_strjoinv (", ", bm->metrics);
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--truth %s is not a metric of %s (it has: %s)", o.truth,
                   bm->path, known);
      g_free (known);
      goto fail;
    }

  /* the sample: the first N rows of a seeded permutation */
  guint rows = gn_table_n_rows (table);
  n = MIN (o.sample, (int) rows);
  if (n < o.sample)
    gn_cli_error ("rank", "the table has only %u rows; ranking all", rows);
  int *perm = g_new (int, rows);
  GnRng rng;
  gn_rng_seed (&rng, (guint64) o.proxy.seed);
  gn_rng_permutation (&rng, perm, (int) rows);
  items = g_new0 (Item, n);
  truths = g_new0 (double *, n_metrics);
  for (int k = 0; k < n_metrics; k++)
    truths[k] = g_new (double, n);
  for (int i = 0; i < n; i++)
    {
      items[i].row = (guint) perm[i];
      items[i].arch = row_arch (p.space, bm, table, items[i].row, &error);
      if (items[i].arch == NULL)
        {
          g_prefix_error (&error, "%s row %u: ", bm->path, items[i].row + 1);
          g_free (perm);
          goto fail;
        }
      for (int k = 0; k < n_metrics; k++)
        if (!gn_table_get_double (table, items[i].row, (guint) cols[k],
                                  &truths[k][i], NULL))
          truths[k][i] = NAN;
    }
  g_free (perm);

  gn_cli_eval_limit_workers (&ev, n);
  int workers = ev.workers;
  fprintf (stderr, "gennas rank: %d architectures of %s, proxy %s, %d "
           "worker(s)%s%s\n", n, gn_space_name (p.space),
           gn_proxy_desc (p.proxy)->name, workers, o.eval.db ? ", store " : "",
           o.eval.db ? o.eval.db : "");
  gint64 t0 = g_get_monotonic_time ();
  if (!score_all (&ev, &p, argv[1], &o, items, n, &error))
    goto fail;
  gn_cli_eval_summary (&ev);
  double wall = (g_get_monotonic_time () - t0) / 1e6;

  double total = 0;
  int ok_count = 0;
  for (int i = 0; i < n; i++)
    if (items[i].r.ok)
      {
        total += items[i].r.seconds;
        ok_count++;
      }
  double per_arch = ok_count ? total / ok_count : NAN;

  if (o.csv && !write_csv (o.csv, items, n, table, cols, bm->metrics, &error))
    goto fail;

  Agreement chosen = { 0 };
  int finite = 0;   /* scored, finitely, with a true value to rank by */
  printf ("proxy %s (%s) on %s, %d architectures, sample seed %" G_GINT64_FORMAT
          ", %.1f s wall with %d worker(s)\n", gn_proxy_desc (p.proxy)->name,
          gn_proxy_config (p.proxy), gn_space_name (p.space), n, o.proxy.seed,
          wall, workers);
  for (int k = 0; k < n_metrics; k++)
    {
      Agreement a = agreement (items, n, truths[k]);
      printf ("  %-18s spearman %6.3f  kendall %6.3f  top10 %5.3f  (n=%d)\n",
              bm->metrics[k], a.spearman, a.kendall, a.top10, a.n);
      if (k == truth_k)
        chosen = a;
    }
  for (int i = 0; i < n; i++)
    finite += items[i].r.evaluated && items[i].r.status == GN_EVAL_OK
              && isfinite (truths[truth_k][i]);
  if (finite < 2)
    {
      gn_cli_error ("rank", "only %d of the %d architectures got a finite "
                    "score with a true %s: ranking needs 2", finite, n,
                    bm->metrics[truth_k]);
      goto out;
    }
  if (!isfinite (chosen.spearman) || !isfinite (chosen.kendall))
    {
      gn_cli_error ("rank", "the rank correlation with %s is undefined: "
                    "the scores (or the true values) of the %d "
                    "architectures do not vary", bm->metrics[truth_k],
                    chosen.n);
      goto out;
    }
  if (o.plot && !plot (o.plot, items, n, truths[truth_k], bm->metrics[truth_k],
                       gn_proxy_desc (p.proxy)->name, &chosen, &error))
    goto fail;
  printf ("spearman=%.4f kendall=%.4f top10=%.4f n=%d seconds_per_arch=%.3f\n",
          chosen.spearman, chosen.kendall, chosen.top10, chosen.n, per_arch);
  status = ok_count == n ? 0 : 1;
  goto out;

fail:
  gn_cli_error ("rank", "%s", error->message);
out:
  g_clear_error (&error);
  for (int i = 0; items && i < n; i++)
    g_free (items[i].arch);
  g_free (items);
  for (int k = 0; truths && k < n_metrics; k++)
    g_free (truths[k]);
  g_free (truths);
  g_free (cols);
  gn_table_free (table);
  gn_cli_eval_clear (&ev);
  gn_cli_proxy_close (&p);
  g_free (o.truth);
  g_free (o.csv);
  g_free (o.plot);
  gn_cli_proxy_options_clear (&o.proxy);
  gn_cli_eval_options_clear (&o.eval);
  return status;
}
