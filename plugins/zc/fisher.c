/* fisher.c - the Fisher information of every layer's output channels
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Theis et al. 2018's channel saliency as Abdelfattah et al. 2021 sum it
 * (NASLib measures/fisher.py): one training-mode forward and backward of
 * the fixed batch with the mean cross-entropy of its labels.  For each
 * conv and linear layer with output activation a (before its batch norm)
 * and loss gradient g = dL/da, channel k's saliency is
 *
 *     F_k = 1/2 mean_n (sum_{h,w} a_nkhw g_nkhw)^2,
 *
 * and, as fisher.py broadcasts F_k to every weight of channel k before
 * summing, the score is sum over layers and channels of F_k times the
 * channel's fan-in (in_channels / groups x kernel area, or in_features).
 *
 * The activations are tapped and their gradients kept with
 * gn_net_retain_grad() so both can be read after the backward pass.
 */
#include "config.h"
#include "zc-common.h"

#include <math.h>
#include <string.h>

static gboolean
fisher_score (gpointer self, const char *arch, GnProxyResult *result,
              GError **error)
{
  ZcTask *t = self;
  int logits;
  static const char *const ops[] = { "conv2d", "linear", NULL };
  GArray *layers;
  GnNet *net = zc_net_new_tapped (t, arch, ops, TRUE, &logits, &layers,
                                  error);
  if (net == NULL)
    return FALSE;
  zc_loss_backward (t, net, logits);

  /* the fan-in of each layer: its weight's size over its out-channels */
  guint n_params;
  const GnParam *prm = gn_net_params (net, &n_params);
  double score = 0.0;
  for (guint l = 0; l < layers->len; l++)
    {
      int node = g_array_index (layers, int, l);
      const float *a = gn_net_value (net, node);
      const float *g = gn_net_grad (net, node);
      if (g == NULL)
        continue;                  /* no gradient reaches it: saliency 0 */
      GnShape s = gn_net_shape (net, node);
      gsize hw = (gsize) s.h * s.w;
      gsize fan_in = 0;
      for (guint i = 0; i < n_params; i++)
        if (prm[i].node == node && zc_is_layer_weight (&prm[i]))
          fan_in = prm[i].size / (gsize) s.c;
      for (int k = 0; k < s.c; k++)
        {
          double f = 0.0;
          for (int n = 0; n < s.n; n++)
            {
              gsize off = ((gsize) n * s.c + k) * hw;
              double gk = 0.0;
              for (gsize p = 0; p < hw; p++)
                gk += (double) a[off + p] * g[off + p];
              f += gk * gk;
            }
          score += 0.5 * f / s.n * (double) fan_in;
        }
    }
  zc_result (result, score);
  g_array_free (layers, TRUE);
  gn_net_free (net);
  return TRUE;
}

ZC_PROXY_DEFINE (fisher, TRUE,
                 "zero-cost: summed Fisher information of the conv and "
                 "linear output channels at initialisation")
