/* test-cli.c - the gennas command as a user meets it: the dispatcher of
 * commands and sub-commands, and the options score, rank and search
 * share
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "run-cli.h"

#include <string.h>

static char *gennas, *space_path;

/* Runs gennas with the arguments of the NULL-terminated @args. */
static CliRun
run_argv (const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, gennas);
  for (; *args; args++)
    g_ptr_array_add (argv, (gpointer) *args);
  g_ptr_array_add (argv, NULL);
  CliRun r = cli_run ((const char *const *) argv->pdata, NULL);
  g_ptr_array_free (argv, TRUE);
  return r;
}

/* Runs gennas with its arguments, up to a NULL. */
static CliRun
run (const char *first, ...)
{
  GPtrArray *args = g_ptr_array_new ();
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  CliRun r = run_argv ((const char *const *) args->pdata);
  g_ptr_array_free (args, TRUE);
  return r;
}

static int
count_lines (const char *s)
{
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* -- the dispatcher ---------------------------------------------------- */

/* The command names a group's usage lists under "Commands:". */
static GPtrArray *
listed_commands (const char *usage)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *list = strstr (usage, "\nCommands:\n");
  g_assert_nonnull (list);
  char **lines = g_strsplit (list + strlen ("\nCommands:\n"), "\n", -1);
  for (char **l = lines; *l && g_str_has_prefix (*l, "  "); l++)
    {
      char **words = g_strsplit_set (g_strstrip (*l), " ", 2);
      g_ptr_array_add (names, g_strdup (words[0]));
      g_strfreev (words);
    }
  g_strfreev (lines);
  return names;
}

/* `PATH... --help` exits 0 with its usage on standard output; a group's
 * commands each do too, and reject an unknown sub-command and an unknown
 * option.  Returns how many commands (not groups) were visited. */
static int
check_help (GPtrArray *path)
{
  GPtrArray *args = g_ptr_array_new ();
  for (guint i = 0; i < path->len; i++)
    g_ptr_array_add (args, path->pdata[i]);
  g_ptr_array_add (args, "--help");
  g_ptr_array_add (args, NULL);
  CliRun r = run_argv ((const char *const *) args->pdata);
  g_ptr_array_free (args, TRUE);

  GString *name = g_string_new ("gennas");
  for (guint i = 0; i < path->len; i++)
    g_string_append_printf (name, " %s", (char *) path->pdata[i]);
  g_test_message ("%s --help", name->str);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_true (g_str_has_prefix (r.out, "Usage:"));
  char *usage_name = g_strdup_printf (" %s ", name->str);
  g_assert_nonnull (strstr (r.out, usage_name));   /* its full name */
  g_free (usage_name);

  int leaves = 0;
  if (strstr (r.out, "\nCommands:\n"))
    {
      GPtrArray *names = listed_commands (r.out);
      g_assert_cmpuint (names->len, >=, 2);
      for (guint i = 0; i < names->len; i++)
        {
          g_ptr_array_add (path, names->pdata[i]);
          leaves += check_help (path);
          g_ptr_array_remove_index (path, path->len - 1);
        }
      g_ptr_array_free (names, TRUE);
    }
  else
    {
      /* an unknown option: a one-line error naming the command, status 2 */
      GPtrArray *bad = g_ptr_array_new ();
      for (guint i = 0; i < path->len; i++)
        g_ptr_array_add (bad, path->pdata[i]);
      g_ptr_array_add (bad, "--no-such-option");
      g_ptr_array_add (bad, NULL);
      CliRun b = run_argv ((const char *const *) bad->pdata);
      g_ptr_array_free (bad, TRUE);
      g_assert_cmpint (b.status, ==, 2);
      g_assert_cmpstr (b.out, ==, "");
      g_assert_cmpint (count_lines (b.err), ==, 1);
      char *prefix = g_strdup_printf ("%s: ", name->str);
      g_assert_true (g_str_has_prefix (b.err, prefix));
      g_assert_nonnull (strstr (b.err, "--no-such-option"));
      g_free (prefix);
      cli_run_clear (&b);
      leaves = 1;
    }
  g_string_free (name, TRUE);
  cli_run_clear (&r);
  return leaves;
}

/* --help on gennas, on every command and on every sub-command */
static void
test_help_everywhere (void)
{
  GPtrArray *path = g_ptr_array_new ();
  int leaves = check_help (path);
  g_ptr_array_free (path, TRUE);
  /* proxies score rank search export plot, space check sample info hash */
  g_assert_cmpint (leaves, >=, 10);

  CliRun r = run ("--help", NULL);
  GPtrArray *names = listed_commands (r.out);
  const char *expected[] = { "proxies", "score", "rank", "search", "export",
                             "plot", "space" };
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_ptr_array_find_with_equal_func (names, expected[i],
                                                     g_str_equal, NULL));
  g_ptr_array_free (names, TRUE);
  cli_run_clear (&r);
}

/* No command: the usage on standard error, status 2; help and --version
 * on standard output, status 0 */
static void
test_usage (void)
{
  CliRun r = run (NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_true (g_str_has_prefix (r.err, "Usage: gennas COMMAND"));
  cli_run_clear (&r);

  r = run ("help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "Usage: gennas COMMAND"));
  cli_run_clear (&r);

  r = run ("space", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_true (g_str_has_prefix (r.err, "Usage: gennas space COMMAND"));
  cli_run_clear (&r);

  r = run ("--version", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "gennas "));
  cli_run_clear (&r);
}

/* An unknown command or sub-command: one line that says so, then the
 * group's usage, on standard error; status 2 */
static void
test_unknown (void)
{
  const char *cases[][3] = {
    { "frobnicate", NULL, "gennas: unknown command 'frobnicate'\n" },
    { "--frobnicate", NULL, "gennas: unknown command '--frobnicate'\n" },
    { "space", "frobnicate",
      "gennas space: unknown command 'frobnicate'\n" },
    /* the demo command is gone: examples/train-net.c */
    { "demo", NULL, "gennas: unknown command 'demo'\n" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CliRun r = run (cases[i][0], cases[i][1], NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_cmpstr (r.out, ==, "");
      g_assert_true (g_str_has_prefix (r.err, cases[i][2]));
      const char *usage = r.err + strlen (cases[i][2]);
      g_assert_true (g_str_has_prefix (usage, "\nUsage: gennas "));
      g_assert_nonnull (strstr (usage, "\nCommands:\n"));
      cli_run_clear (&r);
    }
}

/* -- the shared options ------------------------------------------------ */

/* The line of @help that documents @option, its spaces collapsed. */
static char *
option_line (const char *help, const char *option)
{
  char **lines = g_strsplit (help, "\n", -1);
  char *found = NULL;
  char *want = g_strdup_printf ("%s=", option);
  char *flag = g_strdup_printf ("%s  ", option);
  for (char **l = lines; *l && !found; l++)
    {
      const char *s = g_strstrip (*l);
      /* "--name=ARG  text", "--flag  text", or "-x, " before either */
      const char *at = s[0] == '-' && s[1] != '-' ? s + 4 : s;
      if (g_str_has_prefix (at, want) || g_str_has_prefix (at, flag))
        {
          /* the columns' width depends on the longest option */
          char **words = g_strsplit_set (s, " ", -1);
          GString *one = g_string_new (NULL);
          for (char **w = words; *w; w++)
            if (**w)
              g_string_append_printf (one, "%s%s", one->len ? " " : "", *w);
          found = g_string_free (one, FALSE);
          g_strfreev (words);
        }
    }
  g_free (want);
  g_free (flag);
  g_strfreev (lines);
  return found;
}

/* score, rank and search document the proxy options with the same words
 * (one declaration) */
static void
test_shared_options (void)
{
  const char *proxy_opts[] = { "--proxy", "--param", "--recipe", "--seed",
                               "--data" };
  CliRun score = run ("score", "--help", NULL);
  CliRun rank = run ("rank", "--help", NULL);
  CliRun search = run ("search", "--help", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (proxy_opts); i++)
    {
      char *a = option_line (score.out, proxy_opts[i]);
      char *b = option_line (rank.out, proxy_opts[i]);
      char *c = option_line (search.out, proxy_opts[i]);
      g_assert_nonnull (a);
      g_assert_cmpstr (a, ==, b);
      g_assert_cmpstr (a, ==, c);
      g_free (a);
      g_free (b);
      g_free (c);
    }
  cli_run_clear (&score);
  cli_run_clear (&rank);
  cli_run_clear (&search);

  /* --recipe NAME is --param recipe=NAME: the plugin "good" has no such
   * parameter, and says so either way */
  CliRun r1 = run ("score", space_path, "--proxy", "good", "--recipe", "x",
                   "|skip_connect~0|+|skip_connect~0|skip_connect~1|+"
                   "|skip_connect~0|skip_connect~1|skip_connect~2|", NULL);
  CliRun r2 = run ("score", space_path, "--proxy", "good", "--param",
                   "recipe=x", "|skip_connect~0|+|skip_connect~0|"
                   "skip_connect~1|+|skip_connect~0|skip_connect~1|"
                   "skip_connect~2|", NULL);
  g_assert_cmpint (r1.status, ==, 1);
  g_assert_cmpstr (r1.err, ==, r2.err);
  g_assert_nonnull (strstr (r1.err, "recipe"));
  cli_run_clear (&r1);
  cli_run_clear (&r2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* the test plugins: "good" scores strlen (arch) */
  char *plugins = g_test_build_filename (G_TEST_BUILT, ".libs", NULL);
  g_setenv ("GENNAS_PROXY_PATH", plugins, TRUE);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_free (plugins);
  gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas", NULL);
  space_path = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                      "nb201.lua", NULL);

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/unknown", test_unknown);
  g_test_add_func ("/cli/help-everywhere", test_help_everywhere);
  g_test_add_func ("/cli/shared-options", test_shared_options);
  int status = g_test_run ();

  g_free (space_path);
  g_free (gennas);
  return status;
}
