/* gn-proxy-context.c - what the host owns and every proxy shares
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The GnProxyContext of gn-proxy.h: the task seed and the build options,
 * parsed once into their canonical form, and the task's fixed batches,
 * made on first request and shared by every proxy of the context.
 */
#include "config.h"
#include "gn-data.h"
#include "gn-rng.h"
#include "gn-proxy.h"

#include <string.h>

struct _GnProxyShared {
  char **build_options;          /* canonical, what the context points to */
  GHashTable *batches;           /* n -> GnProxyBatch, made on demand */
};

static void
batch_free (gpointer data)
{
  GnProxyBatch *b = data;
  g_free ((float *) b->images);
  g_free ((int *) b->labels);
  g_free (b);
}

static int
by_key (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  gsize kx = strcspn (x, "="), ky = strcspn (y, "=");
  int c = strncmp (x, y, MIN (kx, ky));
  return c != 0 ? c : (kx > ky) - (kx < ky);
}

/* The canonical form of @options: "key=value" with a non-empty key, the
 * last assignment of each key, sorted by key; NULL with @error if one is
 * malformed. */
static char **
canonical_options (const char *const *options, GError **error)
{
  GHashTable *last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  for (const char *const *o = options; o && *o; o++)
    {
      const char *eq = strchr (*o, '=');
      if (eq == NULL || eq == *o)
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                       "build option '%s' is not KEY=VALUE", *o);
          g_hash_table_destroy (last);
          g_ptr_array_free (out, TRUE);
          return NULL;
        }
      g_hash_table_insert (last, g_strndup (*o, (gsize) (eq - *o)),
                           (gpointer) *o);
    }
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, last);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (out, g_strdup (value));
  g_hash_table_destroy (last);
  g_ptr_array_sort (out, by_key);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

GnProxyContext *
gn_proxy_context_new (GnSpace *space, const GnDataset *data, guint64 seed,
                      const char *const *build_options, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  char **options = canonical_options (build_options, error);
  if (options == NULL)
    return NULL;
  GnProxyShared *shared = g_new0 (GnProxyShared, 1);
  shared->build_options = options;
  shared->batches = g_hash_table_new_full (NULL, NULL, NULL, batch_free);
  GnProxyContext *ctx = g_new0 (GnProxyContext, 1);
  *ctx = (GnProxyContext) {
    .space = space, .data = data, .seed = seed,
    .build_options = (const char *const *) options, .shared = shared };
  return ctx;
}

void
gn_proxy_context_free (GnProxyContext *ctx)
{
  if (ctx == NULL)
    return;
  if (ctx->shared)
    {
      g_hash_table_destroy (ctx->shared->batches);
      g_strfreev (ctx->shared->build_options);
      g_free (ctx->shared);
    }
  g_free (ctx);
}

const GnProxyBatch *
gn_proxy_context_batch (const GnProxyContext *ctx, int n, GError **error)
{
  g_return_val_if_fail (ctx != NULL && ctx->shared != NULL && n >= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  GnProxyBatch *b = g_hash_table_lookup (ctx->shared->batches,
                                         GINT_TO_POINTER (n));
  if (b != NULL)
    return b;
  const GnDataset *ds = ctx->data;
  if (ds == NULL || ds->n < n)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                   "the task needs a batch of %d images; %s", n,
                   ds == NULL ? "there is no image set"
                   : "the image set has fewer");
      return NULL;
    }
  /* n distinct images in the order of a permutation drawn from the task
   * seed, each augmented once from the same generator */
  b = g_new0 (GnProxyBatch, 1);
  *b = (GnProxyBatch) { .n = n, .c = ds->c, .h = ds->h, .w = ds->w };
  gn_rng_seed (&b->rng, ctx->seed);
  int *perm = g_new (int, ds->n);
  gn_rng_permutation (&b->rng, perm, ds->n);
  float *images = g_new (float, (gsize) n * ds->c * ds->h * ds->w);
  gn_dataset_batch (ds, perm, n, TRUE, 4, &b->rng, images);
  int *labels = g_new (int, n);
  for (int i = 0; i < n; i++)
    labels[i] = ds->labels[perm[i]];
  g_free (perm);
  b->images = images;
  b->labels = labels;
  g_hash_table_insert (ctx->shared->batches, GINT_TO_POINTER (n), b);
  return b;
}
