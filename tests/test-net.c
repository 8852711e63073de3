/* test-net.c - the network IR: building errors, counting, initialisation,
 * memory planning, end-to-end gradients and a training run
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "gn-plan.h"
#include "gradcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* building                                                            */
/* ------------------------------------------------------------------ */

static void
test_build_errors (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (2, 4, 8, 8);

  GnConv2dSpec bad_groups = { .out_c = 6, .kh = 3, .pad_h = 1, .groups = 4 };
  g_assert_cmpint (gn_net_conv2d (net, 0, &bad_groups, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_cmpint (gn_net_relu (net, 7, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  GnConv2dSpec down = { .out_c = 4, .kh = 3, .stride_h = 2, .pad_h = 1 };
  int a = gn_net_conv2d (net, 0, &down, &error);
  g_assert_no_error (error);
  int pair[2] = { 0, a };
  g_assert_cmpint (gn_net_add (net, 2, pair, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "shape"));
  g_clear_error (&error);
  g_assert_cmpint (gn_net_concat (net, 2, pair, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_add (net, 0, pair, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_cmpint (gn_net_maxpool (net, 0, 3, 1, 2, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_linear (net, 0, 0, TRUE, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_zero (net, 0, 0, 0, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* a crop window must be non-empty, overlap x, and not overflow */
  g_assert_cmpint (gn_net_crop (net, 0, 0, 0, 0, 4, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_crop (net, 0, 8, 0, 2, 2, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_crop (net, 0, 0, -2, 2, 2, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_crop (net, 0, G_MININT, 0, G_MAXINT, 2, &error),
                   ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_crop (net, 0, 0, 0, 1 << 16, 1 << 16, &error), ==,
                   -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* no tap: nothing to compute */
  g_assert_false (gn_net_compile (net, FALSE, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (gn_net_tap (net, a, "out", &error));
  g_assert_false (gn_net_tap (net, 0, "out", &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (gn_net_find_tap (net, "out"), ==, a);
  g_assert_cmpint (gn_net_find_tap (net, "missing"), ==, -1);

  g_assert_true (gn_net_compile (net, FALSE, &error));
  g_assert_cmpint (gn_net_relu (net, 0, &error), ==, -1);
  g_assert_error (error, GN_ERROR, GN_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (gn_net_compile (net, FALSE, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_STATE);
  g_clear_error (&error);
  gn_net_free (net);
}

static void
test_shapes_and_counts (void)
{
  GError *error = NULL;
  /* the NAS-Bench-201 stem and classifier: conv3x3 3->16 (no bias),
   * BN(16), global pooling and a 64->10 linear on an 8x8 map */
  GnNet *net = gn_net_new (4, 3, 32, 32);
  GnConv2dSpec stem = { .out_c = 16, .kh = 3, .pad_h = 1, .pad_w = 1 };
  int c = gn_net_conv2d (net, 0, &stem, &error);
  int b = gn_net_batchnorm (net, c, TRUE, TRUE, &error);
  GnConv2dSpec red = { .out_c = 64, .kh = 1, .stride_h = 4 };
  int r = gn_net_conv2d (net, b, &red, &error);
  int g = gn_net_global_avgpool (net, r, &error);
  int l = gn_net_linear (net, g, 10, TRUE, &error);
  g_assert_no_error (error);

  GnShape s = gn_net_shape (net, r);
  g_assert_cmpint (s.n, ==, 4);
  g_assert_cmpint (s.c, ==, 64);
  g_assert_cmpint (s.h, ==, 8);
  g_assert_cmpint (s.w, ==, 8);
  s = gn_net_shape (net, l);
  g_assert_cmpint (s.c, ==, 10);
  g_assert_cmpint (s.h, ==, 1);
  g_assert_cmpstr (gn_net_op_name (net, b), ==, "batchnorm");

  /* 432 + 32 + 1024 + 650 */
  g_assert_cmpuint (gn_net_count_params (net), ==, 432 + 32 + 16 * 64 + 650);
  /* per-sample MACs: stem 32*32*16*27, 1x1 8*8*64*16, fc 64*10 + 10 */
  g_assert_cmpfloat (gn_net_count_macs (net), ==,
                     32.0 * 32 * 16 * 27 + 8.0 * 8 * 64 * 16 + 650);

  int z = gn_net_zero (net, b, 32, 2, &error);
  g_assert_no_error (error);
  s = gn_net_shape (net, z);
  g_assert_cmpint (s.c, ==, 32);
  g_assert_cmpint (s.h, ==, 16);
  gn_net_free (net);
}

/* gn_net_node_info() gives back what each builder call was given, with
 * the defaults resolved, and the parameters per node add up */
static void
test_node_info (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (2, 4, 16, 12);
  GnConv2dSpec spec = { .out_c = 8, .kh = 1, .kw = 7, .stride_w = 2,
                        .pad_w = 3, .groups = 2, .bias = TRUE,
                        .init = GN_INIT_NORMAL_FAN_OUT };
  int conv = gn_net_conv2d (net, 0, &spec, &error);
  GnConv2dSpec dil = { .out_c = 8, .kh = 3, .pad_h = 2, .pad_w = 2,
                       .dil_h = 2 };
  int conv2 = gn_net_conv2d (net, conv, &dil, &error);
  int bn = gn_net_batchnorm (net, conv2, FALSE, TRUE, &error);
  int relu = gn_net_relu (net, bn, &error);
  int avg = gn_net_avgpool (net, relu, 3, 1, 1, FALSE, &error);
  int max = gn_net_maxpool (net, relu, 3, 2, 1, &error);
  int zero = gn_net_zero (net, relu, 5, 2, &error);
  int cat = gn_net_concat (net, 2, (int[]) { max, zero }, &error);
  int crop = gn_net_crop (net, cat, 1, -1, 8, 6, &error);
  int same = gn_net_identity (net, crop, &error);
  int up = gn_net_resize_nearest (net, same, 16, 12, &error);
  int sum = gn_net_add (net, 2, (int[]) { avg, avg }, &error);
  int gap = gn_net_global_avgpool (net, up, &error);
  int fc = gn_net_linear (net, gap, 3, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, sum, "stage0", &error));
  g_assert_true (gn_net_tap (net, fc, "logits", &error));
  g_assert_true (gn_net_tap (net, fc, "another", &error));

  GnNodeInfo info;
  gn_net_node_info (net, 0, &info);
  g_assert_cmpint (info.op, ==, GN_OP_INPUT);
  g_assert_cmpint (info.n_inputs, ==, 0);
  g_assert_cmpint (info.shape.c, ==, 4);

  gn_net_node_info (net, conv, &info);
  g_assert_cmpint (info.op, ==, GN_OP_CONV2D);
  g_assert_cmpint (info.n_inputs, ==, 1);
  g_assert_cmpint (info.inputs[0], ==, 0);
  g_assert_cmpint (info.conv.out_c, ==, 8);
  g_assert_cmpint (info.conv.kh, ==, 1);
  g_assert_cmpint (info.conv.kw, ==, 7);
  g_assert_cmpint (info.conv.stride_h, ==, 1);
  g_assert_cmpint (info.conv.stride_w, ==, 2);
  g_assert_cmpint (info.conv.pad_h, ==, 0);
  g_assert_cmpint (info.conv.pad_w, ==, 3);
  g_assert_cmpint (info.conv.dil_h, ==, 1);
  g_assert_cmpint (info.conv.dil_w, ==, 1);
  g_assert_cmpint (info.conv.groups, ==, 2);
  g_assert_true (info.conv.bias);
  g_assert_cmpint (info.conv.init, ==, GN_INIT_NORMAL_FAN_OUT);
  g_assert_cmpuint (info.n_params, ==, 8 * 2 * 1 * 7 + 8);
  g_assert_cmpint (info.shape.w, ==, 6);

  gn_net_node_info (net, conv2, &info);
  g_assert_cmpint (info.conv.dil_h, ==, 2);
  g_assert_cmpint (info.conv.dil_w, ==, 2);
  g_assert_cmpint (info.conv.kw, ==, 3);
  g_assert_cmpint (info.conv.stride_w, ==, 1);
  g_assert_cmpint (info.conv.groups, ==, 1);
  g_assert_false (info.conv.bias);
  g_assert_cmpint (info.conv.init, ==, GN_INIT_TORCH_DEFAULT);

  gn_net_node_info (net, bn, &info);
  g_assert_cmpint (info.op, ==, GN_OP_BATCHNORM);
  g_assert_false (info.affine);
  g_assert_true (info.track_running_stats);
  g_assert_cmpuint (info.n_params, ==, 0);

  gn_net_node_info (net, avg, &info);
  g_assert_cmpint (info.op, ==, GN_OP_AVGPOOL);
  g_assert_cmpint (info.k, ==, 3);
  g_assert_cmpint (info.stride, ==, 1);
  g_assert_cmpint (info.pad, ==, 1);
  g_assert_false (info.count_include_pad);
  gn_net_node_info (net, max, &info);
  g_assert_cmpint (info.op, ==, GN_OP_MAXPOOL);
  g_assert_cmpint (info.stride, ==, 2);

  gn_net_node_info (net, zero, &info);
  g_assert_cmpint (info.op, ==, GN_OP_ZERO);
  g_assert_cmpint (info.stride, ==, 2);
  g_assert_cmpint (info.shape.c, ==, 5);

  gn_net_node_info (net, cat, &info);
  g_assert_cmpint (info.op, ==, GN_OP_CONCAT);
  g_assert_cmpint (info.n_inputs, ==, 2);
  g_assert_cmpint (info.inputs[0], ==, max);
  g_assert_cmpint (info.inputs[1], ==, zero);
  g_assert_cmpint (info.shape.c, ==, 13);

  gn_net_node_info (net, crop, &info);
  g_assert_cmpint (info.op, ==, GN_OP_CROP);
  g_assert_cmpint (info.top, ==, 1);
  g_assert_cmpint (info.left, ==, -1);
  g_assert_cmpint (info.shape.h, ==, 8);
  g_assert_cmpint (info.shape.w, ==, 6);

  gn_net_node_info (net, same, &info);
  g_assert_cmpint (info.op, ==, GN_OP_IDENTITY);
  g_assert_cmpint (info.inputs[0], ==, crop);
  gn_net_node_info (net, up, &info);
  g_assert_cmpint (info.op, ==, GN_OP_RESIZE_NEAREST);
  g_assert_cmpint (info.shape.h, ==, 16);
  gn_net_node_info (net, sum, &info);
  g_assert_cmpint (info.op, ==, GN_OP_ADD);
  g_assert_cmpint (info.n_inputs, ==, 2);
  gn_net_node_info (net, gap, &info);
  g_assert_cmpint (info.op, ==, GN_OP_GLOBAL_AVGPOOL);

  gn_net_node_info (net, fc, &info);
  g_assert_cmpint (info.op, ==, GN_OP_LINEAR);
  g_assert_cmpint (info.in_features, ==, 13);
  g_assert_false (info.bias);
  g_assert_cmpint (info.shape.c, ==, 3);

  gsize params = 0;
  for (int i = 0; i < gn_net_n_nodes (net); i++)
    {
      gn_net_node_info (net, i, &info);
      g_assert_cmpstr (gn_net_op_name (net, i), !=, NULL);
      params += info.n_params;
    }
  g_assert_cmpuint (params, ==, gn_net_count_params (net));

  const char **taps = gn_net_tap_names (net);
  g_assert_cmpuint (g_strv_length ((char **) taps), ==, 3);
  g_assert_cmpstr (taps[0], ==, "another");
  g_assert_cmpstr (taps[1], ==, "logits");
  g_assert_cmpstr (taps[2], ==, "stage0");
  g_free (taps);
  gn_net_free (net);
}

/* ------------------------------------------------------------------ */
/* initialisation                                                      */
/* ------------------------------------------------------------------ */

static GnNet *
small_net (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (2, 3, 6, 6);
  GnConv2dSpec conv = { .out_c = 8, .kh = 3, .pad_h = 1, .pad_w = 1,
                        .bias = TRUE };
  int c = gn_net_conv2d (net, 0, &conv, &error);
  int b = gn_net_batchnorm (net, c, TRUE, TRUE, &error);
  int l = gn_net_linear (net, b, 5, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, l, "out", &error));
  g_assert_true (gn_net_compile (net, FALSE, &error));
  return net;
}

static void
test_init (void)
{
  GnNet *a = small_net (), *b = small_net ();
  GnRng ra, rb;
  gn_rng_seed (&ra, 11);
  gn_rng_seed (&rb, 11);
  gn_net_init_params (a, &ra);
  gn_net_init_params (b, &rb);

  guint n;
  const GnParam *pa = gn_net_params (a, &n);
  const GnParam *pb = gn_net_params (b, NULL);
  g_assert_cmpuint (n, ==, 6);
  for (guint i = 0; i < n; i++)
    g_assert_cmpmem (pa[i].value, pa[i].size * sizeof (float), pb[i].value,
                     pb[i].size * sizeof (float));

  /* conv weight and bias: U(±1/sqrt(27)); the variance of U(±b) is b²/3 */
  double bound = 1.0 / sqrt (27.0), sum2 = 0.0;
  for (guint k = 0; k < pa[0].size; k++)
    {
      g_assert_cmpfloat (fabs (pa[0].value[k]), <=, bound);
      sum2 += pa[0].value[k] * pa[0].value[k];
    }
  g_assert_cmpfloat (fabs (sum2 / pa[0].size - bound * bound / 3), <,
                     0.35 * bound * bound / 3);
  for (guint k = 0; k < pa[1].size; k++)
    g_assert_cmpfloat (fabs (pa[1].value[k]), <=, bound);
  /* batch norm: gamma 1, beta 0 */
  for (guint k = 0; k < pa[2].size; k++)
    {
      g_assert_cmpfloat (pa[2].value[k], ==, 1.f);
      g_assert_cmpfloat (pa[3].value[k], ==, 0.f);
    }
  /* linear: fan_in 8*6*6 */
  bound = 1.0 / sqrt (288.0);
  for (guint k = 0; k < pa[4].size; k++)
    g_assert_cmpfloat (fabs (pa[4].value[k]), <=, bound);

  /* another seed, other weights */
  gn_rng_seed (&rb, 12);
  gn_net_init_params (b, &rb);
  g_assert_cmpfloat (gc_max_abs_diff (pa[0].value, pb[0].value, pa[0].size),
                     >, 0.0);
  gn_net_free (a);
  gn_net_free (b);
}

static void
test_init_normal_fan_out (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (1, 16, 4, 4);
  GnConv2dSpec conv = { .out_c = 64, .kh = 3, .pad_h = 1, .pad_w = 1,
                        .init = GN_INIT_NORMAL_FAN_OUT };
  int c = gn_net_conv2d (net, 0, &conv, &error);
  g_assert_true (gn_net_tap (net, c, "out", &error));
  g_assert_true (gn_net_compile (net, FALSE, &error));
  const GnParam *p = gn_net_params (net, NULL);
  double s2 = 0.0, expect = 2.0 / (9.0 * 64);
  for (guint k = 0; k < p[0].size; k++)
    s2 += p[0].value[k] * p[0].value[k];
  /* 9216 draws: the sample variance is within 5% of N(0, 2/576) */
  g_assert_cmpfloat (fabs (s2 / p[0].size / expect - 1.0), <, 0.05);
  gn_net_free (net);
}

/* ------------------------------------------------------------------ */
/* memory planning                                                     */
/* ------------------------------------------------------------------ */

static void
test_plan_no_overlap (void)
{
  GnRng r;
  gn_rng_seed (&r, 5);
  enum { N = 300 };
  GnPlanBuffer b[N];
  for (int i = 0; i < N; i++)
    {
      int first = (int) gn_rng_below (&r, 200);
      b[i] = (GnPlanBuffer) { .size = 1 + gn_rng_below (&r, 5000),
                              .first = first,
                              .last = first + (int) gn_rng_below (&r, 40) };
    }
  gsize total = gn__plan_assign (b, N);
  gsize peak = gn__plan_peak_live (b, N);
  g_assert_cmpuint (total, >=, peak);
  g_assert_cmpuint (total, <, 2 * peak);   /* greedy packs well */
  for (int i = 0; i < N; i++)
    {
      g_assert_cmpuint (b[i].offset % GN_PLAN_ALIGN, ==, 0);
      g_assert_cmpuint (b[i].offset + b[i].size, <=, total);
      for (int j = i + 1; j < N; j++)
        {
          gboolean in_time = b[i].first <= b[j].last
                             && b[j].first <= b[i].last;
          gboolean in_space = b[i].offset < b[j].offset + b[j].size
                              && b[j].offset < b[i].offset + b[i].size;
          g_assert_false (in_time && in_space);
        }
    }
}

/* The planner as it first was: for each buffer, largest first, scan every
 * placed one for those living at the same time, sort them by offset and
 * take the lowest gap that fits.  Quadratic, and the definition of the
 * plan the fast one must reproduce. */
static gsize
align64 (gsize x)
{
  return (x + GN_PLAN_ALIGN - 1) / GN_PLAN_ALIGN * GN_PLAN_ALIGN;
}

static GnPlanBuffer *scan_bufs;   /* for the comparators */

static int
scan_by_size (const void *a, const void *b)
{
  const GnPlanBuffer *x = &scan_bufs[*(const guint *) a];
  const GnPlanBuffer *y = &scan_bufs[*(const guint *) b];
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return *(const guint *) a < *(const guint *) b ? -1 : 1;
}

static int
scan_by_offset (const void *a, const void *b)
{
  gsize x = scan_bufs[*(const guint *) a].offset;
  gsize y = scan_bufs[*(const guint *) b].offset;
  return x < y ? -1 : x > y ? 1 : 0;
}

static gsize
plan_by_scan (GnPlanBuffer *b, guint n)
{
  guint *order = g_new (guint, n), *placed = g_new (guint, n);
  guint *over = g_new (guint, n), n_placed = 0;
  gsize total = 0;
  scan_bufs = b;
  for (guint i = 0; i < n; i++)
    order[i] = i;
  qsort (order, n, sizeof *order, scan_by_size);
  for (guint k = 0; k < n; k++)
    {
      GnPlanBuffer *x = &b[order[k]];
      gsize need = align64 (x->size), at = 0;
      guint n_over = 0;
      x->offset = 0;
      if (need == 0)
        continue;
      for (guint p = 0; p < n_placed; p++)
        if (b[placed[p]].first <= x->last && x->first <= b[placed[p]].last)
          over[n_over++] = placed[p];
      qsort (over, n_over, sizeof *over, scan_by_offset);
      for (guint p = 0; p < n_over && b[over[p]].offset < at + need; p++)
        at = MAX (at, b[over[p]].offset + align64 (b[over[p]].size));
      x->offset = at;
      total = MAX (total, at + need);
      placed[n_placed++] = order[k];
    }
  g_free (over);
  g_free (placed);
  g_free (order);
  return total;
}

/* The fast planner gives every buffer the offset the scan gives it, on
 * random timelines of every density, empty intervals and sizes included,
 * so that no network's arena moves. */
static void
test_plan_same_as_scan (void)
{
  GnRng r;
  gn_rng_seed (&r, 11);
  for (int trial = 0; trial < 400; trial++)
    {
      guint n = 1 + (guint) gn_rng_below (&r, 300);
      int span = 1 + (int) gn_rng_below (&r, 200);
      int life = (int) gn_rng_below (&r, 60);
      GnPlanBuffer *a = g_new0 (GnPlanBuffer, n);
      for (guint i = 0; i < n; i++)
        {
          int first = (int) gn_rng_below (&r, span);
          a[i].first = first;
          a[i].last = gn_rng_below (&r, 40) == 0
                      ? first - 1 : first + (int) gn_rng_below (&r, life + 1);
          a[i].size = gn_rng_below (&r, 5) == 0 ? 0
                      : gn_rng_below (&r, 2) ? 64 * (1 + gn_rng_below (&r, 8))
                      : 1 + gn_rng_below (&r, 20000);
        }
      GnPlanBuffer *b = g_memdup2 (a, n * sizeof *a);
      g_assert_cmpuint (gn__plan_assign (a, n), ==, plan_by_scan (b, n));
      for (guint i = 0; i < n; i++)
        g_assert_cmpuint (a[i].offset, ==, b[i].offset);
      g_free (a);
      g_free (b);
    }
}

static int
by_first_then_offset (const void *a, const void *b)
{
  const GnPlanBuffer *x = *(GnPlanBuffer *const *) a;
  const GnPlanBuffer *y = *(GnPlanBuffer *const *) b;
  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return x->offset < y->offset ? -1 : x->offset > y->offset ? 1 : 0;
}

static int
by_last_ptr (const void *a, const void *b)
{
  int x = (*(GnPlanBuffer *const *) a)->last;
  int y = (*(GnPlanBuffer *const *) b)->last;
  return x < y ? -1 : x > y ? 1 : 0;
}

static int
by_offset_key (gconstpointer a, gconstpointer b, gpointer user)
{
  gsize x = ((const GnPlanBuffer *) a)->offset;
  gsize y = ((const GnPlanBuffer *) b)->offset;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* No two buffers alive at once share a byte, checked in O(n log n): walk
 * the births in order, keeping the live buffers in a tree by offset, and
 * look at the new one's neighbours there. */
static void
assert_plan_valid (GnPlanBuffer *b, guint n, gsize total)
{
  GnPlanBuffer **born = g_new (GnPlanBuffer *, n);
  GnPlanBuffer **dying = g_new (GnPlanBuffer *, n);
  guint m = 0, d = 0;
  for (guint i = 0; i < n; i++)
    if (b[i].size > 0 && b[i].first <= b[i].last)
      {
        g_assert_cmpuint (b[i].offset % GN_PLAN_ALIGN, ==, 0);
        g_assert_cmpuint (b[i].offset + b[i].size, <=, total);
        born[m] = dying[m] = &b[i];
        m++;
      }
  qsort (born, m, sizeof *born, by_first_then_offset);
  qsort (dying, m, sizeof *dying, by_last_ptr);
  GTree *live = g_tree_new_full (by_offset_key, NULL, NULL, NULL);
  for (guint k = 0; k < m; k++)
    {
      GnPlanBuffer *x = born[k];
      /* drop the dead: those whose life ended before x's birth */
      for (; d < m && dying[d]->last < x->first; d++)
        g_tree_remove (live, dying[d]);
      GTreeNode *after = g_tree_lower_bound (live, x);
      GTreeNode *before = after ? g_tree_node_previous (after)
                                : g_tree_node_last (live);
      if (after != NULL)
        g_assert_cmpuint (x->offset + x->size, <=,
                          ((GnPlanBuffer *) g_tree_node_key (after))->offset);
      if (before != NULL)
        {
          GnPlanBuffer *o = g_tree_node_key (before);
          g_assert_cmpuint (o->offset + o->size, <=, x->offset);
        }
      g_tree_insert (live, x, x);
    }
  g_tree_destroy (live);
  g_free (dying);
  g_free (born);
}

/* Plans of hundreds of thousands of buffers take seconds at most (the
 * scan took minutes): a long chain, and a timeline where every buffer
 * lives to the end, as the branches of one huge sum do, which is planned
 * by the sweep over time instead. */
static void
test_plan_large (void)
{
  enum { N = 400000 };
  GnPlanBuffer *b = g_new0 (GnPlanBuffer, N);
  for (guint i = 0; i < N; i++)
    b[i] = (GnPlanBuffer) { .size = 4096, .first = (int) i,
                            .last = (int) i + 2 };
  gsize total = gn__plan_assign (b, N);
  g_assert_cmpuint (total, ==, gn__plan_peak_live (b, N));
  assert_plan_valid (b, N, total);

  GnRng r;
  gn_rng_seed (&r, 4);
  for (guint i = 0; i < N; i++)
    b[i] = (GnPlanBuffer) { .size = 64 * (1 + gn_rng_below (&r, 4)),
                            .first = (int) i, .last = N };
  total = gn__plan_assign (b, N);
  g_assert_cmpuint (total, ==, gn__plan_peak_live (b, N));
  assert_plan_valid (b, N, total);

  /* lives of random lengths, some long */
  for (guint i = 0; i < N; i++)
    {
      int first = (int) gn_rng_below (&r, N);
      b[i] = (GnPlanBuffer) { .size = 64 * (1 + gn_rng_below (&r, 64)),
                              .first = first,
                              .last = first + (int) gn_rng_below (&r, 2000) };
    }
  total = gn__plan_assign (b, N);
  g_assert_cmpuint (total, >=, gn__plan_peak_live (b, N));
  g_assert_cmpuint (total, <, 2 * gn__plan_peak_live (b, N));
  assert_plan_valid (b, N, total);
  g_free (b);
}

/* A deep chain of relus reuses memory: the arena stays a few tensors big
 * instead of growing with the depth. */
static void
test_plan_reuse (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (8, 16, 16, 16);
  GnConv2dSpec conv = { .out_c = 16, .kh = 3, .pad_h = 1, .pad_w = 1 };
  int x = gn_net_conv2d (net, 0, &conv, &error);
  for (int i = 0; i < 50; i++)
    {
      int b = gn_net_batchnorm (net, x, FALSE, FALSE, &error);
      x = gn_net_avgpool (net, b, 3, 1, 1, FALSE, &error);
    }
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, x, "out", &error));
  g_assert_true (gn_net_compile (net, FALSE, &error));
  gsize tensor = 8 * 16 * 16 * 16 * sizeof (float);
  /* 101 nodes; batch norm (no affine) backward reads only its output and
   * average pooling nothing, so only the 50 batch-norm outputs stay alive
   * for the backward pass, plus a few gradients */
  g_assert_cmpuint (gn_net_arena_bytes (net), <=, 56 * tensor);
  g_assert_cmpuint (gn_net_arena_bytes (net), >=, 50 * tensor);
  gn_net_free (net);
}

/* A network of 300,000 nodes compiles in about a second: neither the
 * plan nor the order in which gradients are zeroed is quadratic. */
static void
test_compile_deep (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (1, 1, 2, 2);
  int x = 0;
  for (int i = 0; i < 300000; i++)
    x = gn_net_relu (net, x, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, x, "out", &error));
  g_assert_true (gn_net_compile (net, TRUE, &error));
  /* a relu's backward reads its output: every value stays alive, and
   * three gradients at most */
  g_assert_cmpuint (gn_net_arena_bytes (net), <=, 300004 * GN_PLAN_ALIGN);
  float *in = gn_net_input (net);
  for (int k = 0; k < 4; k++)
    in[k] = k - 1.5f;
  gn_net_forward (net, GN_MODE_TRAIN);
  float *y = gn_net_value (net, x);
  g_assert_cmpfloat (y[0], ==, 0.f);
  g_assert_cmpfloat (y[3], ==, 1.5f);
  float *dy = gn_net_grad (net, x);
  for (int k = 0; k < 4; k++)
    dy[k] = 1.f;
  gn_net_backward (net);
  float *dx = gn_net_grad (net, 0);
  g_assert_cmpfloat (dx[0], ==, 0.f);
  g_assert_cmpfloat (dx[3], ==, 1.f);
  gn_net_free (net);
}

/* A sum and a concatenation of two million inputs run: their pointer
 * lists are no longer on the stack (16 MB, twice the usual limit). */
static void
test_fan_in (void)
{
  enum { K = 2000000 };
  GError *error = NULL;
  int *xs = g_new (int, K);
  for (int kind = 0; kind < 2; kind++)
    {
      GnNet *net = gn_net_new (1, 1, 1, 1);
      int a = gn_net_relu (net, 0, &error);
      for (int i = 0; i < K; i++)
        xs[i] = i % 2 ? a : 0;
      int y = kind ? gn_net_concat (net, K, xs, &error)
                   : gn_net_add (net, K, xs, &error);
      g_assert_no_error (error);
      g_assert_true (gn_net_tap (net, y, "out", &error));
      g_assert_true (gn_net_compile (net, TRUE, &error));
      gn_net_input (net)[0] = 2.f;
      gn_net_forward (net, GN_MODE_TRAIN);
      float *v = gn_net_value (net, y), *dv = gn_net_grad (net, y);
      if (kind)
        {
          g_assert_cmpfloat (v[0], ==, 2.f);
          g_assert_cmpfloat (v[K - 1], ==, 2.f);
          for (int i = 0; i < K; i++)
            dv[i] = 1.f;
        }
      else
        {
          g_assert_cmpfloat (v[0], ==, 2.f * K);
          dv[0] = 1.f;
        }
      gn_net_backward (net);
      /* every input passes its gradient on, through the relu or not */
      g_assert_cmpfloat (gn_net_grad (net, 0)[0], ==, (float) K);
      gn_net_free (net);
    }
  g_free (xs);
}

/* ------------------------------------------------------------------ */
/* end-to-end gradients through a multi-branch network                 */
/* ------------------------------------------------------------------ */

typedef struct {
  GnNet *net;
  int tap_a, tap_b;
  float *input;       /* the batch the check perturbs */
  float *ra, *rb;     /* probe weights per tap */
  gsize na, nb, n_in;
  GnMode mode;
} Probe;

static double
probe_loss (gpointer user)
{
  Probe *p = user;
  memcpy (gn_net_input (p->net), p->input, p->n_in * sizeof (float));
  gn_net_forward (p->net, p->mode);
  return gc_dot (gn_net_value (p->net, p->tap_a), p->ra, p->na)
         + gc_dot (gn_net_value (p->net, p->tap_b), p->rb, p->nb);
}

/*   input -> conv3x3 -> BN(affine) -> relu = h
 *   h -> {conv3x3 dil 2 ; avgpool ; identity ; zero} -> add = s
 *   h -> conv1x1 (groups 2) -> BN (no affine, no tracking) = t
 *   t + maxpool(input) = t'
 *   concat(s, t') -> conv3x3 stride 2 = u -> resize 8x8 -> tap a
 *   u -> global avgpool -> linear 5 -> tap b
 *
 * Finite differences are wrong where a step straddles a kink of ReLU or
 * max pooling, and deep inside a network a perturbation moves many units
 * at once.  So the batch norm before the ReLU gets beta = ±1.5 with
 * gamma ≈ 0.3, which keeps each channel entirely on one side of the
 * kink (the ReLU still routes gradients, and kills half the channels),
 * and max pooling reads the input directly, where one perturbed pixel
 * touches only its own windows; gc_check_nonsmooth() skips the rare
 * coordinate that still straddles a kink.
 */
static Probe *
probe_new (GnMode mode, guint64 seed)
{
  GError *error = NULL;
  Probe *p = g_new0 (Probe, 1);
  GnNet *net = gn_net_new (3, 4, 7, 7);
  GnConv2dSpec c3 = { .out_c = 6, .kh = 3, .pad_h = 1, .pad_w = 1,
                      .bias = TRUE };
  int h = gn_net_conv2d (net, 0, &c3, &error);
  h = gn_net_batchnorm (net, h, TRUE, TRUE, &error);
  h = gn_net_relu (net, h, &error);
  GnConv2dSpec dil = { .out_c = 6, .kh = 3, .pad_h = 2, .pad_w = 2,
                       .dil_h = 2 };
  int br[4];
  br[0] = gn_net_conv2d (net, h, &dil, &error);
  br[1] = gn_net_avgpool (net, h, 3, 1, 1, FALSE, &error);
  br[2] = gn_net_identity (net, h, &error);
  br[3] = gn_net_zero (net, h, 0, 1, &error);
  int s = gn_net_add (net, 4, br, &error);
  GnConv2dSpec c1 = { .out_c = 4, .kh = 1, .groups = 2 };
  int t = gn_net_conv2d (net, h, &c1, &error);
  t = gn_net_batchnorm (net, t, FALSE, FALSE, &error);
  int tm[2] = { t, gn_net_maxpool (net, 0, 3, 1, 1, &error) };
  t = gn_net_add (net, 2, tm, &error);
  int st[2] = { s, t };
  int cat = gn_net_concat (net, 2, st, &error);
  GnConv2dSpec down = { .out_c = 5, .kh = 3, .stride_h = 2, .pad_h = 1,
                        .pad_w = 1 };
  int u = gn_net_conv2d (net, cat, &down, &error);
  int a = gn_net_resize_nearest (net, u, 8, 8, &error);
  int g = gn_net_global_avgpool (net, u, &error);
  int b = gn_net_linear (net, g, 5, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, a, "a", &error));
  g_assert_true (gn_net_tap (net, b, "b", &error));
  g_assert_true (gn_net_compile (net, TRUE, &error));
  g_assert_no_error (error);

  GnRng rng;
  gn_rng_seed (&rng, seed);
  gn_net_init_params (net, &rng);
  /* keep every ReLU channel on one side of its kink (see above) */
  guint n;
  const GnParam *prm = gn_net_params (net, &n);
  for (guint i = 0; i < n; i++)
    if (prm[i].kind == GN_PARAM_BN_WEIGHT)
      gc_fill (prm[i].value, prm[i].size, seed + i, 0.25f, 0.35f);
    else if (prm[i].kind == GN_PARAM_BN_BIAS)
      for (gsize k = 0; k < prm[i].size; k++)
        prm[i].value[k] = (k % 2 ? -1.5f : 1.5f) + 0.05f * (float) k;

  p->net = net;
  p->mode = mode;
  p->tap_a = a;
  p->tap_b = b;
  p->n_in = 3 * 4 * 7 * 7;
  p->na = 3 * 5 * 8 * 8;
  p->nb = 3 * 5;
  p->input = g_new (float, p->n_in);
  p->ra = g_new (float, p->na);
  p->rb = g_new (float, p->nb);
  gc_fill (p->input, p->n_in, seed, -1.f, 1.f);
  gc_fill (p->ra, p->na, seed + 100, -1.f, 1.f);
  gc_fill (p->rb, p->nb, seed + 200, -1.f, 1.f);
  return p;
}

static void
probe_free (Probe *p)
{
  gn_net_free (p->net);
  g_free (p->input);
  g_free (p->ra);
  g_free (p->rb);
  g_free (p);
}

/* forward, seed dL/dtap = r, backward */
static void
probe_backward (Probe *p)
{
  probe_loss (p);
  memcpy (gn_net_grad (p->net, p->tap_a), p->ra, p->na * sizeof (float));
  memcpy (gn_net_grad (p->net, p->tap_b), p->rb, p->nb * sizeof (float));
  gn_net_zero_grad (p->net);
  gn_net_backward (p->net);
}

static void
check_probe (GnMode mode)
{
  const char *env = g_getenv ("GN_TEST_PROBE_SEED");
  Probe *p = probe_new (mode, env ? g_ascii_strtoull (env, NULL, 10) : 21);
  if (mode == GN_MODE_EVAL)
    {
      /* give the running statistics something other than 0 / 1 */
      for (int i = 0; i < 3; i++)
        {
          memcpy (gn_net_input (p->net), p->input, p->n_in * sizeof (float));
          gn_net_forward (p->net, GN_MODE_TRAIN);
        }
    }
  probe_backward (p);

  gboolean ok = TRUE;
  float *dx = g_memdup2 (gn_net_grad (p->net, 0), p->n_in * sizeof (float));
  g_assert_cmpfloat (gc_max_abs_diff (dx, p->input, 0), ==, 0.0);
  ok &= gc_check_nonsmooth ("input", p->input, dx, p->n_in, probe_loss, p,
                            60, 4e-3, 3e-3, 3e-2);
  g_free (dx);

  guint n;
  const GnParam *prm = gn_net_params (p->net, &n);
  for (guint i = 0; i < n; i++)
    {
      float *ana = g_memdup2 (prm[i].grad, prm[i].size * sizeof (float));
      ok &= gc_check_nonsmooth (prm[i].name, prm[i].value, ana, prm[i].size,
                                probe_loss, p, 25, 4e-3, 3e-3, 3e-2);
      g_free (ana);
    }
  g_assert_true (ok);
  probe_free (p);
}

static void
test_grad_train (void)
{
  check_probe (GN_MODE_TRAIN);
}

static void
test_grad_eval (void)
{
  check_probe (GN_MODE_EVAL);
}

/* Running statistics move only in training mode; a layer without them
 * normalises with the batch in either mode. */
static void
test_bn_modes (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (4, 3, 5, 5);
  int tracked = gn_net_batchnorm (net, 0, TRUE, TRUE, &error);
  int batch = gn_net_batchnorm (net, 0, FALSE, FALSE, &error);
  g_assert_true (gn_net_tap (net, tracked, "tracked", &error));
  g_assert_true (gn_net_tap (net, batch, "batch", &error));
  g_assert_true (gn_net_compile (net, FALSE, &error));
  gsize count = 4 * 3 * 5 * 5;
  gc_fill (gn_net_input (net), count, 3, 2.f, 4.f);

  gn_net_forward (net, GN_MODE_TRAIN);
  float *train_t = g_memdup2 (gn_net_value (net, tracked), count * 4);
  float *train_b = g_memdup2 (gn_net_value (net, batch), count * 4);
  gn_net_forward (net, GN_MODE_EVAL);
  /* one update: running mean 0.1 * ~3, var 0.9 + 0.1 * ~0.33: eval output
   * is far from the batch-normalised one */
  g_assert_cmpfloat (gc_max_abs_diff (train_t, gn_net_value (net, tracked),
                                      count), >, 1.0);
  g_assert_cmpfloat (gc_max_abs_diff (train_b, gn_net_value (net, batch),
                                      count), ==, 0.0);
  /* eval does not update: a second eval forward is identical */
  float *eval1 = g_memdup2 (gn_net_value (net, tracked), count * 4);
  gn_net_forward (net, GN_MODE_EVAL);
  g_assert_cmpfloat (gc_max_abs_diff (eval1, gn_net_value (net, tracked),
                                      count), ==, 0.0);
  g_free (train_t);
  g_free (train_b);
  g_free (eval1);
  gn_net_free (net);
}

static void
test_identity_shares_memory (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (1, 2, 3, 3);
  int r = gn_net_relu (net, 0, &error);
  int id = gn_net_identity (net, r, &error);
  int id2 = gn_net_identity (net, id, &error);
  g_assert_true (gn_net_tap (net, id2, "out", &error));
  g_assert_true (gn_net_compile (net, TRUE, &error));
  g_assert_true (gn_net_value (net, id2) == gn_net_value (net, r));
  g_assert_true (gn_net_grad (net, id2) == gn_net_grad (net, r));

  float in[18];
  gc_fill (in, 18, 1, -1.f, 1.f);
  memcpy (gn_net_input (net), in, sizeof in);
  gn_net_forward (net, GN_MODE_TRAIN);
  for (int i = 0; i < 18; i++)
    {
      g_assert_cmpfloat (gn_net_value (net, id2)[i], ==, MAX (in[i], 0.f));
      gn_net_grad (net, id2)[i] = 1.f;
    }
  gn_net_backward (net);
  for (int i = 0; i < 18; i++)
    g_assert_cmpfloat (gn_net_grad (net, 0)[i], ==, in[i] > 0 ? 1.f : 0.f);
  gn_net_free (net);
}

/* Two training steps from the same seed give bit-identical weights. */
static void
test_reproducible_steps (void)
{
  float *w[2];
  for (int run = 0; run < 2; run++)
    {
      Probe *p = probe_new (GN_MODE_TRAIN, 5);
      GError *error = NULL;
      GnOptimConfig cfg = { .kind = GN_OPTIM_SGD, .lr = 0.05f,
                            .momentum = 0.9f, .weight_decay = 4e-5f };
      GnOptim *opt = gn_optim_new (p->net, &cfg, &error);
      g_assert_no_error (error);
      for (int s = 0; s < 3; s++)
        {
          probe_backward (p);
          gn_optim_step (opt);
        }
      guint n;
      const GnParam *prm = gn_net_params (p->net, &n);
      w[run] = g_memdup2 (prm[0].value, prm[0].size * sizeof (float));
      if (run == 1)
        g_assert_cmpmem (w[0], prm[0].size * 4, w[1], prm[0].size * 4);
      gn_optim_free (opt);
      probe_free (p);
    }
  g_free (w[0]);
  g_free (w[1]);
}

/* ------------------------------------------------------------------ */
/* a tiny regression must learn                                        */
/* ------------------------------------------------------------------ */

static void
test_regression_learns (void)
{
  GError *error = NULL;
  enum { B = 8, C = 3, H = 8 };
  GnNet *net = gn_net_new (B, C, H, H);
  GnConv2dSpec c3 = { .out_c = 16, .kh = 3, .pad_h = 1, .pad_w = 1 };
  int x = gn_net_conv2d (net, 0, &c3, &error);
  x = gn_net_batchnorm (net, x, TRUE, TRUE, &error);
  x = gn_net_relu (net, x, &error);
  x = gn_net_conv2d (net, x, &c3, &error);
  x = gn_net_batchnorm (net, x, TRUE, TRUE, &error);
  x = gn_net_relu (net, x, &error);
  GnConv2dSpec head = { .out_c = 4, .kh = 1, .bias = TRUE };
  int y = gn_net_conv2d (net, x, &head, &error);
  g_assert_true (gn_net_tap (net, y, "y", &error));
  g_assert_true (gn_net_compile (net, FALSE, &error));
  g_assert_no_error (error);
  GnRng rng;
  gn_rng_seed (&rng, 9);
  gn_net_init_params (net, &rng);

  gsize n_in = B * C * H * H, n_out = B * 4 * H * H;
  float *input = g_new (float, n_in), *target = g_new (float, n_out);
  gc_fill (input, n_in, 1, -1.f, 1.f);
  /* the target is a fixed random "teacher" convolution of the input, so
   * it is learnable by the student */
  GnConv2dGeom teacher = { .n = B, .in_c = C, .in_h = H, .in_w = H,
                           .out_c = 4, .kh = 3, .kw = 3, .stride_h = 1,
                           .stride_w = 1, .pad_h = 1, .pad_w = 1, .dil_h = 1,
                           .dil_w = 1, .groups = 1 };
  g_assert_true (gn_conv2d_geom_init (&teacher, &error));
  float *tw = g_new (float, gn_conv2d_weight_size (&teacher));
  float *ts = g_new (float, gn_conv2d_scratch_floats (&teacher) + 1);
  gc_fill (tw, gn_conv2d_weight_size (&teacher), 2, -0.3f, 0.3f);
  gn_conv2d_forward (&teacher, input, tw, NULL, target, ts);
  g_free (tw);
  g_free (ts);

  GnOptimConfig cfg = { .kind = GN_OPTIM_SGD, .lr = 0.1f, .momentum = 0.9f,
                        .weight_decay = 4e-5f };
  GnOptim *opt = gn_optim_new (net, &cfg, &error);
  double first = 0, last = 0;
  for (int step = 0; step < 100; step++)
    {
      memcpy (gn_net_input (net), input, n_in * sizeof (float));
      gn_net_forward (net, GN_MODE_TRAIN);
      double loss = gn_loss_mse (n_out, gn_net_value (net, y), target, 1.f,
                                 gn_net_grad (net, y));
      g_assert_true (isfinite (loss));
      if (step == 0)
        first = loss;
      gn_net_zero_grad (net);
      gn_net_backward (net);
      gn_optim_step (opt);
    }
  memcpy (gn_net_input (net), input, n_in * sizeof (float));
  gn_net_forward (net, GN_MODE_EVAL);
  last = gn_loss_mse (n_out, gn_net_value (net, y), target, 1.f, NULL);
  g_test_message ("regression: loss %.5f -> %.5f (eval)", first, last);
  g_assert_cmpfloat (last * 10.0, <=, first);
  gn_optim_free (opt);
  g_free (input);
  g_free (target);
  gn_net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net/build/errors", test_build_errors);
  g_test_add_func ("/net/build/shapes-and-counts", test_shapes_and_counts);
  g_test_add_func ("/net/build/node-info", test_node_info);
  g_test_add_func ("/net/init/torch-default", test_init);
  g_test_add_func ("/net/init/normal-fan-out", test_init_normal_fan_out);
  g_test_add_func ("/net/plan/no-overlap", test_plan_no_overlap);
  g_test_add_func ("/net/plan/reuse", test_plan_reuse);
  g_test_add_func ("/net/plan/same-as-scan", test_plan_same_as_scan);
  g_test_add_func ("/net/plan/large", test_plan_large);
  g_test_add_func ("/net/compile/deep", test_compile_deep);
  g_test_add_func ("/net/fan-in", test_fan_in);
  g_test_add_func ("/net/grad/multi-branch-train", test_grad_train);
  g_test_add_func ("/net/grad/multi-branch-eval", test_grad_eval);
  g_test_add_func ("/net/batchnorm-modes", test_bn_modes);
  g_test_add_func ("/net/identity-shares-memory",
                   test_identity_shares_memory);
  g_test_add_func ("/net/reproducible-steps", test_reproducible_steps);
  g_test_add_func ("/net/regression-learns", test_regression_learns);
  return g_test_run ();
}
