/* gn-stats.c - rank correlations (scipy.stats definitions) and top-k
 * retrieval
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Proxy papers report scipy's numbers, so every tie rule here is scipy's:
 * average ranks (rankdata(method="average")), Spearman as Pearson's r of
 * those ranks (spearmanr), and tau-b with the exact integer bookkeeping of
 * kendalltau (Knight 1966: sort by x then y, count discordant pairs as
 * merge-sort inversions of y).  A NaN anywhere gives NAN, as scipy's
 * default nan_policy="propagate" does; so does a constant input.
 */
#include "config.h"
#include "gn-stats.h"
#include "gn-rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double v;
  gsize i;
} Keyed;

typedef struct {
  double x, y;
} Pair;

/* A total order on doubles: NaN last, so qsort never sees an inconsistent
 * comparator (it is undefined behaviour with plain < on NaN). */
static int
cmp_double (double a, double b)
{
  gboolean na = isnan (a), nb = isnan (b);
  if (na || nb)
    return na - nb;
  return (a > b) - (a < b);
}

static int
cmp_double_p (const void *pa, const void *pb)
{
  return cmp_double (*(const double *) pa, *(const double *) pb);
}

static int
cmp_keyed_asc (const void *pa, const void *pb)
{
  const Keyed *a = pa, *b = pb;
  int c = cmp_double (a->v, b->v);
  if (c != 0)
    return c;
  return (a->i > b->i) - (a->i < b->i);
}

/* Descending by value (NaN lowest), then ascending by index: the
 * deterministic "top" order of gn_stats_top_retrieval(). */
static int
cmp_keyed_desc (const void *pa, const void *pb)
{
  const Keyed *a = pa, *b = pb;
  gboolean na = isnan (a->v), nb = isnan (b->v);
  int c;
  if (na || nb)
    c = na - nb;
  else
    c = (a->v < b->v) - (a->v > b->v);
  if (c != 0)
    return c;
  return (a->i > b->i) - (a->i < b->i);
}

static int
cmp_pair (const void *pa, const void *pb)
{
  const Pair *a = pa, *b = pb;
  int c = cmp_double (a->x, b->x);
  return c != 0 ? c : cmp_double (a->y, b->y);
}

static gboolean
any_nan (const double *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (isnan (x[i]))
      return TRUE;
  return FALSE;
}

void
gn_stats_rank (const double *x, gsize n, double *ranks)
{
  g_return_if_fail (n == 0 || (x != NULL && ranks != NULL));

  if (n == 0)
    return;   /* qsort may not be handed the NULL that g_new (, 0) is */

  Keyed *k = g_new (Keyed, n);
  for (gsize i = 0; i < n; i++)
    k[i] = (Keyed) { x[i], i };
  qsort (k, n, sizeof *k, cmp_keyed_asc);

  /* a run of equal values at sorted positions [lo, hi) shares the mean of
   * the 1-based ranks lo+1 .. hi */
  for (gsize lo = 0, hi; lo < n; lo = hi)
    {
      for (hi = lo + 1; hi < n && cmp_double (k[hi].v, k[lo].v) == 0; hi++)
        ;
      double r = 0.5 * ((double) (lo + 1) + (double) hi);
      for (gsize j = lo; j < hi; j++)
        ranks[k[j].i] = r;
    }
  g_free (k);
}

/* Pearson's r, two-pass for accuracy; NAN when either input is constant. */
static double
pearson (const double *x, const double *y, gsize n)
{
  double mx = 0.0, my = 0.0;
  for (gsize i = 0; i < n; i++)
    {
      mx += x[i];
      my += y[i];
    }
  mx /= (double) n;
  my /= (double) n;

  double sxx = 0.0, syy = 0.0, sxy = 0.0;
  for (gsize i = 0; i < n; i++)
    {
      double dx = x[i] - mx, dy = y[i] - my;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  if (sxx == 0.0 || syy == 0.0)
    return NAN;
  double r = sxy / sqrt (sxx * syy);
  /* rounding can push |r| a hair past 1; numpy's corrcoef clips too */
  return CLAMP (r, -1.0, 1.0);
}

double
gn_stats_spearman (const double *x, const double *y, gsize n)
{
  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), NAN);

  if (n < 2 || any_nan (x, n) || any_nan (y, n))
    return NAN;

  double *rx = g_new (double, n), *ry = g_new (double, n);
  gn_stats_rank (x, n, rx);
  gn_stats_rank (y, n, ry);
  double rho = pearson (rx, ry, n);
  g_free (rx);
  g_free (ry);
  return rho;
}

/* Number of pairs tied within runs of equal values of the sorted @v. */
static gint64
count_ties (const double *v, gsize n)
{
  gint64 ties = 0;
  for (gsize lo = 0, hi; lo < n; lo = hi)
    {
      for (hi = lo + 1; hi < n && v[hi] == v[lo]; hi++)
        ;
      gint64 run = (gint64) (hi - lo);
      ties += run * (run - 1) / 2;
    }
  return ties;
}

/* Sorts @y ascending (bottom-up merge sort, stable) and returns its number
 * of inversions: pairs i < j with y[i] > y[j] strictly.  Equal values are
 * not inversions, so pairs tied in y are not counted as discordant. */
static gint64
sort_count_inversions (double *y, double *tmp, gsize n)
{
  gint64 inv = 0;
  double *src = y, *dst = tmp;

  for (gsize width = 1; width < n; width *= 2)
    {
      for (gsize lo = 0; lo < n; lo += 2 * width)
        {
          gsize mid = MIN (lo + width, n), hi = MIN (lo + 2 * width, n);
          gsize i = lo, j = mid, o = lo;
          while (i < mid && j < hi)
            {
              if (src[j] < src[i])
                {
                  /* src[j] precedes, and is below, every left item left */
                  inv += (gint64) (mid - i);
                  dst[o++] = src[j++];
                }
              else
                dst[o++] = src[i++];
            }
          while (i < mid)
            dst[o++] = src[i++];
          while (j < hi)
            dst[o++] = src[j++];
        }
      double *t = src;
      src = dst;
      dst = t;
    }
  if (src != y)
    memcpy (y, src, n * sizeof *y);
  return inv;
}

double
gn_stats_kendall_tau_b (const double *x, const double *y, gsize n)
{
  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), NAN);

  if (n < 2 || any_nan (x, n) || any_nan (y, n))
    return NAN;

  Pair *p = g_new (Pair, n);
  double *ys = g_new (double, n), *tmp = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    p[i] = (Pair) { x[i], y[i] };
  qsort (p, n, sizeof *p, cmp_pair);

  /* ties in x, and joint ties (equal x and equal y), are runs of the
   * lexicographic order; a joint run lies within an x run */
  gint64 xtie = 0, ntie = 0;
  for (gsize lo = 0, hi; lo < n; lo = hi)
    {
      for (hi = lo + 1; hi < n && p[hi].x == p[lo].x; hi++)
        ;
      gint64 run = (gint64) (hi - lo);
      xtie += run * (run - 1) / 2;
      for (gsize jlo = lo, jhi; jlo < hi; jlo = jhi)
        {
          for (jhi = jlo + 1; jhi < hi && p[jhi].y == p[jlo].y; jhi++)
            ;
          gint64 jrun = (gint64) (jhi - jlo);
          ntie += jrun * (jrun - 1) / 2;
        }
    }

  /* with x ascending and y ascending within equal x, a pair is discordant
   * exactly when it is an inversion of y */
  for (gsize i = 0; i < n; i++)
    ys[i] = p[i].y;
  gint64 dis = sort_count_inversions (ys, tmp, n);
  gint64 ytie = count_ties (ys, n);

  g_free (p);
  g_free (ys);
  g_free (tmp);

  gint64 tot = (gint64) n * ((gint64) n - 1) / 2;
  if (xtie == tot || ytie == tot)
    return NAN;

  /* the expression and its order of operations are scipy's, so the result
   * matches it to the last bit */
  gint64 con_minus_dis = tot - xtie - ytie + ntie - 2 * dis;
  double tau = (double) con_minus_dis / sqrt ((double) (tot - xtie))
               / sqrt ((double) (tot - ytie));
  return CLAMP (tau, -1.0, 1.0);
}

/* Marks the @k items that come first in the top order of @v. */
static void
mark_top (const double *v, gsize n, gsize k, Keyed *scratch, gboolean *top)
{
  for (gsize i = 0; i < n; i++)
    scratch[i] = (Keyed) { v[i], i };
  qsort (scratch, n, sizeof *scratch, cmp_keyed_desc);
  for (gsize i = 0; i < k; i++)
    top[scratch[i].i] = TRUE;
}

double
gn_stats_top_retrieval (const double *score, const double *truth, gsize n,
                        double frac)
{
  g_return_val_if_fail (n == 0 || (score != NULL && truth != NULL), NAN);
  g_return_val_if_fail (frac > 0.0 && frac <= 1.0, NAN);

  if (n == 0)
    return NAN;

  /* 0.07 * 100 is 7.000000000000001 in doubles; nobody asking for the top
   * 7% of 100 means 8 items, so forgive representation error */
  double want = ceil ((double) n * frac - 1e-9);
  gsize k = (gsize) CLAMP (want, 1.0, (double) n);

  Keyed *scratch = g_new (Keyed, n);
  gboolean *by_truth = g_new0 (gboolean, n), *by_score = g_new0 (gboolean, n);
  mark_top (truth, n, k, scratch, by_truth);
  mark_top (score, n, k, scratch, by_score);

  gsize hits = 0;
  for (gsize i = 0; i < n; i++)
    hits += by_truth[i] && by_score[i];

  g_free (scratch);
  g_free (by_truth);
  g_free (by_score);
  return (double) hits / (double) k;
}

GnStatsAgreement
gn_stats_agreement (const double *score, const double *truth, gsize n,
                    double frac)
{
  GnStatsAgreement a = { NAN, NAN, NAN };
  if (n < 2)
    return a;
  a.spearman = gn_stats_spearman (score, truth, n);
  a.kendall = gn_stats_kendall_tau_b (score, truth, n);
  a.top = gn_stats_top_retrieval (score, truth, n, frac);
  return a;
}

/* The @q quantile of the @n finite values of @v (sorted in place), by
 * linear interpolation between order statistics; NAN when @n is 0. */
static double
quantile (double *v, gsize n, double q)
{
  if (n == 0)
    return NAN;
  qsort (v, n, sizeof *v, cmp_double_p);
  double pos = q * (double) (n - 1);
  gsize i = (gsize) floor (pos);
  if (i + 1 >= n)
    return v[n - 1];
  return v[i] + (pos - (double) i) * (v[i + 1] - v[i]);
}

void
gn_stats_agreement_bootstrap (const double *score, const double *truth,
                              gsize n, double frac, int resamples,
                              double level, guint64 seed,
                              GnStatsAgreement *lo, GnStatsAgreement *hi)
{
  g_return_if_fail (lo != NULL && hi != NULL);
  *lo = *hi = (GnStatsAgreement) { NAN, NAN, NAN };
  g_return_if_fail (n == 0 || (score != NULL && truth != NULL));
  g_return_if_fail (resamples >= 1 && level > 0.0 && level < 1.0);
  if (n < 2 || n > G_MAXUINT32)
    return;

  double *s = g_new (double, n), *t = g_new (double, n);
  double *stat[3];
  gsize defined[3] = { 0, 0, 0 };
  for (int k = 0; k < 3; k++)
    stat[k] = g_new (double, resamples);
  GnRng rng;
  gn_rng_seed (&rng, seed);
  for (int b = 0; b < resamples; b++)
    {
      for (gsize i = 0; i < n; i++)
        {
          gsize j = gn_rng_below (&rng, (guint32) n);
          s[i] = score[j];
          t[i] = truth[j];
        }
      GnStatsAgreement a = gn_stats_agreement (s, t, n, frac);
      double v[3] = { a.spearman, a.kendall, a.top };
      for (int k = 0; k < 3; k++)
        if (isfinite (v[k]))
          stat[k][defined[k]++] = v[k];
    }
  double q_lo = 0.5 * (1.0 - level), q_hi = 0.5 * (1.0 + level);
  double *los[3] = { &lo->spearman, &lo->kendall, &lo->top };
  double *his[3] = { &hi->spearman, &hi->kendall, &hi->top };
  for (int k = 0; k < 3; k++)
    {
      *los[k] = quantile (stat[k], defined[k], q_lo);
      *his[k] = quantile (stat[k], defined[k], q_hi);
      g_free (stat[k]);
    }
  g_free (s);
  g_free (t);
}
