/* cli-run-config.h - a run's configuration, as the results store keeps it
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A JSON object (docs/store.md), written and read with json-glib: what
 * every run has ("space", "space_file", "algo"), then the run's own
 * settings, then "workers", "proxy" and "identity".  Runs recorded by
 * earlier versions, whose text was built by hand, read the same.
 */
#ifndef GN_CLI_RUN_CONFIG_H
#define GN_CLI_RUN_CONFIG_H

#include "cli-proxy.h"

#include <json-glib/json-glib.h>

/* Returns: (transfer full): the configuration of a run of @p's space and
 * proxy, as JSON text: @space_path is recorded absolute (so that
 * `gennas plot` finds it from any folder), @own's members (the search's
 * settings, or a final stage's) are copied in their order, and @identity
 * is the text the run's hash is of. */
char *gn_cli_run_config_json (GnCliProxy *p, const char *space_path,
                              const char *algo, JsonObject *own,
                              int workers, const char *identity);

/* Returns: (transfer full) (nullable): the string member @name of the
 * configuration @config_json, or NULL when that is no JSON object (a
 * store written by other means may hold anything) or has no such string
 * member. */
char *gn_cli_run_config_get_string (const char *config_json,
                                    const char *name);

#endif /* GN_CLI_RUN_CONFIG_H */
