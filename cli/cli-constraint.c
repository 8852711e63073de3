/* cli-constraint.c - a size limit on the architectures a search proposes
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-constraint.h"

#include <math.h>

gboolean
gn_cli_constraint_init (GnCliConstraint *c, GnSpace *space,
                        const char *config, double max_macs,
                        double max_params, GError **error)
{
  c->space = space;
  if (!(isfinite (max_macs) && max_macs >= 0 && isfinite (max_params)
        && max_params >= 0))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "--max-macs and --max-params must be numbers >= 0 (0: "
                   "no limit), e.g. 600e6");
      return FALSE;
    }
  c->max_macs = max_macs;
  c->max_params = max_params;
  if (config != NULL)
    {
      if (!gn_space_config (space, config, &c->size, &c->classes,
                            &c->options, error))
        return FALSE;
      c->config = g_strdup (config);
    }
  else
    gn_space_published_input (space, &c->size, &c->classes);
  if (config != NULL && !gn_cli_constraint_active (c))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "--constraint-config needs --max-macs or --max-params");
      return FALSE;
    }
  return TRUE;
}

void
gn_cli_constraint_clear (GnCliConstraint *c)
{
  g_clear_pointer (&c->config, g_free);
  g_clear_pointer (&c->options, g_strfreev);
}

gboolean
gn_cli_constraint_active (const GnCliConstraint *c)
{
  return c->max_macs > 0 || c->max_params > 0;
}

gboolean
gn_cli_constraint_measure (const GnCliConstraint *c, const char *arch,
                           double *params, double *macs, GError **error)
{
  GnBuildOptions opts = { .batch = 1, .in_h = c->size, .in_w = c->size,
                          .classifier = TRUE, .num_classes = c->classes,
                          .published = TRUE,
                          .options = (const char *const *) c->options };
  GnNet *net = gn_space_build (c->space, arch, &opts, error);
  if (net == NULL)
    return FALSE;
  *params = (double) gn_net_count_params (net);
  *macs = gn_net_count_macs (net);
  gn_net_free (net);
  return TRUE;
}

gboolean
gn_cli_constraint_accept (const char *arch, gpointer data, GError **error)
{
  const GnCliConstraint *c = data;
  if (!gn_cli_constraint_active (c))
    return TRUE;
  double params, macs;
  if (!gn_cli_constraint_measure (c, arch, &params, &macs, error))
    return FALSE;
  return (c->max_macs <= 0 || macs <= c->max_macs)
         && (c->max_params <= 0 || params <= c->max_params);
}

char *
gn_cli_constraint_identity (const GnCliConstraint *c)
{
  if (!gn_cli_constraint_active (c))
    return g_strdup ("");
  return g_strdup_printf (";max_macs=%.17g;max_params=%.17g;"
                          "constraint_config=%s", c->max_macs,
                          c->max_params, c->config ? c->config : "");
}

void
gn_cli_constraint_to_json (const GnCliConstraint *c, JsonObject *own)
{
  if (!gn_cli_constraint_active (c))
    return;
  JsonObject *o = json_object_new ();
  json_object_set_double_member (o, "max_macs", c->max_macs);
  json_object_set_double_member (o, "max_params", c->max_params);
  if (c->config != NULL)
    json_object_set_string_member (o, "config", c->config);
  else
    json_object_set_null_member (o, "config");
  json_object_set_int_member (o, "input", c->size);
  json_object_set_int_member (o, "classes", c->classes);
  json_object_set_object_member (own, "constraint", o);
}
