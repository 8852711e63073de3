/* gn-net.c - the network IR: building, memory planning, forward, backward
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A node is an op id, its inputs, its output shape and a small union of op
 * geometry (kann's lean node, not darknet's god struct).  Compiling decides
 * which nodes carry gradients, derives every buffer's lifetime over one
 * training step and packs them into one arena with gn-plan.c.
 *
 * The step timeline: node i runs forward at t = i; the loss is computed at
 * t = n; node i runs backward at t = 2n - i.  A value lives from its
 * forward until the last forward consumer or the last backward that reads
 * it; a gradient lives from the first backward that accumulates into it
 * (or the loss, for taps) until its own node's backward.  Gradients are
 * zeroed when their buffer comes alive, so every backward kernel simply
 * accumulates.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-net.h"
#include "gn-ops.h"
#include "gn-rng.h"
#include "gn-plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
  OP_INPUT,
  OP_CONV,
  OP_BN,
  OP_RELU,
  OP_AVGPOOL,
  OP_MAXPOOL,
  OP_GAP,
  OP_LINEAR,
  OP_ADD,
  OP_CONCAT,
  OP_ZERO,
  OP_IDENTITY,
  OP_RESIZE,
  OP_CROP,
  OP_MULTILINEAR,
  OP_TANH,
  OP_SIGMOID,
  OP_LEAKY_RELU,
  OP_MUL,
  OP_BLEND,
  OP_DROPOUT,
  N_OPS
} OpKind;

/* What an op's backward reads besides its output gradient. */
enum {
  NEEDS_INPUT = 1 << 0,    /* the values of its inputs   */
  NEEDS_OUTPUT = 1 << 1,   /* the value of its own output */
  NO_GRAD_FLOW = 1 << 2    /* gradient never reaches the inputs */
};

static const struct {
  const char *name;
  guint flags;
} op_info[N_OPS] = {
  [OP_INPUT] = { "input", 0 },
  [OP_CONV] = { "conv2d", NEEDS_INPUT },
  [OP_BN] = { "batchnorm", 0 },   /* input or output: see bn_flags() */
  [OP_RELU] = { "relu", NEEDS_OUTPUT },
  [OP_AVGPOOL] = { "avgpool", 0 },
  [OP_MAXPOOL] = { "maxpool", 0 },  /* reads its argmax buffer */
  [OP_GAP] = { "global_avgpool", 0 },
  [OP_LINEAR] = { "linear", NEEDS_INPUT },
  [OP_ADD] = { "add", 0 },
  [OP_CONCAT] = { "concat", 0 },
  [OP_ZERO] = { "zero", NO_GRAD_FLOW },
  [OP_IDENTITY] = { "identity", 0 },
  [OP_RESIZE] = { "resize_nearest", 0 },
  [OP_CROP] = { "crop", 0 },
  [OP_MULTILINEAR] = { "multilinear", NEEDS_INPUT },
  [OP_TANH] = { "tanh", NEEDS_OUTPUT },
  [OP_SIGMOID] = { "sigmoid", NEEDS_OUTPUT },
  [OP_LEAKY_RELU] = { "leaky_relu", NEEDS_OUTPUT },
  [OP_MUL] = { "mul", NEEDS_INPUT },
  [OP_BLEND] = { "blend", NEEDS_INPUT },
  [OP_DROPOUT] = { "dropout", 0 },   /* reads its mask */
};

typedef struct {
  OpKind kind;
  GnShape shape;
  int n_inputs;
  int *inputs;
  union {
    GnConv2dGeom conv;
    struct {
      gboolean affine, track;
    } bn;
    GnPoolGeom pool;
    struct {
      int in_f, out_f;
    } linear;
    struct {
      int top, left;
    } crop;
    struct {
      int stride;
    } zero;
    struct {
      int out_f;
      int share;              /* the node whose parameters it uses, or 0 */
      gboolean transposed;    /* uses that node's weight transposed */
      float init_range;
      gboolean zero_bias;
      int w_first, b_index;   /* into net->params; b_index -1: no bias */
      /* the weight gradients of a shared group wait for the end of the
       * backward pass: one product over every use (see stage_weight_grads()) */
      int group;              /* the group's first node, or -1: none */
      int slot;               /* this use's rows in the group's stage */
      int n_slots;            /* the first node: how many uses */
      float *stage;           /* the first node: [dy | x_0 | x_1 ...] of
                                 n_slots * n rows each (compiled, owned) */
      /* the first node: the inputs k (bit k of @early) that every use
       * reads from a node before the group, so their products for all
       * uses are one sgemm at the first use's forward, into @pre */
      guint64 early;
      int *uses;              /* node of each slot (compiled, owned) */
      float *pre;             /* [n_slots * n][out] (compiled, owned) */
    } mlin;
    struct {
      float p;
      int share;              /* the node whose mask it uses, or 0 */
      float *mask;            /* owned (compiled), NULL for a sharer */
    } drop;
  } u;
  gboolean bias;
  GnInit init;

  int param_first, n_params;    /* slice of net->params */
  gsize state_off;              /* floats in net->state (batch norm) */

  /* compiled */
  int root;                     /* identity chains resolve to a producer */
  gboolean tap, reaches, upstream, has_grad;
  gboolean retain_grad;         /* gradient kept to the step's end */
  float *value, *grad;
  gint32 *aux;
  gsize grad_count;
} Node;

struct _GnNet {
  GArray *nodes;                /* Node */
  GHashTable *taps;             /* name -> node id + 1 */
  GArray *params;               /* GnParam */
  GPtrArray *param_names;
  gsize n_param_floats;
  gsize n_state_floats;
  gsize graph_bytes;            /* what the nodes, inputs and names hold */
  gboolean compiled;
  gboolean input_grad;
  GnMode last_mode;

  /* memory (compiled) */
  guint8 *arena;
  gsize arena_bytes;
  float *param_block;           /* values then grads */
  float *state;                 /* batch norm statistics */
  float *scratch;
  gsize scratch_floats;
  gsize side_floats;            /* dropout masks, the linears' stages */
  int *zero_order;              /* node ids sorted by gradient birth */
  int *zero_birth;
  int n_zero;
  /* the input pointers and channels of one add or concat node, for the
   * node with the most inputs (kept off the stack: inputs are unbounded) */
  const float **fan_in;
  float **fan_in_grad;
  int *fan_in_c;

  /* shared linears whose weight gradients are staged */
  int *staged;
  int n_staged;

  /* locked dropout: the masks' generator (gn_net_init_params()) */
  GnRng drop_rng;
  gboolean has_dropout;

  /* gn_net_set_relu_mode(): a mask per ReLU node, allocated on demand */
  GnReluMode relu_mode;
  gboolean relu_recorded, last_relu_frozen;
  guint8 **relu_masks;

  /* gn_net_set_precision(): the products of convolutions and linears */
  GnPrecision precision;
};

#define NODE(net, i) (&g_array_index ((net)->nodes, Node, (i)))

static gsize
shape_count (GnShape s)
{
  return (gsize) s.n * s.c * s.h * s.w;
}

/* ------------------------------------------------------------------ */
/* building                                                            */
/* ------------------------------------------------------------------ */

GnNet *
gn_net_new (int n, int c, int h, int w)
{
  g_return_val_if_fail (n > 0 && c > 0 && h > 0 && w > 0, NULL);
  GnNet *net = g_new0 (GnNet, 1);
  net->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  net->taps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  net->params = g_array_new (FALSE, TRUE, sizeof (GnParam));
  net->param_names = g_ptr_array_new_with_free_func (g_free);
  Node input = { .kind = OP_INPUT, .shape = { n, c, h, w } };
  g_array_append_val (net->nodes, input);
  net->graph_bytes = sizeof *net + sizeof input;
  return net;
}

void
gn_net_free (GnNet *net)
{
  if (net == NULL)
    return;
  if (net->relu_masks)
    for (guint i = 0; i < net->nodes->len; i++)
      g_free (net->relu_masks[i]);
  g_free (net->relu_masks);
  for (guint i = 0; i < net->nodes->len; i++)
    {
      g_free (NODE (net, i)->inputs);
      if (NODE (net, i)->kind == OP_DROPOUT)
        g_free (NODE (net, i)->u.drop.mask);
      if (NODE (net, i)->kind == OP_MULTILINEAR)
        {
          g_free (NODE (net, i)->u.mlin.stage);
          g_free (NODE (net, i)->u.mlin.uses);
          g_free (NODE (net, i)->u.mlin.pre);
        }
    }
  g_free (net->staged);
  g_array_free (net->nodes, TRUE);
  g_hash_table_destroy (net->taps);
  g_array_free (net->params, TRUE);
  g_ptr_array_free (net->param_names, TRUE);
  g_free (net->arena);
  g_free (net->param_block);
  g_free (net->state);
  g_free (net->scratch);
  g_free (net->zero_order);
  g_free (net->zero_birth);
  g_free (net->fan_in);
  g_free (net->fan_in_grad);
  g_free (net->fan_in_c);
  g_free (net);
}

static gboolean
check_building (GnNet *net, GError **error)
{
  if (net->compiled)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_STATE,
                   "the network is compiled; no more nodes can be added");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_node (GnNet *net, int x, GError **error)
{
  if (x < 0 || (guint) x >= net->nodes->len)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "node %d does not exist (the network has %u nodes)", x,
                   net->nodes->len);
      return FALSE;
    }
  return TRUE;
}

/* Appends @node with @inputs copied; returns its id. */
static int
append (GnNet *net, Node *node, int n_inputs, const int *inputs)
{
  node->n_inputs = n_inputs;
  node->inputs = g_memdup2 (inputs, sizeof (int) * (gsize) n_inputs);
  node->param_first = (int) net->params->len;
  node->root = (int) net->nodes->len;
  g_array_append_val (net->nodes, *node);
  net->graph_bytes += sizeof (Node) + sizeof (int) * (gsize) n_inputs;
  return (int) net->nodes->len - 1;
}

static void
add_param (GnNet *net, int node, GnParamKind kind, const char *what,
           gsize size)
{
  GnParam p = {
    .kind = kind,
    .node = node,
    .size = size,
    .decay = kind == GN_PARAM_CONV_WEIGHT || kind == GN_PARAM_LINEAR_WEIGHT,
  };
  char *name = g_strdup_printf ("n%d.%s.%s", node,
                                op_info[NODE (net, node)->kind].name, what);
  g_ptr_array_add (net->param_names, name);
  net->graph_bytes += sizeof p + sizeof name + strlen (name) + 1;
  p.name = name;
  g_array_append_val (net->params, p);
  NODE (net, node)->n_params++;
  net->n_param_floats += size;
}

int
gn_net_conv2d (GnNet *net, int x, const GnConv2dSpec *spec, GError **error)
{
  g_return_val_if_fail (net != NULL && spec != NULL, -1);
  if (!check_building (net, error) || !check_node (net, x, error))
    return -1;
  GnShape in = NODE (net, x)->shape;
  Node node = { .kind = OP_CONV, .bias = spec->bias, .init = spec->init };
  GnConv2dGeom *g = &node.u.conv;
  g->n = in.n;
  g->in_c = in.c;
  g->in_h = in.h;
  g->in_w = in.w;
  g->out_c = spec->out_c;
  g->kh = spec->kh;
  g->kw = spec->kw ? spec->kw : spec->kh;
  g->stride_h = spec->stride_h ? spec->stride_h : 1;
  g->stride_w = spec->stride_w ? spec->stride_w : g->stride_h;
  g->pad_h = spec->pad_h;
  g->pad_w = spec->pad_w;
  g->dil_h = spec->dil_h ? spec->dil_h : 1;
  g->dil_w = spec->dil_w ? spec->dil_w : g->dil_h;
  g->groups = spec->groups ? spec->groups : 1;
  if (!gn_conv2d_geom_init (g, error))
    return -1;
  node.shape = (GnShape) { in.n, g->out_c, g->out_h, g->out_w };
  int id = append (net, &node, 1, &x);
  add_param (net, id, GN_PARAM_CONV_WEIGHT, "weight",
             gn_conv2d_weight_size (g));
  if (spec->bias)
    add_param (net, id, GN_PARAM_CONV_BIAS, "bias", (gsize) g->out_c);
  return id;
}

int
gn_net_batchnorm (GnNet *net, int x, gboolean affine,
                  gboolean track_running_stats, GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (!check_building (net, error) || !check_node (net, x, error))
    return -1;
  Node node = { .kind = OP_BN, .shape = NODE (net, x)->shape };
  node.u.bn.affine = affine;
  node.u.bn.track = track_running_stats;
  node.state_off = net->n_state_floats;
  net->n_state_floats += (gsize) node.shape.c * (track_running_stats ? 4 : 2);
  int id = append (net, &node, 1, &x);
  if (affine)
    {
      add_param (net, id, GN_PARAM_BN_WEIGHT, "weight", (gsize) node.shape.c);
      add_param (net, id, GN_PARAM_BN_BIAS, "bias", (gsize) node.shape.c);
    }
  return id;
}

static int
unary (GnNet *net, OpKind kind, int x, GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (!check_building (net, error) || !check_node (net, x, error))
    return -1;
  Node node = { .kind = kind, .shape = NODE (net, x)->shape };
  return append (net, &node, 1, &x);
}

int
gn_net_relu (GnNet *net, int x, GError **error)
{
  return unary (net, OP_RELU, x, error);
}

int
gn_net_identity (GnNet *net, int x, GError **error)
{
  int id = unary (net, OP_IDENTITY, x, error);
  if (id >= 0)
    NODE (net, id)->root = NODE (net, x)->root;
  return id;
}

static int
pool (GnNet *net, OpKind kind, int x, int k, int stride, int pad,
      gboolean count_include_pad, GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (!check_building (net, error) || !check_node (net, x, error))
    return -1;
  GnShape in = NODE (net, x)->shape;
  Node node = { .kind = kind };
  GnPoolGeom *g = &node.u.pool;
  *g = (GnPoolGeom) { .n = in.n, .c = in.c, .in_h = in.h, .in_w = in.w,
                      .k = k, .stride = stride, .pad = pad,
                      .count_include_pad = count_include_pad };
  if (!gn_pool_geom_init (g, error))
    return -1;
  node.shape = (GnShape) { in.n, in.c, g->out_h, g->out_w };
  return append (net, &node, 1, &x);
}

int
gn_net_avgpool (GnNet *net, int x, int k, int stride, int pad,
                gboolean count_include_pad, GError **error)
{
  return pool (net, OP_AVGPOOL, x, k, stride, pad, count_include_pad, error);
}

int
gn_net_maxpool (GnNet *net, int x, int k, int stride, int pad,
                GError **error)
{
  return pool (net, OP_MAXPOOL, x, k, stride, pad, FALSE, error);
}

int
gn_net_global_avgpool (GnNet *net, int x, GError **error)
{
  int id = unary (net, OP_GAP, x, error);
  if (id >= 0)
    NODE (net, id)->shape.h = NODE (net, id)->shape.w = 1;
  return id;
}

int
gn_net_linear (GnNet *net, int x, int out_features, gboolean bias,
               GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (!check_building (net, error) || !check_node (net, x, error))
    return -1;
  if (out_features <= 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "linear: out_features must be positive, not %d",
                   out_features);
      return -1;
    }
  GnShape in = NODE (net, x)->shape;
  Node node = { .kind = OP_LINEAR, .bias = bias,
                .shape = { in.n, out_features, 1, 1 } };
  node.u.linear.in_f = in.c * in.h * in.w;
  node.u.linear.out_f = out_features;
  int id = append (net, &node, 1, &x);
  add_param (net, id, GN_PARAM_LINEAR_WEIGHT, "weight",
             (gsize) out_features * (gsize) node.u.linear.in_f);
  if (bias)
    add_param (net, id, GN_PARAM_LINEAR_BIAS, "bias", (gsize) out_features);
  return id;
}

static int
row_width (GnShape s)
{
  return s.c * s.h * s.w;
}

int
gn_net_linear_multi (GnNet *net, int k, const int *xs,
                     const GnLinearSpec *spec, GError **error)
{
  g_return_val_if_fail (net != NULL && spec != NULL, -1);
  g_return_val_if_fail (k == 0 || xs != NULL, -1);
  if (!check_building (net, error))
    return -1;
  if (k < 1 || k > 64)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "multilinear: 1 to 64 inputs, not %d", k);
      return -1;
    }
  for (int i = 0; i < k; i++)
    if (!check_node (net, xs[i], error))
      return -1;
  if (spec->out_features <= 0 || !(spec->init_range >= 0.f))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "multilinear: out_features must be positive and "
                   "init_range >= 0 (got %d, %g)", spec->out_features,
                   (double) spec->init_range);
      return -1;
    }
  int n = NODE (net, xs[0])->shape.n;
  for (int i = 1; i < k; i++)
    if (NODE (net, xs[i])->shape.n != n)
      {
        g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                     "multilinear: input %d has batch %d, input 0 has %d", i,
                     NODE (net, xs[i])->shape.n, n);
        return -1;
      }
  Node node = { .kind = OP_MULTILINEAR, .bias = spec->bias,
                .shape = { n, spec->out_features, 1, 1 } };
  node.u.mlin.out_f = spec->out_features;
  node.u.mlin.share = spec->share;
  node.u.mlin.transposed = spec->share > 0 && spec->share_transposed;
  node.u.mlin.init_range = spec->init_range;
  node.u.mlin.zero_bias = spec->zero_bias;
  node.u.mlin.b_index = -1;
  node.u.mlin.group = -1;
  if (spec->share != 0)
    {
      if (spec->share < 0 || (guint) spec->share >= net->nodes->len
          || NODE (net, spec->share)->kind != OP_MULTILINEAR)
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "multilinear: share %d is not a multilinear node",
                       spec->share);
          return -1;
        }
      /* @own: a node of the same parameters (they were checked when it
       * was built); a transposed one shares its tied weight and bias */
      const Node *own = NODE (net, spec->share);
      int own_k = own->n_inputs;
      gboolean fits;
      if (node.u.mlin.transposed)
        fits = own_k == 1 && k == 1 && !own->u.mlin.transposed
               && row_width (NODE (net, xs[0])->shape) == own->u.mlin.out_f
               && spec->out_features
                  == row_width (NODE (net, own->inputs[0])->shape);
      else
        {
          fits = own_k == k && own->u.mlin.out_f == spec->out_features
                 && own->bias == spec->bias;
          for (int i = 0; fits && i < k; i++)
            fits = row_width (NODE (net, xs[i])->shape)
                   == row_width (NODE (net, own->inputs[i])->shape);
          node.u.mlin.transposed = own->u.mlin.transposed;
        }
      if (!fits)
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "multilinear: the parameters of node %d do not fit "
                       "these inputs and outputs%s", spec->share,
                       node.u.mlin.transposed ? " (transposed)" : "");
          return -1;
        }
      node.u.mlin.w_first = own->u.mlin.w_first;
      if (!spec->share_transposed)
        node.u.mlin.b_index = own->u.mlin.b_index;
      if (!node.u.mlin.transposed && own->u.mlin.group >= 0)
        {
          node.u.mlin.group = own->u.mlin.group;
          node.u.mlin.slot = NODE (net, own->u.mlin.group)->u.mlin.n_slots++;
        }
      int id = append (net, &node, k, xs);
      if (spec->share_transposed && spec->bias)
        {
          NODE (net, id)->u.mlin.b_index = (int) net->params->len;
          add_param (net, id, GN_PARAM_LINEAR_BIAS, "bias",
                     (gsize) spec->out_features);
        }
      return id;
    }
  int id = append (net, &node, k, xs);
  NODE (net, id)->u.mlin.w_first = (int) net->params->len;
  NODE (net, id)->u.mlin.group = id;
  NODE (net, id)->u.mlin.n_slots = 1;
  for (int i = 0; i < k; i++)
    {
      char what[32];
      g_snprintf (what, sizeof what, "weight%d", i);
      add_param (net, id, GN_PARAM_LINEAR_WEIGHT, what,
                 (gsize) spec->out_features
                 * (gsize) row_width (NODE (net, xs[i])->shape));
    }
  if (spec->bias)
    {
      NODE (net, id)->u.mlin.b_index = (int) net->params->len;
      add_param (net, id, GN_PARAM_LINEAR_BIAS, "bias",
                 (gsize) spec->out_features);
    }
  return id;
}

int
gn_net_tanh (GnNet *net, int x, GError **error)
{
  return unary (net, OP_TANH, x, error);
}

int
gn_net_sigmoid (GnNet *net, int x, GError **error)
{
  return unary (net, OP_SIGMOID, x, error);
}

int
gn_net_leaky_relu (GnNet *net, int x, GError **error)
{
  return unary (net, OP_LEAKY_RELU, x, error);
}

/* An element-wise op of @k nodes of one shape. */
static int
same_shape (GnNet *net, OpKind kind, int k, const int *xs, GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (!check_building (net, error))
    return -1;
  for (int i = 0; i < k; i++)
    if (!check_node (net, xs[i], error))
      return -1;
  GnShape s = NODE (net, xs[0])->shape;
  for (int i = 1; i < k; i++)
    {
      GnShape t = NODE (net, xs[i])->shape;
      if (t.n != s.n || t.c != s.c || t.h != s.h || t.w != s.w)
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "%s: input %d has shape %dx%dx%dx%d, input 0 has "
                       "%dx%dx%dx%d", op_info[kind].name, i, t.n, t.c, t.h,
                       t.w, s.n, s.c, s.h, s.w);
          return -1;
        }
    }
  Node node = { .kind = kind, .shape = s };
  return append (net, &node, k, xs);
}

int
gn_net_mul (GnNet *net, int a, int b, GError **error)
{
  int xs[2] = { a, b };
  return same_shape (net, OP_MUL, 2, xs, error);
}

int
gn_net_blend (GnNet *net, int z, int a, int b, GError **error)
{
  int xs[3] = { z, a, b };
  return same_shape (net, OP_BLEND, 3, xs, error);
}

int
gn_net_dropout (GnNet *net, int x, float p, int share, GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (!check_building (net, error) || !check_node (net, x, error))
    return -1;
  if (!(p >= 0.f && p < 1.f))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "dropout: p must lie in [0, 1), not %g", (double) p);
      return -1;
    }
  GnShape s = NODE (net, x)->shape;
  if (share != 0)
    {
      if (share < 0 || (guint) share >= net->nodes->len
          || NODE (net, share)->kind != OP_DROPOUT
          || NODE (net, share)->u.drop.p != p
          || shape_count (NODE (net, share)->shape) != shape_count (s))
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "dropout: share %d is not a dropout node of this "
                       "size and p", share);
          return -1;
        }
      while (NODE (net, share)->u.drop.share)
        share = NODE (net, share)->u.drop.share;
    }
  Node node = { .kind = OP_DROPOUT, .shape = s };
  node.u.drop.p = p;
  node.u.drop.share = share;
  net->has_dropout = TRUE;
  return append (net, &node, 1, &x);
}

static int
nary (GnNet *net, OpKind kind, int k, const int *xs, GError **error)
{
  g_return_val_if_fail (net != NULL && (k == 0 || xs != NULL), -1);
  if (!check_building (net, error))
    return -1;
  const char *what = op_info[kind].name;
  if (k < 1)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "%s needs at least one input", what);
      return -1;
    }
  for (int i = 0; i < k; i++)
    if (!check_node (net, xs[i], error))
      return -1;
  GnShape s = NODE (net, xs[0])->shape;
  for (int i = 1; i < k; i++)
    {
      GnShape t = NODE (net, xs[i])->shape;
      if (t.n != s.n || t.h != s.h || t.w != s.w
          || (kind == OP_ADD && t.c != s.c))
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "%s: input %d has shape %dx%dx%dx%d, input 0 has "
                       "%dx%dx%dx%d", what, i, t.n, t.c, t.h, t.w, s.n, s.c,
                       s.h, s.w);
          return -1;
        }
      if (kind == OP_CONCAT)
        s.c += t.c;
    }
  Node node = { .kind = kind, .shape = s };
  return append (net, &node, k, xs);
}

int
gn_net_add (GnNet *net, int k, const int *xs, GError **error)
{
  return nary (net, OP_ADD, k, xs, error);
}

int
gn_net_concat (GnNet *net, int k, const int *xs, GError **error)
{
  return nary (net, OP_CONCAT, k, xs, error);
}

int
gn_net_zero (GnNet *net, int x, int out_c, int stride, GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (!check_building (net, error) || !check_node (net, x, error))
    return -1;
  if (stride < 1 || out_c < 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "zero: stride must be >= 1 and channels >= 0 (got %d, %d)",
                   stride, out_c);
      return -1;
    }
  GnShape in = NODE (net, x)->shape;
  Node node = { .kind = OP_ZERO,
                .shape = { in.n, out_c ? out_c : in.c,
                           (in.h + stride - 1) / stride,
                           (in.w + stride - 1) / stride } };
  node.u.zero.stride = stride;
  return append (net, &node, 1, &x);
}

int
gn_net_resize_nearest (GnNet *net, int x, int out_h, int out_w,
                       GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (out_h <= 0 || out_w <= 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "resize: output size must be positive, not %dx%d", out_h,
                   out_w);
      return -1;
    }
  int id = unary (net, OP_RESIZE, x, error);
  if (id >= 0)
    {
      NODE (net, id)->shape.h = out_h;
      NODE (net, id)->shape.w = out_w;
    }
  return id;
}

int
gn_net_crop (GnNet *net, int x, int top, int left, int out_h, int out_w,
             GError **error)
{
  g_return_val_if_fail (net != NULL, -1);
  if (!check_building (net, error) || !check_node (net, x, error))
    return -1;
  GnShape in = NODE (net, x)->shape;
  if (out_h <= 0 || out_w <= 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "crop: the window must have a positive size, not %dx%d",
                   out_h, out_w);
      return -1;
    }
  /* 64-bit: a window far outside must not wrap around into the input */
  if ((gint64) top + out_h <= 0 || top >= in.h
      || (gint64) left + out_w <= 0 || left >= in.w)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "crop: the %dx%d window at row %d, column %d lies "
                   "outside the %dx%d input", out_h, out_w, top, left, in.h,
                   in.w);
      return -1;
    }
  /* later ops take a plane's pixel count as an int */
  if ((gint64) out_h * out_w > G_MAXINT)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "crop: the %dx%d window is too large", out_h, out_w);
      return -1;
    }
  Node node = { .kind = OP_CROP, .shape = { in.n, in.c, out_h, out_w } };
  node.u.crop.top = top;
  node.u.crop.left = left;
  return append (net, &node, 1, &x);
}

gboolean
gn_net_tap (GnNet *net, int x, const char *name, GError **error)
{
  g_return_val_if_fail (net != NULL && name != NULL, FALSE);
  if (!check_building (net, error) || !check_node (net, x, error))
    return FALSE;
  if (g_hash_table_contains (net->taps, name))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "tap \"%s\" is already defined", name);
      return FALSE;
    }
  g_hash_table_insert (net->taps, g_strdup (name), GINT_TO_POINTER (x + 1));
  /* a hash table entry: the key, its hash, the value */
  net->graph_bytes += strlen (name) + 1 + 3 * sizeof (gpointer);
  NODE (net, x)->tap = TRUE;
  return TRUE;
}

gboolean
gn_net_retain_grad (GnNet *net, int x, GError **error)
{
  g_return_val_if_fail (net != NULL, FALSE);
  if (!check_building (net, error) || !check_node (net, x, error))
    return FALSE;
  NODE (net, x)->retain_grad = TRUE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* inspection                                                          */
/* ------------------------------------------------------------------ */

int
gn_net_n_nodes (const GnNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return (int) net->nodes->len;
}

GnShape
gn_net_shape (const GnNet *net, int node)
{
  GnShape none = { 0, 0, 0, 0 };
  g_return_val_if_fail (net != NULL, none);
  g_return_val_if_fail (node >= 0 && (guint) node < net->nodes->len, none);
  return NODE (net, node)->shape;
}

static int
by_name (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
gn_net_find_tap (const GnNet *net, const char *name)
{
  g_return_val_if_fail (net != NULL && name != NULL, -1);
  return GPOINTER_TO_INT (g_hash_table_lookup (net->taps, name)) - 1;
}

const char **
gn_net_tap_names (const GnNet *net)
{
  g_return_val_if_fail (net != NULL, NULL);
  guint n;
  const char **names =
    (const char **) g_hash_table_get_keys_as_array (net->taps, &n);
  qsort (names, n, sizeof *names, by_name);
  return names;
}

const char *
gn_net_op_name (const GnNet *net, int node)
{
  g_return_val_if_fail (net != NULL, NULL);
  g_return_val_if_fail (node >= 0 && (guint) node < net->nodes->len, NULL);
  return op_info[NODE (net, node)->kind].name;
}

/* the private op ids are the public ones */
G_STATIC_ASSERT ((int) OP_INPUT == GN_OP_INPUT);
G_STATIC_ASSERT ((int) OP_CONV == GN_OP_CONV2D);
G_STATIC_ASSERT ((int) OP_BN == GN_OP_BATCHNORM);
G_STATIC_ASSERT ((int) OP_RELU == GN_OP_RELU);
G_STATIC_ASSERT ((int) OP_AVGPOOL == GN_OP_AVGPOOL);
G_STATIC_ASSERT ((int) OP_MAXPOOL == GN_OP_MAXPOOL);
G_STATIC_ASSERT ((int) OP_GAP == GN_OP_GLOBAL_AVGPOOL);
G_STATIC_ASSERT ((int) OP_LINEAR == GN_OP_LINEAR);
G_STATIC_ASSERT ((int) OP_ADD == GN_OP_ADD);
G_STATIC_ASSERT ((int) OP_CONCAT == GN_OP_CONCAT);
G_STATIC_ASSERT ((int) OP_ZERO == GN_OP_ZERO);
G_STATIC_ASSERT ((int) OP_IDENTITY == GN_OP_IDENTITY);
G_STATIC_ASSERT ((int) OP_RESIZE == GN_OP_RESIZE_NEAREST);
G_STATIC_ASSERT ((int) OP_CROP == GN_OP_CROP);
G_STATIC_ASSERT ((int) OP_MULTILINEAR == GN_OP_MULTILINEAR);
G_STATIC_ASSERT ((int) OP_TANH == GN_OP_TANH);
G_STATIC_ASSERT ((int) OP_SIGMOID == GN_OP_SIGMOID);
G_STATIC_ASSERT ((int) OP_LEAKY_RELU == GN_OP_LEAKY_RELU);
G_STATIC_ASSERT ((int) OP_MUL == GN_OP_MUL);
G_STATIC_ASSERT ((int) OP_BLEND == GN_OP_BLEND);
G_STATIC_ASSERT ((int) OP_DROPOUT == GN_OP_DROPOUT);
G_STATIC_ASSERT (N_OPS == GN_OP_DROPOUT + 1);

void
gn_net_node_info (const GnNet *net, int node, GnNodeInfo *info)
{
  g_return_if_fail (net != NULL && info != NULL);
  g_return_if_fail (node >= 0 && (guint) node < net->nodes->len);
  const Node *nd = NODE (net, node);
  *info = (GnNodeInfo) { .op = (GnOpKind) nd->kind, .shape = nd->shape,
                         .n_inputs = nd->n_inputs, .inputs = nd->inputs };
  for (int p = 0; p < nd->n_params; p++)
    info->n_params += g_array_index (net->params, GnParam,
                                     nd->param_first + p).size;
  switch (nd->kind)
    {
    case OP_CONV:
      {
        const GnConv2dGeom *g = &nd->u.conv;
        info->conv = (GnConv2dSpec) {
          .out_c = g->out_c, .kh = g->kh, .kw = g->kw,
          .stride_h = g->stride_h, .stride_w = g->stride_w,
          .pad_h = g->pad_h, .pad_w = g->pad_w,
          .dil_h = g->dil_h, .dil_w = g->dil_w, .groups = g->groups,
          .bias = nd->bias, .init = nd->init };
        break;
      }
    case OP_BN:
      info->affine = nd->u.bn.affine;
      info->track_running_stats = nd->u.bn.track;
      break;
    case OP_AVGPOOL:
    case OP_MAXPOOL:
      info->k = nd->u.pool.k;
      info->stride = nd->u.pool.stride;
      info->pad = nd->u.pool.pad;
      info->count_include_pad = nd->kind == OP_AVGPOOL
                                && nd->u.pool.count_include_pad;
      break;
    case OP_LINEAR:
      info->in_features = nd->u.linear.in_f;
      info->bias = nd->bias;
      break;
    case OP_ZERO:
      info->stride = nd->u.zero.stride;
      break;
    case OP_CROP:
      info->top = nd->u.crop.top;
      info->left = nd->u.crop.left;
      break;
    case OP_MULTILINEAR:
      for (int k = 0; k < nd->n_inputs; k++)
        info->in_features += row_width (NODE (net, nd->inputs[k])->shape);
      info->bias = nd->u.mlin.b_index >= 0;
      break;
    case OP_TANH:
    case OP_SIGMOID:
    case OP_LEAKY_RELU:
    case OP_MUL:
    case OP_BLEND:
    case OP_DROPOUT:
    case OP_INPUT:
    case OP_RELU:
    case OP_GAP:
    case OP_ADD:
    case OP_CONCAT:
    case OP_IDENTITY:
    case OP_RESIZE:
    case N_OPS:
      break;
    }
}

gsize
gn_net_graph_bytes (const GnNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return net->graph_bytes;
}

gsize
gn_net_count_params (const GnNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return net->n_param_floats;
}

double
gn_net_count_macs (const GnNet *net)
{
  g_return_val_if_fail (net != NULL, 0.0);
  double macs = 0.0;
  for (guint i = 0; i < net->nodes->len; i++)
    {
      const Node *nd = NODE (net, i);
      double positions = (double) nd->shape.h * nd->shape.w;
      if (nd->kind == OP_CONV)
        {
          const GnConv2dGeom *g = &nd->u.conv;
          macs += positions * g->out_c
                  * ((double) g->in_c / g->groups * g->kh * g->kw);
          if (nd->bias)
            macs += positions * g->out_c;
        }
      else if (nd->kind == OP_LINEAR)
        {
          macs += (double) nd->u.linear.in_f * nd->u.linear.out_f;
          if (nd->bias)
            macs += nd->u.linear.out_f;
        }
      else if (nd->kind == OP_MULTILINEAR)
        {
          /* every application of shared weights computes */
          for (int k = 0; k < nd->n_inputs; k++)
            macs += (double) row_width (NODE (net, nd->inputs[k])->shape)
                    * nd->u.mlin.out_f;
          if (nd->u.mlin.b_index >= 0)
            macs += nd->u.mlin.out_f;
        }
    }
  return macs;
}

static const char *const flops_rule_names[] = {
  [GN_FLOPS_MACS] = "macs",
  [GN_FLOPS_NDS_CELL] = "nds-cell",
  [GN_FLOPS_NDS_ANYNET] = "nds-anynet",
};

const char *
gn_flops_rule_name (GnFlopsRule rule)
{
  g_return_val_if_fail ((guint) rule < G_N_ELEMENTS (flops_rule_names),
                        NULL);
  return flops_rule_names[rule];
}

gboolean
gn_flops_rule_from_name (const char *name, GnFlopsRule *rule)
{
  g_return_val_if_fail (name != NULL && rule != NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (flops_rule_names); i++)
    if (strcmp (name, flops_rule_names[i]) == 0)
      {
        *rule = (GnFlopsRule) i;
        return TRUE;
      }
  return FALSE;
}

/* What NDS's counter adds to the MACs of one dilated convolution: it
 * took the output size from the padding, kernel and stride alone, as if
 * the kernel were not dilated. */
static double
undilated_extra (const GnConv2dGeom *g)
{
  double h = (g->in_h + 2 * g->pad_h - g->kh) / g->stride_h + 1;
  double w = (g->in_w + 2 * g->pad_w - g->kw) / g->stride_w + 1;
  return (h * w - (double) g->out_h * g->out_w) * g->out_c
         * ((double) g->in_c / g->groups * g->kh * g->kw);
}

double
gn_net_count_flops (const GnNet *net, GnFlopsRule rule)
{
  g_return_val_if_fail (net != NULL, 0.0);
  double flops = gn_net_count_macs (net);
  if (rule == GN_FLOPS_MACS)
    return flops;
  for (guint i = 0; i < net->nodes->len; i++)
    {
      const Node *nd = NODE (net, i);
      double out = (double) nd->shape.c * nd->shape.h * nd->shape.w;
      if (rule == GN_FLOPS_NDS_ANYNET)
        {
          if (nd->kind == OP_BN)
            flops += 5 * out;
          continue;
        }
      switch (nd->kind)
        {
        case OP_CONV:
          if (nd->u.conv.dil_h > 1 || nd->u.conv.dil_w > 1)
            flops += undilated_extra (&nd->u.conv);
          break;
        case OP_RELU:
          flops += out;
          break;
        case OP_AVGPOOL:
        case OP_MAXPOOL:
          flops += out * nd->u.pool.k * nd->u.pool.k;
          break;
        case OP_GAP:
          {
            GnShape in = NODE (net, nd->inputs[0])->shape;
            flops += (double) in.c * in.h * in.w;
          }
          break;
        default:
          break;
        }
    }
  return flops;
}

/* ------------------------------------------------------------------ */
/* compiling                                                           */
/* ------------------------------------------------------------------ */

static guint
backward_reads (const Node *nd)
{
  if (nd->kind == OP_BN)
    /* without affine parameters the output is x̂ itself, so the backward
     * can read it and the (usually larger-lived) input can be freed */
    return nd->u.bn.affine ? NEEDS_INPUT : NEEDS_OUTPUT;
  return op_info[nd->kind].flags & (NEEDS_INPUT | NEEDS_OUTPUT);
}

/* Which nodes carry a gradient: those on a path from something trainable
 * (a parameter, or the input when asked) to a tap. */
static void
mark_gradients (GnNet *net)
{
  int n = (int) net->nodes->len;
  for (int i = 0; i < n; i++)
    {
      Node *nd = NODE (net, i);
      nd->upstream = nd->n_params > 0 || (i == 0 && net->input_grad)
                     || (nd->kind == OP_MULTILINEAR && nd->u.mlin.share > 0);
      if (!(op_info[nd->kind].flags & NO_GRAD_FLOW))
        for (int k = 0; k < nd->n_inputs; k++)
          nd->upstream |= NODE (net, nd->inputs[k])->upstream;
    }
  for (int i = n - 1; i >= 0; i--)
    {
      Node *nd = NODE (net, i);
      nd->reaches |= nd->tap;
      if (nd->reaches && !(op_info[nd->kind].flags & NO_GRAD_FLOW))
        for (int k = 0; k < nd->n_inputs; k++)
          NODE (net, nd->inputs[k])->reaches = TRUE;
    }
  for (int i = 0; i < n; i++)
    {
      Node *nd = NODE (net, i);
      nd->has_grad = nd->reaches && nd->upstream;
    }
}

typedef struct {
  GnPlanBuffer *value, *grad, *aux;   /* per root node */
} Plan;

static int
by_grad_birth (gconstpointer a, gconstpointer b, gpointer user)
{
  const GnPlanBuffer *grd = user;
  int x = grd[*(const int *) a].first, y = grd[*(const int *) b].first;
  return x < y ? -1 : x > y ? 1 : 0;
}

static void
extend (GnPlanBuffer *b, int t)
{
  b->first = MIN (b->first, t);
  b->last = MAX (b->last, t);
}

gboolean
gn_net_compile (GnNet *net, gboolean input_grad, GError **error)
{
  g_return_val_if_fail (net != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (!check_building (net, error))
    return FALSE;
  if (g_hash_table_size (net->taps) == 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "the network has no tap: nothing to compute");
      return FALSE;
    }

  int n = (int) net->nodes->len;
  int end = 2 * n + 1;     /* "until the next step" */
  GnPlanBuffer *bufs = g_new0 (GnPlanBuffer, 3 * (gsize) n);
  GnPlanBuffer *val = bufs, *grd = bufs + n, *aux = bufs + 2 * n;

  net->input_grad = input_grad;
  mark_gradients (net);

  for (int i = 0; i < n; i++)
    {
      val[i] = grd[i] = aux[i] = (GnPlanBuffer) { 0, G_MAXINT, G_MININT, 0 };
    }

  for (int i = 0; i < n; i++)
    {
      Node *nd = NODE (net, i);
      int r = nd->root;
      int bwd = 2 * n - i;
      guint reads = backward_reads (nd);

      if (nd->kind != OP_IDENTITY)
        {
          val[r].size = shape_count (nd->shape) * sizeof (float);
          extend (&val[r], i);
        }
      if (i == 0)
        extend (&val[r], end);   /* the caller's input buffer */
      if (nd->tap)
        extend (&val[r], end);
      for (int k = 0; k < nd->n_inputs; k++)
        {
          int in_root = NODE (net, nd->inputs[k])->root;
          if (nd->kind != OP_ZERO)   /* only its shape is read */
            extend (&val[in_root], i);
          if (nd->has_grad && (reads & NEEDS_INPUT))
            extend (&val[in_root], bwd);
          if (nd->has_grad && NODE (net, nd->inputs[k])->has_grad)
            extend (&grd[in_root], bwd);
        }
      if (nd->has_grad && (reads & NEEDS_OUTPUT))
        extend (&val[r], bwd);

      if (nd->has_grad)
        {
          grd[r].size = shape_count (nd->shape) * sizeof (float);
          extend (&grd[r], bwd);
          if (nd->tap)
            extend (&grd[r], n);
          if (i == 0 || nd->retain_grad)
            extend (&grd[r], end);
        }
      if (nd->kind == OP_MAXPOOL)
        {
          aux[i].size = shape_count (nd->shape) * sizeof (gint32);
          extend (&aux[i], i);
          if (nd->has_grad)
            extend (&aux[i], bwd);
        }
    }

  net->arena_bytes = gn__plan_assign (bufs, 3 * (guint) n);
  net->arena = g_try_malloc (MAX (net->arena_bytes, 1));
  net->param_block = g_try_new0 (float, 2 * net->n_param_floats + 1);
  net->state = g_try_new0 (float, net->n_state_floats + 1);

  /* one workspace, shared by every op in turn */
  net->scratch_floats = 0;
  int fan_in = 1;
  for (int i = 0; i < n; i++)
    {
      if (NODE (net, i)->kind == OP_CONV)
        net->scratch_floats = MAX (net->scratch_floats,
                                   gn_conv2d_scratch_floats (&NODE (net, i)->u.conv));
      fan_in = MAX (fan_in, NODE (net, i)->n_inputs);
    }
  net->scratch = g_try_new (float, net->scratch_floats + 1);
  gboolean masks_ok = TRUE;
  net->staged = g_new (int, n);
  net->n_staged = 0;
  for (int i = 0; i < n; i++)
    {
      Node *nd = NODE (net, i);
      if (nd->kind == OP_DROPOUT && nd->u.drop.share == 0)
        {
          nd->u.drop.mask = g_try_new (float, shape_count (nd->shape));
          masks_ok &= nd->u.drop.mask != NULL;
          net->side_floats += shape_count (nd->shape);
        }
      if (nd->kind == OP_MULTILINEAR && nd->u.mlin.group == i
          && nd->u.mlin.n_slots > 1)
        {
          gsize width = (gsize) nd->u.mlin.out_f;
          for (int k = 0; k < nd->n_inputs; k++)
            width += (gsize) row_width (NODE (net, nd->inputs[k])->shape);
          nd->u.mlin.stage = g_try_new0 (float, (gsize) nd->u.mlin.n_slots
                                                * nd->shape.n * width);
          masks_ok &= nd->u.mlin.stage != NULL;
          net->side_floats += (gsize) nd->u.mlin.n_slots * nd->shape.n * width;
          net->staged[net->n_staged++] = i;
          nd->u.mlin.uses = g_new (int, nd->u.mlin.n_slots);
          nd->u.mlin.early = nd->n_inputs <= 64
                             ? G_MAXUINT64 >> (64 - nd->n_inputs) : 0;
        }
    }
  /* which inputs every use of a group reads from before the group: the
   * layer's input, computed before its recurrence */
  for (int i = 0; i < n; i++)
    {
      Node *nd = NODE (net, i);
      if (nd->kind != OP_MULTILINEAR || nd->u.mlin.group < 0
          || NODE (net, nd->u.mlin.group)->u.mlin.uses == NULL)
        continue;
      Node *grp = NODE (net, nd->u.mlin.group);
      grp->u.mlin.uses[nd->u.mlin.slot] = i;
      for (int k = 0; k < nd->n_inputs; k++)
        if (nd->inputs[k] >= nd->u.mlin.group)
          grp->u.mlin.early &= ~((guint64) 1 << k);
    }
  for (int g = 0; g < net->n_staged; g++)
    {
      Node *nd = NODE (net, net->staged[g]);
      if (nd->u.mlin.early)
        {
          nd->u.mlin.pre = g_try_new (float, (gsize) nd->u.mlin.n_slots
                                             * nd->shape.n * nd->u.mlin.out_f);
          masks_ok &= nd->u.mlin.pre != NULL;
          net->side_floats += (gsize) nd->u.mlin.n_slots * nd->shape.n
                              * nd->u.mlin.out_f;
        }
    }
  net->fan_in = g_try_new (const float *, fan_in);
  net->fan_in_grad = g_try_new (float *, fan_in);
  net->fan_in_c = g_try_new (int, fan_in);

  if (net->arena == NULL || net->param_block == NULL || net->state == NULL
      || !masks_ok || net->scratch == NULL || net->fan_in == NULL
      || net->fan_in_grad == NULL || net->fan_in_c == NULL)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_NO_MEMORY,
                   "cannot allocate %" G_GSIZE_FORMAT " bytes for the "
                   "network", gn_net_total_bytes (net));
      g_clear_pointer (&net->arena, g_free);
      g_clear_pointer (&net->param_block, g_free);
      g_clear_pointer (&net->state, g_free);
      g_clear_pointer (&net->scratch, g_free);
      g_clear_pointer (&net->fan_in, g_free);
      g_clear_pointer (&net->fan_in_grad, g_free);
      g_clear_pointer (&net->fan_in_c, g_free);
      for (int i = 0; i < n; i++)
        if (NODE (net, i)->kind == OP_DROPOUT)
          g_clear_pointer (&NODE (net, i)->u.drop.mask, g_free);
        else if (NODE (net, i)->kind == OP_MULTILINEAR)
          {
            g_clear_pointer (&NODE (net, i)->u.mlin.stage, g_free);
            g_clear_pointer (&NODE (net, i)->u.mlin.uses, g_free);
            g_clear_pointer (&NODE (net, i)->u.mlin.pre, g_free);
          }
      g_clear_pointer (&net->staged, g_free);
      g_free (bufs);
      return FALSE;
    }

  /* resolve pointers; identity nodes share their root's buffers */
  for (int i = 0; i < n; i++)
    {
      Node *nd = NODE (net, i);
      int r = nd->root;
      nd->value = (float *) (net->arena + val[r].offset);
      nd->grad = grd[r].size ? (float *) (net->arena + grd[r].offset) : NULL;
      if (!nd->has_grad)
        nd->grad = NULL;
      nd->aux = aux[i].size ? (gint32 *) (net->arena + aux[i].offset) : NULL;
    }

  /* gradients are zeroed when they come alive: sort roots by birth
   * (stably: node order among equal births) */
  net->zero_order = g_new (int, n);
  net->zero_birth = g_new (int, n);
  net->n_zero = 0;
  for (int i = 0; i < n; i++)
    if (grd[i].size > 0 && NODE (net, i)->root == i)
      {
        net->zero_order[net->n_zero++] = i;
        NODE (net, i)->grad_count = shape_count (NODE (net, i)->shape);
      }
  g_qsort_with_data (net->zero_order, net->n_zero, sizeof (int),
                     by_grad_birth, grd);
  for (int j = 0; j < net->n_zero; j++)
    net->zero_birth[j] = grd[net->zero_order[j]].first;

  float *values = net->param_block;
  float *grads = net->param_block + net->n_param_floats;
  gsize off = 0;
  for (guint p = 0; p < net->params->len; p++)
    {
      GnParam *prm = &g_array_index (net->params, GnParam, p);
      prm->value = values + off;
      prm->grad = grads + off;
      off += prm->size;
    }

  g_free (bufs);
  net->compiled = TRUE;
  GnRng rng;
  gn_rng_seed (&rng, 0);
  gn_net_init_params (net, &rng);
  return TRUE;
}

gsize
gn_net_arena_bytes (const GnNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return net->arena_bytes;
}

gsize
gn_net_total_bytes (const GnNet *net)
{
  g_return_val_if_fail (net != NULL, 0);
  return net->arena_bytes
         + (2 * net->n_param_floats + net->n_state_floats
            + net->scratch_floats + net->side_floats) * sizeof (float);
}

/* ------------------------------------------------------------------ */
/* parameters                                                          */
/* ------------------------------------------------------------------ */

static void
fill_uniform (GnRng *rng, float *v, gsize n, double bound)
{
  gn_rng_fill_uniform (rng, v, n, (float) -bound, (float) bound);
}

void
gn_net_init_params (GnNet *net, GnRng *rng)
{
  g_return_if_fail (net != NULL && rng != NULL);
  g_return_if_fail (net->compiled);

  for (guint i = 0; i < net->nodes->len; i++)
    {
      Node *nd = NODE (net, i);
      GnParam *p = nd->n_params
                   ? &g_array_index (net->params, GnParam, nd->param_first)
                   : NULL;
      switch (nd->kind)
        {
        case OP_CONV:
          {
            const GnConv2dGeom *g = &nd->u.conv;
            double fan_in = (double) g->in_c / g->groups * g->kh * g->kw;
            if (nd->init == GN_INIT_NORMAL_FAN_OUT)
              {
                gn_rng_fill_normal (rng, p[0].value, p[0].size,
                                    (float) sqrt (2.0 / ((double) g->kh
                                                         * g->kw * g->out_c)));
                if (nd->bias)
                  memset (p[1].value, 0, p[1].size * sizeof (float));
              }
            else
              {
                /* kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) times
                 * sqrt(3 / fan_in) is exactly 1 / sqrt(fan_in) */
                fill_uniform (rng, p[0].value, p[0].size, 1.0 / sqrt (fan_in));
                if (nd->bias)
                  fill_uniform (rng, p[1].value, p[1].size,
                                1.0 / sqrt (fan_in));
              }
            break;
          }
        case OP_MULTILINEAR:
          {
            /* a sharer draws nothing but a transposed one's own bias */
            double fan_in = 0.0;
            for (int k = 0; k < nd->n_inputs; k++)
              fan_in += row_width (NODE (net, nd->inputs[k])->shape);
            double bound = nd->u.mlin.init_range > 0.f
                           ? nd->u.mlin.init_range
                           : 1.0 / sqrt (MAX (fan_in, 1.0));
            int own = nd->u.mlin.share > 0 ? 0 : nd->n_inputs;
            for (int k = 0; k < own; k++)
              fill_uniform (rng, p[k].value, p[k].size, bound);
            if (nd->n_params > own)   /* its own bias */
              {
                if (nd->u.mlin.zero_bias)
                  memset (p[own].value, 0, p[own].size * sizeof (float));
                else
                  fill_uniform (rng, p[own].value, p[own].size, bound);
              }
            break;
          }
        case OP_LINEAR:
          fill_uniform (rng, p[0].value, p[0].size,
                        1.0 / sqrt ((double) nd->u.linear.in_f));
          if (nd->bias)
            fill_uniform (rng, p[1].value, p[1].size,
                          1.0 / sqrt ((double) nd->u.linear.in_f));
          break;
        case OP_BN:
          {
            int c = nd->shape.c;
            float *st = net->state + nd->state_off;
            if (nd->u.bn.affine)
              for (int k = 0; k < c; k++)
                {
                  p[0].value[k] = 1.f;
                  p[1].value[k] = 0.f;
                }
            memset (st, 0, 2 * (gsize) c * sizeof (float));
            if (nd->u.bn.track)
              for (int k = 0; k < c; k++)
                {
                  st[2 * c + k] = 0.f;       /* running mean */
                  st[3 * c + k] = 1.f;       /* running var  */
                }
            break;
          }
        default:
          break;
        }
    }
  /* only a network with dropout draws its masks' seed, so the weights
   * of every other network are what they always were */
  if (net->has_dropout)
    gn_rng_seed (&net->drop_rng, gn_rng_next (rng));
  gn_net_zero_grad (net);
}

void
gn_net_set_dropout_seed (GnNet *net, guint64 seed)
{
  g_return_if_fail (net != NULL);
  if (net->has_dropout)
    gn_rng_seed (&net->drop_rng, seed);
}

const GnParam *
gn_net_params (GnNet *net, guint *n)
{
  g_return_val_if_fail (net != NULL, NULL);
  if (n)
    *n = net->params->len;
  return (const GnParam *) net->params->data;
}

void
gn_net_zero_grad (GnNet *net)
{
  g_return_if_fail (net != NULL && net->compiled);
  memset (net->param_block + net->n_param_floats, 0,
          net->n_param_floats * sizeof (float));
}

/* ------------------------------------------------------------------ */
/* running                                                             */
/* ------------------------------------------------------------------ */

float *
gn_net_input (GnNet *net)
{
  g_return_val_if_fail (net != NULL && net->compiled, NULL);
  return NODE (net, 0)->value;
}

float *
gn_net_value (GnNet *net, int node)
{
  g_return_val_if_fail (net != NULL && net->compiled, NULL);
  g_return_val_if_fail (node >= 0 && (guint) node < net->nodes->len, NULL);
  return NODE (net, node)->value;
}

float *
gn_net_grad (GnNet *net, int node)
{
  g_return_val_if_fail (net != NULL && net->compiled, NULL);
  g_return_val_if_fail (node >= 0 && (guint) node < net->nodes->len, NULL);
  return NODE (net, node)->grad;
}

static float *
param_value (GnNet *net, const Node *nd, int k)
{
  return g_array_index (net->params, GnParam, nd->param_first + k).value;
}

static float *
param_grad (GnNet *net, const Node *nd, int k)
{
  return g_array_index (net->params, GnParam, nd->param_first + k).grad;
}

static const float *
input_value (GnNet *net, const Node *nd, int k)
{
  return NODE (net, nd->inputs[k])->value;
}

static float *
input_grad (GnNet *net, const Node *nd, int k)
{
  return NODE (net, nd->inputs[k])->grad;
}

/* gn_net_set_relu_mode(): the ReLU of a network linearised at the point
 * recorded, and its gradient */
static guint8 *
relu_mask (GnNet *net, const Node *nd)
{
  return net->relu_masks[nd - NODE (net, 0)];
}

static void
relu_record (gsize count, const float *y, guint8 *mask)
{
  for (gsize i = 0; i < count; i++)
    mask[i] = y[i] > 0.f;
}

static void
relu_frozen_forward (gsize count, const guint8 *mask, const float *x,
                     float *y)
{
  for (gsize i = 0; i < count; i++)
    y[i] = mask[i] ? x[i] : 0.f;
}

static void
relu_frozen_backward (gsize count, const guint8 *mask, const float *dy,
                      float *dx)
{
  for (gsize i = 0; i < count; i++)
    dx[i] += mask[i] ? dy[i] : 0.f;
}

gboolean
gn_net_set_relu_mode (GnNet *net, GnReluMode mode, GError **error)
{
  g_return_val_if_fail (net != NULL, FALSE);
  if (!net->compiled)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_STATE,
                   "ReLU modes need a compiled network");
      return FALSE;
    }
  if (mode == GN_RELU_FROZEN && !net->relu_recorded)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_STATE,
                   "no ReLU pattern recorded yet: run a forward pass in "
                   "GN_RELU_RECORD mode first");
      return FALSE;
    }
  if (mode == GN_RELU_RECORD && net->relu_masks == NULL)
    {
      net->relu_masks = g_new0 (guint8 *, net->nodes->len);
      for (guint i = 0; i < net->nodes->len; i++)
        if (NODE (net, i)->kind == OP_RELU)
          {
            net->relu_masks[i] = g_try_malloc (shape_count (NODE (net, i)
                                                            ->shape));
            if (net->relu_masks[i] == NULL)
              {
                for (guint j = 0; j <= i; j++)
                  g_free (net->relu_masks[j]);
                g_clear_pointer (&net->relu_masks, g_free);
                g_set_error (error, GN_ERROR, GN_ERROR_NO_MEMORY,
                             "cannot allocate the ReLU masks");
                return FALSE;
              }
          }
    }
  net->relu_mode = mode;
  return TRUE;
}

static float *
param_at (GnNet *net, int index)
{
  return g_array_index (net->params, GnParam, index).value;
}

static float *
param_grad_at (GnNet *net, int index)
{
  return g_array_index (net->params, GnParam, index).grad;
}

static float *
dropout_mask (GnNet *net, const Node *nd)
{
  return nd->u.drop.share ? NODE (net, nd->u.drop.share)->u.drop.mask
                          : nd->u.drop.mask;
}

/* At the first use of a shared linear group: the products of the inputs
 * every use reads from before the group (the layer's input at every
 * step of the sequence), gathered into the group's stage (where the
 * backward pass finds them for the weight gradients) and multiplied in
 * one sgemm over all uses' rows, into the group's @pre. */
static void
early_products (GnNet *net, Node *grp)
{
  int n = grp->shape.n, out = grp->u.mlin.out_f, slots = grp->u.mlin.n_slots;
  gsize rows = (gsize) slots * n;
  float *x = grp->u.mlin.stage + rows * out;
  memset (grp->u.mlin.pre, 0, rows * out * sizeof (float));
  for (int k = 0; k < grp->n_inputs; k++)
    {
      gsize w = (gsize) row_width (NODE (net, grp->inputs[k])->shape);
      if (grp->u.mlin.early & ((guint64) 1 << k))
        {
          for (int s = 0; s < slots; s++)
            {
              const Node *use = NODE (net, grp->u.mlin.uses[s]);
              memcpy (x + (gsize) s * n * w,
                      NODE (net, use->inputs[k])->value,
                      (gsize) n * w * sizeof (float));
            }
          gn_linear_accumulate ((int) rows, (int) w, out, x,
                                param_at (net, grp->u.mlin.w_first + k),
                                grp->u.mlin.pre);
        }
      x += rows * w;
    }
}

gboolean
gn_net_set_precision (GnNet *net, GnPrecision precision, GError **error)
{
  g_return_val_if_fail (net != NULL, FALSE);
  if (!gn_precision_supported (precision))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "precision %s is not supported on this CPU%s",
                   gn_precision_name (precision),
                   g_getenv ("GENNAS_NO_BF16") ? " (GENNAS_NO_BF16 is set)"
                                               : "");
      return FALSE;
    }
  net->precision = precision;
  return TRUE;
}

GnPrecision
gn_net_precision (const GnNet *net)
{
  g_return_val_if_fail (net != NULL, GN_PRECISION_FP32);
  return net->precision;
}

static void
forward_node (GnNet *net, Node *nd, GnMode mode)
{
  GnShape s = nd->shape;
  switch (nd->kind)
    {
    case OP_INPUT:
    case OP_IDENTITY:
      break;
    case OP_CONV:
      gn_conv2d_forward_precision (&nd->u.conv, net->precision,
                                   input_value (net, nd, 0),
                                   param_value (net, nd, 0),
                                   nd->bias ? param_value (net, nd, 1) : NULL,
                                   nd->value, net->scratch);
      break;
    case OP_BN:
      {
        float *st = net->state + nd->state_off;
        const float *gamma = nd->u.bn.affine ? param_value (net, nd, 0) : NULL;
        const float *beta = nd->u.bn.affine ? param_value (net, nd, 1) : NULL;
        if (nd->u.bn.track && mode == GN_MODE_EVAL)
          gn_batchnorm_forward_eval (s.n, s.c, s.h * s.w,
                                     input_value (net, nd, 0), nd->value,
                                     gamma, beta, st + 2 * s.c, st + 3 * s.c,
                                     st, st + s.c, GN_BN_EPS);
        else
          gn_batchnorm_forward_train (s.n, s.c, s.h * s.w,
                                      input_value (net, nd, 0), nd->value,
                                      gamma, beta, st, st + s.c,
                                      nd->u.bn.track ? st + 2 * s.c : NULL,
                                      nd->u.bn.track ? st + 3 * s.c : NULL,
                                      GN_BN_MOMENTUM, GN_BN_EPS);
        break;
      }
    case OP_RELU:
      if (net->relu_mode == GN_RELU_FROZEN)
        relu_frozen_forward (shape_count (s), relu_mask (net, nd),
                             input_value (net, nd, 0), nd->value);
      else
        gn_relu_forward (shape_count (s), input_value (net, nd, 0), nd->value);
      if (net->relu_mode == GN_RELU_RECORD)
        relu_record (shape_count (s), nd->value, relu_mask (net, nd));
      break;
    case OP_AVGPOOL:
      gn_avgpool_forward (&nd->u.pool, input_value (net, nd, 0), nd->value);
      break;
    case OP_MAXPOOL:
      gn_maxpool_forward (&nd->u.pool, input_value (net, nd, 0), nd->value,
                          nd->aux);
      break;
    case OP_GAP:
      {
        GnShape in = NODE (net, nd->inputs[0])->shape;
        gn_global_avgpool_forward (in.n, in.c, in.h * in.w,
                                   input_value (net, nd, 0), nd->value);
        break;
      }
    case OP_LINEAR:
      gn_linear_forward_precision (net->precision, s.n, nd->u.linear.in_f,
                                   nd->u.linear.out_f,
                                   input_value (net, nd, 0),
                                   param_value (net, nd, 0),
                                   nd->bias ? param_value (net, nd, 1) : NULL,
                                   nd->value);
      break;
    case OP_ADD:
      {
        const float **in = net->fan_in;
        for (int k = 0; k < nd->n_inputs; k++)
          in[k] = input_value (net, nd, k);
        gn_add_forward (shape_count (s), nd->n_inputs, in, nd->value);
        break;
      }
    case OP_CONCAT:
      {
        const float **in = net->fan_in;
        int *cs = net->fan_in_c;
        for (int k = 0; k < nd->n_inputs; k++)
          {
            in[k] = input_value (net, nd, k);
            cs[k] = NODE (net, nd->inputs[k])->shape.c;
          }
        gn_concat_forward (s.n, s.h * s.w, nd->n_inputs, cs, in, nd->value);
        break;
      }
    case OP_ZERO:
      memset (nd->value, 0, shape_count (s) * sizeof (float));
      break;
    case OP_RESIZE:
      {
        GnShape in = NODE (net, nd->inputs[0])->shape;
        gn_resize_nearest_forward (s.n, s.c, in.h, in.w, s.h, s.w,
                                   input_value (net, nd, 0), nd->value);
        break;
      }
    case OP_CROP:
      {
        GnShape in = NODE (net, nd->inputs[0])->shape;
        gn_crop_forward (s.n, s.c, in.h, in.w, nd->u.crop.top,
                         nd->u.crop.left, s.h, s.w, input_value (net, nd, 0),
                         nd->value);
        break;
      }
    case OP_MULTILINEAR:
      {
        const Node *in0 = NODE (net, nd->inputs[0]);
        const float *b = nd->u.mlin.b_index >= 0
                         ? g_array_index (net->params, GnParam,
                                          nd->u.mlin.b_index).value
                         : NULL;
        if (nd->u.mlin.transposed)
          {
            gn_linear_t_forward (s.n, row_width (in0->shape), s.c,
                                 in0->value, param_at (net, nd->u.mlin.w_first),
                                 b, nd->value);
            break;
          }
        const Node *grp = nd->u.mlin.group >= 0
                          ? NODE (net, nd->u.mlin.group) : NULL;
        guint64 early = grp && grp->u.mlin.pre ? grp->u.mlin.early : 0;
        if (early && grp == nd)
          early_products (net, nd);
        for (int i = 0; i < s.n; i++)
          if (b)
            memcpy (nd->value + (gsize) i * s.c, b, (gsize) s.c * sizeof (float));
          else
            memset (nd->value + (gsize) i * s.c, 0, (gsize) s.c * sizeof (float));
        if (early)
          gn_accumulate ((gsize) s.n * s.c, grp->u.mlin.pre
                         + (gsize) nd->u.mlin.slot * s.n * s.c, nd->value);
        for (int k = 0; k < nd->n_inputs; k++)
          {
            if (early & ((guint64) 1 << k))
              continue;
            const Node *in = NODE (net, nd->inputs[k]);
            gn_linear_accumulate (s.n, row_width (in->shape), s.c, in->value,
                                  param_at (net, nd->u.mlin.w_first + k),
                                  nd->value);
          }
        break;
      }
    case OP_TANH:
      gn_tanh_forward (shape_count (s), input_value (net, nd, 0), nd->value);
      break;
    case OP_SIGMOID:
      gn_sigmoid_forward (shape_count (s), input_value (net, nd, 0),
                          nd->value);
      break;
    case OP_LEAKY_RELU:
      gn_leaky_relu_forward (shape_count (s), input_value (net, nd, 0),
                             nd->value);
      break;
    case OP_MUL:
      gn_mul_forward (shape_count (s), input_value (net, nd, 0),
                      input_value (net, nd, 1), nd->value);
      break;
    case OP_BLEND:
      gn_blend_forward (shape_count (s), input_value (net, nd, 0),
                        input_value (net, nd, 1), input_value (net, nd, 2),
                        nd->value);
      break;
    case OP_DROPOUT:
      {
        gsize count = shape_count (s);
        float p = nd->u.drop.p;
        if (mode != GN_MODE_TRAIN || p == 0.f)
          {
            memmove (nd->value, input_value (net, nd, 0),
                     count * sizeof (float));
            break;
          }
        float *mask = dropout_mask (net, nd);
        if (nd->u.drop.share == 0)
          {
            /* locked: the sharers of this mask reuse this draw */
            float keep = 1.f / (1.f - p);
            for (gsize i = 0; i < count; i++)
              mask[i] = gn_rng_uniform (&net->drop_rng) < p ? 0.f : keep;
          }
        gn_mul_forward (count, input_value (net, nd, 0), mask, nd->value);
        break;
      }
    case N_OPS:
      g_assert_not_reached ();
    }
}

static void
zero_grads_born (GnNet *net, int t, int *cursor)
{
  while (*cursor < net->n_zero && net->zero_birth[*cursor] <= t)
    {
      Node *nd = NODE (net, net->zero_order[*cursor]);
      memset (nd->grad, 0, nd->grad_count * sizeof (float));
      (*cursor)++;
    }
}

void
gn_net_forward (GnNet *net, GnMode mode)
{
  g_return_if_fail (net != NULL && net->compiled);
  int n = (int) net->nodes->len;
  for (int i = 1; i < n; i++)
    forward_node (net, NODE (net, i), mode);
  net->last_mode = mode;
  net->last_relu_frozen = net->relu_mode == GN_RELU_FROZEN;
  if (net->relu_mode == GN_RELU_RECORD)
    net->relu_recorded = TRUE;

  /* tap gradients come alive at the loss step: zero them for seeding */
  int cursor = 0;
  zero_grads_born (net, n, &cursor);
}

static void
backward_node (GnNet *net, Node *nd)
{
  GnShape s = nd->shape;
  const float *dy = nd->grad;
  switch (nd->kind)
    {
    case OP_INPUT:
    case OP_IDENTITY:
    case OP_ZERO:
      break;
    case OP_CONV:
      gn_conv2d_backward_precision (&nd->u.conv, net->precision,
                                    input_value (net, nd, 0),
                                    param_value (net, nd, 0), dy,
                                    input_grad (net, nd, 0),
                                    param_grad (net, nd, 0),
                                    nd->bias ? param_grad (net, nd, 1) : NULL,
                                    net->scratch);
      break;
    case OP_BN:
      {
        float *st = net->state + nd->state_off;
        gboolean affine = nd->u.bn.affine;
        gboolean batch_stats = !nd->u.bn.track
                               || net->last_mode == GN_MODE_TRAIN;
        gn_batchnorm_backward (s.n, s.c, s.h * s.w,
                               affine ? input_value (net, nd, 0) : nd->value,
                               affine ? st : NULL, st + s.c, batch_stats,
                               affine ? param_value (net, nd, 0) : NULL, dy,
                               input_grad (net, nd, 0),
                               affine ? param_grad (net, nd, 0) : NULL,
                               affine ? param_grad (net, nd, 1) : NULL);
        break;
      }
    case OP_RELU:
      if (input_grad (net, nd, 0) && net->last_relu_frozen)
        relu_frozen_backward (shape_count (s), relu_mask (net, nd), dy,
                              input_grad (net, nd, 0));
      else if (input_grad (net, nd, 0))
        gn_relu_backward (shape_count (s), nd->value, dy,
                          input_grad (net, nd, 0));
      break;
    case OP_AVGPOOL:
      if (input_grad (net, nd, 0))
        gn_avgpool_backward (&nd->u.pool, dy, input_grad (net, nd, 0));
      break;
    case OP_MAXPOOL:
      if (input_grad (net, nd, 0))
        gn_maxpool_backward (&nd->u.pool, nd->aux, dy,
                             input_grad (net, nd, 0));
      break;
    case OP_GAP:
      if (input_grad (net, nd, 0))
        {
          GnShape in = NODE (net, nd->inputs[0])->shape;
          gn_global_avgpool_backward (in.n, in.c, in.h * in.w, dy,
                                      input_grad (net, nd, 0));
        }
      break;
    case OP_LINEAR:
      gn_linear_backward_precision (net->precision, s.n, nd->u.linear.in_f,
                                    nd->u.linear.out_f,
                                    input_value (net, nd, 0),
                                    param_value (net, nd, 0), dy,
                                    input_grad (net, nd, 0),
                                    param_grad (net, nd, 0),
                                    nd->bias ? param_grad (net, nd, 1) : NULL);
      break;
    case OP_ADD:
      for (int k = 0; k < nd->n_inputs; k++)
        if (input_grad (net, nd, k))
          gn_accumulate (shape_count (s), dy, input_grad (net, nd, k));
      break;
    case OP_CONCAT:
      {
        float **dxs = net->fan_in_grad;
        int *cs = net->fan_in_c;
        for (int k = 0; k < nd->n_inputs; k++)
          {
            dxs[k] = input_grad (net, nd, k);
            cs[k] = NODE (net, nd->inputs[k])->shape.c;
          }
        gn_concat_backward (s.n, s.h * s.w, nd->n_inputs, cs, dy, dxs);
        break;
      }
    case OP_RESIZE:
      if (input_grad (net, nd, 0))
        {
          GnShape in = NODE (net, nd->inputs[0])->shape;
          gn_resize_nearest_backward (s.n, s.c, in.h, in.w, s.h, s.w, dy,
                                      input_grad (net, nd, 0));
        }
      break;
    case OP_CROP:
      if (input_grad (net, nd, 0))
        {
          GnShape in = NODE (net, nd->inputs[0])->shape;
          gn_crop_backward (s.n, s.c, in.h, in.w, nd->u.crop.top,
                            nd->u.crop.left, s.h, s.w, dy,
                            input_grad (net, nd, 0));
        }
      break;
    case OP_MULTILINEAR:
      {
        float *db = nd->u.mlin.b_index >= 0
                    ? param_grad_at (net, nd->u.mlin.b_index) : NULL;
        if (nd->u.mlin.transposed)
          {
            const Node *in0 = NODE (net, nd->inputs[0]);
            gn_linear_t_backward (s.n, row_width (in0->shape), s.c,
                                  in0->value,
                                  param_at (net, nd->u.mlin.w_first), dy,
                                  input_grad (net, nd, 0),
                                  param_grad_at (net, nd->u.mlin.w_first), db);
            break;
          }
        /* a shared group's weight gradients: this use's rows staged,
         * one product over all of them at the end of the pass */
        const Node *grp = nd->u.mlin.group >= 0
                          ? NODE (net, nd->u.mlin.group) : NULL;
        float *stage = grp ? grp->u.mlin.stage : NULL;
        if (stage)
          {
            gsize rows = (gsize) grp->u.mlin.n_slots * s.n;
            gsize at = (gsize) nd->u.mlin.slot * s.n;
            memcpy (stage + at * s.c, dy, (gsize) s.n * s.c * sizeof (float));
            stage += rows * s.c;
            for (int k = 0; k < nd->n_inputs; k++)
              {
                const Node *in = NODE (net, nd->inputs[k]);
                gsize w = (gsize) row_width (in->shape);
                /* an early input's rows were gathered by the forward */
                if (!(grp->u.mlin.pre
                      && (grp->u.mlin.early & ((guint64) 1 << k))))
                  memcpy (stage + at * w, in->value,
                          s.n * w * sizeof (float));
                stage += rows * w;
              }
          }
        for (int k = 0; k < nd->n_inputs; k++)
          {
            const Node *in = NODE (net, nd->inputs[k]);
            gn_linear_backward (s.n, row_width (in->shape), s.c, in->value,
                                param_at (net, nd->u.mlin.w_first + k), dy,
                                input_grad (net, nd, k),
                                grp && grp->u.mlin.stage ? NULL
                                : param_grad_at (net,
                                                 nd->u.mlin.w_first + k),
                                NULL);
          }
        if (db)
          gn_linear_backward (s.n, 0, s.c, NULL, NULL, dy, NULL, NULL, db);
        break;
      }
    case OP_TANH:
      if (input_grad (net, nd, 0))
        gn_tanh_backward (shape_count (s), nd->value, dy,
                          input_grad (net, nd, 0));
      break;
    case OP_SIGMOID:
      if (input_grad (net, nd, 0))
        gn_sigmoid_backward (shape_count (s), nd->value, dy,
                             input_grad (net, nd, 0));
      break;
    case OP_LEAKY_RELU:
      if (input_grad (net, nd, 0))
        gn_leaky_relu_backward (shape_count (s), nd->value, dy,
                                input_grad (net, nd, 0));
      break;
    case OP_MUL:
      gn_mul_backward (shape_count (s), input_value (net, nd, 0),
                       input_value (net, nd, 1), dy, input_grad (net, nd, 0),
                       input_grad (net, nd, 1));
      break;
    case OP_BLEND:
      gn_blend_backward (shape_count (s), input_value (net, nd, 0),
                         input_value (net, nd, 1), input_value (net, nd, 2),
                         dy, input_grad (net, nd, 0), input_grad (net, nd, 1),
                         input_grad (net, nd, 2));
      break;
    case OP_DROPOUT:
      if (input_grad (net, nd, 0))
        {
          if (net->last_mode == GN_MODE_TRAIN && nd->u.drop.p > 0.f)
            gn_mul_backward (shape_count (s), NULL, dropout_mask (net, nd),
                             dy, input_grad (net, nd, 0), NULL);
          else
            gn_accumulate (shape_count (s), dy, input_grad (net, nd, 0));
        }
      break;
    case N_OPS:
      g_assert_not_reached ();
    }
}

/* The weight gradients of each shared linear group, from the rows its
 * uses staged: dW_k += DYᵀ X_k, one sgemm over every step of the
 * sequence (a contraction over n_slots * n rows, not n: the per-step
 * products, of n = 16 rows, spend their time reading and writing dW).
 * Uses without a gradient left their rows of DY zero. */
static void
stage_weight_grads (GnNet *net, gboolean start)
{
  for (int g = 0; g < net->n_staged; g++)
    {
      const Node *nd = NODE (net, net->staged[g]);
      gsize rows = (gsize) nd->u.mlin.n_slots * nd->shape.n;
      int out = nd->u.mlin.out_f;
      if (start)
        {
          memset (nd->u.mlin.stage, 0, rows * out * sizeof (float));
          continue;
        }
      const float *x = nd->u.mlin.stage + rows * out;
      for (int k = 0; k < nd->n_inputs; k++)
        {
          int w = row_width (NODE (net, nd->inputs[k])->shape);
          gn_linear_backward ((int) rows, w, out, x, NULL,
                              nd->u.mlin.stage, NULL,
                              param_grad_at (net, nd->u.mlin.w_first + k),
                              NULL);
          x += rows * w;
        }
    }
}

void
gn_net_backward (GnNet *net)
{
  g_return_if_fail (net != NULL && net->compiled);
  int n = (int) net->nodes->len;
  int cursor = 0;

  stage_weight_grads (net, TRUE);

  /* skip the tap gradients, zeroed and seeded since the forward pass */
  while (cursor < net->n_zero && net->zero_birth[cursor] <= n)
    cursor++;
  for (int i = n - 1; i >= 0; i--)
    {
      zero_grads_born (net, 2 * n - i, &cursor);
      Node *nd = NODE (net, i);
      if (nd->has_grad)
        backward_node (net, nd);
    }
  stage_weight_grads (net, FALSE);
}
