/* grad_norm.c - the summed norm of the loss gradient at initialisation
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Abdelfattah et al. 2021's "grad_norm" (NASLib measures/grad_norm.py):
 * one training-mode forward and backward of the fixed batch with the mean
 * cross-entropy of its labels; the score is the sum over the conv and
 * linear layers of the Frobenius norm of the weight gradient.
 */
#include "config.h"
#include "zc-common.h"

static gboolean
grad_norm_score (gpointer self, const char *arch, GnProxyResult *result,
                 GError **error)
{
  ZcTask *t = self;
  int logits;
  GnNet *net = zc_net_new (t, arch, t->batch, FALSE, &logits, error);
  if (net == NULL)
    return FALSE;
  zc_loss_backward (t, net, logits);
  zc_result (result, zc_layer_l2_norms (net, TRUE));
  gn_net_free (net);
  return TRUE;
}

ZC_PROXY_DEFINE (grad_norm, TRUE,
                 "zero-cost: summed L2 norm of the cross-entropy gradient "
                 "of the conv and linear weights at initialisation")
