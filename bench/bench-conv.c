/* bench-conv.c - throughput of the convolution kernels against sgemm
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Times gn_conv2d_forward() and the two halves of gn_conv2d_backward()
 * (dX alone, dW alone) on the shapes of the NAS-Bench-201 cells and
 * residual blocks, of the DARTS-family cells' depthwise convolutions and
 * of ResNeXt's grouped ones, and relates them to what cblas_sgemm reaches
 * on a square 512^3 product in the same run, on one OpenBLAS thread: the
 * percentage says how much of the machine's usable gemm speed survives
 * the unrolling, the layout copies and the small shapes.  sgemm is timed
 * again at the end so a run disturbed by other load shows it.
 *
 * With --baseline LIB it also times the same calls in another build of
 * libgennas (say, of the parent commit), loaded into this process, each
 * measurement of it next to the same measurement of this build: a before
 * and after in one run, under the same load.
 *
 * Without it, on a CPU with AVX512-BF16, every pass is also timed with
 * its products in bf16 (GN_PRECISION_BF16), right after the fp32 one, and
 * related both to the fp32 sgemm reference and to the core's bf16 peak.
 * That peak is taken as twice the fp32 one (vdpbf16ps does 32
 * multiply-adds per instruction where vfmadd231ps does 16, and Zen 4 and
 * 5 issue both at the same rate): the larger of what a register-only loop
 * of vdpbf16ps reaches (24 independent chains, no memory) and twice what
 * the same loop of fp32 FMAs reaches, both measured in the same run,
 * since a vendor figure for a (virtual) CPU is a guess, the clock under
 * load is not the nominal one, and the larger of two keeps other load
 * from making the percentages look better than they are.  The vdpbf16ps
 * loop's rate is printed as a multiple of the FMA loop's too: about 2
 * where bf16 products can pay, less where the CPU issues vdpbf16ps more
 * slowly (0.49 on an Intel Xeon of family 6 model 207, where that loop's
 * rate is then the bf16 peak).  It prints the
 * kernels OpenBLAS runs (openblas_get_corename()) too, and starts again
 * with better ones where OpenBLAS fell back to slow ones for a CPU it
 * does not know, as gennas does; OPENBLAS_CORETYPE in the environment
 * overrides both (docs/benchmarks.md).
 */
#define _GNU_SOURCE /* RTLD_DEEPBIND */
#include "config.h"

#include "gennas.h"

#include <cblas.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double opt_min_time = 1.0;
static int opt_trials = 10;
static int opt_batch = 16;
static char *opt_baseline = NULL;
static char *opt_only = NULL;
static char *opt_passes = NULL;

static GOptionEntry entries[] = {
  { "batch", 'n', 0, G_OPTION_ARG_INT, &opt_batch,
    "Batch size (default 16)", "N" },
  { "min-time", 't', 0, G_OPTION_ARG_DOUBLE, &opt_min_time,
    "Seconds spent on each measurement (default 1)", "S" },
  { "trials", 'r', 0, G_OPTION_ARG_INT, &opt_trials,
    "Timed trials per measurement; the best is kept (default 10)", "R" },
  { "baseline", 'b', 0, G_OPTION_ARG_FILENAME, &opt_baseline,
    "Also time the kernels of this libgennas.so, interleaved", "LIB" },
  { "only", 'o', 0, G_OPTION_ARG_STRING, &opt_only,
    "Only the shapes whose name contains TEXT (e.g. 'dw', 'g8')", "TEXT" },
  { "passes", 'p', 0, G_OPTION_ARG_STRING, &opt_passes,
    "Only these passes, of fwd, dx, dw (e.g. 'fwd,dw'; for profiling)",
    "LIST" },
  { NULL, 0, 0, 0, NULL, NULL, NULL }
};

typedef void (*BenchFn) (gpointer user);

/* Best seconds per call over opt_trials trials, each repeating the call
 * for at least min_time / trials seconds. */
static double
best_time (BenchFn fn, gpointer user)
{
  const double trial = opt_min_time / opt_trials;
  double best = G_MAXDOUBLE;

  fn (user); /* warm caches, page in the buffers */
  for (int r = 0; r < opt_trials; r++)
    {
      long calls = 0;
      gint64 t0 = g_get_monotonic_time (), el;
      do
        {
          fn (user);
          calls++;
          el = g_get_monotonic_time () - t0;
        }
      while (el < trial * 1e6);
      best = MIN (best, el * 1e-6 / calls);
    }
  return best;
}

typedef struct {
  int n;
  float *a, *b, *c;
} Gemm;

static void
run_gemm (gpointer user)
{
  Gemm *m = user;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m->n, m->n, m->n,
               1.0f, m->a, m->n, m->b, m->n, 0.0f, m->c, m->n);
}

/* The same product with bf16 operands, through the public API: a linear
 * layer of n inputs and outputs over n rows (c = a bᵀ). */
static void
run_sbgemm (gpointer user)
{
  Gemm *m = user;
  gn_linear_forward_precision (GN_PRECISION_BF16, m->n, m->n, m->n, m->a,
                               m->b, NULL, m->c);
}

/* Peak rates: GFLOP/s of a loop of 24 independent multiply-add chains in
 * registers, fp32 FMA or bf16 pairs, for @iters iterations. */
#if defined(__x86_64__) && ((defined(__clang__) && __clang_major__ >= 9) \
    || (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 10))
#include <immintrin.h>
#define HAVE_PEAK_LOOPS 1

#define PEAK_LOOP(acc, step, flops_per_step)                                \
  do {                                                                      \
    const gint64 t0 = g_get_monotonic_time ();                              \
    for (long it = 0; it < iters; it++)                                     \
      {                                                                     \
        _Pragma ("GCC unroll 24")                                           \
        for (int i = 0; i < 24; i++)                                        \
          acc[i] = step;                                                    \
        __asm__ volatile ("" : "+v" (x));                                   \
      }                                                                     \
    const double el = (g_get_monotonic_time () - t0) * 1e-6;                \
    float sum = 0;                                                          \
    for (int i = 0; i < 24; i++)                                            \
      sum += acc[i][0];                                                     \
    sink = sum;                                                             \
    return iters * 24.0 * (flops_per_step) / el * 1e-9;                     \
  } while (0)

static volatile float sink;

static __attribute__ ((target ("avx512f,fma"), noinline)) double
peak_fp32 (long iters)
{
  __m512 acc[24], x = _mm512_set1_ps (0.999f);
  for (int i = 0; i < 24; i++)
    acc[i] = _mm512_set1_ps ((float) i);
  PEAK_LOOP (acc, _mm512_fmadd_ps (acc[i], x, x), 16 * 2);
}

static __attribute__ ((target ("avx512f,avx512bf16"), noinline)) double
peak_bf16 (long iters)
{
  __m512 acc[24];
  __m512bh x = (__m512bh) _mm512_set1_epi32 (0x3f803f80);
  for (int i = 0; i < 24; i++)
    acc[i] = _mm512_set1_ps ((float) i);
  PEAK_LOOP (acc, _mm512_dpbf16_ps (acc[i], x, x), 16 * 2 * 2);
}
#endif

/* the best of @trials runs of about @seconds each */
static double
best_peak (double (*fn) (long), double seconds, int trials)
{
  double best = 0;
  long iters = 1000;
  while (iters * 24.0 * 64 / 200e9 < seconds / trials)
    iters *= 2;
  for (int r = 0; r < trials; r++)
    best = MAX (best, fn (iters));
  return best;
}

/* The kernels of one library: this build's, or the baseline's. */
typedef struct {
  void (*forward) (const GnConv2dGeom *, const float *, const float *,
                   const float *, float *, float *);
  void (*backward) (const GnConv2dGeom *, const float *, const float *,
                    const float *, float *, float *, float *, float *);
  size_t (*scratch_floats) (const GnConv2dGeom *);
} Kernels;

typedef struct {
  GnConv2dGeom g;
  const Kernels *k;    /* NULL: this build's, with bf16 products */
  float *x, *w, *b, *y, *dy, *dx, *dw, *db, *scratch;
} Conv;

static void
run_forward (gpointer user)
{
  Conv *c = user;
  if (c->k == NULL)
    gn_conv2d_forward_precision (&c->g, GN_PRECISION_BF16, c->x, c->w, c->b,
                                 c->y, c->scratch);
  else
    c->k->forward (&c->g, c->x, c->w, c->b, c->y, c->scratch);
}

static void
run_dx (gpointer user)
{
  Conv *c = user;
  if (c->k == NULL)
    gn_conv2d_backward_precision (&c->g, GN_PRECISION_BF16, c->x, c->w,
                                  c->dy, c->dx, NULL, NULL, c->scratch);
  else
    c->k->backward (&c->g, c->x, c->w, c->dy, c->dx, NULL, NULL,
                    c->scratch);
}

static void
run_dw (gpointer user)
{
  Conv *c = user;
  if (c->k == NULL)
    gn_conv2d_backward_precision (&c->g, GN_PRECISION_BF16, c->x, c->w,
                                  c->dy, NULL, c->dw, NULL, c->scratch);
  else
    c->k->backward (&c->g, c->x, c->w, c->dy, NULL, c->dw, NULL,
                    c->scratch);
}

static float *
filled (size_t count, guint32 seed)
{
  float *p = g_new (float, MAX (count, 1));
  GRand *r = g_rand_new_with_seed (seed);
  for (size_t i = 0; i < count; i++)
    p[i] = (float) g_rand_double_range (r, -1.0, 1.0);
  g_rand_free (r);
  return p;
}

static gboolean
load_baseline (const char *path, Kernels *k, GError **error)
{
  int flags = RTLD_NOW | RTLD_LOCAL;
#ifdef RTLD_DEEPBIND
  /* its own calls must reach its own gn_ functions, not this build's */
  flags |= RTLD_DEEPBIND;
#endif
  void *lib = dlopen (path, flags);
  if (lib == NULL)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED, "%s", dlerror ());
      return FALSE;
    }
  k->forward = (void (*) (const GnConv2dGeom *, const float *, const float *,
                          const float *, float *, float *))
               dlsym (lib, "gn_conv2d_forward");
  k->backward = (void (*) (const GnConv2dGeom *, const float *,
                           const float *, const float *, float *, float *,
                           float *, float *))
                dlsym (lib, "gn_conv2d_backward");
  k->scratch_floats = (size_t (*) (const GnConv2dGeom *))
                      dlsym (lib, "gn_conv2d_scratch_floats");
  if (k->forward == NULL || k->backward == NULL || k->scratch_floats == NULL)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "%s has no gn_conv2d_* functions", path);
      return FALSE;
    }
  return TRUE; /* the library stays loaded until the process ends */
}

/* The shapes: Cin -> Cout at hw x hw, a k x k kernel */
typedef struct {
  int cin, cout, hw, k, stride, dil, groups;
} Shape;

static const Shape shapes[] = {
  /* NB201's cells (Cin = Cout, stride 1, same padding), residual blocks */
  { 16, 16, 32, 3, 1, 1, 1 }, { 32, 32, 16, 3, 1, 1, 1 },
  { 64, 64, 8, 3, 1, 1, 1 },
  { 16, 16, 32, 1, 1, 1, 1 }, { 32, 32, 16, 1, 1, 1, 1 },
  { 64, 64, 8, 1, 1, 1, 1 },
  { 16, 32, 32, 3, 2, 1, 1 }, { 32, 64, 16, 3, 2, 1, 1 },
  /* DARTS-family cells: the depthwise halves of sep_conv (3, 5, 7) and
   * dil_conv (3 and 5, dilation 2), at the widths of the DARTS proxy
   * network (C, 2C, 4C for C = 16) and of larger ones (3C stems, C = 32,
   * 48), stride 1 ... */
  { 16, 16, 32, 3, 1, 1, 16 }, { 16, 16, 32, 5, 1, 1, 16 },
  { 16, 16, 32, 7, 1, 1, 16 }, { 16, 16, 32, 3, 1, 2, 16 },
  { 16, 16, 32, 5, 1, 2, 16 },
  { 48, 48, 32, 3, 1, 1, 48 }, { 48, 48, 32, 5, 1, 1, 48 },
  { 48, 48, 32, 7, 1, 1, 48 }, { 48, 48, 32, 3, 1, 2, 48 },
  { 48, 48, 32, 5, 1, 2, 48 },
  { 32, 32, 16, 3, 1, 1, 32 }, { 32, 32, 16, 5, 1, 1, 32 },
  { 32, 32, 16, 7, 1, 1, 32 }, { 32, 32, 16, 3, 1, 2, 32 },
  { 32, 32, 16, 5, 1, 2, 32 },
  { 96, 96, 16, 3, 1, 1, 96 }, { 96, 96, 16, 5, 1, 1, 96 },
  { 96, 96, 16, 7, 1, 1, 96 }, { 96, 96, 16, 3, 1, 2, 96 },
  { 96, 96, 16, 5, 1, 2, 96 },
  { 64, 64, 8, 3, 1, 1, 64 }, { 64, 64, 8, 5, 1, 1, 64 },
  { 64, 64, 8, 7, 1, 1, 64 }, { 64, 64, 8, 3, 1, 2, 64 },
  { 64, 64, 8, 5, 1, 2, 64 },
  { 128, 128, 8, 3, 1, 1, 128 }, { 128, 128, 8, 5, 1, 1, 128 },
  { 128, 128, 8, 7, 1, 1, 128 }, { 128, 128, 8, 3, 1, 2, 128 },
  { 192, 192, 8, 3, 1, 1, 192 }, { 192, 192, 8, 5, 1, 1, 192 },
  /* ... stride 2 (reduction cells: the input at the previous size) ... */
  { 32, 32, 32, 3, 2, 1, 32 }, { 32, 32, 32, 5, 2, 1, 32 },
  { 32, 32, 32, 7, 2, 1, 32 }, { 32, 32, 32, 3, 2, 2, 32 },
  { 32, 32, 32, 5, 2, 2, 32 },
  { 64, 64, 16, 3, 2, 1, 64 }, { 64, 64, 16, 5, 2, 1, 64 },
  { 64, 64, 16, 7, 2, 1, 64 }, { 64, 64, 16, 3, 2, 2, 64 },
  { 64, 64, 16, 5, 2, 2, 64 },
  { 128, 128, 16, 3, 2, 1, 128 },
  /* ... and a channel multiplier of 2 */
  { 16, 32, 32, 3, 1, 1, 16 }, { 32, 64, 16, 3, 1, 1, 32 },
  /* ResNeXt bottlenecks' grouped 3x3: group widths 4 to 64 */
  { 64, 64, 32, 3, 1, 1, 16 }, { 64, 64, 32, 3, 1, 1, 8 },
  { 64, 64, 32, 3, 1, 1, 2 },
  { 128, 128, 16, 3, 1, 1, 32 }, { 128, 128, 16, 3, 1, 1, 8 },
  { 128, 128, 16, 3, 1, 1, 4 },
  { 256, 256, 8, 3, 1, 1, 64 }, { 256, 256, 8, 3, 1, 1, 8 },
  { 256, 256, 8, 3, 1, 1, 4 },
  { 64, 64, 32, 3, 2, 1, 16 }, { 128, 128, 32, 3, 2, 1, 8 },
  { 128, 128, 16, 3, 2, 1, 32 }, { 256, 256, 16, 3, 2, 1, 8 },
};

static void
shape_name (const Shape *s, char *name, size_t size)
{
  char k[32], what[32];
  if (s->stride > 1)
    g_snprintf (k, sizeof k, "%dx%d/%d", s->k, s->k, s->stride);
  else
    g_snprintf (k, sizeof k, "%dx%d", s->k, s->k);
  if (s->dil > 1)
    g_strlcat (k, " d2", sizeof k);
  if (s->groups == s->cin && s->cout == s->cin)
    g_snprintf (what, sizeof what, "dw %dch", s->cin);
  else if (s->groups == s->cin)
    g_snprintf (what, sizeof what, "dw %d>%dch", s->cin, s->cout);
  else if (s->groups > 1)
    g_snprintf (what, sizeof what, "g%d %dch", s->groups, s->cin);
  else if (s->cin != s->cout)
    g_snprintf (what, sizeof what, "%d>%dch", s->cin, s->cout);
  else
    g_snprintf (what, sizeof what, "%dch", s->cin);
  g_snprintf (name, size, "%s %s %dx%d", k, what, s->hw, s->hw);
}

enum { FWD, DX, DW, N_PASS };
static const BenchFn pass_fn[N_PASS] = { run_forward, run_dx, run_dw };
static const char *const pass_name[N_PASS] = { "fwd", "dx", "dw" };

int
main (int argc, char **argv)
{
  /* the kernels gennas runs (cli/gennas.c) */
  gn_blas_restart_with_better_kernels (argv);
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new ("- benchmark the conv kernels");
  g_option_context_set_summary (ctx,
    "Prints GFLOP/s of gn_conv2d_forward() and of gn_conv2d_backward()'s\n"
    "dX and dW (each asked for alone) on NAS-Bench-201, DARTS-family\n"
    "depthwise and ResNeXt grouped shapes, and each rate as a percentage\n"
    "of cblas_sgemm on a 512^3 product, all on one BLAS thread; on a CPU\n"
    "with AVX512-BF16 (and without --baseline) the same with bf16\n"
    "products, also as a percentage of the core's measured bf16 peak.\n"
    "FLOPs of each pass: 2*Cout*Cin/g*kh*kw*N*P (P = output pixels).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bench-conv: %s\n", error->message);
      g_error_free (error);
      g_option_context_free (ctx);
      return 2;
    }
  g_option_context_free (ctx);
  if (opt_batch < 1 || opt_trials < 1 || opt_min_time <= 0.0)
    {
      g_printerr ("bench-conv: --batch, --trials and --min-time must be "
                  "positive\n");
      return 2;
    }

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads (1);
#endif

  const Kernels mine = { gn_conv2d_forward, gn_conv2d_backward,
                         gn_conv2d_scratch_floats };
  Kernels base;
  if (opt_baseline != NULL && !load_baseline (opt_baseline, &base, &error))
    {
      g_printerr ("bench-conv: --baseline: %s\n", error->message);
      g_error_free (error);
      return 1;
    }
  const int n_libs = opt_baseline != NULL ? 2 : 1;
  const Kernels *libs[2] = { opt_baseline != NULL ? &base : &mine, &mine };
  /* the second column of timings: the baseline's, or bf16's */
  const gboolean bf16 = opt_baseline == NULL
                        && gn_precision_supported (GN_PRECISION_BF16);
  const int n_cols = n_libs == 2 || bf16 ? 2 : 1;

  Gemm m = { 512, NULL, NULL, NULL };
  m.a = filled ((size_t) m.n * m.n, 1);
  m.b = filled ((size_t) m.n * m.n, 2);
  m.c = filled ((size_t) m.n * m.n, 3);
  const double gemm_flops = 2.0 * m.n * m.n * m.n;
  const double gemm_first = gemm_flops / best_time (run_gemm, &m) * 1e-9;
  double sbgemm_rate = NAN, peak32 = NAN, peak16 = NAN, loop16 = NAN;
  if (bf16)
    {
      sbgemm_rate = gemm_flops / best_time (run_sbgemm, &m) * 1e-9;
#ifdef HAVE_PEAK_LOOPS
      peak32 = best_peak (peak_fp32, opt_min_time, opt_trials);
      loop16 = best_peak (peak_bf16, opt_min_time, opt_trials);
      /* a CPU that issues vdpbf16ps slower than its FMAs (not load, which
       * would not halve one loop and spare the other) has that loop's
       * rate as its bf16 peak */
      peak16 = loop16 < peak32 ? loop16 : MAX (loop16, 2 * peak32);
#endif
    }

  const size_t ns = G_N_ELEMENTS (shapes);
  double *flops = g_new0 (double, ns);
  double (*t)[2][N_PASS] = g_malloc0_n (ns, sizeof *t);
  gboolean *run = g_new0 (gboolean, ns);

  for (size_t s = 0; s < ns; s++)
    {
      const Shape *sh = &shapes[s];
      char name[64];
      shape_name (sh, name, sizeof name);
      if (opt_only != NULL && strstr (name, opt_only) == NULL)
        continue;
      run[s] = TRUE;
      const int kk = sh->k;
      Conv c = { .g = {
        .n = opt_batch, .in_c = sh->cin, .in_h = sh->hw, .in_w = sh->hw,
        .out_c = sh->cout, .kh = kk, .kw = kk, .stride_h = sh->stride,
        .stride_w = sh->stride, .pad_h = kk / 2 * sh->dil,
        .pad_w = kk / 2 * sh->dil, .dil_h = sh->dil, .dil_w = sh->dil,
        .groups = sh->groups } };
      if (!gn_conv2d_geom_init (&c.g, &error))
        g_error ("%s", error->message);

      const size_t xs = (size_t) c.g.n * sh->cin * sh->hw * sh->hw;
      const size_t ys = (size_t) c.g.n * sh->cout * c.g.out_h * c.g.out_w;
      const size_t ws = gn_conv2d_weight_size (&c.g);
      size_t ss = 0;
      for (int l = 0; l < n_libs; l++)
        ss = MAX (ss, libs[l]->scratch_floats (&c.g));
      c.x = filled (xs, 10);
      c.w = filled (ws, 11);
      c.b = filled (sh->cout, 12);
      c.y = filled (ys, 13);
      c.dy = filled (ys, 14);
      c.dx = filled (xs, 15);
      c.dw = filled (ws, 16);
      c.db = filled (sh->cout, 17);
      c.scratch = filled (ss, 18);

      flops[s] = 2.0 * sh->cout * (sh->cin / sh->groups) * kk * kk * c.g.n
                 * c.g.out_h * c.g.out_w;
      /* each pass of the baseline right before the same pass of this
       * build, so both see the same load */
      for (int p = 0; p < N_PASS; p++)
        for (int l = 0; l < n_cols; l++)
          {
            c.k = l < n_libs ? libs[l] : NULL;
            t[s][l][p] = opt_passes == NULL
                         || strstr (opt_passes, pass_name[p]) != NULL
                         ? best_time (pass_fn[p], &c) : NAN;
          }

      g_free (c.x);
      g_free (c.w);
      g_free (c.b);
      g_free (c.y);
      g_free (c.dy);
      g_free (c.dx);
      g_free (c.dw);
      g_free (c.db);
      g_free (c.scratch);
    }

  /* the better of two sgemm runs, so other load on the machine cannot make
   * the percentages look better than they are */
  const double gemm_last = gemm_flops / best_time (run_gemm, &m) * 1e-9;
  const double gemm_rate = MAX (gemm_first, gemm_last);
  g_free (m.a);
  g_free (m.b);
  g_free (m.c);

  char *kernels = gn_blas_describe_kernels ();
  printf ("OpenBLAS kernels: %s\n", kernels);
  g_free (kernels);
  printf ("sgemm 512x512x512, 1 thread: %.1f GFLOP/s (%.1f at the start, "
          "%.1f at the end)\n", gemm_rate, gemm_first, gemm_last);
  if (bf16)
    printf ("bf16 products 512x512x512: %.1f GFLOP/s (%.2fx sgemm)\n"
            "peak: fp32 FMA loop %.1f GFLOP/s, vdpbf16ps loop %.1f GFLOP/s "
            "(%.2fx FMA);\nbf16 peak %.1f GFLOP/s (the larger of the "
            "vdpbf16ps loop and twice the FMA loop, or the\nvdpbf16ps loop "
            "where it is slower than the FMA one)\n",
            sbgemm_rate, sbgemm_rate / gemm_rate, peak32, loop16,
            loop16 / peak32, peak16);
  printf ("\n");
  if (bf16)
    {
      printf ("batch %d; GFLOP/s of the forward pass, dX and dW (each "
              "alone) and as a\npercentage of sgemm, in fp32, then with "
              "bf16 products, also as a\npercentage of the bf16 peak; x: "
              "time of the three passes fp32 over bf16\n\n", opt_batch);
      printf ("%-24s %17s %17s | %17s %17s %17s %5s\n", "", "fp32 GFLOP/s",
              "% sgemm", "bf16 GFLOP/s", "% sgemm", "% bf16 peak", "");
      printf ("%-24s", "shape");
      for (int k = 0; k < 5; k++)
        printf ("%s %5s %5s %5s", k == 2 ? " |" : "", "fwd", "dX", "dW");
      printf (" %5s\n", "x");
    }
  else if (n_libs == 1)
    {
      printf ("batch %d; GFLOP/s of the forward pass, dX and dW (each "
              "alone), and\nas a percentage of sgemm\n\n", opt_batch);
      printf ("%-24s %7s %7s %7s %6s %6s %6s\n", "shape", "fwd", "dX", "dW",
              "%fwd", "%dX", "%dW");
    }
  else
    {
      printf ("batch %d; GFLOP/s of the forward pass, dX and dW (each "
              "alone):\n%s (before), then this build (after) and its "
              "percentage of sgemm;\nx: time of the three passes before "
              "over after\n\n", opt_batch, opt_baseline);
      printf ("%-24s %17s %17s %17s %6s\n", "", "fwd", "dX", "dW", "");
      printf ("%-24s", "shape");
      for (int p = 0; p < N_PASS; p++)
        printf ("  %5s %5s %4s", "befor", "after", "%sg");
      printf (" %6s\n", "x");
    }
  for (size_t s = 0; s < ns; s++)
    {
      if (!run[s])
        continue;
      char name[64];
      shape_name (&shapes[s], name, sizeof name);
      printf ("%-24s", name);
      if (bf16)
        {
          const double denom[5] = { 1, gemm_rate, 1, gemm_rate, peak16 };
          for (int k = 0; k < 5; k++)
            {
              printf ("%s", k == 2 ? " |" : "");
              for (int p = 0; p < N_PASS; p++)
                {
                  const double r = flops[s] / t[s][k < 2 ? 0 : 1][p] * 1e-9;
                  if (isnan (r))
                    printf (" %5s", "-");
                  else if (k % 2 == 0 && k < 4)
                    printf (" %5.1f", r);
                  else
                    printf (" %4.0f%%", 100.0 * r / denom[k]);
                }
            }
          if (opt_passes == NULL)
            printf (" %4.2fx", (t[s][0][FWD] + t[s][0][DX] + t[s][0][DW])
                               / (t[s][1][FWD] + t[s][1][DX] + t[s][1][DW]));
          printf ("\n");
          continue;
        }
      for (int p = 0; p < N_PASS; p++)
        {
          const double after = flops[s] / t[s][n_libs - 1][p] * 1e-9;
          if (isnan (after))
            printf (n_libs == 1 ? " %7s" : "  %17s", "-");
          else if (n_libs == 1)
            printf (" %7.1f", after);
          else
            printf ("  %5.1f %5.1f %3.0f%%", flops[s] / t[s][0][p] * 1e-9,
                    after, 100.0 * after / gemm_rate);
        }
      if (n_libs == 1)
        for (int p = 0; p < N_PASS; p++)
          if (isnan (t[s][0][p]))
            printf (" %6s", "-");
          else
            printf (" %5.0f%%", 100.0 * flops[s] / t[s][0][p] * 1e-9
                                / gemm_rate);
      else if (opt_passes == NULL)
        printf (" %5.2fx", (t[s][0][FWD] + t[s][0][DX] + t[s][0][DW])
                           / (t[s][1][FWD] + t[s][1][DX] + t[s][1][DW]));
      printf ("\n");
    }
  g_free (flops);
  g_free (t);
  g_free (run);
  g_free (opt_baseline);
  g_free (opt_only);
  g_free (opt_passes);
  return 0;
}
