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
  char **space_options; /* --space-option KEY=VALUE, repeatable         */
  gint64 seed;        /* --seed S (default 1)                            */
  gint64 task_seed;   /* --task-seed T (GN_CLI_NOT_GIVEN: --seed's)      */
  char *data;         /* --data SET (NULL: cifar10)                      */
} GnCliProxyOptions;

/* The value of an integer option that was not given. */
#define GN_CLI_NOT_GIVEN G_MININT64

/* Sets @o to the defaults and adds its options to @ctx's main group (so
 * that --help lists them); @o must outlive the parse. */
void gn_cli_proxy_options_add (GOptionContext *ctx, GnCliProxyOptions *o);
/* Frees what parsing stored in @o. */
void gn_cli_proxy_options_clear (GnCliProxyOptions *o);

/* The seed of the proxy's task: --task-seed, or else --seed. */
guint64 gn_cli_proxy_task_seed (const GnCliProxyOptions *o);

/**
 * gn_cli_check_params:
 * @param_option: the option @params came from ("--param", "--final-param")
 * @space_option: the option build options have in its place
 *   ("--space-option", "--final-space-option")
 *
 * What the host owns is no proxy parameter: "seed=" and "space_options="
 * among @params are usage errors naming the option to use instead.
 *
 * Returns: FALSE with @error (G_OPTION_ERROR) on the first of them.
 */
gboolean gn_cli_check_params (char **params, const char *param_option,
                              const char *space_option, GError **error);

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

/**
 * gn_cli_proxy_open:
 * @p: (out caller-allocates): what is opened; close it with
 *   gn_cli_proxy_close() whatever this returns
 * @more_params: (nullable): parameters on top of @o's (NULL-terminated;
 *   a search's final stage adds its --final-param settings)
 * @more_options: (nullable): build options on top of @o's (a final
 *   stage's --final-space-option settings)
 *
 * Loads the space at @space_path and the image set, makes the context
 * every proxy shares (task seed, build options) and creates the proxy that
 * @o names with @o's parameters.
 *
 * Returns: FALSE with @error if any of them fails.
 */
gboolean gn_cli_proxy_open (GnCliProxy *p, const char *space_path,
                            const GnCliProxyOptions *o,
                            char **more_params, char **more_options,
                            GError **error);
/**
 * gn_cli_proxy_check_build:
 *
 * Builds one architecture sampled from @p's space (from a fixed seed,
 * drawing from no generator the search uses) with @p's build options, so
 * an option the space refuses is an error before anything is evaluated
 * rather than a failure of every evaluation.
 *
 * Returns: FALSE with @error (the space's first line) if it fails.
 */
gboolean gn_cli_proxy_check_build (GnCliProxy *p, GError **error);
/* Frees what @p holds and zeroes it; a zeroed @p is fine. */
void     gn_cli_proxy_close (GnCliProxy *p);

/* GnWorkFn over a GnCliProxy */
gboolean gn_cli_proxy_work (gpointer user, const char *arch,
                            GnProxyResult *result, GError **error);

#endif /* GN_CLI_PROXY_H */
