/* gn-paths.c - search paths for data, recipes and plugins
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gn-paths.h"

/* Warns once per process about each relative entry of each variable:
 * the folders are looked up again and again. */
static void
warn_relative (const char *variable, const char *entry)
{
  static GHashTable *warned;
  G_LOCK_DEFINE_STATIC (warned);
  char *key = g_strconcat (variable, "=", entry, NULL);
  G_LOCK (warned);
  if (warned == NULL)
    warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean first = g_hash_table_add (warned, key);
  G_UNLOCK (warned);
  if (first)
    g_warning ("%s: ignoring the relative folder '%s': it would depend on "
               "the working folder; give an absolute path", variable, entry);
}

void
gn__append_search_path (GPtrArray *dirs, const char *variable)
{
  const char *list = g_getenv (variable);
  if (list == NULL)
    return;
  char **parts = g_strsplit (list, G_SEARCHPATH_SEPARATOR_S, -1);
  for (char **p = parts; *p != NULL; p++)
    if (**p == '\0')
      continue;
    else if (!g_path_is_absolute (*p))
      warn_relative (variable, *p);
    else
      g_ptr_array_add (dirs, g_canonicalize_filename (*p, NULL));
  g_strfreev (parts);
}

void
gn__append_installed (GPtrArray *dirs, const char *system_env,
                      const char *installed)
{
  if (g_getenv (system_env) != NULL)
    {
      gn__append_search_path (dirs, system_env);
      return;
    }
  char *dir = g_build_filename (GN_PKGDATADIR, installed, NULL);
  g_ptr_array_add (dirs, g_canonicalize_filename (dir, NULL));
  g_free (dir);
}

char *
gn__find_in_path (GPtrArray *dirs, const char *name, const char *what,
                  GError **error)
{
  for (guint i = 0; i < dirs->len; i++)
    {
      /* canonical, so "build/../data" reads as the folder it is */
      char *path = g_canonicalize_filename (name, dirs->pdata[i]);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
  GString *where = g_string_new (NULL);
  for (guint i = 0; i < dirs->len; i++)
    g_string_append_printf (where, "%s%s", i ? ", " : "",
                            (const char *) dirs->pdata[i]);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
               "%s “%s” not found in: %s", what, name,
               where->len ? where->str : "(no folders)");
  g_string_free (where, TRUE);
  return NULL;
}
