/* gn-plan.c - greedy interval packing of a network's buffers
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The greedy plan (gn-plan.h) places the buffers largest first, each at
 * the lowest offset that no placed buffer living at the same time
 * occupies.  Finding those buffers is the costly part: scanning every
 * placed buffer makes the plan quadratic in the number of buffers.  Here
 * they come out of a segment tree over the buffers sorted by birth, which
 * holds the latest death among the placed buffers of each range: the
 * buffers born by the new one's death and dying after its birth are found
 * in O((k + 1) log n) for k of them.  The plan is the same as the scan's.
 *
 * It is fast when few buffers live at once, as in every real network;
 * when many do (a sum of a hundred thousand branches), the k add up to a
 * quadratic total again.  Past a bound on that total, the plan is made
 * again by the linear scan over time of plan_sweep() instead: buffers
 * taken from and given back to a set of free blocks, O(n log n), packing
 * a little less tightly.
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
by_first (gconstpointer a, gconstpointer b, gpointer user)
{
  const GnPlanBuffer *bufs = user;
  int x = bufs[*(const guint *) a].first;
  int y = bufs[*(const guint *) b].first;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* the bytes [start, end) of a placed buffer */
typedef struct {
  gsize start, end;
} Span;

static int
by_start (const void *a, const void *b)
{
  gsize x = ((const Span *) a)->start, y = ((const Span *) b)->start;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* the greedy plan                                                     */
/* ------------------------------------------------------------------ */

/* The placed buffers, sorted by birth: leaf i of @last is the death of
 * the i-th born buffer if placed (G_MININT if not), an inner node the
 * latest death below it. */
typedef struct {
  int *last;             /* 2 * width: a segment tree          */
  guint width;           /* leaves: a power of two >= n        */
  Span *span;            /* the bytes of the i-th born buffer  */
  Span *found;
  guint n_found;
} Placed;

static void
placed_add (Placed *pl, guint rank, int last, Span span)
{
  guint i = pl->width + rank;
  pl->span[rank] = span;
  pl->last[i] = last;
  for (i /= 2; i >= 1; i /= 2)
    pl->last[i] = MAX (pl->last[2 * i], pl->last[2 * i + 1]);
}

/* Appends to @found the placed buffers among the first @n_born by birth
 * that die at or after @first. */
static void
placed_find (Placed *pl, guint node, guint lo, guint leaves, guint n_born,
             int first)
{
  if (lo >= n_born || pl->last[node] < first)
    return;
  if (leaves == 1)
    {
      pl->found[pl->n_found++] = pl->span[lo];
      return;
    }
  placed_find (pl, 2 * node, lo, leaves / 2, n_born, first);
  placed_find (pl, 2 * node + 1, lo + leaves / 2, leaves / 2, n_born,
               first);
}

/* Returns FALSE, leaving offsets half assigned, once the buffers living
 * alongside the ones placed so far add up to more than @max_found. */
static gboolean
plan_greedy (GnPlanBuffer *bufs, guint n, guint64 max_found, gsize *total)
{
  guint *order = g_new (guint, n);
  guint *born = g_new (guint, n);
  guint *rank = g_new (guint, n);
  Placed pl = { NULL, 1, g_new (Span, n), g_new (Span, n), 0 };
  guint64 found = 0;
  gboolean ok = TRUE;

  for (guint i = 0; i < n; i++)
    order[i] = born[i] = i;
  g_qsort_with_data (order, n, sizeof *order, by_size_desc, bufs);
  g_qsort_with_data (born, n, sizeof *born, by_first, bufs);
  for (guint r = 0; r < n; r++)
    rank[born[r]] = r;
  while (pl.width < n)
    pl.width *= 2;
  pl.last = g_new (int, 2 * (gsize) pl.width);
  for (gsize i = 0; i < 2 * (gsize) pl.width; i++)
    pl.last[i] = G_MININT;

  *total = 0;
  for (guint k = 0; k < n && ok; k++)
    {
      GnPlanBuffer *b = &bufs[order[k]];
      gsize need = align_up (b->size);

      b->offset = 0;
      if (need == 0)
        continue;
      /* the buffers born by b's death: a prefix of born[] */
      guint lo = 0, hi = n;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;
          if (bufs[born[mid]].first <= b->last)
            lo = mid + 1;
          else
            hi = mid;
        }
      pl.n_found = 0;
      placed_find (&pl, 1, 0, pl.width, lo, b->first);
      found += pl.n_found;
      qsort (pl.found, pl.n_found, sizeof *pl.found, by_start);

      /* lowest gap between time-overlapping buffers that fits */
      gsize candidate = 0;
      for (guint p = 0; p < pl.n_found; p++)
        {
          if (pl.found[p].start >= candidate + need)
            break;
          candidate = MAX (candidate, pl.found[p].end);
        }
      b->offset = candidate;
      *total = MAX (*total, candidate + need);
      placed_add (&pl, rank[order[k]], b->last,
                  (Span) { candidate, candidate + need });
      ok = found <= max_found;
    }

  g_free (pl.found);
  g_free (pl.span);
  g_free (pl.last);
  g_free (rank);
  g_free (born);
  g_free (order);
  return ok;
}

/* ------------------------------------------------------------------ */
/* the sweep plan                                                      */
/* ------------------------------------------------------------------ */

/* A free block [offset, offset + size) below the arena's top, in two
 * trees: by offset, to merge it with its neighbours, and by size then
 * offset, to take the smallest that fits. */
typedef struct {
  gsize offset, size;
} Block;

static int
block_by_offset (gconstpointer a, gconstpointer b, gpointer user)
{
  const Block *x = a, *y = b;
  return x->offset < y->offset ? -1 : x->offset > y->offset ? 1 : 0;
}

static int
block_by_size (gconstpointer a, gconstpointer b, gpointer user)
{
  const Block *x = a, *y = b;
  if (x->size != y->size)
    return x->size < y->size ? -1 : 1;
  return block_by_offset (a, b, user);
}

typedef struct {
  GTree *by_offset, *by_size;   /* the by_offset tree owns the blocks */
  gsize top;                    /* the arena's size so far            */
} Free;

static void
free_remove (Free *f, Block *blk)
{
  g_tree_remove (f->by_size, blk);
  g_tree_remove (f->by_offset, blk);   /* frees it */
}

/* Returns [offset, offset + size) to the free blocks, merged with its
 * neighbours, or lowers the top. */
static void
free_give (Free *f, gsize offset, gsize size)
{
  Block key = { offset, 0 };
  GTreeNode *after = g_tree_upper_bound (f->by_offset, &key);
  GTreeNode *before = after ? g_tree_node_previous (after)
                            : g_tree_node_last (f->by_offset);
  Block *prev = before ? g_tree_node_key (before) : NULL;
  Block *next = after ? g_tree_node_key (after) : NULL;
  if (prev != NULL && prev->offset + prev->size == offset)
    {
      offset = prev->offset;
      size += prev->size;
      free_remove (f, prev);
    }
  if (next != NULL && offset + size == next->offset)
    {
      size += next->size;
      free_remove (f, next);
    }
  if (offset + size == f->top)
    {
      f->top = offset;
      return;
    }
  Block *blk = g_new (Block, 1);
  *blk = (Block) { offset, size };
  g_tree_insert (f->by_offset, blk, blk);
  g_tree_insert (f->by_size, blk, blk);
}

/* The smallest free block that holds @size (its low end), else the top. */
static gsize
free_take (Free *f, gsize size)
{
  Block key = { 0, size };
  GTreeNode *node = g_tree_lower_bound (f->by_size, &key);
  if (node == NULL)
    {
      gsize offset = f->top;
      f->top += size;
      return offset;
    }
  Block *blk = g_tree_node_key (node);
  gsize offset = blk->offset, rest = blk->size - size;
  free_remove (f, blk);
  if (rest > 0)
    free_give (f, offset + size, rest);
  return offset;
}

static int
by_last (gconstpointer a, gconstpointer b, gpointer user)
{
  const GnPlanBuffer *bufs = user;
  int x = bufs[*(const guint *) a].last;
  int y = bufs[*(const guint *) b].last;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* Walks the timeline: a buffer takes a block when born and gives it back
 * after its death, before the next birth. */
static gsize
plan_sweep (GnPlanBuffer *bufs, guint n)
{
  guint *born = g_new (guint, n);
  guint *dying = g_new (guint, n);
  Free f = { g_tree_new_full (block_by_offset, NULL, g_free, NULL),
             g_tree_new_full (block_by_size, NULL, NULL, NULL), 0 };
  gsize total = 0;

  for (guint i = 0; i < n; i++)
    born[i] = dying[i] = i;
  g_qsort_with_data (born, n, sizeof *born, by_first, bufs);
  g_qsort_with_data (dying, n, sizeof *dying, by_last, bufs);

  guint d = 0;
  for (guint k = 0; k < n; k++)
    {
      GnPlanBuffer *b = &bufs[born[k]];
      gsize need = align_up (b->size);
      b->offset = 0;
      if (need == 0)
        continue;
      /* the dead (an empty interval, which may not be born yet, keeps
       * its block) */
      for (; d < n && bufs[dying[d]].last < b->first; d++)
        {
          const GnPlanBuffer *o = &bufs[dying[d]];
          if (o->size > 0 && o->first <= o->last)
            free_give (&f, o->offset, align_up (o->size));
        }
      b->offset = free_take (&f, need);
      total = MAX (total, f.top);
    }

  g_tree_destroy (f.by_size);
  g_tree_destroy (f.by_offset);
  g_free (dying);
  g_free (born);
  return total;
}

gsize
gn__plan_assign (GnPlanBuffer *bufs, guint n)
{
  /* fifty times what the networks of NB201 and NB101 cost (fewer than a
   * hundred buffers alive alongside each), and linear in n */
  guint64 max_found = 8 * (guint64) n + (1 << 22);
  gsize total;
  if (plan_greedy (bufs, n, max_found, &total))
    return total;
  return plan_sweep (bufs, n);
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
