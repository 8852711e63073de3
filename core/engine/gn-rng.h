/* gn-rng.h - the one seeded random generator of a run
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * xoshiro256** seeded through splitmix64.  Every random draw of an
 * evaluation (initial weights, augmentation, noise, targets) comes from one
 * GnRng, so a seed reproduces a run bit for bit on one machine.  The
 * generator is a plain value type: copy it to fork a stream, or use
 * gn_rng_split() to derive an independent one.
 */
#ifndef GN_RNG_H
#define GN_RNG_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 s[4];
} GnRng;

/** Seeds @rng; any 64-bit value (0 included) is a valid seed. */
void    gn_rng_seed (GnRng *rng, guint64 seed);
/** Derives a new independent generator from @rng (advancing @rng). */
GnRng   gn_rng_split (GnRng *rng);
/** Uniform 64-bit value. */
guint64 gn_rng_next (GnRng *rng);
/** Uniform integer in [0, @bound), unbiased; @bound must be > 0. */
guint32 gn_rng_below (GnRng *rng, guint32 bound);
/** Uniform double in [0, 1) with 53 random bits. */
double  gn_rng_uniform (GnRng *rng);
/** Uniform float in [@lo, @hi). */
float   gn_rng_uniformf (GnRng *rng, float lo, float hi);
/** Standard normal deviate (polar Box-Muller). */
double  gn_rng_normal (GnRng *rng);
/** Fills @out with @count uniform floats in [@lo, @hi). */
void    gn_rng_fill_uniform (GnRng *rng, float *out, gsize count, float lo,
                             float hi);
/** Fills @out with @count normal floats of mean 0 and deviation @sigma. */
void    gn_rng_fill_normal (GnRng *rng, float *out, gsize count, float sigma);
/** A uniformly random permutation of 0 .. @n-1 into @perm (Fisher-Yates). */
void    gn_rng_permutation (GnRng *rng, int *perm, int n);

G_END_DECLS

#endif /* GN_RNG_H */
