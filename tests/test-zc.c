/* test-zc.c - the zero-cost proxy plugins agree with NASLib's scores
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Each proxy scores the first 8-30 cells of the CIFAR-10 rows of
 * data/naslib_zc_nb201.csv (NAS-Bench-Suite-Zero's reference values) and
 * its ranking must agree with NASLib's column for the same proxy; the
 * figures on all 724 cells are in docs/benchmarks.md
 * (bench/zc-naslib.py --n N reproduces the ones below).  The thresholds sit
 * below what these exact cells give (fixed seeds, so the scores are
 * deterministic) by a margin for other BLAS builds.  Also: the engine's
 * gn_net_retain_grad(), synflow's log-space arithmetic beyond float's
 * range, scores that do not depend on evaluation order, and the undefined
 * cases.
 */
#include "gennas.h"
#include "proxy-host.h"

#include <math.h>
#include <string.h>

static char *table_path;

typedef struct {
  const char *proxy;
  const char *column;          /* NASLib's name */
  int cells;
  double min_rho;
} Agreement;

/* the first cells of the file's cifar10 rows, fewer for the costlier
 * proxies; what they measure here (seed 1) in comments */
static const Agreement agreements[] = {
  { "synflow", "synflow", 30, 0.97 },       /* 0.9956 */
  { "l2_norm", "l2_norm", 30, 0.90 },       /* 0.9604 */
  { "naswot", "nwot", 20, 0.95 },           /* 0.9865 */
  { "grad_norm", "grad_norm", 16, 0.93 },   /* 0.9765 */
  { "snip", "snip", 16, 0.91 },             /* 0.9618 */
  { "fisher", "fisher", 16, 0.93 },         /* 0.9824 */
  { "jacob_cov", "jacov", 16, 0.86 },       /* 0.9235 */
  { "grasp", "grasp", 8, 0.50 },            /* 0.7857 */
};

/* NASLib's undefined scores (-inf, -1e8) and ours (the worst) rank last */
static double
rankable (double v)
{
  return isfinite (v) && v > -1e8 ? v : -1e300;
}

typedef struct {
  TestProxyHost host;          /* nb201.lua, CIFAR-10, the registry */
  GPtrArray *contexts;         /* of the proxies opened, freed at close */
} Fixture;

static void
fixture_open (Fixture *f)
{
  test_proxy_host_open (&f->host, "nb201.lua");
  f->contexts = g_ptr_array_new_with_free_func (
    (GDestroyNotify) gn_proxy_context_free);
}

static void
fixture_close (Fixture *f)
{
  g_ptr_array_free (f->contexts, TRUE);
  test_proxy_host_close (&f->host);
}

/* The proxy @name on task seed @seed. */
static GnProxy *
open_seeded (Fixture *f, const char *name, const char *const *params,
             guint64 seed)
{
  GError *error = NULL;
  const GnProxyDesc *d = gn_proxy_registry_lookup (f->host.reg, name, &error);
  g_assert_no_error (error);
  GnProxyContext *ctx = gn_proxy_context_new (f->host.space, f->host.data,
                                              seed, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (f->contexts, ctx);
  GnProxy *p = gn_proxy_new (d, ctx, params, &error);
  g_assert_no_error (error);
  return p;
}

static GnProxy *
open_proxy (Fixture *f, const char *name, const char *const *params)
{
  return open_seeded (f, name, params, 1);
}

static GnProxyResult
score (GnProxy *p, const char *arch)
{
  GError *error = NULL;
  GnProxyResult r;
  g_assert_true (gn_proxy_score (p, arch, &r, &error));
  g_assert_no_error (error);
  return r;
}

static void
test_agreement (gconstpointer data)
{
  const Agreement *a = data;
  GError *error = NULL;
  Fixture f;
  fixture_open (&f);
  GnTable *table = gn_table_load (table_path, &error);
  g_assert_no_error (error);
  int c_set = gn_table_find_column (table, "dataset", &error);
  int c_arch = gn_table_find_column (table, "arch_str", &error);
  int c_ref = gn_table_find_column (table, a->column, &error);
  g_assert_no_error (error);

  GnProxy *p = open_proxy (&f, a->proxy, NULL);
  double *ours = g_new (double, a->cells);
  double *ref = g_new (double, a->cells);
  int n = 0;
  gint64 t0 = g_get_monotonic_time ();
  for (guint row = 0; row < gn_table_n_rows (table) && n < a->cells; row++)
    {
      if (strcmp (gn_table_get (table, row, c_set), "cifar10") != 0)
        continue;
      char *arch = gn_space_canonicalize (f.host.space,
                                          gn_table_get (table, row, c_arch),
                                          &error);
      g_assert_no_error (error);
      GnProxyResult r = score (p, arch);
      ours[n] = rankable (r.score);
      g_assert_true (gn_table_get_double (table, row, c_ref, &ref[n],
                                          &error));
      g_assert_no_error (error);
      ref[n] = rankable (ref[n]);
      n++;
      g_free (arch);
    }
  g_assert_cmpint (n, ==, a->cells);
  double rho = gn_stats_spearman (ours, ref, (gsize) n);
  g_test_message ("%s: Spearman %.4f with NASLib's %s on %d cells "
                  "(%.2f s per cell)", a->proxy, rho, a->column, n,
                  (g_get_monotonic_time () - t0) / 1e6 / n);
  g_assert_cmpfloat (rho, >=, a->min_rho);

  g_free (ours);
  g_free (ref);
  gn_proxy_free (p);
  gn_table_free (table);
  fixture_close (&f);
}

/* ------------------------------------------------------------------ */

/* synflow of the all-3x3 cell is e^114 in NASLib's double arithmetic,
 * beyond float's e^88: the log-space score must be finite and close. */
static void
test_synflow_huge (void)
{
  Fixture f;
  fixture_open (&f);
  GnProxy *p = open_proxy (&f, "synflow", NULL);
  const char *big = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|"
                    "+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
  const char *small = "|skip_connect~0|+|none~0|skip_connect~1|"
                      "+|skip_connect~0|none~1|none~2|";
  GnProxyResult rb = score (p, big), rs = score (p, small);
  g_assert_cmpint (rb.status, ==, GN_EVAL_OK);
  g_assert_cmpint (rs.status, ==, GN_EVAL_OK);
  g_test_message ("synflow: all-3x3 %.3f, skip-only %.3f", rb.score,
                  rs.score);
  g_assert_cmpfloat (rb.score, >, 100.0);        /* e^100 */
  g_assert_cmpfloat (rb.score, <, 130.0);
  g_assert_cmpfloat (rs.score, >, 10.0);
  g_assert_cmpfloat (rs.score, <, 20.0);
  gn_proxy_free (p);
  fixture_close (&f);
}

/* a cell whose output ignores its input: the gradient proxies are 0 and
 * the kernel and correlation ones undefined, as in NASLib */
static void
test_disconnected (void)
{
  const char *cut = "|none~0|+|skip_connect~0|avg_pool_3x3~1|"
                    "+|none~0|skip_connect~1|none~2|";
  static const struct {
    const char *proxy;
    gboolean defined;
    double value;
  } expect[] = {
    { "synflow", TRUE, 0.0 },
    { "snip", TRUE, 0.0 },
    { "grad_norm", TRUE, 0.0 },
    { "naswot", FALSE, 0 },
    { "jacob_cov", FALSE, 0 },
  };
  Fixture f;
  fixture_open (&f);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      GnProxy *p = open_proxy (&f, expect[i].proxy, NULL);
      GnProxyResult r = score (p, cut);
      if (expect[i].defined)
        {
          g_assert_cmpint (r.status, ==, GN_EVAL_OK);
          g_assert_cmpfloat (r.score, ==, expect[i].value);
        }
      else
        {
          g_assert_cmpint (r.status, ==, GN_EVAL_NONFINITE);
          g_assert_cmpfloat (r.score, ==, -G_MAXDOUBLE);
        }
      gn_proxy_free (p);
    }
  fixture_close (&f);
}

/* On NB-NLP's cells the proxies read a batch of one-hot token sequences
 * and the language-model loss of every step: the input reaches the
 * logits (jacob_cov is defined, the gradient proxies are not 0), and
 * naswot codes leaky ReLUs, so a cell of tanh alone has no kernel. */
static void
test_sequence (void)
{
  static const char *lstm =
    "i=linear(x|h_prev_0);i_act=activation_tanh(i);"
    "j=linear(x|h_prev_0);j_act=activation_sigm(j);f=linear(x|h_prev_0);"
    "f_act=activation_sigm(f);o=linear(x|h_prev_0);o_act=activation_tanh(o);"
    "h_new_1_part1=elementwise_prod(f_act|h_prev_1);"
    "h_new_1_part2=elementwise_prod(i_act|j_act);"
    "h_new_1=elementwise_sum(h_new_1_part1|h_new_1_part2);"
    "h_new_1_act=activation_tanh(h_new_1);"
    "h_new_0=elementwise_prod(h_new_1_act|o_act)";
  static const char *leaky =
    "f=linear(x|h_prev_0);h_new_0=activation_leaky_relu(f)";
  static const char *rnn = "f=linear(x|h_prev_0);h_new_0=activation_tanh(f)";
  static const char *positive[] = { "snip", "grad_norm", "l2_norm" };
  const char *b8[] = { "batch=8", NULL };
  Fixture f;
  f.contexts = g_ptr_array_new_with_free_func (
    (GDestroyNotify) gn_proxy_context_free);
  test_proxy_host_open (&f.host, "nbnlp.lua");
  for (guint i = 0; i < G_N_ELEMENTS (positive); i++)
    {
      GnProxy *p = open_proxy (&f, positive[i], b8);
      GnProxyResult r = score (p, lstm);
      g_test_message ("%s(LSTM) = %g", positive[i], r.score);
      g_assert_cmpint (r.status, ==, GN_EVAL_OK);
      g_assert_cmpfloat (r.score, >, 0.0);
      gn_proxy_free (p);
    }
  GnProxy *p = open_proxy (&f, "jacob_cov", b8);
  GnProxyResult r = score (p, lstm);
  g_assert_cmpint (r.status, ==, GN_EVAL_OK);
  g_assert_cmpfloat (r.score, <=, -8.0);           /* at most -batch */
  gn_proxy_free (p);
  p = open_proxy (&f, "naswot", b8);
  r = score (p, leaky);
  g_assert_cmpint (r.status, ==, GN_EVAL_OK);
  g_assert_true (isfinite (r.score));
  g_assert_cmpint (score (p, rnn).status, ==, GN_EVAL_NONFINITE);
  gn_proxy_free (p);
  fixture_close (&f);
}

/* a score depends on the task and the architecture only */
static void
test_order_independent (void)
{
  const char *a = "|nor_conv_1x1~0|+|skip_connect~0|nor_conv_3x3~1|"
                  "+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|";
  const char *b = "|avg_pool_3x3~0|+|nor_conv_3x3~0|none~1|"
                  "+|skip_connect~0|nor_conv_1x1~1|skip_connect~2|";
  const char *names[] = { "naswot", "fisher" };
  Fixture f;
  fixture_open (&f);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GnProxy *p = open_proxy (&f, names[i], NULL);
      double sa = score (p, a).score, sb = score (p, b).score;
      GnProxy *q = open_proxy (&f, names[i], NULL);
      double tb = score (q, b).score, ta = score (q, a).score;
      g_assert_cmpfloat (sa, ==, ta);
      g_assert_cmpfloat (sb, ==, tb);
      gn_proxy_free (q);
      /* another task seed, another draw */
      q = open_seeded (&f, names[i], NULL, 2);
      g_assert_cmpfloat (score (q, a).score, !=, sa);
      gn_proxy_free (q);
      gn_proxy_free (p);
    }
  fixture_close (&f);
}

/* jacob_cov's score is at most minus the batch size (each eigenvalue
 * term is >= 1), and the batch parameter is honoured */
static void
test_jacob_cov_bound (void)
{
  const char *arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|"
                     "+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|";
  Fixture f;
  fixture_open (&f);
  const char *b16[] = { "batch=16", NULL };
  GnProxy *p = open_proxy (&f, "jacob_cov", b16);
  double s = score (p, arch).score;
  g_test_message ("jacob_cov, batch 16: %.4f", s);
  g_assert_cmpfloat (s, <=, -16.0 + 1e-3);
  g_assert_cmpfloat (s, >, -17.0);
  gn_proxy_free (p);
  fixture_close (&f);
}

/* the engine addition the Fisher proxy reads: a retained gradient of an
 * inner node survives the backward pass and is the true dL/dnode */
static void
test_retain_grad (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (2, 3, 6, 6);
  GnConv2dSpec spec = { .out_c = 4, .kh = 3, .pad_h = 1, .pad_w = 1 };
  int conv = gn_net_conv2d (net, 0, &spec, &error);
  int relu = gn_net_relu (net, conv, &error);
  GnConv2dSpec spec2 = { .out_c = 2, .kh = 3, .pad_h = 1, .pad_w = 1 };
  int out = gn_net_conv2d (net, relu, &spec2, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, out, "out", &error));
  g_assert_true (gn_net_tap (net, conv, "conv", &error));
  g_assert_true (gn_net_retain_grad (net, conv, &error));
  g_assert_false (gn_net_retain_grad (net, 99, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (gn_net_compile (net, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (gn_net_retain_grad (net, relu, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_STATE);
  g_clear_error (&error);

  GnRng rng;
  gn_rng_seed (&rng, 3);
  gn_net_init_params (net, &rng);
  GnShape si = gn_net_shape (net, 0), so = gn_net_shape (net, out);
  gsize n_in = (gsize) si.n * si.c * si.h * si.w;
  gsize n_out = (gsize) so.n * so.c * so.h * so.w;
  gn_rng_fill_normal (&rng, gn_net_input (net), n_in, 1.f);
  float *seed = g_new (float, n_out);
  gn_rng_fill_normal (&rng, seed, n_out, 1.f);

  /* L = <seed, out>; dL/dconv by finite differences of the conv output
   * is not reachable from outside, so check the chain rule instead:
   * dL/dconv = dL/drelu * [conv > 0], with dL/drelu the input gradient
   * of a second net made of the last conv alone */
  gn_net_forward (net, GN_MODE_TRAIN);
  memcpy (gn_net_grad (net, out), seed, n_out * sizeof (float));
  gn_net_zero_grad (net);
  gn_net_backward (net);
  GnShape sc = gn_net_shape (net, conv);
  gsize n_conv = (gsize) sc.n * sc.c * sc.h * sc.w;
  const float *cv = gn_net_value (net, conv);
  const float *cg = gn_net_grad (net, conv);
  g_assert_nonnull (cg);

  GnNet *tail = gn_net_new (sc.n, sc.c, sc.h, sc.w);
  int t_out = gn_net_conv2d (tail, 0, &spec2, &error);
  g_assert_true (gn_net_tap (tail, t_out, "out", &error));
  g_assert_true (gn_net_compile (tail, TRUE, &error));
  g_assert_no_error (error);
  guint np, tp;
  const GnParam *pn = gn_net_params (net, &np);
  const GnParam *pt = gn_net_params (tail, &tp);
  g_assert_cmpuint (tp, ==, 1);
  memcpy (pt[0].value, pn[np - 1].value, pt[0].size * sizeof (float));
  float *tin = gn_net_input (tail);
  for (gsize i = 0; i < n_conv; i++)
    tin[i] = cv[i] > 0.f ? cv[i] : 0.f;
  gn_net_forward (tail, GN_MODE_TRAIN);
  memcpy (gn_net_grad (tail, t_out), seed, n_out * sizeof (float));
  gn_net_backward (tail);
  const float *drelu = gn_net_grad (tail, 0);
  for (gsize i = 0; i < n_conv; i++)
    g_assert_cmpfloat_with_epsilon (cg[i], cv[i] > 0.f ? drelu[i] : 0.f,
                                    1e-5);
  g_free (seed);
  gn_net_free (tail);
  gn_net_free (net);
}

/* the engine addition GraSP's Hessian-vector product rests on: frozen
 * ReLUs make the network the linear map of the recorded pattern */
static void
test_relu_freeze (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (2, 3, 5, 5);
  GnConv2dSpec spec = { .out_c = 4, .kh = 3, .pad_h = 1, .pad_w = 1 };
  int x = gn_net_relu (net, gn_net_conv2d (net, 0, &spec, &error), &error);
  x = gn_net_conv2d (net, x, &spec, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, x, "out", &error));
  g_assert_false (gn_net_set_relu_mode (net, GN_RELU_RECORD, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_STATE);   /* not compiled */
  g_clear_error (&error);
  g_assert_true (gn_net_compile (net, TRUE, &error));
  g_assert_false (gn_net_set_relu_mode (net, GN_RELU_FROZEN, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_STATE);   /* nothing recorded */
  g_clear_error (&error);

  GnRng rng;
  gn_rng_seed (&rng, 5);
  gn_net_init_params (net, &rng);
  GnShape si = gn_net_shape (net, 0), so = gn_net_shape (net, x);
  gsize n_in = (gsize) si.n * si.c * si.h * si.w;
  gsize n_out = (gsize) so.n * so.c * so.h * so.w;
  float *in = g_new (float, n_in), *y0 = g_new (float, n_out);
  gn_rng_fill_normal (&rng, in, n_in, 1.f);

  g_assert_true (gn_net_set_relu_mode (net, GN_RELU_RECORD, &error));
  memcpy (gn_net_input (net), in, n_in * sizeof (float));
  gn_net_forward (net, GN_MODE_TRAIN);
  memcpy (y0, gn_net_value (net, x), n_out * sizeof (float));

  /* frozen at x, the network is linear (no biases): f(-x) = -f(x), where
   * the true ReLU network is not */
  g_assert_true (gn_net_set_relu_mode (net, GN_RELU_FROZEN, &error));
  for (gsize i = 0; i < n_in; i++)
    gn_net_input (net)[i] = -in[i];
  gn_net_forward (net, GN_MODE_TRAIN);
  for (gsize i = 0; i < n_out; i++)
    g_assert_cmpfloat_with_epsilon (gn_net_value (net, x)[i], -y0[i], 1e-4);

  /* and its backward is that linear map's transpose: <dy, f(x)> equals
   * <dx, x> for the seed dy */
  float *dy = gn_net_grad (net, x);
  double lhs = 0.0, rhs = 0.0;
  for (gsize i = 0; i < n_out; i++)
    {
      dy[i] = gn_rng_uniformf (&rng, -1.f, 1.f);
      lhs += (double) dy[i] * gn_net_value (net, x)[i];
    }
  gn_net_zero_grad (net);
  gn_net_backward (net);
  for (gsize i = 0; i < n_in; i++)
    rhs += (double) gn_net_grad (net, 0)[i] * -in[i];
  g_assert_cmpfloat_with_epsilon (lhs, rhs, 1e-3 * (1.0 + fabs (lhs)));

  /* back to normal: ReLU again */
  g_assert_true (gn_net_set_relu_mode (net, GN_RELU_NORMAL, &error));
  gn_net_forward (net, GN_MODE_TRAIN);
  double diff = 0.0;
  for (gsize i = 0; i < n_out; i++)
    diff += fabs (gn_net_value (net, x)[i] + y0[i]);
  g_assert_cmpfloat (diff, >, 1e-2);
  g_free (in);
  g_free (y0);
  gn_net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_proxy_host_use_build_tree ();
  char *data = g_test_build_filename (G_TEST_DIST, "..", "data", NULL);
  g_setenv ("GENNAS_DATA_PATH", data, TRUE);
  g_free (data);
  table_path = g_test_build_filename (G_TEST_DIST, "..", "data",
                                      "naslib_zc_nb201.csv", NULL);

  g_test_add_func ("/zc/retain-grad", test_retain_grad);
  g_test_add_func ("/zc/relu-freeze", test_relu_freeze);
  g_test_add_func ("/zc/synflow-huge", test_synflow_huge);
  g_test_add_func ("/zc/disconnected", test_disconnected);
  g_test_add_func ("/zc/order-independent", test_order_independent);
  g_test_add_func ("/zc/jacob_cov-bound", test_jacob_cov_bound);
  g_test_add_func ("/zc/sequence", test_sequence);
  for (guint i = 0; i < G_N_ELEMENTS (agreements); i++)
    {
      char *path = g_strdup_printf ("/zc/naslib/%s", agreements[i].proxy);
      g_test_add_data_func (path, &agreements[i], test_agreement);
      g_free (path);
    }
  int status = g_test_run ();
  g_free (table_path);
  return status;
}
