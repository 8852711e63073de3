/* gn-pool.c - average, max and global average pooling (PyTorch 1.13)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Windows are square (k x k) over [n][c][in_h][in_w]; every (n, c) pair
 * is an independent plane, so the kernels loop over n*c planes.
 *
 * The window bounds and divisors are computed exactly as PyTorch's CPU
 * kernels (aten/src/ATen/native/cpu/AvgPoolKernel.cpp, MaxPoolKernel.cpp)
 * do, because GenNAS's proxy scores are compared against numbers produced
 * with them: a different divisor on border windows changes the features.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-ops.h"

#include <string.h>

#include <math.h>

gboolean
gn_pool_geom_init (GnPoolGeom *g, GError **error)
{
  g_return_val_if_fail (g != NULL, FALSE);

  if (g->n < 1 || g->c < 1 || g->in_h < 1 || g->in_w < 1)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "pooling input shape [%d, %d, %d, %d] has a non-positive "
                   "dimension", g->n, g->c, g->in_h, g->in_w);
      return FALSE;
    }
  if (g->k < 1)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "pooling kernel size %d must be at least 1", g->k);
      return FALSE;
    }
  if (g->stride < 1)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "pooling stride %d must be at least 1", g->stride);
      return FALSE;
    }
  if (g->pad < 0 || g->pad > g->k / 2)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "pooling padding %d must be between 0 and half the kernel "
                   "size (%d)", g->pad, g->k / 2);
      return FALSE;
    }

  /* Floor mode, in 64 bits so a huge k or pad cannot overflow; with
   * in + 2 pad >= k the numerator is non-negative and C's truncating
   * division is the floor. */
  gint64 num_h = (gint64) g->in_h + 2 * (gint64) g->pad - g->k;
  gint64 num_w = (gint64) g->in_w + 2 * (gint64) g->pad - g->k;
  if (num_h < 0 || num_w < 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "pooling window %d (padding %d) is larger than the "
                   "%d x %d input", g->k, g->pad, g->in_h, g->in_w);
      return FALSE;
    }
  /* Every window coordinate lies in [-pad, in + pad], so bounding the
   * padded extent keeps the kernels' int arithmetic exact; the argmax of
   * max pooling is a gint32 in-plane index. */
  if ((gint64) g->in_h + 2 * (gint64) g->pad > G_MAXINT
      || (gint64) g->in_w + 2 * (gint64) g->pad > G_MAXINT
      || (gint64) g->in_h * g->in_w > G_MAXINT32)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "pooling input %d x %d with padding %d is too large",
                   g->in_h, g->in_w, g->pad);
      return FALSE;
    }
  g->out_h = (int) (num_h / g->stride + 1);
  g->out_w = (int) (num_w / g->stride + 1);
  return TRUE;
}

/* dst += v over a run; a restrict parameter so it vectorises without an
 * overlap check (GCC trusts restrict on parameters, not on locals). */
static void
add_const (float *restrict dst, int len, float v)
{
  for (int i = 0; i < len; i++)
    dst[i] += v;
}

/* The clipped window of output position @o along one axis, and PyTorch's
 * count_include_pad extent: the window clipped to the PADDED input. */
typedef struct {
  int start, end;     /* real cells [start, end) */
  int padded_extent;  /* cells inside the padded border */
} Span;

static inline Span
window_span (int o, int stride, int pad, int k, int in)
{
  Span s;
  int start = o * stride - pad;
  int end = MIN (start + k, in + pad);
  s.padded_extent = end - start;
  s.start = MAX (start, 0);
  s.end = MIN (end, in);
  return s;
}

/* PyTorch's divisor: with count_include_pad the window clipped to the
 * padded input (padding cells count), else the real cells only.  The
 * product is taken in 64 bits: k * k alone may exceed an int. */
static inline float
window_divisor (const GnPoolGeom *g, Span sh, Span sw)
{
  gint64 cells = g->count_include_pad
                 ? (gint64) sh.padded_extent * sw.padded_extent
                 : (gint64) (sh.end - sh.start) * (sw.end - sw.start);
  return (float) cells;
}

/* Stride-1 average pooling (NB201's avg_pool_3x3, DARTS's) as two
 * separable passes of k-tap sums over a plane, every inner loop a
 * contiguous, vectorisable run; about ten times faster than visiting each
 * window.  Handles planes up to FAST_PLANE floats (the scratch lives on
 * the stack: kernels do not allocate). */
#define FAST_PLANE 4096

static gboolean
fast_path (const GnPoolGeom *g)
{
  return g->stride == 1 && (size_t) g->out_h * (size_t) g->in_w <= FAST_PLANE
         && (size_t) g->in_h * (size_t) g->out_w <= FAST_PLANE
         && g->out_w <= FAST_PLANE;
}

/* dst[q] += src[q + off] for every q in [0, n) with q + off in [0, m) */
static inline void
add_shifted (float *restrict dst, int n, const float *restrict src, int m,
             int off)
{
  int lo = MAX (0, -off), hi = MIN (n, m - off);
  for (int q = lo; q < hi; q++)
    dst[q] += src[q + off];
}

/* 1 / divisor per output cell: real cells only, or k*k with padding
 * counted (for stride 1 in floor mode the window never leaves the padded
 * border, so PyTorch's rule gives k*k there) */
static void
inverse_counts (const GnPoolGeom *g, float *restrict inv)
{
  for (int o = 0; o < g->out_h; o++)
    {
      int rows = MIN (g->in_h, o - g->pad + g->k) - MAX (0, o - g->pad);
      for (int q = 0; q < g->out_w; q++)
        {
          int cols = MIN (g->in_w, q - g->pad + g->k) - MAX (0, q - g->pad);
          inv[o * g->out_w + q] = g->count_include_pad
                                  ? 1.0f / (float) (g->k * g->k)
                                  : 1.0f / (float) (rows * cols);
        }
    }
}

static void
avgpool_forward_fast (const GnPoolGeom *g, const float *x, float *y)
{
  size_t in_plane = (size_t) g->in_h * (size_t) g->in_w;
  size_t out_plane = (size_t) g->out_h * (size_t) g->out_w;
  size_t planes = (size_t) g->n * (size_t) g->c;
  float v[FAST_PLANE], inv[FAST_PLANE];

  inverse_counts (g, inv);
  for (size_t p = 0; p < planes; p++)
    {
      const float *xp = x + p * in_plane;
      float *yp = y + p * out_plane;
      /* vertical: v[o][j] = sum of the window's rows */
      memset (v, 0, (size_t) g->out_h * g->in_w * sizeof (float));
      for (int o = 0; o < g->out_h; o++)
        for (int d = 0; d < g->k; d++)
          {
            int i = o - g->pad + d;
            if (i >= 0 && i < g->in_h)
              add_shifted (v + (size_t) o * g->in_w, g->in_w,
                           xp + (size_t) i * g->in_w, g->in_w, 0);
          }
      /* horizontal, then the divisor */
      memset (yp, 0, out_plane * sizeof (float));
      for (int o = 0; o < g->out_h; o++)
        {
          float *yr = yp + (size_t) o * g->out_w;
          for (int d = 0; d < g->k; d++)
            add_shifted (yr, g->out_w, v + (size_t) o * g->in_w, g->in_w,
                         d - g->pad);
          const float *ir = inv + (size_t) o * g->out_w;
          for (int q = 0; q < g->out_w; q++)
            yr[q] *= ir[q];
        }
    }
}

static void
avgpool_backward_fast (const GnPoolGeom *g, const float *dy, float *dx)
{
  size_t in_plane = (size_t) g->in_h * (size_t) g->in_w;
  size_t out_plane = (size_t) g->out_h * (size_t) g->out_w;
  size_t planes = (size_t) g->n * (size_t) g->c;
  float s[FAST_PLANE], t[FAST_PLANE], inv[FAST_PLANE];

  inverse_counts (g, inv);
  for (size_t p = 0; p < planes; p++)
    {
      const float *dyp = dy + p * out_plane;
      float *dxp = dx + p * in_plane;
      for (size_t i = 0; i < out_plane; i++)
        s[i] = dyp[i] * inv[i];
      /* input row i collects the outputs o in [i + pad - k + 1, i + pad] */
      memset (t, 0, (size_t) g->in_h * g->out_w * sizeof (float));
      for (int i = 0; i < g->in_h; i++)
        for (int d = 0; d < g->k; d++)
          {
            int o = i + g->pad - d;
            if (o >= 0 && o < g->out_h)
              add_shifted (t + (size_t) i * g->out_w, g->out_w,
                           s + (size_t) o * g->out_w, g->out_w, 0);
          }
      for (int i = 0; i < g->in_h; i++)
        for (int d = 0; d < g->k; d++)
          add_shifted (dxp + (size_t) i * g->in_w, g->in_w,
                       t + (size_t) i * g->out_w, g->out_w, g->pad - d);
    }
}

/* The 3x3, stride-1, pad-1 pooling of NB201's and DARTS's cells (output
 * the size of the input), one output row at a time: the row's vertical
 * sums into a row buffer, then the horizontal sums times the divisors
 * written straight into y, with no plane-sized buffers, memsets or
 * per-tap calls.  The additions are those of avgpool_forward_fast(), in
 * the same order, so the results are the same floats; it is about twice
 * as fast on NB201's 8-32 pixel planes. */
static gboolean
pool3_path (const GnPoolGeom *g)
{
  return g->k == 3 && g->stride == 1 && g->pad == 1 && g->in_w <= FAST_PLANE
         && (size_t) g->in_h * (size_t) g->in_w <= FAST_PLANE
         && g->out_h == g->in_h && g->out_w == g->in_w;
}

/* v = the sum of the rows above (@up, may be NULL), at and below (@dn, may
 * be NULL) in the order (up + mid) + dn */
static inline void
pool3_rows (int w, const float *restrict up, const float *restrict mid,
            const float *restrict dn, float *restrict v)
{
  if (up && dn)
    for (int j = 0; j < w; j++)
      v[j] = (up[j] + mid[j]) + dn[j];
  else if (up)
    for (int j = 0; j < w; j++)
      v[j] = up[j] + mid[j];
  else if (dn)
    for (int j = 0; j < w; j++)
      v[j] = mid[j] + dn[j];
  else
    for (int j = 0; j < w; j++)
      v[j] = mid[j];
}

static void
avgpool3_forward (const GnPoolGeom *g, const float *x, float *y)
{
  const int h = g->in_h, w = g->in_w;
  const size_t plane = (size_t) h * (size_t) w;
  const size_t planes = (size_t) g->n * (size_t) g->c;
  float v[FAST_PLANE], inv[FAST_PLANE];

  inverse_counts (g, inv);
  for (size_t p = 0; p < planes; p++)
    {
      const float *xp = x + p * plane;
      float *yp = y + p * plane;
      for (int o = 0; o < h; o++)
        {
          const float *mid = xp + (size_t) o * w;
          pool3_rows (w, o > 0 ? mid - w : NULL, mid,
                      o + 1 < h ? mid + w : NULL, v);
          float *restrict yr = yp + (size_t) o * w;
          const float *restrict ir = inv + (size_t) o * w;
          if (w == 1)
            {
              yr[0] = v[0] * ir[0];
              continue;
            }
          yr[0] = (v[0] + v[1]) * ir[0];
          for (int q = 1; q < w - 1; q++)
            yr[q] = ((v[q - 1] + v[q]) + v[q + 1]) * ir[q];
          yr[w - 1] = (v[w - 2] + v[w - 1]) * ir[w - 1];
        }
    }
}

/* dx += the pooling's transpose: t = the rows of s = dy / divisor below
 * (@dn), at and above (@up) in the order (dn + mid) + up, then
 * dx[q] = ((dx[q] + t[q + 1]) + t[q]) + t[q - 1], as
 * avgpool_backward_fast() adds them */
static void
avgpool3_backward (const GnPoolGeom *g, const float *dy, float *dx)
{
  const int h = g->in_h, w = g->in_w;
  const size_t plane = (size_t) h * (size_t) w;
  const size_t planes = (size_t) g->n * (size_t) g->c;
  float s[FAST_PLANE], t[FAST_PLANE], inv[FAST_PLANE];

  inverse_counts (g, inv);
  for (size_t p = 0; p < planes; p++)
    {
      const float *dyp = dy + p * plane;
      float *dxp = dx + p * plane;
      for (size_t i = 0; i < plane; i++)
        s[i] = dyp[i] * inv[i];
      for (int i = 0; i < h; i++)
        {
          const float *mid = s + (size_t) i * w;
          /* pool3_rows adds its first operand first: the row below */
          pool3_rows (w, i + 1 < h ? mid + w : NULL, mid,
                      i > 0 ? mid - w : NULL, t);
          float *restrict dr = dxp + (size_t) i * w;
          if (w == 1)
            {
              dr[0] += t[0];
              continue;
            }
          dr[0] = (dr[0] + t[1]) + t[0];
          for (int q = 1; q < w - 1; q++)
            dr[q] = ((dr[q] + t[q + 1]) + t[q]) + t[q - 1];
          dr[w - 1] = (dr[w - 1] + t[w - 1]) + t[w - 2];
        }
    }
}

/* The 2x2, stride-2 pooling without padding of NB201's residual
 * shortcuts: every window is whole, the divisor 4 either way, and each
 * input cell is in at most one window.  Same additions, in the same order,
 * as the window-by-window loops below. */
static gboolean
pool2_path (const GnPoolGeom *g)
{
  return g->k == 2 && g->stride == 2 && g->pad == 0;
}

/* Row @o of plane @p in both tensors: the two input rows of its windows
 * and its output row. */
typedef struct {
  size_t in0, out;   /* offsets of the first input row and the output row */
} Pool2Row;

static inline Pool2Row
pool2_row (const GnPoolGeom *g, size_t p, int o)
{
  const size_t in_plane = (size_t) g->in_h * (size_t) g->in_w;
  const size_t out_plane = (size_t) g->out_h * (size_t) g->out_w;
  return (Pool2Row) { p * in_plane + (size_t) 2 * o * g->in_w,
                      p * out_plane + (size_t) o * g->out_w };
}

static void
avgpool2_forward (const GnPoolGeom *g, const float *x, float *y)
{
  const size_t planes = (size_t) g->n * (size_t) g->c;
  for (size_t p = 0; p < planes; p++)
    for (int o = 0; o < g->out_h; o++)
      {
        const Pool2Row at = pool2_row (g, p, o);
        const float *restrict r0 = x + at.in0, *restrict r1 = r0 + g->in_w;
        float *restrict yr = y + at.out;
        for (int q = 0; q < g->out_w; q++)
          yr[q] = (((r0[2 * q] + r0[2 * q + 1]) + r1[2 * q]) + r1[2 * q + 1])
                  / 4.0f;
      }
}

static void
avgpool2_backward (const GnPoolGeom *g, const float *dy, float *dx)
{
  const size_t planes = (size_t) g->n * (size_t) g->c;
  for (size_t p = 0; p < planes; p++)
    for (int o = 0; o < g->out_h; o++)
      {
        const Pool2Row at = pool2_row (g, p, o);
        float *restrict r0 = dx + at.in0, *restrict r1 = r0 + g->in_w;
        const float *restrict dr = dy + at.out;
        for (int q = 0; q < g->out_w; q++)
          {
            float gv = dr[q] / 4.0f;
            r0[2 * q] += gv;
            r0[2 * q + 1] += gv;
            r1[2 * q] += gv;
            r1[2 * q + 1] += gv;
          }
      }
}

void
gn_avgpool_forward (const GnPoolGeom *g, const float *x, float *y)
{
  if (pool3_path (g))
    {
      avgpool3_forward (g, x, y);
      return;
    }
  if (pool2_path (g))
    {
      avgpool2_forward (g, x, y);
      return;
    }
  if (fast_path (g))
    {
      avgpool_forward_fast (g, x, y);
      return;
    }
  size_t in_plane = (size_t) g->in_h * (size_t) g->in_w;
  size_t out_plane = (size_t) g->out_h * (size_t) g->out_w;
  size_t planes = (size_t) g->n * (size_t) g->c;

  for (size_t p = 0; p < planes; p++)
    {
      const float *restrict xp = x + p * in_plane;
      float *restrict yp = y + p * out_plane;
      for (int oh = 0; oh < g->out_h; oh++)
        {
          Span sh = window_span (oh, g->stride, g->pad, g->k, g->in_h);
          for (int ow = 0; ow < g->out_w; ow++)
            {
              Span sw = window_span (ow, g->stride, g->pad, g->k, g->in_w);
              /* pad <= k/2 guarantees a non-empty real window */
              float divisor = window_divisor (g, sh, sw);
              float acc = 0.0f;
              for (int ih = sh.start; ih < sh.end; ih++)
                {
                  const float *restrict row = xp + (size_t) ih * g->in_w;
                  for (int iw = sw.start; iw < sw.end; iw++)
                    acc += row[iw];
                }
              yp[(size_t) oh * g->out_w + ow] = acc / divisor;
            }
        }
    }
}

void
gn_avgpool_backward (const GnPoolGeom *g, const float *dy, float *dx)
{
  if (pool3_path (g))
    {
      avgpool3_backward (g, dy, dx);
      return;
    }
  if (pool2_path (g))
    {
      avgpool2_backward (g, dy, dx);
      return;
    }
  if (fast_path (g))
    {
      avgpool_backward_fast (g, dy, dx);
      return;
    }
  size_t in_plane = (size_t) g->in_h * (size_t) g->in_w;
  size_t out_plane = (size_t) g->out_h * (size_t) g->out_w;
  size_t planes = (size_t) g->n * (size_t) g->c;

  for (size_t p = 0; p < planes; p++)
    {
      const float *restrict dyp = dy + p * out_plane;
      float *restrict dxp = dx + p * in_plane;
      for (int oh = 0; oh < g->out_h; oh++)
        {
          Span sh = window_span (oh, g->stride, g->pad, g->k, g->in_h);
          for (int ow = 0; ow < g->out_w; ow++)
            {
              Span sw = window_span (ow, g->stride, g->pad, g->k, g->in_w);
              float divisor = window_divisor (g, sh, sw);
              /* overlapping windows (stride < k) scatter into the same
               * cells, hence += inside the window as well */
              float gv = dyp[(size_t) oh * g->out_w + ow] / divisor;
              for (int ih = sh.start; ih < sh.end; ih++)
                add_const (dxp + (size_t) ih * g->in_w + sw.start,
                           sw.end - sw.start, gv);
            }
        }
    }
}

/* One output of a window clipped at the border: padding never wins, it
 * acts as -inf, so only real cells are scanned.  Strict > keeps the first
 * maximum on ties; a NaN always replaces the running maximum (so the value
 * is NaN and the index the last NaN), as PyTorch's CPU kernel does. */
static inline void
maxpool_clipped (const GnPoolGeom *g, const float *restrict xp, int oh,
                 int ow, float *restrict y, gint32 *restrict a)
{
  int h0 = oh * g->stride - g->pad, w0 = ow * g->stride - g->pad;
  int h1 = MIN (h0 + g->k, g->in_h), w1 = MIN (w0 + g->k, g->in_w);
  h0 = MAX (h0, 0);
  w0 = MAX (w0, 0);
  gint32 best = (gint32) (h0 * g->in_w + w0);
  float maxval = -INFINITY;
  for (int ih = h0; ih < h1; ih++)
    for (int iw = w0; iw < w1; iw++)
      {
        gint32 idx = (gint32) (ih * g->in_w + iw);
        float v = xp[idx];
        if (v > maxval || isnan (v))
          {
            maxval = v;
            best = idx;
          }
      }
  *y = maxval;
  *a = best;
}

/* The outputs ow in [lo, hi) of row oh, whose windows do not cross the
 * left or right border (rows outside the input are skipped: the clipped
 * window's cells keep their scan order).  The window's cells are the
 * outer loop and the outputs the inner one, so the compare-and-select
 * runs across a row of outputs in vector registers; the same rule as
 * maxpool_clipped (v > max, or v a NaN, takes over). */
static inline void
maxpool_row_inside (const GnPoolGeom *g, const float *restrict xp, int oh,
                    int lo, int hi, float *restrict y, gint32 *restrict a)
{
  const int s = g->stride, in_w = g->in_w;
  const int h0 = MAX (oh * s - g->pad, 0);
  const int h1 = MIN (oh * s - g->pad + g->k, g->in_h);
  for (int ow = lo; ow < hi; ow++)
    {
      y[ow] = -INFINITY;
      a[ow] = (gint32) (h0 * in_w + ow * s - g->pad);
    }
  for (int ih = h0; ih < h1; ih++)
    for (int dw = 0; dw < g->k; dw++)
      {
        const gint32 base = (gint32) (ih * in_w - g->pad + dw);
        if (s == 1)
          {
            const float *restrict xr = xp + base;
            for (int ow = lo; ow < hi; ow++)
              {
                float v = xr[ow];
                gboolean take = v > y[ow] || v != v;
                y[ow] = take ? v : y[ow];
                a[ow] = take ? base + (gint32) ow : a[ow];
              }
          }
        else
          for (int ow = lo; ow < hi; ow++)
            {
              gint32 idx = base + (gint32) (ow * s);
              float v = xp[idx];
              gboolean take = v > y[ow] || v != v;
              y[ow] = take ? v : y[ow];
              a[ow] = take ? idx : a[ow];
            }
      }
}

/* A full K x K window at stride 1 (rows and columns inside the input),
 * for the outputs ow in [lo, hi) of a row, four outputs at a time in
 * GCC's portable vector types (SSE2 on x86-64, NEON elsewhere): the
 * running maximum and its index stay in registers, the select is a
 * bitwise blend, and the rule is maxpool_clipped's (v > max, or v a NaN,
 * takes over), so the result is the scalar scan's bit for bit. */
typedef float v4f __attribute__ ((vector_size (16)));
typedef gint32 v4i __attribute__ ((vector_size (16)));

static inline void
maxpool_row_full_s1 (const float *restrict xp, int in_w, int pad, int oh,
                     int lo, int hi, float *restrict y, gint32 *restrict a,
                     const int K)
{
  const int h0 = oh - pad;
  int ow = lo;
  for (; ow + 4 <= hi; ow += 4)
    {
      const gint32 first = (gint32) (h0 * in_w + ow - pad);
      v4f m = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
      v4i best = { first, first + 1, first + 2, first + 3 };
      for (int dh = 0; dh < K; dh++)
        for (int dw = 0; dw < K; dw++)
          {
            gint32 idx = first + (gint32) (dh * in_w + dw);
            v4f v;
            memcpy (&v, xp + idx, sizeof v);
            v4i take = (v > m) | (v != v);
            v4i i4 = { idx, idx + 1, idx + 2, idx + 3 };
            m = (v4f) (((v4i) v & take) | ((v4i) m & ~take));
            best = (i4 & take) | (best & ~take);
          }
      memcpy (y + ow, &m, sizeof m);
      memcpy (a + ow, &best, sizeof best);
    }
  for (; ow < hi; ow++)
    {
      const gint32 first = (gint32) (h0 * in_w + ow - pad);
      float m = -INFINITY;
      gint32 best = first;
      for (int dh = 0; dh < K; dh++)
        for (int dw = 0; dw < K; dw++)
          {
            gint32 idx = first + (gint32) (dh * in_w + dw);
            float v = xp[idx];
            if (v > m || isnan (v))
              {
                m = v;
                best = idx;
              }
          }
      y[ow] = m;
      a[ow] = best;
    }
}

void
gn_maxpool_forward (const GnPoolGeom *g, const float *x, float *y,
                    gint32 *argmax)
{
  size_t in_plane = (size_t) g->in_h * (size_t) g->in_w;
  size_t out_plane = (size_t) g->out_h * (size_t) g->out_w;
  size_t planes = (size_t) g->n * (size_t) g->c;
  /* the outputs whose windows do not cross the left or right border */
  int lo = (g->pad + g->stride - 1) / g->stride;
  int hi = (g->in_w + g->pad - g->k) / g->stride + 1;
  lo = MIN (lo, g->out_w);
  hi = CLAMP (hi, lo, g->out_w);

  for (size_t p = 0; p < planes; p++)
    {
      const float *restrict xp = x + p * in_plane;
      float *restrict yp = y + p * out_plane;
      gint32 *restrict ap = argmax + p * out_plane;
      for (int oh = 0; oh < g->out_h; oh++)
        {
          float *yr = yp + (size_t) oh * g->out_w;
          gint32 *ar = ap + (size_t) oh * g->out_w;
          for (int ow = 0; ow < lo; ow++)
            maxpool_clipped (g, xp, oh, ow, yr + ow, ar + ow);
          int h0 = oh * g->stride - g->pad;
          gboolean full = g->stride == 1 && h0 >= 0 && h0 + g->k <= g->in_h;
          if (full && g->k == 3)
            maxpool_row_full_s1 (xp, g->in_w, g->pad, oh, lo, hi, yr, ar, 3);
          else if (full && g->k == 5)
            maxpool_row_full_s1 (xp, g->in_w, g->pad, oh, lo, hi, yr, ar, 5);
          else if (full && g->k == 7)
            maxpool_row_full_s1 (xp, g->in_w, g->pad, oh, lo, hi, yr, ar, 7);
          else if (hi - lo >= 4)
            maxpool_row_inside (g, xp, oh, lo, hi, yr, ar);
          else
            for (int ow = lo; ow < hi; ow++)
              maxpool_clipped (g, xp, oh, ow, yr + ow, ar + ow);
          for (int ow = hi; ow < g->out_w; ow++)
            maxpool_clipped (g, xp, oh, ow, yr + ow, ar + ow);
        }
    }
}

void
gn_maxpool_backward (const GnPoolGeom *g, const gint32 *argmax,
                     const float *dy, float *dx)
{
  size_t in_plane = (size_t) g->in_h * (size_t) g->in_w;
  size_t out_plane = (size_t) g->out_h * (size_t) g->out_w;
  size_t planes = (size_t) g->n * (size_t) g->c;

  for (size_t p = 0; p < planes; p++)
    {
      const gint32 *restrict ap = argmax + p * out_plane;
      const float *restrict dyp = dy + p * out_plane;
      float *restrict dxp = dx + p * in_plane;
      /* a cell that is the maximum of several overlapping windows
       * receives the sum of their gradients */
      for (size_t o = 0; o < out_plane; o++)
        dxp[ap[o]] += dyp[o];
    }
}

void
gn_global_avgpool_forward (int n, int c, int hw, const float *x, float *y)
{
  size_t planes = (size_t) n * (size_t) c;

  for (size_t p = 0; p < planes; p++)
    {
      const float *restrict xp = x + p * (size_t) hw;
      /* double: a float sum over a large plane drifts */
      double s0 = 0.0, s1 = 0.0;
      int i = 0;
      for (; i + 2 <= hw; i += 2)
        {
          s0 += xp[i];
          s1 += xp[i + 1];
        }
      for (; i < hw; i++)
        s0 += xp[i];
      y[p] = (float) ((s0 + s1) / hw);
    }
}

void
gn_global_avgpool_backward (int n, int c, int hw, const float *dy,
                            float *dx)
{
  size_t planes = (size_t) n * (size_t) c;

  for (size_t p = 0; p < planes; p++)
    {
      add_const (dx + p * (size_t) hw, hw, dy[p] / (float) hw);
    }
}
