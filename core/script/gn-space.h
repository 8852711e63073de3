/* gn-space.h - search spaces written in Lua, run in C
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A search space is a Lua file that returns a table (docs/spaces.md):
 * its name, how to sample and mutate a genome, how to encode a genome to
 * the canonical string users know (NB201's "|nor_conv_3x3~0|+...") and
 * back, an optional isomorphism-invariant hash, how to build the network
 * through the C builder, and an optional benchmark table.
 *
 * Architectures cross this API as canonical strings only: they are what
 * the search stores, sends to workers and prints.
 *
 * Every space runs in its own sandboxed Lua 5.4 state (base, table,
 * string, math and utf8 only; text chunks only; a memory cap and an
 * instruction budget per call).  Script errors come back as GN_SPACE_ERROR
 * GErrors whose message starts with "file:line:" and carries a traceback.
 * A GnSpace is not thread-safe; use one per thread or process.
 */
#ifndef GN_SPACE_H
#define GN_SPACE_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-net.h"
#include "gn-rng.h"

G_BEGIN_DECLS

#define GN_SPACE_ERROR (gn_space_error_quark ())
GQuark gn_space_error_quark (void);

typedef enum {
  GN_SPACE_ERROR_FAILED,
  GN_SPACE_ERROR_IO,        /* the file cannot be read                    */
  GN_SPACE_ERROR_SCRIPT,    /* the Lua code raised an error (file:line)   */
  GN_SPACE_ERROR_LIMIT,     /* memory cap or instruction budget exceeded  */
  GN_SPACE_ERROR_INVALID,   /* the returned table breaks the space API    */
  GN_SPACE_ERROR_ARCH,      /* a malformed or invalid architecture string */
  GN_SPACE_ERROR_UNSUPPORTED /* the space does not define this (hash...)  */
} GnSpaceError;

typedef struct _GnSpace GnSpace;

/**
 * GnSpaceLimits:
 *
 * The sandbox limits of a space's Lua state (gn_space_load_full()).
 * Zero fields mean the defaults.
 */
typedef struct {
  gsize max_memory;            /* bytes of Lua heap; 0: 64 MiB          */
  guint64 max_instructions;    /* Lua VM instructions per call (loading,
                                  one sample, one build...), where 16
                                  bytes allocated count as one; 0: 100
                                  million, about a second              */
} GnSpaceLimits;

/**
 * GnBuildOptions:
 *
 * How gn_space_build() instantiates an architecture.  @options are
 * "key=value" strings handed to the space's build function as a Lua table
 * (numbers and true/false converted), e.g. "C=16", "N=1",
 * "cell_bn_affine=false"; a space rejects keys it does not know.  The
 * table also carries @published, @classifier and @num_classes under those
 * names, so they cannot be given as options.
 */
typedef struct {
  int batch;                   /* > 0                                   */
  int in_c, in_h, in_w;        /* zeros mean 3 x 32 x 32                */
  gboolean classifier;         /* also build the published classifier   */
  int num_classes;             /* zero means 10                         */
  gboolean published;          /* the network exactly as published
                                  (e.g. NB101's 128-channel stem) rather
                                  than the space's proxy defaults        */
  const char *const *options;  /* (nullable) NULL-terminated key=value  */
} GnBuildOptions;

/**
 * GnBenchmark:
 *
 * The ground-truth table a space names: a CSV file shipped in data/,
 * the column holding the key (the canonical string, or the hash when
 * @key_is_hash), the metric columns (e.g. "cifar10_test"), and the
 * columns whose values, joined with ';', spell a row's architecture
 * (gn_space_canonicalize() accepts it): the key column itself unless the
 * space says otherwise (NB101: adjacency and ops).  @lower names the
 * metrics where lower is better (a perplexity or an error, not an
 * accuracy): whoever ranks or picks by a metric reads it to judge with
 * the right sign.
 */
typedef struct {
  char *path;                  /* resolved absolute path                */
  char *key_column;
  gboolean key_is_hash;
  char **metrics;              /* NULL-terminated                       */
  char **arch_columns;         /* NULL-terminated, at least one         */
  char **lower;                /* NULL-terminated, a subset of @metrics,
                                  often empty                          */
} GnBenchmark;

/**
 * gn_benchmark_lower_is_better:
 * @metric: a column name
 *
 * Returns: TRUE if @metric is one of @b's metrics where lower is better
 * (@b->lower), FALSE for every other name.
 */
gboolean gn_benchmark_lower_is_better (const GnBenchmark *b,
                                       const char *metric);

/**
 * gn_space_load:
 * @path: a space file (text Lua)
 *
 * Returns: (transfer full): the space, or NULL with @error
 * (GN_SPACE_ERROR_IO, _SCRIPT, _LIMIT or _INVALID).
 */
GnSpace *gn_space_load (const char *path, GError **error);
/** As gn_space_load() from memory; @chunkname names it in messages. */
GnSpace *gn_space_load_string (const char *chunkname, const char *source,
                               gsize len, GError **error);
/**
 * gn_space_load_full:
 * @chunkname: the space file's path; messages name it, and a benchmark
 *   file is looked for in its folder's ../data
 * @source: (nullable): the text, or NULL to read the file @chunkname
 * @len: the length of @source
 * @limits: (nullable): sandbox limits, NULL for the defaults
 *
 * The general form of gn_space_load() and gn_space_load_string().
 *
 * Returns: (transfer full): the space, or NULL with @error.
 */
GnSpace *gn_space_load_full (const char *chunkname, const char *source,
                             gsize len, const GnSpaceLimits *limits,
                             GError **error);
void     gn_space_free (GnSpace *space);

/** Returns: (transfer none): the space's name. */
const char *gn_space_name (GnSpace *space);
/**
 * gn_space_checksum:
 *
 * Returns: (transfer none): the hex SHA-256 of the source the space was
 * loaded from.  Two files of one name but other contents (another default
 * channel count, say) are two spaces: gn_proxy_config() includes this.
 */
const char *gn_space_checksum (GnSpace *space);
/**
 * gn_space_n_genes:
 * @n_combinations: (out) (optional): the product of the genes' numbers
 *   of choices: an upper bound on the number of architectures
 *
 * Returns: the number of categorical genes the space declares.
 */
guint gn_space_n_genes (GnSpace *space, double *n_combinations);

/* Each returns a newly allocated canonical string, or NULL with @error. */
char *gn_space_sample (GnSpace *space, GnRng *rng, GError **error);
char *gn_space_mutate (GnSpace *space, const char *arch, GnRng *rng,
                       GError **error);
/**
 * gn_space_mutate_full:
 * @options: (nullable): NULL-terminated "key=value" strings handed to the
 *   space's mutate function, converted as GnBuildOptions.options (e.g.
 *   "one_edge=true" for NB201); a space rejects keys it does not know
 *
 * As gn_space_mutate(), with options.
 */
char *gn_space_mutate_full (GnSpace *space, const char *arch, GnRng *rng,
                            const char *const *options, GError **error);
/** decode + encode: validates @arch and returns its canonical form
 * (GN_SPACE_ERROR_ARCH naming the string if malformed or invalid). */
char *gn_space_canonicalize (GnSpace *space, const char *arch,
                             GError **error);
/**
 * gn_space_genotype:
 *
 * The architecture as the code its users train with writes it: what the
 * space's optional genotype function returns (the DARTS-like spaces:
 * DARTS's `Genotype(...)` literal, without the ` width=W depth=D` of the
 * NDS spaces' strings), or else the canonical string.  For handing a
 * found architecture to other code (`gennas export-arch --format
 * genotype`); gennas itself reads only canonical strings.
 *
 * Returns: (transfer full): the string, or NULL with @error as
 * gn_space_canonicalize() (GN_SPACE_ERROR_ARCH for an invalid @arch), or
 * GN_SPACE_ERROR_INVALID if genotype() returned no string.
 */
char *gn_space_genotype (GnSpace *space, const char *arch, GError **error);
/** GN_SPACE_ERROR_UNSUPPORTED if the space defines no hash. */
char *gn_space_hash (GnSpace *space, const char *arch, GError **error);
gboolean gn_space_has_hash (GnSpace *space);
/* FALSE for a space without a build function, whose architectures are not
 * networks (spaces/task-cv.lua's proxy tasks); gn_space_build() then fails
 * with GN_SPACE_ERROR_UNSUPPORTED. */
gboolean gn_space_has_build (GnSpace *space);

/**
 * gn_space_build:
 *
 * Builds @arch into a new, uncompiled network with the batch shape of
 * @opts and the taps "stage0", "stage1", "stage2" (the three
 * classifier-free stage outputs GenNAS regresses from), plus "logits"
 * when @opts->classifier.  The caller may add nodes (heads) and then
 * compiles it.  A tap may be a constant node (an NB201 cell of "none"
 * only), which has no gradient: gn_net_grad() returns NULL for it.
 *
 * Returns: (transfer full): the network, or NULL with @error:
 * GN_SPACE_ERROR_ARCH for a malformed or invalid @arch, _SCRIPT or
 * _LIMIT if build() failed, _INVALID if it made no stage tap (or no
 * "logits" when asked for), _UNSUPPORTED for a space with no build
 * function, _FAILED for an option that is not
 * "key=value" or names a GnBuildOptions field.
 */
GnNet *gn_space_build (GnSpace *space, const char *arch,
                       const GnBuildOptions *opts, GError **error);

/**
 * GnSpaceInput:
 * @GN_SPACE_INPUT_IMAGE: a batch of images [n][c][h][w] (the default)
 * @GN_SPACE_INPUT_SEQUENCE: a batch of sequences [n][features][steps][1]
 *   (NB-NLP's recurrent cells), which a proxy regresses many-to-many
 *   (docs/method.md, the NLP task)
 *
 * What a space's networks read, as its table's `input` field declares.
 */
typedef enum {
  GN_SPACE_INPUT_IMAGE,
  GN_SPACE_INPUT_SEQUENCE
} GnSpaceInput;

/** Returns: what the space's networks read. */
GnSpaceInput gn_space_input (GnSpace *space);

/**
 * gn_space_published_input:
 * @size: (out) (optional): the side of the square input the published
 *   network takes (32 unless the space says otherwise, e.g. 224 for the
 *   NDS ImageNet spaces)
 * @num_classes: (out) (optional): its classifier's classes (10 unless
 *   the space says otherwise)
 *
 * The configuration a space's `published` field declares: what
 * `gennas space info` builds to count the parameters and operations of
 * the network as its benchmark trained it.
 */
void gn_space_published_input (GnSpace *space, int *size, int *num_classes);

/**
 * gn_space_published_flops:
 *
 * Returns: how the space's benchmark counted a network's operations
 * (`published.flops`; GN_FLOPS_MACS unless the space says otherwise),
 * for gn_net_count_flops() on the published network.
 */
GnFlopsRule gn_space_published_flops (GnSpace *space);

/**
 * gn_space_proxy_defaults:
 * @proxy: a proxy's name, e.g. "regression"
 *
 * The space's own defaults for @proxy's parameters, from its
 * `proxy_defaults` table (e.g. the signal recipe that ranks the space
 * best): gn_proxy_new() applies them before the caller's assignments, so
 * a user's `--param` still wins.
 *
 * Returns: (transfer none) (nullable): "param=value" strings sorted by
 *   name, NULL-terminated, owned by @space; NULL when the space gives
 *   @proxy none.
 */
const char *const *gn_space_proxy_defaults (GnSpace *space,
                                            const char *proxy);

/**
 * gn_space_config:
 * @name: a configuration the space's `configs` table names, e.g.
 *   "mobile" for DARTS's ImageNet mobile setting
 * @size: (out) (optional): its input side
 * @num_classes: (out) (optional): its classes
 * @options: (out) (optional) (transfer full): its build options,
 *   "key=value" strings (NULL-terminated, sorted; g_strfreev())
 *
 * A named network of the space, as `space info --config`, `export-arch
 * --config` and the search's size constraints build it (with
 * GnBuildOptions.published set).
 *
 * Returns: FALSE with @error (GN_SPACE_ERROR_UNSUPPORTED, listing the
 * names there are) if the space has no configuration @name.
 */
gboolean gn_space_config (GnSpace *space, const char *name, int *size,
                          int *num_classes, char ***options, GError **error);
/** Returns: (transfer full): the names of the space's configurations,
 * sorted, NULL-terminated (g_strfreev()). */
char   **gn_space_config_names (GnSpace *space);

/** Returns: (transfer none) (nullable): the benchmark, if the space
 * names one and its file was found. */
const GnBenchmark *gn_space_benchmark (GnSpace *space);
/**
 * gn_space_get_benchmark:
 *
 * As gn_space_benchmark(), saying why there is none: the file is looked
 * for in each folder of $GENNAS_DATA_PATH (colon-separated), then the
 * space file's ../data, then the installed $(pkgdatadir)/data (or the
 * folders of $GENNAS_DATA_SYSTEM_PATH in its place, when set).
 *
 * Returns: (transfer none): the benchmark, or NULL with @error:
 * GN_SPACE_ERROR_UNSUPPORTED if the space names none, GN_SPACE_ERROR_IO
 * (listing the folders searched) if its file was not found.
 */
const GnBenchmark *gn_space_get_benchmark (GnSpace *space, GError **error);

G_END_DECLS

#endif /* GN_SPACE_H */
