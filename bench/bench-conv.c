/* bench-conv.c - throughput of the convolution kernels against sgemm
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Times gn_conv2d_forward() and gn_conv2d_backward() on the shapes of the
 * NAS-Bench-201 cells (plus the residual blocks' strided convolutions and
 * a depthwise one) and relates them to what cblas_sgemm reaches on a
 * square 512^3 product in the same run, on one OpenBLAS thread: the
 * percentage says how much of the machine's usable gemm speed survives
 * im2row, the layout copies and the small-matrix shapes.  sgemm is timed
 * again at the end so a run disturbed by other load shows it.
 */
#include "config.h"

#include "gennas.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

static double opt_min_time = 1.0;
static int opt_trials = 10;
static int opt_batch = 16;

static GOptionEntry entries[] = {
  { "batch", 'n', 0, G_OPTION_ARG_INT, &opt_batch,
    "Batch size (default 16)", "N" },
  { "min-time", 't', 0, G_OPTION_ARG_DOUBLE, &opt_min_time,
    "Seconds spent on each measurement (default 1)", "S" },
  { "trials", 'r', 0, G_OPTION_ARG_INT, &opt_trials,
    "Timed trials per measurement; the best is kept (default 10)", "R" },
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

typedef struct {
  GnConv2dGeom g;
  float *x, *w, *b, *y, *dy, *dx, *dw, *db, *scratch;
} Conv;

static void
run_forward (gpointer user)
{
  Conv *c = user;
  gn_conv2d_forward (&c->g, c->x, c->w, c->b, c->y, c->scratch);
}

static void
run_backward (gpointer user)
{
  Conv *c = user;
  gn_conv2d_backward (&c->g, c->x, c->w, c->dy, c->dx, c->dw, c->db,
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

int
main (int argc, char **argv)
{
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new ("- benchmark the conv kernels");
  g_option_context_set_summary (ctx,
    "Prints forward and backward GFLOP/s of gn_conv2d_* on NAS-Bench-201\n"
    "cell shapes (Cin = Cout, stride 1, same padding), then two strided\n"
    "and one depthwise shape, and each rate as a percentage of\n"
    "cblas_sgemm on a 512^3 product, all on one BLAS thread.\n"
    "FLOPs: forward 2*Cout*Cin/g*kh*kw*N*P (P = output pixels);\n"
    "backward twice that (dx and dw; db is timed but not counted).");
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

  Gemm m = { 512, NULL, NULL, NULL };
  m.a = filled ((size_t) m.n * m.n, 1);
  m.b = filled ((size_t) m.n * m.n, 2);
  m.c = filled ((size_t) m.n * m.n, 3);
  const double gemm_flops = 2.0 * m.n * m.n * m.n;
  const double gemm_first = gemm_flops / best_time (run_gemm, &m) * 1e-9;

  /* NB201's cells: Cin = Cout, stride 1, same padding; then the residual
   * blocks' strided convolutions and a depthwise one (DARTS' separable
   * convolutions), which take other code paths */
  static const struct { int cin, cout, hw, k, stride, groups; } shapes[] = {
    { 16, 16, 32, 3, 1, 1 }, { 32, 32, 16, 3, 1, 1 }, { 64, 64, 8, 3, 1, 1 },
    { 16, 16, 32, 1, 1, 1 }, { 32, 32, 16, 1, 1, 1 }, { 64, 64, 8, 1, 1, 1 },
    { 16, 32, 32, 3, 2, 1 }, { 32, 64, 16, 3, 2, 1 },
    { 32, 32, 16, 3, 1, 32 },
  };
  double flops[G_N_ELEMENTS (shapes)], tf[G_N_ELEMENTS (shapes)];
  double tb[G_N_ELEMENTS (shapes)];

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const int ci = shapes[s].cin, co = shapes[s].cout, hw = shapes[s].hw;
      const int kk = shapes[s].k;
      Conv c = { .g = {
        .n = opt_batch, .in_c = ci, .in_h = hw, .in_w = hw, .out_c = co,
        .kh = kk, .kw = kk, .stride_h = shapes[s].stride,
        .stride_w = shapes[s].stride, .pad_h = kk / 2, .pad_w = kk / 2,
        .dil_h = 1, .dil_w = 1, .groups = shapes[s].groups } };
      if (!gn_conv2d_geom_init (&c.g, &error))
        g_error ("%s", error->message);

      const size_t xs = (size_t) c.g.n * ci * hw * hw;
      const size_t ys = (size_t) c.g.n * co * c.g.out_h * c.g.out_w;
      const size_t ws = gn_conv2d_weight_size (&c.g);
      c.x = filled (xs, 10);
      c.w = filled (ws, 11);
      c.b = filled (co, 12);
      c.y = filled (ys, 13);
      c.dy = filled (ys, 14);
      c.dx = filled (xs, 15);
      c.dw = filled (ws, 16);
      c.db = filled (co, 17);
      c.scratch = filled (gn_conv2d_scratch_floats (&c.g), 18);

      flops[s] = 2.0 * co * (ci / c.g.groups) * kk * kk * c.g.n * c.g.out_h
                 * c.g.out_w;
      tf[s] = best_time (run_forward, &c);
      tb[s] = best_time (run_backward, &c);

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

  printf ("sgemm 512x512x512, 1 thread: %.1f GFLOP/s (%.1f at the start, "
          "%.1f at the end)\n\n", gemm_rate, gemm_first, gemm_last);
  printf ("batch %d; GFLOP/s of forward, backward (dx + dw + db) and both\n\n",
          opt_batch);
  printf ("%-20s %7s %7s %7s %7s %9s %9s\n", "shape", "fwd", "bwd", "total",
          "%sgemm", "fwd ms", "bwd ms");
  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const int ci = shapes[s].cin, co = shapes[s].cout, hw = shapes[s].hw;
      const int kk = shapes[s].k;
      const double total = 3.0 * flops[s] / (tf[s] + tb[s]) * 1e-9;
      char name[64];

      if (shapes[s].groups > 1)
        g_snprintf (name, sizeof name, "%dx%d dw %dch %dx%d", kk, kk, ci, hw,
                    hw);
      else if (shapes[s].stride > 1 || ci != co)
        g_snprintf (name, sizeof name, "%dx%d/%d %d>%dch %dx%d", kk, kk,
                    shapes[s].stride, ci, co, hw, hw);
      else
        g_snprintf (name, sizeof name, "%dx%d %dch %dx%d", kk, kk, ci, hw,
                    hw);
      if (s > 0 && shapes[s].stride != shapes[s - 1].stride)
        printf ("\n");
      printf ("%-20s %7.1f %7.1f %7.1f %6.0f%% %9.3f %9.3f\n", name,
              flops[s] / tf[s] * 1e-9, 2.0 * flops[s] / tb[s] * 1e-9, total,
              100.0 * total / gemm_rate, tf[s] * 1e3, tb[s] * 1e3);
    }
  printf ("\ntotal = forward + backward FLOPs over forward + backward time\n");
  return 0;
}
