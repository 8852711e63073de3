/* cmd-space.c - `gennas space`: check a search space, sample it, count
 * its networks' parameters and MACs, hash its architectures
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Exit status: 0 on success, 1 when something failed (every valid input
 * is still processed and printed), 2 for a usage error.
 */
#include "config.h"
#include "cli.h"
#include "cli-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses @entries; returns FALSE (after printing why) on a usage error.
 * The usage line reads "gennas space SUB [OPTION...] @params". */
static gboolean
parse (const char *sub, const char *params, const char *summary,
       const GOptionEntry *entries, int *argc, char ***argv)
{
  GOptionContext *ctx = g_option_context_new (params);
  g_option_context_set_summary (ctx, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean ok = gn_cli_parse (ctx, sub, argc, argv);
  g_option_context_free (ctx);
  return ok;
}

static GnSpace *
load (const char *sub, const char *path)
{
  GError *error = NULL;
  GnSpace *space = gn_space_load (path, &error);
  if (space == NULL)
    {
      gn_cli_error (sub, "%s", error->message);
      g_error_free (error);
    }
  return space;
}

/* Calls @fn on each architecture: the arguments from @first on, or else
 * each non-blank line of standard input.  A line holding a NUL byte is
 * refused (as text it would end there), in a message of @sub's.  Returns
 * FALSE if @fn did, or a line was refused. */
static gboolean
each_arch (const char *sub, int argc, char **argv, int first,
           gboolean (*fn) (const char *arch, gpointer user), gpointer user)
{
  gboolean ok = TRUE;
  if (argc > first)
    {
      for (int i = first; i < argc; i++)
        ok &= fn (argv[i], user);
      return ok;
    }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  for (guint number = 1; (len = getline (&line, &cap, stdin)) >= 0;
       number++)
    {
      if (memchr (line, '\0', (size_t) len) != NULL)
        {
          gn_cli_error (sub, "standard input, line %u: a NUL byte", number);
          ok = FALSE;
          continue;
        }
      g_strstrip (line);
      if (line[0] != '\0')
        ok &= fn (line, user);
    }
  free (line);
  return ok;
}

/* ------------------------------------------------------------------ */
/* check                                                               */
/* ------------------------------------------------------------------ */

static gboolean
check_build (GnSpace *space, const char *arch, gboolean published,
             GError **error)
{
  int size = 32, classes = 10;
  if (published)
    gn_space_published_input (space, &size, &classes);
  GnBuildOptions opts = { .batch = published ? 1 : 2, .in_h = size,
                          .in_w = size, .classifier = published,
                          .num_classes = classes, .published = published };
  GnNet *net = gn_space_build (space, arch, &opts, error);
  if (net == NULL)
    return FALSE;
  gn_net_free (net);
  return TRUE;
}

/* builds @arch in each named configuration of the space */
static gboolean
check_configs (GnSpace *space, const char *arch, GString *summary,
               GError **error)
{
  char **names = gn_space_config_names (space);
  gboolean ok = TRUE;
  for (char **n = names; ok && *n; n++)
    {
      int size, classes;
      char **options;
      ok = gn_space_config (space, *n, &size, &classes, &options, error);
      if (!ok)
        break;
      GnBuildOptions opts = { .batch = 1, .in_h = size, .in_w = size,
                              .classifier = TRUE, .num_classes = classes,
                              .published = TRUE,
                              .options = (const char *const *) options };
      GnNet *net = gn_space_build (space, arch, &opts, error);
      ok = net != NULL;
      gn_net_free (net);
      g_strfreev (options);
    }
  if (ok && names[0] != NULL)
    {
      char *list = g_strjoinv (", ", names);
      g_string_append_printf (summary, ", configs %s", list);
      g_free (list);
    }
  g_strfreev (names);
  return ok;
}

static gboolean
check_benchmark (GnSpace *space, GString *summary, GError **error)
{
  const GnBenchmark *b = gn_space_get_benchmark (space, error);
  if (b == NULL)
    {
      if (g_error_matches (*error, GN_SPACE_ERROR,
                           GN_SPACE_ERROR_UNSUPPORTED))
        {
          g_clear_error (error);
          g_string_append (summary, ", no benchmark");
          return TRUE;
        }
      return FALSE;
    }
  GnTable *t = gn_table_load_benchmark (b, error);
  if (t == NULL)
    return FALSE;
  g_string_append_printf (summary, ", benchmark %s (%u rows, key %s%s, "
                          "%u metrics)", b->path, gn_table_n_rows (t),
                          b->key_column, b->key_is_hash ? " = hash" : "",
                          g_strv_length (b->metrics));
  gn_table_free (t);
  return TRUE;
}

/* space check draws CHECK_SAMPLES architectures and mutates each
 * CHECK_MUTATIONS times in a row, round-tripping every string */
#define CHECK_SAMPLES 4
#define CHECK_MUTATIONS 4

/* Does @arch (from sample or mutate, @what) decode, and encode back to
 * itself?  Hashes it too when the space can. */
static gboolean
check_round_trip (GnSpace *space, const char *arch, const char *what,
                  GError **error)
{
  GError *local = NULL;
  char *canon = gn_space_canonicalize (space, arch, &local);
  char *hash = NULL;
  gboolean ok = FALSE;
  if (canon == NULL)
    g_propagate_prefixed_error (error, local, "%s returned an architecture "
                                "that does not decode: ", what);
  else if (strcmp (canon, arch) != 0)
    {
      char *a = gn_error_quote (arch, -1, 0), *c = gn_error_quote (canon, -1,
                                                                    0);
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID,
                   "%s returned '%s', which decode then encode turn into "
                   "'%s'", what, a, c);
      g_free (a);
      g_free (c);
    }
  else
    ok = !gn_space_has_hash (space)
         || (hash = gn_space_hash (space, arch, error)) != NULL;
  g_free (hash);
  g_free (canon);
  return ok;
}

/* Samples and mutates, round-tripping each string.  Returns the first
 * sample (for the builds), or NULL with @error. */
static char *
check_sample_mutate (GnSpace *space, GError **error)
{
  GnRng rng;
  gn_rng_seed (&rng, 0);
  char *first = NULL, *arch = NULL;
  char what[64];
  for (int s = 1; s <= CHECK_SAMPLES; s++)
    {
      g_snprintf (what, sizeof what, "sample() (draw %d of seed 0)", s);
      arch = gn_space_sample (space, &rng, error);
      if (arch == NULL || !check_round_trip (space, arch, what, error))
        goto fail;
      if (first == NULL)
        first = g_strdup (arch);
      for (int m = 1; m <= CHECK_MUTATIONS; m++)
        {
          char *next = gn_space_mutate (space, arch, &rng, error);
          g_free (arch);
          arch = next;
          g_snprintf (what, sizeof what, "mutate() (draw %d, mutation %d)",
                      s, m);
          if (arch == NULL || !check_round_trip (space, arch, what, error))
            goto fail;
        }
      g_clear_pointer (&arch, g_free);
    }
  return first;

fail:
  g_free (arch);
  g_free (first);
  return NULL;
}

static int
space_check (int argc, char **argv)
{
  if (!parse ("space check", "FILE.lua",
              "Loads a search space, samples four architectures (seed 0) "
              "and mutates\neach four times in a row, checking that every "
              "string decodes and\nencodes back to itself (and hashing it "
              "if the space can), builds the\nfirst sample with the proxy "
              "defaults, as published and in each\nnamed configuration, and "
              "checks the benchmark table. "
              "Prints a one-line summary, or the first error\n(its first "
              "line: file:line and what went wrong).",
              NULL, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      gn_cli_error ("space check", "give exactly one space file (try "
                    "--help)");
      return 2;
    }

  GError *error = NULL;
  GnSpace *space = load ("space check", argv[1]);
  if (space == NULL)
    return 1;
  GString *summary = g_string_new (NULL);
  char *arch = NULL;
  int status = 1;

  arch = check_sample_mutate (space, &error);
  if (arch == NULL)
    goto out;
  if (gn_space_has_build (space)
      && (!check_build (space, arch, FALSE, &error)
          || !check_build (space, arch, TRUE, &error)))
    goto out;

  double combinations;
  guint genes = gn_space_n_genes (space, &combinations);
  g_string_append_printf (summary, "%s: ok: %s, %u genes (%.0f "
                          "combinations), %s", argv[1],
                          gn_space_name (space), genes, combinations,
                          gn_space_has_hash (space) ? "hash" : "no hash");
  if (!gn_space_has_build (space))
    g_string_append (summary, ", no network (no build function)");
  if (!check_configs (space, arch, summary, &error)
      || !check_benchmark (space, summary, &error))
    goto out;
  printf ("%s\n", summary->str);
  status = 0;

out:
  if (error != NULL)
    {
      /* one line: the traceback below it points into the sandbox */
      gn_cli_error ("space check", "%.*s", (int) strcspn (error->message,
                                                          "\n"),
                    error->message);
      g_error_free (error);
    }
  g_free (arch);
  g_string_free (summary, TRUE);
  gn_space_free (space);
  return status;
}

/* ------------------------------------------------------------------ */
/* sample                                                              */
/* ------------------------------------------------------------------ */

static int
space_sample (int argc, char **argv)
{
  gint64 n = 1, seed = 0;
  gboolean unique = FALSE;
  const GOptionEntry entries[] = {
    { "number", 'n', 0, G_OPTION_ARG_INT64, &n,
      "how many architectures (default 1)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed,
      "seed of the generator (default 0)", "S" },
    { "unique", 'u', 0, G_OPTION_ARG_NONE, &unique,
      "no architecture twice (by hash when the space has one)", NULL },
    { NULL }
  };
  if (!parse ("space sample", "FILE.lua",
              "Prints N architectures drawn by the space's sample function, "
              "one\ncanonical string a line. The same seed gives the same "
              "list.", entries, &argc, &argv))
    return 2;
  if (argc != 2 || n < 0)
    {
      gn_cli_error ("space sample", argc != 2
                    ? "give exactly one space file (try --help)"
                    : "N must not be negative");
      return 2;
    }

  GnSpace *space = load ("space sample", argv[1]);
  if (space == NULL)
    return 1;
  GnRng rng;
  gn_rng_seed (&rng, (guint64) seed);
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            NULL);
  GError *error = NULL;
  int status = 0;
  /* a space with fewer architectures than asked for must not spin */
  gint64 attempts = 0, max_attempts = 1000 + 100 * n;
  for (gint64 printed = 0; printed < n;)
    {
      char *arch = gn_space_sample (space, &rng, &error);
      if (arch == NULL)
        break;
      if (unique)
        {
          char *key = gn_space_has_hash (space)
                      ? gn_space_hash (space, arch, &error)
                      : g_strdup (arch);
          if (key == NULL)
            {
              g_free (arch);
              break;
            }
          if (!g_hash_table_add (seen, key))
            {
              g_free (arch);
              if (++attempts > max_attempts)
                {
                  g_set_error (&error, GN_SPACE_ERROR, GN_SPACE_ERROR_FAILED,
                               "found only %" G_GINT64_FORMAT " distinct "
                               "architectures in %" G_GINT64_FORMAT
                               " draws", printed, attempts + printed);
                  break;
                }
              continue;
            }
        }
      printf ("%s\n", arch);
      g_free (arch);
      printed++;
    }
  if (error != NULL)
    {
      gn_cli_error ("space sample", "%s", error->message);
      g_error_free (error);
      status = 1;
    }
  g_hash_table_unref (seen);
  gn_space_free (space);
  return status;
}

/* ------------------------------------------------------------------ */
/* info                                                                */
/* ------------------------------------------------------------------ */

typedef struct {
  GnSpace *space;
  GnBuildOptions opts;
} Info;

static gboolean
info_one (const char *arch, gpointer user)
{
  Info *info = user;
  GError *error = NULL;
  char *canon = gn_space_canonicalize (info->space, arch, &error);
  GnNet *net = canon ? gn_space_build (info->space, canon, &info->opts,
                                       &error)
                     : NULL;
  if (net == NULL)
    {
      gn_cli_error ("space info", "%s", error->message);
      g_error_free (error);
      g_free (canon);
      return FALSE;
    }
  gn_cli_print_csv_field (canon, stdout);
  printf (",%.6f,%.6f,%.6f\n", gn_net_count_params (net) / 1e6,
          gn_net_count_macs (net) / 1e6,
          gn_net_count_flops (net, gn_space_published_flops (info->space))
          / 1e6);
  gn_net_free (net);
  g_free (canon);
  return TRUE;
}

static int
space_info (int argc, char **argv)
{
  int size = 0, classes = 0;
  char **options = NULL;
  char *config = NULL;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_STRING, &config,
      "a named network of the space (e.g. mobile for DARTS's ImageNet "
      "mobile setting; `gennas space check` lists them): its input, classes "
      "and build options, under the options below", "NAME" },
    { "input-size", 0, 0, G_OPTION_ARG_INT, &size,
      "side of the square input image (default: the space's published "
      "one, e.g. 32 or 224)", "PIXELS" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &classes,
      "classes of the classifier (default: the space's published number, "
      "e.g. 10 or 1000)", "K" },
    { "space-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options,
      "a build option of the network, as the space defines them, e.g. C=36 "
      "(repeatable)", "KEY=VALUE" },
    { NULL }
  };
  if (!parse ("space info", "FILE.lua [ARCH...]",
              "Prints CSV with the header arch,params,macs,flops: for each "
              "architecture\n(from the arguments, else one a line from "
              "standard input), its\ncanonical string, the parameters in "
              "millions of the network as\npublished with its classifier, "
              "the multiply-accumulates in\nmillions of one forward "
              "pass of one image (conv and linear layers,\nbias included: "
              "NAS-Bench-201's convention), and the operations\nin millions "
              "as the space's benchmark counted them (the space's\n"
              "published.flops: the MACs unless it says otherwise; for the "
              "NDS\nspaces, NDS's own count, which equals its tables' flops). "
              "The network\nis built as the space publishes it (the input size and classes its\n"
              "benchmark trained it with: 32x32 and 10 classes unless the "
              "space\nsays otherwise, 224x224 and 1000 for the NDS ImageNet "
              "spaces);\n--input-size, --classes and --space-option change "
              "that. An invalid\narchitecture is reported on standard "
              "error; the others are still\nprinted.",
              entries, &argc, &argv))
    return 2;
  if (argc < 2 || size < 0 || size > 4096 || classes < 0
      || classes > 1000000)
    {
      gn_cli_error ("space info", argc < 2
                    ? "give a space file (try --help)"
                    : "--input-size must be in [1, 4096] and --classes in "
                      "[1, 1000000]");
      g_strfreev (options);
      g_free (config);
      return 2;
    }
  GnSpace *space = load ("space info", argv[1]);
  if (space == NULL)
    {
      g_strfreev (options);
      g_free (config);
      return 1;
    }
  int pub_size, pub_classes;
  char **cfg_options = NULL;
  GError *error = NULL;
  if (config != NULL)
    {
      if (!gn_space_config (space, config, &pub_size, &pub_classes,
                            &cfg_options, &error))
        {
          gn_cli_error ("space info", "%s", error->message);
          g_error_free (error);
          gn_space_free (space);
          g_strfreev (options);
          g_free (config);
          return 2;
        }
    }
  else
    gn_space_published_input (space, &pub_size, &pub_classes);
  /* the configuration's options, then the command line's: a later
   * key=value overrides an earlier one */
  GStrvBuilder *b = g_strv_builder_new ();
  if (cfg_options != NULL)
    g_strv_builder_addv (b, (const char **) cfg_options);
  if (options != NULL)
    g_strv_builder_addv (b, (const char **) options);
  char **all = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  Info info = { space, { .batch = 1, .classifier = TRUE, .published = TRUE,
                         .options = (const char *const *) all } };
  info.opts.in_h = info.opts.in_w = size ? size : pub_size;
  info.opts.num_classes = classes ? classes : pub_classes;
  printf ("arch,params,macs,flops\n");
  gboolean ok = each_arch ("space info", argc, argv, 2, info_one, &info);
  gn_space_free (space);
  g_strfreev (all);
  g_strfreev (cfg_options);
  g_strfreev (options);
  g_free (config);
  return ok ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* hash                                                                */
/* ------------------------------------------------------------------ */

static gboolean
hash_one (const char *arch, gpointer user)
{
  GError *error = NULL;
  char *hash = gn_space_hash (user, arch, &error);
  if (hash == NULL)
    {
      gn_cli_error ("space hash", "%s", error->message);
      g_error_free (error);
      return FALSE;
    }
  printf ("%s\n", hash);
  g_free (hash);
  return TRUE;
}

static int
space_hash (int argc, char **argv)
{
  if (!parse ("space hash", "FILE.lua [ARCH...]",
              "Prints the space's isomorphism-invariant hash of each "
              "architecture\n(from the arguments, else one a line from "
              "standard input), one a line.\nAn invalid architecture is "
              "reported on standard error and skipped.", NULL, &argc,
              &argv))
    return 2;
  if (argc < 2)
    {
      gn_cli_error ("space hash", "give a space file (try --help)");
      return 2;
    }
  GnSpace *space = load ("space hash", argv[1]);
  if (space == NULL)
    return 1;
  int status;
  if (!gn_space_has_hash (space))
    {
      gn_cli_error ("space hash", "%s: the space %s defines no hash",
                    argv[1], gn_space_name (space));
      status = 1;
    }
  else
    status = each_arch ("space hash", argc, argv, 2, hash_one, space)
             ? 0 : 1;
  gn_space_free (space);
  return status;
}

/* ------------------------------------------------------------------ */
/* the sub-commands                                                    */
/* ------------------------------------------------------------------ */

const GnCliCommand gn_cmd_space_commands[] = {
  { .name = "check", .run = space_check,
    .summary = "load a space and exercise every function once" },
  { .name = "sample", .run = space_sample,
    .summary = "print N sampled architectures" },
  { .name = "info", .run = space_info,
    .summary = "parameters and MACs of architectures as CSV" },
  { .name = "hash", .run = space_hash,
    .summary = "isomorphism-invariant hashes of architectures" },
  { NULL }
};
