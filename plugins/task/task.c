/* task.c - the `task` proxy: how well does a proxy task rank architectures?
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * GenNAS's proxy-task search (docs/method.md §6) judges a candidate task,
 * a signal recipe, by how well the regression proxy trained on it ranks a
 * small set of architectures whose accuracies are known.  This proxy is
 * that judgement, for a space whose "architectures" are tasks
 * (spaces/task-cv.lua: its genotype is the task written as a recipe
 * file), so that `gennas task-search` is regularized evolution over that
 * space with the workers, store, cache and resumption of any search.
 *
 * Per task: write the recipe, create the inner proxy (regression unless
 * `proxy` says otherwise) on the labelled architectures' space with
 * recipe=that file, score each labelled architecture, and return
 * Spearman's rho between the scores and the accuracies.  The rho is
 * signed, where GenNAS maximises |rho| of the loss: gennas's regression
 * score is minus the loss, so a task is good for it exactly when rho is
 * high, and a task whose loss ranks the architectures backwards (a high
 * |rho|, negative) would make the proxy that uses it rank them backwards
 * too.  result->loss holds Kendall's tau-b.  An inner evaluation that
 * diverges ranks its architecture last.
 *
 * The labelled file: one architecture per line, "ACCURACY ARCH" (the
 * accuracy first, then, after white space, the architecture in any form
 * its space reads); blank lines and lines starting with '#' are skipped.
 * `gennas task-search` writes it from a benchmark-style CSV.
 */
#include "config.h"
#include "gennas.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* the shortest labelled set with a rank correlation worth the name */
#define MIN_LABELED 4

typedef struct {
  GnSpace *tasks;              /* the context's: the tasks' space        */
  GnSpace *space;              /* the labelled architectures' space      */
  GnProxyContext *inner_ctx;
  GnProxyRegistry *registry;
  const GnProxyDesc *inner;
  char **inner_params;         /* the user's, plus a slot for recipe=   */
  int n;
  char **archs;                /* canonical, in @space                  */
  double *accuracy;
  char *fingerprint;
} Task;

static const GnProxyParamSpec params[] = {
  { "space", GN_PROXY_PARAM_STRING, "", 0, 0,
    "the space file of the labelled architectures (required)" },
  { "labeled", GN_PROXY_PARAM_STRING, "", 0, 0,
    "the labelled architectures: lines 'ACCURACY ARCH' (required)" },
  { "proxy", GN_PROXY_PARAM_STRING, "regression", 0, 0,
    "the proxy trained on each task; it must take a recipe parameter" },
  { "proxy_params", GN_PROXY_PARAM_STRING, "", 0, 0,
    "that proxy's parameters, NAME=VALUE separated by commas (not recipe)" },
  { "arch_options", GN_PROXY_PARAM_STRING, "", 0, 0,
    "build options of the labelled architectures' networks, KEY=VALUE "
    "separated by commas (e.g. N=1)" },
  { NULL }
};

static void task_destroy (gpointer self);

/* Reads "ACCURACY ARCH" lines, canonicalising each architecture. */
static gboolean
read_labeled (Task *t, const char *path, GError **error)
{
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  char **lines = g_strsplit (text, "\n", -1);
  g_free (text);
  GPtrArray *archs = g_ptr_array_new ();
  GArray *acc = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean ok = TRUE;
  for (guint i = 0; ok && lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      if (*line == '\0' || *line == '#')
        continue;
      char *end = NULL;
      double a = g_ascii_strtod (line, &end);
      if (end == line || !isfinite (a) || !g_ascii_isspace (*end))
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                       "%s:%u: expected 'ACCURACY ARCH' (a number, white "
                       "space, an architecture)", path, i + 1);
          ok = FALSE;
          break;
        }
      char *arch = gn_space_canonicalize (t->space, g_strchug (end), error);
      if (arch == NULL)
        {
          g_prefix_error (error, "%s:%u: ", path, i + 1);
          ok = FALSE;
          break;
        }
      g_ptr_array_add (archs, arch);
      g_array_append_val (acc, a);
    }
  g_strfreev (lines);
  if (ok && archs->len < MIN_LABELED)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                   "%s lists %u labelled architecture(s): a task's rank "
                   "correlation needs at least %d", path, archs->len,
                   MIN_LABELED);
      ok = FALSE;
    }
  t->n = (int) archs->len;
  g_ptr_array_add (archs, NULL);
  t->archs = (char **) g_ptr_array_free (archs, FALSE);
  t->accuracy = (double *) g_array_free (acc, FALSE);
  return ok;
}

static gpointer
task_create (const GnProxyContext *ctx, const GnProxyParams *p,
             GError **error)
{
  Task *t = g_new0 (Task, 1);
  const char *space = gn_proxy_params_string (p, "space");
  const char *labeled = gn_proxy_params_string (p, "labeled");
  const char *inner = gn_proxy_params_string (p, "proxy");
  char **options = NULL;
  char *labeled_sum = NULL, *canonical = NULL;
  GnProxyParams *checked = NULL;

  if (*space == '\0' || *labeled == '\0')
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                   "the task proxy needs space=FILE (the labelled "
                   "architectures' space) and labeled=FILE");
      goto fail;
    }
  if (strcmp (inner, "task") == 0)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                   "proxy=task: a task cannot be scored by scoring tasks");
      goto fail;
    }
  t->tasks = ctx->space;
  if ((t->space = gn_space_load (space, error)) == NULL
      || !read_labeled (t, labeled, error))
    goto fail;

  t->registry = gn_proxy_registry_new ();
  if ((t->inner = gn_proxy_registry_lookup (t->registry, inner, error))
      == NULL)
    goto fail;
  t->inner_params = gn_proxy_split_assignments (gn_proxy_params_string (p,
                                               "proxy_params"));
  /* one spare slot, for the placeholder recipe below */
  guint n_inner = g_strv_length (t->inner_params);
  t->inner_params = g_renew (char *, t->inner_params, n_inner + 2);
  t->inner_params[n_inner + 1] = NULL;
  for (char **a = t->inner_params; *a; a++)
    if (g_str_has_prefix (*a, "recipe="))
      {
        g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                     "proxy_params sets recipe: the recipe is the task "
                     "being scored");
        goto fail;
      }
  /* the inner proxy must take a recipe; check its parameters now, with a
   * placeholder, rather than on the first task */
  t->inner_params[n_inner] = (char *) "recipe=combo";
  checked = gn_proxy_params_new (t->inner,
                                 (const char *const *) t->inner_params,
                                 error);
  t->inner_params[n_inner] = NULL;
  if (checked == NULL)
    {
      g_prefix_error (error, "proxy %s: ", inner);
      goto fail;
    }
  canonical = gn_proxy_params_canonical (checked);

  options = gn_proxy_split_assignments (gn_proxy_params_string (p,
                                                                "arch_options"));
  t->inner_ctx = gn_proxy_context_new (t->space, ctx->data, ctx->seed,
                                       (const char *const *) options, error);
  if (t->inner_ctx == NULL)
    goto fail;

  char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents (labeled, &text, &len, error))
    goto fail;
  labeled_sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                             (const guchar *) text, len);
  g_free (text);
  t->fingerprint = g_strdup_printf ("space-sha256=%s;labeled-sha256=%s;"
                                    "inner=%s:%s",
                                    gn_space_checksum (t->space), labeled_sum,
                                    inner, canonical);
  g_free (labeled_sum);
  g_free (canonical);
  gn_proxy_params_free (checked);
  g_strfreev (options);
  return t;

fail:
  g_free (canonical);
  gn_proxy_params_free (checked);
  g_strfreev (options);
  task_destroy (t);
  return NULL;
}

/* The inner proxy on @recipe_text: written to a private file that is gone
 * again once the proxy has read it in create(). */
static GnProxy *
inner_proxy (Task *t, const char *recipe_text, GError **error)
{
  GnProxy *proxy = NULL;
  char *dir = g_dir_make_tmp ("gennas-task-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  char *path = g_build_filename (dir, "task.lua", NULL);
  if (g_file_set_contents (path, recipe_text, -1, error))
    {
      guint n = g_strv_length (t->inner_params);
      char *recipe = g_strconcat ("recipe=", path, NULL);
      t->inner_params[n] = recipe;
      proxy = gn_proxy_new (t->inner, t->inner_ctx,
                            (const char *const *) t->inner_params, error);
      t->inner_params[n] = NULL;
      g_free (recipe);
    }
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
  return proxy;
}

static gboolean
task_score (gpointer self, const char *arch, GnProxyResult *result,
            GError **error)
{
  Task *t = self;
  GnProxy *proxy = NULL;
  double *scores = g_new (double, t->n);
  gboolean ok = FALSE;

  /* the task as a recipe file: the task space's genotype of it */
  char *recipe = gn_space_genotype (t->tasks, arch, error);
  if (recipe == NULL || (proxy = inner_proxy (t, recipe, error)) == NULL)
    goto out;
  int scored = 0;
  for (int i = 0; i < t->n; i++)
    {
      GnProxyResult r;
      if (!gn_proxy_score (proxy, t->archs[i], &r, error))
        {
          g_prefix_error (error, "labelled architecture %d (%s): ", i + 1,
                          t->archs[i]);
          goto out;
        }
      /* a diverging evaluation ranks last: below every finite score */
      scores[i] = r.status == GN_EVAL_OK ? r.score : -INFINITY;
      scored += r.status == GN_EVAL_OK;
    }
  double rho = gn_stats_spearman (scores, t->accuracy, (gsize) t->n);
  double tau = gn_stats_kendall_tau_b (scores, t->accuracy, (gsize) t->n);
  if (scored < 2 || !isfinite (rho))
    *result = (GnProxyResult) { -G_MAXDOUBLE, GN_EVAL_NONFINITE, NAN };
  else
    *result = (GnProxyResult) { rho, GN_EVAL_OK, tau };
  ok = TRUE;

out:
  gn_proxy_free (proxy);
  g_free (recipe);
  g_free (scores);
  return ok;
}

static const char *
task_fingerprint (gpointer self)
{
  return ((Task *) self)->fingerprint;
}

static void
task_destroy (gpointer self)
{
  Task *t = self;
  if (t == NULL)
    return;
  gn_proxy_context_free (t->inner_ctx);
  g_strfreev (t->inner_params);
  /* after every proxy of its plugins is gone */
  gn_proxy_registry_free (t->registry);
  if (t->archs)
    g_strfreev (t->archs);
  g_free (t->accuracy);
  gn_space_free (t->space);
  g_free (t->fingerprint);
  g_free (t);
}

static const GnProxyDesc desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "task",
  .description = "a proxy task's fitness: Spearman of the regression proxy "
                 "trained on it, over labelled architectures",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = task_create,
  .score = task_score,
  .destroy = task_destroy,
  .fingerprint = task_fingerprint,
};

GN_PROXY_DEFINE (task, desc)
