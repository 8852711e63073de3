/* test-conv.c - gn_conv2d_* against a direct convolution and finite
 * differences
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "gn-conv-direct.h"
#include "gradcheck.h"

#include <math.h>
#include <string.h>

/* One geometry under test.  Together they take every code path of the
 * kernel (see gn-conv.c): POINTWISE (1x1, stride 1, no padding), SHIFT
 * (stride 1: line-shifted sgemms, dX as the transposed convolution, whose
 * padding is negative when the forward padding exceeds the kernel),
 * GENERAL (strided: full im2row, dX by row2im) and DIRECT (depthwise and
 * narrow groups, gn-conv-direct.c: flat planes, strides as phases).  The
 * "chunked" shapes are big enough, for the kernel's 64 Ki-float chunks,
 * to split an image into several chunks (SHIFT) or to make chunks
 * straddle images (GENERAL); the "chunks" ones make DIRECT stack several
 * images per run and end on a short chunk. */
typedef struct {
  const char *name;
  int n, in_c, in_h, in_w, out_c, kh, kw, sh, sw, ph, pw, dh, dw, groups;
  gboolean bias;
} Case;

static const Case cases[] = {
  /* name                n  ic  ih  iw  oc kh kw sh sw ph pw dh dw  g bias */
  { "3x3-pad1",          3,  3,  7,  5,  4, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
  { "1x1",               2,  5,  6,  5,  3, 1, 1, 1, 1, 0, 0, 1, 1, 1, TRUE },
  { "1x1-groups2",       2,  4,  5,  3,  6, 1, 1, 1, 1, 0, 0, 1, 1, 2, FALSE },
  { "5x5-pad2",          1,  2,  9,  8,  3, 5, 5, 1, 1, 2, 2, 1, 1, 1, TRUE },
  { "3x3-dil2",          1,  3,  9,  9,  4, 3, 3, 1, 1, 2, 2, 2, 2, 1, TRUE },
  { "3x3-pad3",          1,  2,  5,  4,  3, 3, 3, 1, 1, 3, 3, 1, 1, 1, TRUE },
  { "groups2",           2,  4,  6,  6,  6, 3, 3, 1, 1, 1, 1, 1, 1, 2, TRUE },
  { "no-bias-valid",     5,  3, 11, 13,  2, 3, 3, 1, 1, 0, 0, 1, 1, 1, FALSE },
  { "chunked-stride1",   1, 16, 48, 64, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
  { "3x3-stride2",       2,  3,  9,  7,  4, 3, 3, 2, 2, 1, 1, 1, 1, 1, TRUE },
  { "2x5-rect",          2,  3,  8, 11,  2, 2, 5, 1, 2, 1, 2, 1, 1, 1, TRUE },
  { "1x1-stride2-pad1",  1,  4,  7,  6,  3, 1, 1, 2, 2, 1, 1, 1, 1, 1, TRUE },
  { "chunked-stride2",   5, 32, 16, 16,  8, 3, 3, 2, 2, 1, 1, 1, 1, 1, TRUE },
  { "depthwise",         2,  4,  7,  7,  4, 3, 3, 1, 1, 1, 1, 1, 1, 4, TRUE },
  { "depthwise-x2-dil-rect", 2, 3, 7, 6, 6, 3, 2, 1, 1, 2, 1, 2, 1, 3, TRUE },
  { "depthwise-x2-stride2", 1, 3, 8, 9, 6, 3, 3, 2, 2, 2, 1, 2, 1, 3, FALSE },
  /* DIRECT: every kernel size, stride, dilation and padding the NDS
   * spaces use, odd sizes, non-square kernels and strides, channel
   * multipliers, groups of 2 to 32 channels, short last chunks */
  { "dw-5x5",            2,  3,  9,  9,  3, 5, 5, 1, 1, 2, 2, 1, 1, 3, TRUE },
  { "dw-7x7",            2,  3,  8,  8,  3, 7, 7, 1, 1, 3, 3, 1, 1, 3, TRUE },
  { "dw-3x3-dil2",       2,  4,  8,  8,  4, 3, 3, 1, 1, 2, 2, 2, 2, 4, TRUE },
  { "dw-5x5-dil2",       2,  2,  9, 10,  2, 5, 5, 1, 1, 4, 4, 2, 2, 2, FALSE },
  { "dw-3x3-s2-odd",     3,  2,  7,  7,  2, 3, 3, 2, 2, 1, 1, 1, 1, 2, TRUE },
  { "dw-5x5-s2",         2,  2,  8,  8,  2, 5, 5, 2, 2, 2, 2, 1, 1, 2, TRUE },
  { "dw-7x7-s2-odd",     2,  2,  7,  7,  2, 7, 7, 2, 2, 3, 3, 1, 1, 2, TRUE },
  { "dw-3x3-dil2-s2-odd", 2, 2,  9,  9,  2, 3, 3, 2, 2, 2, 2, 2, 2, 2, TRUE },
  { "dw-5x5-dil2-s2-odd", 3, 2,  9,  9,  2, 5, 5, 2, 2, 4, 4, 2, 2, 2, TRUE },
  { "dw-1x7-s1x2",       2,  3,  7,  9,  3, 1, 7, 1, 2, 0, 3, 1, 1, 3, FALSE },
  { "dw-7x1-s2x1",       2,  3,  9,  7,  3, 7, 1, 2, 1, 3, 0, 1, 1, 3, FALSE },
  { "dw-3x3-s3-valid",   2,  2, 10, 11,  2, 3, 3, 3, 3, 0, 0, 1, 1, 2, TRUE },
  { "dw-2x2-s2",         2,  2,  7,  6,  2, 2, 2, 2, 2, 0, 0, 1, 1, 2, TRUE },
  { "dw-x3-pad-past-kernel", 2, 2, 5, 4, 6, 3, 3, 1, 1, 3, 2, 1, 1, 2, TRUE },
  { "dw-1-channel-x4",   3,  1,  6,  6,  4, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
  { "dw-3x3-chunks",     6,  2, 20, 20,  2, 3, 3, 1, 1, 1, 1, 1, 1, 2, TRUE },
  { "dw-1x1-s2-chunks",  7,  2, 40, 40,  2, 1, 1, 2, 2, 0, 0, 1, 1, 2, TRUE },
  { "dw-3x3-s2-chunks-odd", 13, 2, 25, 25, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2,
    FALSE },
  { "g4-s2-odd",         2, 16,  7,  7, 16, 3, 3, 2, 2, 1, 1, 1, 1, 4, TRUE },
  { "g8-5x5-x-half",     2, 16,  6,  6,  8, 5, 5, 1, 1, 2, 2, 1, 1, 8, FALSE },
  { "g2-width16",        2, 32,  6,  5, 12, 3, 3, 1, 1, 1, 1, 1, 1, 2, TRUE },
  { "g2-width16-s2-odd", 2, 32,  7,  7,  8, 3, 3, 2, 2, 1, 1, 1, 1, 2, TRUE },
  { "g4-width12-1x1",    2, 48,  4,  5,  8, 1, 1, 1, 1, 0, 0, 1, 1, 4, TRUE },
  { "g4-1x1",            2,  8,  5,  5,  8, 1, 1, 1, 1, 0, 0, 1, 1, 4, TRUE },
  { "g2-3x3-dil2-chunks", 5, 8, 18, 18, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, TRUE },
  /* not DIRECT: groups too wide, a kernel past the tap tables */
  { "g2-width65-sgemm",  1, 130, 5,  5,  4, 3, 3, 1, 1, 1, 1, 1, 1, 2, TRUE },
  { "g2-width32-s2",     2, 64,  7,  6,  4, 3, 3, 2, 2, 1, 1, 1, 1, 2, FALSE },
  { "dw-33x33-sgemm",    1,  2, 33, 33,  2, 33, 33, 1, 1, 16, 16, 1, 1, 2,
    TRUE },
};

static const Case *
find_case (const char *name)
{
  for (size_t k = 0; k < G_N_ELEMENTS (cases); k++)
    if (g_str_equal (cases[k].name, name))
      return &cases[k];
  g_assert_not_reached ();
}

/* one geometry per code path, for the backward-contract tests */
static const char *const per_path[] = {
  "3x3-pad1", "1x1", "3x3-stride2", "depthwise", "depthwise-x2-stride2",
  "g4-s2-odd", "dw-3x3-s2-chunks-odd", "g2-width16", "g2-width16-s2-odd",
  "g4-width12-1x1",
};

static GnConv2dGeom
case_geom (const Case *c)
{
  GnConv2dGeom g = {
    .n = c->n, .in_c = c->in_c, .in_h = c->in_h, .in_w = c->in_w,
    .out_c = c->out_c, .kh = c->kh, .kw = c->kw, .stride_h = c->sh,
    .stride_w = c->sw, .pad_h = c->ph, .pad_w = c->pw, .dil_h = c->dh,
    .dil_w = c->dw, .groups = c->groups,
  };
  GError *error = NULL;
  gboolean ok = gn_conv2d_geom_init (&g, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return g;
}

/* Runs BODY with XI, WI and YI set to the x, w and y indices of every
 * multiply of the convolution, in the plainest possible loop nest. */
#define FOR_EACH_TAP(g, XI, WI, YI, BODY)                                   \
  do {                                                                      \
    const int cig_ = (g)->in_c / (g)->groups;                               \
    const int ocg_ = (g)->out_c / (g)->groups;                              \
    for (int b_ = 0; b_ < (g)->n; b_++)                                     \
      for (int o_ = 0; o_ < (g)->out_c; o_++)                               \
        for (int oy_ = 0; oy_ < (g)->out_h; oy_++)                          \
          for (int ox_ = 0; ox_ < (g)->out_w; ox_++)                        \
            for (int c_ = 0; c_ < cig_; c_++)                               \
              for (int i_ = 0; i_ < (g)->kh; i_++)                          \
                for (int j_ = 0; j_ < (g)->kw; j_++)                        \
                  {                                                         \
                    int iy_ = oy_ * (g)->stride_h - (g)->pad_h              \
                              + i_ * (g)->dil_h;                            \
                    int ix_ = ox_ * (g)->stride_w - (g)->pad_w              \
                              + j_ * (g)->dil_w;                            \
                    if (iy_ < 0 || iy_ >= (g)->in_h || ix_ < 0              \
                        || ix_ >= (g)->in_w)                                \
                      continue;                                             \
                    int ci_ = (o_ / ocg_) * cig_ + c_;                      \
                    size_t XI = (((size_t) b_ * (g)->in_c + ci_)            \
                                 * (g)->in_h + iy_) * (g)->in_w + ix_;      \
                    size_t WI = (((size_t) o_ * cig_ + c_) * (g)->kh + i_)  \
                                * (g)->kw + j_;                             \
                    size_t YI = (((size_t) b_ * (g)->out_c + o_)            \
                                 * (g)->out_h + oy_) * (g)->out_w + ox_;    \
                    BODY;                                                   \
                  }                                                         \
  } while (0)

/* Direct convolution in double. */
static void
ref_forward (const GnConv2dGeom *g, const float *x, const float *w,
             const float *b, double *y)
{
  const size_t plane = (size_t) g->out_h * g->out_w;
  const size_t ys = (size_t) g->n * g->out_c * plane;
  for (size_t i = 0; i < ys; i++)
    y[i] = b ? b[(i / plane) % g->out_c] : 0.0;
  FOR_EACH_TAP (g, xi, wi, yi, y[yi] += (double) w[wi] * x[xi]);
}

/* Its exact gradients, in double. */
static void
ref_backward (const GnConv2dGeom *g, const float *x, const float *w,
              const float *dy, double *dx, double *dw, double *db)
{
  const size_t plane = (size_t) g->out_h * g->out_w;
  const size_t ys = (size_t) g->n * g->out_c * plane;
  for (size_t i = 0; i < ys; i++)
    db[(i / plane) % g->out_c] += dy[i];
  FOR_EACH_TAP (g, xi, wi, yi, {
    dx[xi] += (double) dy[yi] * w[wi];
    dw[wi] += (double) dy[yi] * x[xi];
  });
}

/* Everything a test needs for one geometry. */
typedef struct {
  GnConv2dGeom g;
  size_t xs, ws, ys, ss;
  float *x, *w, *b, *y, *r, *scratch;
} Fixture;

static void
fixture_init (Fixture *f, const Case *c)
{
  f->g = case_geom (c);
  f->xs = (size_t) f->g.n * f->g.in_c * f->g.in_h * f->g.in_w;
  f->ws = gn_conv2d_weight_size (&f->g);
  f->ys = (size_t) f->g.n * f->g.out_c * f->g.out_h * f->g.out_w;
  f->ss = gn_conv2d_scratch_floats (&f->g);
  g_assert_cmpuint (f->ws, ==, (size_t) c->out_c * (c->in_c / c->groups)
                               * c->kh * c->kw);
  f->x = g_new (float, f->xs);
  f->w = g_new (float, f->ws);
  f->b = c->bias ? g_new (float, f->g.out_c) : NULL;
  f->y = g_new (float, f->ys);
  f->r = g_new (float, f->ys);
  /* exactly the advertised size, so ASan catches any overrun; NaN so a
   * kernel reading scratch it has not written poisons its output */
  f->scratch = g_new (float, MAX (f->ss, 1));
  for (size_t i = 0; i < f->ss; i++)
    f->scratch[i] = NAN;
  gc_fill (f->x, f->xs, 1, -1.0f, 1.0f);
  gc_fill (f->w, f->ws, 2, -1.0f, 1.0f);
  if (f->b)
    gc_fill (f->b, f->g.out_c, 3, -1.0f, 1.0f);
  gc_fill (f->r, f->ys, 4, -1.0f, 1.0f);
}

static void
fixture_clear (Fixture *f)
{
  g_free (f->x);
  g_free (f->w);
  g_free (f->b);
  g_free (f->y);
  g_free (f->r);
  g_free (f->scratch);
}

static double
probe_loss (gpointer user)
{
  Fixture *f = user;
  gn_conv2d_forward (&f->g, f->x, f->w, f->b, f->y, f->scratch);
  return gc_dot (f->y, f->r, f->ys);
}

/* max |a - ref| / (1 + |ref|) */
static double
rel_err (const float *a, const double *ref, size_t n)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = MAX (m, fabs (a[i] - ref[i]) / (1.0 + fabs (ref[i])));
  return m;
}

/* ------------------------------------------------------------------ */

static void
test_forward (void)
{
  for (size_t k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      Fixture f;
      fixture_init (&f, &cases[k]);
      double *ref = g_new (double, f.ys);
      ref_forward (&f.g, f.x, f.w, f.b, ref);
      for (size_t i = 0; i < f.ys; i++)
        f.y[i] = NAN; /* forward must overwrite every output */
      gn_conv2d_forward (&f.g, f.x, f.w, f.b, f.y, f.scratch);
      double err = rel_err (f.y, ref, f.ys);
      g_test_message ("%s: out %dx%d, max rel err %.2g", cases[k].name,
                      f.g.out_h, f.g.out_w, err);
      if (!(err < 3e-5))
        {
          g_test_message ("forward %s: max relative error %g",
                          cases[k].name, err);
          g_test_fail ();
        }
      g_free (ref);
      fixture_clear (&f);
    }
}

/* Backward against finite differences of L = sum r y (on a seeded subset
 * of coordinates) and, on every coordinate, against the exact double
 * gradient. */
static void
test_grad (gconstpointer data)
{
  const Case *c = data;
  Fixture f;
  fixture_init (&f, c);

  float *dx = g_new0 (float, f.xs);
  float *dw = g_new0 (float, f.ws);
  float *db = g_new0 (float, f.g.out_c);
  gn_conv2d_backward (&f.g, f.x, f.w, f.r, dx, dw, f.b ? db : NULL,
                      f.scratch);

  double *rdx = g_new0 (double, f.xs);
  double *rdw = g_new0 (double, f.ws);
  double *rdb = g_new0 (double, f.g.out_c);
  ref_backward (&f.g, f.x, f.w, f.r, rdx, rdw, rdb);
  g_assert_cmpfloat (rel_err (dx, rdx, f.xs), <, 1e-4);
  g_assert_cmpfloat (rel_err (dw, rdw, f.ws), <, 1e-4);
  if (f.b)
    g_assert_cmpfloat (rel_err (db, rdb, f.g.out_c), <, 1e-4);

  /* L is linear in each tensor, so a large step has no truncation error
   * and keeps float rounding of y negligible */
  const double eps = 0.05, atol = 2e-3, rtol = 2e-3;
  const int coords = f.xs > 5000 ? 24 : 80;
  g_assert_true (gc_check ("conv dx", f.x, dx, f.xs, probe_loss, &f, coords,
                           eps, atol, rtol));
  g_assert_true (gc_check ("conv dw", f.w, dw, f.ws, probe_loss, &f, coords,
                           eps, atol, rtol));
  if (f.b)
    g_assert_true (gc_check ("conv db", f.b, db, f.g.out_c, probe_loss, &f,
                             coords, eps, atol, rtol));

  g_free (rdx);
  g_free (rdw);
  g_free (rdb);
  g_free (dx);
  g_free (dw);
  g_free (db);
  fixture_clear (&f);
}

/* Calling backward twice on non-zero gradients adds the gradient twice. */
static void
test_accumulates (void)
{
  for (size_t k = 0; k < G_N_ELEMENTS (per_path); k++)
    {
      Fixture f;
      fixture_init (&f, find_case (per_path[k]));
      const int oc = f.g.out_c;
      float *g0[3], *g1[3], *g2[3];
      const size_t sz[3] = { f.xs, f.ws, (size_t) oc };
      for (int t = 0; t < 3; t++)
        {
          g0[t] = g_new (float, sz[t]);
          gc_fill (g0[t], sz[t], 10 + t, -1.0f, 1.0f);
          g1[t] = g_memdup2 (g0[t], sz[t] * sizeof (float));
        }
      gn_conv2d_backward (&f.g, f.x, f.w, f.r, g1[0], g1[1], g1[2],
                          f.scratch);
      for (int t = 0; t < 3; t++)
        g2[t] = g_memdup2 (g1[t], sz[t] * sizeof (float));
      gn_conv2d_backward (&f.g, f.x, f.w, f.r, g2[0], g2[1], g2[2],
                          f.scratch);
      for (int t = 0; t < 3; t++)
        {
          double worst = 0.0, moved = 0.0;
          for (size_t i = 0; i < sz[t]; i++)
            {
              double once = (double) g1[t][i] - g0[t][i];
              double twice = (double) g2[t][i] - g0[t][i];
              worst = MAX (worst, fabs (twice - 2.0 * once));
              moved = MAX (moved, fabs (once));
            }
          g_assert_cmpfloat (moved, >, 0.01);
          g_assert_cmpfloat (worst, <, 1e-4 * (1.0 + moved));
          g_free (g0[t]);
          g_free (g1[t]);
          g_free (g2[t]);
        }
      fixture_clear (&f);
    }
}

/* NULL gradients are skipped and do not change the others; the work for a
 * skipped gradient is not done at all (poisoned inputs it alone would read
 * do not leak). */
static void
test_null_skips (void)
{
  for (size_t k = 0; k < G_N_ELEMENTS (per_path); k++)
    {
      Fixture f;
      fixture_init (&f, find_case (per_path[k]));
      const int oc = f.g.out_c;
      float *dx = g_new0 (float, f.xs), *dw = g_new0 (float, f.ws);
      float *db = g_new0 (float, oc);
      gn_conv2d_backward (&f.g, f.x, f.w, f.r, dx, dw, db, f.scratch);

      float *ox = g_new0 (float, f.xs), *ow = g_new0 (float, f.ws);
      float *ob = g_new0 (float, oc);
      gn_conv2d_backward (&f.g, f.x, f.w, f.r, ox, NULL, NULL, f.scratch);
      gn_conv2d_backward (&f.g, f.x, f.w, f.r, NULL, ow, NULL, f.scratch);
      gn_conv2d_backward (&f.g, f.x, f.w, f.r, NULL, NULL, ob, f.scratch);
      gn_conv2d_backward (&f.g, f.x, f.w, f.r, NULL, NULL, NULL, f.scratch);
      g_assert_cmpfloat (gc_max_abs_diff (ox, dx, f.xs), <, 1e-5);
      g_assert_cmpfloat (gc_max_abs_diff (ow, dw, f.ws), <, 1e-5);
      g_assert_cmpfloat (gc_max_abs_diff (ob, db, oc), <, 1e-5);

      /* dx alone needs no x; dw and db alone need no w */
      float *nanx = g_new (float, f.xs), *nanw = g_new (float, f.ws);
      for (size_t i = 0; i < f.xs; i++)
        nanx[i] = NAN;
      for (size_t i = 0; i < f.ws; i++)
        nanw[i] = NAN;
      memset (ox, 0, f.xs * sizeof (float));
      memset (ow, 0, f.ws * sizeof (float));
      memset (ob, 0, oc * sizeof (float));
      gn_conv2d_backward (&f.g, nanx, f.w, f.r, ox, NULL, NULL, f.scratch);
      gn_conv2d_backward (&f.g, f.x, nanw, f.r, NULL, ow, ob, f.scratch);
      g_assert_cmpfloat (gc_max_abs_diff (ox, dx, f.xs), <, 1e-5);
      g_assert_cmpfloat (gc_max_abs_diff (ow, dw, f.ws), <, 1e-5);
      g_assert_cmpfloat (gc_max_abs_diff (ob, db, oc), <, 1e-5);

      g_free (nanx);
      g_free (nanw);
      g_free (dx);
      g_free (dw);
      g_free (db);
      g_free (ox);
      g_free (ow);
      g_free (ob);
      fixture_clear (&f);
    }
}

/* The DIRECT path's loops for every instruction set this machine runs
 * (the generic one everywhere): each against the direct reference on
 * every case that takes the path, and each deterministic (a second run
 * is bit-identical). */
static void
test_direct_isas (void)
{
  static const struct { GnConvIsa isa; const char *name; } isas[] = {
    { GN_CONV_ISA_GENERIC, "generic" }, { GN_CONV_ISA_AVX2, "avx2" },
    { GN_CONV_ISA_AVX512, "avx512" },
  };
  int ran = 0;
  for (size_t s = 0; s < G_N_ELEMENTS (isas); s++)
    {
      if (!gn__conv_direct_set_isa (isas[s].isa))
        {
          g_test_message ("%s: not on this machine", isas[s].name);
          continue;
        }
      g_assert_cmpstr (gn__conv_direct_isa_name (), ==, isas[s].name);
      ran++;
      for (size_t k = 0; k < G_N_ELEMENTS (cases); k++)
        {
          Fixture f;
          fixture_init (&f, &cases[k]);
          if (!gn__conv_direct_wanted (&f.g))
            {
              fixture_clear (&f);
              continue;
            }
          double *ref = g_new (double, f.ys);
          ref_forward (&f.g, f.x, f.w, f.b, ref);
          gn_conv2d_forward (&f.g, f.x, f.w, f.b, f.y, f.scratch);
          double err = rel_err (f.y, ref, f.ys);
          float *again = g_new (float, f.ys);
          gn_conv2d_forward (&f.g, f.x, f.w, f.b, again, f.scratch);
          g_assert_cmpmem (again, f.ys * sizeof (float), f.y,
                           f.ys * sizeof (float));

          float *dx = g_new0 (float, f.xs), *dw = g_new0 (float, f.ws);
          double *rdx = g_new0 (double, f.xs), *rdw = g_new0 (double, f.ws);
          double *rdb = g_new0 (double, f.g.out_c);
          gn_conv2d_backward (&f.g, f.x, f.w, f.r, dx, dw, NULL, f.scratch);
          ref_backward (&f.g, f.x, f.w, f.r, rdx, rdw, rdb);
          double ex = rel_err (dx, rdx, f.xs), ew = rel_err (dw, rdw, f.ws);
          g_test_message ("%s %s: forward %.2g, dx %.2g, dw %.2g",
                          isas[s].name, cases[k].name, err, ex, ew);
          if (!(err < 3e-5 && ex < 1e-4 && ew < 1e-4))
            {
              g_test_message ("%s %s: too far from the reference",
                              isas[s].name, cases[k].name);
              g_test_fail ();
            }
          g_free (again);
          g_free (dx);
          g_free (dw);
          g_free (rdx);
          g_free (rdw);
          g_free (rdb);
          g_free (ref);
          fixture_clear (&f);
        }
    }
  g_assert_true (gn__conv_direct_set_isa (GN_CONV_ISA_AUTO));
  g_assert_cmpint (ran, >=, 1);
}

/* Which cases take the DIRECT path: the rule gn-conv.c dispatches on. */
static void
test_direct_wanted (void)
{
  static const struct { const char *name; gboolean direct; } t[] = {
    { "depthwise", TRUE }, { "dw-7x7-s2-odd", TRUE },
    { "dw-1-channel-x4", TRUE }, { "groups2", TRUE }, { "g2-width16", TRUE },
    { "g4-1x1", TRUE }, { "1x1-groups2", TRUE },
    { "g2-width65-sgemm", FALSE }, { "g2-width32-s2", TRUE },
    { "dw-33x33-sgemm", FALSE },
    { "3x3-pad1", FALSE }, { "1x1", FALSE }, { "3x3-stride2", FALSE },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (t); i++)
    {
      GnConv2dGeom g = case_geom (find_case (t[i].name));
      if (gn__conv_direct_wanted (&g) != t[i].direct)
        {
          g_test_message ("%s: direct should be %d", t[i].name,
                          t[i].direct);
          g_test_fail ();
        }
    }
}

/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* bf16 products against fp32 ones                                     */
/* ------------------------------------------------------------------ */

/* The geometries of the spaces at their real sizes (batch 2), on top of
 * every case above: NB201's 3x3 and 1x1 at 16-64 channels and its
 * stride-2 reduction, a dense dilated 3x3, the 1x1 after a depthwise
 * conv (DARTS' sep_conv, dil_conv), groups too wide for the direct path
 * (ResNeXt) */
static const Case bf16_cases[] = {
  /* name                n  ic  ih  iw  oc kh kw sh sw ph pw dh dw  g bias */
  { "nb201-3x3-16",      2, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  { "nb201-3x3-64",      2, 64,  8,  8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  { "nb201-1x1-32",      2, 32, 16, 16, 32, 1, 1, 1, 1, 0, 0, 1, 1, 1, FALSE },
  { "nb201-reduce-3x3-s2", 2, 16, 32, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1,
    FALSE },
  { "nb201-reduce-1x1-s2", 2, 16, 32, 32, 32, 1, 1, 2, 2, 0, 0, 1, 1, 1,
    FALSE },
  { "dense-3x3-dil2",    2, 16, 16, 16, 16, 3, 3, 1, 1, 2, 2, 2, 2, 1, TRUE },
  { "darts-1x1-48",      2, 48, 16, 16, 48, 1, 1, 1, 1, 0, 0, 1, 1, 1, FALSE },
  { "resnext-g2-w96",    1, 192, 8,  8, 192, 3, 3, 1, 1, 1, 1, 1, 1, 2, TRUE },
  { "stem-3x3-rgb",      2,  3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
};

static float *
absolute (const float *p, size_t n)
{
  if (p == NULL)
    return NULL;
  float *a = g_new (float, MAX (n, 1));
  for (size_t i = 0; i < n; i++)
    a[i] = fabsf (p[i]);
  return a;
}

/* Every |got - want| within bf16's rounding of the products, whose sizes
 * summed are @mag (the same convolution on absolute values): 2^-7 of it
 * (each operand off by 2^-8), plus fp32's own error.  Returns how many
 * differ at all. */
static size_t
check_within_bf16 (const char *what, const Case *c, const float *got,
                   const float *want, const float *mag, size_t n)
{
  size_t differ = 0;
  for (size_t i = 0; i < n; i++)
    {
      const double bound = 0x1p-7 * mag[i] + 1e-5 * (1.0 + mag[i]);
      if (!(fabs ((double) got[i] - want[i]) <= bound))
        g_error ("%s %s [%zu]: bf16 %.9g, fp32 %.9g, bound %.3g", c->name,
                 what, i, got[i], want[i], bound);
      differ += got[i] != want[i];
    }
  return differ;
}

/* forward, dX, dW and db of one geometry in both precisions */
static void
compare_bf16 (const Case *c)
{
  Fixture f;
  fixture_init (&f, c);
  const GnConv2dGeom *g = &f.g;
  const size_t bs = c->bias ? (size_t) g->out_c : 0;
  float *ax = absolute (f.x, f.xs), *aw = absolute (f.w, f.ws);
  float *ab = absolute (f.b, bs), *ady = absolute (f.r, f.ys);
  float *y16 = g_new (float, f.ys), *ym = g_new (float, f.ys);
  float *g32 = g_new0 (float, f.xs + f.ws + g->out_c);
  float *g16 = g_new0 (float, f.xs + f.ws + g->out_c);
  float *gm = g_new0 (float, f.xs + f.ws + g->out_c);
  const gboolean direct = gn__conv_direct_wanted (g);
  const gboolean direct_dw = direct && gn__conv_direct_dw_wanted (g);

  gn_conv2d_forward_precision (g, GN_PRECISION_FP32, f.x, f.w, f.b, f.y,
                               f.scratch);
  gn_conv2d_forward_precision (g, GN_PRECISION_BF16, f.x, f.w, f.b, y16,
                               f.scratch);
  gn_conv2d_forward_precision (g, GN_PRECISION_FP32, ax, aw, ab, ym,
                               f.scratch);
  size_t d = check_within_bf16 ("forward", c, y16, f.y, ym, f.ys);
  /* the products really ran in bf16, except on the direct path */
  g_assert_cmpint (d > 0, ==, !direct);

  gn_conv2d_backward_precision (g, GN_PRECISION_FP32, f.x, f.w, f.r, g32,
                                g32 + f.xs, g32 + f.xs + f.ws, f.scratch);
  gn_conv2d_backward_precision (g, GN_PRECISION_BF16, f.x, f.w, f.r, g16,
                                g16 + f.xs, g16 + f.xs + f.ws, f.scratch);
  gn_conv2d_backward_precision (g, GN_PRECISION_FP32, ax, aw, ady, gm,
                                gm + f.xs, gm + f.xs + f.ws, f.scratch);
  d = check_within_bf16 ("dX", c, g16, g32, gm, f.xs);
  g_assert_cmpint (d > 0, ==, !direct);
  d = check_within_bf16 ("dW", c, g16 + f.xs, g32 + f.xs, gm + f.xs, f.ws);
  g_assert_cmpint (d > 0, ==, !direct_dw);
  /* the bias gradient is a plain fp32 sum in both */
  g_assert_cmpmem (g16 + f.xs + f.ws, g->out_c * sizeof (float),
                   g32 + f.xs + f.ws, g->out_c * sizeof (float));

  g_free (ax);
  g_free (aw);
  g_free (ab);
  g_free (ady);
  g_free (y16);
  g_free (ym);
  g_free (g32);
  g_free (g16);
  g_free (gm);
  fixture_clear (&f);
}

static void
test_bf16 (gconstpointer data)
{
  if (!gn_precision_supported (GN_PRECISION_BF16))
    {
      g_test_skip ("no AVX512-BF16 here (or GENNAS_NO_BF16 is set)");
      return;
    }
  compare_bf16 (data);
}

static GnConv2dGeom
good_geom (void)
{
  return (GnConv2dGeom) {
    .n = 2, .in_c = 4, .in_h = 8, .in_w = 8, .out_c = 6, .kh = 3, .kw = 3,
    .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1, .dil_h = 1,
    .dil_w = 1, .groups = 1,
  };
}

static void
expect_invalid (GnConv2dGeom g, const char *needle)
{
  GError *error = NULL;
  g_assert_false (gn_conv2d_geom_init (&g, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, needle) == NULL)
    {
      g_test_message ("message \"%s\" does not name \"%s\"",
                      error->message, needle);
      g_test_fail ();
    }
  g_clear_error (&error);
  /* a NULL error location is allowed */
  g_assert_false (gn_conv2d_geom_init (&g, NULL));
}

static void
test_geom_output_size (void)
{
  static const struct { int in, k, s, p, d, out; } t[] = {
    { 32, 3, 1, 1, 1, 32 }, { 32, 3, 2, 1, 1, 16 }, { 7, 3, 2, 1, 1, 4 },
    { 8, 1, 2, 0, 1, 4 }, { 9, 3, 1, 2, 2, 9 }, { 5, 5, 1, 0, 1, 1 },
    { 6, 4, 3, 0, 1, 1 }, { 4, 3, 1, 3, 1, 8 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (t); i++)
    {
      GnConv2dGeom g = good_geom ();
      GError *error = NULL;
      g.in_h = t[i].in;
      g.kh = t[i].k;
      g.stride_h = t[i].s;
      g.pad_h = t[i].p;
      g.dil_h = t[i].d;
      g_assert_true (gn_conv2d_geom_init (&g, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g.out_h, ==, t[i].out);
      g_assert_cmpint (g.out_w, ==, 8); /* width untouched: 8, k 3, pad 1 */
    }
}

static void
invalid_bad_groups (void)
{
  GnConv2dGeom g = good_geom ();
  g.groups = 4; /* divides in_c = 4 but not out_c = 6 */
  expect_invalid (g, "groups (4)");
  g = good_geom ();
  g.groups = 3; /* divides out_c but not in_c */
  expect_invalid (g, "groups (3)");
  g = good_geom ();
  g.groups = 0;
  expect_invalid (g, "groups");
}

static void
invalid_zero_stride (void)
{
  GnConv2dGeom g = good_geom ();
  g.stride_w = 0;
  expect_invalid (g, "stride_w is 0");
  g = good_geom ();
  g.stride_h = -2;
  expect_invalid (g, "stride_h is -2");
  g = good_geom ();
  g.dil_h = 0;
  expect_invalid (g, "dil_h is 0");
}

static void
invalid_empty_output (void)
{
  GnConv2dGeom g = good_geom ();
  g.pad_h = g.pad_w = 0;
  g.kh = 9; /* 8 rows, no padding */
  expect_invalid (g, "empty output");
  g = good_geom ();
  g.pad_h = 0;
  g.dil_h = 5; /* 3x3 dilated by 5 spans 11 rows */
  expect_invalid (g, "empty output");
  g = good_geom ();
  g.in_w = 0;
  expect_invalid (g, "in_w is 0");
  g = good_geom ();
  g.n = 0;
  expect_invalid (g, "n is 0");
}

static void
invalid_negative_pad (void)
{
  GnConv2dGeom g = good_geom ();
  g.pad_h = -1;
  expect_invalid (g, "pad_h is -1");
  g = good_geom ();
  g.pad_w = -3;
  expect_invalid (g, "pad_w is -3");
}

/* Each rejected geometry reports GN_ERROR_INVALID_ARGUMENT with a message
 * naming the offending value. */
static void
test_geom_invalid (void)
{
  invalid_bad_groups ();
  invalid_zero_stride ();
  invalid_empty_output ();
  invalid_negative_pad ();

  /* int pixel counts must not overflow inside the kernels */
  GnConv2dGeom g = good_geom ();
  g.n = 1 << 16;
  g.in_h = g.in_w = 1 << 8;
  expect_invalid (g, "too large");
  g = good_geom ();
  g.dil_w = G_MAXINT;
  g.pad_w = G_MAXINT;
  expect_invalid (g, "too large");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conv/forward", test_forward);
  for (size_t k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      char *path = g_strdup_printf ("/conv/grad/%s", cases[k].name);
      g_test_add_data_func (path, &cases[k], test_grad);
      g_free (path);
    }
  for (size_t k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      char *path = g_strdup_printf ("/conv/bf16/%s", cases[k].name);
      g_test_add_data_func (path, &cases[k], test_bf16);
      g_free (path);
    }
  for (size_t k = 0; k < G_N_ELEMENTS (bf16_cases); k++)
    {
      char *path = g_strdup_printf ("/conv/bf16/%s", bf16_cases[k].name);
      g_test_add_data_func (path, &bf16_cases[k], test_bf16);
      g_free (path);
    }
  g_test_add_func ("/conv/direct/isas", test_direct_isas);
  g_test_add_func ("/conv/direct/wanted", test_direct_wanted);
  g_test_add_func ("/conv/backward/accumulates", test_accumulates);
  g_test_add_func ("/conv/backward/null-skips", test_null_skips);
  g_test_add_func ("/conv/geom/output-size", test_geom_output_size);
  g_test_add_func ("/conv/geom/invalid", test_geom_invalid);

  return g_test_run ();
}
