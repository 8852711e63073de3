/* gn-recipe.h - signal-basis recipes: which targets GenNAS regresses
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A recipe is a Lua file (in lua/recipes/, documented in docs/recipes.md) returning a
 * table that says, for each of the three stages, how many target channels
 * to regress and which signals make them (gn-signals.h: sin1d, sin2d, dot,
 * gdot, resize, each with a level, frequencies or a dot share, and
 * whether it is drawn per sample), plus the input noise.  A recipe may
 * also define its own signal as a Lua function returning an 8x8 map.
 *
 * Recipes run in the same sandbox as search spaces.
 */
#ifndef GN_RECIPE_H
#define GN_RECIPE_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-rng.h"

G_BEGIN_DECLS

typedef enum {
  GN_NOISE_NONE,
  GN_NOISE_UNIFORM,     /* U(-level, level) per element */
  GN_NOISE_GAUSSIAN     /* N(0, 1) * level per element  */
} GnNoiseKind;

typedef struct _GnRecipe GnRecipe;

/**
 * gn_recipe_load:
 * @name_or_path: a file path, or a bare name ("combo") looked up as
 *   NAME.lua in each folder of $GENNAS_RECIPE_PATH (colon-separated),
 *   then in the installed $(pkgdatadir)/recipes (or the folders of
 *   $GENNAS_RECIPE_SYSTEM_PATH in its place, when set)
 *
 * Returns: (transfer full): the recipe, or NULL with a GN_SPACE_ERROR
 * (file:line for script errors, GN_SPACE_ERROR_INVALID for a table that
 * breaks the recipe format, naming the key).
 */
GnRecipe   *gn_recipe_load (const char *name_or_path, GError **error);
void        gn_recipe_free (GnRecipe *recipe);

const char *gn_recipe_name (GnRecipe *recipe);
/** Returns: (transfer none): a SHA-256 of the recipe file's text. */
const char *gn_recipe_checksum (GnRecipe *recipe);
int         gn_recipe_n_stages (GnRecipe *recipe);
int         gn_recipe_channels (GnRecipe *recipe, int stage);
GnNoiseKind gn_recipe_noise (GnRecipe *recipe, float *level);

/**
 * gn_noise_apply:
 * @clean: (array length=n): the input without noise
 * @out: (array length=n): receives @clean plus noise of @kind at @level,
 *   drawn from @rng (a copy of @clean for GN_NOISE_NONE)
 *
 * The input noise of a recipe (gn_recipe_noise()), one draw per element.
 */
void        gn_noise_apply (GnNoiseKind kind, float level, const float *clean,
                            float *out, gsize n, GnRng *rng);

/**
 * gn_recipe_targets:
 * @clean: the input batch without noise, [batch][in_c][in_h][in_w]
 * @target: [batch][channels(stage)][8][8], overwritten
 *
 * Draws the stage's targets from @rng.
 *
 * Returns: FALSE with @error if a Lua signal fails or returns a bad map.
 */
gboolean gn_recipe_targets (GnRecipe *recipe, int stage, int batch,
                            const float *clean, int in_c, int in_h,
                            int in_w, GnRng *rng, float *target,
                            GError **error);

/**
 * gn_recipe_sequence:
 * @length, @width, @batch: (out) (optional): the sequences' steps and
 *   features, and how many make the batch (0 for an image recipe)
 *
 * A sequence recipe (docs/recipes.md, "Sequence recipes"; the NLP task
 * of docs/method.md) declares `sequence = { length, width, batch }` and
 * two stages, one channel each: the input's signals and the target's,
 * regressed many-to-many by a recurrent network.
 *
 * Returns: TRUE for a sequence recipe.
 */
gboolean gn_recipe_sequence (GnRecipe *recipe, int *length, int *width,
                             int *batch);

/**
 * gn_recipe_sequence_signal:
 * @stage: 0 for the input, 1 for the target
 * @out: [length][batch][width], overwritten
 *
 * Draws @stage's signals from @rng as GenNAS's NLPTask does: one
 * channel on a square of max(length, width) pixels per sample (the
 * generators of gn-signals.h), of which the first @length rows are the
 * steps and their first @width columns the features.
 *
 * Returns: FALSE if the grid cannot be allocated (nothing else fails).
 */
gboolean gn_recipe_sequence_signal (GnRecipe *recipe, int stage, GnRng *rng,
                                    float *out);

G_END_DECLS

#endif /* GN_RECIPE_H */
