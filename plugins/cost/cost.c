/* cost.c - the free baselines: parameter count and multiply-accumulates
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Every NAS paper reports how well plain model size ranks architectures.
 * This one file builds two plugins (COST_MACS selects which): "params",
 * the trainable parameters of the network as published, classifier
 * included, in millions; and "macs", the multiply-accumulates of one
 * forward pass of one image, in millions (conv and linear, bias included:
 * NAS-Bench-201's convention).  Bigger scores higher.  The network is
 * the one the space's `published` field declares, as `gennas space info`
 * counts it (its input side and classes: 224 and 1,000 on the NDS
 * ImageNet spaces, 32 and 10 unless a space says otherwise), built with
 * the context's build options like every proxy's; num_classes replaces
 * the classes.
 */
#include "config.h"
#include "gennas.h"

#include <math.h>

#ifdef COST_MACS
#define NAME "macs"
#define BLURB "multiply-accumulates of one forward pass of the published " \
              "network (millions; conv and linear with bias)"
#else
#define NAME "params"
#define BLURB "trainable parameters of the published network, classifier " \
              "included (millions)"
#endif

typedef struct {
  GnSpace *space;
  const char *const *options;  /* the context's build options */
  int num_classes;
  GnShape input;
} Cost;

static const GnProxyParamSpec params[] = {
  { "num_classes", GN_PROXY_PARAM_INT, "0", 0, 100000,
    "classes of the classifier counted with the network (0: the "
    "published network's, as gennas space info counts them)" },
  { NULL }
};

static gpointer
cost_create (const GnProxyContext *ctx, const GnProxyParams *p,
             GError **error)
{
  Cost *c = g_new0 (Cost, 1);
  int size, classes;
  gn_space_published_input (ctx->space, &size, &classes);
  c->space = ctx->space;
  c->options = ctx->build_options;
  c->num_classes = (int) gn_proxy_params_int (p, "num_classes");
  if (c->num_classes == 0)
    c->num_classes = classes;
  c->input = (GnShape) { 1, ctx->data ? ctx->data->c : 3, size, size };
  return c;
}

static void
cost_destroy (gpointer self)
{
  g_free (self);
}

static gboolean
cost_score (gpointer self, const char *arch, GnProxyResult *result,
            GError **error)
{
  Cost *c = self;
  GnBuildOptions opts = { .batch = 1, .in_c = c->input.c, .in_h = c->input.h,
                          .in_w = c->input.w, .classifier = TRUE,
                          .num_classes = c->num_classes, .published = TRUE,
                          .options = c->options };
  GnNet *net = gn_space_build (c->space, arch, &opts, error);
  if (net == NULL)
    return FALSE;
#ifdef COST_MACS
  result->score = gn_net_count_macs (net) / 1e6;
#else
  result->score = (double) gn_net_count_params (net) / 1e6;
#endif
  result->loss = NAN;
  gn_net_free (net);
  return TRUE;
}

static const GnProxyDesc cost_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = NAME,
  .description = BLURB,
  .version = PACKAGE_VERSION,
  .params = params,
  .create = cost_create,
  .score = cost_score,
  .destroy = cost_destroy,
};

#ifdef COST_MACS
GN_PROXY_DEFINE (macs, cost_desc)
#else
GN_PROXY_DEFINE (params, cost_desc)
#endif
