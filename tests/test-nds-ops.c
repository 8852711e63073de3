/* test-nds-ops.c - the NDS spaces' operations as networks, against finite
 * differences
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Every operation the NDS search spaces name (DARTS, ENAS, PNAS, NASNet
 * and Amoeba cells as pycls builds them in models/nas/operations.py, and
 * AnyNet's ResNeXt bottleneck block in models/anynet.py), composed from
 * the builder's nodes as a space composes them, and checked end to end:
 * the gradient of L = sum r y with respect to the input and to every
 * parameter, from gn_net_backward(), against central differences of the
 * forward pass.  Stride 2 runs on odd inputs (7x7) too.
 */
#include "gennas.h"
#include "gradcheck.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* the operations, as a space would write them                         */
/* ------------------------------------------------------------------ */

typedef struct {
  GnNet *net;
  GError *error;       /* the first builder error, if any */
} B;

static int
conv (B *b, int x, int out, int kh, int kw, int sh, int sw, int ph, int pw,
      int dil, int groups)
{
  GnConv2dSpec s = { .out_c = out, .kh = kh, .kw = kw, .stride_h = sh,
                     .stride_w = sw, .pad_h = ph, .pad_w = pw, .dil_h = dil,
                     .dil_w = dil, .groups = groups };
  return b->error ? -1 : gn_net_conv2d (b->net, x, &s, &b->error);
}

static int
relu (B *b, int x)
{
  return b->error ? -1 : gn_net_relu (b->net, x, &b->error);
}

static int
bn (B *b, int x)
{
  return b->error ? -1 : gn_net_batchnorm (b->net, x, TRUE, TRUE, &b->error);
}

static int
channels (B *b, int x)
{
  return b->error ? 1 : gn_net_shape (b->net, x).c;
}

static int
add2 (B *b, int x, int y)
{
  int xs[2] = { x, y };
  return b->error ? -1 : gn_net_add (b->net, 2, xs, &b->error);
}

/* pycls's SepConv: ReLU, depthwise KxK stride s, 1x1, BN, ReLU, depthwise
 * KxK stride 1, 1x1, BN */
static int
sep_conv (B *b, int x, int k, int stride)
{
  int c = channels (b, x);
  x = relu (b, x);
  x = conv (b, x, c, k, k, stride, stride, k / 2, k / 2, 1, c);
  x = conv (b, x, c, 1, 1, 1, 1, 0, 0, 1, 1);
  x = bn (b, x);
  x = relu (b, x);
  x = conv (b, x, c, k, k, 1, 1, k / 2, k / 2, 1, c);
  x = conv (b, x, c, 1, 1, 1, 1, 0, 0, 1, 1);
  return bn (b, x);
}

/* DilConv: ReLU, depthwise KxK dilated 2 (pad K - 1), 1x1, BN */
static int
dil_conv (B *b, int x, int k, int stride)
{
  int c = channels (b, x);
  x = relu (b, x);
  x = conv (b, x, c, k, k, stride, stride, k - 1, k - 1, 2, c);
  x = conv (b, x, c, 1, 1, 1, 1, 0, 0, 1, 1);
  return bn (b, x);
}

/* DilSepConv: SepConv with both depthwise convolutions dilated 2 (pad 2
 * for 3x3), as pycls defines dil_sep_conv_3x3 */
static int
dil_sep_conv (B *b, int x, int k, int stride)
{
  int c = channels (b, x);
  x = relu (b, x);
  x = conv (b, x, c, k, k, stride, stride, k - 1, k - 1, 2, c);
  x = conv (b, x, c, 1, 1, 1, 1, 0, 0, 1, 1);
  x = bn (b, x);
  x = relu (b, x);
  x = conv (b, x, c, k, k, 1, 1, k - 1, k - 1, 2, c);
  x = conv (b, x, c, 1, 1, 1, 1, 0, 0, 1, 1);
  return bn (b, x);
}

/* conv_Kx1_1xK: ReLU, 1xK stride (1, s) pad (0, K/2), Kx1 stride (s, 1)
 * pad (K/2, 0), BN */
static int
conv_kx1_1xk (B *b, int x, int k, int stride)
{
  int c = channels (b, x);
  x = relu (b, x);
  x = conv (b, x, c, 1, k, 1, stride, 0, k / 2, 1, 1);
  x = conv (b, x, c, k, 1, stride, 1, k / 2, 0, 1, 1);
  return bn (b, x);
}

/* conv_1x1, conv_3x3: ReLU, conv, BN */
static int
relu_conv_bn (B *b, int x, int k, int stride)
{
  int c = channels (b, x);
  x = relu (b, x);
  x = conv (b, x, c, k, k, stride, stride, k / 2, k / 2, 1, 1);
  return bn (b, x);
}

static int
max_pool (B *b, int x, int k, int stride)
{
  return b->error ? -1 : gn_net_maxpool (b->net, x, k, stride, k / 2,
                                         &b->error);
}

/* avg_pool_KxK: count_include_pad=False */
static int
avg_pool (B *b, int x, int k, int stride)
{
  return b->error ? -1 : gn_net_avgpool (b->net, x, k, stride, k / 2, FALSE,
                                         &b->error);
}

/* the 2x2 pools: no padding */
static int
max_pool_2x2 (B *b, int x, int k, int stride)
{
  return b->error ? -1 : gn_net_maxpool (b->net, x, 2, stride, 0, &b->error);
}

static int
avg_pool_2x2 (B *b, int x, int k, int stride)
{
  return b->error ? -1 : gn_net_avgpool (b->net, x, 2, stride, 0, FALSE,
                                         &b->error);
}

/* FactorizedReduce as pycls builds it: ReLU; cat(1x1/2 (x), 1x1/2 (pad
 * (0,1,0,1) of x, from [1:, 1:])); BN.  @k is the output channels. */
static int
factorized_reduce (B *b, int x, int k, int stride)
{
  GnShape s = b->error ? (GnShape) { 0 } : gn_net_shape (b->net, x);
  x = relu (b, x);
  int cat[2];
  cat[0] = conv (b, x, k / 2, 1, 1, 2, 2, 0, 0, 1, 1);
  int shifted = b->error ? -1 : gn_net_crop (b->net, x, 1, 1, s.h, s.w,
                                             &b->error);
  cat[1] = conv (b, shifted, k / 2, 1, 1, 2, 2, 0, 0, 1, 1);
  x = b->error ? -1 : gn_net_concat (b->net, 2, cat, &b->error);
  return bn (b, x);
}

/* DARTS's own FactorizedReduce: x[:, :, 1:, 1:], no padding (even sizes
 * only) */
static int
factorized_reduce_darts (B *b, int x, int k, int stride)
{
  GnShape s = b->error ? (GnShape) { 0 } : gn_net_shape (b->net, x);
  x = relu (b, x);
  int cat[2];
  cat[0] = conv (b, x, k / 2, 1, 1, 2, 2, 0, 0, 1, 1);
  int shifted = b->error ? -1 : gn_net_crop (b->net, x, 1, 1, s.h - 1,
                                             s.w - 1, &b->error);
  cat[1] = conv (b, shifted, k / 2, 1, 1, 2, 2, 0, 0, 1, 1);
  x = b->error ? -1 : gn_net_concat (b->net, 2, cat, &b->error);
  return bn (b, x);
}

/* a grouped KxK convolution (same padding) into twice the channels, then
 * BN: @stride is the number of groups here, 0 for depthwise */
static int
grouped (B *b, int x, int k, int groups)
{
  int c = channels (b, x);
  x = conv (b, x, 2 * c, k, k, 1, 1, k / 2, k / 2, 1, groups ? groups : c);
  return bn (b, x);
}

static int
grouped_s2 (B *b, int x, int k, int groups)
{
  int c = channels (b, x);
  x = conv (b, x, c, k, k, 2, 2, k / 2, k / 2, 1, groups ? groups : c);
  return bn (b, x);
}

/* AnyNet's ResBottleneckBlock (ResNeXt): 1x1 to w_b, BN, ReLU, 3x3 stride
 * s with groups w_b / group_w, BN, ReLU, 1x1 to w_out, BN; a projection
 * 1x1 stride s + BN; ReLU of the sum.  w_out = 2 w_in, bottleneck ratio
 * 1, group width @k. */
static int
resnext_block (B *b, int x, int k, int stride)
{
  int w_in = channels (b, x), w_out = 2 * w_in, w_b = w_out;
  int p = conv (b, x, w_out, 1, 1, stride, stride, 0, 0, 1, 1);
  p = bn (b, p);
  int f = conv (b, x, w_b, 1, 1, 1, 1, 0, 0, 1, 1);
  f = relu (b, bn (b, f));
  f = conv (b, f, w_b, 3, 3, stride, stride, 1, 1, 1, w_b / k);
  f = relu (b, bn (b, f));
  f = conv (b, f, w_out, 1, 1, 1, 1, 0, 0, 1, 1);
  f = bn (b, f);
  return relu (b, add2 (b, p, f));
}

/* A DARTS cell on one input (pycls's Cell with s0 = s1 = x): both inputs
 * preprocessed by ReLU-conv1x1-BN, then four nodes, each the sum of two
 * operations on earlier states, and the concatenation of the four.  In a
 * reduction cell (@stride 2) the operations on the two inputs have stride
 * 2 and skip_connect becomes a FactorizedReduce. */
static int
cell (B *b, int x, int c, int stride)
{
  int s0 = relu_conv_bn (b, x, 1, 1);
  int s1 = relu_conv_bn (b, x, 1, 1);
  /* the ops on inputs: stride 2 in a reduction cell */
  int n2 = add2 (b, sep_conv (b, s0, 3, stride),
                 stride == 1 ? s1 : factorized_reduce (b, s1, c, 2));
  int n3 = add2 (b, max_pool (b, s1, 3, stride), dil_conv (b, n2, 3, 1));
  int n4 = add2 (b, avg_pool (b, n2, 3, 1),
                 conv_kx1_1xk (b, s0, 7, stride));
  int n5 = add2 (b, n3, n4);
  int cat[4] = { n2, n3, n4, n5 };
  return b->error ? -1 : gn_net_concat (b->net, 4, cat, &b->error);
}

/* ------------------------------------------------------------------ */
/* the check                                                           */
/* ------------------------------------------------------------------ */

typedef int (*OpFn) (B *b, int x, int k, int stride);

typedef struct {
  const char *name;
  OpFn op;
  int k, stride;      /* the op's own two parameters */
  int n, c, h, w;     /* the input */
  int out_c, out_h, out_w;   /* the expected output */
} Case;

#define S(name, op, k, s, c, h, oc, oh) \
  { name, op, k, s, 2, c, h, h, oc, oh, oh }

static const Case cases[] = {
  S ("sep_conv_3x3",            sep_conv,     3, 1, 4, 8, 4, 8),
  S ("sep_conv_3x3/s2-odd",     sep_conv,     3, 2, 4, 7, 4, 4),
  S ("sep_conv_5x5",            sep_conv,     5, 1, 3, 8, 3, 8),
  S ("sep_conv_5x5/s2",         sep_conv,     5, 2, 3, 8, 3, 4),
  S ("sep_conv_7x7",            sep_conv,     7, 1, 3, 9, 3, 9),
  S ("sep_conv_7x7/s2-odd",     sep_conv,     7, 2, 3, 7, 3, 4),
  S ("dil_conv_3x3",            dil_conv,     3, 1, 4, 8, 4, 8),
  S ("dil_conv_3x3/s2-odd",     dil_conv,     3, 2, 4, 7, 4, 4),
  S ("dil_conv_5x5",            dil_conv,     5, 1, 3, 9, 3, 9),
  S ("dil_conv_5x5/s2-odd",     dil_conv,     5, 2, 3, 7, 3, 4),
  S ("dil_sep_conv_3x3",        dil_sep_conv, 3, 1, 3, 8, 3, 8),
  S ("dil_sep_conv_3x3/s2-odd", dil_sep_conv, 3, 2, 3, 7, 3, 4),
  S ("conv_7x1_1x7",            conv_kx1_1xk, 7, 1, 3, 8, 3, 8),
  S ("conv_7x1_1x7/s2-odd",     conv_kx1_1xk, 7, 2, 3, 7, 3, 4),
  S ("conv_3x1_1x3",            conv_kx1_1xk, 3, 1, 4, 6, 4, 6),
  S ("conv_3x1_1x3/s2-odd",     conv_kx1_1xk, 3, 2, 4, 7, 4, 4),
  S ("conv_1x1",                relu_conv_bn, 1, 1, 4, 6, 4, 6),
  S ("conv_1x1/s2-odd",         relu_conv_bn, 1, 2, 4, 7, 4, 4),
  S ("conv_3x3",                relu_conv_bn, 3, 1, 4, 6, 4, 6),
  S ("conv_3x3/s2-odd",         relu_conv_bn, 3, 2, 4, 7, 4, 4),
  S ("max_pool_2x2/s2",         max_pool_2x2, 2, 2, 3, 8, 3, 4),
  S ("max_pool_3x3",            max_pool,     3, 1, 3, 7, 3, 7),
  S ("max_pool_3x3/s2-odd",     max_pool,     3, 2, 3, 7, 3, 4),
  S ("max_pool_5x5",            max_pool,     5, 1, 3, 7, 3, 7),
  S ("max_pool_5x5/s2-odd",     max_pool,     5, 2, 3, 7, 3, 4),
  S ("max_pool_7x7",            max_pool,     7, 1, 3, 8, 3, 8),
  S ("max_pool_7x7/s2-odd",     max_pool,     7, 2, 3, 7, 3, 4),
  S ("avg_pool_2x2/s2",         avg_pool_2x2, 2, 2, 3, 8, 3, 4),
  S ("avg_pool_3x3",            avg_pool,     3, 1, 3, 7, 3, 7),
  S ("avg_pool_3x3/s2-odd",     avg_pool,     3, 2, 3, 7, 3, 4),
  S ("avg_pool_5x5/s2",         avg_pool,     5, 2, 3, 8, 3, 4),
  S ("factorized_reduce",       factorized_reduce, 8, 2, 4, 8, 8, 4),
  S ("factorized_reduce/odd",   factorized_reduce, 8, 2, 4, 7, 8, 4),
  S ("factorized_reduce/darts", factorized_reduce_darts, 6, 2, 3, 8, 6, 4),
  S ("grouped/g2",              grouped,      3, 2, 4, 6, 8, 6),
  S ("grouped/g4",              grouped,      3, 4, 8, 6, 16, 6),
  S ("grouped/g8",              grouped,      3, 8, 8, 5, 16, 5),
  S ("grouped/depthwise-x2",    grouped,      3, 0, 4, 6, 8, 6),
  S ("grouped/g2/s2-odd",       grouped_s2,   3, 2, 4, 7, 4, 4),
  S ("grouped/g4-5x5/s2-odd",   grouped_s2,   5, 4, 8, 7, 8, 4),
  S ("grouped/depthwise/s2-odd", grouped_s2,  3, 0, 4, 7, 4, 4),
  S ("resnext_block/s2-odd",    resnext_block, 4, 2, 4, 7, 8, 4),
  S ("resnext_block/gw2",       resnext_block, 2, 1, 4, 6, 8, 6),
  S ("cell/normal",             cell,         4, 1, 4, 6, 16, 6),
  S ("cell/reduce-odd",         cell,         4, 2, 4, 7, 16, 4),
};

typedef struct {
  GnNet *net;
  int out;
  float *input, *r;
  gsize n_in, n_out;
} Probe;

static double
probe_loss (gpointer user)
{
  Probe *p = user;
  memcpy (gn_net_input (p->net), p->input, p->n_in * sizeof (float));
  gn_net_forward (p->net, GN_MODE_TRAIN);
  return gc_dot (gn_net_value (p->net, p->out), p->r, p->n_out);
}

static void
test_op (gconstpointer data)
{
  const Case *cs = data;
  B b = { gn_net_new (cs->n, cs->c, cs->h, cs->w), NULL };
  Probe p = { b.net, cs->op (&b, 0, cs->k, cs->stride), NULL, NULL, 0, 0 };
  g_assert_no_error (b.error);
  GnShape s = gn_net_shape (b.net, p.out);
  g_assert_cmpint (s.c, ==, cs->out_c);
  g_assert_cmpint (s.h, ==, cs->out_h);
  g_assert_cmpint (s.w, ==, cs->out_w);
  GError *error = NULL;
  g_assert_true (gn_net_tap (b.net, p.out, "y", &error));
  g_assert_true (gn_net_compile (b.net, TRUE, &error));
  g_assert_no_error (error);

  GnRng rng;
  gn_rng_seed (&rng, 7);
  gn_net_init_params (b.net, &rng);
  /* keep every channel after a batch norm on one side of the ReLU that
   * may follow (see test-net.c): beta = ±1.5, gamma ≈ 0.3 */
  guint np;
  const GnParam *prm = gn_net_params (b.net, &np);
  for (guint i = 0; i < np; i++)
    if (prm[i].kind == GN_PARAM_BN_WEIGHT)
      gc_fill (prm[i].value, prm[i].size, 31 + i, 0.25f, 0.35f);
    else if (prm[i].kind == GN_PARAM_BN_BIAS)
      for (gsize k = 0; k < prm[i].size; k++)
        prm[i].value[k] = (k % 2 ? -1.5f : 1.5f) + 0.05f * (float) k;

  p.n_in = (gsize) cs->n * cs->c * cs->h * cs->w;
  p.n_out = (gsize) s.n * s.c * s.h * s.w;
  p.input = g_new (float, p.n_in);
  p.r = g_new (float, p.n_out);
  /* mostly positive: a pixel whose channels are all negative is a tie of
   * equal values after ReLU, 1x1 conv and BN, and a max pool over such
   * ties has no derivative that differences can see (both steps give
   * the mean of the two one-sided slopes) */
  gc_fill (p.input, p.n_in, 11, -0.5f, 1.f);
  gc_fill (p.r, p.n_out, 12, -1.f, 1.f);

  probe_loss (&p);
  memcpy (gn_net_grad (b.net, p.out), p.r, p.n_out * sizeof (float));
  gn_net_zero_grad (b.net);
  gn_net_backward (b.net);

  gboolean ok = TRUE;
  float *dx = g_memdup2 (gn_net_grad (b.net, 0), p.n_in * sizeof (float));
  ok &= gc_check_nonsmooth ("input", p.input, dx, p.n_in, probe_loss, &p,
                            60, 4e-3, 3e-3, 3e-2);
  g_free (dx);
  for (guint i = 0; i < np; i++)
    {
      float *ana = g_memdup2 (prm[i].grad, prm[i].size * sizeof (float));
      ok &= gc_check_nonsmooth (prm[i].name, prm[i].value, ana, prm[i].size,
                                probe_loss, &p, 30, 4e-3, 3e-3, 3e-2);
      g_free (ana);
    }
  g_assert_true (ok);
  g_free (p.input);
  g_free (p.r);
  gn_net_free (b.net);
}

/* DARTS's FactorizedReduce cannot concatenate on an odd input: the two
 * halves are 4x4 and 3x3 (why pycls pads first, see gn_net_crop()). */
static void
test_darts_reduce_odd (void)
{
  B b = { gn_net_new (2, 4, 7, 7), NULL };
  g_assert_cmpint (factorized_reduce_darts (&b, 0, 8, 2), ==, -1);
  g_assert_error (b.error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (b.error->message, "concat"));
  g_clear_error (&b.error);
  gn_net_free (b.net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (size_t k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      char *path = g_strdup_printf ("/nds-ops/grad/%s", cases[k].name);
      g_test_add_data_func (path, &cases[k], test_op);
      g_free (path);
    }
  g_test_add_func ("/nds-ops/darts-reduce-odd", test_darts_reduce_odd);
  return g_test_run ();
}
