/* gn-export-json.c - a network as a JSON description any tool can read
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * json-glib writes every value (so strings are escaped as JSON wants);
 * the layout is ours: one member of the description a line, then the
 * nodes one a line, so that a network of a thousand nodes reads as a
 * list.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-export.h"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

static gboolean
check_utf8 (const char *what, const char *s, GError **error)
{
  if (s == NULL || g_utf8_validate (s, -1, NULL))
    return TRUE;
  char *q = gn_error_quote (s, -1, 0);
  g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
               "%s '%s' is not UTF-8 text", what, q);
  g_free (q);
  return FALSE;
}

/* a build option's value as the space reads it: a boolean, a number, or
 * else the text */
static void
add_option_value (JsonBuilder *b, const char *v)
{
  gint64 i;
  char *end = NULL;
  if (strcmp (v, "true") == 0 || strcmp (v, "false") == 0)
    json_builder_add_boolean_value (b, v[0] == 't');
  else if (g_ascii_string_to_signed (v, 10, G_MININT64, G_MAXINT64, &i,
                                     NULL))
    json_builder_add_int_value (b, i);
  else
    {
      double d = v[0] ? g_ascii_strtod (v, &end) : NAN;
      if (end != NULL && *end == '\0' && isfinite (d))
        json_builder_add_double_value (b, d);
      else
        json_builder_add_string_value (b, v);
    }
}

static void
add_ints (JsonBuilder *b, const char *name, int n, const int *v)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_int_value (b, v[i]);
  json_builder_end_array (b);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_bool (JsonBuilder *b, const char *name, gboolean v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, v);
}

static void
add_string (JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, v);
}

/* a float constant as the decimal it was written as (1e-05, not the
 * double nearest the float, 9.99999974737875e-06) */
static void
add_float (JsonBuilder *b, const char *name, float v)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (text, sizeof text, "%g", v);
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, g_ascii_strtod (text, NULL));
}

/* the op's attributes, as GnNodeInfo has them */
static void
add_attrs (JsonBuilder *b, const GnNet *net, const GnNodeInfo *info)
{
  json_builder_set_member_name (b, "attrs");
  json_builder_begin_object (b);
  switch (info->op)
    {
    case GN_OP_CONV2D:
      {
        const GnConv2dSpec *c = &info->conv;
        add_int (b, "in_channels", gn_net_shape (net, info->inputs[0]).c);
        add_int (b, "out_channels", c->out_c);
        add_ints (b, "kernel", 2, (int[]) { c->kh, c->kw });
        add_ints (b, "stride", 2, (int[]) { c->stride_h, c->stride_w });
        add_ints (b, "padding", 2, (int[]) { c->pad_h, c->pad_w });
        add_ints (b, "dilation", 2, (int[]) { c->dil_h, c->dil_w });
        add_int (b, "groups", c->groups);
        add_bool (b, "bias", c->bias);
        add_string (b, "init", c->init == GN_INIT_NORMAL_FAN_OUT
                               ? "normal_fan_out" : "default");
        break;
      }
    case GN_OP_BATCHNORM:
      add_bool (b, "affine", info->affine);
      add_bool (b, "track_running_stats", info->track_running_stats);
      break;
    case GN_OP_AVGPOOL:
    case GN_OP_MAXPOOL:
      add_int (b, "kernel", info->k);
      add_int (b, "stride", info->stride);
      add_int (b, "padding", info->pad);
      if (info->op == GN_OP_AVGPOOL)
        add_bool (b, "count_include_pad", info->count_include_pad);
      break;
    case GN_OP_LINEAR:
      add_int (b, "in_features", info->in_features);
      add_int (b, "out_features", info->shape.c);
      add_bool (b, "bias", info->bias);
      break;
    case GN_OP_ZERO:
      add_int (b, "stride", info->stride);
      break;
    case GN_OP_RESIZE_NEAREST:
      add_int (b, "height", info->shape.h);
      add_int (b, "width", info->shape.w);
      break;
    case GN_OP_CROP:
      add_int (b, "top", info->top);
      add_int (b, "left", info->left);
      add_int (b, "height", info->shape.h);
      add_int (b, "width", info->shape.w);
      break;
    case GN_OP_MULTILINEAR:
      add_int (b, "in_features", info->in_features);
      add_bool (b, "bias", info->bias);
      break;
    case GN_OP_TANH:
    case GN_OP_SIGMOID:
    case GN_OP_LEAKY_RELU:
    case GN_OP_MUL:
    case GN_OP_BLEND:
    case GN_OP_DROPOUT:
    case GN_OP_INPUT:
    case GN_OP_RELU:
    case GN_OP_GLOBAL_AVGPOOL:
    case GN_OP_ADD:
    case GN_OP_CONCAT:
    case GN_OP_IDENTITY:
      break;
    }
  json_builder_end_object (b);
}

static JsonNode *
node_json (const GnNet *net, int id)
{
  GnNodeInfo info;
  gn_net_node_info (net, id, &info);
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  add_int (b, "id", id);
  add_string (b, "op", gn_net_op_name (net, id));
  add_ints (b, "inputs", info.n_inputs, info.inputs);
  add_ints (b, "shape", 3, (int[]) { info.shape.c, info.shape.h,
                                     info.shape.w });
  add_int (b, "params", (gint64) info.n_params);
  add_attrs (b, net, &info);
  json_builder_end_object (b);
  JsonNode *node = json_builder_get_root (b);
  g_object_unref (b);
  return node;
}

/* everything but the nodes */
static JsonNode *
description (const GnNet *net, const GnExportSource *src)
{
  const GnBuildOptions *o = src->build;
  GnShape in = gn_net_shape (net, 0);
  int logits = gn_net_find_tap (net, "logits");
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "gennas", PACKAGE_VERSION);
  add_string (b, "space", src->space);
  add_string (b, "arch", src->arch);
  if (src->genotype && strcmp (src->genotype, src->arch) != 0)
    add_string (b, "genotype", src->genotype);

  json_builder_set_member_name (b, "build");
  json_builder_begin_object (b);
  add_ints (b, "input", 3, (int[]) { in.c, in.h, in.w });
  if (logits >= 0)
    add_int (b, "classes", gn_net_shape (net, logits).c);
  if (o != NULL)
    {
      add_bool (b, "published", o->published);
      add_bool (b, "classifier", o->classifier);
      json_builder_set_member_name (b, "options");
      json_builder_begin_object (b);
      for (const char *const *opt = o->options; opt && *opt; opt++)
        {
          const char *eq = strchr (*opt, '=');
          char *key = eq ? g_strndup (*opt, (gsize) (eq - *opt))
                         : g_strdup (*opt);
          json_builder_set_member_name (b, key);
          add_option_value (b, eq ? eq + 1 : "");
          g_free (key);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  add_int (b, "params", (gint64) gn_net_count_params (net));
  add_int (b, "macs", (gint64) llround (gn_net_count_macs (net)));
  /* every batch norm's: PyTorch's defaults */
  json_builder_set_member_name (b, "batchnorm");
  json_builder_begin_object (b);
  add_float (b, "eps", GN_BN_EPS);
  add_float (b, "momentum", GN_BN_MOMENTUM);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "taps");
  json_builder_begin_object (b);
  const char **taps = gn_net_tap_names (net);
  for (const char **t = taps; *t; t++)
    add_int (b, *t, gn_net_find_tap (net, *t));
  g_free (taps);
  json_builder_end_object (b);
  json_builder_end_object (b);
  JsonNode *root = json_builder_get_root (b);
  g_object_unref (b);
  return root;
}

char *
gn_export_json (const GnNet *net, const GnExportSource *src, GError **error)
{
  g_return_val_if_fail (net != NULL && src != NULL, NULL);
  g_return_val_if_fail (src->space != NULL && src->arch != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_utf8 ("the space name", src->space, error)
      || !check_utf8 ("the architecture", src->arch, error)
      || !check_utf8 ("the genotype", src->genotype, error))
    return NULL;
  for (const char *const *o = src->build ? src->build->options : NULL;
       o && *o; o++)
    if (!check_utf8 ("the option", *o, error))
      return NULL;

  /* the description's members (our own names) one a line, then the
   * nodes */
  JsonNode *root = description (net, src);
  GString *out = g_string_new ("{\n");
  JsonObjectIter it;
  const char *name;
  JsonNode *value;
  json_object_iter_init_ordered (&it, json_node_get_object (root));
  while (json_object_iter_next_ordered (&it, &name, &value))
    {
      char *text = json_to_string (value, FALSE);
      g_string_append_printf (out, "  \"%s\": %s,\n", name, text);
      g_free (text);
    }
  json_node_unref (root);
  g_string_append (out, "  \"nodes\": [\n");
  int n = gn_net_n_nodes (net);
  for (int i = 0; i < n; i++)
    {
      JsonNode *node = node_json (net, i);
      char *line = json_to_string (node, FALSE);
      g_string_append_printf (out, "    %s%s\n", line, i + 1 < n ? "," : "");
      g_free (line);
      json_node_unref (node);
    }
  g_string_append (out, "  ]\n}\n");
  return g_string_free (out, FALSE);
}
