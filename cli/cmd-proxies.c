/* cmd-proxies.c - `gennas proxies`: the proxy plugins found, with their
 * parameters
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"

#include <stdio.h>
#include <string.h>

static const char *
type_name (GnProxyParamType t)
{
  switch (t)
    {
    case GN_PROXY_PARAM_INT: return "int";
    case GN_PROXY_PARAM_DOUBLE: return "float";
    case GN_PROXY_PARAM_BOOL: return "bool";
    case GN_PROXY_PARAM_STRING: return "string";
    }
  return "?";
}

/* What every proxy gets from the host rather than from a parameter. */
#define HOST_OWNED                                                         \
  "Every proxy also gets, from the command rather than a parameter, the\n" \
  "task seed (--seed; --task-seed on `rank` and `search`) and the\n"       \
  "network's build options (--space-option KEY=VALUE, as the space\n"      \
  "defines them, e.g. N=3 on NAS-Bench-201)."

/* The value @given ("name=value" strings, NULL-terminated, or NULL) sets
 * for @name, or NULL. */
static const char *
space_default (const char *const *given, const char *name)
{
  gsize n = strlen (name);
  for (const char *const *g = given; g && *g; g++)
    if (strncmp (*g, name, n) == 0 && (*g)[n] == '=')
      return *g + n + 1;
  return NULL;
}

int
gn_cmd_proxies (int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new ("[SPACE.lua]");
  g_option_context_set_summary (ctx,
    "Lists every proxy plugin on the search path ($GENNAS_PROXY_PATH, then\n"
    "the installed folder, or $GENNAS_PROXY_SYSTEM_PATH in its place)\n"
    "with its parameters: type, default, range and meaning. Set them with\n"
    "--param NAME=VALUE on `gennas score`, `rank` and `search`.\n"
    "\n"
    "With a space file, the defaults are those the proxies run with on that\n"
    "space: a space may name its own (its proxy_defaults, e.g. NB201's\n"
    "recipe=nb201-task and batch=8), shown with \"(space)\" after them.\n"
    "\n"
    "A plugin is native code that runs as you: the folders of the search\n"
    "path (absolute paths; a relative one is ignored) are trusted code.\n"
    "Only regular files gennas-proxy-NAME.so owned by you or root and not\n"
    "writable by others are loaded; the others are listed as skipped.\n"
    "\n"
    HOST_OWNED);
  gboolean ok = gn_cli_parse (ctx, "proxies", &argc, &argv);
  g_option_context_free (ctx);
  if (!ok)
    return 2;
  if (argc > 2)
    {
      gn_cli_error ("proxies", "at most one argument, a space file (try "
                    "--help)");
      return 2;
    }
  GnSpace *space = NULL;
  if (argc == 2)
    {
      GError *error = NULL;
      if ((space = gn_space_load (argv[1], &error)) == NULL)
        {
          gn_cli_error ("proxies", "%s", error->message);
          g_error_free (error);
          return 1;
        }
    }

  GnProxyRegistry *reg = gn_proxy_registry_new ();
  GPtrArray *broken = NULL;
  GPtrArray *list = gn_proxy_registry_list (reg, &broken);
  for (guint i = 0; i < list->len; i++)
    {
      const GnProxyDesc *d = g_ptr_array_index (list, i);
      printf ("%s%s\n  %s\n", i ? "\n" : "", d->name, d->description);
      /* one column for the names of this proxy's parameters */
      int width = 14;
      for (const GnProxyParamSpec *s = d->params; s && s->name; s++)
        width = MAX (width, (int) strlen (s->name));
      const char *const *given = space ? gn_space_proxy_defaults (space,
                                                                  d->name)
                                       : NULL;
      for (const GnProxyParamSpec *s = d->params; s && s->name; s++)
        {
          const char *value = space_default (given, s->name);
          char *range = (s->type == GN_PROXY_PARAM_INT
                         || s->type == GN_PROXY_PARAM_DOUBLE)
                        ? g_strdup_printf (" [%g, %g]", s->min, s->max)
                        : g_strdup ("");
          char *line = g_strdup_printf ("    %-*s %-6s = %-10s%s%s", width,
                                        s->name, type_name (s->type),
                                        value ? value : s->default_value,
                                        value ? " (space)" : "", range);
          printf ("%s\n      %s\n", g_strchomp (line), s->blurb);
          g_free (line);
          g_free (range);
        }
    }
  if (list->len > 0)
    printf ("\n%s\n", HOST_OWNED);
  for (guint i = 0; i < broken->len; i++)
    fprintf (stderr, "gennas proxies: skipped %s\n",
             (char *) g_ptr_array_index (broken, i));
  int status = list->len > 0 ? 0 : 1;
  if (list->len == 0)
    fprintf (stderr, "gennas proxies: no proxy plugins found (set "
             "GENNAS_PROXY_PATH to add folders)\n");
  g_ptr_array_free (list, TRUE);
  g_ptr_array_free (broken, TRUE);
  gn_proxy_registry_free (reg);
  if (space)
    gn_space_free (space);
  return status;
}
