/* gn-optim.c - SGD with momentum and Adam, PyTorch's update rules
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The parameters of a network are one contiguous block, so each update is
 * a single pass per parameter tensor; the per-tensor decay flag picks one
 * of two loops instead of a branch per element.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-net.h"
#include "gn-optim.h"

#include <math.h>
#include <string.h>

struct _GnOptim {
  GnNet *net;
  GnOptimConfig cfg;
  float *m;          /* SGD momentum buffer, or Adam's first moment */
  float *v;          /* Adam's second moment */
  gsize count;
  gint64 t;          /* steps taken */
};

GnOptim *
gn_optim_new (GnNet *net, const GnOptimConfig *config, GError **error)
{
  g_return_val_if_fail (net != NULL && config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GnOptimConfig c = *config;
  if (c.kind == GN_OPTIM_ADAM)
    {
      if (c.beta1 == 0.f && c.beta2 == 0.f && c.eps == 0.f)
        {
          c.beta1 = 0.9f;
          c.beta2 = 0.999f;
          c.eps = 1e-8f;
        }
      if (!(c.beta1 >= 0.f && c.beta1 < 1.f && c.beta2 >= 0.f
            && c.beta2 < 1.f && c.eps >= 0.f))
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "adam: betas must lie in [0, 1) and eps be >= 0 "
                       "(got %g, %g, %g)", c.beta1, c.beta2, c.eps);
          return NULL;
        }
    }
  else if (c.kind != GN_OPTIM_SGD)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "unknown optimiser kind %d", (int) c.kind);
      return NULL;
    }
  if (!(c.lr >= 0.f) || !(c.momentum >= 0.f) || !(c.weight_decay >= 0.f))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "learning rate, momentum and weight decay must be >= 0 "
                   "(got %g, %g, %g)", c.lr, c.momentum, c.weight_decay);
      return NULL;
    }
  guint n_params;
  const GnParam *params = gn_net_params (net, &n_params);
  if (n_params > 0 && params[0].value == NULL)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_STATE,
                   "the network must be compiled before its optimiser is "
                   "created");
      return NULL;
    }

  GnOptim *opt = g_new0 (GnOptim, 1);
  opt->net = net;
  opt->cfg = c;
  opt->count = gn_net_count_params (net);
  opt->m = g_new0 (float, opt->count + 1);
  if (c.kind == GN_OPTIM_ADAM)
    opt->v = g_new0 (float, opt->count + 1);
  return opt;
}

void
gn_optim_free (GnOptim *opt)
{
  if (opt == NULL)
    return;
  g_free (opt->m);
  g_free (opt->v);
  g_free (opt);
}

void
gn_optim_reset (GnOptim *opt)
{
  g_return_if_fail (opt != NULL);
  memset (opt->m, 0, opt->count * sizeof (float));
  if (opt->v)
    memset (opt->v, 0, opt->count * sizeof (float));
  opt->t = 0;
}

static void
sgd_update (gsize n, float *restrict w, const float *restrict g,
            float *restrict buf, float lr, float mu, float wd, gboolean first)
{
  /* torch.optim.SGD: d = g + wd w; buf = first ? d : mu buf + d */
  if (first)
    for (gsize i = 0; i < n; i++)
      {
        float d = g[i] + wd * w[i];
        buf[i] = d;
        w[i] -= lr * d;
      }
  else
    for (gsize i = 0; i < n; i++)
      {
        float d = g[i] + wd * w[i];
        buf[i] = mu * buf[i] + d;
        w[i] -= lr * buf[i];
      }
}

static void
sgd_plain (gsize n, float *restrict w, const float *restrict g, float lr,
           float wd)
{
  for (gsize i = 0; i < n; i++)
    w[i] -= lr * (g[i] + wd * w[i]);
}

static void
adam_update (gsize n, float *restrict w, const float *restrict g,
             float *restrict m, float *restrict v, float wd,
             float b1, float b2, float eps, float step_size,
             float bias_correction2_sqrt)
{
  for (gsize i = 0; i < n; i++)
    {
      float d = g[i] + wd * w[i];
      m[i] = b1 * m[i] + (1.f - b1) * d;
      v[i] = b2 * v[i] + (1.f - b2) * d * d;
      float denom = sqrtf (v[i]) / bias_correction2_sqrt + eps;
      w[i] -= step_size * (m[i] / denom);
    }
}

void
gn_optim_step (GnOptim *opt)
{
  g_return_if_fail (opt != NULL);
  const GnOptimConfig *c = &opt->cfg;
  guint n_params;
  const GnParam *params = gn_net_params (opt->net, &n_params);
  gsize off = 0;

  opt->t++;
  double bc1 = 1.0 - pow (c->beta1, (double) opt->t);
  double bc2 = 1.0 - pow (c->beta2, (double) opt->t);
  for (guint p = 0; p < n_params; p++)
    {
      const GnParam *prm = &params[p];
      float wd = (prm->decay || c->decay_all) ? c->weight_decay : 0.f;
      if (c->kind == GN_OPTIM_SGD)
        {
          if (c->momentum != 0.f)
            sgd_update (prm->size, prm->value, prm->grad, opt->m + off,
                        c->lr, c->momentum, wd, opt->t == 1);
          else
            sgd_plain (prm->size, prm->value, prm->grad, c->lr, wd);
        }
      else
        adam_update (prm->size, prm->value, prm->grad, opt->m + off,
                     opt->v + off, wd, c->beta1, c->beta2, c->eps,
                     (float) (c->lr / bc1), (float) sqrt (bc2));
      off += prm->size;
    }
}
