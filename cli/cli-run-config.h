/* cli-run-config.h - a run's configuration, as the results store keeps it
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A JSON object (docs/store.md), written and read with json-glib: what
 * every run has ("space", "space_file", "space_sha256", "algo"), then the
 * run's own settings, then "workers", "proxy" and "identity".  Runs recorded by
 * earlier versions, whose text was built by hand, read the same.
 */
#ifndef GN_CLI_RUN_CONFIG_H
#define GN_CLI_RUN_CONFIG_H

#include "cli-proxy.h"

#include <json-glib/json-glib.h>

/* Returns: (transfer full): the configuration of a run of @p's space and
 * proxy, as JSON text: @space_path is recorded absolute (so that
 * `gennas plot` finds it from any folder) with the SHA-256 of its
 * contents (so that plot loads it only if it is still that file; left
 * out if it cannot be read), @own's members (the search's settings, or a
 * final stage's) are copied in their order, and @identity is the text the
 * run's hash is of. */
char *gn_cli_run_config_json (GnCliProxy *p, const char *space_path,
                              const char *algo, JsonObject *own,
                              int workers, const char *identity);

/* Returns: (transfer full) (nullable): the string member @name of the
 * configuration @config_json, or NULL when that is no JSON object (a
 * store written by other means may hold anything) or has no such string
 * member. */
char *gn_cli_run_config_get_string (const char *config_json,
                                    const char *name);

/* The largest space file gn_cli_run_config_read_space() reads. */
#define GN_CLI_SPACE_FILE_MAX (16 << 20)

/* Reads the space file @path as a file a store names may be read: only a
 * regular file (never a FIFO, a device or a folder, which could block or
 * never end; a symbolic link to a regular file is one) of at most
 * GN_CLI_SPACE_FILE_MAX bytes.
 * Returns: (transfer full): its contents, NUL-terminated, and their
 * length in @len; NULL with a G_FILE_ERROR naming @path otherwise. */
char *gn_cli_run_config_read_space (const char *path, gsize *len,
                                    GError **error);

/* Returns: (transfer full) (nullable): the SHA-256 (lower-case hex) of
 * its space file that the run of @config_json recorded: its member
 * "space_sha256" or, in a run written before that member, the identity's
 * "space_sha256=" field (every search's identity has one); NULL when the
 * run recorded none. */
char *gn_cli_run_config_space_sha256 (const char *config_json);

/* Loads the space file @path, read as gn_cli_run_config_read_space()
 * reads it; with @sha256, only if its contents have that SHA-256 (a
 * store may name any file: only what the run recorded is run).
 * Returns: (transfer full): the space, or NULL with @error: a
 * G_FILE_ERROR naming @path (G_FILE_ERROR_INVAL when its contents
 * changed), or the space's own. */
GnSpace *gn_cli_run_config_load_space_file (const char *path,
                                            const char *sha256,
                                            GError **error);

/* Loads the space of run @run, whose configuration is @config_json: the
 * file it recorded, if that is still the file the run used (its
 * recorded SHA-256).
 * Returns: (transfer full): the space, or NULL with @error saying why
 * (G_FILE_ERROR_NOENT: the run names no file; G_FILE_ERROR_INVAL: no
 * checksum, or the contents changed; or the file's own error). */
GnSpace *gn_cli_run_config_load_space (const char *config_json, gint64 run,
                                       GError **error);

#endif /* GN_CLI_RUN_CONFIG_H */
