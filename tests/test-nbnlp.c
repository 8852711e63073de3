/* test-nbnlp.c - spaces/nbnlp.lua: NAS-Bench-NLP's recurrent cells
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gennas.h"
#include "spaces.h"

#include <math.h>
#include <string.h>

/* NB-NLP's hand-written cells (data/nbnlp/recepies_example.json, ids
 * 1000000-1000002), in the one-line form */
#define RNN "f=linear(x|h_prev_0);h_new_0=activation_tanh(f)"
#define LSTM "i=linear(x|h_prev_0);i_act=activation_tanh(i);" \
  "j=linear(x|h_prev_0);j_act=activation_sigm(j);f=linear(x|h_prev_0);" \
  "f_act=activation_sigm(f);o=linear(x|h_prev_0);o_act=activation_tanh(o);" \
  "h_new_1_part1=elementwise_prod(f_act|h_prev_1);" \
  "h_new_1_part2=elementwise_prod(i_act|j_act);" \
  "h_new_1=elementwise_sum(h_new_1_part1|h_new_1_part2);" \
  "h_new_1_act=activation_tanh(h_new_1);" \
  "h_new_0=elementwise_prod(h_new_1_act|o_act)"
#define GRU "r=linear(x|h_prev_0);r_act=activation_sigm(r);" \
  "z=linear(x|h_prev_0);z_act=activation_sigm(z);" \
  "rh=elementwise_prod(r_act|h_prev_0);h_tilde=linear(x|rh);" \
  "h_tilde_act=activation_tanh(h_tilde);" \
  "h_new_0=blend(z_act|h_prev_0|h_tilde_act)"

static char *
canon (GnSpace *space, const char *arch)
{
  GError *error = NULL;
  char *c = gn_space_canonicalize (space, arch, &error);
  g_assert_no_error (error);
  return c;
}

static GnTable *
load_table (const char *name)
{
  GError *error = NULL;
  char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "nbnlp",
                                      name, NULL);
  GnTable *t = gn_table_load (path, &error);
  g_assert_no_error (error);
  g_free (path);
  return t;
}

/* The JSON list of recepies_example.json, split into its ten dicts. */
static char **
example_recipes (void)
{
  GError *error = NULL;
  char *text = NULL;
  char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "nbnlp",
                                      "recepies_example.json", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  GPtrArray *out = g_ptr_array_new ();
  int depth = 0;
  const char *start = NULL;
  for (const char *p = text; *p; p++)
    if (*p == '{' && depth++ == 0)
      start = p;
    else if (*p == '}' && --depth == 0)
      g_ptr_array_add (out, g_strndup (start, (gsize) (p - start + 1)));
  g_ptr_array_add (out, NULL);
  g_free (text);
  g_free (path);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* Both forms of one recipe print one canonical string; the canonical
 * string is a fixed point; names, key order and the input order of
 * commutative ops do not change it, a blend's input order does. */
static void
test_forms (void)
{
  GnSpace *space = test_space_load ("nbnlp.lua");
  char **json = example_recipes ();
  g_assert_cmpuint (g_strv_length (json), ==, 10);
  const char *compact[] = { RNN, LSTM, GRU };
  for (int i = 0; i < 3; i++)
    {
      char *a = canon (space, compact[i]);
      char *b = canon (space, json[i]);
      char *c = canon (space, a);
      g_assert_cmpstr (a, ==, b);
      g_assert_cmpstr (a, ==, c);
      g_free (a);
      g_free (b);
      g_free (c);
    }
  g_strfreev (json);

  char *rnn = canon (space, RNN);
  g_assert_cmpstr (rnn, ==,
                   "node_0=linear(x|h_prev_0);h_new_0=activation_tanh(node_0)");
  char *swapped = canon (space, "h_new_0=activation_tanh(q);"
                                "q=linear(h_prev_0|x)");
  g_assert_cmpstr (rnn, ==, swapped);
  g_free (rnn);
  g_free (swapped);

  /* the LSTM, renamed and reordered */
  char *lstm = canon (space, LSTM);
  char *lstm2 = canon (space,
    "h_new_0=elementwise_prod(o2|c_act);o=linear(h_prev_0|x);"
    "o2=activation_tanh(o);c_act=activation_tanh(h_new_1);"
    "h_new_1=elementwise_sum(b|a);a=elementwise_prod(h_prev_1|fa);"
    "b=elementwise_prod(ja|ia);f=linear(x|h_prev_0);fa=activation_sigm(f);"
    "i=linear(h_prev_0|x);ia=activation_tanh(i);j=linear(x|h_prev_0);"
    "ja=activation_sigm(j)");
  g_assert_cmpstr (lstm, ==, lstm2);
  g_free (lstm);
  g_free (lstm2);

  char *gru = canon (space, GRU);
  char *gru2 = canon (space, "r=linear(x|h_prev_0);r_act=activation_sigm(r);"
    "z=linear(x|h_prev_0);z_act=activation_sigm(z);"
    "rh=elementwise_prod(r_act|h_prev_0);h_tilde=linear(x|rh);"
    "h_tilde_act=activation_tanh(h_tilde);"
    "h_new_0=blend(z_act|h_tilde_act|h_prev_0)");
  g_assert_cmpstr (gru, !=, gru2);
  g_free (gru);
  g_free (gru2);

  /* the hash is the canonical string's */
  GError *error = NULL;
  char *h1 = gn_space_hash (space, RNN, &error);
  char *h2 = gn_space_hash (space, "g=linear(h_prev_0|x);"
                                   "h_new_0=activation_tanh(g)", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (h1, ==, h2);
  g_assert_cmpstr (h1, ==, "ece775a0e7d478a8189864f985c8494e");
  g_free (h1);
  g_free (h2);
  gn_space_free (space);
}

/* Every stored recipe reads, and the table's key is every network's
 * hash. */
static void
test_table (void)
{
  GnSpace *space = test_space_load ("nbnlp.lua");
  GError *error = NULL;
  GnTable *cells = load_table ("nbnlp_ptb_cells.csv");
  int col = gn_table_find_column (cells, "cell", &error);
  g_assert_no_error (error);
  guint n = gn_table_n_rows (cells);
  g_assert_cmpuint (n, ==, 14322);
  for (guint r = 0; r < n; r++)
    {
      char *c = gn_space_canonicalize (space, gn_table_get (cells, r, col),
                                       &error);
      g_assert_no_error (error);
      g_free (c);
    }
  gn_table_free (cells);

  const GnBenchmark *b = gn_space_get_benchmark (space, &error);
  g_assert_no_error (error);
  g_assert_true (b->key_is_hash);
  for (char **m = b->metrics; *m; m++)
    g_assert_true (gn_benchmark_lower_is_better (b, *m));
  g_assert_false (gn_benchmark_lower_is_better (b, "num_params"));
  GnTable *t = gn_table_load_benchmark (b, &error);
  g_assert_no_error (error);
  int hcol = gn_table_find_column (t, "nbnlp_hash", &error);
  int acol = gn_table_find_column (t, "cell", &error);
  int rcol = gn_table_find_column (t, "runs", &error);
  g_assert_no_error (error);
  guint runs = 0;
  n = gn_table_n_rows (t);
  g_assert_cmpuint (n, ==, 9462);
  for (guint r = 0; r < n; r++)
    {
      char *h = gn_space_hash (space, gn_table_get (t, r, acol), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (h, ==, gn_table_get (t, r, hcol));
      g_free (h);
      runs += (guint) atoi (gn_table_get (t, r, rcol));
    }
  g_assert_cmpuint (runs, ==, 11598);   /* every OK run, once */
  gn_table_free (t);
  gn_space_free (space);
}

static void
expect_error (GnSpace *space, const char *arch, const char *what)
{
  GError *error = NULL;
  char *c = gn_space_canonicalize (space, arch, &error);
  g_assert_null (c);
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  if (strstr (error->message, what) == NULL)
    g_error ("'%s': expected '%s' in: %s", arch, what, error->message);
  g_assert_null (strchr (error->message, '\n'));
  g_error_free (error);
}

static void
test_errors (void)
{
  GnSpace *space = test_space_load ("nbnlp.lua");
  expect_error (space, "a=linear(x|c);b=activation_tanh(a);"
                "c=linear(b|h_prev_0);h_new_0=activation_tanh(c)",
                "cycle ");
  expect_error (space, "f=conv(x|h_prev_0);h_new_0=activation_tanh(f)",
                "unknown op 'conv'");
  expect_error (space, "f=linear(x|h_prev_0);g=activation_tanh(f);"
                "h_new_0=activation_tanh(f)", "'g' reaches no output");
  expect_error (space, "f=linear(x|h_prev_0);h_new_1=activation_tanh(f)",
                "no node h_new_0");
  expect_error (space, "f=linear(x|h_prev_0);h_new_0=activation_tanh(f);"
                "h_new_1=activation_sigm(f)", "h_prev_1 is never read");
  expect_error (space, "h_new_0=linear(h_prev_0|h_prev_0)", "given twice");
  expect_error (space, "h_new_0=activation_tanh(h_prev_0)",
                "x is never read");
  expect_error (space, "f=linear(x|y);h_new_0=activation_tanh(f)",
                "unknown input 'y'");
  expect_error (space, "f=linear(x|h_prev_0);h_new_0=blend(f|f)",
                "blend takes 3 inputs, not 2");
  expect_error (space, "f=linear(x|h_prev_0);f=activation_tanh(f);"
                "h_new_0=activation_tanh(f)", "defined twice");
  expect_error (space, "x=linear(h_prev_0);h_new_0=activation_tanh(x)",
                "cannot be defined");
  expect_error (space, "f=linear(x|h_prev_0) h_new_0=activation_tanh(f)",
                "malformed entry");
  expect_error (space, "{\"f\": {\"op\": \"linear\", \"input\": [\"x\", "
                "\"h_prev_0\"]}, \"h_new_0\": {\"op\": \"activation_tanh\"",
                "JSON recipe");
  gn_space_free (space);
}

/* The generator's rules in a canonical string: every h_new_i reads no
 * h_prev_j, a linear reads only x, h_prev_j and activations, the other
 * ops never x. */
static void
assert_generator_rules (const char *arch)
{
  char **entries = g_strsplit (arch, ";", -1);
  GHashTable *op_of = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             g_free, g_free);
  for (char **e = entries; *e; e++)
    {
      char *eq = strchr (*e, '='), *paren = strchr (*e, '(');
      g_assert_nonnull (eq);
      g_assert_nonnull (paren);
      g_hash_table_insert (op_of, g_strndup (*e, (gsize) (eq - *e)),
                           g_strndup (eq + 1, (gsize) (paren - eq - 1)));
    }
  for (char **e = entries; *e; e++)
    {
      char *eq = strchr (*e, '='), *paren = strchr (*e, '(');
      char *name = g_strndup (*e, (gsize) (eq - *e));
      const char *op = g_hash_table_lookup (op_of, name);
      char *args = g_strndup (paren + 1, strlen (paren + 1) - 1);
      char **in = g_strsplit (args, "|", -1);
      for (char **a = in; *a; a++)
        {
          const char *src = g_hash_table_lookup (op_of, *a);
          if (g_str_has_prefix (name, "h_new_"))
            g_assert_false (g_str_has_prefix (*a, "h_prev_"));
          if (strcmp (op, "linear") == 0)
            g_assert_true (src == NULL
                           || g_str_has_prefix (src, "activation_"));
          else if (!g_str_has_prefix (op, "activation_"))
            g_assert_cmpstr (*a, !=, "x");
        }
      g_strfreev (in);
      g_free (args);
      g_free (name);
    }
  g_hash_table_destroy (op_of);
  g_strfreev (entries);
}

static void
test_sample_mutate (void)
{
  GnSpace *space = test_space_load ("nbnlp.lua");
  GError *error = NULL;
  GnRng rng;
  gn_rng_seed (&rng, 7);
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            NULL);
  for (int i = 0; i < 100; i++)
    {
      char *a = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
      char *c = canon (space, a);
      g_assert_cmpstr (a, ==, c);
      assert_generator_rules (a);
      g_free (c);
      g_hash_table_add (seen, a);
    }
  /* small cells repeat (the vanilla RNN is one in 40 or so) */
  g_assert_cmpuint (g_hash_table_size (seen), >, 70);
  g_hash_table_destroy (seen);

  char *a = canon (space, LSTM);
  for (int i = 0; i < 300; i++)
    {
      char *b = gn_space_mutate (space, a, &rng, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (a, !=, b);
      char *c = canon (space, b);
      g_assert_cmpstr (b, ==, c);
      assert_generator_rules (b);
      g_free (c);
      g_free (a);
      a = b;
    }
  g_free (a);
  gn_space_free (space);
}

static gsize
published_params (GnSpace *space, const char *arch)
{
  GError *error = NULL;
  GnBuildOptions opts = { .batch = 1, .in_h = 1, .in_w = 1,
                          .classifier = TRUE, .num_classes = 10000,
                          .published = TRUE };
  GnNet *net = gn_space_build (space, arch, &opts, &error);
  g_assert_no_error (error);
  gsize n = gn_net_count_params (net);
  gn_net_free (net);
  return n;
}

/* NB-NLP's language model, counted as its num_params: the hand-written
 * cells, and a seeded sample of 300 of the 14,322 runs (all of them:
 * bench/nbnlp-sizes.sh). */
static void
test_sizes (void)
{
  GnSpace *space = test_space_load ("nbnlp.lua");
  g_assert_cmpuint (published_params (space, RNN), ==, 5731600);
  g_assert_cmpuint (published_params (space, LSTM), ==, 10896400);
  g_assert_cmpuint (published_params (space, GRU), ==, 9174800);

  GError *error = NULL;
  GnTable *cells = load_table ("nbnlp_ptb_cells.csv");
  GnTable *runs = load_table ("nbnlp_ptb.csv");
  int cell = gn_table_find_column (cells, "cell", &error);
  int cid = gn_table_find_column (cells, "recepie_id", &error);
  int rid = gn_table_find_column (runs, "recepie_id", &error);
  int np = gn_table_find_column (runs, "num_params", &error);
  g_assert_no_error (error);
  GnRng rng;
  gn_rng_seed (&rng, 18);
  for (int i = 0; i < 300; i++)
    {
      guint r = gn_rng_below (&rng, gn_table_n_rows (cells));
      int row = gn_table_lookup (runs, (guint) rid,
                                 gn_table_get (cells, r, cid), &error);
      g_assert_no_error (error);
      gsize want = g_ascii_strtoull (gn_table_get (runs, row, np), NULL, 10);
      gsize got = published_params (space, gn_table_get (cells, r, cell));
      if (got != want)
        g_error ("recipe %s: %" G_GSIZE_FORMAT " parameters, NB-NLP "
                 "counted %" G_GSIZE_FORMAT, gn_table_get (cells, r, cid),
                 got, want);
    }
  gn_table_free (cells);
  gn_table_free (runs);
  gn_space_free (space);
}

/* The proxy's network: a sequence [n][D][L][1] in, every layer's
 * outputs and the decoder's tapped step-major; the encoder and decoder
 * add 2 D emsize + D to the cells. */
static void
test_sequence_net (void)
{
  GnSpace *space = test_space_load ("nbnlp.lua");
  GError *error = NULL;
  const char *small[] = { "emsize=5", "nhid=7", NULL };
  GnBuildOptions opts = { .batch = 2, .in_c = 3, .in_h = 4, .in_w = 1,
                          .options = small };
  GnNet *net = gn_space_build (space, LSTM, &opts, &error);
  g_assert_no_error (error);
  GnShape s = gn_net_shape (net, gn_net_find_tap (net, "output"));
  g_assert_cmpint (s.n, ==, 2);
  g_assert_cmpint (s.c, ==, 4 * 3);
  g_assert_cmpint (gn_net_shape (net, gn_net_find_tap (net, "stage0")).c,
                   ==, 4 * 7);
  g_assert_cmpint (gn_net_shape (net, gn_net_find_tap (net, "stage2")).c,
                   ==, 4 * 5);
  /* LSTM: 4 linears of (x, h_prev_0) per layer */
  gsize cells = 4 * ((gsize) 7 * 5 + 7 * 7 + 7)      /* 5 -> 7 */
                + 4 * ((gsize) 7 * 7 + 7 * 7 + 7)    /* 7 -> 7 */
                + 4 * ((gsize) 5 * 7 + 5 * 5 + 5);   /* 7 -> 5 */
  g_assert_cmpuint (gn_net_count_params (net), ==, cells + 2 * 3 * 5 + 3);
  g_assert_true (gn_net_compile (net, FALSE, &error));
  /* zero hidden state, no input: the output is the decoder's bias (0) */
  memset (gn_net_input (net), 0, 2 * 3 * 4 * sizeof (float));
  gn_net_forward (net, GN_MODE_EVAL);
  const float *y = gn_net_value (net, gn_net_find_tap (net, "output"));
  g_assert_cmpfloat (fabsf (y[0]), <, 1.f);
  gn_net_free (net);

  const char *bad[] = { "nhid=0", NULL };
  opts.options = bad;
  g_assert_null (gn_space_build (space, RNN, &opts, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_SCRIPT);
  g_clear_error (&error);
  gn_space_free (space);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nbnlp/forms", test_forms);
  g_test_add_func ("/nbnlp/table", test_table);
  g_test_add_func ("/nbnlp/errors", test_errors);
  g_test_add_func ("/nbnlp/sample-mutate", test_sample_mutate);
  g_test_add_func ("/nbnlp/sizes", test_sizes);
  g_test_add_func ("/nbnlp/sequence-net", test_sequence_net);
  return g_test_run ();
}
