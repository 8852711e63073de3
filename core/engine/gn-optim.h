/* gn-optim.h - optimisers with PyTorch's update rules
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * SGD (torch.optim.SGD, dampening 0, no Nesterov):
 *     g   = grad + wd * w                  (wd only where decay applies)
 *     buf = momentum * buf + g             (buf starts at g)
 *     w   = w - lr * buf
 *
 * Adam (torch.optim.Adam, L2 decay added to the gradient, no amsgrad):
 *     g = grad + wd * w
 *     m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *     w = w - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *
 * Weight decay applies to the parameters whose GnParam.decay is TRUE
 * (conv and linear weights), unless @decay_all asks for every parameter,
 * as a plain `torch.optim.X(model.parameters(), weight_decay=...)` does.
 */
#ifndef GN_OPTIM_H
#define GN_OPTIM_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-net.h"

G_BEGIN_DECLS

typedef enum {
  GN_OPTIM_SGD,
  GN_OPTIM_ADAM
} GnOptimKind;

typedef struct {
  GnOptimKind kind;
  float lr;
  float momentum;          /* SGD                                  */
  float weight_decay;
  float beta1, beta2, eps; /* Adam; zeros mean 0.9, 0.999, 1e-8    */
  gboolean decay_all;
} GnOptimConfig;

typedef struct _GnOptim GnOptim;

/**
 * gn_optim_new:
 * @net: (transfer none): a compiled network; it must outlive the optimiser
 *
 * Returns: (transfer full): an optimiser with zeroed state, or NULL with
 * @error (GN_ERROR_STATE if @net is not compiled, GN_ERROR_INVALID_ARGUMENT
 * for a negative rate or an out-of-range coefficient).
 */
GnOptim *gn_optim_new (GnNet *net, const GnOptimConfig *config,
                       GError **error);
/** Applies one update from the current gradients. */
void     gn_optim_step (GnOptim *opt);
/** Clears the momentum / moment estimates and the step count. */
void     gn_optim_reset (GnOptim *opt);
void     gn_optim_free (GnOptim *opt);

G_END_DECLS

#endif /* GN_OPTIM_H */
