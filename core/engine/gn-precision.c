/* gn-precision.c - which arithmetic the products run in (GnPrecision)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"

#include "gn-error.h"
#include "gn-gemm.h"
#include "gn-ops.h"

gboolean
gn_precision_supported (GnPrecision p)
{
  if (p == GN_PRECISION_FP32)
    return TRUE;
  if (p != GN_PRECISION_BF16 || !gn__sbgemm_cpu_supported ())
    return FALSE;
  return g_getenv ("GENNAS_NO_BF16") == NULL;
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
    *out = gn_precision_supported (GN_PRECISION_BF16) ? GN_PRECISION_BF16
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
