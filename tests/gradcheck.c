/* gradcheck.c - finite-difference gradient checks for the engine's tests
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gradcheck.h"

#include <math.h>

/* splitmix64: test data must not depend on the generator under test */
static guint64
mix (guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void
gc_fill (float *x, size_t n, guint64 seed, float lo, float hi)
{
  guint64 s = seed;
  for (size_t i = 0; i < n; i++)
    x[i] = lo + (hi - lo) * (float) ((mix (&s) >> 40) * (1.0 / 16777216.0));
}

double
gc_dot (const float *a, const float *r, size_t n)
{
  double acc = 0.0;
  for (size_t i = 0; i < n; i++)
    acc += (double) a[i] * (double) r[i];
  return acc;
}

double
gc_max_abs_diff (const float *a, const float *b, size_t n)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = MAX (m, fabs ((double) a[i] - (double) b[i]));
  return m;
}

/* The differences of @loss along coordinate @i with step @eps: the
 * central one, and the one-sided slopes' skew |forward - backward|. */
typedef struct {
  double central, skew;
} Diff;

static Diff
differences (float *x, size_t i, double eps, double l0, GcLossFn loss,
             gpointer user)
{
  float saved = x[i];
  x[i] = saved + (float) eps;
  double lp = loss (user);
  x[i] = saved - (float) eps;
  double lm = loss (user);
  x[i] = saved;
  /* the steps actually taken in float, not the nominal one */
  double hp = (double) (saved + (float) eps) - (double) saved;
  double hm = (double) saved - (double) (saved - (float) eps);
  return (Diff) { (lp - lm) / (hp + hm),
                  fabs ((lp - l0) / hp - (l0 - lm) / hm) };
}

static gboolean
check (const char *what, float *x, const float *analytic, size_t n,
       GcLossFn loss, gpointer user, int max_coords, double eps, double atol,
       double rtol, gboolean nonsmooth)
{
  guint64 s = 0x5eed ^ n;
  int checks = (max_coords <= 0 || (size_t) max_coords >= n) ? (int) n
               : max_coords;
  int bad = 0, kinks = 0;

  for (int t = 0; t < checks; t++)
    {
      size_t i = (checks == (int) n) ? (size_t) t : (size_t) (mix (&s) % n);
      double l0 = nonsmooth ? loss (user) : 0.0;
      Diff d = differences (x, i, eps, l0, loss, user);
      double num = d.central;
      double ana = analytic[i];
      double tol = atol + rtol * MAX (fabs (num), fabs (ana));
      if (nonsmooth)
        {
          /* A kink within eps: the central differences at eps and eps/2
           * disagree, or (closer to x, where both average the two
           * one-sided slopes alike) the one-sided slopes differ by about
           * the slope's jump at both steps, where on a smooth curve
           * their skew, |f''| eps, halves with the step. */
          Diff h = differences (x, i, eps / 2, l0, loss, user);
          if (!(fabs (num - h.central) <= tol)
              || (d.skew > 2 * tol && h.skew > 0.75 * d.skew))
            {
              kinks++;
              continue;
            }
        }
      if (!(fabs (num - ana) <= tol))
        {
          if (bad < 5)
            g_test_message ("%s[%zu]: numeric %.7g analytic %.7g (tol %.3g)",
                            what, i, num, ana, tol);
          bad++;
        }
    }
  if (bad > 0)
    g_test_message ("%s: %d of %d coordinates disagree", what, bad, checks);
  if (4 * kinks > checks)
    g_test_message ("%s: %d of %d coordinates straddle a kink: too many to "
                    "trust the check", what, kinks, checks);
  return bad == 0 && 4 * kinks <= checks;
}

gboolean
gc_check (const char *what, float *x, const float *analytic, size_t n,
          GcLossFn loss, gpointer user, int max_coords, double eps,
          double atol, double rtol)
{
  return check (what, x, analytic, n, loss, user, max_coords, eps, atol, rtol,
                FALSE);
}

gboolean
gc_check_nonsmooth (const char *what, float *x, const float *analytic,
                    size_t n, GcLossFn loss, gpointer user, int max_coords,
                    double eps, double atol, double rtol)
{
  return check (what, x, analytic, n, loss, user, max_coords, eps, atol, rtol,
                TRUE);
}
