/* gn-batchnorm.c - torch.nn.BatchNorm2d forward (train / eval) and backward
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Layout: [n][c][hw].  One channel's statistics run over n planes of hw
 * contiguous floats, so every loop below walks a plane with unit stride.
 *
 * Precision: per-channel sums over n*hw elements reach double by way of
 * short float partial sums: each block of at most BLOCK elements is summed
 * in CHAINS independent float chains (one vector register; a single chain
 * is latency-bound and a double one is half as wide and needs
 * conversions), and the blocks are added in double.  A chain thus adds at
 * most BLOCK / CHAINS = 32 terms in float, which keeps the relative error
 * near 1e-6 however large the batch (PyTorch's CPU kernel uses a double
 * accumulator for float; a plain float sum of 10^5 activations loses
 * several digits).  The per-element passes that write tensors stay in
 * float, with per-channel coefficients precomputed in double so each
 * element costs a subtract and a multiply-add, which the compiler
 * vectorises.
 */
#include "config.h"
#include "gn-ops.h"

#include <math.h>

#define CHAINS 8
#define BLOCK 256

static inline double
chains_total (const float a[CHAINS])
{
  return (double) ((a[0] + a[1]) + (a[2] + a[3]))
         + (double) ((a[4] + a[5]) + (a[6] + a[7]));
}

/* Σ (x - m), or with @square Σ (x - m)², over x[0..len), len <= BLOCK,
 * in float chains (inlined with a constant @square: two loops). */
static inline double
block_moment (const float *restrict x, int len, float m, gboolean square)
{
  float a[CHAINS] = { 0 };
  int i = 0;
  for (; i + CHAINS <= len; i += CHAINS)
    for (int k = 0; k < CHAINS; k++)
      {
        float d = x[i + k] - m;
        a[k] += square ? d * d : d;
      }
  for (; i < len; i++)
    a[0] += square ? (x[i] - m) * (x[i] - m) : x[i] - m;
  return chains_total (a);
}

/* Σ dy and Σ dy (src - m) over len <= BLOCK elements. */
static inline void
block_grad_sums (const float *restrict dy, const float *restrict src,
                 int len, float m, double *s_dy, double *s_dyx)
{
  float a[CHAINS] = { 0 }, b[CHAINS] = { 0 };
  int i = 0;
  for (; i + CHAINS <= len; i += CHAINS)
    for (int k = 0; k < CHAINS; k++)
      {
        a[k] += dy[i + k];
        b[k] += dy[i + k] * (src[i + k] - m);
      }
  for (; i < len; i++)
    {
      a[0] += dy[i];
      b[0] += dy[i] * (src[i] - m);
    }
  *s_dy += chains_total (a);
  *s_dyx += chains_total (b);
}

/* Σ (x - m), or with @square Σ (x - m)², over every plane of channel @ch.
 *
 * The sum is taken around a value m near the data (the channel's first
 * element), so the float chains stay accurate when |mean| >> std: the
 * terms have the size of the spread, not of the mean.  The squares are
 * taken around the mean, two-pass as PyTorch does: the one-pass
 * E[x²] - E[x]² cancels badly when |mean| >> std.  x - m is exact in
 * float for x near m (Sterbenz). */
static double
channel_moment (int n, int c, int hw, int ch, const float *x, float m,
                gboolean square)
{
  double s = 0.0;
  for (int p = 0; p < n; p++)
    {
      const float *plane = x + ((size_t) p * (size_t) c + (size_t) ch)
                               * (size_t) hw;
      for (int i = 0; i < hw; i += BLOCK)
        s += square ? block_moment (plane + i, MIN (BLOCK, hw - i), m, TRUE)
                    : block_moment (plane + i, MIN (BLOCK, hw - i), m, FALSE);
    }
  return s;
}

/* y = (x - m) scale + shift over one plane.  Centring before scaling
 * (rather than PyTorch's x alpha + beta) keeps full float precision when
 * |mean| >> std, where x alpha and beta are large and cancel; it costs one
 * subtraction per element.  The pointers are restrict PARAMETERS (GCC
 * trusts those, not block-scope ones); the in-place case gets its own loop
 * because two restrict pointers to one plane would be undefined
 * behaviour. */
static void
plane_affine_inplace (float *restrict p, int hw, float m, float scale,
                      float shift)
{
  for (int i = 0; i < hw; i++)
    p[i] = (p[i] - m) * scale + shift;
}

static void
plane_affine_copy (const float *restrict x, float *restrict y, int hw,
                   float m, float scale, float shift)
{
  for (int i = 0; i < hw; i++)
    y[i] = (x[i] - m) * scale + shift;
}

/* Normalise every plane of channel @ch: y = gamma (x - mean) invstd +
 * beta.  The mean is rounded to float for the element loop and the
 * rounding error folded into the shift (computed in double), so the float
 * mean costs no accuracy. */
static void
normalise_channel (int n, int c, int hw, int ch, const float *x, float *y,
                   double mean, double invstd, const float *gamma,
                   const float *beta)
{
  double g = gamma ? gamma[ch] : 1.0;
  double b = beta ? beta[ch] : 0.0;
  float m = (float) mean;
  float scale = (float) (g * invstd);
  float shift = (float) (b - (mean - (double) m) * g * invstd);
  size_t plane = (size_t) hw;

  for (int i = 0; i < n; i++)
    {
      size_t off = ((size_t) i * (size_t) c + (size_t) ch) * plane;
      if (x == y)
        plane_affine_inplace (y + off, hw, m, scale, shift);
      else
        plane_affine_copy (x + off, y + off, hw, m, scale, shift);
    }
}

void
gn_batchnorm_forward_train (int n, int c, int hw, const float *x, float *y,
                            const float *gamma, const float *beta,
                            float *save_mean, float *save_invstd,
                            float *running_mean, float *running_var,
                            float momentum, float eps)
{
  size_t plane = (size_t) hw;
  double count = (double) n * (double) hw;

  for (int ch = 0; ch < c; ch++)
    {
      const float pivot = count > 0.0 ? x[(size_t) ch * plane] : 0.0f;
      double mean = pivot + channel_moment (n, c, hw, ch, x, pivot, FALSE)
                            / count;

      /* deviations from the float-rounded mean mf, corrected to the
       * exact mean: Σ (x - mean)² = Σ (x - mf)² - count (mean - mf)² */
      float mf = (float) mean;
      double sq = channel_moment (n, c, hw, ch, x, mf, TRUE);
      sq = MAX (sq - count * (mean - mf) * (mean - mf), 0.0);

      /* normalisation uses the biased variance ... */
      double var = sq / count;
      double invstd = 1.0 / sqrt (var + (double) eps);

      save_mean[ch] = (float) mean;
      save_invstd[ch] = (float) invstd;

      if (running_mean)
        running_mean[ch] = (float) ((1.0 - momentum) * running_mean[ch]
                                    + (double) momentum * mean);
      if (running_var)
        {
          /* ... the running estimate the unbiased one (Bessel).  A single
           * value per channel has no unbiased variance (PyTorch refuses to
           * train on it, so the network builder should too); should it get
           * here, the biased 0 is used rather than writing 0/0 = NaN into
           * the running state. */
          double unbiased = count > 1.0 ? sq / (count - 1.0) : var;
          running_var[ch] = (float) ((1.0 - momentum) * running_var[ch]
                                     + (double) momentum * unbiased);
        }

      normalise_channel (n, c, hw, ch, x, y, mean, invstd, gamma, beta);
    }
}

void
gn_batchnorm_forward_eval (int n, int c, int hw, const float *x, float *y,
                           const float *gamma, const float *beta,
                           const float *running_mean,
                           const float *running_var, float *save_mean,
                           float *save_invstd, float eps)
{
  for (int ch = 0; ch < c; ch++)
    {
      double mean = running_mean[ch];
      double invstd = 1.0 / sqrt ((double) running_var[ch] + (double) eps);

      save_mean[ch] = (float) mean;
      save_invstd[ch] = (float) invstd;
      normalise_channel (n, c, hw, ch, x, y, mean, invstd, gamma, beta);
    }
}

/* Σ dy and Σ dy (src - m) over one plane. */
static void
plane_grad_sums (const float *restrict dy, const float *restrict src, int hw,
                 float m, double *s_dy, double *s_dyx)
{
  for (int i = 0; i < hw; i += BLOCK)
    block_grad_sums (dy + i, src + i, MIN (BLOCK, hw - i), m, s_dy, s_dyx);
}

/* dx += k_dy dy + k_src (src - m) + k_0 over one plane.  Centring src
 * before scaling keeps the two large terms k_src src and k_src m from
 * cancelling in float when |mean| >> std. */
static void
plane_grad_input (const float *restrict dy, const float *restrict src,
                  float *restrict dx, int hw, float k_dy, float k_src,
                  float m, float k_0)
{
  for (int i = 0; i < hw; i++)
    dx[i] += k_dy * dy[i] + k_src * (src[i] - m) + k_0;
}

void
gn_batchnorm_backward (int n, int c, int hw, const float *src,
                       const float *mean, const float *invstd,
                       gboolean batch_stats, const float *gamma,
                       const float *dy, float *dx, float *dgamma,
                       float *dbeta)
{
  size_t plane = (size_t) hw;
  double count = (double) n * (double) hw;

  for (int ch = 0; ch < c; ch++)
    {
      double g = gamma ? gamma[ch] : 1.0;
      double is = invstd[ch];
      /* x̂ = a src + b: with the saved mean src is x, otherwise src is
       * already x̂ and the map is the identity. */
      double m = mean ? mean[ch] : 0.0;
      double a = mean ? is : 1.0;
      gboolean need_sums = batch_stats || dgamma || dbeta;

      /* s_dy = Σ dy and s_dyx = Σ dy x̂ = a Σ dy (src - m); the latter is
       * accumulated around the mean rather than expanded, to avoid
       * cancellation when |mean| is large. */
      double s_dy = 0.0, s_dyx = 0.0;
      if (need_sums)
        {
          for (int i = 0; i < n; i++)
            {
              size_t off = ((size_t) i * (size_t) c + (size_t) ch) * plane;
              plane_grad_sums (dy + off, src + off, hw, (float) m, &s_dy,
                               &s_dyx);
            }
          s_dyx *= a;
        }

      if (dgamma)
        dgamma[ch] += (float) s_dyx;
      if (dbeta)
        dbeta[ch] += (float) s_dy;
      if (!dx)
        continue;

      /* Batch statistics: dx = g is (dy - mean(dy) - x̂ mean(dy x̂)), the
       * standard result with dx̂ = g dy; substituting x̂ = a (src - m) gives
       * a few multiply-adds per element.  Running statistics: a fixed
       * affine map, dx = g is dy. */
      double k_dy = g * is;
      double k_src = 0.0, k_0 = 0.0;
      if (batch_stats)
        {
          double mdy = s_dy / count;
          double mdyx = s_dyx / count;
          k_src = -k_dy * mdyx * a;
          k_0 = -k_dy * mdy;
        }

      for (int i = 0; i < n; i++)
        {
          size_t off = ((size_t) i * (size_t) c + (size_t) ch) * plane;
          plane_grad_input (dy + off, src + off, dx + off, hw, (float) k_dy,
                            (float) k_src, (float) m, (float) k_0);
        }
    }
}
