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

#include <math.h>

static const GnProxyParamSpec params[] = { ZC_PARAMS, { NULL } };

static gpointer
grad_norm_create (const GnProxyContext *ctx, const GnProxyParams *p,
                  GError **error)
{
  return zc_task_new (ctx, p, TRUE, "grad_norm", error);
}

static gboolean
grad_norm_score (gpointer self, const char *arch, GnProxyResult *result,
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
      {
        double ss = 0.0;
        for (gsize k = 0; k < prm[i].size; k++)
          ss += (double) prm[i].grad[k] * prm[i].grad[k];
        score += sqrt (ss);
      }
  zc_result (result, score);
  gn_net_free (net);
  return TRUE;
}

static const GnProxyDesc grad_norm_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "grad_norm",
  .description = "zero-cost: summed L2 norm of the cross-entropy gradient "
                 "of the conv and linear weights at initialisation",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = grad_norm_create,
  .score = grad_norm_score,
  .destroy = zc_task_free,
  .fingerprint = zc_task_fingerprint,
};

GN_PROXY_DEFINE (grad_norm, grad_norm_desc)
