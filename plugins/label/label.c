/* label.c - the task-label baseline: the same training budget, with labels
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * What GenNAS is measured against: train the published network, classifier
 * included, with cross-entropy on real labels for as many SGD steps and as
 * large a batch as the regression proxy uses, then score its accuracy on a
 * fixed held-out set that training never sees (ties, common after so
 * short a run, are broken by the held-out loss).
 */
#include "config.h"
#include "gennas.h"

#include <math.h>
#include <string.h>

typedef struct {
  GnSpace *space;
  const GnDataset *data;
  int steps, batch, holdout;
  float lr, momentum, weight_decay;
  guint64 seed;
  const char *const *options;  /* the context's build options */
  int n_train;                 /* images [0, n_train) train; the rest test */
  char *fingerprint;
} Label;

static const GnProxyParamSpec params[] = {
  { "steps", GN_PROXY_PARAM_INT, "100", 1, 100000,
    "SGD steps of training per architecture" },
  { "batch", GN_PROXY_PARAM_INT, "16", 2, 4096, "images per step" },
  { "holdout", GN_PROXY_PARAM_INT, "500", 16, 100000,
    "images at the end of the set kept for scoring, never trained on" },
  { "lr", GN_PROXY_PARAM_DOUBLE, "0.1", 0, 10, "SGD learning rate (constant)" },
  { "momentum", GN_PROXY_PARAM_DOUBLE, "0.9", 0, 0.999, "SGD momentum" },
  { "weight_decay", GN_PROXY_PARAM_DOUBLE, "4e-5", 0, 1,
    "L2 decay of conv and linear weights" },
  { NULL }
};

static void
label_destroy (gpointer self)
{
  Label *l = self;
  if (l == NULL)
    return;
  g_free (l->fingerprint);
  g_free (l);
}

static const char *
label_fingerprint (gpointer self)
{
  return ((Label *) self)->fingerprint;
}

static gpointer
label_create (const GnProxyContext *ctx, const GnProxyParams *p,
              GError **error)
{
  Label *l = g_new0 (Label, 1);
  l->space = ctx->space;
  l->data = ctx->data;
  l->steps = (int) gn_proxy_params_int (p, "steps");
  l->batch = (int) gn_proxy_params_int (p, "batch");
  l->holdout = (int) gn_proxy_params_int (p, "holdout");
  l->lr = (float) gn_proxy_params_double (p, "lr");
  l->momentum = (float) gn_proxy_params_double (p, "momentum");
  l->weight_decay = (float) gn_proxy_params_double (p, "weight_decay");
  l->seed = ctx->seed;
  l->options = ctx->build_options;

  if (l->data == NULL || l->data->n < l->holdout + l->batch)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                   "the label baseline needs at least %d labelled images "
                   "(holdout %d + one batch)", l->holdout + l->batch,
                   l->holdout);
      label_destroy (l);
      return NULL;
    }
  l->n_train = l->data->n - l->holdout;
  l->fingerprint = g_strdup_printf ("data=%s:%d", l->data->name, l->data->n);
  return l;
}

static gboolean
label_score (gpointer self, const char *arch, GnProxyResult *result,
             GError **error)
{
  Label *l = self;
  const GnDataset *ds = l->data;
  GnBuildOptions opts = { .batch = l->batch, .in_c = ds->c, .in_h = ds->h,
                          .in_w = ds->w, .classifier = TRUE,
                          .num_classes = ds->num_classes,
                          .options = l->options };
  GnOptim *opt = NULL;
  int *idx = NULL, *labels = NULL;
  gboolean ok = FALSE;

  GnNet *net = gn_space_build (l->space, arch, &opts, error);
  if (net == NULL)
    return FALSE;
  int logits = gn_net_find_tap (net, "logits");
  if (logits < 0)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE,
                   "the space built no 'logits' tap for %s", arch);
      goto out;
    }
  if (!gn_net_compile (net, FALSE, error))
    goto out;

  GnRng rng;
  gn_proxy_arch_rng (&rng, l->seed, arch);
  gn_net_init_params (net, &rng);
  GnOptimConfig cfg = { .kind = GN_OPTIM_SGD, .lr = l->lr,
                        .momentum = l->momentum,
                        .weight_decay = l->weight_decay };
  opt = gn_optim_new (net, &cfg, error);
  if (opt == NULL)
    goto out;

  int k = ds->num_classes;
  idx = g_new (int, l->batch);
  labels = g_new (int, l->batch);
  double loss = 0.0;
  for (int step = 0; step < l->steps && isfinite (loss); step++)
    {
      for (int i = 0; i < l->batch; i++)
        {
          idx[i] = (int) gn_rng_below (&rng, (guint32) l->n_train);
          labels[i] = ds->labels[idx[i]];
        }
      gn_dataset_batch (ds, idx, l->batch, TRUE, 4, &rng, gn_net_input (net));
      gn_net_forward (net, GN_MODE_TRAIN);
      loss = gn_loss_softmax_xent (l->batch, k, gn_net_value (net, logits),
                                   labels, gn_net_grad (net, logits), NULL);
      gn_net_zero_grad (net);
      gn_net_backward (net);
      gn_optim_step (opt);
    }

  /* held-out accuracy, in batches; the last one is padded with repeats
   * of its first image, which are not counted */
  int correct = 0;
  double test_loss = 0.0;
  for (int start = l->n_train; start < ds->n && isfinite (loss);
       start += l->batch)
    {
      int real = MIN (l->batch, ds->n - start);
      for (int i = 0; i < l->batch; i++)
        {
          idx[i] = start + (i < real ? i : 0);
          labels[i] = ds->labels[idx[i]];
        }
      gn_dataset_batch (ds, idx, l->batch, FALSE, 0, NULL, gn_net_input (net));
      gn_net_forward (net, GN_MODE_EVAL);
      int c = 0;
      test_loss += real * gn_loss_softmax_xent (real, k,
                                                gn_net_value (net, logits),
                                                labels, NULL, &c);
      correct += c;
    }
  test_loss /= l->holdout;
  double accuracy = (double) correct / l->holdout;
  result->loss = test_loss;
  /* accuracy moves in steps of 1/holdout; the loss term stays below half
   * a step, so it only orders equal accuracies */
  result->score = accuracy - 0.4 / l->holdout * (MIN (test_loss, 100.0) / 100.0);
  result->status = isfinite (loss) && isfinite (test_loss)
                   ? GN_EVAL_OK : GN_EVAL_NONFINITE;
  if (result->status != GN_EVAL_OK)
    result->score = -G_MAXDOUBLE;
  ok = TRUE;

out:
  g_free (idx);
  g_free (labels);
  gn_optim_free (opt);
  gn_net_free (net);
  return ok;
}

static const GnProxyDesc label_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "label",
  .description = "task-label baseline: held-out accuracy after training "
                 "with labels on the same budget as the regression proxy",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = label_create,
  .score = label_score,
  .destroy = label_destroy,
  .fingerprint = label_fingerprint,
};

GN_PROXY_DEFINE (label, label_desc)
