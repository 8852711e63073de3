/* gn-paths.h - search paths for data, recipes and plugins (private)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * gennas finds its files the same way everywhere: the folders of an
 * environment variable (colon-separated), then the source tree (so a
 * build tree never picks up a stale installation), then the installed
 * copy.  These helpers are that rule.
 */
#ifndef GN_PATHS_H
#define GN_PATHS_H

#include <glib.h>

G_BEGIN_DECLS

/* Appends to @dirs the non-empty folders of the colon-separated @list
 * (NULL is allowed: nothing), canonicalised ("a::b" and a trailing ':'
 * mean nothing). */
void  gn__append_search_path (GPtrArray *dirs, const char *list);

/* Appends to @dirs the source tree's @tree folder, then the installed
 * @installed folder (both relative: "data", "lua/recipes", ...).  The
 * source tree comes first so a build tree never picks up a stale
 * installation; an installed library still looks there, harmlessly: if
 * the source tree is gone nothing matches, and if it is not, it holds the
 * same files. */
void  gn__append_shipped (GPtrArray *dirs, const char *tree,
                          const char *installed);

/* Returns (transfer full) the canonical path of the first dirs[i]/@name
 * that exists, or NULL with a G_FILE_ERROR_NOENT naming @what and every
 * folder looked in. */
char *gn__find_in_path (GPtrArray *dirs, const char *name, const char *what,
                        GError **error);

G_END_DECLS

#endif /* GN_PATHS_H */
