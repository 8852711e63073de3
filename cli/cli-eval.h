/* cli-eval.h - evaluating architectures as a run of the store: what
 * `rank` and `search` share
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Both commands evaluate the same way: a GnSearch proposes (evolution or
 * random search; a list of given architectures for rank and for a
 * search's final stage), gn_search_drive() hands each candidate to an
 * evaluator (local worker processes with crash isolation and --timeout,
 * or the ranks of an MPI job with --mpi), reuses a score the store
 * already knows (unless --no-cache), and records every result in the
 * store as a run as it arrives.  The evaluation options are declared and
 * documented once, here.
 */
#ifndef GN_CLI_EVAL_H
#define GN_CLI_EVAL_H

#include "gennas.h"
#include "cli-proxy.h"
#include "cli-truth.h"
#include "gn-mpi.h"

/* The default of --timeout, in seconds: a bound on a hung evaluation,
 * not a budget.  A fixed figure rather than a multiple of the measured
 * times, so that whether an evaluation fails never depends on the
 * machine's load or on the order of evaluation; 600 s is about 35 times
 * the slowest shipped proxy measured (label on NAS-Bench-101, 17 s:
 * docs/benchmarks.md).  --timeout 0 removes the limit. */
#define GN_CLI_DEFAULT_TIMEOUT 600

typedef struct {
  int workers;        /* --workers W (default: the cores)                */
  double timeout;     /* --timeout SEC (default GN_CLI_DEFAULT_TIMEOUT;
                       * 0: no limit)                                    */
  char *db;           /* --db FILE (NULL: the command's default)         */
  gboolean no_cache;  /* --no-cache                                      */
  gboolean mpi;       /* --mpi                                           */
} GnCliEvalOptions;

/* Sets @o to the defaults and adds its options to @ctx's main group (so
 * that --help lists them); @o must outlive the parse. */
void gn_cli_eval_options_add (GOptionContext *ctx, GnCliEvalOptions *o);

/* The same for --workers and --timeout alone: a command that evaluates
 * in a pool of worker processes (gn-workers.h) without a store, as
 * `score` does.  The other members of @o stay at their defaults. */
void gn_cli_eval_pool_options_add (GOptionContext *ctx,
                                   GnCliEvalOptions *o);
void gn_cli_eval_options_clear (GnCliEvalOptions *o);

/**
 * gn_cli_eval_options_check:
 *
 * The checks of the options' values that need no store nor proxy:
 * --workers >= 1, a finite --timeout >= 0, and a --db that names a file
 * (not "", ":memory:" nor a "file:" URI, whose results would vanish).
 *
 * Returns: FALSE with @error (G_OPTION_ERROR), a usage error, on the
 * first that fails.
 */
gboolean gn_cli_eval_options_check (const GnCliEvalOptions *o,
                                    GError **error);

/* The most proxies one command evaluates with (a search's warmup, search
 * and final stage). */
#define GN_CLI_EVAL_MAX_STAGES 3

/* What a command's runs share: the evaluator and the store. */
typedef struct {
  const char *cmd;              /* "rank", "search": prefixes messages   */
  const GnCliEvalOptions *o;
  GnMpi *mpi;                   /* (nullable) with --mpi                 */
  GnCliProxy *stages[GN_CLI_EVAL_MAX_STAGES];  /* the proxies the MPI
                                 * worker ranks serve, by stage index    */
  int n_stages;
  GnStore *store;
  const char *db;               /* the store's path, for messages        */
  int workers;                  /* evaluations in parallel               */
  /* set by the caller after gn_cli_eval_init(): */
  gboolean resume;              /* continue a run of the same identity   */
  GnCliTruth *truth;            /* (nullable) (transfer none) shown in the
                                 * progress display                      */
  /* private: the lock file next to a store file, whose byte N the
   * process driving run N holds (gn_cli_eval_run()) */
  char *lock_path;              /* NULL: no lock file (an in-memory store) */
  int lock_fd;                  /* valid when @lock_path is set          */
} GnCliEval;

/**
 * gn_cli_eval_init:
 * @ev: (out caller-allocates): clear it with gn_cli_eval_clear()
 *   whatever this returns
 *
 * The first step, before the proxy is opened: joins the MPI job with
 * --mpi.
 *
 * Returns: FALSE with @error if --mpi cannot run (see gn_mpi_new()).
 */
gboolean gn_cli_eval_init (GnCliEval *ev, const char *cmd,
                           const GnCliEvalOptions *o, GError **error);

/**
 * gn_cli_eval_start:
 * @stages: the proxies the command's runs evaluate with (each must
 *   outlive @ev): gn_cli_eval_run() takes one of these as its stage's
 *   proxy; an MPI worker rank serves them all.  Every rank must list the
 *   same ones in the same order.
 * @n_stages: how many, 1 to GN_CLI_EVAL_MAX_STAGES
 * @db_default: the store without --db: a file, or ":memory:" for one
 *   that is not kept
 * @served: (out): TRUE on an MPI worker rank, which has evaluated what
 *   rank 0 sent until it said stop, and has nothing more to do
 *
 * On an MPI worker rank, serves; otherwise opens the store, and with a
 * store file the lock file beside it (FILE-lock).
 *
 * Returns: FALSE with @error if the store or its lock file cannot be
 * opened or a worker rank cannot start its evaluation process.
 */
gboolean gn_cli_eval_start (GnCliEval *ev, GnCliProxy *const *stages,
                            int n_stages, const char *db_default,
                            gboolean *served, GError **error);

/**
 * gn_cli_eval_limit_workers:
 * @jobs: the most evaluations a run of the command can have in flight
 *   (a search's budget, a rank's sample)
 *
 * Caps the local pool (not the ranks of --mpi): no more processes than
 * @jobs, nor than 4 per core (with a note on standard error when that
 * cuts --workers).  Call it after gn_cli_eval_start().
 */
void gn_cli_eval_limit_workers (GnCliEval *ev, int jobs);

/* One run in the store: a search, a rank's sample, a final stage. */
typedef struct {
  GnCliProxy *p;             /* one of gn_cli_eval_start()'s stages    */
  GnSearch *search;
  const char *json, *hash;   /* the run's configuration and identity */
  gint64 parent;             /* the run this one derives from, or 0    */
  int budget;
  double max_seconds;        /* <= 0: no limit                         */
  /* out */
  gint64 run;
  int restored;              /* evaluations continued from the store   */
  double seconds;
} GnCliStage;

/**
 * gn_cli_eval_run:
 *
 * Starts @st's run (or, with @ev->resume, continues the latest run of its
 * identity) and drives its search to the budget, the time limit or the
 * end of its candidates, showing progress on standard error.  Every
 * evaluation is in the store when this returns, even on failure.  One
 * process drives a run at a time: it holds the run's lock (a POSIX record
 * lock in the store's lock file, released when the process ends however
 * it ends) from here until gn_cli_eval_clear().
 *
 * Returns: FALSE with @error if the store, the space or the evaluator
 * fails, or if another process drives the run (G_IO_ERROR_BUSY, naming
 * the process).
 */
gboolean gn_cli_eval_run (const GnCliEval *ev, GnCliStage *st,
                          GError **error);

/* The MPI job's summary (with --mpi), on standard error. */
void gn_cli_eval_summary (const GnCliEval *ev);

/* Closes the store and leaves the MPI job; a zeroed @ev is fine. */
void gn_cli_eval_clear (GnCliEval *ev);

#endif /* GN_CLI_EVAL_H */
