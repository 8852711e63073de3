/* gn-paths.h - search paths for data, recipes and plugins (private)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * gennas finds its files the same way everywhere: the folders of an
 * environment variable (colon-separated), then the installed copy.  The
 * library knows no other place: a build tree reaches its own files
 * through those variables (`make check` sets them, and the uninstalled
 * wrapper `gennas` at the top of the build tree does), so nothing of the
 * machine it was built on is compiled in.  These helpers are that rule.
 */
#ifndef GN_PATHS_H
#define GN_PATHS_H

#include <glib.h>

G_BEGIN_DECLS

/* Appends to @dirs the folders of the environment variable @variable, a
 * colon-separated list (unset: nothing), canonicalised ("a::b" and a
 * trailing ':' mean nothing).  A relative entry is ignored with a
 * g_warning() (once per process): resolved against the working folder,
 * it would make what gennas loads, plugins included, depend on where it
 * is started. */
void  gn__append_search_path (GPtrArray *dirs, const char *variable);

/* Appends to @dirs the installed folder @installed, relative to the
 * package's data folder ("data", "recipes", ...), or, when the variable
 * @system_env is set (even to nothing), its folders in its place: like
 * $GENNAS_PROXY_SYSTEM_PATH for plugins, so that a build tree stands in
 * for the installation at the installation's rank, after the user's own
 * folders and anything found beside a space. */
void  gn__append_installed (GPtrArray *dirs, const char *system_env,
                            const char *installed);

/* Returns (transfer full) the canonical path of the first dirs[i]/@name
 * that exists, or NULL with a G_FILE_ERROR_NOENT naming @what and every
 * folder looked in. */
char *gn__find_in_path (GPtrArray *dirs, const char *name, const char *what,
                        GError **error);

G_END_DECLS

#endif /* GN_PATHS_H */
