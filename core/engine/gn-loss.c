/* gn-loss.c - mean squared error and softmax cross-entropy
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Both losses return a double (the proxy score is a sum of many such
 * terms, and its ranking is what GenNAS reports) and optionally accumulate
 * the gradient of the returned value into a float buffer.
 */
#include "config.h"
#include "gn-ops.h"

#include <math.h>

/* dy += k (y - t); restrict parameters so it vectorises unversioned */
static void
mse_grad (size_t count, const float *restrict y, const float *restrict t,
          float k, float *restrict dy)
{
  for (size_t i = 0; i < count; i++)
    dy[i] += k * (y[i] - t[i]);
}

double
gn_loss_mse (size_t count, const float *y, const float *t, float weight,
             float *dy)
{
  if (count == 0)
    return 0.0;

  double acc = 0.0;

  /* double accumulation: a float running sum of 10^6 squared errors
   * would lose the low digits the proxy's ranking depends on */
  for (size_t i = 0; i < count; i++)
    {
      double d = (double) y[i] - (double) t[i];
      acc += d * d;
    }

  if (dy)
    {
      /* d/dy of weight * Σ (y - t)² / count */
      mse_grad (count, y, t, (float) (2.0 * (double) weight / (double) count),
                dy);
    }

  return (double) weight * acc / (double) count;
}

double
gn_loss_softmax_xent (int n, int k, const float *logits, const int *labels,
                      float *dlogits, int *correct)
{
  double total = 0.0;
  int hits = 0;

  if (n <= 0 || k <= 0)
    {
      if (correct)
        *correct = 0;
      return 0.0;
    }

  for (int i = 0; i < n; i++)
    {
      const float *restrict row = logits + (size_t) i * k;
      int label = labels[i];

      /* arg-max (first one on ties) doubles as the shift that makes the
       * log-sum-exp stable: every exponent is <= 0. */
      int best = 0;
      for (int j = 1; j < k; j++)
        if (row[j] > row[best])
          best = j;
      double max = row[best];
      if (best == label)
        hits++;

      double sum = 0.0;
      for (int j = 0; j < k; j++)
        sum += exp ((double) row[j] - max);
      double lse = max + log (sum);
      total += lse - (double) row[label];

      if (dlogits)
        {
          /* d/dlogits of the batch mean: (softmax - onehot) / n */
          float *restrict g = dlogits + (size_t) i * k;
          double inv_n = 1.0 / n;
          for (int j = 0; j < k; j++)
            {
              double p = exp ((double) row[j] - lse);
              g[j] += (float) ((p - (j == label ? 1.0 : 0.0)) * inv_n);
            }
        }
    }

  if (correct)
    *correct = hits;
  return total / n;
}
