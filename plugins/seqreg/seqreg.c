/* seqreg.c - GenNAS's NLP proxy: how well does a recurrent network regress
 * one signal sequence onto another?
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Li et al., "Generic Neural Architecture Search via Regression" (NeurIPS
 * 2021), the NLP task of docs/method.md §3.6.  The task, prepared once
 * from the task seed and a sequence recipe (lua/recipes/nlp*.lua): an
 * input and a target signal sequence of shape (L, B, D), drawn by the
 * same generators as the image targets.  Per architecture: build the
 * space's sequence network (a linear encoder D -> emsize, the recurrent
 * layers, a linear decoder emsize -> D at every step; tap "output"),
 * train it with Adam on the MSE for a fixed number of steps, fresh
 * input noise each step, dropout on, the hidden state zero at every
 * step's start; score the evaluation-mode loss on a fresh noise draw
 * after the last step, negated.  The `regression` proxy runs this one
 * when the space reads sequences, so one command line ranks NB-NLP.
 */
#include "config.h"
#include "gennas.h"

#include <math.h>
#include <string.h>

typedef struct {
  GnSpace *space;
  GnRecipe *recipe;
  int steps;
  float lr, weight_decay;
  guint64 seed;
  const char *const *options;  /* the context's build options */
  int length, width, batch;
  GnNoiseKind noise;
  float noise_level;
  float *clean;                /* the input, laid out as the network's */
  float *target;               /* the target, as the "output" tap's */
  char *fingerprint;
} Seqreg;

static const GnProxyParamSpec params[] = {
  { "steps", GN_PROXY_PARAM_INT, "100", 1, 100000,
    "Adam steps of training per architecture" },
  { "lr", GN_PROXY_PARAM_DOUBLE, "0.001", 0, 10,
    "Adam learning rate (constant)" },
  { "weight_decay", GN_PROXY_PARAM_DOUBLE, "1.2e-6", 0, 1,
    "L2 decay of every parameter (NB-NLP's wdecay)" },
  { "recipe", GN_PROXY_PARAM_STRING, "nlp", 0, 0,
    "sequence recipe: a name in lua/recipes (nlp, nlp-combo, nlp-single, "
    "nlp-sin1d-m, nlp-sin2d-m, nlp-sin1d-h, nlp-sin2d-h) or a .lua file" },
  { NULL }
};

static void seqreg_destroy (gpointer self);

/* [L][B][D] (time-major, GenNAS's) to the network's layouts: the input
 * [B][D][L][1] and the output tap [B][L * D], step-major */
static void
to_input (const Seqreg *q, const float *src, float *dst)
{
  int L = q->length, B = q->batch, D = q->width;
  for (int t = 0; t < L; t++)
    for (int b = 0; b < B; b++)
      for (int d = 0; d < D; d++)
        dst[((gsize) b * D + d) * L + t] = src[((gsize) t * B + b) * D + d];
}

static void
to_output (const Seqreg *q, const float *src, float *dst)
{
  int L = q->length, B = q->batch, D = q->width;
  for (int t = 0; t < L; t++)
    for (int b = 0; b < B; b++)
      memcpy (dst + ((gsize) b * L + t) * D, src + ((gsize) t * B + b) * D,
              (gsize) D * sizeof (float));
}

static gpointer
seqreg_create (const GnProxyContext *ctx, const GnProxyParams *p,
               GError **error)
{
  Seqreg *q = g_new0 (Seqreg, 1);
  float *seq = NULL;
  GnRng rng;

  q->space = ctx->space;
  q->steps = (int) gn_proxy_params_int (p, "steps");
  q->lr = (float) gn_proxy_params_double (p, "lr");
  q->weight_decay = (float) gn_proxy_params_double (p, "weight_decay");
  q->seed = ctx->seed;
  q->options = ctx->build_options;
  if (q->space == NULL || gn_space_input (q->space) != GN_SPACE_INPUT_SEQUENCE)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                   "the %s space's networks read images; this proxy needs "
                   "a space of sequences (input = \"sequence\", e.g. "
                   "spaces/nbnlp.lua)",
                   q->space ? gn_space_name (q->space) : "(no)");
      goto fail;
    }
  q->recipe = gn_recipe_load (gn_proxy_params_string (p, "recipe"), error);
  if (q->recipe == NULL)
    goto fail;
  if (!gn_recipe_sequence (q->recipe, &q->length, &q->width, &q->batch))
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                   "recipe '%s' is an image recipe; sequences need a "
                   "sequence recipe (nlp, nlp-combo, ...)",
                   gn_recipe_name (q->recipe));
      goto fail;
    }
  q->noise = gn_recipe_noise (q->recipe, &q->noise_level);

  /* the task: the input's signals, then the target's, from the seed */
  gsize n = (gsize) q->length * q->batch * q->width;
  seq = g_new (float, n);
  q->clean = g_new (float, n);
  q->target = g_new (float, n);
  gn_rng_seed (&rng, q->seed);
  if (!gn_recipe_sequence_signal (q->recipe, 0, &rng, seq))
    goto nomem;
  to_input (q, seq, q->clean);
  if (!gn_recipe_sequence_signal (q->recipe, 1, &rng, seq))
    goto nomem;
  to_output (q, seq, q->target);
  g_free (seq);
  q->fingerprint = g_strdup_printf ("recipe-sha256=%s",
                                    gn_recipe_checksum (q->recipe));
  return q;

nomem:
  g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
               "cannot allocate the signals of recipe '%s'",
               gn_recipe_name (q->recipe));
fail:
  g_free (seq);
  seqreg_destroy (q);
  return NULL;
}

static void
seqreg_destroy (gpointer self)
{
  Seqreg *q = self;
  if (q == NULL)
    return;
  gn_recipe_free (q->recipe);
  g_free (q->clean);
  g_free (q->target);
  g_free (q->fingerprint);
  g_free (q);
}

static const char *
seqreg_fingerprint (gpointer self)
{
  return ((Seqreg *) self)->fingerprint;
}

static void
noisy_input (const Seqreg *q, GnRng *rng, float *in)
{
  gn_noise_apply (q->noise, q->noise_level, q->clean, in,
                  (gsize) q->length * q->batch * q->width, rng);
}

static gboolean
seqreg_score (gpointer self, const char *arch, GnProxyResult *result,
              GError **error)
{
  Seqreg *q = self;
  GnBuildOptions opts = { .batch = q->batch, .in_c = q->width,
                          .in_h = q->length, .in_w = 1,
                          .options = q->options };
  GnOptim *opt = NULL;
  gboolean ok = FALSE;
  gsize count = (gsize) q->length * q->batch * q->width;

  GnNet *net = gn_space_build (q->space, arch, &opts, error);
  if (net == NULL)
    return FALSE;
  int out = gn_net_find_tap (net, "output");
  if (out < 0 || gn_net_shape (net, out).n != q->batch
      || (gsize) gn_net_shape (net, out).c * gn_net_shape (net, out).h
         * gn_net_shape (net, out).w != (gsize) q->length * q->width)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE,
                   "the space built no tap 'output' of %d x %d values per "
                   "sequence for %s", q->length, q->width, arch);
      goto out;
    }
  if (!gn_net_compile (net, FALSE, error))
    goto out;

  GnRng rng;
  gn_proxy_arch_rng (&rng, q->seed, arch);
  gn_net_init_params (net, &rng);
  /* torch.optim.Adam (model.parameters (), weight_decay=wdecay): every
   * parameter decays */
  GnOptimConfig cfg = { .kind = GN_OPTIM_ADAM, .lr = q->lr,
                        .weight_decay = q->weight_decay, .decay_all = TRUE };
  opt = gn_optim_new (net, &cfg, error);
  if (opt == NULL)
    goto out;

  double loss = 0.0;
  for (int step = 0; step < q->steps; step++)
    {
      noisy_input (q, &rng, gn_net_input (net));
      gn_net_forward (net, GN_MODE_TRAIN);
      loss = gn_loss_mse (count, gn_net_value (net, out), q->target, 1.f,
                          gn_net_grad (net, out));
      if (!isfinite (loss))
        break;
      gn_net_zero_grad (net);
      gn_net_backward (net);
      gn_optim_step (opt);
    }
  if (isfinite (loss))
    {
      noisy_input (q, &rng, gn_net_input (net));
      gn_net_forward (net, GN_MODE_EVAL);
      loss = gn_loss_mse (count, gn_net_value (net, out), q->target, 1.f,
                          NULL);
    }
  result->loss = loss;
  result->score = isfinite (loss) ? -loss : -G_MAXDOUBLE;
  result->status = isfinite (loss) ? GN_EVAL_OK : GN_EVAL_NONFINITE;
  ok = TRUE;

out:
  gn_optim_free (opt);
  gn_net_free (net);
  return ok;
}

static const GnProxyDesc seqreg_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "seqreg",
  .description = "GenNAS's NLP task: final loss of regressing a signal "
                 "sequence onto another after a short Adam run (negated)",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = seqreg_create,
  .score = seqreg_score,
  .destroy = seqreg_destroy,
  .fingerprint = seqreg_fingerprint,
};

GN_PROXY_DEFINE (seqreg, seqreg_desc)
