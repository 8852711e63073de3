/* gn-eval.h - how one evaluation of an architecture ended
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * One status for every evaluation, whoever decides it: a proxy plugin
 * (GnProxyResult: ok or nonfinite), the worker pool (error, crashed,
 * timeout), the store (its "status" column keeps the names below as
 * text, so stores written before this enum read the same).
 */
#ifndef GN_EVAL_H
#define GN_EVAL_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * GnEvalStatus:
 * @GN_EVAL_OK: the proxy scored the architecture
 * @GN_EVAL_NONFINITE: the proxy ran to the end but its figure is not
 *   finite (a diverging loss, an undefined measure): the score is
 *   -G_MAXDOUBLE
 * @GN_EVAL_ERROR: the proxy failed with a GError
 * @GN_EVAL_CRASHED: the worker process died (a signal, an exit)
 * @GN_EVAL_TIMEOUT: the worker ran past the timeout and was killed
 *
 * The first two are results of the proxy, which the store caches; the
 * others are failures, which it records and never reuses.  The values are
 * part of the plugin ABI (GnProxyResult).
 */
typedef enum {
  GN_EVAL_OK,
  GN_EVAL_NONFINITE,
  GN_EVAL_ERROR,
  GN_EVAL_CRASHED,
  GN_EVAL_TIMEOUT
} GnEvalStatus;

/**
 * gn_eval_status_name:
 *
 * Returns: (transfer none): "ok", "nonfinite", "error", "crashed" or
 * "timeout", as the store keeps it; "?" for a value outside the enum.
 */
const char *gn_eval_status_name (GnEvalStatus status);

/**
 * gn_eval_status_parse:
 * @name: (nullable): a name as gn_eval_status_name() gives it
 * @status: (out): the status
 *
 * Returns: FALSE, leaving @status alone, if @name is not one of them.
 */
gboolean gn_eval_status_parse (const char *name, GnEvalStatus *status);

/**
 * gn_eval_status_scored:
 *
 * Returns: TRUE for GN_EVAL_OK and GN_EVAL_NONFINITE: the proxy gave a
 * result (the cacheable ones), as opposed to a failed evaluation.
 */
gboolean gn_eval_status_scored (GnEvalStatus status);

G_END_DECLS

#endif /* GN_EVAL_H */
