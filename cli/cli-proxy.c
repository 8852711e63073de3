/* cli-proxy.c - the proxy options of `score`, `rank` and `search`, and
 * the proxy they open with them
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-proxy.h"

#include <string.h>

void
gn_cli_proxy_options_add (GOptionContext *ctx, GnCliProxyOptions *o)
{
  *o = (GnCliProxyOptions) { .seed = 1, .task_seed = GN_CLI_NOT_GIVEN };
  const GOptionEntry entries[] = {
    { "proxy", 'p', 0, G_OPTION_ARG_STRING, &o->proxy,
      "the proxy plugin (default: regression; see `gennas proxies`)",
      "NAME" },
    { "param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->params,
      "set a proxy parameter (repeatable; see `gennas proxies`)",
      "NAME=VALUE" },
    { "recipe", 'r', 0, G_OPTION_ARG_STRING, &o->recipe,
      "the regression proxy's signal recipe, the same as --param "
      "recipe=NAME (default: the space's, else combo)", "NAME" },
    { "space-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->space_options,
      "a build option of the network, as the space defines them, e.g. N=3 "
      "(repeatable)", "KEY=VALUE" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &o->seed,
      "the seed of the proxy's task unless --task-seed is given, and of "
      "rank's sample and search's search (default 1)", "S" },
    { "task-seed", 0, 0, G_OPTION_ARG_INT64, &o->task_seed,
      "the seed of the proxy's task (default: --seed); runs with one task "
      "seed share cached scores", "T" },
    { "data", 0, 0, G_OPTION_ARG_STRING, &o->data,
      "image set: cifar10 (default) or fashion-mnist", "SET" },
    { NULL }
  };
  /* GOption copies the entries */
  g_option_context_add_main_entries (ctx, entries, NULL);
}

void
gn_cli_proxy_options_clear (GnCliProxyOptions *o)
{
  g_free (o->proxy);
  g_free (o->recipe);
  g_strfreev (o->params);
  g_strfreev (o->space_options);
  g_free (o->data);
  memset (o, 0, sizeof *o);
}

guint64
gn_cli_proxy_task_seed (const GnCliProxyOptions *o)
{
  return (guint64) (o->task_seed != GN_CLI_NOT_GIVEN ? o->task_seed
                                                     : o->seed);
}

gboolean
gn_cli_check_params (char **params, const char *param_option,
                     const char *space_option, GError **error)
{
  static const char seed[] = "seed=", space[] = "space_options=";
  for (char **a = params; a && *a; a++)
    {
      if (g_str_has_prefix (*a, seed))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s %s: the task seed is not a proxy parameter; "
                       "use --task-seed %s", param_option, *a,
                       *a + strlen (seed));
          return FALSE;
        }
      if (g_str_has_prefix (*a, space))
        {
          /* "N=3,C=8" -> "--space-option N=3 --space-option C=8" */
          char **each = g_strsplit (*a + strlen (space), ",", -1);
          GString *instead = g_string_new (NULL);
          for (char **o = each; *o; o++)
            g_string_append_printf (instead, "%s%s %s", o == each ? "" : " ",
                                    space_option, *o);
          if (instead->len == 0)
            g_string_printf (instead, "%s KEY=VALUE", space_option);
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s %s: build options have an option of their own; "
                       "use %s", param_option, *a, instead->str);
          g_string_free (instead, TRUE);
          g_strfreev (each);
          return FALSE;
        }
    }
  return TRUE;
}

static GnDataset *
load_data (const char *name, GError **error)
{
  if (name == NULL || g_strcmp0 (name, "cifar10") == 0)
    {
      char *dir = gn_data_find ("cifar10", error);
      if (dir == NULL)
        return NULL;
      GnDataset *ds = gn_dataset_load_cifar10 (dir, error);
      g_free (dir);
      return ds;
    }
  if (g_strcmp0 (name, "fashion-mnist") == 0)
    {
      const char *base = "/usr/share/datasets/fashion-mnist";
      char *images = g_build_filename (base, "train-images-idx3-ubyte.gz",
                                       NULL);
      char *labels = g_build_filename (base, "train-labels-idx1-ubyte.gz",
                                       NULL);
      GnDataset *ds = gn_dataset_load_idx (images, labels, error);
      if (ds == NULL)
        g_prefix_error (error, "fashion-mnist (Debian package "
                        "dataset-fashion-mnist): ");
      g_free (images);
      g_free (labels);
      return ds;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "unknown data set '%s' (cifar10 or fashion-mnist)", name);
  return NULL;
}

gboolean
gn_cli_proxy_open (GnCliProxy *p, const char *space_path,
                   const GnCliProxyOptions *o, char **more_params,
                   char **more_options, GError **error)
{
  memset (p, 0, sizeof *p);
  /* build options likewise: @o's, then @more on top */
  GPtrArray *options = g_ptr_array_new ();
  for (char **a = o->space_options; a && *a; a++)
    g_ptr_array_add (options, *a);
  for (char **a = more_options; a && *a; a++)
    g_ptr_array_add (options, *a);
  g_ptr_array_add (options, NULL);
  /* the parameters in the order given: --param, --recipe, then @more */
  GPtrArray *params = g_ptr_array_new_with_free_func (g_free);
  for (char **a = o->params; a && *a; a++)
    g_ptr_array_add (params, g_strdup (*a));
  if (o->recipe)
    g_ptr_array_add (params, g_strdup_printf ("recipe=%s", o->recipe));
  for (char **a = more_params; a && *a; a++)
    g_ptr_array_add (params, g_strdup (*a));
  g_ptr_array_add (params, NULL);

  p->space = gn_space_load (space_path, error);
  if (p->space == NULL)
    goto fail;
  p->registry = gn_proxy_registry_new ();
  const GnProxyDesc *desc = gn_proxy_registry_lookup (p->registry,
                                                      o->proxy ? o->proxy
                                                               : "regression",
                                                      error);
  if (desc == NULL)
    goto fail;
  p->data = load_data (o->data, error);
  if (p->data == NULL)
    goto fail;
  p->ctx = gn_proxy_context_new (p->space, p->data,
                                 gn_cli_proxy_task_seed (o),
                                 (const char *const *) options->pdata, error);
  if (p->ctx == NULL)
    goto fail;
  p->proxy = gn_proxy_new (desc, p->ctx, (const char *const *) params->pdata,
                           error);
  if (p->proxy == NULL)
    goto fail;
  g_ptr_array_free (params, TRUE);
  g_ptr_array_free (options, TRUE);
  return TRUE;

fail:
  g_ptr_array_free (params, TRUE);
  g_ptr_array_free (options, TRUE);
  gn_cli_proxy_close (p);
  return FALSE;
}

gboolean
gn_cli_proxy_check_build (GnCliProxy *p, GError **error)
{
  /* a space of tasks has no networks: its proxy builds another space's */
  if (!gn_space_has_build (p->space))
    return TRUE;
  GnRng rng;
  gn_rng_seed (&rng, 1);
  char *arch = gn_space_sample (p->space, &rng, error);
  if (arch == NULL)
    return FALSE;
  GnBuildOptions opts = { .batch = 1, .in_c = p->data->c, .in_h = p->data->h,
                          .in_w = p->data->w,
                          .options = p->ctx->build_options };
  GError *local = NULL;
  GnNet *net = gn_space_build (p->space, arch, &opts, &local);
  gn_net_free (net);
  g_free (arch);
  if (net != NULL)
    return TRUE;
  /* the first line: what the space said, not the Lua traceback */
  local->message[strcspn (local->message, "\n")] = '\0';
  g_propagate_prefixed_error (error, local, "the space does not build a "
                              "sampled architecture with the build options "
                              "given: ");
  return FALSE;
}

void
gn_cli_proxy_close (GnCliProxy *p)
{
  gn_proxy_free (p->proxy);
  gn_proxy_context_free (p->ctx);
  gn_proxy_registry_free (p->registry);
  gn_dataset_free (p->data);
  gn_space_free (p->space);
  memset (p, 0, sizeof *p);
}

gboolean
gn_cli_proxy_work (gpointer user, const char *arch, GnProxyResult *result,
                   GError **error)
{
  GnCliProxy *p = user;
  return gn_proxy_score (p->proxy, arch, result, error);
}
