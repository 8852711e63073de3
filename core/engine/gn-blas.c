/* gn-blas.c - which kernels the BLAS runs, and better ones where it
 * fell back for a CPU it does not know
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * OpenBLAS built with DYNAMIC_ARCH (Debian's is) chooses its kernels when
 * it is loaded, from the CPU's vendor, family and model; a model it does
 * not list gets the Prescott kernels (SSE3) whatever the CPU's vector
 * units.  Measured on an Intel Xeon of model 207 under Debian 12's 0.3.21:
 * sgemm 512^3 at 31 GFLOP/s with Prescott against 147 with the SkylakeX
 * kernels forced by OPENBLAS_CORETYPE, and the NB201 proxy 3.5x slower
 * (docs/benchmarks.md, "When OpenBLAS does not know the CPU").  The
 * environment variable is the library's documented way to choose, and it
 * is read only at load time, so the only way to act on it is to start
 * the program again with the variable set, before anything else happens
 * (gn_blas_restart_with_better_kernels(), called by gennas's main()).
 */
#include "config.h"
#include "gn-ops.h"

#include <string.h>
#include <unistd.h>

#include <cblas.h>

const char *
gn_blas_kernels (void)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
  const char *name = openblas_get_corename ();
  if (name != NULL && *name != '\0')
    return name;
#endif
  return "unknown";
}

const char *
gn_blas_coretype_for (const char *kernels, gboolean avx2_fma,
                      gboolean avx512)
{
  /* OpenBLAS's fallback for an unknown x86-64 CPU; its name comes back
   * as "Prescott" or, from some versions, in lower case */
  if (kernels == NULL || g_ascii_strcasecmp (kernels, "Prescott") != 0)
    return NULL;
  if (avx512 && avx2_fma)
    return "SkylakeX";
  if (avx2_fma)
    return "Haswell";
  return NULL;
}

const char *
gn_blas_better_coretype (void)
{
  if (g_getenv ("OPENBLAS_CORETYPE") != NULL)
    return NULL;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init ();
  gboolean avx2_fma = __builtin_cpu_supports ("avx2")
                      && __builtin_cpu_supports ("fma");
  gboolean avx512 = __builtin_cpu_supports ("avx512f")
                    && __builtin_cpu_supports ("avx512bw")
                    && __builtin_cpu_supports ("avx512dq")
                    && __builtin_cpu_supports ("avx512vl");
  return gn_blas_coretype_for (gn_blas_kernels (), avx2_fma, avx512);
#else
  return NULL;
#endif
}

void
gn_blas_restart_with_better_kernels (char **argv)
{
  g_return_if_fail (argv != NULL && argv[0] != NULL);

  const char *coretype = gn_blas_better_coretype ();
  if (coretype == NULL || g_getenv ("GENNAS_BLAS_FALLBACK") != NULL)
    return;
  g_setenv ("GENNAS_BLAS_FALLBACK", gn_blas_kernels (), TRUE);
  g_setenv ("OPENBLAS_CORETYPE", coretype, TRUE);
  execv ("/proc/self/exe", argv);
  /* not restarted: the process goes on with OpenBLAS's choice, and says
   * so in gn_blas_describe_kernels() */
  g_unsetenv ("OPENBLAS_CORETYPE");
  g_unsetenv ("GENNAS_BLAS_FALLBACK");
}

char *
gn_blas_describe_kernels (void)
{
  const char *kernels = gn_blas_kernels ();
  const char *coretype = g_getenv ("OPENBLAS_CORETYPE");
  const char *fallback = g_getenv ("GENNAS_BLAS_FALLBACK");

  if (coretype != NULL && fallback != NULL)
    return g_strdup_printf ("%s (OpenBLAS chose %s, its fallback for a CPU "
                            "it does not know; gennas set "
                            "OPENBLAS_CORETYPE)", kernels, fallback);
  if (coretype != NULL)
    return g_strdup_printf ("%s (OPENBLAS_CORETYPE=%s)", kernels, coretype);
  const char *better = gn_blas_better_coretype ();
  if (better != NULL)
    return g_strdup_printf ("%s (OpenBLAS's fallback for a CPU it does not "
                            "know; OPENBLAS_CORETYPE=%s would run faster)",
                            kernels, better);
  return g_strdup (kernels);
}
