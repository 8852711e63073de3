/* gn-stats.h - rank statistics for judging proxies
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Definitions follow scipy.stats (what NAS papers report): ties get
 * average ranks; Spearman's rho is Pearson's r of the ranks; Kendall's tau
 * is tau-b (adjusted for ties in either variable), computed in O(n log n)
 * with Knight's algorithm.  A constant input gives NAN, as scipy does.
 */
#ifndef GN_STATS_H
#define GN_STATS_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/** Average ranks (1-based) of @x into @ranks. */
void   gn_stats_rank (const double *x, gsize n, double *ranks);
double gn_stats_spearman (const double *x, const double *y, gsize n);
double gn_stats_kendall_tau_b (const double *x, const double *y, gsize n);
/**
 * gn_stats_top_retrieval:
 * @frac: the top fraction, e.g. 0.1
 *
 * Of the ceil(@frac n) items with the highest @truth, the share that are
 * also among the ceil(@frac n) items with the highest @score (ties broken
 * by index, deterministically).
 */
double gn_stats_top_retrieval (const double *score, const double *truth,
                               gsize n, double frac);

G_END_DECLS

#endif /* GN_STATS_H */
