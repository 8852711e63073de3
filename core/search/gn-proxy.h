/* gn-proxy.h - the proxy plugin ABI (the one header a proxy plugin needs)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A proxy scores an architecture without training it to the end: GenNAS's
 * regression, a short run with labels, a parameter count, a zero-cost
 * statistic.  Each proxy is a GModule plugin, a file named
 * "gennas-proxy-NAME.so", that exports exactly one symbol,
 *
 *     const GnProxyDesc *gn_proxy_NAME_get_desc (void);
 *
 * (with '-' in NAME mapped to '_'), most easily written with
 * GN_PROXY_DEFINE().  The descriptor describes the proxy (name, blurb,
 * parameters with types, defaults and ranges, so `gennas proxies` can list
 * them and `--param k=v` can be checked before anything runs) and carries
 * three functions:
 *
 *   create  (ctx, params)  -> an instance: the "task", prepared once
 *           (targets, a fixed batch, ...) and reused for every architecture
 *   score   (self, arch)   -> a result (higher is better) or a GError
 *   destroy (self)
 *
 * What every proxy shares, the host owns and hands over in the context
 * (GnProxyContext), so no plugin declares or parses it: the search space,
 * the image set, the task seed (resolved once: the run's, or the one the
 * user pinned), the network's build options (parsed and canonical, for
 * gn_space_build()) and the task's one fixed augmented batch
 * (gn_proxy_context_batch()).  Build options and the task seed are part
 * of the identity of a score (gn_proxy_config(), gn_proxy_task_seed()),
 * so the store never reuses a score across them.  Parameter names
 * "seed" and "space_options" are the host's: the loader refuses a plugin
 * that declares them.
 *
 * Plugins link against libgennas and use its public API (build the
 * candidate with gn_space_build(), train it with gn-net.h and gn-optim.h).
 * A score must depend only on the task and the architecture, never on the
 * order of evaluation: derive per-architecture randomness with
 * gn_proxy_arch_rng().
 *
 * The plugin-facing headers, one set (GN_PLUGIN_API in
 * core/plugin-api.am; tests/check-layers.sh checks that plugins/ use
 * nothing else of libgennas, and tests/test-abi.c pins the layout of every
 * struct they declare): gennas.h, which a plugin includes, and of what it
 * includes gn-error.h, gn-rng.h, gn-ops.h, gn-net.h, gn-optim.h,
 * gn-data.h, gn-signals.h, gn-space.h, gn-recipe.h, gn-eval.h, this
 * one, and of the report layer gn-stats.h (rank statistics, for a proxy
 * that judges rankings: the `task` proxy) and gn-table.h (CSV tables,
 * for a proxy that reads data: `combine`'s reference sample).  The workers, the searches, the
 * store and the rest of the report layer are the host's, not a plugin's.
 *
 * Versioning.  GN_PROXY_ABI_MAJOR changes when the descriptor, the
 * context, the result, or the meaning of a field changes incompatibly:
 * the host refuses a plugin built for another major.  GN_PROXY_ABI_MINOR
 * grows when members are appended to GnProxyDesc (never reordered or
 * removed): the host accepts a plugin of its own major and any minor up
 * to its own, and reads appended members only when @struct_size covers
 * them.  Major 2 moved the task seed and the build options from each
 * plugin's parameters to the context, added the fixed batch, and replaced
 * GnProxyStatus with GnEvalStatus.
 *
 * Search path: each folder of $GENNAS_PROXY_PATH (colon-separated), then
 * the installed folder $(pkglibdir)/proxies-GN_PROXY_ABI_MAJOR, which
 * `pkg-config --variable=proxydir gennas` names: install a plugin there
 * (a GModule named gennas-proxy-NAME.so, built against
 * `pkg-config --cflags --libs gennas`).  Setting
 * $GENNAS_PROXY_SYSTEM_PATH (even to nothing) replaces the installed
 * folder.  The folders must be absolute paths: a relative one is ignored
 * with a warning (it would load what lies under the working folder).
 *
 * Trust.  A plugin is native code running as the user: loading it runs
 * its constructors before gennas can check its descriptor, and its score
 * function can do anything the user can.  A folder on the search path is
 * therefore trusted code, like a folder on $PATH or $LD_LIBRARY_PATH:
 * put there only plugins you would run.  The loader opens only files
 * named gennas-proxy-NAME.so that are regular files (after symbolic
 * links) owned by the user or root and not writable by others; it does
 * not check the folders, and it does not sandbox what it loads (the
 * worker processes contain a crash or a hang, not a hostile plugin).
 */
#ifndef GN_PROXY_H
#define GN_PROXY_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include <gmodule.h>
#include <stddef.h>
#include "gn-data.h"
#include "gn-eval.h"
#include "gn-rng.h"
#include "gn-space.h"

G_BEGIN_DECLS

#define GN_PROXY_ABI_MAJOR 2
#define GN_PROXY_ABI_MINOR 0

#define GN_PROXY_ERROR (gn_proxy_error_quark ())
GQuark gn_proxy_error_quark (void);

typedef enum {
  GN_PROXY_ERROR_FAILED,
  GN_PROXY_ERROR_NOT_FOUND,    /* no plugin of that name on the path     */
  GN_PROXY_ERROR_LOAD,         /* the file is not a loadable module      */
  GN_PROXY_ERROR_ABI,          /* missing entry point, other major, ... */
  GN_PROXY_ERROR_DESCRIPTOR,   /* an incomplete or inconsistent descriptor */
  GN_PROXY_ERROR_PARAM,        /* an unknown parameter or a bad value    */
  GN_PROXY_ERROR_SCORE         /* the evaluation itself failed           */
} GnProxyErrorCode;

/* -- parameters ------------------------------------------------------ */

typedef enum {
  GN_PROXY_PARAM_INT,
  GN_PROXY_PARAM_DOUBLE,
  GN_PROXY_PARAM_BOOL,
  GN_PROXY_PARAM_STRING
} GnProxyParamType;

/**
 * GnProxyParamSpec:
 * @name: one or more ASCII letters, digits, '_', '-' or '.', unique in
 *   the table
 * @default_value: the default as text, parsed as `--param` values are
 *   ("100", "0.1", "true", "combo")
 * @min, @max: the inclusive range of INT and DOUBLE values
 *
 * One parameter of a proxy.  A descriptor's table ends with an entry whose
 * @name is NULL.
 */
typedef struct {
  const char *name;
  GnProxyParamType type;
  const char *default_value;
  double min, max;
  const char *blurb;
} GnProxyParamSpec;

/** Parsed parameter values, owned by the host; read them by name. */
typedef struct _GnProxyParams GnProxyParams;

gint64      gn_proxy_params_int (const GnProxyParams *p, const char *name);
double      gn_proxy_params_double (const GnProxyParams *p,
                                    const char *name);
gboolean    gn_proxy_params_bool (const GnProxyParams *p, const char *name);
/** Returns: (transfer none): the value, valid as long as @p. */
const char *gn_proxy_params_string (const GnProxyParams *p,
                                    const char *name);

/* -- the descriptor --------------------------------------------------- */

/**
 * GnProxyBatch:
 * @n, @c, @h, @w: the shape of @images
 * @images: n x c x h x w floats, normalised (gn_dataset_batch())
 * @labels: the n images' labels
 * @rng: the generator as drawing the batch left it, for a task that draws
 *   more (the regression proxy's targets): copy it, then draw from the copy
 *
 * The task's one fixed batch: @n distinct images of the context's data
 * set, in the order of a permutation drawn from the task seed, each
 * augmented once (a random crop with 4 pixels of zero padding and a random
 * horizontal flip) from the same generator.  Made by the host on first
 * request, then shared by every proxy of the context; read-only.
 */
typedef struct {
  int n, c, h, w;
  const float *images;
  const int *labels;
  GnRng rng;
} GnProxyBatch;

/** The host's state behind a context (the batches); private. */
typedef struct _GnProxyShared GnProxyShared;

/**
 * GnProxyContext:
 * @space: builds candidates (gn_space_build())
 * @data: (nullable): the image set (CIFAR-10 unless the user chose
 *   another); NULL for a host without one
 * @seed: the task seed, resolved by the host; with the parameters it
 *   fixes every random draw of the task
 * @build_options: the network's build options, to pass as
 *   GnBuildOptions.options: canonical "key=value" strings, one per key,
 *   sorted by key; NULL-terminated, never NULL (empty for none)
 * @shared: the host's, not to be touched
 *
 * What the host owns and every proxy shares.  Made with
 * gn_proxy_context_new(); it must outlive every proxy created with it,
 * and a proxy may keep pointers into it.  Read-only to plugins.
 */
typedef struct {
  GnSpace *space;
  const GnDataset *data;
  guint64 seed;
  const char *const *build_options;
  GnProxyShared *shared;
} GnProxyContext;

/**
 * gn_proxy_context_batch:
 * @n: the number of images (>= 1)
 *
 * The task's fixed batch of @n images (see GnProxyBatch), made once per
 * context and size.  Not thread-safe; call it from create().
 *
 * Returns: (transfer none): the batch, valid as long as @ctx, or NULL
 * with GN_PROXY_ERROR_FAILED when the context has no image set or fewer
 * than @n images.
 */
const GnProxyBatch *gn_proxy_context_batch (const GnProxyContext *ctx,
                                            int n, GError **error);

/**
 * GnProxyResult:
 * @score: higher is better
 * @status: GN_EVAL_OK, or GN_EVAL_NONFINITE when the proxy's figure is
 *   not finite (then @score is -G_MAXDOUBLE); the other statuses are the
 *   host's
 * @loss: the proxy's raw figure, NAN if none
 */
typedef struct {
  double score;
  GnEvalStatus status;
  double loss;
} GnProxyResult;

typedef struct {
  guint32 abi_major;           /* GN_PROXY_ABI_MAJOR                    */
  guint32 abi_minor;           /* GN_PROXY_ABI_MINOR                    */
  guint32 struct_size;         /* sizeof (GnProxyDesc)                  */
  const char *name;            /* as in the file name                   */
  const char *description;     /* one line                              */
  const char *version;
  const GnProxyParamSpec *params;

  gpointer (*create) (const GnProxyContext *ctx, const GnProxyParams *params,
                      GError **error);
  gboolean (*score) (gpointer self, const char *arch, GnProxyResult *result,
                     GError **error);
  void (*destroy) (gpointer self);
  /* (nullable) Extra text identifying the task beyond the parameters,
   * e.g. a checksum of the recipe file a parameter names; folded into
   * gn_proxy_config() so cached scores are never reused across tasks
   * that only look alike.  Owned by the instance. */
  const char *(*fingerprint) (gpointer self);
  /* ABI minor > 0 appends members here. */
} GnProxyDesc;

#define GN_PROXY_DEFINE(ident, desc)                                        \
  G_MODULE_EXPORT const GnProxyDesc *gn_proxy_##ident##_get_desc (void);    \
  const GnProxyDesc *gn_proxy_##ident##_get_desc (void) { return &(desc); }

/**
 * gn_proxy_arch_rng:
 *
 * The generator for everything random in one evaluation, derived from
 * the task seed and the canonical architecture string only, so a score
 * does not depend on which worker computes it or when.
 */
void gn_proxy_arch_rng (GnRng *rng, guint64 seed, const char *arch);

/* -- the host side: finding, loading and running proxies -------------- */

typedef struct _GnProxyRegistry GnProxyRegistry;

/** Returns: (transfer full): a registry over the search path. */
GnProxyRegistry *gn_proxy_registry_new (void);
/** Frees the registry and unloads its plugins; NULL is allowed. */
void             gn_proxy_registry_free (GnProxyRegistry *reg);

/**
 * gn_proxy_registry_lookup:
 *
 * Returns: (transfer none): the descriptor of the proxy @name, loading it
 * on first use, or NULL with GN_PROXY_ERROR_NOT_FOUND (listing the folders
 * searched) or the loading error.
 */
const GnProxyDesc *gn_proxy_registry_lookup (GnProxyRegistry *reg,
                                             const char *name,
                                             GError **error);

/**
 * gn_proxy_registry_list:
 * @broken: (out) (optional) (transfer full): "file: reason" for each
 *   plugin file that could not be loaded
 *
 * Returns: (transfer container): the descriptors of every loadable proxy,
 * sorted by name.
 */
GPtrArray *gn_proxy_registry_list (GnProxyRegistry *reg, GPtrArray **broken);

/**
 * gn_proxy_load_file:
 *
 * Loads one plugin file and checks it.  Before opening it: the file is
 * named gennas-proxy-NAME.so and is a regular file (after symbolic
 * links) owned by the user or root and not writable by others, since
 * opening it runs its code.  Then: the entry symbol derived from the
 * file name exists, the ABI major matches, the minor is not newer than
 * the host's, struct_size covers every required member, name / create /
 * score / destroy are set, the name matches the file, and every parameter
 * spec is well formed with a default inside its range and a name of its
 * own (as GnProxyParamSpec says, and not the host's: "seed",
 * "space_options").
 *
 * Returns: (transfer none): the descriptor; @module receives the open
 * module (the caller closes it with g_module_close() when done), or NULL
 * with @error: GN_PROXY_ERROR_LOAD for a file refused or that cannot be
 * opened, GN_PROXY_ERROR_ABI or GN_PROXY_ERROR_DESCRIPTOR for the checks.
 */
const GnProxyDesc *gn_proxy_load_file (const char *path, GModule **module,
                                       GError **error);

/**
 * gn_proxy_params_new:
 * @assignments: (nullable): NULL-terminated "name=value" strings
 *
 * Returns: (transfer full): the parameters of @desc with the assignments
 * applied over the defaults, or NULL with GN_PROXY_ERROR_PARAM naming an
 * unknown name (and the known ones) or a value of the wrong type or out of
 * range.
 */
GnProxyParams *gn_proxy_params_new (const GnProxyDesc *desc,
                                    const char *const *assignments,
                                    GError **error);
void           gn_proxy_params_free (GnProxyParams *p);
/** Returns: (transfer full): "name=value;..." over every parameter in
 * table order: the canonical configuration, stable across runs. */
char          *gn_proxy_params_canonical (const GnProxyParams *p);

/**
 * gn_proxy_split_assignments:
 * @text: "name=value" assignments separated by commas, as a proxy that
 *   runs other proxies takes them in one string parameter
 *
 * A piece without '=' continues the value before it, so a value that is
 * itself a list passes whole: "steps=50,weights=0.25,0.5,1" is the two
 * assignments "steps=50" and "weights=0.25,0.5,1".  Each assignment is
 * stripped of surrounding white space; a first piece without '=' stands
 * alone (gn_proxy_params_new() then names it as malformed).
 *
 * Returns: (transfer full): a NULL-terminated vector (g_strfreev()),
 * empty for "".
 */
char         **gn_proxy_split_assignments (const char *text);

/**
 * gn_proxy_parse_numbers:
 * @text: numbers separated by commas ("0.25, 0.5, 1")
 * @n: how many @text must hold
 * @out: (out caller-allocates) (array length=n): the numbers
 *
 * For a parameter that is a list of numbers.  Returns: TRUE when @text is
 * exactly @n finite numbers; FALSE otherwise, with @out partly written:
 * the caller words the error, naming its parameter and its range.
 */
gboolean       gn_proxy_parse_numbers (const char *text, int n, double *out);

/**
 * gn_proxy_context_new:
 * @space: (transfer none): the search space
 * @data: (transfer none) (nullable): the image set
 * @seed: the task seed
 * @build_options: (nullable): NULL-terminated "key=value" strings; a
 *   later assignment of a key replaces an earlier one (so a final stage's
 *   options go on top of the search's)
 *
 * The host's side of GnProxyContext: @space and @data must outlive the
 * context.  @build_options are checked for their syntax only (a space
 * rejects keys it does not know when it builds).
 *
 * Returns: (transfer full): the context, or NULL with GN_PROXY_ERROR_PARAM
 * for an option that is not "key=value" with a non-empty key.
 */
GnProxyContext *gn_proxy_context_new (GnSpace *space, const GnDataset *data,
                                      guint64 seed,
                                      const char *const *build_options,
                                      GError **error);
/** Frees the context and its batches; NULL is allowed. */
void            gn_proxy_context_free (GnProxyContext *ctx);

/** A created proxy instance. */
typedef struct _GnProxy GnProxy;

/**
 * gn_proxy_new:
 *
 * Creates the task of @desc.  @ctx must outlive the proxy.  Its
 * parameters are @desc's defaults, then those the context's space gives
 * @desc (gn_space_proxy_defaults()), then @assignments ("name=value",
 * NULL-terminated; a later one wins); gn_proxy_config() names them all.
 *
 * Returns: (transfer full): the instance, or NULL with @error (a space
 *   default the proxy rejects is named as the space's, and so is one
 *   whose value the plugin's error names).
 */
GnProxy *gn_proxy_new (const GnProxyDesc *desc, const GnProxyContext *ctx,
                       const char *const *assignments, GError **error);
/**
 * gn_proxy_score:
 *
 * Scores @arch (canonical).  A diverging loss is a result with status
 * GN_EVAL_NONFINITE and the worst score, not an error; a plugin that
 * claims any other status than GN_EVAL_OK or GN_EVAL_NONFINITE fails
 * with GN_PROXY_ERROR_SCORE.
 */
gboolean gn_proxy_score (GnProxy *proxy, const char *arch,
                         GnProxyResult *result, GError **error);
/** Returns: (transfer none): "NAME:" + the canonical parameters (see
 * above), plus ";build=" + the context's build options joined by ','
 * when there are any, plus ";fingerprint=..." when the plugin has one,
 * plus ";space-sha256=" + gn_space_checksum() of the context's space when
 * it has one: the identity of the task, for caching scores (with the task
 * seed). */
const char *gn_proxy_config (GnProxy *proxy);
/**
 * gn_proxy_task_seed:
 *
 * Returns: the seed the proxy's task runs on, the context's.  With
 * gn_proxy_config() it identifies a score: searches with different seeds
 * but one pinned task seed share cached scores.
 */
guint64 gn_proxy_task_seed (GnProxy *proxy);
const GnProxyDesc *gn_proxy_desc (GnProxy *proxy);
void     gn_proxy_free (GnProxy *proxy);

G_END_DECLS

#endif /* GN_PROXY_H */
