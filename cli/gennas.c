/* gennas.c - the gennas command-line tool: subcommand dispatch
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "proxies", gn_cmd_proxies, "list the proxy plugins and their parameters" },
  { "score", gn_cmd_score, "score architectures with a proxy" },
  { "rank", gn_cmd_rank, "rank a benchmark sample with a proxy: Spearman, "
    "Kendall, top-10%" },
  { "search", gn_cmd_search, "search a space for a good architecture" },
  { "export", gn_cmd_export, "write a store's evaluations as CSV or JSON "
    "Lines" },
  { "plot", gn_cmd_plot, "draw a search's trajectory" },
  { "space", gn_cmd_space, "check, sample, count and hash a search space" },
};

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: gennas COMMAND [OPTIONS...]\n"
           "\n"
           "Neural architecture search on the CPU (GenNAS).\n"
           "\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\n"
           "Run 'gennas COMMAND --help' for a command's options.\n"
           "  --version  print the version and exit\n");
}

int
main (int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("gennas %s\n", PACKAGE_VERSION);
      return 0;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, "gennas: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return 2;
}
