/* gn-error.h - the error domain of libgennas
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Every fallible libgennas call reports through a GError in GN_ERROR
 * (GLib's rules: the GError** comes last, may be NULL, and a FALSE / NULL /
 * negative return always sets it).  Programmer errors (NULL where a value
 * is required, a node id from another network) are g_return_if_fail()
 * checks, not GErrors.
 */
#ifndef GN_ERROR_H
#define GN_ERROR_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define GN_ERROR (gn_error_quark ())
GQuark gn_error_quark (void);

typedef enum {
  GN_ERROR_FAILED,            /* anything not covered below              */
  GN_ERROR_INVALID_ARGUMENT,  /* a shape, size or option that cannot be  */
  GN_ERROR_NO_MEMORY,         /* an allocation the caller sized failed   */
  GN_ERROR_STATE              /* a call out of order (e.g. build after   */
                              /* compile)                                */
} GnError;

G_END_DECLS

#endif /* GN_ERROR_H */
