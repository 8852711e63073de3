/* test-plot.c - PNG charts: files, sizes, series colours, degenerate data
 * and errors
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A chart's looks cannot be asserted pixel by pixel, so these tests check
 * what a caller relies on: a PNG of the requested size appears, every
 * series leaves pixels of its colour where the data are (a right-axis
 * series spans the height of the plot even though its values are tiny
 * next to the left axis's), awkward data never crash, and a file that
 * cannot be written is a GError naming it, with nothing left behind.
 */
#include "gennas.h"

#include <cairo.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static char *
tmpdir_new (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("gennas-plot-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static guint
tmpdir_count (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

/* Removes the files of @dir and @dir itself, and frees the string. */
static void
tmpdir_free (char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      char *p = g_build_filename (dir, name, NULL);
      g_assert_cmpint (g_unlink (p), ==, 0);
      g_free (p);
    }
  g_dir_close (d);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

/* Checks @path is a PNG of @w x @h and returns it as an image surface. */
static cairo_surface_t *
load_png (const char *path, int w, int h)
{
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_cmpuint (len, >, 8);
  g_assert_cmpmem (bytes, 8, "\x89PNG\r\n\x1a\n", 8);
  g_free (bytes);

  cairo_surface_t *s = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, w);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, h);
  cairo_format_t f = cairo_image_surface_get_format (s);
  g_assert_true (f == CAIRO_FORMAT_RGB24 || f == CAIRO_FORMAT_ARGB32);
  return s;
}

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  const guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  guint32 p;
  memcpy (&p, data + (gsize) y * stride + (gsize) x * 4, 4);
  return p & 0xffffff;   /* x8r8g8b8 / opaque a8r8g8b8 in native order */
}

static gboolean
near (guint32 a, guint32 b, int tol)
{
  for (int sh = 0; sh <= 16; sh += 8)
    if (ABS ((int) ((a >> sh) & 0xff) - (int) ((b >> sh) & 0xff)) > tol)
      return FALSE;
  return TRUE;
}

/* Pixels of colour @rgb (within a few levels) in the rectangle
 * [x0, x1) x [y0, y1); their rows' extent in *ymin, *ymax. */
static guint
count_colour (cairo_surface_t *s, guint32 rgb, int x0, int y0, int x1,
              int y1, int *ymin, int *ymax)
{
  guint n = 0;
  *ymin = G_MAXINT;
  *ymax = -1;
  cairo_surface_flush (s);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      if (near (pixel (s, x, y), rgb, 6))
        {
          n++;
          *ymin = MIN (*ymin, y);
          *ymax = MAX (*ymax, y);
        }
  return n;
}

/* ------------------------------------------------------------------ */
/* tests                                                               */
/* ------------------------------------------------------------------ */

/* gennas rank --plot: proxy score against true accuracy */
static void
test_scatter (void)
{
  enum { N = 300, W = 640, H = 480 };
  double score[N], acc[N];
  GnRng rng;
  gn_rng_seed (&rng, 7);
  for (int i = 0; i < N; i++)
    {
      score[i] = -900 + 850 * gn_rng_uniform (&rng);
      acc[i] = 0.93 + 0.0003 * score[i] + 0.03 * gn_rng_normal (&rng);
    }
  char *dir = tmpdir_new ();
  char *path = g_build_filename (dir, "rank.png", NULL);
  GnPlotSeries s = { .x = score, .y = acc, .n = N, .rgb = 0x1f77b4,
                     .style = GN_PLOT_POINTS };
  GnPlotSpec spec = { .title = "synflow on NB201 (Kendall τ = 0.42)",
                      .xlabel = "proxy score", .ylabel = "test accuracy",
                      .width = W, .height = H };
  GError *error = NULL;

  g_assert_true (gn_plot_png (path, &spec, &s, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tmpdir_count (dir), ==, 1);   /* no temporary left */

  cairo_surface_t *img = load_png (path, W, H);
  int ymin, ymax;
  /* the points fill the middle of the plot area */
  g_assert_cmpuint (count_colour (img, s.rgb, W / 4, H / 5, W * 17 / 20,
                                  H * 4 / 5, &ymin, &ymax), >, 500);
  g_assert_cmpuint (count_colour (img, s.rgb, 0, 0, W, H, &ymin, &ymax),
                    >, 3000);
  /* white background in the corners, no series colour in the margins */
  g_assert_cmphex (pixel (img, 0, 0), ==, 0xffffff);
  g_assert_cmphex (pixel (img, W - 1, H - 1), ==, 0xffffff);
  g_assert_cmpuint (count_colour (img, s.rgb, 0, 0, W / 20, H, &ymin, &ymax),
                    ==, 0);
  cairo_surface_destroy (img);

  /* overwriting, at the default size this time */
  g_assert_true (gn_plot_png (path, NULL, &s, 1, &error));
  g_assert_no_error (error);
  img = load_png (path, GN_PLOT_DEFAULT_WIDTH, GN_PLOT_DEFAULT_HEIGHT);
  cairo_surface_destroy (img);
  g_assert_cmpuint (tmpdir_count (dir), ==, 1);

  g_free (path);
  tmpdir_free (dir);
}

/* gennas plot: best score (steps, left) and best accuracy (lines, right)
 * against evaluations */
static void
test_two_axes (void)
{
  enum { N = 200, W = 900, H = 500 };
  double evals[N], best_score[N], best_acc[N];
  double bs = -INFINITY, ba = 0;
  GnRng rng;
  gn_rng_seed (&rng, 11);
  for (int i = 0; i < N; i++)
    {
      double sc = -1200 + 1100 * gn_rng_uniform (&rng);
      double ac = 0.55 + 0.4 * gn_rng_uniform (&rng) * (i + 20) / (N + 20);
      bs = MAX (bs, sc);
      ba = MAX (ba, ac);
      evals[i] = i + 1;
      best_score[i] = bs;
      best_acc[i] = ba;
    }
  char *dir = tmpdir_new ();
  char *path = g_build_filename (dir, "trajectory.png", NULL);
  GnPlotSeries s[2] = {
    { .x = evals, .y = best_score, .n = N, .label = "best proxy score",
      .rgb = gn_plot_palette (3), .style = GN_PLOT_STEPS },
    { .x = evals, .y = best_acc, .n = N, .label = "its test accuracy",
      .rgb = gn_plot_palette (0), .style = GN_PLOT_LINES,
      .right_axis = TRUE },
  };
  GnPlotSpec spec = { .title = "regularised evolution, synflow",
                      .xlabel = "evaluations", .ylabel = "proxy score",
                      .y2label = "test accuracy", .width = W, .height = H };
  GError *error = NULL;

  g_assert_true (gn_plot_png (path, &spec, s, 2, &error));
  g_assert_no_error (error);

  cairo_surface_t *img = load_png (path, W, H);
  for (int k = 0; k < 2; k++)
    {
      int ymin, ymax;
      guint n = count_colour (img, s[k].rgb, 0, 0, W, H, &ymin, &ymax);
      g_test_message ("series %d: %u pixels, rows %d to %d", k, n, ymin,
                      ymax);
      g_assert_cmpuint (n, >, 400);
      /* each series is scaled to its own axis and spans most of the
       * plot's height (on the left axis the accuracies, all below 1,
       * would sit in one row at its top) */
      g_assert_cmpint (ymax - ymin, >, H / 2);
    }
  cairo_surface_destroy (img);
  g_free (path);
  tmpdir_free (dir);
}

/* NaN and infinite points, empty series, constant and extreme data */
static void
test_degenerate (void)
{
  /* runs of finite points: 0-1, 4-5, 8 (alone), 11-12 */
  double x[] = { 1, 2, NAN, 3.5, 4, 5, INFINITY, 6, 7, 7.5, -INFINITY, 9,
                 10 };
  double y[] = { 0.5, 0.3, 0.2, NAN, 0.7, 0.6, 0.9, -INFINITY, 0.8, NAN,
                 0.1, 0.4, 0.85 };
  double nan3[] = { NAN, NAN, NAN };
  double same[] = { 3, 3, 3, 3 };
  double ys[] = { 1, 2, 3, 4 };
  double huge[] = { -DBL_MAX, DBL_MAX, 0 };
  double tiny[] = { 1e-300, 2e-300, 3e-300 };
  double big[] = { 1e9, 1e9 + 1e-3, 1e9 + 2e-3 };
  double one[] = { 42 };
  char *dir = tmpdir_new ();
  char *path = g_build_filename (dir, "degenerate.png", NULL);
  GError *error = NULL;

  const GnPlotSeries cases[][3] = {
    /* non-finite points in every style, with a legend */
    { { x, y, G_N_ELEMENTS (x), "points", 0x2ca02c, GN_PLOT_POINTS, FALSE },
      { x, y, G_N_ELEMENTS (x), "lines", 0xd62728, GN_PLOT_LINES, FALSE },
      { x, y, G_N_ELEMENTS (x), "steps", 0x9467bd, GN_PLOT_STEPS, TRUE } },
    /* nothing finite at all, and an empty series with NULL arrays */
    { { nan3, nan3, 3, "nan", 0x000000, GN_PLOT_LINES, FALSE },
      { NULL, NULL, 0, "empty", 0x1f77b4, GN_PLOT_POINTS, TRUE },
      { NULL, NULL, 0, NULL, 0, GN_PLOT_STEPS, FALSE } },
    /* all x equal; all y equal; a single point */
    { { same, ys, 4, NULL, 0x1f77b4, GN_PLOT_POINTS, FALSE },
      { ys, same, 4, NULL, 0xff7f0e, GN_PLOT_LINES, FALSE },
      { one, one, 1, "one", 0x2ca02c, GN_PLOT_STEPS, TRUE } },
    /* the extremes of double, subnormal-scale values, a tiny span on a
     * large offset */
    { { huge, huge, 3, NULL, 0x1f77b4, GN_PLOT_LINES, FALSE },
      { tiny, tiny, 3, NULL, 0xff7f0e, GN_PLOT_POINTS, TRUE },
      { big, big, 3, "big", 0x2ca02c, GN_PLOT_STEPS, FALSE } },
    { { tiny, big, 3, NULL, 0x1f77b4, GN_PLOT_LINES, FALSE },
      { big, tiny, 3, NULL, 0xff7f0e, GN_PLOT_POINTS, TRUE },
      { NULL, NULL, 0, NULL, 0, GN_PLOT_POINTS, FALSE } },
  };
  /* invalid UTF-8 and empty strings in the texts */
  GnPlotSpec spec = { .title = "bad \xff\xfe utf-8", .xlabel = "",
                      .ylabel = "y", .y2label = "\xc3", .width = 64,
                      .height = 64 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint n = 1; n <= 3; n++)
      {
        g_assert_true (gn_plot_png (path, NULL, cases[i], n, &error));
        g_assert_no_error (error);
        cairo_surface_destroy (load_png (path, 800, 600));
        g_assert_true (gn_plot_png (path, &spec, cases[i], n, &error));
        g_assert_no_error (error);
        cairo_surface_destroy (load_png (path, 64, 64));
      }

  /* NaN-broken lines still show their finite stretches */
  g_assert_true (gn_plot_png (path, NULL, cases[0], 3, &error));
  cairo_surface_t *img = load_png (path, 800, 600);
  for (int k = 0; k < 3; k++)
    {
      int ymin, ymax;
      g_assert_cmpuint (count_colour (img, cases[0][k].rgb, 0, 0, 800, 600,
                                      &ymin, &ymax), >, 50);
    }
  cairo_surface_destroy (img);

  g_free (path);
  tmpdir_free (dir);
}

static void
test_errors (void)
{
  double v[] = { 1, 2, 3 };
  GnPlotSeries s = { v, v, 3, "v", 0x1f77b4, GN_PLOT_LINES, FALSE };
  char *dir = tmpdir_new ();
  char *path = g_build_filename (dir, "no-such-dir", "plot.png", NULL);
  GError *error = NULL;

  /* a missing directory */
  g_assert_false (gn_plot_png (path, NULL, &s, 1, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  /* a directory where the file should go: nothing is left behind */
  g_assert_false (gn_plot_png (dir, NULL, &s, 1, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);
  g_assert_cmpuint (tmpdir_count (dir), ==, 0);

  /* no series; sizes out of limits */
  g_free (path);
  path = g_build_filename (dir, "plot.png", NULL);
  g_assert_false (gn_plot_png (path, NULL, &s, 0, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  const int sizes[][2] = { { 63, 100 }, { 100, -1 }, { 16385, 600 },
                           { 800, 100000 } };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GnPlotSpec spec = { .width = sizes[i][0], .height = sizes[i][1] };
      g_assert_false (gn_plot_png (path, &spec, &s, 1, &error));
      g_assert_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
    }
  g_assert_cmpuint (tmpdir_count (dir), ==, 0);

  g_free (path);
  tmpdir_free (dir);
}

static void
test_palette (void)
{
  g_assert_cmphex (gn_plot_palette (0), ==, 0x1f77b4);
  g_assert_cmphex (gn_plot_palette (10), ==, gn_plot_palette (0));
  for (guint i = 0; i < 10; i++)
    for (guint j = 0; j < i; j++)
      g_assert_cmphex (gn_plot_palette (i), !=, gn_plot_palette (j));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/scatter", test_scatter);
  g_test_add_func ("/plot/two-axes", test_two_axes);
  g_test_add_func ("/plot/degenerate", test_degenerate);
  g_test_add_func ("/plot/errors", test_errors);
  g_test_add_func ("/plot/palette", test_palette);
  int ret = g_test_run ();
  /* let LeakSanitizer see only what is ours: drop Cairo's caches */
  cairo_debug_reset_static_data ();
  return ret;
}
