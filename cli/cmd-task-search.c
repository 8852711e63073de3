/* cmd-task-search.c - `gennas task-search`: GenNAS's proxy-task search
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Which signals should the regression proxy regress?  GenNAS answers with
 * regularized evolution over tasks, each scored by how well the proxy
 * trained on it ranks a few labelled architectures (docs/method.md §6).
 * Here that is `gennas search` over a space of tasks (spaces/task-cv.lua)
 * with the `task` proxy (plugins/task/task.c), so it runs in the same
 * workers or MPI ranks, commits to the same store, reuses the same cache
 * and resumes the same way; this command prepares the labelled set, runs
 * the search, and writes the best task as a recipe file.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"
#include "cli-listed.h"

#include <math.h>
#include <string.h>

typedef struct {
  char *labeled, *metric, *tasks, *out, *inner;
  char **inner_params, **inner_options;
  int budget, population, tournament;
} TaskOptions;

/* The search options this command sets itself. */
static gboolean
sets_its_own (char **argv, int argc, GError **error)
{
  static const char *const own[] = { "--proxy", "-p", "--param",
                                     "--space-option", "--recipe", NULL };
  for (int i = 1; i < argc; i++)
    for (const char *const *o = own; *o; o++)
      {
        gsize n = strlen (*o);
        if (strncmp (argv[i], *o, n) == 0
            && (argv[i][n] == '\0' || argv[i][n] == '='
                || (n == 2 && argv[i][n] != '-')))
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "%s: task-search scores tasks with the task proxy; "
                         "set the proxy trained on each task with "
                         "--inner-proxy, --inner-param and "
                         "--inner-space-option", argv[i]);
            return FALSE;
          }
      }
  return TRUE;
}

/* The labelled architectures as the task proxy reads them: @path itself
 * when it is already "ACCURACY ARCH" lines, else (a CSV file naming the
 * benchmark's architecture columns and @metric) those written to
 * @written.  Returns the absolute path to hand the proxy. */
static char *
labeled_file (GnSpace *space, const char *path, const char *metric,
              const char *written, GError **error)
{
  const GnBenchmark *bm = gn_space_get_benchmark (space, NULL);
  GPtrArray *listed = NULL;
  gboolean csv = FALSE;
  char *out = NULL;

  if (bm != NULL)
    {
      const char *m = metric ? metric : bm->metrics[0];
      if ((listed = gn_cli_listed_read (path, bm, m, &csv, error)) == NULL)
        return NULL;
    }
  if (!csv)
    {
      if (metric)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--metric %s: %s is not a CSV file naming the space's "
                     "architecture columns", metric, path);
      else
        out = g_canonicalize_filename (path, NULL);
      goto done;
    }
  GString *text = g_string_new (NULL);
  g_string_append_printf (text, "# the labelled architectures of %s "
                          "(column %s), as gennas task-search read them\n",
                          path, metric ? metric : bm->metrics[0]);
  for (guint i = 0; i < listed->len; i++)
    {
      const GnCliListed *l = g_ptr_array_index (listed, i);
      if (!isfinite (l->value))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s:%u: no accuracy", path, l->line);
          g_string_free (text, TRUE);
          goto done;
        }
      char num[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (text, "%s %s\n",
                              g_ascii_formatd (num, sizeof num, "%.15g",
                                               l->value),
                              l->text);
    }
  if (g_file_set_contents (written, text->str, (gssize) text->len, error))
    out = g_canonicalize_filename (written, NULL);
  g_string_free (text, TRUE);

done:
  if (listed)
    g_ptr_array_unref (listed);
  return out;
}

/* "a=1,b=2" from a vector; empty for none.  A value holding a comma
 * cannot be passed on. */
static char *
join_assignments (char **v, const char *option, GError **error)
{
  for (char **a = v; a && *a; a++)
    if (strchr (*a, ',') != NULL || strchr (*a, '=') == NULL)
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "%s %s: give NAME=VALUE, without a comma", option, *a);
        return NULL;
      }
  return v ? g_strjoinv (",", v) : g_strdup ("");
}

/* The best task as a recipe file, with a header saying how it was found. */
static gboolean
write_recipe (const TaskOptions *o, GnSpace *tasks, const char *space_path,
              const char *labeled, const GnCliSearchResult *r,
              const char *command, GError **error)
{
  char *recipe = gn_space_genotype (tasks, r->best, error);
  if (recipe == NULL)
    return FALSE;
  GDateTime *now = g_date_time_new_now_utc ();
  char *when = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
  GString *s = g_string_new (NULL);
  g_string_append_printf (s,
    "-- %s - a proxy task for the %s proxy, found by gennas task-search\n"
    "-- (gennas %s, %s).\n"
    "--\n"
    "-- Fitness: Spearman %.4f (Kendall %.4f) between the %s proxy's\n"
    "-- scores of the labelled architectures of %s,\n"
    "-- trained on this task, and their accuracies (%s).\n"
    "-- Regularized evolution over %s: population %d, tournament %d,\n"
    "-- %d evaluations; store %s, run %" G_GINT64_FORMAT ".\n"
    "-- Command: gennas task-search %s\n"
    "--\n", o->out, o->inner, PACKAGE_VERSION, when, r->score, r->loss,
    o->inner, space_path, labeled, gn_space_name (tasks), o->population,
    o->tournament, r->evaluations, r->db, r->run, command);
  g_string_append (s, recipe);
  gboolean ok = g_file_set_contents (o->out, s->str, (gssize) s->len, error);
  g_string_free (s, TRUE);
  g_free (when);
  g_date_time_unref (now);
  g_free (recipe);
  return ok;
}

int
gn_cmd_task_search (int argc, char **argv)
{
  TaskOptions o = { .budget = 450, .population = 50, .tournament = 10 };
  GOptionEntry entries[] = {
    { "labeled", 'l', 0, G_OPTION_ARG_FILENAME, &o.labeled,
      "the labelled architectures (required; see below)", "FILE" },
    { "metric", 'm', 0, G_OPTION_ARG_STRING, &o.metric,
      "the CSV column of their accuracies (default: the benchmark's first "
      "metric)", "COLUMN" },
    { "tasks", 0, 0, G_OPTION_ARG_FILENAME, &o.tasks,
      "the space of tasks (default: task-cv.lua beside SPACE.lua)", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out,
      "write the best task as a recipe here (default task-search.lua)",
      "FILE" },
    { "inner-proxy", 0, 0, G_OPTION_ARG_STRING, &o.inner,
      "the proxy trained on each task (default regression)", "NAME" },
    { "inner-param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.inner_params,
      "a parameter of that proxy (repeatable), e.g. steps=100", "NAME=VALUE" },
    { "inner-space-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.inner_options,
      "a build option of the labelled architectures' networks (repeatable), "
      "e.g. N=1", "KEY=VALUE" },
    { "budget", 'b', 0, G_OPTION_ARG_INT, &o.budget,
      "tasks evaluated (default 450, GenNAS's)", "N" },
    { "population", 'P', 0, G_OPTION_ARG_INT, &o.population,
      "evolution's population (default 50)", "P" },
    { "tournament", 'S', 0, G_OPTION_ARG_INT, &o.tournament,
      "evolution's tournament sample (default 10)", "S" },
    { NULL }
  };
  /* for the recipe's header: the command as given */
  char *command = g_strjoinv (" ", argv + 1);
  GOptionContext *ctx = g_option_context_new ("SPACE.lua [SEARCH OPTION...]");
  g_option_context_set_ignore_unknown_options (ctx, TRUE);
  g_option_context_set_summary (ctx,
    "GenNAS's proxy-task search: regularized evolution over signal recipes\n"
    "(the tasks of --tasks, GenNAS's genes: noise, channels per stage, and\n"
    "per stage and signal type whether it is on, its level, frequencies or\n"
    "dot share, local or global), each task scored by Spearman's rho\n"
    "between the scores the --inner-proxy trained on it gives the labelled\n"
    "architectures of SPACE.lua and their accuracies (Kendall's tau is\n"
    "recorded as the evaluation's loss). The rho is signed: a task whose\n"
    "loss ranks the architectures backwards is of no use to a proxy that\n"
    "scores minus the loss. The best task is written to --out as a recipe\n"
    "file, with a header saying how it was found; use it with\n"
    "  gennas rank SPACE.lua --param recipe=FILE\n"
    "\n"
    "--labeled FILE: a CSV file whose header names the architecture\n"
    "columns of SPACE.lua's benchmark and --metric (shipped:\n"
    "data/nb101-search20.csv, GenNAS's 20 NB101 cells), or lines\n"
    "'ACCURACY ARCH'. A CSV file is rewritten as such lines to\n"
    "OUT.labeled, which the task proxy reads.\n"
    "\n"
    "It is a `gennas search` of the task space with the task proxy: every\n"
    "other option of `gennas search` applies (--seed, --db, --workers,\n"
    "--mpi, --timeout, --resume, --max-seconds; see gennas search --help),\n"
    "with GenNAS's defaults above. A killed task search continues with\n"
    "--resume and the same options. One task costs one evaluation of each\n"
    "labelled architecture (GenNAS's 20 NB101 cells: about a minute on one\n"
    "core).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean parsed = gn_cli_parse (ctx, "task-search", &argc, &argv);
  g_option_context_free (ctx);

  int status = 2;
  GError *error = NULL;
  GnSpace *space = NULL, *tasks = NULL;
  GnCliSearchResult result = { 0 };
  char *labeled = NULL, *written = NULL, *inner_params = NULL;
  char *inner_options = NULL, *space_abs = NULL;
  GPtrArray *args = NULL;
  char **search_argv = NULL;

  if (!parsed)
    goto out;
  if (argc >= 2 && argv[1][0] == '-')
    {
      /* its own options are parsed: this is not one of them */
      gn_cli_error ("task-search", "%s: an unknown option, or an option of "
                    "gennas search before SPACE.lua (give SPACE.lua first; "
                    "try --help)", argv[1]);
      goto out;
    }
  if (argc < 2)
    {
      gn_cli_error ("task-search", "give the space of the labelled "
                    "architectures (try --help)");
      goto out;
    }
  if (o.labeled == NULL)
    {
      gn_cli_error ("task-search", "--labeled FILE is required: the "
                    "architectures with their accuracies (try --help)");
      goto out;
    }
  if (o.budget < 1 || o.population < 1 || o.tournament < 1)
    {
      gn_cli_error ("task-search", "--budget, --population and --tournament "
                    "must be >= 1");
      goto out;
    }
  if (!sets_its_own (argv + 1, argc - 1, &error)
      || (inner_params = join_assignments (o.inner_params, "--inner-param",
                                           &error)) == NULL
      || (inner_options = join_assignments (o.inner_options,
                                            "--inner-space-option",
                                            &error)) == NULL)
    {
      gn_cli_error ("task-search", "%s", error->message);
      goto out;
    }
  if (o.out == NULL)
    o.out = g_strdup ("task-search.lua");
  if (o.inner == NULL)
    o.inner = g_strdup ("regression");
  if (o.tasks == NULL)
    {
      char *dir = g_path_get_dirname (argv[1]);
      o.tasks = g_build_filename (dir, "task-cv.lua", NULL);
      g_free (dir);
    }

  status = 1;
  if ((space = gn_space_load (argv[1], &error)) == NULL
      || (tasks = gn_space_load (o.tasks, &error)) == NULL)
    goto fail;
  if (gn_space_has_build (tasks))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--tasks %s is a space of networks, not of tasks (it has "
                   "a build function)", o.tasks);
      goto fail;
    }
  written = g_strconcat (o.out, ".labeled", NULL);
  if ((labeled = labeled_file (space, o.labeled, o.metric, written, &error))
      == NULL)
    goto fail;
  space_abs = g_canonicalize_filename (argv[1], NULL);

  /* gennas search TASKS --proxy task --param ... [the user's options] */
  args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup ("gennas task-search"));
  g_ptr_array_add (args, g_strdup (o.tasks));
  g_ptr_array_add (args, g_strdup ("--proxy=task"));
  g_ptr_array_add (args, g_strdup_printf ("--param=space=%s", space_abs));
  g_ptr_array_add (args, g_strdup_printf ("--param=labeled=%s", labeled));
  g_ptr_array_add (args, g_strdup_printf ("--param=proxy=%s", o.inner));
  g_ptr_array_add (args, g_strdup_printf ("--param=proxy_params=%s",
                                          inner_params));
  g_ptr_array_add (args, g_strdup_printf ("--param=arch_options=%s",
                                          inner_options));
  g_ptr_array_add (args, g_strdup_printf ("--budget=%d", o.budget));
  g_ptr_array_add (args, g_strdup_printf ("--population=%d", o.population));
  g_ptr_array_add (args, g_strdup_printf ("--tournament=%d", o.tournament));
  for (int i = 2; i < argc; i++)
    g_ptr_array_add (args, g_strdup (argv[i]));
  g_ptr_array_add (args, NULL);

  /* option parsing rearranges the vector it is given: hand it a copy of
   * the pointers, so that @args still frees every string */
  search_argv = g_memdup2 (args->pdata, args->len * sizeof (char *));
  status = gn_cli_search ((int) args->len - 1, search_argv, &result);
  if (result.best == NULL)
    goto out;
  if (!write_recipe (&o, tasks, argv[1], o.labeled, &result, command,
                     &error))
    goto fail;
  printf ("task: %s\nrecipe: %s\n", result.best, o.out);
  goto out;

fail:
  gn_cli_error ("task-search", "%s", error->message);
  status = 1;
out:
  g_clear_error (&error);
  gn_cli_search_result_clear (&result);
  g_free (search_argv);
  if (args)
    g_ptr_array_unref (args);
  gn_space_free (space);
  gn_space_free (tasks);
  g_free (labeled);
  g_free (written);
  g_free (inner_params);
  g_free (inner_options);
  g_free (space_abs);
  g_free (command);
  g_free (o.labeled);
  g_free (o.metric);
  g_free (o.tasks);
  g_free (o.out);
  g_free (o.inner);
  g_strfreev (o.inner_params);
  g_strfreev (o.inner_options);
  return status;
}
