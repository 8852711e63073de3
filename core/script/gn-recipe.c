/* gn-recipe.c - signal-basis recipes written in Lua (see gn-recipe.h)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The recipe's table is read once into C structures; built-in signals are
 * then pure C (gn-signals.c).  A signal given as a Lua function stays a
 * registry reference in the recipe's sandbox and is called for each
 * channel (and sample, if per_sample) when targets are drawn.
 */
#include "config.h"
#include "gn-rng.h"
#include "gn-signals.h"
#include "gn-space.h"
#include "gn-recipe.h"
#include "gn-paths.h"
#include "gn-sandbox.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#define TARGET_SIZE 8
#define MAX_STAGES 8

typedef struct {
  GnSignalSpec spec;
  double *freqs;
  int fn_ref;                  /* a Lua signal function, or LUA_NOREF */
} Signal;

typedef struct {
  int channels;
  GArray *signals;             /* Signal */
} Stage;

struct _GnRecipe {
  char *name, *path, *checksum;
  GnSandbox *sb;
  GnNoiseKind noise;
  float noise_level;
  int n_stages;
  Stage stages[MAX_STAGES];
  /* a sequence recipe (docs/recipes.md): 0 steps for an image recipe */
  int seq_length, seq_width, seq_batch;
};

/* Helpers every recipe sees, in the recipe's own environment. */
static const char prelude[] =
  "function frange (a, b, step)\n"
  "  local t, n = {}, math.floor ((b - a) / step + 1e-9)\n"
  "  for i = 0, n do t[#t + 1] = a + i * step end\n"
  "  return t\n"
  "end\n"
  "function linspace (a, b, n)\n"
  "  local t = {}\n"
  "  for i = 0, n - 1 do\n"
  "    t[#t + 1] = n == 1 and a or a + (b - a) * i / (n - 1)\n"
  "  end\n"
  "  return t\n"
  "end\n";

/* ------------------------------------------------------------------ */
/* reading the table (inside a protected call: errors longjmp)         */
/* ------------------------------------------------------------------ */

typedef struct {
  GnRecipe *recipe;
  const char *src;
  gsize len;
} Load;

/* Raises "FILE: WHERE: message" as a GN_SPACE_ERROR_INVALID. */
static G_NORETURN void invalid (lua_State *L, const char *where,
                                const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
invalid (lua_State *L, const char *where, const char *fmt, ...)
{
  va_list ap;
  gn__sandbox_set_code (L, GN_SPACE_ERROR_INVALID);
  lua_getfield (L, LUA_REGISTRYINDEX, "gennas.recipe_path");
  const char *file = lua_tostring (L, -1);
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  lua_pushfstring (L, "%s: %s: %s", file ? file : "recipe", where, msg);
  g_free (msg);
  lua_error (L);
  g_assert_not_reached ();
}

/* Rejects keys of the table at @idx not in @known (a typo is an error,
 * not a silently ignored setting). */
static void
check_keys (lua_State *L, int idx, const char *where,
            const char *const *known)
{
  idx = lua_absindex (L, idx);
  lua_pushnil (L);
  while (lua_next (L, idx))
    {
      lua_pop (L, 1);
      if (lua_type (L, -1) == LUA_TNUMBER)
        continue;   /* positional entries are checked by their readers */
      const char *key = lua_tostring (L, -1);
      gboolean ok = FALSE;
      for (int i = 0; key && known[i]; i++)
        ok |= strcmp (key, known[i]) == 0;
      if (!ok)
        invalid (L, where, "unknown key '%s'", key ? key : "?");
    }
}

static double
number_field (lua_State *L, int idx, const char *key, double def,
              const char *where)
{
  double v = def;
  int t = lua_getfield (L, idx, key);
  if (t == LUA_TNUMBER)
    v = lua_tonumber (L, -1);
  else if (t != LUA_TNIL)
    invalid (L, where, "'%s' must be a number", key);
  lua_pop (L, 1);
  return v;
}

static void
read_signal (lua_State *L, Stage *stage, int idx, const char *where)
{
  static const char *const keys[] = { "freqs", "level", "per_sample",
                                      "partial", "fn", NULL };
  Signal sig = { .fn_ref = LUA_NOREF };
  if (!lua_istable (L, idx))
    invalid (L, where, "a signal is a table like %s",
             "{ \"sin1d\", freqs = ..., level = 1 }");
  check_keys (L, idx, where, keys);

  /* checked here for every kind, a Lua function's too (which
   * gn_signal_check() does not see) */
  double level = number_field (L, idx, "level", 1.0, where);
  if (!(fabs (level) <= GN_SIGNAL_MAX_LEVEL))
    invalid (L, where, "level must be a number in [-%g, %g], not %g",
             GN_SIGNAL_MAX_LEVEL, GN_SIGNAL_MAX_LEVEL, level);
  sig.spec.level = (float) level;
  sig.spec.partial = number_field (L, idx, "partial", 0.0, where);
  if (!(sig.spec.partial >= 0 && sig.spec.partial <= 1))
    invalid (L, where, "partial must be a number in [0, 1], not %g",
             sig.spec.partial);
  if (lua_getfield (L, idx, "per_sample") != LUA_TNIL)
    sig.spec.local = lua_toboolean (L, -1);
  lua_pop (L, 1);

  if (lua_getfield (L, idx, "fn") == LUA_TFUNCTION)
    {
      sig.fn_ref = luaL_ref (L, LUA_REGISTRYINDEX);   /* pops it */
      if (lua_geti (L, idx, 1) != LUA_TNIL)
        invalid (L, where, "%s", "give either a signal name or fn, not both");
      lua_pop (L, 1);
    }
  else
    {
      if (!lua_isnil (L, -1))
        invalid (L, where, "%s", "'fn' must be a function");
      lua_pop (L, 1);
      GnSignalKind kind;
      if (lua_geti (L, idx, 1) != LUA_TSTRING
          || !gn_signal_from_name (lua_tostring (L, -1), &kind))
        invalid (L, where, "unknown signal '%s' (sin1d, sin2d, dot, gdot, "
                 "resize, or fn = a function)",
                 lua_isstring (L, -1) ? lua_tostring (L, -1) : "?");
      lua_pop (L, 1);
      sig.spec.kind = kind;
    }

  if (lua_getfield (L, idx, "freqs") == LUA_TTABLE)
    {
      int n = (int) luaL_len (L, -1);
      sig.freqs = g_new0 (double, MAX (n, 1));
      sig.spec.n_freqs = n;
      sig.spec.freqs = sig.freqs;
      g_array_append_val (stage->signals, sig);   /* owned from here on */
      for (int i = 0; i < n; i++)
        {
          if (lua_geti (L, -1, i + 1) != LUA_TNUMBER)
            invalid (L, where, "%s", "freqs must be a list of numbers");
          sig.freqs[i] = lua_tonumber (L, -1);
          lua_pop (L, 1);
        }
    }
  else
    {
      if (!lua_isnil (L, -1))
        invalid (L, where, "%s", "freqs must be a list of numbers");
      g_array_append_val (stage->signals, sig);
    }
  lua_pop (L, 1);

  GError *error = NULL;
  if (sig.fn_ref == LUA_NOREF
      && !gn_signal_check (&sig.spec, stage->channels, &error))
    {
      char *msg = g_strdup (error->message);
      g_error_free (error);
      lua_pushstring (L, msg);   /* Lua's copy outlives the longjmp */
      g_free (msg);
      invalid (L, where, "%s", lua_tostring (L, -1));
    }
}

static int
load_recipe (lua_State *L)
{
  Load *ld = lua_touserdata (L, 1);
  GnRecipe *r = ld->recipe;
  static const char *const top_keys[] = { "name", "noise", "stages",
                                          "sequence", NULL };
  static const char *const seq_keys[] = { "length", "width", "batch", NULL };
  static const char *const noise_keys[] = { "kind", "level", NULL };
  static const char *const stage_keys[] = { "channels", "signals", NULL };

  lua_pushstring (L, r->path);
  lua_setfield (L, LUA_REGISTRYINDEX, "gennas.recipe_path");
  gn__sandbox_run_chunk (L, prelude, sizeof prelude - 1, 0);
  gn__sandbox_run_chunk (L, ld->src, ld->len, 1);
  if (!lua_istable (L, -1))
    invalid (L, "the file", "%s", "must return a table");
  int t = lua_gettop (L);
  check_keys (L, t, "the recipe", top_keys);

  if (lua_getfield (L, t, "name") == LUA_TSTRING)
    {
      if (!gn__sandbox_is_name (lua_tostring (L, -1), luaL_len (L, -1)))
        invalid (L, "name", "must be one line of at most %d characters of "
                 "text", GN_SANDBOX_MAX_NAME);
      g_free (r->name);
      r->name = g_strdup (lua_tostring (L, -1));
    }
  lua_pop (L, 1);

  r->noise = GN_NOISE_NONE;
  if (lua_getfield (L, t, "noise") == LUA_TTABLE)
    {
      check_keys (L, -1, "noise", noise_keys);
      lua_getfield (L, -1, "kind");
      const char *kind = lua_tostring (L, -1);
      if (kind == NULL || strcmp (kind, "none") == 0)
        r->noise = GN_NOISE_NONE;
      else if (strcmp (kind, "uniform") == 0)
        r->noise = GN_NOISE_UNIFORM;
      else if (strcmp (kind, "gaussian") == 0)
        r->noise = GN_NOISE_GAUSSIAN;
      else
        invalid (L, "noise", "kind '%s' is not none, uniform or gaussian",
                 kind);
      lua_pop (L, 1);
      double level = number_field (L, lua_gettop (L), "level", 0.0, "noise");
      if (!(level >= 0 && level <= GN_SIGNAL_MAX_LEVEL))
        invalid (L, "noise", "level must be a number in [0, %g], not %g",
                 GN_SIGNAL_MAX_LEVEL, level);
      r->noise_level = (float) level;
    }
  else if (!lua_isnil (L, -1))
    invalid (L, "noise", "%s", "must be a table { kind = ..., level = ... }");
  lua_pop (L, 1);

  if (lua_getfield (L, t, "sequence") == LUA_TTABLE)
    {
      static const struct { const char *key; int max; } dims[] = {
        { "length", 1024 }, { "width", 4096 }, { "batch", 4096 }
      };
      int *out[] = { &r->seq_length, &r->seq_width, &r->seq_batch };
      check_keys (L, -1, "sequence", seq_keys);
      for (gsize i = 0; i < G_N_ELEMENTS (dims); i++)
        {
          double v = number_field (L, lua_gettop (L), dims[i].key, 0,
                                   "sequence");
          if (!(v >= 1 && v <= dims[i].max && v == floor (v)))
            invalid (L, "sequence", "%s must be an integer in [1, %d]",
                     dims[i].key, dims[i].max);
          *out[i] = (int) v;
        }
    }
  else if (!lua_isnil (L, -1))
    invalid (L, "sequence", "%s",
             "must be a table { length = L, width = D, batch = B }");
  lua_pop (L, 1);

  if (lua_getfield (L, t, "stages") != LUA_TTABLE)
    invalid (L, "stages", "%s", "must be a list of stages");
  int n = (int) luaL_len (L, -1);
  if (n < 1 || n > MAX_STAGES)
    invalid (L, "stages", "%s", "must list between 1 and 8 stages");
  if (r->seq_length && n != 2)
    invalid (L, "stages", "%s", "a sequence recipe lists two stages, the "
             "input's signals and the target's");
  for (int s = 0; s < n; s++)
    {
      char where[64];
      g_snprintf (where, sizeof where, "stages[%d]", s + 1);
      if (lua_geti (L, -1, s + 1) != LUA_TTABLE)
        invalid (L, where, "%s", "must be a table");
      check_keys (L, -1, where, stage_keys);
      Stage *stage = &r->stages[s];
      stage->signals = g_array_new (FALSE, TRUE, sizeof (Signal));
      r->n_stages = s + 1;
      double c = number_field (L, lua_gettop (L), "channels",
                               r->seq_length ? 1 : 0, where);
      if (!(c >= 1 && c <= 4096 && c == floor (c)))
        invalid (L, where, "%s", "channels must be an integer in [1, 4096]");
      if (r->seq_length && c != 1)
        invalid (L, where, "%s", "a sequence recipe's stages have one "
                 "channel");
      stage->channels = (int) c;
      if (lua_getfield (L, -1, "signals") != LUA_TTABLE)
        invalid (L, where, "%s", "signals must be a list");
      int m = (int) luaL_len (L, -1);
      for (int k = 0; k < m; k++)
        {
          char sw[96];
          g_snprintf (sw, sizeof sw, "%s.signals[%d]", where, k + 1);
          lua_geti (L, -1, k + 1);
          read_signal (L, stage, lua_gettop (L), sw);
          lua_pop (L, 1);
          const Signal *sig = &g_array_index (stage->signals, Signal, k);
          if (r->seq_length && (sig->fn_ref != LUA_NOREF
                                || sig->spec.kind == GN_SIGNAL_RESIZE))
            invalid (L, sw, "%s", "a sequence recipe draws sin1d, sin2d, "
                     "dot and gdot only (no resize, no fn)");
        }
      lua_pop (L, 2);
    }
  lua_pop (L, 1);
  lua_pushboolean (L, TRUE);
  return 1;
}

/* ------------------------------------------------------------------ */
/* loading                                                             */
/* ------------------------------------------------------------------ */

/* A bare name is looked up as NAME.lua in $GENNAS_RECIPE_PATH, then the
 * installed recipes folder (or $GENNAS_RECIPE_SYSTEM_PATH in its place). */
static char *
resolve (const char *name_or_path, GError **error)
{
  if (strchr (name_or_path, '/') || g_str_has_suffix (name_or_path, ".lua"))
    return g_strdup (name_or_path);

  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  gn__append_search_path (dirs, "GENNAS_RECIPE_PATH");
  gn__append_installed (dirs, "GENNAS_RECIPE_SYSTEM_PATH", "recipes");
  char *file = g_strconcat (name_or_path, ".lua", NULL);
  GError *local = NULL;
  char *found = gn__find_in_path (dirs, file, "Recipe", &local);
  if (found == NULL)
    {
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO, "no recipe "
                   "'%s': %s (set GENNAS_RECIPE_PATH to add folders)",
                   name_or_path, local->message);
      g_error_free (local);
    }
  g_free (file);
  g_ptr_array_free (dirs, TRUE);
  return found;
}

void
gn_recipe_free (GnRecipe *r)
{
  if (r == NULL)
    return;
  for (int s = 0; s < r->n_stages; s++)
    {
      GArray *sigs = r->stages[s].signals;
      for (guint k = 0; sigs && k < sigs->len; k++)
        g_free (g_array_index (sigs, Signal, k).freqs);
      if (sigs)
        g_array_free (sigs, TRUE);
    }
  gn__sandbox_free (r->sb);   /* drops the function references too */
  g_free (r->name);
  g_free (r->path);
  g_free (r->checksum);
  g_free (r);
}

GnRecipe *
gn_recipe_load (const char *name_or_path, GError **error)
{
  g_return_val_if_fail (name_or_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  char *src = NULL;
  gsize len = 0;
  GnRecipe *r = g_new0 (GnRecipe, 1);

  r->path = resolve (name_or_path, error);
  if (r->path == NULL)
    goto fail;
  if (!gn__sandbox_read_file (r->path, "recipe", &src, &len, error))
    goto fail;
  r->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                             (const guchar *) src, len);
  char *base = g_path_get_basename (r->path);
  r->name = g_strndup (base, strlen (base)
                             - (g_str_has_suffix (base, ".lua") ? 4 : 0));
  g_free (base);
  r->sb = gn__sandbox_new (r->path, NULL, error);
  if (r->sb == NULL)
    goto fail;
  Load ld = { r, src, len };
  if (!gn__sandbox_call (r->sb, load_recipe, &ld, error))
    goto fail;
  lua_pop (gn__sandbox_lua (r->sb), 1);
  g_free (src);
  return r;

fail:
  g_free (src);
  gn_recipe_free (r);
  return NULL;
}

const char *
gn_recipe_name (GnRecipe *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  return r->name;
}

const char *
gn_recipe_checksum (GnRecipe *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  return r->checksum;
}

int
gn_recipe_n_stages (GnRecipe *r)
{
  g_return_val_if_fail (r != NULL, 0);
  return r->n_stages;
}

int
gn_recipe_channels (GnRecipe *r, int stage)
{
  g_return_val_if_fail (r != NULL && stage >= 0 && stage < r->n_stages, 0);
  return r->stages[stage].channels;
}

GnNoiseKind
gn_recipe_noise (GnRecipe *r, float *level)
{
  g_return_val_if_fail (r != NULL, GN_NOISE_NONE);
  if (level)
    *level = r->noise_level;
  return r->noise;
}

void
gn_noise_apply (GnNoiseKind kind, float level, const float *clean,
                float *out, gsize n, GnRng *rng)
{
  switch (kind)
    {
    case GN_NOISE_NONE:
      memcpy (out, clean, n * sizeof (float));
      break;
    case GN_NOISE_UNIFORM:
      for (gsize i = 0; i < n; i++)
        out[i] = clean[i] + gn_rng_uniformf (rng, -level, level);
      break;
    case GN_NOISE_GAUSSIAN:
      for (gsize i = 0; i < n; i++)
        out[i] = clean[i] + level * (float) gn_rng_normal (rng);
      break;
    }
}

/* ------------------------------------------------------------------ */
/* drawing targets                                                     */
/* ------------------------------------------------------------------ */

typedef struct {
  const Signal *sig;
  int batch, channels;
  GnRng *rng;
  float *target;
} LuaDraw;

/* Reads the map on top of the stack (64 numbers, flat or as 8 rows of 8)
 * and adds level x map into @out. */
static void
add_map (lua_State *L, float level, float *out, const char *what)
{
  if (!lua_istable (L, -1))
    luaL_error (L, "%s must return a table of 8x8 numbers", what);
  gboolean nested = lua_geti (L, -1, 1) == LUA_TTABLE;
  lua_pop (L, 1);
  for (int i = 0; i < TARGET_SIZE * TARGET_SIZE; i++)
    {
      int t = nested ? (lua_geti (L, -1, i / TARGET_SIZE + 1),
                        lua_geti (L, -1, i % TARGET_SIZE + 1))
                     : lua_geti (L, -1, i + 1);
      if (t != LUA_TNUMBER)
        luaL_error (L, "%s must return 64 numbers (a flat list or 8 rows "
                    "of 8); value %d is not a number", what, i + 1);
      double v = lua_tonumber (L, -1);
      if (!isfinite (v))
        luaL_error (L, "%s returned a non-finite value", what);
      out[i] += level * (float) v;
      lua_pop (L, nested ? 2 : 1);
    }
}

static int
draw_lua_signal (lua_State *L)
{
  LuaDraw *d = lua_touserdata (L, 1);
  GnLuaRng *box = gn__lua_new_rng (L);
  int box_idx = lua_gettop (L);
  box->rng = d->rng;
  int plane = TARGET_SIZE * TARGET_SIZE;
  int draws = d->sig->spec.local ? d->batch : 1;
  for (int n = 0; n < draws; n++)
    for (int c = 0; c < d->channels; c++)
      {
        lua_rawgeti (L, LUA_REGISTRYINDEX, d->sig->fn_ref);
        lua_pushvalue (L, box_idx);
        lua_pushinteger (L, n + 1);
        lua_pushinteger (L, c + 1);
        lua_call (L, 3, 1);
        add_map (L, d->sig->spec.level,
                 d->target + ((gsize) n * d->channels + c) * plane,
                 "a signal function");
        lua_pop (L, 1);
      }
  box->rng = NULL;
  /* without per_sample, one draw serves the whole batch */
  gsize sample = (gsize) d->channels * plane;
  for (int n = draws; n < d->batch; n++)
    for (gsize i = 0; i < sample; i++)
      d->target[n * sample + i] += d->target[i];
  lua_pushboolean (L, TRUE);
  return 1;
}

gboolean
gn_recipe_targets (GnRecipe *r, int stage, int batch, const float *clean,
                   int in_c, int in_h, int in_w, GnRng *rng, float *target,
                   GError **error)
{
  g_return_val_if_fail (r != NULL && stage >= 0 && stage < r->n_stages,
                        FALSE);
  g_return_val_if_fail (batch > 0 && rng != NULL && target != NULL, FALSE);
  const Stage *st = &r->stages[stage];
  gsize plane = TARGET_SIZE * TARGET_SIZE;
  memset (target, 0, (gsize) batch * st->channels * plane * sizeof (float));

  for (guint k = 0; k < st->signals->len; k++)
    {
      const Signal *sig = &g_array_index (st->signals, Signal, k);
      if (sig->fn_ref == LUA_NOREF)
        {
          gn_signal_add (&sig->spec, batch, st->channels, TARGET_SIZE, clean,
                         in_c, in_h, in_w, rng, target);
          continue;
        }
      /* a Lua signal adds into a scratch map first, so a failing call
       * leaves no half-written target behind */
      float *tmp = g_new0 (float, (gsize) batch * st->channels * plane);
      LuaDraw d = { sig, batch, st->channels, rng, tmp };
      gboolean ok = gn__sandbox_call (r->sb, draw_lua_signal, &d, error);
      if (ok)
        {
          lua_pop (gn__sandbox_lua (r->sb), 1);
          for (gsize i = 0; i < (gsize) batch * st->channels * plane; i++)
            target[i] += tmp[i];
        }
      g_free (tmp);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

gboolean
gn_recipe_sequence (GnRecipe *r, int *length, int *width, int *batch)
{
  g_return_val_if_fail (r != NULL, FALSE);
  if (length)
    *length = r->seq_length;
  if (width)
    *width = r->seq_width;
  if (batch)
    *batch = r->seq_batch;
  return r->seq_length > 0;
}

gboolean
gn_recipe_sequence_signal (GnRecipe *r, int stage, GnRng *rng, float *out)
{
  g_return_val_if_fail (r != NULL && r->seq_length > 0, FALSE);
  g_return_val_if_fail (stage >= 0 && stage < r->n_stages, FALSE);
  g_return_val_if_fail (rng != NULL && out != NULL, FALSE);
  int L = r->seq_length, D = r->seq_width, B = r->seq_batch;
  int size = MAX (L, D);
  gsize plane = (gsize) size * size;
  float *grid = g_try_new0 (float, (gsize) B * plane);
  if (grid == NULL)
    return FALSE;
  const Stage *st = &r->stages[stage];
  for (guint k = 0; k < st->signals->len; k++)
    gn_signal_add (&g_array_index (st->signals, Signal, k).spec, B, 1, size,
                   NULL, 0, 0, 0, rng, grid);
  /* (B, 1, size, size) cropped to (B, 1, L, D), then time-major */
  for (int t = 0; t < L; t++)
    for (int b = 0; b < B; b++)
      memcpy (out + ((gsize) t * B + b) * D,
              grid + b * plane + (gsize) t * size, (gsize) D * sizeof (float));
  g_free (grid);
  return TRUE;
}
