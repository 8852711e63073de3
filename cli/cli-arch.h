/* cli-arch.h - one architecture written out for the user's own code: the
 * formats and build options of `export-arch` and `export --best`
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Both commands write an architecture the same way, through here: as
 * its genotype (gn_space_genotype()), or as the network gennas builds
 * for it, as published with its classifier, described in JSON or as a
 * PyTorch model.py (core/report/gn-export.h).  docs/export.md shows each.
 */
#ifndef GN_CLI_ARCH_H
#define GN_CLI_ARCH_H

#include "gennas.h"

typedef enum {
  GN_CLI_ARCH_GENOTYPE,
  GN_CLI_ARCH_JSON,
  GN_CLI_ARCH_PYTORCH
} GnCliArchFormat;

/* What each format is, for a command's --help. */
#define GN_CLI_ARCH_FORMATS_HELP \
  "  genotype  the architecture as its users' code writes it: DARTS's\n" \
  "            Genotype(...) literal for the DARTS-like spaces (darts.lua,\n" \
  "            nds-*-in.lua), the canonical string for the others\n" \
  "  json      the network gennas builds for it: the space, the\n" \
  "            architecture, the build configuration, parameters and\n" \
  "            multiply-accumulates, and every node (op, inputs,\n" \
  "            attributes, output shape)\n" \
  "  pytorch   that network as a standalone model.py: one nn.Module,\n" \
  "            Network, with exactly gennas's layers and parameter count,\n" \
  "            returning the classifier's logits; it imports only torch\n" \
  "The network is built as the space publishes it, with its classifier\n" \
  "(as `gennas space info` counts it: 32x32 and 10 classes unless the\n" \
  "space says otherwise), or in one of the space's named configurations\n" \
  "(--config; darts.lua's mobile is DARTS's ImageNet mobile setting);\n" \
  "--input-size, --classes and --space-option change that (they do not\n" \
  "change a genotype)."

typedef struct {
  char *config;           /* --config NAME (NULL: as published)         */
  char **space_options;   /* --space-option KEY=VALUE, repeatable       */
  int input_size;         /* --input-size PIXELS (0: the published one) */
  int classes;            /* --classes K (0: the published number)      */
  char *output;           /* -o FILE (NULL: standard output)            */
} GnCliArchOptions;

/* Adds the options of @o (all zero: the defaults) to @ctx's main group;
 * @o must outlive the parse. */
void gn_cli_arch_options_add (GOptionContext *ctx, GnCliArchOptions *o);
/* Frees what parsing stored in @o. */
void gn_cli_arch_options_clear (GnCliArchOptions *o);
/* Whether any option that builds the network was given. */
gboolean gn_cli_arch_options_build_given (const GnCliArchOptions *o);

/* Parses a --format value; FALSE with @error (G_OPTION_ERROR) naming
 * the formats for anything else. */
gboolean gn_cli_arch_format_parse (const char *text, GnCliArchFormat *format,
                                   GError **error);
/* FALSE with @error (G_OPTION_ERROR) if --input-size or --classes is out
 * of range. */
gboolean gn_cli_arch_options_check (const GnCliArchOptions *o,
                                    GError **error);

/**
 * gn_cli_arch_write:
 * @arch: an architecture of @space, in any form it reads
 *
 * Writes @arch in @format to -o's file (opened only once the text is
 * made, and removed if it cannot be written whole) or to standard
 * output.
 *
 * Returns: FALSE with @error: the space's (GN_SPACE_ERROR_ARCH for an
 * invalid @arch, GN_SPACE_ERROR_UNSUPPORTED for a --config the space
 * does not name, which is the user's usage error; a build error's
 * message is cut to its first line), the exporter's, or a G_FILE_ERROR
 * naming the file.
 */
gboolean gn_cli_arch_write (GnSpace *space, const char *arch,
                            GnCliArchFormat format,
                            const GnCliArchOptions *o, GError **error);

#endif /* GN_CLI_ARCH_H */
