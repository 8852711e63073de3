/* cli-constraint.h - a size limit on the architectures a search proposes
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * `gennas search --max-macs M --max-params P [--constraint-config NAME]`:
 * a candidate whose network, built as the space publishes it (or in the
 * named configuration, e.g. DARTS's "mobile"), has more multiply-
 * accumulates or parameters than the limits is never evaluated.  The
 * check builds the network without compiling it (no tensors), so it
 * costs milliseconds; it is a GnSearchAccept, and the limits are part of
 * the run's identity and recorded with it.
 */
#ifndef GN_CLI_CONSTRAINT_H
#define GN_CLI_CONSTRAINT_H

#include "gennas.h"

#include <json-glib/json-glib.h>

typedef struct {
  GnSpace *space;        /* (transfer none) */
  char *config;          /* NULL: as published */
  int size, classes;
  char **options;        /* the configuration's build options */
  double max_macs;       /* 0: no limit */
  double max_params;     /* 0: no limit */
} GnCliConstraint;

/* Sets up @c (zero-initialised by the caller) for @space; with no limit
 * (@max_macs and @max_params 0) it is inactive and accepts everything.
 * Returns: FALSE with @error for a negative or non-finite limit or an
 * unknown @config. */
gboolean gn_cli_constraint_init (GnCliConstraint *c, GnSpace *space,
                                 const char *config, double max_macs,
                                 double max_params, GError **error);
void     gn_cli_constraint_clear (GnCliConstraint *c);
gboolean gn_cli_constraint_active (const GnCliConstraint *c);

/* The parameters and multiply-accumulates of @arch's network in the
 * constraint's configuration.  Returns: FALSE with @error (a
 * GN_SPACE_ERROR) if it does not build. */
gboolean gn_cli_constraint_measure (const GnCliConstraint *c,
                                    const char *arch, double *params,
                                    double *macs, GError **error);

/* GnSearchAccept: @data is the GnCliConstraint. */
gboolean gn_cli_constraint_accept (const char *arch, gpointer data,
                                   GError **error);

/* Returns: (transfer full): ";max_macs=...;max_params=...;constraint_
 * config=..." for the run's identity, or "" when inactive (so runs
 * without a constraint keep the identity they always had). */
char    *gn_cli_constraint_identity (const GnCliConstraint *c);

/* Adds "constraint": { "max_macs", "max_params", "config" } to @own when
 * active. */
void     gn_cli_constraint_to_json (const GnCliConstraint *c,
                                    JsonObject *own);

#endif /* GN_CLI_CONSTRAINT_H */
