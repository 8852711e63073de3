/* gn-lrng.c - the random generator as Lua sees it ("gennas.Rng")
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 *   rng:int (lo, hi)     uniform integer in [lo, hi], both included
 *   rng:uniform ()       uniform float in [0, 1)
 *   rng:choice (list)    a uniformly chosen element of a non-empty list
 *   rng:shuffle (list)   permutes a list in place and returns it
 *
 * Every draw comes from the caller's GnRng, so a seed reproduces what a
 * space samples and mutates.
 */
#include "config.h"
#include "gn-sandbox.h"

#define RNG_MT "gennas.Rng"

static GnRng *
check_rng (lua_State *L)
{
  GnLuaRng *box = luaL_checkudata (L, 1, RNG_MT);
  if (box->rng == NULL)
    luaL_error (L, "the random generator is only usable during the call "
                "it was passed to");
  return box->rng;
}

/* uniform in [0, n) for any n >= 1 up to 2^53 */
static lua_Integer
below (GnRng *rng, lua_Unsigned n)
{
  if (n <= G_MAXUINT32)
    return gn_rng_below (rng, (guint32) n);
  /* rejection on 64-bit draws: unbiased for large ranges too */
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % n;
  guint64 x;
  do
    x = gn_rng_next (rng);
  while (x >= limit);
  return (lua_Integer) (x % n);
}

static int
rng_int (lua_State *L)
{
  GnRng *rng = check_rng (L);
  lua_Integer lo = luaL_checkinteger (L, 2);
  lua_Integer hi = luaL_checkinteger (L, 3);
  luaL_argcheck (L, lo <= hi, 3, "empty interval");
  lua_Unsigned span = (lua_Unsigned) hi - (lua_Unsigned) lo;
  luaL_argcheck (L, span < G_MAXUINT64, 3, "interval too large");
  lua_pushinteger (L, (lua_Integer) ((lua_Unsigned) lo
                                     + (lua_Unsigned) below (rng, span + 1)));
  return 1;
}

static int
rng_uniform (lua_State *L)
{
  lua_pushnumber (L, gn_rng_uniform (check_rng (L)));
  return 1;
}

static int
rng_choice (lua_State *L)
{
  GnRng *rng = check_rng (L);
  luaL_checktype (L, 2, LUA_TTABLE);
  lua_Integer n = luaL_len (L, 2);
  luaL_argcheck (L, n > 0, 2, "empty list");
  lua_geti (L, 2, 1 + below (rng, (lua_Unsigned) n));
  return 1;
}

static int
rng_shuffle (lua_State *L)
{
  GnRng *rng = check_rng (L);
  luaL_checktype (L, 2, LUA_TTABLE);
  lua_Integer n = luaL_len (L, 2);
  /* Fisher-Yates from the top, as gn_rng_permutation() */
  for (lua_Integer i = n; i > 1; i--)
    {
      lua_Integer j = 1 + below (rng, (lua_Unsigned) i);
      lua_geti (L, 2, i);
      lua_geti (L, 2, j);
      lua_seti (L, 2, i);
      lua_seti (L, 2, j);
    }
  lua_settop (L, 2);
  return 1;
}

static int
rng_tostring (lua_State *L)
{
  GnLuaRng *box = luaL_checkudata (L, 1, RNG_MT);
  lua_pushstring (L, box->rng ? "gennas.Rng" : "gennas.Rng (closed)");
  return 1;
}

void
gn__lua_open_rng (lua_State *L)
{
  static const luaL_Reg methods[] = {
    { "int", rng_int },
    { "uniform", rng_uniform },
    { "choice", rng_choice },
    { "shuffle", rng_shuffle },
    { NULL, NULL }
  };
  luaL_newmetatable (L, RNG_MT);
  luaL_newlib (L, methods);
  lua_setfield (L, -2, "__index");
  lua_pushcfunction (L, rng_tostring);
  lua_setfield (L, -2, "__tostring");
  lua_pushboolean (L, 0);
  lua_setfield (L, -2, "__metatable");   /* scripts cannot reach it */
  lua_pop (L, 1);
}

GnLuaRng *
gn__lua_new_rng (lua_State *L)
{
  GnLuaRng *box = lua_newuserdatauv (L, sizeof *box, 0);
  box->rng = NULL;
  luaL_setmetatable (L, RNG_MT);
  return box;
}
