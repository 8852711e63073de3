/* gn-search.c - asynchronous regularized evolution and random search
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-proxy.h"
#include "gn-rng.h"
#include "gn-search.h"
#include "gn-space.h"
#include "gn-store.h"
#include "gn-workers.h"

#include <math.h>
#include <string.h>

/* how often a duplicate candidate is redrawn before the space counts as
 * used up */
#define MAX_DRAWS 200
/* candidates a constraint may refuse in a row before the search gives
 * up: a constraint that admits one in a thousand still gets its draws */
#define MAX_REFUSALS 20000

typedef struct {
  char *arch;
  double score;
} Member;

/* A proposal's result on its way into the population (a lagged search,
 * gn_search_set_lag()). */
typedef enum { SLOT_PENDING, SLOT_JOIN, SLOT_SKIP } SlotState;

typedef struct {
  char *arch;
  double score;
  SlotState state;
} Slot;

struct _GnSearch {
  GnSpace *space;
  GnSearchConfig cfg;
  GnRng rng;
  GHashTable *seen;        /* every architecture proposed or restored */
  GQueue population;       /* Member*, oldest first */
  char **candidates;       /* LIST: what to propose, in order        */
  char **initial;          /* REA, random: proposed before any draw  */
  int next;                /* LIST: the next candidate to consider   */
  int proposed;            /* proposals made (restores included)     */
  int reported, counted;
  int refused;             /* candidates cfg.accept turned down       */
  gboolean exhausted;      /* a proposal found nothing new            */
  gboolean replaying;      /* the restores so far are what this search
                            * would have proposed, in that order       */
  char *best_arch;
  double best_score;
  int lag;                 /* 0: results join when reported          */
  int slot_base;           /* the proposal number of slots[0]        */
  GPtrArray *slots;        /* Slot*, the proposals since the lag was
                            * set, in order (lag > 0)                */
  GHashTable *slot_of;     /* arch -> Slot* of the proposals pending */
  int joined;              /* slots whose result has joined          */
};

static void add_slot (GnSearch *s, const char *arch);
static void join_lagged (GnSearch *s, int upto);

static void
member_free (gpointer data)
{
  Member *m = data;
  g_free (m->arch);
  g_free (m);
}

static void
slot_free (gpointer data)
{
  Slot *slot = data;
  g_free (slot->arch);
  g_free (slot);
}

GnSearch *
gn_search_new (GnSpace *space, const GnSearchConfig *cfg, GError **error)
{
  g_return_val_if_fail (space != NULL && cfg != NULL, NULL);
  if (cfg->algo == GN_SEARCH_REA
      && (cfg->population < 1 || cfg->tournament < 1
          || cfg->tournament > cfg->population))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "evolution needs population >= 1 and 1 <= tournament <= "
                   "population (got %d and %d)", cfg->population,
                   cfg->tournament);
      return NULL;
    }
  if (cfg->pool != NULL && cfg->pool->size < 1)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "a search within a pool needs a pool of at least one "
                   "architecture");
      return NULL;
    }
  if (cfg->algo == GN_SEARCH_LIST && cfg->candidates == NULL)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "a list search needs its candidates");
      return NULL;
    }
  GnSearch *s = g_new0 (GnSearch, 1);
  s->space = space;
  s->cfg = *cfg;
  s->candidates = g_strdupv ((char **) cfg->candidates);
  s->cfg.candidates = (const char *const *) s->candidates;
  s->initial = g_strdupv ((char **) cfg->initial);
  s->cfg.initial = (const char *const *) s->initial;
  gn_rng_seed (&s->rng, cfg->seed);
  s->replaying = cfg->algo != GN_SEARCH_LIST;
  s->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&s->population);
  s->best_score = -G_MAXDOUBLE;
  s->slots = g_ptr_array_new_with_free_func (slot_free);
  s->slot_of = g_hash_table_new (g_str_hash, g_str_equal);
  return s;
}

void
gn_search_free (GnSearch *s)
{
  if (s == NULL)
    return;
  g_hash_table_destroy (s->seen);
  g_queue_clear_full (&s->population, member_free);
  g_hash_table_destroy (s->slot_of);
  g_ptr_array_free (s->slots, TRUE);
  g_strfreev (s->candidates);
  g_strfreev (s->initial);
  g_free (s->best_arch);
  g_free (s);
}

/* The best of S members drawn without replacement from the population. */
static const Member *
tournament (GnSearch *s)
{
  guint n = s->population.length;
  guint k = MIN ((guint) s->cfg.tournament, n);
  int *idx = g_new (int, n);
  gn_rng_permutation (&s->rng, idx, (int) n);
  const Member *best = NULL;
  int best_idx = -1;
  for (guint i = 0; i < k; i++)
    {
      const Member *m = g_queue_peek_nth (&s->population, (guint) idx[i]);
      /* ties go to the younger member (later in the queue) */
      if (best == NULL || m->score > best->score
          || (m->score == best->score && idx[i] > best_idx))
        {
          best = m;
          best_idx = idx[i];
        }
    }
  g_free (idx);
  return best;
}

/* the multiset of the parts of @arch (part -> count) */
static GHashTable *
arch_parts (const char *arch)
{
  GHashTable *parts = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             g_free, NULL);
  const char *p = arch;
  while (*p)
    {
      gsize len = strcspn (p, ";|+,");
      if (len > 0)
        {
          char *part = g_strndup (p, len);
          gpointer n = g_hash_table_lookup (parts, part);
          g_hash_table_replace (parts, part,
                                GINT_TO_POINTER (GPOINTER_TO_INT (n) + 1));
        }
      p += len;
      if (*p)
        p++;
    }
  return parts;
}

/* parts of @a beyond those of @b, with multiplicity */
static int
parts_beyond (GHashTable *a, GHashTable *b)
{
  GHashTableIter it;
  gpointer key, value;
  int extra = 0;
  g_hash_table_iter_init (&it, a);
  while (g_hash_table_iter_next (&it, &key, &value))
    extra += MAX (0, GPOINTER_TO_INT (value)
                     - GPOINTER_TO_INT (g_hash_table_lookup (b, key)));
  return extra;
}

int
gn_search_arch_distance (const char *a, const char *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, -1);
  GHashTable *pa = arch_parts (a), *pb = arch_parts (b);
  int d = parts_beyond (pa, pb) + parts_beyond (pb, pa);
  g_hash_table_destroy (pa);
  g_hash_table_destroy (pb);
  return d;
}

/* A uniform member of the pool. */
static char *
pool_draw (GnSearch *s, GError **error)
{
  const GnSearchPool *pool = s->cfg.pool;
  int i = (int) gn_rng_below (&s->rng, (guint32) pool->size);
  return pool->arch (i, pool->data, error);
}

/* @child (taken) itself if it is in the pool, else the member nearest to
 * it of GN_SEARCH_POOL_NEIGHBOURS drawn, those not proposed before first
 * (a proposed one only if every draw was, for draw() to turn down). */
static char *
pool_nearest (GnSearch *s, char *child, GError **error)
{
  const GnSearchPool *pool = s->cfg.pool;
  if (pool->find (child, pool->data) >= 0)
    return child;
  GHashTable *target = arch_parts (child);
  char *best = NULL;
  int best_d = G_MAXINT;
  gboolean best_seen = TRUE;
  for (int k = 0; k < GN_SEARCH_POOL_NEIGHBOURS; k++)
    {
      char *arch = pool_draw (s, error);
      if (arch == NULL)
        {
          g_clear_pointer (&best, g_free);
          break;
        }
      gboolean seen = g_hash_table_contains (s->seen, arch);
      GHashTable *parts = arch_parts (arch);
      int d = parts_beyond (parts, target) + parts_beyond (target, parts);
      g_hash_table_destroy (parts);
      if ((best_seen && !seen) || (seen == best_seen && d < best_d))
        {
          g_free (best);
          best = arch;
          best_d = d;
          best_seen = seen;
        }
      else
        g_free (arch);
    }
  g_hash_table_destroy (target);
  g_free (child);
  return best;
}

/* The first initial candidate not proposed (nor refused) before, or
 * NULL: a scan rather than a cursor, so that a restored history in any
 * order leaves the rest to propose (transfer full). */
static char *
next_initial (GnSearch *s)
{
  for (char **a = s->initial; a && *a; a++)
    if (!g_hash_table_contains (s->seen, *a))
      return g_strdup (*a);
  return NULL;
}

/* The next candidate of evolution or random search that was not proposed
 * before, without recording it: NULL with @error if the space failed,
 * NULL without one if none turned up in MAX_DRAWS draws. */
static char *
draw (GnSearch *s, GError **error)
{
  int refusals = 0;
  for (int k = 0; k < MAX_DRAWS; k++)
    {
      char *arch;
      gboolean random = s->cfg.algo == GN_SEARCH_RANDOM
                        || s->proposed < s->cfg.population
                        || s->population.length == 0;
      if (random)
        {
          arch = next_initial (s);
          if (arch == NULL)
            arch = s->cfg.pool ? pool_draw (s, error)
                               : gn_space_sample (s->space, &s->rng, error);
        }
      else
        {
          arch = gn_space_mutate (s->space, tournament (s)->arch, &s->rng,
                                  error);
          if (arch != NULL && s->cfg.pool != NULL)
            arch = pool_nearest (s, arch, error);
        }
      if (arch == NULL)
        return NULL;
      if (g_hash_table_contains (s->seen, arch))
        {
          g_free (arch);
          continue;
        }
      if (s->cfg.accept == NULL)
        return arch;
      GError *local = NULL;
      if (s->cfg.accept (arch, s->cfg.accept_data, &local))
        return arch;
      if (local != NULL)
        {
          g_propagate_error (error, local);
          g_free (arch);
          return NULL;
        }
      /* refused: never proposed, and not held against the draws that
       * look for something new */
      g_hash_table_add (s->seen, arch);
      s->refused++;
      if (++refusals < MAX_REFUSALS)
        k--;
    }
  return NULL;
}

char *
gn_search_propose (GnSearch *s, GError **error)
{
  g_return_val_if_fail (s != NULL, NULL);
  if (s->cfg.algo == GN_SEARCH_LIST)
    {
      /* skips what a restore already brought in; the end is exhaustion */
      while (s->candidates[s->next] != NULL)
        {
          const char *arch = s->candidates[s->next++];
          if (!g_hash_table_contains (s->seen, arch))
            {
              g_hash_table_add (s->seen, g_strdup (arch));
              s->proposed++;
              return g_strdup (arch);
            }
        }
      s->exhausted = TRUE;
      return NULL;
    }
  g_return_val_if_fail (gn_search_ready (s), NULL);
  join_lagged (s, s->proposed - s->lag);
  GError *local = NULL;
  char *arch = draw (s, &local);
  if (arch == NULL)
    {
      if (local)
        g_propagate_error (error, local);
      else
        s->exhausted = TRUE;   /* the space looks used up */
      return NULL;
    }
  g_hash_table_add (s->seen, g_strdup (arch));
  s->proposed++;
  add_slot (s, arch);
  return arch;
}

/* The counts and the best of a result; returns whether it joins the
 * population, with *@score as it joins (the worst for a failure). */
static gboolean
count_result (GnSearch *s, const char *arch, double *score, gboolean failed)
{
  s->reported++;
  if (failed && s->cfg.on_failure == GN_FAILURE_RESAMPLE)
    return FALSE;
  s->counted++;
  /* a failed or non-finite result joins the population as the worst, but
   * is never the best: that takes a finite score */
  gboolean finite = !failed && isfinite (*score) && *score > -G_MAXDOUBLE;
  if (!finite)
    *score = -G_MAXDOUBLE;
  if (finite && (s->best_arch == NULL || *score > s->best_score))
    {
      g_free (s->best_arch);
      s->best_arch = g_strdup (arch);
      s->best_score = *score;
    }
  return s->cfg.algo == GN_SEARCH_REA;
}

static void
join (GnSearch *s, const char *arch, double score)
{
  Member *m = g_new (Member, 1);
  m->arch = g_strdup (arch);
  m->score = score;
  g_queue_push_tail (&s->population, m);
  while ((int) s->population.length > s->cfg.population)
    member_free (g_queue_pop_head (&s->population));   /* aging */
}

static void
add_result (GnSearch *s, const char *arch, double score, gboolean failed)
{
  if (count_result (s, arch, &score, failed))
    join (s, arch, score);
}

/* A lagged search's record of its next proposal, @arch. */
static void
add_slot (GnSearch *s, const char *arch)
{
  if (s->lag <= 0)
    return;
  Slot *slot = g_new (Slot, 1);
  slot->arch = g_strdup (arch);
  slot->score = 0;
  slot->state = SLOT_PENDING;
  g_ptr_array_add (s->slots, slot);
  g_hash_table_insert (s->slot_of, slot->arch, slot);
}

/* The results of the lagged proposals numbered up to @upto join the
 * population, in the order they were proposed: all must have come. */
static void
join_lagged (GnSearch *s, int upto)
{
  for (; s->joined < (int) s->slots->len
         && s->slot_base + s->joined <= upto; s->joined++)
    {
      Slot *slot = g_ptr_array_index (s->slots, s->joined);
      g_assert (slot->state != SLOT_PENDING);
      if (slot->state == SLOT_JOIN)
        join (s, slot->arch, slot->score);
    }
}

void
gn_search_set_lag (GnSearch *s, int lag)
{
  g_return_if_fail (s != NULL && lag >= 0);
  g_return_if_fail (g_hash_table_size (s->slot_of) == 0);
  join_lagged (s, G_MAXINT);   /* every result in so far joins */
  g_ptr_array_set_size (s->slots, 0);
  s->joined = 0;
  s->slot_base = s->proposed;
  s->lag = s->cfg.algo == GN_SEARCH_REA ? lag : 0;   /* no population */
}

gboolean
gn_search_ready (GnSearch *s)
{
  g_return_val_if_fail (s != NULL, FALSE);
  if (s->lag <= 0)   /* gn_search_set_lag() leaves 0 without evolution */
    return TRUE;
  for (int j = s->joined; j < (int) s->slots->len
       && s->slot_base + j <= s->proposed - s->lag; j++)
    if (((Slot *) g_ptr_array_index (s->slots, j))->state == SLOT_PENDING)
      return FALSE;
  return TRUE;
}

void
gn_search_report (GnSearch *s, const char *arch, double score,
                  gboolean failed)
{
  g_return_if_fail (s != NULL && arch != NULL);
  Slot *slot = g_hash_table_lookup (s->slot_of, arch);
  if (slot == NULL)
    {
      add_result (s, arch, score, failed);
      return;
    }
  g_hash_table_remove (s->slot_of, arch);
  slot->state = count_result (s, arch, &score, failed) ? SLOT_JOIN
                                                       : SLOT_SKIP;
  slot->score = score;
}

void
gn_search_restore (GnSearch *s, const char *arch, double score,
                   gboolean failed)
{
  g_return_if_fail (s != NULL && arch != NULL);
  /* while the history is what this search proposes, one proposal after
   * another (one worker), draw each proposal again: the generator then
   * ends where the uninterrupted search's was */
  if (s->replaying)
    {
      char *again = draw (s, NULL);
      s->replaying = again != NULL && strcmp (again, arch) == 0;
      g_free (again);
    }
  if (!g_hash_table_contains (s->seen, arch))
    {
      g_hash_table_add (s->seen, g_strdup (arch));
      s->proposed++;
    }
  add_result (s, arch, score, failed);
}

void
gn_search_restored (GnSearch *s)
{
  g_return_if_fail (s != NULL);
  if (s->replaying)
    return;   /* the generator is where the history left it */
  /* a history this search would not have made (several workers, another
   * version): it continues from a generator derived from the seed and
   * the history's length, deterministic whatever ran before */
  gn_rng_seed (&s->rng, s->cfg.seed ^ (0x9e3779b97f4a7c15ULL
                                       * (guint64) (s->reported + 1)));
}

int
gn_search_n_refused (GnSearch *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->refused;
}

int
gn_search_n_reported (GnSearch *s)
{
  return s->reported;
}

int
gn_search_n_pending (GnSearch *s)
{
  return s->proposed - s->reported;
}

int
gn_search_n_counted (GnSearch *s)
{
  return s->counted;
}

gboolean
gn_search_exhausted (GnSearch *s)
{
  g_return_val_if_fail (s != NULL, FALSE);
  return s->exhausted;
}

gboolean
gn_search_best (GnSearch *s, const char **arch, double *score)
{
  g_return_val_if_fail (s != NULL, FALSE);
  if (s->best_arch == NULL)
    return FALSE;
  if (arch)
    *arch = s->best_arch;
  if (score)
    *score = s->best_score;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* the driver                                                          */
/* ------------------------------------------------------------------ */

/* Records @e, reports it to the search and to the progress callback.  A
 * non-finite result the proxy did not explain gets a message that says
 * what happened, so its row is not left without one. */
static gboolean
record (GnSearch *s, const GnSearchDrive *d, GnEval *e, GError **error)
{
  char *why = NULL;
  if (e->status == GN_EVAL_NONFINITE && (e->message == NULL
                                         || *e->message == '\0'))
    e->message = why = g_strdup_printf ("the proxy's figure is not finite "
                                        "(%g): the loss diverged or the "
                                        "measure is undefined; worst score",
                                        e->loss);
  gboolean ok = gn_store_record (d->store, e, &e->seq, error);
  if (ok)
    {
      gn_search_report (s, e->arch, e->score,
                        !gn_eval_status_scored (e->status));
      if (d->progress)
        d->progress (e, s->counted, d->budget, s, d->progress_data);
    }
  if (why)
    e->message = NULL;
  g_free (why);
  return ok;
}

gboolean
gn_search_drive (GnSearch *s, const GnEvaluator *ev, const GnSearchDrive *d,
                 GError **error)
{
  g_return_val_if_fail (s != NULL && ev != NULL && d != NULL, FALSE);
  gint64 deadline = d->max_seconds > 0
                    ? g_get_monotonic_time () + (gint64) (d->max_seconds * 1e6)
                    : G_MAXINT64;
  GHashTable *jobs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  gint64 next_job = 0;
  gboolean exhausted = FALSE, ok = FALSE;
  if (d->in_order)
    gn_search_set_lag (s, MAX (1, 2 * (ev->n_idle (ev->self)
                                       + ev->n_busy (ev->self)) - 1));

  for (;;)
    {
      gboolean time_left = g_get_monotonic_time () < deadline;
      /* fill every idle worker while the budget allows: counted results
       * plus the evaluations in flight must not exceed it */
      while (time_left && !exhausted && ev->n_idle (ev->self) > 0
             && s->counted + ev->n_busy (ev->self) < d->budget
             && gn_search_ready (s))
        {
          GError *local = NULL;
          char *arch = gn_search_propose (s, &local);
          if (arch == NULL)
            {
              if (local)
                {
                  g_propagate_error (error, local);
                  goto out;
                }
              exhausted = TRUE;
              break;
            }
          GnEval hit;
          if (d->use_cache && gn_store_lookup (d->store, d->space_name, arch,
                                               d->config_hash, d->seed, &hit))
            {
              GnEval e = { .run = d->run, .space = d->space_name,
                           .arch = arch, .proxy = d->proxy_name,
                           .config_hash = d->config_hash, .seed = d->seed,
                           .score = hit.score, .loss = hit.loss,
                           .status = hit.status, .seconds = hit.seconds,
                           .message = hit.message, .cached = TRUE };
              gboolean recorded = record (s, d, &e, error);
              g_free (arch);
              if (!recorded)
                goto out;
              continue;
            }
          if (!ev->submit (ev->self, next_job, arch, error))
            {
              g_free (arch);
              goto out;
            }
          g_hash_table_insert (jobs, GINT_TO_POINTER (next_job), arch);
          next_job++;
        }

      if (ev->n_busy (ev->self) == 0)
        break;   /* budget reached, time up, or nothing left to propose */

      GnWorkerResult r;
      if (!ev->wait (ev->self, -1, &r))
        continue;
      char *arch = g_hash_table_lookup (jobs, GINT_TO_POINTER (r.job));
      g_assert (arch != NULL);
      GnEval e = { .run = d->run, .space = d->space_name, .arch = arch,
                   .proxy = d->proxy_name, .config_hash = d->config_hash,
                   .seed = d->seed, .score = r.result.score,
                   .loss = r.result.loss, .status = r.result.status,
                   .seconds = r.seconds, .message = r.message };
      if (!gn_eval_status_scored (r.result.status))
        e.score = -G_MAXDOUBLE;
      gboolean recorded = record (s, d, &e, error);
      gn_worker_result_clear (&r);
      g_hash_table_remove (jobs, GINT_TO_POINTER (r.job));
      if (!recorded)
        goto out;
    }
  if (d->in_order)
    gn_search_set_lag (s, 0);   /* the last results join */
  ok = TRUE;

out:
  g_hash_table_destroy (jobs);
  return ok;
}
