/* test-signals.c - the synthetic signal bases against docs/method.md §2.2
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The generators are random, so most checks read a signal's structure
 * back from its output: each Sin1D/Sin2D channel is fitted as
 * level * sin(theta + psi) over the candidate frequencies, Dot maps are
 * counted, the Gaussian filter is compared with weights and reflections
 * derived by hand (and with numbers printed by scipy 1.10.1), Resize
 * with the input pixels it must pick.  Statistical checks use fixed seeds
 * and bounds with a failure chance around 1e-3 or less for a correct
 * generator, so they are deterministic in practice.
 */
#include "config.h"
#include "gennas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S 8   /* every CNN target is 8 x 8 */

/* ---- helpers ------------------------------------------------------- */

static float *
run (const GnSignalSpec *spec, int batch, int channels, guint64 seed)
{
  GnRng rng;
  gn_rng_seed (&rng, seed);
  float *t = g_new0 (float, (size_t) batch * channels * S * S);
  g_assert_true (gn_signal_check (spec, channels, NULL));
  gn_signal_add (spec, batch, channels, S, NULL, 0, 0, 0, &rng, t);
  return t;
}

static void
assert_finite (const float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    g_assert_true (isfinite (x[i]));
}

/* Least-squares fit of v[t] ~ A sin(theta[t]) + B cos(theta[t]) =
 * R sin(theta + psi).  Returns the largest absolute residual. */
static double
fit_wave (const double *v, const double *theta, int n, double *amp,
          double *psi)
{
  double ss = 0, sc = 0, cc = 0, vs = 0, vc = 0;
  for (int t = 0; t < n; t++)
    {
      double s = sin (theta[t]), c = cos (theta[t]);
      ss += s * s;
      sc += s * c;
      cc += c * c;
      vs += v[t] * s;
      vc += v[t] * c;
    }
  double det = ss * cc - sc * sc;
  if (fabs (det) < 1e-9)
    return INFINITY;
  double a = (vs * cc - vc * sc) / det;
  double b = (vc * ss - vs * sc) / det;
  double worst = 0;
  for (int t = 0; t < n; t++)
    worst = MAX (worst, fabs (v[t] - a * sin (theta[t]) - b * cos (theta[t])));
  *amp = hypot (a, b);
  *psi = fmod (atan2 (b, a) + 2 * G_PI, 2 * G_PI);
  return worst;
}

/* distance between two angles on the circle */
static double
angle_dist (double a, double b)
{
  double d = fmod (fabs (a - b), 2 * G_PI);
  return MIN (d, 2 * G_PI - d);
}

/* ---- names and validation ----------------------------------------- */

static void
test_names (void)
{
  static const char *names[] = { "sin1d", "sin2d", "dot", "gdot", "resize" };
  for (int k = GN_SIGNAL_SIN1D; k <= GN_SIGNAL_RESIZE; k++)
    {
      GnSignalKind back;
      g_assert_cmpstr (gn_signal_name ((GnSignalKind) k), ==, names[k]);
      g_assert_true (gn_signal_from_name (names[k], &back));
      g_assert_cmpint (back, ==, k);
    }
  GnSignalKind kind = GN_SIGNAL_SIN1D;
  g_assert_true (gn_signal_from_name ("dot_gaussian", &kind));
  g_assert_cmpint (kind, ==, GN_SIGNAL_GDOT);
  g_assert_false (gn_signal_from_name ("Sin1D", &kind));
  g_assert_false (gn_signal_from_name ("", &kind));
  g_assert_false (gn_signal_from_name (NULL, &kind));
  g_assert_null (gn_signal_name ((GnSignalKind) 99));
}

static void
expect_invalid (const GnSignalSpec *spec, int channels, const char *needle)
{
  GError *err = NULL;
  g_assert_false (gn_signal_check (spec, channels, &err));
  g_assert_error (err, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  if (g_test_verbose ())
    g_test_message ("%s", err->message);
  g_assert_nonnull (strstr (err->message, needle));
  g_error_free (err);
  /* a NULL GError** is allowed */
  g_assert_false (gn_signal_check (spec, channels, NULL));
}

static void
test_check (void)
{
  double f10[10] = { 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24, 0.26,
                     0.28 };
  GnSignalSpec sp = { .kind = GN_SIGNAL_SIN1D, .level = 1.0f, .freqs = f10,
                      .n_freqs = 10 };
  GError *err = NULL;

  /* Sin1D: 64 per frequency */
  g_assert_true (gn_signal_check (&sp, 640, &err));
  g_assert_no_error (err);
  g_assert_true (gn_signal_check (&sp, 0, NULL));
  expect_invalid (&sp, 641, "640");
  expect_invalid (&sp, -1, "channels");
  sp.n_freqs = 0;
  expect_invalid (&sp, 1, "at least one frequency");
  sp.n_freqs = 10;
  sp.freqs = NULL;
  expect_invalid (&sp, 1, "at least one frequency");
  sp.freqs = f10;
  f10[3] = NAN;
  expect_invalid (&sp, 1, "frequency 3 (nan) is not in [0, 0.5]");
  f10[3] = 0.6;
  expect_invalid (&sp, 1, "not in [0, 0.5]");
  f10[3] = -0.1;
  expect_invalid (&sp, 1, "not in [0, 0.5]");
  f10[3] = 0.5;
  g_assert_true (gn_signal_check (&sp, 1, NULL));
  f10[3] = 0.16;
  sp.level = NAN;
  expect_invalid (&sp, 1, "level");
  sp.level = INFINITY;
  expect_invalid (&sp, 1, "level");
  sp.level = 1e30f;   /* finite, but it overflows every loss */
  expect_invalid (&sp, 1, "level 1e+30 is not a number in [-100, 100]");
  sp.level = -101.0f;
  expect_invalid (&sp, 1, "level");
  sp.level = -100.0f;
  g_assert_true (gn_signal_check (&sp, 1, NULL));
  sp.level = 0.0f;
  g_assert_true (gn_signal_check (&sp, 1, NULL));
  sp.level = 1.0f;

  /* Sin2D: 64 per ordered pair */
  sp.kind = GN_SIGNAL_SIN2D;
  g_assert_true (gn_signal_check (&sp, 6400, NULL));
  expect_invalid (&sp, 6401, "6400");
  sp.n_freqs = 1;
  g_assert_true (gn_signal_check (&sp, 64, NULL));
  expect_invalid (&sp, 65, "ordered frequency pair");

  /* at most 2^20 candidates: a draw's memory is bounded */
  double *many = g_new (double, 16385);
  for (int f = 0; f < 16385; f++)
    many[f] = 0.1;
  sp.freqs = many;
  sp.n_freqs = 128;
  g_assert_true (gn_signal_check (&sp, 1, NULL));
  sp.n_freqs = 129;
  expect_invalid (&sp, 1, "too many candidates");
  sp.kind = GN_SIGNAL_SIN1D;
  sp.n_freqs = 16384;
  g_assert_true (gn_signal_check (&sp, 1, NULL));
  sp.n_freqs = 16385;
  expect_invalid (&sp, 1, "too many candidates");
  sp.kind = GN_SIGNAL_SIN2D;
  sp.freqs = f10;
  g_free (many);

  /* Dot / GDot: partial in [0, 1] */
  GnSignalSpec dp = { .kind = GN_SIGNAL_DOT, .level = 1.0f, .partial = 0.0 };
  for (int k = GN_SIGNAL_DOT; k <= GN_SIGNAL_GDOT; k++)
    {
      dp.kind = (GnSignalKind) k;
      dp.partial = 0.0;
      g_assert_true (gn_signal_check (&dp, 5000, NULL));
      dp.partial = 1.0;
      g_assert_true (gn_signal_check (&dp, 1, NULL));
      dp.partial = -0.01;
      expect_invalid (&dp, 1, "partial");
      dp.partial = 1.01;
      expect_invalid (&dp, 1, "partial");
      dp.partial = NAN;
      expect_invalid (&dp, 1, "partial");
    }

  /* Resize: 1000 colour slots */
  GnSignalSpec rp = { .kind = GN_SIGNAL_RESIZE, .level = 1.0f };
  g_assert_true (gn_signal_check (&rp, 1000, NULL));
  expect_invalid (&rp, 1001, "1000");

  GnSignalSpec bad = { .kind = (GnSignalKind) 42, .level = 1.0f };
  expect_invalid (&bad, 1, "unknown");

  /* shapes */
  dp.partial = 0.5;
  g_assert_true (gn_signal_check_shape (&dp, 16, 4, 8, 0, 0, 0, NULL));
  g_assert_false (gn_signal_check_shape (&dp, 0, 4, 8, 0, 0, 0, &err));
  g_assert_error (err, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (err->message, "batch"));
  g_clear_error (&err);
  g_assert_false (gn_signal_check_shape (&dp, 16, 4, 0, 0, 0, 0, &err));
  g_assert_error (err, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (err->message, "size"));
  g_clear_error (&err);
  g_assert_false (gn_signal_check_shape (&dp, 16, 4, 50000, 0, 0, 0, NULL));
  g_assert_true (gn_signal_check_shape (&rp, 16, 4, 8, 3, 32, 32, NULL));
  g_assert_false (gn_signal_check_shape (&rp, 16, 4, 8, 0, 32, 32, &err));
  g_assert_error (err, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (err->message, "input"));
  g_clear_error (&err);
  /* the spec check comes first */
  g_assert_false (gn_signal_check_shape (&rp, 16, 1001, 8, 3, 32, 32, &err));
  g_assert_nonnull (strstr (err->message, "1000"));
  g_clear_error (&err);
}

/* ---- Sin1D --------------------------------------------------------- */

/* Identifies one Sin1D channel: which frequency, row (varies along i,
 * constant along j) or column wave, and its phase psi in
 * level * sin(2 pi b (t+1) + psi).  Fails if it is none of these. */
static void
identify_sin1d (const float *m, const double *freqs, int nf, float level,
                int *freq, gboolean *row, double *psi)
{
  gboolean const_j = TRUE, const_i = TRUE;
  for (int i = 0; i < S; i++)
    for (int j = 0; j < S; j++)
      {
        const_j &= m[i * S + j] == m[i * S];
        const_i &= m[i * S + j] == m[j];
      }
  /* a wave that is constant along both axes would be degenerate */
  g_assert_true (const_j != const_i);
  *row = const_j;

  double v[S], theta[S];
  for (int t = 0; t < S; t++)
    v[t] = *row ? m[t * S] : m[t];

  *freq = -1;
  for (int f = 0; f < nf; f++)
    {
      double amp, p;
      for (int t = 0; t < S; t++)
        theta[t] = 2 * G_PI * freqs[f] * (t + 1);
      if (fit_wave (v, theta, S, &amp, &p) < 1e-5 * level)
        {
          g_assert_cmpint (*freq, ==, -1);   /* one frequency only */
          g_assert_cmpfloat_with_epsilon (amp, level, 1e-5 * level);
          *freq = f;
          *psi = p;
        }
    }
  g_assert_cmpint (*freq, >=, 0);
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Every channel is one of the candidate waves and, asking for all 64 per
 * frequency, each frequency shows 32 row and 32 column waves whose phases
 * pair up (row and column channels share phi_k). */
static void
test_sin1d_structure (void)
{
  const double freqs[3] = { 0.0713, 0.2291, 0.3817 };
  const float level = 1.7f;
  GnSignalSpec sp = { .kind = GN_SIGNAL_SIN1D, .level = level,
                      .local = TRUE, .freqs = freqs, .n_freqs = 3 };
  enum { B = 3, C = 3 * 64 };
  float *t = run (&sp, B, C, 11);
  assert_finite (t, (size_t) B * C * S * S);

  for (int b = 0; b < B; b++)
    {
      int rows[3] = { 0 }, cols[3] = { 0 };
      double psi_r[3][32], psi_c[3][32];
      for (int c = 0; c < C; c++)
        {
          int f;
          gboolean row;
          double psi;
          identify_sin1d (t + ((size_t) b * C + c) * S * S, freqs, 3, level,
                          &f, &row, &psi);
          if (row)
            {
              g_assert_cmpint (rows[f], <, 32);
              psi_r[f][rows[f]++] = psi;
            }
          else
            {
              g_assert_cmpint (cols[f], <, 32);
              psi_c[f][cols[f]++] = psi;
            }
        }
      for (int f = 0; f < 3; f++)
        {
          g_assert_cmpint (rows[f], ==, 32);
          g_assert_cmpint (cols[f], ==, 32);
          qsort (psi_r[f], 32, sizeof (double), cmp_double);
          qsort (psi_c[f], 32, sizeof (double), cmp_double);
          for (int k = 0; k < 32; k++)
            g_assert_cmpfloat (angle_dist (psi_r[f][k], psi_c[f][k]), <,
                               1e-4);
        }
    }
  g_free (t);
}

/* Phases are U[0, 2pi), and a small pick is a uniform subset: rows and
 * columns in equal shares, every frequency in equal shares. */
static void
test_sin1d_distribution (void)
{
  const double freqs[4] = { 0.06, 0.17, 0.29, 0.41 };
  GnSignalSpec sp = { .kind = GN_SIGNAL_SIN1D, .level = 1.0f,
                      .local = TRUE, .freqs = freqs, .n_freqs = 4 };
  enum { B = 250, C = 8, N = B * C, BINS = 8 };
  float *t = run (&sp, B, C, 12);
  int per_freq[4] = { 0 }, rows = 0, phase_hist[BINS] = { 0 };

  for (int i = 0; i < N; i++)
    {
      int f;
      gboolean row;
      double psi;
      identify_sin1d (t + (size_t) i * S * S, freqs, 4, 1.0f, &f, &row, &psi);
      per_freq[f]++;
      rows += row;
      phase_hist[MIN ((int) (psi / (2 * G_PI) * BINS), BINS - 1)]++;
    }

  double chi2 = 0, e = N / 4.0;
  for (int f = 0; f < 4; f++)
    chi2 += (per_freq[f] - e) * (per_freq[f] - e) / e;
  g_assert_cmpfloat (chi2, <, 16.3);                 /* 3 dof, p = 0.001 */
  /* binomial(2000, 1/2): sd 22.4, bound 3.5 sd */
  g_assert_cmpint (ABS (rows - N / 2), <, 79);
  chi2 = 0, e = N / (double) BINS;
  for (int k = 0; k < BINS; k++)
    chi2 += (phase_hist[k] - e) * (phase_hist[k] - e) / e;
  g_assert_cmpfloat (chi2, <, 24.3);                 /* 7 dof, p = 0.001 */
  g_free (t);
}

/* ---- Sin2D --------------------------------------------------------- */

/* Identifies one Sin2D channel: ordered pair (b1 along rows, b2 along
 * columns), diagonal (rows as i+1) or anti-diagonal (rows as 8-i). */
static void
identify_sin2d (const float *m, const double *freqs, int nf, float level,
                int *pair, gboolean *anti)
{
  double v[S * S], theta[S * S];
  for (int p = 0; p < S * S; p++)
    v[p] = m[p];
  *pair = -1;
  for (int f1 = 0; f1 < nf; f1++)
    for (int f2 = 0; f2 < nf; f2++)
      for (int a = 0; a < 2; a++)
        {
          double amp, psi;
          for (int i = 0; i < S; i++)
            for (int j = 0; j < S; j++)
              theta[i * S + j] = 2 * G_PI * freqs[f1] * (a ? S - i : i + 1)
                                 + 2 * G_PI * freqs[f2] * (j + 1);
          if (fit_wave (v, theta, S * S, &amp, &psi) < 1e-5 * level)
            {
              g_assert_cmpint (*pair, ==, -1);
              g_assert_cmpfloat_with_epsilon (amp, level, 1e-5 * level);
              *pair = f1 * nf + f2;
              *anti = a;
            }
        }
  g_assert_cmpint (*pair, >=, 0);
}

/* All 64 x 4 candidates of two frequencies: 32 diagonal and 32
 * anti-diagonal channels per ordered pair, and every anti-diagonal
 * channel is exactly a diagonal one flipped vertically (shared phase). */
static void
test_sin2d_structure (void)
{
  const double freqs[2] = { 0.1137, 0.2719 };
  const float level = 0.9f;
  GnSignalSpec sp = { .kind = GN_SIGNAL_SIN2D, .level = level,
                      .local = FALSE, .freqs = freqs, .n_freqs = 2 };
  enum { B = 2, C = 4 * 64 };
  float *t = run (&sp, B, C, 21);
  assert_finite (t, (size_t) B * C * S * S);

  int diag[4] = { 0 }, anti_n[4] = { 0 };
  int pair_of[C];
  gboolean anti_of[C];
  for (int c = 0; c < C; c++)
    {
      identify_sin2d (t + (size_t) c * S * S, freqs, 2, level, &pair_of[c],
                      &anti_of[c]);
      if (anti_of[c])
        anti_n[pair_of[c]]++;
      else
        diag[pair_of[c]]++;
    }
  for (int p = 0; p < 4; p++)
    {
      g_assert_cmpint (diag[p], ==, 32);
      g_assert_cmpint (anti_n[p], ==, 32);
    }

  /* the flip of each anti-diagonal channel is a diagonal channel of the
   * same pair, one to one */
  gboolean used[C] = { FALSE };
  for (int c = 0; c < C; c++)
    {
      if (!anti_of[c])
        continue;
      const float *m = t + (size_t) c * S * S;
      int match = -1;
      for (int d = 0; d < C && match < 0; d++)
        {
          if (anti_of[d] || used[d] || pair_of[d] != pair_of[c])
            continue;
          const float *n = t + (size_t) d * S * S;
          gboolean same = TRUE;
          for (int i = 0; i < S && same; i++)
            for (int j = 0; j < S; j++)
              same &= fabsf (m[(S - 1 - i) * S + j] - n[i * S + j]) < 1e-6f;
          if (same)
            match = d;
        }
      g_assert_cmpint (match, >=, 0);
      used[match] = TRUE;
    }
  g_free (t);
}

/* A small pick of 576 candidates is uniform over (pair, half). */
static void
test_sin2d_distribution (void)
{
  const double freqs[3] = { 0.083, 0.211, 0.347 };
  GnSignalSpec sp = { .kind = GN_SIGNAL_SIN2D, .level = 2.0f,
                      .local = TRUE, .freqs = freqs, .n_freqs = 3 };
  enum { B = 300, C = 8, N = B * C, BINS = 18 };
  float *t = run (&sp, B, C, 22);
  int hist[BINS] = { 0 };
  for (int i = 0; i < N; i++)
    {
      int pair;
      gboolean anti;
      identify_sin2d (t + (size_t) i * S * S, freqs, 3, 2.0f, &pair, &anti);
      hist[pair * 2 + anti]++;
    }
  double chi2 = 0, e = N / (double) BINS;
  for (int k = 0; k < BINS; k++)
    chi2 += (hist[k] - e) * (hist[k] - e) / e;
  g_assert_cmpfloat (chi2, <, 40.8);                /* 17 dof, p = 0.001 */
  g_free (t);
}

/* ---- local vs global ---------------------------------------------- */

static void
test_local_global (void)
{
  const double freqs[2] = { 0.15, 0.33 };
  GnSignalSpec specs[4] = {
    { .kind = GN_SIGNAL_SIN1D, .level = 1.0f, .freqs = freqs, .n_freqs = 2 },
    { .kind = GN_SIGNAL_SIN2D, .level = 1.0f, .freqs = freqs, .n_freqs = 2 },
    { .kind = GN_SIGNAL_DOT, .level = 1.0f, .partial = 0.3 },
    { .kind = GN_SIGNAL_GDOT, .level = 1.0f, .partial = 0.3 },
  };
  enum { B = 5, C = 16 };
  size_t plane = (size_t) C * S * S;

  for (int k = 0; k < 4; k++)
    for (int local = 0; local < 2; local++)
      {
        specs[k].local = local;
        float *t = run (&specs[k], B, C, 31 + k);
        for (int a = 0; a < B; a++)
          for (int b = a + 1; b < B; b++)
            {
              gboolean same = memcmp (t + a * plane, t + b * plane,
                                      plane * sizeof *t) == 0;
              g_assert_true (same == !local);
            }
        g_free (t);
      }
}

/* ---- Dot ----------------------------------------------------------- */

static void
test_dot_counts (void)
{
  /* n = int(partial * 64): 37 for 0.578125, 19 for 0.3 (19.2), all for
   * 1, none for 0 */
  const double partials[4] = { 0.578125, 0.3, 1.0, 0.0 };
  const int want[4] = { 37, 19, 64, 0 };
  enum { B = 4, C = 12 };
  const float level = 2.2f, base = 0.5f;

  for (int q = 0; q < 4; q++)
    for (int local = 0; local < 2; local++)
      {
        GnSignalSpec sp = { .kind = GN_SIGNAL_DOT, .level = level,
                            .local = local, .partial = partials[q] };
        GnRng rng;
        gn_rng_seed (&rng, 41);
        float *t = g_new (float, (size_t) B * C * S * S);
        for (size_t i = 0; i < (size_t) B * C * S * S; i++)
          t[i] = base;   /* generators accumulate */
        gn_signal_add (&sp, B, C, S, NULL, 0, 0, 0, &rng, t);
        for (int m = 0; m < B * C; m++)
          {
            int set = 0;
            for (int p = 0; p < S * S; p++)
              {
                float v = t[(size_t) m * S * S + p];
                if (v == base)
                  continue;
                /* each set pixel exactly +-level: two dots never land on
                 * one pixel (they would sum to 0 or +-2 level) */
                g_assert_true (v == base + level || v == base - level);
                set++;
              }
            g_assert_cmpint (set, ==, want[q]);
          }
        g_free (t);
      }
}

/* Signs are fair coins and pixels are hit uniformly. */
static void
test_dot_distribution (void)
{
  GnSignalSpec sp = { .kind = GN_SIGNAL_DOT, .level = 1.0f, .local = TRUE,
                      .partial = 0.25 };
  enum { B = 50, C = 20, MAPS = B * C };
  float *t = run (&sp, B, C, 42);
  int hist[S * S] = { 0 }, plus = 0, total = 0;
  for (int m = 0; m < MAPS; m++)
    for (int p = 0; p < S * S; p++)
      {
        float v = t[(size_t) m * S * S + p];
        if (v != 0.0f)
          {
            hist[p]++;
            plus += v > 0;
            total++;
          }
      }
  g_assert_cmpint (total, ==, MAPS * 16);
  /* binomial(16000, 1/2): sd 63, bound 3.5 sd */
  g_assert_cmpint (ABS (plus - total / 2), <, 221);
  double chi2 = 0, e = total / (double) (S * S);
  for (int p = 0; p < S * S; p++)
    chi2 += (hist[p] - e) * (hist[p] - e) / e;
  /* 63 dof, p = 0.001: 103.4 (a without-replacement draw only lowers
   * the variance) */
  g_assert_cmpfloat (chi2, <, 103.4);
  g_free (t);
}

/* ---- Gaussian filter ----------------------------------------------- */

/* w[x + 4] = exp(-x^2/2) / sum over x = -4 .. 4 */
static void
weights (double w[9])
{
  double sum = 0;
  for (int x = -4; x <= 4; x++)
    sum += w[x + 4] = exp (-0.5 * x * x);
  for (int x = 0; x < 9; x++)
    w[x] /= sum;
}

/* The 1-D response to a unit impulse, read off 'reflect' (...c b a | a b
 * c...) by hand.  Filtering is out[p] = sum_x w[x] in[p + x]:
 *   impulse at 0: in[q] for q = -1 mirrors to 0, so out[0] = w0 + w1,
 *     out[1] = w1 + w2 (q = 0 and q = -1), out[2] = w2 + w3,
 *     out[3] = w3 + w4, out[4] = w4 (q = -5 is beyond the radius), 0 after;
 *   impulse at 4: out[p] = w[4 - p] for p = 0 .. 6, and out[7] also gets
 *     q = 11, which mirrors to 2*8-1-11 = 4: out[7] = w3 + w4. */
static void
impulse_response (int at, double u[S])
{
  double w[9];
  weights (w);
#define W(d) w[4 + (d)]
  if (at == 0)
    {
      double r[S] = { W (0) + W (1), W (1) + W (2), W (2) + W (3),
                      W (3) + W (4), W (4), 0, 0, 0 };
      memcpy (u, r, sizeof r);
    }
  else
    {
      g_assert_cmpint (at, ==, 4);
      double r[S] = { W (4), W (3), W (2), W (1), W (0), W (1), W (2),
                      W (3) + W (4) };
      memcpy (u, r, sizeof r);
    }
#undef W
}

static void
test_gaussian_impulses (void)
{
  double w[9];
  weights (w);
  /* the weights themselves, as scipy's _gaussian_kernel1d(1, 0, 4) */
  g_assert_cmpfloat_with_epsilon (w[4], 0.3989434693560978, 1e-15);
  g_assert_cmpfloat_with_epsilon (w[3], 0.2419714456566007, 1e-15);

  const int spots[2][2] = { { 0, 0 }, { 4, 4 } };
  for (int s = 0; s < 2; s++)
    {
      int pi = spots[s][0], pj = spots[s][1];
      float m[S * S] = { 0 };
      m[pi * S + pj] = 1.0f;
      gn_signal_gaussian_filter (m, S);
      double ui[S], uj[S];
      impulse_response (pi, ui);
      impulse_response (pj, uj);
      for (int i = 0; i < S; i++)
        for (int j = 0; j < S; j++)
          g_assert_cmpfloat_with_epsilon (m[i * S + j], ui[i] * uj[j],
                                          1e-7);
    }

  /* the same, as printed by scipy.ndimage.gaussian_filter(m, 1) */
  float m[S * S] = { 0 };
  m[0] = 1.0f;
  gn_signal_gaussian_filter (m, S);
  const double corner_row0[5] = { 0.4107719282857345, 0.18968682737078058,
                                  0.037444165055830911, 0.0029262202569514326,
                                  8.5774043401053566e-05 };
  for (int j = 0; j < 5; j++)
    g_assert_cmpfloat_with_epsilon (m[j], corner_row0[j], 1e-7);
  for (int j = 5; j < S; j++)
    g_assert_cmpfloat (m[j], ==, 0.0f);

  memset (m, 0, sizeof m);
  m[4 * S + 4] = 1.0f;
  gn_signal_gaussian_filter (m, S);
  const double centre_row4[S] = {
    5.3390853689898648e-05, 1.7680622504014094e-03, 2.1539407687662954e-02,
    9.6532928015354763e-02, 1.5915589174187972e-01, 9.6532928015354763e-02,
    2.1539407687662954e-02, 1.8214531040913081e-03 };
  for (int j = 0; j < S; j++)
    g_assert_cmpfloat_with_epsilon (m[4 * S + j], centre_row4[j], 1e-7);
}

/* Maps smaller than the radius reflect more than once (period 2n):
 * scipy.ndimage.gaussian_filter1d on 1, 2 and 3 pixels, made 2-D as a
 * single-row impulse's row sum. */
static void
test_gaussian_small (void)
{
  float one = 3.5f;
  gn_signal_gaussian_filter (&one, 1);
  g_assert_cmpfloat_with_epsilon (one, 3.5f, 1e-6);

  /* n = 3, impulse at 0: the 1-D response is [0.64091, 0.29610, 0.06299];
   * in 2-D at (0,0) the response is the outer product */
  const double u3[3] = { 0.6409149150126985, 0.29609640370191986,
                         0.06298868128538167 };
  float m3[9] = { 1.0f, 0, 0, 0, 0, 0, 0, 0, 0 };
  gn_signal_gaussian_filter (m3, 3);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      g_assert_cmpfloat_with_epsilon (m3[i * 3 + j], u3[i] * u3[j], 1e-7);

  const double u2[2] = { 0.6456144378819593, 0.3543855621180408 };
  float m2[4] = { 0, 0, 0, 1.0f };
  gn_signal_gaussian_filter (m2, 2);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      g_assert_cmpfloat_with_epsilon (m2[i * 2 + j], u2[1 - i] * u2[1 - j],
                                      1e-7);
}

/* 'reflect' loses no mass: the output sums to the input's sum. */
static void
test_gaussian_mass (void)
{
  GnRng rng;
  gn_rng_seed (&rng, 51);
  for (int size = 1; size <= 11; size++)
    {
      float m[11 * 11];
      double before = 0, after = 0;
      for (int p = 0; p < size * size; p++)
        before += m[p] = gn_rng_uniformf (&rng, -1.0f, 1.0f);
      gn_signal_gaussian_filter (m, size);
      for (int p = 0; p < size * size; p++)
        after += m[p];
      g_assert_cmpfloat_with_epsilon (after, before, 1e-4);
    }
}

/* ---- GDot ---------------------------------------------------------- */

static void
test_gdot (void)
{
  enum { B = 3, C = 10 };
  const float level = 2.1f;

  /* the peak magnitude of every channel is exactly level */
  for (int local = 0; local < 2; local++)
    {
      GnSignalSpec sp = { .kind = GN_SIGNAL_GDOT, .level = level,
                          .local = local, .partial = 0.4375 };
      float *t = run (&sp, B, C, 61);
      assert_finite (t, (size_t) B * C * S * S);
      for (int m = 0; m < B * C; m++)
        {
          float peak = 0;
          for (int p = 0; p < S * S; p++)
            peak = MAX (peak, fabsf (t[(size_t) m * S * S + p]));
          g_assert_cmpfloat (peak, ==, level);
        }
      g_free (t);
    }

  /* one dot (partial 1/64): the channel is +-level times the filtered
   * impulse divided by its value at the dot, which is the peak */
  GnSignalSpec one = { .kind = GN_SIGNAL_GDOT, .level = level,
                       .local = TRUE, .partial = 1.0 / 64 };
  float *t = run (&one, B, C, 62);
  for (int m = 0; m < B * C; m++)
    {
      const float *x = t + (size_t) m * S * S;
      int at = 0;
      for (int p = 1; p < S * S; p++)
        if (fabsf (x[p]) > fabsf (x[at]))
          at = p;
      float f[S * S] = { 0 };
      f[at] = 1.0f;
      gn_signal_gaussian_filter (f, S);
      float sign = x[at] > 0 ? 1.0f : -1.0f;
      for (int p = 0; p < S * S; p++)
        g_assert_cmpfloat_with_epsilon (x[p], sign * level * f[p] / f[at],
                                        1e-6);
    }
  g_free (t);

  /* no dots: all zero, not NaN */
  GnSignalSpec none = { .kind = GN_SIGNAL_GDOT, .level = level,
                        .partial = 0.01 };
  t = run (&none, B, C, 63);
  for (size_t i = 0; i < (size_t) B * C * S * S; i++)
    g_assert_cmpfloat (t[i], ==, 0.0f);
  g_free (t);
}

/* ---- Resize -------------------------------------------------------- */

/* a 32 x 32 RGB batch whose pixel values are all distinct; the extremes
 * sit on pixels a 32 -> 8 resize keeps, except for two outliers it must
 * drop */
static float *
make_input (int batch)
{
  float *x = g_new (float, (size_t) batch * 3 * 32 * 32);
  for (int b = 0; b < batch; b++)
    for (int c = 0; c < 3; c++)
      for (int h = 0; h < 32; h++)
        for (int w = 0; w < 32; w++)
          x[(((size_t) b * 3 + c) * 32 + h) * 32 + w]
            = 0.001f * (h * 32 + w) + 1.5f * c + 0.25f * b;
  /* every plane of sample 0 holds the batch min at (0,0); the max is at
   * (28,28) of sample 1, i.e. target pixel (7,7) */
  for (int c = 0; c < 3; c++)
    {
      x[((size_t) (0 * 3 + c) * 32 + 0) * 32 + 0] = -4.0f;
      x[((size_t) (1 * 3 + c) * 32 + 28) * 32 + 28] = 9.0f;
    }
  /* outliers at pixels the resize skips */
  x[((size_t) (0 * 3 + 1) * 32 + 1) * 32 + 1] = -100.0f;
  x[((size_t) (1 * 3 + 2) * 32 + 30) * 32 + 5] = 100.0f;
  return x;
}

static void
test_resize (void)
{
  enum { B = 3, C = 30 };
  const float level = 1.5f;
  GnSignalSpec sp = { .kind = GN_SIGNAL_RESIZE, .level = level };
  float *x = make_input (B);
  float *t = g_new0 (float, (size_t) B * C * S * S);
  GnRng rng;
  gn_rng_seed (&rng, 71);
  g_assert_true (gn_signal_check_shape (&sp, B, C, S, 3, 32, 32, NULL));
  gn_signal_add (&sp, B, C, S, x, 3, 32, 32, &rng, t);
  assert_finite (t, (size_t) B * C * S * S);

  /* the expected planes: pixel (4i, 4j), the global min and max of the
   * resized batch to -1 and +1 */
  float lo = INFINITY, hi = -INFINITY;
  for (int b = 0; b < B; b++)
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < S; i++)
        for (int j = 0; j < S; j++)
          {
            float v = x[(((size_t) b * 3 + c) * 32 + 4 * i) * 32 + 4 * j];
            lo = MIN (lo, v);
            hi = MAX (hi, v);
          }
  g_assert_cmpfloat (lo, ==, -4.0f);
  g_assert_cmpfloat (hi, ==, 9.0f);

  int colours[3] = { 0 };
  for (int c = 0; c < C; c++)
    {
      int colour = -1;
      for (int b = 0; b < B; b++)
        {
          const float *m = t + ((size_t) b * C + c) * S * S;
          /* the colour this sample shows must be the same for all */
          int found = -1;
          for (int q = 0; q < 3 && found < 0; q++)
            {
              gboolean same = TRUE;
              for (int i = 0; i < S; i++)
                for (int j = 0; j < S; j++)
                  {
                    float v = x[(((size_t) b * 3 + q) * 32 + 4 * i) * 32
                                + 4 * j];
                    float want = level * (((v - lo) / (hi - lo)) - 0.5f) * 2;
                    same &= fabsf (m[i * S + j] - want) < 1e-5f;
                  }
              if (same)
                found = q;
            }
          g_assert_cmpint (found, >=, 0);
          if (colour < 0)
            colour = found;
          g_assert_cmpint (found, ==, colour);
          /* the batch extremes map exactly to -level and +level */
          if (b == 0)
            g_assert_cmpfloat (m[0], ==, -level);
          if (b == 1)
            g_assert_cmpfloat (m[7 * S + 7], ==, level);
        }
      colours[colour]++;
    }
  /* all three colours appear among 30 channels (P(miss) ~ 1e-5) */
  for (int q = 0; q < 3; q++)
    g_assert_cmpint (colours[q], >, 0);
  g_free (t);

  /* all 1000 slots: colours come from 0..999 mod 3 without replacement,
   * exactly 334 R, 333 G, 333 B */
  enum { ALL = 1000 };
  float *one = g_new (float, 3 * 32 * 32);
  for (int c = 0; c < 3; c++)
    for (int p = 0; p < 32 * 32; p++)
      one[c * 32 * 32 + p] = (float) c + (p == 0 ? 0.5f : 0.0f);
  t = g_new0 (float, (size_t) ALL * S * S);
  sp.level = 1.0f;
  gn_signal_add (&sp, 1, ALL, S, one, 3, 32, 32, &rng, t);
  int count[3] = { 0 };
  for (int c = 0; c < ALL; c++)
    {
      /* plane c has value c (min 0, max 2.5) away from pixel 0 */
      float v = t[(size_t) c * S * S + 1];
      int q = (int) lrintf ((v / 2 + 0.5f) * 2.5f);
      g_assert_cmpint (q, >=, 0);
      g_assert_cmpint (q, <, 3);
      count[q]++;
    }
  g_assert_cmpint (count[0], ==, 334);
  g_assert_cmpint (count[1], ==, 333);
  g_assert_cmpint (count[2], ==, 333);
  g_free (t);
  g_free (one);
  g_free (x);
}

/* 16 -> 8 takes every 2nd pixel, 8 -> 8 is the identity, a grey input
 * (one plane) serves every channel, and a constant input adds 0. */
static void
test_resize_shapes (void)
{
  GnSignalSpec sp = { .kind = GN_SIGNAL_RESIZE, .level = 1.0f };
  GnRng rng;
  gn_rng_seed (&rng, 72);

  float x16[16 * 16];
  for (int p = 0; p < 16 * 16; p++)
    x16[p] = (float) p;
  float t[4 * S * S] = { 0 };
  gn_signal_add (&sp, 1, 4, S, x16, 1, 16, 16, &rng, t);
  float lo = 0, hi = x16[14 * 16 + 14];
  for (int c = 0; c < 4; c++)
    for (int i = 0; i < S; i++)
      for (int j = 0; j < S; j++)
        {
          float v = x16[2 * i * 16 + 2 * j];
          g_assert_cmpfloat_with_epsilon (t[(c * S + i) * S + j],
                                          ((v - lo) / (hi - lo) - 0.5f) * 2,
                                          1e-6);
        }

  float x8[S * S], t8[S * S] = { 0 };
  for (int p = 0; p < S * S; p++)
    x8[p] = (float) (p * 7 % 64);
  gn_signal_add (&sp, 1, 1, S, x8, 1, S, S, &rng, t8);
  for (int p = 0; p < S * S; p++)
    g_assert_cmpfloat_with_epsilon (t8[p], (x8[p] / 63.0f - 0.5f) * 2, 1e-6);

  float flat[3 * 32 * 32];
  for (int p = 0; p < 3 * 32 * 32; p++)
    flat[p] = 0.7f;
  float tf[5 * S * S];
  for (int p = 0; p < 5 * S * S; p++)
    tf[p] = 0.25f;
  gn_signal_add (&sp, 1, 5, S, flat, 3, 32, 32, &rng, tf);
  for (int p = 0; p < 5 * S * S; p++)
    g_assert_cmpfloat (tf[p], ==, 0.25f);
}

/* ---- reproducibility, accumulation, finiteness -------------------- */

static void
test_reproducible_and_accumulate (void)
{
  const double freqs[10] = { 0.375, 0.3875, 0.4, 0.4125, 0.425, 0.4375,
                             0.45, 0.4625, 0.475, 0.4875 };
  GnSignalSpec specs[5] = {
    { .kind = GN_SIGNAL_SIN1D, .level = 1.8f, .local = TRUE, .freqs = freqs,
      .n_freqs = 10 },
    { .kind = GN_SIGNAL_SIN2D, .level = 2.9f, .local = TRUE, .freqs = freqs,
      .n_freqs = 10 },
    { .kind = GN_SIGNAL_DOT, .level = 2.2f, .local = TRUE,
      .partial = 0.71875 },
    { .kind = GN_SIGNAL_GDOT, .level = 1.1f, .local = FALSE,
      .partial = 0.578125 },
    { .kind = GN_SIGNAL_RESIZE, .level = 2.4f },
  };
  enum { B = 16, C = 48 };
  size_t n = (size_t) B * C * S * S;
  float *x = make_input (B);

  for (int k = 0; k < 5; k++)
    {
      float *a = g_new0 (float, n), *b = g_new0 (float, n);
      float *c = g_new0 (float, n), *d = g_new (float, n);
      GnRng ra, rb, rc, rd;
      gn_rng_seed (&ra, 81);
      gn_rng_seed (&rb, 81);
      gn_rng_seed (&rc, 82);
      gn_rng_seed (&rd, 81);
      for (size_t i = 0; i < n; i++)
        d[i] = (float) (i % 7) - 3.0f;

      gn_signal_add (&specs[k], B, C, S, x, 3, 32, 32, &ra, a);
      gn_signal_add (&specs[k], B, C, S, x, 3, 32, 32, &rb, b);
      gn_signal_add (&specs[k], B, C, S, x, 3, 32, 32, &rc, c);
      gn_signal_add (&specs[k], B, C, S, x, 3, 32, 32, &rd, d);

      assert_finite (a, n);
      g_assert_cmpmem (a, n * sizeof *a, b, n * sizeof *b);
      g_assert_true (memcmp (a, c, n * sizeof *a) != 0);
      /* the same stream position after the same call */
      g_assert_cmphex (gn_rng_next (&ra), ==, gn_rng_next (&rb));
      /* accumulated, not overwritten */
      for (size_t i = 0; i < n; i++)
        g_assert_cmpfloat (d[i], ==, ((float) (i % 7) - 3.0f) + a[i]);
      /* and not all zero */
      gboolean any = FALSE;
      for (size_t i = 0; i < n; i++)
        any |= a[i] != 0.0f;
      g_assert_true (any);

      g_free (a);
      g_free (b);
      g_free (c);
      g_free (d);
    }
  g_free (x);
}

/* The reference configs' stage-1 mix of CONF_NB101 (docs/method.md
 * §3.3), summed into one target, stays finite and within the sum of the
 * levels. */
static void
test_mix_finite (void)
{
  double b1[10], b2[10];
  for (int i = 0; i < 10; i++)
    {
      b1[i] = 0.288 + 0.002 * i;
      b2[i] = 0.265 + 0.0173 * i;
    }
  GnSignalSpec specs[4] = {
    { .kind = GN_SIGNAL_SIN1D, .level = 1.8f, .local = TRUE, .freqs = b1,
      .n_freqs = 10 },
    { .kind = GN_SIGNAL_SIN2D, .level = 2.9f, .local = TRUE, .freqs = b2,
      .n_freqs = 10 },
    { .kind = GN_SIGNAL_GDOT, .level = 1.1f, .local = TRUE,
      .partial = 0.578125 },
    { .kind = GN_SIGNAL_RESIZE, .level = 2.4f },
  };
  enum { B = 16, C = 48 };
  size_t n = (size_t) B * C * S * S;
  float *x = make_input (B);
  float *t = g_new0 (float, n);
  GnRng rng;
  gn_rng_seed (&rng, 91);
  for (int k = 0; k < 4; k++)
    {
      g_assert_true (gn_signal_check_shape (&specs[k], B, C, S, 3, 32, 32,
                                            NULL));
      gn_signal_add (&specs[k], B, C, S, x, 3, 32, 32, &rng, t);
    }
  assert_finite (t, n);
  for (size_t i = 0; i < n; i++)
    g_assert_cmpfloat (fabsf (t[i]), <=, 1.8f + 2.9f + 1.1f + 2.4f + 1e-5f);
  g_free (t);
  g_free (x);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signals/names", test_names);
  g_test_add_func ("/signals/check", test_check);
  g_test_add_func ("/signals/sin1d/structure", test_sin1d_structure);
  g_test_add_func ("/signals/sin1d/distribution", test_sin1d_distribution);
  g_test_add_func ("/signals/sin2d/structure", test_sin2d_structure);
  g_test_add_func ("/signals/sin2d/distribution", test_sin2d_distribution);
  g_test_add_func ("/signals/local-global", test_local_global);
  g_test_add_func ("/signals/dot/counts", test_dot_counts);
  g_test_add_func ("/signals/dot/distribution", test_dot_distribution);
  g_test_add_func ("/signals/gaussian/impulses", test_gaussian_impulses);
  g_test_add_func ("/signals/gaussian/small", test_gaussian_small);
  g_test_add_func ("/signals/gaussian/mass", test_gaussian_mass);
  g_test_add_func ("/signals/gdot", test_gdot);
  g_test_add_func ("/signals/resize/pick", test_resize);
  g_test_add_func ("/signals/resize/shapes", test_resize_shapes);
  g_test_add_func ("/signals/reproducible", test_reproducible_and_accumulate);
  g_test_add_func ("/signals/mix-finite", test_mix_finite);

  return g_test_run ();
}
