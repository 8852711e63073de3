/* cli-arch.c - one architecture written out, see cli-arch.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-arch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

/* the ranges `gennas space info` accepts */
#define MAX_INPUT_SIZE 4096
#define MAX_CLASSES 1000000

static const char *const format_names[] = {
  [GN_CLI_ARCH_GENOTYPE] = "genotype",
  [GN_CLI_ARCH_JSON] = "json",
  [GN_CLI_ARCH_PYTORCH] = "pytorch",
};

void
gn_cli_arch_options_add (GOptionContext *ctx, GnCliArchOptions *o)
{
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_STRING, &o->config,
      "a named network of the space (e.g. mobile for DARTS's ImageNet "
      "mobile setting; `gennas space check` lists them): its input, classes "
      "and build options, under the options below", "NAME" },
    { "space-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->space_options,
      "a build option of the network, as the space defines them, e.g. "
      "width=48 (repeatable)", "KEY=VALUE" },
    { "input-size", 0, 0, G_OPTION_ARG_INT, &o->input_size,
      "side of the square input image (default: the space's published "
      "one, e.g. 32 or 224)", "PIXELS" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &o->classes,
      "classes of the classifier (default: the space's published number, "
      "e.g. 10 or 1000)", "K" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output,
      "write to FILE (default: standard output)", "FILE" },
    { NULL }
  };
  g_option_context_add_main_entries (ctx, entries, NULL);
}

void
gn_cli_arch_options_clear (GnCliArchOptions *o)
{
  g_free (o->config);
  g_strfreev (o->space_options);
  g_free (o->output);
  *o = (GnCliArchOptions) { 0 };
}

gboolean
gn_cli_arch_options_build_given (const GnCliArchOptions *o)
{
  return o->config != NULL || o->space_options != NULL
         || o->input_size != 0 || o->classes != 0;
}

gboolean
gn_cli_arch_format_parse (const char *text, GnCliArchFormat *format,
                          GError **error)
{
  for (gsize f = 0; f < G_N_ELEMENTS (format_names); f++)
    if (strcmp (text, format_names[f]) == 0)
      {
        *format = (GnCliArchFormat) f;
        return TRUE;
      }
  char *q = gn_error_quote (text, -1, 0);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--format must be genotype, json or pytorch, not '%s'", q);
  g_free (q);
  return FALSE;
}

gboolean
gn_cli_arch_options_check (const GnCliArchOptions *o, GError **error)
{
  if (o->input_size < 0 || o->input_size > MAX_INPUT_SIZE || o->classes < 0
      || o->classes > MAX_CLASSES)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--input-size must be in [1, %d] and --classes in "
                   "[1, %d]", MAX_INPUT_SIZE, MAX_CLASSES);
      return FALSE;
    }
  return TRUE;
}

/* A build error's first line: the rest is the traceback into the
 * sandbox. */
static void
first_line (GError **error)
{
  if (error != NULL && *error != NULL)
    (*error)->message[strcspn ((*error)->message, "\n")] = '\0';
}

/* The input side, classes and build options of the network to export:
 * the published network's or --config's, then the command line's (a
 * later key=value overrides an earlier one), as `gennas space info`. */
static gboolean
build_options (GnSpace *space, const GnCliArchOptions *o,
               GnBuildOptions *opts, char ***options, GError **error)
{
  int size, classes;
  char **config = NULL;
  if (o->config != NULL)
    {
      if (!gn_space_config (space, o->config, &size, &classes, &config,
                            error))
        return FALSE;
    }
  else
    gn_space_published_input (space, &size, &classes);
  GStrvBuilder *b = g_strv_builder_new ();
  if (config != NULL)
    g_strv_builder_addv (b, (const char **) config);
  if (o->space_options != NULL)
    g_strv_builder_addv (b, (const char **) o->space_options);
  *options = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  g_strfreev (config);
  *opts = (GnBuildOptions) {
    .batch = 1, .classifier = TRUE, .published = TRUE,
    .in_h = o->input_size ? o->input_size : size,
    .in_w = o->input_size ? o->input_size : size,
    .num_classes = o->classes ? o->classes : classes,
    .options = (const char *const *) *options
  };
  return TRUE;
}

/* The network of @arch as `gennas space info` builds it, exported. */
static char *
export_network (GnSpace *space, const char *canon, GnCliArchFormat format,
                const GnBuildOptions *opts, GError **error)
{
  GnNet *net = NULL;
  char *genotype = NULL, *text = NULL;
  net = gn_space_build (space, canon, opts, error);
  if (net == NULL)
    {
      first_line (error);
      goto out;
    }
  if ((genotype = gn_space_genotype (space, canon, error)) == NULL)
    goto out;
  GnExportSource src = { gn_space_name (space), canon, genotype, opts };
  text = format == GN_CLI_ARCH_JSON ? gn_export_json (net, &src, error)
                                    : gn_export_torch (net, &src, error);
out:
  gn_net_free (net);
  g_free (genotype);
  return text;
}

/* @text to @path (NULL: standard output); a file that could not be
 * written whole is removed */
static gboolean
write_text (const char *text, const char *path, GError **error)
{
  FILE *out = path ? fopen (path, "w") : stdout;
  gboolean ok = out != NULL && fputs (text, out) != EOF;
  int saved = errno;
  if (out != NULL && (path ? fclose (out) : fflush (out)) != 0 && ok)
    {
      saved = errno;
      ok = FALSE;
    }
  if (!ok)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path ? path : "standard output",
                   g_strerror (saved));
      if (path != NULL && out != NULL)
        g_remove (path);
    }
  return ok;
}

gboolean
gn_cli_arch_write (GnSpace *space, const char *arch, GnCliArchFormat format,
                   const GnCliArchOptions *o, GError **error)
{
  char *canon = NULL, *text = NULL;
  char **options = NULL;
  GnBuildOptions opts;
  gboolean ok = FALSE;
  /* --config is checked for every format, though a genotype needs none */
  if (!build_options (space, o, &opts, &options, error)
      || (canon = gn_space_canonicalize (space, arch, error)) == NULL)
    goto out;
  if (format == GN_CLI_ARCH_GENOTYPE)
    {
      char *genotype = gn_space_genotype (space, canon, error);
      if (genotype != NULL)
        text = g_strconcat (genotype, "\n", NULL);
      g_free (genotype);
    }
  else
    text = export_network (space, canon, format, &opts, error);
  ok = text != NULL && write_text (text, o->output, error);
out:
  g_strfreev (options);
  g_free (canon);
  g_free (text);
  return ok;
}
