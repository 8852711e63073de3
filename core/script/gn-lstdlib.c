/* gn-lstdlib.c - the library functions that loop in C, charged to the
 * sandbox's budget before they run
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The instruction budget is counted by a hook that Lua calls between VM
 * instructions and at function calls.  A few functions of Lua's own
 * libraries loop in C for as long as their arguments say, calling
 * nothing the hook sees: string.rep with empty strings, table.move,
 * table.insert and table.remove over a length that __len makes up, and
 * pattern matching, which backtracks (string.find (("a"):rep (30),
 * ("a-"):rep (30) .. "b") would take years).  The sandbox wraps each of
 * them: the wrapper works out an upper bound of the loop's length from the
 * arguments, charges it to the budget (gn__sandbox_charge(), which raises
 * the budget's error when it is spent), then calls Lua's own function,
 * kept as the wrapper's upvalue.  So a call either runs Lua's code as it
 * is, or fails before it starts.
 *
 * The bound of a pattern match: a Lua pattern has no nested repetition, so
 * each of its k repeated items ('*', '+', '-', '?', and %b, which scans
 * ahead, and a back-reference %1-%9) tries at most n + 1 lengths at each
 * of the n + 1 starting positions (one if the pattern is anchored), each
 * try stepping through at most m pattern items:
 *
 *     steps <= starts * (n + 1)^k * (m + 1)
 *
 * counted with saturation.  It is generous (a parser's anchored match of
 * a 100-byte string with two repeated items charges about 10^5 steps), and
 * exact enough that what it refuses would really run that long.
 */
#include "config.h"
#include "gn-sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

/* bytes copied or compared per step of the budget */
#define BYTES_PER_STEP 64

static guint64
mul_sat (guint64 a, guint64 b)
{
  return a != 0 && b > G_MAXUINT64 / a ? G_MAXUINT64 : a * b;
}

/* Calls the wrapped function, the closure's first upvalue, with the
 * arguments as given and returns what it returns. */
static int
call_wrapped (lua_State *L)
{
  int n = lua_gettop (L);
  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_call (L, n, LUA_MULTRET);
  return lua_gettop (L);
}

/* -- string.rep --------------------------------------------------------- */

static int
counted_rep (lua_State *L)
{
  size_t ls = 0, lsep = 0;
  luaL_checklstring (L, 1, &ls);
  lua_Integer n = luaL_checkinteger (L, 2);
  luaL_optlstring (L, 3, "", &lsep);
  if (n > 0 && ls + lsep == 0)
    {
      /* n copies of nothing: Lua would loop n times to build "" */
      lua_pushliteral (L, "");
      return 1;
    }
  /* Lua allocates the whole result before its loop, so the memory cap
   * bounds the loop too; the copying is charged like any other */
  if (n > 0)
    gn__sandbox_charge (L, mul_sat ((guint64) n, ls + lsep)
                           / BYTES_PER_STEP);
  return call_wrapped (L);
}

/* -- pattern matching --------------------------------------------------- */

/* The bound above, for the subject @s (from 1-based @init) and the
 * pattern @p; @plain when the pattern is a plain string. */
static guint64
match_bound (size_t n, const char *p, size_t m, gboolean plain)
{
  if (plain)   /* a substring search: n starts, m bytes compared at most */
    return mul_sat (n + 1, m + 1) / BYTES_PER_STEP + 1;
  gboolean anchored = m > 0 && p[0] == '^';
  guint64 repeats = 0;
  for (size_t i = 0; i < m; i++)
    {
      if (p[i] == '%' && i + 1 < m)
        {
          char c = p[++i];
          if (c == 'b' || (c >= '1' && c <= '9'))
            repeats++;
          continue;
        }
      if (p[i] == '[')  /* a set: its '-' is a range, not a repetition */
        {
          i++;
          if (i < m && p[i] == '^')
            i++;
          do
            {
              if (i < m && p[i] == '%')
                i++;
              i++;
            }
          while (i < m && p[i] != ']');
          continue;
        }
      if (p[i] == '*' || p[i] == '+' || p[i] == '-' || p[i] == '?')
        repeats++;
    }
  guint64 steps = mul_sat (anchored ? 1 : n + 1, m + 1);
  for (guint64 k = 0; k < repeats && steps != G_MAXUINT64; k++)
    steps = mul_sat (steps, n + 1);
  return steps;
}

/* Charges string.find/match/gmatch/gsub (s, pattern [, init [, plain]]);
 * @plain_arg is the index of find's plain flag, or 0. */
static void
charge_match (lua_State *L, int plain_arg)
{
  size_t n = 0, m = 0;
  luaL_checklstring (L, 1, &n);
  const char *p = luaL_checklstring (L, 2, &m);
  gboolean plain = plain_arg > 0 && lua_toboolean (L, plain_arg);
  if (!plain && plain_arg > 0 && strpbrk (p, "^$*+?.([%-") == NULL)
    plain = TRUE;   /* Lua searches a pattern without specials as text */
  gn__sandbox_charge (L, match_bound (n, p, m, plain));
}

static int
counted_find (lua_State *L)
{
  charge_match (L, 4);
  return call_wrapped (L);
}

static int
counted_match (lua_State *L)
{
  charge_match (L, 0);
  return call_wrapped (L);
}

/* the iterator does the matching; the bound covers all its calls */
static int
counted_gmatch (lua_State *L)
{
  charge_match (L, 0);
  return call_wrapped (L);
}

static int
counted_gsub (lua_State *L)
{
  charge_match (L, 0);
  return call_wrapped (L);
}

/* -- table.insert, remove, move ----------------------------------------- */

/* insert and remove shift the elements above the position: at most the
 * table's length (as __len says) */
static int
counted_shift (lua_State *L)
{
  if (lua_gettop (L) >= 2 && lua_type (L, 1) == LUA_TTABLE)
    {
      lua_Integer len = luaL_len (L, 1);
      if (len > 0)
        gn__sandbox_charge (L, (guint64) len);
    }
  return call_wrapped (L);
}

static int
counted_move (lua_State *L)
{
  lua_Integer f = luaL_checkinteger (L, 2), e = luaL_checkinteger (L, 3);
  if (e >= f)
    gn__sandbox_charge (L, (lua_Unsigned) e - (lua_Unsigned) f + 1);
  return call_wrapped (L);
}

/* -- installing --------------------------------------------------------- */

/* Replaces each of @fns's names in the global table @lib with its wrapper,
 * the library's own function as the wrapper's upvalue. */
static void
wrap (lua_State *L, const char *lib, const luaL_Reg *fns)
{
  if (lua_getglobal (L, lib) != LUA_TTABLE)
    {
      lua_pop (L, 1);
      return;
    }
  for (const luaL_Reg *f = fns; f->name; f++)
    {
      lua_getfield (L, -1, f->name);
      lua_pushcclosure (L, f->func, 1);
      lua_setfield (L, -2, f->name);
    }
  lua_pop (L, 1);
}

void
gn__lua_open_counted (lua_State *L)
{
  static const luaL_Reg string_fns[] = {
    { "find", counted_find },
    { "match", counted_match },
    { "gmatch", counted_gmatch },
    { "gsub", counted_gsub },
    { "rep", counted_rep },
    { NULL, NULL }
  };
  static const luaL_Reg table_fns[] = {
    { "insert", counted_shift },
    { "remove", counted_shift },
    { "move", counted_move },
    { NULL, NULL }
  };
  /* the string metatable's __index is this same table, so methods
   * (s:find ()) get the wrappers too */
  wrap (L, LUA_STRLIBNAME, string_fns);
  wrap (L, LUA_TABLIBNAME, table_fns);
}
