/* test-recurrent.c - the engine's recurrent ops, and backpropagation
 * through time, against finite differences
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gennas.h"
#include "gradcheck.h"

#include <math.h>
#include <string.h>

#define CNT 37
#define EPS 1e-3
#define ATOL 1e-3
#define RTOL 1e-3

/* ------------------------------------------------------------------ */
/* kernels                                                             */
/* ------------------------------------------------------------------ */

typedef enum { K_TANH, K_SIGMOID, K_LEAKY, K_MUL, K_MUL_SELF, K_BLEND,
               K_BLEND_ALIAS } Kernel;

typedef struct {
  Kernel k;
  float a[CNT], b[CNT], z[CNT], y[CNT], r[CNT];
} Elem;

static void
elem_forward (Elem *s)
{
  switch (s->k)
    {
    case K_TANH: gn_tanh_forward (CNT, s->a, s->y); break;
    case K_SIGMOID: gn_sigmoid_forward (CNT, s->a, s->y); break;
    case K_LEAKY: gn_leaky_relu_forward (CNT, s->a, s->y); break;
    case K_MUL: gn_mul_forward (CNT, s->a, s->b, s->y); break;
    case K_MUL_SELF: gn_mul_forward (CNT, s->a, s->a, s->y); break;
    case K_BLEND: gn_blend_forward (CNT, s->z, s->a, s->b, s->y); break;
    case K_BLEND_ALIAS: gn_blend_forward (CNT, s->z, s->z, s->a, s->y); break;
    }
}

static double
elem_loss (gpointer user)
{
  Elem *s = user;
  elem_forward (s);
  return gc_dot (s->y, s->r, CNT);
}

static void
check_elem (Kernel k, const char *what)
{
  Elem s = { .k = k };
  gc_fill (s.a, CNT, 11, -2.f, 2.f);
  gc_fill (s.b, CNT, 12, -2.f, 2.f);
  gc_fill (s.z, CNT, 13, 0.f, 1.f);
  gc_fill (s.r, CNT, 14, -1.f, 1.f);
  /* leaky ReLU: keep away from the kink */
  for (int i = 0; i < CNT && k == K_LEAKY; i++)
    if (fabsf (s.a[i]) < 0.05f)
      s.a[i] = 0.3f;
  float da[CNT], db[CNT], dz[CNT];
  for (int i = 0; i < CNT; i++)
    da[i] = db[i] = dz[i] = 1.f;   /* backward must accumulate */
  elem_forward (&s);
  switch (k)
    {
    case K_TANH: gn_tanh_backward (CNT, s.y, s.r, da); break;
    case K_SIGMOID: gn_sigmoid_backward (CNT, s.y, s.r, da); break;
    case K_LEAKY: gn_leaky_relu_backward (CNT, s.y, s.r, da); break;
    case K_MUL: gn_mul_backward (CNT, s.a, s.b, s.r, da, db); break;
    case K_MUL_SELF: gn_mul_backward (CNT, s.a, s.a, s.r, da, da); break;
    case K_BLEND: gn_blend_backward (CNT, s.z, s.a, s.b, s.r, dz, da, db);
      break;
    case K_BLEND_ALIAS:
      gn_blend_backward (CNT, s.z, s.z, s.a, s.r, dz, dz, da);
      break;
    }
  for (int i = 0; i < CNT; i++)
    {
      da[i] -= 1.f;
      db[i] -= 1.f;
      dz[i] -= 1.f;
    }
  char label[64];
  g_snprintf (label, sizeof label, "%s da", what);
  g_assert_true (gc_check (label, s.a, da, CNT, elem_loss, &s, 0, EPS, ATOL,
                           RTOL));
  if (k == K_MUL || k == K_BLEND)
    {
      g_snprintf (label, sizeof label, "%s db", what);
      g_assert_true (gc_check (label, s.b, db, CNT, elem_loss, &s, 0, EPS,
                               ATOL, RTOL));
    }
  if (k == K_BLEND || k == K_BLEND_ALIAS)
    {
      g_snprintf (label, sizeof label, "%s dz", what);
      g_assert_true (gc_check (label, s.z, dz, CNT, elem_loss, &s, 0, EPS,
                               ATOL, RTOL));
    }
}

static void
test_elementwise (void)
{
  check_elem (K_TANH, "tanh");
  check_elem (K_SIGMOID, "sigmoid");
  check_elem (K_LEAKY, "leaky_relu");
  check_elem (K_MUL, "mul");
  check_elem (K_MUL_SELF, "mul a*a");
  check_elem (K_BLEND, "blend");
  check_elem (K_BLEND_ALIAS, "blend(z|z|a)");

  /* values: the sigmoid neither overflows nor loses its tails */
  float x[4] = { -100.f, 0.f, 100.f, -1.f }, y[4];
  gn_sigmoid_forward (4, x, y);
  g_assert_cmpfloat (y[0], >=, 0.f);
  g_assert_cmpfloat (y[0], <, 1e-30f);
  g_assert_cmpfloat (y[1], ==, 0.5f);
  g_assert_cmpfloat (y[2], ==, 1.f);
  g_assert_cmpfloat (fabsf (y[3] - 0.26894142f), <, 1e-6f);
  gn_leaky_relu_forward (4, x, y);
  g_assert_cmpfloat (y[0], ==, -1.f);
  g_assert_cmpfloat (y[2], ==, 100.f);
}

/* the transposed linear: y = x w + b with w [in][out] */
#define TN 3
#define TIN 5
#define TOUT 4

typedef struct {
  float x[TN * TIN], w[TIN * TOUT], b[TOUT], y[TN * TOUT], r[TN * TOUT];
} LinT;

static double
lint_loss (gpointer user)
{
  LinT *s = user;
  gn_linear_t_forward (TN, TIN, TOUT, s->x, s->w, s->b, s->y);
  return gc_dot (s->y, s->r, TN * TOUT);
}

static void
test_linear_t (void)
{
  LinT s;
  gc_fill (s.x, TN * TIN, 21, -1.f, 1.f);
  gc_fill (s.w, TIN * TOUT, 22, -1.f, 1.f);
  gc_fill (s.b, TOUT, 23, -1.f, 1.f);
  gc_fill (s.r, TN * TOUT, 24, -1.f, 1.f);
  /* against the plain linear of the transposed weight */
  float wt[TOUT * TIN], y[TN * TOUT];
  for (int i = 0; i < TIN; i++)
    for (int o = 0; o < TOUT; o++)
      wt[o * TIN + i] = s.w[i * TOUT + o];
  gn_linear_forward (TN, TIN, TOUT, s.x, wt, s.b, y);
  lint_loss (&s);
  g_assert_cmpfloat (gc_max_abs_diff (y, s.y, TN * TOUT), <, 1e-6);

  float dx[TN * TIN] = { 0 }, dw[TIN * TOUT] = { 0 }, db[TOUT] = { 0 };
  gn_linear_t_backward (TN, TIN, TOUT, s.x, s.w, s.r, dx, dw, db);
  g_assert_true (gc_check ("linear_t dx", s.x, dx, TN * TIN, lint_loss, &s,
                           0, EPS, ATOL, RTOL));
  g_assert_true (gc_check ("linear_t dw", s.w, dw, TIN * TOUT, lint_loss, &s,
                           0, EPS, ATOL, RTOL));
  g_assert_true (gc_check ("linear_t db", s.b, db, TOUT, lint_loss, &s, 0,
                           EPS, ATOL, RTOL));
}

/* ------------------------------------------------------------------ */
/* networks                                                            */
/* ------------------------------------------------------------------ */

/* A small recurrent network unrolled over T steps: input [B][D][T][1],
 * each step cropped, encoded (a linear shared over time), dropped out
 * with one mask for all steps, run through an LSTM-like cell of two
 * hidden values that uses every op (a three-input linear, blend, mul,
 * sum, tanh, sigmoid, leaky ReLU), decoded by the encoder's weight
 * transposed, and the steps' outputs concatenated. */
#define B 3
#define D 4
#define T 3
#define E 5
#define H 6

typedef struct {
  GnNet *net;
  int out;
  gsize n_in, n_out;
  float *input, *r;
  gboolean train;
} Rnn;

/* @early: the steps' inputs and their encodings all come first (as a
 * layer's input precedes its recurrence), so the encoder's and the
 * recurrence's products of them are one sgemm over the steps; otherwise
 * step by step. */
static int
build_rnn (GnNet *net, gboolean dropout, gboolean early, int *lin_count,
           GError **error)
{
  int enc = 0, dec = 0, gate = 0, cand = 0, mix = 0, drop = 0;
  int h0 = gn_net_zero (net, gn_net_crop (net, 0, 0, 0, 1, 1, error), H, 1,
                        error);
  int c0 = h0;
  int outs[T], es_t[T];
  int h = h0, c = c0;
  *lin_count = 0;
  for (int pass = early ? 0 : 1; pass < 2; pass++)
  for (int t = 0; t < T; t++)
    {
      int e;
      if (!early || pass == 0)
        {
          int x = gn_net_crop (net, 0, t, 0, 1, 1, error);
          es_t[t] = x;
          if (early)
            continue;
        }
      if (early && t == 0)
        for (int u = 0; u < T; u++)
          {
            GnLinearSpec es = { .out_features = E, .init_range = 0.5f,
                                .share = enc };
            es_t[u] = gn_net_linear_multi (net, 1, &es_t[u], &es, error);
            if (u == 0)
              enc = es_t[u];
            if (dropout)
              {
                es_t[u] = gn_net_dropout (net, es_t[u], 0.3f, drop, error);
                if (u == 0)
                  drop = es_t[u];
              }
          }
      if (early)
        e = es_t[t];
      else
        {
          GnLinearSpec es = { .out_features = E, .init_range = 0.5f,
                              .share = enc };
          e = gn_net_linear_multi (net, 1, &es_t[t], &es, error);
          if (t == 0)
            enc = e;
          if (dropout)
            {
              e = gn_net_dropout (net, e, 0.3f, drop, error);
              if (t == 0)
                drop = e;
            }
        }
      int in3[3] = { e, h, c };
      GnLinearSpec gs = { .out_features = H, .bias = TRUE, .share = gate };
      int g = gn_net_linear_multi (net, 3, in3, &gs, error);
      if (t == 0)
        gate = g;
      g = gn_net_sigmoid (net, g, error);
      int in2[2] = { e, h };
      GnLinearSpec cs = { .out_features = H, .bias = TRUE, .share = cand };
      int k = gn_net_linear_multi (net, 2, in2, &cs, error);
      if (t == 0)
        cand = k;
      int kt = gn_net_tanh (net, k, error);
      int nc = gn_net_blend (net, g, c, kt, error);
      GnLinearSpec ms = { .out_features = H, .bias = TRUE, .share = mix };
      int m = gn_net_linear_multi (net, 1, &nc, &ms, error);
      if (t == 0)
        mix = m;
      int sum[2] = { gn_net_leaky_relu (net, m, error),
                     gn_net_mul (net, nc, nc, error) };
      h = gn_net_add (net, 2, sum, error);
      c = nc;
      int ht = gn_net_tanh (net, h, error);
      /* tied to the encoder at the first step, to that decoder after */
      GnLinearSpec ds = { .out_features = D, .bias = TRUE, .zero_bias = TRUE,
                          .share = t ? outs[0] : enc,
                          .share_transposed = t == 0 };
      /* the decoder reads the hidden size through a linear to E first */
      GnLinearSpec ps = { .out_features = E, .share = dec };
      int pe = gn_net_linear_multi (net, 1, &ht, &ps, error);
      if (t == 0)
        dec = pe;
      outs[t] = gn_net_linear_multi (net, 1, &pe, &ds, error);
      if (error && *error)
        return -1;
    }
  *lin_count = 4 + 1;   /* encoder, gate, candidate, mix, projection */
  return gn_net_concat (net, T, outs, error);
}

static double
rnn_loss (gpointer user)
{
  Rnn *s = user;
  memcpy (gn_net_input (s->net), s->input, s->n_in * sizeof (float));
  gn_net_set_dropout_seed (s->net, 99);
  gn_net_forward (s->net, s->train ? GN_MODE_TRAIN : GN_MODE_EVAL);
  return gc_dot (gn_net_value (s->net, s->out), s->r, s->n_out);
}

static Rnn *
rnn_new (gboolean dropout, gboolean train, gboolean early)
{
  GError *error = NULL;
  Rnn *s = g_new0 (Rnn, 1);
  int lins;
  s->net = gn_net_new (B, D, T, 1);
  s->out = build_rnn (s->net, dropout, early, &lins, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (s->net, s->out, "out", &error));
  g_assert_true (gn_net_compile (s->net, TRUE, &error));
  g_assert_no_error (error);
  GnRng rng;
  gn_rng_seed (&rng, 5);
  gn_net_init_params (s->net, &rng);
  s->train = train;
  s->n_in = B * D * T;
  s->n_out = B * D * T;
  s->input = g_new (float, s->n_in);
  s->r = g_new (float, s->n_out);
  gc_fill (s->input, s->n_in, 31, -1.f, 1.f);
  gc_fill (s->r, s->n_out, 32, -1.f, 1.f);
  return s;
}

static void
rnn_free (Rnn *s)
{
  gn_net_free (s->net);
  g_free (s->input);
  g_free (s->r);
  g_free (s);
}

/* The parameters of a shared linear are its first use's, once. */
static void
test_sharing_counts (void)
{
  Rnn *s = rnn_new (FALSE, FALSE, FALSE);
  gsize expect = (gsize) E * D                /* encoder, no bias   */
                 + (gsize) H * (E + H + H) + H /* gate               */
                 + (gsize) H * (E + H) + H     /* candidate          */
                 + (gsize) H * H + H           /* mix                */
                 + (gsize) E * H               /* projection         */
                 + (gsize) D;                  /* the decoder's bias */
  g_assert_cmpuint (gn_net_count_params (s->net), ==, expect);
  guint n;
  gn_net_params (s->net, &n);
  g_assert_cmpuint (n, ==, 1 + 4 + 3 + 2 + 1 + 1);
  /* every step computes: the MACs grow with the steps */
  double per_step = (double) E * D + H * (E + H + H) + H + H * (E + H) + H
                    + H * H + H + E * H + (double) E * D + D;
  g_assert_cmpfloat (fabs (gn_net_count_macs (s->net) - T * per_step), <,
                     0.5);
  GnNodeInfo info;
  for (int i = 0; i < gn_net_n_nodes (s->net); i++)
    {
      gn_net_node_info (s->net, i, &info);
      if (info.op == GN_OP_MULTILINEAR && info.n_inputs == 3)
        g_assert_cmpint (info.in_features, ==, E + H + H);
    }
  rnn_free (s);
}

static void
check_rnn (gboolean dropout, gboolean train, gboolean early)
{
  Rnn *s = rnn_new (dropout, train, early);
  rnn_loss (s);
  memcpy (gn_net_grad (s->net, s->out), s->r, s->n_out * sizeof (float));
  gn_net_zero_grad (s->net);
  gn_net_backward (s->net);

  gboolean ok = TRUE;
  float *dx = g_memdup2 (gn_net_grad (s->net, 0), s->n_in * sizeof (float));
  ok &= gc_check_nonsmooth ("input", s->input, dx, s->n_in, rnn_loss, s, 0,
                            1e-3, 2e-3, 2e-2);
  g_free (dx);
  guint n;
  const GnParam *prm = gn_net_params (s->net, &n);
  for (guint i = 0; i < n; i++)
    {
      float *ana = g_memdup2 (prm[i].grad, prm[i].size * sizeof (float));
      ok &= gc_check_nonsmooth (prm[i].name, prm[i].value, ana, prm[i].size,
                                rnn_loss, s, 30, 1e-3, 2e-3, 2e-2);
      g_free (ana);
    }
  g_assert_true (ok);
  rnn_free (s);
}

/* Backpropagation through time: every shared weight's gradient is the
 * sum over the steps, input gradients cross the steps through h and c. */
static void
test_bptt (void)
{
  check_rnn (FALSE, FALSE, FALSE);
}

static void
test_bptt_dropout (void)
{
  check_rnn (TRUE, TRUE, FALSE);
}

/* the steps' inputs first: the products of the encoder and of the
 * recurrence's inputs from it over all steps at once */
static void
test_bptt_early (void)
{
  check_rnn (FALSE, FALSE, TRUE);
  check_rnn (TRUE, TRUE, TRUE);
}

/* Batching the early products over the steps changes no value: the
 * same network built step by step computes the same (to rounding) from
 * the same parameters, drawn in the same order. */
static void
test_early_same (void)
{
  Rnn *a = rnn_new (FALSE, FALSE, FALSE), *b = rnn_new (FALSE, FALSE, TRUE);
  guint na, nb;
  const GnParam *pa = gn_net_params (a->net, &na);
  const GnParam *pb = gn_net_params (b->net, &nb);
  g_assert_cmpuint (na, ==, nb);
  for (guint i = 0; i < na; i++)
    {
      g_assert_cmpuint (pa[i].size, ==, pb[i].size);
      memcpy (pb[i].value, pa[i].value, pa[i].size * sizeof (float));
    }
  rnn_loss (a);
  rnn_loss (b);
  g_assert_cmpfloat (gc_max_abs_diff (gn_net_value (a->net, a->out),
                                      gn_net_value (b->net, b->out),
                                      a->n_out), <, 1e-5);
  rnn_free (a);
  rnn_free (b);
}

/* Locked dropout: one mask for every step; none in evaluation. */
static void
test_dropout (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (2, 50, 3, 1);
  int d[3];
  for (int t = 0; t < 3; t++)
    {
      int x = gn_net_crop (net, 0, t, 0, 1, 1, &error);
      d[t] = gn_net_dropout (net, x, 0.4f, t ? d[0] : 0, &error);
    }
  int all = gn_net_concat (net, 3, d, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gn_net_dropout (net, 0, 1.f, 0, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_dropout (net, 0, 0.4f, all, &error), ==, -1);
  g_clear_error (&error);
  g_assert_true (gn_net_tap (net, all, "all", &error));
  g_assert_true (gn_net_compile (net, FALSE, &error));
  float *in = gn_net_input (net);
  for (int i = 0; i < 2 * 50 * 3; i++)
    in[i] = 1.f;
  gn_net_forward (net, GN_MODE_TRAIN);
  const float *y = gn_net_value (net, all);
  int dropped = 0;
  for (int b = 0; b < 2; b++)
    for (int c = 0; c < 50; c++)
      {
        float v0 = y[b * 150 + c];
        g_assert_true (v0 == 0.f || fabsf (v0 - 1.f / 0.6f) < 1e-6f);
        dropped += v0 == 0.f;
        for (int t = 1; t < 3; t++)
          g_assert_cmpfloat (y[b * 150 + t * 50 + c], ==, v0);
      }
  g_assert_cmpint (dropped, >, 20);
  g_assert_cmpint (dropped, <, 60);
  /* a new mask every training pass, the same after the same seed */
  float first[300];
  memcpy (first, y, sizeof first);
  gn_net_forward (net, GN_MODE_TRAIN);
  g_assert_cmpfloat (gc_max_abs_diff (first, y, 300), >, 0.0);
  gn_net_set_dropout_seed (net, 3);
  gn_net_forward (net, GN_MODE_TRAIN);
  memcpy (first, y, sizeof first);
  gn_net_set_dropout_seed (net, 3);
  gn_net_forward (net, GN_MODE_TRAIN);
  g_assert_cmpfloat (gc_max_abs_diff (first, y, 300), ==, 0.0);
  gn_net_forward (net, GN_MODE_EVAL);
  for (int i = 0; i < 300; i++)
    g_assert_cmpfloat (y[i], ==, 1.f);
  gn_net_free (net);
}

static void
test_build_errors (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (2, 3, 1, 1);
  GnLinearSpec sp = { .out_features = 4, .bias = TRUE };
  int a = gn_net_linear_multi (net, 1, (int[]) { 0 }, &sp, &error);
  g_assert_no_error (error);
  /* sharing needs the same widths, outputs and bias */
  GnLinearSpec bad = { .out_features = 5, .bias = TRUE, .share = a };
  g_assert_cmpint (gn_net_linear_multi (net, 1, (int[]) { 0 }, &bad,
                                        &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  GnLinearSpec two = { .out_features = 4, .bias = TRUE, .share = a };
  g_assert_cmpint (gn_net_linear_multi (net, 2, (int[]) { 0, 0 }, &two,
                                        &error), ==, -1);
  g_clear_error (&error);
  GnLinearSpec notlin = { .out_features = 4, .share = 0 };
  notlin.share = gn_net_tanh (net, a, &error);
  g_assert_cmpint (gn_net_linear_multi (net, 1, (int[]) { 0 }, &notlin,
                                        &error), ==, -1);
  g_clear_error (&error);
  /* transposed: back from 4 to 3 */
  GnLinearSpec t = { .out_features = 3, .share = a, .share_transposed = TRUE };
  int back = gn_net_linear_multi (net, 1, &a, &t, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gn_net_shape (net, back).c, ==, 3);
  t.out_features = 4;
  g_assert_cmpint (gn_net_linear_multi (net, 1, &a, &t, &error), ==, -1);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_mul (net, a, 0, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_blend (net, a, a, 0, &error), ==, -1);
  g_clear_error (&error);
  g_assert_cmpuint (gn_net_count_params (net), ==, 3 * 4 + 4);
  gn_net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recurrent/elementwise", test_elementwise);
  g_test_add_func ("/recurrent/linear-transposed", test_linear_t);
  g_test_add_func ("/recurrent/build-errors", test_build_errors);
  g_test_add_func ("/recurrent/sharing-counts", test_sharing_counts);
  g_test_add_func ("/recurrent/dropout", test_dropout);
  g_test_add_func ("/recurrent/bptt", test_bptt);
  g_test_add_func ("/recurrent/bptt-dropout", test_bptt_dropout);
  g_test_add_func ("/recurrent/bptt-early", test_bptt_early);
  g_test_add_func ("/recurrent/early-same", test_early_same);
  return g_test_run ();
}
