/* regression.c - the GenNAS proxy: how well does a network regress signals?
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Li et al., "Generic Neural Architecture Search via Regression" (NeurIPS
 * 2021), as docs/method.md §2 describes it; every default below is the
 * paper code's but the recipe (§2.7).  The task, prepared once: the
 * host's fixed batch of images (augmented once, gn_proxy_context_batch()),
 * and for each of the three stages a fixed target tensor drawn from the
 * recipe's signal bases with the generator the batch left off.  Per
 * architecture: build the backbone without its classifier, put a head
 * (nearest resize to 8x8, batch norm, 1x1 conv with bias) on each stage
 * output, train all of it with SGD on the weighted MSE for a fixed number
 * of steps with fresh input noise each step, and score the
 * evaluation-mode loss after the last step: lower loss, better network,
 * so the score is its negation.
 *
 * A space of sequences (NB-NLP's recurrent cells) gets GenNAS's NLP task
 * instead, the `seqreg` proxy's, run through the registry with this
 * proxy's `steps` and `recipe`: the default image recipe, combo, stands
 * for the sequence recipe nlp (CONF_NLP) there, and the SGD parameters,
 * batch, weights and precision do not apply (docs/method.md §3.6).
 */
#include "config.h"
#include "gennas.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_STAGES 3
#define TARGET_SIZE 8

typedef struct {
  GnSpace *space;
  GnRecipe *recipe;
  int steps, batch;
  float lr, momentum, weight_decay;
  float weights[N_STAGES];
  guint64 seed;
  const char *const *options;  /* the context's build options */
  GnShape input;
  const float *clean;          /* the context's fixed batch, normalised */
  float *targets[N_STAGES];
  int channels[N_STAGES];
  GnNoiseKind noise;
  float noise_level;
  GnPrecision precision;       /* "auto" resolved */
  char *fingerprint;
  /* a space of sequences: the seqreg proxy does the work */
  GnProxyRegistry *registry;
  GnProxy *sequence;
} Regression;

static const GnProxyParamSpec params[] = {
  { "steps", GN_PROXY_PARAM_INT, "100", 1, 100000,
    "SGD steps of training per architecture" },
  { "batch", GN_PROXY_PARAM_INT, "16", 2, 4096,
    "images in the one fixed batch; a space may name its own default "
    "(NB201, DARTS-like, AnyNet: 8)" },
  { "lr", GN_PROXY_PARAM_DOUBLE, "0.1", 0, 10, "SGD learning rate (constant)" },
  { "momentum", GN_PROXY_PARAM_DOUBLE, "0.9", 0, 0.999, "SGD momentum" },
  { "weight_decay", GN_PROXY_PARAM_DOUBLE, "4e-5", 0, 1,
    "L2 decay of conv and linear weights (not batch norm, not biases)" },
  { "weights", GN_PROXY_PARAM_STRING, "0.25,0.5,1",  0, 0,
    "loss weights of stages 0,1,2 (training and evaluation)" },
  { "recipe", GN_PROXY_PARAM_STRING, "combo", 0, 0,
    "signal recipe: a name in lua/recipes (combo, nb101, nb201-task, darts, "
    "resnet) or a .lua file; a space may name its own default (NB201 "
    "nb201-task, NB101 nb101, DARTS-like darts, AnyNet resnet)" },
  { "precision", GN_PROXY_PARAM_STRING, "fp32", 0, 0,
    "products of convs and linears: fp32, bf16 (AVX512-BF16 CPUs) or auto "
    "(bf16 where the CPU has it and runs it faster, measured)" },
  { NULL }
};

static void regression_destroy (gpointer self);

static gboolean
parse_weights (const char *text, float out[N_STAGES], GError **error)
{
  double w[N_STAGES];
  gboolean ok = gn_proxy_parse_numbers (text, N_STAGES, w), any = FALSE;
  for (int i = 0; ok && i < N_STAGES; i++)
    {
      ok = w[i] >= 0 && w[i] <= G_MAXFLOAT;
      out[i] = (float) w[i];
      any |= w[i] > 0;
    }
  if (!ok)
    g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                 "weights must be three non-negative numbers separated by "
                 "commas, not '%s'", text);
  else if (!any)
    g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                 "weights '%s' are all zero: every architecture would score "
                 "0; give at least one stage a weight", text);
  return ok && any;
}

static gboolean
sequence_create (Regression *r, const GnProxyContext *ctx,
                 const GnProxyParams *p, GError **error)
{
  const char *recipe = gn_proxy_params_string (p, "recipe");
  char *assign[3] = {
    g_strdup_printf ("steps=%" G_GINT64_FORMAT,
                     gn_proxy_params_int (p, "steps")),
    g_strdup_printf ("recipe=%s",
                     strcmp (recipe, "combo") == 0 ? "nlp" : recipe),
    NULL
  };
  gboolean ok = FALSE;
  r->registry = gn_proxy_registry_new ();
  const GnProxyDesc *desc = gn_proxy_registry_lookup (r->registry, "seqreg",
                                                      error);
  if (desc == NULL)
    goto out;
  r->sequence = gn_proxy_new (desc, ctx, (const char *const *) assign, error);
  if (r->sequence == NULL)
    goto out;
  r->fingerprint = g_strdup_printf ("sequence=[%s]",
                                    gn_proxy_config (r->sequence));
  ok = TRUE;

out:
  g_free (assign[0]);
  g_free (assign[1]);
  return ok;
}

static gpointer
regression_create (const GnProxyContext *ctx, const GnProxyParams *p,
                   GError **error)
{
  Regression *r = g_new0 (Regression, 1);
  GError *precision_error = NULL;
  const GnProxyBatch *batch;
  GnRng rng;

  r->space = ctx->space;
  r->steps = (int) gn_proxy_params_int (p, "steps");
  r->batch = (int) gn_proxy_params_int (p, "batch");
  r->lr = (float) gn_proxy_params_double (p, "lr");
  r->momentum = (float) gn_proxy_params_double (p, "momentum");
  r->weight_decay = (float) gn_proxy_params_double (p, "weight_decay");
  r->seed = ctx->seed;
  r->options = ctx->build_options;
  if (ctx->space && gn_space_input (ctx->space) == GN_SPACE_INPUT_SEQUENCE)
    {
      if (!sequence_create (r, ctx, p, error))
        goto fail;
      return r;
    }

  if (!parse_weights (gn_proxy_params_string (p, "weights"), r->weights,
                      error))
    goto fail;
  if (!gn_precision_parse (gn_proxy_params_string (p, "precision"),
                           &r->precision, &precision_error))
    {
      /* the engine's message, as a parameter error of this proxy */
      g_set_error_literal (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                           precision_error->message);
      g_error_free (precision_error);
      goto fail;
    }
  batch = gn_proxy_context_batch (ctx, r->batch, error);
  if (batch == NULL)
    goto fail;
  r->recipe = gn_recipe_load (gn_proxy_params_string (p, "recipe"), error);
  if (r->recipe == NULL)
    goto fail;
  if (gn_recipe_sequence (r->recipe, NULL, NULL, NULL))
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                   "recipe '%s' is a sequence recipe; the %s space's "
                   "networks read images", gn_recipe_name (r->recipe),
                   gn_space_name (r->space));
      goto fail;
    }
  if (gn_recipe_n_stages (r->recipe) != N_STAGES)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                   "recipe '%s' has %d stages; this proxy regresses from %d",
                   gn_recipe_name (r->recipe), gn_recipe_n_stages (r->recipe),
                   N_STAGES);
      goto fail;
    }
  r->noise = gn_recipe_noise (r->recipe, &r->noise_level);

  /* the task: the fixed batch, and the targets drawn on from the
   * generator that drew it, all from the task seed */
  r->input = (GnShape) { batch->n, batch->c, batch->h, batch->w };
  r->clean = batch->images;
  rng = batch->rng;
  for (int s = 0; s < N_STAGES; s++)
    {
      r->channels[s] = gn_recipe_channels (r->recipe, s);
      r->targets[s] = g_new (float, (gsize) r->batch * r->channels[s]
                                      * TARGET_SIZE * TARGET_SIZE);
      if (!gn_recipe_targets (r->recipe, s, r->batch, r->clean, batch->c,
                              batch->h, batch->w, &rng, r->targets[s], error))
        goto fail;
    }
  /* the precision as run: "auto" is bf16 on some CPUs, fp32 on others */
  r->fingerprint = g_strdup_printf ("recipe-sha256=%s;data=%s:%d;"
                                    "products=%s",
                                    gn_recipe_checksum (r->recipe),
                                    ctx->data->name, ctx->data->n,
                                    gn_precision_name (r->precision));
  return r;

fail:
  regression_destroy (r);
  return NULL;
}

static void
regression_destroy (gpointer self)
{
  Regression *r = self;
  if (r == NULL)
    return;
  gn_proxy_free (r->sequence);
  gn_proxy_registry_free (r->registry);
  gn_recipe_free (r->recipe);
  for (int s = 0; s < N_STAGES; s++)
    g_free (r->targets[s]);
  g_free (r->fingerprint);
  g_free (r);
}

static const char *
regression_fingerprint (gpointer self)
{
  return ((Regression *) self)->fingerprint;
}

/* BN + 1x1 conv (with bias) on the stage output, resized to 8x8 first */
static int
add_head (GnNet *net, int tap, int out_c, GError **error)
{
  GnShape s = gn_net_shape (net, tap);
  int x = tap;
  if (s.h != TARGET_SIZE || s.w != TARGET_SIZE)
    x = gn_net_resize_nearest (net, x, TARGET_SIZE, TARGET_SIZE, error);
  if (x >= 0)
    x = gn_net_batchnorm (net, x, TRUE, TRUE, error);
  GnConv2dSpec conv = { .out_c = out_c, .kh = 1, .bias = TRUE };
  if (x >= 0)
    x = gn_net_conv2d (net, x, &conv, error);
  return x;
}

static void
noisy_input (const Regression *r, GnRng *rng, float *in)
{
  gsize n = (gsize) r->input.n * r->input.c * r->input.h * r->input.w;
  gn_noise_apply (r->noise, r->noise_level, r->clean, in, n, rng);
}

static double
stage_loss (const Regression *r, GnNet *net, const int heads[N_STAGES],
            gboolean seed_grads)
{
  double loss = 0.0;
  for (int s = 0; s < N_STAGES; s++)
    {
      if (r->weights[s] == 0.f)
        continue;
      gsize count = (gsize) r->batch * r->channels[s] * TARGET_SIZE
                    * TARGET_SIZE;
      loss += gn_loss_mse (count, gn_net_value (net, heads[s]), r->targets[s],
                           r->weights[s],
                           seed_grads ? gn_net_grad (net, heads[s]) : NULL);
    }
  return loss;
}

static gboolean
regression_score (gpointer self, const char *arch, GnProxyResult *result,
                  GError **error)
{
  Regression *r = self;
  GnBuildOptions opts = { .batch = r->batch, .in_c = r->input.c,
                          .in_h = r->input.h, .in_w = r->input.w,
                          .options = r->options };
  GnOptim *opt = NULL;
  gboolean ok = FALSE;
  int heads[N_STAGES];

  if (r->sequence)
    return gn_proxy_score (r->sequence, arch, result, error);
  GnNet *net = gn_space_build (r->space, arch, &opts, error);
  if (net == NULL)
    return FALSE;
  for (int s = 0; s < N_STAGES; s++)
    {
      char name[16];
      g_snprintf (name, sizeof name, "stage%d", s);
      int tap = gn_net_find_tap (net, name);
      if (tap < 0)
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE,
                       "the space built no tap '%s' for %s", name, arch);
          goto out;
        }
      heads[s] = add_head (net, tap, r->channels[s], error);
      g_snprintf (name, sizeof name, "head%d", s);
      if (heads[s] < 0 || !gn_net_tap (net, heads[s], name, error))
        goto out;
    }
  if (!gn_net_compile (net, FALSE, error)
      || !gn_net_set_precision (net, r->precision, error))
    goto out;

  GnRng rng;
  gn_proxy_arch_rng (&rng, r->seed, arch);
  gn_net_init_params (net, &rng);
  GnOptimConfig cfg = { .kind = GN_OPTIM_SGD, .lr = r->lr,
                        .momentum = r->momentum,
                        .weight_decay = r->weight_decay };
  opt = gn_optim_new (net, &cfg, error);
  if (opt == NULL)
    goto out;

  double loss = 0.0;
  for (int step = 0; step < r->steps; step++)
    {
      noisy_input (r, &rng, gn_net_input (net));
      gn_net_forward (net, GN_MODE_TRAIN);
      loss = stage_loss (r, net, heads, TRUE);
      if (!isfinite (loss))
        break;
      gn_net_zero_grad (net);
      gn_net_backward (net);
      gn_optim_step (opt);
    }
  if (isfinite (loss))
    {
      /* the score: the evaluation-mode loss on a fresh noise draw */
      noisy_input (r, &rng, gn_net_input (net));
      gn_net_forward (net, GN_MODE_EVAL);
      loss = stage_loss (r, net, heads, FALSE);
    }
  result->loss = loss;
  result->score = -loss;
  result->status = isfinite (loss) ? GN_EVAL_OK : GN_EVAL_NONFINITE;
  ok = TRUE;

out:
  gn_optim_free (opt);
  gn_net_free (net);
  return ok;
}

static const GnProxyDesc regression_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "regression",
  .description = "GenNAS: final loss of regressing synthetic signal bases "
                 "from three stages after a short SGD run (negated)",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = regression_create,
  .score = regression_score,
  .destroy = regression_destroy,
  .fingerprint = regression_fingerprint,
};

GN_PROXY_DEFINE (regression, regression_desc)
