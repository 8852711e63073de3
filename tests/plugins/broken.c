/* broken.c - deliberately faulty proxy plugins for the loader's tests
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Built several times with one BROKEN_* macro each (tests/Makefile.am):
 *   (none)              a valid proxy "good" that scores strlen(arch)
 *                       (times scale, negated with flag=true)
 *   BROKEN_MAJOR        claims ABI major + 1
 *   BROKEN_MINOR        claims a minor newer than the host's
 *   BROKEN_NO_SYMBOL    exports no entry point
 *   BROKEN_NO_SCORE     has no score function
 *   BROKEN_SIZE         a struct_size that cuts off destroy
 *   BROKEN_PARAM        a default outside its own range
 *   BROKEN_NAME         calls itself something other than its file
 *   BROKEN_RESERVED     declares the host's parameter "space_options"
 *   CRASHY              segfaults on architectures containing "crash" (or
 *                       the crash_on parameter, if set), aborts on
 *                       "abort", loops on "hang", fails with a GError on
 *                       "error", claims the status "crashed" on "liar"
 *
 * Every variant scores NaN (status nonfinite, as a diverged loss) on
 * architectures containing the nan_on parameter, if set, and sleeps
 * `delay` seconds per evaluation, so tests can kill a search in the
 * middle.
 */
#include "config.h"
#include "gennas.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#ifndef PROXY_NAME
#define PROXY_NAME "good"
#endif

static const GnProxyParamSpec params[] = {
  { "scale", GN_PROXY_PARAM_DOUBLE,
#ifdef BROKEN_PARAM
    "5",
#else
    "1",
#endif
    0, 2, "multiplies the score" },
  { "label", GN_PROXY_PARAM_STRING, "x", 0, 0, "a string" },
  { "count", GN_PROXY_PARAM_INT, "3", 1, 10, "an integer" },
  { "flag", GN_PROXY_PARAM_BOOL, "false", 0, 0, "negates the score" },
  { "delay", GN_PROXY_PARAM_DOUBLE, "0", 0, 60, "seconds per evaluation" },
  { "crash_on", GN_PROXY_PARAM_STRING, "", 0, 0,
    "segfault on architectures containing this" },
  { "nan_on", GN_PROXY_PARAM_STRING, "", 0, 0,
    "a NaN score (a diverged loss) on architectures containing this" },
#ifdef BROKEN_RESERVED
  { "space_options", GN_PROXY_PARAM_STRING, "", 0, 0,
    "what the host owns" },
#endif
  { NULL }
};

typedef struct {
  double scale, delay;
  gboolean negate;
  char *crash_on, *nan_on;
} Good;

static gpointer
good_create (const GnProxyContext *ctx, const GnProxyParams *p,
             GError **error)
{
  Good *g = g_new0 (Good, 1);
  g->scale = gn_proxy_params_double (p, "scale");
  g->delay = gn_proxy_params_double (p, "delay");
  g->negate = gn_proxy_params_bool (p, "flag");
  g->crash_on = g_strdup (gn_proxy_params_string (p, "crash_on"));
  g->nan_on = g_strdup (gn_proxy_params_string (p, "nan_on"));
  return g;
}

/* unused where BROKEN_NO_SCORE leaves the descriptor without it */
G_GNUC_UNUSED static gboolean
good_score (gpointer self, const char *arch, GnProxyResult *result,
            GError **error)
{
  Good *g = self;
  if (g->delay > 0)
    g_usleep ((gulong) (g->delay * 1e6));
#ifdef CRASHY
  if (strstr (arch, "crash") || (*g->crash_on && strstr (arch, g->crash_on)))
    raise (SIGSEGV);
  if (strstr (arch, "abort"))
    abort ();
  if (strstr (arch, "hang"))
    for (;;)
      pause ();
  if (strstr (arch, "error"))
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE,
                   "cannot score %s", arch);
      return FALSE;
    }
  if (strstr (arch, "liar"))
    result->status = GN_EVAL_CRASHED;
#endif
  result->score = (g->negate ? -g->scale : g->scale) * (double) strlen (arch);
  result->loss = 0.0;
  if (*g->nan_on && strstr (arch, g->nan_on))
    {
      result->score = result->loss = NAN;
      result->status = GN_EVAL_NONFINITE;
    }
  return TRUE;
}

static void
good_destroy (gpointer self)
{
  Good *g = self;
  g_free (g->crash_on);
  g_free (g->nan_on);
  g_free (g);
}

/* unused in the BROKEN_NO_SYMBOL variant, which exports nothing */
G_GNUC_UNUSED static const GnProxyDesc desc = {
#ifdef BROKEN_MAJOR
  .abi_major = GN_PROXY_ABI_MAJOR + 1,
#else
  .abi_major = GN_PROXY_ABI_MAJOR,
#endif
#ifdef BROKEN_MINOR
  .abi_minor = GN_PROXY_ABI_MINOR + 1,
#else
  .abi_minor = GN_PROXY_ABI_MINOR,
#endif
#ifdef BROKEN_SIZE
  .struct_size = offsetof (GnProxyDesc, destroy),
#else
  .struct_size = sizeof (GnProxyDesc),
#endif
#ifdef BROKEN_NAME
  .name = "someone-else",
#else
  .name = PROXY_NAME,
#endif
  .description = "a proxy for the loader's tests",
  .version = "0",
  .params = params,
  .create = good_create,
#ifndef BROKEN_NO_SCORE
  .score = good_score,
#endif
  .destroy = good_destroy,
};

#ifndef BROKEN_NO_SYMBOL
G_MODULE_EXPORT const GnProxyDesc *PROXY_SYMBOL (void);
const GnProxyDesc *
PROXY_SYMBOL (void)
{
  return &desc;
}
#endif
