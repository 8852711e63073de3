/* train-net.c - the training engine of libgennas at work, in one program
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Builds a three-stage residual network shaped like NAS-Bench-201's
 * skeleton (stem, cells, residual reduction blocks; 16/32/64 channels),
 * puts a GenNAS-style head (nearest resize to 8x8, batch norm, 1x1 conv)
 * on each stage and trains it with SGD to regress fixed sine-wave targets
 * from one noisy batch: the shape of a GenNAS proxy evaluation, on
 * synthetic input.  It uses only the public API, <gennas.h>; once gennas
 * is installed it builds on its own with
 *
 *   cc train-net.c $(pkg-config --cflags --libs gennas) -lm -o train-net
 *
 * Run it with OPENBLAS_NUM_THREADS=1 to time one core.
 */
#include <gennas.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TARGET_CHANNELS 16

typedef struct {
  int steps, batch, cells;
  gint64 seed;
} Options;

/* ReLU -> conv -> BN, NB201's ReLUConvBN */
static int
relu_conv_bn (GnNet *net, int x, int out_c, int k, int stride,
              GError **error)
{
  GnConv2dSpec spec = { .out_c = out_c, .kh = k, .stride_h = stride,
                        .pad_h = k / 2, .pad_w = k / 2 };
  int y = gn_net_relu (net, x, error);
  if (y >= 0)
    y = gn_net_conv2d (net, y, &spec, error);
  if (y >= 0)
    y = gn_net_batchnorm (net, y, TRUE, TRUE, error);
  return y;
}

/* NB201's ResNetBasicblock with stride 2: two ReLUConvBN and an
 * avgpool + 1x1 conv shortcut */
static int
reduction (GnNet *net, int x, int out_c, GError **error)
{
  int a = relu_conv_bn (net, x, out_c, 3, 2, error);
  if (a >= 0)
    a = relu_conv_bn (net, a, out_c, 3, 1, error);
  int s = a >= 0 ? gn_net_avgpool (net, x, 2, 2, 0, TRUE, error) : -1;
  GnConv2dSpec one = { .out_c = out_c, .kh = 1 };
  if (s >= 0)
    s = gn_net_conv2d (net, s, &one, error);
  if (s < 0)
    return -1;
  int both[2] = { a, s };
  return gn_net_add (net, 2, both, error);
}

/* a residual cell: x + ReLUConvBN(ReLUConvBN(x)) */
static int
cell (GnNet *net, int x, int c, GError **error)
{
  int y = relu_conv_bn (net, x, c, 3, 1, error);
  if (y >= 0)
    y = relu_conv_bn (net, y, c, 3, 1, error);
  if (y < 0)
    return -1;
  int both[2] = { x, y };
  return gn_net_add (net, 2, both, error);
}

static GnNet *
build (const Options *o, int heads[3], GError **error)
{
  GnNet *net = gn_net_new (o->batch, 3, 32, 32);
  GnConv2dSpec stem = { .out_c = 16, .kh = 3, .pad_h = 1, .pad_w = 1 };
  int x = gn_net_conv2d (net, 0, &stem, error);
  if (x >= 0)
    x = gn_net_batchnorm (net, x, TRUE, TRUE, error);
  for (int s = 0; s < 3 && x >= 0; s++)
    {
      int c = 16 << s;
      if (s > 0)
        x = reduction (net, x, c, error);
      for (int k = 0; k < o->cells && x >= 0; k++)
        x = cell (net, x, c, error);
      if (x < 0)
        break;
      /* the GenNAS head on this stage */
      GnConv2dSpec head = { .out_c = TARGET_CHANNELS, .kh = 1, .bias = TRUE };
      int h = gn_net_resize_nearest (net, x, 8, 8, error);
      if (h >= 0)
        h = gn_net_batchnorm (net, h, TRUE, TRUE, error);
      if (h >= 0)
        h = gn_net_conv2d (net, h, &head, error);
      char name[16];
      g_snprintf (name, sizeof name, "stage%d", s);
      if (h < 0 || !gn_net_tap (net, h, name, error))
        {
          x = -1;
          break;
        }
      heads[s] = h;
    }
  if (x < 0 || !gn_net_compile (net, FALSE, error))
    {
      gn_net_free (net);
      return NULL;
    }
  return net;
}

/* Sine waves along rows or columns at random frequencies and phases, the
 * same for every sample: GenNAS's Sin1D in its batch-wide form. */
static void
make_targets (GnRng *rng, int batch, float *t)
{
  for (int c = 0; c < TARGET_CHANNELS; c++)
    {
      double beta = 0.05 + 0.4 * gn_rng_uniform (rng);
      double phase = 2 * G_PI * gn_rng_uniform (rng);
      gboolean rows = gn_rng_below (rng, 2);
      for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
          t[(c * 8 + i) * 8 + j] =
            (float) sin (2 * G_PI * beta * ((rows ? i : j) + 1) + phase);
    }
  gsize plane = TARGET_CHANNELS * 64;
  for (int n = 1; n < batch; n++)
    memcpy (t + n * plane, t, plane * sizeof (float));
}

static double
step_loss (GnNet *net, const int heads[3], float *const targets[3],
           gboolean seed_grads)
{
  static const float weights[3] = { 0.25f, 0.5f, 1.0f };
  double loss = 0.0;
  for (int s = 0; s < 3; s++)
    {
      GnShape sh = gn_net_shape (net, heads[s]);
      gsize count = (gsize) sh.n * sh.c * sh.h * sh.w;
      loss += gn_loss_mse (count, gn_net_value (net, heads[s]), targets[s],
                           weights[s],
                           seed_grads ? gn_net_grad (net, heads[s]) : NULL);
    }
  return loss;
}

int
main (int argc, char **argv)
{
  /* first, as gennas does: where OpenBLAS fell back to slow kernels for
   * a CPU it does not know, start again with ones the CPU runs */
  gn_blas_restart_with_better_kernels (argv);
  Options o = { .steps = 100, .batch = 16, .cells = 1, .seed = 1 };
  GOptionEntry entries[] = {
    { "steps", 0, 0, G_OPTION_ARG_INT, &o.steps, "SGD steps (100)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &o.batch, "batch size (16)", "B" },
    { "cells", 0, 0, G_OPTION_ARG_INT, &o.cells,
      "residual cells per stage (1)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "random seed (1)", "S" },
    { NULL }
  };
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new ("- train a small network to "
                                              "regress synthetic signals");
  g_option_context_set_summary (ctx,
    "Builds a three-stage residual network (16/32/64 channels, the shape of\n"
    "the NAS-Bench-201 skeleton) with a regression head on each stage and\n"
    "trains it with SGD (lr 0.1, momentum 0.9, weight decay 4e-5) to regress\n"
    "fixed sine-wave targets from one noisy batch, as a GenNAS evaluation\n"
    "does. Prints the loss as it falls and the time per step.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean ok = g_option_context_parse (ctx, &argc, &argv, &error);
  g_option_context_free (ctx);
  if (!ok)
    {
      fprintf (stderr, "train-net: %s\n", error->message);
      g_error_free (error);
      return 2;
    }
  if (o.steps < 1 || o.batch < 2 || o.cells < 0)
    {
      fprintf (stderr, "train-net: --steps must be >= 1, --batch >= 2 and "
               "--cells >= 0\n");
      return 2;
    }

  int heads[3];
  GnNet *net = build (&o, heads, &error);
  if (net == NULL)
    {
      fprintf (stderr, "train-net: %s\n", error->message);
      g_error_free (error);
      return 1;
    }
  GnRng rng;
  gn_rng_seed (&rng, (guint64) o.seed);
  gn_net_init_params (net, &rng);

  GnOptimConfig cfg = { .kind = GN_OPTIM_SGD, .lr = 0.1f, .momentum = 0.9f,
                        .weight_decay = 4e-5f };
  GnOptim *opt = gn_optim_new (net, &cfg, &error);
  g_assert_no_error (error);   /* the configuration above is valid */

  gsize n_in = (gsize) o.batch * 3 * 32 * 32;
  gsize n_t = (gsize) o.batch * TARGET_CHANNELS * 64;
  float *clean = g_new (float, n_in);
  float *targets[3];
  gn_rng_fill_uniform (&rng, clean, n_in, -1.f, 1.f);
  for (int s = 0; s < 3; s++)
    {
      targets[s] = g_new (float, n_t);
      make_targets (&rng, o.batch, targets[s]);
    }

  printf ("train-net: 3-stage residual network, %d cell(s) per stage, "
          "batch %d, %d steps\n", o.cells, o.batch, o.steps);
  printf ("  %.3f M parameters, %.1f M MACs per image, %.1f MB of memory\n",
          gn_net_count_params (net) / 1e6, gn_net_count_macs (net) / 1e6,
          gn_net_total_bytes (net) / 1048576.0);

  gint64 t0 = g_get_monotonic_time ();
  double first = 0.0;
  for (int step = 1; step <= o.steps; step++)
    {
      float *in = gn_net_input (net);
      for (gsize i = 0; i < n_in; i++)
        in[i] = clean[i] + 0.1f * gn_rng_uniformf (&rng, -1.f, 1.f);
      gn_net_forward (net, GN_MODE_TRAIN);
      double loss = step_loss (net, heads, targets, TRUE);
      if (step == 1)
        first = loss;
      gn_net_zero_grad (net);
      gn_net_backward (net);
      gn_optim_step (opt);
      if (step % 10 == 0 || step == 1 || step == o.steps)
        printf ("  step %4d  train loss %.6f  (%.2f s)\n", step, loss,
                (g_get_monotonic_time () - t0) / 1e6);
      if (!isfinite (loss))
        {
          fprintf (stderr, "train-net: the loss diverged at step %d\n",
                   step);
          break;
        }
    }
  memcpy (gn_net_input (net), clean, n_in * sizeof (float));
  gn_net_forward (net, GN_MODE_EVAL);
  double final = step_loss (net, heads, targets, FALSE);
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  printf ("eval loss %.6f after %d steps (first step %.6f); %.2f s, "
          "%.1f ms per step\n", final, o.steps, first, secs,
          1e3 * secs / o.steps);

  for (int s = 0; s < 3; s++)
    g_free (targets[s]);
  g_free (clean);
  gn_optim_free (opt);
  gn_net_free (net);
  return isfinite (final) ? 0 : 1;
}
