/* gn-conv.c - 2-D convolution (torch.nn.Conv2d), forward and backward
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"

#include "gennas.h"

#include <cblas.h>
#include <string.h>
#include <stdlib.h>

/* Lines of output processed per sgemm: the im2row buffer of one chunk is
 * kept near this many floats so it stays in L2 between being written and
 * being packed by sgemm. Tunable via -D for experiments. */
#ifndef GN_CONV_CHUNK_FLOATS
#define GN_CONV_CHUNK_FLOATS (160 * 1024)
#endif

/* Backward-data strategy for stride 1: 0 = dcol = W^T dY then row2im
 * scatter-add; 1 = transposed convolution (im2row of dY, flipped W). */
#ifndef GN_CONV_DX_TRANSPOSED
#define GN_CONV_DX_TRANSPOSED 1
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

  /* every tensor is indexed with size_t, but line and pixel counts are
   * ints inside the kernels */
  if ((gint64) g->n * oh * ow > G_MAXINT
      || (gint64) g->n * g->in_h * g->in_w > G_MAXINT
      || (gint64) g->in_c * g->kh * g->kw > G_MAXINT
      || (gint64) g->out_c * g->kh * g->kw > G_MAXINT)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "conv2d: geometry too large (batch %d, %dx%d input, "
                   "%dx%d kernel)", g->n, g->in_h, g->in_w, g->kh, g->kw);
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

static void im2row_s1 (const Win *v, const float *src, int l0, int l1,
                       float *restrict dst);

/* Unrolls the batch into rows: one row per window position, holding the
 * cc*kh*kw window values in PyTorch's weight order (c, i, j).  Rows are
 * "pixel-major" rather than the classic [K][pixels] im2col because OpenBLAS
 * runs the resulting tall-skinny products (pixels x out_c) much closer to
 * peak when out_c is small (16 channels: ~80 vs ~50 GFLOP/s measured).
 * Lines [l0, l1) are rows (b, oy) of the window grid, flattened over the
 * batch, so a chunk may straddle images. */
static void
im2row (const Win *v, const float *src, int l0, int l1, float *restrict dst)
{
  const int K = v->cc * v->kh * v->kw;
  const size_t plane = (size_t) v->h * v->w;

  if (v->sw == 1 && v->dw == 1 && v->kw <= 4)
    {
      im2row_s1 (v, src, l0, l1, dst);
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

/* im2row for stride 1, dilation 1 and kw <= 4, the common case (3x3 and
 * 1x1 convolutions).  Each (c, i) tap row contributes kw contiguous source
 * floats per pixel, moved as one 16-byte block; the up-to-3 floats written
 * past the segment belong to the following segments, which are written
 * later and overwrite them.  Segments ending within 4 floats of the row
 * end, and pixels whose window leaves the source row, take the exact
 * per-tap path.  Filling column-wise (one tap row for every pixel of the
 * line) beat filling each row front to back by 2.5x, and the per-float
 * general loop by 4x (micro-benchmark, 16 channels 3x3: 0.14 vs 0.35 vs
 * 0.6 ns per element). */
static G_GNUC_NO_INLINE void
im2row_s1 (const Win *v, const float *src, int l0, int l1,
           float *restrict dst)
{
  const int K = v->cc * v->kh * v->kw, kw = v->kw, pw = v->pw;
  const int h = v->h, w = v->w, ow = v->ow;
  const size_t plane = (size_t) h * w;
  /* pixels whose 4-float read [ox - pw, ox - pw + 4) lies inside the row */
  const int lo = MIN (MAX (pw, 0), ow);
  const int hi = MAX (lo, MIN (ow, w + pw - 3));

  for (int l = l0; l < l1; l++)
    {
      const int b = l / v->oh, oy = l % v->oh;
      float *restrict drow = dst + (size_t) (l - l0) * ow * K;
      const float *img = src + ((size_t) b * v->c_total + v->c0) * plane;

      for (int c = 0; c < v->cc; c++)
        for (int i = 0; i < v->kh; i++)
          {
            const int k = (c * v->kh + i) * kw;
            const int iy = oy - v->ph + i * v->dh;
            float *restrict d = drow + k;
            if (iy < 0 || iy >= h)
              {
                for (int ox = 0; ox < ow; ox++)
                  for (int j = 0; j < kw; j++)
                    d[(size_t) ox * K + j] = 0.0f;
                continue;
              }
            const float *s = img + c * plane + (size_t) iy * w - pw;
            /* the fast range, empty for the row's last segment */
            const int flo = k + 4 <= K ? lo : 0;
            const int fhi = k + 4 <= K ? hi : 0;
            for (int ox = flo; ox < fhi; ox++)
              memcpy (d + (size_t) ox * K, s + ox, 4 * sizeof (float));
            for (int ox = 0; ox < ow; ox++)
              {
                if (ox == flo && flo < fhi)
                  {
                    ox = fhi - 1;
                    continue;
                  }
                for (int j = 0; j < kw; j++)
                  {
                    const int ix = ox - pw + j;
                    d[(size_t) ox * K + j] = ix >= 0 && ix < w ? s[ox + j]
                                             : 0.0f;
                  }
              }
          }
    }
}

/* The adjoint of im2row: scatter-adds the rows back onto the planes. */
static G_GNUC_NO_INLINE void
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
/* Chunking and scratch layout                                         */
/* ------------------------------------------------------------------ */

static inline int
conv_kg (const GnConv2dGeom *g)
{
  return g->in_c / g->groups * g->kh * g->kw;
}

static inline gboolean
conv_stride1 (const GnConv2dGeom *g)
{
  return g->stride_h == 1 && g->stride_w == 1;
}

/* Lines (of width @w, @k floats per pixel) in one chunk. */
static inline int
chunk_lines (int w, int k, int total)
{
  size_t per = (size_t) w * (size_t) k;
  static size_t chunk = 0;
  if (!chunk) { const char *e = g_getenv ("GN_CHUNK"); chunk = e ? (size_t) atoi (e) : GN_CONV_CHUNK_FLOATS; }
  size_t lines = chunk / MAX (per, (size_t) 1);
  return (int) CLAMP (lines, (size_t) 1, (size_t) total);
}

static Win
win_forward (const GnConv2dGeom *g, int group)
{
  const int cig = g->in_c / g->groups;
  return (Win) {
    .c_total = g->in_c, .c0 = group * cig, .cc = cig,
    .h = g->in_h, .w = g->in_w, .kh = g->kh, .kw = g->kw,
    .sh = g->stride_h, .sw = g->stride_w, .ph = g->pad_h, .pw = g->pad_w,
    .dh = g->dil_h, .dw = g->dil_w, .oh = g->out_h, .ow = g->out_w,
  };
}

/* dX of a stride-1 convolution is dY correlated with the spatially flipped,
 * in/out-transposed kernel, padded so the output regains the input size. */
static Win
win_transposed (const GnConv2dGeom *g, int group)
{
  const int ocg = g->out_c / g->groups;
  return (Win) {
    .c_total = g->out_c, .c0 = group * ocg, .cc = ocg,
    .h = g->out_h, .w = g->out_w, .kh = g->kh, .kw = g->kw,
    .sh = 1, .sw = 1,
    .ph = g->dil_h * (g->kh - 1) - g->pad_h,
    .pw = g->dil_w * (g->kw - 1) - g->pad_w,
    .dh = g->dil_h, .dw = g->dil_w, .oh = g->in_h, .ow = g->in_w,
  };
}

static inline gboolean
use_transposed_dx (const GnConv2dGeom *g)
{
  return GN_CONV_DX_TRANSPOSED && conv_stride1 (g);
}

size_t
gn_conv2d_scratch_floats (const GnConv2dGeom *g)
{
  const size_t kg = (size_t) conv_kg (g);
  const size_t lines_total = (size_t) g->n * g->out_h;
  const size_t lf = (size_t) chunk_lines (g->out_w, (int) kg,
                                          (int) lines_total);
  const size_t rows = lf * g->out_w;

  /* forward: im2row chunk + the [rows][out_c] product */
  size_t fwd = rows * kg + rows * (size_t) g->out_c;
  /* backward, weight pass: im2row chunk (reused as dcol) + dY gathered */
  size_t bwd = rows * kg + rows * (size_t) g->out_c;

  if (use_transposed_dx (g))
    {
      const size_t kt = (size_t) (g->out_c / g->groups) * g->kh * g->kw;
      const size_t lt = (size_t) chunk_lines (g->in_w, (int) kt,
                                              g->n * g->in_h);
      const size_t rt = lt * g->in_w;
      size_t tr = gn_conv2d_weight_size (g) + rt * kt + rt * g->in_c;
      bwd = MAX (bwd, tr);
    }
  return MAX (fwd, bwd);
}

/* ------------------------------------------------------------------ */
/* Forward                                                             */
/* ------------------------------------------------------------------ */

/* Writes the [rows][c] product of lines [l0, l1) into NCHW planes,
 * adding the bias: a small transpose that stays in cache. */
static G_GNUC_NO_INLINE void
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

void
gn_conv2d_forward (const GnConv2dGeom *g, const float *x, const float *w,
                   const float *b, float *y, float *scratch)
{
  const int G = g->groups, kg = conv_kg (g), ocg = g->out_c / G;
  const int lines = g->n * g->out_h;
  const int lc = chunk_lines (g->out_w, kg, lines);
  float *col = scratch;
  float *t = col + (size_t) lc * g->out_w * kg;

  for (int l0 = 0; l0 < lines; l0 += lc)
    {
      const int l1 = MIN (l0 + lc, lines);
      const int rows = (l1 - l0) * g->out_w;
      for (int gi = 0; gi < G; gi++)
        {
          Win v = win_forward (g, gi);
          im2row (&v, x, l0, l1, col);
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, ocg,
                       kg, 1.0f, col, kg, w + (size_t) gi * ocg * kg, kg,
                       0.0f, t + gi * ocg, g->out_c);
        }
      rows_to_nchw (t, g->out_c, g->out_h, g->out_w, l0, l1, b, y, FALSE);
    }
}

/* ------------------------------------------------------------------ */
/* Backward                                                            */
/* ------------------------------------------------------------------ */

/* Copies lines [l0, l1) of the NCHW planes into [c][rows]: ow-long runs,
 * a block reorder. */
static G_GNUC_NO_INLINE void
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

static G_GNUC_NO_INLINE void
bias_grad (const GnConv2dGeom *g, const float *dy, float *db)
{
  const size_t plane = (size_t) g->out_h * g->out_w;
  for (int o = 0; o < g->out_c; o++)
    {
      double s = 0.0;
      for (int bi = 0; bi < g->n; bi++)
        {
          const float *p = dy + ((size_t) bi * g->out_c + o) * plane;
          /* float partial sums per plane keep the loop cheap; the planes
           * are summed in double so large batches lose nothing */
          float ps = 0.0f;
          for (size_t i = 0; i < plane; i++)
            ps += p[i];
          s += ps;
        }
      db[o] += (float) s;
    }
}

/* Stride-1 dX by transposed convolution: per group, the weights become
 * W'[ci][(co, i', j')] = W[co][ci][kh-1-i'][kw-1-j'], and dX is
 * im2row(dY) W'^T, accumulated into dx. */
static void
dx_transposed (const GnConv2dGeom *g, const float *w, const float *dy,
               float *dx, float *scratch)
{
  const int G = g->groups, cig = g->in_c / G, ocg = g->out_c / G;
  const int kk = g->kh * g->kw, kt = ocg * kk, kg = cig * kk;
  const int lines = g->n * g->in_h;
  const int lc = chunk_lines (g->in_w, kt, lines);
  float *wt = scratch;
  float *col = wt + gn_conv2d_weight_size (g);
  float *t = col + (size_t) lc * g->in_w * kt;

  for (int gi = 0; gi < G; gi++)
    for (int ci = 0; ci < cig; ci++)
      for (int co = 0; co < ocg; co++)
        {
          const float *src = w + ((size_t) (gi * ocg + co) * kg) + ci * kk;
          float *dst = wt + ((size_t) (gi * cig + ci) * kt) + co * kk;
          for (int q = 0; q < kk; q++)
            dst[q] = src[kk - 1 - q];
        }

  for (int l0 = 0; l0 < lines; l0 += lc)
    {
      const int l1 = MIN (l0 + lc, lines);
      const int rows = (l1 - l0) * g->in_w;
      for (int gi = 0; gi < G; gi++)
        {
          Win v = win_transposed (g, gi);
          im2row (&v, dy, l0, l1, col);
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, cig,
                       kt, 1.0f, col, kt, wt + (size_t) gi * cig * kt, kt,
                       0.0f, t + gi * cig, g->in_c);
        }
      rows_to_nchw (t, g->in_c, g->in_h, g->in_w, l0, l1, NULL, dx, TRUE);
    }
}

void
gn_conv2d_backward (const GnConv2dGeom *g, const float *x, const float *w,
                    const float *dy, float *dx, float *dw, float *db,
                    float *scratch)
{
  const int G = g->groups, kg = conv_kg (g), ocg = g->out_c / G;
  const int lines = g->n * g->out_h;
  const int lc = chunk_lines (g->out_w, kg, lines);
  const gboolean transposed = use_transposed_dx (g);
  const gboolean dx_here = dx != NULL && !transposed;

  if (db != NULL)
    bias_grad (g, dy, db);

  if (dw != NULL || dx_here)
    {
      float *col = scratch;
      float *d = col + (size_t) lc * g->out_w * kg;

      for (int l0 = 0; l0 < lines; l0 += lc)
        {
          const int l1 = MIN (l0 + lc, lines);
          const int rows = (l1 - l0) * g->out_w;
          nchw_to_crows (dy, g->out_c, g->out_h, g->out_w, l0, l1, d);
          for (int gi = 0; gi < G; gi++)
            {
              Win v = win_forward (g, gi);
              const float *dg = d + (size_t) gi * ocg * rows;
              if (dw != NULL)
                {
                  im2row (&v, x, l0, l1, col);
                  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                               ocg, kg, rows, 1.0f, dg, rows, col, kg, 1.0f,
                               dw + (size_t) gi * ocg * kg, kg);
                }
              if (dx_here)
                {
                  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                               rows, kg, ocg, 1.0f, dg, rows,
                               w + (size_t) gi * ocg * kg, kg, 0.0f, col,
                               kg);
                  row2im (&v, col, l0, l1, dx);
                }
            }
        }
    }

  if (dx != NULL && transposed)
    dx_transposed (g, w, dy, dx, scratch);
}
