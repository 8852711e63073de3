/* test-rng.c - the seeded generator: known answers, ranges, distributions
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"

#include <math.h>

static void
test_known_answer (void)
{
  /* xoshiro256** seeded through splitmix64, reference implementation */
  GnRng r;
  gn_rng_seed (&r, 0);
  g_assert_cmphex (gn_rng_next (&r), ==, 0x99ec5f36cb75f2b4ULL);
  g_assert_cmphex (gn_rng_next (&r), ==, 0xbf6e1f784956452aULL);
  g_assert_cmphex (gn_rng_next (&r), ==, 0x1a5f849d4933e6e0ULL);
  gn_rng_seed (&r, 42);
  g_assert_cmphex (gn_rng_next (&r), ==, 0x15780b2e0c2ec716ULL);
}

static void
test_reproducible (void)
{
  GnRng a, b, c;
  gn_rng_seed (&a, 7);
  gn_rng_seed (&b, 7);
  gn_rng_seed (&c, 8);
  gboolean differs = FALSE;
  for (int i = 0; i < 1000; i++)
    {
      guint64 x = gn_rng_next (&a);
      g_assert_cmphex (x, ==, gn_rng_next (&b));
      differs |= x != gn_rng_next (&c);
    }
  g_assert_true (differs);

  /* a split stream is independent of, and reproducible from, its parent */
  gn_rng_seed (&a, 7);
  gn_rng_seed (&b, 7);
  GnRng ca = gn_rng_split (&a), cb = gn_rng_split (&b);
  g_assert_cmphex (gn_rng_next (&ca), ==, gn_rng_next (&cb));
  g_assert_cmphex (gn_rng_next (&a), !=, gn_rng_next (&ca));
}

static void
test_below_uniform (void)
{
  GnRng r;
  gn_rng_seed (&r, 1);
  enum { BINS = 10, DRAWS = 100000 };
  int hist[BINS] = { 0 };
  for (int i = 0; i < DRAWS; i++)
    {
      guint32 v = gn_rng_below (&r, BINS);
      g_assert_cmpuint (v, <, BINS);
      hist[v]++;
    }
  double chi2 = 0.0, expect = DRAWS / (double) BINS;
  for (int i = 0; i < BINS; i++)
    chi2 += (hist[i] - expect) * (hist[i] - expect) / expect;
  /* 9 degrees of freedom: P(chi2 > 27.9) = 0.001 */
  g_assert_cmpfloat (chi2, <, 27.9);
  g_assert_cmpuint (gn_rng_below (&r, 1), ==, 0);
}

static void
test_uniform_and_normal (void)
{
  GnRng r;
  gn_rng_seed (&r, 2);
  enum { N = 200000 };
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < N; i++)
    {
      double u = gn_rng_uniform (&r);
      g_assert_true (u >= 0.0 && u < 1.0);
      su += u;
      float f = gn_rng_uniformf (&r, -0.25f, 0.5f);
      g_assert_true (f >= -0.25f && f < 0.5f);
      double z = gn_rng_normal (&r);
      sn += z;
      sn2 += z * z;
    }
  /* standard errors: uniform mean 0.00065, normal mean 0.0022, var 0.0032 */
  g_assert_cmpfloat (fabs (su / N - 0.5), <, 0.004);
  g_assert_cmpfloat (fabs (sn / N), <, 0.012);
  g_assert_cmpfloat (fabs (sn2 / N - 1.0), <, 0.02);
}

static void
test_permutation (void)
{
  GnRng r;
  gn_rng_seed (&r, 3);
  int perm[100];
  gboolean seen[100] = { FALSE };
  gn_rng_permutation (&r, perm, 100);
  int fixed = 0;
  for (int i = 0; i < 100; i++)
    {
      g_assert_cmpint (perm[i], >=, 0);
      g_assert_cmpint (perm[i], <, 100);
      g_assert_false (seen[perm[i]]);
      seen[perm[i]] = TRUE;
      fixed += perm[i] == i;
    }
  g_assert_cmpint (fixed, <, 10);   /* an identity "shuffle" fails here */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rng/known-answer", test_known_answer);
  g_test_add_func ("/rng/reproducible", test_reproducible);
  g_test_add_func ("/rng/below-uniform", test_below_uniform);
  g_test_add_func ("/rng/uniform-normal", test_uniform_and_normal);
  g_test_add_func ("/rng/permutation", test_permutation);
  return g_test_run ();
}
