/* gn-net.h - the network IR: a DAG of ops with forward, backward and one arena
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A GnNet is built once per candidate architecture and trained for a few
 * hundred steps.  Its life has two phases:
 *
 *  1. Building.  gn_net_new() creates the input node (id 0) with a fixed
 *     batch shape; every gn_net_<op>() call appends one node and returns its
 *     id (>= 0), or -1 with a GError for an unusable argument (a script
 *     built an impossible network: that is the user's error, not ours).
 *     Node ids are topologically ordered by construction.  gn_net_tap()
 *     names a node as an output that a proxy reads and feeds a loss into.
 *
 *  2. Running.  gn_net_compile() plans the memory: it computes each
 *     activation's and gradient's lifetime over one training step and packs
 *     them into a single arena (a buffer is reused as soon as no later
 *     forward or backward computation needs it), allocates the parameters
 *     and the shared workspace, and after that a training step
 *     (forward, loss, backward, optimiser step) performs no allocation.
 *
 * One training step:
 *
 *   memcpy (gn_net_input (net), batch, ...);
 *   gn_net_forward (net, GN_MODE_TRAIN);
 *   loss = gn_loss_mse (n, gn_net_value (net, tap), target, 1.f,
 *                       gn_net_grad (net, tap));     // seeds the gradient
 *   gn_net_zero_grad (net);
 *   gn_net_backward (net);
 *   gn_optim_step (opt);
 *
 * Values of taps are valid from the end of gn_net_forward() until the next
 * forward; other nodes' values may be overwritten once nothing needs them
 * (gn_net_value() on them is a programmer error after compile).  Tap
 * gradients are zeroed by gn_net_forward() and must be seeded before
 * gn_net_backward().
 *
 * A GnNet is not thread-safe; use one per thread.
 */
#ifndef GN_NET_H
#define GN_NET_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-ops.h"
#include "gn-rng.h"

G_BEGIN_DECLS

typedef struct _GnNet GnNet;

typedef struct {
  int n, c, h, w;
} GnShape;

typedef enum {
  GN_MODE_TRAIN,    /* batch statistics; running statistics are updated  */
  GN_MODE_EVAL      /* running statistics where a layer tracks them      */
} GnMode;

/** How a convolution's weights are drawn by gn_net_init_params(). */
typedef enum {
  GN_INIT_TORCH_DEFAULT = 0,  /* kaiming-uniform(a=sqrt 5): U(±1/sqrt fan_in) */
  GN_INIT_NORMAL_FAN_OUT      /* N(0, sqrt(2 / (kh kw out_c))) (NB101, pycls) */
} GnInit;

/**
 * GnConv2dSpec:
 *
 * Options of gn_net_conv2d().  Zero-initialise and set what you need:
 * zero strides and dilations mean 1, zero groups means 1, and a zero
 * kernel width means square (kw = kh).
 */
typedef struct {
  int out_c;
  int kh, kw;
  int stride_h, stride_w;
  int pad_h, pad_w;
  int dil_h, dil_w;
  int groups;
  gboolean bias;
  GnInit init;
} GnConv2dSpec;

typedef enum {
  GN_PARAM_CONV_WEIGHT,
  GN_PARAM_CONV_BIAS,
  GN_PARAM_BN_WEIGHT,       /* gamma */
  GN_PARAM_BN_BIAS,         /* beta  */
  GN_PARAM_LINEAR_WEIGHT,
  GN_PARAM_LINEAR_BIAS
} GnParamKind;

/**
 * GnParam:
 *
 * One trainable tensor.  @value and @grad point into the network's
 * parameter block (valid from gn_net_compile() to gn_net_free()).
 * @decay is TRUE for conv and linear weights only: the tensors GenNAS
 * (and common practice) apply weight decay to.
 */
typedef struct {
  const char *name;         /* e.g. "n12.conv.weight", owned by the net */
  GnParamKind kind;
  int node;
  gsize size;
  gboolean decay;
  float *value;
  float *grad;
} GnParam;

/**
 * gn_net_new:
 * @n, @c, @h, @w: the input batch shape (all > 0)
 *
 * Returns: (transfer full): a network holding only its input node (id 0).
 */
GnNet *gn_net_new (int n, int c, int h, int w);
/** Frees @net and everything it owns; NULL is allowed. */
void   gn_net_free (GnNet *net);

/* -- building (before gn_net_compile) ------------------------------- */
/* Each returns the new node id, or -1 with @error set.                 */

int gn_net_conv2d (GnNet *net, int x, const GnConv2dSpec *spec,
                   GError **error);
/**
 * gn_net_batchnorm:
 * @affine: learnable gamma/beta
 * @track_running_stats: FALSE means batch statistics in every mode
 */
int gn_net_batchnorm (GnNet *net, int x, gboolean affine,
                      gboolean track_running_stats, GError **error);
int gn_net_relu (GnNet *net, int x, GError **error);
int gn_net_avgpool (GnNet *net, int x, int k, int stride, int pad,
                    gboolean count_include_pad, GError **error);
int gn_net_maxpool (GnNet *net, int x, int k, int stride, int pad,
                    GError **error);
/** Output [n][c][1][1]. */
int gn_net_global_avgpool (GnNet *net, int x, GError **error);
/** Flattens x to [n][c*h*w]; output [n][out_features][1][1]. */
int gn_net_linear (GnNet *net, int x, int out_features, gboolean bias,
                   GError **error);
/** Element-wise sum of @k >= 1 nodes of one shape. */
int gn_net_add (GnNet *net, int k, const int *xs, GError **error);
/** Concatenation along channels of @k >= 1 nodes of one n, h, w. */
int gn_net_concat (GnNet *net, int k, const int *xs, GError **error);
/**
 * gn_net_zero:
 * @out_c: channels of the result (0 means those of @x)
 * @stride: spatial subsampling (NB201's Zero op with stride), >= 1
 *
 * A constant zero tensor shaped like x[:, :out_c, ::stride, ::stride];
 * no gradient flows back through it.
 */
int gn_net_zero (GnNet *net, int x, int out_c, int stride, GError **error);
/** The same tensor under another id: no copy, no memory. */
int gn_net_identity (GnNet *net, int x, GError **error);
/** Nearest resampling with PyTorch's legacy rule (see gn-ops.h). */
int gn_net_resize_nearest (GnNet *net, int x, int out_h, int out_w,
                           GError **error);
/**
 * gn_net_crop:
 * @top, @left: the window's first row and column in @x (may be negative)
 * @out_h, @out_w: the window's size, > 0
 *
 * A window onto x, zero where it leaves x (see gn_crop_forward()): a
 * slice, a zero padding, or both.  DARTS's FactorizedReduce reads
 * x[:, :, 1:, 1:], which is top = left = 1 and out = in - 1; pycls's pads
 * the bottom and right with one zero row and column first
 * (ConstantPad2d((0, 1, 0, 1))), which is top = left = 1 and out = in:
 * only that one keeps both halves the same size on odd inputs (a 1x1
 * stride-2 convolution makes ceil(h / 2) rows of x and floor(h / 2) of
 * x[1:], and DARTS's concatenation fails there).
 *
 * Returns: the new node, or -1 with GN_ERROR_INVALID_ARGUMENT for an
 * empty or huge window or one that does not overlap x.
 */
int gn_net_crop (GnNet *net, int x, int top, int left, int out_h, int out_w,
                 GError **error);
/* -- recurrent cells ------------------------------------------------ */

/**
 * GnLinearSpec:
 * @out_features: > 0
 * @bias: one bias vector (for all inputs together)
 * @init_range: > 0: gn_net_init_params() draws the weights and the bias
 *   from U(±init_range) (NB-NLP's cells: 1/sqrt(hidden); its encoder and
 *   decoder: 0.1); 0: PyTorch's U(±1/sqrt(fan_in)), fan_in the sum of the
 *   inputs' lengths
 * @zero_bias: the bias starts at zero instead
 * @share: 0, or an earlier GN_OP_MULTILINEAR node whose parameters this
 *   one computes with (one cell at every time step of a sequence: the
 *   gradients of every use add up, which is backpropagation through
 *   time); its inputs' lengths, @out_features and @bias must match, and
 *   this node then has no parameters of its own
 * @share_transposed: with @share: use the weight of @share (a node of
 *   one input, not itself transposed) transposed, as a decoder tied to
 *   its embedding does (NB-NLP: `decoder.weight = encoder.weight`), with
 *   a bias of its own if @bias; one input, of @share's @out_features
 *   length, and @out_features that of @share's input.  A node that
 *   shares (without @share_transposed) a transposed one shares its tied
 *   weight and its bias: the decoder at the next time step
 *
 * Options of gn_net_linear_multi(); zero-initialise and set what you need.
 */
typedef struct {
  int out_features;
  gboolean bias;
  float init_range;
  gboolean zero_bias;
  int share;
  gboolean share_transposed;
} GnLinearSpec;

/**
 * gn_net_linear_multi:
 * @k: 1 to 64 inputs, each flattened to [n][c * h * w] (one n)
 *
 * NB-NLP's `linear`: y = Σ_j W_j x_j + b, one weight matrix
 * [out][len(x_j)] per input and one bias; output [n][out_features][1][1].
 * Each input's product is one sgemm over the whole batch.
 *
 * Returns: the new node, or -1 with GN_ERROR_INVALID_ARGUMENT (no or
 * too many inputs, other batches, a @share that does not fit).
 */
int gn_net_linear_multi (GnNet *net, int k, const int *xs,
                         const GnLinearSpec *spec, GError **error);
/** tanh (x). */
int gn_net_tanh (GnNet *net, int x, GError **error);
/** 1 / (1 + exp (-x)). */
int gn_net_sigmoid (GnNet *net, int x, GError **error);
/** LeakyReLU with PyTorch's slope, GN_LEAKY_RELU_SLOPE (0.01). */
int gn_net_leaky_relu (GnNet *net, int x, GError **error);
/** a * b, element-wise; -1 with GN_ERROR_INVALID_ARGUMENT unless both
 * have one shape. */
int gn_net_mul (GnNet *net, int a, int b, GError **error);
/** z * a + (1 - z) * b, element-wise (NB-NLP's `blend`); one shape. */
int gn_net_blend (GnNet *net, int z, int a, int b, GError **error);
/**
 * gn_net_dropout:
 * @p: the probability of dropping a unit, in [0, 1)
 * @share: 0, or an earlier dropout node of the same size and @p whose
 *   mask this one applies
 *
 * Dropout as PyTorch's (kept units scaled by 1 / (1 - p)) in
 * GN_MODE_TRAIN, the identity in GN_MODE_EVAL.  A node draws a new mask
 * at every training forward pass from the network's generator (seeded by
 * gn_net_init_params()); nodes sharing it apply that same mask, which is
 * AWD-LSTM's locked (variational) dropout when they are the time steps
 * of one sequence.
 *
 * Returns: the new node, or -1 with GN_ERROR_INVALID_ARGUMENT.
 */
int gn_net_dropout (GnNet *net, int x, float p, int share, GError **error);

/**
 * gn_net_tap:
 * @name: unique, copied
 *
 * Marks @x as an output.  A node may carry several tap names.
 *
 * Returns: FALSE with @error if @name is taken or @x invalid.
 */
gboolean gn_net_tap (GnNet *net, int x, const char *name, GError **error);
/**
 * gn_net_retain_grad:
 *
 * Keeps the gradient of @x valid from the end of gn_net_backward() until
 * the next forward, as the input gradient is (PyTorch's retain_grad()):
 * for proxies that read an inner node's gradient, e.g. the Fisher
 * information of a convolution's output.  Its buffer is then never
 * reused within a step, which costs memory.  gn_net_grad() still returns
 * NULL for a node no gradient reaches.  The node's value is not kept:
 * tap it for that.
 *
 * Returns: FALSE with @error if @x is invalid or the net compiled.
 */
gboolean gn_net_retain_grad (GnNet *net, int x, GError **error);

/* -- inspection (any time) ----------------------------------------- */

int      gn_net_n_nodes (const GnNet *net);
GnShape  gn_net_shape (const GnNet *net, int node);
/** Returns: the node of tap @name, or -1. */
int      gn_net_find_tap (const GnNet *net, const char *name);
/**
 * gn_net_tap_names:
 *
 * Returns: (transfer container): the names gn_net_tap() gave, sorted
 * (strcmp), NULL-terminated; free the array with g_free(), not the
 * strings, which the net owns.
 */
const char **gn_net_tap_names (const GnNet *net);
/** Returns: (transfer none): the short op name of @node ("conv2d", ...). */
const char *gn_net_op_name (const GnNet *net, int node);

/**
 * GnOpKind:
 *
 * The op of a node, as gn_net_node_info() reports it: one per builder
 * function above.  New ops are appended.
 */
typedef enum {
  GN_OP_INPUT,            /* node 0, the batch                         */
  GN_OP_CONV2D,           /* gn_net_conv2d()                           */
  GN_OP_BATCHNORM,        /* gn_net_batchnorm()                        */
  GN_OP_RELU,             /* gn_net_relu()                             */
  GN_OP_AVGPOOL,          /* gn_net_avgpool()                          */
  GN_OP_MAXPOOL,          /* gn_net_maxpool()                          */
  GN_OP_GLOBAL_AVGPOOL,   /* gn_net_global_avgpool()                   */
  GN_OP_LINEAR,           /* gn_net_linear()                           */
  GN_OP_ADD,              /* gn_net_add()                              */
  GN_OP_CONCAT,           /* gn_net_concat()                           */
  GN_OP_ZERO,             /* gn_net_zero()                             */
  GN_OP_IDENTITY,         /* gn_net_identity()                         */
  GN_OP_RESIZE_NEAREST,   /* gn_net_resize_nearest()                   */
  GN_OP_CROP,             /* gn_net_crop()                             */
  GN_OP_MULTILINEAR,      /* gn_net_linear_multi()                     */
  GN_OP_TANH,             /* gn_net_tanh()                             */
  GN_OP_SIGMOID,          /* gn_net_sigmoid()                          */
  GN_OP_LEAKY_RELU,       /* gn_net_leaky_relu()                       */
  GN_OP_MUL,              /* gn_net_mul()                              */
  GN_OP_BLEND,            /* gn_net_blend()                            */
  GN_OP_DROPOUT           /* gn_net_dropout()                          */
} GnOpKind;

/**
 * GnNodeInfo:
 * @op: what the node computes
 * @shape: its output's shape (n is the batch of gn_net_new())
 * @n_inputs: how many nodes it reads (0 for the input, 1 for most ops,
 *   k for add and concat)
 * @inputs: (transfer none) (array length=n_inputs): their ids, each
 *   smaller than the node's, in the order given to the builder (the
 *   order of a concatenation's channels); owned by the net
 * @n_params: its trainable scalars (what it adds to
 *   gn_net_count_params())
 * @conv: GN_OP_CONV2D: the options as built, with the defaults resolved
 *   (kw, both strides and dilations and groups are never 0); @conv.out_c
 *   is @shape.c
 * @affine, @track_running_stats: GN_OP_BATCHNORM (eps GN_BN_EPS, momentum
 *   GN_BN_MOMENTUM)
 * @k, @stride, @pad: GN_OP_AVGPOOL and GN_OP_MAXPOOL: the square window,
 *   its step and the padding on every side; GN_OP_ZERO: @stride, the
 *   subsampling its shape came from (the output is zeros all the same)
 * @count_include_pad: GN_OP_AVGPOOL
 * @in_features, @bias: GN_OP_LINEAR: the flattened input's length
 *   (c * h * w of the input) and whether it has a bias; the output
 *   features are @shape.c; GN_OP_MULTILINEAR: the sum of its inputs'
 *   lengths, and whether a bias is added (its own or the one it shares;
 *   @n_params is 0 for a node that uses another's parameters)
 * @top, @left: GN_OP_CROP: where the window starts in the input (either
 *   may be negative); its size is @shape.h by @shape.w
 *
 * A node as gn_net_node_info() reads it.  Only the fields of @op's kind
 * are set; the others are zero.  GN_OP_GLOBAL_AVGPOOL and
 * GN_OP_RESIZE_NEAREST need nothing beyond @shape (resize reads its
 * input's size from that node's shape).
 */
typedef struct {
  GnOpKind op;
  GnShape shape;
  int n_inputs;
  const int *inputs;
  gsize n_params;
  GnConv2dSpec conv;
  gboolean affine;
  gboolean track_running_stats;
  int k;
  int stride;
  int pad;
  gboolean count_include_pad;
  int in_features;
  gboolean bias;
  int top;
  int left;
} GnNodeInfo;

/**
 * gn_net_node_info:
 * @node: a node id, 0 <= @node < gn_net_n_nodes()
 * @info: (out caller-allocates): what the node is
 *
 * Reads one node of the graph, for a program that translates the
 * network into another framework's terms (core/report/gn-export.h does
 * PyTorch and JSON): the nodes in id order, each with its op, inputs and
 * attributes, are the whole network.  Valid any time; the @info->inputs
 * array lives as long as @net.
 */
void     gn_net_node_info (const GnNet *net, int node, GnNodeInfo *info);
/** Number of trainable scalars (conv, linear, affine batch norm). */
gsize    gn_net_count_params (const GnNet *net);
/** Multiply-accumulates of one forward pass over ONE sample, counting
 * conv and linear layers with their bias (NAS-Bench-201's convention). */
double   gn_net_count_macs (const GnNet *net);

/**
 * GnFlopsRule:
 * @GN_FLOPS_MACS: gn_net_count_macs(): conv and linear layers with their
 *   bias (NAS-Bench-201's convention).
 * @GN_FLOPS_NDS_CELL: NDS's `flops` of its DARTS-like cell networks
 *   (DARTS, ENAS, PNAS, NASNet, Amoeba): the MACs, with each dilated
 *   convolution counted at the output size its kernel would give
 *   undilated, plus one per ReLU output element, k² per pooling output
 *   element (max and average) and one per element the global average
 *   pool reads.  Reproduces every record of NDS's seven ImageNet cell
 *   tables (bench/nds-sizes.py).
 * @GN_FLOPS_NDS_ANYNET: NDS's `flops` of its AnyNet networks (ResNet,
 *   ResNeXt, Vanilla): the MACs plus 5 per batch-norm output element.
 *
 * How a benchmark counted the operations of one forward pass of one
 * sample: a space names its benchmark's rule (`published.flops`), so
 * that `gennas space info` can print the figure the benchmark's table
 * holds.  New rules are appended.
 */
typedef enum {
  GN_FLOPS_MACS,
  GN_FLOPS_NDS_CELL,
  GN_FLOPS_NDS_ANYNET
} GnFlopsRule;

/** Returns: (transfer none): the rule's name ("macs", "nds-cell",
 * "nds-anynet"), as a space writes it. */
const char *gn_flops_rule_name (GnFlopsRule rule);
/** Returns: TRUE and sets *@rule if @name is a rule's name. */
gboolean gn_flops_rule_from_name (const char *name, GnFlopsRule *rule);
/** Operations of one forward pass over ONE sample, counted by @rule. */
double   gn_net_count_flops (const GnNet *net, GnFlopsRule rule);
/** About how many bytes the graph itself holds (its nodes, their inputs,
 * the parameter and tap names): what building costs, before
 * gn_net_compile() allocates the tensors.  The sandbox counts it against
 * a space's memory cap. */
gsize    gn_net_graph_bytes (const GnNet *net);

/* -- compiling and running ------------------------------------------ */

/**
 * gn_net_compile:
 * @input_grad: also compute the gradient of the input (gradient-based
 *   proxies need it; training does not)
 *
 * Freezes the graph, plans and allocates all memory, and initialises the
 * parameters with a generator seeded 0 (call gn_net_init_params() to
 * choose the seed).  Nodes that cannot reach a tap are still computed in
 * the forward pass but receive no gradient.
 *
 * Returns: FALSE with @error (GN_ERROR_STATE if already compiled,
 * GN_ERROR_INVALID_ARGUMENT if the net has no tap, GN_ERROR_NO_MEMORY).
 */
gboolean gn_net_compile (GnNet *net, gboolean input_grad, GError **error);

/**
 * gn_net_init_params:
 *
 * Draws every parameter as PyTorch's defaults (see GnInit; biases
 * U(±1/sqrt fan_in); batch norm gamma 1, beta 0; GnLinearSpec's ranges)
 * in node order from @rng, and resets running statistics (mean 0,
 * variance 1), gradients and nothing else.  A network with dropout then
 * draws one more number, the seed of its masks.  The same seed gives
 * bit-identical weights.
 */
void     gn_net_init_params (GnNet *net, GnRng *rng);

/**
 * gn_net_set_dropout_seed:
 *
 * Reseeds the generator of the dropout masks (gn_net_init_params() seeds
 * it from its generator): the next training forward passes draw the same
 * masks after the same seed, e.g. to take finite differences through
 * dropout.  Nothing happens in a network without dropout.
 */
void     gn_net_set_dropout_seed (GnNet *net, guint64 seed);

/** Bytes of the activation arena; and of it, the parameter block, the
 * workspace and the recurrent ops' buffers (dropout masks, the weight
 * gradients' stages). */
gsize    gn_net_arena_bytes (const GnNet *net);
gsize    gn_net_total_bytes (const GnNet *net);

/** Returns: (transfer none): the input buffer, n*c*h*w floats, to fill. */
float   *gn_net_input (GnNet *net);
void     gn_net_forward (GnNet *net, GnMode mode);
/** Sets every parameter gradient to zero. */
void     gn_net_zero_grad (GnNet *net);
/** Back-propagates the seeded tap gradients into parameter gradients
 * (accumulating) and, if compiled with @input_grad, the input gradient. */
void     gn_net_backward (GnNet *net);

/**
 * GnReluMode:
 * @GN_RELU_NORMAL: max(x, 0) (the default)
 * @GN_RELU_RECORD: max(x, 0), remembering where each ReLU passed its input
 * @GN_RELU_FROZEN: x where the recorded forward passed it, 0 elsewhere
 *
 * How the ReLU nodes run, for gn_net_set_relu_mode().
 */
typedef enum {
  GN_RELU_NORMAL,
  GN_RELU_RECORD,
  GN_RELU_FROZEN
} GnReluMode;

/**
 * gn_net_set_relu_mode:
 *
 * Freezes the ReLUs' on/off pattern: after a forward pass in
 * GN_RELU_RECORD mode, forward and backward passes in GN_RELU_FROZEN mode
 * run the network linearised at that pattern (the backward follows the
 * mode of the forward before it).  Finite differences of gradients taken
 * in frozen mode then give second derivatives as back-propagation sees
 * them, with ReLU's second derivative 0 (a Hessian-vector product for the
 * GraSP proxy) instead of counting the units that change sign.  The masks
 * (a byte per ReLU output) are allocated by the first switch to RECORD.
 *
 * Returns: FALSE with @error (GN_ERROR_STATE) if @net is not compiled, or
 * if FROZEN is asked for before a recorded forward pass.
 */
gboolean gn_net_set_relu_mode (GnNet *net, GnReluMode mode, GError **error);

/**
 * gn_net_set_precision:
 *
 * Runs the products of @net's convolutions and linear layers (forward and
 * backward) in @precision from now on (see GnPrecision in gn-ops.h);
 * a new network runs them in GN_PRECISION_FP32.  Parameters, their
 * gradients and every other op stay float32.  May be called at any time
 * between passes.
 *
 * Returns: FALSE with @error (GN_ERROR_INVALID_ARGUMENT) where
 * gn_precision_supported (@precision) is FALSE; the precision is then
 * unchanged.
 */
gboolean gn_net_set_precision (GnNet *net, GnPrecision precision,
                               GError **error);
/** Returns: the precision gn_net_set_precision() set. */
GnPrecision gn_net_precision (const GnNet *net);

/** Returns: (transfer none): the value of @node (taps, the input). */
float   *gn_net_value (GnNet *net, int node);
/** Returns: (transfer none): the gradient of @node (taps; the input
 * if compiled with @input_grad; nodes given to gn_net_retain_grad()). */
float   *gn_net_grad (GnNet *net, int node);

/** Returns: (transfer none): the @n trainable tensors in creation order. */
const GnParam *gn_net_params (GnNet *net, guint *n);

G_END_DECLS

#endif /* GN_NET_H */
