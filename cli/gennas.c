/* gennas.c - the gennas command-line tool: its commands
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"
#include "gennas.h"

#include <stdio.h>
#include <string.h>

static const GnCliCommand commands[] = {
  { .name = "proxies", .run = gn_cmd_proxies,
    .summary = "list the proxy plugins and their parameters" },
  { .name = "score", .run = gn_cmd_score,
    .summary = "score architectures with a proxy" },
  { .name = "rank", .run = gn_cmd_rank,
    .summary = "rank benchmark architectures with a proxy: Spearman, "
               "Kendall, top-K%, with intervals" },
  { .name = "search", .run = gn_cmd_search,
    .summary = "search a space for a good architecture" },
  { .name = "task-search", .run = gn_cmd_task_search,
    .summary = "search for the proxy task that best ranks labelled "
               "architectures" },
  { .name = "export", .run = gn_cmd_export,
    .summary = "write a store's evaluations as CSV or JSON Lines, or its "
               "best architecture" },
  { .name = "export-arch", .run = gn_cmd_export_arch,
    .summary = "write an architecture as a genotype, JSON or a PyTorch "
               "model.py" },
  { .name = "plot", .run = gn_cmd_plot,
    .summary = "draw a search's trajectory" },
  { .name = "space", .commands = gn_cmd_space_commands,
    .summary = "check, sample, count and hash a search space",
    .args = "[OPTIONS...] FILE.lua [ARGS...]",
    .description = "Search spaces written in Lua (docs/spaces.md)." },
  { NULL }
};

static const GnCliCommand gennas = {
  .name = "gennas", .commands = commands, .args = "[OPTIONS...]",
  .description = "Neural architecture search on the CPU (GenNAS).\n"
                 "'gennas --version' prints the version."
};

static void
print_version (void)
{
  char *kernels = gn_blas_describe_kernels ();
  printf ("gennas %s\nOpenBLAS kernels: %s\n", PACKAGE_VERSION, kernels);
  g_free (kernels);
}

int
main (int argc, char **argv)
{
  /* OpenBLAS's kernels are chosen when it is loaded: where it fell back
   * to slow ones for a CPU it does not know, start again with better */
  gn_blas_restart_with_better_kernels (argv);
  if (argc == 2 && strcmp (argv[1], "--version") == 0)
    {
      print_version ();
      return 0;
    }
  return gn_cli_dispatch (&gennas, "gennas", argc, argv);
}
