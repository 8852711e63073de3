/* test-batchnorm.c - gn_batchnorm_* against PyTorch's BatchNorm2d semantics
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gennas.h"
#include "gradcheck.h"

#include <math.h>
#include <string.h>

/* [n][c][hw] shape used by most cases: 15 values per channel */
#define N  3
#define C  4
#define HW 5
#define SZ (N * C * HW)

#define IDX(i, ch, j) (((size_t) (i) * C + (size_t) (ch)) * HW + (size_t) (j))

/* Double-precision BatchNorm2d (training mode), written independently of
 * the kernel: plain definitions, no algebraic rewriting. */
static void
ref_batchnorm (const float *x, const float *gamma, const float *beta,
               double *y, double *mean, double *var_biased)
{
  for (int ch = 0; ch < C; ch++)
    {
      double s = 0.0;
      for (int i = 0; i < N; i++)
        for (int j = 0; j < HW; j++)
          s += x[IDX (i, ch, j)];
      double m = s / (N * HW);
      double v = 0.0;
      for (int i = 0; i < N; i++)
        for (int j = 0; j < HW; j++)
          v += (x[IDX (i, ch, j)] - m) * (x[IDX (i, ch, j)] - m);
      v /= N * HW;
      mean[ch] = m;
      var_biased[ch] = v;
      for (int i = 0; i < N; i++)
        for (int j = 0; j < HW; j++)
          {
            double xh = (x[IDX (i, ch, j)] - m) / sqrt (v + 1e-5);
            y[IDX (i, ch, j)] = (gamma ? gamma[ch] : 1.0) * xh
                                + (beta ? beta[ch] : 0.0);
          }
    }
}

static void
check_forward_against_ref (float lo, float hi, double tol)
{
  float x[SZ], y[SZ], gamma[C], beta[C], mean[C], invstd[C];
  double ry[SZ], rmean[C], rvar[C];

  gc_fill (x, SZ, 11, lo, hi);
  gc_fill (gamma, C, 12, 0.5f, 1.5f);
  gc_fill (beta, C, 13, -1.0f, 1.0f);

  gn_batchnorm_forward_train (N, C, HW, x, y, gamma, beta, mean, invstd,
                              NULL, NULL, GN_BN_MOMENTUM, GN_BN_EPS);
  ref_batchnorm (x, gamma, beta, ry, rmean, rvar);

  for (int ch = 0; ch < C; ch++)
    {
      g_assert_cmpfloat_with_epsilon (mean[ch], rmean[ch],
                                      1e-6 * MAX (1.0, fabs (rmean[ch])));
      g_assert_cmpfloat_with_epsilon (invstd[ch], 1.0 / sqrt (rvar[ch] + 1e-5),
                                      1e-5 / sqrt (rvar[ch] + 1e-5));
    }
  for (int i = 0; i < SZ; i++)
    g_assert_cmpfloat_with_epsilon (y[i], ry[i], tol);
}

static void
test_forward_train (void)
{
  check_forward_against_ref (-2.0f, 3.0f, 2e-6);
}

/* A channel with |mean| >> std: a variance formed as E[x²] - E[x]² in
 * float would be pure rounding noise here. */
static void
test_forward_large_mean (void)
{
  /* PyTorch's x alpha + beta form would be off by ~1e-3 here (a few ulps
   * of 1000 / std); centring first keeps float accuracy */
  check_forward_against_ref (1000.0f, 1001.0f, 1e-5);
}

/* Running statistics over two steps, by hand: [2][2][2], momentum 0.1.
 * Channel 0 step 1: {1,2,3,4}: mean 2.5, biased var 1.25, unbiased 5/3.
 * Channel 1 step 1: {5,5,5,5}: mean 5, var 0. */
static void
test_running_stats (void)
{
  /* x[n][c][hw] */
  float x1[8] = { 1, 2, 5, 5,     3, 4, 5, 5 };
  /* step 2, channel 0 {2,4,6,8}: mean 5, unbiased var 20/3;
   *         channel 1 {0,1,0,1}: mean 0.5, unbiased var 1/3 */
  float x2[8] = { 2, 4, 0, 1,     6, 8, 0, 1 };
  float y[8], mean[2], invstd[2];
  float rmean[2] = { 0.0f, 0.0f };
  float rvar[2] = { 1.0f, 1.0f };

  gn_batchnorm_forward_train (2, 2, 2, x1, y, NULL, NULL, mean, invstd,
                              rmean, rvar, 0.1f, GN_BN_EPS);
  /* the output is normalised with the BIASED variance */
  g_assert_cmpfloat_with_epsilon (y[0], (1 - 2.5) / sqrt (1.25 + 1e-5), 1e-6);
  g_assert_cmpfloat_with_epsilon (y[5], (4 - 2.5) / sqrt (1.25 + 1e-5), 1e-6);
  g_assert_cmpfloat_with_epsilon (y[2], 0.0, 1e-7);
  g_assert_cmpfloat_with_epsilon (invstd[1], 1.0 / sqrt (1e-5), 1e-2);

  g_assert_cmpfloat_with_epsilon (rmean[0], 0.25, 1e-7);
  g_assert_cmpfloat_with_epsilon (rvar[0], 0.9 + 0.1 * 5.0 / 3.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (rmean[1], 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (rvar[1], 0.9, 1e-7);

  gn_batchnorm_forward_train (2, 2, 2, x2, y, NULL, NULL, mean, invstd,
                              rmean, rvar, 0.1f, GN_BN_EPS);
  g_assert_cmpfloat_with_epsilon (rmean[0], 0.9 * 0.25 + 0.1 * 5.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (rvar[0],
                                  0.9 * (0.9 + 0.1 * 5.0 / 3.0)
                                  + 0.1 * 20.0 / 3.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (rmean[1], 0.9 * 0.5 + 0.1 * 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (rvar[1], 0.9 * 0.9 + 0.1 / 3.0, 1e-6);

  /* only one of the running tensors tracked: the other is skipped */
  float rm_only[2] = { 1.0f, 1.0f };
  gn_batchnorm_forward_train (2, 2, 2, x1, y, NULL, NULL, mean, invstd,
                              rm_only, NULL, 0.5f, GN_BN_EPS);
  g_assert_cmpfloat_with_epsilon (rm_only[0], 0.5 + 0.5 * 2.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (rm_only[1], 0.5 + 0.5 * 5.0, 1e-6);
}

static void
test_forward_eval (void)
{
  float x[SZ], y[SZ], gamma[C], beta[C], rmean[C], rvar[C];
  float mean[C], invstd[C];

  gc_fill (x, SZ, 21, -2.0f, 2.0f);
  gc_fill (gamma, C, 22, 0.5f, 1.5f);
  gc_fill (beta, C, 23, -1.0f, 1.0f);
  gc_fill (rmean, C, 24, -0.5f, 0.5f);
  gc_fill (rvar, C, 25, 0.2f, 3.0f);

  float rmean0[C], rvar0[C];
  memcpy (rmean0, rmean, sizeof rmean);
  memcpy (rvar0, rvar, sizeof rvar);

  gn_batchnorm_forward_eval (N, C, HW, x, y, gamma, beta, rmean, rvar, mean,
                             invstd, GN_BN_EPS);
  for (int ch = 0; ch < C; ch++)
    {
      double is = 1.0 / sqrt ((double) rvar[ch] + 1e-5);
      g_assert_cmpfloat (mean[ch], ==, rmean[ch]);
      g_assert_cmpfloat_with_epsilon (invstd[ch], is, 1e-6 * is);
      for (int i = 0; i < N; i++)
        for (int j = 0; j < HW; j++)
          {
            double want = gamma[ch] * (x[IDX (i, ch, j)] - rmean[ch]) * is
                          + beta[ch];
            g_assert_cmpfloat_with_epsilon (y[IDX (i, ch, j)], want, 2e-6);
          }
    }
  /* evaluation never touches the running statistics */
  g_assert_cmpmem (rmean, sizeof rmean, rmean0, sizeof rmean0);
  g_assert_cmpmem (rvar, sizeof rvar, rvar0, sizeof rvar0);

  /* without affine parameters: plain (x - rm) / sqrt(rv + eps) */
  gn_batchnorm_forward_eval (N, C, HW, x, y, NULL, NULL, rmean, rvar, mean,
                             invstd, GN_BN_EPS);
  double want = (x[IDX (1, 2, 3)] - rmean[2]) / sqrt ((double) rvar[2] + 1e-5);
  g_assert_cmpfloat_with_epsilon (y[IDX (1, 2, 3)], want, 2e-6);
}

static void
test_forward_in_place (void)
{
  float x[SZ], y[SZ], gamma[C], beta[C], mean[C], invstd[C];
  float mean2[C], invstd2[C], rm[C] = { 0 }, rv[C] = { 1, 1, 1, 1 };
  float rm2[C] = { 0 }, rv2[C] = { 1, 1, 1, 1 };

  gc_fill (x, SZ, 31, -1.0f, 2.0f);
  gc_fill (gamma, C, 32, 0.5f, 1.5f);
  gc_fill (beta, C, 33, -1.0f, 1.0f);

  /* train: out of place, then in place on a copy */
  gn_batchnorm_forward_train (N, C, HW, x, y, gamma, beta, mean, invstd, rm,
                              rv, GN_BN_MOMENTUM, GN_BN_EPS);
  float z[SZ];
  memcpy (z, x, sizeof x);
  gn_batchnorm_forward_train (N, C, HW, z, z, gamma, beta, mean2, invstd2,
                              rm2, rv2, GN_BN_MOMENTUM, GN_BN_EPS);
  g_assert_cmpmem (z, sizeof z, y, sizeof y);
  g_assert_cmpmem (mean2, sizeof mean2, mean, sizeof mean);
  g_assert_cmpmem (invstd2, sizeof invstd2, invstd, sizeof invstd);
  g_assert_cmpmem (rm2, sizeof rm2, rm, sizeof rm);
  g_assert_cmpmem (rv2, sizeof rv2, rv, sizeof rv);

  /* eval */
  gn_batchnorm_forward_eval (N, C, HW, x, y, gamma, beta, rm, rv, mean,
                             invstd, GN_BN_EPS);
  memcpy (z, x, sizeof x);
  gn_batchnorm_forward_eval (N, C, HW, z, z, gamma, beta, rm, rv, mean2,
                             invstd2, GN_BN_EPS);
  g_assert_cmpmem (z, sizeof z, y, sizeof y);
}

/* ---- gradient checks ---------------------------------------------- */

typedef struct {
  float x[SZ], y[SZ], r[SZ];
  float gamma[C], beta[C], rmean[C], rvar[C];
  float mean[C], invstd[C];
  gboolean affine, eval;
} Bn;

static double
bn_loss (gpointer user)
{
  Bn *b = user;
  const float *g = b->affine ? b->gamma : NULL;
  const float *be = b->affine ? b->beta : NULL;

  if (b->eval)
    gn_batchnorm_forward_eval (N, C, HW, b->x, b->y, g, be, b->rmean,
                               b->rvar, b->mean, b->invstd, GN_BN_EPS);
  else
    gn_batchnorm_forward_train (N, C, HW, b->x, b->y, g, be, b->mean,
                                b->invstd, NULL, NULL, GN_BN_MOMENTUM,
                                GN_BN_EPS);
  return gc_dot (b->y, b->r, SZ);
}

static void
bn_setup (Bn *b, gboolean affine, gboolean eval)
{
  memset (b, 0, sizeof *b);
  b->affine = affine;
  b->eval = eval;
  gc_fill (b->x, SZ, 41, -2.0f, 2.0f);
  gc_fill (b->r, SZ, 42, -1.0f, 1.0f);
  gc_fill (b->gamma, C, 43, 0.5f, 1.5f);
  gc_fill (b->beta, C, 44, -1.0f, 1.0f);
  gc_fill (b->rmean, C, 45, -0.5f, 0.5f);
  gc_fill (b->rvar, C, 46, 0.5f, 2.0f);
  bn_loss (b);
}

/* step and tolerances: the probe loss is a double sum of float outputs of
 * size ~1, so 1e-2-relative agreement with a 1e-3 step is conclusive */
#define GC_EPS  1e-3
#define GC_ATOL 2e-3
#define GC_RTOL 1e-2

static void
test_grad_train_affine (void)
{
  Bn b;
  float dx[SZ] = { 0 }, dgamma[C] = { 0 }, dbeta[C] = { 0 };

  bn_setup (&b, TRUE, FALSE);
  gn_batchnorm_backward (N, C, HW, b.x, b.mean, b.invstd, TRUE, b.gamma, b.r,
                         dx, dgamma, dbeta);

  g_assert_true (gc_check ("bn train dx", b.x, dx, SZ, bn_loss, &b, 0,
                           GC_EPS, GC_ATOL, GC_RTOL));
  g_assert_true (gc_check ("bn train dgamma", b.gamma, dgamma, C, bn_loss,
                           &b, 0, GC_EPS, GC_ATOL, GC_RTOL));
  g_assert_true (gc_check ("bn train dbeta", b.beta, dbeta, C, bn_loss, &b,
                           0, GC_EPS, GC_ATOL, GC_RTOL));

  /* batch statistics make Σ dx over a channel vanish (shift invariance) */
  for (int ch = 0; ch < C; ch++)
    {
      double s = 0.0;
      for (int i = 0; i < N; i++)
        for (int j = 0; j < HW; j++)
          s += dx[IDX (i, ch, j)];
      g_assert_cmpfloat_with_epsilon (s, 0.0, 1e-5);
    }
}

/* No affine parameters: the network hands the backward the OUTPUT x̂ as
 * src with mean == NULL, so the input can be freed after the forward. */
static void
test_grad_train_plain (void)
{
  Bn b;
  float dx[SZ] = { 0 }, dx_from_x[SZ] = { 0 };
  float xhat[SZ], dgamma[C] = { 0 }, dbeta[C] = { 0 };

  bn_setup (&b, FALSE, FALSE);
  memcpy (xhat, b.y, sizeof xhat);
  gn_batchnorm_backward (N, C, HW, xhat, NULL, b.invstd, TRUE, NULL, b.r, dx,
                         dgamma, dbeta);
  g_assert_true (gc_check ("bn plain dx", b.x, dx, SZ, bn_loss, &b, 0,
                           GC_EPS, GC_ATOL, GC_RTOL));

  /* same gradient as the src = x path, and dgamma = Σ dy x̂ either way
   * (gc_check leaves the saved statistics of its last probe: refresh) */
  float dgamma2[C] = { 0 }, dbeta2[C] = { 0 };
  bn_loss (&b);
  gn_batchnorm_backward (N, C, HW, b.x, b.mean, b.invstd, TRUE, NULL, b.r,
                         dx_from_x, dgamma2, dbeta2);
  g_assert_cmpfloat (gc_max_abs_diff (dx, dx_from_x, SZ), <, 1e-5);
  g_assert_cmpfloat (gc_max_abs_diff (dgamma, dgamma2, C), <, 1e-5);
  g_assert_cmpfloat (gc_max_abs_diff (dbeta, dbeta2, C), <, 1e-6);
  for (int ch = 0; ch < C; ch++)
    {
      double sg = 0.0, sb = 0.0;
      for (int i = 0; i < N; i++)
        for (int j = 0; j < HW; j++)
          {
            sg += (double) b.r[IDX (i, ch, j)] * xhat[IDX (i, ch, j)];
            sb += b.r[IDX (i, ch, j)];
          }
      g_assert_cmpfloat_with_epsilon (dgamma[ch], sg, 1e-5);
      g_assert_cmpfloat_with_epsilon (dbeta[ch], sb, 1e-5);
    }
}

static void
test_grad_eval (void)
{
  Bn b;
  float dx[SZ] = { 0 }, dgamma[C] = { 0 }, dbeta[C] = { 0 };

  bn_setup (&b, TRUE, TRUE);
  gn_batchnorm_backward (N, C, HW, b.x, b.mean, b.invstd, FALSE, b.gamma,
                         b.r, dx, dgamma, dbeta);
  g_assert_true (gc_check ("bn eval dx", b.x, dx, SZ, bn_loss, &b, 0,
                           GC_EPS, GC_ATOL, GC_RTOL));
  g_assert_true (gc_check ("bn eval dgamma", b.gamma, dgamma, C, bn_loss, &b,
                           0, GC_EPS, GC_ATOL, GC_RTOL));
  g_assert_true (gc_check ("bn eval dbeta", b.beta, dbeta, C, bn_loss, &b, 0,
                           GC_EPS, GC_ATOL, GC_RTOL));

  /* eval without affine, src = x̂: dx = dy invstd exactly */
  float dx2[SZ] = { 0 };
  b.affine = FALSE;
  bn_loss (&b);
  gn_batchnorm_backward (N, C, HW, b.y, NULL, b.invstd, FALSE, NULL, b.r,
                         dx2, NULL, NULL);
  for (int ch = 0; ch < C; ch++)
    for (int i = 0; i < N; i++)
      for (int j = 0; j < HW; j++)
        g_assert_cmpfloat_with_epsilon (dx2[IDX (i, ch, j)],
                                        b.r[IDX (i, ch, j)] * b.invstd[ch],
                                        1e-6);
}

/* Backward ACCUMULATES into every gradient and skips NULL ones. */
static void
test_accumulate (void)
{
  Bn b;
  float dx[SZ] = { 0 }, dgamma[C] = { 0 }, dbeta[C] = { 0 };
  float dx2[SZ], dgamma2[C], dbeta2[C];
  float pre[SZ];

  bn_setup (&b, TRUE, FALSE);
  gn_batchnorm_backward (N, C, HW, b.x, b.mean, b.invstd, TRUE, b.gamma, b.r,
                         dx, dgamma, dbeta);

  gc_fill (pre, SZ, 51, -1.0f, 1.0f);
  memcpy (dx2, pre, sizeof dx2);
  for (int ch = 0; ch < C; ch++)
    {
      dgamma2[ch] = pre[ch];
      dbeta2[ch] = pre[C + ch];
    }
  gn_batchnorm_backward (N, C, HW, b.x, b.mean, b.invstd, TRUE, b.gamma, b.r,
                         dx2, dgamma2, dbeta2);
  for (int i = 0; i < SZ; i++)
    g_assert_cmpfloat_with_epsilon (dx2[i], pre[i] + dx[i], 1e-6);
  for (int ch = 0; ch < C; ch++)
    {
      g_assert_cmpfloat_with_epsilon (dgamma2[ch], pre[ch] + dgamma[ch], 1e-6);
      g_assert_cmpfloat_with_epsilon (dbeta2[ch], pre[C + ch] + dbeta[ch],
                                      1e-6);
    }

  /* NULL gradients are skipped; the others are unchanged by the skip */
  float dgamma3[C] = { 0 };
  gn_batchnorm_backward (N, C, HW, b.x, b.mean, b.invstd, TRUE, b.gamma, b.r,
                         NULL, dgamma3, NULL);
  g_assert_cmpmem (dgamma3, sizeof dgamma3, dgamma, sizeof dgamma);
  float dx3[SZ] = { 0 };
  gn_batchnorm_backward (N, C, HW, b.x, b.mean, b.invstd, TRUE, b.gamma, b.r,
                         dx3, NULL, NULL);
  g_assert_cmpmem (dx3, sizeof dx3, dx, sizeof dx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/batchnorm/forward/train", test_forward_train);
  g_test_add_func ("/batchnorm/forward/large-mean", test_forward_large_mean);
  g_test_add_func ("/batchnorm/forward/running-stats", test_running_stats);
  g_test_add_func ("/batchnorm/forward/eval", test_forward_eval);
  g_test_add_func ("/batchnorm/forward/in-place", test_forward_in_place);
  g_test_add_func ("/batchnorm/grad/train-affine", test_grad_train_affine);
  g_test_add_func ("/batchnorm/grad/train-plain", test_grad_train_plain);
  g_test_add_func ("/batchnorm/grad/eval", test_grad_eval);
  g_test_add_func ("/batchnorm/grad/accumulate", test_accumulate);

  return g_test_run ();
}
