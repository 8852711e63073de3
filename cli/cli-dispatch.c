/* cli-dispatch.c - one dispatcher for commands and sub-commands
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void
usage (const GnCliCommand *group, const char *path, FILE *out)
{
  int width = 0;
  for (const GnCliCommand *c = group->commands; c->name; c++)
    width = MAX (width, (int) strlen (c->name));
  fprintf (out, "Usage: %s COMMAND %s\n\n%s\n\nCommands:\n", path,
           group->args, group->description);
  for (const GnCliCommand *c = group->commands; c->name; c++)
    fprintf (out, "  %-*s  %s\n", width, c->name, c->summary);
  fprintf (out, "\nRun '%s COMMAND --help' for a command's options.\n",
           path);
}

static gboolean
is_help (const char *arg)
{
  return strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0
         || strcmp (arg, "help") == 0;
}

int
gn_cli_dispatch (const GnCliCommand *group, const char *path, int argc,
                 char **argv)
{
  if (argc < 2 || is_help (argv[1]))
    {
      usage (group, path, argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  const GnCliCommand *c = group->commands;
  while (c->name && strcmp (c->name, argv[1]) != 0)
    c++;
  if (c->name == NULL)
    {
      fprintf (stderr, "%s: unknown command '%s'\n\n", path, argv[1]);
      usage (group, path, stderr);
      return 2;
    }

  /* the command sees itself as argv[0], by its full name */
  char *name = g_strdup_printf ("%s %s", path, c->name);
  char **args = g_new0 (char *, argc);
  args[0] = name;
  for (int i = 2; i < argc; i++)
    args[i - 1] = argv[i];
  int status = c->run ? c->run (argc - 1, args)
                      : gn_cli_dispatch (c, name, argc - 1, args);
  g_free (args);
  g_free (name);
  return status;
}
