/* test-anynet.c - the NDS AnyNet spaces (ResNeXt-A, ResNeXt-B, ResNet,
 * Vanilla on ImageNet) against NDS's records: strings, sizes, sampling,
 * mutation and GenNAS's proxy network
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "spaces.h"
#include "gradcheck.h"

#include <math.h>
#include <string.h>

/* What the tests know of each space, written out here rather than read
 * from the space file, so that a wrong space file fails. */
typedef struct {
  const char *file, *table;
  int stages;                  /* after the stem                        */
  int stem_stride;
  const char *block;
  int stem_widths[4], depths[16], widths[16], groups[8];
  double bot_muls[4];
  double max_params;
} Space;

static const Space SPACES[] = {
  { "nds-resnext-a-in.lua", "ResNeXt-A_in.csv", 3, 8,
    "res_bottleneck_block", { 64 }, { 1, 2, 4, 8, 16 },
    { 16, 32, 64, 128, 256 }, { 1, 2, 4 }, { 1, 0.5, 0.25 }, 8e6 },
  { "nds-resnext-b-in.lua", "ResNeXt-B_in.csv", 3, 8,
    "res_bottleneck_block", { 64 }, { 1, 2, 4, 8, 16 },
    { 64, 128, 256, 512, 1024 }, { 1, 2, 4, 8, 16 }, { 1, 0.5, 0.25 },
    8e6 },
  { "nds-resnet-lr-wd-in.lua", "ResNet_lr-wd_in.csv", 4, 4,
    "res_basic_block", { 16, 32, 64 },
    { 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24 },
    { 16, 32, 48, 64, 96, 128, 192, 256, 384, 512 }, { 0 }, { 0 }, 6e6 },
  { "nds-vanilla-lr-wd-in.lua", "Vanilla_lr-wd_in.csv", 4, 4,
    "double_plain_block", { 16, 32, 64 },
    { 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24 },
    { 16, 32, 48, 64, 96, 128, 192, 256, 384, 512 }, { 0 }, { 0 }, 6e6 },
};

static GnTable *
load_table (const char *name)
{
  GError *error = NULL;
  char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "nds", name,
                                      NULL);
  GnTable *t = gn_table_load (path, &error);
  g_assert_no_error (error);
  g_free (path);
  return t;
}

static double
number_at (GnTable *t, int row, int col)
{
  GError *error = NULL;
  double v;
  g_assert_true (gn_table_get_double (t, row, col, &v, &error));
  g_assert_no_error (error);
  return v;
}

static int
column (GnTable *t, const char *name)
{
  GError *error = NULL;
  int c = gn_table_find_column (t, name, &error);
  g_assert_no_error (error);
  return c;
}

/* The network as NDS trained it: 224x224, 1000 classes. */
static GnNet *
build_published (GnSpace *space, const char *arch)
{
  int size, classes;
  gn_space_published_input (space, &size, &classes);
  g_assert_cmpint (size, ==, 224);
  g_assert_cmpint (classes, ==, 1000);
  return test_space_build_published (space, arch, NULL, size, classes);
}

static GnNet *
build_proxy (GnSpace *space, const char *arch, int batch,
             const char *const *options)
{
  GError *error = NULL;
  GnBuildOptions opts = { .batch = batch, .options = options };
  GnNet *net = gn_space_build (space, arch, &opts, &error);
  g_assert_no_error (error);
  return net;
}

/* ------------------------------------------------------------------ */
/* a canonical string, read back in C                                  */
/* ------------------------------------------------------------------ */

typedef struct {
  char block[32];
  int n;                       /* entries, the stem's included          */
  double ds[8], ws[8], ss[8], bms[8], gs[8];
  gboolean has_bottleneck;
} Arch;

static int
read_list (const char *s, const char *key, double *out)
{
  char *pat = g_strdup_printf (" %s=[", key);
  const char *p = strstr (s, pat);
  int n = 0;
  if (p != NULL)
    {
      p += strlen (pat);
      while (*p != ']')
        {
          char *end;
          g_assert_cmpint (n, <, 8);
          out[n++] = g_ascii_strtod (p, &end);
          g_assert_true (end != p);
          p = *end == ',' ? end + 1 : end;
        }
    }
  g_free (pat);
  return n;
}

static Arch
read_arch (const char *s)
{
  Arch a;
  memset (&a, 0, sizeof a);
  g_assert_true (g_str_has_prefix (s, "block_type="));
  const char *sp = strchr (s, ' ');
  g_assert_nonnull (sp);
  g_assert_cmpint (sp - s - 11, <, (int) sizeof a.block);
  memcpy (a.block, s + 11, sp - s - 11);
  a.n = read_list (s, "ds", a.ds);
  g_assert_cmpint (read_list (s, "ws", a.ws), ==, a.n);
  g_assert_cmpint (read_list (s, "ss", a.ss), ==, a.n);
  int nb = read_list (s, "bot_muls", a.bms);
  int ng = read_list (s, "num_gs", a.gs);
  g_assert_cmpint (nb, ==, ng);
  a.has_bottleneck = nb > 0;
  if (a.has_bottleneck)
    g_assert_cmpint (nb, ==, a.n);
  return a;
}

static gboolean
in_ints (const int *set, int len, double v)
{
  for (int i = 0; i < len && set[i] != 0; i++)
    if (set[i] == v)
      return TRUE;
  return FALSE;
}

/* The string is inside the space's definition, as the paper and the
 * records define it. */
static void
assert_in_space (const Space *sp, const Arch *a)
{
  g_assert_cmpstr (a->block, ==, sp->block);
  g_assert_cmpint (a->n, ==, sp->stages + 1);
  g_assert_cmpfloat (a->ds[0], ==, 1);
  g_assert_cmpfloat (a->ss[0], ==, sp->stem_stride);
  g_assert_true (in_ints (sp->stem_widths, 4, a->ws[0]));
  gboolean bottleneck = strcmp (sp->block, "res_bottleneck_block") == 0;
  g_assert_cmpint (a->has_bottleneck, ==, bottleneck);
  for (int k = 1; k < a->n; k++)
    {
      g_assert_cmpfloat (a->ss[k], ==, k == 1 ? 1 : 2);
      g_assert_true (in_ints (sp->depths, 16, a->ds[k]));
      g_assert_true (in_ints (sp->widths, 16, a->ws[k]));
      if (bottleneck)
        {
          g_assert_true (a->bms[k] == 1 || a->bms[k] == 0.5
                         || a->bms[k] == 0.25);
          g_assert_true (in_ints (sp->groups, 8, a->gs[k]));
          double wb = a->ws[k] * a->bms[k];
          g_assert_cmpfloat (fmod (wb, a->gs[k]), ==, 0);
        }
    }
}

/* genes that differ: the stem's width and each stage's d, w, b, g */
static int
genes_differing (const Arch *a, const Arch *b)
{
  g_assert_cmpint (a->n, ==, b->n);
  int d = a->ws[0] != b->ws[0];
  for (int k = 1; k < a->n; k++)
    d += (a->ds[k] != b->ds[k]) + (a->ws[k] != b->ws[k])
         + (a->bms[k] != b->bms[k]) + (a->gs[k] != b->gs[k]);
  return d;
}

/* ------------------------------------------------------------------ */

/* Every record: its arch is canonical, its net_json reads as the same
 * architecture, and the network as published has exactly NDS's number of
 * parameters; NDS's flops are the MACs of convolutions and the classifier
 * (bias included) plus 5 per batch-norm output element, the space's
 * rule (published.flops = "nds-anynet"). */
static void
test_records (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (SPACES); i++)
    {
      const Space *sp = &SPACES[i];
      GnSpace *space = test_space_load (sp->file);
      GnTable *t = load_table (sp->table);
      int c_arch = column (t, "arch"), c_json = column (t, "net_json");
      int c_params = column (t, "params"), c_flops = column (t, "flops");
      int rows = (int) gn_table_n_rows (t), params_equal = 0, flops_equal = 0;
      g_assert_cmpint (gn_space_published_flops (space), ==,
                       GN_FLOPS_NDS_ANYNET);
      for (int r = 0; r < rows; r++)
        {
          GError *error = NULL;
          const char *arch = gn_table_get (t, r, c_arch);
          char *canon = gn_space_canonicalize (space, arch, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (canon, ==, arch);
          char *from_json = gn_space_canonicalize (
            space, gn_table_get (t, r, c_json), &error);
          g_assert_no_error (error);
          g_assert_cmpstr (from_json, ==, arch);
          Arch a = read_arch (arch);
          assert_in_space (sp, &a);

          GnNet *net = build_published (space, arch);
          double params = number_at (t, r, c_params);
          double flops = number_at (t, r, c_flops);
          double macs = gn_net_count_macs (net);
          params_equal += (double) gn_net_count_params (net) == params;
          flops_equal += gn_net_count_flops (net, GN_FLOPS_NDS_ANYNET)
                         == flops;
          if ((double) gn_net_count_params (net) != params)
            g_test_message ("%s row %d: %zu parameters, NDS %.0f", sp->table,
                            r, gn_net_count_params (net), params);
          g_assert_cmpfloat (macs, <, flops);
          gn_net_free (net);
          g_free (canon);
          g_free (from_json);
        }
      g_test_message ("%s: %d of %d rows with NDS's parameters, %d with its "
                      "flops as MACs + 5 per BN output", sp->table,
                      params_equal, rows, flops_equal);
      g_assert_cmpint (params_equal, ==, rows);
      g_assert_cmpint (flops_equal, ==, rows);
      gn_table_free (t);
      gn_space_free (space);
    }
}

/* Malformed strings: one line (GN_SPACE_ERROR_ARCH) that says what is
 * wrong; strings of another space: what the space does not allow. */
static void
test_decode_errors (void)
{
  static const struct {
    const char *file, *arch, *says;
  } cases[] = {
    { "nds-resnext-a-in.lua", "", "empty" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block",
      "missing ds" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block ds=[1,2,2] "
      "ws=[64,16,16] ss=[8,1,2] bot_muls=[1,1,1] num_gs=[1,1,1]",
      "at least 3 stages" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ws has 3 entries and ds 4" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,0,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ds[2] = 0" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,-16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ws[2] = -16" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,0,1] "
      "num_gs=[1,1,1,1]", "bot_muls[2] = 0" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,0.25,1] "
      "num_gs=[1,1,3,1]", "num_gs[2] = 3 groups do not divide the "
      "bottleneck width 4" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,0.3,1] "
      "num_gs=[1,1,1,1]", "must be a whole number" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16,16] ss=[8,1,2,2]", "bot_muls has 0 "
      "entries" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2.5,2,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ds[1] must be a whole number, not 2.5" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[2,2,2,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ds[0] = 2: the first entry is the stem" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16,16] ss=[2,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ss[0] = 2" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16,16] ss=[8,1,3,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ss[2] = 3" },
    { "nds-resnext-a-in.lua", "block_type=inverted_block ds=[1,2,2,2] "
      "ws=[64,16,16,16] ss=[8,1,2,2]", "unknown block_type 'inverted_block'" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1] se_r=[0.25]", "unknown field 'se_r'" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ds=[1,2,2,2]", "ds given twice" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2", "expected ',' or ']' in ds at the end" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,x,2]", "expected a number in ds" },
    { "nds-resnext-a-in.lua", "{\"block_type\":\"res_bottleneck_block\","
      "\"ds\":[1,2,2,2],\"ws\":[64,16,16,16],\"ss\":[8,1,2,2],"
      "\"bot_muls\":[1.0,1,1,1],\"num_gs\":[1,1,1,1]", "',' or '}'" },
    { "nds-resnext-a-in.lua", "{\"block_type\": \"res_bottleneck_block\"} x",
      "unexpected text after '}'" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block ds=[1,2,2,2] "
      "ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] num_gs=[1,1,1,1] "
      "\x01", "unexpected '\\x01'" },
    { "nds-resnext-a-in.lua", "block_type=res_basic_block ds=[1,2,2,2] "
      "ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1]",
      "res_basic_block takes no bot_muls" },
    /* well-formed, outside the space */
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,3,2,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ds[1] = 3 is not one of this space's choices "
      "(1, 2, 4, 8, 16)" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,512,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,1,1]", "ws[1] = 512 is not one of" },
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,16,16,16] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,8,1]", "num_gs[2] = 8 is not one of" },
    { "nds-resnext-b-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,2,2] ws=[64,64,64,64] ss=[8,1,2,2] bot_muls=[1,1,1,1] "
      "num_gs=[1,1,32,1]", "num_gs[2] = 32 is not one of" },
    { "nds-resnext-a-in.lua", "block_type=res_basic_block ds=[1,2,2,2] "
      "ws=[64,16,16,16] ss=[8,1,2,2]", "block_type res_basic_block is not "
      "this space's" },
    { "nds-resnet-lr-wd-in.lua", "block_type=res_basic_block ds=[1,2,2,2] "
      "ws=[64,16,16,16] ss=[4,1,2,2]", "3 stages; this space has 4" },
    { "nds-resnet-lr-wd-in.lua", "block_type=res_basic_block "
      "ds=[1,2,2,2,2] ws=[24,16,16,16,16] ss=[4,1,2,2,2]",
      "ws[0] = 24 is not one of this space's stem widths (16, 32, 64)" },
    { "nds-resnet-lr-wd-in.lua", "block_type=res_basic_block "
      "ds=[1,2,2,2,2] ws=[16,16,16,16,16] ss=[8,1,2,2,2]",
      "ss[0] = 8; this space's stem has stride 4" },
    { "nds-vanilla-lr-wd-in.lua", "block_type=double_plain_block "
      "ds=[1,2,2,2,2] ws=[16,16,16,16,16] ss=[4,1,1,2,2]",
      "this space's strides are [4,1,2,2,2]" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GnSpace *space = test_space_load (cases[i].file);
      char *c = gn_space_canonicalize (space, cases[i].arch, &error);
      g_assert_null (c);
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_ARCH);
      g_test_message ("%s", error->message);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("case %zu: expected '%s' in '%s'", i, cases[i].says,
                 error->message);
      g_assert_null (strchr (error->message, '\n'));
      g_clear_error (&error);
      gn_space_free (space);
    }

  /* tolerant reading: spacing, order, 1.0, the stem's bot_mul 0 (NDS's
   * CIFAR records) */
  GnSpace *space = test_space_load ("nds-resnext-a-in.lua");
  GError *error = NULL;
  const char *want = "block_type=res_bottleneck_block ds=[1,2,2,2] "
    "ws=[64,16,128,128] ss=[8,1,2,2] bot_muls=[1,0.25,0.5,0.25] "
    "num_gs=[1,2,4,2]";
  static const char *const same[] = {
    "  num_gs = [ 1, 2, 4, 2 ]  ds=[1,2,2,2] ws=[64,16,128,128]\t"
    "ss=[8,1,2,2] bot_muls=[0,0.25,0.50,2.5e-1] "
    "block_type=res_bottleneck_block ",
    "{ \"ws\": [64, 16, 128, 128], \"ss\": [8.0, 1, 2, 2], "
    "\"block_type\": \"res_bottleneck_block\", \"ds\": [1, 2, 2, 2], "
    "\"bot_muls\": [1.0, 0.25, 0.5, 0.25], \"num_gs\": [1, 2, 4, 2] }",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (same); i++)
    {
      char *c = gn_space_canonicalize (space, same[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (c, ==, want);
      g_free (c);
    }
  gn_space_free (space);
}

/* Sampling is seeded and stays inside the space and its parameter bound;
 * a mutation changes one gene to another of its choices and stays inside
 * the bound too. */
static void
test_sample_mutate (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (SPACES); i++)
    {
      const Space *sp = &SPACES[i];
      GnSpace *space = test_space_load (sp->file);
      GError *error = NULL;
      GnRng a, b, m;
      gn_rng_seed (&a, 42);
      gn_rng_seed (&b, 42);
      gn_rng_seed (&m, 43);
      GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                g_free, NULL);
      enum { N = 200 };
      for (int k = 0; k < N; k++)
        {
          char *arch = gn_space_sample (space, &a, &error);
          g_assert_no_error (error);
          char *again = gn_space_sample (space, &b, &error);
          g_assert_cmpstr (arch, ==, again);
          char *canon = gn_space_canonicalize (space, arch, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (canon, ==, arch);
          Arch x = read_arch (arch);
          assert_in_space (sp, &x);
          GnNet *net = build_published (space, arch);
          g_assert_cmpfloat (gn_net_count_params (net), <=, sp->max_params);
          gn_net_free (net);

          char *child = gn_space_mutate (space, arch, &m, &error);
          g_assert_no_error (error);
          Arch y = read_arch (child);
          assert_in_space (sp, &y);
          g_assert_cmpint (genes_differing (&x, &y), ==, 1);
          net = build_published (space, child);
          g_assert_cmpfloat (gn_net_count_params (net), <=, sp->max_params);
          gn_net_free (net);

          g_hash_table_add (seen, arch);
          g_free (again);
          g_free (canon);
          g_free (child);
        }
      g_assert_cmpuint (g_hash_table_size (seen), ==, N);
      g_hash_table_unref (seen);

      /* mutation takes no options */
      const char *const bad[] = { "one_edge=true", NULL };
      char *arch = gn_space_sample (space, &a, &error);
      g_assert_null (gn_space_mutate_full (space, arch, &a, bad, &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_SCRIPT);
      g_clear_error (&error);
      g_free (arch);
      gn_space_free (space);
    }
}

/* Sampling draws every choice of every gene, and a sample over the bound
 * is never drawn: over 2,000 samples of ResNeXt-A every depth, width,
 * bottleneck multiplier and group count shows up in every stage. */
static void
test_sample_coverage (void)
{
  GnSpace *space = test_space_load ("nds-resnext-a-in.lua");
  GError *error = NULL;
  GnRng rng;
  gn_rng_seed (&rng, 5);
  int d[4][17] = { { 0 } }, w[4][257] = { { 0 } }, g[4][5] = { { 0 } };
  int bq[4][5] = { { 0 } };
  for (int k = 0; k < 2000; k++)
    {
      char *arch = gn_space_sample (space, &rng, &error);
      g_assert_no_error (error);
      Arch a = read_arch (arch);
      for (int s = 1; s <= 3; s++)
        {
          d[s][(int) a.ds[s]]++;
          w[s][(int) a.ws[s]]++;
          g[s][(int) a.gs[s]]++;
          bq[s][(int) (4 * a.bms[s])]++;
        }
      g_free (arch);
    }
  for (int s = 1; s <= 3; s++)
    {
      for (int v = 1; v <= 16; v *= 2)
        g_assert_cmpint (d[s][v], >, 200);
      for (int v = 16; v <= 256; v *= 2)
        g_assert_cmpint (w[s][v], >, 150);
      for (int v = 1; v <= 4; v *= 2)
        {
          g_assert_cmpint (g[s][v], >, 400);
          g_assert_cmpint (bq[s][v], >, 400);
        }
    }
  gn_space_free (space);
}

static void
assert_tap (GnNet *net, const char *tap, int c, int hw)
{
  int node = gn_net_find_tap (net, tap);
  g_assert_cmpint (node, >=, 0);
  GnShape s = gn_net_shape (net, node);
  if (s.c != c || s.h != hw || s.w != hw)
    g_error ("tap %s: %dx%dx%d, expected %dx%dx%d", tap, s.c, s.h, s.w, c,
             hw, hw);
  /* pre-ReLU: the residual sum, or the plain block's last batch norm */
  const char *op = gn_net_op_name (net, node);
  if (strcmp (op, "add") != 0 && strcmp (op, "batchnorm") != 0)
    g_error ("tap %s is a %s, not the block's output before its ReLU", tap,
             op);
}

/* One forward and backward pass in training mode with a random probe on
 * the three taps: the taps are not all non-negative (they come before
 * the ReLU), everything is finite and every convolution gets a
 * gradient. */
static void
forward_backward (GnNet *net)
{
  GError *error = NULL;
  g_assert_true (gn_net_compile (net, FALSE, &error));
  g_assert_no_error (error);
  GnRng rng;
  gn_rng_seed (&rng, 7);
  gn_net_init_params (net, &rng);
  GnShape in = gn_net_shape (net, 0);
  gc_fill (gn_net_input (net), (gsize) in.n * in.c * in.h * in.w, 3, -1.f,
           1.f);
  gn_net_forward (net, GN_MODE_TRAIN);
  gn_net_zero_grad (net);
  for (int s = 0; s < 3; s++)
    {
      char name[8];
      g_snprintf (name, sizeof name, "stage%d", s);
      int tap = gn_net_find_tap (net, name);
      GnShape sh = gn_net_shape (net, tap);
      gsize n = (gsize) sh.n * sh.c * sh.h * sh.w;
      const float *v = gn_net_value (net, tap);
      float lo = v[0];
      for (gsize j = 0; j < n; j++)
        {
          g_assert_true (isfinite (v[j]));
          lo = MIN (lo, v[j]);
        }
      g_assert_cmpfloat (lo, <, 0.f);
      gc_fill (gn_net_grad (net, tap), n, 11 + s, -1.f, 1.f);
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
}

/* GenNAS's proxy network: a 32x32 input, the last three stages' outputs
 * at 32, 16 and 8 pixels, their widths; as published the same taps at
 * 28, 14 and 7. */
static void
test_proxy (void)
{
  static const struct {
    const char *file, *arch;
    int c[3];
  } cases[] = {
    { "nds-resnext-a-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,2,1,2] ws=[64,32,16,64] ss=[8,1,2,2] bot_muls=[1,0.5,1,0.25] "
      "num_gs=[1,2,4,2]", { 32, 16, 64 } },
    { "nds-resnext-b-in.lua", "block_type=res_bottleneck_block "
      "ds=[1,1,2,1] ws=[64,64,128,64] ss=[8,1,2,2] "
      "bot_muls=[1,0.25,0.5,1] num_gs=[1,16,8,1]", { 64, 128, 64 } },
    { "nds-resnet-lr-wd-in.lua", "block_type=res_basic_block "
      "ds=[1,1,2,1,2] ws=[16,16,32,48,16] ss=[4,1,2,2,2]", { 32, 48, 16 } },
    { "nds-vanilla-lr-wd-in.lua", "block_type=double_plain_block "
      "ds=[1,2,1,1,1] ws=[32,16,16,32,64] ss=[4,1,2,2,2]", { 16, 32, 64 } },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GnSpace *space = test_space_load (cases[i].file);
      GnNet *net = build_proxy (space, cases[i].arch, 2, NULL);
      assert_tap (net, "stage0", cases[i].c[0], 32);
      assert_tap (net, "stage1", cases[i].c[1], 16);
      assert_tap (net, "stage2", cases[i].c[2], 8);
      g_assert_cmpint (gn_net_find_tap (net, "logits"), <, 0);
      forward_backward (net);
      gn_net_free (net);

      /* half the widths: the taps too */
      const char *const half[] = { "width_mult=0.5", NULL };
      net = build_proxy (space, cases[i].arch, 2, half);
      assert_tap (net, "stage0", cases[i].c[0] / 2, 32);
      assert_tap (net, "stage1", cases[i].c[1] / 2, 16);
      assert_tap (net, "stage2", cases[i].c[2] / 2, 8);
      forward_backward (net);
      gn_net_free (net);

      net = build_published (space, cases[i].arch);
      assert_tap (net, "stage0", cases[i].c[0], 28);
      assert_tap (net, "stage1", cases[i].c[1], 14);
      assert_tap (net, "stage2", cases[i].c[2], 7);
      int logits = gn_net_find_tap (net, "logits");
      g_assert_cmpint (logits, >=, 0);
      g_assert_cmpint (gn_net_shape (net, logits).c, ==, 1000);
      gn_net_free (net);
      gn_space_free (space);
    }
}

/* The proxy's parameters, counted by hand for one small ResNeXt: GenNAS's
 * 12-channel stem, the stem entry as a one-block stage, then the stages;
 * and with num_gs read as group widths (GenNAS's reading) the grouped
 * convolutions change. */
static void
test_proxy_params (void)
{
  GnSpace *space = test_space_load ("nds-resnext-a-in.lua");
  const char *arch = "block_type=res_bottleneck_block ds=[1,1,1,1] "
    "ws=[64,16,32,32] ss=[8,1,2,2] bot_muls=[1,1,0.5,0.25] "
    "num_gs=[1,2,4,2]";
  /* stem: conv 3->12 + BN */
  gsize stem = 3 * 12 * 9 + 24;
  /* s1: bottleneck 12 -> 64, w_b 64, groups g0: proj 12*64 + BN, a
   * 12*64 + BN, b 64*64*9/g0 + BN, c 64*64 + BN */
#define S1(g0) (12 * 64 + 128 + 12 * 64 + 128 + 64 * 64 * 9 / (g0) + 128 \
                + 64 * 64 + 128)
  /* stage 1: 64 -> 16, w_b 16, 2 groups (or 16 / 2 = 8) */
#define ST1(g) (64 * 16 + 32 + 64 * 16 + 32 + 16 * 16 * 9 / (g) + 32 \
                + 16 * 16 + 32)
  /* stage 2: 16 -> 32 stride 2, w_b 16, 4 groups (or 16 / 4 = 4) */
#define ST2(g) (16 * 32 + 64 + 16 * 16 + 32 + 16 * 16 * 9 / (g) + 32 \
                + 16 * 32 + 64)
  /* stage 3: 32 -> 32 stride 2, w_b 8, 2 groups (or 8 / 2 = 4) */
#define ST3(g) (32 * 32 + 64 + 32 * 8 + 16 + 8 * 8 * 9 / (g) + 16 \
                + 8 * 32 + 64)
  GnNet *net = build_proxy (space, arch, 1, NULL);
  g_assert_cmpuint (gn_net_count_params (net), ==,
                    stem + S1 (1) + ST1 (2) + ST2 (4) + ST3 (2));
  gn_net_free (net);
  const char *const gennas[] = { "num_gs_as_width=true", NULL };
  net = build_proxy (space, arch, 1, gennas);
  g_assert_cmpuint (gn_net_count_params (net), ==,
                    stem + S1 (64) + ST1 (8) + ST2 (4) + ST3 (4));
  gn_net_free (net);
  const char *const stem24[] = { "stem_w=24", NULL };
  net = build_proxy (space, arch, 1, stem24);
  g_assert_cmpuint (gn_net_count_params (net), ==,
                    stem * 2 + S1 (1) + 2 * 12 * 64 + ST1 (2) + ST2 (4)
                    + ST3 (2));
  gn_net_free (net);
#undef S1
#undef ST1
#undef ST2
#undef ST3

  /* bad options: one line naming the option */
  static const char *const bad[][2] = {
    { "width_mult=0", "width_mult" },
    { "width_mult=-1", "width_mult" },
    { "stem_w=0", "stem_w" },
    { "stem_w=2.5", "stem_w" },
    { "depth=3", "unknown option 'depth'" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      const char *const opt[] = { bad[i][0], NULL };
      GnBuildOptions o = { .batch = 1, .options = opt };
      g_assert_null (gn_space_build (space, arch, &o, &error));
      g_assert_nonnull (error);
      if (strstr (error->message, bad[i][1]) == NULL)
        g_error ("%s: expected '%s' in '%s'", bad[i][0], bad[i][1],
                 error->message);
      g_clear_error (&error);
    }
  gn_space_free (space);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/anynet/records", test_records);
  g_test_add_func ("/anynet/decode-errors", test_decode_errors);
  g_test_add_func ("/anynet/sample-mutate", test_sample_mutate);
  g_test_add_func ("/anynet/sample-coverage", test_sample_coverage);
  g_test_add_func ("/anynet/proxy", test_proxy);
  g_test_add_func ("/anynet/proxy-params", test_proxy_params);
  return g_test_run ();
}
