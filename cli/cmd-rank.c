/* cmd-rank.c - `gennas rank`: how well does a proxy rank real architectures?
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Scores a seeded sample of the space's benchmark table with a proxy (in
 * worker processes), then compares the scores with the table's true
 * accuracies: Spearman's rho, Kendall's tau-b and top-10% retrieval, for
 * every metric column of the table, the chosen one last.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *arch;
  guint row;
  double score, loss, seconds;
  GnEvalStatus status;
  gboolean done;
} Item;

typedef struct {
  char *proxy, *truth, *csv, *plot, *data;
  char **params, **space_options;
  int sample, workers;
  gint64 seed, task_seed;
  double timeout;
} RankOptions;

#define NOT_GIVEN G_MININT64

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

static void
progress (int done, int total, int failed, gint64 t0, gboolean tty)
{
  double elapsed = (g_get_monotonic_time () - t0) / 1e6;
  double eta = done > 0 ? elapsed / done * (total - done) : 0;
  if (tty)
    {
      int width = 30, fill = total ? done * width / total : width;
      fprintf (stderr, "\r  [%.*s%*s] %d/%d scored, %d failed, %.0f s, "
               "ETA %.0f s ", fill, "##############################",
               width - fill, "", done, total, failed, elapsed, eta);
      if (done == total)
        fputc ('\n', stderr);
    }
  else if (done == total || done % MAX (1, total / 10) == 0)
    fprintf (stderr, "gennas rank: %d/%d scored, %d failed, %.0f s elapsed, "
             "ETA %.0f s\n", done, total, failed, elapsed, eta);
}

/* Scores every item with a pool of workers; returns FALSE only if the
 * pool itself could not run. */
static gboolean
score_all (GnCliProxy *p, Item *items, int n, int workers, double timeout,
           GError **error)
{
  GnWorkers *pool = gn_workers_new (MIN (workers, n), gn_cli_proxy_work, p,
                                    timeout, error);
  if (pool == NULL)
    return FALSE;
  gboolean tty = isatty (STDERR_FILENO);
  gint64 t0 = g_get_monotonic_time ();
  int next = 0, done = 0, failed = 0;
  while (done < n)
    {
      while (next < n && gn_workers_n_idle (pool) > 0)
        {
          if (!gn_workers_submit (pool, next, items[next].arch, error))
            {
              gn_workers_free (pool);
              return FALSE;
            }
          next++;
        }
      GnWorkerResult r;
      if (!gn_workers_wait (pool, -1, &r))
        continue;
      Item *it = &items[r.job];
      it->done = TRUE;
      it->status = r.result.status;
      it->seconds = r.seconds;
      it->score = r.result.score;
      it->loss = r.result.loss;
      if (!gn_eval_status_scored (it->status))
        {
          failed++;
          if (tty)
            fputc ('\n', stderr);
          gn_cli_error ("rank", "%s: %s: %s", it->arch,
                        gn_eval_status_name (it->status),
                        r.message ? r.message : "");
        }
      gn_worker_result_clear (&r);
      done++;
      progress (done, n, failed, t0, tty);
    }
  gn_workers_free (pool);
  return TRUE;
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
    if (gn_eval_status_scored (items[i].status) && isfinite (truth[i]))
      {
        s[m] = items[i].score;
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
      g_string_append_printf (out, "\"%s\",%.9g,%.9g,%s,%.3f", it->arch,
                              it->score, it->loss,
                              gn_eval_status_name (it->status), it->seconds);
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
    if (items[i].status == GN_EVAL_OK)
      {
        x[m] = items[i].score;
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
  RankOptions o = { .sample = 100, .workers = 1, .seed = 1,
                    .task_seed = NOT_GIVEN };
  GOptionEntry entries[] = {
    { "proxy", 'p', 0, G_OPTION_ARG_STRING, &o.proxy,
      "the proxy plugin (default: regression)", "NAME" },
    { "param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.params,
      "set a proxy parameter (repeatable; see `gennas proxies`)",
      "NAME=VALUE" },
    { "space-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.space_options,
      "a build option of the network, as the space defines them, e.g. N=5 "
      "(repeatable)", "KEY=VALUE" },
    { "sample", 'n', 0, G_OPTION_ARG_INT, &o.sample,
      "architectures drawn from the benchmark table (default 100)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed,
      "seed of the sample, and of the proxy's task unless --task-seed is "
      "given (default 1)", "S" },
    { "task-seed", 0, 0, G_OPTION_ARG_INT64, &o.task_seed,
      "seed of the proxy's task (default: --seed)", "T" },
    { "truth", 't', 0, G_OPTION_ARG_STRING, &o.truth,
      "the metric column to rank against (default: the table's first)",
      "COLUMN" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &o.workers,
      "evaluations in parallel, one process each (default 1)", "W" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o.timeout,
      "seconds one evaluation may take (default: no limit)", "SEC" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv,
      "write every score with its true metrics to FILE", "FILE" },
    { "plot", 0, 0, G_OPTION_ARG_FILENAME, &o.plot,
      "draw score against truth into FILE.png", "FILE" },
    { "data", 0, 0, G_OPTION_ARG_STRING, &o.data,
      "image set: cifar10 (default) or fashion-mnist", "SET" },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("SPACE.lua - rank a sample of "
                                              "the space's benchmark");
  g_option_context_set_summary (ctx,
    "Scores a seeded sample of the architectures in the space's benchmark\n"
    "table with a proxy and reports how well the scores rank them against\n"
    "the true accuracies: Spearman's rho, Kendall's tau-b, and top-10%\n"
    "retrieval (the share of the truly best 10% that the proxy also puts in\n"
    "its best 10%), for every metric of the table. The last line is\n"
    "  spearman=R kendall=T top10=P n=N seconds_per_arch=S\n"
    "for the --truth column; seconds_per_arch is the mean time of one\n"
    "evaluation on one core.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean parsed = gn_cli_parse (ctx, "rank", &argc, &argv);
  g_option_context_free (ctx);

  int status = 2;
  GnCliProxy p = { 0 };
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
  if (o.sample < 2 || o.workers < 1)
    {
      gn_cli_error ("rank", "--sample must be >= 2 and --workers >= 1");
      goto out;
    }
  if (!gn_cli_check_params (o.params, "--param", "--task-seed",
                            "--space-option", &error))
    {
      gn_cli_error ("rank", "%s", error->message);
      goto out;
    }
  status = 1;
  gn_cli_single_thread ();
  if (!gn_cli_proxy_open (&p, argv[1], o.proxy ? o.proxy : "regression",
                          o.params, o.space_options, o.data,
                          (guint64) (o.task_seed != NOT_GIVEN ? o.task_seed
                                                              : o.seed),
                          &error))
    goto fail;
  const GnBenchmark *bm = gn_space_get_benchmark (p.space, &error);
  if (bm == NULL)
    goto fail;
  table = gn_table_load (bm->path, &error);
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
  gn_rng_seed (&rng, (guint64) o.seed);
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

  fprintf (stderr, "gennas rank: %d architectures of %s, proxy %s, %d "
           "worker(s)\n", n, gn_space_name (p.space),
           gn_proxy_desc (p.proxy)->name, MIN (o.workers, n));
  gint64 t0 = g_get_monotonic_time ();
  if (!score_all (&p, items, n, o.workers, o.timeout, &error))
    goto fail;
  double wall = (g_get_monotonic_time () - t0) / 1e6;

  double total = 0;
  int ok_count = 0;
  for (int i = 0; i < n; i++)
    if (gn_eval_status_scored (items[i].status))
      {
        total += items[i].seconds;
        ok_count++;
      }
  double per_arch = ok_count ? total / ok_count : NAN;

  if (o.csv && !write_csv (o.csv, items, n, table, cols, bm->metrics, &error))
    goto fail;

  Agreement chosen = { 0 };
  printf ("proxy %s (%s) on %s, %d architectures, sample seed %" G_GINT64_FORMAT
          ", %.1f s wall with %d worker(s)\n", gn_proxy_desc (p.proxy)->name,
          gn_proxy_config (p.proxy), gn_space_name (p.space), n, o.seed, wall,
          MIN (o.workers, n));
  for (int k = 0; k < n_metrics; k++)
    {
      Agreement a = agreement (items, n, truths[k]);
      printf ("  %-18s spearman %6.3f  kendall %6.3f  top10 %5.3f  (n=%d)\n",
              bm->metrics[k], a.spearman, a.kendall, a.top10, a.n);
      if (k == truth_k)
        chosen = a;
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
  gn_cli_proxy_close (&p);
  g_free (o.proxy);
  g_free (o.truth);
  g_free (o.csv);
  g_free (o.plot);
  g_free (o.data);
  g_strfreev (o.params);
  g_strfreev (o.space_options);
  return status;
}
