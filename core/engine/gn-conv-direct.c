/* gn-conv-direct.c - direct depthwise and grouped convolution
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A group that reads one input channel (depthwise) or a few (ResNeXt's
 * groups) makes sgemm products of width one to a few dozen: mostly
 * overhead.  Here each group is convolved directly, a few planes at a
 * time, all of them in L1.
 *
 * Flat planes.  Each input plane is copied, zero-padded, into a "flat"
 * plane: rows of a fixed pitch P laid end to end.  Output pixel
 * q = oy P + ox then reads tap (i, j) at q + i dil_h P + j dil_w, the
 * same offset for every pixel, so a whole output plane is ONE run of
 * floats (its P - out_w junk columns per row are dropped on the way out)
 * and each tap one source pointer: the inner loop is a multiply-add of a
 * source vector and a broadcast weight into accumulators that stay in
 * registers across all taps (gn-conv-simd.h).  Rows overlap their
 * padding: the zeros right of one row are the zeros left of the next, so
 * P is in_w + pad_w, not in_w + 2 pad_w.  Images do the same with their
 * rows: the planes of several images of one channel, which share the
 * weights, are stacked into one flat plane, so small planes (8x8) still
 * make runs long enough for the per-run work to vanish (a "chunk").
 *
 * Strides.  A stride-s convolution is s_h s_w stride-1 ones: the padded
 * plane is split into its phases, plane (a, b) holding pixels
 * (s_h m + a, s_w k + b), and tap (i, j) reads phase (i dil_h mod s_h,
 * j dil_w mod s_w) at offset (i dil_h / s_h) P + j dil_w / s_w.  Every
 * load stays contiguous.
 *
 * dX is the same correlation run backwards: dy is copied into a flat
 * plane with a margin of (k - 1) dil / s zero rows and columns, and each
 * phase of the padded dX plane is a correlation of it with the taps of
 * that phase, flipped; the phases are added into dx.  dW is, per output
 * plane, one dot product per tap of dy's flat plane with the shifted
 * input phase (the junk columns of dy's plane are zero, so they add
 * nothing), accumulated over the batch in double.
 *
 * The copies cost one pass over each plane; the borders, margins and
 * slack of every flat plane are zeroed once per call, only the interiors
 * per chunk.  At stride 2 the rows are split into their phases and dX's
 * phases merged back by vector shuffles.  docs/benchmarks.md has the
 * measurements.
 */
#include "config.h"

#include "gn-conv-direct.h"

#include <string.h>

/* Taps of one output plane (in_c / groups kh kw) or of one dX plane
 * (out_c / groups kh kw): the tables live on the stack. */
#define MAX_TAPS 1024

/* Strides up to 8x8: a plane per phase, the phases' tables on the stack */
#define MAX_PHASES 64

/* The widest groups (input channels) taken here rather than by sgemm,
 * and the widest whose weight gradient is computed here too: measured
 * with bench/bench-conv (docs/benchmarks.md).  Up to 64 channels the
 * forward pass and dX ran 1.3-2x faster here than by per-group sgemm;
 * dW only up to 8 (at 16 it was a tie, at 32 half as fast). */
#define MAX_GROUP_WIDTH 64
#define MAX_DW_GROUP_WIDTH 8

/* Output (or dX) planes computed together, sharing their source loads. */
#define O_BLOCK 4

#define OVERRUN GN_DIRECT_OVERRUN

/* ------------------------------------------------------------------ */
/* The inner loops, once per instruction set                           */
/* ------------------------------------------------------------------ */

#define GN_CAT_(a, b) a##b
#define GN_CAT(a, b) GN_CAT_ (a, b)

#define SIMD(name) GN_CAT (name, _generic)
#define SIMD_TARGET
#define SIMD_BYTES 16
#define SIMD_R1 8
#define SIMD_R4 2
#define SIMD_TG 8
#define SIMD_TG4 2
#include "gn-conv-simd.h"
#undef SIMD
#undef SIMD_TARGET
#undef SIMD_BYTES
#undef SIMD_R1
#undef SIMD_R4
#undef SIMD_TG
#undef SIMD_TG4

/* x86-64 also gets AVX2 and AVX-512 builds, picked at run time (define
 * GN_NO_ISA_DISPATCH to build the generic loops alone) */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) \
    && !defined(GN_NO_ISA_DISPATCH)
#define HAVE_X86_DISPATCH 1

#define SIMD(name) GN_CAT (name, _avx2)
#define SIMD_TARGET __attribute__ ((target ("avx2,fma")))
#define SIMD_BYTES 32
#define SIMD_R1 8
#define SIMD_R4 2
#define SIMD_TG 8
#define SIMD_TG4 2
#include "gn-conv-simd.h"
#undef SIMD
#undef SIMD_TARGET
#undef SIMD_BYTES
#undef SIMD_R1
#undef SIMD_R4
#undef SIMD_TG
#undef SIMD_TG4

#define SIMD(name) GN_CAT (name, _avx512)
#define SIMD_TARGET __attribute__ ((target ("avx512f,avx2,fma")))
#define SIMD_BYTES 64
#define SIMD_R1 8
#define SIMD_R4 4
#define SIMD_TG 8
#define SIMD_TG4 4
#include "gn-conv-simd.h"
#undef SIMD
#undef SIMD_TARGET
#undef SIMD_BYTES
#undef SIMD_R1
#undef SIMD_R4
#undef SIMD_TG
#undef SIMD_TG4
#endif

typedef struct {
  void (*corr) (size_t n, int T, const float *const *src, const float *w,
                size_t ws, int O, const float *init, float *const *out);
  void (*dots) (size_t n, int T, const float *const *src, int O,
                const float *const *a, double *acc);
  void (*split2) (const float *src, int n, float *even, float *odd);
  void (*add_interleave2) (float *dst, int n, const float *even,
                           const float *odd);
  const char *name;
} Isa;

static const Isa isa_generic = {
  corr_generic, dots_generic, split2_generic, add_interleave2_generic,
  "generic"
};
#ifdef HAVE_X86_DISPATCH
static const Isa isa_avx2 = {
  corr_avx2, dots_avx2, split2_avx2, add_interleave2_avx2, "avx2"
};
static const Isa isa_avx512 = {
  corr_avx512, dots_avx512, split2_avx512, add_interleave2_avx512, "avx512"
};
#endif

static const Isa *isa_forced;

static const Isa *
isa_of (GnConvIsa which)
{
#ifdef HAVE_X86_DISPATCH
  __builtin_cpu_init ();
  gboolean avx2 = __builtin_cpu_supports ("avx2")
                  && __builtin_cpu_supports ("fma");
  gboolean avx512 = avx2 && __builtin_cpu_supports ("avx512f");
  switch (which)
    {
    case GN_CONV_ISA_AUTO:
      return avx512 ? &isa_avx512 : avx2 ? &isa_avx2 : &isa_generic;
    case GN_CONV_ISA_AVX512:
      return avx512 ? &isa_avx512 : NULL;
    case GN_CONV_ISA_AVX2:
      return avx2 ? &isa_avx2 : NULL;
    case GN_CONV_ISA_GENERIC:
    default:
      return &isa_generic;
    }
#else
  return which == GN_CONV_ISA_AUTO || which == GN_CONV_ISA_GENERIC
         ? &isa_generic : NULL;
#endif
}

static const Isa *
isa (void)
{
  static const Isa *best;
  static gsize once;
  const Isa *forced = g_atomic_pointer_get (&isa_forced);
  if (forced != NULL)
    return forced;
  if (g_once_init_enter (&once))
    {
      best = isa_of (GN_CONV_ISA_AUTO);
      g_once_init_leave (&once, 1);
    }
  return best;
}

gboolean
gn__conv_direct_set_isa (GnConvIsa which)
{
  const Isa *i = which == GN_CONV_ISA_AUTO ? NULL : isa_of (which);
  if (which != GN_CONV_ISA_AUTO && i == NULL)
    return FALSE;
  g_atomic_pointer_set (&isa_forced, i);
  return TRUE;
}

const char *
gn__conv_direct_isa_name (void)
{
  return isa ()->name;
}

/* ------------------------------------------------------------------ */
/* Flat layout                                                         */
/* ------------------------------------------------------------------ */

/* ceil (a / b) for b > 0 and any a */
static inline int
ceil_div (int a, int b)
{
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

/* Floats of the flat planes one chunk of images works on (its input
 * phases and output planes): runs long enough that the per-run work is
 * small beside the taps, planes few enough to stay in L1. */
#define CHUNK_FLOATS 4096

/* The flat planes of one call (see the top of the file). */
typedef struct {
  int G, cig, ocg, kk, nph;   /* groups, channels per group, taps, phases */
  int P;                      /* the pitch of every flat plane            */
  int RO;                     /* rows per image, in every flat plane      */
  int nb;                     /* images per chunk                         */
  size_t xplane;              /* floats of one input phase plane          */
  size_t yplane;              /* floats of one output run buffer          */
  /* backward only */
  int mh, mw;                 /* dy's margin in its flat plane            */
  size_t eplane;              /* floats of dy's flat plane                */
  size_t dxplane;             /* floats of one dX phase run buffer        */
} Flat;

/* The output run of @nb images: (nb - 1) RO + out_h rows, the last one
 * cut at out_w. */
static inline size_t
out_run (const GnConv2dGeom *g, const Flat *f, int nb)
{
  return (size_t) ((nb - 1) * f->RO + g->out_h - 1) * f->P + g->out_w;
}

/* The part of dX phase (a, b) inside the unpadded input: per image, rows
 * [m0, m1) and columns [k0, k1); for @nb images the run they span in
 * the phase's flat grid, from q0 on. */
typedef struct {
  int m0, m1, k0, k1;
  size_t q0, n;
} Range;

static gboolean
phase_range (const GnConv2dGeom *g, const Flat *f, int nb, int a, int b,
             Range *r)
{
  r->m0 = MAX (0, ceil_div (g->pad_h - a, g->stride_h));
  r->m1 = ceil_div (g->pad_h + g->in_h - a, g->stride_h);
  r->k0 = MAX (0, ceil_div (g->pad_w - b, g->stride_w));
  r->k1 = ceil_div (g->pad_w + g->in_w - b, g->stride_w);
  if (r->m1 <= r->m0 || r->k1 <= r->k0)
    return FALSE;
  r->q0 = (size_t) r->m0 * f->P + r->k0;
  r->n = (size_t) ((nb - 1) * f->RO + r->m1 - 1) * f->P + r->k1 - r->q0;
  return TRUE;
}

static void
flat_init (Flat *f, const GnConv2dGeom *g, gboolean backward)
{
  const int sh = g->stride_h, sw = g->stride_w;
  const int wp = g->in_w + 2 * g->pad_w;
  const int cols = ceil_div (wp, sw);
  const int inside_w = ceil_div (g->pad_w + g->in_w, sw);
  const int inside_h = ceil_div (g->pad_h + g->in_h, sh);

  f->G = g->groups;
  f->cig = g->in_c / g->groups;
  f->ocg = g->out_c / g->groups;
  f->kk = g->kh * g->kw;
  f->nph = sh * sw;
  /* Every column inside the input gets its own; the columns a row
   * leaves out are right padding, read as the next row's left padding.
   * Rows likewise: an image's bottom padding is the next one's top. */
  f->P = MAX (g->out_w, MAX (inside_w, cols - g->pad_w / sw));
  f->RO = MAX (g->out_h, inside_h);
  f->mh = f->mw = 0;
  if (backward)
    {
      /* dy's flat plane needs a margin of zeros above and left of each
       * image, as wide as the kernel reaches back */
      f->mh = ceil_div ((g->kh - 1) * g->dil_h, sh);
      f->mw = ceil_div ((g->kw - 1) * g->dil_w, sw);
      f->P = MAX (f->P, f->mw + g->out_w);
      f->RO = MAX (f->RO, f->mh + g->out_h);
    }
  const size_t P = (size_t) f->P;
  const size_t image = (size_t) f->RO * P;
  const size_t planes = (size_t) f->cig * f->nph + MIN (f->ocg, O_BLOCK);
  /* the backward pass's dot products reduce their vectors once per run:
   * longer runs, from L2, were faster there */
  const size_t chunk = (size_t) (backward ? 4 : 1) * CHUNK_FLOATS;
  f->nb = (int) CLAMP (chunk / (image * planes), (size_t) 1, (size_t) g->n);
  const size_t off_max = (size_t) ((g->kh - 1) * g->dil_h / sh) * P
                         + (size_t) ((g->kw - 1) * g->dil_w / sw);
  const size_t run = out_run (g, f, f->nb);
  /* rows up to the last image's bottom padding */
  const size_t rows = (size_t) ceil_div ((f->nb - 1) * f->RO * sh
                                         + g->in_h + 2 * g->pad_h, sh);
  f->xplane = MAX (rows * P, run + off_max) + OVERRUN;
  f->yplane = run + OVERRUN;
  f->eplane = f->dxplane = 0;
  if (backward)
    {
      size_t reach = run, longest = 0;
      for (int a = 0; a < sh; a++)
        for (int b = 0; b < sw; b++)
          {
            Range r;
            if (phase_range (g, f, f->nb, a, b, &r))
              {
                reach = MAX (reach, r.q0 + r.n);
                longest = MAX (longest, r.n);
              }
          }
      f->eplane = MAX ((size_t) f->nb * image,
                       (size_t) f->mh * P + f->mw + reach) + OVERRUN;
      f->dxplane = longest + OVERRUN;
    }
}

gboolean
gn__conv_direct_wanted (const GnConv2dGeom *g)
{
  const size_t cig = (size_t) (g->in_c / g->groups);
  const size_t ocg = (size_t) (g->out_c / g->groups);
  const size_t kk = (size_t) g->kh * g->kw;
  if (cig * kk > MAX_TAPS || ocg * kk > MAX_TAPS
      || g->stride_h * g->stride_w > MAX_PHASES)
    return FALSE;
  return cig == 1 || (g->groups > 1 && cig <= MAX_GROUP_WIDTH);
}

gboolean
gn__conv_direct_dw_wanted (const GnConv2dGeom *g)
{
  return g->in_c / g->groups <= MAX_DW_GROUP_WIDTH;
}

size_t
gn__conv_direct_scratch_floats (const GnConv2dGeom *g)
{
  Flat f, b;
  flat_init (&f, g, FALSE);
  flat_init (&b, g, TRUE);
  const size_t wg = (size_t) b.cig * b.ocg * b.kk;   /* weights per group */
  const size_t fwd = (size_t) f.cig * f.nph * f.xplane
                     + (size_t) O_BLOCK * f.yplane;
  const size_t bwd = 2 * wg + wg + (size_t) b.cig * b.nph * b.xplane
                     + (size_t) b.ocg * b.eplane
                     + (size_t) 2 * O_BLOCK * b.dxplane;
  return MAX (fwd, bwd);
}

/* dst[0..n) = src[0..n) for the short rows of small planes, in blocks of
 * fixed size that the compiler inlines as vector moves: a call to
 * memcpy () per 8 to 32 floats cost more than the copy. */
static inline void
copy_floats (float *restrict d, const float *restrict s, int n)
{
  int k = 0;
  for (; k + 8 <= n; k += 8)
    memcpy (d + k, s + k, 8 * sizeof (float));
  if (k + 4 <= n)
    {
      memcpy (d + k, s + k, 4 * sizeof (float));
      k += 4;
    }
  for (; k < n; k++)
    d[k] = s[k];
}

/* Copies images [b0, b0 + nb) of the @cig planes of group @gi,
 * interiors only, into their phase planes (whose borders are zero).  No
 * division in the loops: they cost more than the copies. */
static void
fill_phases (const Isa *k, const GnConv2dGeom *g, const Flat *f,
             const float *x, int b0, int nb, int gi, float *phases)
{
  const int sh = g->stride_h, sw = g->stride_w, W = g->in_w;
  const size_t plane = (size_t) g->in_h * W;
  int first[MAX_PHASES], at[MAX_PHASES];

  /* phase column b holds the input columns first[b], first[b] + sw, ...
   * from its column at[b] on */
  for (int b = 0; b < sw; b++)
    {
      first[b] = ((b - g->pad_w) % sw + sw) % sw;
      at[b] = (first[b] + g->pad_w) / sw;
    }
  for (int c = 0; c < f->cig; c++)
    for (int j = 0; j < nb; j++)
      {
        const float *xr = x + ((size_t) (b0 + j) * g->in_c + gi * f->cig + c)
                              * plane;
        float *ph = phases + (size_t) c * f->nph * f->xplane
                    + (size_t) j * f->RO * f->P;
        /* padded row r + pad_h is row rm of row phase ra */
        int ra = g->pad_h % sh, rm = g->pad_h / sh;
        for (int r = 0; r < g->in_h; r++, xr += W)
          {
            float *row = ph + (size_t) ra * sw * f->xplane
                         + (size_t) rm * f->P;
            if (sw == 1)
              copy_floats (row + g->pad_w, xr, W);
            else if (sw == 2)
              {
                /* input column 0 goes to phase first[0] == 0 ? 0 : 1 */
                float *d0 = row + at[0], *d1 = row + f->xplane + at[1];
                if (first[0] == 0)
                  k->split2 (xr, W, d0, d1);
                else
                  k->split2 (xr, W, d1, d0);
              }
            else
              for (int b = 0; b < sw; b++)
                {
                  float *restrict d = row + (size_t) b * f->xplane + at[b];
                  for (int cc = first[b], i = 0; cc < W; cc += sw, i++)
                    d[i] = xr[cc];
                }
            if (++ra == sh)
              {
                ra = 0;
                rm++;
              }
          }
      }
}

/* The source of tap (c, i, j) of a forward pass (and of dW): the phase
 * plane it reads, at its offset. */
static void
forward_taps (const GnConv2dGeom *g, const Flat *f, const float *phases,
              const float **src)
{
  const int sh = g->stride_h, sw = g->stride_w;
  for (int c = 0; c < f->cig; c++)
    for (int i = 0; i < g->kh; i++)
      for (int j = 0; j < g->kw; j++)
        {
          const int y = i * g->dil_h, x = j * g->dil_w;
          const int p = (y % sh) * sw + x % sw;
          src[(c * g->kh + i) * g->kw + j] =
            phases + ((size_t) c * f->nph + p) * f->xplane
            + (size_t) (y / sh) * f->P + x / sw;
        }
}

/* ------------------------------------------------------------------ */
/* Forward                                                             */
/* ------------------------------------------------------------------ */

void
gn__conv_direct_forward (const GnConv2dGeom *g, const float *x,
                         const float *w, const float *b, float *y,
                         float *scratch)
{
  const Isa *k = isa ();
  Flat f;
  flat_init (&f, g, FALSE);
  const int T = f.cig * f.kk, oh = g->out_h, ow = g->out_w;
  const size_t pout = (size_t) oh * ow;
  float *phases = scratch;
  float *ybuf = phases + (size_t) f.cig * f.nph * f.xplane;
  float *outs[O_BLOCK];
  const float *src[MAX_TAPS];

  memset (phases, 0, (size_t) f.cig * f.nph * f.xplane * sizeof (float));
  for (int o = 0; o < O_BLOCK; o++)
    outs[o] = ybuf + (size_t) o * f.yplane;
  forward_taps (g, &f, phases, src);

  for (int b0 = 0; b0 < g->n; b0 += f.nb)
    for (int gi = 0; gi < f.G; gi++)
      {
        const int nb = MIN (f.nb, g->n - b0);
        fill_phases (k, g, &f, x, b0, nb, gi, phases);
        for (int o0 = 0; o0 < f.ocg; o0 += O_BLOCK)
          {
            const int O = MIN (O_BLOCK, f.ocg - o0), oc = gi * f.ocg + o0;
            float init[O_BLOCK] = { 0 };
            for (int o = 0; o < O && b != NULL; o++)
              init[o] = b[oc + o];
            k->corr (out_run (g, &f, nb), T, src, w + (size_t) oc * T,
                     (size_t) T, O, init, outs);
            for (int o = 0; o < O; o++)
              for (int j = 0; j < nb; j++)
                {
                  float *yo = y + ((size_t) (b0 + j) * g->out_c + oc + o)
                                  * pout;
                  const float *s = outs[o] + (size_t) j * f.RO * f.P;
                  for (int r = 0; r < oh; r++)
                    copy_floats (yo + (size_t) r * ow, s + (size_t) r * f.P,
                                 ow);
                }
          }
      }
}

/* ------------------------------------------------------------------ */
/* Backward                                                            */
/* ------------------------------------------------------------------ */

/* dX phase (a, b) of a group's input channel c gathers the taps (o, i, j)
 * with i dil_h = a and j dil_w = b (mod the strides), each reading dy
 * plane o at a fixed offset: the taps of all phases, phase by phase. */
typedef struct {
  int first[MAX_PHASES];      /* per phase: its taps' span in the lists */
  int count[MAX_PHASES];
  size_t off[MAX_TAPS];       /* dy plane o's start + the offset       */
  int widx[MAX_TAPS];         /* the tap's (o, i, j) in w's order      */
} DxTaps;

static void
dx_taps (const GnConv2dGeom *g, const Flat *f, DxTaps *d)
{
  const int sh = g->stride_h, sw = g->stride_w;
  int t = 0;
  for (int a = 0; a < sh; a++)
    for (int b = 0; b < sw; b++)
      {
        const int p = a * sw + b;
        d->first[p] = t;
        for (int o = 0; o < f->ocg; o++)
          for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++)
              {
                const int y = i * g->dil_h, x = j * g->dil_w;
                if (y % sh != a || x % sw != b)
                  continue;
                d->off[t] = (size_t) o * f->eplane
                            + (size_t) ((a - y) / sh + f->mh) * f->P
                            + (size_t) ((b - x) / sw + f->mw);
                d->widx[t] = (o * f->cig * g->kh + i) * g->kw + j;
                t++;
              }
        d->count[p] = t - d->first[p];
      }
}

/* Adds phase (a, b) of dX, computed over range @r of @nb images from @b0
 * on, into the input channels [c0, c0 + O). */
static void
dx_scatter (const GnConv2dGeom *g, const Flat *f, const Range *r, int a,
            int b, const float *const *bufs, int O, int b0, int nb, int c0,
            float *dx)
{
  const int sh = g->stride_h, sw = g->stride_w, W = g->in_w;
  const int len = r->k1 - r->k0;
  const size_t plane = (size_t) g->in_h * W;
  for (int o = 0; o < O; o++)
    for (int j = 0; j < nb; j++)
      {
        float *dc = dx + ((size_t) (b0 + j) * g->in_c + c0 + o) * plane;
        for (int m = r->m0; m < r->m1; m++)
          {
            const float *restrict s = bufs[o] + (size_t) (j * f->RO + m)
                                                * f->P + r->k0 - r->q0;
            float *restrict d = dc + (size_t) (sh * m + a - g->pad_h) * W
                                + (sw * r->k0 + b - g->pad_w);
            if (sw == 1)
              for (int i = 0; i < len; i++)
                d[i] += s[i];
            else
              for (int i = 0; i < len; i++)
                d[(size_t) i * sw] += s[i];
          }
      }
}

/* At stride 2 along the width, adds both column phases of row phase @a at
 * once, interleaved: one pass over each dx row (two passes, each
 * skipping every other float, would stall on each other's stores). */
static void
dx_scatter_pair (const Isa *k, const GnConv2dGeom *g, const Flat *f,
                 const Range r[2], int a, const float *const *bufs0,
                 const float *const *bufs1, int O, int b0, int nb, int c0,
                 float *dx)
{
  const int sh = g->stride_h, W = g->in_w;
  const size_t plane = (size_t) g->in_h * W;
  /* dx column 2i reads column phase pad_w mod 2, 2i + 1 the other, each
   * from its first column k0 on */
  const int pe = g->pad_w % 2;
  const Range *re = &r[pe], *ro = &r[1 - pe];
  for (int o = 0; o < O; o++)
    {
      const float *be = (pe == 0 ? bufs0 : bufs1)[o];
      const float *bo = (pe == 0 ? bufs1 : bufs0)[o];
      for (int j = 0; j < nb; j++)
        {
          float *dc = dx + ((size_t) (b0 + j) * g->in_c + c0 + o) * plane;
          for (int m = re->m0; m < re->m1; m++)
            {
              const size_t row = (size_t) (j * f->RO + m) * f->P;
              k->add_interleave2 (dc + (size_t) (sh * m + a - g->pad_h) * W,
                                  W, be + row + re->k0 - re->q0,
                                  bo + row + ro->k0 - ro->q0);
            }
        }
    }
}

/* Adds row phase @a of dX (its sw column phases) for @nb images from @b0
 * on into the group's input channels. */
static void
dx_row_phase (const Isa *k, const GnConv2dGeom *g, const Flat *f,
              const DxTaps *d, const float *wt, const float *eplanes,
              float *const *outs, int a, int b0, int nb, int gi, float *dx)
{
  static const float zeros[O_BLOCK] = { 0 };
  const int sw = g->stride_w;
  const float *src[MAX_TAPS];
  Range r[2];

  /* stride 2 with taps and pixels in both column phases: paired */
  if (sw == 2 && d->count[a * 2] > 0 && d->count[a * 2 + 1] > 0
      && phase_range (g, f, nb, a, 0, &r[0])
      && phase_range (g, f, nb, a, 1, &r[1]))
    {
      const int p = a * 2, t0 = d->count[p], t1 = d->count[p + 1];
      for (int t = 0; t < t0; t++)
        src[t] = eplanes + d->off[d->first[p] + t] + r[0].q0;
      for (int t = 0; t < t1; t++)
        src[t0 + t] = eplanes + d->off[d->first[p + 1] + t] + r[1].q0;
      for (int c0 = 0; c0 < f->cig; c0 += O_BLOCK)
        {
          const int O = MIN (O_BLOCK, f->cig - c0);
          k->corr (r[0].n, t0, src,
                   wt + (size_t) f->cig * d->first[p] + (size_t) c0 * t0,
                   (size_t) t0, O, zeros, outs);
          k->corr (r[1].n, t1, src + t0,
                   wt + (size_t) f->cig * d->first[p + 1]
                   + (size_t) c0 * t1, (size_t) t1, O, zeros,
                   outs + O_BLOCK);
          dx_scatter_pair (k, g, f, r, a, (const float *const *) outs,
                           (const float *const *) outs + O_BLOCK, O, b0, nb,
                           gi * f->cig + c0, dx);
        }
      return;
    }

  for (int b = 0; b < sw; b++)
    {
      const int p = a * sw + b, tp = d->count[p];
      if (tp == 0 || !phase_range (g, f, nb, a, b, &r[0]))
        continue;
      for (int t = 0; t < tp; t++)
        src[t] = eplanes + d->off[d->first[p] + t] + r[0].q0;
      for (int c0 = 0; c0 < f->cig; c0 += O_BLOCK)
        {
          const int O = MIN (O_BLOCK, f->cig - c0);
          k->corr (r[0].n, tp, src,
                   wt + (size_t) f->cig * d->first[p] + (size_t) c0 * tp,
                   (size_t) tp, O, zeros, outs);
          dx_scatter (g, f, &r[0], a, b, (const float *const *) outs, O, b0,
                      nb, gi * f->cig + c0, dx);
        }
    }
}

void
gn__conv_direct_backward (const GnConv2dGeom *g, const float *x,
                          const float *w, const float *dy, float *dx,
                          float *dw, float *scratch)
{
  if (dx == NULL && dw == NULL)
    return;
  const Isa *k = isa ();
  Flat f;
  flat_init (&f, g, TRUE);
  const int T = f.cig * f.kk, sh = g->stride_h;
  const size_t wg = (size_t) f.cig * f.ocg * f.kk;
  const size_t pout = (size_t) g->out_h * g->out_w;
  double *acc = (double *) (void *) scratch;     /* 2 wg floats */
  float *wt = scratch + 2 * wg;                  /* wg           */
  float *phases = wt + wg;
  float *eplanes = phases + (size_t) f.cig * f.nph * f.xplane;
  float *dxbuf = eplanes + (size_t) f.ocg * f.eplane;
  float *outs[2 * O_BLOCK];
  const float *xsrc[MAX_TAPS];
  float *dys[MAX_TAPS];
  DxTaps *d = NULL;
  DxTaps taps;

  if (dw != NULL)
    {
      memset (phases, 0, (size_t) f.cig * f.nph * f.xplane * sizeof (float));
      forward_taps (g, &f, phases, xsrc);
    }
  memset (eplanes, 0, (size_t) f.ocg * f.eplane * sizeof (float));
  for (int o = 0; o < 2 * O_BLOCK; o++)
    outs[o] = dxbuf + (size_t) o * f.dxplane;
  if (dx != NULL)
    {
      d = &taps;
      dx_taps (g, &f, d);
    }

  for (int gi = 0; gi < f.G; gi++)
    {
      /* the group's weights per phase as [c][tap], for O channels at once */
      if (d != NULL)
        for (int p = 0; p < f.nph; p++)
          for (int c = 0; c < f.cig; c++)
            for (int t = 0; t < d->count[p]; t++)
              wt[(size_t) f.cig * d->first[p] + (size_t) c * d->count[p] + t]
                = w[(size_t) gi * wg + c * f.kk + d->widx[d->first[p] + t]];
      if (dw != NULL)
        memset (acc, 0, wg * sizeof (double));

      for (int b0 = 0; b0 < g->n; b0 += f.nb)
        {
          const int nb = MIN (f.nb, g->n - b0);
          for (int o = 0; o < f.ocg; o++)
            for (int j = 0; j < nb; j++)
              {
                const float *dyo = dy + ((size_t) (b0 + j) * g->out_c
                                         + gi * f.ocg + o) * pout;
                float *e = eplanes + (size_t) o * f.eplane
                           + (size_t) (j * f.RO + f.mh) * f.P + f.mw;
                for (int r = 0; r < g->out_h; r++)
                  copy_floats (e + (size_t) r * f.P,
                               dyo + (size_t) r * g->out_w, g->out_w);
              }

          if (d != NULL)
            for (int a = 0; a < sh; a++)
              dx_row_phase (k, g, &f, d, wt, eplanes, outs, a, b0, nb, gi,
                            dx);

          if (dw != NULL)
            {
              const size_t run = out_run (g, &f, nb);
              fill_phases (k, g, &f, x, b0, nb, gi, phases);
              for (int o = 0; o < f.ocg; o++)
                {
                  dys[o] = eplanes + (size_t) o * f.eplane
                           + (size_t) f.mh * f.P + f.mw;
                  /* the dot products run past the end: in a short last
                   * chunk that would be the previous chunk's dy */
                  if (nb < f.nb)
                    memset (dys[o] + run, 0, OVERRUN * sizeof (float));
                }
              k->dots (run, T, xsrc, f.ocg, (const float *const *) dys,
                       acc);
            }
        }

      if (dw != NULL)
        for (size_t i = 0; i < wg; i++)
          dw[(size_t) gi * wg + i] += (float) acc[i];
    }
}
