/* cmd-export.c - `gennas export`: a store's evaluations as CSV or JSON
 * Lines, or the best architecture of a run in the formats of
 * `export-arch`
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"
#include "cli-arch.h"
#include "cli-common.h"
#include "cli-run-config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  char *arch;
  double score;
  gint64 seq;
} Best;

/* the highest score among the run's finite ones; the earliest on ties */
static gboolean
keep_best (const GnEval *e, gpointer user)
{
  Best *b = user;
  if (e->status == GN_EVAL_OK && (b->arch == NULL || e->score > b->score))
    {
      g_free (b->arch);
      *b = (Best) { g_strdup (e->arch), e->score, e->seq };
    }
  return TRUE;
}

/* The space of run @run: --space (which must be a space of the run's
 * name), or the file the run recorded if it is still that file. */
static GnSpace *
space_of_run (const char *space_path, const char *config, gint64 run,
              GError **error)
{
  if (space_path == NULL)
    {
      GnSpace *space = gn_cli_run_config_load_space (config, run, error);
      if (space == NULL)
        g_prefix_error (error, "no space to build run %" G_GINT64_FORMAT
                        "'s best with (--space names the space file): ",
                        run);
      return space;
    }
  GnSpace *space = gn_cli_run_config_load_space_file (space_path, NULL,
                                                      error);
  char *name = gn_cli_run_config_get_string (config, "space");
  if (space != NULL && name != NULL
      && strcmp (name, gn_space_name (space)) != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--space %s is the space '%s', but run %" G_GINT64_FORMAT
                   " is of '%s'", space_path, gn_space_name (space), run,
                   name);
      g_clear_pointer (&space, gn_space_free);
    }
  g_free (name);
  return space;
}

/* --best: the best architecture of @run (-1: the latest run) */
static gboolean
export_best (GnStore *store, gint64 run, const char *space_path,
             GnCliArchFormat format, const GnCliArchOptions *o,
             GError **error)
{
  char *config = NULL;
  Best best = { NULL, 0, 0 };
  GnSpace *space = NULL;
  gboolean ok = FALSE;

  if (run < 0 ? !gn_store_find_run (store, NULL, &run, &config, error)
              : !gn_store_get_run (store, run, &config, NULL, error))
    goto out;
  if (!gn_store_foreach (store, run, keep_best, &best, error))
    goto out;
  if (best.arch == NULL)
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND,
                   "run %" G_GINT64_FORMAT " has no evaluation with a "
                   "finite score: there is no best architecture", run);
      goto out;
    }
  if ((space = space_of_run (space_path, config, run, error)) == NULL)
    goto out;
  ok = gn_cli_arch_write (space, best.arch, format, o, error);
  if (ok)
    fprintf (stderr, "gennas export: the best of run %" G_GINT64_FORMAT
             ", evaluation %" G_GINT64_FORMAT " (score %.6g)\n", run,
             best.seq, best.score);
out:
  gn_space_free (space);
  g_free (best.arch);
  g_free (config);
  return ok;
}

/* the evaluations, to standard output or -o's file */
static gboolean
export_evals (GnStore *store, gint64 run, const char *format,
              const char *path, GError **error)
{
  FILE *out = path ? fopen (path, "w") : stdout;
  if (out == NULL)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  gboolean ok = gn_store_export (store, run, format, out, error);
  if ((path ? fclose (out) : fflush (out)) != 0 && ok)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path ? path : "standard output",
                   g_strerror (saved));
      ok = FALSE;
    }
  return ok;
}

int
gn_cmd_export (int argc, char **argv)
{
  char *format = NULL, *space_path = NULL;
  gint64 run = -1;
  gboolean best = FALSE;
  GnCliArchOptions o = { 0 };
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "csv (default) or jsonl; with --best, genotype (default), json or "
      "pytorch", "FORMAT" },
    { "run", 0, 0, G_OPTION_ARG_INT64, &run,
      "only this run (default: every run; with --best, the latest)", "ID" },
    { "best", 0, 0, G_OPTION_ARG_NONE, &best,
      "write the run's best architecture instead", NULL },
    { "space", 0, 0, G_OPTION_ARG_FILENAME, &space_path,
      "with --best: the space file (default: the run's); it must be a "
      "space of the run's name", "SPACE" },
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
    "stops the export with an error naming it (docs/store.md).\n"
    "\n"
    "With --best, writes instead the architecture of the run's highest\n"
    "finite score (the earliest of equal ones; the latest run unless --run\n"
    "says which: after `gennas search --final K`, that is the final stage,\n"
    "whose best the search reported), as `gennas export-arch` writes one:\n"
    GN_CLI_ARCH_FORMATS_HELP "\n"
    "\n"
    "The space is the file the run recorded, if its contents are still\n"
    "those the run used; --space names another copy. The search's proxy\n"
    "options (its --space-option) do not apply. See docs/export.md.\n"
    "  gennas export gennas.db --best --format pytorch -o model.py");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gn_cli_arch_options_add (ctx, &o);
  gboolean ok = gn_cli_parse (ctx, "export", &argc, &argv);
  g_option_context_free (ctx);
  int status = 2;
  GnStore *store = NULL;
  GError *error = NULL;
  GnCliArchFormat arch_format = GN_CLI_ARCH_GENOTYPE;
  if (!ok)
    goto out;
  if (argc != 2)
    {
      gn_cli_error ("export", "give exactly one store file (try --help)");
      goto out;
    }
  if (!best)
    {
      if (space_path || gn_cli_arch_options_build_given (&o))
        {
          gn_cli_error ("export", "--space, --config, --space-option, "
                        "--input-size and --classes need --best");
          goto out;
        }
      if (format && strcmp (format, "csv") && strcmp (format, "jsonl"))
        {
          gn_cli_error ("export", "--format must be csv or jsonl (or, "
                        "with --best, genotype, json or pytorch)");
          goto out;
        }
    }
  else if ((format && !gn_cli_arch_format_parse (format, &arch_format,
                                                 &error))
           || !gn_cli_arch_options_check (&o, &error))
    {
      gn_cli_error ("export", "with --best, %s", error->message);
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
      || !(best ? export_best (store, run, space_path, arch_format, &o,
                               &error)
                : export_evals (store, run, format ? format : "csv",
                                o.output, &error)))
    {
      /* a --config the space does not have: as `space info` */
      if (g_error_matches (error, GN_SPACE_ERROR,
                           GN_SPACE_ERROR_UNSUPPORTED))
        status = 2;
      gn_cli_error ("export", "%.*s", (int) strcspn (error->message, "\n"),
                    error->message);
      goto out;
    }
  status = 0;
out:
  g_clear_error (&error);
  gn_store_close (store);
  g_free (format);
  g_free (space_path);
  gn_cli_arch_options_clear (&o);
  return status;
}
