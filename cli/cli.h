/* cli.h - the commands of the gennas command-line tool, and the one
 * dispatcher that runs them
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A command is `int gn_cmd_<name> (int argc, char **argv)`: argv[0] is its
 * full name ("gennas rank", "gennas space check"), which GOption prints in
 * its usage line; it parses its own options, prints errors to standard
 * error and returns the process exit status (0 done, 1 failed, 2 a usage
 * error).  A group of commands (gennas itself, `gennas space`) is a table
 * of GnCliCommand that gn_cli_dispatch() picks from.
 */
#ifndef GN_CLI_H
#define GN_CLI_H

#include <glib.h>

typedef struct _GnCliCommand GnCliCommand;

struct _GnCliCommand {
  const char *name;
  const char *summary;               /* one line, in its group's --help  */
  int (*run) (int argc, char **argv);          /* a command ...           */
  const GnCliCommand *commands;      /* ... or a group, ending with { 0 } */
  const char *args;                  /* a group's: its usage after COMMAND */
  const char *description;           /* a group's: a paragraph for --help */
};

/**
 * gn_cli_dispatch:
 * @group: a group of commands
 * @path: the group's full name: "gennas", "gennas space"
 *
 * Runs the command of @group that @argv[1] names (a sub-group in turn
 * dispatches on @argv[2]).  `--help`, `-h` or `help` prints the group's
 * usage to standard output (status 0); no command prints it to standard
 * error (status 2), and so does an unknown one, after a one-line error.
 *
 * Returns: the exit status.
 */
int gn_cli_dispatch (const GnCliCommand *group, const char *path, int argc,
                     char **argv);

int gn_cmd_proxies (int argc, char **argv);
int gn_cmd_score (int argc, char **argv);
int gn_cmd_rank (int argc, char **argv);
int gn_cmd_search (int argc, char **argv);
int gn_cmd_task_search (int argc, char **argv);
int gn_cmd_export (int argc, char **argv);
int gn_cmd_export_arch (int argc, char **argv);
int gn_cmd_plot (int argc, char **argv);

/* What a search picked, for a command built on `gennas search`. */
typedef struct {
  char *best;         /* (nullable) the architecture picked              */
  double score;       /* its score                                       */
  double loss;        /* the proxy's raw figure for it (NAN if none)     */
  int evaluations;    /* the search's evaluations                        */
  gint64 run;         /* the store's run holding the pick                */
  char *db;           /* the store                                       */
} GnCliSearchResult;

/* `gennas search` with @argv; when the search picked an architecture and
 * @result is given, fills it (free with gn_cli_search_result_clear()). */
int  gn_cli_search (int argc, char **argv, GnCliSearchResult *result);
void gn_cli_search_result_clear (GnCliSearchResult *r);

/* the sub-commands of `gennas space` (cmd-space.c) */
extern const GnCliCommand gn_cmd_space_commands[];

#endif /* GN_CLI_H */
