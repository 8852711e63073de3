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

#include <math.h>

static const GnProxyParamSpec params[] = { ZC_PARAMS, { NULL } };

static gpointer
snip_create (const GnProxyContext *ctx, const GnProxyParams *p,
             GError **error)
{
  return zc_task_new (ctx, p, TRUE, "snip", error);
}

static gboolean
snip_score (gpointer self, const char *arch, GnProxyResult *result,
            GError **error)
{
  ZcTask *t = self;
  int logits;
  GnNet *net = zc_build (t, arch, t->batch, &logits, error);
  if (net == NULL)
    return FALSE;
  if (!zc_compile_init (t, net, arch, FALSE, error))
    {
      gn_net_free (net);
      return FALSE;
    }
  zc_loss_backward (t, net, logits);
  guint n;
  const GnParam *prm = gn_net_params (net, &n);
  double score = 0.0;
  for (guint i = 0; i < n; i++)
    if (zc_is_layer_weight (&prm[i]))
      for (gsize k = 0; k < prm[i].size; k++)
        score += fabs ((double) prm[i].value[k] * prm[i].grad[k]);
  zc_result (result, score);
  gn_net_free (net);
  return TRUE;
}

static const GnProxyDesc snip_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "snip",
  .description = "zero-cost: SNIP, the summed |w dL/dw| of the conv and "
                 "linear weights at initialisation",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = snip_create,
  .score = snip_score,
  .destroy = zc_task_free,
  .fingerprint = zc_task_fingerprint,
};

GN_PROXY_DEFINE (snip, snip_desc)
