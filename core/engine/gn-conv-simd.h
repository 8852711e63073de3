/* gn-conv-simd.h - the inner loops of the direct convolution, once per
 * instruction set
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Included by gn-conv-direct.c once for each instruction set it
 * dispatches to, with these defined:
 *
 *   SIMD(name)    the name with this instruction set's suffix
 *   SIMD_TARGET   a function attribute: the instruction set (or nothing)
 *   SIMD_BYTES    the vector width: 16, 32 or 64
 *   SIMD_R1       vectors per block of a one-output correlation
 *   SIMD_R4       vectors per block of a four-output correlation
 *   SIMD_TG       taps per block of a one-output dot product (<= 8)
 *   SIMD_TG4      taps per block of a four-output dot product (<= 4)
 *
 * Two kernels work on "flat" planes (see gn-conv-direct.c): rows of a
 * fixed pitch laid end to end, so that every tap of a convolution is one
 * source pointer and the output a single run of floats.  Both read and
 * write whole vectors past the end of the run they are given: up to
 * GN_DIRECT_OVERRUN floats, which the caller's buffers leave room for.
 * The block sizes keep the accumulators in registers (32 vector
 * registers with AVX-512, 16 otherwise) with enough independent chains
 * to hide the latency of the multiply-adds.  The order of every sum
 * depends on the instruction set and the geometry only: results are
 * deterministic on a given machine.
 */

#define VL (SIMD_BYTES / 4)

typedef float SIMD (V) __attribute__ ((vector_size (SIMD_BYTES)));

static inline SIMD_TARGET SIMD (V)
SIMD (load) (const float *p)
{
  SIMD (V) v;
  memcpy (&v, p, sizeof v);
  return v;
}

static inline SIMD_TARGET void
SIMD (store) (float *p, SIMD (V) v)
{
  memcpy (p, &v, sizeof v);
}

/* (not 0 + s, which costs an add and turns -0 into +0) */
static inline SIMD_TARGET SIMD (V)
SIMD (splat) (float s)
{
  SIMD (V) v;
  for (int i = 0; i < VL; i++)
    v[i] = s;
  return v;
}

static inline SIMD_TARGET float
SIMD (hsum) (SIMD (V) v)
{
  float a[VL];
  memcpy (a, &v, sizeof a);
  /* pairwise, so the order is fixed and the error small */
  for (int w = VL / 2; w > 0; w /= 2)
    for (int i = 0; i < w; i++)
      a[i] += a[i + w];
  return a[0];
}

/* One block of @R vectors from @q on, for @O outputs: out[o][q...] =
 * init[o] + sum_t w[o * ws + t] src[t][q...]. */
static inline SIMD_TARGET __attribute__ ((always_inline)) void
SIMD (corr_block) (int O, int R, size_t q, int T, const float *const *src,
                   const float *w, size_t ws, const float *init,
                   float *const *out)
{
  SIMD (V) acc[4][8];
#pragma GCC unroll 4
  for (int o = 0; o < O; o++)
#pragma GCC unroll 8
    for (int r = 0; r < R; r++)
      acc[o][r] = SIMD (splat) (init[o]);
  for (int t = 0; t < T; t++)
    {
      const float *s = src[t] + q;
      SIMD (V) x[8];
#pragma GCC unroll 8
      for (int r = 0; r < R; r++)
        x[r] = SIMD (load) (s + r * VL);
#pragma GCC unroll 4
      for (int o = 0; o < O; o++)
        {
          const SIMD (V) wv = SIMD (splat) (w[o * ws + t]);
#pragma GCC unroll 8
          for (int r = 0; r < R; r++)
            acc[o][r] += wv * x[r];
        }
    }
#pragma GCC unroll 4
  for (int o = 0; o < O; o++)
#pragma GCC unroll 8
    for (int r = 0; r < R; r++)
      SIMD (store) (out[o] + q + r * VL, acc[o][r]);
}

/* out[o][q] = init[o] + sum_{t < T} w[o * ws + t] src[t][q] for q in
 * [0, n) and o < O <= 4 (more q are written: see above). */
static SIMD_TARGET void
SIMD (corr) (size_t n, int T, const float *const *src, const float *w,
             size_t ws, int O, const float *init, float *const *out)
{
  size_t q = 0;
  if (O == 4)
    {
      for (; q + SIMD_R4 * VL <= n; q += SIMD_R4 * VL)
        SIMD (corr_block) (4, SIMD_R4, q, T, src, w, ws, init, out);
      for (; q < n; q += VL)
        SIMD (corr_block) (4, 1, q, T, src, w, ws, init, out);
      return;
    }
  for (int o = 0; o < O; o++)
    {
      float *const out1[1] = { out[o] };
      size_t p = 0;
      for (; p + SIMD_R1 * VL <= n; p += SIMD_R1 * VL)
        SIMD (corr_block) (1, SIMD_R1, p, T, src, w + o * ws, 0, init + o,
                           out1);
      for (; p < n; p += VL)
        SIMD (corr_block) (1, 1, p, T, src, w + o * ws, 0, init + o, out1);
    }
}

/* acc[o as + t] += sum_{q < n} a[o][q] src[t][q] for @O outputs and
 * @TG taps (the sums past n run over the caller's zeros): each source
 * load serves the O outputs, each output's load the TG taps. */
static inline SIMD_TARGET __attribute__ ((always_inline)) void
SIMD (dots_block) (int O, int TG, size_t n, const float *const *src,
                   const float *const *a, double *acc, size_t as)
{
  SIMD (V) s[4][16];
#pragma GCC unroll 4
  for (int o = 0; o < O; o++)
#pragma GCC unroll 16
    for (int t = 0; t < TG; t++)
      s[o][t] = SIMD (splat) (0.0f);
  for (size_t q = 0; q < n; q += VL)
    {
      SIMD (V) av[4];
#pragma GCC unroll 4
      for (int o = 0; o < O; o++)
        av[o] = SIMD (load) (a[o] + q);
#pragma GCC unroll 16
      for (int t = 0; t < TG; t++)
        {
          const SIMD (V) xv = SIMD (load) (src[t] + q);
#pragma GCC unroll 4
          for (int o = 0; o < O; o++)
            s[o][t] += av[o] * xv;
        }
    }
#pragma GCC unroll 4
  for (int o = 0; o < O; o++)
#pragma GCC unroll 16
    for (int t = 0; t < TG; t++)
      acc[o * as + t] += SIMD (hsum) (s[o][t]);
}

/* acc[o T + t] += sum_{q < n} a[o][q] src[t][q] for t < T and o < O: the
 * weight gradients of O output planes, a[] their output gradients. */
static SIMD_TARGET void
SIMD (dots) (size_t n, int T, const float *const *src, int O,
             const float *const *a, double *acc)
{
  for (int o0 = 0; o0 < O;)
    {
      /* four outputs at once, else one; the taps in groups of nearly
       * equal size (9 taps: 5 and 4, not 8 and 1: a group of one would
       * be a single latency-bound chain) */
      const int o4 = O - o0 >= 4;
      const int tgmax = o4 ? SIMD_TG4 : SIMD_TG;
      const int groups = (T + tgmax - 1) / tgmax;
      for (int g = 0, t = 0; g < groups; g++)
        {
          const int tg = (T - t) / (groups - g);
          double *at = acc + (size_t) o0 * T + t;
          if (o4)
            switch (tg)
              {
#define DOTS4_CASE(k)                                                   \
              case k:                                                   \
                SIMD (dots_block) (4, k, n, src + t, a + o0, at,        \
                                   (size_t) T);                         \
                break;
              DOTS4_CASE (1) DOTS4_CASE (2)
#if SIMD_TG4 > 2
              DOTS4_CASE (3) DOTS4_CASE (4)
#endif
#undef DOTS4_CASE
              default:
                g_assert_not_reached ();
              }
          else
            switch (tg)
              {
#define DOTS1_CASE(k)                                                   \
              case k:                                                   \
                SIMD (dots_block) (1, k, n, src + t, a + o0, at,        \
                                   (size_t) T);                         \
                break;
              DOTS1_CASE (1) DOTS1_CASE (2) DOTS1_CASE (3) DOTS1_CASE (4)
              DOTS1_CASE (5) DOTS1_CASE (6) DOTS1_CASE (7) DOTS1_CASE (8)
#undef DOTS1_CASE
              default:
                g_assert_not_reached ();
              }
          t += tg;
        }
      o0 += o4 ? 4 : 1;
    }
}

/* The row shuffles of stride 2 move data rather than compute: 256-bit
 * vectors at most, so that a row of 16 floats is one step. */
#if SIMD_BYTES >= 32
#define SB 32
#define EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14
#define ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15
#define LO_LANES 0, 8, 1, 9, 2, 10, 3, 11
#define HI_LANES 4, 12, 5, 13, 6, 14, 7, 15
#else
#define SB 16
#define EVEN_LANES 0, 2, 4, 6
#define ODD_LANES 1, 3, 5, 7
#define LO_LANES 0, 4, 1, 5
#define HI_LANES 2, 6, 3, 7
#endif
#define HL (SB / 4)

typedef float SIMD (H) __attribute__ ((vector_size (SB)));
#if defined(__clang__)
#define SHUFFLE2(a, b, ...) __builtin_shufflevector (a, b, __VA_ARGS__)
#else
typedef int SIMD (Hi) __attribute__ ((vector_size (SB)));
#define SHUFFLE2(a, b, ...) \
  __builtin_shuffle (a, b, (SIMD (Hi)) { __VA_ARGS__ })
#endif

static inline SIMD_TARGET SIMD (H)
SIMD (hload) (const float *p)
{
  SIMD (H) v;
  memcpy (&v, p, sizeof v);
  return v;
}

static inline SIMD_TARGET void
SIMD (hstore) (float *p, SIMD (H) v)
{
  memcpy (p, &v, sizeof v);
}

/* even[k] = src[2k] for k < (n + 1) / 2, odd[k] = src[2k + 1] for
 * k < n / 2: a row split into its two column phases (stride 2). */
static SIMD_TARGET void
SIMD (split2) (const float *src, int n, float *even, float *odd)
{
  int k = 0;
  for (; 2 * k + 2 * HL <= n; k += HL)
    {
      const SIMD (H) a = SIMD (hload) (src + 2 * k);
      const SIMD (H) b = SIMD (hload) (src + 2 * k + HL);
      SIMD (hstore) (even + k, SHUFFLE2 (a, b, EVEN_LANES));
      SIMD (hstore) (odd + k, SHUFFLE2 (a, b, ODD_LANES));
    }
  for (; 2 * k < n; k++)
    {
      even[k] = src[2 * k];
      if (2 * k + 1 < n)
        odd[k] = src[2 * k + 1];
    }
}

/* dst[2k] += even[k], dst[2k + 1] += odd[k] for the n floats of dst: the
 * two column phases of stride 2 added back into a row. */
static SIMD_TARGET void
SIMD (add_interleave2) (float *dst, int n, const float *even,
                        const float *odd)
{
  int k = 0;
  for (; 2 * k + 2 * HL <= n; k += HL)
    {
      const SIMD (H) e = SIMD (hload) (even + k), o = SIMD (hload) (odd + k);
      SIMD (hstore) (dst + 2 * k, SIMD (hload) (dst + 2 * k)
                                  + SHUFFLE2 (e, o, LO_LANES));
      SIMD (hstore) (dst + 2 * k + HL, SIMD (hload) (dst + 2 * k + HL)
                                       + SHUFFLE2 (e, o, HI_LANES));
    }
  for (; 2 * k < n; k++)
    {
      dst[2 * k] += even[k];
      if (2 * k + 1 < n)
        dst[2 * k + 1] += odd[k];
    }
}

#undef EVEN_LANES
#undef ODD_LANES
#undef LO_LANES
#undef HI_LANES
#undef SHUFFLE2
#undef SB
#undef HL
#undef VL
