/* test-ops.c - element-wise, pooling, resize and linear kernels
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Values are checked against hand-computed numbers (or a naive double
 * loop) and every backward against central differences of the probe loss
 * L = Σ r_i y_i (gradcheck.h).
 */
#include "config.h"
#include "gennas.h"
#include "gradcheck.h"

#include <math.h>
#include <string.h>

#define GC_EPS  1e-3
#define GC_ATOL 1e-3
#define GC_RTOL 1e-3

/* ---- relu ---------------------------------------------------------- */

static void
test_relu_values (void)
{
  float x[6] = { -2.0f, -0.5f, 0.0f, 0.25f, 3.0f, NAN };
  float y[6];
  float want[5] = { 0.0f, 0.0f, 0.0f, 0.25f, 3.0f };

  gn_relu_forward (6, x, y);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat (y[i], ==, want[i]);
  /* torch.relu propagates NaN */
  g_assert_true (isnan (y[5]));

  /* in place */
  gn_relu_forward (6, x, x);
  g_assert_cmpmem (x, 5 * sizeof *x, want, sizeof want);

  /* backward from the OUTPUT: blocked where y <= 0, accumulated */
  float yb[5] = { 0.0f, 0.0f, 1.0f, 0.25f, 0.0f };
  float dy[5] = { 1.0f, 2.0f, 3.0f, 4.0f, 5.0f };
  float dx[5] = { 10.0f, 10.0f, 10.0f, 10.0f, 10.0f };
  float wantdx[5] = { 10.0f, 10.0f, 13.0f, 14.0f, 10.0f };
  gn_relu_backward (5, yb, dy, dx);
  g_assert_cmpmem (dx, sizeof dx, wantdx, sizeof wantdx);
}

typedef struct {
  float *x, *y, *r;
  size_t count;
} Relu;

static double
relu_loss (gpointer user)
{
  Relu *s = user;
  gn_relu_forward (s->count, s->x, s->y);
  return gc_dot (s->y, s->r, s->count);
}

static void
test_relu_grad (void)
{
  enum { CNT = 257 };      /* odd: exercises the vector loop tails */
  float x[CNT], y[CNT], r[CNT], dx[CNT] = { 0 };
  Relu s = { x, y, r, CNT };

  gc_fill (x, CNT, 1, -1.0f, 1.0f);
  /* keep inputs away from the kink so the finite difference is valid */
  for (int i = 0; i < CNT; i++)
    x[i] += x[i] < 0 ? -0.05f : 0.05f;
  gc_fill (r, CNT, 2, -1.0f, 1.0f);

  relu_loss (&s);
  gn_relu_backward (CNT, y, r, dx);
  g_assert_true (gc_check ("relu dx", x, dx, CNT, relu_loss, &s, 0, GC_EPS,
                           GC_ATOL, GC_RTOL));
}

/* ---- pooling geometry ---------------------------------------------- */

static GnPoolGeom
pool_geom (int n, int c, int h, int w, int k, int stride, int pad,
           gboolean include_pad)
{
  GnPoolGeom g = { 0 };
  g.n = n; g.c = c; g.in_h = h; g.in_w = w;
  g.k = k; g.stride = stride; g.pad = pad;
  g.count_include_pad = include_pad;
  return g;
}

static void
expect_geom_error (GnPoolGeom g)
{
  GError *error = NULL;
  g_assert_false (gn_pool_geom_init (&g, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (error->message);
  g_test_message ("expected error: %s", error->message);
  g_clear_error (&error);
  /* a NULL error location is allowed */
  g_assert_false (gn_pool_geom_init (&g, NULL));
}

static void
test_pool_geometry (void)
{
  GError *error = NULL;
  GnPoolGeom g;

  /* floor mode: (in + 2 pad - k) / stride + 1 */
  g = pool_geom (2, 3, 32, 32, 3, 2, 1, TRUE);
  g_assert_true (gn_pool_geom_init (&g, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g.out_h, ==, 16);
  g_assert_cmpint (g.out_w, ==, 16);

  g = pool_geom (1, 1, 7, 5, 2, 2, 0, FALSE);
  g_assert_true (gn_pool_geom_init (&g, &error));
  g_assert_cmpint (g.out_h, ==, 3);
  g_assert_cmpint (g.out_w, ==, 2);

  g = pool_geom (1, 1, 8, 8, 3, 1, 1, FALSE);
  g_assert_true (gn_pool_geom_init (&g, &error));
  g_assert_cmpint (g.out_h, ==, 8);

  g = pool_geom (1, 1, 3, 3, 3, 1, 0, FALSE);   /* window == input */
  g_assert_true (gn_pool_geom_init (&g, &error));
  g_assert_cmpint (g.out_h, ==, 1);

  expect_geom_error (pool_geom (1, 1, 8, 8, 0, 1, 0, FALSE));  /* k */
  expect_geom_error (pool_geom (1, 1, 8, 8, 3, 0, 0, FALSE));  /* stride */
  expect_geom_error (pool_geom (1, 1, 8, 8, 3, 1, 2, FALSE));  /* pad > k/2 */
  expect_geom_error (pool_geom (1, 1, 8, 8, 2, 1, -1, FALSE)); /* pad < 0 */
  expect_geom_error (pool_geom (1, 1, 2, 8, 5, 1, 1, FALSE));  /* too small */
  expect_geom_error (pool_geom (0, 1, 8, 8, 2, 2, 0, FALSE));  /* empty */
  expect_geom_error (pool_geom (1, 1, 8, -3, 2, 2, 0, FALSE));
  expect_geom_error (pool_geom (1, 1, 8, 8, G_MAXINT, 1, G_MAXINT / 2,
                                FALSE));                        /* overflow */
  expect_geom_error (pool_geom (1, 1, 65536, 65536, 2, 2, 0, FALSE));
}

/* ---- average pooling ----------------------------------------------- */

/* x = 0..15 as one 4x4 plane, k 3, stride 1, pad 1 (the NAS-Bench-201
 * avg-pool).  Corner windows hold 4 real cells, edges 6, inner 9. */
static void
test_avgpool_values_pad (void)
{
  float x[16], y[16];
  for (int i = 0; i < 16; i++)
    x[i] = (float) i;

  GnPoolGeom g = pool_geom (1, 1, 4, 4, 3, 1, 1, TRUE);
  g_assert_true (gn_pool_geom_init (&g, NULL));

  /* count_include_pad: the divisor is always 9 */
  gn_avgpool_forward (&g, x, y);
  g_assert_cmpfloat_with_epsilon (y[0], (0 + 1 + 4 + 5) / 9.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[1], (0 + 1 + 2 + 4 + 5 + 6) / 9.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[5], 45 / 9.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[15], (10 + 11 + 14 + 15) / 9.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[12], (8 + 9 + 12 + 13) / 9.0, 1e-6);

  /* count_include_pad = FALSE: only real cells count */
  g.count_include_pad = FALSE;
  gn_avgpool_forward (&g, x, y);
  g_assert_cmpfloat_with_epsilon (y[0], 10 / 4.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[1], 18 / 6.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[4], (0 + 1 + 4 + 5 + 8 + 9) / 6.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[5], 45 / 9.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[15], 50 / 4.0, 1e-6);
}

/* 3x3 plane 1..9, k 2, stride 2, pad 1: output 2x2, every window
 * partly in the padding. */
static void
test_avgpool_values_stride (void)
{
  float x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  float y[4];

  GnPoolGeom g = pool_geom (1, 1, 3, 3, 2, 2, 1, TRUE);
  g_assert_true (gn_pool_geom_init (&g, NULL));
  g_assert_cmpint (g.out_h, ==, 2);

  gn_avgpool_forward (&g, x, y);
  float want_incl[4] = { 1 / 4.0f, 5 / 4.0f, 11 / 4.0f, 28 / 4.0f };
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (y[i], want_incl[i], 1e-6);

  g.count_include_pad = FALSE;
  gn_avgpool_forward (&g, x, y);
  float want_excl[4] = { 1.0f, 5 / 2.0f, 11 / 2.0f, 28 / 4.0f };
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (y[i], want_excl[i], 1e-6);

  /* the backward spreads dy / divisor over each window's real cells */
  float dy[4] = { 4, 8, 12, 16 };
  float dx[9] = { 0 };
  gn_avgpool_backward (&g, dy, dx);
  float want_dx[9] = { 4, 4, 4, 6, 4, 4, 6, 4, 4 };
  for (int i = 0; i < 9; i++)
    g_assert_cmpfloat_with_epsilon (dx[i], want_dx[i], 1e-6);
}

typedef struct {
  GnPoolGeom g;
  float *x, *y, *r;
  gint32 *argmax;
} Pool;

static size_t
pool_in (const GnPoolGeom *g)
{
  return (size_t) g->n * g->c * g->in_h * g->in_w;
}

static size_t
pool_out (const GnPoolGeom *g)
{
  return (size_t) g->n * g->c * g->out_h * g->out_w;
}

static double
avgpool_loss (gpointer user)
{
  Pool *p = user;
  gn_avgpool_forward (&p->g, p->x, p->y);
  return gc_dot (p->y, p->r, pool_out (&p->g));
}

static void
check_avgpool_grad (int k, int stride, int pad, gboolean include_pad)
{
  Pool p;
  p.g = pool_geom (2, 3, 7, 6, k, stride, pad, include_pad);
  g_assert_true (gn_pool_geom_init (&p.g, NULL));
  size_t ni = pool_in (&p.g), no = pool_out (&p.g);
  p.x = g_new (float, ni);
  p.y = g_new (float, no);
  p.r = g_new (float, no);
  float *dx = g_new0 (float, ni);

  gc_fill (p.x, ni, 61, -1.0f, 1.0f);
  gc_fill (p.r, no, 62, -1.0f, 1.0f);
  gn_avgpool_backward (&p.g, p.r, dx);
  g_assert_true (gc_check ("avgpool dx", p.x, dx, ni, avgpool_loss, &p, 0,
                           GC_EPS, GC_ATOL, GC_RTOL));
  g_free (p.x);
  g_free (p.y);
  g_free (p.r);
  g_free (dx);
}

static void
test_avgpool_grad (void)
{
  check_avgpool_grad (3, 1, 1, TRUE);
  check_avgpool_grad (3, 1, 1, FALSE);
  check_avgpool_grad (3, 2, 1, FALSE);   /* overlapping, strided */
  check_avgpool_grad (2, 2, 0, TRUE);
  check_avgpool_grad (2, 2, 1, FALSE);
}

/* The pooling geometries with paths of their own, 3x3 stride 1 pad 1
 * (the cells' avg_pool_3x3) and 2x2 stride 2 (NB201's residual
 * shortcuts), on planes down to one row or column and of odd sides,
 * against the windows summed one by one in double: the forward, and the
 * backward as its transpose (dx = what it held plus, over the windows
 * holding a cell, dy / divisor). */
static void
check_avgpool_planes (int k, int stride, int pad)
{
  const int sides[] = { 1, 2, 3, 5, 8 };
  for (int inc = 0; inc < 2; inc++)
    for (size_t a = 0; a < G_N_ELEMENTS (sides); a++)
      for (size_t b = 0; b < G_N_ELEMENTS (sides); b++)
        {
          const int h = sides[a], w = sides[b], n = 2, c = 3;
          GnPoolGeom g = pool_geom (n, c, h, w, k, stride, pad, inc);
          if (!gn_pool_geom_init (&g, NULL))
            continue;   /* a window larger than the plane */
          const int oh = g.out_h, ow = g.out_w;
          size_t in_len = (size_t) n * c * h * w;
          size_t out_len = (size_t) n * c * oh * ow;
          float *x = g_new (float, in_len), *y = g_new (float, out_len);
          float *dy = g_new (float, out_len), *dx = g_new (float, in_len);
          double *want_dx = g_new0 (double, in_len);
          gc_fill (x, in_len, 71, -1.0f, 1.0f);
          gc_fill (dy, out_len, 72, -1.0f, 1.0f);
          gc_fill (dx, in_len, 73, -1.0f, 1.0f);
          for (size_t i = 0; i < in_len; i++)
            want_dx[i] = dx[i];

          gn_avgpool_forward (&g, x, y);
          gn_avgpool_backward (&g, dy, dx);
          for (int p = 0; p < n * c; p++)
            for (int o = 0; o < oh; o++)
              for (int q = 0; q < ow; q++)
                {
                  int i0 = o * stride - pad, j0 = q * stride - pad;
                  int i1 = MIN (i0 + k, h + pad), j1 = MIN (j0 + k, w + pad);
                  double sum = 0;
                  int cells = 0;
                  for (int i = MAX (0, i0); i < MIN (h, i1); i++)
                    for (int j = MAX (0, j0); j < MIN (w, j1); j++)
                      {
                        sum += x[(size_t) p * h * w + (size_t) i * w + j];
                        cells++;
                      }
                  double div = inc ? (double) (i1 - i0) * (j1 - j0) : cells;
                  size_t at = (size_t) p * oh * ow + (size_t) o * ow + q;
                  g_assert_cmpfloat_with_epsilon (y[at], sum / div, 1e-6);
                  for (int i = MAX (0, i0); i < MIN (h, i1); i++)
                    for (int j = MAX (0, j0); j < MIN (w, j1); j++)
                      want_dx[(size_t) p * h * w + (size_t) i * w + j]
                        += dy[at] / div;
                }
          for (size_t i = 0; i < in_len; i++)
            g_assert_cmpfloat_with_epsilon (dx[i], want_dx[i], 1e-5);
          g_free (x);
          g_free (y);
          g_free (dy);
          g_free (dx);
          g_free (want_dx);
        }
}

static void
test_avgpool_planes (void)
{
  check_avgpool_planes (3, 1, 1);
  check_avgpool_planes (2, 2, 0);
  check_avgpool_planes (3, 2, 1);   /* the general path, for comparison */
}

/* ---- max pooling --------------------------------------------------- */

static void
test_maxpool_values (void)
{
  /* k 2, stride 2: window maxima, with ties resolved to the FIRST cell in
   * scan order (PyTorch) */
  float x[16] = { 1, 3, 2, 0,
                  4, 2, 5, 5,
                  0, 0, 1, 1,
                  1, 1, 1, 1 };
  float y[4];
  gint32 am[4];
  GnPoolGeom g = pool_geom (1, 1, 4, 4, 2, 2, 0, FALSE);
  g_assert_true (gn_pool_geom_init (&g, NULL));
  gn_maxpool_forward (&g, x, y, am);
  float want_y[4] = { 4, 5, 1, 1 };
  gint32 want_am[4] = { 4, 6, 12, 10 };
  g_assert_cmpmem (y, sizeof y, want_y, sizeof want_y);
  g_assert_cmpmem (am, sizeof am, want_am, sizeof want_am);

  /* all-negative input with padding: padding is -inf, never 0 */
  float xn[9] = { -1, -2, -3, -4, -5, -6, -7, -8, -9 };
  g = pool_geom (1, 1, 3, 3, 3, 2, 1, FALSE);
  g_assert_true (gn_pool_geom_init (&g, NULL));
  g_assert_cmpint (g.out_h, ==, 2);
  gn_maxpool_forward (&g, xn, y, am);
  float want_yn[4] = { -1, -2, -4, -5 };
  gint32 want_amn[4] = { 0, 1, 3, 4 };
  g_assert_cmpmem (y, sizeof y, want_yn, sizeof want_yn);
  g_assert_cmpmem (am, sizeof am, want_amn, sizeof want_amn);

  /* an all-equal plane: every window picks its first real cell */
  float xc[9] = { 7, 7, 7, 7, 7, 7, 7, 7, 7 };
  gn_maxpool_forward (&g, xc, y, am);
  gint32 want_amc[4] = { 0, 1, 3, 4 };
  g_assert_cmpmem (am, sizeof am, want_amc, sizeof want_amc);

  /* NaN propagates: the window's value is NaN */
  float xnan[16];
  memcpy (xnan, x, sizeof x);
  xnan[1] = NAN;
  g = pool_geom (1, 1, 4, 4, 2, 2, 0, FALSE);
  g_assert_true (gn_pool_geom_init (&g, NULL));
  gn_maxpool_forward (&g, xnan, y, am);
  g_assert_true (isnan (y[0]));
  g_assert_cmpint (am[0], ==, 1);
  g_assert_cmpfloat (y[1], ==, 5);

  /* two planes: argmax is the IN-PLANE index */
  float x2[8] = { 0, 1, 2, 3,   9, 8, 7, 6 };
  g = pool_geom (1, 2, 2, 2, 2, 1, 0, FALSE);
  g_assert_true (gn_pool_geom_init (&g, NULL));
  float y2[2];
  gint32 am2[2];
  gn_maxpool_forward (&g, x2, y2, am2);
  g_assert_cmpfloat (y2[0], ==, 3);
  g_assert_cmpfloat (y2[1], ==, 9);
  g_assert_cmpint (am2[0], ==, 3);
  g_assert_cmpint (am2[1], ==, 0);
}

/* The naive scan of one window: what every output must equal. */
static void
maxpool_naive (const GnPoolGeom *g, const float *xp, int oh, int ow,
               float *y, gint32 *a)
{
  int h0 = oh * g->stride - g->pad, w0 = ow * g->stride - g->pad;
  gint32 best = -1;
  float m = -INFINITY;
  for (int ih = h0; ih < h0 + g->k; ih++)
    for (int iw = w0; iw < w0 + g->k; iw++)
      {
        if (ih < 0 || iw < 0 || ih >= g->in_h || iw >= g->in_w)
          continue;
        float v = xp[ih * g->in_w + iw];
        if (best < 0 || v > m || isnan (v))
          {
            m = v;
            best = ih * g->in_w + iw;
          }
      }
  *y = m;
  *a = best;
}

/* Every kernel, stride, padding and odd size against the naive scan, on
 * inputs full of ties and some NaNs: values, bit for bit, and argmax. */
static void
test_maxpool_random (void)
{
  GnRng rng;
  gn_rng_seed (&rng, 11);
  int cases = 0;
  for (int k = 1; k <= 7; k++)
    for (int stride = 1; stride <= 3; stride++)
      for (int pad = 0; pad <= k / 2; pad++)
        for (int size = k; size <= 13; size += 3)
          {
            GnPoolGeom g = pool_geom (2, 3, size, size + 1, k, stride, pad,
                                      FALSE);
            if (!gn_pool_geom_init (&g, NULL))
              continue;
            int ni = 6 * size * (size + 1), no = 6 * g.out_h * g.out_w;
            float *x = g_new (float, ni), *y = g_new (float, no);
            gint32 *am = g_new (gint32, no);
            for (int i = 0; i < ni; i++)
              {
                double u = gn_rng_uniform (&rng);
                x[i] = u < 0.02 ? NAN : (float) (int) (u * 4) - 2.f;
              }
            gn_maxpool_forward (&g, x, y, am);
            for (int p = 0; p < 6; p++)
              for (int oh = 0; oh < g.out_h; oh++)
                for (int ow = 0; ow < g.out_w; ow++)
                  {
                    int o = (p * g.out_h + oh) * g.out_w + ow;
                    float want;
                    gint32 want_a;
                    maxpool_naive (&g, x + p * size * (size + 1), oh, ow,
                                   &want, &want_a);
                    g_assert_cmpint (am[o], ==, want_a);
                    if (isnan (want))
                      g_assert_true (isnan (y[o]));
                    else
                      g_assert_cmpfloat (y[o], ==, want);
                  }
            g_free (x);
            g_free (y);
            g_free (am);
            cases++;
          }
  g_assert_cmpint (cases, >, 100);
}

static double
maxpool_loss (gpointer user)
{
  Pool *p = user;
  gn_maxpool_forward (&p->g, p->x, p->y, p->argmax);
  return gc_dot (p->y, p->r, pool_out (&p->g));
}

static void
test_maxpool_grad (void)
{
  Pool p;
  /* k 3 stride 2 pad 1 (ResNet stem): windows overlap, so a cell can be
   * the maximum of several and must collect all their gradients */
  p.g = pool_geom (2, 2, 7, 8, 3, 2, 1, FALSE);
  g_assert_true (gn_pool_geom_init (&p.g, NULL));
  size_t ni = pool_in (&p.g), no = pool_out (&p.g);
  p.x = g_new (float, ni);
  p.y = g_new (float, no);
  p.r = g_new (float, no);
  p.argmax = g_new (gint32, no);
  float *dx = g_new0 (float, ni);

  /* distinct inputs at least 0.01 apart (a scrambled ramp), so a step of
   * 1e-3 never changes which cell wins */
  for (size_t i = 0; i < ni; i++)
    p.x[i] = 0.01f * (float) ((i * 37) % ni) - 1.0f;
  gc_fill (p.r, no, 72, -1.0f, 1.0f);

  maxpool_loss (&p);
  gn_maxpool_backward (&p.g, p.argmax, p.r, dx);
  g_assert_true (gc_check ("maxpool dx", p.x, dx, ni, maxpool_loss, &p, 0,
                           GC_EPS, GC_ATOL, GC_RTOL));

  /* accumulation: a second backward doubles the gradient */
  float *dx2 = g_memdup2 (dx, ni * sizeof *dx);
  gn_maxpool_backward (&p.g, p.argmax, p.r, dx2);
  for (size_t i = 0; i < ni; i++)
    g_assert_cmpfloat_with_epsilon (dx2[i], 2 * dx[i], 1e-6);

  g_free (p.x);
  g_free (p.y);
  g_free (p.r);
  g_free (p.argmax);
  g_free (dx);
  g_free (dx2);
}

/* ---- global average pooling ---------------------------------------- */

typedef struct {
  float x[2 * 3 * 10], y[6], r[6];
} Gap;

static double
gap_loss (gpointer user)
{
  Gap *s = user;
  gn_global_avgpool_forward (2, 3, 10, s->x, s->y);
  return gc_dot (s->y, s->r, 6);
}

static void
test_global_avgpool (void)
{
  Gap s;
  float dx[60];

  for (int i = 0; i < 60; i++)
    s.x[i] = (float) i;
  gn_global_avgpool_forward (2, 3, 10, s.x, s.y);
  /* plane p holds 10p .. 10p + 9: mean 10p + 4.5 */
  for (int p = 0; p < 6; p++)
    g_assert_cmpfloat_with_epsilon (s.y[p], 10 * p + 4.5, 1e-6);

  gc_fill (s.x, 60, 81, -1.0f, 1.0f);
  gc_fill (s.r, 6, 82, -1.0f, 1.0f);
  for (int i = 0; i < 60; i++)
    dx[i] = 1.0f;                       /* accumulates onto 1 */
  gn_global_avgpool_backward (2, 3, 10, s.r, dx);
  for (int i = 0; i < 60; i++)
    g_assert_cmpfloat_with_epsilon (dx[i], 1.0 + s.r[i / 10] / 10.0, 1e-6);
  for (int i = 0; i < 60; i++)
    dx[i] -= 1.0f;
  g_assert_true (gc_check ("gap dx", s.x, dx, 60, gap_loss, &s, 0, GC_EPS,
                           GC_ATOL, GC_RTOL));
}

/* ---- add, accumulate, concat --------------------------------------- */

static void
test_add (void)
{
  enum { CNT = 37 };
  float a[CNT], b[CNT], c[CNT], y[CNT];
  const float *xs[3] = { a, b, c };

  gc_fill (a, CNT, 91, -1.0f, 1.0f);
  gc_fill (b, CNT, 92, -1.0f, 1.0f);
  gc_fill (c, CNT, 93, -1.0f, 1.0f);

  gn_add_forward (CNT, 3, xs, y);
  for (int i = 0; i < CNT; i++)
    g_assert_cmpfloat (y[i], ==, (a[i] + b[i]) + c[i]);

  gn_add_forward (CNT, 1, xs, y);
  g_assert_cmpmem (y, sizeof y, a, sizeof a);

  /* the output may be one of the operands, even the last */
  float want[CNT], cc[CNT];
  for (int i = 0; i < CNT; i++)
    want[i] = a[i] + b[i] + c[i];
  memcpy (cc, c, sizeof c);
  const float *xs2[3] = { a, b, cc };
  gn_add_forward (CNT, 3, xs2, cc);
  for (int i = 0; i < CNT; i++)
    g_assert_cmpfloat_with_epsilon (cc[i], want[i], 1e-6);

  /* backward of add is gn_accumulate into each input gradient */
  float d[CNT];
  for (int i = 0; i < CNT; i++)
    d[i] = 0.5f;
  gn_accumulate (CNT, a, d);
  for (int i = 0; i < CNT; i++)
    g_assert_cmpfloat (d[i], ==, 0.5f + a[i]);
}

static void
test_concat (void)
{
  /* n 2, hw 3, inputs with 1, 2 and 1 channels */
  enum { HW = 3 };
  int cs[3] = { 1, 2, 1 };
  float a[2 * 1 * HW], b[2 * 2 * HW], c[2 * 1 * HW];
  for (int i = 0; i < 6; i++)
    a[i] = 100 + i;
  for (int i = 0; i < 12; i++)
    b[i] = 200 + i;
  for (int i = 0; i < 6; i++)
    c[i] = 300 + i;
  const float *xs[3] = { a, b, c };
  float y[2 * 4 * HW];

  gn_concat_forward (2, HW, 3, cs, xs, y);
  float want[24] = {
    100, 101, 102,   200, 201, 202,   203, 204, 205,   300, 301, 302,
    103, 104, 105,   206, 207, 208,   209, 210, 211,   303, 304, 305,
  };
  g_assert_cmpmem (y, sizeof y, want, sizeof want);

  /* backward: each input gets its slice, accumulated; NULL is skipped */
  float dy[24];
  for (int i = 0; i < 24; i++)
    dy[i] = (float) i;
  float da[6], dc[6];
  for (int i = 0; i < 6; i++)
    da[i] = dc[i] = 1.0f;
  float *dxs[3] = { da, NULL, dc };
  gn_concat_backward (2, HW, 3, cs, dy, dxs);
  float want_da[6] = { 1, 2, 3, 13, 14, 15 };
  float want_dc[6] = { 10, 11, 12, 22, 23, 24 };
  g_assert_cmpmem (da, sizeof da, want_da, sizeof want_da);
  g_assert_cmpmem (dc, sizeof dc, want_dc, sizeof want_dc);
}

typedef struct {
  float a[2 * 2 * 5], b[2 * 3 * 5], y[2 * 5 * 5], r[2 * 5 * 5];
} Cat;

static double
cat_loss (gpointer user)
{
  Cat *s = user;
  int cs[2] = { 2, 3 };
  const float *xs[2] = { s->a, s->b };
  gn_concat_forward (2, 5, 2, cs, xs, s->y);
  return gc_dot (s->y, s->r, 50);
}

static void
test_concat_grad (void)
{
  Cat s;
  float da[20] = { 0 }, db[30] = { 0 };
  int cs[2] = { 2, 3 };
  float *dxs[2] = { da, db };

  gc_fill (s.a, 20, 101, -1.0f, 1.0f);
  gc_fill (s.b, 30, 102, -1.0f, 1.0f);
  gc_fill (s.r, 50, 103, -1.0f, 1.0f);
  gn_concat_backward (2, 5, 2, cs, s.r, dxs);
  g_assert_true (gc_check ("concat da", s.a, da, 20, cat_loss, &s, 0, GC_EPS,
                           GC_ATOL, GC_RTOL));
  g_assert_true (gc_check ("concat db", s.b, db, 30, cat_loss, &s, 0, GC_EPS,
                           GC_ATOL, GC_RTOL));
}

/* ---- nearest resize ------------------------------------------------ */

/* Resizes a plane whose value is its flat index, so y says which pixel
 * was picked. */
static float *
resize_index_plane (int in_h, int in_w, int out_h, int out_w)
{
  float *x = g_new (float, (size_t) in_h * in_w);
  float *y = g_new (float, (size_t) out_h * out_w);
  for (int i = 0; i < in_h * in_w; i++)
    x[i] = (float) i;
  gn_resize_nearest_forward (1, 1, in_h, in_w, out_h, out_w, x, y);
  g_free (x);
  return y;
}

static void
test_resize_integer (void)
{
  /* 32 -> 8 picks (4i, 4j) */
  float *y = resize_index_plane (32, 32, 8, 8);
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++)
      g_assert_cmpfloat (y[i * 8 + j], ==, (float) (4 * i * 32 + 4 * j));
  g_free (y);

  /* 16 -> 8 picks (2i, 2j) */
  y = resize_index_plane (16, 16, 8, 8);
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++)
      g_assert_cmpfloat (y[i * 8 + j], ==, (float) (2 * i * 16 + 2 * j));
  g_free (y);

  /* same size is the identity; several planes resize independently */
  float x[2 * 3 * 4], yy[2 * 3 * 4];
  gc_fill (x, 24, 111, -1.0f, 1.0f);
  gn_resize_nearest_forward (2, 1, 3, 4, 3, 4, x, yy);
  g_assert_cmpmem (yy, sizeof yy, x, sizeof x);
  float y2[2 * 2];
  gn_resize_nearest_forward (2, 1, 3, 4, 1, 2, x, y2);
  g_assert_cmpfloat (y2[0], ==, x[0]);
  g_assert_cmpfloat (y2[1], ==, x[2]);
  g_assert_cmpfloat (y2[2], ==, x[12]);
  g_assert_cmpfloat (y2[3], ==, x[14]);
}

static void
test_resize_fractional (void)
{
  /* 5 -> 3: scale 5/3 = 1.6666666f; rows floor(0), floor(1.67),
   * floor(3.33) = 0, 1, 3 (NOT the "centre" pixels 0, 2, 4) */
  float *y = resize_index_plane (5, 5, 3, 3);
  int pick[3] = { 0, 1, 3 };
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      g_assert_cmpfloat (y[i * 3 + j], ==, (float) (pick[i] * 5 + pick[j]));
  g_free (y);

  /* non-square: 7 x 10 -> 3 x 4; rows 0, 2, 4 (scale 7/3); columns
   * 0, 2, 5, 7 (scale 2.5) */
  y = resize_index_plane (7, 10, 3, 4);
  int rows[3] = { 0, 2, 4 }, cols[4] = { 0, 2, 5, 7 };
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++)
      g_assert_cmpfloat (y[i * 4 + j], ==, (float) (rows[i] * 10 + cols[j]));
  g_free (y);

  /* where the float scale matters: 26/22 rounds down in float, so
   * 11 * scale = 12.99999 picks 12 although 11 * 26 / 22 is exactly 13;
   * likewise 2 -> 82 at 41 picks 0, not 1 */
  y = resize_index_plane (1, 26, 1, 22);
  g_assert_cmpfloat (y[11], ==, 12.0f);
  g_assert_cmpfloat (y[12], ==, 14.0f);
  g_free (y);
  y = resize_index_plane (1, 2, 1, 82);
  g_assert_cmpfloat (y[41], ==, 0.0f);
  g_assert_cmpfloat (y[42], ==, 1.0f);
  g_free (y);

  /* a sweep of ratios against the legacy rule, written out here */
  for (int in = 1; in <= 40; in += 3)
    for (int out = 1; out <= 40; out += 7)
      {
        y = resize_index_plane (1, in, 1, out);
        float scale = (float) in / (float) out;
        for (int d = 0; d < out; d++)
          {
            int s = (int) floorf ((float) d * scale);
            if (s > in - 1)
              s = in - 1;
            g_assert_cmpfloat (y[d], ==, (float) s);
          }
        g_free (y);
      }

  /* wider than the kernel's column chunk */
  y = resize_index_plane (1, 900, 1, 600);
  for (int d = 0; d < 600; d++)
    g_assert_cmpfloat (y[d], ==, floorf ((float) d * (900.0f / 600.0f)));
  g_free (y);
}

static void
test_resize_upsample (void)
{
  /* 2 -> 4 repeats each pixel twice along each axis */
  float x[4] = { 1, 2, 3, 4 };
  float y[16];
  gn_resize_nearest_forward (1, 1, 2, 2, 4, 4, x, y);
  float want[16] = { 1, 1, 2, 2,
                     1, 1, 2, 2,
                     3, 3, 4, 4,
                     3, 3, 4, 4 };
  g_assert_cmpmem (y, sizeof y, want, sizeof want);

  /* backward sums the four copies, accumulated onto dx */
  float dy[16];
  for (int i = 0; i < 16; i++)
    dy[i] = (float) i;
  float dx[4] = { 1, 1, 1, 1 };
  gn_resize_nearest_backward (1, 1, 2, 2, 4, 4, dy, dx);
  float want_dx[4] = { 1 + 0 + 1 + 4 + 5, 1 + 2 + 3 + 6 + 7,
                       1 + 8 + 9 + 12 + 13, 1 + 10 + 11 + 14 + 15 };
  g_assert_cmpmem (dx, sizeof dx, want_dx, sizeof want_dx);

  /* 3 -> 7: rows 0,0,0,1,1,2,2 (scale 3/7) */
  float *y7 = resize_index_plane (1, 3, 1, 7);
  float want7[7] = { 0, 0, 0, 1, 1, 2, 2 };
  g_assert_cmpmem (y7, 7 * sizeof *y7, want7, sizeof want7);
  g_free (y7);
}

typedef struct {
  int n, c, ih, iw, oh, ow;
  float *x, *y, *r;
} Rs;

static double
resize_loss (gpointer user)
{
  Rs *s = user;
  gn_resize_nearest_forward (s->n, s->c, s->ih, s->iw, s->oh, s->ow, s->x,
                             s->y);
  return gc_dot (s->y, s->r, (size_t) s->n * s->c * s->oh * s->ow);
}

static void
check_resize_grad (int ih, int iw, int oh, int ow)
{
  Rs s = { 2, 3, ih, iw, oh, ow, NULL, NULL, NULL };
  size_t ni = (size_t) 6 * ih * iw, no = (size_t) 6 * oh * ow;
  s.x = g_new (float, ni);
  s.y = g_new (float, no);
  s.r = g_new (float, no);
  float *dx = g_new0 (float, ni);
  gc_fill (s.x, ni, 121, -1.0f, 1.0f);
  gc_fill (s.r, no, 122, -1.0f, 1.0f);
  gn_resize_nearest_backward (2, 3, ih, iw, oh, ow, s.r, dx);
  g_assert_true (gc_check ("resize dx", s.x, dx, ni, resize_loss, &s, 0,
                           GC_EPS, GC_ATOL, GC_RTOL));
  g_free (s.x);
  g_free (s.y);
  g_free (s.r);
  g_free (dx);
}

static void
test_resize_grad (void)
{
  check_resize_grad (8, 8, 4, 4);
  check_resize_grad (5, 7, 3, 4);
  check_resize_grad (2, 3, 5, 7);
}

/* ---- crop ---------------------------------------------------------- */

/* Each window against the definition y[r][c] = x[r + top][c + left] or 0,
 * with a forward that must overwrite a NaN-filled output; then the
 * backward accumulates exactly the adjoint: <crop(x), r> = <x, crop*(r)>. */
static void
test_crop (void)
{
  static const struct { int ih, iw, top, left, oh, ow; } t[] = {
    { 7, 7, 1, 1, 6, 6 },       /* x[:, :, 1:, 1:] (DARTS) */
    { 7, 7, 1, 1, 7, 7 },       /* pad (0,1,0,1) then [1:, 1:] (pycls) */
    { 8, 8, 1, 1, 8, 8 },
    { 5, 6, -2, -1, 9, 9 },     /* ConstantPad2d((1, 2, 2, 2)) */
    { 5, 6, 3, 4, 1, 1 },       /* one pixel */
    { 4, 5, -3, 2, 6, 10 },     /* padding and slicing at once */
    { 3, 300, 0, -7, 3, 320 },  /* long rows */
  };
  for (size_t k = 0; k < G_N_ELEMENTS (t); k++)
    {
      const int n = 2, c = 3, ih = t[k].ih, iw = t[k].iw, oh = t[k].oh,
                ow = t[k].ow, top = t[k].top, left = t[k].left;
      size_t ni = (size_t) n * c * ih * iw, no = (size_t) n * c * oh * ow;
      float *x = g_new (float, ni), *y = g_new (float, no);
      float *r = g_new (float, no), *dx = g_new (float, ni);
      gc_fill (x, ni, 131 + k, -1.0f, 1.0f);
      gc_fill (r, no, 141 + k, -1.0f, 1.0f);
      gc_fill (dx, ni, 151 + k, -1.0f, 1.0f);
      float *dx0 = g_memdup2 (dx, ni * sizeof *dx);
      for (size_t i = 0; i < no; i++)
        y[i] = NAN;

      gn_crop_forward (n, c, ih, iw, top, left, oh, ow, x, y);
      for (int p = 0; p < n * c; p++)
        for (int i = 0; i < oh; i++)
          for (int j = 0; j < ow; j++)
            {
              int si = i + top, sj = j + left;
              float want = si >= 0 && si < ih && sj >= 0 && sj < iw
                           ? x[((size_t) p * ih + si) * iw + sj] : 0.0f;
              g_assert_cmpfloat (y[((size_t) p * oh + i) * ow + j], ==,
                                 want);
            }

      gn_crop_backward (n, c, ih, iw, top, left, oh, ow, r, dx);
      double lhs = gc_dot (y, r, no), rhs = 0.0;
      for (size_t i = 0; i < ni; i++)
        rhs += (double) x[i] * ((double) dx[i] - dx0[i]);
      g_assert_cmpfloat (fabs (lhs - rhs), <, 1e-4 * (1.0 + fabs (lhs)));
      /* pixels outside the window keep their gradient */
      for (int p = 0; p < n * c; p++)
        for (int i = 0; i < ih; i++)
          for (int j = 0; j < iw; j++)
            if (i < top || i >= top + oh || j < left || j >= left + ow)
              {
                size_t at = ((size_t) p * ih + i) * iw + j;
                g_assert_cmpfloat (dx[at], ==, dx0[at]);
              }
      g_free (x);
      g_free (y);
      g_free (r);
      g_free (dx);
      g_free (dx0);
    }
}

/* ---- linear -------------------------------------------------------- */

enum { LN = 5, LIN = 7, LOUT = 4 };

typedef struct {
  float x[LN * LIN], w[LOUT * LIN], b[LOUT], y[LN * LOUT], r[LN * LOUT];
} Lin;

static double
linear_loss (gpointer user)
{
  Lin *s = user;
  gn_linear_forward (LN, LIN, LOUT, s->x, s->w, s->b, s->y);
  return gc_dot (s->y, s->r, LN * LOUT);
}

static void
test_linear_values (void)
{
  Lin s;
  gc_fill (s.x, LN * LIN, 131, -1.0f, 1.0f);
  gc_fill (s.w, LOUT * LIN, 132, -1.0f, 1.0f);
  gc_fill (s.b, LOUT, 133, -1.0f, 1.0f);

  /* y is overwritten whatever it held, with and without bias */
  for (int pass = 0; pass < 2; pass++)
    {
      const float *b = pass == 0 ? s.b : NULL;
      for (int i = 0; i < LN * LOUT; i++)
        s.y[i] = NAN;
      gn_linear_forward (LN, LIN, LOUT, s.x, s.w, b, s.y);
      for (int i = 0; i < LN; i++)
        for (int o = 0; o < LOUT; o++)
          {
            double acc = b ? b[o] : 0.0;
            for (int k = 0; k < LIN; k++)
              acc += (double) s.x[i * LIN + k] * s.w[o * LIN + k];
            g_assert_cmpfloat_with_epsilon (s.y[i * LOUT + o], acc, 1e-5);
          }
    }
}

static void
test_linear_grad (void)
{
  Lin s;
  float dx[LN * LIN], dw[LOUT * LIN], db[LOUT];
  gc_fill (s.x, LN * LIN, 141, -1.0f, 1.0f);
  gc_fill (s.w, LOUT * LIN, 142, -1.0f, 1.0f);
  gc_fill (s.b, LOUT, 143, -1.0f, 1.0f);
  gc_fill (s.r, LN * LOUT, 144, -1.0f, 1.0f);

  /* start from non-zero gradients: backward must accumulate */
  for (int i = 0; i < LN * LIN; i++)
    dx[i] = 1.0f;
  for (int i = 0; i < LOUT * LIN; i++)
    dw[i] = 1.0f;
  for (int i = 0; i < LOUT; i++)
    db[i] = 1.0f;
  gn_linear_backward (LN, LIN, LOUT, s.x, s.w, s.r, dx, dw, db);
  for (int i = 0; i < LN * LIN; i++)
    dx[i] -= 1.0f;
  for (int i = 0; i < LOUT * LIN; i++)
    dw[i] -= 1.0f;
  for (int i = 0; i < LOUT; i++)
    db[i] -= 1.0f;

  g_assert_true (gc_check ("linear dx", s.x, dx, LN * LIN, linear_loss, &s,
                           0, GC_EPS, GC_ATOL, GC_RTOL));
  g_assert_true (gc_check ("linear dw", s.w, dw, LOUT * LIN, linear_loss, &s,
                           0, GC_EPS, GC_ATOL, GC_RTOL));
  g_assert_true (gc_check ("linear db", s.b, db, LOUT, linear_loss, &s, 0,
                           GC_EPS, GC_ATOL, GC_RTOL));

  /* NULL gradients are skipped */
  float dw2[LOUT * LIN] = { 0 };
  gn_linear_backward (LN, LIN, LOUT, s.x, s.w, s.r, NULL, dw2, NULL);
  g_assert_cmpfloat (gc_max_abs_diff (dw2, dw, LOUT * LIN), <, 1e-5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ops/relu/values", test_relu_values);
  g_test_add_func ("/ops/relu/grad", test_relu_grad);
  g_test_add_func ("/ops/pool/geometry", test_pool_geometry);
  g_test_add_func ("/ops/avgpool/values-pad", test_avgpool_values_pad);
  g_test_add_func ("/ops/avgpool/values-stride", test_avgpool_values_stride);
  g_test_add_func ("/ops/avgpool/grad", test_avgpool_grad);
  g_test_add_func ("/ops/avgpool/planes", test_avgpool_planes);
  g_test_add_func ("/ops/maxpool/values", test_maxpool_values);
  g_test_add_func ("/ops/maxpool/random", test_maxpool_random);
  g_test_add_func ("/ops/maxpool/grad", test_maxpool_grad);
  g_test_add_func ("/ops/global-avgpool", test_global_avgpool);
  g_test_add_func ("/ops/add", test_add);
  g_test_add_func ("/ops/concat/values", test_concat);
  g_test_add_func ("/ops/concat/grad", test_concat_grad);
  g_test_add_func ("/ops/resize/integer", test_resize_integer);
  g_test_add_func ("/ops/resize/fractional", test_resize_fractional);
  g_test_add_func ("/ops/resize/upsample", test_resize_upsample);
  g_test_add_func ("/ops/resize/grad", test_resize_grad);
  g_test_add_func ("/ops/crop", test_crop);
  g_test_add_func ("/ops/linear/values", test_linear_values);
  g_test_add_func ("/ops/linear/grad", test_linear_grad);

  return g_test_run ();
}
