/* test-optim.c - SGD and Adam against hand-computed PyTorch updates
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The network is one linear layer 2 -> 1 with bias (weights decayed, the
 * bias not) plus an affine batch norm (never decayed); values and
 * gradients are written by hand so each update can be computed on paper.
 */
#include "gennas.h"

#include <math.h>

typedef struct {
  GnNet *net;
  GnParam w, b, gamma, beta;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  GError *error = NULL;
  f->net = gn_net_new (2, 2, 1, 1);
  int lin = gn_net_linear (f->net, 0, 1, TRUE, &error);
  g_assert_no_error (error);
  int bn = gn_net_batchnorm (f->net, lin, TRUE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (f->net, bn, "out", &error));
  g_assert_true (gn_net_compile (f->net, FALSE, &error));
  g_assert_no_error (error);

  guint n;
  const GnParam *p = gn_net_params (f->net, &n);
  g_assert_cmpuint (n, ==, 4);
  f->w = p[0];
  f->b = p[1];
  f->gamma = p[2];
  f->beta = p[3];
  g_assert_cmpint (f->w.kind, ==, GN_PARAM_LINEAR_WEIGHT);
  g_assert_true (f->w.decay);
  g_assert_false (f->b.decay);
  g_assert_false (f->gamma.decay);
  g_assert_false (f->beta.decay);

  f->w.value[0] = 1.0f;
  f->w.value[1] = -2.0f;
  f->b.value[0] = 0.5f;
  f->gamma.value[0] = 1.5f;
  f->beta.value[0] = -1.0f;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gn_net_free (f->net);
}

static void
set_grads (Fixture *f)
{
  f->w.grad[0] = 0.5f;
  f->w.grad[1] = 0.25f;
  f->b.grad[0] = -1.0f;
  f->gamma.grad[0] = 0.2f;
  f->beta.grad[0] = 0.3f;
}

static void
test_sgd_momentum (Fixture *f, gconstpointer data)
{
  GError *error = NULL;
  GnOptimConfig cfg = { .kind = GN_OPTIM_SGD, .lr = 0.1f, .momentum = 0.9f,
                        .weight_decay = 0.01f };
  GnOptim *opt = gn_optim_new (f->net, &cfg, &error);
  g_assert_no_error (error);

  /* step 1: d = g + wd w = [0.51, 0.23]; buf = d; w -= lr d */
  set_grads (f);
  gn_optim_step (opt);
  g_assert_cmpfloat_with_epsilon (f->w.value[0], 0.949f, 1e-6);
  g_assert_cmpfloat_with_epsilon (f->w.value[1], -2.023f, 1e-6);
  g_assert_cmpfloat_with_epsilon (f->b.value[0], 0.6f, 1e-6);    /* no wd */
  g_assert_cmpfloat_with_epsilon (f->gamma.value[0], 1.48f, 1e-6);
  g_assert_cmpfloat_with_epsilon (f->beta.value[0], -1.03f, 1e-6);

  /* step 2: d = [0.5 + 0.00949, 0.25 - 0.02023]; buf = 0.9 buf + d */
  set_grads (f);
  gn_optim_step (opt);
  g_assert_cmpfloat_with_epsilon (f->w.value[0], 0.949f - 0.1f * 0.96849f,
                                  1e-6);
  g_assert_cmpfloat_with_epsilon (f->w.value[1], -2.023f - 0.1f * 0.43677f,
                                  1e-6);
  /* bias: buf = 0.9 (-1) + (-1) = -1.9 */
  g_assert_cmpfloat_with_epsilon (f->b.value[0], 0.6f + 0.19f, 1e-6);
  g_assert_cmpfloat_with_epsilon (f->gamma.value[0], 1.48f - 0.038f, 1e-6);

  /* reset forgets the momentum: the next step is a first step again */
  gn_optim_reset (opt);
  float w0 = f->w.value[0];
  set_grads (f);
  gn_optim_step (opt);
  g_assert_cmpfloat_with_epsilon (f->w.value[0],
                                  w0 - 0.1f * (0.5f + 0.01f * w0), 1e-6);
  gn_optim_free (opt);
}

static void
test_sgd_plain_decay_all (Fixture *f, gconstpointer data)
{
  GError *error = NULL;
  GnOptimConfig cfg = { .kind = GN_OPTIM_SGD, .lr = 0.5f,
                        .weight_decay = 0.1f, .decay_all = TRUE };
  GnOptim *opt = gn_optim_new (f->net, &cfg, &error);
  g_assert_no_error (error);
  set_grads (f);
  gn_optim_step (opt);
  /* every tensor decays now, the bias and batch norm included */
  g_assert_cmpfloat_with_epsilon (f->w.value[0], 1.0f - 0.5f * 0.6f, 1e-6);
  g_assert_cmpfloat_with_epsilon (f->b.value[0], 0.5f - 0.5f * (-1.0f + 0.05f),
                                  1e-6);
  g_assert_cmpfloat_with_epsilon (f->gamma.value[0],
                                  1.5f - 0.5f * (0.2f + 0.15f), 1e-6);
  gn_optim_free (opt);
}

static void
test_adam (Fixture *f, gconstpointer data)
{
  GError *error = NULL;
  GnOptimConfig cfg = { .kind = GN_OPTIM_ADAM, .lr = 0.1f };
  GnOptim *opt = gn_optim_new (f->net, &cfg, &error);
  g_assert_no_error (error);

  /* first step: m̂ = g, v̂ = g², so every weight moves by lr sign(g)
   * (up to eps) */
  set_grads (f);
  gn_optim_step (opt);
  g_assert_cmpfloat_with_epsilon (f->w.value[0], 0.9f, 1e-6);
  g_assert_cmpfloat_with_epsilon (f->w.value[1], -2.1f, 1e-6);
  g_assert_cmpfloat_with_epsilon (f->b.value[0], 0.6f, 1e-6);

  /* second step with g2 = -g for w[0]:
   * m = 0.9 0.05 + 0.1 (-0.5) = -0.005, v = 0.999 0.00025 + 0.001 0.25
   * step = lr / (1 - 0.81) * m / (sqrt(v) / sqrt(1 - 0.998001) + eps) */
  set_grads (f);
  f->w.grad[0] = -0.5f;
  gn_optim_step (opt);
  double m = -0.005, v = 0.999 * 0.00025 + 0.001 * 0.25;
  double expect = 0.9 - 0.1 / (1 - 0.81) * m
                        / (sqrt (v) / sqrt (1 - 0.998001) + 1e-8);
  g_assert_cmpfloat_with_epsilon (f->w.value[0], expect, 2e-6);
  gn_optim_free (opt);
}

static void
test_adam_weight_decay (Fixture *f, gconstpointer data)
{
  GError *error = NULL;
  GnOptimConfig cfg = { .kind = GN_OPTIM_ADAM, .lr = 0.01f,
                        .weight_decay = 1.0f };
  GnOptim *opt = gn_optim_new (f->net, &cfg, &error);
  g_assert_no_error (error);
  /* L2 decay enters the gradient: g = 0 + 1.0 w, so the first step moves
   * each decayed weight by -lr sign(w); the bias (not decayed) stays */
  gn_net_zero_grad (f->net);
  gn_optim_step (opt);
  g_assert_cmpfloat_with_epsilon (f->w.value[0], 0.99f, 1e-6);
  g_assert_cmpfloat_with_epsilon (f->w.value[1], -1.99f, 1e-6);
  g_assert_cmpfloat (f->b.value[0], ==, 0.5f);
  gn_optim_free (opt);
}

static void
test_errors (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (1, 2, 1, 1);
  int lin = gn_net_linear (net, 0, 1, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, lin, "out", &error));

  GnOptimConfig cfg = { .kind = GN_OPTIM_SGD, .lr = 0.1f };
  g_assert_null (gn_optim_new (net, &cfg, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_STATE);
  g_clear_error (&error);

  g_assert_true (gn_net_compile (net, FALSE, &error));
  cfg.lr = -1.f;
  g_assert_null (gn_optim_new (net, &cfg, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  GnOptimConfig adam = { .kind = GN_OPTIM_ADAM, .lr = 0.1f, .beta1 = 1.0f,
                         .beta2 = 0.999f, .eps = 1e-8f };
  g_assert_null (gn_optim_new (net, &adam, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  gn_net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/optim/sgd/momentum-two-steps", Fixture, NULL, fixture_set_up,
              test_sgd_momentum, fixture_tear_down);
  g_test_add ("/optim/sgd/plain-decay-all", Fixture, NULL, fixture_set_up,
              test_sgd_plain_decay_all, fixture_tear_down);
  g_test_add ("/optim/adam/two-steps", Fixture, NULL, fixture_set_up,
              test_adam, fixture_tear_down);
  g_test_add ("/optim/adam/weight-decay", Fixture, NULL, fixture_set_up,
              test_adam_weight_decay, fixture_tear_down);
  g_test_add_func ("/optim/errors", test_errors);
  return g_test_run ();
}
