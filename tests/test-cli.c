/* test-cli.c - the gennas command as a user meets it: the dispatcher of
 * commands and sub-commands, the options score, rank and search share,
 * score in worker processes, rank evaluating through the evaluator
 * search uses, and plot trusting only the space file a run recorded
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "run-cli.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

static char *gennas, *space_path, *tmpdir;

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

/* The lines of @s that begin with @prefix: a command's own messages,
 * whatever else a crashing worker's runtime (a sanitizer's report) adds. */
static int
count_lines_from (const char *s, const char *prefix)
{
  int n = 0;
  char **lines = g_strsplit (s, "\n", -1);
  for (char **l = lines; *l; l++)
    n += g_str_has_prefix (*l, prefix);
  g_strfreev (lines);
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
  /* proxies score rank search task-search export export-arch plot, space
   * check sample info hash */
  g_assert_cmpint (leaves, >=, 12);

  CliRun r = run ("--help", NULL);
  GPtrArray *names = listed_commands (r.out);
  const char *expected[] = { "proxies", "score", "rank", "search",
                             "task-search", "export", "export-arch", "plot",
                             "space" };
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_ptr_array_find_with_equal_func (names, expected[i],
                                                     g_str_equal, NULL));
  g_ptr_array_free (names, TRUE);
  cli_run_clear (&r);
}

/* `gennas proxies SPACE`: the defaults a space gives its proxies, marked;
 * the others as the plugin has them; a missing space or a second
 * argument is an error */
static void
test_proxies_on_space (void)
{
  char *plugins = g_test_build_filename (G_TEST_BUILT, "..", "plugins",
                                         ".libs", NULL);
  char *space = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                       "nb201.lua", NULL);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", plugins, TRUE);
  CliRun r = run ("proxies", space, NULL);
  CliRun missing = run ("proxies", "no-such-space.lua", NULL);
  CliRun two = run ("proxies", space, space, NULL);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_assert_cmpint (r.status, ==, 0);
  char *block = strstr (r.out, "\nregression\n");
  g_assert_nonnull (block);
  g_assert_true (g_regex_match_simple ("\n    recipe +string = nb201-task "
                                       "\\(space\\)\n", block, 0, 0));
  g_assert_true (g_regex_match_simple ("\n    batch +int += 8 +\\(space\\) "
                                       "\\[2, 4096\\]\n", block, 0, 0));
  g_assert_true (g_regex_match_simple ("\n    steps +int += 100 +\\[", block,
                                       0, 0));
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "no-such-space.lua"));
  g_assert_cmpint (two.status, ==, 2);
  cli_run_clear (&r);
  cli_run_clear (&missing);
  cli_run_clear (&two);
  g_free (space);
  g_free (plugins);
}

/* `gennas score --print-config`: the record line of a reference sample,
 * with the space's defaults, --param, --space-option and --task-seed in
 * it; architectures with it are a usage error */
static void
test_score_print_config (void)
{
  char *plugins = g_test_build_filename (G_TEST_BUILT, "..", "plugins",
                                         ".libs", NULL);
  char *space = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                       "nb201.lua", NULL);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", plugins, TRUE);
  CliRun r = run ("score", space, "--print-config", NULL);
  CliRun set = run ("score", space, "--print-config", "--param", "steps=7",
                    "--space-option", "N=2", "--task-seed", "5", NULL);
  CliRun zc = run ("score", space, "--proxy", "synflow", "--print-config",
                   NULL);
  CliRun archs = run ("score", space, "--print-config",
                      "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|"
                      "none~2|", NULL);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "# task-seed=1 regression:steps=100;"
                                   "batch=8;"));
  g_assert_nonnull (strstr (r.out, ";recipe=nb201-task;"));
  g_assert_nonnull (strstr (r.out, ";space-sha256="));
  g_assert_cmpint (strlen (r.out), ==, strcspn (r.out, "\n") + 1);
  g_assert_cmpint (set.status, ==, 0);
  g_assert_true (g_str_has_prefix (set.out, "# task-seed=5 regression:"
                                   "steps=7;"));
  g_assert_nonnull (strstr (set.out, ";build=N=2;"));
  g_assert_cmpint (zc.status, ==, 0);
  g_assert_true (g_str_has_prefix (zc.out, "# task-seed=1 synflow:batch=32;"));
  g_assert_cmpint (archs.status, ==, 2);
  g_assert_nonnull (strstr (archs.err, "--print-config takes a space file "
                            "and no architecture"));
  g_assert_cmpstr (archs.out, ==, "");
  cli_run_clear (&r);
  cli_run_clear (&set);
  cli_run_clear (&zc);
  cli_run_clear (&archs);
  g_free (space);
  g_free (plugins);
}

/* `gennas proxies`: every installed proxy with its parameters, one column
 * of types per proxy however long its parameter names (combine's
 * component_params), and no trailing white space */
static void
test_proxies_listing (void)
{
  char *plugins = g_test_build_filename (G_TEST_BUILT, "..", "plugins",
                                         ".libs", NULL);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", plugins, TRUE);
  CliRun r = run ("proxies", NULL);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_free (plugins);
  g_assert_cmpint (r.status, ==, 0);
  char *listed = g_strconcat ("\n", r.out, NULL);
  g_assert_nonnull (strstr (listed, "\ncombine\n"));
  g_assert_nonnull (strstr (listed, "\nregression\n"));
  g_free (listed);
  char **lines = g_strsplit (r.out, "\n", -1);
  int column = -1, params = 0;
  gboolean seen_long = FALSE;
  for (char **l = lines; *l; l++)
    {
      gsize len = strlen (*l);
      if (len > 0 && g_ascii_isspace ((*l)[len - 1]))
        g_error ("trailing white space: '%s'", *l);
      if (len > 0 && !g_ascii_isspace (**l))
        {
          column = -1;   /* a proxy's name starts its block */
          continue;
        }
      /* a parameter line: four spaces, a name, spaces, a type, " =" */
      if (!g_str_has_prefix (*l, "    ") || g_ascii_isspace ((*l)[4]))
        continue;
      const char *type = *l + 4 + strcspn (*l + 4, " ");
      type += strspn (type, " ");
      int at = (int) (type - *l);
      if (column < 0)
        column = at;
      else if (at != column)
        g_error ("type column %d, not %d: '%s'", at, column, *l);
      seen_long |= g_str_has_prefix (*l, "    component_params ");
      params++;
    }
  g_strfreev (lines);
  g_assert_cmpint (params, >=, 20);
  g_assert_true (seen_long);
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

/* OpenBLAS's fallback for a CPU it does not know (Prescott, SSE3) is
 * replaced by the kernels the CPU runs, and only that name is */
static void
test_blas_coretype_for (void)
{
  g_assert_cmpstr (gn_blas_coretype_for ("Prescott", TRUE, TRUE), ==,
                   "SkylakeX");
  g_assert_cmpstr (gn_blas_coretype_for ("PRESCOTT", TRUE, TRUE), ==,
                   "SkylakeX");
  g_assert_cmpstr (gn_blas_coretype_for ("Prescott", TRUE, FALSE), ==,
                   "Haswell");
  g_assert_null (gn_blas_coretype_for ("Prescott", FALSE, FALSE));
  g_assert_null (gn_blas_coretype_for ("Zen", TRUE, TRUE));
  g_assert_null (gn_blas_coretype_for ("SkylakeX", TRUE, TRUE));
  g_assert_null (gn_blas_coretype_for ("Haswell", TRUE, TRUE));
  g_assert_null (gn_blas_coretype_for ("unknown", TRUE, TRUE));
  g_assert_null (gn_blas_coretype_for (NULL, TRUE, TRUE));
}

/* The line of --version naming the BLAS kernels, without its end. */
static char *
version_kernels_line (void)
{
  CliRun r = run ("--version", NULL);
  g_assert_cmpint (r.status, ==, 0);
  const char *line = strstr (r.out, "\nOpenBLAS kernels: ");
  g_assert_nonnull (line);
  line++;
  char *out = g_strndup (line, strcspn (line, "\n"));
  cli_run_clear (&r);
  return out;
}

/* gennas runs OpenBLAS's kernels for the CPU's vector units: never the
 * Prescott fallback on a CPU with AVX2 and FMA unless the environment
 * asks for it; a choice in OPENBLAS_CORETYPE is kept and said. */
static void
test_version_blas (void)
{
  char *saved = g_strdup (g_getenv ("OPENBLAS_CORETYPE"));

  g_unsetenv ("OPENBLAS_CORETYPE");
  char *line = version_kernels_line ();
  if (!g_str_has_prefix (line, "OpenBLAS kernels: unknown"))
    {
      __builtin_cpu_init ();
      if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
        g_assert_false (g_str_has_prefix (line, "OpenBLAS kernels: Prescott"));
    }
  g_free (line);

  g_setenv ("OPENBLAS_CORETYPE", "Haswell", TRUE);
  line = version_kernels_line ();
  if (!g_str_has_prefix (line, "OpenBLAS kernels: unknown"))
    g_assert_cmpstr (line, ==,
                     "OpenBLAS kernels: Haswell (OPENBLAS_CORETYPE=Haswell)");
  g_free (line);

  if (saved)
    g_setenv ("OPENBLAS_CORETYPE", saved, TRUE);
  else
    g_unsetenv ("OPENBLAS_CORETYPE");
  g_free (saved);
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
 * (one declaration); rank and search the evaluation options too */
static void
test_shared_options (void)
{
  const char *proxy_opts[] = { "--proxy", "--param", "--recipe", "--seed",
                               "--data" };
  const char *eval_opts[] = { "--workers", "--timeout", "--db",
                              "--no-cache", "--mpi" };
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
  for (gsize i = 0; i < G_N_ELEMENTS (eval_opts); i++)
    {
      char *a = option_line (score.out, eval_opts[i]);
      char *b = option_line (rank.out, eval_opts[i]);
      char *c = option_line (search.out, eval_opts[i]);
      /* score evaluates in worker processes too, but keeps no store */
      if (i < 2)
        g_assert_cmpstr (a, ==, b);
      else
        g_assert_null (a);
      g_assert_nonnull (b);
      g_assert_cmpstr (b, ==, c);
      g_free (a);
      g_free (b);
      g_free (c);
    }
  /* every evaluation has a time limit unless --timeout 0 lifts it */
  char *timeout = option_line (search.out, "--timeout");
  g_assert_nonnull (strstr (timeout, "(default 600; 0: no limit)"));
  g_free (timeout);
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

/* -- score in worker processes ------------------------------------------ */

#define CELL_A "|skip_connect~0|+|skip_connect~0|skip_connect~1|+" \
               "|skip_connect~0|skip_connect~1|skip_connect~2|"
#define CELL_B "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+" \
               "|none~0|skip_connect~1|nor_conv_3x3~2|"
#define CELL_CRASH "|avg_pool_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+" \
                   "|nor_conv_1x1~0|skip_connect~1|avg_pool_3x3~2|"

/* "ARCH,SCORE,SECONDS" -> "ARCH,SCORE" for each row of @out, joined */
static char *
rows_without_seconds (const char *out)
{
  GString *s = g_string_new (NULL);
  char **lines = g_strsplit (out, "\n", -1);
  for (char **l = lines; *l && **l; l++)
    {
      const char *last = strrchr (*l, ',');
      g_assert_nonnull (last);
      g_string_append_printf (s, "%.*s\n", (int) (last - *l), *l);
    }
  g_strfreev (lines);
  return g_string_free (s, FALSE);
}

/* A plugin that segfaults on one architecture fails only that one: the
 * rows before and after it are printed, in the order given, the crash is
 * a line on standard error, and the exit status is 1. */
static void
test_score_crash (void)
{
  CliRun r = run ("score", space_path, "--proxy", "crashy", "--param",
                  "crash_on=avg_pool_3x3~2", "--workers", "2", CELL_A,
                  CELL_CRASH, "bogus", CELL_B, CELL_A, NULL);
  g_assert_cmpint (r.status, ==, 1);
  char *rows = rows_without_seconds (r.out);
  g_assert_cmpstr (rows, ==, "arch,score\n"
                   CELL_A ",95\n" CELL_B ",87\n" CELL_A ",95\n");
  /* under AddressSanitizer the worker reports the SIGSEGV and aborts */
  g_assert_cmpint (count_lines_from (r.err, "gennas score: "), ==, 2);
  g_assert_nonnull (strstr (r.err, "gennas score: " CELL_CRASH ": crashed: "
                            "worker killed by signal "));
  g_assert_nonnull (strstr (r.err, "gennas score: bogus: "));
  g_free (rows);
  cli_run_clear (&r);
}

/* --timeout kills an evaluation that runs past it (the plugin sleeps 20
 * s): reported, exit status 1, and score returns; --timeout 0 sets no
 * limit at all. */
static void
test_score_timeout (void)
{
  CliRun r = run ("score", space_path, "--proxy", "good", "--param",
                  "delay=20", "--timeout", "0.5", "--workers", "2", CELL_A,
                  CELL_B, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "arch,score,seconds\n");
  g_assert_cmpint (count_lines (r.err), ==, 2);
  g_assert_nonnull (strstr (r.err, "gennas score: " CELL_A ": timeout: "
                            "evaluation timed out after "));
  g_assert_nonnull (strstr (r.err, "gennas score: " CELL_B ": timeout: "));
  cli_run_clear (&r);

  CliRun r0 = run ("score", space_path, "--proxy", "good", "--param",
                   "delay=0.2", "--timeout", "0", CELL_B, NULL);
  g_assert_cmpint (r0.status, ==, 0);
  char *rows = rows_without_seconds (r0.out);
  g_assert_cmpstr (rows, ==, "arch,score\n" CELL_B ",87\n");
  g_assert_cmpstr (r0.err, ==, "");
  g_free (rows);
  cli_run_clear (&r0);

  /* a time limit is a number of seconds */
  const char *bad[] = { "-1", "nan", "inf" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      CliRun rb = run ("score", space_path, "--proxy", "good", "--timeout",
                       bad[i], CELL_A, NULL);
      g_assert_cmpint (rb.status, ==, 2);
      g_assert_cmpint (count_lines (rb.err), ==, 1);
      g_assert_cmpstr (rb.out, ==, "");
      cli_run_clear (&rb);
    }
}

/* -- rank through the search's evaluator ------------------------------- */

typedef struct {
  char *arch, *status;
  double score;
} Row;

static void
row_free (gpointer data)
{
  Row *r = data;
  g_free (r->arch);
  g_free (r->status);
  g_free (r);
}

/* The rows of a `gennas rank --csv` file: "arch",score,loss,status,... */
static GPtrArray *
read_csv (const char *path)
{
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  GPtrArray *rows = g_ptr_array_new_with_free_func (row_free);
  char **lines = g_strsplit (text, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "arch,score,loss,status,"));
  for (char **l = lines + 1; *l && **l; l++)
    {
      g_assert_true (**l == '"');
      const char *end = strchr (*l + 1, '"');
      g_assert_nonnull (end);
      char **f = g_strsplit (end + 2, ",", -1);
      Row *r = g_new0 (Row, 1);
      r->arch = g_strndup (*l + 1, (gsize) (end - *l - 1));
      r->score = g_ascii_strtod (f[0], NULL);
      r->status = g_strdup (f[2]);
      g_strfreev (f);
      g_ptr_array_add (rows, r);
    }
  g_strfreev (lines);
  g_free (text);
  return rows;
}

/* the last line of @out: "spearman=R kendall=T top10=P n=N ..." */
static char *
figures (const char *out)
{
  const char *s = strstr (out, "spearman=");
  g_assert_nonnull (s);
  const char *end = strstr (s, " seconds_per_arch=");
  g_assert_nonnull (end);
  return g_strndup (s, (gsize) (end - s));
}

/* A plugin that segfaults fails only its architectures, in their own
 * worker processes: recorded as crashed, without a score; the others are
 * scored and ranked. */
static void
test_rank_crash (void)
{
  char *csv = g_build_filename (tmpdir, "crash.csv", NULL);
  CliRun r = run ("rank", space_path, "--proxy", "crashy", "--param",
                  "crash_on=avg_pool_3x3~2", "--sample", "30", "--seed", "4",
                  "--workers", "2", "--csv", csv, NULL);
  g_assert_cmpint (r.status, ==, 1);   /* not every one was scored */
  GPtrArray *rows = read_csv (csv);
  g_assert_cmpuint (rows->len, ==, 30);
  int crashed = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      if (strstr (row->arch, "avg_pool_3x3~2"))
        {
          g_assert_cmpstr (row->status, ==, "crashed");
          g_assert_true (isnan (row->score));
          crashed++;
        }
      else
        {
          g_assert_cmpstr (row->status, ==, "ok");
          g_assert_cmpfloat (row->score, ==, (double) strlen (row->arch));
        }
    }
  g_assert_cmpint (crashed, >, 0);
  char *n = g_strdup_printf (" n=%d ", 30 - crashed);
  g_assert_nonnull (strstr (r.out, n));
  g_free (n);
  g_ptr_array_free (rows, TRUE);
  cli_run_clear (&r);
  g_free (csv);
}

/* --timeout ends an evaluation that runs past it, as in a search */
static void
test_rank_timeout (void)
{
  char *csv = g_build_filename (tmpdir, "timeout.csv", NULL);
  CliRun r = run ("rank", space_path, "--proxy", "good", "--param",
                  "delay=20", "--timeout", "0.3", "--sample", "2",
                  "--workers", "2", "--csv", csv, NULL);
  g_assert_cmpint (r.status, ==, 1);
  GPtrArray *rows = read_csv (csv);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (((Row *) rows->pdata[i])->status, ==, "timeout");
  /* nothing scored, nothing ranked: an error, not spearman=nan */
  g_assert_null (strstr (r.out, "spearman="));
  g_assert_nonnull (strstr (r.err, "only 0 of the 2 architectures got a "
                            "finite score"));
  g_ptr_array_free (rows, TRUE);
  cli_run_clear (&r);
  g_free (csv);
}

/* Fewer than two finite scores, or scores that do not vary, rank
 * nothing: a one-line error (the last line of standard error) and a
 * failure, not spearman=nan and success. */
static void
test_rank_no_ranking (void)
{
  static const struct { const char *param, *error; } cases[] = {
    { "nan_on=|", "gennas rank: only 0 of the 5 architectures got a finite "
      "score with a true cifar10_test: ranking needs 2\n" },
    { "scale=0", "gennas rank: the rank correlation with cifar10_test is "
      "undefined: the scores (or the true values) of the 5 architectures "
      "do not vary\n" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CliRun r = run ("rank", space_path, "--proxy", "good", "--param",
                      cases[i].param, "--sample", "5", "--workers", "1",
                      NULL);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_null (strstr (r.out, "spearman="));
      const char *last = g_strrstr_len (r.err, (gssize) strlen (r.err) - 1,
                                        "\n");
      last = last ? last + 1 : r.err;
      if (!g_str_has_prefix (last, cases[i].error))
        g_error ("rank --param %s: the last line of standard error is '%s'",
                 cases[i].param, last);
      cli_run_clear (&r);
    }
}

/* -- rank over the architectures a file lists -------------------------- */

/* Writes @text to @name in the test's folder; returns the path. */
static char *
write_file (const char *name, const char *text)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* The value of "KEY=" in the "spearman=..." line of @out, NAN when it
 * has none. */
static double
field (const char *out, const char *key)
{
  const char *line = strstr (out, "spearman=");
  g_assert_nonnull (line);
  char *text = g_strndup (line, strcspn (line, "\n"));
  char **tokens = g_strsplit (text, " ", -1);
  double v = NAN;
  gsize n = strlen (key);
  for (char **t = tokens; *t; t++)
    if (strncmp (*t, key, n) == 0 && (*t)[n] == '=')
      v = g_ascii_strtod (*t + n + 1, NULL);
  g_strfreev (tokens);
  g_free (text);
  return v;
}

/* --archs FILE ranks the architectures a file lists, one per line or as
 * a CSV with the table's architecture column, against the table's truth:
 * the figures are those of the listed rows (checked against Spearman's
 * rho computed here), with bootstrap intervals around them, and --top K
 * names its retrieval; a malformed line is an error naming the file and
 * line, and so are a file too short to rank and a missing file. */
static void
test_rank_archs (void)
{
  char *table_path = g_test_build_filename (G_TEST_DIST, "..", "data",
                                            "nb201.csv", NULL);
  GnTable *table = gn_table_load (table_path, NULL);
  g_assert_nonnull (table);
  int key = gn_table_find_column (table, "arch_str", NULL);
  int acc = gn_table_find_column (table, "cifar10_test", NULL);
  enum { N = 12 };
  double score[N], truth[N];
  GString *plain = g_string_new ("# twelve cells, rows 100, 200, ...\n\n");
  GString *csv = g_string_new ("index,arch_str\n");
  for (int i = 0; i < N; i++)
    {
      guint row = 100 * (guint) (i + 1);
      const char *arch = gn_table_get (table, row, (guint) key);
      g_string_append_printf (plain, "%s\n", arch);
      g_string_append_printf (csv, "%u,%s\n", row, arch);
      score[i] = (double) strlen (arch);   /* the "good" proxy's score */
      g_assert_true (gn_table_get_double (table, row, (guint) acc, &truth[i],
                                          NULL));
    }
  char *plain_path = write_file ("archs.txt", plain->str);
  char *csv_path = write_file ("archs.csv", csv->str);

  CliRun a = run ("rank", space_path, "--proxy", "good", "--workers", "1",
                  "--archs", plain_path, NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_nonnull (strstr (a.out, "12 architectures listed in"));
  g_assert_cmpfloat_with_epsilon (field (a.out, "spearman"),
                                  gn_stats_spearman (score, truth, N), 6e-5);
  double lo = field (a.out, "spearman_lo"), hi = field (a.out, "spearman_hi");
  g_assert_cmpfloat (lo, <=, field (a.out, "spearman") + 0.05);
  g_assert_cmpfloat (hi, >, lo);
  g_assert_true (isfinite (field (a.out, "top10_lo")));

  CliRun c = run ("rank", space_path, "--proxy", "good", "--workers", "1",
                  "--archs", csv_path, NULL);
  g_assert_cmpint (c.status, ==, 0);
  char *fa = figures (a.out), *fc = figures (c.out);
  g_assert_cmpstr (fa, ==, fc);

  CliRun t = run ("rank", space_path, "--proxy", "good", "--workers", "1",
                  "--archs", plain_path, "--top", "50", "--resamples", "0",
                  NULL);
  g_assert_cmpint (t.status, ==, 0);
  g_assert_true (isfinite (field (t.out, "top50")));
  g_assert_null (strstr (t.out, "spearman_lo="));

  char *bad_path = write_file ("bad.txt", "# one bad line\n"
                               "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|"
                               "none~1|none~2|\n|conv_9x9~0|\n");
  CliRun b = run ("rank", space_path, "--proxy", "good", "--workers", "1",
                  "--archs", bad_path, NULL);
  g_assert_cmpint (b.status, ==, 1);
  char *where = g_strdup_printf ("%s:3: ", bad_path);
  g_assert_nonnull (strstr (b.err, where));
  char *one_path = write_file ("one.txt", "|nor_conv_3x3~0|+|none~0|none~1|"
                               "+|none~0|none~1|none~2|\n");
  CliRun o = run ("rank", space_path, "--proxy", "good", "--archs", one_path,
                  NULL);
  g_assert_cmpint (o.status, ==, 1);
  g_assert_nonnull (strstr (o.err, "ranking needs 2"));
  CliRun m = run ("rank", space_path, "--proxy", "good", "--archs",
                  "/nonexistent/archs.txt", NULL);
  g_assert_cmpint (m.status, ==, 1);
  g_assert_nonnull (strstr (m.err, "/nonexistent/archs.txt"));
  const char *tops[] = { "0", "101" };
  for (guint i = 0; i < G_N_ELEMENTS (tops); i++)
    {
      CliRun u = run ("rank", space_path, "--proxy", "good", "--archs",
                      plain_path, "--top", tops[i], NULL);
      g_assert_cmpint (u.status, ==, 2);
      g_assert_nonnull (strstr (u.err, "--top"));
      cli_run_clear (&u);
    }

  cli_run_clear (&a);
  cli_run_clear (&c);
  cli_run_clear (&t);
  cli_run_clear (&b);
  cli_run_clear (&o);
  cli_run_clear (&m);
  g_free (fa);
  g_free (fc);
  g_free (where);
  g_free (bad_path);
  g_free (one_path);
  g_free (plain_path);
  g_free (csv_path);
  g_string_free (plain, TRUE);
  g_string_free (csv, TRUE);
  gn_table_free (table);
  g_free (table_path);
}

/* Values that cannot mean anything are one-line errors before anything
 * is evaluated (usage errors, status 2; a proxy parameter the plugin
 * refuses, status 1): not a run that quietly keeps nothing, or ignores
 * the option. */
static void
test_bad_values (void)
{
  char *db = g_build_filename (tmpdir, "bad-values.db", NULL);
  /* the regression proxy is the build tree's, not a test plugin */
  char *plugins = g_test_build_filename (G_TEST_BUILT, "..", "plugins",
                                         ".libs", NULL);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", plugins, TRUE);
  static const struct {
    const char *cmd, *option, *value;
    int status;
    const char *error;
  } cases[] = {
    { "search", "--db", "", 2, "gennas search: --db needs a file name\n" },
    { "search", "--db", ":memory:", 2, "gennas search: --db ':memory:': "
      "the results must go to a file that keeps them, not to an in-memory "
      "database or an SQLite URI (a file of that name: ./:memory:)\n" },
    { "search", "--db", "file:x?mode=memory", 2, "an SQLite URI" },
    { "search", "--db", "file:kept.db", 2, "an SQLite URI" },
    { "rank", "--db", ":memory:", 2, "gennas rank: --db ':memory:'" },
    { "rank", "--db", "", 2, "gennas rank: --db needs a file name\n" },
    { "search", "--timeout", "-5", 2, "gennas search: --timeout must be a "
      "number of seconds >= 0 (0: no limit), not -5\n" },
    { "search", "--timeout", "nan", 2, "not nan\n" },
    { "rank", "--timeout", "-1", 2, "gennas rank: --timeout must be" },
    { "search", "--max-seconds", "-1", 2, "gennas search: --max-seconds "
      "must be a number of seconds >= 0 (0: no limit), not -1\n" },
    { "search", "--max-seconds", "inf", 2, "not inf\n" },
    { "search", "--workers", "0", 2, "gennas search: --workers must be >= "
      "1, not 0\n" },
    { "rank", "--workers", "-3", 2, "gennas rank: --workers must be >= 1" },
    { "search", "--param", "weights=0,0,0", 1, "gennas search: regression: "
      "weights '0,0,0' are all zero: every architecture would score 0; "
      "give at least one stage a weight\n" },
    { "search", "--param", "weights=1e39,0,0", 1, "weights must be three "
      "non-negative numbers" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean own_db = strcmp (cases[i].option, "--db") == 0;
      CliRun r = run (cases[i].cmd, space_path, "--proxy",
                      strcmp (cases[i].option, "--param") == 0 ? "regression"
                                                               : "good",
                      strcmp (cases[i].cmd, "rank") == 0 ? "--sample"
                                                         : "--budget", "3",
                      own_db ? "--seed" : "--db", own_db ? "1" : db,
                      cases[i].option, cases[i].value, NULL);
      if (r.status != cases[i].status || !strstr (r.err, cases[i].error)
          || count_lines (r.err) != 1)
        g_error ("%s %s '%s': status %d, '%s'", cases[i].cmd,
                 cases[i].option, cases[i].value, r.status, r.err);
      cli_run_clear (&r);
    }
  /* nothing was evaluated */
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_free (plugins);
  g_free (db);
}

typedef struct {
  int n, cached;
} Tally;

static gboolean
tally_one (const GnEval *e, gpointer user)
{
  Tally *t = user;
  t->n++;
  t->cached += e->cached;
  return TRUE;
}

/* The evaluations of @db's latest run. */
static Tally
latest_run (const char *db)
{
  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  gint64 run;
  g_assert_true (gn_store_find_run (store, NULL, &run, NULL, &error));
  Tally t = { 0 };
  g_assert_true (gn_store_foreach (store, run, tally_one, &t, &error));
  g_assert_no_error (error);
  gn_store_close (store);
  return t;
}

/* With --db, a rank is a run of the store like a search: recorded, and
 * served from the cache the next time (the same figures), unless
 * --no-cache.  Without --db, nothing is written. */
static void
test_rank_store (void)
{
  char *db = g_build_filename (tmpdir, "rank.db", NULL);
  const char *base[] = { "rank", space_path, "--proxy", "good", "--seed",
                         "4", "--workers", "2", "--db", db, "--sample",
                         "10", NULL, NULL };
  CliRun r = run_argv (base);
  g_assert_cmpint (r.status, ==, 0);
  Tally t = latest_run (db);
  g_assert_cmpint (t.n, ==, 10);
  g_assert_cmpint (t.cached, ==, 0);

  /* the same seed's sample of 20 begins with that of 10 */
  base[11] = "20";
  CliRun r2 = run_argv (base);
  g_assert_cmpint (r2.status, ==, 0);
  t = latest_run (db);
  g_assert_cmpint (t.n, ==, 20);
  g_assert_cmpint (t.cached, ==, 10);

  base[12] = "--no-cache";
  CliRun r3 = run_argv (base);
  g_assert_cmpint (r3.status, ==, 0);
  t = latest_run (db);
  g_assert_cmpint (t.n, ==, 20);
  g_assert_cmpint (t.cached, ==, 0);
  char *f2 = figures (r2.out), *f3 = figures (r3.out);
  g_assert_cmpstr (f2, ==, f3);
  g_free (f2);
  g_free (f3);

  /* without --db: no store file appears */
  char *dir = g_build_filename (tmpdir, "no-db", NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  char *here = g_get_current_dir ();
  g_assert_cmpint (g_chdir (dir), ==, 0);
  CliRun r4 = run ("rank", space_path, "--proxy", "good", "--seed", "4",
                   "--sample", "5", "--workers", "1", NULL);
  g_assert_cmpint (r4.status, ==, 0);
  GDir *d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));
  g_dir_close (d);
  g_assert_cmpint (g_chdir (here), ==, 0);

  cli_run_clear (&r);
  cli_run_clear (&r2);
  cli_run_clear (&r3);
  cli_run_clear (&r4);
  g_free (here);
  g_free (dir);
  g_free (db);
}

/* -- plot and the space file a store names ------------------------------ */

/* Records in @store a run of configuration @config with two evaluations
 * of nasbench201; returns its number as text. */
static char *
add_run (GnStore *store, const char *config)
{
  GError *error = NULL;
  gint64 run;
  g_assert_true (gn_store_new_run (store, config, "h", 0, &run, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      GnEval e = { .run = run, .space = "nasbench201",
                   .arch = i ? CELL_A : CELL_B, .proxy = "good",
                   .config_hash = "c", .seed = 1, .score = i,
                   .loss = NAN, .status = GN_EVAL_OK };
      g_assert_true (gn_store_record (store, &e, NULL, &error));
      g_assert_no_error (error);
    }
  return g_strdup_printf ("%" G_GINT64_FORMAT, run);
}

/* `gennas plot DB --run RUN [--space SPACE]`: the status, and whether the
 * plot has true accuracies; @err (optional) gets standard error. */
static int
plot_run (const char *db, const char *run, const char *space,
          gboolean *with_truth, char **err)
{
  char *png = g_build_filename (tmpdir, "plot.png", NULL);
  const char *args[] = { "plot", db, "--out", png, "--run", run,
                         space ? "--space" : NULL, space, NULL };
  CliRun r = run_argv (args);
  *with_truth = strstr (r.out, ", against the true cifar10_test\n") != NULL;
  int status = r.status;
  if (err)
    *err = g_strdup (r.err);
  cli_run_clear (&r);
  g_free (png);
  return status;
}

/* A store names the space file plot runs for the true accuracies: plot
 * runs it only if it is a regular file whose SHA-256 is the one the run
 * recorded (a FIFO would block it, a device never end, another file run
 * what the run never did); otherwise it draws without truth and says
 * why.  --space of another space is an error. */
static void
test_plot_space (void)
{
  char *text = NULL, *err = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (space_path, &text, &len, NULL));
  char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                           (const guchar *) text, len);
  char *copy = g_build_filename (tmpdir, "nb201-copy.lua", NULL);
  char *edited = g_build_filename (tmpdir, "nb201-edited.lua", NULL);
  char *fifo = g_build_filename (tmpdir, "nb201.fifo", NULL);
  char *longer = g_strconcat (text, "-- edited\n", NULL);
  g_assert_true (g_file_set_contents (copy, text, (gssize) len, NULL));
  g_assert_true (g_file_set_contents (edited, longer, -1, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  char *db = g_build_filename (tmpdir, "plot.db", NULL);
  GError *error = NULL;
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
#define RUN_CONFIG "{\"space\":\"nasbench201\",\"space_file\":\"%s\"," \
                   "\"space_sha256\":\"%s\",\"identity\":\"x\"}"
  char *c_copy = g_strdup_printf (RUN_CONFIG, copy, sum);
  char *c_fifo = g_strdup_printf (RUN_CONFIG, fifo, sum);
  char *c_dev = g_strdup_printf (RUN_CONFIG, "/dev/zero", sum);
  char *c_edited = g_strdup_printf (RUN_CONFIG, edited, sum);
  char *c_none = g_strdup_printf ("{\"space\":\"nasbench201\","
                                  "\"space_file\":\"%s\","
                                  "\"identity\":\"space=nasbench201\"}",
                                  copy);
  /* a search recorded before the member: its identity has the sum */
  char *c_identity = g_strdup_printf ("{\"space\":\"nasbench201\","
                                      "\"space_file\":\"%s\",\"identity\":"
                                      "\"space=nasbench201;space_sha256=%s;"
                                      "algo=rea\"}", copy, sum);
  char *r_copy = add_run (store, c_copy), *r_fifo = add_run (store, c_fifo);
  char *r_dev = add_run (store, c_dev), *r_edited = add_run (store, c_edited);
  char *r_none = add_run (store, c_none);
  char *r_identity = add_run (store, c_identity);
  gn_store_close (store);

  gboolean truth;
  g_assert_cmpint (plot_run (db, r_copy, NULL, &truth, &err), ==, 0);
  g_assert_true (truth);
  g_assert_cmpstr (err, ==, "");
  g_free (err);
  g_assert_cmpint (plot_run (db, r_identity, NULL, &truth, NULL), ==, 0);
  g_assert_true (truth);

  struct { const char *run, *why; } untrusted[] = {
    { r_fifo, "nb201.fifo: not a regular file" },
    { r_dev, "/dev/zero: not a regular file" },
    { r_edited, "nb201-edited.lua is not the space file the run used" },
    { r_none, "recorded no checksum of its space file" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (untrusted); i++)
    {
      g_assert_cmpint (plot_run (db, untrusted[i].run, NULL, &truth, &err),
                       ==, 0);
      g_assert_false (truth);
      g_assert_true (g_str_has_prefix (err, "gennas plot: no true "
                                       "accuracies: "));
      g_assert_nonnull (strstr (err, untrusted[i].why));
      g_assert_cmpint (count_lines (err), ==, 1);
      g_free (err);
    }

  /* --space: the user's copy of the run's space is loaded as it is; a
   * space of another name is a one-line error */
  g_assert_cmpint (plot_run (db, r_edited, edited, &truth, &err), ==, 0);
  g_assert_true (truth);
  g_assert_cmpstr (err, ==, "");
  g_free (err);
  char *nb101 = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                       "nb101.lua", NULL);
  g_assert_cmpint (plot_run (db, r_copy, nb101, &truth, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "gennas plot: --space "));
  g_assert_nonnull (strstr (err, "is the space 'nasbench101', but run "));
  g_assert_cmpint (count_lines (err), ==, 1);
  g_free (err);
  g_assert_cmpint (plot_run (db, r_copy, fifo, &truth, &err), ==, 1);
  g_assert_cmpint (count_lines (err), ==, 1);
  g_free (err);

  g_free (nb101);
  g_free (r_copy);
  g_free (r_fifo);
  g_free (r_dev);
  g_free (r_edited);
  g_free (r_none);
  g_free (r_identity);
  g_free (c_copy);
  g_free (c_fifo);
  g_free (c_dev);
  g_free (c_edited);
  g_free (c_none);
  g_free (c_identity);
  g_free (db);
  g_free (longer);
  g_free (fifo);
  g_free (edited);
  g_free (copy);
  g_free (sum);
  g_free (text);
}

typedef struct {
  GnSpace *space;
  int n;
  double max_macs;
} MobileCheck;

static gboolean
check_mobile (const GnEval *e, gpointer user)
{
  MobileCheck *m = user;
  int size, classes;
  char **options;
  GError *error = NULL;
  g_assert_true (gn_space_config (m->space, "mobile", &size, &classes,
                                  &options, &error));
  GnBuildOptions o = { .batch = 1, .in_h = size, .in_w = size,
                       .classifier = TRUE, .num_classes = classes,
                       .published = TRUE,
                       .options = (const char *const *) options };
  GnNet *net = gn_space_build (m->space, e->arch, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (gn_net_count_macs (net), <=, m->max_macs);
  gn_net_free (net);
  g_strfreev (options);
  m->n++;
  return TRUE;
}

/* --max-macs in a named configuration: no candidate evaluated is larger,
 * the refusals are reported and recorded with the run; bad limits and
 * unknown configurations are errors before anything runs. */
static void
test_search_constraint (void)
{
  char *db = g_build_filename (tmpdir, "constraint.db", NULL);
  char *darts = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                       "darts.lua", NULL);
  CliRun r = run ("search", darts, "--proxy", "good", "--budget", "10",
                  "--population", "4", "--tournament", "2", "--max-macs",
                  "480e6", "--constraint-config", "mobile", "--db", db,
                  "--workers", "1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  const char *line = strstr (r.out, "constraint: ");
  g_assert_nonnull (line);
  g_assert_cmpint (atoi (line + strlen ("constraint: ")), >, 0);

  GError *error = NULL;
  MobileCheck m = { gn_space_load (darts, &error), 0, 480e6 };
  g_assert_no_error (error);
  GnStore *store = gn_store_open (db, &error);
  g_assert_no_error (error);
  gint64 run_id;
  g_assert_true (gn_store_find_run (store, NULL, &run_id, NULL, &error));
  g_assert_true (gn_store_foreach (store, run_id, check_mobile, &m, &error));
  g_assert_cmpint (m.n, ==, 10);
  char *config = NULL;
  g_assert_true (gn_store_get_run (store, run_id, &config, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (config, "\"constraint\":{\"max_macs\":"
                            "480000000.0"));
  g_free (config);
  gn_store_close (store);
  gn_space_free (m.space);

  CliRun bad = run ("search", darts, "--proxy", "good", "--max-macs", "-5",
                    "--db", db, NULL);
  g_assert_cmpint (bad.status, !=, 0);
  g_assert_nonnull (strstr (bad.err, "--max-macs and --max-params must be"));
  CliRun unknown = run ("search", darts, "--proxy", "good", "--max-macs",
                        "5e8", "--constraint-config", "huge", "--db", db,
                        NULL);
  g_assert_cmpint (unknown.status, !=, 0);
  g_assert_nonnull (strstr (unknown.err, "no configuration 'huge' (cifar, "
                            "mobile)"));
  /* score's CSV quotes an architecture with commas: one field */
  CliRun sc = run ("score", darts, "--proxy", "good", "--workers", "1",
                   "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)"
                   "], normal_concat=[2], reduce=[('max_pool_3x3', 0), "
                   "('skip_connect', 1)], reduce_concat=[2])", NULL);
  g_assert_cmpint (sc.status, ==, 0);
  g_assert_true (g_str_has_prefix (sc.out, "arch,score,seconds\n"
                                   "\"Genotype(normal=[('sep_conv_3x3', 0), "
                                   "('sep_conv_3x3', 1)], normal_concat=[2], "
                                   "reduce=[('max_pool_3x3', 0), "
                                   "('skip_connect', 1)], "
                                   "reduce_concat=[2])\","));
  cli_run_clear (&sc);
  cli_run_clear (&r);
  cli_run_clear (&bad);
  cli_run_clear (&unknown);
  g_free (darts);
  g_free (db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* the test plugins: "good" scores strlen (arch), "crashy" crashes */
  char *plugins = g_test_build_filename (G_TEST_BUILT, ".libs", NULL);
  g_setenv ("GENNAS_PROXY_PATH", plugins, TRUE);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_free (plugins);
  gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas", NULL);
  space_path = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                      "nb201.lua", NULL);
  tmpdir = g_dir_make_tmp ("gennas-cli-XXXXXX", NULL);

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/blas-coretype-for", test_blas_coretype_for);
  g_test_add_func ("/cli/version-blas", test_version_blas);
  g_test_add_func ("/cli/proxies-listing", test_proxies_listing);
  g_test_add_func ("/cli/proxies-on-space", test_proxies_on_space);
  g_test_add_func ("/cli/score-print-config", test_score_print_config);
  g_test_add_func ("/cli/unknown", test_unknown);
  g_test_add_func ("/cli/help-everywhere", test_help_everywhere);
  g_test_add_func ("/cli/shared-options", test_shared_options);
  g_test_add_func ("/cli/score-crash", test_score_crash);
  g_test_add_func ("/cli/score-timeout", test_score_timeout);
  g_test_add_func ("/cli/rank-crash", test_rank_crash);
  g_test_add_func ("/cli/rank-timeout", test_rank_timeout);
  g_test_add_func ("/cli/rank-store", test_rank_store);
  g_test_add_func ("/cli/rank-archs", test_rank_archs);
  g_test_add_func ("/cli/plot-space", test_plot_space);
  g_test_add_func ("/cli/rank-no-ranking", test_rank_no_ranking);
  g_test_add_func ("/cli/bad-values", test_bad_values);
  g_test_add_func ("/cli/search-constraint", test_search_constraint);
  int status = g_test_run ();

  char *rm[] = { "rm", "-rf", tmpdir, NULL };
  g_spawn_sync (NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                NULL, NULL);
  g_free (tmpdir);
  g_free (space_path);
  g_free (gennas);
  return status;
}
