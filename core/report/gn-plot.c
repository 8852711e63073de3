/* gn-plot.c - PNG charts with Cairo
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The drawing goes in three passes: the axes' ranges and ticks (from the
 * data alone, with a tick density guessed from the image size), the
 * layout (margins sized by measuring the texts that will sit in them),
 * then the painting.  Text uses Cairo's "toy" font API with the generic
 * sans-serif face, which fontconfig resolves to whatever is installed
 * (DejaVu Sans on Debian).  The PNG is encoded in memory and written to
 * a temporary file beside @path that is renamed over it, so a failed
 * write never leaves a truncated image.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-plot.h"

#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define MAX_TICKS 64

/* ------------------------------------------------------------------ */
/* axes                                                                */
/* ------------------------------------------------------------------ */

typedef struct {
  gboolean used;        /* some series is plotted against this axis     */
  double lo, hi;        /* the visible range, lo < hi                   */
  double step;          /* tick step, 1, 2 or 5 x 10^exp; 0: no ticks   */
  int exp;
  double ticks[MAX_TICKS];
  int n_ticks;
  char labels[MAX_TICKS][32];
} Axis;

/* A range end: finite however far a margin pushed it.  Spans are
 * computed as hi / 2 - lo / 2, which cannot overflow. */
static double
clamp_range (double v)
{
  return CLAMP (v, -DBL_MAX, DBL_MAX);
}

/* The 1-2-5 step nearest to 2 @half_span / @target; sets *exp to its
 * power of ten.  Returns 0 if the span is too small or too large to
 * tick. */
static double
nice_step (double half_span, int target, int *exp)
{
  double raw = half_span / target * 2;
  if (!(raw > 1e-300) || !isfinite (raw))
    return 0;
  int e = (int) floor (log10 (raw));
  double mag = pow (10, e);
  double norm = raw / mag, m;
  if (norm < 1.5)
    m = 1;
  else if (norm < 3.5)
    m = 2;
  else if (norm < 7.5)
    m = 5;
  else
    {
      m = 1;
      e++;
      mag *= 10;
    }
  *exp = e;
  return m * mag;
}

/* Sets the range from the data's finite extremes (@have FALSE: none) and
 * computes about @target ticks. */
static void
axis_set_range (Axis *a, gboolean have, double min, double max, int target)
{
  if (!have)
    {
      min = 0;
      max = 1;
    }
  else
    {
      double mid = min / 2 + max / 2;
      double span = max / 2 - min / 2;   /* half the span: cannot overflow */
      if (!(span > fabs (mid) * 1e-12 / 2) || span < 1e-290)
        {
          /* constant (or numerically so): a range around the value */
          double half = fabs (mid) > 1e-290 ? fabs (mid) * 0.1 : 1.0;
          min = mid - half;
          max = mid + half;
        }
      else
        {
          /* 4% of the span on each side */
          min = clamp_range (min - 0.08 * span);
          max = clamp_range (max + 0.08 * span);
        }
    }
  a->lo = clamp_range (min);
  a->hi = clamp_range (max);

  a->n_ticks = 0;
  a->step = nice_step (a->hi / 2 - a->lo / 2, MAX (target, 2), &a->exp);
  if (a->step == 0)
    return;
  double k0 = ceil (a->lo / a->step), k1 = floor (a->hi / a->step);
  for (double k = k0; k <= k1 && a->n_ticks < MAX_TICKS; k++)
    {
      double v = k * a->step;
      if (!isfinite (v))
        continue;
      if (fabs (v) < a->step * 1e-9)
        v = 0;                          /* no "-0" label */
      a->ticks[a->n_ticks++] = v;
    }

  /* One format for all labels of the axis: fixed with as many decimals
   * as the step needs, or %g with as many significant digits as the
   * largest tick needs for very large or very small numbers. */
  double maxabs = 0;
  for (int i = 0; i < a->n_ticks; i++)
    maxabs = MAX (maxabs, fabs (a->ticks[i]));
  gboolean sci = maxabs >= 1e6 || a->exp < -4;
  int digits;
  if (sci)
    {
      int top = maxabs > 0 ? (int) floor (log10 (maxabs)) : a->exp;
      digits = CLAMP (top - a->exp + 1, 1, 17);
    }
  else
    digits = MAX (0, -a->exp);
  for (int i = 0; i < a->n_ticks; i++)
    g_snprintf (a->labels[i], sizeof a->labels[i], sci ? "%.*g" : "%.*f",
                digits, a->ticks[i]);
}

/* Data value to device coordinate: lo maps to @p0, hi to @p1.  Halving
 * first keeps hi - lo finite for any finite range. */
static double
axis_map (const Axis *a, double v, double p0, double p1)
{
  double t = (v / 2 - a->lo / 2) / (a->hi / 2 - a->lo / 2);
  return p0 + t * (p1 - p0);
}

static gboolean
point_ok (const GnPlotSeries *s, gsize i)
{
  return isfinite (s->x[i]) && isfinite (s->y[i]);
}

/* ------------------------------------------------------------------ */
/* text                                                                */
/* ------------------------------------------------------------------ */

typedef enum { ALIGN_START, ALIGN_CENTER, ALIGN_END } Align;

typedef struct {
  double size;
  gboolean bold;
} Font;

static void
use_font (cairo_t *cr, Font f)
{
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                          f.bold ? CAIRO_FONT_WEIGHT_BOLD
                                 : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, f.size);
}

/* The line height of @f: ascent + descent. */
static double
font_height (cairo_t *cr, Font f)
{
  cairo_font_extents_t fe;
  use_font (cr, f);
  cairo_font_extents (cr, &fe);
  return fe.ascent + fe.descent;
}

static double
text_width (cairo_t *cr, Font f, const char *text)
{
  cairo_text_extents_t te;
  use_font (cr, f);
  cairo_text_extents (cr, text, &te);
  return te.x_advance;
}

/* Draws @text (valid UTF-8) with its box aligned on (@x, @y) by @h and
 * @v, rotated by @angle around that point (-G_PI / 2: reading upwards).
 * Vertical alignment uses the font's ascent and descent, so labels of a
 * row share one baseline whatever their letters. */
static void
draw_text (cairo_t *cr, Font f, const char *text, double x, double y,
           Align h, Align v, double angle)
{
  cairo_font_extents_t fe;
  cairo_text_extents_t te;
  use_font (cr, f);
  cairo_font_extents (cr, &fe);
  cairo_text_extents (cr, text, &te);
  double dx = h == ALIGN_START ? 0 : h == ALIGN_CENTER ? -te.x_advance / 2
                                                       : -te.x_advance;
  double height = fe.ascent + fe.descent;
  double dy = v == ALIGN_START ? fe.ascent
              : v == ALIGN_CENTER ? fe.ascent - height / 2
                                  : -fe.descent;
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, angle);
  cairo_move_to (cr, dx, dy);
  cairo_show_text (cr, text);
  cairo_restore (cr);
}

static void
set_rgb (cairo_t *cr, guint32 rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.,
                        ((rgb >> 8) & 0xff) / 255., (rgb & 0xff) / 255.);
}

/* A text's valid-UTF-8 copy, or NULL for NULL or "". */
static char *
text_dup (const char *s)
{
  return s != NULL && *s != '\0' ? g_utf8_make_valid (s, -1) : NULL;
}

/* ------------------------------------------------------------------ */
/* the chart                                                           */
/* ------------------------------------------------------------------ */

#define INK     0x262626   /* texts, frame, ticks */
#define GRID    0xe5e5e5
#define DIM     0x808080   /* legend border */

typedef struct {
  const GnPlotSeries *series;
  guint n_series;
  int width, height;
  double s;                       /* scale: 1 at 800x600 */
  Font tick_font, label_font, title_font;
  char *title, *xlabel, *ylabel, *y2label;
  char **legend;                  /* per series; NULL: not in legend */
  guint n_legend;
  Axis x, y, y2;
  double px0, px1, py0, py1;      /* plot area; py0 is the top          */
} Chart;

static void
chart_clear (Chart *c)
{
  g_free (c->title);
  g_free (c->xlabel);
  g_free (c->ylabel);
  g_free (c->y2label);
  if (c->legend != NULL)
    for (guint i = 0; i < c->n_series; i++)
      g_free (c->legend[i]);
  g_free (c->legend);
}

static void
extend (gboolean *have, double *min, double *max, double v)
{
  if (!*have)
    {
      *min = *max = v;
      *have = TRUE;
    }
  *min = MIN (*min, v);
  *max = MAX (*max, v);
}

/* Pass 1: the data ranges of the three axes and their ticks. */
static void
chart_axes (Chart *c)
{
  gboolean have[3] = { FALSE, FALSE, FALSE };     /* x, y, y2 */
  double min[3] = { 0, 0, 0 }, max[3] = { 0, 0, 0 };

  for (guint k = 0; k < c->n_series; k++)
    {
      const GnPlotSeries *s = &c->series[k];
      int ya = s->right_axis ? 2 : 1;
      (s->right_axis ? &c->y2 : &c->y)->used = TRUE;
      for (gsize i = 0; i < s->n; i++)
        if (point_ok (s, i))
          {
            extend (&have[0], &min[0], &max[0], s->x[i]);
            extend (&have[ya], &min[ya], &max[ya], s->y[i]);
          }
    }

  /* about one tick per 110 px across and 60 px up */
  axis_set_range (&c->x, have[0], min[0], max[0],
                  (int) (c->width * 0.8 / (110 * c->s)));
  int ty = (int) (c->height * 0.75 / (60 * c->s));
  axis_set_range (&c->y, have[1], min[1], max[1], ty);
  axis_set_range (&c->y2, have[2], min[2], max[2], ty);
}

/* Pass 2: margins from the sizes of the texts around the plot area. */
static void
chart_layout (Chart *c, cairo_t *cr)
{
  double pad = 12 * c->s, gap = 6 * c->s, tick = 5 * c->s;
  double th = font_height (cr, c->tick_font);
  double lh = font_height (cr, c->label_font);

  double top = pad + (c->title != NULL
                      ? font_height (cr, c->title_font) + pad
                      : th / 2);

  double bottom = pad + tick + gap + th + (c->xlabel != NULL ? gap + lh : 0);

  double left = pad;
  if (c->y.used)
    {
      double w = 0;
      for (int i = 0; i < c->y.n_ticks; i++)
        w = MAX (w, text_width (cr, c->tick_font, c->y.labels[i]));
      left += (c->ylabel != NULL ? lh + gap : 0) + w + gap + tick;
    }

  /* the outer x tick labels are centred on their ticks: leave room for
   * their halves when no y axis makes room already */
  if (c->x.n_ticks > 0)
    left = MAX (left, text_width (cr, c->tick_font, c->x.labels[0]) / 2 + 2);
  double right = pad;
  if (c->x.n_ticks > 0)
    right = MAX (right, text_width (cr, c->tick_font,
                                    c->x.labels[c->x.n_ticks - 1]) / 2 + 2);
  if (c->y2.used)
    {
      double w = 0;
      for (int i = 0; i < c->y2.n_ticks; i++)
        w = MAX (w, text_width (cr, c->tick_font, c->y2.labels[i]));
      right = pad + tick + gap + w + (c->y2label != NULL ? gap + lh : 0);
    }

  /* whole pixels, so 1 px lines on the frame are crisp */
  c->px0 = floor (left);
  c->px1 = MAX (c->px0 + 1, floor (c->width - right));
  c->py0 = floor (top);
  c->py1 = MAX (c->py0 + 1, floor (c->height - bottom));
}

/* A crisp 1 px line along integer coordinate @v. */
static double
crisp (double v)
{
  return floor (v) + 0.5;
}

static void
chart_grid (Chart *c, cairo_t *cr)
{
  const Axis *ya = c->y.used ? &c->y : &c->y2;
  cairo_set_line_width (cr, 1);
  set_rgb (cr, GRID);
  for (int i = 0; i < c->x.n_ticks; i++)
    {
      double x = crisp (axis_map (&c->x, c->x.ticks[i], c->px0, c->px1));
      cairo_move_to (cr, x, c->py0);
      cairo_line_to (cr, x, c->py1);
    }
  for (int i = 0; i < ya->n_ticks; i++)
    {
      double y = crisp (axis_map (ya, ya->ticks[i], c->py1, c->py0));
      cairo_move_to (cr, c->px0, y);
      cairo_line_to (cr, c->px1, y);
    }
  cairo_stroke (cr);
}

static void
chart_series (Chart *c, cairo_t *cr, const GnPlotSeries *s)
{
  const Axis *ya = s->right_axis ? &c->y2 : &c->y;
  double r = 3.2 * c->s;

  set_rgb (cr, s->rgb);
  if (s->style == GN_PLOT_POINTS)
    {
      for (gsize i = 0; i < s->n; i++)
        {
          if (!point_ok (s, i))
            continue;
          double x = axis_map (&c->x, s->x[i], c->px0, c->px1);
          double y = axis_map (ya, s->y[i], c->py1, c->py0);
          cairo_new_sub_path (cr);
          cairo_arc (cr, x, y, r, 0, 2 * G_PI);
        }
      cairo_fill (cr);
      return;
    }

  /* Lines and steps: a non-finite point ends the current run; a run of
   * a single point gets a dot, or it would not show. */
  gboolean in_run = FALSE;
  double prev_y = 0;
  cairo_set_line_width (cr, 2 * c->s);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (gsize i = 0; i < s->n; i++)
    {
      if (!point_ok (s, i))
        {
          in_run = FALSE;
          continue;
        }
      double x = axis_map (&c->x, s->x[i], c->px0, c->px1);
      double y = axis_map (ya, s->y[i], c->py1, c->py0);
      if (!in_run)
        {
          cairo_move_to (cr, x, y);
          in_run = TRUE;
        }
      else
        {
          if (s->style == GN_PLOT_STEPS)
            cairo_line_to (cr, x, prev_y);
          cairo_line_to (cr, x, y);
        }
      prev_y = y;
    }
  cairo_stroke (cr);

  for (gsize i = 0; i < s->n; i++)
    if (point_ok (s, i) && (i == 0 || !point_ok (s, i - 1))
        && (i + 1 == s->n || !point_ok (s, i + 1)))
      {
        cairo_new_sub_path (cr);
        cairo_arc (cr, axis_map (&c->x, s->x[i], c->px0, c->px1),
                   axis_map (ya, s->y[i], c->py1, c->py0), r, 0, 2 * G_PI);
      }
  cairo_fill (cr);
}

/* The colour of an axis's label when the chart has two y axes and every
 * series of that axis has one colour; otherwise INK. */
static guint32
axis_colour (const Chart *c, gboolean right)
{
  gboolean found = FALSE;
  guint32 rgb = INK;
  if (!(c->y.used && c->y2.used))
    return INK;
  for (guint k = 0; k < c->n_series; k++)
    {
      const GnPlotSeries *s = &c->series[k];
      if (!s->right_axis != !right)
        continue;
      if (found && s->rgb != rgb)
        return INK;
      rgb = s->rgb;
      found = TRUE;
    }
  return rgb;
}

static void
chart_axes_ink (Chart *c, cairo_t *cr)
{
  double gap = 6 * c->s, tick = 5 * c->s;

  /* frame and ticks */
  set_rgb (cr, INK);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, c->px0 + 0.5, c->py0 + 0.5, c->px1 - c->px0 - 1,
                   c->py1 - c->py0 - 1);
  for (int i = 0; i < c->x.n_ticks; i++)
    {
      double x = crisp (axis_map (&c->x, c->x.ticks[i], c->px0, c->px1));
      cairo_move_to (cr, x, c->py1);
      cairo_line_to (cr, x, c->py1 + tick);
    }
  if (c->y.used)
    for (int i = 0; i < c->y.n_ticks; i++)
      {
        double y = crisp (axis_map (&c->y, c->y.ticks[i], c->py1, c->py0));
        cairo_move_to (cr, c->px0, y);
        cairo_line_to (cr, c->px0 - tick, y);
      }
  if (c->y2.used)
    for (int i = 0; i < c->y2.n_ticks; i++)
      {
        double y = crisp (axis_map (&c->y2, c->y2.ticks[i], c->py1, c->py0));
        cairo_move_to (cr, c->px1, y);
        cairo_line_to (cr, c->px1 + tick, y);
      }
  cairo_stroke (cr);

  /* tick labels */
  for (int i = 0; i < c->x.n_ticks; i++)
    draw_text (cr, c->tick_font, c->x.labels[i],
               axis_map (&c->x, c->x.ticks[i], c->px0, c->px1),
               c->py1 + tick + gap, ALIGN_CENTER, ALIGN_START, 0);
  if (c->y.used)
    for (int i = 0; i < c->y.n_ticks; i++)
      draw_text (cr, c->tick_font, c->y.labels[i], c->px0 - tick - gap,
                 axis_map (&c->y, c->y.ticks[i], c->py1, c->py0),
                 ALIGN_END, ALIGN_CENTER, 0);
  double w2 = 0;
  if (c->y2.used)
    for (int i = 0; i < c->y2.n_ticks; i++)
      {
        draw_text (cr, c->tick_font, c->y2.labels[i], c->px1 + tick + gap,
                   axis_map (&c->y2, c->y2.ticks[i], c->py1, c->py0),
                   ALIGN_START, ALIGN_CENTER, 0);
        w2 = MAX (w2, text_width (cr, c->tick_font, c->y2.labels[i]));
      }

  /* axis labels, the y ones reading upwards, at the image's edges */
  double pad = 12 * c->s;
  double ymid = (c->py0 + c->py1) / 2;
  if (c->xlabel != NULL)
    draw_text (cr, c->label_font, c->xlabel, (c->px0 + c->px1) / 2,
               c->height - pad, ALIGN_CENTER, ALIGN_END, 0);
  if (c->ylabel != NULL && c->y.used)
    {
      set_rgb (cr, axis_colour (c, FALSE));
      draw_text (cr, c->label_font, c->ylabel, pad, ymid, ALIGN_CENTER,
                 ALIGN_START, -G_PI / 2);
    }
  if (c->y2label != NULL && c->y2.used)
    {
      set_rgb (cr, axis_colour (c, TRUE));
      draw_text (cr, c->label_font, c->y2label,
                 c->px1 + tick + gap + w2 + gap, ymid, ALIGN_CENTER,
                 ALIGN_START, -G_PI / 2);
    }
  set_rgb (cr, INK);
  if (c->title != NULL)
    draw_text (cr, c->title_font, c->title, (c->px0 + c->px1) / 2, pad,
               ALIGN_CENTER, ALIGN_START, 0);
}

/* Points of the chart inside a device rectangle: how much a legend
 * placed there would hide.  Line segments count by their vertices. */
static gsize
points_in (const Chart *c, double x0, double y0, double x1, double y1)
{
  gsize n = 0;
  for (guint k = 0; k < c->n_series; k++)
    {
      const GnPlotSeries *s = &c->series[k];
      const Axis *ya = s->right_axis ? &c->y2 : &c->y;
      for (gsize i = 0; i < s->n; i++)
        {
          if (!point_ok (s, i))
            continue;
          double x = axis_map (&c->x, s->x[i], c->px0, c->px1);
          double y = axis_map (ya, s->y[i], c->py1, c->py0);
          n += x >= x0 && x <= x1 && y >= y0 && y <= y1;
        }
    }
  return n;
}

static void
chart_legend (Chart *c, cairo_t *cr)
{
  if (c->n_legend == 0)
    return;

  double pad = 8 * c->s, inset = 10 * c->s, swatch = 26 * c->s;
  double row = font_height (cr, c->tick_font) * 1.35;
  double tw = 0;
  for (guint k = 0; k < c->n_series; k++)
    if (c->legend[k] != NULL)
      tw = MAX (tw, text_width (cr, c->tick_font, c->legend[k]));
  double bw = pad + swatch + pad + tw + pad;
  double bh = 2 * pad + row * c->n_legend - (row - font_height (cr, c->tick_font));

  /* corners in order of preference: upper right, upper left, lower
   * right, lower left; take the one that hides the fewest points */
  double xs[4] = { c->px1 - inset - bw, c->px0 + inset,
                   c->px1 - inset - bw, c->px0 + inset };
  double ys[4] = { c->py0 + inset, c->py0 + inset,
                   c->py1 - inset - bh, c->py1 - inset - bh };
  int best = 0;
  gsize best_n = G_MAXSIZE;
  for (int i = 0; i < 4; i++)
    {
      gsize n = points_in (c, xs[i] - 4 * c->s, ys[i] - 4 * c->s,
                           xs[i] + bw + 4 * c->s, ys[i] + bh + 4 * c->s);
      if (n < best_n)
        {
          best_n = n;
          best = i;
        }
    }
  double x0 = crisp (xs[best]), y0 = crisp (ys[best]);

  cairo_rectangle (cr, x0, y0, floor (bw), floor (bh));
  cairo_set_source_rgba (cr, 1, 1, 1, 0.88);
  cairo_fill_preserve (cr);
  set_rgb (cr, DIM);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  double y = y0 + pad;
  double th = font_height (cr, c->tick_font);
  for (guint k = 0; k < c->n_series; k++)
    {
      const GnPlotSeries *s = &c->series[k];
      if (c->legend[k] == NULL)
        continue;
      double cy = y + th / 2;
      set_rgb (cr, s->rgb);
      if (s->style == GN_PLOT_POINTS)
        {
          cairo_arc (cr, x0 + pad + swatch / 2, cy, 3.2 * c->s, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      else
        {
          cairo_set_line_width (cr, 2 * c->s);
          cairo_move_to (cr, x0 + pad, cy);
          cairo_line_to (cr, x0 + pad + swatch, cy);
          cairo_stroke (cr);
        }
      set_rgb (cr, INK);
      draw_text (cr, c->tick_font, c->legend[k], x0 + pad + swatch + pad, y,
                 ALIGN_START, ALIGN_START, 0);
      y += row;
    }
}

static void
chart_paint (Chart *c, cairo_t *cr)
{
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_DEFAULT);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  chart_layout (c, cr);
  chart_grid (c, cr);

  cairo_save (cr);
  cairo_rectangle (cr, c->px0, c->py0, c->px1 - c->px0, c->py1 - c->py0);
  cairo_clip (cr);
  for (guint k = 0; k < c->n_series; k++)
    chart_series (c, cr, &c->series[k]);
  cairo_restore (cr);

  chart_axes_ink (c, cr);
  chart_legend (c, cr);
}

/* ------------------------------------------------------------------ */
/* output                                                              */
/* ------------------------------------------------------------------ */

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* Writes @len bytes to a temporary file beside @path, then renames it
 * over @path.  On failure removes the temporary and sets errno. */
static gboolean
write_atomically (const char *path, const guint8 *data, gsize len)
{
  char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
  int saved;
  if (fd < 0)
    goto fail_open;
  while (len > 0)
    {
      ssize_t w = write (fd, data, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          if (w == 0)
            errno = EIO;
          goto fail;
        }
      data += w;
      len -= (gsize) w;
    }
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, path) != 0)
    goto fail;
  g_free (tmp);
  return TRUE;

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  errno = saved;
fail_open:
  saved = errno;
  g_free (tmp);
  errno = saved;
  return FALSE;
}

guint32
gn_plot_palette (guint i)
{
  static const guint32 tableau10[10] = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
    0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf
  };
  return tableau10[i % 10];
}

gboolean
gn_plot_png (const char *path, const GnPlotSpec *spec,
             const GnPlotSeries *series, guint n_series, GError **error)
{
  static const GnPlotSpec no_spec = { 0 };
  Chart c = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (series != NULL || n_series == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  for (guint k = 0; k < n_series; k++)
    {
      g_return_val_if_fail (series[k].n == 0
                            || (series[k].x != NULL && series[k].y != NULL),
                            FALSE);
      g_return_val_if_fail (series[k].style <= GN_PLOT_STEPS, FALSE);
    }

  if (spec == NULL)
    spec = &no_spec;
  if (n_series == 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "cannot plot “%s”: no series to draw", path);
      return FALSE;
    }
  c.width = spec->width != 0 ? spec->width : GN_PLOT_DEFAULT_WIDTH;
  c.height = spec->height != 0 ? spec->height : GN_PLOT_DEFAULT_HEIGHT;
  if (c.width < GN_PLOT_MIN_SIZE || c.width > GN_PLOT_MAX_SIZE
      || c.height < GN_PLOT_MIN_SIZE || c.height > GN_PLOT_MAX_SIZE)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "cannot plot “%s”: size %dx%d is outside %dx%d to %dx%d",
                   path, c.width, c.height, GN_PLOT_MIN_SIZE,
                   GN_PLOT_MIN_SIZE, GN_PLOT_MAX_SIZE, GN_PLOT_MAX_SIZE);
      return FALSE;
    }

  c.series = series;
  c.n_series = n_series;
  c.s = CLAMP (MIN (c.width / 800., c.height / 600.), 0.5, 4.0);
  c.tick_font = (Font) { 12.5 * c.s, FALSE };
  c.label_font = (Font) { 14 * c.s, FALSE };
  c.title_font = (Font) { 16 * c.s, TRUE };
  c.title = text_dup (spec->title);
  c.xlabel = text_dup (spec->xlabel);
  c.ylabel = text_dup (spec->ylabel);
  c.y2label = text_dup (spec->y2label);

  chart_axes (&c);
  c.legend = g_new0 (char *, n_series);
  for (guint k = 0; k < n_series; k++)
    {
      char *l = text_dup (series[k].label);
      if (l == NULL)
        continue;
      if (series[k].right_axis && c.y.used && c.y2.used)
        {
          c.legend[k] = g_strconcat (l, " (right axis)", NULL);
          g_free (l);
        }
      else
        c.legend[k] = l;
      c.n_legend++;
    }

  cairo_surface_t *surface
      = cairo_image_surface_create (CAIRO_FORMAT_RGB24, c.width, c.height);
  cairo_t *cr = cairo_create (surface);
  cairo_status_t st = cairo_status (cr);
  if (st == CAIRO_STATUS_SUCCESS)
    {
      chart_paint (&c, cr);
      st = cairo_status (cr);
    }
  cairo_destroy (cr);
  if (st != CAIRO_STATUS_SUCCESS)
    g_set_error (error, GN_ERROR,
                 st == CAIRO_STATUS_NO_MEMORY ? GN_ERROR_NO_MEMORY
                                              : GN_ERROR_FAILED,
                 "cannot plot “%s”: %s", path, cairo_status_to_string (st));
  else
    {
      GByteArray *png = g_byte_array_new ();
      st = cairo_surface_write_to_png_stream (surface, append_bytes, png);
      if (st != CAIRO_STATUS_SUCCESS)
        g_set_error (error, GN_ERROR,
                     st == CAIRO_STATUS_NO_MEMORY ? GN_ERROR_NO_MEMORY
                                                  : GN_ERROR_FAILED,
                     "cannot encode plot “%s”: %s", path,
                     cairo_status_to_string (st));
      else if (!write_atomically (path, png->data, png->len))
        {
          int saved = errno;
          g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                       "cannot write plot to “%s”: %s", path,
                       g_strerror (saved));
        }
      else
        ok = TRUE;
      g_byte_array_unref (png);
    }

  cairo_surface_destroy (surface);
  chart_clear (&c);
  return ok;
}
