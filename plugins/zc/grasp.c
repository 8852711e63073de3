/* grasp.c - GraSP: gradient signal preservation at initialisation
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Wang et al., "Picking Winning Tickets Before Training by Preserving
 * Gradient Flow" (ICLR 2020), summed over the network as Abdelfattah et
 * al. 2021 do (NASLib measures/grasp.py): with g = dL/dw the cross-entropy
 * gradient of the conv and linear weights on the fixed batch (training
 * mode) and H the Hessian of L in those weights, the score is
 *
 *     - sum over conv and linear weights of  w (H g).
 *
 * NASLib gets H g by double back-propagation.  The engine has no second
 * derivatives, so H g is the central difference of the gradient along g:
 *
 *     H g ~ (grad L(w + eps g) - grad L(w - eps g)) / (2 eps),
 *
 * with eps = fd_step ||w|| / ||g||, only the conv and linear weights
 * moved, and the ReLUs frozen in the on/off pattern of the forward pass
 * at w (gn_net_set_relu_mode()): double back-propagation treats ReLU as
 * linear (second derivative 0), whereas a plain difference would also
 * count the units that change sign within +-eps g, a term that does not
 * vanish as eps shrinks and swamps the rest.  Batch norm (batch
 * statistics) and the loss are smooth, so the frozen difference converges
 * to NASLib's H g: on NB201 cells the score moves by about 1% between
 * fd_step 3e-6 and 3e-5 (rounding takes over below 1e-6; truncation is
 * visible above 1e-4, and at 1e-3 the sign can flip), hence 1e-5.
 * Three forward and backward passes per architecture.
 */
#include "config.h"
#include "zc-common.h"

#include <math.h>
#include <string.h>

static const GnProxyParamSpec params[] = {
  ZC_PARAMS,
  { "fd_step", GN_PROXY_PARAM_DOUBLE, "1e-5", 1e-8, 1,
    "finite-difference step along the gradient, relative to |w| / |g|" },
  { NULL }
};

typedef struct {
  ZcTask *task;
  double fd_step;
} Grasp;

static gpointer
grasp_create (const GnProxyContext *ctx, const GnProxyParams *p,
              GError **error)
{
  ZcTask *t = zc_task_new (ctx, p, TRUE, error);
  if (t == NULL)
    return NULL;
  Grasp *g = g_new0 (Grasp, 1);
  g->task = t;
  g->fd_step = gn_proxy_params_double (p, "fd_step");
  return g;
}

static void
grasp_destroy (gpointer self)
{
  Grasp *g = self;
  if (g == NULL)
    return;
  zc_task_free (g->task);
  g_free (g);
}

static const char *
grasp_fingerprint (gpointer self)
{
  return zc_task_fingerprint (((Grasp *) self)->task);
}

/* the layer weights, concatenated, in and out of the network */
static void
gather (const GnParam *prm, guint n, gboolean grads, float *out)
{
  for (guint i = 0; i < n; i++)
    if (zc_is_layer_weight (&prm[i]))
      {
        memcpy (out, grads ? prm[i].grad : prm[i].value,
                prm[i].size * sizeof (float));
        out += prm[i].size;
      }
}

/* the layer weights := w0 + step d */
static void
move (const GnParam *prm, guint n, const float *w0, const float *d,
      double step)
{
  for (guint i = 0; i < n; i++)
    if (zc_is_layer_weight (&prm[i]))
      {
        for (gsize k = 0; k < prm[i].size; k++)
          prm[i].value[k] = (float) (w0[k] + step * d[k]);
        w0 += prm[i].size;
        d += prm[i].size;
      }
}

static gboolean
grasp_score (gpointer self, const char *arch, GnProxyResult *result,
             GError **error)
{
  Grasp *gr = self;
  ZcTask *t = gr->task;
  int logits;
  GnNet *net = zc_net_new (t, arch, t->batch, FALSE, &logits, error);
  if (net == NULL)
    return FALSE;
  guint n;
  const GnParam *prm = gn_net_params (net, &n);
  gsize total = 0;
  for (guint i = 0; i < n; i++)
    if (zc_is_layer_weight (&prm[i]))
      total += prm[i].size;
  float *w0 = g_new (float, total);
  float *g0 = g_new (float, total);
  float *gp = g_new (float, total);
  float *gm = g_new (float, total);

  gather (prm, n, FALSE, w0);
  gboolean ok = gn_net_set_relu_mode (net, GN_RELU_RECORD, error);
  if (ok)
    {
      zc_loss_backward (t, net, logits);
      gather (prm, n, TRUE, g0);
      ok = gn_net_set_relu_mode (net, GN_RELU_FROZEN, error);
    }
  if (!ok)
    goto out;
  double ww = 0.0, gg = 0.0;
  for (gsize k = 0; k < total; k++)
    {
      ww += (double) w0[k] * w0[k];
      gg += (double) g0[k] * g0[k];
    }
  double score = 0.0;
  if (gg > 0.0)
    {
      double eps = gr->fd_step * sqrt (ww / gg);
      move (prm, n, w0, g0, eps);
      zc_loss_backward (t, net, logits);
      gather (prm, n, TRUE, gp);
      move (prm, n, w0, g0, -eps);
      zc_loss_backward (t, net, logits);
      gather (prm, n, TRUE, gm);
      move (prm, n, w0, g0, 0.0);
      for (gsize k = 0; k < total; k++)
        score -= (double) w0[k] * (((double) gp[k] - gm[k]) / (2.0 * eps));
    }
  zc_result (result, score);

out:
  g_free (w0);
  g_free (g0);
  g_free (gp);
  g_free (gm);
  gn_net_free (net);
  return ok;
}

static const GnProxyDesc grasp_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "grasp",
  .description = "zero-cost: GraSP, -w (H g) summed over the conv and "
                 "linear weights, H g by central differences",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = grasp_create,
  .score = grasp_score,
  .destroy = grasp_destroy,
  .fingerprint = grasp_fingerprint,
};

GN_PROXY_DEFINE (grasp, grasp_desc)
