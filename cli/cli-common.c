/* cli-common.c - what several gennas subcommands share
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-common.h"

#include <cblas.h>
#include <stdarg.h>

void
gn_cli_error (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fprintf (stderr, "gennas %s: %s\n", cmd, msg);
  g_free (msg);
}

gboolean
gn_cli_parse (GOptionContext *ctx, const char *cmd, int *argc, char ***argv)
{
  GError *error = NULL;
  if (g_option_context_parse (ctx, argc, argv, &error))
    return TRUE;
  gn_cli_error (cmd, "%s (try --help)", error->message);
  g_error_free (error);
  return FALSE;
}

void
gn_cli_single_thread (void)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads (1);
#endif
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
                   const char *proxy_name, char **params,
                   char **space_options, const char *data_name,
                   guint64 task_seed, GError **error)
{
  memset (p, 0, sizeof *p);
  p->space = gn_space_load (space_path, error);
  if (p->space == NULL)
    goto fail;
  p->registry = gn_proxy_registry_new ();
  const GnProxyDesc *desc = gn_proxy_registry_lookup (p->registry,
                                                      proxy_name, error);
  if (desc == NULL)
    goto fail;
  p->data = load_data (data_name, error);
  if (p->data == NULL)
    goto fail;
  p->ctx = gn_proxy_context_new (p->space, p->data, task_seed,
                                 (const char *const *) space_options, error);
  if (p->ctx == NULL)
    goto fail;
  p->proxy = gn_proxy_new (desc, p->ctx, (const char *const *) params,
                           error);
  if (p->proxy == NULL)
    goto fail;
  return TRUE;

fail:
  gn_cli_proxy_close (p);
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
gn_cli_check_params (char **params, const char *param_option,
                     const char *seed_option, const char *space_option,
                     GError **error)
{
  static const char seed[] = "seed=", space[] = "space_options=";
  for (char **a = params; a && *a; a++)
    {
      if (g_str_has_prefix (*a, seed))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s %s: the task seed is not a proxy parameter; "
                       "use %s %s", param_option, *a, seed_option,
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

gboolean
gn_cli_proxy_work (gpointer user, const char *arch, GnProxyResult *result,
                   GError **error)
{
  GnCliProxy *p = user;
  return gn_proxy_score (p->proxy, arch, result, error);
}
