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

#include <math.h>

static const GnProxyParamSpec params[] = { ZC_PARAMS, { NULL } };

static gpointer
l2_norm_create (const GnProxyContext *ctx, const GnProxyParams *p,
                GError **error)
{
  return zc_task_new (ctx, p, FALSE, "l2_norm", error);
}

static gboolean
l2_norm_score (gpointer self, const char *arch, GnProxyResult *result,
               GError **error)
{
  ZcTask *t = self;
  int logits;
  GnNet *net = zc_build (t, arch, 1, &logits, error);
  if (net == NULL)
    return FALSE;
  if (!zc_compile_init (t, net, arch, FALSE, error))
    {
      gn_net_free (net);
      return FALSE;
    }
  guint n;
  const GnParam *prm = gn_net_params (net, &n);
  double score = 0.0;
  for (guint i = 0; i < n; i++)
    if (zc_is_layer_weight (&prm[i]))
      {
        double ss = 0.0;
        for (gsize k = 0; k < prm[i].size; k++)
          ss += (double) prm[i].value[k] * prm[i].value[k];
        score += sqrt (ss);
      }
  zc_result (result, score);
  gn_net_free (net);
  return TRUE;
}

static const GnProxyDesc l2_norm_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "l2_norm",
  .description = "zero-cost: summed L2 norm of the conv and linear weights "
                 "at initialisation (NAS-Bench-Suite-Zero)",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = l2_norm_create,
  .score = l2_norm_score,
  .destroy = zc_task_free,
  .fingerprint = zc_task_fingerprint,
};

GN_PROXY_DEFINE (l2_norm, l2_norm_desc)
