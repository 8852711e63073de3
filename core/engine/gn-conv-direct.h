/* gn-conv-direct.h - direct depthwise and grouped convolution (private)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The DIRECT path of gn-conv.c: convolutions whose groups see one or a
 * few input channels each (depthwise, and grouped with narrow groups),
 * where sgemm would see products too thin to run well.  Semantics,
 * arguments and the scratch contract are gn_conv2d_*()'s (gn-ops.h);
 * gn-conv.c picks this path with gn__conv_direct_wanted() and adds the
 * bias gradient itself.  Not installed, not exported.
 */
#ifndef GN_CONV_DIRECT_H
#define GN_CONV_DIRECT_H

#include <glib.h>
#include "gn-ops.h"

G_BEGIN_DECLS

/** Floats a kernel may read or write past the run it is given. */
#define GN_DIRECT_OVERRUN 256

/**
 * gn__conv_direct_wanted:
 *
 * Returns: TRUE if @g should take the direct path: one input channel per
 * group (any channel multiplier), or several groups of at most a few
 * input channels each, and a kernel whose tap lists fit the path's
 * fixed tables.
 */
gboolean gn__conv_direct_wanted (const GnConv2dGeom *g);

/**
 * gn__conv_direct_dw_wanted:
 *
 * Returns: TRUE if the direct path should also compute @g's weight
 * gradient: for wider groups sgemm does that faster, and gn-conv.c
 * hands dW to its sgemm path (the scratch then covers both).
 */
gboolean gn__conv_direct_dw_wanted (const GnConv2dGeom *g);

/** Workspace (floats) of the forward and the backward pass. */
size_t gn__conv_direct_scratch_floats (const GnConv2dGeom *g);

/** As gn_conv2d_forward(). */
void gn__conv_direct_forward (const GnConv2dGeom *g, const float *x,
                              const float *w, const float *b, float *y,
                              float *scratch);

/** As gn_conv2d_backward() without the bias gradient. */
void gn__conv_direct_backward (const GnConv2dGeom *g, const float *x,
                               const float *w, const float *dy, float *dx,
                               float *dw, float *scratch);

/**
 * GnConvIsa:
 * @GN_CONV_ISA_AUTO: the best this CPU runs (the default)
 * @GN_CONV_ISA_GENERIC: the baseline x86-64 (or other) build, SSE2
 * @GN_CONV_ISA_AVX2: AVX2 with FMA, 256-bit vectors
 * @GN_CONV_ISA_AVX512: AVX-512F with FMA, 512-bit vectors
 *
 * The instruction sets the direct path's inner loops are built for.
 */
typedef enum {
  GN_CONV_ISA_AUTO,
  GN_CONV_ISA_GENERIC,
  GN_CONV_ISA_AVX2,
  GN_CONV_ISA_AVX512
} GnConvIsa;

/**
 * gn__conv_direct_set_isa:
 *
 * Makes the direct path use @isa's loops from now on, in every thread:
 * for tests that compare the instruction sets on one machine, and for
 * benchmarks.  Not thread-safe against running convolutions.
 *
 * Returns: FALSE (and changes nothing) if this build or CPU lacks @isa.
 */
gboolean gn__conv_direct_set_isa (GnConvIsa isa);

/** Returns: the instruction set in use ("avx512", "avx2", "generic"). */
const char *gn__conv_direct_isa_name (void);

G_END_DECLS

#endif /* GN_CONV_DIRECT_H */
