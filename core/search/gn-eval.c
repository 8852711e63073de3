/* gn-eval.c - how one evaluation ended: names of GnEvalStatus
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gn-eval.h"

#include <string.h>

/* indexed by GnEvalStatus; the store's text, never to change */
static const char *const names[] = {
  [GN_EVAL_OK] = "ok",
  [GN_EVAL_NONFINITE] = "nonfinite",
  [GN_EVAL_ERROR] = "error",
  [GN_EVAL_CRASHED] = "crashed",
  [GN_EVAL_TIMEOUT] = "timeout",
};

const char *
gn_eval_status_name (GnEvalStatus status)
{
  return (guint) status < G_N_ELEMENTS (names) ? names[status] : "?";
}

gboolean
gn_eval_status_parse (const char *name, GnEvalStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);
  for (guint i = 0; name && i < G_N_ELEMENTS (names); i++)
    if (strcmp (name, names[i]) == 0)
      {
        *status = (GnEvalStatus) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
gn_eval_status_scored (GnEvalStatus status)
{
  return status == GN_EVAL_OK || status == GN_EVAL_NONFINITE;
}
