/* fuzz-space.c - fuzz harness: the Lua space loader
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The input is a space file's text, run in the sandbox as
 * gn_space_load_full() runs any space; if it loads, the harness then does
 * what `gennas space check` does with a space: samples an architecture,
 * canonicalizes, mutates and hashes it, takes its genotype (as `gennas
 * export-arch` does), and builds it (uncompiled) with
 * and without the classifier.  Every step must return a result or a
 * GN_SPACE_ERROR, within the sandbox's limits; they are set lower than
 * the defaults (GnSpaceLimits: 16 MiB, 10 million instructions) so that
 * a looping input costs a tenth of a second rather than one, with the
 * same code bounding it.
 */
#include "gennas.h"
#include "fuzz.h"

static const GnSpaceLimits limits = {
  .max_memory = (gsize) 16 << 20,
  .max_instructions = 10000000,
};

static gboolean
check_build (GnSpace *space, const char *arch, gboolean published,
             GError **error)
{
  GnBuildOptions opts = { .batch = published ? 1 : 2,
                          .classifier = published, .published = published };
  GnNet *net = gn_space_build (space, arch, &opts, error);
  gn_net_free (net);
  return net != NULL;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  char *arch = NULL, *canon = NULL, *mutant = NULL, *hash = NULL;
  char *genotype = NULL;
  GnRng rng;

  /* the name says where a benchmark is looked for: nowhere here */
  GnSpace *space = gn_space_load_full ("fuzz/space.lua", (const char *) data,
                                       size, &limits, &error);
  if (space == NULL)
    goto out;
  gn_rng_seed (&rng, 0);
  if ((arch = gn_space_sample (space, &rng, &error)) == NULL
      || (canon = gn_space_canonicalize (space, arch, &error)) == NULL
      || (mutant = gn_space_mutate (space, canon, &rng, &error)) == NULL
      || (gn_space_has_hash (space)
          && (hash = gn_space_hash (space, canon, &error)) == NULL)
      || (genotype = gn_space_genotype (space, canon, &error)) == NULL
      || !check_build (space, canon, FALSE, &error)
      || !check_build (space, canon, TRUE, &error))
    goto out;

out:
  if (error != NULL)
    {
      g_assert_true (error->domain == GN_SPACE_ERROR);
      g_assert_nonnull (error->message);
      g_error_free (error);
    }
  g_free (arch);
  g_free (canon);
  g_free (mutant);
  g_free (hash);
  g_free (genotype);
  gn_space_free (space);
  return 0;
}
