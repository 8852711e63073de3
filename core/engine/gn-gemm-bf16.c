/* gn-gemm-bf16.c - sgemm with bf16 products and fp32 accumulation
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * gn__sbgemm() (gn-gemm.h) for CPUs with AVX512-BF16, whose vdpbf16ps
 * (_mm512_dpbf16_ps) multiplies 16 pairs of bf16 values per 512-bit
 * instruction and adds both products of each pair to one fp32 lane:
 * twice the multiply-adds of an fp32 FMA.  Debian's OpenBLAS declares
 * cblas_sbgemm but does not export it, hence this file.
 *
 * Why a kernel of our own rather than oneDNN's matmul (libdnnl-dev 2.6)
 * or libxsmm (libxsmm-dev 1.17): the products to replace are the
 * engine's existing ones, on fp32 buffers the convolutions already
 * unrolled, so a library's bf16 kernel needs its operands converted
 * first, a pass over memory of its own, where a GEMM of our own rounds
 * them while packing, which every GEMM does anyway.  Measured on the
 * engine's shapes (docs/benchmarks.md, "bf16 products"), oneDNN's bf16
 * matmul on operands already in bf16 computes up to 1.6x faster than
 * this kernel, but with the two reorders from fp32 it needs here it is
 * as fast on the forward shape and 10-35% slower on the others; it also
 * needs a primitive per shape, created and cached.  libxsmm was not
 * tried: its bf16 GEMMs want the same pre-converted (VNNI-packed)
 * operands, so it would pay the same conversions.  No new dependency,
 * and the build works (fp32 only) wherever the ISA or compiler lacks it.
 *
 * Layout, BLIS-style: C is computed in MR x NR tiles, NR = 16 NV
 * columns (NV zmm vectors), by a micro-kernel that keeps the tile's MR NV
 * accumulators in registers.  K is cut into blocks of KC; within one:
 *  - B's block (KC x NC) is packed as micro-panels of NR columns, each
 *    [KC/2][NR] 32-bit words holding the bf16 pair (b[2p][j], b[2p+1][j]):
 *    the operand vdpbf16ps wants, one vector load per 16 columns;
 *  - A's block (MC x KC) is packed row by row in bf16, rows a fixed
 *    ASTRIDE words apart, so each row's pair (a[i][2p], a[i][2p+1]) is one
 *    32-bit word the micro-kernel broadcasts at a constant offset from
 *    one pointer, and packing a row-major A is a plain conversion;
 *  - an odd K gets a zero partner in both operands; columns past N are
 *    zero in B and masked off when C is written; rows past M are zero in
 *    A and not written.
 * alpha and beta are applied when a tile is written (beta on the first K
 * block only, later blocks adding to it).
 */
#include "config.h"

#include "gn-gemm.h"

#include <string.h>

/* built for AVX512-BF16 with target attributes, chosen at run time
 * (gn-gemm.h, GN_GEMM_X86_KERNELS) */
#ifdef GN_GEMM_X86_KERNELS
#define HAVE_BF16_KERNEL 1
#include <immintrin.h>
#endif

/* The blocks: KC values of K (96 pairs; a B micro-panel of NR = 64
 * columns is then KC * NR * 2 bytes = 24 KiB, within L1), MC rows of A
 * (160 KiB packed, in L2), NC columns of B (384 KiB).  MC is a multiple
 * of every MR. */
#define KC 192
#define MC 384
#define NC 1024
/* words (bf16 pairs) between two packed rows of A: KC / 2 and a few more,
 * so rows do not all fall into the same L1 sets */
#define ASTRIDE (KC / 2 + 8)

gboolean
gn__sbgemm_cpu_supported (void)
{
#ifdef HAVE_BF16_KERNEL
  static gsize once;
  static gboolean yes;
  if (g_once_init_enter (&once))
    {
      __builtin_cpu_init ();
      yes = __builtin_cpu_supports ("avx512f")
            && __builtin_cpu_supports ("avx512bw")
            && __builtin_cpu_supports ("avx512bf16");
      g_once_init_leave (&once, 1);
    }
  return yes;
#else
  return FALSE;
#endif
}

#ifdef HAVE_BF16_KERNEL

#define BF16_TARGET \
  __attribute__ ((target ("avx512f,avx512bw,avx512vl,avx512bf16,fma")))

static inline __mmask16
mask16 (int count)
{
  return count >= 16 ? (__mmask16) 0xffff
                     : (__mmask16) ((1u << MAX (count, 0)) - 1u);
}

/* 32 floats (@count of them real, the rest zero) as 16 bf16 pairs in
 * order: pair i is (src[2i], src[2i+1]). */
static inline BF16_TARGET __attribute__ ((always_inline)) __m512i
pairs_of_run (const float *src, int count)
{
  __m512 lo = _mm512_maskz_loadu_ps (mask16 (count), src);
  __m512 hi = _mm512_maskz_loadu_ps (mask16 (count - 16), src + 16);
  return (__m512i) _mm512_cvtne2ps_pbh (hi, lo);
}

/* Pairs (r0[j], r1[j]) of two runs of @count floats (r1 NULL: zeros). */
static inline BF16_TARGET __attribute__ ((always_inline)) __m512i
pairs_of_rows (const float *r0, const float *r1, int count)
{
  const __m512i interleave = _mm512_set_epi16 (
    31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
    23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __mmask16 m = mask16 (count);
  __m512 a = _mm512_maskz_loadu_ps (m, r0);
  __m512 b = r1 ? _mm512_maskz_loadu_ps (m, r1) : _mm512_setzero_ps ();
  __m512i both = (__m512i) _mm512_cvtne2ps_pbh (b, a);
  return _mm512_permutexvar_epi16 (interleave, both);
}

/* Transposes a 16 x 16 block of 32-bit words in registers: r[a][c]
 * becomes r[c][a].  Unpacks pair the rows word by word, then two words
 * at a time, leaving in 128-bit lane L of u[4g + j] the rows 4g..4g+3 of
 * column 4L + j; a 4 x 4 transpose of lanes then gathers each column. */
static inline BF16_TARGET __attribute__ ((always_inline)) void
transpose16 (__m512i r[16])
{
  __m512i t[16];
  for (int i = 0; i < 8; i++)
    {
      t[2 * i] = _mm512_unpacklo_epi32 (r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm512_unpackhi_epi32 (r[2 * i], r[2 * i + 1]);
    }
  for (int i = 0; i < 4; i++)
    {
      r[4 * i] = _mm512_unpacklo_epi64 (t[4 * i], t[4 * i + 2]);
      r[4 * i + 1] = _mm512_unpackhi_epi64 (t[4 * i], t[4 * i + 2]);
      r[4 * i + 2] = _mm512_unpacklo_epi64 (t[4 * i + 1], t[4 * i + 3]);
      r[4 * i + 3] = _mm512_unpackhi_epi64 (t[4 * i + 1], t[4 * i + 3]);
    }
  for (int j = 0; j < 4; j++)
    {
      const __m512i v0 = _mm512_shuffle_i32x4 (r[j], r[4 + j], 0x44);
      const __m512i v1 = _mm512_shuffle_i32x4 (r[j], r[4 + j], 0xee);
      const __m512i v2 = _mm512_shuffle_i32x4 (r[8 + j], r[12 + j], 0x44);
      const __m512i v3 = _mm512_shuffle_i32x4 (r[8 + j], r[12 + j], 0xee);
      t[j] = _mm512_shuffle_i32x4 (v0, v2, 0x88);
      t[4 + j] = _mm512_shuffle_i32x4 (v0, v2, 0xdd);
      t[8 + j] = _mm512_shuffle_i32x4 (v1, v3, 0x88);
      t[12 + j] = _mm512_shuffle_i32x4 (v1, v3, 0xdd);
    }
  for (int i = 0; i < 16; i++)
    r[i] = t[i];
}

/* Rows of K-contiguous values as bf16 pairs: @rows rows of @src, @ld
 * apart, K [0, kc), each written as @words pairs (zero past kc), @stride
 * words apart. */
static inline BF16_TARGET __attribute__ ((always_inline)) void
pack_rows (const float *src, int ld, int rows, int kc, int stride,
           int words, guint32 *restrict dst)
{
  for (int i = 0; i < rows; i++)
    {
      const float *s = src + (size_t) i * ld;
      guint32 *d = dst + (size_t) i * stride;
      for (int w = 0; w < words; w += 16)
        _mm512_mask_storeu_epi32 (d + w, mask16 (words - w),
                                  pairs_of_run (s + 2 * w, kc - 2 * w));
    }
}

/* ---- packing A: rows [i0, i0 + mc) x K [k0, k0 + kc), ASTRIDE apart,
 * rows [mc, @rows) zero */

static BF16_TARGET void
pack_a (CBLAS_TRANSPOSE ta, const float *a, int lda, int i0, int mc,
        int k0, int kc, int rows, guint32 *restrict dst)
{
  const int kp = (kc + 1) / 2;

  if (ta == CblasNoTrans)
    pack_rows (a + (size_t) i0 * lda + k0, lda, mc, kc, ASTRIDE, kp, dst);
  else
    /* a(i, k) = a[k lda + i]: two rows of the stored matrix give 16
     * rows' pairs at once; 16 such, transposed, are 16 pairs of each of
     * 16 rows */
    for (int i = 0; i < mc; i += 16)
      for (int p0 = 0; p0 < kp; p0 += 16)
        {
          __m512i r[16];
          for (int q = 0; q < 16; q++)
            {
              const int p = p0 + q;
              const float *r0 = a + (size_t) (k0 + 2 * p) * lda + i0 + i;
              r[q] = p < kp ? pairs_of_rows (r0, 2 * p + 1 < kc ? r0 + lda
                                                                : NULL,
                                             mc - i)
                            : _mm512_setzero_si512 ();
            }
          transpose16 (r);
          for (int t = 0; t < MIN (16, mc - i); t++)
            _mm512_mask_storeu_epi32 (dst + (size_t) (i + t) * ASTRIDE + p0,
                                      mask16 (kp - p0), r[t]);
        }

  for (int i = mc; i < rows; i++)
    memset (dst + (size_t) i * ASTRIDE, 0, (size_t) kp * sizeof *dst);
}

/* ---- packing B: columns [j0, j0 + nc) x K [k0, k0 + kc) as micro-panels
 * of @nr columns, each [kp][nr] pairs, columns past nc zero */

static BF16_TARGET void
pack_b (CBLAS_TRANSPOSE tb, const float *b, int ldb, int j0, int nc,
        int k0, int kc, int nr, guint32 *restrict dst)
{
  const int kp = (kc + 1) / 2;

  for (int jp = 0; jp < nc; jp += nr)
    {
      guint32 *panel = dst + (size_t) jp * kp;
      const int cols = MIN (nr, nc - jp);
      if (tb == CblasNoTrans)
        for (int p = 0; p < kp; p++)
          {
            const float *r0 = b + (size_t) (k0 + 2 * p) * ldb + j0 + jp;
            const float *r1 = 2 * p + 1 < kc ? r0 + ldb : NULL;
            for (int v = 0; v < nr; v += 16)
              _mm512_storeu_si512 (panel + (size_t) p * nr + v,
                                   pairs_of_rows (r0 + v, r1 ? r1 + v : NULL,
                                                  cols - v));
          }
      else
        /* b(k, j) = b[j ldb + k]: a column's pairs are adjacent, 16 of
         * them in one vector; 16 columns' vectors, transposed, are 16
         * pairs' rows of the panel */
        for (int v = 0; v < nr; v += 16)
          for (int p0 = 0; p0 < kp; p0 += 16)
            {
              __m512i r[16];
              for (int j = 0; j < 16; j++)
                r[j] = v + j < cols
                       ? pairs_of_run (b + (size_t) (j0 + jp + v + j) * ldb
                                       + k0 + 2 * p0, kc - 2 * p0)
                       : _mm512_setzero_si512 ();
              transpose16 (r);
              for (int q = 0; q < MIN (16, kp - p0); q++)
                _mm512_storeu_si512 (panel + (size_t) (p0 + q) * nr + v,
                                     r[q]);
            }
    }
}

/* ---- the micro-kernel: an MR x 16 NV tile over kp pairs */

static inline BF16_TARGET __attribute__ ((always_inline)) void
tile (const int MR, const int NV, int kp, const guint32 *restrict a,
      const guint32 *restrict b, float *c, int ldc, int mr, int nr,
      float alpha, float beta)
{
  __m512 acc[24][4];

#pragma GCC unroll 24
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++)
      acc[r][v] = _mm512_setzero_ps ();

  for (int p = 0; p < kp; p++)
    {
      __m512bh bv[4];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++)
        bv[v] = (__m512bh) _mm512_loadu_si512 (b + (size_t) p * NV * 16
                                               + v * 16);
#pragma GCC unroll 24
      for (int r = 0; r < MR; r++)
        {
          const __m512bh av = (__m512bh) _mm512_set1_epi32 (
            (int) a[(size_t) r * ASTRIDE + p]);
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++)
            acc[r][v] = _mm512_dpbf16_ps (acc[r][v], av, bv[v]);
        }
    }

  const __m512 va = _mm512_set1_ps (alpha), vb = _mm512_set1_ps (beta);
#pragma GCC unroll 24
  for (int r = 0; r < MR; r++)
    if (r < mr)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++)
        {
          const __mmask16 m = mask16 (nr - 16 * v);
          float *cp = c + (size_t) r * ldc + 16 * v;
          __m512 out = _mm512_mul_ps (acc[r][v], va);
          if (beta != 0.0f)
            out = _mm512_fmadd_ps (_mm512_maskz_loadu_ps (m, cp), vb, out);
          _mm512_mask_storeu_ps (cp, m, out);
        }
}

typedef void (*TileFn) (int kp, const guint32 *a, const guint32 *b,
                        float *c, int ldc, int mr, int nr, float alpha,
                        float beta);

/* MR NV up to 24 accumulators, leaving 8 registers for B and the
 * broadcast */
#define TILE_FN(MR, NV)                                                     \
  static BF16_TARGET void                                                   \
  tile_##MR##x##NV (int kp, const guint32 *a, const guint32 *b, float *c,  \
                    int ldc, int mr, int nr, float alpha, float beta)       \
  {                                                                         \
    tile (MR, NV, kp, a, b, c, ldc, mr, nr, alpha, beta);                   \
  }
TILE_FN (24, 1)
TILE_FN (16, 1)
TILE_FN (12, 2)
TILE_FN (8, 2)
TILE_FN (8, 3)
TILE_FN (6, 4)
TILE_FN (4, 4)

typedef struct {
  int mr, nv;
  TileFn fn;
} Shape;

/* The widest tile that pads N least (N = 96, dW of a 32-channel 3x3:
 * two of 48, not 64 and a half-empty 64), and of those the tallest that
 * pads M by at most an eighth, or else the one that pads it least: the
 * engine's products often have 16-64 rows (dW), where 24- or 6-row tiles
 * would compute up to half of them in vain. */
static Shape
shape_for (int m, int n)
{
  static const Shape shapes[] = {
    { 24, 1, tile_24x1 }, { 16, 1, tile_16x1 }, { 12, 2, tile_12x2 },
    { 8, 2, tile_8x2 }, { 8, 3, tile_8x3 }, { 6, 4, tile_6x4 },
    { 4, 4, tile_4x4 },
  };
  /* vectors per tile row: the fewest columns padded, then the most */
  int nv = 1;
  for (int v = 2; v <= 4; v++)
    if ((n + 16 * v - 1) / (16 * v) * v <= (n + 16 * nv - 1) / (16 * nv) * nv)
      nv = v;
  const Shape *best = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      const Shape *s = &shapes[i];
      if (s->nv != nv)
        continue;
      const int padded = (m + s->mr - 1) / s->mr * s->mr;
      if ((padded - m) * 8 <= m)
        return *s;
      if (best == NULL
          || padded < (m + best->mr - 1) / best->mr * best->mr)
        best = s;
    }
  return *best;
}

/* ---- the packing buffers: one pair per thread, allocated on first use */

typedef struct {
  guint32 *a; /* MC x ASTRIDE words */
  guint32 *b; /* NC x KC / 2 words  */
} Buffers;

static void
buffers_free (gpointer p)
{
  Buffers *bufs = p;
  g_aligned_free (bufs->a);
  g_aligned_free (bufs->b);
  g_free (bufs);
}

static GPrivate buffers_key = G_PRIVATE_INIT (buffers_free);

static Buffers *
buffers (void)
{
  Buffers *bufs = g_private_get (&buffers_key);
  if (bufs == NULL)
    {
      bufs = g_new (Buffers, 1);
      bufs->a = g_aligned_alloc ((gsize) MC * ASTRIDE, sizeof (guint32), 64);
      bufs->b = g_aligned_alloc ((gsize) NC * KC / 2, sizeof (guint32), 64);
      g_private_set (&buffers_key, bufs);
    }
  return bufs;
}

/* ---- both operands K-contiguous, M and N small: a 1x1 convolution's
 * dW, image by image (16-32 x 16-32 x its pixels).  The tiles above
 * would have B transposed while packed, a cost about equal to the
 * multiply-adds it feeds at these sizes; here both operands are packed
 * as rows (a plain conversion) and each element of C is a dot product of
 * two rows, 16 pairs per vdpbf16ps, summed across lanes at the end. */

/* values of K per block of the dot path: (32 + 32) rows of KD / 2 words
 * fill the B buffer (NC KC / 2 words) */
#define KD 3072

static BF16_TARGET void
dot_tile (int words, const guint32 *a, const guint32 *b, int stride,
          float *c, int ldc, int mr, int nr, float alpha, float beta)
{
  __m512 acc[4][4];
#pragma GCC unroll 4
  for (int r = 0; r < 4; r++)
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++)
      acc[r][j] = _mm512_setzero_ps ();

  for (int w = 0; w < words; w += 16)
    {
      __m512bh av[4], bv[4];
#pragma GCC unroll 4
      for (int r = 0; r < 4; r++)
        {
          av[r] = (__m512bh) _mm512_loadu_si512 (a + (size_t) r * stride + w);
          bv[r] = (__m512bh) _mm512_loadu_si512 (b + (size_t) r * stride + w);
        }
#pragma GCC unroll 4
      for (int r = 0; r < 4; r++)
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++)
          acc[r][j] = _mm512_dpbf16_ps (acc[r][j], av[r], bv[j]);
    }

  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++)
      {
        float *cp = c + (size_t) r * ldc + j;
        const float dot = alpha * _mm512_reduce_add_ps (acc[r][j]);
        *cp = beta != 0.0f ? dot + beta * *cp : dot;
      }
}

static BF16_TARGET void
sbgemm_dot (int m, int n, int k, float alpha, const float *a, int lda,
            const float *b, int ldb, float beta, float *c, int ldc)
{
  const int mp = (m + 3) / 4 * 4, np = (n + 3) / 4 * 4;
  Buffers *bufs = buffers ();

  for (int k0 = 0; k0 < k; k0 += KD)
    {
      const int kc = MIN (KD, k - k0);
      const int stride = ((kc + 1) / 2 + 15) / 16 * 16;
      guint32 *pa = bufs->b, *pb = pa + (size_t) mp * stride;
      pack_rows (a + k0, lda, m, kc, stride, stride, pa);
      memset (pa + (size_t) m * stride, 0,
              (size_t) (mp - m) * stride * sizeof *pa);
      pack_rows (b + k0, ldb, n, kc, stride, stride, pb);
      memset (pb + (size_t) n * stride, 0,
              (size_t) (np - n) * stride * sizeof *pb);
      for (int i = 0; i < m; i += 4)
        for (int j = 0; j < n; j += 4)
          dot_tile (stride, pa + (size_t) i * stride, pb + (size_t) j * stride,
                    stride, c + (size_t) i * ldc + j, ldc, MIN (4, m - i),
                    MIN (4, n - j), alpha, k0 == 0 ? beta : 1.0f);
    }
}

/* The sum of @count products (gn__sbgemm_sum()), each K block packing
 * B's @count blocks side by side and A's rows once for all of them:
 * term t reads the packed rows @shift t further on. */
static BF16_TARGET void
sbgemm_sum (CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k,
            int count, int shift, float alpha, const float *a, int lda,
            const float *b, size_t b_stride, int ldb, float beta, float *c,
            int ldc)
{
  const Shape s = shape_for (m, n);
  const int nr = 16 * s.nv, ncb = NC / count / nr * nr;
  const int extra = (count - 1) * shift;          /* rows past the block */
  const int mcb = (MC - extra) / s.mr * s.mr;
  Buffers *bufs = buffers ();

  for (int j0 = 0; j0 < n; j0 += ncb)
    {
      const int nc = MIN (ncb, n - j0);
      for (int k0 = 0; k0 < k; k0 += KC)
        {
          const int kc = MIN (KC, k - k0), kp = (kc + 1) / 2;
          const size_t bsize = (size_t) (nc + nr - 1) / nr * nr * kp;
          for (int t = 0; t < count; t++)
            pack_b (tb, b + t * b_stride, ldb, j0, nc, k0, kc, nr,
                    bufs->b + t * bsize);
          for (int i0 = 0; i0 < m; i0 += mcb)
            {
              const int mc = MIN (mcb, m - i0);
              pack_a (ta, a, lda, i0, mc + extra, k0, kc,
                      (mc + s.mr - 1) / s.mr * s.mr + extra, bufs->a);
              for (int jp = 0; jp < nc; jp += nr)
                for (int ip = 0; ip < mc; ip += s.mr)
                  for (int t = 0; t < count; t++)
                    s.fn (kp, bufs->a + (size_t) (ip + t * shift) * ASTRIDE,
                          bufs->b + t * bsize + (size_t) jp * kp,
                          c + (size_t) (i0 + ip) * ldc + j0 + jp, ldc,
                          MIN (s.mr, mc - ip), MIN (nr, nc - jp), alpha,
                          k0 == 0 && t == 0 ? beta : 1.0f);
            }
        }
    }
}

/* The products of one A with @count K-shifted views of B
 * (gn__sbgemm_kshift()): each K block packs A once and B's rows for all
 * views at once, view t reading the packed pairs @shift / 2 t further on
 * (@shift even, so the pairs line up).  An odd last block's zero partner
 * in A cancels whatever row of B its pair holds. */
static BF16_TARGET void
sbgemm_kshift (int m, int n, int k, int count, int shift, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta,
               float *c, size_t c_stride, int ldc)
{
  const Shape s = shape_for (m, n);
  const int extra = (count - 1) * shift;
  const int nr = 16 * s.nv;
  const int ncb = (int) ((gsize) NC * KC / (KC + extra + 1)) / nr * nr;
  Buffers *bufs = buffers ();

  for (int j0 = 0; j0 < n; j0 += ncb)
    {
      const int nc = MIN (ncb, n - j0);
      for (int k0 = 0; k0 < k; k0 += KC)
        {
          const int kc = MIN (KC, k - k0), kp = (kc + 1) / 2;
          const int kpu = (kc + extra + 1) / 2;   /* pairs of the union */
          pack_b (CblasNoTrans, b, ldb, j0, nc, k0, kc + extra, nr, bufs->b);
          for (int i0 = 0; i0 < m; i0 += MC)
            {
              const int mc = MIN (MC, m - i0);
              pack_a (CblasNoTrans, a, lda, i0, mc, k0, kc,
                      (mc + s.mr - 1) / s.mr * s.mr, bufs->a);
              for (int t = 0; t < count; t++)
                for (int jp = 0; jp < nc; jp += nr)
                  for (int ip = 0; ip < mc; ip += s.mr)
                    s.fn (kp, bufs->a + (size_t) ip * ASTRIDE,
                          bufs->b + (size_t) jp * kpu
                          + (size_t) t * shift / 2 * nr,
                          c + t * c_stride + (size_t) (i0 + ip) * ldc + j0
                          + jp, ldc, MIN (s.mr, mc - ip), MIN (nr, nc - jp),
                          alpha, k0 == 0 ? beta : 1.0f);
            }
        }
    }
}

#endif /* HAVE_BF16_KERNEL */

/* C = beta C, as BLAS defines it for k = 0 or alpha = 0 (beta 0 writes
 * zeros whatever C held) */
static void
scale_c (int m, int n, float beta, float *c, int ldc)
{
  for (int i = 0; i < m; i++)
    {
      float *row = c + (size_t) i * ldc;
      for (int j = 0; j < n; j++)
        row[j] = beta == 0.0f ? 0.0f : beta * row[j];
    }
}

void
gn__sbgemm (CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k,
            float alpha, const float *a, int lda, const float *b, int ldb,
            float beta, float *c, int ldc)
{
  gn__sbgemm_sum (ta, tb, m, n, k, 1, 0, alpha, a, lda, b, 0, ldb, beta, c,
                  ldc);
}

void
gn__sbgemm_sum (CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k,
                int count, int shift, float alpha, const float *a, int lda,
                const float *b, size_t b_stride, int ldb, float beta,
                float *c, int ldc)
{
  g_return_if_fail (gn__sbgemm_cpu_supported ());
  g_return_if_fail (count >= 1 && shift >= 0);
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0 || alpha == 0.0f)
    {
      if (beta != 1.0f)
        scale_c (m, n, beta, c, ldc);
      return;
    }
#ifdef HAVE_BF16_KERNEL
  /* a single product with both operands K-contiguous, small M and N
   * and K long enough for the lane sums to vanish goes to the dot path
   * (measured: 16 x 16 x 1024 1.2x sgemm, 32 x 32 x 256 0.86x); the terms of a sum share packed rows while B's
   * blocks and the shifted rows fit the buffers with room to spare, and
   * past that run one at a time */
  if (count == 1 && ta == CblasNoTrans && tb == CblasTrans && m <= 32
      && n <= 32 && k >= 512)
    sbgemm_dot (m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else if (count == 1 || (count * 64 <= NC && (count - 1) * shift <= MC / 2))
    sbgemm_sum (ta, tb, m, n, k, count, shift, alpha, a, lda, b, b_stride,
                ldb, beta, c, ldc);
  else
    for (int t = 0; t < count; t++)
      sbgemm_sum (ta, tb, m, n, k, 1, 0, alpha,
                  a + (size_t) t * shift * (ta == CblasNoTrans ? lda : 1),
                  lda, b + t * b_stride, 0, ldb, t ? 1.0f : beta, c, ldc);
#else
  (void) ta; (void) tb; (void) a; (void) lda; (void) b; (void) ldb;
  (void) b_stride;
#endif
}

void
gn__sbgemm_kshift (int m, int n, int k, int count, int shift, float alpha,
                   const float *a, int lda, const float *b, int ldb,
                   float beta, float *c, size_t c_stride, int ldc)
{
  g_return_if_fail (gn__sbgemm_cpu_supported ());
  g_return_if_fail (count >= 1 && shift >= 0);
#ifdef HAVE_BF16_KERNEL
  /* shared packing needs pairs that line up and room for the union */
  if (m > 0 && n > 0 && k > 0 && alpha != 0.0f && shift % 2 == 0
      && (count - 1) * shift <= 4 * KC)
    {
      sbgemm_kshift (m, n, k, count, shift, alpha, a, lda, b, ldb, beta, c,
                     c_stride, ldc);
      return;
    }
#endif
  for (int t = 0; t < count; t++)
    gn__sbgemm (CblasNoTrans, CblasNoTrans, m, n, k, alpha, a, lda,
                b + (size_t) t * shift * ldb, ldb, beta, c + t * c_stride,
                ldc);
}
