/* gn-linear.c - torch.nn.Linear on top of OpenBLAS (or the bf16 product)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * x [n][in_f], w [out_f][in_f] (PyTorch's layout), y [n][out_f], all
 * row-major.  Every product is one gn__gemm() (cblas_sgemm, or the bf16
 * product); the backward products use beta = 1 so they accumulate into
 * the gradients, per the ops contract.
 */
#include "config.h"
#include "gn-gemm.h"
#include "gn-ops.h"

#include <string.h>

void
gn_linear_forward (int n, int in_f, int out_f, const float *x,
                   const float *w, const float *b, float *y)
{
  gn_linear_forward_precision (GN_PRECISION_FP32, n, in_f, out_f, x, w, b, y);
}

void
gn_linear_backward (int n, int in_f, int out_f, const float *x,
                    const float *w, const float *dy, float *dx, float *dw,
                    float *db)
{
  gn_linear_backward_precision (GN_PRECISION_FP32, n, in_f, out_f, x, w, dy,
                                dx, dw, db);
}

void
gn_linear_forward_precision (GnPrecision prec, int n, int in_f, int out_f,
                             const float *x, const float *w, const float *b,
                             float *y)
{
  if (n <= 0 || out_f <= 0)
    return;
  if (in_f <= 0)
    {
      /* an empty contraction: y = b (sgemm with k = 0 would also do this
       * but not every BLAS handles k = 0 identically) */
      for (int i = 0; i < n; i++)
        {
          float *restrict yr = y + (size_t) i * out_f;
          for (int o = 0; o < out_f; o++)
            yr[o] = b ? b[o] : 0.0f;
        }
      return;
    }

  /* With a bias, broadcast it into y and let sgemm add x wᵀ (beta = 1);
   * without, beta = 0 makes sgemm overwrite y, whatever it held. */
  float beta = 0.0f;
  if (b)
    {
      for (int i = 0; i < n; i++)
        memcpy (y + (size_t) i * out_f, b, (size_t) out_f * sizeof *y);
      beta = 1.0f;
    }
  gn__gemm (prec, CblasNoTrans, CblasTrans, n, out_f, in_f, 1.0f, x, in_f,
            w, in_f, beta, y, out_f);
}

/* dst += src; restrict parameters let it vectorise without a check */
static void
add_row (const float *restrict src, float *restrict dst, int len)
{
  for (int i = 0; i < len; i++)
    dst[i] += src[i];
}

void
gn_linear_backward_precision (GnPrecision prec, int n, int in_f, int out_f,
                              const float *x, const float *w,
                              const float *dy, float *dx, float *dw,
                              float *db)
{
  if (n <= 0 || out_f <= 0)
    return;

  if (in_f > 0)
    {
      /* dx [n][in_f] += dy [n][out_f] · w [out_f][in_f] */
      if (dx)
        gn__gemm (prec, CblasNoTrans, CblasNoTrans, n, in_f, out_f, 1.0f, dy,
                  out_f, w, in_f, 1.0f, dx, in_f);
      /* dw [out_f][in_f] += dyᵀ [out_f][n] · x [n][in_f] */
      if (dw)
        gn__gemm (prec, CblasTrans, CblasNoTrans, out_f, in_f, n, 1.0f, dy,
                  out_f, x, in_f, 1.0f, dw, in_f);
    }

  /* db += column sums of dy: row by row so the inner loop is contiguous */
  if (db)
    for (int i = 0; i < n; i++)
      add_row (dy + (size_t) i * out_f, db, out_f);
}

void
gn_linear_accumulate (int n, int in_f, int out_f, const float *x,
                      const float *w, float *y)
{
  if (n <= 0 || out_f <= 0 || in_f <= 0)
    return;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, out_f, in_f,
               1.0f, x, in_f, w, in_f, 1.0f, y, out_f);
}

void
gn_linear_t_forward (int n, int in_f, int out_f, const float *x,
                     const float *w, const float *b, float *y)
{
  if (n <= 0 || out_f <= 0)
    return;
  for (int i = 0; i < n; i++)
    {
      if (b)
        memcpy (y + (size_t) i * out_f, b, (size_t) out_f * sizeof *y);
      else
        memset (y + (size_t) i * out_f, 0, (size_t) out_f * sizeof *y);
    }
  if (in_f > 0)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, out_f, in_f,
                 1.0f, x, in_f, w, out_f, 1.0f, y, out_f);
}

void
gn_linear_t_backward (int n, int in_f, int out_f, const float *x,
                      const float *w, const float *dy, float *dx, float *dw,
                      float *db)
{
  if (n <= 0 || out_f <= 0)
    return;
  if (in_f > 0)
    {
      /* dx [n][in_f] += dy [n][out_f] · wᵀ [out_f][in_f] */
      if (dx)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, in_f, out_f,
                     1.0f, dy, out_f, w, out_f, 1.0f, dx, in_f);
      /* dw [in_f][out_f] += xᵀ [in_f][n] · dy [n][out_f] */
      if (dw)
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, in_f, out_f, n,
                     1.0f, x, in_f, dy, out_f, 1.0f, dw, out_f);
    }
  if (db)
    for (int i = 0; i < n; i++)
      add_row (dy + (size_t) i * out_f, db, out_f);
}
