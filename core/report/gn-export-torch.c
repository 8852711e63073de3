/* gn-export-torch.c - a network as a standalone PyTorch model.py
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * One statement per node, in id order: the IR is already a topological
 * order, so forward() is a straight line.  Layers with parameters or
 * running statistics (conv2d, batchnorm, linear) are modules made in
 * __init__; the rest are torch.nn.functional calls on the spot.  Every
 * op maps onto a PyTorch call with the semantics gn-ops.h mirrors:
 *
 *   conv2d          nn.Conv2d (non-square kernels, strides, pads,
 *                   dilations, groups, bias)
 *   batchnorm       nn.BatchNorm2d (affine, track_running_stats)
 *   relu            F.relu
 *   avgpool         F.avg_pool2d (count_include_pad)
 *   maxpool         F.max_pool2d
 *   global_avgpool  F.adaptive_avg_pool2d (x, 1)
 *   linear          nn.Linear on x.flatten (1); its output stays
 *                   [batch, features] (gennas's [n][f][1][1]), made 4-D
 *                   again only for an op that needs it
 *   add, concat     a + b + ..., torch.cat (dim 1)
 *   zero            x.new_zeros (batch, c, h, w): no gradient, as gennas
 *   identity        no statement: the input's variable stands for it
 *   resize_nearest  F.interpolate (mode="nearest"), PyTorch's legacy rule
 *   crop            a slice, or F.pad with the window's margins (negative
 *                   ones cut), zeros outside the input
 *
 * Variables are deleted after their last use, DEL_PER_LINE at a time
 * (forward() would otherwise hold every activation until it returns;
 * a `del` after each line would drown the network), except taps'.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-export.h"

#include <string.h>

/* how many convolutions one line of the init loop names */
#define INIT_PER_LINE 6
/* dead variables are deleted this many at a time, on one line */
#define DEL_PER_LINE 8

typedef struct {
  const GnNet *net;
  int n;
  GnNodeInfo *info;
  int *root;           /* the node whose variable holds a node's value */
  gboolean *flat;      /* that variable is [batch, features] (linear) */
  int *last_use;       /* the last node reading a root's variable */
  gboolean *tapped;    /* a root's variable is a tap's: kept */
} Graph;

static void
graph_clear (Graph *g)
{
  g_free (g->info);
  g_free (g->root);
  g_free (g->flat);
  g_free (g->last_use);
  g_free (g->tapped);
}

static void
graph_read (Graph *g, const GnNet *net)
{
  int n = gn_net_n_nodes (net);
  *g = (Graph) { net, n, g_new0 (GnNodeInfo, n), g_new0 (int, n),
                 g_new0 (gboolean, n), g_new0 (int, n),
                 g_new0 (gboolean, n) };
  for (int i = 0; i < n; i++)
    {
      GnNodeInfo *info = &g->info[i];
      gn_net_node_info (net, i, info);
      g->last_use[i] = i;
      if (info->op == GN_OP_IDENTITY)
        {
          g->root[i] = g->root[info->inputs[0]];
          continue;
        }
      g->root[i] = i;
      g->flat[i] = info->op == GN_OP_LINEAR;
      for (int k = 0; k < info->n_inputs; k++)
        {
          int r = g->root[info->inputs[k]];
          g->last_use[r] = MAX (g->last_use[r], i);
        }
    }
  const char **taps = gn_net_tap_names (net);
  for (const char **t = taps; *t; t++)
    g->tapped[g->root[gn_net_find_tap (net, *t)]] = TRUE;
  g_free (taps);
}

/* ------------------------------------------------------------------ */
/* Python text                                                         */
/* ------------------------------------------------------------------ */

/* @s as a Python string literal (UTF-8 kept, control characters
 * escaped) */
static void
py_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    if (*p == '"' || *p == '\\')
      g_string_append_printf (out, "\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f)
      g_string_append_printf (out, "\\x%02x", *p);
    else
      g_string_append_c (out, (char) *p);
  g_string_append_c (out, '"');
}

/* "3" for a square pair, "(1, 7)" otherwise */
static void
py_pair (GString *out, int a, int b)
{
  if (a == b)
    g_string_append_printf (out, "%d", a);
  else
    g_string_append_printf (out, "(%d, %d)", a, b);
}

/* ", name=pair" unless the pair is (dflt, dflt) */
static void
py_pair_arg (GString *out, const char *name, int a, int b, int dflt)
{
  if (a == dflt && b == dflt)
    return;
  g_string_append_printf (out, ", %s=", name);
  py_pair (out, a, b);
}

/* node @i's input @k as a variable, made 4-D if it is [batch, features] */
static void
input_4d (GString *out, const Graph *g, int i, int k)
{
  int r = g->root[g->info[i].inputs[k]];
  g_string_append_printf (out, g->flat[r] ? "x%d[:, :, None, None]" : "x%d",
                          r);
}

static void
init_lines (GString *out, const Graph *g)
{
  GArray *normal = g_array_new (FALSE, FALSE, sizeof (int));
  for (int i = 0; i < g->n; i++)
    {
      const GnNodeInfo *info = &g->info[i];
      if (info->op == GN_OP_CONV2D)
        {
          const GnConv2dSpec *c = &info->conv;
          GnShape in = g->info[info->inputs[0]].shape;
          g_string_append_printf (out, "        self.conv%d = nn.Conv2d(%d, "
                                  "%d, ", i, in.c, c->out_c);
          py_pair (out, c->kh, c->kw);
          py_pair_arg (out, "stride", c->stride_h, c->stride_w, 1);
          py_pair_arg (out, "padding", c->pad_h, c->pad_w, 0);
          py_pair_arg (out, "dilation", c->dil_h, c->dil_w, 1);
          if (c->groups != 1)
            g_string_append_printf (out, ", groups=%d", c->groups);
          if (!c->bias)
            g_string_append (out, ", bias=False");
          g_string_append (out, ")\n");
          if (c->init == GN_INIT_NORMAL_FAN_OUT)
            g_array_append_val (normal, i);
        }
      else if (info->op == GN_OP_BATCHNORM)
        g_string_append_printf (out, "        self.bn%d = nn.BatchNorm2d(%d%s"
                                "%s)\n", i, info->shape.c,
                                info->affine ? "" : ", affine=False",
                                info->track_running_stats
                                ? "" : ", track_running_stats=False");
      else if (info->op == GN_OP_LINEAR)
        g_string_append_printf (out, "        self.linear%d = nn.Linear(%d, "
                                "%d%s)\n", i, info->in_features,
                                info->shape.c,
                                info->bias ? "" : ", bias=False");
    }
  if (normal->len > 0)
    {
      g_string_append (out,
        "        # N(0, sqrt(2 / (kh kw out_channels))), NB101's and pycls's\n"
        "        # initialisation, where gennas builds it\n"
        "        for conv in (");
      for (guint k = 0; k < normal->len; k++)
        g_string_append_printf (out, "%sself.conv%d,",
                                k == 0 ? ""
                                : k % INIT_PER_LINE ? " "
                                : "\n                     ",
                                g_array_index (normal, int, k));
      g_string_append (out,
        "):\n"
        "            nn.init.kaiming_normal_(conv.weight, mode=\"fan_out\",\n"
        "                                    nonlinearity=\"relu\")\n");
    }
  g_array_free (normal, TRUE);
}

/* the right side of node @i's statement */
static void
expression (GString *out, const Graph *g, int i)
{
  const GnNodeInfo *info = &g->info[i];
  int x = info->n_inputs > 0 ? g->root[info->inputs[0]] : 0;
  switch (info->op)
    {
    case GN_OP_CONV2D:
      g_string_append_printf (out, "self.conv%d(", i);
      input_4d (out, g, i, 0);
      g_string_append_c (out, ')');
      break;
    case GN_OP_BATCHNORM:
      g_string_append_printf (out, "self.bn%d(", i);
      input_4d (out, g, i, 0);
      g_string_append_c (out, ')');
      break;
    case GN_OP_RELU:
      g_string_append (out, "F.relu(");
      input_4d (out, g, i, 0);
      g_string_append_c (out, ')');
      break;
    case GN_OP_AVGPOOL:
    case GN_OP_MAXPOOL:
      g_string_append (out, info->op == GN_OP_AVGPOOL ? "F.avg_pool2d("
                                                      : "F.max_pool2d(");
      input_4d (out, g, i, 0);
      g_string_append_printf (out, ", %d, stride=%d, padding=%d", info->k,
                              info->stride, info->pad);
      if (info->op == GN_OP_AVGPOOL && !info->count_include_pad)
        g_string_append (out, ", count_include_pad=False");
      g_string_append_c (out, ')');
      break;
    case GN_OP_GLOBAL_AVGPOOL:
      g_string_append (out, "F.adaptive_avg_pool2d(");
      input_4d (out, g, i, 0);
      g_string_append (out, ", 1)");
      break;
    case GN_OP_LINEAR:
      g_string_append_printf (out, g->flat[x] ? "self.linear%d(x%d)"
                                              : "self.linear%d(x%d.flatten(1))",
                              i, x);
      break;
    case GN_OP_ADD:
    case GN_OP_CONCAT:
      {
        gboolean cat = info->op == GN_OP_CONCAT && info->n_inputs > 1;
        if (cat)
          g_string_append (out, "torch.cat([");
        for (int k = 0; k < info->n_inputs; k++)
          {
            if (k > 0)
              g_string_append (out, cat ? ", " : " + ");
            input_4d (out, g, i, k);
          }
        if (cat)
          g_string_append (out, "], 1)");
        break;
      }
    case GN_OP_ZERO:
      g_string_append_printf (out, "x%d.new_zeros(x%d.shape[0], %d, %d, %d)",
                              x, x, info->shape.c, info->shape.h,
                              info->shape.w);
      break;
    case GN_OP_RESIZE_NEAREST:
      g_string_append (out, "F.interpolate(");
      input_4d (out, g, i, 0);
      g_string_append_printf (out, ", size=(%d, %d), mode=\"nearest\")",
                              info->shape.h, info->shape.w);
      break;
    case GN_OP_CROP:
      {
        GnShape in = g->info[info->inputs[0]].shape;
        int top = info->top, left = info->left;
        int bottom = top + info->shape.h - in.h;   /* > 0: rows of zeros */
        int right = left + info->shape.w - in.w;
        if (top >= 0 && left >= 0 && bottom <= 0 && right <= 0)
          {
            input_4d (out, g, i, 0);
            g_string_append_printf (out, "[:, :, %d:%d, %d:%d]", top,
                                    top + info->shape.h, left,
                                    left + info->shape.w);
          }
        else
          {
            /* F.pad's margins (left, right, top, bottom); a negative one
             * cuts */
            g_string_append (out, "F.pad(");
            input_4d (out, g, i, 0);
            g_string_append_printf (out, ", (%d, %d, %d, %d))", -left, right,
                                    -top, bottom);
          }
        break;
      }
    case GN_OP_MULTILINEAR:   /* refused by gn_export_torch () */
    case GN_OP_TANH:
    case GN_OP_SIGMOID:
    case GN_OP_LEAKY_RELU:
    case GN_OP_MUL:
    case GN_OP_BLEND:
    case GN_OP_DROPOUT:
      g_assert_not_reached ();
    case GN_OP_INPUT:
    case GN_OP_IDENTITY:
      g_assert_not_reached ();
    }
}

static void
forward_lines (GString *out, const Graph *g)
{
  GString *dead = g_string_new (NULL);
  int n_dead = 0;
  for (int i = 1; i < g->n; i++)
    {
      const GnNodeInfo *info = &g->info[i];
      if (info->op == GN_OP_IDENTITY)
        continue;
      gsize start = out->len;
      g_string_append_printf (out, "        x%d = ", i);
      expression (out, g, i);
      /* the shape as a comment, where the line leaves room */
      char shape[64];
      if (g->flat[i])
        g_snprintf (shape, sizeof shape, "  # %d", info->shape.c);
      else
        g_snprintf (shape, sizeof shape, "  # %dx%dx%d", info->shape.c,
                    info->shape.h, info->shape.w);
      if (out->len - start + strlen (shape) <= 79)
        g_string_append (out, shape);
      g_string_append_c (out, '\n');

      /* the variables this node read for the last time (its inputs in
       * order, each once), and its own if nothing reads it */
      for (int k = 0; k <= info->n_inputs; k++)
        {
          int r = k < info->n_inputs ? g->root[info->inputs[k]] : i;
          gboolean seen = FALSE;
          for (int j = 0; j < k && k < info->n_inputs; j++)
            seen |= g->root[info->inputs[j]] == r;
          if (seen || g->last_use[r] != i || g->tapped[r])
            continue;
          g_string_append_printf (dead, "%sx%d", dead->len ? ", " : "", r);
          n_dead++;
        }
      if (n_dead >= DEL_PER_LINE)
        {
          g_string_append_printf (out, "        del %s\n", dead->str);
          g_string_truncate (dead, 0);
          n_dead = 0;
        }
    }
  g_string_free (dead, TRUE);
}

/* `return` of forward(): the logits, or every tap */
static void
return_lines (GString *out, const Graph *g, int logits)
{
  const char **taps = gn_net_tap_names (g->net);
  g_string_append (out, "        if taps:\n            return {");
  for (const char **t = taps; *t; t++)
    {
      g_string_append (out, t == taps ? "" : ",\n                    ");
      py_string (out, *t);
      g_string_append_printf (out, ": x%d",
                              g->root[gn_net_find_tap (g->net, *t)]);
    }
  g_string_append (out, "}\n");
  g_free (taps);
  int r = g->root[logits];
  g_string_append_printf (out, g->flat[r] ? "        return x%d\n"
                                          : "        return x%d.flatten(1)\n",
                          r);
}

/* ------------------------------------------------------------------ */
/* the file                                                            */
/* ------------------------------------------------------------------ */

static gboolean
check_source (const GnExportSource *src, GError **error)
{
  const char *strings[] = { src->space, src->arch, src->genotype };
  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i] != NULL && !g_utf8_validate (strings[i], -1, NULL))
      {
        char *q = gn_error_quote (strings[i], -1, 0);
        g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                     "'%s' is not UTF-8 text", q);
        g_free (q);
        return FALSE;
      }
  for (const char *const *o = src->build ? src->build->options : NULL;
       o && *o; o++)
    if (!g_utf8_validate (*o, -1, NULL))
      {
        char *q = gn_error_quote (*o, -1, 0);
        g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                     "option '%s' is not UTF-8 text", q);
        g_free (q);
        return FALSE;
      }
  return TRUE;
}

/* "# " + @text on one comment line, control characters escaped */
static void
comment (GString *out, const char *label, const char *text)
{
  char *q = gn_error_quote (text, -1, G_MAXSIZE);
  g_string_append_printf (out, "#   %-9s %s\n", label, q);
  g_free (q);
}

static void
header (GString *out, const Graph *g, const GnExportSource *src)
{
  GnShape in = gn_net_shape (g->net, 0);
  const GnBuildOptions *b = src->build;
  g_string_append_printf (out, "# model.py - a network gennas found, as a "
                          "PyTorch module\n#\n# Generated by gennas %s "
                          "(`gennas export-arch --format pytorch`) from\n",
                          PACKAGE_VERSION);
  comment (out, "space:", src->space);
  comment (out, "arch:", src->arch);
  if (src->genotype && strcmp (src->genotype, src->arch) != 0)
    comment (out, "genotype:", src->genotype);
  GString *built = g_string_new (NULL);
  g_string_append_printf (built, "input %dx%dx%d, %d classes", in.c, in.h,
                          in.w, gn_net_shape (g->net,
                                              gn_net_find_tap (g->net,
                                                               "logits")).c);
  if (b != NULL)
    {
      g_string_append (built, b->published ? ", as published"
                                           : ", the proxy's network");
      for (const char *const *o = b->options; o && *o; o++)
        g_string_append_printf (built, "%s%s", o == b->options
                                ? ", options " : " ", *o);
    }
  comment (out, "built:", built->str);
  g_string_free (built, TRUE);
  g_string_append_printf (out, "#   %-9s %" G_GSIZE_FORMAT " (as gennas "
                          "counts them); %.0f multiply-accumulates an "
                          "image\n", "params:", gn_net_count_params (g->net),
                          gn_net_count_macs (g->net));
  g_string_append (out,
    "#\n"
    "# Network() is exactly the network gennas builds for this architecture\n"
    "# and configuration: the same layers, connections and parameter count,\n"
    "# freshly initialised as PyTorch does.  Train it with your own code:\n"
    "#\n"
    "#   from model import Network\n"
    "#   model = Network()\n"
    "#   logits = model(images)   # images: [batch, *INPUT_SHAPE]\n"
    "#\n"
    "# Each layer is named after its node in gennas's network IR (conv12 is\n"
    "# node 12; `gennas export-arch --format json` lists the nodes), and\n"
    "# forward() evaluates the nodes in order.  Run as a script, this file\n"
    "# checks the parameter count and runs one batch.  It needs only torch.\n"
    "\n"
    "import torch\n"
    "from torch import nn\n"
    "import torch.nn.functional as F\n"
    "\n");
  g_string_append (out, "SPACE = ");
  py_string (out, src->space);
  g_string_append (out, "\nARCH = ");
  py_string (out, src->arch);
  if (src->genotype && strcmp (src->genotype, src->arch) != 0)
    {
      g_string_append (out, "\nGENOTYPE = ");
      py_string (out, src->genotype);
    }
  g_string_append_printf (out, "\nINPUT_SHAPE = (%d, %d, %d)\n"
                          "PARAMS = %" G_GSIZE_FORMAT "\n\n\n", in.c, in.h,
                          in.w, gn_net_count_params (g->net));
}

char *
gn_export_torch (const GnNet *net, const GnExportSource *src,
                 GError **error)
{
  g_return_val_if_fail (net != NULL && src != NULL, NULL);
  g_return_val_if_fail (src->space != NULL && src->arch != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  int logits = gn_net_find_tap (net, "logits");
  if (logits < 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "the network has no classifier (no 'logits' tap) to "
                   "export");
      return NULL;
    }
  if (!check_source (src, error))
    return NULL;
  for (int i = 0; i < gn_net_n_nodes (net); i++)
    {
      GnNodeInfo info;
      gn_net_node_info (net, i, &info);
      if (info.op >= GN_OP_MULTILINEAR)
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "the network has a %s node, which the PyTorch "
                       "export does not write (recurrent cells)",
                       gn_net_op_name (net, i));
          return NULL;
        }
    }

  Graph g;
  graph_read (&g, net);
  GString *out = g_string_new (NULL);
  header (out, &g, src);
  g_string_append (out,
    "class Network(nn.Module):\n"
    "    \"\"\"The network of ARCH in SPACE (see the top of the file).\n"
    "\n"
    "    forward(x) takes a batch [batch, *INPUT_SHAPE] and returns the\n"
    "    classifier's logits, [batch, classes]; forward(x, taps=True) returns\n"
    "    a dict of every output gennas names (\"logits\", the stage outputs\n"
    "    \"stage0\", \"stage1\", \"stage2\", ...), each [batch, c, h, w] or, after\n"
    "    a linear layer, [batch, features].\n"
    "    \"\"\"\n"
    "\n"
    "    def __init__(self):\n"
    "        super().__init__()\n");
  init_lines (out, &g);
  g_string_append (out, "\n    def forward(self, x0, taps=False):\n");
  forward_lines (out, &g);
  return_lines (out, &g, logits);
  g_string_append (out,
    "\n"
    "\n"
    "if __name__ == \"__main__\":\n"
    "    model = Network().eval()\n"
    "    params = sum(p.numel() for p in model.parameters())\n"
    "    assert params == PARAMS, f\"{params} parameters, not {PARAMS}\"\n"
    "    with torch.no_grad():\n"
    "        logits = model(torch.randn(2, *INPUT_SHAPE))\n"
    "    print(f\"{SPACE}: {params} parameters, logits of shape \"\n"
    "          f\"{tuple(logits.shape)}\")\n");
  graph_clear (&g);
  return g_string_free (out, FALSE);
}
