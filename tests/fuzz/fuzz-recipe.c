/* fuzz-recipe.c - fuzz harness: the recipe loader
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The input is a recipe file's text.  gn_recipe_load() reads recipes
 * from files only, so the harness writes each input to one temporary
 * file and loads that, exactly the path `--recipe FILE.lua` takes; if it
 * loads, the targets of every stage are drawn for a batch of two images
 * (which runs a recipe's own Lua signals).  Loading must return a recipe
 * or a GN_SPACE_ERROR, and drawing TRUE or a GError.  The sandbox's
 * limits are the defaults (64 MiB, 100 million instructions per call):
 * run with libFuzzer's -timeout above a few seconds.
 */
#include "gennas.h"
#include "fuzz.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BATCH 2
#define IN_C 3
#define IN_H 32
#define IN_W 32
#define MAX_CHANNELS 4096   /* gn-recipe.c's bound on a stage */
#define TARGET_PLANE 64     /* 8 x 8 */

static char *path;
static int fd = -1;
static float clean[BATCH * IN_C * IN_H * IN_W];
static float *target;

static void
remove_file (void)
{
  if (path != NULL)
    g_unlink (path);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  GError *error = NULL;
  fuzz_quiet ();
  fd = g_file_open_tmp ("gennas-fuzz-recipe-XXXXXX.lua", &path, &error);
  g_assert_no_error (error);
  atexit (remove_file);
  GnRng rng;
  gn_rng_seed (&rng, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (clean); i++)
    clean[i] = (float) gn_rng_uniform (&rng);
  target = g_new (float, (gsize) BATCH * MAX_CHANNELS * TARGET_PLANE);
  return 0;
}

static void
write_input (const uint8_t *data, size_t size)
{
  if (ftruncate (fd, 0) != 0)
    g_error ("%s: %s", path, g_strerror (errno));
  for (size_t done = 0; done < size; )
    {
      ssize_t k = pwrite (fd, data + done, size - done, (off_t) done);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        g_error ("%s: %s", path, g_strerror (errno));
      done += (size_t) k;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  write_input (data, size);
  GnRecipe *recipe = gn_recipe_load (path, &error);
  if (recipe == NULL)
    {
      g_assert_true (error->domain == GN_SPACE_ERROR);
      g_error_free (error);
      return 0;
    }
  GnRng rng;
  gn_rng_seed (&rng, 2);
  for (int s = 0; s < gn_recipe_n_stages (recipe); s++)
    {
      g_assert_cmpint (gn_recipe_channels (recipe, s), >=, 1);
      g_assert_cmpint (gn_recipe_channels (recipe, s), <=, MAX_CHANNELS);
      if (!gn_recipe_targets (recipe, s, BATCH, clean, IN_C, IN_H, IN_W,
                              &rng, target, &error))
        {
          g_assert_nonnull (error);
          g_clear_error (&error);
        }
    }
  gn_recipe_free (recipe);
  return 0;
}
