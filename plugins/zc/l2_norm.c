/* l2_norm.c - the summed L2 norm of the initial weights
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * NAS-Bench-Suite-Zero's "l2_norm" (NASLib measures/l2_norm.py): the sum
 * over the conv and linear layers of the Frobenius norm of the weight
 * tensor, at initialisation.  It reads no data; with PyTorch's default
 * initialisation each layer's norm is close to sqrt(out_channels / 3), so
 * the score mostly counts the parameterised operations of the cell.
 */
#include "config.h"
#include "zc-common.h"

static gboolean
l2_norm_score (gpointer self, const char *arch, GnProxyResult *result,
               GError **error)
{
  int logits;
  GnNet *net = zc_net_new (self, arch, 1, FALSE, &logits, error);
  if (net == NULL)
    return FALSE;
  zc_result (result, zc_layer_l2_norms (net, FALSE));
  gn_net_free (net);
  return TRUE;
}

ZC_PROXY_DEFINE (l2_norm, FALSE,
                 "zero-cost: summed L2 norm of the conv and linear weights "
                 "at initialisation (NAS-Bench-Suite-Zero)")
