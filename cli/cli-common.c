/* cli-common.c - what every gennas command shares: errors and parsing
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-common.h"

#include <string.h>

#include <cblas.h>
#include <stdarg.h>

void
gn_cli_error (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fprintf (stderr, "gennas %s: %s\n", cmd, msg);
  g_free (msg);
}

gboolean
gn_cli_parse (GOptionContext *ctx, const char *cmd, int *argc, char ***argv)
{
  GError *error = NULL;
  if (g_option_context_parse (ctx, argc, argv, &error))
    return TRUE;
  gn_cli_error (cmd, "%s (try --help)", error->message);
  g_error_free (error);
  return FALSE;
}

void
gn_cli_single_thread (void)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads (1);
#endif
}

void
gn_cli_print_csv_field (const char *s, FILE *out)
{
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      fputs (s, out);
      return;
    }
  fputc ('"', out);
  for (; *s; s++)
    {
      if (*s == '"')
        fputc ('"', out);
      fputc (*s, out);
    }
  fputc ('"', out);
}
