/* gn-error.h - the error domain of libgennas
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Every fallible libgennas call reports through a GError in GN_ERROR
 * (GLib's rules: the GError** comes last, may be NULL, and a FALSE / NULL /
 * negative return always sets it).  Programmer errors (NULL where a value
 * is required, a node id from another network) are g_return_if_fail()
 * checks, not GErrors.  User input quoted in a message goes through
 * gn_error_quote(), so that a message stays one short, printable line.
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

/** How many characters of user input gn_error_quote() keeps by default. */
#define GN_ERROR_QUOTE_MAX 200

/**
 * gn_error_quote:
 * @text: user input to quote in a message (any bytes)
 * @len: its length, or -1 if NUL-terminated
 * @max_chars: how many characters to keep, 0 for GN_ERROR_QUOTE_MAX
 *
 * Makes user input (an architecture string, a name, an option) safe to
 * echo in a one-line error message: newlines, tabs and other control
 * characters become \n, \t, \xNN (\uNNNN for Unicode's control and
 * format characters), bytes that are not UTF-8 become \xNN, and past
 * @max_chars characters "..." replaces the rest.
 *
 * Returns: (transfer full): the quoted text, without quotation marks
 */
char *gn_error_quote (const char *text, gssize len, gsize max_chars);

G_END_DECLS

#endif /* GN_ERROR_H */
