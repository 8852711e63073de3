/* test-seqreg.c - GenNAS's NLP task: sequence recipes, the seqreg proxy,
 * and the regression proxy handing sequence spaces to it
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "proxy-host.h"
#include "run-cli.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define RNN "f=linear(x|h_prev_0);h_new_0=activation_tanh(f)"
#define LSTM "i=linear(x|h_prev_0);i_act=activation_tanh(i);" \
  "j=linear(x|h_prev_0);j_act=activation_sigm(j);f=linear(x|h_prev_0);" \
  "f_act=activation_sigm(f);o=linear(x|h_prev_0);o_act=activation_tanh(o);" \
  "h_new_1_part1=elementwise_prod(f_act|h_prev_1);" \
  "h_new_1_part2=elementwise_prod(i_act|j_act);" \
  "h_new_1=elementwise_sum(h_new_1_part1|h_new_1_part2);" \
  "h_new_1_act=activation_tanh(h_new_1);" \
  "h_new_0=elementwise_prod(h_new_1_act|o_act)"

static char *spaces_dir;

/* The shipped sequence recipes: GenNAS's CONF_NLP* shapes; a draw is
 * the first rows of one channel on a square grid. */
static void
test_recipes (void)
{
  static const struct {
    const char *name;
    int width, batch;
    GnNoiseKind noise;
  } cases[] = {
    { "nlp", 48, 16, GN_NOISE_UNIFORM },
    { "nlp-combo", 64, 64, GN_NOISE_NONE },
    { "nlp-single", 64, 64, GN_NOISE_NONE },
    { "nlp-sin1d-m", 64, 64, GN_NOISE_NONE },
    { "nlp-sin2d-m", 64, 64, GN_NOISE_NONE },
    { "nlp-sin1d-h", 64, 64, GN_NOISE_NONE },
    { "nlp-sin2d-h", 64, 64, GN_NOISE_NONE },
  };
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      GError *error = NULL;
      GnRecipe *r = gn_recipe_load (cases[c].name, &error);
      g_assert_no_error (error);
      int L, D, B;
      g_assert_true (gn_recipe_sequence (r, &L, &D, &B));
      g_assert_cmpint (L, ==, 8);
      g_assert_cmpint (D, ==, cases[c].width);
      g_assert_cmpint (B, ==, cases[c].batch);
      g_assert_cmpint (gn_recipe_n_stages (r), ==, 2);
      g_assert_cmpint (gn_recipe_noise (r, NULL), ==, cases[c].noise);
      float *a = g_new (float, (gsize) L * B * D);
      float *b = g_new (float, (gsize) L * B * D);
      GnRng rng;
      gn_rng_seed (&rng, 4);
      g_assert_true (gn_recipe_sequence_signal (r, 0, &rng, a));
      g_assert_true (gn_recipe_sequence_signal (r, 1, &rng, b));
      double ea = 0, eb = 0, diff = 0;
      for (gsize i = 0; i < (gsize) L * B * D; i++)
        {
          g_assert_true (isfinite (a[i]) && isfinite (b[i]));
          ea += a[i] * a[i];
          eb += b[i] * b[i];
          diff += fabs (a[i] - b[i]);
        }
      g_assert_cmpfloat (ea, >, 0);
      g_assert_cmpfloat (eb, >, 0);
      g_assert_cmpfloat (diff, >, 0);   /* two draws, not one */
      /* per sample: the samples differ (every signal is local) */
      double across = 0;
      for (int d = 0; d < D; d++)
        across += fabs (a[d] - a[D + d]);
      g_assert_cmpfloat (across, >, 0);
      g_free (a);
      g_free (b);
      gn_recipe_free (r);
    }
  GError *error = NULL;
  GnRecipe *img = gn_recipe_load ("combo", &error);
  g_assert_no_error (error);
  g_assert_false (gn_recipe_sequence (img, NULL, NULL, NULL));
  gn_recipe_free (img);
}

/* A sequence draw is the grid's first L rows, time-major: the crop of
 * one sin1d channel drawn directly on the grid. */
static void
test_crop (void)
{
  char *dir = g_dir_make_tmp ("gennas-seqreg-XXXXXX", NULL);
  char *path = g_build_filename (dir, "seq.lua", NULL);
  g_assert_true (g_file_set_contents (path,
    "return { sequence = { length = 3, width = 5, batch = 2 },\n"
    "  stages = { { signals = { { 'sin1d', freqs = { 0.1, 0.2 },\n"
    "                             per_sample = true } } },\n"
    "             { signals = { { 'dot', partial = 0.5 } } } } }\n", -1,
    NULL));
  GError *error = NULL;
  GnRecipe *r = gn_recipe_load (path, &error);
  g_assert_no_error (error);
  float out[3 * 2 * 5];
  GnRng rng;
  gn_rng_seed (&rng, 9);
  g_assert_true (gn_recipe_sequence_signal (r, 0, &rng, out));

  double freqs[2] = { 0.1, 0.2 };
  GnSignalSpec spec = { .kind = GN_SIGNAL_SIN1D, .level = 1.f,
                        .freqs = freqs, .n_freqs = 2, .local = TRUE };
  float grid[2 * 5 * 5] = { 0 };
  gn_rng_seed (&rng, 9);
  gn_signal_add (&spec, 2, 1, 5, NULL, 0, 0, 0, &rng, grid);
  for (int t = 0; t < 3; t++)
    for (int b = 0; b < 2; b++)
      for (int d = 0; d < 5; d++)
        g_assert_cmpfloat (out[(t * 2 + b) * 5 + d], ==,
                           grid[b * 25 + t * 5 + d]);
  gn_recipe_free (r);

  /* what a sequence recipe cannot hold */
  static const char *const bad[][2] = {
    { "return { sequence = { length = 3, width = 5, batch = 2 },\n"
      "  stages = { { signals = {} } } }", "two stages" },
    { "return { sequence = { length = 3, width = 5, batch = 2 },\n"
      "  stages = { { signals = { { 'resize' } } }, { signals = {} } } }",
      "no resize" },
    { "return { sequence = { length = 3, width = 5, batch = 2 },\n"
      "  stages = { { channels = 2, signals = {} }, { signals = {} } } }",
      "one channel" },
    { "return { sequence = { length = 0, width = 5, batch = 2 },\n"
      "  stages = { { signals = {} }, { signals = {} } } }",
      "length must be" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_true (g_file_set_contents (path, bad[i][0], -1, NULL));
      g_assert_null (gn_recipe_load (path, &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
      if (strstr (error->message, bad[i][1]) == NULL)
        g_error ("expected '%s' in: %s", bad[i][1], error->message);
      g_clear_error (&error);
    }
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

typedef struct {
  GnSpace *space;
  GnProxyRegistry *reg;
  GnProxyContext *ctx;
} Fixture;

/* small layers keep the training cheap */
static const char *const small[] = { "emsize=24", "nhid=32", NULL };

static void
fixture_open (Fixture *f, const char *space)
{
  GError *error = NULL;
  char *path = g_build_filename (spaces_dir, space, NULL);
  f->space = gn_space_load (path, &error);
  g_assert_no_error (error);
  g_free (path);
  f->reg = gn_proxy_registry_new ();
  f->ctx = gn_proxy_context_new (f->space, NULL, 3, small, &error);
  g_assert_no_error (error);
}

static void
fixture_close (Fixture *f)
{
  gn_proxy_context_free (f->ctx);
  gn_proxy_registry_free (f->reg);
  gn_space_free (f->space);
}

static GnProxy *
proxy (Fixture *f, const char *name, const char *const *params)
{
  GError *error = NULL;
  const GnProxyDesc *d = gn_proxy_registry_lookup (f->reg, name, &error);
  g_assert_no_error (error);
  GnProxy *p = gn_proxy_new (d, f->ctx, params, &error);
  g_assert_no_error (error);
  return p;
}

static double
loss_of (GnProxy *p, const char *arch)
{
  GError *error = NULL;
  GnProxyResult r;
  g_assert_true (gn_proxy_score (p, arch, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.status, ==, GN_EVAL_OK);
  g_assert_cmpfloat (r.score, ==, -r.loss);
  return r.loss;
}

/* Scores are a function of the task and the cell; training lowers the
 * loss; the regression proxy on a sequence space is this proxy. */
static void
test_score (void)
{
  Fixture f;
  fixture_open (&f, "nbnlp.lua");
  const char *few[] = { "steps=2", NULL };
  const char *more[] = { "steps=25", NULL };
  GnProxy *p2 = proxy (&f, "seqreg", few);
  GnProxy *p25 = proxy (&f, "seqreg", more);
  double a = loss_of (p2, RNN), b = loss_of (p2, RNN);
  g_assert_cmpfloat (a, >, 0);
  g_assert_cmpfloat (a, ==, b);
  /* another recipe of the same network builds the same (the host hands
   * proxies canonical strings, which seed the initialisation) */
  GError *error = NULL;
  char *canon = gn_space_canonicalize (f.space, RNN, &error);
  g_assert_no_error (error);
  GnBuildOptions o = { .batch = 2, .in_c = 3, .in_h = 2, .in_w = 1,
                       .options = small };
  GnNet *n1 = gn_space_build (f.space, canon, &o, &error);
  GnNet *n2 = gn_space_build (f.space, "g=linear(h_prev_0|x);"
                              "h_new_0=activation_tanh(g)", &o, &error);
  g_assert_no_error (error);
  for (int i = 0; i < gn_net_n_nodes (n1); i++)
    {
      GnNodeInfo x, y;
      gn_net_node_info (n1, i, &x);
      gn_net_node_info (n2, i, &y);
      g_assert_cmpint (x.op, ==, y.op);
      g_assert_cmpint (x.n_inputs, ==, y.n_inputs);
      for (int k = 0; k < x.n_inputs; k++)
        g_assert_cmpint (x.inputs[k], ==, y.inputs[k]);
    }
  gn_net_free (n1);
  gn_net_free (n2);
  g_free (canon);
  g_assert_cmpfloat (loss_of (p2, LSTM), !=, a);
  double trained = loss_of (p25, RNN);
  g_test_message ("RNN: loss %g after 2 steps, %g after 25", a, trained);
  g_assert_cmpfloat (trained, <, a);

  GnProxy *reg = proxy (&f, "regression", few);
  g_assert_cmpfloat (loss_of (reg, RNN), ==, a);   /* the same task */
  g_assert_nonnull (strstr (gn_proxy_config (reg), "sequence=[seqreg:"));
  g_assert_nonnull (strstr (gn_proxy_config (reg), "recipe=nlp"));
  gn_proxy_free (reg);
  gn_proxy_free (p2);
  gn_proxy_free (p25);
  fixture_close (&f);
}

static void
test_errors (void)
{
  Fixture f;
  GError *error = NULL;
  fixture_open (&f, "nbnlp.lua");
  const GnProxyDesc *d = gn_proxy_registry_lookup (f.reg, "seqreg", &error);
  const char *img[] = { "recipe=combo", NULL };
  g_assert_null (gn_proxy_new (d, f.ctx, img, &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "image recipe"));
  g_clear_error (&error);
  fixture_close (&f);

  fixture_open (&f, "nb201.lua");
  d = gn_proxy_registry_lookup (f.reg, "seqreg", &error);
  g_assert_null (gn_proxy_new (d, f.ctx, NULL, &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "read images"));
  g_clear_error (&error);
  fixture_close (&f);
}

/* gennas rank judges a perplexity with its sign: the Spearman it prints
 * is minus that of the scores with the perplexities themselves. */
static void
test_rank_sign (void)
{
  char *dir = g_dir_make_tmp ("gennas-seqreg-XXXXXX", NULL);
  char *csv = g_build_filename (dir, "rank.csv", NULL);
  char *space = g_build_filename (spaces_dir, "nbnlp.lua", NULL);
  CliRun r = cli_run_gennas (NULL, "rank", "-p", "params", space,
                             "--sample", "50", "--seed", "1",
                             "--truth", "test_ppl_ep1", "--resamples", "0",
                             "-w", "1", "--csv", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  const char *line = strstr (r.out, "spearman=");
  g_assert_nonnull (line);
  double printed = g_ascii_strtod (line + strlen ("spearman="), NULL);

  char *text = NULL;
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  char **rows = g_strsplit (text, "\n", -1);
  double score[64], ppl[64];
  gsize n = 0;
  for (char **row = rows + 1; *row && **row && n < 64; row++)
    {
      /* "arch",score,loss,status,seconds,min_test_ppl,...,test_ppl_ep1,.. */
      char **f = g_strsplit (strrchr (*row, '"') + 2, ",", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 10);
      score[n] = g_ascii_strtod (f[0], NULL);
      ppl[n] = g_ascii_strtod (f[8], NULL);
      n++;
      g_strfreev (f);
    }
  g_assert_cmpuint (n, ==, 50);
  GnStatsAgreement raw = gn_stats_agreement (score, ppl, n, 0.1);
  g_test_message ("printed %g, raw %g", printed, raw.spearman);
  g_assert_cmpfloat (fabs (raw.spearman), >, 0.05);
  g_assert_cmpfloat (fabs (printed + raw.spearman), <, 1e-3);
  g_strfreev (rows);
  g_free (text);
  cli_run_clear (&r);
  g_unlink (csv);
  g_rmdir (dir);
  g_free (csv);
  g_free (dir);
  g_free (space);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_proxy_host_use_build_tree ();
  spaces_dir = g_test_build_filename (G_TEST_DIST, "..", "spaces", NULL);

  g_test_add_func ("/seqreg/recipes", test_recipes);
  g_test_add_func ("/seqreg/crop", test_crop);
  g_test_add_func ("/seqreg/score", test_score);
  g_test_add_func ("/seqreg/errors", test_errors);
  g_test_add_func ("/seqreg/rank-sign", test_rank_sign);
  int status = g_test_run ();
  g_free (spaces_dir);
  return status;
}
