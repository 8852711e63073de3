/* net-dump.c - one forward pass of gennas's network, written to files, for
 * tests/test-export-torch.sh to repeat in PyTorch
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 *   net-dump [--space-option K=V ...] [--input-size N] [--classes K]
 *            [--batch B] SPACE.lua ARCH DIR
 *
 * Builds ARCH as `gennas export-arch` does (published, with the
 * classifier), initialises it (seed 0; batch norms' gamma and beta then
 * drawn around 1 and 0, so that their order matters), and writes to DIR:
 *
 *   params.txt   one line per trainable tensor, in creation order:
 *                NODE KIND SIZE (KIND: weight or bias)
 *   params.bin   their values, float32, in that order
 *   input.bin    a batch [B, C, H, W] of N(0, 1) values, float32
 *   train.bin    the logits of a forward pass in training mode (batch
 *                statistics), [B, K] float32
 *   eval.bin     then the logits in evaluation mode (the running
 *                statistics that pass updated)
 *
 * All little-endian as the machine writes them.  Exit status 0, or 1 with
 * a message.
 */
#include "gennas.h"

#include <stdio.h>
#include <string.h>

static gboolean
write_floats (const char *dir, const char *name, const float *v, gsize n,
              GError **error)
{
  char *path = g_build_filename (dir, name, NULL);
  gboolean ok = g_file_set_contents (path, (const char *) v,
                                     (gssize) (n * sizeof (float)), error);
  g_free (path);
  return ok;
}

static gboolean
dump (GnNet *net, const char *dir, GError **error)
{
  GString *index = g_string_new (NULL);
  GArray *values = g_array_new (FALSE, FALSE, sizeof (float));
  gboolean ok = FALSE;
  guint n_params;
  const GnParam *params = gn_net_params (net, &n_params);
  GnRng rng;
  gn_rng_seed (&rng, 1);

  for (guint p = 0; p < n_params; p++)
    {
      const GnParam *pr = &params[p];
      if (pr->kind == GN_PARAM_BN_WEIGHT || pr->kind == GN_PARAM_BN_BIAS)
        for (gsize i = 0; i < pr->size; i++)
          pr->value[i] = (pr->kind == GN_PARAM_BN_WEIGHT ? 1.f : 0.f)
                         + gn_rng_uniformf (&rng, -0.25f, 0.25f);
      gboolean bias = pr->kind == GN_PARAM_CONV_BIAS
                      || pr->kind == GN_PARAM_BN_BIAS
                      || pr->kind == GN_PARAM_LINEAR_BIAS;
      g_string_append_printf (index, "%d %s %" G_GSIZE_FORMAT "\n", pr->node,
                              bias ? "bias" : "weight", pr->size);
      g_array_append_vals (values, pr->value, (guint) pr->size);
    }
  char *path = g_build_filename (dir, "params.txt", NULL);
  ok = g_file_set_contents (path, index->str, -1, error)
       && write_floats (dir, "params.bin", (float *) values->data,
                        values->len, error);
  g_free (path);
  if (!ok)
    goto out;

  GnShape in = gn_net_shape (net, 0);
  gsize n_in = (gsize) in.n * in.c * in.h * in.w;
  gn_rng_fill_normal (&rng, gn_net_input (net), n_in, 1.f);
  int logits = gn_net_find_tap (net, "logits");
  GnShape out = gn_net_shape (net, logits);
  gsize n_out = (gsize) out.n * out.c * out.h * out.w;
  ok = write_floats (dir, "input.bin", gn_net_input (net), n_in, error);
  gn_net_forward (net, GN_MODE_TRAIN);
  ok = ok && write_floats (dir, "train.bin", gn_net_value (net, logits),
                           n_out, error);
  gn_net_forward (net, GN_MODE_EVAL);
  ok = ok && write_floats (dir, "eval.bin", gn_net_value (net, logits),
                           n_out, error);
out:
  g_string_free (index, TRUE);
  g_array_free (values, TRUE);
  return ok;
}

int
main (int argc, char **argv)
{
  char **options = NULL;
  int size = 0, classes = 0, batch = 2;
  GOptionEntry entries[] = {
    { "space-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options, NULL,
      NULL },
    { "input-size", 0, 0, G_OPTION_ARG_INT, &size, NULL, NULL },
    { "classes", 0, 0, G_OPTION_ARG_INT, &classes, NULL, NULL },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, NULL, NULL },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("SPACE.lua ARCH DIR");
  g_option_context_add_main_entries (ctx, entries, NULL);
  GError *error = NULL;
  GnSpace *space = NULL;
  GnNet *net = NULL;
  int status = 1;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto out;
  if (argc != 4 || batch < 1)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "usage: net-dump [OPTION...] SPACE.lua ARCH DIR");
      goto out;
    }
  if ((space = gn_space_load (argv[1], &error)) == NULL)
    goto out;
  int pub_size, pub_classes;
  gn_space_published_input (space, &pub_size, &pub_classes);
  GnBuildOptions opts = {
    .batch = batch, .classifier = TRUE, .published = TRUE,
    .in_h = size ? size : pub_size, .in_w = size ? size : pub_size,
    .num_classes = classes ? classes : pub_classes,
    .options = (const char *const *) options
  };
  if ((net = gn_space_build (space, argv[2], &opts, &error)) == NULL
      || !gn_net_compile (net, FALSE, &error)
      || !dump (net, argv[3], &error))
    goto out;
  status = 0;
out:
  if (error != NULL)
    fprintf (stderr, "net-dump: %s\n", error->message);
  g_clear_error (&error);
  gn_net_free (net);
  gn_space_free (space);
  g_option_context_free (ctx);
  g_strfreev (options);
  return status;
}
