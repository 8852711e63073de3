/* cli-proxy.h - the proxy options of `score`, `rank` and `search`, and
 * the proxy they open with them
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Each option is declared and documented once, here; a command adds them
 * all to its GOptionContext with gn_cli_proxy_options_add() and opens its
 * proxy from them with gn_cli_proxy_open().  A new proxy option is one
 * member of GnCliProxyOptions, one entry in gn_cli_proxy_options_add()
 * and its use in gn_cli_proxy_open().
 */
#ifndef GN_CLI_PROXY_H
#define GN_CLI_PROXY_H

#include "gennas.h"

typedef struct {
  char *proxy;        /* --proxy NAME (NULL: regression)                 */
  char *recipe;       /* --recipe NAME: the same as --param recipe=NAME  */
  char **params;      /* --param NAME=VALUE, repeatable                  */
  gint64 seed;        /* --seed S (default 1)                            */
  char *data;         /* --data SET (NULL: cifar10)                      */
} GnCliProxyOptions;

/* Sets @o to the defaults and adds its options to @ctx's main group (so
 * that --help lists them); @o must outlive the parse. */
void gn_cli_proxy_options_add (GOptionContext *ctx, GnCliProxyOptions *o);
/* Frees what parsing stored in @o. */
void gn_cli_proxy_options_clear (GnCliProxyOptions *o);

/* The evaluation context every proxy command builds: the space, the
 * image set, the proxy registry and an instance of the chosen proxy. */
typedef struct {
  GnSpace *space;
  GnDataset *data;
  GnProxyRegistry *registry;
  GnProxy *proxy;
  GnProxyContext ctx;
} GnCliProxy;

/**
 * gn_cli_proxy_open:
 * @p: (out caller-allocates): what is opened; close it with
 *   gn_cli_proxy_close() whatever this returns
 * @more_params: (nullable): parameters on top of @o's (NULL-terminated;
 *   a search's final stage adds its --final-param settings)
 *
 * Loads the space at @space_path and the image set, and creates the proxy
 * that @o names with @o's parameters.
 *
 * Returns: FALSE with @error if any of them fails.
 */
gboolean gn_cli_proxy_open (GnCliProxy *p, const char *space_path,
                            const GnCliProxyOptions *o,
                            char **more_params, GError **error);
/* Frees what @p holds and zeroes it; a zeroed @p is fine. */
void     gn_cli_proxy_close (GnCliProxy *p);

/* GnWorkFn over a GnCliProxy */
gboolean gn_cli_proxy_work (gpointer user, const char *arch,
                            GnProxyResult *result, GError **error);

#endif /* GN_CLI_PROXY_H */
