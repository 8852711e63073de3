/* test-stats.c - average ranks, Spearman, Kendall tau-b, top retrieval
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The reference values are scipy.stats' definitions evaluated exactly:
 * rankdata(method="average"), spearmanr (Pearson on those ranks) and
 * kendalltau (tau-b, con_minus_dis / sqrt(tot - xtie) / sqrt(tot - ytie)).
 * scipy itself is not installable here, so each value was computed with
 * exact rational arithmetic from those definitions, and two of them are
 * the examples of scipy's own documentation; the O(n log n) Kendall is
 * also checked against an O(n^2) count of pairs on large random inputs.
 */
#include "gennas.h"

#include <math.h>

/* ------------------------------------------------------------------ */
/* brute force references                                              */
/* ------------------------------------------------------------------ */

static int
sign (double v)
{
  return (v > 0) - (v < 0);
}

/* tau-b by classifying every pair, with scipy's final expression */
static double
brute_tau_b (const double *x, const double *y, gsize n)
{
  gint64 tot = 0, xtie = 0, ytie = 0, ntie = 0, dis = 0;
  for (gsize i = 0; i < n; i++)
    for (gsize j = i + 1; j < n; j++)
      {
        int dx = sign (x[i] - x[j]), dy = sign (y[i] - y[j]);
        tot++;
        xtie += dx == 0;
        ytie += dy == 0;
        ntie += dx == 0 && dy == 0;
        dis += dx * dy < 0;
      }
  if (xtie == tot || ytie == tot)
    return NAN;
  gint64 cmd = tot - xtie - ytie + ntie - 2 * dis;
  return (double) cmd / sqrt ((double) (tot - xtie))
         / sqrt ((double) (tot - ytie));
}

/* average rank by counting: 1 + #smaller + (#equal - 1) / 2 */
static double
brute_rank (const double *x, gsize n, gsize i)
{
  gsize less = 0, equal = 0;
  for (gsize j = 0; j < n; j++)
    {
      less += x[j] < x[i];
      equal += x[j] == x[i];
    }
  return (double) less + 0.5 * (double) (equal + 1);
}

/* ------------------------------------------------------------------ */
/* fixed vectors                                                       */
/* ------------------------------------------------------------------ */

typedef struct {
  const char *what;
  gsize n;
  double x[12], y[12];
  double spearman, kendall;
} Case;

static const Case cases[] = {
  /* by hand: one discordant pair of three, tau = 1/3 (which scipy's
   * expression 1 / sqrt(3) / sqrt(3) rounds one ulp up); d^2 = 0 + 1 + 1,
   * rho = 1 - 6 * 2 / (3 * 8) */
  { "hand, no ties", 3, { 1, 2, 3 }, { 1, 3, 2 },
    0.5, 0.33333333333333337 },
  /* by hand: pairs (x-tie, concordant, concordant), so
   * tau-b = 2 / sqrt((3 - 1) (3 - 0)); ranks (1.5, 1.5, 3) vs (1, 2, 3) */
  { "hand, tie in x", 3, { 1, 1, 2 }, { 1, 2, 3 },
    0.8660254037844387, 0.816496580927726 },
  /* scipy's kendalltau documentation example: tau = -4 / sqrt(8 * 9);
   * the docs print -0.47140452079103173, one ulp off, from an older
   * release that took one square root of the product */
  { "scipy kendalltau doc", 5, { 12, 2, 1, 12, 2 }, { 1, 4, 7, 1, 0 },
    -0.5407380704358752, -0.4714045207910316 },
  /* scipy's spearmanr documentation example, 0.8207826816681233 there */
  { "scipy spearmanr doc", 5, { 1, 2, 3, 4, 5 }, { 5, 6, 7, 8, 7 },
    0.8207826816681233, 0.7378647873726218 },
  /* ties in x, in y and joint: tot 45, xtie 5, ytie 3, ntie 2, dis 5 */
  { "ties everywhere", 10,
    { 1, 2, 2, 3, 4, 4, 4, 5, 6, 6 }, { 3, 1, 2, 2, 5, 4, 5, 7, 6, 6 },
    0.8691968388426685, 0.7075275528876864 },
  /* negative and fractional values; tot 66, xtie 5, ytie 7, ntie 1,
   * dis 50 */
  { "fractions, negative", 12,
    { 0.5, -1.25, 3.0, 3.0, 2.0, -1.25, 7.5, 0.0, 3.0, 1.0, 2.0, 9.0 },
    { 10, 20, 20, 5, 5, 30, 1, 20, 5, 7, 8, 1 },
    -0.8186833288800226, -0.7501041883730803 },
};

static void
test_rank (void)
{
  const double x[] = { 0.5, -1.25, 3.0, 3.0, 2.0, -1.25, 7.5, 0.0, 3.0,
                       1.0, 2.0, 9.0 };
  const double expect[] = { 4, 1.5, 9, 9, 6.5, 1.5, 11, 3, 9, 5, 6.5, 12 };
  double r[G_N_ELEMENTS (x)];
  gn_stats_rank (x, G_N_ELEMENTS (x), r);
  for (gsize i = 0; i < G_N_ELEMENTS (x); i++)
    g_assert_cmpfloat (r[i], ==, expect[i]);

  /* random ties against counting */
  GnRng rng;
  gn_rng_seed (&rng, 11);
  enum { N = 500 };
  double v[N], rv[N];
  for (int i = 0; i < N; i++)
    v[i] = (double) gn_rng_below (&rng, 40);
  gn_stats_rank (v, N, rv);
  for (int i = 0; i < N; i++)
    g_assert_cmpfloat (rv[i], ==, brute_rank (v, N, i));

  gn_stats_rank (NULL, 0, NULL);   /* empty input is fine */
}

static void
test_fixed_cases (void)
{
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const Case *t = &cases[c];
      g_test_message ("%s", t->what);
      double rho = gn_stats_spearman (t->x, t->y, t->n);
      double tau = gn_stats_kendall_tau_b (t->x, t->y, t->n);
      g_assert_cmpfloat_with_epsilon (rho, t->spearman, 1e-14);
      /* same integers, same expression as scipy: bit for bit */
      g_assert_cmpfloat (tau, ==, t->kendall);
      g_assert_cmpfloat (tau, ==, brute_tau_b (t->x, t->y, t->n));
      /* both are symmetric */
      g_assert_cmpfloat_with_epsilon (gn_stats_spearman (t->y, t->x, t->n),
                                      rho, 1e-14);
      /* (the two square roots swap, so only to rounding) */
      g_assert_cmpfloat_with_epsilon (gn_stats_kendall_tau_b (t->y, t->x,
                                                              t->n),
                                      tau, 1e-15);
    }
}

static void
test_perfect (void)
{
  double x[50], up[50], down[50];
  for (int i = 0; i < 50; i++)
    {
      x[i] = i * 0.37;
      up[i] = exp (i * 0.1);   /* monotone, not linear */
      down[i] = -up[i];
    }
  g_assert_cmpfloat_with_epsilon (gn_stats_spearman (x, up, 50), 1.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (gn_stats_spearman (x, down, 50), -1.0,
                                  1e-15);
  g_assert_cmpfloat (gn_stats_kendall_tau_b (x, up, 50), ==, 1.0);
  g_assert_cmpfloat (gn_stats_kendall_tau_b (x, down, 50), ==, -1.0);
}

static void
test_kendall_random (void)
{
  GnRng rng;
  gn_rng_seed (&rng, 2000);
  enum { N = 2000 };
  double *x = g_new (double, N), *y = g_new (double, N);

  /* three regimes: continuous (no ties), heavy ties in both, and ties in
   * one variable only, each correlated so that tau is far from 0 */
  for (int regime = 0; regime < 3; regime++)
    {
      for (int i = 0; i < N; i++)
        {
          double a = gn_rng_normal (&rng), b = a + gn_rng_normal (&rng);
          switch (regime)
            {
            case 0:
              x[i] = a;
              y[i] = b;
              break;
            case 1:
              x[i] = floor (a * 3.0);
              y[i] = floor (b * 2.0);
              break;
            default:
              x[i] = a;
              y[i] = (double) (b > 0.5) + (double) (b > -0.5);
              break;
            }
        }
      double fast = gn_stats_kendall_tau_b (x, y, N);
      double slow = brute_tau_b (x, y, N);
      g_test_message ("regime %d: tau-b %.17g", regime, fast);
      g_assert_cmpfloat (fast, ==, slow);
      g_assert_cmpfloat (fast, >, 0.3);
    }

  /* small sizes exercise every merge boundary */
  for (gsize n = 2; n < 70; n++)
    {
      for (gsize i = 0; i < n; i++)
        {
          x[i] = (double) gn_rng_below (&rng, 7);
          y[i] = (double) gn_rng_below (&rng, 5);
        }
      double slow = brute_tau_b (x, y, n);
      double fast = gn_stats_kendall_tau_b (x, y, n);
      if (isnan (slow))
        g_assert_true (isnan (fast));
      else
        g_assert_cmpfloat (fast, ==, slow);
    }

  g_free (x);
  g_free (y);
}

static void
test_degenerate (void)
{
  const double x[] = { 1, 2, 3, 4 }, k[] = { 5, 5, 5, 5 };
  const double with_nan[] = { 1, NAN, 3, 4 };

  g_assert_true (isnan (gn_stats_spearman (x, k, 4)));
  g_assert_true (isnan (gn_stats_spearman (k, x, 4)));
  g_assert_true (isnan (gn_stats_kendall_tau_b (x, k, 4)));
  g_assert_true (isnan (gn_stats_kendall_tau_b (k, x, 4)));
  /* fewer than two items: no pairs */
  g_assert_true (isnan (gn_stats_spearman (x, x, 1)));
  g_assert_true (isnan (gn_stats_kendall_tau_b (x, x, 1)));
  g_assert_true (isnan (gn_stats_kendall_tau_b (NULL, NULL, 0)));
  /* scipy's default nan_policy="propagate" */
  g_assert_true (isnan (gn_stats_spearman (x, with_nan, 4)));
  g_assert_true (isnan (gn_stats_kendall_tau_b (with_nan, x, 4)));
}

static void
test_top_retrieval (void)
{
  enum { N = 100 };
  double truth[N], score[N];
  for (int i = 0; i < N; i++)
    {
      truth[i] = i;
      score[i] = 2.0 * i + 1.0;
    }
  g_assert_cmpfloat (gn_stats_top_retrieval (score, truth, N, 0.1), ==, 1.0);
  g_assert_cmpfloat (gn_stats_top_retrieval (score, truth, N, 1.0), ==, 1.0);
  for (int i = 0; i < N; i++)
    score[i] = -truth[i];
  g_assert_cmpfloat (gn_stats_top_retrieval (score, truth, N, 0.1), ==, 0.0);
  /* everything is in the top 100% */
  g_assert_cmpfloat (gn_stats_top_retrieval (score, truth, N, 1.0), ==, 1.0);

  /* 0.07 * 100 is 7.000000000000001 in doubles: still 7 items.  Swap the
   * 7th and 8th best scores: 6 of the true top 7 remain. */
  for (int i = 0; i < N; i++)
    score[i] = truth[i];
  score[93] = 92.0;
  score[92] = 93.0;
  g_assert_cmpfloat_with_epsilon (gn_stats_top_retrieval (score, truth, N,
                                                          0.07),
                                  6.0 / 7.0, 1e-15);

  /* ceil: 15% of 10 is 2 items, the true top being {9, 8} */
  const double t10[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  const double s10[] = { 9, 0, 0, 0, 0, 0, 0, 0, 9, 1 };
  /* score's top 2 are indices 0 and 8 (tied at 9): one hit of two */
  g_assert_cmpfloat (gn_stats_top_retrieval (s10, t10, 10, 0.15), ==, 0.5);
  /* ties are broken by index: an all-equal score picks {0, 1} */
  const double flat[10] = { 0 };
  g_assert_cmpfloat (gn_stats_top_retrieval (flat, t10, 10, 0.2), ==, 0.0);
  const double rev[] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };
  g_assert_cmpfloat (gn_stats_top_retrieval (flat, rev, 10, 0.2), ==, 1.0);
  /* a tiny fraction still means one item */
  g_assert_cmpfloat (gn_stats_top_retrieval (t10, t10, 10, 1e-6), ==, 1.0);
  /* a NaN score ranks lowest */
  double s_nan[10];
  for (int i = 0; i < 10; i++)
    s_nan[i] = t10[i];
  s_nan[9] = NAN;
  g_assert_cmpfloat (gn_stats_top_retrieval (s_nan, t10, 10, 0.1), ==, 0.0);
  g_assert_cmpfloat (gn_stats_top_retrieval (s_nan, t10, 10, 0.2), ==, 0.5);
}

/* Bivariate normal pairs of correlation @r. */
static void
draw_pairs (GnRng *rng, double r, double *x, double *y, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      double a = gn_rng_normal (rng), b = gn_rng_normal (rng);
      x[i] = a;
      y[i] = r * a + sqrt (1.0 - r * r) * b;
    }
}

/* The intervals cover the population's value about as often as they
 * claim, are as wide as sampling error says, and narrow as 1/sqrt(n).
 * For a bivariate normal of correlation r, Spearman's rho is
 * (6/pi) asin(r/2) and Kendall's tau (2/pi) asin(r). */
static void
test_bootstrap_coverage (void)
{
  const double r = 0.7;
  const double rho = 6.0 / G_PI * asin (r / 2.0), tau = 2.0 / G_PI * asin (r);
  enum { TRIALS = 40 };
  GnRng rng;
  gn_rng_seed (&rng, 20261202);
  double width[2][2] = { { 0 } };   /* [n small/large][spearman/kendall] */
  int covered_rho = 0, covered_tau = 0;
  for (int size = 0; size < 2; size++)
    {
      gsize n = size == 0 ? 100 : 400;
      double *x = g_new (double, n), *y = g_new (double, n);
      for (int trial = 0; trial < TRIALS; trial++)
        {
          draw_pairs (&rng, r, x, y, n);
          GnStatsAgreement lo, hi;
          gn_stats_agreement_bootstrap (x, y, n, 0.1, 200, 0.95,
                                        (guint64) trial, &lo, &hi);
          GnStatsAgreement a = gn_stats_agreement (x, y, n, 0.1);
          g_assert_cmpfloat (lo.spearman, <=, a.spearman + 0.02);
          g_assert_cmpfloat (hi.spearman, >=, a.spearman - 0.02);
          g_assert_cmpfloat (lo.top, <=, hi.top);
          g_assert_cmpfloat (lo.top, >=, 0.0);
          g_assert_cmpfloat (hi.top, <=, 1.0);
          if (size == 0)
            {
              covered_rho += lo.spearman <= rho && rho <= hi.spearman;
              covered_tau += lo.kendall <= tau && tau <= hi.kendall;
            }
          width[size][0] += (hi.spearman - lo.spearman) / TRIALS;
          width[size][1] += (hi.kendall - lo.kendall) / TRIALS;
        }
      g_free (x);
      g_free (y);
    }
  g_test_message ("covered: rho %d/%d, tau %d/%d; widths n=100 %.3f %.3f, "
                  "n=400 %.3f %.3f", covered_rho, TRIALS, covered_tau, TRIALS,
                  width[0][0], width[0][1], width[1][0], width[1][1]);
  /* nominal 95%: 38 of 40; fewer than 33 has probability < 0.5% */
  g_assert_cmpint (covered_rho, >=, 33);
  g_assert_cmpint (covered_tau, >=, 33);
  /* rho's standard error at n = 100 is about 0.055: a 95% interval about
   * 0.2 wide */
  g_assert_cmpfloat (width[0][0], >, 0.12);
  g_assert_cmpfloat (width[0][0], <, 0.32);
  for (int k = 0; k < 2; k++)
    {
      double ratio = width[1][k] / width[0][k];
      g_assert_cmpfloat (ratio, >, 0.38);
      g_assert_cmpfloat (ratio, <, 0.62);
    }
}

/* Same seed, same interval; one resample is its own interval; a perfect
 * ranking stays perfect; too few items give no interval. */
static void
test_bootstrap_edges (void)
{
  GnRng rng;
  gn_rng_seed (&rng, 7);
  double x[50], y[50];
  draw_pairs (&rng, 0.5, x, y, 50);
  GnStatsAgreement lo1, hi1, lo2, hi2;
  gn_stats_agreement_bootstrap (x, y, 50, 0.1, 100, 0.95, 3, &lo1, &hi1);
  gn_stats_agreement_bootstrap (x, y, 50, 0.1, 100, 0.95, 3, &lo2, &hi2);
  g_assert_cmpfloat (lo1.kendall, ==, lo2.kendall);
  g_assert_cmpfloat (hi1.top, ==, hi2.top);
  gn_stats_agreement_bootstrap (x, y, 50, 0.1, 100, 0.95, 4, &lo2, &hi2);
  g_assert_cmpfloat (lo1.kendall, !=, lo2.kendall);

  gn_stats_agreement_bootstrap (x, y, 50, 0.1, 1, 0.95, 3, &lo1, &hi1);
  g_assert_cmpfloat (lo1.spearman, ==, hi1.spearman);
  g_assert_cmpfloat (lo1.kendall, ==, hi1.kendall);

  gn_stats_agreement_bootstrap (x, x, 50, 0.2, 50, 0.9, 1, &lo1, &hi1);
  g_assert_cmpfloat (lo1.spearman, ==, 1.0);
  g_assert_cmpfloat (hi1.kendall, ==, 1.0);
  g_assert_cmpfloat (lo1.top, ==, 1.0);

  gn_stats_agreement_bootstrap (x, y, 1, 0.1, 10, 0.95, 1, &lo1, &hi1);
  g_assert_true (isnan (lo1.spearman) && isnan (hi1.top));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/rank", test_rank);
  g_test_add_func ("/stats/fixed-cases", test_fixed_cases);
  g_test_add_func ("/stats/perfect", test_perfect);
  g_test_add_func ("/stats/kendall-random", test_kendall_random);
  g_test_add_func ("/stats/degenerate", test_degenerate);
  g_test_add_func ("/stats/top-retrieval", test_top_retrieval);
  g_test_add_func ("/stats/bootstrap-coverage", test_bootstrap_coverage);
  g_test_add_func ("/stats/bootstrap-edges", test_bootstrap_edges);
  return g_test_run ();
}
