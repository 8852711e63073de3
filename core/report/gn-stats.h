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

/**
 * GnStatsAgreement:
 *
 * How well scores rank items against their true values: Spearman's rho,
 * Kendall's tau-b, and top-@frac retrieval (gn_stats_top_retrieval()).
 */
typedef struct {
  double spearman, kendall, top;
} GnStatsAgreement;

/** All three statistics of @score against @truth (NAN where undefined). */
GnStatsAgreement gn_stats_agreement (const double *score, const double *truth,
                                     gsize n, double frac);

/**
 * gn_stats_agreement_bootstrap:
 * @resamples: the number of bootstrap resamples (>= 1)
 * @level: the interval's coverage, e.g. 0.95
 * @seed: seeds the resampling, so an interval is reproducible
 * @lo: (out): the lower bounds
 * @hi: (out): the upper bounds
 *
 * Percentile bootstrap intervals of gn_stats_agreement(): @resamples
 * times, n (score, truth) pairs are drawn with replacement and the three
 * statistics computed on them (a pair drawn twice is two items, tied with
 * each other); the bounds are the (1 - @level) / 2 and (1 + @level) / 2
 * quantiles of each statistic over the resamples where it is defined
 * (linear interpolation between order statistics, numpy's default).  A
 * statistic defined on no resample gets NAN bounds.
 */
void gn_stats_agreement_bootstrap (const double *score, const double *truth,
                                   gsize n, double frac, int resamples,
                                   double level, guint64 seed,
                                   GnStatsAgreement *lo, GnStatsAgreement *hi);

G_END_DECLS

#endif /* GN_STATS_H */
