/* gn-conv.c - 2-D convolution (torch.nn.Conv2d), forward and backward
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Everything is lowered to cblas_sgemm on unrolled ("im2row") input,
 * except depthwise convolutions and grouped ones of up to 64 channels per
 * group (gn-conv-direct.c).  The products go through gn__gemm() (gn-gemm.h),
 * so with GN_PRECISION_BF16 every one of them runs in bf16 instead (the
 * direct path stays fp32).  The Strategy section below says which of
 * four code paths a geometry takes and why; docs/benchmarks.md has the
 * measurements behind each choice.  All workspace comes from the caller's
 * scratch; nothing here allocates.
 */
#include "config.h"

#include "gn-conv-direct.h"
#include "gn-error.h"
#include "gn-gemm.h"
#include "gn-ops.h"

#include <string.h>

/* Floats of unrolled input per chunk of sgemm calls: chunks of output
 * lines are sized so the im2row buffer stays in L2 between being written
 * and being read by sgemm.  Speed was flat from 32 Ki to 128 Ki floats and
 * fell off beyond the 1 MiB L2 (whole-batch buffers: ~30% slower). */
#ifndef GN_CONV_CHUNK_FLOATS
#define GN_CONV_CHUNK_FLOATS (64 * 1024)
#endif

/* ------------------------------------------------------------------ */
/* Geometry                                                            */
/* ------------------------------------------------------------------ */

gboolean
gn_conv2d_geom_init (GnConv2dGeom *g, GError **error)
{
  g_return_val_if_fail (g != NULL, FALSE);

  struct { const char *name; int v; int min; } checks[] = {
    { "n", g->n, 1 }, { "in_c", g->in_c, 1 }, { "in_h", g->in_h, 1 },
    { "in_w", g->in_w, 1 }, { "out_c", g->out_c, 1 }, { "kh", g->kh, 1 },
    { "kw", g->kw, 1 }, { "stride_h", g->stride_h, 1 },
    { "stride_w", g->stride_w, 1 }, { "pad_h", g->pad_h, 0 },
    { "pad_w", g->pad_w, 0 }, { "dil_h", g->dil_h, 1 },
    { "dil_w", g->dil_w, 1 }, { "groups", g->groups, 1 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (checks); i++)
    if (checks[i].v < checks[i].min)
      {
        g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                     "conv2d: %s is %d, must be >= %d", checks[i].name,
                     checks[i].v, checks[i].min);
        return FALSE;
      }

  if (g->in_c % g->groups != 0 || g->out_c % g->groups != 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "conv2d: groups (%d) must divide in_c (%d) and out_c (%d)",
                   g->groups, g->in_c, g->out_c);
      return FALSE;
    }

  /* 64-bit so absurd dilations or pads cannot wrap around */
  gint64 eh = (gint64) g->in_h + 2 * (gint64) g->pad_h
              - (gint64) g->dil_h * (g->kh - 1) - 1;
  gint64 ew = (gint64) g->in_w + 2 * (gint64) g->pad_w
              - (gint64) g->dil_w * (g->kw - 1) - 1;
  if (eh < 0 || ew < 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "conv2d: empty output: input %dx%d with pad %dx%d is "
                   "smaller than the %dx%d kernel dilated by %dx%d",
                   g->in_h, g->in_w, g->pad_h, g->pad_w, g->kh, g->kw,
                   g->dil_h, g->dil_w);
      return FALSE;
    }
  gint64 oh = eh / g->stride_h + 1;
  gint64 ow = ew / g->stride_w + 1;

  /* Tensors are indexed with size_t, but pixel and line counts are ints
   * in the kernels: bound the largest, the batch of zero-padded planes
   * (which also bounds every unrolled line count), and the taps. */
  const gint64 hp = (gint64) g->in_h + 2 * (gint64) g->pad_h
                    + (gint64) g->dil_h * (g->kh - 1);
  const gint64 wp = (gint64) g->in_w + 2 * (gint64) g->pad_w
                    + (gint64) g->dil_w * (g->kw - 1);
  if (hp > G_MAXINT || wp > G_MAXINT || hp * wp > G_MAXINT / g->n
      || (gint64) MAX (g->in_c, g->out_c) * g->kh * g->kw > G_MAXINT)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "conv2d: geometry too large (batch %d, %dx%d input, "
                   "pad %dx%d, %dx%d kernel)", g->n, g->in_h, g->in_w,
                   g->pad_h, g->pad_w, g->kh, g->kw);
      return FALSE;
    }

  g->out_h = (int) oh;
  g->out_w = (int) ow;
  return TRUE;
}

size_t
gn_conv2d_weight_size (const GnConv2dGeom *g)
{
  return (size_t) g->out_c * (size_t) (g->in_c / g->groups)
         * (size_t) g->kh * (size_t) g->kw;
}

/* ------------------------------------------------------------------ */
/* im2row / row2im                                                     */
/* ------------------------------------------------------------------ */

/* A sliding-window view of a batch of planes: the source of one im2row.
 * The same description serves the forward input (x through the kernel)
 * and, for the transposed-convolution backward, dY through the flipped
 * kernel, whose padding may be negative. */
typedef struct {
  int c_total, c0, cc;  /* channels per image, first one used, how many */
  int h, w;             /* source plane                                */
  int kh, kw, sh, sw, ph, pw, dh, dw;
  int oh, ow;           /* window positions per image                  */
} Win;

/* Range of output columns ox whose tap at ix = ox*s + ix0 lands in
 * [0, w): [*lo, *hi). */
static inline void
tap_range (int ix0, int s, int w, int ow, int *lo, int *hi)
{
  int a = ix0 >= 0 ? 0 : (-ix0 + s - 1) / s;
  int b = w - ix0 <= 0 ? 0 : (w - ix0 + s - 1) / s;
  a = MIN (a, ow);
  b = MIN (b, ow);
  *lo = a;
  *hi = MAX (a, b);
}

static void im2row_k4 (const Win *v, const float *src, int l0, int l1,
                       float *restrict dst);

/* Unrolls the batch into rows: one row per window position, holding the
 * cc*kh*kw window values in PyTorch's weight order (c, i, j) (the
 * "pixel-major" layout, see the Strategy section).  Lines [l0, l1) are
 * rows (b, oy) of the window grid, flattened over the batch, so a chunk
 * may straddle images. */
static void
im2row (const Win *v, const float *src, int l0, int l1, float *restrict dst)
{
  const int K = v->cc * v->kh * v->kw;
  const size_t plane = (size_t) v->h * v->w;

  if (v->dw == 1 && v->kw <= 4)
    {
      im2row_k4 (v, src, l0, l1, dst);
      return;
    }

  for (int l = l0; l < l1; l++)
    {
      const int b = l / v->oh, oy = l % v->oh;
      float *restrict drow = dst + (size_t) (l - l0) * v->ow * K;
      const float *img = src + ((size_t) b * v->c_total + v->c0) * plane;

      for (int j = 0; j < v->kw; j++)
        {
          int lo, hi;
          const int ix0 = j * v->dw - v->pw;
          tap_range (ix0, v->sw, v->w, v->ow, &lo, &hi);
          for (int c = 0; c < v->cc; c++)
            for (int i = 0; i < v->kh; i++)
              {
                const int k = (c * v->kh + i) * v->kw + j;
                const int iy = oy * v->sh - v->ph + i * v->dh;
                float *restrict d = drow + k;
                if (iy < 0 || iy >= v->h)
                  {
                    for (int ox = 0; ox < v->ow; ox++)
                      d[(size_t) ox * K] = 0.0f;
                    continue;
                  }
                const float *restrict s = img + c * plane
                                          + (size_t) iy * v->w + ix0;
                for (int ox = 0; ox < lo; ox++)
                  d[(size_t) ox * K] = 0.0f;
                if (v->sw == 1)
                  for (int ox = lo; ox < hi; ox++)
                    d[(size_t) ox * K] = s[ox];
                else
                  for (int ox = lo; ox < hi; ox++)
                    d[(size_t) ox * K] = s[(size_t) ox * v->sw];
                for (int ox = hi; ox < v->ow; ox++)
                  d[(size_t) ox * K] = 0.0f;
              }
        }
    }
}

/* Writes the kw taps of pixels [ox0, ox1) exactly, zero outside the row. */
static inline void
taps_exact (float *restrict d, const float *s, int K, int kw, int sw, int pw,
            int w, int ox0, int ox1)
{
  for (int ox = ox0; ox < ox1; ox++)
    for (int j = 0; j < kw; j++)
      {
        const int ix = ox * sw - pw + j;
        d[(size_t) ox * K + j] = ix >= 0 && ix < w ? s[ix] : 0.0f;
      }
}

/* im2row for dilation 1 along the width and kw <= 4, the common case (3x3
 * and 1x1 kernels).  Each (c, i) tap row contributes kw contiguous source
 * floats per pixel, moved as one 16-byte block; the up-to-3 floats written
 * past the segment belong to the following segments of the row, which are
 * written later and overwrite them.  The row's last segment, and pixels
 * whose 4-float read leaves the source row, take the exact path.  Filling
 * column-wise (one tap row for every pixel of the line) beat filling each
 * row front to back by 2.5x, and the per-float general loop by 2-4x
 * (micro-benchmark, 16 channels 3x3: 0.14 vs 0.35 vs 0.3-0.6 ns per
 * element). */
static void
im2row_k4 (const Win *v, const float *src, int l0, int l1,
           float *restrict dst)
{
  const int K = v->cc * v->kh * v->kw, kw = v->kw, pw = v->pw;
  const int h = v->h, w = v->w, ow = v->ow, sw = v->sw;
  const size_t plane = (size_t) h * w;
  int lo, hi;

  /* pixels whose read [ox sw - pw, ox sw - pw + 4) lies inside the row */
  tap_range (-pw, sw, w - 3, ow, &lo, &hi);

  for (int l = l0; l < l1; l++)
    {
      const int b = l / v->oh, oy = l % v->oh;
      float *restrict drow = dst + (size_t) (l - l0) * ow * K;
      const float *img = src + ((size_t) b * v->c_total + v->c0) * plane;

      for (int c = 0; c < v->cc; c++)
        for (int i = 0; i < v->kh; i++)
          {
            const int k = (c * v->kh + i) * kw;
            const int iy = oy * v->sh - v->ph + i * v->dh;
            float *restrict d = drow + k;
            if (iy < 0 || iy >= h)
              {
                for (int ox = 0; ox < ow; ox++)
                  for (int j = 0; j < kw; j++)
                    d[(size_t) ox * K + j] = 0.0f;
                continue;
              }
            const float *s = img + c * plane + (size_t) iy * w;
            if (k + 4 > K || lo == hi)
              {
                taps_exact (d, s, K, kw, sw, pw, w, 0, ow);
                continue;
              }
            taps_exact (d, s, K, kw, sw, pw, w, 0, lo);
            for (int ox = lo; ox < hi; ox++)
              memcpy (d + (size_t) ox * K, s + ox * sw - pw,
                      4 * sizeof (float));
            taps_exact (d, s, K, kw, sw, pw, w, hi, ow);
          }
    }
}

/* The adjoint of im2row: scatter-adds the rows back onto the planes. */
static void
row2im (const Win *v, const float *restrict rows, int l0, int l1,
        float *dst)
{
  const int K = v->cc * v->kh * v->kw;
  const size_t plane = (size_t) v->h * v->w;

  for (int l = l0; l < l1; l++)
    {
      const int b = l / v->oh, oy = l % v->oh;
      const float *restrict srow = rows + (size_t) (l - l0) * v->ow * K;
      float *img = dst + ((size_t) b * v->c_total + v->c0) * plane;

      for (int j = 0; j < v->kw; j++)
        {
          int lo, hi;
          const int ix0 = j * v->dw - v->pw;
          tap_range (ix0, v->sw, v->w, v->ow, &lo, &hi);
          for (int c = 0; c < v->cc; c++)
            for (int i = 0; i < v->kh; i++)
              {
                const int iy = oy * v->sh - v->ph + i * v->dh;
                if (iy < 0 || iy >= v->h)
                  continue;
                const int k = (c * v->kh + i) * v->kw + j;
                const float *restrict s = srow + k;
                float *restrict d = img + c * plane + (size_t) iy * v->w + ix0;
                for (int ox = lo; ox < hi; ox++)
                  d[(size_t) ox * v->sw] += s[(size_t) ox * K];
              }
        }
    }
}

/* ------------------------------------------------------------------ */
/* Strategy                                                            */
/* ------------------------------------------------------------------ */

/* Four ways to run a convolution, picked from the geometry alone:
 *
 *  POINTWISE  1x1, stride 1, no padding: NCHW already is the im2col
 *             matrix, so every product runs on the tensors in place.
 *  SHIFT      stride 1: the input is unrolled along the kernel width
 *             only, into rows of cin/groups * kw floats per pixel; the kh
 *             kernel rows are kh sgemms over the same buffer shifted by
 *             whole lines.  That cuts im2row traffic by kh and lets dX be
 *             a stride-1 convolution of dY too (the transposed
 *             convolution), sharing all the code.
 *  GENERAL    anything strided: the classic full im2row, with dX from
 *             dcol = dY W and a row2im scatter-add.
 *  DIRECT     one input channel per group, or up to 64 in each of
 *             several groups: sgemm would see products of width 1
 *             (measured 2 GFLOP/s) or a few dozen, so gn-conv-direct.c
 *             convolves the planes directly, vectorised across pixels;
 *             for groups wider than 8 channels it leaves dW to the
 *             sgemm path the geometry would take otherwise.
 *
 * Every unrolled buffer is "pixel-major" (one row of K taps per output
 * pixel) rather than im2col's [K][pixels]: OpenBLAS runs the resulting
 * tall-skinny products much closer to peak when a side is a small channel
 * count (16 channels: ~80-100 vs ~50 GFLOP/s measured). */
typedef enum {
  PATH_POINTWISE, PATH_SHIFT, PATH_GENERAL, PATH_DIRECT
} ConvPath;

/* the path of a convolution that sgemm runs */
static ConvPath
gemm_path (const GnConv2dGeom *g)
{
  if (g->stride_h != 1 || g->stride_w != 1)
    return PATH_GENERAL;
  if (g->kh == 1 && g->kw == 1 && g->pad_h == 0 && g->pad_w == 0)
    return PATH_POINTWISE;
  return PATH_SHIFT;
}

static ConvPath
conv_path (const GnConv2dGeom *g)
{
  return gn__conv_direct_wanted (g) ? PATH_DIRECT : gemm_path (g);
}

static Win
win_forward (const GnConv2dGeom *g)
{
  return (Win) {
    .c_total = g->in_c, .c0 = 0, .cc = g->in_c / g->groups,
    .h = g->in_h, .w = g->in_w, .kh = g->kh, .kw = g->kw,
    .sh = g->stride_h, .sw = g->stride_w, .ph = g->pad_h, .pw = g->pad_w,
    .dh = g->dil_h, .dw = g->dil_w, .oh = g->out_h, .ow = g->out_w,
  };
}

/* dX of a stride-1 convolution is dY correlated with the spatially flipped,
 * in/out-transposed kernel, padded so the output regains the input size
 * (the padding is negative when the forward one exceeds the kernel). */
static Win
win_transposed (const GnConv2dGeom *g)
{
  return (Win) {
    .c_total = g->out_c, .c0 = 0, .cc = g->out_c / g->groups,
    .h = g->out_h, .w = g->out_w, .kh = g->kh, .kw = g->kw,
    .sh = 1, .sw = 1,
    .ph = g->dil_h * (g->kh - 1) - g->pad_h,
    .pw = g->dil_w * (g->kw - 1) - g->pad_w,
    .dh = g->dil_h, .dw = g->dil_w, .oh = g->in_h, .ow = g->in_w,
  };
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

/* Writes (or adds) the [rows][c] product of lines [l0, l1) (flattened
 * over the batch) into NCHW planes, adding the bias: a small transpose of
 * data still in cache. */
static void
rows_to_nchw (const float *restrict t, int c, int oh, int ow, int l0,
              int l1, const float *bias, float *restrict y, gboolean add)
{
  const size_t plane = (size_t) oh * ow;
  for (int l = l0; l < l1; l++)
    {
      const int b = l / oh, oy = l % oh;
      const float *restrict tl = t + (size_t) (l - l0) * ow * c;
      float *yl = y + (size_t) b * c * plane + (size_t) oy * ow;
      for (int o = 0; o < c; o++)
        {
          float *restrict yo = yl + o * plane;
          const float bo = bias ? bias[o] : 0.0f;
          if (add)
            for (int ox = 0; ox < ow; ox++)
              yo[ox] += tl[(size_t) ox * c + o];
          else
            for (int ox = 0; ox < ow; ox++)
              yo[ox] = tl[(size_t) ox * c + o] + bo;
        }
    }
}

/* Copies lines [l0, l1) of NCHW planes into [c][rows]: ow-long runs. */
static void
nchw_to_crows (const float *restrict y, int c, int oh, int ow, int l0,
               int l1, float *restrict d)
{
  const size_t plane = (size_t) oh * ow;
  const size_t rows = (size_t) (l1 - l0) * ow;
  for (int l = l0; l < l1; l++)
    {
      const int b = l / oh, oy = l % oh;
      const float *yl = y + (size_t) b * c * plane + (size_t) oy * ow;
      for (int o = 0; o < c; o++)
        memcpy (d + o * rows + (size_t) (l - l0) * ow, yl + o * plane,
                (size_t) ow * sizeof (float));
    }
}

static void
bias_grad (const GnConv2dGeom *g, const float *dy, float *db)
{
  const size_t plane = (size_t) g->out_h * g->out_w;
  for (int o = 0; o < g->out_c; o++)
    {
      double s = 0.0;
      for (int bi = 0; bi < g->n; bi++)
        {
          const float *p = dy + ((size_t) bi * g->out_c + o) * plane;
          /* eight independent float chains instead of one: the sum is
           * latency-bound otherwise (4x slower measured); the planes are
           * then summed in double so large batches lose nothing */
          float a[8] = { 0 };
          size_t i = 0;
          for (; i + 8 <= plane; i += 8)
            for (int k = 0; k < 8; k++)
              a[k] += p[i + k];
          for (; i < plane; i++)
            a[0] += p[i];
          s += (double) ((a[0] + a[1]) + (a[2] + a[3]))
               + (double) ((a[4] + a[5]) + (a[6] + a[7]));
        }
      db[o] += (float) s;
    }
}

/* Lines of @w pixels of @k floats that fit one chunk, minus @halo extra
 * lines the chunk also unrolls, clamped to [1, total]. */
static inline int
chunk_lines (int w, int k, int halo, int total)
{
  size_t per = MAX ((size_t) w * (size_t) k, (size_t) 1);
  size_t lines = GN_CONV_CHUNK_FLOATS / per;
  lines = lines > (size_t) halo ? lines - (size_t) halo : 1;
  return (int) CLAMP (lines, (size_t) 1, (size_t) total);
}

/* ------------------------------------------------------------------ */
/* SHIFT: stride-1 convolution by line-shifted sgemms                  */
/* ------------------------------------------------------------------ */

/* A stride-1 convolution of @groups groups of v.cc channels into @co
 * channels each, over @n images. */
typedef struct {
  Win v;
  int groups, co, n;
} Shift;

static inline int
shift_halo (const Win *v)
{
  return v->dh * (v->kh - 1);
}

static inline int
shift_lines (const Shift *s)
{
  return chunk_lines (s->v.ow, s->v.cc * s->v.kw, shift_halo (&s->v),
                      s->v.oh);
}

/* floats of one source line transposed to pixel-major, padding included
 * (see unroll_kw()) */
static inline size_t
shift_line_floats (const Shift *s)
{
  return (size_t) (s->v.ow + (s->v.kw - 1) * s->v.dw) * s->v.cc;
}

/* floats of the unrolled rows of one chunk */
static inline size_t
shift_unrolled_floats (const Shift *s)
{
  return (size_t) (shift_lines (s) + shift_halo (&s->v)) * s->v.ow
         * s->v.cc * s->v.kw;
}

/* floats for the row buffer (the unrolled rows, then one transposed
 * line) and the product of one chunk */
static inline size_t
shift_rows_floats (const Shift *s)
{
  return shift_unrolled_floats (s) + shift_line_floats (s);
}

static inline size_t
shift_prod_floats (const Shift *s)
{
  return (size_t) shift_lines (s) * s->v.ow * s->groups * s->co;
}

#if defined(__clang__)
typedef float V4 __attribute__ ((ext_vector_type (4)));
#define SHUFFLE4(a, b, i, j, k, l) __builtin_shufflevector (a, b, i, j, k, l)
#elif defined(__GNUC__)
typedef float V4 __attribute__ ((vector_size (16)));
typedef int V4i __attribute__ ((vector_size (16)));
#define SHUFFLE4(a, b, i, j, k, l) __builtin_shuffle (a, b, (V4i) { i, j, k, l })
#endif

/* line[t][c] = src[c][t - pw] for t in [t0, t1), channels [0, cc), each
 * source row @plane floats after the previous one. */
static void
transpose_line (const float *src, size_t plane, int cc, int pw, int t0,
                int t1, float *restrict line)
{
  int c = 0;
#ifdef SHUFFLE4
  /* 4x4 blocks in registers: four unaligned loads, eight shuffles, four
   * stores, against sixteen scattered scalar stores */
  for (; c + 4 <= cc; c += 4)
    {
      const float *s0 = src + (size_t) c * plane - pw;
      int t = t0;
      for (; t + 4 <= t1; t += 4)
        {
          V4 r0, r1, r2, r3;
          memcpy (&r0, s0 + t, sizeof r0);
          memcpy (&r1, s0 + plane + t, sizeof r1);
          memcpy (&r2, s0 + 2 * plane + t, sizeof r2);
          memcpy (&r3, s0 + 3 * plane + t, sizeof r3);
          V4 a = SHUFFLE4 (r0, r1, 0, 4, 1, 5);
          V4 b = SHUFFLE4 (r2, r3, 0, 4, 1, 5);
          V4 d = SHUFFLE4 (r0, r1, 2, 6, 3, 7);
          V4 e = SHUFFLE4 (r2, r3, 2, 6, 3, 7);
          V4 o0 = SHUFFLE4 (a, b, 0, 1, 4, 5);
          V4 o1 = SHUFFLE4 (a, b, 2, 3, 6, 7);
          V4 o2 = SHUFFLE4 (d, e, 0, 1, 4, 5);
          V4 o3 = SHUFFLE4 (d, e, 2, 3, 6, 7);
          float *l = line + (size_t) t * cc + c;
          memcpy (l, &o0, sizeof o0);
          memcpy (l + cc, &o1, sizeof o1);
          memcpy (l + 2 * cc, &o2, sizeof o2);
          memcpy (l + 3 * cc, &o3, sizeof o3);
        }
      for (; t < t1; t++)
        for (int k = 0; k < 4; k++)
          line[(size_t) t * cc + c + k] = s0[(size_t) k * plane + t];
    }
#endif
  for (; c < cc; c++)
    for (int t = t0; t < t1; t++)
      line[(size_t) t * cc + c] = src[(size_t) c * plane + t - pw];
}

/* The SHIFT path's unroll: lines [l0, l1) of the window grid of @v (kernel
 * height 1, stride 1: line l is source row l % oh - ph of image l / oh),
 * each pixel's row in tap-major order (j, c): kw runs of cc floats, run j
 * holding the channels at column ox - pw + j dw.  Each source line is
 * transposed to pixel-major first, padding included, into @line
 * (shift_line_floats()), so every run is one contiguous copy, and with
 * dilation 1 a pixel's whole row is (kw cc floats from column ox - pw).
 * That writes the rows front to back, about 1.3x faster than im2row()'s
 * per-channel 16-byte stores (micro-benchmark, 16 channels 3x3). */
static void
unroll_kw (const Win *v, const float *src, int l0, int l1,
           float *restrict dst, float *restrict line)
{
  const int cc = v->cc, kw = v->kw, ow = v->ow, w = v->w;
  const int tw = ow + (kw - 1) * v->dw;
  const size_t K = (size_t) cc * kw, plane = (size_t) v->h * w;
  /* line column t is source column t - pw: inside for t in [t0, t1) */
  const int t0 = CLAMP (v->pw, 0, tw), t1 = CLAMP (w + v->pw, t0, tw);

  memset (line, 0, (size_t) t0 * cc * sizeof (float));
  memset (line + (size_t) t1 * cc, 0, (size_t) (tw - t1) * cc
                                      * sizeof (float));
  for (int l = l0; l < l1; l++)
    {
      const int b = l / v->oh, iy = l % v->oh - v->ph;
      float *restrict d = dst + (size_t) (l - l0) * ow * K;
      if (iy < 0 || iy >= v->h)
        {
          memset (d, 0, (size_t) ow * K * sizeof (float));
          continue;
        }
      transpose_line (src + ((size_t) b * v->c_total + v->c0) * plane
                      + (size_t) iy * w, plane, cc, v->pw, t0, t1, line);
      if (v->dw == 1)
        for (int ox = 0; ox < ow; ox++)
          memcpy (d + (size_t) ox * K, line + (size_t) ox * cc,
                  K * sizeof (float));
      else
        for (int ox = 0; ox < ow; ox++)
          for (int j = 0; j < kw; j++)
            memcpy (d + (size_t) ox * K + (size_t) j * cc,
                    line + (size_t) (ox + j * v->dw) * cc,
                    (size_t) cc * sizeof (float));
    }
}

/* Unrolls, along the kernel width only, the source lines that output lines
 * [y0, y1) of image @b need from group @gi: y1 - y0 + halo lines of ow
 * rows of kw * cc floats.  SHIFT chunks never straddle images: kernel row
 * i of output line y is unrolled line y + i dil_h of the same image. */
static void
shift_unroll (const Shift *s, const float *src, int b, int y0, int y1,
              int gi, float *rows)
{
  Win p = s->v;
  p.kh = 1;
  p.c0 = gi * p.cc;
  p.oh = s->v.oh + shift_halo (&s->v); /* unrolled lines per image */
  unroll_kw (&p, src, b * p.oh + y0, b * p.oh + y1 + shift_halo (&s->v),
             rows, rows + shift_unrolled_floats (s));
}

/* dst = conv(src) (+ bias), or dst += conv(src).  @wr holds the weights as
 * [groups][kh][cc * kw][co], so each kernel row is a plain [K][co] operand
 * (a transposed B measured 20-30% slower on 16-32 channels). */
static void
shift_conv (const Shift *s, GnPrecision prec, const float *src,
            const float *wr, const float *bias, float *dst,
            gboolean accumulate, float *rows, float *prod)
{
  const Win *v = &s->v;
  const int kp = v->cc * v->kw, c = s->groups * s->co;
  const int lc = shift_lines (s);

  for (int b = 0; b < s->n; b++)
    for (int y0 = 0; y0 < v->oh; y0 += lc)
      {
        const int y1 = MIN (y0 + lc, v->oh);
        const int m = (y1 - y0) * v->ow;
        for (int gi = 0; gi < s->groups; gi++)
          {
            shift_unroll (s, src, b, y0, y1, gi, rows);
            gn__gemm_sum (prec, CblasNoTrans, CblasNoTrans, m, s->co, kp,
                          v->kh, v->dh * v->ow, 1.0f, rows, kp,
                          wr + (size_t) gi * v->kh * kp * s->co,
                          (size_t) kp * s->co, s->co, 0.0f,
                          prod + gi * s->co, c);
          }
        rows_to_nchw (prod, c, v->oh, v->ow, b * v->oh + y0, b * v->oh + y1,
                      bias, dst, accumulate);
      }
}

/* wr[g][i][(j, c)][o] = w[g*ocg + o][c][i][j] */
static void
shift_weights (const GnConv2dGeom *g, const float *w, float *wr)
{
  const int G = g->groups, cig = g->in_c / G, ocg = g->out_c / G;
  const int kp = cig * g->kw, kk = g->kh * g->kw;
  for (int gi = 0; gi < G; gi++)
    for (int o = 0; o < ocg; o++)
      for (int c = 0; c < cig; c++)
        for (int i = 0; i < g->kh; i++)
          for (int j = 0; j < g->kw; j++)
            wr[((size_t) (gi * g->kh + i) * kp + j * cig + c) * ocg + o] =
              w[((size_t) (gi * ocg + o) * cig + c) * kk + i * g->kw + j];
}

/* The transposed convolution's weights: input channels are the forward
 * outputs, taps flipped: wr[g][i'][(j', co)][ci] =
 * w[g*ocg + co][ci][kh-1-i'][kw-1-j'] */
static void
shift_weights_transposed (const GnConv2dGeom *g, const float *w, float *wr)
{
  const int G = g->groups, cig = g->in_c / G, ocg = g->out_c / G;
  const int kp = ocg * g->kw, kk = g->kh * g->kw;
  for (int gi = 0; gi < G; gi++)
    for (int co = 0; co < ocg; co++)
      for (int ci = 0; ci < cig; ci++)
        for (int i = 0; i < g->kh; i++)
          for (int j = 0; j < g->kw; j++)
            wr[((size_t) (gi * g->kh + i) * kp + j * ocg + co) * cig + ci] =
              w[((size_t) (gi * ocg + co) * cig + ci) * kk
                + (g->kh - 1 - i) * g->kw + (g->kw - 1 - j)];
}

static Shift
shift_forward_of (const GnConv2dGeom *g)
{
  return (Shift) { win_forward (g), g->groups, g->out_c / g->groups, g->n };
}

static Shift
shift_transposed_of (const GnConv2dGeom *g)
{
  return (Shift) { win_transposed (g), g->groups, g->in_c / g->groups,
                   g->n };
}

/* dw += dY x-unrolled, kernel row by kernel row, via a reordered
 * accumulator dwr[g][i][o][(j, c)] (weight-sized) folded in at the end. */
static void
shift_weight_grad (const GnConv2dGeom *g, GnPrecision prec, const float *x,
                   const float *dy, float *dw, float *dwr, float *rows)
{
  const Shift s = shift_forward_of (g);
  const int G = g->groups, cig = g->in_c / G, ocg = g->out_c / G;
  const int kp = cig * g->kw, kk = g->kh * g->kw;
  const int lc = shift_lines (&s);
  const size_t plane = (size_t) g->out_h * g->out_w;
  memset (dwr, 0, gn_conv2d_weight_size (g) * sizeof (float));
  for (int b = 0; b < g->n; b++)
    for (int y0 = 0; y0 < g->out_h; y0 += lc)
      {
        const int y1 = MIN (y0 + lc, g->out_h);
        const int m = (y1 - y0) * g->out_w;
        for (int gi = 0; gi < G; gi++)
          {
            /* the chunk lies in one image: dY is used in place */
            const float *d = dy + ((size_t) b * g->out_c + gi * ocg) * plane
                             + (size_t) y0 * g->out_w;
            shift_unroll (&s, x, b, y0, y1, gi, rows);
            gn__gemm_kshift (prec, ocg, kp, m, g->kh, g->dil_h * g->out_w,
                             1.0f, d, (int) plane, rows, kp, 1.0f,
                             dwr + (size_t) gi * g->kh * ocg * kp,
                             (size_t) ocg * kp, kp);
          }
      }

  for (int gi = 0; gi < G; gi++)
    for (int i = 0; i < g->kh; i++)
      for (int o = 0; o < ocg; o++)
        for (int c = 0; c < cig; c++)
          for (int j = 0; j < g->kw; j++)
            dw[((size_t) (gi * ocg + o) * cig + c) * kk + i * g->kw + j] +=
              dwr[((size_t) (gi * g->kh + i) * ocg + o) * kp + j * cig + c];
}

/* ------------------------------------------------------------------ */
/* GENERAL: full im2row over the flattened batch                       */
/* ------------------------------------------------------------------ */

static inline int
general_lines (const GnConv2dGeom *g)
{
  return chunk_lines (g->out_w, g->in_c / g->groups * g->kh * g->kw, 0,
                      g->n * g->out_h);
}

/* wr[g][k][o] = w[g*ocg + o][k]: see shift_conv() on B's layout */
static void
general_weights (const GnConv2dGeom *g, const float *w, float *wr)
{
  const int G = g->groups, ocg = g->out_c / G;
  const int kg = g->in_c / G * g->kh * g->kw;
  for (int gi = 0; gi < G; gi++)
    for (int o = 0; o < ocg; o++)
      for (int k = 0; k < kg; k++)
        wr[((size_t) gi * kg + k) * ocg + o] =
          w[((size_t) gi * ocg + o) * kg + k];
}

static void
general_forward (const GnConv2dGeom *g, GnPrecision prec, const float *x,
                 const float *w, const float *b, float *y, float *scratch)
{
  const int G = g->groups, ocg = g->out_c / G;
  const int kg = g->in_c / G * g->kh * g->kw;
  const int lines = g->n * g->out_h, lc = general_lines (g);
  float *wr = scratch;
  float *col = wr + gn_conv2d_weight_size (g);
  float *t = col + (size_t) lc * g->out_w * kg;
  Win v = win_forward (g);

  general_weights (g, w, wr);
  for (int l0 = 0; l0 < lines; l0 += lc)
    {
      const int l1 = MIN (l0 + lc, lines);
      const int m = (l1 - l0) * g->out_w;
      for (int gi = 0; gi < G; gi++)
        {
          v.c0 = gi * v.cc;
          im2row (&v, x, l0, l1, col);
          gn__gemm (prec, CblasNoTrans, CblasNoTrans, m, ocg, kg, 1.0f, col,
                    kg, wr + (size_t) gi * kg * ocg, ocg, 0.0f, t + gi * ocg,
                    g->out_c);
        }
      rows_to_nchw (t, g->out_c, g->out_h, g->out_w, l0, l1, b, y, FALSE);
    }
}

/* dW += dY col per chunk; dX: dcol = dY^T W, scattered back by row2im. */
static void
general_backward (const GnConv2dGeom *g, GnPrecision prec, const float *x,
                  const float *w, const float *dy, float *dx, float *dw,
                  float *scratch)
{
  const int G = g->groups, ocg = g->out_c / G;
  const int kg = g->in_c / G * g->kh * g->kw;
  const int lines = g->n * g->out_h, lc = general_lines (g);
  float *col = scratch;
  float *d = col + (size_t) lc * g->out_w * kg;
  Win v = win_forward (g);

  for (int l0 = 0; l0 < lines; l0 += lc)
    {
      const int l1 = MIN (l0 + lc, lines);
      const int m = (l1 - l0) * g->out_w;
      nchw_to_crows (dy, g->out_c, g->out_h, g->out_w, l0, l1, d);
      for (int gi = 0; gi < G; gi++)
        {
          const float *dg = d + (size_t) gi * ocg * m;
          v.c0 = gi * v.cc;
          if (dw != NULL)
            {
              im2row (&v, x, l0, l1, col);
              gn__gemm (prec, CblasNoTrans, CblasNoTrans, ocg, kg, m, 1.0f, dg,
                        m, col, kg, 1.0f, dw + (size_t) gi * ocg * kg, kg);
            }
          if (dx != NULL)
            {
              gn__gemm (prec, CblasTrans, CblasNoTrans, m, kg, ocg, 1.0f, dg,
                        m, w + (size_t) gi * ocg * kg, kg, 0.0f, col, kg);
              row2im (&v, col, l0, l1, dx);
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* POINTWISE: 1x1 products straight on the NCHW tensors                */
/* ------------------------------------------------------------------ */

static void
pointwise_forward (const GnConv2dGeom *g, GnPrecision prec, const float *x,
                   const float *w, const float *b, float *y)
{
  const int G = g->groups, cig = g->in_c / G, ocg = g->out_c / G;
  const int p = g->out_h * g->out_w;

  for (int bi = 0; bi < g->n; bi++)
    for (int gi = 0; gi < G; gi++)
      {
        float *yg = y + ((size_t) bi * g->out_c + gi * ocg) * p;
        if (b != NULL)
          for (int o = 0; o < ocg; o++)
            for (int q = 0; q < p; q++)
              yg[(size_t) o * p + q] = b[gi * ocg + o];
        gn__gemm (prec, CblasNoTrans, CblasNoTrans, ocg, p, cig, 1.0f,
                  w + (size_t) gi * ocg * cig, cig,
                  x + ((size_t) bi * g->in_c + gi * cig) * p, p,
                  b != NULL ? 1.0f : 0.0f, yg, p);
      }
}

static void
pointwise_backward (const GnConv2dGeom *g, GnPrecision prec, const float *x,
                    const float *w, const float *dy, float *dx, float *dw)
{
  const int G = g->groups, cig = g->in_c / G, ocg = g->out_c / G;
  const int p = g->out_h * g->out_w;

  for (int bi = 0; bi < g->n; bi++)
    for (int gi = 0; gi < G; gi++)
      {
        const float *dyg = dy + ((size_t) bi * g->out_c + gi * ocg) * p;
        const size_t xo = ((size_t) bi * g->in_c + gi * cig) * p;
        if (dw != NULL)
          gn__gemm (prec, CblasNoTrans, CblasTrans, ocg, cig, p, 1.0f, dyg, p,
                    x + xo, p, 1.0f, dw + (size_t) gi * ocg * cig, cig);
        if (dx != NULL)
          gn__gemm (prec, CblasTrans, CblasNoTrans, cig, p, ocg, 1.0f,
                    w + (size_t) gi * ocg * cig, cig, dyg, p, 1.0f, dx + xo,
                    p);
      }
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */
/* ------------------------------------------------------------------ */

/* Workspace of the sgemm path @p. */
static size_t
gemm_scratch_floats (const GnConv2dGeom *g, ConvPath p)
{
  const size_t ws = gn_conv2d_weight_size (g);

  switch (p)
    {
    case PATH_POINTWISE:
      return 0;

    case PATH_SHIFT:
      {
        const Shift f = shift_forward_of (g), t = shift_transposed_of (g);
        /* forward: reordered weights, rows, product; backward: the dW
         * accumulator and rows, then the transposed weights, rows and
         * product (the phases run one after the other) */
        size_t fwd = ws + shift_rows_floats (&f) + shift_prod_floats (&f);
        size_t bwd = ws + MAX (shift_rows_floats (&f),
                               shift_rows_floats (&t) + shift_prod_floats (&t));
        return MAX (fwd, bwd);
      }

    case PATH_GENERAL:
    case PATH_DIRECT:
    default:
      {
        const size_t kg = (size_t) (g->in_c / g->groups) * g->kh * g->kw;
        const size_t m = (size_t) general_lines (g) * g->out_w;
        /* forward: weights, col, product; backward: col, gathered dY */
        return ws + m * kg + m * (size_t) g->out_c;
      }
    }
}

/* The backward pass of the sgemm path @p (dx, dw or both). */
static void
gemm_backward (const GnConv2dGeom *g, ConvPath path, GnPrecision prec,
               const float *x, const float *w, const float *dy, float *dx,
               float *dw, float *scratch)
{
  switch (path)
    {
    case PATH_POINTWISE:
      pointwise_backward (g, prec, x, w, dy, dx, dw);
      break;

    case PATH_SHIFT:
      {
        float *wr = scratch;
        float *rows = wr + gn_conv2d_weight_size (g);
        if (dw != NULL)
          shift_weight_grad (g, prec, x, dy, dw, wr, rows);
        if (dx != NULL)
          {
            const Shift t = shift_transposed_of (g);
            shift_weights_transposed (g, w, wr);
            shift_conv (&t, prec, dy, wr, NULL, dx, TRUE, rows,
                        rows + shift_rows_floats (&t));
          }
      }
      break;

    case PATH_GENERAL:
    case PATH_DIRECT:
    default:
      if (dw != NULL || dx != NULL)
        general_backward (g, prec, x, w, dy, dx, dw, scratch);
      break;
    }
}

size_t
gn_conv2d_scratch_floats (const GnConv2dGeom *g)
{
  const ConvPath p = conv_path (g);
  if (p != PATH_DIRECT)
    return gemm_scratch_floats (g, p);
  /* the direct path may leave dW to sgemm (gn__conv_direct_dw_wanted()) */
  size_t direct = gn__conv_direct_scratch_floats (g);
  if (!gn__conv_direct_dw_wanted (g))
    direct = MAX (direct, gemm_scratch_floats (g, gemm_path (g)));
  return direct;
}

void
gn_conv2d_forward (const GnConv2dGeom *g, const float *x, const float *w,
                   const float *b, float *y, float *scratch)
{
  gn_conv2d_forward_precision (g, GN_PRECISION_FP32, x, w, b, y, scratch);
}

void
gn_conv2d_backward (const GnConv2dGeom *g, const float *x, const float *w,
                    const float *dy, float *dx, float *dw, float *db,
                    float *scratch)
{
  gn_conv2d_backward_precision (g, GN_PRECISION_FP32, x, w, dy, dx, dw, db,
                                scratch);
}

void
gn_conv2d_forward_precision (const GnConv2dGeom *g, GnPrecision prec,
                             const float *x, const float *w, const float *b,
                             float *y, float *scratch)
{
  switch (conv_path (g))
    {
    case PATH_POINTWISE:
      pointwise_forward (g, prec, x, w, b, y);
      break;

    case PATH_DIRECT:
      gn__conv_direct_forward (g, x, w, b, y, scratch);
      break;

    case PATH_SHIFT:
      {
        const Shift s = shift_forward_of (g);
        float *wr = scratch;
        float *rows = wr + gn_conv2d_weight_size (g);
        shift_weights (g, w, wr);
        shift_conv (&s, prec, x, wr, b, y, FALSE, rows,
                    rows + shift_rows_floats (&s));
      }
      break;

    case PATH_GENERAL:
    default:
      general_forward (g, prec, x, w, b, y, scratch);
      break;
    }
}

void
gn_conv2d_backward_precision (const GnConv2dGeom *g, GnPrecision prec,
                              const float *x, const float *w,
                              const float *dy, float *dx, float *dw,
                              float *db, float *scratch)
{
  if (db != NULL)
    bias_grad (g, dy, db);

  const ConvPath path = conv_path (g);
  if (path != PATH_DIRECT)
    gemm_backward (g, path, prec, x, w, dy, dx, dw, scratch);
  else if (gn__conv_direct_dw_wanted (g))
    gn__conv_direct_backward (g, x, w, dy, dx, dw, scratch);
  else
    {
      gn__conv_direct_backward (g, x, w, dy, dx, NULL, scratch);
      if (dw != NULL)
        gemm_backward (g, gemm_path (g), prec, x, w, dy, NULL, dw, scratch);
    }
}
