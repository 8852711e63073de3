/* cli-eval.c - evaluating architectures as a run of the store: what
 * `rank` and `search` share
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-eval.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

void
gn_cli_eval_pool_options_add (GOptionContext *ctx, GnCliEvalOptions *o)
{
  *o = (GnCliEvalOptions) { .workers = (int) g_get_num_processors (),
                            .timeout = GN_CLI_DEFAULT_TIMEOUT };
  const GOptionEntry entries[] = {
    { "workers", 'w', 0, G_OPTION_ARG_INT, &o->workers,
      "evaluations in parallel, one process each (default: the cores; at "
      "most the evaluations to run, and 4 per core)",
      "W" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->timeout,
      "seconds one evaluation may take before its process is killed "
      "(default " G_STRINGIFY (GN_CLI_DEFAULT_TIMEOUT) "; 0: no limit)",
      "SEC" },
    { NULL }
  };
  /* GOption copies the entries */
  g_option_context_add_main_entries (ctx, entries, NULL);
}

void
gn_cli_eval_options_add (GOptionContext *ctx, GnCliEvalOptions *o)
{
  gn_cli_eval_pool_options_add (ctx, o);
  const GOptionEntry entries[] = {
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
  g_option_context_add_main_entries (ctx, entries, NULL);
}

gboolean
gn_cli_eval_options_check (const GnCliEvalOptions *o, GError **error)
{
  char *why = NULL;
  if (o->workers < 1)
    why = g_strdup_printf ("--workers must be >= 1, not %d", o->workers);
  else if (!(o->timeout >= 0 && isfinite (o->timeout)))
    why = g_strdup_printf ("--timeout must be a number of seconds >= 0 "
                           "(0: no limit), not %g", o->timeout);
  else if (o->db && *o->db == '\0')
    why = g_strdup ("--db needs a file name");
  else if (o->db && (strcmp (o->db, ":memory:") == 0
                     || g_str_has_prefix (o->db, "file:")))
    why = g_strdup_printf ("--db '%s': the results must go to a file that "
                           "keeps them, not to an in-memory database or an "
                           "SQLite URI (a file of that name: ./%s)", o->db,
                           o->db);
  gboolean ok = why == NULL;
  if (!ok)
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         why);
  g_free (why);
  return ok;
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
gn_cli_eval_start (GnCliEval *ev, GnCliProxy *const *stages, int n_stages,
                   const char *db_default, gboolean *served, GError **error)
{
  g_return_val_if_fail (n_stages >= 1 && n_stages <= GN_CLI_EVAL_MAX_STAGES,
                        FALSE);
  *served = FALSE;
  for (int i = 0; i < n_stages; i++)
    ev->stages[i] = stages[i];
  ev->n_stages = n_stages;
  if (ev->mpi && gn_mpi_rank (ev->mpi) > 0)
    {
      /* a worker rank: evaluate what rank 0 sends, until it says stop */
      *served = TRUE;
      return gn_mpi_serve (ev->mpi, gn_cli_proxy_work,
                           (gpointer const *) ev->stages, n_stages,
                           ev->o->timeout, error);
    }
  if (ev->mpi)
    ev->workers = gn_mpi_size (ev->mpi) - 1;
  ev->db = ev->o->db ? ev->o->db : db_default;
  ev->store = gn_store_open (ev->db, error);
  if (ev->store == NULL)
    return FALSE;
  if (strcmp (ev->db, ":memory:") == 0)
    return TRUE;   /* rank's own store: no other process can reach it */
  char *path = g_strconcat (ev->db, "-lock", NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "cannot open the store's lock file %s: %s", path,
                   g_strerror (e));
      g_free (path);
      return FALSE;
    }
  ev->lock_path = path;
  ev->lock_fd = fd;
  return TRUE;
}

/* Takes run @run's lock: a write lock on byte @run of the lock file.  A
 * POSIX record lock belongs to the process: the kernel drops it when the
 * process ends, however it ends, and the forked workers do not inherit
 * it. */
static gboolean
lock_run (const GnCliEval *ev, gint64 run, GError **error)
{
  if (ev->lock_path == NULL)
    return TRUE;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                      .l_start = (off_t) run, .l_len = 1 };
  while (fcntl (ev->lock_fd, F_SETLK, &fl) < 0)
    {
      int e = errno;
      if (e == EINTR)
        continue;
      if (e != EACCES && e != EAGAIN)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       "cannot lock run %" G_GINT64_FORMAT " in %s: %s", run,
                       ev->lock_path, g_strerror (e));
          return FALSE;
        }
      struct flock who = fl;
      if (fcntl (ev->lock_fd, F_GETLK, &who) == 0 && who.l_type == F_UNLCK)
        continue;   /* released in between: try again */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "run %" G_GINT64_FORMAT " of %s is being run by process "
                   "%ld; wait for it to end (or stop it) before resuming",
                   run, ev->db, (long) who.l_pid);
      return FALSE;
    }
  return TRUE;
}

/* beyond this many processes per core, more workers only add memory */
#define MAX_WORKERS_PER_CORE 4

void
gn_cli_eval_limit_workers (GnCliEval *ev, int jobs)
{
  if (ev->mpi)
    return;   /* one evaluation per rank, however many ranks there are */
  int workers = MAX (1, MIN (ev->workers, jobs));
  int cores = (int) g_get_num_processors ();
  int most = MAX_WORKERS_PER_CORE * cores;
  if (workers > most)
    {
      fprintf (stderr, "gennas %s: --workers %d is more than %d per core; "
               "running %d on the %d core(s)\n", ev->cmd, ev->o->workers,
               MAX_WORKERS_PER_CORE, most, cores);
      workers = most;
    }
  ev->workers = workers;
}

void
gn_cli_eval_summary (const GnCliEval *ev)
{
  gn_mpi_summary (ev->mpi, stderr);
}

void
gn_cli_eval_clear (GnCliEval *ev)
{
  if (ev->lock_path)
    close (ev->lock_fd);   /* and with it the process's run locks */
  g_free (ev->lock_path);
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
  gboolean failed = e->status != GN_EVAL_OK;   /* or not finite */
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
  int stage = 0;
  while (stage < ev->n_stages && ev->stages[stage] != st->p)
    stage++;
  g_return_val_if_fail (stage < ev->n_stages, FALSE);

  if (ev->resume && gn_store_find_run (ev->store, st->hash, &st->run, NULL,
                                       &find_error))
    {
      /* locked first: what is restored is all there is */
      if (!lock_run (ev, st->run, error)
          || !gn_store_foreach (ev->store, st->run, restore_one, &restored,
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
                             &st->run, error)
          || !lock_run (ev, st->run, error))
        goto out;
    }
  st->restored = restored.n;
  gn_store_set_run_status (ev->store, st->run, "running", NULL);
  config_hash = gn_store_config_hash (gn_proxy_config (st->p->proxy));

  /* no more processes than evaluations left */
  int left = st->budget - gn_search_n_counted (st->search);
  if (!ev->mpi
      && (workers = gn_workers_new (MAX (1, MIN (ev->workers, left)),
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
    .use_cache = !ev->o->no_cache, .in_order = TRUE,
    .progress = on_progress,
    .progress_data = &prog };
  GnEvaluator evaluator = ev->mpi ? gn_mpi_evaluator (ev->mpi, stage)
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
