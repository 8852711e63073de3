/* cli.h - the subcommands of the gennas command-line tool
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Each subcommand is `int gn_cmd_<name> (int argc, char **argv)`: it parses
 * its own options (argv[0] is the subcommand name), prints errors to
 * standard error and returns the process exit status.
 */
#ifndef GN_CLI_H
#define GN_CLI_H

int gn_cmd_proxies (int argc, char **argv);
int gn_cmd_score (int argc, char **argv);
int gn_cmd_rank (int argc, char **argv);
int gn_cmd_search (int argc, char **argv);
int gn_cmd_export (int argc, char **argv);
int gn_cmd_plot (int argc, char **argv);
int gn_cmd_space (int argc, char **argv);

#endif /* GN_CLI_H */
