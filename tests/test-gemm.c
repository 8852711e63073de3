/* test-gemm.c - the bf16 product (gn__sbgemm) against double-precision
 * references, and the choice of precision
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Two references per product: the exact one (the fp32 operands, in
 * double), which the bf16 result must meet within bf16's rounding, and
 * one of the operands rounded to bf16 as the kernel rounds them (to
 * nearest even), which it must meet within fp32 accumulation: that one
 * catches a wrong pairing of K or a wrong rounding, which the loose
 * bound would let through.
 */
#include "gennas.h"
#include "gn-gemm.h"

#include <math.h>
#include <string.h>

/* bf16 as the CPU rounds (round to nearest even, subnormals to zero),
 * back in float */
static float
bf16_round (float f)
{
  guint32 u;
  memcpy (&u, &f, sizeof u);
  if ((u & 0x7f800000u) == 0)
    u &= 0x80000000u;
  else
    u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  memcpy (&f, &u, sizeof f);
  return f;
}

typedef struct {
  int m, n, k;
} Size;

/* 1s, odd K, sizes that are no multiple of any tile (24/16/12/8/6/4
 * rows, 16-64 columns) or block (K 192, M 384, N 1024 columns), and the
 * engine's shapes (N 16-64, K 48-192; M or K the pixels) */
static const Size sizes[] = {
  { 1, 1, 1 }, { 1, 17, 1 }, { 5, 1, 3 }, { 7, 5, 2 }, { 25, 17, 33 },
  { 13, 33, 1 }, { 30, 49, 65 }, { 9, 70, 193 }, { 50, 16, 48 },
  { 385, 16, 47 }, { 100, 32, 96 }, { 40, 64, 192 }, { 16, 48, 777 },
  { 6, 1040, 21 }, { 3, 2100, 5 },
  /* M and N up to 32 with K long (a 1x1 convolution's dW per image: the
   * dot-product path when op(B) is transposed), K past its 3072 block */
  { 16, 16, 1024 }, { 32, 32, 513 }, { 5, 30, 3101 },
};

typedef struct {
  float alpha, beta;
} Scale;

static const Scale scales[] = { { 1, 0 }, { 0.5f, 1 }, { -2, 0.25f } };

static float *
random_floats (GRand *r, size_t count)
{
  float *p = g_new (float, MAX (count, 1));
  for (size_t i = 0; i < count; i++)
    p[i] = (float) g_rand_double_range (r, -1.0, 1.0);
  return p;
}

static void
check_product (CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, Size s, Scale sc,
               GRand *r)
{
  /* leading dimensions past the minimum, so strides are exercised */
  const int ar = ta == CblasNoTrans ? s.m : s.k;
  const int ac = ta == CblasNoTrans ? s.k : s.m;
  const int br = tb == CblasNoTrans ? s.k : s.n;
  const int bc = tb == CblasNoTrans ? s.n : s.k;
  const int lda = ac + 3, ldb = bc + 1, ldc = s.n + 2;
  float *a = random_floats (r, (size_t) ar * lda);
  float *b = random_floats (r, (size_t) br * ldb);
  float *c0 = random_floats (r, (size_t) s.m * ldc);
  float *c = g_new (float, (size_t) s.m * ldc);

  memcpy (c, c0, (size_t) s.m * ldc * sizeof *c);
  if (sc.beta == 0.0f) /* C must not be read */
    for (size_t i = 0; i < (size_t) s.m * ldc; i++)
      c[i] = NAN;
  gn__sbgemm (ta, tb, s.m, s.n, s.k, sc.alpha, a, lda, b, ldb, sc.beta, c,
              ldc);

  for (int i = 0; i < s.m; i++)
    for (int j = 0; j < s.n; j++)
      {
        double exact = 0, rounded = 0, mag = 0;
        for (int t = 0; t < s.k; t++)
          {
            const float x = ta == CblasNoTrans ? a[(size_t) i * lda + t]
                                               : a[(size_t) t * lda + i];
            const float y = tb == CblasNoTrans ? b[(size_t) t * ldb + j]
                                               : b[(size_t) j * ldb + t];
            exact += (double) x * y;
            rounded += (double) bf16_round (x) * bf16_round (y);
            mag += fabs ((double) x * y);
          }
        const double base = sc.beta * (double) c0[(size_t) i * ldc + j];
        const double got = c[(size_t) i * ldc + j];
        const double scale = fabs (sc.alpha) * mag + fabs (base);
        /* bf16 keeps 8 significant bits: each rounding is off by at most
         * 2^-8, so each product by 2^-7 of its size; fp32 sums then */
        const double loose = 0x1p-7 * fabs (sc.alpha) * mag
                             + 1e-6 * scale + 1e-30;
        const double tight = 1e-6 * scale + 1e-30;
        if (fabs (got - (sc.alpha * exact + base)) > loose
            || fabs (got - (sc.alpha * rounded + base)) > tight)
          g_error ("%c%c m=%d n=%d k=%d alpha=%g beta=%g: c[%d][%d] = %.9g, "
                   "exact %.9g (bound %.3g), with bf16 operands %.9g "
                   "(bound %.3g)", ta == CblasNoTrans ? 'N' : 'T',
                   tb == CblasNoTrans ? 'N' : 'T', s.m, s.n, s.k, sc.alpha,
                   sc.beta, i, j, got, sc.alpha * exact + base, loose,
                   sc.alpha * rounded + base, tight);
      }
  /* the padding columns of C are untouched */
  for (int i = 0; i < s.m; i++)
    for (int j = s.n; j < ldc; j++)
      if (sc.beta != 0.0f)
        g_assert_cmpfloat (c[(size_t) i * ldc + j], ==,
                           c0[(size_t) i * ldc + j]);
      else
        g_assert_true (isnan (c[(size_t) i * ldc + j]));

  g_free (a);
  g_free (b);
  g_free (c0);
  g_free (c);
}

static void
test_variants (void)
{
  if (!gn_precision_supported (GN_PRECISION_BF16))
    {
      g_test_skip ("no AVX512-BF16 here (or GENNAS_NO_BF16 is set)");
      return;
    }
  const CBLAS_TRANSPOSE t[] = { CblasNoTrans, CblasTrans };
  GRand *r = g_rand_new_with_seed (19);
  for (int x = 0; x < 2; x++)
    for (int y = 0; y < 2; y++)
      for (size_t i = 0; i < G_N_ELEMENTS (sizes); i++)
        for (size_t j = 0; j < G_N_ELEMENTS (scales); j++)
          check_product (t[x], t[y], sizes[i], scales[j], r);
  g_rand_free (r);
}

/* gn__sbgemm_sum: products of shifted rows of one A, against the sum in
 * double of the bf16-rounded operands; the sums that share packed rows,
 * those that run term by term (many terms, long shifts), M past a block
 * with the shifted rows on top */
static void
test_sum (void)
{
  if (!gn_precision_supported (GN_PRECISION_BF16))
    {
      g_test_skip ("no AVX512-BF16 here (or GENNAS_NO_BF16 is set)");
      return;
    }
  static const struct { int m, n, k, count, shift; } t[] = {
    { 50, 20, 33, 3, 7 }, { 400, 16, 48, 3, 32 }, { 5, 70, 200, 2, 1 },
    { 9, 17, 5, 20, 2 }, { 30, 33, 7, 2, 300 }, { 700, 64, 96, 3, 64 },
    { 1, 1, 1, 3, 0 },
  };
  const CBLAS_TRANSPOSE tr[] = { CblasNoTrans, CblasTrans };
  GRand *r = g_rand_new_with_seed (7);
  for (size_t i = 0; i < G_N_ELEMENTS (t); i++)
    for (int x = 0; x < 2; x++)
      {
        const int m = t[i].m, n = t[i].n, k = t[i].k, cnt = t[i].count;
        const int rows = m + (cnt - 1) * t[i].shift;
        const int lda = tr[x] == CblasNoTrans ? k + 1 : rows + 2;
        const int ldb = n + 3, ldc = n;
        const size_t bstride = (size_t) k * ldb + 5;
        float *a = random_floats (r, (size_t) (tr[x] == CblasNoTrans
                                               ? rows : k) * lda);
        float *b = random_floats (r, bstride * cnt);
        float *c = random_floats (r, (size_t) m * ldc);
        float *c0 = g_memdup2 (c, (size_t) m * ldc * sizeof *c);
        gn__sbgemm_sum (tr[x], CblasNoTrans, m, n, k, cnt, t[i].shift, 0.5f,
                        a, lda, b, bstride, ldb, 2.0f, c, ldc);
        for (int row = 0; row < m; row++)
          for (int j = 0; j < n; j++)
            {
              double want = 2.0 * c0[(size_t) row * ldc + j], mag = 0;
              for (int u = 0; u < cnt; u++)
                for (int q = 0; q < k; q++)
                  {
                    const int ar = row + u * t[i].shift;
                    const float av = tr[x] == CblasNoTrans
                                     ? a[(size_t) ar * lda + q]
                                     : a[(size_t) q * lda + ar];
                    const float bv = b[u * bstride + (size_t) q * ldb + j];
                    want += 0.5 * bf16_round (av) * bf16_round (bv);
                    mag += fabs (0.5 * av * bv);
                  }
              const double got = c[(size_t) row * ldc + j];
              if (fabs (got - want) > 1e-6 * (mag + fabs (want)) + 1e-30)
                g_error ("sum %zu %c: c[%d][%d] = %.9g, want %.9g", i,
                         x ? 'T' : 'N', row, j, got, want);
            }
        g_free (a);
        g_free (b);
        g_free (c);
        g_free (c0);
      }
  g_rand_free (r);
}

/* gn__sbgemm_kshift: one A, K-shifted views of B, a C each; even shifts
 * share the packing (odd K blocks included), odd ones run one by one */
static void
test_kshift (void)
{
  if (!gn_precision_supported (GN_PRECISION_BF16))
    {
      g_test_skip ("no AVX512-BF16 here (or GENNAS_NO_BF16 is set)");
      return;
    }
  static const struct { int m, n, k, count, shift; } t[] = {
    { 16, 48, 1024, 3, 64 }, { 32, 96, 201, 3, 32 }, { 7, 20, 33, 2, 6 },
    { 5, 17, 9, 3, 3 }, { 64, 192, 400, 5, 16 }, { 3, 5, 1, 2, 0 },
    { 2, 3, 4, 2, 1000 },
  };
  GRand *r = g_rand_new_with_seed (11);
  for (size_t i = 0; i < G_N_ELEMENTS (t); i++)
    {
      const int m = t[i].m, n = t[i].n, k = t[i].k, cnt = t[i].count;
      const int brows = k + (cnt - 1) * t[i].shift;
      const int lda = k + 2, ldb = n + 1, ldc = n + 3;
      const size_t cstride = (size_t) m * ldc + 4;
      float *a = random_floats (r, (size_t) m * lda);
      float *b = random_floats (r, (size_t) brows * ldb);
      float *c = random_floats (r, cstride * cnt);
      float *c0 = g_memdup2 (c, cstride * cnt * sizeof *c);
      gn__sbgemm_kshift (m, n, k, cnt, t[i].shift, 1.5f, a, lda, b, ldb,
                         1.0f, c, cstride, ldc);
      for (int u = 0; u < cnt; u++)
        for (int row = 0; row < m; row++)
          for (int j = 0; j < n; j++)
            {
              const size_t ci = u * cstride + (size_t) row * ldc + j;
              double want = c0[ci], mag = fabs (c0[ci]);
              for (int q = 0; q < k; q++)
                {
                  const float av = a[(size_t) row * lda + q];
                  const float bv = b[(size_t) (q + u * t[i].shift) * ldb + j];
                  want += 1.5 * bf16_round (av) * bf16_round (bv);
                  mag += fabs (1.5 * av * bv);
                }
              if (fabs (c[ci] - want) > 1e-6 * mag + 1e-30)
                g_error ("kshift %zu: c%d[%d][%d] = %.9g, want %.9g", i, u,
                         row, j, c[ci], want);
            }
      g_free (a);
      g_free (b);
      g_free (c);
      g_free (c0);
    }
  g_rand_free (r);
}

/* gn__sgemm_kshift, the fp32 products of the stride-1 convolution's dW:
 * widths in column blocks of 48, 32 and 16, rows that fill no tile of 8
 * or several, long and short K, one to three B views, alpha and beta,
 * against the products in double; with beta 0 a NaN in C is not read.
 * Widths that are no multiple of 16 are refused. */
static void
test_fp32_kshift (void)
{
  if (!gn__sgemm_kshift_supported (16))
    {
      g_test_skip ("no AVX-512 here (or GENNAS_NO_FP32_KERNEL is set)");
      return;
    }
  g_assert_false (gn__sgemm_kshift_supported (8));
  g_assert_false (gn__sgemm_kshift_supported (50));
  g_assert_false (gn__sgemm_kshift_supported (0));

  static const int ns[] = { 16, 32, 48, 80, 96, 192 };
  static const int ms[] = { 1, 7, 8, 17 };
  static const int ks[] = { 1, 9, 300 };
  GRand *r = g_rand_new_with_seed (23);
  for (size_t ni = 0; ni < G_N_ELEMENTS (ns); ni++)
    for (size_t mi = 0; mi < G_N_ELEMENTS (ms); mi++)
      for (size_t ki = 0; ki < G_N_ELEMENTS (ks); ki++)
        for (int cnt = 1; cnt <= 3; cnt += 2)
          for (size_t si = 0; si < G_N_ELEMENTS (scales); si++)
            {
              const int m = ms[mi], n = ns[ni], k = ks[ki], shift = 2;
              const int lda = k + 3, ldb = n + 5, ldc = n + 16;
              const size_t cstride = (size_t) m * ldc + 9;
              const Scale sc = scales[si];
              float *a = random_floats (r, (size_t) m * lda);
              float *b = random_floats (r, (size_t) (k + (cnt - 1) * shift)
                                           * ldb);
              float *c = random_floats (r, cstride * cnt);
              if (sc.beta == 0)
                for (size_t i = 0; i < cstride * cnt; i++)
                  c[i] = NAN;
              float *c0 = g_memdup2 (c, cstride * cnt * sizeof *c);
              gn__sgemm_kshift (m, n, k, cnt, shift, sc.alpha, a, lda, b,
                                ldb, sc.beta, c, cstride, ldc);
              for (int u = 0; u < cnt; u++)
                for (int row = 0; row < m; row++)
                  for (int j = 0; j < n; j++)
                    {
                      double dot = 0, mag = 0;
                      for (int q = 0; q < k; q++)
                        {
                          double av = a[(size_t) row * lda + q];
                          double bv = b[(size_t) (q + u * shift) * ldb + j];
                          dot += av * bv;
                          mag += fabs (av * bv);
                        }
                      const size_t ci = u * cstride + (size_t) row * ldc + j;
                      double want = sc.alpha * dot;
                      if (sc.beta != 0)
                        want += sc.beta * (double) c0[ci];
                      if (!(fabs (c[ci] - want)
                            <= 1e-6 * (fabs (sc.alpha) * mag + 1) + 1e-30))
                        g_error ("fp32 kshift n %d m %d k %d count %d: "
                                 "c%d[%d][%d] = %.9g, want %.9g", n, m, k,
                                 cnt, u, row, j, c[ci], want);
                    }
              g_free (a);
              g_free (b);
              g_free (c);
              g_free (c0);
            }
  g_rand_free (r);
}

/* k = 0 and alpha = 0: C = beta C, as BLAS */
static void
test_degenerate (void)
{
  if (!gn_precision_supported (GN_PRECISION_BF16))
    {
      g_test_skip ("no AVX512-BF16 here (or GENNAS_NO_BF16 is set)");
      return;
    }
  float a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 1, 1, 1 };
  float c[4] = { 1, 2, 3, 4 };
  gn__sbgemm (CblasNoTrans, CblasNoTrans, 2, 2, 0, 1, a, 2, b, 2, 2, c, 2);
  g_assert_cmpfloat (c[3], ==, 8);
  gn__sbgemm (CblasNoTrans, CblasNoTrans, 2, 2, 2, 0, a, 2, b, 2, 0, c, 2);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (c[i], ==, 0);
}

static void
test_parse (void)
{
  GnPrecision p = GN_PRECISION_BF16;
  GError *error = NULL;

  g_assert_true (gn_precision_supported (GN_PRECISION_FP32));
  g_assert_true (gn_precision_parse ("fp32", &p, &error));
  g_assert_cmpint (p, ==, GN_PRECISION_FP32);
  /* auto: bf16 only where it is supported and measured faster, and the
   * measurement is made once */
  g_assert_true (gn_precision_parse ("auto", &p, &error));
  gboolean faster = gn_precision_bf16_faster ();
  g_assert_cmpint (p == GN_PRECISION_BF16, ==, faster);
  g_assert_true (!faster || gn_precision_supported (GN_PRECISION_BF16));
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (gn_precision_bf16_faster (), ==, faster);
  /* where it was measured, the answer is passed on to the processes this
   * one starts, and an inherited answer is taken as it is */
  if (gn_precision_supported (GN_PRECISION_BF16))
    {
      g_assert_cmpstr (g_getenv ("GENNAS_BF16_FASTER"), ==,
                       faster ? "yes" : "no");
      g_setenv ("GENNAS_BF16_FASTER", faster ? "no" : "yes", TRUE);
      g_assert_cmpint (gn_precision_bf16_faster (), ==, !faster);
      g_assert_true (gn_precision_parse ("auto", &p, &error));
      g_assert_cmpint (p == GN_PRECISION_BF16, ==, !faster);
      g_setenv ("GENNAS_BF16_FASTER", faster ? "yes" : "no", TRUE);
    }
  g_test_message ("bf16 products faster than fp32 here: %s",
                  faster ? "yes" : "no");
  g_assert_cmpint (gn_precision_parse ("bf16", &p, &error), ==,
                   gn_precision_supported (GN_PRECISION_BF16));
  g_clear_error (&error);
  g_assert_false (gn_precision_parse ("fp16", &p, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "'fp16'"));
  g_clear_error (&error);
  g_assert_cmpstr (gn_precision_name (GN_PRECISION_BF16), ==, "bf16");
  g_assert_cmpstr (gn_precision_name (GN_PRECISION_FP32), ==, "fp32");
}

/* GENNAS_NO_BF16 makes bf16 unavailable, as on a CPU without it */
static void
test_forced_fp32 (void)
{
  const char *old = g_getenv ("GENNAS_NO_BF16");
  char *saved = g_strdup (old);
  GnPrecision p = GN_PRECISION_BF16;

  g_setenv ("GENNAS_NO_BF16", "1", TRUE);
  g_assert_false (gn_precision_supported (GN_PRECISION_BF16));
  g_assert_true (gn_precision_parse ("auto", &p, NULL));
  g_assert_cmpint (p, ==, GN_PRECISION_FP32);
  g_assert_false (gn_precision_bf16_faster ());
  g_assert_false (gn_precision_parse ("bf16", &p, NULL));
  if (saved)
    g_setenv ("GENNAS_NO_BF16", saved, TRUE);
  else
    g_unsetenv ("GENNAS_NO_BF16");
  g_free (saved);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gemm/bf16/variants", test_variants);
  g_test_add_func ("/gemm/bf16/degenerate", test_degenerate);
  g_test_add_func ("/gemm/bf16/sum", test_sum);
  g_test_add_func ("/gemm/bf16/kshift", test_kshift);
  g_test_add_func ("/gemm/fp32/kshift", test_fp32_kshift);
  g_test_add_func ("/gemm/precision/parse", test_parse);
  g_test_add_func ("/gemm/precision/forced-fp32", test_forced_fp32);
  return g_test_run ();
}
