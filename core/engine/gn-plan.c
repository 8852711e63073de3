/* gn-plan.c - greedy interval packing of a network's buffers
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gn-plan.h"

#include <stdlib.h>

static gsize
align_up (gsize x)
{
  return (x + GN_PLAN_ALIGN - 1) / GN_PLAN_ALIGN * GN_PLAN_ALIGN;
}

static int
by_size_desc (gconstpointer a, gconstpointer b, gpointer user)
{
  const GnPlanBuffer *bufs = user;
  const GnPlanBuffer *x = &bufs[*(const guint *) a];
  const GnPlanBuffer *y = &bufs[*(const guint *) b];
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return (*(const guint *) a < *(const guint *) b) ? -1 : 1;
}

static int
by_offset (gconstpointer a, gconstpointer b, gpointer user)
{
  const GnPlanBuffer *bufs = user;
  gsize x = bufs[*(const guint *) a].offset;
  gsize y = bufs[*(const guint *) b].offset;
  return x < y ? -1 : x > y ? 1 : 0;
}

gsize
gn__plan_assign (GnPlanBuffer *bufs, guint n)
{
  guint *order = g_new (guint, n);
  guint *placed = g_new (guint, n);   /* indices of placed buffers */
  guint *overlap = g_new (guint, n);
  guint n_placed = 0;
  gsize total = 0;

  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, n, sizeof *order, by_size_desc, bufs);

  for (guint k = 0; k < n; k++)
    {
      GnPlanBuffer *b = &bufs[order[k]];
      gsize need = align_up (b->size);
      guint n_over = 0;

      b->offset = 0;
      if (need == 0)
        continue;
      for (guint p = 0; p < n_placed; p++)
        {
          const GnPlanBuffer *o = &bufs[placed[p]];
          if (o->first <= b->last && b->first <= o->last)
            overlap[n_over++] = placed[p];
        }
      g_qsort_with_data (overlap, n_over, sizeof *overlap, by_offset, bufs);

      /* lowest gap between time-overlapping buffers that fits */
      gsize candidate = 0;
      for (guint p = 0; p < n_over; p++)
        {
          const GnPlanBuffer *o = &bufs[overlap[p]];
          if (o->offset >= candidate + need)
            break;
          candidate = MAX (candidate, o->offset + align_up (o->size));
        }
      b->offset = candidate;
      total = MAX (total, candidate + need);
      placed[n_placed++] = order[k];
    }

  g_free (overlap);
  g_free (placed);
  g_free (order);
  return total;
}

gsize
gn__plan_peak_live (const GnPlanBuffer *bufs, guint n)
{
  int lo = G_MAXINT, hi = G_MININT;
  for (guint i = 0; i < n; i++)
    if (bufs[i].size > 0)
      {
        lo = MIN (lo, bufs[i].first);
        hi = MAX (hi, bufs[i].last);
      }
  if (lo > hi)
    return 0;

  /* difference array over the timeline */
  gssize *delta = g_new0 (gssize, (gsize) (hi - lo) + 2);
  for (guint i = 0; i < n; i++)
    if (bufs[i].size > 0)
      {
        delta[bufs[i].first - lo] += (gssize) align_up (bufs[i].size);
        delta[bufs[i].last - lo + 1] -= (gssize) align_up (bufs[i].size);
      }
  gssize live = 0, peak = 0;
  for (int t = 0; t <= hi - lo; t++)
    {
      live += delta[t];
      peak = MAX (peak, live);
    }
  g_free (delta);
  return (gsize) peak;
}
