/* test-nds.c - the DARTS-like cell spaces: NDS's records and the published
 * DARTS genotypes, sizes, strings, sampling and the proxy network
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Sizes are checked against real tables: NDS's `params` of its ImageNet
 * records (a seeded subset of each space here, every record with -m
 * thorough; bench/nds-sizes.py checks them all through the CLI), and the
 * exact sizes of the 13 published genotypes in
 * data/darts_genotypes/computed_sizes.csv.
 */
#include "config.h"

#include "gennas.h"
#include "spaces.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static GnTable *
load_data (const char *name)
{
  char *path = g_test_build_filename (G_TEST_DIST, "..", "data", name, NULL);
  GError *error = NULL;
  GnTable *t = gn_table_load (path, &error);
  g_assert_no_error (error);
  g_free (path);
  return t;
}

static int
column (GnTable *t, const char *name)
{
  GError *error = NULL;
  int c = gn_table_find_column (t, name, &error);
  g_assert_no_error (error);
  return c;
}

static const char *const cell_spaces[][2] = {
  { "nds-darts-in.lua", "nds/DARTS_in.csv" },
  { "nds-darts-lr-wd-in.lua", "nds/DARTS_lr-wd_in.csv" },
  { "nds-darts-fix-w-d-in.lua", "nds/DARTS_fix-w-d_in.csv" },
  { "nds-enas-in.lua", "nds/ENAS_in.csv" },
  { "nds-pnas-in.lua", "nds/PNAS_in.csv" },
  { "nds-nasnet-in.lua", "nds/NASNet_in.csv" },
  { "nds-amoeba-in.lua", "nds/Amoeba_in.csv" },
};

/* Every record's string is canonical, and the network NDS trained (224 x
 * 224, 1000 classes) has exactly the record's parameters and, counted
 * by the space's rule (published.flops = "nds-cell"), its flops; the
 * MACs alone are below them (the rule adds what NDS's counter did). */
static void
test_nds_params (void)
{
  const guint per_space = g_test_thorough () ? G_MAXUINT : 25;
  guint checked = 0;
  for (gsize s = 0; s < G_N_ELEMENTS (cell_spaces); s++)
    {
      GnSpace *space = test_space_load (cell_spaces[s][0]);
      int size, classes;
      gn_space_published_input (space, &size, &classes);
      g_assert_cmpint (size, ==, 224);
      g_assert_cmpint (classes, ==, 1000);
      GnTable *t = load_data (cell_spaces[s][1]);
      g_assert_cmpint (gn_space_published_flops (space), ==,
                       GN_FLOPS_NDS_CELL);
      int arch = column (t, "arch"), params = column (t, "params");
      int flops = column (t, "flops");
      guint n = gn_table_n_rows (t);
      g_assert_cmpuint (n, >, 100);
      /* a seeded subset: every k-th row from a seeded offset */
      guint step = per_space >= n ? 1 : n / per_space;
      guint first = g_test_rand_int_range (0, (gint32) step);
      for (guint r = first; r < n; r += step)
        {
          const char *a = gn_table_get (t, r, (guint) arch);
          GError *error = NULL;
          char *canon = gn_space_canonicalize (space, a, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (canon, ==, a);
          GnNet *net = test_space_build_published (space, a, NULL, size,
                                                   classes);
          double want;
          g_assert_true (gn_table_get_double (t, r, (guint) params, &want,
                                              NULL));
          if ((double) gn_net_count_params (net) != want)
            g_error ("%s row %u: %" G_GSIZE_FORMAT " parameters, NDS has "
                     "%.0f", cell_spaces[s][0], r,
                     gn_net_count_params (net), want);
          g_assert_true (gn_table_get_double (t, r, (guint) flops, &want,
                                              NULL));
          double got = gn_net_count_flops (net, GN_FLOPS_NDS_CELL);
          if (got != want)
            g_error ("%s row %u: %.0f flops, NDS has %.0f",
                     cell_spaces[s][0], r, got, want);
          g_assert_cmpfloat (gn_net_count_macs (net), <, want);
          g_assert_cmpfloat (gn_net_count_flops (net, GN_FLOPS_MACS), ==,
                             gn_net_count_macs (net));
          gn_net_free (net);
          g_free (canon);
          checked++;
        }
      gn_table_free (t);
      gn_space_free (space);
    }
  g_test_message ("%u records", checked);
}

/* "op~i|op~i|..." of genotypes.csv as a DARTS list literal */
static void
append_edges (GString *s, const char *cell)
{
  char **edges = g_strsplit (cell, "|", -1);
  g_string_append_c (s, '[');
  for (char **e = edges; *e; e++)
    {
      char **op_in = g_strsplit (*e, "~", 2);
      g_assert_nonnull (op_in[1]);
      g_string_append_printf (s, "%s('%s', %s)", e == edges ? "" : ", ",
                              op_in[0], op_in[1]);
      g_strfreev (op_in);
    }
  g_string_append_c (s, ']');
  g_strfreev (edges);
}

static char *
genotype_string (GnTable *g, guint row)
{
  GString *s = g_string_new ("Genotype(normal=");
  append_edges (s, gn_table_get (g, row, (guint) column (g, "normal")));
  char *nc = g_strdelimit (g_strdup (gn_table_get (g, row, (guint) column (
                             g, "normal_concat"))), "|", ',');
  char *rc = g_strdelimit (g_strdup (gn_table_get (g, row, (guint) column (
                             g, "reduce_concat"))), "|", ',');
  g_string_append_printf (s, ", normal_concat=[%s], reduce=", nc);
  append_edges (s, gn_table_get (g, row, (guint) column (g, "reduce")));
  g_string_append_printf (s, ", reduce_concat=[%s])", rc);
  g_free (nc);
  g_free (rc);
  return g_string_free (s, FALSE);
}

/* spaces/darts.lua builds each published genotype with exactly the
 * parameters computed for DARTS's CIFAR and ImageNet mobile networks, and
 * the multiply-accumulates of the corrected count. */
static void
test_known_genotypes (void)
{
  static const struct {
    const char *config, *network;
    int width, depth, size, classes;
  } configs[] = {
    { "c10_darts", "cifar", 36, 20, 32, 10 },
    { "c100_darts", "cifar", 36, 20, 32, 100 },
    { "imagenet_mobile", "imagenet", 48, 14, 224, 1000 },
    { "small_c16_l8", "cifar", 16, 8, 32, 10 },
    { "imagenet_gdas_c50", "imagenet", 50, 14, 224, 1000 },
  };
  GnSpace *space = test_space_load ("darts.lua");
  GnTable *genotypes = load_data ("darts_genotypes/genotypes.csv");
  GnTable *sizes = load_data ("darts_genotypes/computed_sizes.csv");
  /* the same rows' multiply-accumulates with reduction cells counted at
   * their nodes' own resolution (data/README.md) */
  GnTable *fixed = load_data ("darts_genotypes/computed_macs_corrected.csv");
  g_assert_cmpuint (gn_table_n_rows (fixed), ==, gn_table_n_rows (sizes));
  int name = column (genotypes, "name");
  int s_geno = column (sizes, "genotype"), s_conf = column (sizes, "config");
  int s_params = column (sizes, "params");
  int f_geno = column (fixed, "genotype"), f_conf = column (fixed, "config");
  int f_macs = column (fixed, "macs");
  guint matched = 0;
  for (guint r = 0; r < gn_table_n_rows (sizes); r++)
    {
      const char *geno = gn_table_get (sizes, r, (guint) s_geno);
      const char *conf = gn_table_get (sizes, r, (guint) s_conf);
      int g = -1;
      for (guint i = 0; i < gn_table_n_rows (genotypes); i++)
        if (strcmp (gn_table_get (genotypes, i, (guint) name), geno) == 0)
          g = (int) i;
      g_assert_cmpint (g, >=, 0);
      gsize c = 0;
      while (c < G_N_ELEMENTS (configs) && strcmp (configs[c].config, conf))
        c++;
      g_assert_cmpuint (c, <, G_N_ELEMENTS (configs));

      char *arch = genotype_string (genotypes, (guint) g);
      char *opts[4] = {
        g_strdup_printf ("network=%s", configs[c].network),
        g_strdup_printf ("width=%d", configs[c].width),
        g_strdup_printf ("depth=%d", configs[c].depth), NULL
      };
      GnNet *net = test_space_build_published (
          space, arch, (const char *const *) opts, configs[c].size,
          configs[c].classes);
      double params, macs;
      g_assert_true (gn_table_get_double (sizes, r, (guint) s_params,
                                          &params, NULL));
      g_assert_cmpstr (gn_table_get (fixed, r, (guint) f_geno), ==, geno);
      g_assert_cmpstr (gn_table_get (fixed, r, (guint) f_conf), ==, conf);
      g_assert_true (gn_table_get_double (fixed, r, (guint) f_macs, &macs,
                                          NULL));
      g_test_message ("%s %s: %" G_GSIZE_FORMAT " params (%.0f), %.0f MACs "
                      "(%.0f)", geno, conf, gn_net_count_params (net), params,
                      gn_net_count_macs (net), macs);
      g_assert_cmpfloat ((double) gn_net_count_params (net), ==, params);
      g_assert_cmpfloat (gn_net_count_macs (net), ==, macs);
      gn_net_free (net);
      for (int i = 0; i < 3; i++)
        g_free (opts[i]);
      g_free (arch);
      matched++;
    }
  g_assert_cmpuint (matched, ==, 53);
  gn_table_free (fixed);
  gn_table_free (sizes);
  gn_table_free (genotypes);
  gn_space_free (space);
}

static const char darts_v2[] =
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
  "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), "
  "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
  "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
  "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), "
  "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), "
  "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

/* The forms users paste read to the one canonical string. */
static void
test_genotype_forms (void)
{
  static const char *const forms[] = {
    /* DARTS's own files: range() for the concat, another line layout */
    "Genotype(\n  normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),\n"
    "  ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1),\n"
    "  ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)],\n"
    "  normal_concat=range(2, 6),\n  reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), "
    "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), "
    "('max_pool_3x3', 1)],\n  reduce_concat=range(2, 6),\n)",
    /* double quotes, lists for tuples, fields in another order */
    "Genotype(reduce=[[\"max_pool_3x3\",0],[\"max_pool_3x3\",1],"
    "[\"skip_connect\",2],[\"max_pool_3x3\",1],[\"max_pool_3x3\",0],"
    "[\"skip_connect\",2],[\"skip_connect\",2],[\"max_pool_3x3\",1]],"
    "reduce_concat=[2,3,4,5],normal=[[\"sep_conv_3x3\",0],"
    "[\"sep_conv_3x3\",1],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1],"
    "[\"sep_conv_3x3\",1],[\"skip_connect\",0],[\"skip_connect\",0],"
    "[\"dil_conv_3x3\",2]],normal_concat=[2,3,4,5])",
  };
  GnSpace *space = test_space_load ("darts.lua");
  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      GError *error = NULL;
      char *canon = gn_space_canonicalize (space, forms[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (canon, ==, darts_v2);
      g_free (canon);
    }
  /* the order of a node's two edges is kept in the string, not the hash */
  char *swapped = g_strdup (darts_v2);
  char *at = strstr (swapped, "('sep_conv_3x3', 0), ('sep_conv_3x3', 1)");
  memcpy (at, "('sep_conv_3x3', 1), ('sep_conv_3x3', 0)", 40);
  GError *error = NULL;
  char *h1 = gn_space_hash (space, darts_v2, &error);
  char *h2 = gn_space_hash (space, swapped, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (h1, ==, h2);
  char *c2 = gn_space_canonicalize (space, swapped, &error);
  g_assert_cmpstr (c2, ==, swapped);
  g_free (c2);
  g_free (h1);
  g_free (h2);
  g_free (swapped);
  gn_space_free (space);
}

/* The genotype of an architecture is DARTS's literal: the canonical
 * string of darts.lua, and of an NDS space without its width and depth
 * (which DARTS's code takes as --init_channels and --layers). */
static void
test_genotype_literal (void)
{
  GError *error = NULL;
  GnSpace *darts = test_space_load ("darts.lua");
  char *g = gn_space_genotype (darts, darts_v2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g, ==, darts_v2);
  g_free (g);
  gn_space_free (darts);

  GnSpace *nds = test_space_load ("nds-darts-in.lua");
  char *arch = g_strconcat (darts_v2, " width=32 depth=8", NULL);
  g = gn_space_genotype (nds, arch, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g, ==, darts_v2);
  g_free (g);
  g_assert_null (gn_space_genotype (nds, darts_v2, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
  g_clear_error (&error);
  g_free (arch);
  gn_space_free (nds);
}

/* A malformed genotype is one clear GN_SPACE_ERROR_ARCH. */
static void
test_genotype_errors (void)
{
  static const struct {
    const char *space, *arch, *message;
  } cases[] = {
    { "darts.lua", "", "expected 'Genotype('" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0)]",
      "expected ')' at the end" },
    { "darts.lua", "Genotype(normal=[], normal_concat=[2], reduce=[], "
      "reduce_concat=[2])", "'normal' must list two edges per node" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0), ('conv_9x9', 1)],"
      " normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect', 1)"
      "], reduce_concat=[2])", "normal edge 2: unknown operation 'conv_9x9'" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', "
      "2)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect',"
      " 1)], reduce_concat=[2])",
      "normal edge 2: node 2 cannot take input 2 (only 0 to 1)" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', "
      "1)], normal_concat=[2, 3], reduce=[('skip_connect', 0), "
      "('skip_connect', 1)], reduce_concat=[2])",
      "'normal_concat' names 3, not a node (2 to 2)" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', "
      "1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect',"
      " 1), ('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])",
      "the normal cell has 1 nodes, the reduction cell 2" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', "
      "1)], normal_concat=[2], normal_concat=[2])", "given twice" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', "
      "1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect',"
      " 1)], reduce_concat=[2]) width=32 depth=8", "are build options" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', "
      "1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect',"
      " 1)], colour=[2])", "unknown field 'colour'" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', "
      "1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect',"
      " 1)])", "the genotype has no 'reduce_concat'" },
    { "darts.lua", "Genotype(normal=[('sep_conv_3x3, 0)", "unterminated" },
    { "darts.lua", "Genotype(normal=[{}])", "unexpected '{'" },
    /* an NDS space: its node count, its ops, width and depth required */
    { "nds-darts-in.lua", darts_v2, "end with width=W depth=D" },
    { "nds-enas-in.lua", "Genotype(normal=[('sep_conv_3x3', 0), "
      "('sep_conv_3x3', 1)], normal_concat=[2], reduce=[('skip_connect', 0)"
      ", ('skip_connect', 1)], reduce_concat=[2]) width=32 depth=6",
      "this space's cells have 5 nodes of two edges (10 edges)" },
    { "nds-darts-in.lua", "Genotype(normal=[('sep_conv_3x3', 0), "
      "('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
      "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
      "('conv_7x1_1x7', 2)], normal_concat=[2, 3, 4, 5], reduce=[('none', "
      "0), ('none', 1), ('none', 0), ('none', 1), ('none', 0), ('none', 1), "
      "('none', 0), ('none', 1)], reduce_concat=[2, 3, 4, 5]) width=32 "
      "depth=6", "unknown operation 'conv_7x1_1x7'" },
    { "nds-darts-in.lua", "Genotype(normal=[('none', 0), ('none', 1), "
      "('none', 0), ('none', 1), ('none', 0), ('none', 1), ('none', 0), "
      "('none', 1)], normal_concat=[2, 3, 4, 5], reduce=[('none', 0), "
      "('none', 1), ('none', 0), ('none', 1), ('none', 0), ('none', 1), "
      "('none', 0), ('none', 1)], reduce_concat=[2, 3, 4, 5]) width=33 "
      "depth=6", "width must be an even number" },
    { "nds-darts-in.lua", "Genotype(normal=[('none', 0), ('none', 1), "
      "('none', 0), ('none', 1), ('none', 0), ('none', 1), ('none', 0), "
      "('none', 1)], normal_concat=[2, 3, 4, 5], reduce=[('none', 0), "
      "('none', 1), ('none', 0), ('none', 1), ('none', 0), ('none', 1), "
      "('none', 0), ('none', 1)], reduce_concat=[2, 3, 4, 5]) width=32 "
      "depth=6 height=2", "unexpected 'height' after the genotype" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GnSpace *space = test_space_load (cases[i].space);
      GError *error = NULL;
      char *canon = gn_space_canonicalize (space, cases[i].arch, &error);
      g_test_message ("case %zu: %s", i, error ? error->message : canon);
      g_assert_null (canon);
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      g_assert_null (strchr (error->message, '\n'));
      g_error_free (error);
      gn_space_free (space);
    }
}

/* Sampled and mutated architectures stay inside each space: canonical,
 * distinct inputs in DARTS, loose ends concatenated in ENAS, width and
 * depth from the space's lists. */
static void
test_sample_mutate (void)
{
  static const char *const names[] = {
    "darts.lua", "nds-darts-in.lua", "nds-enas-in.lua", "nds-amoeba-in.lua",
    "nds-nasnet-in.lua", "nds-pnas-in.lua", "nds-darts-fix-w-d-in.lua",
  };
  for (gsize s = 0; s < G_N_ELEMENTS (names); s++)
    {
      GnSpace *space = test_space_load (names[s]);
      GnRng rng;
      gn_rng_seed (&rng, 7 + s);
      GError *error = NULL;
      char *arch = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
      GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                g_free, NULL);
      for (int i = 0; i < 200; i++)
        {
          char *canon = gn_space_canonicalize (space, arch, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (canon, ==, arch);
          g_free (canon);
          if (strcmp (names[s], "darts.lua") == 0)
            {
              /* ('op', a), ('op', b) with a != b for each node, both
               * cells; no 'none' */
              int inputs[16], n = 0;
              for (const char *p = strstr (arch, "', "); p && n < 16;
                   p = strstr (p + 3, "', "))
                inputs[n++] = atoi (p + 3);
              g_assert_cmpint (n, ==, 16);
              for (int k = 0; k < n; k += 2)
                g_assert_cmpint (inputs[k], !=, inputs[k + 1]);
              g_assert_null (strstr (arch, "'none'"));
            }
          if (strstr (names[s], "fix-w-d") != NULL)
            g_assert_nonnull (strstr (arch, " width=32 depth=22"));
          g_hash_table_add (seen, g_strdup (arch));
          char *next = gn_space_mutate (space, arch, &rng, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (next, !=, arch);
          g_free (arch);
          arch = next;
        }
      g_assert_cmpuint (g_hash_table_size (seen), >, 150);
      g_hash_table_unref (seen);
      g_free (arch);
      gn_space_free (space);
    }
}

/* The ENAS space concatenates the loose ends: the nodes no node takes. */
static void
test_loose_ends (void)
{
  GnSpace *space = test_space_load ("nds-enas-in.lua");
  GnRng rng;
  gn_rng_seed (&rng, 3);
  for (int i = 0; i < 50; i++)
    {
      GError *error = NULL;
      char *arch = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
      /* node 6 (the last) is never an input: always concatenated */
      g_assert_nonnull (strstr (arch, "6], reduce=["));
      g_assert_nonnull (strstr (arch, "6]) width="));
      g_free (arch);
    }
  gn_space_free (space);
}

/* GenNAS's proxy network: 32x32 in, taps at 32, 16 and 8, and a training
 * step runs through every kind of operation of the NASNet op set. */
static void
test_proxy_network (void)
{
  static const char nasnet_all_ops[] =
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_5x5', 1), "
    "('sep_conv_7x7', 0), ('dil_conv_3x3', 2), ('conv_1x1', 3), "
    "('conv_3x3', 1), ('conv_3x1_1x3', 4), ('conv_7x1_1x7', 0), "
    "('avg_pool_3x3', 5), ('max_pool_3x3', 2)], normal_concat=[6], "
    "reduce=[('max_pool_5x5', 0), ('max_pool_7x7', 1), ('skip_connect', 0), "
    "('skip_connect', 1), ('sep_conv_3x3', 2), ('conv_7x1_1x7', 3), "
    "('conv_3x1_1x3', 0), ('avg_pool_3x3', 1), ('dil_conv_3x3', 4), "
    "('conv_1x1', 5)], reduce_concat=[6]) width=8 depth=3";
  GnSpace *space = test_space_load ("nds-nasnet-in.lua");
  GnBuildOptions o = { .batch = 2 };
  GError *error = NULL;
  GnNet *net = gn_space_build (space, nasnet_all_ops, &o, &error);
  g_assert_no_error (error);
  static const int sizes[] = { 32, 16, 8 };
  int taps[3];
  for (int s = 0; s < 3; s++)
    {
      char name[16];
      g_snprintf (name, sizeof name, "stage%d", s);
      taps[s] = gn_net_find_tap (net, name);
      g_assert_cmpint (taps[s], >=, 0);
      GnShape sh = gn_net_shape (net, taps[s]);
      g_assert_cmpint (sh.h, ==, sizes[s]);
      g_assert_cmpint (sh.w, ==, sizes[s]);
    }
  g_assert_true (gn_net_compile (net, FALSE, &error));
  g_assert_no_error (error);
  GnShape in = gn_net_shape (net, 0);
  float *x = gn_net_input (net);
  for (int i = 0; i < in.n * in.c * in.h * in.w; i++)
    x[i] = sinf (0.37f * (float) i);
  gn_net_forward (net, GN_MODE_TRAIN);
  GnShape out = gn_net_shape (net, taps[2]);
  const float *y = gn_net_value (net, taps[2]);
  float *dy = gn_net_grad (net, taps[2]);
  double sum = 0;
  for (int i = 0; i < out.n * out.c * out.h * out.w; i++)
    {
      g_assert_true (isfinite (y[i]));
      dy[i] = 1.f / (float) (i + 1);
      sum += fabs (y[i]);
    }
  g_assert_cmpfloat (sum, >, 0);
  gn_net_zero_grad (net);
  gn_net_backward (net);
  guint n_params;
  const GnParam *p = gn_net_params (net, &n_params);
  guint with_grad = 0;
  for (guint i = 0; i < n_params; i++)
    {
      double g = 0;
      for (gsize j = 0; j < p[i].size; j++)
        g += fabs (p[i].grad[j]);
      g_assert_true (isfinite (g));
      with_grad += g > 0;
    }
  /* every parameter of the cells before the last tap gets a gradient,
   * except those that lead only to taps 0 and 1 (none here: the last
   * tap sees all); allow the classifier-free net's few dead ends */
  g_assert_cmpuint (with_grad, >, n_params * 9 / 10);
  gn_net_free (net);

  /* published: ImageNet stems at stride 2, taps at 28, 14 and 7 */
  o = (GnBuildOptions) { .batch = 1, .in_h = 224, .in_w = 224,
                         .published = TRUE };
  net = gn_space_build (space, nasnet_all_ops, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gn_net_shape (net, gn_net_find_tap (net, "stage2")).h, ==,
                   7);
  gn_net_free (net);
  gn_space_free (space);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nds/params", test_nds_params);
  g_test_add_func ("/nds/known-genotypes", test_known_genotypes);
  g_test_add_func ("/nds/genotype-forms", test_genotype_forms);
  g_test_add_func ("/nds/genotype-errors", test_genotype_errors);
  g_test_add_func ("/nds/genotype-literal", test_genotype_literal);
  g_test_add_func ("/nds/sample-mutate", test_sample_mutate);
  g_test_add_func ("/nds/loose-ends", test_loose_ends);
  g_test_add_func ("/nds/proxy-network", test_proxy_network);
  return g_test_run ();
}
