/* gn-gemm.h - the matrix products of the engine, in fp32 or bf16 (private)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Every large product of the convolutions and linear layers goes through
 * gn__gemm(): cblas_sgemm for GN_PRECISION_FP32, gn__sbgemm() (bf16
 * products, fp32 accumulation, gn-gemm-bf16.c) for GN_PRECISION_BF16.
 * Row-major only, with cblas_sgemm's arguments otherwise.  Not installed,
 * not exported.
 */
#ifndef GN_GEMM_H
#define GN_GEMM_H

#include <glib.h>
#include <cblas.h>
#include "gn-ops.h"

/* The x86-64 kernels (gn-gemm-bf16.c, gn-gemm-fp32.c) are built with
 * target attributes and chosen at run time; the compilers of Debian 12
 * (gcc 12, clang 14) know their ISAs.  Define GN_NO_ISA_DISPATCH to build
 * without them. */
#if defined(__x86_64__) && !defined(GN_NO_ISA_DISPATCH)            \
    && ((defined(__clang__) && __clang_major__ >= 9)                \
        || (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 10))
#define GN_GEMM_X86_KERNELS 1
#endif

G_BEGIN_DECLS

/**
 * gn__sbgemm:
 *
 * C = alpha op(A) op(B) + beta C, row-major, as cblas_sgemm: A is M x K
 * (K x M stored when @ta is CblasTrans), B K x N (N x K when @tb is
 * CblasTrans), C M x N; with @beta 0, C is not read.  The operands are
 * rounded to bf16 (to nearest, ties to even; subnormals to zero, as the
 * CPU's conversion does) while they are packed, the products accumulate
 * in fp32.  One thread; the packing buffers are allocated once per
 * thread, on its first call.  Only call it where
 * gn_precision_supported (GN_PRECISION_BF16) said TRUE: elsewhere it does
 * nothing but a critical warning.
 */
void gn__sbgemm (CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k,
                 float alpha, const float *a, int lda, const float *b,
                 int ldb, float beta, float *c, int ldc);

/**
 * gn__sbgemm_sum:
 * @count: number of products summed, >= 1
 * @shift: rows of op(A) between one product's A and the next's, >= 0
 * @b_stride: floats between one product's B and the next's
 *
 * C = alpha sum over t < @count of op(A_t) op(B_t) + beta C, where A_t is
 * op(A) from row t @shift on (so op(A) must have m + (@count - 1) @shift
 * rows) and B_t starts @b_stride t floats after @b; otherwise as
 * gn__sbgemm().  The stride-1 convolution's kernel rows are such a sum
 * over one unrolled buffer (gn-conv.c, SHIFT): packing its rows once for
 * all of them, rather than once per product, is what this is for.
 */
void gn__sbgemm_sum (CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n,
                     int k, int count, int shift, float alpha, const float *a,
                     int lda, const float *b, size_t b_stride, int ldb,
                     float beta, float *c, int ldc);

/**
 * gn__sbgemm_kshift:
 * @count: number of products, >= 1
 * @shift: rows of B between one product's B and the next's, >= 0
 * @c_stride: floats between one product's C and the next's
 *
 * C_t = alpha A B_t + beta C_t for t < @count, A and B not transposed,
 * B_t being B from row t @shift on (B has k + (@count - 1) @shift rows)
 * and C_t @c_stride t floats after @c; otherwise as gn__sbgemm().  The
 * stride-1 convolution's weight gradient is such a set of products, one
 * per kernel row, over one unrolled buffer: with an even @shift the rows
 * of B are packed once for all of them.
 */
void gn__sbgemm_kshift (int m, int n, int k, int count, int shift,
                        float alpha, const float *a, int lda, const float *b,
                        int ldb, float beta, float *c, size_t c_stride,
                        int ldc);

/**
 * gn__sbgemm_cpu_supported:
 *
 * Returns: TRUE if this build has the bf16 kernel and the CPU runs it
 * (AVX512-BF16), whatever GENNAS_NO_BF16 says.
 */
gboolean gn__sbgemm_cpu_supported (void);

/** The product of @p: see gn__sbgemm() for the arguments. */
static inline void
gn__gemm (GnPrecision p, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m,
          int n, int k, float alpha, const float *a, int lda, const float *b,
          int ldb, float beta, float *c, int ldc)
{
  if (p == GN_PRECISION_BF16)
    gn__sbgemm (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else
    cblas_sgemm (CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta,
                 c, ldc);
}

/** The sum of products of @p: see gn__sbgemm_sum(); in fp32, one
 * cblas_sgemm per term, the first with @beta and the others adding. */
static inline void
gn__gemm_sum (GnPrecision p, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m,
              int n, int k, int count, int shift, float alpha,
              const float *a, int lda, const float *b, size_t b_stride,
              int ldb, float beta, float *c, int ldc)
{
  if (p == GN_PRECISION_BF16)
    gn__sbgemm_sum (ta, tb, m, n, k, count, shift, alpha, a, lda, b,
                    b_stride, ldb, beta, c, ldc);
  else
    for (int t = 0; t < count; t++)
      cblas_sgemm (CblasRowMajor, ta, tb, m, n, k, alpha,
                   a + (size_t) t * shift * (ta == CblasNoTrans ? lda : 1),
                   lda, b + t * b_stride, ldb, t ? 1.0f : beta, c, ldc);
}

/**
 * gn__sgemm_kshift_supported:
 * @n: columns of C
 *
 * Returns: TRUE where gn__sgemm_kshift() runs: this build has its kernel,
 * the CPU has AVX-512, @n is a positive multiple of 16, and the
 * environment does not set GENNAS_NO_FP32_KERNEL (which turns it off, for
 * comparisons).
 */
gboolean gn__sgemm_kshift_supported (int n);

/**
 * gn__sgemm_kshift:
 *
 * gn__sbgemm_kshift()'s products with fp32 products (gn-gemm-fp32.c):
 * C_t = alpha A B_t + beta C_t for t < @count, B_t starting @shift rows
 * after B_{t-1}, C_t @c_stride floats after C_{t-1}.  Only where
 * gn__sgemm_kshift_supported (@n).
 */
void gn__sgemm_kshift (int m, int n, int k, int count, int shift,
                       float alpha, const float *a, int lda, const float *b,
                       int ldb, float beta, float *c, size_t c_stride,
                       int ldc);

/** The products of @p: see gn__sbgemm_kshift(); in fp32,
 * gn__sgemm_kshift() where it runs, else one cblas_sgemm each. */
static inline void
gn__gemm_kshift (GnPrecision p, int m, int n, int k, int count, int shift,
                 float alpha, const float *a, int lda, const float *b,
                 int ldb, float beta, float *c, size_t c_stride, int ldc)
{
  if (p == GN_PRECISION_BF16)
    gn__sbgemm_kshift (m, n, k, count, shift, alpha, a, lda, b, ldb, beta, c,
                       c_stride, ldc);
  else if (gn__sgemm_kshift_supported (n))
    gn__sgemm_kshift (m, n, k, count, shift, alpha, a, lda, b, ldb, beta, c,
                      c_stride, ldc);
  else
    for (int t = 0; t < count; t++)
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, alpha,
                   a, lda, b + (size_t) t * shift * ldb, ldb, beta,
                   c + t * c_stride, ldc);
}

G_END_DECLS

#endif /* GN_GEMM_H */
