/* gn-plot.h - PNG charts: proxy-vs-accuracy scatters and search trajectories
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * One call draws one chart into one PNG file (with Cairo; the API itself
 * does not expose Cairo).  A chart is a list of series sharing the x axis;
 * each series is drawn as points, straight lines or steps, against the
 * left y axis or, with @right_axis, against a second y axis on the right
 * with its own range (a search trajectory: best proxy score on the left,
 * best true accuracy on the right).
 *
 *   double score[n], acc[n];
 *   GnPlotSeries s = { .x = score, .y = acc, .n = n,
 *                      .rgb = gn_plot_palette (0),
 *                      .style = GN_PLOT_POINTS };
 *   GnPlotSpec spec = { .title = "synflow on NB201",
 *                       .xlabel = "proxy score", .ylabel = "test accuracy" };
 *   if (!gn_plot_png ("rank.png", &spec, &s, 1, &error))
 *     ...
 *
 * Every range is automatic: the finite data of the axis plus a small
 * margin, ticked at "nice" steps (1, 2 or 5 times a power of ten) with
 * grid lines at the ticks of the x axis and of the left y axis (the
 * right one if no series uses the left).  A point with a NaN or infinite
 * coordinate is skipped (and breaks a line or a staircase in two); an
 * axis without finite data gets the range [0, 1]; a constant one a range
 * around its value.  A legend is drawn when any series has a label, in
 * the corner of the plot area that hides the fewest points.
 *
 * gn_plot_png() keeps no state: it may run in several threads at once.
 */
#ifndef GN_PLOT_H
#define GN_PLOT_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/** Default image size, used where GnPlotSpec's width or height is 0. */
#define GN_PLOT_DEFAULT_WIDTH  800
#define GN_PLOT_DEFAULT_HEIGHT 600
/** Limits of an explicit width or height, in pixels. */
#define GN_PLOT_MIN_SIZE       64
#define GN_PLOT_MAX_SIZE       16384

typedef enum {
  GN_PLOT_POINTS,   /* a filled dot per point (a scatter)                */
  GN_PLOT_LINES,    /* straight segments from point to point, in order   */
  GN_PLOT_STEPS     /* a staircase: y holds until the next x, then jumps */
                    /* ("best so far" curves)                            */
} GnPlotStyle;

/**
 * GnPlotSeries:
 * @x, @y: @n coordinates each (may be NULL only when @n is 0); borrowed
 *   for the duration of the call
 * @label: the legend entry, or NULL to leave the series out of the
 *   legend; when both y axes are in use, " (right axis)" is appended to
 *   the labels of right-axis series
 * @rgb: the colour as 0xRRGGBB (see gn_plot_palette())
 * @right_axis: plot against the second y axis
 *
 * Series are drawn in order, so later ones lie on top.
 */
typedef struct {
  const double *x, *y;
  gsize n;
  const char *label;
  guint32 rgb;
  GnPlotStyle style;
  gboolean right_axis;
} GnPlotSeries;

/**
 * GnPlotSpec:
 * @title, @xlabel, @ylabel, @y2label: UTF-8 texts, NULL or "" for none
 *   (@ylabel names the left y axis, @y2label the right one); invalid
 *   UTF-8 is drawn with replacement characters
 * @width, @height: the image size in pixels, 0 for the defaults
 *   (800x600), otherwise GN_PLOT_MIN_SIZE to GN_PLOT_MAX_SIZE; text and
 *   line widths scale with the size
 *
 * Zero-initialise and set what you need.
 */
typedef struct {
  const char *title, *xlabel, *ylabel, *y2label;
  int width, height;
} GnPlotSpec;

/**
 * gn_plot_png:
 * @path: the PNG file to create or overwrite
 * @spec: (nullable): titles and size; NULL means no texts, default size
 * @series: @n_series series
 *
 * Draws the chart, anti-aliased on a white background, and writes it to
 * @path.  On failure no partial file is left behind.
 *
 * Returns: FALSE with @error in GN_ERROR, whose message names @path:
 * GN_ERROR_INVALID_ARGUMENT for no series or a size out of limits,
 * GN_ERROR_NO_MEMORY if the image cannot be allocated, GN_ERROR_FAILED
 * if the file cannot be written.
 */
gboolean gn_plot_png (const char *path, const GnPlotSpec *spec,
                      const GnPlotSeries *series, guint n_series,
                      GError **error);

/**
 * gn_plot_palette:
 *
 * Returns: colour @i (modulo 10) of a categorical palette (Tableau 10,
 * matplotlib's default cycle) as 0xRRGGBB: 0 blue, 1 orange, 2 green,
 * 3 red, 4 purple, ...
 */
guint32 gn_plot_palette (guint i);

G_END_DECLS

#endif /* GN_PLOT_H */
