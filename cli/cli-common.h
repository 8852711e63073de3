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
 * image set, the proxy registry, what the host hands every proxy (the
 * task seed, the build options, the fixed batch) and an instance of the
 * chosen proxy. */
typedef struct {
  GnSpace *space;
  GnDataset *data;
  GnProxyRegistry *registry;
  GnProxyContext *ctx;
  GnProxy *proxy;
} GnCliProxy;

/* @params: --param NAME=VALUE strings; @space_options: --space-option
 * KEY=VALUE strings (a later one of a key wins); @data_name: "cifar10"
 * (default when NULL) or "fashion-mnist"; @task_seed: the proxy's. */
gboolean gn_cli_proxy_open (GnCliProxy *p, const char *space_path,
                            const char *proxy_name, char **params,
                            char **space_options, const char *data_name,
                            guint64 task_seed, GError **error);
void     gn_cli_proxy_close (GnCliProxy *p);

/* The task seed and the build options are set by the host, not as proxy
 * parameters: refuses a "seed=..." or "space_options=..." among @params
 * (given with @param_option, "--param" or "--final-param") with a
 * one-line error naming the option to use instead, @seed_option or
 * @space_option, written as the user would. */
gboolean gn_cli_check_params (char **params, const char *param_option,
                              const char *seed_option,
                              const char *space_option, GError **error);

/* GnWorkFn over a GnCliProxy */
gboolean gn_cli_proxy_work (gpointer user, const char *arch,
                            GnProxyResult *result, GError **error);

#endif /* GN_CLI_COMMON_H */
