/* cmd-export.c - `gennas export`: a store's evaluations as CSV or JSON
 * Lines
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"

#include <string.h>

int
gn_cmd_export (int argc, char **argv)
{
  char *format = NULL;
  gint64 run = -1;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "csv (default) or jsonl", "FORMAT" },
    { "run", 0, 0, G_OPTION_ARG_INT64, &run,
      "only this run (default: every run)", "ID" },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("DB");
  g_option_context_set_summary (ctx,
    "Writes every evaluation recorded in the store to standard output, one\n"
    "per line: CSV with a header, or JSON Lines. Columns: run, seq, space,\n"
    "arch, proxy, config_hash, seed, score, loss, status, seconds, time,\n"
    "cached, message. Safe while a search is writing to the store.\n"
    "\n"
    "In CSV, a text field that a spreadsheet would take for a formula\n"
    "(starting with =, +, - or @ and not a number, or with a tab or a\n"
    "carriage return) is written with a single quote before it. The store\n"
    "is checked on opening and every row as it is read: a damaged one\n"
    "stops the export with an error naming it (docs/store.md).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean ok = gn_cli_parse (ctx, "export", &argc, &argv);
  g_option_context_free (ctx);
  int status = 2;
  GnStore *store = NULL;
  GError *error = NULL;
  if (!ok)
    goto out;
  if (argc != 2)
    {
      gn_cli_error ("export", "give exactly one store file (try --help)");
      goto out;
    }
  if (format && strcmp (format, "csv") && strcmp (format, "jsonl"))
    {
      gn_cli_error ("export", "--format must be csv or jsonl");
      goto out;
    }
  status = 1;
  if (!g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      gn_cli_error ("export", "%s: no such file", argv[1]);
      goto out;
    }
  store = gn_store_open (argv[1], &error);
  if (store == NULL
      || !gn_store_export (store, run, format ? format : "csv", stdout,
                           &error))
    {
      gn_cli_error ("export", "%s", error->message);
      goto out;
    }
  status = 0;
out:
  g_clear_error (&error);
  gn_store_close (store);
  g_free (format);
  return status;
}
