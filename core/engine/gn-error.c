/* gn-error.c - the GN_ERROR domain, and quoting user input in messages
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gn-error.h"

#include <string.h>

G_DEFINE_QUARK (gn-error-quark, gn_error)

char *
gn_error_quote (const char *text, gssize len, gsize max_chars)
{
  g_return_val_if_fail (text != NULL, NULL);
  const char *p = text;
  const char *end = text + (len < 0 ? strlen (text) : (gsize) len);
  GString *out = g_string_sized_new (MIN ((gsize) (end - p), 64) + 1);
  if (max_chars == 0)
    max_chars = GN_ERROR_QUOTE_MAX;

  for (gsize chars = 0; p < end; chars++)
    {
      if (chars == max_chars)
        {
          g_string_append (out, "...");
          break;
        }
      gunichar c = g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p++);
          continue;
        }
      const char *next = c == 0 ? p + 1 : g_utf8_next_char (p);
      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else if ((g_unichar_iscntrl (c)
                || g_unichar_type (c) == G_UNICODE_FORMAT) && c > 0xffff)
        g_string_append_printf (out, "\\U%08x", c);
      else if (g_unichar_iscntrl (c)
               || g_unichar_type (c) == G_UNICODE_FORMAT)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}
