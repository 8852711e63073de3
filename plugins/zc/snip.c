/* snip.c - connection sensitivity at initialisation (SNIP)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Lee et al., "SNIP: Single-shot Network Pruning based on Connection
 * Sensitivity" (ICLR 2019), summed over the network as Abdelfattah et al.
 * 2021 do (NASLib measures/snip.py): one training-mode forward and
 * backward of the fixed batch with the mean cross-entropy of its labels;
 * the score is the sum over every conv and linear weight of |w dL/dw|
 * (the gradient of a multiplicative mask at 1, which is what snip.py
 * differentiates).
 */
#include "config.h"
#include "zc-common.h"

static gboolean
snip_score (gpointer self, const char *arch, GnProxyResult *result,
            GError **error)
{
  ZcTask *t = self;
  int logits;
  GnNet *net = zc_net_new (t, arch, t->batch, FALSE, &logits, error);
  if (net == NULL)
    return FALSE;
  zc_loss_backward (t, net, logits);
  zc_result (result, zc_saliency (net));
  gn_net_free (net);
  return TRUE;
}

ZC_PROXY_DEFINE (snip, TRUE,
                 "zero-cost: SNIP, the summed |w dL/dw| of the conv and "
                 "linear weights at initialisation")
