/* gn-gemm-fp32.c - the convolution's weight-gradient products in fp32:
 * a kernel of our own for a long K and a small C
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * gn__sgemm_kshift() (gn-gemm.h): C_t += alpha A B_t for t < count, the
 * stride-1 convolution's dW (gn-conv.c, shift_weight_grad): A is dY,
 * output channels x pixels, read in place; B_t the unrolled input from
 * kernel row t on, pixels x (kw Cin); C_t that kernel row's weight
 * gradient, output channels x (kw Cin).  K, the pixels, is long and C
 * small (16 x 48 on NB201's first stage), where OpenBLAS's small-matrix
 * kernels reach 52-92 GFLOP/s on a core whose FMA loop reaches 170.
 *
 * A tile of C, MR = 8 rows by 48 columns (three zmm vectors per row, 24
 * accumulators), stays in registers while the pixels go by: per pixel,
 * three vector loads of B's row and eight broadcasts of A's column feed
 * 24 fused multiply-adds.  Nothing is packed: B's rows are contiguous and
 * read once per tile row block; A's rows are read in place.  Columns in
 * blocks of 48, 32 or 16 (N a multiple of 16), rows past the last full
 * tile one by one.  Built for AVX-512 with target attributes and chosen
 * at run time; elsewhere gn__gemm_kshift() keeps cblas_sgemm.
 */
#include "config.h"

#include "gn-gemm.h"

#ifdef GN_GEMM_X86_KERNELS
#define HAVE_KSHIFT_KERNEL 1
#include <immintrin.h>
#endif

gboolean
gn__sgemm_kshift_supported (int n)
{
#ifdef HAVE_KSHIFT_KERNEL
  static gsize once;
  static gboolean cpu;
  if (g_once_init_enter (&once))
    {
      __builtin_cpu_init ();
      cpu = __builtin_cpu_supports ("avx512f")
            && g_getenv ("GENNAS_NO_FP32_KERNEL") == NULL;
      g_once_init_leave (&once, 1);
    }
  return cpu && n > 0 && n % 16 == 0;
#else
  (void) n;
  return FALSE;
#endif
}

#ifdef HAVE_KSHIFT_KERNEL

#define KS_TARGET __attribute__ ((target ("avx512f,fma")))

/* C[0..MR) x [0..16 NV) (+)= alpha A[0..MR) x [0..k) B[0..k) x [0..16 NV) */
static inline KS_TARGET __attribute__ ((always_inline)) void
ks_tile (const int MR, const int NV, int k, float alpha, const float *a,
         int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
  __m512 acc[8][3];

#pragma GCC unroll 8
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 3
    for (int v = 0; v < NV; v++)
      acc[i][v] = _mm512_setzero_ps ();

  for (int p = 0; p < k; p++)
    {
      __m512 bv[3];
#pragma GCC unroll 3
      for (int v = 0; v < NV; v++)
        bv[v] = _mm512_loadu_ps (b + (size_t) p * ldb + 16 * v);
#pragma GCC unroll 8
      for (int i = 0; i < MR; i++)
        {
          __m512 av = _mm512_set1_ps (a[(size_t) i * lda + p]);
#pragma GCC unroll 3
          for (int v = 0; v < NV; v++)
            acc[i][v] = _mm512_fmadd_ps (av, bv[v], acc[i][v]);
        }
    }

  const __m512 va = _mm512_set1_ps (alpha), vb = _mm512_set1_ps (beta);
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 3
    for (int v = 0; v < NV; v++)
      {
        float *cp = c + (size_t) i * ldc + 16 * v;
        __m512 r = _mm512_mul_ps (va, acc[i][v]);
        /* beta 0: C is not read (it may hold anything, NaN included) */
        if (beta != 0.0f)
          r = _mm512_fmadd_ps (vb, _mm512_loadu_ps (cp), r);
        _mm512_storeu_ps (cp, r);
      }
}

/* Rows 8 at a time, then one by one, for NV vectors of columns. */
#define KS_ROWS(NV)                                                       \
  static KS_TARGET void ks_rows_##NV (int m, int k, float alpha,          \
                                      const float *a, int lda,            \
                                      const float *b, int ldb,            \
                                      float beta, float *c, int ldc)      \
  {                                                                       \
    int i = 0;                                                            \
    for (; i + 8 <= m; i += 8)                                            \
      ks_tile (8, NV, k, alpha, a + (size_t) i * lda, lda, b, ldb, beta,  \
               c + (size_t) i * ldc, ldc);                                \
    for (; i < m; i++)                                                    \
      ks_tile (1, NV, k, alpha, a + (size_t) i * lda, lda, b, ldb, beta,  \
               c + (size_t) i * ldc, ldc);                                \
  }

KS_ROWS (1)
KS_ROWS (2)
KS_ROWS (3)

#endif /* HAVE_KSHIFT_KERNEL */

void
gn__sgemm_kshift (int m, int n, int k, int count, int shift, float alpha,
                  const float *a, int lda, const float *b, int ldb,
                  float beta, float *c, size_t c_stride, int ldc)
{
  g_return_if_fail (gn__sgemm_kshift_supported (n));
#ifdef HAVE_KSHIFT_KERNEL
  for (int t = 0; t < count; t++)
    {
      const float *bt = b + (size_t) t * shift * ldb;
      float *ct = c + (size_t) t * c_stride;
      int j = 0;
      for (; j + 48 <= n; j += 48)
        ks_rows_3 (m, k, alpha, a, lda, bt + j, ldb, beta, ct + j, ldc);
      if (n - j == 32)
        ks_rows_2 (m, k, alpha, a, lda, bt + j, ldb, beta, ct + j, ldc);
      else if (n - j == 16)
        ks_rows_1 (m, k, alpha, a, lda, bt + j, ldb, beta, ct + j, ldc);
    }
#endif
}
