/* test-recipe.c - signal recipes: the shipped ones load, Lua signals work,
 * mistakes are named
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"
#include "proxy-host.h"
#include "spaces.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *tmpdir;

static char *
write_recipe (const char *name, const char *text)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_shipped (void)
{
  static const struct {
    const char *name;
    int channels[3];
    GnNoiseKind noise;
  } cases[] = {
    { "combo", { 64, 64, 64 }, GN_NOISE_NONE },
    { "nb101", { 64, 48, 16 }, GN_NOISE_UNIFORM },
    { "darts", { 80, 32, 80 }, GN_NOISE_GAUSSIAN },
    { "resnet", { 16, 16, 32 }, GN_NOISE_GAUSSIAN },
    { "nb201-task", { 64, 64, 16 }, GN_NOISE_GAUSSIAN },
  };
  float clean[2 * 3 * 32 * 32];
  for (gsize i = 0; i < G_N_ELEMENTS (clean); i++)
    clean[i] = (float) sin ((double) i);
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      GError *error = NULL;
      GnRecipe *r = gn_recipe_load (cases[c].name, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (gn_recipe_name (r), ==, cases[c].name);
      g_assert_cmpint (gn_recipe_n_stages (r), ==, 3);
      g_assert_cmpint (strlen (gn_recipe_checksum (r)), ==, 64);
      g_assert_cmpint (gn_recipe_noise (r, NULL), ==, cases[c].noise);
      for (int s = 0; s < 3; s++)
        {
          int ch = gn_recipe_channels (r, s);
          g_assert_cmpint (ch, ==, cases[c].channels[s]);
          float *t = g_new (float, 2 * ch * 64);
          GnRng rng;
          gn_rng_seed (&rng, 1);
          g_assert_true (gn_recipe_targets (r, s, 2, clean, 3, 32, 32, &rng,
                                            t, &error));
          g_assert_no_error (error);
          double energy = 0;
          for (int i = 0; i < 2 * ch * 64; i++)
            {
              g_assert_true (isfinite (t[i]));
              energy += t[i] * t[i];
            }
          g_assert_cmpfloat (energy, >, 0.0);
          g_free (t);
        }
      gn_recipe_free (r);
    }
}

/* combo's stage 0 = sin1d + sin2d + dot(partial 1), all levels 1: every
 * value is a sum of two waves in [-1, 1] and a dot of exactly ±1 */
static void
test_combo_range (void)
{
  GError *error = NULL;
  GnRecipe *r = gn_recipe_load ("combo", &error);
  g_assert_no_error (error);
  float t[4 * 64 * 64];
  GnRng rng;
  gn_rng_seed (&rng, 3);
  g_assert_true (gn_recipe_targets (r, 0, 4, NULL, 3, 32, 32, &rng, t,
                                    &error));
  for (gsize i = 0; i < G_N_ELEMENTS (t); i++)
    g_assert_cmpfloat (fabs (t[i]), <=, 3.0 + 1e-5);
  gn_recipe_free (r);
}

static void
test_lua_signal (void)
{
  GError *error = NULL;
  char *path = write_recipe ("own.lua",
    "return { stages = {\n"
    "  { channels = 2, signals = {\n"
    "    { fn = function (rng, sample, channel)\n"
    "        local m = {}\n"
    "        for i = 1, 64 do m[i] = sample * 10 + channel end\n"
    "        return m\n"
    "      end, level = 2, per_sample = true } } } } }\n");
  GnRecipe *r = gn_recipe_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gn_recipe_name (r), ==, "own");
  float t[3 * 2 * 64];
  GnRng rng;
  gn_rng_seed (&rng, 1);
  g_assert_true (gn_recipe_targets (r, 0, 3, NULL, 3, 32, 32, &rng, t,
                                    &error));
  g_assert_no_error (error);
  for (int n = 0; n < 3; n++)
    for (int c = 0; c < 2; c++)
      g_assert_cmpfloat (t[(n * 2 + c) * 64 + 17], ==,
                         2.0f * (float) ((n + 1) * 10 + c + 1));
  gn_recipe_free (r);
  g_free (path);
}

static void
test_errors (void)
{
  static const struct {
    const char *text, *needle;
    GnSpaceError code;
  } cases[] = {
    { "return { stages = { { channels = 4, signals = { { \"sinx\" } } } } }",
      "unknown signal 'sinx'", GN_SPACE_ERROR_INVALID },
    { "return { stagez = {} }", "unknown key 'stagez'",
      GN_SPACE_ERROR_INVALID },
    { "return { stages = { { channels = 700, signals = {\n"
      "  { \"sin1d\", freqs = linspace (0.1, 0.4, 10) } } } } }",
      "stages[1].signals[1]", GN_SPACE_ERROR_INVALID },
    { "return { stages = { { channels = 0, signals = {} } } }",
      "channels must be", GN_SPACE_ERROR_INVALID },
    { "return { noise = { kind = \"pink\" }, stages = {} }",
      "kind 'pink'", GN_SPACE_ERROR_INVALID },
    { "return {\n stages = \n", ":3:", GN_SPACE_ERROR_SCRIPT },
    { "local f = io.open ('/etc/passwd')\nreturn {}", ":1:",
      GN_SPACE_ERROR_SCRIPT },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      char *path = write_recipe ("bad.lua", cases[i].text);
      g_assert_null (gn_recipe_load (path, &error));
      g_assert_error (error, GN_SPACE_ERROR, (gint) cases[i].code);
      if (!strstr (error->message, cases[i].needle)
          || !strstr (error->message, "bad.lua"))
        g_error ("case %zu: '%s' lacks '%s' or the file name", i,
                 error->message, cases[i].needle);
      g_clear_error (&error);
      g_free (path);
    }

  /* a recipe that is not a small text file: a one-line error, at once */
  char *huge = g_strnfill (5 << 20, ' ');
  char *path = write_recipe ("huge.lua", huge);
  g_free (huge);
  GError *error = NULL;
  g_assert_null (gn_recipe_load (path, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "larger than 4 MiB"));
  g_clear_error (&error);
  g_free (path);
  if (g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      g_assert_null (gn_recipe_load ("/dev/zero", &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "/dev/zero: the recipe is "
                                "larger than 4 MiB"));
      g_clear_error (&error);
    }
  path = write_recipe ("named.lua", "return { name = 'a\\27[2Jb', stages = {"
                       " { channels = 1, signals = { { 'sin1d' } } } } }");
  g_assert_null (gn_recipe_load (path, &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "name: must be one line"));
  g_clear_error (&error);
  g_free (path);

  g_assert_null (gn_recipe_load ("no-such-recipe", &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "no-such-recipe.lua"));
  g_clear_error (&error);

  /* a Lua signal returning a bad map fails at draw time, cleanly */
  path = write_recipe ("badmap.lua",
    "return { stages = { { channels = 1, signals = {\n"
    "  { fn = function () return { 1, 2, 3 } end } } } } }\n");
  GnRecipe *r = gn_recipe_load (path, &error);
  g_assert_no_error (error);
  float t[64];
  GnRng rng;
  gn_rng_seed (&rng, 1);
  g_assert_false (gn_recipe_targets (r, 0, 1, NULL, 3, 32, 32, &rng, t,
                                     &error));
  g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_SCRIPT);
  g_assert_nonnull (strstr (error->message, "64 numbers"));
  g_clear_error (&error);
  gn_recipe_free (r);
  g_free (path);
}

/* Every numeric field is finite and in its range, whatever the signal's
 * kind: a Lua function's level too (a NaN level made every score of a
 * search non-finite), and the noise's (1e30 drowned every input). */
static void
test_ranges (void)
{
#define FN "fn = function () local m = {} for i = 1, 64 do m[i] = 0 end " \
           "return m end"
  static const struct {
    const char *signal, *noise, *needle;
  } cases[] = {
    { "{ " FN ", level = 0/0 }", NULL,
      "stages[1].signals[1]: level must be a number in [-100, 100], "
      "not " },
    { "{ " FN ", level = 1e30 }", NULL, "not 1e+30" },
    { "{ " FN ", level = -1/0 }", NULL, "not -inf" },
    { "{ " FN ", partial = 0/0 }", NULL,
      "partial must be a number in [0, 1], not " },
    { "{ \"sin1d\", freqs = { 0.1 }, level = 1e30 }", NULL, "not 1e+30" },
    { "{ \"sin1d\", freqs = { 0.1, 0.7 } }", NULL,
      "frequency 1 (0.7) is not in [0, 0.5]" },
    { "{ \"dot\", partial = 2 }", NULL, "partial must be a number in" },
    { "{ \"resize\" }", "{ kind = \"uniform\", level = 1e30 }",
      "noise: level must be a number in [0, 100], not 1e+30" },
    { "{ \"resize\" }", "{ kind = \"gaussian\", level = 0/0 }",
      "noise: level must be a number in [0, 100]" },
    { "{ \"resize\" }", "{ kind = \"gaussian\", level = -1 }", "not -1" },
  };
#undef FN
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      char *text = g_strdup_printf ("return { %s%s%s stages = { "
                                    "{ channels = 1, signals = { %s } } } }",
                                    cases[i].noise ? "noise = " : "",
                                    cases[i].noise ? cases[i].noise : "",
                                    cases[i].noise ? "," : "",
                                    cases[i].signal);
      char *path = write_recipe ("bad.lua", text);
      g_assert_null (gn_recipe_load (path, &error));
      g_assert_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID);
      if (!strstr (error->message, cases[i].needle))
        g_error ("case %zu: '%s' lacks '%s'", i, error->message,
                 cases[i].needle);
      g_clear_error (&error);
      g_free (path);
      g_free (text);
    }
}

/* The regression proxy runs the space's default task (its
 * proxy_defaults: nb201-task on NB201, nb101 on NB101, darts and resnet
 * at batch 8 on the DARTS-like and AnyNet spaces) unless a recipe is
 * given. */
static void
test_space_default (void)
{
  static const struct {
    const char *space, *assign, *want;
  } cases[] = {
    { "nb201.lua", NULL, ";batch=8;" },
    { "nb201.lua", NULL, ";recipe=nb201-task;" },
    { "nb201.lua", "batch=16", ";batch=16;" },
    { "nb201.lua", "recipe=combo", ";recipe=combo;" },
    { "nb101.lua", NULL, ";recipe=nb101;" },
    { "nds-darts-in.lua", NULL, ";batch=8;" },
    { "darts.lua", "recipe=nb101", ";recipe=nb101;" },
    { "darts.lua", NULL, ";recipe=darts;" },
    { "nds-resnext-a-in.lua", NULL, ";recipe=resnet;" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      TestProxyHost host;
      test_proxy_host_open (&host, cases[i].space);
      GnProxyContext *ctx = gn_proxy_context_new (host.space, host.data, 1,
                                                  NULL, &error);
      g_assert_no_error (error);
      const GnProxyDesc *d = gn_proxy_registry_lookup (host.reg,
                                                       "regression", &error);
      g_assert_no_error (error);
      const char *assign[] = { cases[i].assign, NULL };
      GnProxy *p = gn_proxy_new (d, ctx, assign, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %s", cases[i].space, gn_proxy_config (p));
      g_assert_nonnull (strstr (gn_proxy_config (p), cases[i].want));
      gn_proxy_free (p);
      gn_proxy_context_free (ctx);
      test_proxy_host_close (&host);
    }

  /* a space default the proxy cannot start with: the error names what
   * the space set, which the user never typed */
  TestProxyHost host;
  test_proxy_host_open (&host, "nb201.lua");
  char *path = test_space_path ("nb201.lua"), *text = NULL;
  GError *error = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  char *at = strstr (text, "recipe = \"nb201-task\"");
  g_assert_nonnull (at);
  char *bad = g_strdup_printf ("%.*srecipe = \"no-such-task\"%s",
                               (int) (at - text), text,
                               at + strlen ("recipe = \"nb201-task\""));
  GnSpace *space = gn_space_load_string (path, bad, strlen (bad), &error);
  g_assert_no_error (error);
  GnProxyContext *ctx = gn_proxy_context_new (space, host.data, 1, NULL,
                                              &error);
  g_assert_no_error (error);
  const GnProxyDesc *d = gn_proxy_registry_lookup (host.reg, "regression",
                                                   &error);
  g_assert_no_error (error);
  /* a folder whose name holds the space's batch, 8, in the message: not
   * the value named */
  char *saved = g_strdup (g_getenv ("GENNAS_RECIPE_PATH"));
  char *path8 = g_strconcat ("/no-such-dir-8/r8", saved ? ":" : "", saved,
                             NULL);
  g_setenv ("GENNAS_RECIPE_PATH", path8, TRUE);
  g_assert_null (gn_proxy_new (d, ctx, NULL, &error));
  if (saved)
    g_setenv ("GENNAS_RECIPE_PATH", saved, TRUE);
  else
    g_unsetenv ("GENNAS_RECIPE_PATH");
  g_free (saved);
  g_free (path8);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "no-such-dir-8/r8"));
  g_assert_true (g_str_has_prefix (error->message, "regression: "));
  g_assert_nonnull (strstr (error->message, "no-such-task"));
  g_assert_true (g_str_has_suffix (error->message,
                                   "(space 'nasbench201' sets "
                                   "recipe=no-such-task)"));
  g_clear_error (&error);
  /* an error that is not about what the space set does not name it */
  const char *zero[] = { "weights=0,0,0", NULL };
  g_assert_null (gn_proxy_new (d, ctx, zero, &error));
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, "(space"));
  g_clear_error (&error);
  /* what the user gives wins over it */
  const char *mine[] = { "recipe=combo", NULL };
  GnProxy *p = gn_proxy_new (d, ctx, mine, &error);
  g_assert_no_error (error);
  gn_proxy_free (p);
  gn_proxy_context_free (ctx);
  gn_space_free (space);
  g_free (bad);
  g_free (text);
  g_free (path);
  test_proxy_host_close (&host);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_proxy_host_use_build_tree ();
  tmpdir = g_dir_make_tmp ("gennas-recipe-XXXXXX", NULL);
  g_test_add_func ("/recipe/shipped", test_shipped);
  g_test_add_func ("/recipe/combo-range", test_combo_range);
  g_test_add_func ("/recipe/lua-signal", test_lua_signal);
  g_test_add_func ("/recipe/errors", test_errors);
  g_test_add_func ("/recipe/ranges", test_ranges);
  g_test_add_func ("/recipe/space-default", test_space_default);
  int status = g_test_run ();
  char *files[] = { "own.lua", "bad.lua", "badmap.lua" };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      char *p = g_build_filename (tmpdir, files[i], NULL);
      g_unlink (p);
      g_free (p);
    }
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
