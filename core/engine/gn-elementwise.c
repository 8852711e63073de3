/* gn-elementwise.c - ReLU, k-ary add, accumulate, concat, nearest resize,
 * crop
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Memory-bound kernels: each is one or a few contiguous passes that the
 * compiler vectorises.  Where an output may alias an input (ReLU in place,
 * add into one of its operands) the aliasing case gets a loop of its own,
 * since restrict on two pointers to one buffer is undefined behaviour.
 */
#include "config.h"
#include "gn-ops.h"

#include <math.h>
#include <string.h>

/* The hot loops live in small helpers whose pointer PARAMETERS are
 * restrict-qualified: GCC reliably trusts restrict on parameters (much
 * less on block-scope pointers), which lets it vectorise without a
 * runtime overlap check. */

static void
relu_inplace (size_t count, float *restrict p)
{
  for (size_t i = 0; i < count; i++)
    p[i] = p[i] < 0.0f ? 0.0f : p[i];
}

static void
relu_copy (size_t count, const float *restrict x, float *restrict y)
{
  for (size_t i = 0; i < count; i++)
    y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void
gn_relu_forward (size_t count, const float *x, float *y)
{
  /* `x < 0 ? 0 : x` rather than `x > 0 ? x : 0`: a NaN fails the
   * comparison and passes through, as torch.relu (clamp_min) does.
   * In-place use gets its own loop: two restrict pointers to one buffer
   * would be undefined behaviour. */
  if (x == y)
    relu_inplace (count, y);
  else
    relu_copy (count, x, y);
}

static void
relu_grad (size_t count, const float *restrict y, const float *restrict dy,
           float *restrict dx)
{
  for (size_t i = 0; i < count; i++)
    {
      /* load unconditionally so the select if-converts into a mask */
      float g = dy[i];
      dx[i] += y[i] > 0.0f ? g : 0.0f;
    }
}

void
gn_relu_backward (size_t count, const float *y, const float *dy, float *dx)
{
  /* PyTorch's threshold_backward on the output: the gradient is blocked
   * where y <= 0 (y == 0 covers every clipped input and x == 0 itself,
   * whose subgradient PyTorch takes as 0). */
  relu_grad (count, y, dy, dx);
}

/* No restrict here: gn_add_forward() may write into one of its first two
 * operands, and same-index aliasing is well defined without it (the
 * compiler versions the loop with an overlap check instead). */
static void
add2 (size_t count, const float *a, const float *b, float *y)
{
  for (size_t i = 0; i < count; i++)
    y[i] = a[i] + b[i];
}

static void
add_into (size_t count, const float *restrict src, float *restrict dst)
{
  for (size_t i = 0; i < count; i++)
    dst[i] += src[i];
}

void
gn_add_forward (size_t count, int k, const float *const *xs, float *y)
{
  if (k <= 0)
    {
      memset (y, 0, count * sizeof *y);
      return;
    }
  if (k == 1)
    {
      if (xs[0] != y)
        memmove (y, xs[0], count * sizeof *y);
      return;
    }

  /* The output may be one of the operands (at most one): that operand is
   * then the starting value and must not be overwritten first. */
  int self = -1;
  for (int j = 2; j < k && self < 0; j++)
    if (xs[j] == y)
      self = j;

  if (self < 0)
    {
      /* One pass per operand beyond the second: each pass is a streaming
       * vector add, whereas summing all k per element would stride across
       * k arrays.  The order (x0 + x1) + x2 + ... is fixed, so results are
       * reproducible.  add2() copes with y being x0 or x1. */
      add2 (count, xs[0], xs[1], y);
      for (int j = 2; j < k; j++)
        add_into (count, xs[j], y);
    }
  else
    {
      for (int j = 0; j < k; j++)
        if (j != self)
          add_into (count, xs[j], y);
    }
}

void
gn_accumulate (size_t count, const float *src, float *dst)
{
  add_into (count, src, dst);
}

void
gn_concat_forward (int n, int hw, int k, const int *cs,
                   const float *const *xs, float *y)
{
  /* Per batch item the output is the inputs' channel blocks back to back,
   * each block one contiguous run of cs[i] * hw floats. */
  for (int b = 0; b < n; b++)
    for (int i = 0; i < k; i++)
      {
        size_t block = (size_t) cs[i] * (size_t) hw;
        memcpy (y, xs[i] + (size_t) b * block, block * sizeof *y);
        y += block;
      }
}

void
gn_concat_backward (int n, int hw, int k, const int *cs, const float *dy,
                    float *const *dxs)
{
  for (int b = 0; b < n; b++)
    for (int i = 0; i < k; i++)
      {
        size_t block = (size_t) cs[i] * (size_t) hw;
        if (dxs[i])
          gn_accumulate (block, dy, dxs[i] + (size_t) b * block);
        dy += block;
      }
}

/* PyTorch's legacy nearest index (F.interpolate without
 * recompute_scale_factor): the scale is computed in float and the product
 * floored, which is NOT always floor(dst * in / out) in exact arithmetic. */
static inline int
nearest_src (int dst, float scale, int in)
{
  int s = (int) floorf ((float) dst * scale);
  return MIN (s, in - 1);
}

/* Column indices are computed once per chunk of output columns and reused
 * by every row of every plane; a fixed stack chunk keeps the kernel free
 * of allocation for any width. */
#define COL_CHUNK 256

void
gn_resize_nearest_forward (int n, int c, int in_h, int in_w, int out_h,
                           int out_w, const float *x, float *y)
{
  float sh = (float) in_h / (float) out_h;
  float sw = (float) in_w / (float) out_w;
  size_t planes = (size_t) n * (size_t) c;
  size_t in_plane = (size_t) in_h * (size_t) in_w;
  size_t out_plane = (size_t) out_h * (size_t) out_w;
  int cols[COL_CHUNK];

  for (int w0 = 0; w0 < out_w; w0 += COL_CHUNK)
    {
      int wn = MIN (COL_CHUNK, out_w - w0);
      for (int j = 0; j < wn; j++)
        cols[j] = nearest_src (w0 + j, sw, in_w);

      for (size_t p = 0; p < planes; p++)
        for (int oh = 0; oh < out_h; oh++)
          {
            const float *restrict src
              = x + p * in_plane
                + (size_t) nearest_src (oh, sh, in_h) * (size_t) in_w;
            float *restrict dst
              = y + p * out_plane + (size_t) oh * (size_t) out_w + w0;
            for (int j = 0; j < wn; j++)
              dst[j] = src[cols[j]];
          }
    }
}

void
gn_resize_nearest_backward (int n, int c, int in_h, int in_w, int out_h,
                            int out_w, const float *dy, float *dx)
{
  float sh = (float) in_h / (float) out_h;
  float sw = (float) in_w / (float) out_w;
  size_t planes = (size_t) n * (size_t) c;
  size_t in_plane = (size_t) in_h * (size_t) in_w;
  size_t out_plane = (size_t) out_h * (size_t) out_w;
  int cols[COL_CHUNK];

  /* The adjoint of a gather is a scatter-add: an input pixel picked by
   * several output pixels (upsampling) receives all their gradients. */
  for (int w0 = 0; w0 < out_w; w0 += COL_CHUNK)
    {
      int wn = MIN (COL_CHUNK, out_w - w0);
      for (int j = 0; j < wn; j++)
        cols[j] = nearest_src (w0 + j, sw, in_w);

      for (size_t p = 0; p < planes; p++)
        for (int oh = 0; oh < out_h; oh++)
          {
            float *restrict dst
              = dx + p * in_plane
                + (size_t) nearest_src (oh, sh, in_h) * (size_t) in_w;
            const float *restrict src
              = dy + p * out_plane + (size_t) oh * (size_t) out_w + w0;
            for (int j = 0; j < wn; j++)
              dst[cols[j]] += src[j];
          }
    }
}

/* The columns [*c0, *c1) of a crop row that read inside the input row:
 * output column c reads input column c + left. */
static inline void
crop_cols (int in_w, int left, int out_w, int *c0, int *c1)
{
  gint64 a = MAX ((gint64) 0, -(gint64) left);
  gint64 b = MIN ((gint64) out_w, (gint64) in_w - left);
  *c0 = (int) MIN (a, (gint64) out_w);
  *c1 = (int) MAX (b, (gint64) *c0);
}

void
gn_crop_forward (int n, int c, int in_h, int in_w, int top, int left,
                 int out_h, int out_w, const float *x, float *y)
{
  const size_t planes = (size_t) n * (size_t) c;
  const size_t in_plane = (size_t) in_h * (size_t) in_w;
  const size_t out_plane = (size_t) out_h * (size_t) out_w;
  int c0, c1;

  crop_cols (in_w, left, out_w, &c0, &c1);
  for (size_t p = 0; p < planes; p++)
    for (int r = 0; r < out_h; r++)
      {
        const gint64 sr = (gint64) r + top;
        float *restrict d = y + p * out_plane + (size_t) r * out_w;
        if (sr < 0 || sr >= in_h || c0 == c1)
          {
            memset (d, 0, (size_t) out_w * sizeof *d);
            continue;
          }
        const float *s = x + p * in_plane + (size_t) sr * in_w;
        memset (d, 0, (size_t) c0 * sizeof *d);
        memcpy (d + c0, s + ((gint64) c0 + left),
                (size_t) (c1 - c0) * sizeof *d);
        memset (d + c1, 0, (size_t) (out_w - c1) * sizeof *d);
      }
}

void
gn_crop_backward (int n, int c, int in_h, int in_w, int top, int left,
                  int out_h, int out_w, const float *dy, float *dx)
{
  const size_t planes = (size_t) n * (size_t) c;
  const size_t in_plane = (size_t) in_h * (size_t) in_w;
  const size_t out_plane = (size_t) out_h * (size_t) out_w;
  int c0, c1;

  crop_cols (in_w, left, out_w, &c0, &c1);
  if (c0 == c1)
    return;
  for (size_t p = 0; p < planes; p++)
    for (int r = 0; r < out_h; r++)
      {
        const gint64 sr = (gint64) r + top;
        if (sr < 0 || sr >= in_h)
          continue;
        add_into ((size_t) (c1 - c0), dy + p * out_plane + (size_t) r * out_w
                                      + c0,
                  dx + p * in_plane + (size_t) sr * in_w
                  + ((gint64) c0 + left));
      }
}
