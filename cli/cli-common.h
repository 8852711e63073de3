/* cli-common.h - what several gennas subcommands share
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#ifndef GN_CLI_COMMON_H
#define GN_CLI_COMMON_H

#include "gennas.h"

#include <stdio.h>

/* Prints "gennas CMD: message" to stderr. */
void gn_cli_error (const char *cmd, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* Parses the subcommand's options; on failure prints the error and returns
 * FALSE.  @ctx is freed by the caller. */
gboolean gn_cli_parse (GOptionContext *ctx, const char *cmd, int *argc,
                       char ***argv);

/* One evaluation per core: OpenBLAS must not spawn threads of its own. */
void gn_cli_single_thread (void);

/* The evaluation context every proxy command builds: the space, the
 * image set, the proxy registry and an instance of the chosen proxy. */
typedef struct {
  GnSpace *space;
  GnDataset *data;
  GnProxyRegistry *registry;
  GnProxy *proxy;
  GnProxyContext ctx;
} GnCliProxy;

/* @data_name: "cifar10" (default when NULL) or "fashion-mnist". */
gboolean gn_cli_proxy_open (GnCliProxy *p, const char *space_path,
                            const char *proxy_name, char **params,
                            const char *data_name, guint64 seed,
                            GError **error);
void     gn_cli_proxy_close (GnCliProxy *p);

/* GnWorkFn over a GnCliProxy */
gboolean gn_cli_proxy_work (gpointer user, const char *arch,
                            GnProxyResult *result, GError **error);

#endif /* GN_CLI_COMMON_H */
