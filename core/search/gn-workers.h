/* gn-workers.h - a pool of worker processes that evaluate architectures
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Each worker is a fork of the calling process (so it inherits the loaded
 * space, data and proxy, copy-on-write) that evaluates one architecture at
 * a time and answers over a socket.  A worker that crashes (a segfault or
 * an abort in a plugin) or runs past the timeout is reaped and replaced;
 * its job comes back as a failed result, and the caller carries on.
 *
 * Call openblas_set_num_threads (1) (or set OPENBLAS_NUM_THREADS=1) before
 * creating a pool: parallelism comes from the workers, one evaluation per
 * core, not from threads inside small matrix products.
 *
 * The pool is driven from one thread: submit a job whenever
 * gn_workers_n_idle() > 0, and collect results with gn_workers_wait().
 */
#ifndef GN_WORKERS_H
#define GN_WORKERS_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-proxy.h"

G_BEGIN_DECLS

/**
 * GnWorkerResult:
 * @result: the score and how the evaluation ended: the proxy's status
 *   (GN_EVAL_OK or GN_EVAL_NONFINITE), or GN_EVAL_ERROR (the proxy
 *   returned a GError), GN_EVAL_CRASHED (the worker died: a signal or an
 *   exit) or GN_EVAL_TIMEOUT (it ran past the timeout and was killed),
 *   with the worst score and a NAN loss
 * @seconds: wall time of the evaluation
 * @message: (nullable): the error, or how the worker died
 */
typedef struct {
  gint64 job;
  GnProxyResult result;
  double seconds;
  char *message;
  int worker;
} GnWorkerResult;

/** Frees the members of @r (not @r itself). */
void gn_worker_result_clear (GnWorkerResult *r);

/**
 * GnWorkFn:
 *
 * Evaluates @arch in a worker; the same contract as gn_proxy_score().
 */
typedef gboolean (*GnWorkFn) (gpointer user, const char *arch,
                                  GnProxyResult *result, GError **error);

typedef struct _GnWorkers GnWorkers;

/**
 * gn_workers_new:
 * @workers: number of processes (>= 1)
 * @timeout: seconds one evaluation may take; <= 0 means no limit
 *
 * Returns: (transfer full): the pool with every worker started, or NULL
 * with @error if a process could not be created.
 */
GnWorkers  *gn_workers_new (int workers, GnWorkFn fn, gpointer user,
                      double timeout, GError **error);
/** Stops every worker (killing busy ones) and frees the pool; NULL ok. */
void     gn_workers_free (GnWorkers *pool);

int      gn_workers_count (GnWorkers *pool);
int      gn_workers_n_idle (GnWorkers *pool);
int      gn_workers_n_busy (GnWorkers *pool);
/** Workers that had to be replaced so far (crashes and timeouts). */
int      gn_workers_n_restarts (GnWorkers *pool);

/**
 * gn_workers_submit:
 *
 * Hands @arch to an idle worker.  Requires gn_workers_n_idle() > 0.
 *
 * Returns: FALSE with @error if no worker could take it (its process
 * could not be restarted).
 */
gboolean gn_workers_submit (GnWorkers *pool, gint64 job, const char *arch,
                         GError **error);

/**
 * gn_workers_wait:
 * @timeout_ms: how long to wait; -1 waits until a result comes
 * @out: (out caller-allocates): the result; clear it with
 *   gn_worker_result_clear()
 *
 * Returns: TRUE when @out holds a result, FALSE on timeout or when no job
 * is running.
 */
gboolean gn_workers_wait (GnWorkers *pool, int timeout_ms, GnWorkerResult *out);

/**
 * GnEvaluator:
 *
 * Anything that evaluates architectures asynchronously, as a search driver
 * sees it: a local pool of worker processes (gn_workers_evaluator()) or
 * the ranks of an MPI job.  The functions have the contracts of
 * gn_workers_n_idle(), gn_workers_n_busy(), gn_workers_submit() and
 * gn_workers_wait(); @self is passed back to each.
 */
typedef struct {
  gpointer self;
  int      (*n_idle) (gpointer self);
  int      (*n_busy) (gpointer self);
  gboolean (*submit) (gpointer self, gint64 job, const char *arch,
                      GError **error);
  gboolean (*wait) (gpointer self, int timeout_ms, GnWorkerResult *out);
} GnEvaluator;

/** Returns: an evaluator over @pool (which must outlive its use). */
GnEvaluator gn_workers_evaluator (GnWorkers *pool);

G_END_DECLS

#endif /* GN_WORKERS_H */
