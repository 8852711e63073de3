/* gn-ops.h - the compute kernels of the training engine (float32, NCHW)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * These are the hot-loop primitives under the network IR (gn-net.h). They
 * take raw pointers and plain geometry structs, never allocate, never log
 * and never fail: argument validation happens once, when the network is
 * built, so the training step is a straight run of kernel calls.
 *
 * Conventions shared by every kernel:
 *  - Tensors are dense float32 in NCHW order (batch, channel, row, column).
 *  - Forward kernels overwrite their output.
 *  - Backward kernels ACCUMULATE (+=) into every gradient they produce
 *    (input, weight and bias gradients alike), so a tensor consumed by
 *    several ops sums its gradients for free.  A NULL gradient pointer
 *    means "not wanted" and skips that work.
 *  - `scratch` is caller-owned workspace of at least the size the matching
 *    `*_scratch_floats()` function returns; its contents are clobbered.
 *
 * Semantics follow PyTorch 1.13 (the reference the GenNAS proxy was
 * published with); each kernel names the PyTorch module it mirrors.
 */
#ifndef GN_OPS_H
#define GN_OPS_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include <stddef.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Precision of the products                                           */
/* ------------------------------------------------------------------ */

/**
 * GnPrecision:
 * @GN_PRECISION_FP32: float32 products (cblas_sgemm): the default
 * @GN_PRECISION_BF16: the operands of each product rounded to bfloat16
 *   (8 significant bits, to nearest even), the products accumulated in
 *   float32, on CPUs with AVX512-BF16; inputs, outputs, weights and their
 *   gradients stay float32
 *
 * The arithmetic of the matrix products under the convolutions (forward,
 * dX, dW; all but the direct depthwise and narrow-group ones) and the
 * linear layers.  Everything else (batch norm, pooling, losses, the
 * optimiser) is float32 whatever the precision.
 */
typedef enum {
  GN_PRECISION_FP32,
  GN_PRECISION_BF16
} GnPrecision;

/**
 * gn_precision_supported:
 *
 * Returns: TRUE if this build and CPU run @p: always for
 * GN_PRECISION_FP32; for GN_PRECISION_BF16 where the CPU has AVX512-BF16
 * and the environment does not set GENNAS_NO_BF16 (which makes a machine
 * that has it behave as one without, for tests).
 */
gboolean gn_precision_supported (GnPrecision p);

/**
 * gn_precision_bf16_faster:
 *
 * Whether bf16 products pay on this core: TRUE where
 * gn_precision_supported (GN_PRECISION_BF16) and a convolution-sized
 * product (64 x 1024 x 288) runs at least 1.15x faster with bf16 products
 * than with cblas_sgemm, the best of five timings of each, interleaved.
 * Measured once per process, on the first call (about 10 ms), since the
 * answer depends on the core, not on its model name: on AMD's Zen 4 the
 * bf16 products run 1.3-2x faster, on an Intel Xeon whose vdpbf16ps
 * does no more multiply-adds per cycle than its FMAs they run slower
 * (docs/benchmarks.md, "When OpenBLAS does not know the CPU").  A machine
 * whose load swings wildly could answer differently from one run to the
 * next; the answer is fixed for the life of the process and passed to the
 * processes it starts in GENNAS_BF16_FASTER ("yes" or "no"), which, when
 * set, is the answer instead of a measurement (so a search's workers run
 * the precision its store records).
 */
gboolean gn_precision_bf16_faster (void);

/**
 * gn_precision_parse:
 * @text: "fp32", "bf16" or "auto"
 * @out: (out): the precision; "auto" is GN_PRECISION_BF16 where
 *   gn_precision_bf16_faster() says so, GN_PRECISION_FP32 elsewhere
 * @error: (nullable): return location for a GN_ERROR_INVALID_ARGUMENT
 *
 * Returns: FALSE with @error for another word, or for "bf16" where it is
 * not supported.
 */
gboolean gn_precision_parse (const char *text, GnPrecision *out,
                             GError **error);

/** Returns: (transfer none): "fp32" or "bf16". */
const char *gn_precision_name (GnPrecision p);

/**
 * gn_blas_kernels:
 *
 * Returns: the name of the kernels the BLAS library chose for this CPU
 * (openblas_get_corename(), e.g. "SkylakeX", "Haswell", "Zen"), or
 * "unknown" where the BLAS does not say.  Static; do not free.
 */
const char *gn_blas_kernels (void);

/**
 * gn_blas_coretype_for:
 * @kernels: the kernels the BLAS chose (gn_blas_kernels())
 * @avx2_fma: the CPU runs AVX2 and FMA
 * @avx512: the CPU runs AVX-512 F, BW, DQ and VL
 *
 * OpenBLAS picks its kernels from the CPU's model number; on a CPU newer
 * than the library (Debian 12's 0.3.21 on Intel's Emerald Rapids, say)
 * it falls back to its Prescott kernels, SSE3, which run an sgemm 3-5x
 * slower than the vector units allow.  This names the kernels to ask for
 * instead (the value for OPENBLAS_CORETYPE): "SkylakeX" where the CPU has
 * AVX-512, "Haswell" where it has AVX2 and FMA, NULL where @kernels is
 * not that fallback or the CPU has neither.  A pure function.
 */
const char *gn_blas_coretype_for (const char *kernels, gboolean avx2_fma,
                                  gboolean avx512);

/**
 * gn_blas_better_coretype:
 *
 * Returns: gn_blas_coretype_for() this process's BLAS and CPU, or NULL
 * where OPENBLAS_CORETYPE is already set (a choice made outside is kept)
 * or nothing better is known.
 */
const char *gn_blas_better_coretype (void);

/**
 * gn_blas_restart_with_better_kernels:
 * @argv: the program's argv, as main() received it
 *
 * For a program's main(), first thing, before threads, MPI or anything
 * whose state a restart would lose: where gn_blas_better_coretype() names
 * better kernels, sets OPENBLAS_CORETYPE to them (OpenBLAS reads it only
 * when it is loaded) and GENNAS_BLAS_FALLBACK to OpenBLAS's own choice,
 * and replaces the process with a new run of the same executable
 * (/proc/self/exe) and @argv.  Child processes inherit the variables.
 * Returns, changing nothing, where there is nothing better, where
 * GENNAS_BLAS_FALLBACK is already set (a restart already happened, or the
 * user turned it off), or where the restart fails.
 */
void gn_blas_restart_with_better_kernels (char **argv);

/**
 * gn_blas_describe_kernels:
 *
 * Returns: (transfer full): one line, without its end, saying which
 * BLAS kernels run and who chose them, e.g. "SkylakeX (OpenBLAS chose
 * Prescott, its fallback for a CPU it does not know; gennas set
 * OPENBLAS_CORETYPE)" or "Zen"; free with g_free().
 */
char *gn_blas_describe_kernels (void);

/* ------------------------------------------------------------------ */
/* Convolution: torch.nn.Conv2d                                        */
/* ------------------------------------------------------------------ */

/**
 * GnConv2dGeom:
 *
 * The full geometry of one 2-D convolution over a batch.  Fill the input
 * fields and call gn_conv2d_geom_init(), which validates them and derives
 * @out_h and @out_w.  Weights are laid out as PyTorch's
 * [out_c][in_c / groups][kh][kw].
 */
typedef struct {
  int n, in_c, in_h, in_w;         /* input batch and shape             */
  int out_c;                       /* output channels                   */
  int kh, kw;                      /* kernel size                       */
  int stride_h, stride_w;          /* >= 1                              */
  int pad_h, pad_w;                /* zero padding, >= 0                */
  int dil_h, dil_w;                /* dilation, >= 1                    */
  int groups;                      /* divides in_c and out_c            */
  /* derived by gn_conv2d_geom_init(): */
  int out_h, out_w;
} GnConv2dGeom;

/**
 * gn_conv2d_geom_init:
 * @g: geometry with every input field set
 * @error: (nullable): return location for a GN_ERROR_INVALID_ARGUMENT
 *
 * Validates @g and fills @g->out_h / @g->out_w with PyTorch's formula
 * floor((in + 2 pad - dil (k - 1) - 1) / stride) + 1.
 *
 * Returns: TRUE if the geometry is usable, FALSE with @error set if not
 * (non-positive sizes, groups not dividing the channels, empty output).
 */
gboolean gn_conv2d_geom_init (GnConv2dGeom *g, GError **error);

/** Number of weight floats: out_c * (in_c / groups) * kh * kw. */
size_t gn_conv2d_weight_size (const GnConv2dGeom *g);

/** Workspace (floats) needed by gn_conv2d_forward() and _backward(). */
size_t gn_conv2d_scratch_floats (const GnConv2dGeom *g);

/**
 * gn_conv2d_forward:
 * @x: input [n][in_c][in_h][in_w]
 * @w: weights [out_c][in_c/groups][kh][kw]
 * @b: (nullable): bias [out_c]
 * @y: output [n][out_c][out_h][out_w], overwritten
 * @scratch: gn_conv2d_scratch_floats() floats
 *
 * cblas_sgemm on chunked, pixel-major im2row, so the unrolled buffer stays
 * in L2; at stride 1 unrolled along the kernel width only, the kernel rows
 * being shifted products over it (see gn-conv.c).
 */
void gn_conv2d_forward (const GnConv2dGeom *g, const float *x,
                        const float *w, const float *b, float *y,
                        float *scratch);

/**
 * gn_conv2d_backward:
 * @x: the forward input
 * @w: the forward weights
 * @dy: gradient of the output
 * @dx: (nullable): input gradient, accumulated
 * @dw: (nullable): weight gradient, accumulated
 * @db: (nullable): bias gradient, accumulated
 * @scratch: gn_conv2d_scratch_floats() floats
 */
void gn_conv2d_backward (const GnConv2dGeom *g, const float *x,
                         const float *w, const float *dy, float *dx,
                         float *dw, float *db, float *scratch);

/**
 * gn_conv2d_forward_precision:
 * @p: the products' precision; GN_PRECISION_BF16 only where
 *   gn_precision_supported() says so
 *
 * gn_conv2d_forward() (which is this with GN_PRECISION_FP32) with the
 * products in @p.  Same scratch.
 */
void gn_conv2d_forward_precision (const GnConv2dGeom *g, GnPrecision p,
                                  const float *x, const float *w,
                                  const float *b, float *y, float *scratch);

/** gn_conv2d_backward() with the products in @p (as above). */
void gn_conv2d_backward_precision (const GnConv2dGeom *g, GnPrecision p,
                                   const float *x, const float *w,
                                   const float *dy, float *dx, float *dw,
                                   float *db, float *scratch);

/* ------------------------------------------------------------------ */
/* Batch normalisation: torch.nn.BatchNorm2d                           */
/* ------------------------------------------------------------------ */

#define GN_BN_EPS      1e-5f
#define GN_BN_MOMENTUM 0.1f

/**
 * gn_batchnorm_forward_train:
 * @n, @c, @hw: batch, channels, pixels per channel plane
 * @x: input; @y: output (may equal @x for in-place use)
 * @gamma, @beta: (nullable): affine parameters [c]; NULL means identity
 * @save_mean, @save_invstd: [c], written: batch mean and 1/sqrt(var+eps)
 *   with the biased batch variance, as the backward pass needs them
 * @running_mean, @running_var: (nullable): [c], updated as PyTorch does:
 *   r = (1 - momentum) r + momentum s, where s is the batch mean, and
 *   for the variance the UNBIASED batch variance (count / (count - 1));
 *   NULL when the layer does not track running statistics
 *
 * Normalises with batch statistics (training mode, or any mode when the
 * layer has track_running_stats=False).
 */
void gn_batchnorm_forward_train (int n, int c, int hw, const float *x,
                                 float *y, const float *gamma,
                                 const float *beta, float *save_mean,
                                 float *save_invstd, float *running_mean,
                                 float *running_var, float momentum,
                                 float eps);

/**
 * gn_batchnorm_forward_eval:
 *
 * Normalises with the running statistics (evaluation mode of a layer that
 * tracks them).  Writes @save_mean / @save_invstd (the running mean and
 * 1/sqrt(running_var+eps)) so gn_batchnorm_backward() can be used after it.
 */
void gn_batchnorm_forward_eval (int n, int c, int hw, const float *x,
                                float *y, const float *gamma,
                                const float *beta, const float *running_mean,
                                const float *running_var, float *save_mean,
                                float *save_invstd, float eps);

/**
 * gn_batchnorm_backward:
 * @src: the forward input x when @mean is non-NULL; or, when @mean is
 *   NULL, the already-normalised x̂ (which is the forward OUTPUT of a layer
 *   without affine parameters: this lets the network free x early)
 * @mean, @invstd: what the forward pass saved
 * @batch_stats: TRUE if the forward normalised with batch statistics
 *   (then the gradient flows through the mean and variance too), FALSE
 *   for running statistics (a per-channel affine map)
 * @gamma: (nullable): NULL means 1
 * @dx, @dgamma, @dbeta: (nullable): accumulated
 */
void gn_batchnorm_backward (int n, int c, int hw, const float *src,
                            const float *mean, const float *invstd,
                            gboolean batch_stats, const float *gamma,
                            const float *dy, float *dx, float *dgamma,
                            float *dbeta);

/* ------------------------------------------------------------------ */
/* Element-wise and structural ops                                     */
/* ------------------------------------------------------------------ */

/** y = max(x, 0); @y may equal @x. */
void gn_relu_forward (size_t count, const float *x, float *y);
/** dx += dy where y > 0 (uses the OUTPUT, so the input may be freed). */
void gn_relu_backward (size_t count, const float *y, const float *dy,
                       float *dx);

/** y = sum of @k inputs, each @count floats. */
void gn_add_forward (size_t count, int k, const float *const *xs, float *y);
/* The backward of add is dx_i += dy for each input: gn_accumulate(). */

/** dst += src over @count floats. */
void gn_accumulate (size_t count, const float *src, float *dst);

/* Recurrent cells (gn-recurrent.c): every kernel works on @count floats,
 * its outputs may be its inputs, and its backward accumulates. */

/** y = tanh(x). */
void gn_tanh_forward (size_t count, const float *x, float *y);
/** dx += dy (1 - y²), from the output. */
void gn_tanh_backward (size_t count, const float *y, const float *dy,
                       float *dx);
/** y = 1 / (1 + exp(-x)). */
void gn_sigmoid_forward (size_t count, const float *x, float *y);
/** dx += dy y (1 - y), from the output. */
void gn_sigmoid_backward (size_t count, const float *y, const float *dy,
                          float *dx);
/** The slope of gn_leaky_relu_forward() below zero (PyTorch's default). */
#define GN_LEAKY_RELU_SLOPE 0.01f
/** y = x for x > 0, GN_LEAKY_RELU_SLOPE x otherwise. */
void gn_leaky_relu_forward (size_t count, const float *x, float *y);
/** dx += dy or GN_LEAKY_RELU_SLOPE dy, from the output (whose sign is
 * the input's). */
void gn_leaky_relu_backward (size_t count, const float *y, const float *dy,
                             float *dx);
/** y = a b. */
void gn_mul_forward (size_t count, const float *a, const float *b, float *y);
/** da += dy b, db += dy a; either may be NULL, and @da may equal @db
 * (a product of a value with itself). */
void gn_mul_backward (size_t count, const float *a, const float *b,
                      const float *dy, float *da, float *db);
/** y = z a + (1 - z) b (NB-NLP's `blend`, a GRU's update gate). */
void gn_blend_forward (size_t count, const float *z, const float *a,
                       const float *b, float *y);
/** dz += dy (a - b), da += dy z, db += dy (1 - z); each may be NULL or
 * equal another. */
void gn_blend_backward (size_t count, const float *z, const float *a,
                        const float *b, const float *dy, float *dz,
                        float *da, float *db);

/**
 * gn_concat_forward:
 * @k: number of inputs, each [n][cs[i]][hw]
 * @y: output [n][sum cs][hw]
 *
 * Concatenates along channels (torch.cat(dim=1)).
 */
void gn_concat_forward (int n, int hw, int k, const int *cs,
                        const float *const *xs, float *y);
/** dxs[i] += the matching channel slice of @dy; NULL entries are skipped. */
void gn_concat_backward (int n, int hw, int k, const int *cs,
                         const float *dy, float *const *dxs);

/**
 * GnPoolGeom:
 *
 * Square pooling window over [n][c][in_h][in_w]; gn_pool_geom_init()
 * validates and derives out_h/out_w (floor mode, as PyTorch's default).
 */
typedef struct {
  int n, c, in_h, in_w;
  int k, stride, pad;
  gboolean count_include_pad;      /* average pooling only */
  int out_h, out_w;                /* derived */
} GnPoolGeom;

/** Returns FALSE with GN_ERROR_INVALID_ARGUMENT if @g is unusable
 * (PyTorch also requires pad <= k / 2). */
gboolean gn_pool_geom_init (GnPoolGeom *g, GError **error);

/**
 * gn_avgpool_forward:
 *
 * torch.nn.AvgPool2d(k, stride, pad, ceil_mode=False, count_include_pad).
 * With count_include_pad the divisor counts padded cells inside the padded
 * border (PyTorch's rule); without it, only real cells.
 */
void gn_avgpool_forward (const GnPoolGeom *g, const float *x, float *y);
void gn_avgpool_backward (const GnPoolGeom *g, const float *dy, float *dx);

/**
 * gn_maxpool_forward:
 * @argmax: [n][c][out_h][out_w], written: the flat in-plane index of the
 *   maximum (first one in scan order on ties, as PyTorch)
 *
 * torch.nn.MaxPool2d(k, stride, pad) (padding acts as -inf).
 */
void gn_maxpool_forward (const GnPoolGeom *g, const float *x, float *y,
                         gint32 *argmax);
void gn_maxpool_backward (const GnPoolGeom *g, const gint32 *argmax,
                          const float *dy, float *dx);

/** y[n][c] = mean of x[n][c][:] (adaptive average pooling to 1x1). */
void gn_global_avgpool_forward (int n, int c, int hw, const float *x,
                                float *y);
void gn_global_avgpool_backward (int n, int c, int hw, const float *dy,
                                 float *dx);

/**
 * gn_linear_forward:
 * @x: [n][in_f]; @w: [out_f][in_f]; @b: (nullable): [out_f]; @y: [n][out_f]
 *
 * torch.nn.Linear: y = x wᵀ + b.
 */
void gn_linear_forward (int n, int in_f, int out_f, const float *x,
                        const float *w, const float *b, float *y);
void gn_linear_backward (int n, int in_f, int out_f, const float *x,
                         const float *w, const float *dy, float *dx,
                         float *dw, float *db);
/** The two above with the products in @p (see GnPrecision). */
void gn_linear_forward_precision (GnPrecision p, int n, int in_f, int out_f,
                                  const float *x, const float *w,
                                  const float *b, float *y);
void gn_linear_backward_precision (GnPrecision p, int n, int in_f,
                                   int out_f, const float *x, const float *w,
                                   const float *dy, float *dx, float *dw,
                                   float *db);

/**
 * gn_linear_accumulate:
 *
 * y [n][out_f] += x [n][in_f] · wᵀ, w [out_f][in_f]: one input of a
 * linear map with several inputs and one bias (NB-NLP's `linear`), whose
 * forward is @y set to the bias (or zero) and one call per input.  Its
 * backward is gn_linear_backward() per input with a NULL @db, and once
 * with @in_f = 0 for the bias.
 */
void gn_linear_accumulate (int n, int in_f, int out_f, const float *x,
                           const float *w, float *y);

/**
 * gn_linear_t_forward:
 * @w: [in_f][out_f]: the weight of a linear map out_f -> in_f, used
 *   transposed (a decoder tied to its encoder)
 * @b: (nullable): [out_f]
 *
 * y [n][out_f] = x [n][in_f] · w + b.
 */
void gn_linear_t_forward (int n, int in_f, int out_f, const float *x,
                          const float *w, const float *b, float *y);
/** The backward of gn_linear_t_forward(); @dx, @dw, @db nullable and
 * accumulated. */
void gn_linear_t_backward (int n, int in_f, int out_f, const float *x,
                           const float *w, const float *dy, float *dx,
                           float *dw, float *db);

/**
 * gn_resize_nearest_forward:
 *
 * F.interpolate(mode='nearest') with PyTorch's legacy index rule:
 * src = min(floor(dst * (float) in / out), in - 1), per axis.
 */
void gn_resize_nearest_forward (int n, int c, int in_h, int in_w, int out_h,
                                int out_w, const float *x, float *y);
void gn_resize_nearest_backward (int n, int c, int in_h, int in_w, int out_h,
                                 int out_w, const float *dy, float *dx);

/**
 * gn_crop_forward:
 * @top, @left: where the window starts in the input (may be negative)
 * @out_h, @out_w: the window's size (> 0)
 * @x: [n][c][in_h][in_w]; @y: [n][c][out_h][out_w], overwritten
 *
 * y[r][c] = x[r + top][c + left], and 0 where that falls outside x: a
 * slice (x[:, :, 1:, 1:] is top = left = 1, out = in - 1), a zero
 * padding (torch.nn.ConstantPad2d((l, r, t, b), 0) is top = -t,
 * left = -l, out = in + t + b by in + l + r), or both at once.
 */
void gn_crop_forward (int n, int c, int in_h, int in_w, int top, int left,
                      int out_h, int out_w, const float *x, float *y);
/** dx += dy on the part of the window inside x. */
void gn_crop_backward (int n, int c, int in_h, int in_w, int top, int left,
                       int out_h, int out_w, const float *dy, float *dx);

/* ------------------------------------------------------------------ */
/* Losses                                                              */
/* ------------------------------------------------------------------ */

/**
 * gn_loss_mse:
 * @count: number of elements
 * @weight: multiplier of this term (GenNAS weights its stages)
 * @dy: (nullable): gradient of the returned loss, accumulated
 *
 * Returns: @weight * mean((y - t)^2), accumulated in double.
 */
double gn_loss_mse (size_t count, const float *y, const float *t,
                    float weight, float *dy);

/**
 * gn_loss_softmax_xent:
 * @logits: [n][k]; @labels: [n], each in [0, k)
 * @dlogits: (nullable): gradient of the returned loss, accumulated
 * @correct: (nullable) (out): number of rows whose arg-max is the label
 *
 * Returns: the mean over the batch of -log softmax(logits)[label]
 * (torch.nn.CrossEntropyLoss), computed stably.
 */
double gn_loss_softmax_xent (int n, int k, const float *logits,
                             const int *labels, float *dlogits,
                             int *correct);

G_END_DECLS

#endif /* GN_OPS_H */
