/* gn-mpi.h - `gennas rank|search --mpi`: evaluate on the ranks of an MPI
 * job
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Every rank runs the same `gennas search ... --mpi` (or `gennas rank`)
 * command line.  Rank 0 runs the search (for rank: the list of the
 * sample) and owns the store, exactly as without MPI; it drives a
 * GnEvaluator whose workers are the other ranks.  Each worker rank
 * evaluates one architecture at a time in its own single-process GnWorkers
 * pool, so a plugin that crashes kills only that rank's child process and
 * comes back as a GN_EVAL_CRASHED result, as it would locally.
 *
 * The protocol is plain point-to-point messages on MPI_COMM_WORLD, each a
 * fixed GnMpiHeader followed by a variable-length string (an architecture
 * for a job, an error message for a result):
 *
 *   rank 0 -> worker   JOB     header.job and .stage, then the
 *                              architecture
 *   worker -> rank 0   RESULT  the whole header, then the message
 *   rank 0 -> worker   STOP    (empty) finish: abandon any job in hand
 *   worker -> rank 0   BYE     (empty) the worker has stopped
 *
 * Nobody blocks inside MPI: both sides poll with MPI_Iprobe and sleep in
 * between (up to 1 ms), because Open MPI's blocking receive spins a core,
 * and on a machine with as many ranks as cores that core is a worker's.
 *
 * This lives in the command-line tool, not in libgennas: MPI_Init belongs
 * to the program that mpirun starts, and the library (and every plugin and
 * test linked with it) should not depend on an MPI implementation.  When
 * gennas is configured without MPI, gn_mpi_new() fails with a clear error
 * and the rest are never reached.
 */
#ifndef GN_MPI_H
#define GN_MPI_H

#include "gennas.h"

#include <stdio.h>

typedef struct _GnMpi GnMpi;

/**
 * gn_mpi_new:
 * @cmd: the command ("search"), for messages; a static string
 *
 * Initialises MPI (MPI_Init).  Call it once, only when --mpi is given: the
 * binary must still run without mpirun.
 *
 * Returns: (transfer full): the job, or NULL with @error if gennas was
 * built without MPI or the job has a single rank (there would be nobody
 * to evaluate).
 */
GnMpi      *gn_mpi_new (const char *cmd, GError **error);

int         gn_mpi_rank (GnMpi *mpi);
/** Returns: the ranks in the job, rank 0 included. */
int         gn_mpi_size (GnMpi *mpi);

/**
 * gn_mpi_serve:
 * @fn: evaluates an architecture (in a forked child of this rank)
 * @users: @fn's first argument for each stage a job may name (a search's
 *   warmup, search and final stage each evaluate with a proxy of their
 *   own), in the order rank 0 numbers them in gn_mpi_evaluator()
 * @n_users: how many; at least 1
 * @timeout: seconds one evaluation may take; <= 0 means no limit
 *
 * On a worker rank (rank > 0): evaluates what rank 0 sends until it says
 * stop, each job with its stage's @users entry, in a forked process of
 * that stage's (started for stage 0 at once, for another when its first
 * job comes; the previous one then ends).  A job for a stage it does not
 * serve fails (GN_EVAL_CRASHED, with a message).
 *
 * Returns: FALSE with @error if the first stage's process could not be
 *   started.
 */
gboolean    gn_mpi_serve (GnMpi *mpi, GnWorkFn fn, gpointer const *users,
                          int n_users, double timeout, GError **error);

/**
 * gn_mpi_evaluator:
 * @stage: the index, in the workers' gn_mpi_serve() @users, of the proxy
 *   its jobs are evaluated with
 *
 * On rank 0: the evaluator over the worker ranks, one job each, for
 * @stage until the next call.  Its results carry the rank in
 * GnWorkerResult.worker; a result of an earlier stage's job that arrives
 * later only frees its rank.
 */
GnEvaluator gn_mpi_evaluator (GnMpi *mpi, int stage);

/**
 * gn_mpi_summary:
 *
 * On rank 0, after the search: one line on how the evaluations were
 * spread over the ranks and what the coordinator itself cost per
 * evaluation (wall time outside waiting for results: proposing,
 * recording in the store, bookkeeping, MPI messages).
 */
void        gn_mpi_summary (GnMpi *mpi, FILE *out);

/**
 * gn_mpi_free:
 *
 * Rank 0 tells every worker to stop and waits until they have; every rank
 * then calls MPI_Finalize.  A worker rank that never served (it could not
 * load its proxy) aborts the job instead, so that nobody waits for it.
 * NULL is fine.
 */
void        gn_mpi_free (GnMpi *mpi);

#endif /* GN_MPI_H */
