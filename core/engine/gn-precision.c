/* gn-precision.c - which arithmetic the products run in (GnPrecision)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"

#include "gn-error.h"
#include "gn-gemm.h"
#include "gn-ops.h"

#include <cblas.h>

gboolean
gn_precision_supported (GnPrecision p)
{
  if (p == GN_PRECISION_FP32)
    return TRUE;
  if (p != GN_PRECISION_BF16 || !gn__sbgemm_cpu_supported ())
    return FALSE;
  return g_getenv ("GENNAS_NO_BF16") == NULL;
}

/* bf16 must beat fp32 by this much on the timed product to be chosen */
#define BF16_MARGIN 1.15
#define TRIALS 5
#define PRODUCTS 2

static double
time_products (GnPrecision p, int m, int n, int k, const float *a,
               const float *b, float *c)
{
  gint64 t0 = g_get_monotonic_time ();
  for (int r = 0; r < PRODUCTS; r++)
    if (p == GN_PRECISION_BF16)
      gn__sbgemm (CblasNoTrans, CblasNoTrans, m, n, k, 1.f, a, k, b, n, 0.f,
                  c, n);
    else
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.f,
                   a, k, b, n, 0.f, c, n);
  return (double) (g_get_monotonic_time () - t0);
}

static gboolean
measure_bf16_faster (void)
{
  /* convolution-sized: 64 filters over 1024 pixels of a 3x3
   * convolution on 32 channels (288 = 32 x 3 x 3 taps) */
  const int m = 64, n = 1024, k = 288;
  float *a = g_new (float, (gsize) m * k);
  float *b = g_new (float, (gsize) k * n);
  float *c = g_new (float, (gsize) m * n);
  for (gsize i = 0; i < (gsize) m * k; i++)
    a[i] = (float) ((i * 7919) % 113) / 113.f - 0.5f;
  for (gsize i = 0; i < (gsize) k * n; i++)
    b[i] = (float) ((i * 104729) % 127) / 127.f - 0.5f;

  double best32 = G_MAXDOUBLE, best16 = G_MAXDOUBLE;
  time_products (GN_PRECISION_BF16, m, n, k, a, b, c); /* packing buffers */
  for (int t = 0; t < TRIALS; t++)
    {
      best32 = MIN (best32, time_products (GN_PRECISION_FP32, m, n, k, a, b,
                                           c));
      best16 = MIN (best16, time_products (GN_PRECISION_BF16, m, n, k, a, b,
                                           c));
    }
  g_free (a);
  g_free (b);
  g_free (c);
  g_debug ("products 64x1024x288: fp32 %.0f us, bf16 %.0f us",
           best32 / PRODUCTS, best16 / PRODUCTS);
  return best16 * BF16_MARGIN <= best32;
}

gboolean
gn_precision_bf16_faster (void)
{
  static gsize answer;   /* 0 unknown, 1 no, 2 yes */

  if (!gn_precision_supported (GN_PRECISION_BF16))
    return FALSE;
  /* A process started by one that measured (a search's workers) takes its
   * answer rather than measuring again: the store records the precision
   * the coordinator resolved, so every worker must run that one, even
   * where a second timing on a loaded machine would answer otherwise. */
  const char *inherited = g_getenv ("GENNAS_BF16_FASTER");
  if (inherited != NULL)
    return g_strcmp0 (inherited, "yes") == 0;
  if (g_once_init_enter (&answer))
    {
      gboolean yes = measure_bf16_faster ();
      /* set once, on the first parse of "auto" (a proxy's creation, before
       * any worker or thread of the search starts) */
      g_setenv ("GENNAS_BF16_FASTER", yes ? "yes" : "no", TRUE);
      g_once_init_leave (&answer, yes ? 2 : 1);
    }
  return answer == 2;
}

const char *
gn_precision_name (GnPrecision p)
{
  return p == GN_PRECISION_BF16 ? "bf16" : "fp32";
}

gboolean
gn_precision_parse (const char *text, GnPrecision *out, GError **error)
{
  g_return_val_if_fail (text != NULL && out != NULL, FALSE);

  if (g_strcmp0 (text, "fp32") == 0)
    *out = GN_PRECISION_FP32;
  else if (g_strcmp0 (text, "auto") == 0)
    *out = gn_precision_bf16_faster () ? GN_PRECISION_BF16
                                       : GN_PRECISION_FP32;
  else if (g_strcmp0 (text, "bf16") == 0)
    {
      if (!gn_precision_supported (GN_PRECISION_BF16))
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "precision bf16 needs a CPU with AVX512-BF16%s; use "
                       "fp32 or auto", gn__sbgemm_cpu_supported ()
                       ? " (GENNAS_NO_BF16 is set)" : ", which this one lacks");
          return FALSE;
        }
      *out = GN_PRECISION_BF16;
    }
  else
    {
      char *q = gn_error_quote (text, -1, 0);
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "precision must be fp32, bf16 or auto, not '%s'", q);
      g_free (q);
      return FALSE;
    }
  return TRUE;
}
