/* gradcheck.h - finite-difference gradient checks for the engine's tests
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A kernel's backward pass is checked against central differences of a
 * scalar probe loss L = sum_i r_i * y_i with fixed random weights r, so
 * dL/dy = r is the gradient fed to backward.  The forward runs in float32;
 * L is accumulated in double, and the step is chosen so float rounding of
 * y stays far below the tolerance.
 */
#ifndef GRADCHECK_H
#define GRADCHECK_H

#include <glib.h>
#include <stddef.h>

G_BEGIN_DECLS

/** Fills @x with @n deterministic uniform values in [@lo, @hi). */
void   gc_fill (float *x, size_t n, guint64 seed, float lo, float hi);

/** Returns sum_i a_i * r_i in double. */
double gc_dot (const float *a, const float *r, size_t n);

/**
 * GcLossFn:
 * Runs the forward pass with the current inputs and returns the probe loss.
 */
typedef double (*GcLossFn) (gpointer user);

/**
 * gc_check:
 * @what: a label for failure messages ("conv dx")
 * @x: the tensor to perturb (restored on return)
 * @analytic: the gradient of L with respect to @x from the backward pass
 * @n: number of elements of @x
 * @loss: evaluates L at the current @x
 * @max_coords: check at most this many coordinates (a seeded subset)
 * @eps: finite-difference step
 * @atol, @rtol: pass when |num - ana| <= atol + rtol * max(|num|, |ana|)
 *
 * Returns: TRUE if every checked coordinate agrees; otherwise prints the
 * worst ones with g_test_message() and returns FALSE.
 */
gboolean gc_check (const char *what, float *x, const float *analytic,
                   size_t n, GcLossFn loss, gpointer user, int max_coords,
                   double eps, double atol, double rtol);

/**
 * gc_check_nonsmooth:
 *
 * As gc_check(), for functions with kinks (ReLU, max pooling) deep inside
 * a network, where a finite difference that straddles a kink is wrong by
 * construction.  Each coordinate is differenced with steps @eps and
 * @eps / 2: where the two central estimates disagree, or where the
 * forward and backward differences differ by more than twice the
 * tolerance at both steps alike (a kink closer to x than @eps / 2, which
 * both central estimates average over alike; on a smooth curve that
 * difference halves with the step), the coordinate is skipped; every
 * other coordinate must match.  Fails if more than a quarter of the
 * coordinates had to be skipped.
 */
gboolean gc_check_nonsmooth (const char *what, float *x, const float *analytic,
                             size_t n, GcLossFn loss, gpointer user,
                             int max_coords, double eps, double atol,
                             double rtol);

/** Largest |a_i - b_i|. */
double gc_max_abs_diff (const float *a, const float *b, size_t n);

G_END_DECLS

#endif /* GRADCHECK_H */
