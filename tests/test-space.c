/* test-space.c - search spaces: the sandbox, the builder, NAS-Bench-201
 * and NAS-Bench-101 against their published numbers
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "spaces.h"
#include "gradcheck.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static GnTable *
load_table (const char *name)
{
  GError *error = NULL;
  char *path = g_test_build_filename (G_TEST_DIST, "..", "data", name, NULL);
  GnTable *t = gn_table_load (path, &error);
  g_assert_no_error (error);
  g_free (path);
  return t;
}

static GnNet *
build (GnSpace *space, const char *arch, int batch, gboolean published,
       gboolean classifier, const char *const *options)
{
  GError *error = NULL;
  GnBuildOptions opts = { .batch = batch, .published = published,
                          .classifier = classifier, .options = options };
  GnNet *net = gn_space_build (space, arch, &opts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (net);
  return net;
}

static void
assert_shape (GnNet *net, const char *tap, int n, int c, int h, int w)
{
  int node = gn_net_find_tap (net, tap);
  g_assert_cmpint (node, >=, 0);
  GnShape s = gn_net_shape (net, node);
  g_assert_cmpint (s.n, ==, n);
  g_assert_cmpint (s.c, ==, c);
  g_assert_cmpint (s.h, ==, h);
  g_assert_cmpint (s.w, ==, w);
}

/* Does the message start with "@file:@line"? */
static void
assert_location (const GError *error, const char *file, int line)
{
  char *want = g_strdup_printf ("%s:%d:", file, line);
  if (!g_str_has_prefix (error->message, want))
    g_error ("expected '%s...', got '%s'", want, error->message);
  g_free (want);
}

/* ------------------------------------------------------------------ */
/* NAS-Bench-201                                                       */
/* ------------------------------------------------------------------ */

#define NB201_ALL_OPS "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+" \
                      "|skip_connect~0|none~1|nor_conv_3x3~2|"

/* The published network (affine cell batch norms, 10-class classifier)
 * has exactly the table's params_c10_M and flops_c10_M, as the table
 * prints them, for every one of the 15,625 cells. */
static void
test_nb201_params_macs (void)
{
  GnSpace *space = test_space_load ("nb201.lua");
  GnTable *t = load_table ("nb201.csv");
  GError *error = NULL;
  int key = gn_table_find_column (t, "arch_str", &error);
  int pcol = gn_table_find_column (t, "params_c10_M", &error);
  int mcol = gn_table_find_column (t, "flops_c10_M", &error);
  g_assert_no_error (error);
  guint agree = 0, n = gn_table_n_rows (t);
  for (guint r = 0; r < n; r++)
    {
      const char *arch = gn_table_get (t, r, key);
      GnNet *net = build (space, arch, 1, TRUE, TRUE, NULL);
      char params[32], macs[32];
      g_snprintf (params, sizeof params, "%.6f",
                  gn_net_count_params (net) / 1e6);
      g_snprintf (macs, sizeof macs, "%.6f", gn_net_count_macs (net) / 1e6);
      if (strcmp (params, gn_table_get (t, r, pcol)) == 0
          && strcmp (macs, gn_table_get (t, r, mcol)) == 0)
        agree++;
      else
        g_test_message ("%s: %s %s, table %s %s", arch, params, macs,
                        gn_table_get (t, r, pcol), gn_table_get (t, r, mcol));
      gn_net_free (net);
    }
  g_test_message ("%u of %u cells agree", agree, n);
  g_assert_cmpuint (n, ==, 15625);
  g_assert_cmpuint (agree, ==, n);
  gn_table_free (t);
  gn_space_free (space);
}

static void
test_nb201_taps (void)
{
  GnSpace *space = test_space_load ("nb201.lua");
  GnNet *net = build (space, NB201_ALL_OPS, 2, FALSE, FALSE, NULL);
  assert_shape (net, "stage0", 2, 16, 32, 32);
  assert_shape (net, "stage1", 2, 32, 16, 16);
  assert_shape (net, "stage2", 2, 64, 8, 8);
  g_assert_cmpint (gn_net_find_tap (net, "logits"), <, 0);
  gn_net_free (net);

  GnBuildOptions opts = { .batch = 3, .classifier = TRUE, .num_classes = 100,
                          .in_c = 3, .in_h = 16, .in_w = 16 };
  GError *error = NULL;
  net = gn_space_build (space, NB201_ALL_OPS, &opts, &error);
  g_assert_no_error (error);
  assert_shape (net, "stage2", 3, 64, 4, 4);
  assert_shape (net, "logits", 3, 100, 1, 1);
  gn_net_free (net);

  const char *const reduced[] = { "C=8", "N=1", NULL };
  net = build (space, NB201_ALL_OPS, 1, FALSE, FALSE, reduced);
  assert_shape (net, "stage0", 1, 8, 32, 32);
  assert_shape (net, "stage2", 1, 32, 8, 8);
  gn_net_free (net);
  gn_space_free (space);
}

/* GenNAS builds cell batch norms without affine parameters (so its convs
 * have a bias): per conv edge, c bias values instead of 2c BN values. */
static void
test_nb201_cell_bn (void)
{
  const char *arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+"
                     "|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
  GnSpace *space = test_space_load ("nb201.lua");
  /* proxies default to one cell per stage; compare at the paper's five */
  const char *const five[] = { "N=5", NULL };
  const char *const affine[] = { "cell_bn_affine=true", "N=5", NULL };
  const char *const plain[] = { "cell_bn_affine=false", NULL };

  GnNet *published = build (space, arch, 1, TRUE, FALSE, NULL);
  GnNet *proxy = build (space, arch, 1, FALSE, FALSE, five);
  GnNet *forced = build (space, arch, 1, FALSE, FALSE, affine);
  GnNet *forced_off = build (space, arch, 1, TRUE, FALSE, plain);
  gsize diff = 6 * 5 * (16 + 32 + 64);
  g_assert_cmpuint (gn_net_count_params (published) - diff, ==,
                    gn_net_count_params (proxy));
  g_assert_cmpuint (gn_net_count_params (forced), ==,
                    gn_net_count_params (published));
  g_assert_cmpuint (gn_net_count_params (forced_off), ==,
                    gn_net_count_params (proxy));
  /* the bias adds MACs too: NB201 counts them */
  g_assert_cmpfloat (gn_net_count_macs (proxy), >,
                     gn_net_count_macs (published));
  gn_net_free (published);
  gn_net_free (proxy);
  gn_net_free (forced);
  gn_net_free (forced_off);
  gn_space_free (space);
}

static void
test_nb201_decode_errors (void)
{
  static const struct {
    const char *arch;
    const char *reason;
  } cases[] = {
    { "", "expected 3 nodes" },
    { "|none~0|+|none~0|none~1|", "expected 3 nodes" },
    { "|none~0|+|none~0|none~1|+|none~0|none~1|", "must list 3" },
    { "|none~0|+|none~0|none~1|+|none~0|none~1|conv~2|", "unknown operation" },
    { "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",
      "must come from node 0" },
    { "none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must look like" },
    { "|none0|+|none~0|none~1|+|none~0|none~1|none~2|", "malformed edge" },
  };
  GnSpace *space = test_space_load ("nb201.lua");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      g_assert_null (gn_space_canonicalize (space, cases[i].arch, &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
      char *named = g_strdup_printf ("invalid architecture '%s'",
                                     cases[i].arch);
      g_assert_true (g_str_has_prefix (error->message, named));
      g_assert_nonnull (strstr (error->message, cases[i].reason));
      g_assert_null (strchr (error->message, '\n'));  /* no traceback */
      g_free (named);
      g_clear_error (&error);

      GnBuildOptions opts = { .batch = 1 };
      g_assert_null (gn_space_build (space, cases[i].arch, &opts, &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
      g_clear_error (&error);
    }

  /* options: unknown keys, wrong types, reserved names, bad syntax */
  const char *const unknown[] = { "depth=3", NULL };
  const char *const typed[] = { "C=wide", NULL };
  const char *const reserved[] = { "published=true", NULL };
  const char *const syntax[] = { "C16", NULL };
  GnBuildOptions opts = { .batch = 1, .options = unknown };
  GError *error = NULL;
  g_assert_null (gn_space_build (space, NB201_ALL_OPS, &opts, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_SCRIPT);
  g_assert_nonnull (strstr (error->message, "unknown option 'depth'"));
  g_clear_error (&error);
  opts.options = typed;
  g_assert_null (gn_space_build (space, NB201_ALL_OPS, &opts, &error));
  g_assert_nonnull (strstr (error->message, "option 'C' must be a number"));
  g_clear_error (&error);
  opts.options = reserved;
  g_assert_null (gn_space_build (space, NB201_ALL_OPS, &opts, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_FAILED);
  g_clear_error (&error);
  opts.options = syntax;
  g_assert_null (gn_space_build (space, NB201_ALL_OPS, &opts, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_false (gn_space_has_hash (space));
  g_assert_null (gn_space_hash (space, NB201_ALL_OPS, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  gn_space_free (space);
}

static int
edges_differing (const char *a, const char *b)
{
  char **x = g_strsplit_set (a, "|+", -1), **y = g_strsplit_set (b, "|+", -1);
  int d = 0;
  g_assert_cmpuint (g_strv_length (x), ==, g_strv_length (y));
  for (int i = 0; x[i]; i++)
    d += strcmp (x[i], y[i]) != 0;
  g_strfreev (x);
  g_strfreev (y);
  return d;
}

static void
test_nb201_sample_mutate (void)
{
  GnSpace *space = test_space_load ("nb201.lua");
  GnTable *t = load_table ("nb201.csv");
  GError *error = NULL;
  int key = gn_table_find_column (t, "arch_str", &error);
  GnRng a, b, m_rng;
  gn_rng_seed (&a, 42);
  gn_rng_seed (&b, 42);
  gn_rng_seed (&m_rng, 43);
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            NULL);
  const char *const one[] = { "one_edge=true", NULL };
  int changed = 0, same = 0;
  for (int i = 0; i < 2000; i++)
    {
      char *arch = gn_space_sample (space, &a, &error);
      g_assert_no_error (error);
      char *again = gn_space_sample (space, &b, &error);
      g_assert_cmpstr (arch, ==, again);             /* same seed, same arch */
      char *canon = gn_space_canonicalize (space, arch, &error);
      g_assert_cmpstr (canon, ==, arch);             /* decode(encode(g)) */
      g_assert_cmpint (gn_table_lookup (t, key, arch, &error), >=, 0);
      g_assert_no_error (error);

      char *m = gn_space_mutate (space, arch, &m_rng, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gn_table_lookup (t, key, m, &error), >=, 0);
      changed += edges_differing (arch, m);
      same += strcmp (arch, m) == 0;
      char *m1 = gn_space_mutate_full (space, arch, &m_rng, one, &error);
      g_assert_no_error (error);
      g_assert_cmpint (edges_differing (arch, m1), ==, 1);

      g_hash_table_add (seen, arch);
      g_free (again);
      g_free (canon);
      g_free (m);
      g_free (m1);
    }
  /* each edge changes with probability 1/5 * 4/5: 0.96 of 6 edges */
  g_assert_cmpfloat (changed / 2000.0, >, 0.85);
  g_assert_cmpfloat (changed / 2000.0, <, 1.07);
  g_assert_cmpint (same, >, 0);                /* GenNAS may redraw it */
  g_assert_cmpuint (g_hash_table_size (seen), >, 1800);

  const char *const bad[] = { "one_edges=true", NULL };
  g_assert_null (gn_space_mutate_full (space, NB201_ALL_OPS, &a, bad,
                                       &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_SCRIPT);
  g_clear_error (&error);

  double combos;
  g_assert_cmpuint (gn_space_n_genes (space, &combos), ==, 6);
  g_assert_cmpfloat (combos, ==, 15625.0);
  g_assert_cmpstr (gn_space_name (space), ==, "nasbench201");
  g_hash_table_unref (seen);
  gn_table_free (t);
  gn_space_free (space);
}

/* ------------------------------------------------------------------ */
/* forward and backward through built networks                         */
/* ------------------------------------------------------------------ */

typedef struct {
  GnNet *net;
  int taps[3];
  float *probe[3];
} Probe;

static double
probe_loss (gpointer user)
{
  Probe *p = user;
  gn_net_forward (p->net, GN_MODE_TRAIN);
  double loss = 0.0;
  for (int s = 0; s < 3; s++)
    {
      GnShape sh = gn_net_shape (p->net, p->taps[s]);
      loss += gc_dot (gn_net_value (p->net, p->taps[s]), p->probe[s],
                      (gsize) sh.n * sh.c * sh.h * sh.w);
    }
  return loss;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The input gradient against finite differences along random directions
 * of the whole input, Richardson-extrapolated.  Coordinate-wise checks
 * are hopeless here: with batch statistics every ReLU of the network
 * moves with every pixel, so some kink always lies within a step.  A
 * wiring error is off on every direction; kinks spoil a few, hence the
 * median. */
static void
check_input_gradient (Probe *p, const float *grad, gsize n)
{
  enum { DIRS = 7 };
  const double eps = 1e-4;
  float *x = gn_net_input (p->net);
  float *x0 = g_memdup2 (x, n * sizeof (float));
  float *r = g_new (float, n);
  double rel[DIRS];
  for (int d = 0; d < DIRS; d++)
    {
      gc_fill (r, n, 100 + d, -1.f, 1.f);
      double diff[2];
      for (int h = 0; h < 2; h++)
        {
          double step = eps / (1 << h), loss[2];
          for (int sign = 0; sign < 2; sign++)
            {
              for (gsize k = 0; k < n; k++)
                x[k] = x0[k] + (sign ? -step : step) * r[k];
              loss[sign] = probe_loss (p);
            }
          diff[h] = (loss[0] - loss[1]) / (2 * step);
        }
      double numeric = (4 * diff[1] - diff[0]) / 3;
      double analytic = gc_dot (grad, r, n);
      rel[d] = fabs (numeric - analytic) / MAX (fabs (analytic), 1e-3);
      g_test_message ("direction %d: numeric %g, analytic %g", d, numeric,
                      analytic);
    }
  memcpy (x, x0, n * sizeof (float));
  qsort (rel, DIRS, sizeof rel[0], cmp_double);
  g_assert_cmpfloat (rel[DIRS / 2], <, 0.05);
  g_free (r);
  g_free (x0);
}

/* Compiles @net, runs forward and backward with a random probe on the
 * three taps, checks that everything is finite, that every conv got a
 * gradient, and the input gradient against finite differences. */
static void
check_forward_backward (GnNet *net, gboolean check_input)
{
  GError *error = NULL;
  Probe p;
  memset (&p, 0, sizeof p);
  p.net = net;
  g_assert_true (gn_net_compile (net, TRUE, &error));
  g_assert_no_error (error);
  GnRng rng;
  gn_rng_seed (&rng, 7);
  gn_net_init_params (net, &rng);
  GnShape in = gn_net_shape (net, 0);
  gsize in_n = (gsize) in.n * in.c * in.h * in.w;
  gc_fill (gn_net_input (net), in_n, 3, -1.f, 1.f);
  for (int s = 0; s < 3; s++)
    {
      char name[8];
      g_snprintf (name, sizeof name, "stage%d", s);
      p.taps[s] = gn_net_find_tap (net, name);
      GnShape sh = gn_net_shape (net, p.taps[s]);
      gsize n = (gsize) sh.n * sh.c * sh.h * sh.w;
      p.probe[s] = g_new (float, n);
      gc_fill (p.probe[s], n, 11 + s, -1.f, 1.f);
    }

  double loss = probe_loss (&p);
  g_assert_true (isfinite (loss));
  gn_net_zero_grad (net);
  for (int s = 0; s < 3; s++)
    {
      /* a constant tap (a cell of "none" only) has no gradient */
      GnShape sh = gn_net_shape (net, p.taps[s]);
      if (gn_net_grad (net, p.taps[s]) != NULL)
        memcpy (gn_net_grad (net, p.taps[s]), p.probe[s],
                (gsize) sh.n * sh.c * sh.h * sh.w * sizeof (float));
    }
  gn_net_backward (net);

  guint n_params;
  const GnParam *params = gn_net_params (net, &n_params);
  for (guint i = 0; i < n_params; i++)
    {
      double norm = 0.0;
      for (gsize j = 0; j < params[i].size; j++)
        {
          g_assert_true (isfinite (params[i].grad[j]));
          norm += fabs (params[i].grad[j]);
        }
      if (params[i].kind == GN_PARAM_CONV_WEIGHT && norm == 0.0)
        g_error ("%s got no gradient", params[i].name);
    }

  if (check_input)
    {
      float *grad = g_memdup2 (gn_net_grad (net, 0), in_n * sizeof (float));
      check_input_gradient (&p, grad, in_n);
      g_free (grad);
    }
  for (int s = 0; s < 3; s++)
    g_free (p.probe[s]);
}

static void
test_nb201_forward_backward (void)
{
  /* every op kind; skips summed with themselves (an add of one node
   * twice); a node of "none" only (a zero node) added to others */
  static const char *const archs[] = {
    NB201_ALL_OPS,
    "|skip_connect~0|+|skip_connect~0|skip_connect~1|+"
    "|none~0|none~1|nor_conv_1x1~2|",
    "|none~0|+|nor_conv_1x1~0|skip_connect~1|+"
    "|avg_pool_3x3~0|skip_connect~1|nor_conv_3x3~2|",
  };
  GnSpace *space = test_space_load ("nb201.lua");
  const char *const small[] = { "C=4", "N=1", NULL };
  for (gsize i = 0; i < G_N_ELEMENTS (archs); i++)
    {
      /* GenNAS's cells (batch statistics always) and NB201's */
      GnNet *net = build (space, archs[i], 2, FALSE, FALSE, small);
      check_forward_backward (net, TRUE);
      gn_net_free (net);
      net = build (space, archs[i], 2, TRUE, FALSE, small);
      check_forward_backward (net, FALSE);
      gn_net_free (net);
    }
  gn_space_free (space);
}

/* ------------------------------------------------------------------ */
/* NAS-Bench-101                                                       */
/* ------------------------------------------------------------------ */

/* The Inception-like cell of NB101's README and notebook: the API
 * reports 2,694,282 trainable parameters for it (and returns it as the
 * isomorphic NB101_INCEPTION_ISO). */
#define NB101_INCEPTION \
  "0111010" "0000001" "0000001" "0000100" "0000001" "0000001" "0000000" \
  ";input|conv1x1-bn-relu|conv3x3-bn-relu|conv3x3-bn-relu|conv3x3-bn-relu" \
  "|maxpool3x3|output"
#define NB101_INCEPTION_ISO \
  "0111100" "0000001" "0000001" "0000001" "0000010" "0000001" "0000000" \
  ";input|conv3x3-bn-relu|conv1x1-bn-relu|maxpool3x3|conv3x3-bn-relu" \
  "|conv3x3-bn-relu|output"

static void
test_nb101_hash (void)
{
  GnSpace *space = test_space_load ("nb101.lua");
  GnTable *t = load_table ("nb101.csv");
  GError *error = NULL;
  int hcol = gn_table_find_column (t, "nb101_hash", &error);
  int acol = gn_table_find_column (t, "adjacency_rowmajor", &error);
  int ocol = gn_table_find_column (t, "ops", &error);
  g_assert_no_error (error);
  guint agree = 0, n = gn_table_n_rows (t);
  for (guint r = 0; r < n; r++)
    {
      char *arch = g_strconcat (gn_table_get (t, r, acol), ";",
                                gn_table_get (t, r, ocol), NULL);
      char *hash = gn_space_hash (space, arch, &error);
      g_assert_no_error (error);
      char *canon = gn_space_canonicalize (space, arch, &error);
      g_assert_cmpstr (canon, ==, arch);   /* the sample is pruned */
      if (strcmp (hash, gn_table_get (t, r, hcol)) == 0)
        agree++;
      else
        g_test_message ("%s: %s, table %s", arch, hash,
                        gn_table_get (t, r, hcol));
      g_free (arch);
      g_free (hash);
      g_free (canon);
    }
  g_test_message ("%u of %u hashes agree", agree, n);
  g_assert_cmpuint (n, ==, 1000);
  g_assert_cmpuint (agree, ==, n);

  char *h1 = gn_space_hash (space, NB101_INCEPTION, &error);
  char *h2 = gn_space_hash (space, NB101_INCEPTION_ISO, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (h1, ==, h2);
  g_free (h1);
  g_free (h2);

  const GnBenchmark *b = gn_space_get_benchmark (space, &error);
  g_assert_no_error (error);
  g_assert_true (b->key_is_hash);
  g_assert_cmpstr (b->key_column, ==, "nb101_hash");
  g_assert_cmpstr (b->metrics[0], ==, "acc_108ep");
  g_assert_true (g_path_is_absolute (b->path));
  gn_table_free (t);
  gn_space_free (space);
}

/* NB101's vertex channels (model_builder.compute_vertex_channels) */
static void
vertex_channels (int n, const int m[7][7], int in_c, int out_c, int vc[7])
{
  memset (vc, 0, 7 * sizeof (int));
  vc[0] = in_c;
  vc[n - 1] = out_c;
  if (n == 2)
    return;
  int fan = 0;
  for (int v = 1; v < n - 1; v++)
    fan += m[v][n - 1];
  int interior = out_c / fan, correction = out_c % fan;
  for (int v = 1; v < n - 1; v++)
    if (m[v][n - 1])
      {
        vc[v] = interior + (correction > 0);
        correction -= correction > 0;
      }
  for (int v = n - 3; v > 0; v--)
    if (!m[v][n - 1])
      for (int w = v + 1; w < n - 1; w++)
        if (m[v][w])
          vc[v] = MAX (vc[v], vc[w]);
}

/* Parameters and MACs of NB101's network counted straight from the
 * spec, with no splitting: what the split-producer construction of
 * spaces/nb101.lua must reproduce. */
static void
nb101_reference (const char *arch, int C, gsize *params, double *macs,
                 gboolean *truncates)
{
  char **parts = g_strsplit (arch, ";", 2);
  char **ops = g_strsplit (parts[1], "|", -1);
  int n = (int) g_strv_length (ops), m[7][7] = { { 0 } }, vc[7];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      m[i][j] = parts[0][i * n + j] == '1';
  gsize p = 27 * C + 2 * C;
  double a = 27.0 * C * 1024;
  int in_c = C, c = C;
  *truncates = FALSE;
  for (int s = 0; s < 3; s++)
    {
      c <<= s > 0;
      double hw = (32 >> s) * (32 >> s);
      for (int k = 0; k < 3; k++, in_c = c)
        {
          vertex_channels (n, m, in_c, c, vc);
          for (int t = 1; t < n; t++)
            if (m[0][t])
              {
                p += (gsize) in_c * vc[t] + 2 * vc[t];
                a += (double) in_c * vc[t] * hw;
              }
          for (int t = 1; t < n - 1; t++)
            {
              int ks = strcmp (ops[t], "conv3x3-bn-relu") == 0 ? 3
                       : strcmp (ops[t], "conv1x1-bn-relu") == 0 ? 1 : 0;
              p += (gsize) vc[t] * vc[t] * ks * ks + (ks ? 2 * vc[t] : 0);
              a += (double) vc[t] * vc[t] * ks * ks * hw;
              for (int src = 1; src < t; src++)
                *truncates |= m[src][t] && vc[src] > vc[t];
            }
        }
    }
  *params = p + 10 * c + 10;
  *macs = a + 10.0 * c + 10;
  g_strfreev (ops);
  g_strfreev (parts);
}

static void
test_nb101_params (void)
{
  GnSpace *space = test_space_load ("nb101.lua");
  GnNet *net = build (space, NB101_INCEPTION, 1, TRUE, TRUE, NULL);
  g_assert_cmpuint (gn_net_count_params (net), ==, 2694282);
  gn_net_free (net);

  /* proxy width (16) and published width (128) on every row; many need
   * a vertex truncated to its first channels */
  GnTable *t = load_table ("nb101.csv");
  GError *error = NULL;
  int acol = gn_table_find_column (t, "adjacency_rowmajor", &error);
  int ocol = gn_table_find_column (t, "ops", &error);
  g_assert_no_error (error);
  guint truncating = 0;
  for (guint r = 0; r < gn_table_n_rows (t); r++)
    {
      char *arch = g_strconcat (gn_table_get (t, r, acol), ";",
                                gn_table_get (t, r, ocol), NULL);
      for (int published = 0; published <= 1; published++)
        {
          gsize params;
          double macs;
          gboolean truncates;
          nb101_reference (arch, published ? 128 : 16, &params, &macs,
                           &truncates);
          truncating += truncates && published;
          net = build (space, arch, 1, published, TRUE, NULL);
          g_assert_cmpuint (gn_net_count_params (net), ==, params);
          g_assert_cmpfloat (gn_net_count_macs (net), ==, macs);
          assert_shape (net, "stage0", 1, published ? 128 : 16, 32, 32);
          assert_shape (net, "stage2", 1, published ? 512 : 64, 8, 8);
          gn_net_free (net);
        }
      g_free (arch);
    }
  g_test_message ("%u cells truncate a vertex at 128 channels", truncating);
  g_assert_cmpuint (truncating, >, 100);
  gn_table_free (t);
  gn_space_free (space);
}

static void
test_nb101_specs (void)
{
  static const struct {
    const char *arch;
    const char *canonical;     /* NULL: invalid */
    const char *reason;
  } cases[] = {
    /* vertex 2 (maxpool) reaches nothing, vertex 3 gets nothing */
    { "01110" "00001" "00000" "00001" "00000"
      ";input|conv3x3-bn-relu|maxpool3x3|conv1x1-bn-relu|output",
      "0110" "0001" "0001" "0000"
      ";input|conv3x3-bn-relu|conv1x1-bn-relu|output", NULL },
    { "0100;input|output", "0100;input|output", NULL },
    { "0100" "0000" "0001" "0000;input|conv3x3-bn-relu|maxpool3x3|output",
      NULL, "not connected" },
    { "0111111" "0011111" "0001111" "0000111" "0000011" "0000001" "0000000"
      ";input|conv3x3-bn-relu|conv3x3-bn-relu|conv3x3-bn-relu"
      "|conv3x3-bn-relu|conv3x3-bn-relu|output", NULL, "21 edges" },
    { "0110" "0001" "1001" "0000;input|conv3x3-bn-relu|maxpool3x3|output",
      NULL, "upper-triangular" },
    { "011" "001" "000;input|conv5x5|output", NULL, "unknown label" },
    { "011" "001" "000;input|conv3x3-bn-relu", NULL, "2 labels" },
    { "011" "001" "000;output|maxpool3x3|input", NULL, "first label" },
    { "0110" "001;input|maxpool3x3|output", NULL, "not a square" },
    { "01120" ";x", NULL, "expected ADJ;OPS" },
    { "0000000000000000000000000000000000000000000000000000000000000000"
      ";a|b|c|d|e|f|g|h", NULL, "8 vertices" },
  };
  GnSpace *space = test_space_load ("nb101.lua");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      char *canon = gn_space_canonicalize (space, cases[i].arch, &error);
      if (cases[i].canonical != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (canon, ==, cases[i].canonical);
          GnNet *net = build (space, cases[i].arch, 1, FALSE, TRUE, NULL);
          gn_net_free (net);
        }
      else
        {
          g_assert_null (canon);
          g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
          if (strstr (error->message, cases[i].reason) == NULL)
            g_error ("'%s' lacks '%s'", error->message, cases[i].reason);
          g_clear_error (&error);
        }
      g_free (canon);
    }
  gn_space_free (space);
}

static void
test_nb101_sample_mutate (void)
{
  GnSpace *space = test_space_load ("nb101.lua");
  GError *error = NULL;
  GnRng rng;
  gn_rng_seed (&rng, 5);
  int same = 0, sizes[8] = { 0 };
  for (int i = 0; i < 500; i++)
    {
      char *arch = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
      char *canon = gn_space_canonicalize (space, arch, &error);
      g_assert_cmpstr (canon, ==, arch);
      char *m = gn_space_mutate (space, arch, &rng, &error);
      g_assert_no_error (error);
      char *mc = gn_space_canonicalize (space, m, &error);
      g_assert_cmpstr (mc, ==, m);
      char *h = gn_space_hash (space, m, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (strlen (h), ==, 32);
      same += strcmp (arch, m) == 0;
      sizes[(int) sqrt (strchr (arch, ';') - arch)]++;
      g_free (arch);
      g_free (canon);
      g_free (m);
      g_free (mc);
      g_free (h);
    }
  /* NB101's random_spec: a 7x7 matrix at p = 0.5 redrawn until valid
   * favours small pruned cells (about 10% / 20% / 27% / 30% / 12% / 0.4%
   * with 2..7 vertices) */
  g_assert_cmpint (sizes[2], >, 25);
  g_assert_cmpint (sizes[5], >, 110);
  g_assert_cmpint (sizes[7], <, 10);
  g_assert_cmpint (same, <, 250);
  gn_space_free (space);
}

static void
test_nb101_forward_backward (void)
{
  /* every op; 5 / 3 channels split over 3 outputs at C=4 (stack widths
   * 4, 8, 16) so vertices are truncated; a max-pool vertex fed by a
   * truncated vertex */
  static const char *const archs[] = {
    "0111000" "0000101" "0000010" "0000001" "0000001" "0000001" "0000000"
    ";input|conv3x3-bn-relu|maxpool3x3|conv1x1-bn-relu|maxpool3x3"
    "|conv3x3-bn-relu|output",
    "01100" "00111" "00011" "00001" "00000"
    ";input|conv1x1-bn-relu|conv3x3-bn-relu|maxpool3x3|output",
    NB101_INCEPTION,
  };
  GnSpace *space = test_space_load ("nb101.lua");
  const char *const small[] = { "C=4", "N=1", NULL };
  for (gsize i = 0; i < G_N_ELEMENTS (archs); i++)
    {
      GnNet *net = build (space, archs[i], 2, FALSE, FALSE, small);
      check_forward_backward (net, TRUE);
      gn_net_free (net);
    }
  gn_space_free (space);
}

/* ------------------------------------------------------------------ */
/* the sandbox                                                         */
/* ------------------------------------------------------------------ */

/* A minimal valid space; load_tiny() puts one more line of build() at
 * line 14. */
static const char tiny_head[] =
  "local OPS = { 'a', 'b' }\n"                                  /*  1 */
  "return {\n"                                                  /*  2 */
  "  name = 'tiny',\n"                                          /*  3 */
  "  genome = { genes = { { name = 'op', choices = OPS } } },\n" /*  4 */
  "  sample = function (rng) return { rng:choice (OPS) } end,\n" /*  5 */
  "  mutate = function (g, rng) return { rng:choice (OPS) } end,\n"
  "  encode = function (g) return g[1] end,\n"                   /*  7 */
  "  decode = function (s)\n"                                   /*  8 */
  "    if s ~= 'a' and s ~= 'b' then error ('bad arch') end\n"   /*  9 */
  "    return { s }\n"                                          /* 10 */
  "  end,\n"                                                    /* 11 */
  "  build = function (net, g, opts)\n"                         /* 12 */
  "    local x = net:input ()\n";                               /* 13 */
static const char tiny_tail[] =
  "\n    for s = 0, 2 do net:tap (x, 'stage' .. s) end\n"
  "  end,\n"
  "}\n";

static GnSpace *
load_tiny (const char *line, GError **error)
{
  char *src = g_strconcat (tiny_head, line, tiny_tail, NULL);
  GnSpace *space = gn_space_load_string ("tiny.lua", src, strlen (src),
                                         error);
  g_free (src);
  return space;
}

/* The minimal space with @field (a line of its table) right after its
 * name, loaded as @path. */
static GnSpace *
load_tiny_field (const char *path, const char *field, GError **error)
{
  char *src = g_strconcat (tiny_head, "", tiny_tail, NULL);
  char *at = strstr (src, "  name = 'tiny',\n");
  g_assert_nonnull (at);
  at += strlen ("  name = 'tiny',\n");
  char *text = g_strdup_printf ("%.*s%s\n%s", (int) (at - src), src, field,
                                at);
  GnSpace *space = gn_space_load_string (path, text, strlen (text), error);
  g_free (text);
  g_free (src);
  return space;
}

/* gennas.import: a library beside the space runs once, in the sandbox,
 * only while the space loads; its text is part of the space's checksum;
 * bad names, missing files, cycles and script errors are clear errors
 * naming the library's file and line. */
static void
test_sandbox_import (void)
{
  char *dir = g_dir_make_tmp ("gennas-import-XXXXXX", NULL);
  char *lib = g_build_filename (dir, "lib", NULL);
  char *path = g_build_filename (dir, "s.lua", NULL);
  char *a = g_build_filename (lib, "a.lua", NULL);
  char *b = g_build_filename (lib, "b-2.lua", NULL);
  g_assert_cmpint (g_mkdir (lib, 0700), ==, 0);
  GError *error = NULL;

  /* a returns a table, b nothing; both imported twice */
  g_assert_true (g_file_set_contents (a, "n = (n or 0) + 1\n"
                                      "return { k = 2 }\n", -1, NULL));
  g_assert_true (g_file_set_contents (b, "m = (m or 0) + 1\n", -1, NULL));
  char *src = g_strconcat ("local A = gennas.import ('a')\n"
                           "assert (gennas.import ('a') == A and n == 1)\n"
                           "assert (gennas.import ('b-2') == true)\n"
                           "assert (gennas.import ('b-2') and m == 1)\n"
                           "assert (A.k == 2)\n", tiny_head,
                           "net:tap (x, 'late' .. tostring (pcall ("
                           "gennas.import, 'a')))", tiny_tail, NULL);
  GnSpace *space = gn_space_load_string (path, src, strlen (src), &error);
  g_assert_no_error (error);
  char *sum1 = g_strdup (gn_space_checksum (space));
  /* not the source's alone */
  char *plain = g_compute_checksum_for_string (G_CHECKSUM_SHA256, src, -1);
  g_assert_cmpstr (sum1, !=, plain);
  /* building cannot import: pcall returned false */
  GnBuildOptions opts = { .batch = 1 };
  GnNet *net = gn_space_build (space, "a", &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gn_net_find_tap (net, "latefalse"), ==, 0);
  gn_net_free (net);
  gn_space_free (space);

  /* another library text, another space */
  g_assert_true (g_file_set_contents (a, "n = (n or 0) + 1\n"
                                      "return { k = 2 } -- edited\n", -1,
                                      NULL));
  space = gn_space_load_string (path, src, strlen (src), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gn_space_checksum (space), !=, sum1);
  gn_space_free (space);

  /* a space that imports nothing keeps the checksum of its source */
  char *tiny = g_strconcat (tiny_head, "", tiny_tail, NULL);
  space = gn_space_load_string (path, tiny, strlen (tiny), &error);
  g_assert_no_error (error);
  char *want = g_compute_checksum_for_string (G_CHECKSUM_SHA256, tiny, -1);
  g_assert_cmpstr (gn_space_checksum (space), ==, want);
  gn_space_free (space);

  static const struct {
    const char *a_text;      /* lib/a.lua, or NULL for none */
    const char *import;      /* the space's first line */
    int code;                /* a GnSpaceError */
    const char *message;
  } bad[] = {
    { NULL, "gennas.import ('a')", GN_SPACE_ERROR_IO,
      "s.lua:1: gennas.import: cannot read the library" },
    { "x = 1", "gennas.import ('../a')", GN_SPACE_ERROR_SCRIPT,
      "'../a' is not a library name" },
    { "x = 1", "gennas.import ('')", GN_SPACE_ERROR_SCRIPT,
      "is not a library name" },
    { "x = 1", "gennas.import ('a', 'b')", GN_SPACE_ERROR_SCRIPT,
      "takes one library name" },
    { "return gennas.import ('a')", "gennas.import ('a')",
      GN_SPACE_ERROR_SCRIPT, "lib/a.lua is imported again while it loads" },
    { "local x = nil\nreturn x.y", "gennas.import ('a')",
      GN_SPACE_ERROR_SCRIPT, "lib/a.lua:2: attempt to index" },
    { "return (", "gennas.import ('a')", GN_SPACE_ERROR_SCRIPT,
      "lib/a.lua:1:" },
    { "\x1bLua", "gennas.import ('a')", GN_SPACE_ERROR_SCRIPT,
      "lib/a.lua:1:" },
    { "while true do end", "gennas.import ('a')", GN_SPACE_ERROR_LIMIT,
      "" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_unlink (a);
      if (bad[i].a_text != NULL)
        g_assert_true (g_file_set_contents (a, bad[i].a_text, -1, NULL));
      char *text = g_strconcat (bad[i].import, "\n", tiny_head, "",
                                tiny_tail, NULL);
      GnSpaceLimits limits = { .max_instructions = 1000000 };
      space = gn_space_load_full (path, text, strlen (text), &limits,
                                  &error);
      g_test_message ("case %zu: %s", i, error ? error->message : "(none)");
      g_assert_null (space);
      g_assert_error (error, GN_SPACE_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, bad[i].message));
      g_clear_error (&error);
      g_free (text);
    }

  g_unlink (a);
  g_unlink (b);
  g_rmdir (lib);
  g_rmdir (dir);
  g_free (want);
  g_free (tiny);
  g_free (plain);
  g_free (sum1);
  g_free (src);
  g_free (a);
  g_free (b);
  g_free (path);
  g_free (lib);
  g_free (dir);
}

/* published = { input, classes, flops }: what `space info` builds and
 * how it counts operations; defaults 32, 10 and "macs"; anything else a
 * clear load error. */
static void
test_published_input (void)
{
  static const struct {
    const char *field;
    int size, classes;          /* 0: the load fails */
    GnFlopsRule flops;
  } cases[] = {
    { "", 32, 10, GN_FLOPS_MACS },
    { "published = { input = 224, classes = 1000 },", 224, 1000,
      GN_FLOPS_MACS },
    { "published = { input = 224, classes = 1000, flops = 'nds-cell' },",
      224, 1000, GN_FLOPS_NDS_CELL },
    { "published = { flops = 'nds-anynet' },", 32, 10, GN_FLOPS_NDS_ANYNET },
    { "published = { flops = 'macs' },", 32, 10, GN_FLOPS_MACS },
    { "published = { flops = 'thop' },", 0, 0, GN_FLOPS_MACS },
    { "published = { flops = 5 },", 0, 0, GN_FLOPS_MACS },
    { "published = { classes = 100 },", 32, 100, GN_FLOPS_MACS },
    { "published = { input = 0 },", 0, 0, GN_FLOPS_MACS },
    { "published = { input = 2.5 },", 0, 0, GN_FLOPS_MACS },
    { "published = { classes = 1e9 },", 0, 0, GN_FLOPS_MACS },
    { "published = { colour = 1 },", 0, 0, GN_FLOPS_MACS },
    { "published = 224,", 0, 0, GN_FLOPS_MACS },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GnSpace *space = load_tiny_field ("p.lua", cases[i].field, &error);
      if (cases[i].size == 0)
        {
          g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, "published"));
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          int size = -1, classes = -1;
          gn_space_published_input (space, &size, &classes);
          g_assert_cmpint (size, ==, cases[i].size);
          g_assert_cmpint (classes, ==, cases[i].classes);
          g_assert_cmpint (gn_space_published_flops (space), ==,
                           cases[i].flops);
          gn_space_free (space);
        }
    }
}

/* configs: named networks with their input, classes and options (sorted,
 * as key=value); an unknown name is an error that lists the known ones;
 * malformed tables are load errors naming the field. */
static void
test_configs (void)
{
  static const struct {
    const char *field;
    const char *message;        /* NULL: loads */
  } cases[] = {
    { "configs = { big = { input = 64, classes = 100, options = { w = 2, "
      "name = 'x', on = true, f = 0.5 } }, small = {} },", NULL },
    { "configs = 3,", "configs must be a table" },
    { "configs = { big = 3 },", "configs.big must be a table" },
    { "configs = { [1] = {} },", "each key must be a short name" },
    { "configs = { ['a b'] = {} },", "each key must be a short name" },
    { "configs = { big = { input = 0 } },", "configs.big.input" },
    { "configs = { big = { classes = 1.5 } },", "configs.big.classes" },
    { "configs = { big = { size = 3 } },", "size" },
    { "configs = { big = { options = 3 } },", "configs.big.options" },
    { "configs = { big = { options = { w = {} } } },",
      "configs.big.options.w" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GnSpace *space = load_tiny_field ("c.lua", cases[i].field, &error);
      g_test_message ("case %zu: %s", i, error ? error->message : "ok");
      if (cases[i].message != NULL)
        {
          g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, cases[i].message));
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          char **names = gn_space_config_names (space);
          g_assert_cmpuint (g_strv_length (names), ==, 2);
          g_assert_cmpstr (names[0], ==, "big");
          g_assert_cmpstr (names[1], ==, "small");
          g_strfreev (names);
          int size, classes;
          char **options;
          g_assert_true (gn_space_config (space, "big", &size, &classes,
                                          &options, &error));
          g_assert_cmpint (size, ==, 64);
          g_assert_cmpint (classes, ==, 100);
          g_assert_cmpuint (g_strv_length (options), ==, 4);
          g_assert_cmpstr (options[0], ==, "f=0.5");
          g_assert_cmpstr (options[1], ==, "name=x");
          g_assert_cmpstr (options[2], ==, "on=true");
          g_assert_cmpstr (options[3], ==, "w=2");
          g_strfreev (options);
          /* the published defaults where a configuration says nothing */
          g_assert_true (gn_space_config (space, "small", &size, &classes,
                                          &options, &error));
          g_assert_cmpint (size, ==, 32);
          g_assert_cmpint (classes, ==, 10);
          g_assert_null (options[0]);
          g_strfreev (options);
          g_assert_false (gn_space_config (space, "huge", NULL, NULL, NULL,
                                           &error));
          g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED);
          g_assert_nonnull (strstr (error->message, "'huge' (big, small)"));
          g_clear_error (&error);
          gn_space_free (space);
        }
    }
}

/* proxy_defaults: per proxy, "param=value" strings sorted by name (numbers,
 * booleans, strings); none for a proxy it does not name; malformed tables
 * are load errors naming the field. */
static void
test_proxy_defaults (void)
{
  static const struct {
    const char *field;
    const char *message;        /* NULL: loads */
  } cases[] = {
    { "proxy_defaults = { regression = { recipe = 'nb201-task', steps = 50, "
      "lr = 0.5, bf = false } },", NULL },
    { "proxy_defaults = 3,", "proxy_defaults must be a table" },
    { "proxy_defaults = { regression = 'combo' },",
      "proxy_defaults.regression must be a table" },
    { "proxy_defaults = { [1] = {} },", "each key must be a proxy's name" },
    { "proxy_defaults = { ['a:b'] = {} },",
      "each key must be a proxy's name" },
    { "proxy_defaults = { regression = { 'combo' } },",
      "proxy_defaults.regression: keys must be names" },
    { "proxy_defaults = { regression = { recipe = {} } },",
      "proxy_defaults.regression.recipe must be a number" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GnSpace *space = load_tiny_field ("d.lua", cases[i].field, &error);
      g_test_message ("case %zu: %s", i, error ? error->message : "ok");
      if (cases[i].message != NULL)
        {
          g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, cases[i].message));
          g_clear_error (&error);
          continue;
        }
      g_assert_no_error (error);
      const char *const *d = gn_space_proxy_defaults (space, "regression");
      g_assert_nonnull (d);
      g_assert_cmpuint (g_strv_length ((char **) d), ==, 4);
      g_assert_cmpstr (d[0], ==, "bf=false");
      g_assert_cmpstr (d[1], ==, "lr=0.5");
      g_assert_cmpstr (d[2], ==, "recipe=nb201-task");
      g_assert_cmpstr (d[3], ==, "steps=50");
      g_assert_null (gn_space_proxy_defaults (space, "synflow"));
      gn_space_free (space);
    }
}

/* Each broken space fails with a clear error at the right place. */
static void
test_sandbox_load_errors (void)
{
  static const struct {
    const char *src;
    int code;          /* GnSpaceError */
    int line;          /* 0: no line */
    const char *what;
  } cases[] = {
    { "local f = io.open ('/etc/passwd')\nreturn {}", GN_SPACE_ERROR_SCRIPT,
      1, "global 'io'" },
    { "\nos.execute ('touch /tmp/gennas-pwned')", GN_SPACE_ERROR_SCRIPT, 2,
      "global 'os'" },
    { "return load ('return 1')", GN_SPACE_ERROR_SCRIPT, 1, "global 'load'" },
    { "dofile ('/etc/passwd')", GN_SPACE_ERROR_SCRIPT, 1, "global 'dofile'" },
    { "require ('os')", GN_SPACE_ERROR_SCRIPT, 1, "global 'require'" },
    { "local x = string.dump (print)", GN_SPACE_ERROR_SCRIPT, 1,
      "field 'dump'" },
    { "local x = math.random ()", GN_SPACE_ERROR_SCRIPT, 1,
      "field 'random'" },
    { "collectgarbage ()", GN_SPACE_ERROR_SCRIPT, 1, "collectgarbage" },
    { "local t = debug.traceback ()", GN_SPACE_ERROR_SCRIPT, 1,
      "global 'debug'" },
    { "return {\n  name = 'x'\n  foo = 1\n}", GN_SPACE_ERROR_SCRIPT, 3,
      "'}' expected" },
    { "\x1bLua\x54\x00\x19\x93\r\n\x1a\n", GN_SPACE_ERROR_SCRIPT, 1,
      "binary chunk" },
    { "error ({})", GN_SPACE_ERROR_SCRIPT, 1, "table value" },
    { "return 42", GN_SPACE_ERROR_INVALID, 0, "not number" },
    { "return { name = 'x', colour = 'red' }", GN_SPACE_ERROR_INVALID, 0,
      "unknown field 'colour'" },
    { "return { name = 'x' }", GN_SPACE_ERROR_INVALID, 0,
      "'sample' must be a function" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GnSpace *space = gn_space_load_string ("bad.lua", cases[i].src,
                                             strlen (cases[i].src), &error);
      g_assert_null (space);
      g_assert_error (error, GN_SPACE_ERROR, cases[i].code);
      if (cases[i].line > 0)
        assert_location (error, "bad.lua", cases[i].line);
      else
        g_assert_true (g_str_has_prefix (error->message, "bad.lua: "));
      if (strstr (error->message, cases[i].what) == NULL)
        g_error ("'%s' lacks '%s'", error->message, cases[i].what);
      g_clear_error (&error);
    }
  g_assert_false (g_file_test ("/tmp/gennas-pwned", G_FILE_TEST_EXISTS));

  GError *error = NULL;
  g_assert_null (gn_space_load ("/nonexistent/space.lua", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO);
  g_clear_error (&error);
}

static void
test_sandbox_limits (void)
{
  static const struct {
    const char *src;
    int line;
  } loops[] = {
    { "local x = 0\nwhile true do x = x + 1 end", 2 },
    /* pcall must not swallow the budget */
    { "while true do\n  pcall (function () while true do end end)\nend", 2 },
    { "xpcall (function () while true do end end,\n"
      "        function (e) return e end)", 1 },
  };
  GnSpaceLimits limits = { .max_instructions = 2000000 };
  for (gsize i = 0; i < G_N_ELEMENTS (loops); i++)
    {
      GError *error = NULL;
      g_assert_null (gn_space_load_full ("loop.lua", loops[i].src,
                                         strlen (loops[i].src), &limits,
                                         &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT);
      assert_location (error, "loop.lua", loops[i].line);
      g_assert_nonnull (strstr (error->message, "instruction budget"));
      g_assert_nonnull (strstr (error->message, "stack traceback"));
      g_clear_error (&error);
    }

  static const struct {
    const char *src;
    int line;
  } bombs[] = {
    { "local t = {}\nfor i = 1, 1e9 do t[i] = { i } end", 2 },
    { "local s = string.rep ('x', 1 << 30)", 1 },
    { "local s = 'x'\nwhile true do s = s .. s end", 2 },
    { "while true do\n  pcall (function () local t = {} "
      "for i = 1, 1e9 do t[i] = i end end)\nend", 2 },
  };
  limits = (GnSpaceLimits) { .max_memory = 16 << 20 };
  for (gsize i = 0; i < G_N_ELEMENTS (bombs); i++)
    {
      GError *error = NULL;
      g_assert_null (gn_space_load_full ("bomb.lua", bombs[i].src,
                                         strlen (bombs[i].src), &limits,
                                         &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT);
      assert_location (error, "bomb.lua", bombs[i].line);
      g_assert_nonnull (strstr (error->message, "memory limit"));
      g_clear_error (&error);
    }

  /* a limit hit inside a call: the space stays usable afterwards */
  const char *src =
    "return {\n"
    "  name = 'slow',\n"
    "  genome = { genes = { { name = 'x', choices = { 1 } } } },\n"
    "  sample = function () return 1 end,\n"
    "  mutate = function (g) return g end,\n"
    "  encode = function (g) return tostring (g) end,\n"
    "  decode = function (s)\n"
    "    local t = {}\n"
    "    if s == 'spin' then while true do end end\n"
    "    if s == 'grow' then while true do t[#t + 1] = {} end end\n"
    "    return 1\n"
    "  end,\n"
    "  build = function (net) end,\n"
    "}\n";
  GError *error = NULL;
  limits = (GnSpaceLimits) { .max_memory = 16 << 20,
                             .max_instructions = 1000000 };
  GnSpace *space = gn_space_load_full ("slow.lua", src, strlen (src),
                                       &limits, &error);
  g_assert_no_error (error);
  for (int round = 0; round < 3; round++)
    {
      g_assert_null (gn_space_canonicalize (space, "spin", &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT);
      assert_location (error, "slow.lua", 9);
      g_clear_error (&error);
      g_assert_null (gn_space_canonicalize (space, "grow", &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT);
      assert_location (error, "slow.lua", 10);
      g_clear_error (&error);
      char *ok = gn_space_canonicalize (space, "fine", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (ok, ==, "1");
      g_free (ok);
    }
  gn_space_free (space);
}

/* What Lua runs outside the budget's sight: finalizers (run with hooks
 * off), and library functions that loop in C for as long as their
 * arguments say.  Each stops with an error at its line, fast.  Without
 * these limits each of them would run for hours, or forever. */
static void
test_sandbox_escapes (void)
{
  static const struct {
    const char *src;
    int code;          /* GnSpaceError */
    const char *what;
  } cases[] = {
    /* a finalizer: it would run when the space is freed, hooks off */
    { "setmetatable ({}, { __gc = function () while true do end end })",
      GN_SPACE_ERROR_SCRIPT, "finalizers (__gc) are not available" },
    { "setmetatable ({}, { __gc = true })", GN_SPACE_ERROR_SCRIPT,
      "finalizers (__gc)" },
    /* __gc added after setmetatable marks nothing: it never runs */
    { "local mt = {} local t = setmetatable ({}, mt)\n"
      "mt.__gc = function () while true do end end t = nil error ('ran')",
      GN_SPACE_ERROR_SCRIPT, "ran" },
    /* to-be-closed variables run with the hook on */
    { "local x <close> = setmetatable ({}, { __close = function ()\n"
      "  while true do end end })", GN_SPACE_ERROR_LIMIT,
      "instruction budget" },
    /* an error object whose __tostring never returns */
    { "error (setmetatable ({}, { __tostring = function ()\n"
      "  while true do end end }))", GN_SPACE_ERROR_LIMIT,
      "instruction budget" },
    /* n empty copies: the empty string at once */
    { "assert (string.rep ('', math.maxinteger) == '')\n"
      "assert (('x'):rep (3, '') == 'xxx') error ('ran')",
      GN_SPACE_ERROR_SCRIPT, "ran" },
    { "table.move ({}, 1, 1 << 62, 1, {})", GN_SPACE_ERROR_LIMIT,
      "instruction budget" },
    { "local t = setmetatable ({}, { __len = function ()\n"
      "  return 1 << 62 end }) table.insert (t, 1, 0)",
      GN_SPACE_ERROR_LIMIT, "instruction budget" },
    { "local t = setmetatable ({}, { __len = function ()\n"
      "  return 1 << 62 end }) table.remove (t, 1)",
      GN_SPACE_ERROR_LIMIT, "instruction budget" },
    /* a C function as __index, called from a C loop: counted per call */
    { "local t = setmetatable ({}, { __index = table.concat })\n"
      "table.concat (t, '', 1, math.maxinteger)", GN_SPACE_ERROR_LIMIT,
      "instruction budget" },
    /* backtracking patterns */
    { "local s = ('a'):rep (30)\n"
      "string.find (s, ('a-'):rep (30) .. 'b')", GN_SPACE_ERROR_LIMIT,
      "instruction budget" },
    { "local s = ('a'):rep (300000)\n"
      "for _ in s:gmatch ('a*b') do end", GN_SPACE_ERROR_LIMIT,
      "instruction budget" },
    { "local s = ('a'):rep (300000)\n"
      "s:gsub ('a*b', '')", GN_SPACE_ERROR_LIMIT, "instruction budget" },
    { "local s = ('a'):rep (300000)\n"
      "s:match ('[' .. ('b'):rep (10000) .. ']')", GN_SPACE_ERROR_LIMIT,
      "instruction budget" },
    { "local s = ('a'):rep (1000000)\n"
      "s:find (('a'):rep (500000) .. 'b', 1, true)", GN_SPACE_ERROR_LIMIT,
      "instruction budget" },
    /* the patterns still match as Lua's do */
    { "local a, b, c = ('key = 42;'):match ('^(%w+)%s*=%s*(%d+)()')\n"
      "assert (a == 'key' and b == '42' and c == 9)\n"
      "assert (select (2, ('a,b,,c'):gsub (',', ';')) == 3)\n"
      "assert (('x(y(z))'):match ('%b()') == '(y(z))')\n"
      "assert (('THE (quick) fox'):find ('%f[%a]%a+', 5) == 6)\n"
      "local n = 0 for w in ('one two'):gmatch ('%a+') do n = n + #w end\n"
      "assert (n == 6 and ('abc'):find ('b', 1, true) == 2) error ('ran')",
      GN_SPACE_ERROR_SCRIPT, "ran" },
    /* single operations on long strings, over and over: the time limit */
    { "local a = ('x'):rep (1 << 12):rep (1 << 10)\n"
      "local b = ('x'):rep (1 << 12):rep (1 << 10)\n"
      "while true do local _ = a == b end", GN_SPACE_ERROR_LIMIT,
      "time limit" },
  };
  GnSpaceLimits limits = { .max_instructions = 2000000 };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GnSpace *space = gn_space_load_full ("esc.lua", cases[i].src,
                                           strlen (cases[i].src), &limits,
                                           &error);
      g_assert_null (space);
      if (!g_error_matches (error, GN_SPACE_ERROR, cases[i].code)
          || strstr (error->message, cases[i].what) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": expected code %d and '%s', "
                 "got %d: %s", i, cases[i].code, cases[i].what, error->code,
                 error->message);
      /* at the last line, where the loop is */
      int line = 1;
      for (const char *c = cases[i].src; *c; c++)
        line += *c == '\n';
      assert_location (error, "esc.lua", line);
      g_clear_error (&error);
    }
}

/* The network a build makes counts against the memory cap. */
static void
test_sandbox_graph_memory (void)
{
  GError *error = NULL;
  GnSpaceLimits limits = { .max_memory = 8 << 20 };
  char *src = g_strconcat (tiny_head,
                           "    for i = 1, 5e6 do x = net:relu (x) end",
                           tiny_tail, NULL);
  GnSpace *space = gn_space_load_full ("tiny.lua", src, strlen (src),
                                       &limits, &error);
  g_assert_no_error (error);
  GnBuildOptions opts = { .batch = 1 };
  for (int round = 0; round < 2; round++)
    {
      g_assert_null (gn_space_build (space, "a", &opts, &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT);
      assert_location (error, "tiny.lua", 14);
      g_assert_nonnull (strstr (error->message, "memory limit exceeded (8 "
                                "MiB of Lua heap and network graph)"));
      g_assert_null (strchr (error->message, '\n'));
      g_clear_error (&error);
    }
  gn_space_free (space);
  g_free (src);

  /* a wide sum is fine: its inputs are counted, and they fit */
  space = load_tiny ("    local xs = {} for i = 1, 100000 do xs[i] = x end\n"
                     "    x = net:add (xs)", &error);
  g_assert_no_error (error);
  GnNet *net = gn_space_build (space, "a", &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gn_net_graph_bytes (net), >, 100000 * sizeof (int));
  gn_net_free (net);
  gn_space_free (space);
}

/* No true byte of a message below 0x20 but newlines and the tabs of a
 * traceback, and no line longer than @max. */
static void
assert_printable (const char *msg, gsize max)
{
  gsize line = 0;
  for (const guchar *p = (const guchar *) msg; *p; p++)
    {
      line = *p == '\n' ? 0 : line + 1;
      if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
        g_error ("byte 0x%02x in '%s'", *p, msg);
      if (line > max)
        g_error ("a line of more than %" G_GSIZE_FORMAT " bytes in '%.500s'",
                 max, msg);
    }
  g_assert_true (g_utf8_validate (msg, -1, NULL));
}

/* What users and scripts write ends in messages quoted: files too large
 * to be a space are refused unread, long strings are cut short, control
 * characters and bytes that are not UTF-8 are escaped. */
static void
test_sandbox_untrusted_text (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("gennas-space-XXXXXX", NULL);
  char *big = g_build_filename (dir, "big.lua", NULL);
  char *spaces = g_strnfill (5 << 20, ' ');
  g_assert_true (g_file_set_contents (big, spaces, -1, NULL));
  g_free (spaces);
  g_assert_null (gn_space_load (big, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "the space file is larger "
                            "than 4 MiB"));
  g_clear_error (&error);
  g_remove (big);
  g_free (big);
  g_rmdir (dir);
  g_free (dir);
  if (g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      g_assert_null (gn_space_load ("/dev/zero", &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO);
      g_clear_error (&error);
    }

  /* a long op name, escapes, a byte that is not UTF-8 */
  GnSpace *space = test_space_load ("nb201.lua");
  GString *arch = g_string_new ("|");
  for (int i = 0; i < 1000; i++)
    g_string_append_c (arch, 'A');
  g_string_append (arch, "~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  g_assert_null (gn_space_canonicalize (space, arch->str, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_assert_cmpuint (strlen (error->message), <, 1000);
  g_assert_nonnull (strstr (error->message, "AAA...'"));
  assert_printable (error->message, 1000);
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);
  /* a megabyte-long one: the space's pattern match of it is refused by
   * the budget (its worst case is quadratic) or the name is rejected;
   * either way one short line */
  for (int i = 0; i < 1 << 20; i++)
    g_string_insert_c (arch, 1, 'A');
  g_assert_null (gn_space_canonicalize (space, arch->str, &error));
  g_assert_true (g_error_matches (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH)
                 || g_error_matches (error, GN_SPACE_ERROR,
                                     GN_SPACE_ERROR_LIMIT));
  g_assert_cmpuint (strlen (error->message), <, 1000);
  assert_printable (error->message, 1000);
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);
  g_string_free (arch, TRUE);
  g_assert_null (gn_space_canonicalize (space, "|nor_conv_3x3~0|+|none~0|"
                                        "none~1|+|none~0|\033[2J\xff~1|"
                                        "none~2|", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_assert_nonnull (strstr (error->message, "'|nor_conv_3x3~0|+|none~0|"
                            "none~1|+|none~0|\\x1b[2J\\xff~1|none~2|'"));
  assert_printable (error->message, 1000);
  g_clear_error (&error);
  GnRng rng;
  gn_rng_seed (&rng, 1);
  const char *const bad_option[] = { "\033[2J", NULL };
  g_assert_null (gn_space_mutate_full (space, NB201_ALL_OPS, &rng,
                                       bad_option, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "'\\x1b[2J'"));
  g_clear_error (&error);
  gn_space_free (space);

  /* what a script raises: a megabyte, control characters, many lines */
  static const char *const raised[] = {
    "error (('x'):rep (1 << 20) .. '\\27[2J')",
    "error (('line\\n'):rep (100000))",
    "local t = {} t[('f'):rep (1 << 20)] = function () error ('x') end\n"
    "t[('f'):rep (1 << 20)] ()",
    "return { name = 'a\\27[2Jb' }",
    "return { name = ('n'):rep (101) }",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (raised); i++)
    {
      g_assert_null (gn_space_load_string ("raise.lua", raised[i],
                                           strlen (raised[i]), &error));
      g_assert_nonnull (error);
      g_assert_cmpuint (strlen (error->message), <, 20000);
      assert_printable (error->message, 320);
      g_assert_true (g_str_has_prefix (error->message, "raise.lua:"));
      g_clear_error (&error);
    }
}

/* Bytes allocated count against the instruction budget: a loop of large
 * allocations, a few instructions each, once ran for hours within it
 * (1 MB per iteration, 100 million instructions).  Here 20 iterations of
 * 10 MB each, about 140 instructions, must exhaust a budget of a million
 * (625,000 steps an allocation).  Few large blocks keep the test far from
 * the time limit (0.2 s of CPU for this budget), which 2000 blocks of
 * 100 kB could reach first under ASan on a slow machine. */
static void
test_sandbox_allocation_budget (void)
{
  const char *src = "for i = 1, 20 do local s = string.rep ('x', 10000000) end\n"
                    "return 42\n";
  GnSpaceLimits limits = { .max_instructions = 1000000 };
  GError *error = NULL;
  g_assert_null (gn_space_load_full ("churn.lua", src, strlen (src), &limits,
                                     &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT);
  assert_location (error, "churn.lua", 1);
  g_assert_nonnull (strstr (error->message, "instruction budget"));
  g_clear_error (&error);
}

static void
test_sandbox_build_errors (void)
{
  static const struct {
    const char *line;
    int code;          /* GnSpaceError */
    const char *what;
  } cases[] = {
    { "    error ('no network today')", GN_SPACE_ERROR_SCRIPT,
      "no network today" },
    { "    x = net:conv { x, out = 4, k = 3, padding = 1 }",
      GN_SPACE_ERROR_SCRIPT, "conv: unknown option 'padding'" },
    { "    x = net:conv { x, k = 3 }", GN_SPACE_ERROR_SCRIPT,
      "conv: option 'out' is required" },
    { "    x = net:conv (x, { out = 4, k = 3, stride = 0 })",
      GN_SPACE_ERROR_SCRIPT, "stride must be at least 1" },
    { "    x = net:conv { x, out = 4, k = 3, kh = 3, kw = 3 }",
      GN_SPACE_ERROR_SCRIPT,
      "conv: give either 'k' or 'kh' and 'kw', not both" },
    { "    x = net:conv { x, out = 4, kw = 3 }", GN_SPACE_ERROR_SCRIPT,
      "conv: 'kw' needs 'kh' too" },
    { "    x = net:conv { x, out = 4 }", GN_SPACE_ERROR_SCRIPT,
      "conv: option 'k' (or 'kh' and 'kw') is required" },
    { "    x = net:conv { x, out = 4, k = 3, pad = 1, pad_w = 1 }",
      GN_SPACE_ERROR_SCRIPT,
      "conv: give either 'pad' or 'pad_h' and 'pad_w', not both" },
    { "    x = net:conv { x, out = 4, k = 3, stride = 2, stride_h = 1 }",
      GN_SPACE_ERROR_SCRIPT, "conv: give either 'stride' or" },
    { "    x = net:conv { x, out = 4, k = 3, stride_w = 0 }",
      GN_SPACE_ERROR_SCRIPT, "conv: stride_w must be at least 1" },
    { "    x = net:conv { x, out = 4, kh = 1, kw = 3, pad_h = -1 }",
      GN_SPACE_ERROR_SCRIPT, "conv: pad_h must be at least 0" },
    { "    x = net:crop { x, top = 40, h = 2 }", GN_SPACE_ERROR_SCRIPT,
      "crop: the 2x32 window at row 40, column 0 lies outside the 32x32 "
      "input" },
    { "    x = net:crop { x, left = 2, w = 0 }", GN_SPACE_ERROR_SCRIPT,
      "crop: w must be at least 1, not 0" },
    { "    x = net:crop { x, right = 1 }", GN_SPACE_ERROR_SCRIPT,
      "crop: unknown option 'right'" },
    { "    x = net:relu (99)", GN_SPACE_ERROR_SCRIPT,
      "relu: node 99 does not exist" },
    { "    x = net:add (x, net:maxpool (x, { k = 2 }))", GN_SPACE_ERROR_SCRIPT,
      "add: " },
    { "    x = net:bn (x, { affine = 1 })", GN_SPACE_ERROR_SCRIPT,
      "option 'affine' must be a boolean" },
    { "    net:tap (x, 'again') net:tap (x, 'again')", GN_SPACE_ERROR_SCRIPT,
      "tap: " },
    { "    x = net:relu (x, { inplace = true })", GN_SPACE_ERROR_SCRIPT,
      "relu: takes no options" },
    { "    x = net:zero (x, { c = 2, stride = 2 })", 0, NULL },
    { "    x = net:linear (net:gap (x), 3, { bias = false })", 0, NULL },
    { "    x = net:concat { x, net:identity (x) }", 0, NULL },
    { "    x = net:resize (x, 8, 8)", 0, NULL },
    { "    local n, c, h, w = net:shape (x)\n"
      "    assert (n == 2 and c == 3 and h == 32 and w == 32)", 0, NULL },
    { "    x = net:avgpool (x, { k = 3, stride = 1, pad = 1,"
      " count_include_pad = false })", 0, NULL },
    /* DARTS' conv_7x1_1x7 at stride 2: (1,7) stride (1,2) pad (0,3),
     * then (7,1) stride (2,1) pad (3,0) */
    { "    local y = net:conv { x, out = 5, kh = 1, kw = 7, stride_h = 1,"
      " stride_w = 2, pad_h = 0, pad_w = 3, bias = false }\n"
      "    local n, c, h, w = net:shape (y)\n"
      "    assert (c == 5 and h == 32 and w == 16, h .. 'x' .. w)\n"
      "    y = net:conv (y, { out = 5, kh = 7, kw = 1, stride_h = 2,"
      " pad_h = 3 })\n"
      "    n, c, h, w = net:shape (y)\n"
      "    assert (h == 16 and w == 16, h .. 'x' .. w)\n"
      "    y = net:conv { y, out = 2, kh = 3, kw = 1, pad_h = 1 }\n"
      "    n, c, h, w = net:shape (y)\n"
      "    assert (h == 16 and w == 16, h .. 'x' .. w)", 0, NULL },
    /* DARTS's x[:, :, 1:, 1:], pycls's pad-then-slice, a zero padding */
    { "    local n, c, h, w = net:shape (net:crop { x, top = 1, left = 1 })\n"
      "    assert (c == 3 and h == 31 and w == 31, h .. 'x' .. w)\n"
      "    n, c, h, w = net:shape (net:crop (x, { top = 1, left = 1,"
      " h = 32, w = 32 }))\n"
      "    assert (h == 32 and w == 32, h .. 'x' .. w)\n"
      "    x = net:crop { x, top = -2, left = -1, h = 36, w = 35 }\n"
      "    n, c, h, w = net:shape (x)\n"
      "    assert (h == 36 and w == 35, h .. 'x' .. w)", 0, NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GnSpace *space = load_tiny (cases[i].line, &error);
      g_assert_no_error (error);
      GnBuildOptions opts = { .batch = 2 };
      GnNet *net = gn_space_build (space, "a", &opts, &error);
      if (cases[i].what == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (net);
          gn_net_free (net);
        }
      else
        {
          g_assert_null (net);
          g_assert_error (error, GN_SPACE_ERROR, cases[i].code);
          assert_location (error, "tiny.lua", 14);
          if (strstr (error->message, cases[i].what) == NULL)
            g_error ("'%s' lacks '%s'", error->message, cases[i].what);
          g_clear_error (&error);
        }
      gn_space_free (space);
    }

  /* a build without the stage taps breaks the API */
  GError *error = NULL;
  GnSpace *space = load_tiny ("    do return end", &error);
  g_assert_no_error (error);
  GnBuildOptions opts = { .batch = 1 };
  g_assert_null (gn_space_build (space, "a", &opts, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "no tap 'stage0'"));
  g_clear_error (&error);
  opts.classifier = TRUE;
  gn_space_free (space);
  space = load_tiny ("", &error);
  g_assert_null (gn_space_build (space, "a", &opts, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "no tap 'logits'"));
  g_clear_error (&error);
  gn_space_free (space);
}

/* A script that keeps the builder or the generator past its call gets an
 * error, not a dangling pointer. */
static void
test_sandbox_borrowed (void)
{
  const char *src =
    "local kept_net, kept_rng\n"
    "return {\n"
    "  name = 'keeper',\n"
    "  genome = { genes = { { name = 'x', choices = { 1 } } } },\n"
    "  sample = function (rng)\n"
    "    kept_rng = rng\n"
    "    if kept_net then kept_net:relu (0) end\n"
    "    return 1\n"
    "  end,\n"
    "  mutate = function (g) return g end,\n"
    "  encode = function (g) return tostring (g) end,\n"
    "  decode = function (s) if s == 'r' then kept_rng:int (1, 2) end\n"
    "    return 1 end,\n"
    "  build = function (net)\n"
    "    kept_net = net\n"
    "    for s = 0, 2 do net:tap (0, 'stage' .. s) end\n"
    "  end,\n"
    "}\n";
  GError *error = NULL;
  GnSpace *space = gn_space_load_string ("keeper.lua", src, strlen (src),
                                         &error);
  g_assert_no_error (error);
  GnRng rng;
  gn_rng_seed (&rng, 1);
  char *s = gn_space_sample (space, &rng, &error);
  g_assert_no_error (error);
  g_free (s);
  g_assert_null (gn_space_canonicalize (space, "r", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_assert_nonnull (strstr (error->message, "keeper.lua:12:"));
  g_assert_nonnull (strstr (error->message, "random generator is only"));
  g_clear_error (&error);

  GnBuildOptions opts = { .batch = 1 };
  GnNet *net = gn_space_build (space, "1", &opts, &error);
  g_assert_no_error (error);
  gn_net_free (net);
  g_assert_null (gn_space_sample (space, &rng, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_SCRIPT);
  assert_location (error, "keeper.lua", 7);
  g_assert_nonnull (strstr (error->message, "only usable inside build()"));
  g_clear_error (&error);
  gn_space_free (space);
}

static void
test_sandbox_api_results (void)
{
  const char *src =
    "return {\n"
    "  name = 'liar',\n"
    "  genome = { genes = { { name = 'x', choices = { 1, 2 } } },\n"
    "             valid = function (g) return g < 3, 'too big' end },\n"
    "  sample = function (rng) return 3 end,\n"
    "  mutate = function (g) return nil end,\n"
    "  encode = function (g)\n"
    "    return g == 2 and {} or tostring (g) end,\n"
    "  decode = function (s) return tonumber (s) end,\n"
    "  hash = function (g) return 7 end,\n"
    "  genotype = function (g) return g end,\n"
    "  build = function (net) end,\n"
    "}\n";
  GError *error = NULL;
  GnSpace *space = gn_space_load_string ("liar.lua", src, strlen (src),
                                         &error);
  g_assert_no_error (error);
  GnRng rng;
  gn_rng_seed (&rng, 1);

  g_assert_null (gn_space_sample (space, &rng, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "too big"));
  g_clear_error (&error);
  g_assert_null (gn_space_mutate (space, "1", &rng, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  assert_location (error, "liar.lua", 6);
  g_clear_error (&error);
  g_assert_null (gn_space_canonicalize (space, "2", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  assert_location (error, "liar.lua", 7);
  g_assert_nonnull (strstr (error->message, "must return a string"));
  g_clear_error (&error);
  g_assert_null (gn_space_canonicalize (space, "5", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_assert_nonnull (strstr (error->message, "too big"));
  g_clear_error (&error);
  g_assert_null (gn_space_canonicalize (space, "x", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_assert_nonnull (strstr (error->message, "decode() returned nil"));
  g_clear_error (&error);
  g_assert_null (gn_space_hash (space, "1", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (gn_space_genotype (space, "1", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  assert_location (error, "liar.lua", 11);
  g_assert_nonnull (strstr (error->message, "genotype() must return a "
                            "string"));
  g_clear_error (&error);
  g_assert_null (gn_space_genotype (space, "5", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_clear_error (&error);

  g_assert_null (gn_space_benchmark (space));
  g_assert_null (gn_space_get_benchmark (space, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  gn_space_free (space);
}

/* genotype(): the space's, of a valid architecture only; without one,
 * the canonical string */
static void
test_genotype (void)
{
  GError *error = NULL;
  GnSpace *tiny = load_tiny ("", &error);
  g_assert_no_error (error);
  char *g = gn_space_genotype (tiny, "b", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g, ==, "b");
  g_free (g);
  g_assert_null (gn_space_genotype (tiny, "c", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_assert_true (g_str_has_prefix (error->message,
                                   "invalid architecture 'c': "));
  g_clear_error (&error);
  gn_space_free (tiny);

  char *src = g_strconcat (tiny_head, "", tiny_tail, NULL);
  char *with = g_strconcat ("local space = (function () ", src, " end) ()\n"
                            "space.genotype = function (g)\n"
                            "  return 'Op(' .. g[1] .. ')' end\n"
                            "return space\n", NULL);
  GnSpace *space = gn_space_load_string ("g.lua", with, strlen (with),
                                         &error);
  g_assert_no_error (error);
  g = gn_space_genotype (space, "a", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g, ==, "Op(a)");
  g_free (g);
  gn_space_free (space);
  g_free (with);
  g_free (src);
}

static void
test_sandbox_print_and_helpers (void)
{
  GError *error = NULL;
  GnSpace *space = load_tiny (
    "    print ('hello', 1, nil)\n"
    "    assert (gennas.md5 ('') == 'd41d8cd98f00b204e9800998ecf8427e')\n"
    "    assert (#gennas.split ('a||b', '|') == 3)\n"
    "    assert (select ('#', pcall (error, 'x')) == 2)\n"
    "    local ok, v = pcall (function () return 5 end)\n"
    "    assert (ok and v == 5)\n"
    "    assert (getmetatable (net) == false)", &error);
  g_assert_no_error (error);
  GnBuildOptions opts = { .batch = 1 };
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                         "tiny.lua: hello\t1\tnil");
  GnNet *net = gn_space_build (space, "a", &opts, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  gn_net_free (net);
  gn_space_free (space);
}

/* A bad space leaves the process and other spaces healthy. */
static void
test_sandbox_isolation (void)
{
  GnSpace *good = test_space_load ("nb201.lua");
  GnSpaceLimits limits = { .max_memory = 8 << 20,
                           .max_instructions = 1000000 };
  for (int i = 0; i < 20; i++)
    {
      GError *error = NULL;
      const char *src = i % 2 ? "local t = {} while true do t[#t+1] = {} end"
                              : "while true do end";
      g_assert_null (gn_space_load_full ("bad.lua", src, strlen (src),
                                         &limits, &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT);
      g_clear_error (&error);
    }
  GnRng rng;
  gn_rng_seed (&rng, 3);
  GError *error = NULL;
  char *arch = gn_space_sample (good, &rng, &error);
  g_assert_no_error (error);
  GnNet *net = build (good, arch, 1, FALSE, FALSE, NULL);
  gn_net_free (net);
  g_free (arch);
  gn_space_free (good);
}

static void
test_benchmark_search (void)
{
  const char *head =
    "return {\n"
    "  name = 'bench',\n"
    "  genome = { genes = { { name = 'x', choices = { 1 } } } },\n"
    "  sample = function () return 1 end,\n"
    "  mutate = function (g) return g end,\n"
    "  encode = function (g) return '1' end,\n"
    "  decode = function (s) return 1 end,\n"
    "  build = function (net) end,\n"
    "  benchmark = { file = '";
  const char *tail = "', key = 'k', metrics = { 'm' } },\n}\n";
  char *dir = g_dir_make_tmp ("gennas-space-XXXXXX", NULL);
  char *csv = g_build_filename (dir, "mine.csv", NULL);
  g_assert_true (g_file_set_contents (csv, "k,m\n1,0.5\n", -1, NULL));

  char *text = g_strconcat (head, "mine.csv", tail, NULL);
  GError *error = NULL;
  GnSpace *space = gn_space_load_string ("/nowhere/spaces/b.lua", text,
                                         strlen (text), &error);
  g_assert_no_error (error);
  g_assert_null (gn_space_get_benchmark (space, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nowhere/data"));
  g_clear_error (&error);
  gn_space_free (space);

  /* `make check` names the source tree's data/ there */
  char *shipped = g_strdup (g_getenv ("GENNAS_DATA_PATH"));
  g_setenv ("GENNAS_DATA_PATH", dir, TRUE);
  space = gn_space_load_string ("/nowhere/spaces/b.lua", text, strlen (text),
                                &error);
  g_assert_no_error (error);
  const GnBenchmark *b = gn_space_benchmark (space);
  g_assert_nonnull (b);
  g_assert_cmpstr (b->path, ==, csv);
  g_assert_false (b->key_is_hash);
  gn_space_free (space);
  if (shipped != NULL)
    g_setenv ("GENNAS_DATA_PATH", shipped, TRUE);
  else
    g_unsetenv ("GENNAS_DATA_PATH");
  g_free (shipped);
  g_free (text);

  /* a space of one's own, anywhere, finds the tables gennas ships (the
   * installed ones, or the source tree's under `make check`) */
  char *own = g_strconcat (head, "nb201.csv", tail, NULL);
  space = gn_space_load_string ("/nowhere/spaces/b.lua", own, strlen (own),
                                &error);
  g_assert_no_error (error);
  b = gn_space_get_benchmark (space, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (b->path, "/data/nb201.csv"));
  gn_space_free (space);

  /* the system folder (the build tree's `gennas` names the source tree's
   * data/ there) stands where the installed one does: after the data
   * beside the space, so a space's own nb201.csv is not shadowed */
  char *system = g_strdup (g_getenv ("GENNAS_DATA_SYSTEM_PATH"));
  shipped = g_strdup (g_getenv ("GENNAS_DATA_PATH"));
  char *spaces = g_build_filename (dir, "spaces", NULL);
  char *data = g_build_filename (dir, "data", NULL);
  char *mine = g_build_filename (data, "nb201.csv", NULL);
  char *path = g_build_filename (spaces, "b.lua", NULL);
  g_assert_cmpint (g_mkdir (spaces, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (data, 0700), ==, 0);
  g_assert_true (g_file_set_contents (mine, "k,m\n1,0.5\n", -1, NULL));
  g_unsetenv ("GENNAS_DATA_PATH");
  g_setenv ("GENNAS_DATA_SYSTEM_PATH", shipped ? shipped : "", TRUE);
  space = gn_space_load_string (path, own, strlen (own), &error);
  g_assert_no_error (error);
  b = gn_space_get_benchmark (space, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b->path, ==, mine);
  gn_space_free (space);
  g_assert_cmpint (g_unlink (mine), ==, 0);
  space = gn_space_load_string (path, own, strlen (own), &error);
  g_assert_no_error (error);
  b = gn_space_get_benchmark (space, &error);
  g_assert_no_error (error);
  if (shipped != NULL)
    {
      char *want = g_canonicalize_filename ("nb201.csv", shipped);
      g_assert_cmpstr (b->path, ==, want);
      g_free (want);
    }
  gn_space_free (space);
  /* set, even empty, it replaces the installed folder */
  g_setenv ("GENNAS_DATA_SYSTEM_PATH", "", TRUE);
  space = gn_space_load_string (path, own, strlen (own), &error);
  g_assert_no_error (error);
  g_assert_null (gn_space_get_benchmark (space, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO);
  g_clear_error (&error);
  gn_space_free (space);
  if (system != NULL)
    g_setenv ("GENNAS_DATA_SYSTEM_PATH", system, TRUE);
  else
    g_unsetenv ("GENNAS_DATA_SYSTEM_PATH");
  if (shipped != NULL)
    g_setenv ("GENNAS_DATA_PATH", shipped, TRUE);
  g_assert_cmpint (g_rmdir (data), ==, 0);
  g_assert_cmpint (g_rmdir (spaces), ==, 0);
  g_free (path);
  g_free (mine);
  g_free (data);
  g_free (spaces);
  g_free (shipped);
  g_free (system);
  g_free (own);

  /* a benchmark is a name inside the data folders */
  text = g_strconcat (head, "../../etc/passwd", tail, NULL);
  g_assert_null (gn_space_load_string ("b.lua", text, strlen (text),
                                       &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  g_clear_error (&error);
  g_free (text);

  g_remove (csv);
  g_rmdir (dir);
  g_free (csv);
  g_free (dir);
}

/* The worked example of docs/spaces.md runs as the document says. */
static void
test_doc_example (void)
{
  char *path = g_test_build_filename (G_TEST_DIST, "..", "docs", "spaces.md",
                                      NULL);
  char *doc = NULL;
  g_assert_true (g_file_get_contents (path, &doc, NULL, NULL));
  const char *start = strstr (doc, "```lua\n-- chain.lua");
  g_assert_nonnull (start);
  start += strlen ("```lua\n");
  const char *end = strstr (start, "\n```\n");
  g_assert_nonnull (end);

  GError *error = NULL;
  GnSpace *space = gn_space_load_string ("chain.lua", start, end - start + 1,
                                         &error);
  g_assert_no_error (error);
  double combos;
  g_assert_cmpuint (gn_space_n_genes (space, &combos), ==, 6);
  g_assert_cmpfloat (combos, ==, 729.0);
  GnRng rng;
  gn_rng_seed (&rng, 7);
  for (int i = 0; i < 50; i++)
    {
      char *arch = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
      char *canon = gn_space_canonicalize (space, arch, &error);
      g_assert_cmpstr (canon, ==, arch);
      char *m = gn_space_mutate (space, arch, &rng, &error);
      g_assert_no_error (error);
      GnNet *net = build (space, m, 2, FALSE, FALSE, NULL);
      gn_net_free (net);
      g_free (arch);
      g_free (canon);
      g_free (m);
    }
  GnNet *net = build (space, "conv3x3*2-conv1x1*1-dil3x3*3", 1, TRUE, TRUE,
                      NULL);
  g_assert_cmpuint (gn_net_count_params (net), ==, 98906);
  g_assert_cmpfloat (gn_net_count_macs (net), ==, 11190922.0);
  gn_net_free (net);
  g_assert_null (gn_space_canonicalize (space, "conv5x5*1-conv1x1*1-dil3x3*1",
                                        &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_assert_cmpstr (error->message, ==, "invalid architecture "
                   "'conv5x5*1-conv1x1*1-dil3x3*1': not a valid architecture "
                   "of this space (no kind0 conv5x5)");
  g_clear_error (&error);
  gn_space_free (space);
  g_free (doc);
  g_free (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/space/nb201/params-macs", test_nb201_params_macs);
  g_test_add_func ("/space/nb201/taps", test_nb201_taps);
  g_test_add_func ("/space/nb201/cell-bn", test_nb201_cell_bn);
  g_test_add_func ("/space/nb201/decode-errors", test_nb201_decode_errors);
  g_test_add_func ("/space/nb201/sample-mutate", test_nb201_sample_mutate);
  g_test_add_func ("/space/nb201/forward-backward",
                   test_nb201_forward_backward);
  g_test_add_func ("/space/nb101/hash", test_nb101_hash);
  g_test_add_func ("/space/nb101/params", test_nb101_params);
  g_test_add_func ("/space/nb101/specs", test_nb101_specs);
  g_test_add_func ("/space/nb101/sample-mutate", test_nb101_sample_mutate);
  g_test_add_func ("/space/nb101/forward-backward",
                   test_nb101_forward_backward);
  g_test_add_func ("/space/sandbox/load-errors", test_sandbox_load_errors);
  g_test_add_func ("/space/proxy-defaults", test_proxy_defaults);
  g_test_add_func ("/space/sandbox/limits", test_sandbox_limits);
  g_test_add_func ("/space/sandbox/escapes", test_sandbox_escapes);
  g_test_add_func ("/space/sandbox/graph-memory", test_sandbox_graph_memory);
  g_test_add_func ("/space/sandbox/untrusted-text",
                   test_sandbox_untrusted_text);
  g_test_add_func ("/space/sandbox/allocation-budget",
                   test_sandbox_allocation_budget);
  g_test_add_func ("/space/sandbox/build-errors", test_sandbox_build_errors);
  g_test_add_func ("/space/sandbox/borrowed", test_sandbox_borrowed);
  g_test_add_func ("/space/sandbox/api-results", test_sandbox_api_results);
  g_test_add_func ("/space/sandbox/print-and-helpers",
                   test_sandbox_print_and_helpers);
  g_test_add_func ("/space/sandbox/isolation", test_sandbox_isolation);
  g_test_add_func ("/space/sandbox/import", test_sandbox_import);
  g_test_add_func ("/space/published-input", test_published_input);
  g_test_add_func ("/space/configs", test_configs);
  g_test_add_func ("/space/genotype", test_genotype);
  g_test_add_func ("/space/benchmark-search", test_benchmark_search);
  g_test_add_func ("/space/doc-example", test_doc_example);
  return g_test_run ();
}
