/* gn-export.h - a built network written out for other tools: a JSON
 * description and a standalone PyTorch model
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The end of a search is an architecture; what a user trains is a
 * network.  Both exporters read the network gennas built for it
 * (gn_space_build(), usually as published with its classifier) node by
 * node through gn_net_node_info(), so they know nothing of any space:
 * every space's networks export alike, and what is exported is exactly
 * what gennas counts and trains.
 *
 *   GnBuildOptions opts = { .batch = 1, .classifier = TRUE,
 *                           .published = TRUE, .num_classes = 10 };
 *   GnNet *net = gn_space_build (space, arch, &opts, &error);
 *   GnExportSource src = { gn_space_name (space), arch, NULL, &opts };
 *   char *py = gn_export_torch (net, &src, &error);   // model.py
 *
 * docs/export.md shows what each writes.
 */
#ifndef GN_EXPORT_H
#define GN_EXPORT_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-net.h"
#include "gn-space.h"

G_BEGIN_DECLS

/**
 * GnExportSource:
 * @space: the space's name (gn_space_name())
 * @arch: the canonical architecture the network was built from
 * @genotype: (nullable): its genotype (gn_space_genotype()), written
 *   when it differs from @arch
 * @build: (nullable): the options the network was built with: written
 *   down so that the file says which configuration it is (the batch is
 *   not: exported networks take any batch)
 *
 * What an exported network was built from.  Every string must be UTF-8.
 */
typedef struct {
  const char *space;
  const char *arch;
  const char *genotype;
  const GnBuildOptions *build;
} GnExportSource;

/**
 * gn_export_json:
 * @net: the network, compiled or not
 * @src: what it was built from
 *
 * A JSON object describing the network for any tool: "gennas" (the
 * version), "space", "arch" (and "genotype"), "build" (the input's
 * channels, height and width, the classes, whether published, and the
 * build options, each value a number, a boolean or a string as the space
 * received it), "params" (gn_net_count_params()), "macs"
 * (gn_net_count_macs(), one sample), "batchnorm" (every batch norm's
 * eps and momentum), "taps" (each tap's node), and
 * "nodes": for each node in id order (which is an evaluation order) its
 * "id", "op" (gn_net_op_name()), "inputs" (node ids), "shape" (the
 * output's [c, h, w], without the batch), "params" and "attrs", the op's
 * attributes (GnNodeInfo; an empty object for ops without any).  One
 * member of the object a line, and one node a line.
 *
 * Returns: (transfer full): the text, ending in a newline, or NULL with
 * GN_ERROR_INVALID_ARGUMENT if a string of @src is not UTF-8.
 */
char *gn_export_json (const GnNet *net, const GnExportSource *src,
                      GError **error);

/**
 * gn_export_torch:
 * @net: the network, compiled or not; it must have a "logits" tap
 * @src: what it was built from
 *
 * Python source defining one torch.nn.Module, `Network`, that builds
 * exactly @net (the same layers, parameter count, connections and
 * arithmetic, with PyTorch's own initialisation, and NB101's normal
 * initialisation where the network asked for it): a module per layer
 * named after its node (`conv12` is node 12) created in __init__, and a
 * forward() that evaluates the nodes in id order and returns the
 * logits, [batch, classes] (or, with taps=True, a dict of every tap).
 * The file imports only torch, and run as a script builds the model,
 * checks its parameter count and runs one batch.  It takes inputs of the
 * size @net was built for and any batch.
 *
 * Returns: (transfer full): the text, or NULL with
 * GN_ERROR_INVALID_ARGUMENT if @net has no "logits" tap or a string of
 * @src is not UTF-8.
 */
char *gn_export_torch (const GnNet *net, const GnExportSource *src,
                       GError **error);

G_END_DECLS

#endif /* GN_EXPORT_H */
