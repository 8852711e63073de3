/* synflow.c - synaptic flow at initialisation, in log space
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Tanaka et al., "Pruning neural networks without any data by iteratively
 * conserving synaptic flow" (NeurIPS 2020), summed over the network as
 * Abdelfattah et al. 2021 do and reported as NAS-Bench-Suite-Zero does
 * (NASLib measures/synflow.py and predictors/zerocost.py):
 *
 *  - every parameter is replaced by its absolute value and batch norm is
 *    removed (synflow is registered with bn=False: each BatchNorm's
 *    forward becomes the identity);
 *  - one all-ones image goes forward, R is the sum of the logits, and
 *    the score is the sum over every conv and linear weight of
 *    |w dR/dw|, of which NASLib reports the natural log.
 *
 * Here batch norm is made the identity by running it in evaluation mode
 * with its fresh running statistics (mean 0, variance 1) and gamma set to
 * sqrt(1 + eps), beta to 0: this needs batch norms that track running
 * statistics, as the published networks' do.
 *
 * The network is then positively homogeneous with non-negative values
 * everywhere: R and every dR/dw scale exactly with the input and with the
 * seed gradient (the classifier's bias, which never enters dR/dw, is set
 * to 0).  NB201 scores reach e^115, far beyond float's range, so the
 * input is scaled by s = 2^-e and the seed by g = 2^-e with 2^(2e) close
 * to R (found by a first forward pass at a tiny scale): activations and
 * gradients then stay within about R^(+-1/2), the products w dR/dw near
 * 1, and the score is log(sum) + 2e log 2, accumulated in double.  That is
 * exact in float (powers of two) and finite for R up to about 2^250.
 * A network whose logits do not depend on its input scores 0, as in
 * NASLib.  `batch` does not matter: the method reads one image of ones.
 */
#include "config.h"
#include "zc-common.h"

#include <math.h>
#include <string.h>

/* sum of the logits for an input of @scale everywhere */
static double
forward_sum (GnNet *net, int logits, gsize n_in, float scale)
{
  float *in = gn_net_input (net);
  for (gsize i = 0; i < n_in; i++)
    in[i] = scale;
  gn_net_forward (net, GN_MODE_EVAL);
  GnShape s = gn_net_shape (net, logits);
  const float *y = gn_net_value (net, logits);
  double sum = 0.0;
  for (int k = 0; k < s.c; k++)
    sum += y[k];
  return sum;
}

static gboolean
synflow_score (gpointer self, const char *arch, GnProxyResult *result,
               GError **error)
{
  ZcTask *t = self;
  int logits;
  gboolean ok = FALSE;
  GnNet *net = zc_net_new (t, arch, 1, FALSE, &logits, error);
  if (net == NULL)
    return FALSE;

  /* linearise: |params|, batch norm as the identity, no classifier bias */
  guint n;
  const GnParam *prm = gn_net_params (net, &n);
  int n_bn = 0, n_gamma = 0;
  for (int i = 0; i < gn_net_n_nodes (net); i++)
    n_bn += strcmp (gn_net_op_name (net, i), "batchnorm") == 0;
  for (guint i = 0; i < n; i++)
    for (gsize k = 0; k < prm[i].size; k++)
      switch (prm[i].kind)
        {
        case GN_PARAM_BN_WEIGHT:
          prm[i].value[k] = sqrtf (1.f + GN_BN_EPS);
          n_gamma += k == 0;
          break;
        case GN_PARAM_BN_BIAS:
        case GN_PARAM_LINEAR_BIAS:
          prm[i].value[k] = 0.f;
          break;
        default:
          prm[i].value[k] = fabsf (prm[i].value[k]);
        }
  if (n_gamma != n_bn)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE,
                   "synflow removes batch norm through its running "
                   "statistics: %d of the %d batch norms of %s are not "
                   "affine (build it as published)", n_bn - n_gamma, n_bn,
                   arch);
      goto out;
    }

  /* probe R at a tiny scale, then centre activations and gradients */
  gsize n_in = (gsize) t->input.c * t->input.h * t->input.w;
  int probe = -100;
  double r = forward_sum (net, logits, n_in, ldexpf (1.f, probe));
  while (isinf (r) && probe > -120)
    r = forward_sum (net, logits, n_in, ldexpf (1.f, probe -= 10));
  if (r == 0.0)       /* nothing reached the logits, or R under 2^-26 */
    r = forward_sum (net, logits, n_in, ldexpf (1.f, probe = 0));
  if (r == 0.0)
    {
      zc_result (result, 0.0);        /* the input does not reach R */
      ok = TRUE;
      goto out;
    }
  if (!isfinite (r) || r < 0.0)
    {
      zc_result (result, NAN);
      ok = TRUE;
      goto out;
    }
  int e = (int) floor ((log2 (r) - probe) / 2);
  forward_sum (net, logits, n_in, ldexpf (1.f, -e));
  GnShape s = gn_net_shape (net, logits);
  float *dy = gn_net_grad (net, logits);
  for (int k = 0; k < s.c; k++)
    dy[k] = ldexpf (1.f, -e);
  gn_net_zero_grad (net);
  gn_net_backward (net);

  double sum = zc_saliency (net);
  zc_result (result, sum > 0.0 ? log (sum) + 2.0 * e * G_LN2 : 0.0);
  ok = TRUE;

out:
  gn_net_free (net);
  return ok;
}

ZC_PROXY_DEFINE (synflow, FALSE,
                 "zero-cost: log of the synaptic flow, sum |w dR/dw| of the "
                 "linearised network on an all-ones image")
