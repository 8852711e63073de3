/* cmd-rank.c - `gennas rank`: how well does a proxy rank real architectures?
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Scores architectures of the space's benchmark table with a proxy (a
 * seeded sample of the table, or the ones a file lists), as a run of the
 * store that `gennas search` drives and evaluates the way it does its own
 * (cli-eval.h), then compares the scores with the table's true
 * accuracies: Spearman's rho, Kendall's tau-b and top-K% retrieval, each
 * with a bootstrap interval, for every metric column of the table, the
 * chosen one last.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"
#include "cli-eval.h"
#include "cli-listed.h"
#include "cli-run-config.h"
#include "cli-proxy.h"
#include "cli-truth.h"

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
  char *truth, *csv, *plot, *archs;
  int sample, top, resamples;
} RankOptions;

/* The confidence of the intervals, and the seed of their resampling (a
 * constant: an interval is a property of the scores, reproducible). */
#define RANK_LEVEL 0.95
#define RANK_BOOTSTRAP_SEED 20211206

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
           const RankOptions *o, const char *sample_id, Item *items, int n,
           GError **error)
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
  id = g_strdup_printf ("rank:space=%s;%s;seed=%" G_GINT64_FORMAT
                        ";task_seed=%" G_GUINT64_FORMAT ";proxy=%s",
                        gn_space_name (p->space), sample_id, o->proxy.seed,
                        task_seed, gn_proxy_config (p->proxy));
  hash = gn_store_config_hash (id);
  JsonObject *own = json_object_new ();
  json_object_set_string_member (own, "stage", "rank");
  json_object_set_int_member (own, "sample", n);
  if (o->archs)
    json_object_set_string_member (own, "archs", o->archs);
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
  GnStatsAgreement value, lo, hi;   /* lo, hi: NAN without --resamples */
  int n;
} Agreement;

/* The agreement of the scored items' scores with @truth, over those with
 * a score and a finite true value. */
static Agreement
agreement (const Item *items, int n, const double *truth, gboolean lower,
           const RankOptions *o)
{
  double *s = g_new (double, n), *t = g_new (double, n);
  int m = 0;
  for (int i = 0; i < n; i++)
    if (items[i].r.ok && isfinite (truth[i]))
      {
        s[m] = items[i].r.score;
        t[m] = lower ? -truth[i] : truth[i];   /* higher is better */
        m++;
      }
  double frac = o->top / 100.0;
  Agreement a = { .n = m };
  a.value = gn_stats_agreement (s, t, (gsize) m, frac);
  a.lo = a.hi = (GnStatsAgreement) { NAN, NAN, NAN };
  if (o->resamples > 0)
    gn_stats_agreement_bootstrap (s, t, (gsize) m, frac, o->resamples,
                                  RANK_LEVEL, RANK_BOOTSTRAP_SEED, &a.lo,
                                  &a.hi);
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
      const char *truth_name, const char *proxy, const Agreement *a, int top,
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
                                 "top-%d%% %.2f (n=%d)", proxy, truth_name,
                                 a->value.spearman, a->value.kendall, top,
                                 a->value.top, a->n);
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
  RankOptions o = { .sample = 100, .top = 10, .resamples = 1000 };
  GOptionEntry entries[] = {
    { "sample", 'n', 0, G_OPTION_ARG_INT, &o.sample,
      "architectures drawn from the benchmark table (default 100)", "N" },
    { "archs", 'a', 0, G_OPTION_ARG_FILENAME, &o.archs,
      "rank the architectures FILE lists instead of a sample", "FILE" },
    { "top", 0, 0, G_OPTION_ARG_INT, &o.top,
      "retrieval of the best K% (1-100, default 10)", "K" },
    { "resamples", 0, 0, G_OPTION_ARG_INT, &o.resamples,
      "bootstrap resamples of the intervals (default 1000; 0: none)", "B" },
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
    "Scores architectures of the space's benchmark table with a proxy and\n"
    "reports how well the scores rank them against the true accuracies, for\n"
    "every metric of the table: Spearman's rho, Kendall's tau-b (both as\n"
    "scipy.stats computes them, ties averaged), and top-K% retrieval.\n"
    "A metric the space's table marks lower-is-better (a perplexity) is\n"
    "negated first, so for every metric a positive correlation means that\n"
    "higher scores go with better architectures.\n"
    "\n"
    "The architectures: a sample of --sample rows of the table, the first\n"
    "rows of a permutation drawn from --seed; or, with --archs, those FILE\n"
    "lists, one per line in any form the space reads ('#' starts a comment\n"
    "line), or a CSV file whose header names the table's architecture\n"
    "columns (as GenNAS's samples: index,arch_str). A FILE that is not found\n"
    "is looked for in gennas's data folders, so the paper's NB201 samples are\n"
    "--archs nb201-samples/gennas_sample1000_0.csv (and _1, _2). Every listed\n"
    "architecture must be in the table.\n"
    "\n"
    "Top-K% retrieval: with n architectures ranked, let k = ceil(K n / 100);\n"
    "the share of the k truly best that are also among the k with the best\n"
    "scores. Ties at either cut are broken by the order of the sample (or\n"
    "file), so k is always exact. A score that is not finite ranks last; an\n"
    "evaluation that failed (crashed, timed out) is left out, and n says\n"
    "how many were ranked.\n"
    "\n"
    "Intervals: 95% percentile bootstrap over --resamples resamples of the\n"
    "n (score, truth) pairs drawn with replacement, with a fixed seed, so\n"
    "the same scores give the same interval. The last line is\n"
    "  spearman=R kendall=T topK=P n=N seconds_per_arch=S\n"
    "  spearman_lo=.. spearman_hi=.. kendall_lo=.. kendall_hi=..\n"
    "  topK_lo=.. topK_hi=..   (one line; K as --top)\n"
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
  GnCliTruth *truth = NULL;
  const GnTable *table = NULL;
  GPtrArray *listed = NULL;
  char *archs_path = NULL, *sample_id = NULL;
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
  if (o.top < 1 || o.top > 100)
    {
      gn_cli_error ("rank", "--top must be a percentage from 1 to 100");
      goto out;
    }
  if (o.resamples < 0 || o.resamples > 1000000)
    {
      gn_cli_error ("rank", "--resamples must be from 0 to 1000000");
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
      || !gn_cli_eval_start (&ev, (GnCliProxy *[]) { &p }, 1, ":memory:",
                             &served, &error))
    goto fail;
  if (served)
    {
      status = 0;
      goto out;
    }
  const GnBenchmark *bm = gn_space_get_benchmark (p.space, &error);
  if (bm == NULL || (truth = gn_cli_truth_new (p.space, NULL, &error)) == NULL)
    {
      if (error == NULL)
        g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                     "the benchmark table of %s is not found", argv[1]);
      goto fail;
    }
  table = gn_cli_truth_table (truth);

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

  if (o.archs)
    {
      archs_path = g_file_test (o.archs, G_FILE_TEST_EXISTS)
                   ? g_strdup (o.archs) : gn_data_find (o.archs, NULL);
      if (archs_path == NULL)
        archs_path = g_strdup (o.archs);   /* for the error to name */
      if ((listed = gn_cli_listed_read (archs_path, bm, NULL, NULL,
                                          &error))
          == NULL)
        goto fail;
      if (listed->len < 2)
        {
          g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s lists %u architecture(s): ranking needs 2",
                       archs_path, listed->len);
          goto fail;
        }
      n = (int) listed->len;
    }
  else
    {
      guint rows = gn_table_n_rows (table);
      n = MIN (o.sample, (int) rows);
      if (n < o.sample)
        gn_cli_error ("rank", "the table has only %u rows; ranking all", rows);
    }
  items = g_new0 (Item, n);
  truths = g_new0 (double *, n_metrics);
  for (int k = 0; k < n_metrics; k++)
    truths[k] = g_new (double, n);
  if (listed)
    {
      /* the file's architectures, each found in the table */
      GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
      for (int i = 0; i < n; i++)
        {
          const GnCliListed *l = g_ptr_array_index (listed, i);
          items[i].arch = gn_space_canonicalize (p.space, l->text, &error);
          int row = items[i].arch ? gn_cli_truth_row (truth, items[i].arch)
                                  : -1;
          if (items[i].arch && row < 0)
            g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                         "%s is not in the benchmark table %s", l->text,
                         bm->path);
          if (row < 0)
            {
              g_prefix_error (&error, "%s:%u: ", archs_path, l->line);
              g_checksum_free (sum);
              goto fail;
            }
          items[i].row = (guint) row;
          g_checksum_update (sum, (const guchar *) items[i].arch, -1);
          g_checksum_update (sum, (const guchar *) "\n", 1);
        }
      sample_id = g_strdup_printf ("archs=%s", g_checksum_get_string (sum));
      g_checksum_free (sum);
    }
  else
    {
      /* the sample: the first N rows of a seeded permutation */
      guint rows = gn_table_n_rows (table);
      int *perm = g_new (int, rows);
      GnRng rng;
      gn_rng_seed (&rng, (guint64) o.proxy.seed);
      gn_rng_permutation (&rng, perm, (int) rows);
      for (int i = 0; i < n; i++)
        {
          items[i].row = (guint) perm[i];
          items[i].arch = gn_cli_listed_row_arch (p.space, bm, table,
                                                  items[i].row, &error);
          if (items[i].arch == NULL)
            {
              g_prefix_error (&error, "%s row %u: ", bm->path,
                              items[i].row + 1);
              g_free (perm);
              goto fail;
            }
        }
      g_free (perm);
      sample_id = g_strdup_printf ("sample=%d", o.sample);
    }
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n_metrics; k++)
      if (!gn_table_get_double (table, items[i].row, (guint) cols[k],
                                &truths[k][i], NULL))
        truths[k][i] = NAN;

  gn_cli_eval_limit_workers (&ev, n);
  int workers = ev.workers;
  fprintf (stderr, "gennas rank: %d architectures of %s, proxy %s, %d "
           "worker(s)%s%s\n", n, gn_space_name (p.space),
           gn_proxy_desc (p.proxy)->name, workers, o.eval.db ? ", store " : "",
           o.eval.db ? o.eval.db : "");
  gint64 t0 = g_get_monotonic_time ();
  if (!score_all (&ev, &p, argv[1], &o, sample_id, items, n, &error))
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
  char *from = o.archs ? g_strdup_printf ("listed in %s", archs_path)
                       : g_strdup_printf ("sample seed %" G_GINT64_FORMAT,
                                          o.proxy.seed);
  printf ("proxy %s (%s) on %s, %d architectures %s, %.1f s wall with %d "
          "worker(s)\n", gn_proxy_desc (p.proxy)->name,
          gn_proxy_config (p.proxy), gn_space_name (p.space), n, from, wall,
          workers);
  g_free (from);
  if (o.resamples > 0)
    printf ("  [95%% bootstrap intervals, %d resamples]\n", o.resamples);
  for (int k = 0; k < n_metrics; k++)
    {
      Agreement a = agreement (items, n, truths[k],
                               gn_benchmark_lower_is_better (bm,
                                                             bm->metrics[k]),
                               &o);
      printf ("  %-18s spearman %6.3f", bm->metrics[k], a.value.spearman);
      if (o.resamples > 0)
        printf (" [%6.3f,%6.3f]", a.lo.spearman, a.hi.spearman);
      printf ("  kendall %6.3f", a.value.kendall);
      if (o.resamples > 0)
        printf (" [%6.3f,%6.3f]", a.lo.kendall, a.hi.kendall);
      printf ("  top%d %5.3f", o.top, a.value.top);
      if (o.resamples > 0)
        printf (" [%5.3f,%5.3f]", a.lo.top, a.hi.top);
      printf ("  (n=%d)\n", a.n);
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
  if (!isfinite (chosen.value.spearman) || !isfinite (chosen.value.kendall))
    {
      gn_cli_error ("rank", "the rank correlation with %s is undefined: "
                    "the scores (or the true values) of the %d "
                    "architectures do not vary", bm->metrics[truth_k],
                    chosen.n);
      goto out;
    }
  if (o.plot && !plot (o.plot, items, n, truths[truth_k], bm->metrics[truth_k],
                       gn_proxy_desc (p.proxy)->name, &chosen, o.top, &error))
    goto fail;
  printf ("spearman=%.4f kendall=%.4f top%d=%.4f n=%d seconds_per_arch=%.3f",
          chosen.value.spearman, chosen.value.kendall, o.top, chosen.value.top,
          chosen.n, per_arch);
  if (o.resamples > 0)
    printf (" spearman_lo=%.4f spearman_hi=%.4f kendall_lo=%.4f kendall_hi=%.4f"
            " top%d_lo=%.4f top%d_hi=%.4f", chosen.lo.spearman,
            chosen.hi.spearman, chosen.lo.kendall, chosen.hi.kendall, o.top,
            chosen.lo.top, o.top, chosen.hi.top);
  printf ("\n");
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
  gn_cli_truth_free (truth);
  if (listed)
    g_ptr_array_unref (listed);
  g_free (archs_path);
  g_free (sample_id);
  gn_cli_eval_clear (&ev);
  gn_cli_proxy_close (&p);
  g_free (o.truth);
  g_free (o.csv);
  g_free (o.plot);
  g_free (o.archs);
  gn_cli_proxy_options_clear (&o.proxy);
  gn_cli_eval_options_clear (&o.eval);
  return status;
}
