/* test-abi.c - the plugin ABI does not move: sizes and offsets pinned
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Modelled on GStreamer's tests/check/gst/gstabi.c: a table of every
 * struct a proxy plugin sees (those the plugin-facing headers declare,
 * GN_PLUGIN_API in core/plugin-api.am) with its size and the offset of
 * each member, as the x86_64 SysV ABI lays them out, and the values of
 * the ABI's enums.  A change to any of them fails here: it breaks every
 * plugin built before, so it must come with a new GN_PROXY_ABI_MAJOR (an
 * appended GnProxyDesc member with a new minor) and a new table.
 * tests/check-layers.sh checks that the table names every struct and
 * member the headers declare.  Other ABIs skip.
 */
#include "gennas.h"

#include <stddef.h>

typedef struct {
  const char *type, *member;   /* member NULL: the struct's size */
  gsize got, want;
} Layout;

#define SIZE(type, want) { #type, NULL, sizeof (type), want }
#define OFFSET(type, member, want) \
  { #type, #member, offsetof (type, member), want }

/* x86_64, LP64: generated once with a program printing sizeof and
 * offsetof of each, checked by hand against the declarations */
static const Layout layouts[] = {
  SIZE (GnRng, 32),
  OFFSET (GnRng, s, 0),
  SIZE (GnConv2dGeom, 64),
  OFFSET (GnConv2dGeom, n, 0),
  OFFSET (GnConv2dGeom, in_c, 4),
  OFFSET (GnConv2dGeom, in_h, 8),
  OFFSET (GnConv2dGeom, in_w, 12),
  OFFSET (GnConv2dGeom, out_c, 16),
  OFFSET (GnConv2dGeom, kh, 20),
  OFFSET (GnConv2dGeom, kw, 24),
  OFFSET (GnConv2dGeom, stride_h, 28),
  OFFSET (GnConv2dGeom, stride_w, 32),
  OFFSET (GnConv2dGeom, pad_h, 36),
  OFFSET (GnConv2dGeom, pad_w, 40),
  OFFSET (GnConv2dGeom, dil_h, 44),
  OFFSET (GnConv2dGeom, dil_w, 48),
  OFFSET (GnConv2dGeom, groups, 52),
  OFFSET (GnConv2dGeom, out_h, 56),
  OFFSET (GnConv2dGeom, out_w, 60),
  SIZE (GnPoolGeom, 40),
  OFFSET (GnPoolGeom, n, 0),
  OFFSET (GnPoolGeom, c, 4),
  OFFSET (GnPoolGeom, in_h, 8),
  OFFSET (GnPoolGeom, in_w, 12),
  OFFSET (GnPoolGeom, k, 16),
  OFFSET (GnPoolGeom, stride, 20),
  OFFSET (GnPoolGeom, pad, 24),
  OFFSET (GnPoolGeom, count_include_pad, 28),
  OFFSET (GnPoolGeom, out_h, 32),
  OFFSET (GnPoolGeom, out_w, 36),
  SIZE (GnShape, 16),
  OFFSET (GnShape, n, 0),
  OFFSET (GnShape, c, 4),
  OFFSET (GnShape, h, 8),
  OFFSET (GnShape, w, 12),
  SIZE (GnLinearSpec, 24),
  OFFSET (GnLinearSpec, out_features, 0),
  OFFSET (GnLinearSpec, bias, 4),
  OFFSET (GnLinearSpec, init_range, 8),
  OFFSET (GnLinearSpec, zero_bias, 12),
  OFFSET (GnLinearSpec, share, 16),
  OFFSET (GnLinearSpec, share_transposed, 20),
  SIZE (GnConv2dSpec, 48),
  OFFSET (GnConv2dSpec, out_c, 0),
  OFFSET (GnConv2dSpec, kh, 4),
  OFFSET (GnConv2dSpec, kw, 8),
  OFFSET (GnConv2dSpec, stride_h, 12),
  OFFSET (GnConv2dSpec, stride_w, 16),
  OFFSET (GnConv2dSpec, pad_h, 20),
  OFFSET (GnConv2dSpec, pad_w, 24),
  OFFSET (GnConv2dSpec, dil_h, 28),
  OFFSET (GnConv2dSpec, dil_w, 32),
  OFFSET (GnConv2dSpec, groups, 36),
  OFFSET (GnConv2dSpec, bias, 40),
  OFFSET (GnConv2dSpec, init, 44),
  SIZE (GnParam, 48),
  OFFSET (GnParam, name, 0),
  OFFSET (GnParam, kind, 8),
  OFFSET (GnParam, node, 12),
  OFFSET (GnParam, size, 16),
  OFFSET (GnParam, decay, 24),
  OFFSET (GnParam, value, 32),
  OFFSET (GnParam, grad, 40),
  SIZE (GnNodeInfo, 128),
  OFFSET (GnNodeInfo, op, 0),
  OFFSET (GnNodeInfo, shape, 4),
  OFFSET (GnNodeInfo, n_inputs, 20),
  OFFSET (GnNodeInfo, inputs, 24),
  OFFSET (GnNodeInfo, n_params, 32),
  OFFSET (GnNodeInfo, conv, 40),
  OFFSET (GnNodeInfo, affine, 88),
  OFFSET (GnNodeInfo, track_running_stats, 92),
  OFFSET (GnNodeInfo, k, 96),
  OFFSET (GnNodeInfo, stride, 100),
  OFFSET (GnNodeInfo, pad, 104),
  OFFSET (GnNodeInfo, count_include_pad, 108),
  OFFSET (GnNodeInfo, in_features, 112),
  OFFSET (GnNodeInfo, bias, 116),
  OFFSET (GnNodeInfo, top, 120),
  OFFSET (GnNodeInfo, left, 124),
  SIZE (GnOptimConfig, 32),
  OFFSET (GnOptimConfig, kind, 0),
  OFFSET (GnOptimConfig, lr, 4),
  OFFSET (GnOptimConfig, momentum, 8),
  OFFSET (GnOptimConfig, weight_decay, 12),
  OFFSET (GnOptimConfig, beta1, 16),
  OFFSET (GnOptimConfig, beta2, 20),
  OFFSET (GnOptimConfig, eps, 24),
  OFFSET (GnOptimConfig, decay_all, 28),
  SIZE (GnDataset, 72),
  OFFSET (GnDataset, name, 0),
  OFFSET (GnDataset, n, 8),
  OFFSET (GnDataset, c, 12),
  OFFSET (GnDataset, h, 16),
  OFFSET (GnDataset, w, 20),
  OFFSET (GnDataset, num_classes, 24),
  OFFSET (GnDataset, pixels, 32),
  OFFSET (GnDataset, labels, 40),
  OFFSET (GnDataset, mean, 48),
  OFFSET (GnDataset, std, 60),
  SIZE (GnSignalSpec, 40),
  OFFSET (GnSignalSpec, kind, 0),
  OFFSET (GnSignalSpec, level, 4),
  OFFSET (GnSignalSpec, local, 8),
  OFFSET (GnSignalSpec, freqs, 16),
  OFFSET (GnSignalSpec, n_freqs, 24),
  OFFSET (GnSignalSpec, partial, 32),
  SIZE (GnSpaceLimits, 16),
  OFFSET (GnSpaceLimits, max_memory, 0),
  OFFSET (GnSpaceLimits, max_instructions, 8),
  SIZE (GnBuildOptions, 40),
  OFFSET (GnBuildOptions, batch, 0),
  OFFSET (GnBuildOptions, in_c, 4),
  OFFSET (GnBuildOptions, in_h, 8),
  OFFSET (GnBuildOptions, in_w, 12),
  OFFSET (GnBuildOptions, classifier, 16),
  OFFSET (GnBuildOptions, num_classes, 20),
  OFFSET (GnBuildOptions, published, 24),
  OFFSET (GnBuildOptions, options, 32),
  SIZE (GnBenchmark, 48),
  OFFSET (GnBenchmark, path, 0),
  OFFSET (GnBenchmark, key_column, 8),
  OFFSET (GnBenchmark, key_is_hash, 16),
  OFFSET (GnBenchmark, metrics, 24),
  OFFSET (GnBenchmark, arch_columns, 32),
  OFFSET (GnBenchmark, lower, 40),
  SIZE (GnProxyParamSpec, 48),
  OFFSET (GnProxyParamSpec, name, 0),
  OFFSET (GnProxyParamSpec, type, 8),
  OFFSET (GnProxyParamSpec, default_value, 16),
  OFFSET (GnProxyParamSpec, min, 24),
  OFFSET (GnProxyParamSpec, max, 32),
  OFFSET (GnProxyParamSpec, blurb, 40),
  SIZE (GnProxyBatch, 64),
  OFFSET (GnProxyBatch, n, 0),
  OFFSET (GnProxyBatch, c, 4),
  OFFSET (GnProxyBatch, h, 8),
  OFFSET (GnProxyBatch, w, 12),
  OFFSET (GnProxyBatch, images, 16),
  OFFSET (GnProxyBatch, labels, 24),
  OFFSET (GnProxyBatch, rng, 32),
  SIZE (GnProxyContext, 40),
  OFFSET (GnProxyContext, space, 0),
  OFFSET (GnProxyContext, data, 8),
  OFFSET (GnProxyContext, seed, 16),
  OFFSET (GnProxyContext, build_options, 24),
  OFFSET (GnProxyContext, shared, 32),
  SIZE (GnStatsAgreement, 24),
  OFFSET (GnStatsAgreement, spearman, 0),
  OFFSET (GnStatsAgreement, kendall, 8),
  OFFSET (GnStatsAgreement, top, 16),
  SIZE (GnProxyResult, 24),
  OFFSET (GnProxyResult, score, 0),
  OFFSET (GnProxyResult, status, 8),
  OFFSET (GnProxyResult, loss, 16),
  SIZE (GnProxyDesc, 80),
  OFFSET (GnProxyDesc, abi_major, 0),
  OFFSET (GnProxyDesc, abi_minor, 4),
  OFFSET (GnProxyDesc, struct_size, 8),
  OFFSET (GnProxyDesc, name, 16),
  OFFSET (GnProxyDesc, description, 24),
  OFFSET (GnProxyDesc, version, 32),
  OFFSET (GnProxyDesc, params, 40),
  OFFSET (GnProxyDesc, create, 48),
  OFFSET (GnProxyDesc, score, 56),
  OFFSET (GnProxyDesc, destroy, 64),
  OFFSET (GnProxyDesc, fingerprint, 72),
};

typedef struct {
  const char *name;
  gint64 got, want;
} Constant;

#define CONSTANT(name, want) { #name, name, want }

static const Constant constants[] = {
  CONSTANT (GN_PROXY_ABI_MAJOR, 2),
  CONSTANT (GN_PROXY_ABI_MINOR, 0),
  CONSTANT (GN_EVAL_OK, 0),
  CONSTANT (GN_EVAL_NONFINITE, 1),
  CONSTANT (GN_EVAL_ERROR, 2),
  CONSTANT (GN_EVAL_CRASHED, 3),
  CONSTANT (GN_EVAL_TIMEOUT, 4),
  CONSTANT (GN_PROXY_PARAM_INT, 0),
  CONSTANT (GN_PROXY_PARAM_DOUBLE, 1),
  CONSTANT (GN_PROXY_PARAM_BOOL, 2),
  CONSTANT (GN_PROXY_PARAM_STRING, 3),
  CONSTANT (GN_PROXY_ERROR_FAILED, 0),
  CONSTANT (GN_PROXY_ERROR_NOT_FOUND, 1),
  CONSTANT (GN_PROXY_ERROR_LOAD, 2),
  CONSTANT (GN_PROXY_ERROR_ABI, 3),
  CONSTANT (GN_PROXY_ERROR_DESCRIPTOR, 4),
  CONSTANT (GN_PROXY_ERROR_PARAM, 5),
  CONSTANT (GN_PROXY_ERROR_SCORE, 6),
  CONSTANT (GN_OP_INPUT, 0),
  CONSTANT (GN_OP_CONV2D, 1),
  CONSTANT (GN_OP_BATCHNORM, 2),
  CONSTANT (GN_OP_RELU, 3),
  CONSTANT (GN_OP_AVGPOOL, 4),
  CONSTANT (GN_OP_MAXPOOL, 5),
  CONSTANT (GN_OP_GLOBAL_AVGPOOL, 6),
  CONSTANT (GN_OP_LINEAR, 7),
  CONSTANT (GN_OP_ADD, 8),
  CONSTANT (GN_OP_CONCAT, 9),
  CONSTANT (GN_OP_ZERO, 10),
  CONSTANT (GN_OP_IDENTITY, 11),
  CONSTANT (GN_OP_RESIZE_NEAREST, 12),
  CONSTANT (GN_OP_CROP, 13),
};

static gboolean
is_x86_64_lp64 (void)
{
#if defined(__x86_64__) && defined(__LP64__)
  return TRUE;
#else
  return FALSE;
#endif
}

static void
test_layouts (void)
{
  if (!is_x86_64_lp64 ())
    {
      g_test_skip ("the table is x86_64's; this is another ABI");
      return;
    }
  int wrong = 0;
  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    {
      const Layout *l = &layouts[i];
      if (l->got == l->want)
        continue;
      wrong++;
      if (l->member)
        g_test_message ("offsetof (%s, %s) is %zu, not %zu", l->type,
                        l->member, (size_t) l->got, (size_t) l->want);
      else
        g_test_message ("sizeof (%s) is %zu, not %zu", l->type,
                        (size_t) l->got, (size_t) l->want);
    }
  g_assert_cmpint (wrong, ==, 0);
}

static void
test_constants (void)
{
  int wrong = 0;
  for (guint i = 0; i < G_N_ELEMENTS (constants); i++)
    if (constants[i].got != constants[i].want)
      {
        wrong++;
        g_test_message ("%s is %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT,
                        constants[i].name, constants[i].got,
                        constants[i].want);
      }
  g_assert_cmpint (wrong, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/abi/layouts", test_layouts);
  g_test_add_func ("/abi/constants", test_constants);
  return g_test_run ();
}
