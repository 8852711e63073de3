/* fuzz-util.c - what the fuzz harnesses share, see fuzz.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

char *
fuzz_source_file (const char *first, ...)
{
  const char *tests = g_getenv ("G_TEST_SRCDIR");
  if (tests == NULL || *tests == '\0')
    {
      fprintf (stderr, "fuzz: set G_TEST_SRCDIR to the source tree's "
               "tests/ folder (make check and make fuzz do)\n");
      exit (2);
    }
  GPtrArray *parts = g_ptr_array_new ();
  g_ptr_array_add (parts, (gpointer) tests);
  g_ptr_array_add (parts, (gpointer) "..");
  va_list ap;
  va_start (ap, first);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  char *path = g_build_filenamev ((char **) parts->pdata);
  g_ptr_array_free (parts, TRUE);
  return path;
}

static void
log_handler (const char *domain, GLogLevelFlags level, const char *message,
             gpointer user)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    g_log_default_handler (domain, level, message, user);
}

void
fuzz_quiet (void)
{
  /* a critical is a g_return_if_fail() an input reached: a bug */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_log_set_default_handler (log_handler, NULL);
}
