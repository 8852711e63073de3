/* zc-common.h - what the zero-cost proxy plugins share
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The zero-cost proxies (Abdelfattah et al., "Zero-Cost Proxies for
 * Lightweight NAS", ICLR 2021; Mellor et al., "Neural Architecture Search
 * without Training", ICML 2021) score a network at initialisation from one
 * batch.  Each is its own plugin (synflow.c, naswot.c, ...); this file,
 * compiled into each, holds the task they share:
 *
 *  - the parameter batch (ZC_PARAMS); the task seed and the build options
 *    are the context's;
 *  - the host's one fixed batch of images and labels, drawn and augmented
 *    (crop and flip, as NASLib's training loader) from the task seed:
 *    the same for every architecture (gn_proxy_context_batch());
 *  - on a space of sequences (NB-NLP's cells), instead of images, one
 *    fixed batch of ZC_SEQ_STEPS random tokens a sequence, one-hot over
 *    the published vocabulary, labelled with each sequence's next token
 *    (the language-model task the published network was trained on; gennas
 *    ships no text, so the tokens are uniform draws from the task seed);
 *  - the network as published, classifier included, in training mode
 *    (batch statistics), as NAS-Bench-Suite-Zero evaluates it, with
 *    weights drawn from gn_proxy_arch_rng (seed, arch);
 *  - the small dense linear algebra the scores end in, in double.
 *
 * docs/benchmarks.md ("Zero-cost proxies") says how each proxy follows
 * NASLib's reference implementation and how closely it agrees with it.
 */
#ifndef ZC_COMMON_H
#define ZC_COMMON_H

#include "gennas.h"

G_BEGIN_DECLS

/* NAS-Bench-Suite-Zero's batch: its zc_config.yaml says 32, and its
 * jacov scores are all <= -32.23 (the score is at most minus the batch). */
#define ZC_DEFAULT_BATCH "32"

/* tokens in each sequence of a sequence space's batch (GenNAS's sequence
 * length, docs/method.md §3.6) */
#define ZC_SEQ_STEPS 8

#define ZC_PARAMS                                                          \
  { "batch", GN_PROXY_PARAM_INT, ZC_DEFAULT_BATCH, 2, 4096,                \
    "images in the one fixed batch" }

typedef struct {
  GnSpace *space;
  const GnDataset *data;       /* NULL when the proxy reads no images */
  int batch;
  guint64 seed;                /* the context's task seed */
  const char *const *options;  /* the context's build options */
  GnShape input;               /* batch x c x h x w */
  const float *images;         /* the context's fixed batch, normalised */
  const int *labels;           /* label_rows of them */
  int label_rows;              /* batch, or batch x steps for sequences */
  int num_classes;             /* of the published classifier */
  float *tokens;               /* a sequence batch, one-hot (owned) */
  int *next_tokens;            /* its labels (owned) */
  char *fingerprint;
} ZcTask;

/**
 * zc_task_new:
 * @need_data: FALSE for proxies that read no images (synflow, l2_norm):
 *   the batch then only fixes the input shape
 *
 * Returns: (transfer full): the task, or NULL with @error.
 */
ZcTask  *zc_task_new (const GnProxyContext *ctx, const GnProxyParams *p,
                      gboolean need_data, GError **error);
void     zc_task_free (gpointer task);
const char *zc_task_fingerprint (gpointer task);

/**
 * zc_build:
 * @batch: the batch size of the network (the task's, or 1 for synflow)
 *
 * Builds @arch as published with its classifier; its "logits" tap is
 * returned in @logits.  The caller adds taps, compiles and calls
 * zc_init().
 */
GnNet   *zc_build (ZcTask *t, const char *arch, int batch, int *logits,
                   GError **error);
/** Compiles @net and draws its weights from gn_proxy_arch_rng(). */
gboolean zc_compile_init (ZcTask *t, GnNet *net, const char *arch,
                          gboolean input_grad, GError **error);
/**
 * zc_net_new:
 *
 * zc_build() then zc_compile_init(), for proxies that need no taps of
 * their own.
 *
 * Returns: (transfer full): the network ready to run, or NULL with @error.
 */
GnNet   *zc_net_new (ZcTask *t, const char *arch, int batch,
                     gboolean input_grad, int *logits, GError **error);

/**
 * zc_net_new_tapped:
 * @ops: (array zero-terminated=1): the op names whose nodes to keep
 * @retain_grad: keep their gradients too (gn_net_retain_grad())
 * @nodes: (out) (transfer full): those nodes, in order
 *
 * zc_net_new() with every node of one of @ops tapped, so its value (and
 * gradient) can be read after a pass.
 *
 * Returns: (transfer full): the network, or NULL with @error.
 */
GnNet   *zc_net_new_tapped (ZcTask *t, const char *arch,
                            const char *const *ops, gboolean retain_grad,
                            int *logits, GArray **nodes, GError **error);

/** Copies the fixed batch into the network's input. */
void     zc_load_batch (ZcTask *t, GnNet *net);
/**
 * zc_loss_backward:
 *
 * Training-mode forward of the fixed batch, mean cross-entropy of the
 * labels (of each sequence's every step, on a sequence space), zeroed
 * parameter gradients, backward.  Returns the loss.
 */
double   zc_loss_backward (ZcTask *t, GnNet *net, int logits);

/** TRUE for the tensors the measures sum over: conv and linear weights
 * (NASLib's get_layer_metric_array over nn.Conv2d and nn.Linear). */
gboolean zc_is_layer_weight (const GnParam *p);

/** The saliency sum over the conv and linear weights of |w dL/dw|
 * after a backward pass (SNIP's, and synflow's with R for L). */
double   zc_saliency (GnNet *net);
/** The sum over the conv and linear weight tensors of the L2 norm of
 * their gradients (@grad) or of their values. */
double   zc_layer_l2_norms (GnNet *net, gboolean grad);

/** Sets @r to an ordinary result, or to the worst score with
 * GN_EVAL_NONFINITE when @score is not finite (a measure that is
 * undefined for this network, e.g. a singular kernel). */
void     zc_result (GnProxyResult *r, double score);

/**
 * ZC_PROXY_DEFINE:
 * @ident: the plugin's name, and the prefix of its ident_score()
 * @need_data: as zc_task_new()
 * @blurb: the one-line description `gennas proxies` shows
 *
 * The descriptor of a zero-cost plugin that takes exactly ZC_PARAMS and
 * whose state is the ZcTask: define ident_score() first.
 */
#define ZC_PROXY_DEFINE(ident, need_data, blurb)                            \
  static const GnProxyParamSpec ident##_params[] = { ZC_PARAMS, { NULL } }; \
  static gpointer                                                           \
  ident##_create (const GnProxyContext *ctx, const GnProxyParams *p,        \
                  GError **error)                                           \
  {                                                                         \
    return zc_task_new (ctx, p, need_data, error);                          \
  }                                                                         \
  static const GnProxyDesc ident##_desc = {                                 \
    .abi_major = GN_PROXY_ABI_MAJOR,                                        \
    .abi_minor = GN_PROXY_ABI_MINOR,                                        \
    .struct_size = sizeof (GnProxyDesc),                                    \
    .name = #ident,                                                         \
    .description = blurb,                                                   \
    .version = PACKAGE_VERSION,                                             \
    .params = ident##_params,                                               \
    .create = ident##_create,                                               \
    .score = ident##_score,                                                 \
    .destroy = zc_task_free,                                                \
    .fingerprint = zc_task_fingerprint,                                     \
  };                                                                        \
  GN_PROXY_DEFINE (ident, ident##_desc)

/* -- dense linear algebra in double ----------------------------------- */

/** log |det A| of the n x n row-major @a (destroyed), by LU with partial
 * pivoting (numpy's slogdet); -inf if A is singular. */
double   zc_log_abs_det (double *a, int n);
/** The eigenvalues of the symmetric n x n row-major @a (destroyed) into
 * @eval.  Returns FALSE if the solver did not converge. */
gboolean zc_symmetric_eigenvalues (double *a, int n, double *eval);

G_END_DECLS

#endif /* ZC_COMMON_H */
