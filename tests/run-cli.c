/* run-cli.c - running a command for the tests, see run-cli.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "run-cli.h"

#include <stdarg.h>

#include <gio/gio.h>

CliRun
cli_run (const char *const *argv, const char *input)
{
  GError *error = NULL;
  GSubprocess *p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
                                            | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                            | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                      &error);
  g_assert_no_error (error);
  CliRun r = { 0 };
  g_assert_true (g_subprocess_communicate_utf8 (p, input, NULL, &r.out,
                                                &r.err, &error));
  g_assert_no_error (error);
  r.status = g_subprocess_get_if_signaled (p)
             ? -g_subprocess_get_term_sig (p)
             : g_subprocess_get_exit_status (p);
  g_object_unref (p);
  g_test_message ("%s: status %d\nstdout:\n%s\nstderr:\n%s", argv[0],
                  r.status, r.out, r.err);
  return r;
}

void
cli_run_clear (CliRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

CliRun
cli_run_gennas (const char *input, ...)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_BUILT, "..", "cli",
                                                "gennas", NULL));
  va_list ap;
  va_start (ap, input);
  for (const char *a = va_arg (ap, const char *); a;
       a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  CliRun r = cli_run ((const char *const *) argv->pdata, input);
  g_ptr_array_unref (argv);
  return r;
}
