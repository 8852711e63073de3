/* jacob_cov.c - how correlated the input Jacobians of a batch are
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Mellor et al.'s first NASWOT score (arXiv:2006.04647v1), as
 * Abdelfattah et al. 2021 and NAS-Bench-Suite-Zero compute it (NASLib
 * measures/jacov.py, "jacov"): one training-mode forward of the fixed
 * batch and a backward of the summed logits (dy = 1) to the input gives
 * each image its Jacobian row J_n = d(sum of its logits)/d(its pixels).
 * With C the correlation matrix of the rows (numpy's corrcoef) and
 * v its eigenvalues,
 *
 *     score = - sum_i ( log(v_i + 1e-5) + 1 / (v_i + 1e-5) ),
 *
 * at most minus the batch size, reached when the rows are uncorrelated.
 * Undefined (worst score, non-finite status) when a row is constant, e.g.
 * when the cell disconnects the input.
 */
#include "config.h"
#include "zc-common.h"

#include <math.h>

#define JACOB_K 1e-5

/* the eigenvalue score of the correlation matrix of the @b rows of @jac */
static double
correlation_score (const float *jac, int b, gsize d)
{
  double *centred = g_new (double, (gsize) b * d);
  double *c = g_new (double, (gsize) b * b);
  double *eval = g_new (double, b);
  double score = NAN;

  for (int i = 0; i < b; i++)
    {
      double mean = 0.0;
      for (gsize p = 0; p < d; p++)
        mean += jac[(gsize) i * d + p];
      mean /= (double) d;
      for (gsize p = 0; p < d; p++)
        centred[(gsize) i * d + p] = jac[(gsize) i * d + p] - mean;
    }
  for (int i = 0; i < b; i++)
    for (int j = i; j < b; j++)
      {
        double s = 0.0;
        const double *x = centred + (gsize) i * d, *y = centred + (gsize) j * d;
        for (gsize p = 0; p < d; p++)
          s += x[p] * y[p];
        c[(gsize) i * b + j] = c[(gsize) j * b + i] = s;
      }
  for (int i = 0; i < b; i++)
    if (!(c[(gsize) i * b + i] > 0.0))
      goto out;                     /* a constant row: corrcoef is NaN */
  for (int i = 0; i < b; i++)
    for (int j = 0; j < b; j++)
      if (i != j)
        {
          double r = c[(gsize) i * b + j]
                     / sqrt (c[(gsize) i * b + i] * c[(gsize) j * b + j]);
          c[(gsize) i * b + j] = CLAMP (r, -1.0, 1.0);   /* as numpy */
        }
  for (int i = 0; i < b; i++)
    c[(gsize) i * b + i] = 1.0;
  if (!zc_symmetric_eigenvalues (c, b, eval))
    goto out;
  score = 0.0;
  for (int i = 0; i < b; i++)
    {
      double v = eval[i] + JACOB_K;
      score -= log (v) + 1.0 / v;   /* NaN for v <= 0, as numpy */
    }

out:
  g_free (centred);
  g_free (c);
  g_free (eval);
  return score;
}

static gboolean
jacob_cov_score (gpointer self, const char *arch, GnProxyResult *result,
                 GError **error)
{
  ZcTask *t = self;
  int logits;
  GnNet *net = zc_net_new (t, arch, t->batch, TRUE, &logits, error);
  if (net == NULL)
    return FALSE;
  zc_load_batch (t, net);
  gn_net_forward (net, GN_MODE_TRAIN);
  GnShape s = gn_net_shape (net, logits);
  float *dy = gn_net_grad (net, logits);
  for (gsize i = 0; i < (gsize) s.n * s.c * s.h * s.w; i++)
    dy[i] = 1.f;
  gn_net_backward (net);
  const float *jac = gn_net_grad (net, 0);
  zc_result (result, jac ? correlation_score (jac, t->batch,
                                              (gsize) t->input.c * t->input.h
                                              * t->input.w)
                         : NAN);
  gn_net_free (net);
  return TRUE;
}

ZC_PROXY_DEFINE (jacob_cov, TRUE,
                 "zero-cost: eigenvalue score of the correlations of the "
                 "input Jacobians of one batch")
