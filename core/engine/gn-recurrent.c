/* gn-recurrent.c - the element-wise kernels of recurrent cells
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * NB-NLP's cell ops (spaces/nbnlp.lua): tanh, sigmoid, leaky ReLU, the
 * element-wise product and the blend z a + (1 - z) b.  A recurrent cell
 * reads one value in several places (a product of a value with itself,
 * a blend of two equal inputs), so inputs and gradients may alias: no
 * restrict here, and each backward accumulates one gradient per loop.
 * The activations' backwards read their outputs, so their inputs can be
 * freed after the forward pass.
 */
#include "config.h"
#include "gn-ops.h"

#include <math.h>

void
gn_tanh_forward (size_t count, const float *x, float *y)
{
  for (size_t i = 0; i < count; i++)
    y[i] = tanhf (x[i]);
}

void
gn_tanh_backward (size_t count, const float *y, const float *dy, float *dx)
{
  for (size_t i = 0; i < count; i++)
    dx[i] += dy[i] * (1.0f - y[i] * y[i]);
}

void
gn_sigmoid_forward (size_t count, const float *x, float *y)
{
  /* the form that never overflows exp () */
  for (size_t i = 0; i < count; i++)
    {
      float v = x[i];
      if (v >= 0.0f)
        y[i] = 1.0f / (1.0f + expf (-v));
      else
        {
          float e = expf (v);
          y[i] = e / (1.0f + e);
        }
    }
}

void
gn_sigmoid_backward (size_t count, const float *y, const float *dy,
                     float *dx)
{
  for (size_t i = 0; i < count; i++)
    dx[i] += dy[i] * y[i] * (1.0f - y[i]);
}

void
gn_leaky_relu_forward (size_t count, const float *x, float *y)
{
  for (size_t i = 0; i < count; i++)
    y[i] = x[i] > 0.0f ? x[i] : GN_LEAKY_RELU_SLOPE * x[i];
}

void
gn_leaky_relu_backward (size_t count, const float *y, const float *dy,
                        float *dx)
{
  for (size_t i = 0; i < count; i++)
    dx[i] += y[i] > 0.0f ? dy[i] : GN_LEAKY_RELU_SLOPE * dy[i];
}

void
gn_mul_forward (size_t count, const float *a, const float *b, float *y)
{
  for (size_t i = 0; i < count; i++)
    y[i] = a[i] * b[i];
}

void
gn_mul_backward (size_t count, const float *a, const float *b,
                 const float *dy, float *da, float *db)
{
  if (da)
    for (size_t i = 0; i < count; i++)
      da[i] += dy[i] * b[i];
  if (db)
    for (size_t i = 0; i < count; i++)
      db[i] += dy[i] * a[i];
}

void
gn_blend_forward (size_t count, const float *z, const float *a,
                  const float *b, float *y)
{
  for (size_t i = 0; i < count; i++)
    y[i] = z[i] * a[i] + (1.0f - z[i]) * b[i];
}

void
gn_blend_backward (size_t count, const float *z, const float *a,
                   const float *b, const float *dy, float *dz, float *da,
                   float *db)
{
  if (dz)
    for (size_t i = 0; i < count; i++)
      dz[i] += dy[i] * (a[i] - b[i]);
  if (da)
    for (size_t i = 0; i < count; i++)
      da[i] += dy[i] * z[i];
  if (db)
    for (size_t i = 0; i < count; i++)
      db[i] += dy[i] * (1.0f - z[i]);
}
