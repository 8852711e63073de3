/* cmd-score.c - `gennas score`: score architectures with a proxy
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"
#include "cli-proxy.h"

#include <math.h>

int
gn_cmd_score (int argc, char **argv)
{
  GnCliProxyOptions o;
  GOptionContext *ctx = g_option_context_new ("SPACE.lua ARCH...");
  g_option_context_set_summary (ctx,
    "Scores each architecture (canonical strings of the space) and prints\n"
    "CSV: arch,score,seconds. Higher scores predict better networks. An\n"
    "architecture that cannot be parsed or scored is reported on standard\n"
    "error, the others are still printed, and the exit status is 1.");
  gn_cli_proxy_options_add (ctx, &o);
  gboolean ok = gn_cli_parse (ctx, "score", &argc, &argv);
  g_option_context_free (ctx);
  int status = 2;
  GnCliProxy p = { 0 };
  GError *error = NULL;
  if (!ok)
    goto out;
  if (argc < 3)
    {
      gn_cli_error ("score", "give a space file and at least one "
                    "architecture (try --help)");
      goto out;
    }
  if (!gn_cli_check_params (o.params, "--param", "--space-option", &error))
    {
      gn_cli_error ("score", "%s", error->message);
      goto out;
    }
  gn_cli_single_thread ();
  if (!gn_cli_proxy_open (&p, argv[1], &o, NULL, NULL, &error))
    {
      gn_cli_error ("score", "%s", error->message);
      status = 1;
      goto out;
    }

  status = 0;
  printf ("arch,score,seconds\n");
  for (int i = 2; i < argc; i++)
    {
      char *arch = gn_space_canonicalize (p.space, argv[i], &error);
      GnProxyResult r;
      gint64 t0 = g_get_monotonic_time ();
      if (arch == NULL || !gn_proxy_score (p.proxy, arch, &r, &error))
        {
          gn_cli_error ("score", "%s: %s", argv[i], error->message);
          g_clear_error (&error);
          g_free (arch);
          status = 1;
          continue;
        }
      if (r.status != GN_EVAL_OK)
        gn_cli_error ("score", "%s: the loss diverged; worst score", arch);
      printf ("%s,%.9g,%.3f\n", arch, r.score,
              (g_get_monotonic_time () - t0) / 1e6);
      fflush (stdout);
      g_free (arch);
    }

out:
  g_clear_error (&error);
  gn_cli_proxy_close (&p);
  gn_cli_proxy_options_clear (&o);
  return status;
}
