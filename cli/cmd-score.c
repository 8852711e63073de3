/* cmd-score.c - `gennas score`: score architectures with a proxy
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Each architecture is evaluated in a worker process (gn-workers.h), as
 * `rank` and `search` evaluate: a plugin that crashes or hangs fails only
 * the architecture it was scoring.  The rows come out in the order of
 * the arguments, each as soon as it and those before it are done.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"
#include "cli-eval.h"
#include "cli-proxy.h"

#include <math.h>

/* An argument and how its evaluation ended. */
typedef struct {
  const char *input;       /* as given                                  */
  char *arch;              /* canonical; NULL when it does not parse     */
  char *error;             /* why it does not parse                      */
  gboolean done;
  GnWorkerResult r;
} Item;

/* Reports @it: its row on standard output, or why it has none on
 * standard error.  Returns FALSE when it has no row. */
static gboolean
report (Item *it)
{
  if (it->error)
    {
      gn_cli_error ("score", "%s: %s", it->input, it->error);
      return FALSE;
    }
  const GnWorkerResult *r = &it->r;
  switch (r->result.status)
    {
    case GN_EVAL_OK:
      break;
    case GN_EVAL_NONFINITE:
      gn_cli_error ("score", "%s: the loss diverged; worst score", it->arch);
      break;
    case GN_EVAL_ERROR:
      gn_cli_error ("score", "%s: %s", it->input,
                    r->message ? r->message : "the proxy failed");
      return FALSE;
    default:   /* crashed, timeout */
      gn_cli_error ("score", "%s: %s: %s", it->input,
                    gn_eval_status_name (r->result.status),
                    r->message ? r->message : "");
      return FALSE;
    }
  gn_cli_print_csv_field (it->arch, stdout);
  printf (",%.9g,%.3f\n", r->result.score, r->seconds);
  fflush (stdout);   /* a row printed is a row kept, whatever comes next */
  return TRUE;
}

int
gn_cmd_score (int argc, char **argv)
{
  GnCliProxyOptions o;
  GnCliEvalOptions eval;
  gboolean print_config = FALSE;
  const GOptionEntry entries[] = {
    { "print-config", 0, 0, G_OPTION_ARG_NONE, &print_config,
      "print the proxy's configuration and task seed as a reference "
      "sample records them ('# task-seed=S CONFIG', docs/method.md 4.5) "
      "and exit, scoring nothing", NULL },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("SPACE.lua ARCH...");
  g_option_context_set_summary (ctx,
    "Scores each architecture (canonical strings of the space) and prints\n"
    "CSV: arch,score,seconds, in the order given. Higher scores predict\n"
    "better networks. Each architecture is evaluated in a worker process,\n"
    "as `rank` and `search` evaluate: one that cannot be parsed or scored,\n"
    "or whose evaluation crashes or runs past --timeout, is reported on\n"
    "standard error with how it ended, the others are still printed, and\n"
    "the exit status is 1.");
  gn_cli_proxy_options_add (ctx, &o);
  gn_cli_eval_pool_options_add (ctx, &eval);
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean ok = gn_cli_parse (ctx, "score", &argc, &argv);
  g_option_context_free (ctx);
  int status = 2, n = 0;
  GnCliProxy p = { 0 };
  GnWorkers *pool = NULL;
  Item *items = NULL;
  GError *error = NULL;
  if (!ok)
    goto out;
  if (print_config ? argc != 2 : argc < 3)
    {
      gn_cli_error ("score", print_config
                    ? "--print-config takes a space file and no "
                      "architecture (try --help)"
                    : "give a space file and at least one architecture "
                      "(try --help)");
      goto out;
    }
  if (!gn_cli_eval_options_check (&eval, &error)
      || !gn_cli_check_params (o.params, "--param", "--space-option", &error))
    {
      gn_cli_error ("score", "%s", error->message);
      goto out;
    }
  status = 1;
  gn_cli_single_thread ();
  if (!gn_cli_proxy_open (&p, argv[1], &o, NULL, NULL, &error))
    goto fail;
  if (print_config)
    {
      printf ("# task-seed=%" G_GUINT64_FORMAT " %s\n",
              gn_proxy_task_seed (p.proxy), gn_proxy_config (p.proxy));
      status = 0;
      goto out;
    }

  n = argc - 2;
  items = g_new0 (Item, n);
  int jobs = 0;
  for (int i = 0; i < n; i++)
    {
      items[i].input = argv[i + 2];
      items[i].arch = gn_space_canonicalize (p.space, argv[i + 2], &error);
      if (items[i].arch == NULL)
        {
          items[i].error = g_strdup (error->message);
          items[i].done = TRUE;
          g_clear_error (&error);
        }
      else
        jobs++;
    }
  /* no more processes than evaluations */
  if (jobs > 0
      && (pool = gn_workers_new (MIN (eval.workers, jobs), gn_cli_proxy_work,
                                 &p, eval.timeout, &error)) == NULL)
    goto fail;

  printf ("arch,score,seconds\n");
  fflush (stdout);
  gboolean all_ok = TRUE;
  int next = 0, printed = 0;
  for (;;)
    {
      for (; printed < n && items[printed].done; printed++)
        all_ok &= report (&items[printed]);
      if (printed == n)
        break;
      for (; next < n && (items[next].arch == NULL
                          || gn_workers_n_idle (pool) > 0); next++)
        if (items[next].arch
            && !gn_workers_submit (pool, next, items[next].arch, &error))
          goto fail;
      GnWorkerResult r;
      if (!gn_workers_wait (pool, -1, &r))
        {
          g_set_error (&error, GN_ERROR, GN_ERROR_FAILED,
                       "the workers lost %d evaluation(s)", n - printed);
          goto fail;
        }
      items[r.job].r = r;
      items[r.job].done = TRUE;
    }
  status = all_ok ? 0 : 1;
  goto out;

fail:
  gn_cli_error ("score", "%s", error->message);
out:
  g_clear_error (&error);
  gn_workers_free (pool);
  for (int i = 0; i < n; i++)
    {
      g_free (items[i].arch);
      g_free (items[i].error);
      gn_worker_result_clear (&items[i].r);
    }
  g_free (items);
  gn_cli_proxy_close (&p);
  gn_cli_proxy_options_clear (&o);
  gn_cli_eval_options_clear (&eval);
  return status;
}
