/* gn-plan.h - static memory planning for one network's arena (private)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Every activation, gradient and auxiliary buffer of a network lives over
 * an interval of the training-step timeline (forward steps, the loss step,
 * backward steps).  gn__plan_assign() gives each an offset in one arena so
 * that no two buffers whose intervals intersect share a byte, packing the
 * rest: the greedy "largest first, lowest fitting offset" strategy of
 * TFLite's arena planner, which lands within a few percent of the peak of
 * simultaneously live bytes on convolutional nets.  It takes O(n log n)
 * when few buffers live at once, as in real networks; when very many do,
 * a sweep over time (free blocks in balanced trees) plans instead, still
 * O(n log n) (gn-plan.c).
 */
#ifndef GN_PLAN_H
#define GN_PLAN_H

#include <glib.h>

G_BEGIN_DECLS

#define GN_PLAN_ALIGN 64   /* bytes: a cache line, and AVX-512 aligned */

typedef struct {
  gsize size;      /* bytes requested (0 is allowed and gets no space) */
  int first, last; /* live over the closed interval [first, last]      */
  gsize offset;    /* out: byte offset in the arena, GN_PLAN_ALIGN'ed  */
} GnPlanBuffer;

/**
 * gn__plan_assign:
 * @bufs: (inout): the buffers; each gets its @offset
 * @n: number of buffers
 *
 * Returns: the arena size in bytes (a multiple of GN_PLAN_ALIGN).
 */
gsize gn__plan_assign (GnPlanBuffer *bufs, guint n);

/** The peak over time of the sum of live buffer sizes: a lower bound on
 * any arena, for reports and tests. */
gsize gn__plan_peak_live (const GnPlanBuffer *bufs, guint n);

G_END_DECLS

#endif /* GN_PLAN_H */
