/* gn-rng.c - xoshiro256** seeded by splitmix64
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * xoshiro256** (Blackman and Vigna, 2018): fast, 256-bit state, passes
 * BigCrush; splitmix64 expands a 64-bit seed into a well-mixed state.
 */
#include "config.h"
#include "gn-rng.h"

#include <math.h>

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

void
gn_rng_seed (GnRng *rng, guint64 seed)
{
  g_return_if_fail (rng != NULL);
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

guint64
gn_rng_next (GnRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

GnRng
gn_rng_split (GnRng *rng)
{
  GnRng child;
  gn_rng_seed (&child, gn_rng_next (rng));
  return child;
}

guint32
gn_rng_below (GnRng *rng, guint32 bound)
{
  g_return_val_if_fail (bound > 0, 0);
  /* Lemire's nearly divisionless method: multiply, reject the sliver
   * that would bias small results. */
  guint64 m = (gn_rng_next (rng) >> 32) * (guint64) bound;
  guint32 low = (guint32) m;
  if (low < bound)
    {
      guint32 threshold = (guint32) (-bound) % bound;
      while (low < threshold)
        {
          m = (gn_rng_next (rng) >> 32) * (guint64) bound;
          low = (guint32) m;
        }
    }
  return (guint32) (m >> 32);
}

double
gn_rng_uniform (GnRng *rng)
{
  return (double) (gn_rng_next (rng) >> 11) * 0x1.0p-53;
}

float
gn_rng_uniformf (GnRng *rng, float lo, float hi)
{
  /* 24 bits: every value is exact in float and strictly below 1 */
  float u = (float) (gn_rng_next (rng) >> 40) * 0x1.0p-24f;
  float v = lo + (hi - lo) * u;
  return v < hi ? v : lo;   /* guard the rounding of lo + (hi-lo)*u */
}

double
gn_rng_normal (GnRng *rng)
{
  double u, v, s;
  do
    {
      u = 2.0 * gn_rng_uniform (rng) - 1.0;
      v = 2.0 * gn_rng_uniform (rng) - 1.0;
      s = u * u + v * v;
    }
  while (s >= 1.0 || s == 0.0);
  /* the second deviate (v * f) is dropped: a stateless generator keeps
   * copies and splits of a GnRng exactly reproducible */
  return u * sqrt (-2.0 * log (s) / s);
}

void
gn_rng_fill_uniform (GnRng *rng, float *out, gsize count, float lo, float hi)
{
  for (gsize i = 0; i < count; i++)
    out[i] = gn_rng_uniformf (rng, lo, hi);
}

void
gn_rng_fill_normal (GnRng *rng, float *out, gsize count, float sigma)
{
  for (gsize i = 0; i < count; i++)
    out[i] = (float) (sigma * gn_rng_normal (rng));
}

void
gn_rng_permutation (GnRng *rng, int *perm, int n)
{
  for (int i = 0; i < n; i++)
    perm[i] = i;
  for (int i = n - 1; i > 0; i--)
    {
      int j = (int) gn_rng_below (rng, (guint32) i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
}
