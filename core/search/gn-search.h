/* gn-search.h - regularized evolution and random search, asynchronous
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A GnSearch decides what to evaluate next; it does not evaluate.  The
 * driver (gn_search_drive(), or your own loop) asks for a candidate
 * whenever a worker is free and reports each result when it comes back,
 * in whatever order: the search is steady-state, so no worker ever waits
 * for a generation to finish.
 *
 * Regularized (aging) evolution, Real et al. 2019: the first P candidates
 * are random; after that each candidate is a mutant of the best of S
 * members drawn at random from the current population, and each result
 * joins the population while the oldest member leaves once there are P.
 * While results are pending, the tournament draws from those already in.
 * Random search samples every candidate from the space.  A list search
 * proposes given architectures in order: the final stage of `gennas
 * search` re-scores the best candidates that way.
 *
 * A search never proposes an architecture twice: a duplicate mutant or
 * sample is redrawn (up to a bound, then the search reports the space as
 * exhausted).  With one worker and a seed, a search is exactly
 * reproducible, and so is one stopped and resumed: it proposes what the
 * uninterrupted search would have.  With several workers, the order in
 * which results come back changes what evolution proposes, unless the
 * results join in proposal order (gn_search_set_lag(), which
 * gn_search_drive() does with GnSearchDrive.in_order): then a search with
 * a seed and W workers is reproducible too, though not the same as with
 * another W; resumed, it continues deterministically, but not as the
 * uninterrupted search would have.
 */
#ifndef GN_SEARCH_H
#define GN_SEARCH_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-rng.h"
#include "gn-space.h"
#include "gn-store.h"
#include "gn-workers.h"

G_BEGIN_DECLS

typedef enum {
  GN_SEARCH_REA,      /* regularized evolution */
  GN_SEARCH_RANDOM,
  GN_SEARCH_LIST      /* the given candidates, in order */
} GnSearchAlgo;

typedef enum {
  GN_FAILURE_WORST,     /* a failed evaluation scores worst and counts   */
  GN_FAILURE_RESAMPLE   /* it is recorded, not counted, and replaced     */
} GnFailurePolicy;

/**
 * GnSearchAccept:
 * @arch: a candidate the search is about to propose (canonical)
 * @data: the config's @accept_data
 *
 * A constraint on candidates (e.g. at most 600M multiply-adds in the
 * mobile setting): it must be a deterministic function of @arch, so that
 * a resumed search refuses what the first one did.
 *
 * Returns: TRUE to propose @arch; FALSE to refuse it (it is never
 * evaluated nor proposed again, and another is drawn), with @error set
 * only if the check itself failed, which stops the proposal.
 */
typedef gboolean (*GnSearchAccept) (const char *arch, gpointer data,
                                    GError **error);

/**
 * GnSearchPool:
 * @size: how many architectures the pool holds, >= 1
 * @arch: returns the canonical string of member @index (transfer full),
 *   or NULL with @error
 * @find: the index of the canonical @arch, or -1 if it is not a member
 *
 * A finite set every candidate of evolution or random search must come
 * from: the rows of the space's benchmark table, so that every pick has
 * a true accuracy (the "simulated" search of NAS benchmarks, where a
 * space's generator mostly makes architectures no table holds).  A
 * random candidate is a uniform draw from the pool.  A mutation that
 * leaves the pool is replaced by the member nearest to it
 * (gn_search_arch_distance()) among GN_SEARCH_POOL_NEIGHBOURS drawn at
 * random and not proposed before, the first drawn among equals.
 */
typedef struct {
  int size;
  char *(*arch) (int index, gpointer data, GError **error);
  int (*find) (const char *arch, gpointer data);
  gpointer data;
} GnSearchPool;

#define GN_SEARCH_POOL_NEIGHBOURS 200

/**
 * gn_search_arch_distance:
 *
 * How far apart two canonical architecture strings are: each is cut
 * into parts at ';', '|', '+' and ',' (an NB-NLP node, an NB201 edge, a
 * gene), and the distance is the number of parts in one and not in the
 * other, counted with multiplicity.  0 for equal strings.
 */
int gn_search_arch_distance (const char *a, const char *b);

typedef struct {
  GnSearchAlgo algo;
  int population;          /* P, >= 1 (REA)                         */
  int tournament;          /* S, 1 <= S <= P (REA)                  */
  guint64 seed;
  GnFailurePolicy on_failure;
  const char *const *candidates;  /* NULL-terminated (LIST); copied     */
  GnSearchAccept accept;   /* (nullable) REA and random search      */
  gpointer accept_data;
  const GnSearchPool *pool;  /* (nullable) REA and random search; must
                              * outlive the search                   */
  const char *const *initial; /* (nullable) NULL-terminated; copied: see
                               * below                                */
} GnSearchConfig;

/* GnSearchConfig.initial: canonical architectures that take the place of
 * the random samples a search starts with (evolution's first
 * population, random search's first draws), proposed in order, each
 * unless proposed before or refused by the accept function; the random
 * draws begin when they run out.  A warm start: `gennas search
 * --warmup` puts there the best of many architectures scored by a cheap
 * proxy.  They must be in the pool, if there is one. */

typedef struct _GnSearch GnSearch;

/**
 * gn_search_new:
 * @space: (transfer none): must outlive the search
 *
 * Returns: (transfer full): the search, or NULL with GN_ERROR_INVALID_ARGUMENT
 * for an impossible configuration (REA without 1 <= S <= P, a list search
 * without candidates).
 */
GnSearch *gn_search_new (GnSpace *space, const GnSearchConfig *config,
                         GError **error);
void      gn_search_free (GnSearch *search);

/**
 * gn_search_propose:
 *
 * Returns: (transfer full): the next canonical architecture, never one
 * proposed before; NULL with @error if the space failed, or NULL without
 * an error if no new architecture could be found (a small space used up).
 */
char *gn_search_propose (GnSearch *search, GError **error);

/**
 * gn_search_report:
 * @failed: the evaluation failed (error, crash, timeout)
 *
 * Reports the result of a proposed architecture.  A failed one joins the
 * population with the worst score under GN_FAILURE_WORST, and not at all
 * under GN_FAILURE_RESAMPLE.
 */
void  gn_search_report (GnSearch *search, const char *arch, double score,
                        gboolean failed);

/**
 * gn_search_set_lag:
 * @lag: proposals between a proposal and the moment its result joins
 *   the population; 0, the default, joins each result when reported
 *
 * Makes evolution independent of the order in which results come back:
 * from now on, the result of proposal i joins the population only when
 * proposal i + @lag is made, and results join in the order they were
 * proposed.  A driver with W workers that keeps W evaluations in flight
 * needs @lag >= W; gn_search_drive() sets 2W - 1 (see
 * GnSearchDrive.in_order).  What came before (restored results included)
 * joins at once.  Only while no proposal awaits its result.  Random and
 * list searches use no population, and are unaffected.
 */
void  gn_search_set_lag (GnSearch *search, int lag);

/**
 * gn_search_ready:
 *
 * Returns: FALSE while a lagged search (gn_search_set_lag()) cannot make
 * its next proposal yet, because the result of proposal (next - lag), or
 * of one before it, has not come back; call gn_search_propose() only
 * when TRUE.  Always TRUE without a lag.
 */
gboolean gn_search_ready (GnSearch *search);

/**
 * gn_search_restore:
 *
 * Replays a recorded evaluation (from a store, in recorded order) as if it
 * had been proposed and reported.  While every one is what the search
 * proposes next (a history of one worker), the proposal is drawn again,
 * so the generator continues exactly as it would have without the
 * interruption.  After the last one, call gn_search_restored(): a history
 * the search would not have made (several workers) then continues from a
 * generator derived from the seed and the history's length.  Either way
 * the continuation is deterministic.
 */
void  gn_search_restore (GnSearch *search, const char *arch, double score,
                         gboolean failed);
void  gn_search_restored (GnSearch *search);

/** Results reported (or restored) so far, failures included. */
/** Returns: the candidates the config's accept function refused so
 * far (each drawn once; none evaluated). */
int   gn_search_n_refused (GnSearch *search);
int   gn_search_n_reported (GnSearch *search);
/** Results that count toward the budget (see GnFailurePolicy). */
int   gn_search_n_counted (GnSearch *search);
/** Proposed and not yet reported. */
int   gn_search_n_pending (GnSearch *search);
/**
 * gn_search_exhausted:
 *
 * Returns: TRUE once gn_search_propose() has found no new architecture (a
 * small space used up, a list search at its end): why a driven search
 * can stop short of its budget without a time limit.
 */
gboolean gn_search_exhausted (GnSearch *search);

/**
 * gn_search_best:
 * @arch: (out) (transfer none) (optional): the best architecture so far
 * @score: (out) (optional): its score
 *
 * Returns: FALSE if no result with a finite score has come yet (failed and
 * non-finite results are never the best).
 */
gboolean gn_search_best (GnSearch *search, const char **arch, double *score);

/* -- driving a search with workers and a store ------------------------ */

/**
 * GnSearchProgress:
 *
 * Called after every recorded evaluation by gn_search_drive().
 */
typedef void (*GnSearchProgress) (const GnEval *e, int done, int budget,
                                  GnSearch *search, gpointer user);

typedef struct {
  GnStore *store;              /* every evaluation is recorded here     */
  gint64 run;
  const char *space_name;
  const char *proxy_name;
  const char *config_hash;     /* the proxy configuration's hash        */
  gint64 seed;                 /* the proxy task's seed                 */
  int budget;                  /* counted evaluations in the run        */
  double max_seconds;          /* wall clock; <= 0 means none           */
  gboolean use_cache;          /* reuse scores from any run             */
  gboolean in_order;           /* results join evolution's population in
                                * proposal order, lagged: see below     */
  GnSearchProgress progress;
  gpointer progress_data;
} GnSearchDrive;

/* GnSearchDrive.in_order: the drive lags the search by 2W - 1 proposals
 * (gn_search_set_lag(), W the evaluator's workers when the drive
 * starts), so that with a seed, a search on W workers proposes the same
 * candidates whichever evaluation finishes first: the same command gives
 * the same search.  2W - 1 rather than the W it takes: a worker then
 * waits only when one evaluation outlasts about W others (none did in
 * the main job's five searches, bench/main-job.sh).  With one worker the
 * lag is 1, which is what an unlagged search does.  The search's counts
 * and best are updated at each result, as without it.  Until a result
 * has joined, evolution draws at random: the first max(P, 2W - 1)
 * proposals are random samples (or the initial list), where an unlagged
 * search's first max(P, about W) were; with many workers (MPI ranks) and
 * a small population, a budget needs to be well above 2W for evolution
 * to matter. */

/**
 * gn_search_drive:
 *
 * Runs @search until the run holds @budget counted evaluations (or the
 * time is up, or the space is exhausted): proposes a candidate for every
 * idle worker of @evaluator (a cached score is recorded at once instead),
 * records each result in the store the moment it arrives, and reports it
 * to the search (which, with @drive's in_order, holds it back from the
 * population until its turn).
 * Evaluations already in the run (after gn_search_restore()) count.
 *
 * Returns: FALSE with @error if the store, the space or the workers fail;
 * evaluations recorded so far stay recorded.
 */
gboolean gn_search_drive (GnSearch *search, const GnEvaluator *evaluator,
                          const GnSearchDrive *drive, GError **error);

G_END_DECLS

#endif /* GN_SEARCH_H */
