/* cmd-plot.c - `gennas plot`: draw a search's trajectory from a store
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"
#include "cli-run-config.h"
#include "cli-truth.h"

#include <math.h>
#include <string.h>

/* The run to show: --run, or the latest run, or rather the run that one
 * derives from (when the latest is a search's final stage, the search it
 * re-scored: see `gennas search --final`). */
static gboolean
pick_run (GnStore *store, gint64 asked, gint64 *run, char **config,
          GError **error)
{
  gint64 parent = 0;
  if (asked >= 0)
    {
      *run = asked;
      return gn_store_get_run (store, asked, config, NULL, error);
    }
  if (!gn_store_find_run (store, NULL, run, NULL, error)
      || !gn_store_get_run (store, *run, NULL, &parent, error))
    return FALSE;
  if (parent > 0)
    *run = parent;
  return gn_store_get_run (store, *run, config, NULL, error);
}

/* The space file the run recorded, if it is still what the run used; or
 * NULL, having said on standard error why the plot has no truth. */
static GnSpace *
run_space (const char *config, gint64 run)
{
  GError *why = NULL;
  GnSpace *space = gn_cli_run_config_load_space (config, run, &why);
  if (space == NULL)
    fprintf (stderr, "gennas plot: no true accuracies: %s (--space names "
             "the space file)\n", why->message);
  g_clear_error (&why);
  return space;
}

typedef struct {
  GArray *x, *best, *truth;
  GnCliTruth *t;
  double best_score, best_truth;
} Trajectory;

static gboolean
add_point (const GnEval *e, gpointer user)
{
  Trajectory *tr = user;
  double n = (double) tr->x->len + 1;
  gboolean ok = e->status == GN_EVAL_OK;
  if (ok && e->score > tr->best_score)
    {
      tr->best_score = e->score;
      if (tr->t)
        tr->best_truth = gn_cli_truth_of (tr->t, e->arch);
    }
  double b = isfinite (tr->best_score) ? tr->best_score : NAN;
  g_array_append_val (tr->x, n);
  g_array_append_val (tr->best, b);
  g_array_append_val (tr->truth, tr->best_truth);
  return TRUE;
}

int
gn_cmd_plot (int argc, char **argv)
{
  char *out = NULL, *space_path = NULL;
  gint64 run = -1;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "the PNG to write (required)", "FILE.png" },
    { "run", 0, 0, G_OPTION_ARG_INT64, &run,
      "the run to draw (default: the latest)", "ID" },
    { "space", 0, 0, G_OPTION_ARG_FILENAME, &space_path,
      "the space file, for true accuracies (default: the run's); it must "
      "be the run's space", "SPACE" },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("DB");
  g_option_context_set_summary (ctx,
    "Draws the best proxy score found against the number of evaluations\n"
    "and, when the space has a benchmark table, the true accuracy of that\n"
    "best architecture on a second axis.\n"
    "\n"
    "The true accuracies come from the space file the run recorded, which\n"
    "is loaded only if it is a regular file whose contents are still those\n"
    "the run used (their SHA-256 is in the store); otherwise the plot has\n"
    "none and says why. --space names another copy of the run's space.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean ok = gn_cli_parse (ctx, "plot", &argc, &argv);
  g_option_context_free (ctx);
  int status = 2;
  GnStore *store = NULL;
  GnSpace *space = NULL;
  GError *error = NULL;
  char *config = NULL;
  Trajectory tr = { g_array_new (FALSE, FALSE, sizeof (double)),
                    g_array_new (FALSE, FALSE, sizeof (double)),
                    g_array_new (FALSE, FALSE, sizeof (double)), NULL,
                    -INFINITY, NAN };
  if (!ok)
    goto out;
  if (argc != 2 || out == NULL)
    {
      gn_cli_error ("plot", "give a store file and --out FILE.png (try "
                    "--help)");
      goto out;
    }
  status = 1;
  if (!g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      gn_cli_error ("plot", "%s: no such file", argv[1]);
      goto out;
    }
  store = gn_store_open (argv[1], &error);
  if (store == NULL || !pick_run (store, run, &run, &config, &error))
    goto fail;
  if (space_path)
    {
      /* the user's choice: it must be a space of the run's name */
      if ((space = gn_cli_run_config_load_space_file (space_path, NULL,
                                                      &error)) == NULL)
        goto fail;
      char *name = gn_cli_run_config_get_string (config, "space");
      if (name && strcmp (name, gn_space_name (space)) != 0)
        g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--space %s is the space '%s', but run %"
                     G_GINT64_FORMAT " is of '%s'", space_path,
                     gn_space_name (space), run, name);
      g_free (name);
      if (error)
        goto fail;
    }
  else
    space = run_space (config, run);
  /* the truth is optional: without a table, the plot has none */
  if (space)
    {
      GError *why = NULL;
      if ((tr.t = gn_cli_truth_new (space, NULL, &why)) == NULL
          && why != NULL)
        fprintf (stderr, "gennas plot: no true accuracies: %s\n",
                 why->message);
      g_clear_error (&why);
    }
  if (!gn_store_foreach (store, run, add_point, &tr, &error))
    goto fail;
  if (tr.x->len == 0)
    {
      gn_cli_error ("plot", "run %" G_GINT64_FORMAT " has no evaluations",
                    run);
      goto out;
    }
  char *title = g_strdup_printf ("run %" G_GINT64_FORMAT ": %u evaluations",
                                 run, tr.x->len);
  GnPlotSeries series[2] = {
    { .x = (double *) tr.x->data, .y = (double *) tr.best->data,
      .n = tr.x->len, .label = "best proxy score", .rgb = 0x1f77b4,
      .style = GN_PLOT_STEPS },
    { .x = (double *) tr.x->data, .y = (double *) tr.truth->data,
      .n = tr.x->len, .rgb = 0xd62728, .style = GN_PLOT_STEPS,
      .right_axis = TRUE },
  };
  char *label = tr.t ? g_strdup_printf ("its true %s",
                                        gn_cli_truth_metric (tr.t)) : NULL;
  series[1].label = label;
  GnPlotSpec spec = { .title = title, .xlabel = "evaluations",
                      .ylabel = "best proxy score",
                      .y2label = label };
  gboolean drawn = gn_plot_png (out, &spec, series, tr.t ? 2 : 1, &error);
  g_free (title);
  g_free (label);
  if (!drawn)
    goto fail;
  printf ("%s: run %" G_GINT64_FORMAT ", %u evaluations%s%s\n", out, run,
          tr.x->len, tr.t ? ", against the true " : "",
          tr.t ? gn_cli_truth_metric (tr.t) : "");
  status = 0;
  goto out;

fail:
  gn_cli_error ("plot", "%s", error->message);
out:
  g_clear_error (&error);
  gn_cli_truth_free (tr.t);
  g_array_free (tr.x, TRUE);
  g_array_free (tr.best, TRUE);
  g_array_free (tr.truth, TRUE);
  gn_space_free (space);
  gn_store_close (store);
  g_free (config);
  g_free (out);
  g_free (space_path);
  return status;
}
