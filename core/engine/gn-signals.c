/* gn-signals.c - the synthetic signal bases GenNAS regresses onto
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * docs/method.md §2.2 describes the generators of the paper's code (the
 * reference); this file reproduces their distribution (not their PyTorch
 * random streams, which no C port can replay: docs/method.md §6, item 5).
 *
 * Every random kind follows one shape: a "draw" fills a plane
 * [channels][size][size] with level x signal, and gn_signal_add() adds the
 * plane to each sample, drawing anew per sample when the spec is local.
 *
 * Sin1D/Sin2D do not build their 64 x n_freqs (or 64 x n_freqs^2, 6400
 * for ten frequencies) candidate maps.  The reference builds them all and
 * keeps the first `channels` of a random permutation; only the candidate
 * ids matter, so a partial Fisher-Yates draws that permutation prefix (a
 * uniformly random ordered subset, the same distribution) and only the
 * chosen maps are computed.  The phases are i.i.d., so a candidate's phase
 * is drawn when first needed; a row (or diagonal) candidate and its column
 * (or anti-diagonal) twin share their phase slot, as in the reference.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-ops.h"
#include "gn-rng.h"
#include "gn-signals.h"

#include <math.h>
#include <string.h>

#define N_PHASES    32    /* phases per frequency (pair): num_pos_feats   */
#define PER_GROUP   (2 * N_PHASES) /* candidates per frequency (pair)     */
#define RESIZE_POOL 1000  /* the reference tiles the colour planes 1000x   */
/* Sin candidates a spec may offer: a draw holds an int per candidate and a
 * phase per two, 8 MiB at this bound (Sin2D of 128 frequencies; GenNAS's
 * use 10).  Without it, a recipe's few thousand Sin2D frequencies asked
 * for gigabytes in every draw. */
#define MAX_SIN_CANDIDATES (1 << 20)
#define MAX_SIZE    46340 /* size^2 still fits an int                      */
#define G_RADIUS    4     /* gaussian_filter(sigma=1, truncate=4.0)       */

static const char *const signal_names[] = {
  [GN_SIGNAL_SIN1D] = "sin1d",
  [GN_SIGNAL_SIN2D] = "sin2d",
  [GN_SIGNAL_DOT] = "dot",
  [GN_SIGNAL_GDOT] = "gdot",
  [GN_SIGNAL_RESIZE] = "resize",
};

const char *
gn_signal_name (GnSignalKind kind)
{
  if ((unsigned) kind >= G_N_ELEMENTS (signal_names))
    return NULL;
  return signal_names[kind];
}

gboolean
gn_signal_from_name (const char *name, GnSignalKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);
  if (name == NULL)
    return FALSE;
  for (unsigned k = 0; k < G_N_ELEMENTS (signal_names); k++)
    if (strcmp (name, signal_names[k]) == 0)
      {
        *kind = (GnSignalKind) k;
        return TRUE;
      }
  /* the reference's config key, so its configs read as they are */
  if (strcmp (name, "dot_gaussian") == 0)
    {
      *kind = GN_SIGNAL_GDOT;
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

/* Candidate count of a sin spec, or -1 when it is more than
 * MAX_SIN_CANDIDATES. */
static gint64
sin_candidates (const GnSignalSpec *spec)
{
  gint64 groups = spec->n_freqs;
  if (spec->kind == GN_SIGNAL_SIN2D)
    groups *= spec->n_freqs;
  gint64 n = groups * PER_GROUP;
  return n > MAX_SIN_CANDIDATES ? -1 : n;
}

gboolean
gn_signal_check (const GnSignalSpec *spec, int channels, GError **error)
{
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  const char *name = gn_signal_name (spec->kind);
  if (name == NULL)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "unknown signal kind %d", (int) spec->kind);
      return FALSE;
    }
  if (!(fabsf (spec->level) <= GN_SIGNAL_MAX_LEVEL))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "%s: level %g is not a number in [-%g, %g]", name,
                   (double) spec->level, GN_SIGNAL_MAX_LEVEL,
                   GN_SIGNAL_MAX_LEVEL);
      return FALSE;
    }
  if (channels < 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "%s: %d channels requested", name, channels);
      return FALSE;
    }

  switch (spec->kind)
    {
    case GN_SIGNAL_SIN1D:
    case GN_SIGNAL_SIN2D:
      {
        if (spec->n_freqs < 1 || spec->freqs == NULL)
          {
            g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                         "%s needs at least one frequency (n_freqs = %d%s)",
                         name, spec->n_freqs,
                         spec->freqs == NULL ? ", freqs = NULL" : "");
            return FALSE;
          }
        for (int f = 0; f < spec->n_freqs; f++)
          if (!(spec->freqs[f] >= 0 && spec->freqs[f] <= GN_SIGNAL_MAX_FREQ))
            {
              g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                           "%s: frequency %d (%g) is not in [0, %g] cycles "
                           "per pixel", name, f, spec->freqs[f],
                           GN_SIGNAL_MAX_FREQ);
              return FALSE;
            }
        gint64 n = sin_candidates (spec);
        if (n < 0)
          {
            g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                         "%s: %d frequencies give too many candidates "
                         "(at most %d: 64 per %s)", name, spec->n_freqs,
                         MAX_SIN_CANDIDATES,
                         spec->kind == GN_SIGNAL_SIN1D
                           ? "frequency" : "ordered frequency pair");
            return FALSE;
          }
        if (channels > n)
          {
            g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                         "%s: %d channels requested but %d frequencies "
                         "give only %" G_GINT64_FORMAT " candidates (64 per "
                         "%s)", name, channels, spec->n_freqs, n,
                         spec->kind == GN_SIGNAL_SIN1D
                           ? "frequency" : "ordered frequency pair");
            return FALSE;
          }
        break;
      }
    case GN_SIGNAL_DOT:
    case GN_SIGNAL_GDOT:
      if (!(spec->partial >= 0.0 && spec->partial <= 1.0))
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "%s: partial %g is outside [0, 1]", name,
                       spec->partial);
          return FALSE;
        }
      break;
    case GN_SIGNAL_RESIZE:
      if (channels > RESIZE_POOL)
        {
          g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                       "%s: %d channels requested but at most %d can be "
                       "drawn", name, channels, RESIZE_POOL);
          return FALSE;
        }
      break;
    }
  return TRUE;
}

gboolean
gn_signal_check_shape (const GnSignalSpec *spec, int batch, int channels,
                       int size, int in_c, int in_h, int in_w,
                       GError **error)
{
  if (!gn_signal_check (spec, channels, error))
    return FALSE;

  const char *name = gn_signal_name (spec->kind);
  if (batch < 1)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "%s: batch %d is not positive", name, batch);
      return FALSE;
    }
  if (size < 1 || size > MAX_SIZE)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "%s: target size %d is outside [1, %d]", name, size,
                   MAX_SIZE);
      return FALSE;
    }
  if (spec->kind == GN_SIGNAL_RESIZE && (in_c < 1 || in_h < 1 || in_w < 1))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "%s: input shape %d x %d x %d is empty", name, in_c, in_h,
                   in_w);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Random subsets                                                      */
/* ------------------------------------------------------------------ */

/* The first @k entries of a uniformly random permutation of 0 .. n-1 into
 * @out, i.e. a uniformly random k-subset in random order.  @pool holds
 * 0 .. n-1 on entry and again on return: the swaps are undone in reverse
 * order, so one O(n) initialisation serves every draw at O(k) each.
 * @swaps is k ints of scratch. */
static void
permutation_prefix (GnRng *rng, int *pool, int n, int k, int *out,
                    int *swaps)
{
  for (int i = 0; i < k; i++)
    {
      int j = i + (int) gn_rng_below (rng, (guint32) (n - i));
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      out[i] = pool[i];
      swaps[i] = j;
    }
  for (int i = k - 1; i >= 0; i--)
    {
      int j = swaps[i];
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
}

static int *
identity_pool (int n)
{
  int *pool = g_new (int, MAX (n, 1));
  for (int i = 0; i < n; i++)
    pool[i] = i;
  return pool;
}

/* ------------------------------------------------------------------ */
/* Gaussian filter                                                     */
/* ------------------------------------------------------------------ */

/* scipy's _gaussian_kernel1d: exp(-x^2 / (2 sigma^2)) for x = -4 .. 4,
 * divided by its sum; sigma = 1, radius = int(truncate sigma + 0.5) = 4. */
static void
gaussian_weights (double w[2 * G_RADIUS + 1])
{
  double sum = 0.0;
  for (int x = -G_RADIUS; x <= G_RADIUS; x++)
    {
      w[x + G_RADIUS] = exp (-0.5 * (double) (x * x));
      sum += w[x + G_RADIUS];
    }
  for (int t = 0; t < 2 * G_RADIUS + 1; t++)
    w[t] /= sum;
}

/* scipy's mode='reflect' (half-sample symmetric, ...c b a | a b c...): the
 * extension is periodic with period 2n, so lines shorter than the radius
 * reflect as many times as needed. */
static inline int
reflect_index (int p, int n)
{
  int period = 2 * n;
  int m = p % period;
  if (m < 0)
    m += period;
  return m < n ? m : period - 1 - m;
}

/* One axis of the separable filter: out[p] = sum_x w[x] in[reflect(p+x)]
 * for each of @lines lines of @len values, @stride apart within a line and
 * @step apart between lines. */
static void
correlate_axis (const double *in, double *out, int len, int lines,
                int stride, int step, const double w[2 * G_RADIUS + 1])
{
  for (int l = 0; l < lines; l++)
    for (int p = 0; p < len; p++)
      {
        double acc = 0.0;
        for (int x = -G_RADIUS; x <= G_RADIUS; x++)
          acc += w[x + G_RADIUS]
                 * in[(size_t) l * step
                      + (size_t) reflect_index (p + x, len) * stride];
        out[(size_t) l * step + (size_t) p * stride] = acc;
      }
}

/* In place over a size x size double map; @tmp is size^2 doubles.  In
 * double, as scipy filters the reference's float64 dot maps. */
static void
gaussian_filter_d (double *map, int size, double *tmp)
{
  double w[2 * G_RADIUS + 1];
  gaussian_weights (w);
  /* scipy filters axis 0 (down the rows) first, then axis 1 */
  correlate_axis (map, tmp, size, size, size, 1, w);
  correlate_axis (tmp, map, size, size, 1, size, w);
}

void
gn_signal_gaussian_filter (float *map, int size)
{
  g_return_if_fail (map != NULL);
  g_return_if_fail (size >= 1 && size <= MAX_SIZE);

  size_t n = (size_t) size * (size_t) size;
  double *buf = g_new (double, 2 * n);
  for (size_t i = 0; i < n; i++)
    buf[i] = map[i];
  gaussian_filter_d (buf, size, buf + n);
  for (size_t i = 0; i < n; i++)
    map[i] = (float) buf[i];
  g_free (buf);
}

/* ------------------------------------------------------------------ */
/* Draws                                                               */
/* ------------------------------------------------------------------ */

/* Scratch for drawing one plane; sized once per gn_signal_add() call. */
typedef struct {
  const GnSignalSpec *spec;
  int channels;
  int size;
  int n_pool;        /* sin: candidates; dot: pixels                  */
  int *pool;         /* 0 .. n_pool-1, see permutation_prefix()       */
  int *pick;         /* [max(channels, pixels)]                       */
  int *swaps;        /* [max(channels, pixels)]                       */
  double *phase;     /* sin: [groups][N_PHASES], < 0 = not drawn yet  */
  double *wave;      /* sin1d: [size]                                 */
  double *map;       /* gdot: [size^2]                                */
  double *tmp;       /* gdot: [size^2]                                */
} Draw;

static void
draw_init (Draw *d, const GnSignalSpec *spec, int channels, int size)
{
  memset (d, 0, sizeof *d);
  d->spec = spec;
  d->channels = channels;
  d->size = size;
  int plane = size * size;

  if (spec->kind == GN_SIGNAL_SIN1D || spec->kind == GN_SIGNAL_SIN2D)
    {
      d->n_pool = (int) sin_candidates (spec);
      int groups = d->n_pool / PER_GROUP;
      d->phase = g_new (double, (size_t) groups * N_PHASES);
      for (size_t i = 0; i < (size_t) groups * N_PHASES; i++)
        d->phase[i] = -1.0;
      d->wave = g_new (double, size);
      d->pick = g_new (int, MAX (channels, 1));
      d->swaps = g_new (int, MAX (channels, 1));
    }
  else
    {
      d->n_pool = plane;
      d->pick = g_new (int, plane);
      d->swaps = g_new (int, plane);
      if (spec->kind == GN_SIGNAL_GDOT)
        {
          d->map = g_new (double, plane);
          d->tmp = g_new (double, plane);
        }
    }
  d->pool = identity_pool (d->n_pool);
}

static void
draw_clear (Draw *d)
{
  g_free (d->pool);
  g_free (d->pick);
  g_free (d->swaps);
  g_free (d->phase);
  g_free (d->wave);
  g_free (d->map);
  g_free (d->tmp);
}

/* f_k of the reference: sin for even k, cos for odd k */
static inline double
wave_fn (int k, double x)
{
  return (k & 1) ? cos (x) : sin (x);
}

/* The phase of slot (group, k), drawn U[0, 2pi) on first use; a twin
 * candidate picked later in the same draw reuses it. */
static inline double
phase_of (Draw *d, GnRng *rng, int slot)
{
  if (d->phase[slot] < 0.0)
    d->phase[slot] = 2.0 * G_PI * gn_rng_uniform (rng);
  return d->phase[slot];
}

/* Candidate id = group * 64 + half * 32 + k, with group the frequency
 * (Sin1D) or the ordered pair b1 * n_freqs + b2 (Sin2D), half 0 the row
 * (diagonal) waves and half 1 the column (anti-diagonal) ones. */
static void
draw_sin (Draw *d, GnRng *rng, float *plane)
{
  const GnSignalSpec *spec = d->spec;
  int size = d->size, nf = spec->n_freqs;
  size_t area = (size_t) size * (size_t) size;
  /* float signal times float level, the reference's (float32) order */
  float level = spec->level;

  permutation_prefix (rng, d->pool, d->n_pool, d->channels, d->pick,
                      d->swaps);

  for (int c = 0; c < d->channels; c++)
    {
      int id = d->pick[c];
      int group = id / PER_GROUP;
      int half = (id % PER_GROUP) / N_PHASES;
      int k = id % N_PHASES;
      double phi = phase_of (d, rng, group * N_PHASES + k);
      float *out = plane + (size_t) c * area;

      if (spec->kind == GN_SIGNAL_SIN1D)
        {
          /* one profile along the varying axis, broadcast along the other */
          double kb = 2.0 * G_PI * spec->freqs[group];
          for (int t = 0; t < size; t++)
            d->wave[t] = wave_fn (k, kb * (t + 1) + phi);
          for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
              out[(size_t) i * size + j]
                = level * (float) d->wave[half == 0 ? i : j];
        }
      else
        {
          double k1 = 2.0 * G_PI * spec->freqs[group / nf];
          double k2 = 2.0 * G_PI * spec->freqs[group % nf];
          for (int i = 0; i < size; i++)
            {
              /* the anti-diagonal twin is the diagonal map flipped
               * vertically: row i takes the diagonal's row size-1-i */
              int r = half == 0 ? i + 1 : size - i;
              for (int j = 0; j < size; j++)
                /* the phase enters both axis terms, hence twice */
                out[(size_t) i * size + j]
                  = level * (float) wave_fn (k, k1 * r + k2 * (j + 1)
                                                + 2.0 * phi);
            }
        }
    }

  /* forget this draw's phases (only the slots it touched) */
  for (int c = 0; c < d->channels; c++)
    {
      int id = d->pick[c];
      d->phase[(id / PER_GROUP) * N_PHASES + id % N_PHASES] = -1.0;
    }
}

static void
draw_dot (Draw *d, GnRng *rng, float *plane)
{
  const GnSignalSpec *spec = d->spec;
  int size = d->size;
  int area = size * size;
  /* left to right as the reference's int(partial * 8 * 8) */
  int n = (int) (spec->partial * size * size);
  n = CLAMP (n, 0, area);

  for (int c = 0; c < d->channels; c++)
    {
      float *out = plane + (size_t) c * area;

      /* n distinct pixels, uniformly (the reference's rejection loop
       * yields the same uniform n-subset), each +1 or -1 */
      permutation_prefix (rng, d->pool, area, n, d->pick, d->swaps);

      if (spec->kind == GN_SIGNAL_DOT)
        {
          memset (out, 0, (size_t) area * sizeof *out);
          for (int t = 0; t < n; t++)
            out[d->pick[t]] = (gn_rng_next (rng) >> 63) ? spec->level
                                                         : -spec->level;
          continue;
        }

      memset (d->map, 0, (size_t) area * sizeof *d->map);
      for (int t = 0; t < n; t++)
        d->map[d->pick[t]] = (gn_rng_next (rng) >> 63) ? 1.0 : -1.0;
      gaussian_filter_d (d->map, size, d->tmp);

      double peak = 0.0;
      for (int p = 0; p < area; p++)
        peak = MAX (peak, fabs (d->map[p]));
      /* n = 0 leaves the map all zero (the reference divides 0 by 0);
       * dividing rather than multiplying by 1/peak makes the peak exactly
       * +-1, so the channel's largest magnitude is exactly level */
      for (int p = 0; p < area; p++)
        out[p] = peak > 0.0 ? spec->level * (float) (d->map[p] / peak)
                            : 0.0f;
    }
}

/* ------------------------------------------------------------------ */
/* Resize                                                              */
/* ------------------------------------------------------------------ */

static void
add_resize (const GnSignalSpec *spec, int batch, int channels, int size,
            const float *clean_input, int in_c, int in_h, int in_w,
            GnRng *rng, float *target)
{
  size_t area = (size_t) size * (size_t) size;
  size_t count = (size_t) batch * (size_t) in_c * area;
  float *small = g_new (float, count);

  gn_resize_nearest_forward (batch, in_c, in_h, in_w, size, size,
                             clean_input, small);

  /* the min and max of the whole resized batch, not of each sample */
  float lo = small[0], hi = small[0];
  for (size_t i = 1; i < count; i++)
    {
      lo = MIN (lo, small[i]);
      hi = MAX (hi, small[i]);
    }
  float range = hi - lo;
  /* in float, in the reference's order: (x - min) / max', then -0.5, x2;
   * a constant batch (range 0) maps to the middle, 0 */
  for (size_t i = 0; i < count; i++)
    small[i] = range > 0.0f ? ((small[i] - lo) / range - 0.5f) * 2.0f
                            : 0.0f;

  /* channel c shows colour plane perm[c] mod in_c, where perm is a random
   * permutation of 0..999: without replacement from a pool of 1000, so the
   * colours are not quite independent (334 R, 333 G, 333 B for RGB) */
  int *pool = identity_pool (RESIZE_POOL);
  int *pick = g_new (int, MAX (channels, 1));
  int *swaps = g_new (int, MAX (channels, 1));
  permutation_prefix (rng, pool, RESIZE_POOL, channels, pick, swaps);

  for (int b = 0; b < batch; b++)
    for (int c = 0; c < channels; c++)
      {
        const float *src = small + ((size_t) b * in_c + pick[c] % in_c) * area;
        float *dst = target + ((size_t) b * channels + c) * area;
        for (size_t p = 0; p < area; p++)
          dst[p] += spec->level * src[p];
      }

  g_free (swaps);
  g_free (pick);
  g_free (pool);
  g_free (small);
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */
/* ------------------------------------------------------------------ */

void
gn_signal_add (const GnSignalSpec *spec, int batch, int channels, int size,
               const float *clean_input, int in_c, int in_h, int in_w,
               GnRng *rng, float *target)
{
  g_return_if_fail (spec != NULL && rng != NULL && target != NULL);
  g_return_if_fail (batch >= 1 && channels >= 0);
  g_return_if_fail (size >= 1 && size <= MAX_SIZE);
#ifndef G_DISABLE_CHECKS
  {
    g_autoptr (GError) err = NULL;
    if (!gn_signal_check (spec, channels, &err))
      {
        g_critical ("gn_signal_add: %s", err->message);
        return;
      }
  }
#endif
  if (channels == 0)
    return;

  if (spec->kind == GN_SIGNAL_RESIZE)
    {
      g_return_if_fail (clean_input != NULL);
      g_return_if_fail (in_c >= 1 && in_h >= 1 && in_w >= 1);
      add_resize (spec, batch, channels, size, clean_input, in_c, in_h, in_w,
                  rng, target);
      return;
    }

  size_t plane_len = (size_t) channels * (size_t) size * (size_t) size;
  float *plane = g_new (float, plane_len);
  Draw d;
  draw_init (&d, spec, channels, size);

  for (int b = 0; b < batch; b++)
    {
      /* local: every sample its own draw; global: one draw, repeated */
      if (b == 0 || spec->local)
        {
          if (spec->kind == GN_SIGNAL_SIN1D || spec->kind == GN_SIGNAL_SIN2D)
            draw_sin (&d, rng, plane);
          else
            draw_dot (&d, rng, plane);
        }
      float *restrict dst = target + (size_t) b * plane_len;
      for (size_t i = 0; i < plane_len; i++)
        dst[i] += plane[i];
    }

  draw_clear (&d);
  g_free (plane);
}
