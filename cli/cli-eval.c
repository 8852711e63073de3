/* cli-eval.c - evaluating architectures as a run of the store: what
 * `rank` and `search` share
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-eval.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

void
gn_cli_eval_options_add (GOptionContext *ctx, GnCliEvalOptions *o)
{
  *o = (GnCliEvalOptions) { .workers = (int) g_get_num_processors () };
  const GOptionEntry entries[] = {
    { "workers", 'w', 0, G_OPTION_ARG_INT, &o->workers,
      "evaluations in parallel, one process each (default: the cores)",
      "W" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->timeout,
      "seconds one evaluation may take (default: no limit)", "SEC" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o->db,
      "the results store: every evaluation is recorded there, and a score "
      "it already holds is reused (default: search's gennas.db; rank "
      "keeps none)", "FILE" },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &o->no_cache,
      "evaluate even what the store already knows", NULL },
    { "mpi", 0, 0, G_OPTION_ARG_NONE, &o->mpi,
      "run under mpirun: MPI rank 0 drives and keeps the store, every "
      "other rank evaluates (one at a time; --workers is ignored)", NULL },
    { NULL }
  };
  /* GOption copies the entries */
  g_option_context_add_main_entries (ctx, entries, NULL);
}

void
gn_cli_eval_options_clear (GnCliEvalOptions *o)
{
  g_free (o->db);
  memset (o, 0, sizeof *o);
}

gboolean
gn_cli_eval_init (GnCliEval *ev, const char *cmd, const GnCliEvalOptions *o,
                  GError **error)
{
  *ev = (GnCliEval) { .cmd = cmd, .o = o, .workers = o->workers };
  return !o->mpi || (ev->mpi = gn_mpi_new (cmd, error)) != NULL;
}

gboolean
gn_cli_eval_start (GnCliEval *ev, GnCliProxy *p, const char *db_default,
                   gboolean *served, GError **error)
{
  *served = FALSE;
  if (ev->mpi && gn_mpi_rank (ev->mpi) > 0)
    {
      /* a worker rank: evaluate what rank 0 sends, until it says stop */
      *served = TRUE;
      return gn_mpi_serve (ev->mpi, gn_cli_proxy_work, p, ev->o->timeout,
                           error);
    }
  if (ev->mpi)
    ev->workers = gn_mpi_size (ev->mpi) - 1;
  ev->db = ev->o->db ? ev->o->db : db_default;
  ev->store = gn_store_open (ev->db, error);
  return ev->store != NULL;
}

void
gn_cli_eval_summary (const GnCliEval *ev)
{
  gn_mpi_summary (ev->mpi, stderr);
}

void
gn_cli_eval_clear (GnCliEval *ev)
{
  gn_store_close (ev->store);
  gn_mpi_free (ev->mpi);
  memset (ev, 0, sizeof *ev);
}

/* -- progress ---------------------------------------------------------- */

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
  gboolean failed = !gn_eval_status_scored (e->status);
  const char *status = gn_eval_status_name (e->status);
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
      if (failed)
        fprintf (stderr, "\n%s: %s: %s\n", e->arch, status,
                 e->message ? e->message : "");
    }
  else
    {
      fprintf (stderr, "eval %d/%d %s score=%.6g%s best=%.6g %.1fs %s\n",
               done, budget, status, e->score,
               e->cached ? " (cached)" : "", best, e->seconds, e->arch);
      if (failed && e->message)
        fprintf (stderr, "  %s\n", e->message);
    }
}

/* -- a run ------------------------------------------------------------- */

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

gboolean
gn_cli_eval_run (const GnCliEval *ev, GnCliStage *st, GError **error)
{
  GnWorkers *workers = NULL;
  char *config_hash = NULL;
  gboolean ok = FALSE;
  Restore restored = { st->search, 0 };
  GError *find_error = NULL;

  if (ev->resume && gn_store_find_run (ev->store, st->hash, &st->run, NULL,
                                       &find_error))
    {
      if (!gn_store_foreach (ev->store, st->run, restore_one, &restored,
                             error))
        goto out;
      gn_search_restored (st->search);
      fprintf (stderr, "gennas %s: resuming run %" G_GINT64_FORMAT " with "
               "%d evaluations recorded\n", ev->cmd, st->run, restored.n);
    }
  else
    {
      /* a damaged run is not a missing one */
      if (find_error != NULL
          && !g_error_matches (find_error, GN_STORE_ERROR,
                               GN_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, find_error);
          goto out;
        }
      g_clear_error (&find_error);
      if (ev->resume)
        fprintf (stderr, "gennas %s: no run with this configuration in %s; "
                 "starting a new one\n", ev->cmd, ev->db);
      if (!gn_store_new_run (ev->store, st->json, st->hash, st->parent,
                             &st->run, error))
        goto out;
    }
  st->restored = restored.n;
  gn_store_set_run_status (ev->store, st->run, "running", NULL);
  config_hash = gn_store_config_hash (gn_proxy_config (st->p->proxy));

  /* no more processes than evaluations */
  if (!ev->mpi
      && (workers = gn_workers_new (MAX (1, MIN (ev->workers, st->budget)),
                                    gn_cli_proxy_work, st->p, ev->o->timeout,
                                    error)) == NULL)
    goto out;
  Progress prog = { .tty = isatty (STDERR_FILENO),
                    .t0 = g_get_monotonic_time (),
                    .start = gn_search_n_counted (st->search),
                    .truth = ev->truth };
  GnSearchDrive drive = {
    .store = ev->store, .run = st->run,
    .space_name = gn_space_name (st->p->space),
    .proxy_name = gn_proxy_desc (st->p->proxy)->name,
    .config_hash = config_hash,
    .seed = (gint64) gn_proxy_task_seed (st->p->proxy),
    .budget = st->budget, .max_seconds = st->max_seconds,
    .use_cache = !ev->o->no_cache, .progress = on_progress,
    .progress_data = &prog };
  GnEvaluator evaluator = ev->mpi ? gn_mpi_evaluator (ev->mpi)
                                  : gn_workers_evaluator (workers);
  if (!gn_search_drive (st->search, &evaluator, &drive, error))
    goto out;
  int done = gn_search_n_counted (st->search);
  gn_store_set_run_status (ev->store, st->run,
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
