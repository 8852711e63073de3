/* cmd-export-arch.c - `gennas export-arch`: an architecture as a genotype,
 * a JSON description of its network, or a PyTorch model.py
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"
#include "cli-arch.h"
#include "cli-common.h"

#include <stdio.h>
#include <string.h>

/* The architecture a line of standard input holds, for ARCH "-". */
static char *
read_stdin_arch (GError **error)
{
  GString *text = g_string_new (NULL);
  char chunk[4096];
  size_t k;
  while ((k = fread (chunk, 1, sizeof chunk, stdin)) > 0)
    g_string_append_len (text, chunk, (gssize) k);
  if (ferror (stdin) || memchr (text->str, '\0', text->len) != NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "standard "
                   "input: %s", ferror (stdin) ? "cannot be read"
                                               : "a NUL byte");
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_strstrip (g_string_free (text, FALSE));
}

int
gn_cmd_export_arch (int argc, char **argv)
{
  char *format_text = NULL;
  GnCliArchOptions o = { 0 };
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_text,
      "genotype (default), json or pytorch", "FORMAT" },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("SPACE.lua ARCH");
  g_option_context_set_summary (ctx,
    "Writes an architecture of a space for use outside gennas, in one of\n"
    "three formats:\n"
    GN_CLI_ARCH_FORMATS_HELP "\n"
    "\n"
    "ARCH is in any form the space reads (it is checked and made canonical\n"
    "first); - reads it from standard input. For example, DARTS V2 as the\n"
    "ImageNet mobile network (network=imagenet, width 48, 14 cells,\n"
    "224x224, 1000 classes):\n"
    "  gennas export-arch spaces/darts.lua \"$GENOTYPE\" --config mobile \\\n"
    "      --format pytorch -o model.py\n"
    "See docs/export.md. `gennas export DB --best` writes the best\n"
    "architecture of a search the same ways.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gn_cli_arch_options_add (ctx, &o);
  gboolean parsed = gn_cli_parse (ctx, "export-arch", &argc, &argv);
  g_option_context_free (ctx);

  int status = 2;
  GError *error = NULL;
  GnSpace *space = NULL;
  char *arch = NULL;
  GnCliArchFormat format = GN_CLI_ARCH_GENOTYPE;
  if (!parsed)
    goto out;
  if (argc != 3)
    {
      gn_cli_error ("export-arch", "give a space file and an architecture "
                    "(try --help)");
      goto out;
    }
  if ((format_text
       && !gn_cli_arch_format_parse (format_text, &format, &error))
      || !gn_cli_arch_options_check (&o, &error))
    goto fail;

  status = 1;
  if (strcmp (argv[2], "-") == 0)
    arch = read_stdin_arch (&error);
  else
    arch = g_strdup (argv[2]);
  if (arch == NULL
      || (space = gn_space_load (argv[1], &error)) == NULL
      || !gn_cli_arch_write (space, arch, format, &o, &error))
    {
      /* a --config the space does not have: as `space info` */
      if (g_error_matches (error, GN_SPACE_ERROR,
                           GN_SPACE_ERROR_UNSUPPORTED))
        status = 2;
      goto fail;
    }
  status = 0;
  goto out;

fail:
  /* one line: a script error's traceback points into the sandbox */
  gn_cli_error ("export-arch", "%.*s",
                (int) strcspn (error->message, "\n"), error->message);
out:
  g_clear_error (&error);
  gn_space_free (space);
  g_free (arch);
  g_free (format_text);
  gn_cli_arch_options_clear (&o);
  return status;
}
