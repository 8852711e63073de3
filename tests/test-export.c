/* test-export.c - networks written out for other tools (gn-export.h):
 * the JSON description against the network it describes, the PyTorch
 * model's text op by op (tests/test-export-torch.sh runs it in PyTorch)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "spaces.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define NB201_ARCH "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+" \
                   "|skip_connect~0|none~1|nor_conv_1x1~2|"

static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;
  for (const char *p = strstr (haystack, needle); p;
       p = strstr (p + 1, needle))
    n++;
  return n;
}

static gint64
member_int (JsonObject *o, const char *name)
{
  g_assert_true (json_object_has_member (o, name));
  return json_object_get_int_member (o, name);
}

/* The JSON of an NB201 network says what the net says, node by node. */
static void
test_json (void)
{
  GnSpace *space = test_space_load ("nb201.lua");
  const char *options[] = { "C=8", "cell_bn_affine=false", "N=2", NULL };
  GnBuildOptions opts = { .batch = 1, .classifier = TRUE, .published = TRUE,
                          .num_classes = 7, .options = options };
  GError *error = NULL;
  GnNet *net = gn_space_build (space, NB201_ARCH, &opts, &error);
  g_assert_no_error (error);
  GnExportSource src = { gn_space_name (space), NB201_ARCH, NULL, &opts };
  char *text = gn_export_json (net, &src, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (text, "{\n  \"gennas\": \""));
  g_assert_true (g_str_has_suffix (text, "\n  ]\n}\n"));

  JsonParser *parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "space"), ==,
                   "nasbench201");
  g_assert_cmpstr (json_object_get_string_member (root, "arch"), ==,
                   NB201_ARCH);
  g_assert_false (json_object_has_member (root, "genotype"));
  g_assert_cmpint (member_int (root, "params"), ==,
                   (gint64) gn_net_count_params (net));
  g_assert_cmpint (member_int (root, "macs"), ==,
                   (gint64) gn_net_count_macs (net));

  JsonObject *build = json_object_get_object_member (root, "build");
  JsonArray *input = json_object_get_array_member (build, "input");
  g_assert_cmpuint (json_array_get_length (input), ==, 3);
  g_assert_cmpint (json_array_get_int_element (input, 0), ==, 3);
  g_assert_cmpint (json_array_get_int_element (input, 2), ==, 32);
  g_assert_cmpint (member_int (build, "classes"), ==, 7);
  g_assert_true (json_object_get_boolean_member (build, "published"));
  JsonObject *o = json_object_get_object_member (build, "options");
  g_assert_cmpint (member_int (o, "C"), ==, 8);
  g_assert_false (json_object_get_boolean_member (o, "cell_bn_affine"));

  JsonObject *bn = json_object_get_object_member (root, "batchnorm");
  g_assert_cmpfloat (json_object_get_double_member (bn, "eps"), ==, 1e-5);
  g_assert_cmpfloat (json_object_get_double_member (bn, "momentum"), ==,
                     0.1);

  JsonObject *taps = json_object_get_object_member (root, "taps");
  g_assert_cmpuint (json_object_get_size (taps), ==, 4);
  g_assert_cmpint (member_int (taps, "logits"), ==,
                   gn_net_find_tap (net, "logits"));

  /* every node: id, op, inputs, shape and parameters as the net has
   * them; one a line */
  JsonArray *nodes = json_object_get_array_member (root, "nodes");
  int n = gn_net_n_nodes (net);
  g_assert_cmpuint (json_array_get_length (nodes), ==, (guint) n);
  g_assert_cmpuint (count (text, "\n    {\"id\":"), ==, (guint) n);
  g_assert_cmpuint (count (text, "\n"), ==, (guint) n + 12);
  gint64 params = 0;
  guint convs = 0;
  for (int i = 0; i < n; i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, (guint) i);
      GnNodeInfo info;
      gn_net_node_info (net, i, &info);
      g_assert_cmpint (member_int (node, "id"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (node, "op"), ==,
                       gn_net_op_name (net, i));
      JsonArray *in = json_object_get_array_member (node, "inputs");
      g_assert_cmpuint (json_array_get_length (in), ==,
                        (guint) info.n_inputs);
      for (int k = 0; k < info.n_inputs; k++)
        g_assert_cmpint (json_array_get_int_element (in, (guint) k), ==,
                         info.inputs[k]);
      JsonArray *shape = json_object_get_array_member (node, "shape");
      g_assert_cmpint (json_array_get_int_element (shape, 0), ==,
                       info.shape.c);
      g_assert_cmpint (json_array_get_int_element (shape, 1), ==,
                       info.shape.h);
      params += member_int (node, "params");
      JsonObject *attrs = json_object_get_object_member (node, "attrs");
      g_assert_nonnull (attrs);
      if (info.op == GN_OP_CONV2D)
        {
          JsonArray *k = json_object_get_array_member (attrs, "kernel");
          g_assert_cmpint (json_array_get_int_element (k, 0), ==,
                           info.conv.kh);
          g_assert_cmpint (member_int (attrs, "out_channels"), ==,
                           info.conv.out_c);
          /* GenNAS's cells: no affine batch norm, so conv biases */
          convs += json_object_get_boolean_member (attrs, "bias");
        }
      if (info.op == GN_OP_BATCHNORM)
        g_assert_true (json_object_has_member (attrs, "affine"));
      /* the cells' avg_pool_3x3 (the reduction block's 2x2 counts pads) */
      if (info.op == GN_OP_AVGPOOL && info.k == 3)
        g_assert_false (json_object_get_boolean_member (attrs,
                                                        "count_include_pad"));
    }
  g_assert_cmpint (params, ==, (gint64) gn_net_count_params (net));
  g_assert_cmpuint (convs, >, 0);

  /* a string that is not UTF-8 is refused */
  g_clear_pointer (&text, g_free);
  GnExportSource bad = { "\xff", NB201_ARCH, NULL, NULL };
  g_assert_null (gn_export_json (net, &bad, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_object_unref (parser);
  gn_net_free (net);
  gn_space_free (space);
}

/* A hand-built net with each op the cells rarely use: the model's text
 * names them as PyTorch does. */
static void
test_torch_ops (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (1, 2, 8, 8);
  int a = gn_net_crop (net, 0, 1, 1, 8, 8, &error);     /* pycls's pad */
  int b = gn_net_crop (net, 0, 1, 2, 4, 4, &error);     /* a slice */
  int c = gn_net_resize_nearest (net, b, 8, 8, &error);
  int d = gn_net_concat (net, 2, (int[]) { a, c }, &error);
  int z = gn_net_zero (net, d, 3, 2, &error);
  int m = gn_net_maxpool (net, d, 3, 2, 1, &error);
  int s = gn_net_add (net, 1, (int[]) { m }, &error);
  int i = gn_net_identity (net, s, &error);
  int cat = gn_net_concat (net, 2, (int[]) { i, z }, &error);
  int g = gn_net_global_avgpool (net, cat, &error);
  int f1 = gn_net_linear (net, g, 6, TRUE, &error);
  int r = gn_net_relu (net, f1, &error);
  int f2 = gn_net_linear (net, r, 5, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, f2, "logits", &error));
  g_assert_true (gn_net_tap (net, i, "stage0", &error));
  GnExportSource src = { "hand\"made", "a\\b\n\"c\"", "G", NULL };
  char *py = gn_export_torch (net, &src, &error);
  g_assert_no_error (error);
  g_test_message ("%s", py);

  g_assert_nonnull (strstr (py, "\nSPACE = \"hand\\\"made\"\n"));
  g_assert_nonnull (strstr (py, "\nARCH = \"a\\\\b\\x0a\\\"c\\\"\"\n"));
  g_assert_nonnull (strstr (py, "\nGENOTYPE = \"G\"\n"));
  /* comments: one line each, control characters escaped */
  g_assert_nonnull (strstr (py, "#   arch:     a\\b\\n\"c\"\n"));
  char *params = g_strdup_printf ("\nPARAMS = %" G_GSIZE_FORMAT "\n",
                                  gn_net_count_params (net));
  g_assert_nonnull (strstr (py, params));
  g_free (params);
  g_assert_nonnull (strstr (py, "\nINPUT_SHAPE = (2, 8, 8)\n"));
  g_assert_nonnull (strstr (py, "x1 = F.pad(x0, (-1, 1, -1, 1))"));
  g_assert_nonnull (strstr (py, "x2 = x0[:, :, 1:5, 2:6]"));
  g_assert_nonnull (strstr (py, "x3 = F.interpolate(x2, size=(8, 8), "
                            "mode=\"nearest\")"));
  g_assert_nonnull (strstr (py, "x4 = torch.cat([x1, x3], 1)"));
  g_assert_nonnull (strstr (py, "x5 = x4.new_zeros(x4.shape[0], 3, 4, 4)"));
  g_assert_nonnull (strstr (py, "x6 = F.max_pool2d(x4, 3, stride=2, "
                            "padding=1)"));
  g_assert_nonnull (strstr (py, "x7 = x6  #"));
  /* the identity is its input's variable */
  g_assert_null (strstr (py, "x8 ="));
  g_assert_nonnull (strstr (py, "x9 = torch.cat([x7, x5], 1)"));
  g_assert_nonnull (strstr (py, "x10 = F.adaptive_avg_pool2d(x9, 1)"));
  g_assert_nonnull (strstr (py, "self.linear11 = nn.Linear(7, 6)\n"));
  g_assert_nonnull (strstr (py, "x11 = self.linear11(x10.flatten(1))"));
  /* a linear layer's [batch, features] made 4-D for the next op only */
  g_assert_nonnull (strstr (py, "x12 = F.relu(x11[:, :, None, None])"));
  g_assert_nonnull (strstr (py, "self.linear13 = nn.Linear(6, 5, "
                            "bias=False)\n"));
  g_assert_nonnull (strstr (py, "x13 = self.linear13(x12.flatten(1))"));
  g_assert_nonnull (strstr (py, "return {\"logits\": x13,\n"
                            "                    \"stage0\": x7}\n"));
  g_assert_nonnull (strstr (py, "        return x13\n"));
  /* taps are never deleted, and only torch is imported */
  g_assert_null (strstr (py, "del x7"));
  g_assert_null (strstr (py, ", x7"));
  g_assert_cmpuint (count (py, "\nimport "), ==, 2);
  g_assert_cmpuint (count (py, "\nfrom "), ==, 1);
  g_assert_nonnull (strstr (py, "\nimport torch\nfrom torch import nn\n"
                            "import torch.nn.functional as F\n"));
  g_free (py);

  /* without a classifier there are no logits to return */
  GnNet *bare = gn_net_new (1, 2, 8, 8);
  int x = gn_net_relu (bare, 0, &error);
  g_assert_true (gn_net_tap (bare, x, "stage0", &error));
  g_assert_null (gn_export_torch (bare, &src, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "'logits'"));
  g_clear_error (&error);
  gn_net_free (bare);
  gn_net_free (net);
}

/* Convolutions and batch norms as nn modules with only the arguments
 * that differ from PyTorch's defaults; NB101's initialisation where the
 * network asked for it. */
static void
test_torch_layers (void)
{
  GError *error = NULL;
  GnNet *net = gn_net_new (1, 4, 16, 16);
  GnConv2dSpec plain = { .out_c = 8, .kh = 3, .pad_h = 1, .pad_w = 1,
                         .bias = TRUE };
  GnConv2dSpec odd = { .out_c = 8, .kh = 1, .kw = 7, .stride_w = 2,
                       .pad_w = 3, .groups = 4,
                       .init = GN_INIT_NORMAL_FAN_OUT };
  GnConv2dSpec dil = { .out_c = 8, .kh = 5, .stride_h = 2, .pad_h = 4,
                       .pad_w = 4, .dil_h = 2, .groups = 8 };
  int c1 = gn_net_conv2d (net, 0, &plain, &error);
  int c2 = gn_net_conv2d (net, c1, &odd, &error);
  int c3 = gn_net_conv2d (net, c2, &dil, &error);
  int b1 = gn_net_batchnorm (net, c3, TRUE, TRUE, &error);
  int b2 = gn_net_batchnorm (net, b1, FALSE, FALSE, &error);
  int p = gn_net_avgpool (net, b2, 3, 1, 1, TRUE, &error);
  int q = gn_net_avgpool (net, p, 2, 2, 0, FALSE, &error);
  int s = gn_net_add (net, 2, (int[]) { q, q }, &error);
  int l = gn_net_linear (net, s, 10, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (gn_net_tap (net, l, "logits", &error));
  GnExportSource src = { "t", "t", NULL, NULL };
  char *py = gn_export_torch (net, &src, &error);
  g_assert_no_error (error);
  g_test_message ("%s", py);
  g_assert_nonnull (strstr (py, "self.conv1 = nn.Conv2d(4, 8, 3, "
                            "padding=1)\n"));
  g_assert_nonnull (strstr (py, "self.conv2 = nn.Conv2d(8, 8, (1, 7), "
                            "stride=(1, 2), padding=(0, 3), groups=4, "
                            "bias=False)\n"));
  g_assert_nonnull (strstr (py, "self.conv3 = nn.Conv2d(8, 8, 5, "
                            "stride=2, padding=4, dilation=2, groups=8, "
                            "bias=False)\n"));
  g_assert_nonnull (strstr (py, "self.bn4 = nn.BatchNorm2d(8)\n"));
  g_assert_nonnull (strstr (py, "self.bn5 = nn.BatchNorm2d(8, "
                            "affine=False, track_running_stats=False)\n"));
  g_assert_nonnull (strstr (py, "for conv in (self.conv2,):\n"
                            "            nn.init.kaiming_normal_("
                            "conv.weight, mode=\"fan_out\",\n"));
  g_assert_nonnull (strstr (py, "x6 = F.avg_pool2d(x5, 3, stride=1, "
                            "padding=1)  #"));
  g_assert_nonnull (strstr (py, "x7 = F.avg_pool2d(x6, 2, stride=2, "
                            "padding=0, count_include_pad=False)"));
  g_assert_nonnull (strstr (py, "x8 = x7 + x7  #"));
  g_assert_null (strstr (py, "GENOTYPE"));
  g_free (py);
  gn_net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export/json", test_json);
  g_test_add_func ("/export/torch/ops", test_torch_ops);
  g_test_add_func ("/export/torch/layers", test_torch_layers);
  return g_test_run ();
}
