/* gn-sandbox.c - sandboxed Lua 5.4 states, see gn-sandbox.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gn-sandbox.h"

#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The count hook runs every HOOK_PERIOD VM instructions: often enough to
 * stop a loop within microseconds of the budget, rarely enough to cost
 * nothing measurable. */
#define HOOK_PERIOD 1000

/* Every BYTES_PER_STEP bytes the Lua heap grows by also count as one
 * instruction: a library call that allocates (string.rep, a concatenation,
 * table.concat) costs time in proportion to its bytes, not one
 * instruction, and a loop of them must not outlive the budget by hours.
 * Typical scripts allocate far less per instruction, so this changes
 * nothing for them. */
#define BYTES_PER_STEP 16

typedef enum {
  LIMIT_NONE,
  LIMIT_MEMORY,
  LIMIT_STEPS
} Limit;

struct _GnSandbox {
  lua_State *L;
  char *chunkname;           /* as given, e.g. "spaces/nb201.lua"      */
  gsize mem_used, mem_max;
  gboolean mem_refused;      /* the allocator said no during this call */
  guint64 steps, max_steps;
  Limit limit;               /* which limit stopped the current call   */
  GnSpaceError code;         /* what a script error means right now    */
  /* where the allocator last refused, for memory errors, which carry no
   * position */
  char where_file[LUA_IDSIZE];
  int where_line;
};

static GnSandbox *
sandbox_of (lua_State *L)
{
  return *(GnSandbox **) lua_getextraspace (L);
}

/* Where the innermost Lua function is: called when the allocator refuses,
 * because a memory error carries no position.  lua_getstack() and
 * lua_getinfo("Sl") only read the call stack, which is consistent
 * whenever Lua allocates, and allocate nothing themselves. */
static void
remember_position (GnSandbox *sb)
{
  lua_Debug ar;
  for (int level = 0; lua_getstack (sb->L, level, &ar); level++)
    if (lua_getinfo (sb->L, "Sl", &ar) && ar.currentline > 0)
      {
        g_strlcpy (sb->where_file, ar.short_src, sizeof sb->where_file);
        sb->where_line = ar.currentline;
        return;
      }
}

/* lauxlib's l_alloc with a cap.  Lua runs an emergency collection and
 * retries before it reports the failure, so refusing is safe; shrinking
 * never fails. */
static void *
capped_alloc (void *ud, void *ptr, size_t osize, size_t nsize)
{
  GnSandbox *sb = ud;
  if (ptr == NULL)
    osize = 0;   /* then osize encodes the object type, not a size */
  if (nsize == 0)
    {
      free (ptr);
      sb->mem_used -= osize;
      return NULL;
    }
  if (nsize > osize && nsize - osize > sb->mem_max - MIN (sb->mem_used,
                                                          sb->mem_max))
    {
      sb->mem_refused = TRUE;
      if (sb->L != NULL)
        remember_position (sb);
      return NULL;
    }
  void *p = realloc (ptr, nsize);
  if (p != NULL)
    {
      sb->mem_used = sb->mem_used - osize + nsize;
      /* the count hook, which alone may raise, sees it next time */
      if (nsize > osize)
        sb->steps += (nsize - osize) / BYTES_PER_STEP;
    }
  return p;
}

static void
count_hook (lua_State *L, lua_Debug *ar)
{
  GnSandbox *sb = sandbox_of (L);
  sb->steps += HOOK_PERIOD;
  if (sb->steps > sb->max_steps)
    {
      sb->limit = LIMIT_STEPS;
      luaL_error (L, "instruction budget exceeded (%I Lua instructions "
                  "per call)", (lua_Integer) MIN (sb->max_steps,
                                                  (guint64) LUA_MAXINTEGER));
    }
}

/* "file:line:" already at the start of @msg? */
static gboolean
has_location (const char *msg)
{
  const char *colon = strchr (msg, ':');
  if (colon == NULL || colon == msg || memchr (msg, '\n', colon - msg))
    return FALSE;
  const char *p = colon + 1;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  return *p == ':';
}

/* lua.c's msghandler, plus a location for errors raised without one
 * (error objects that are not strings, errors thrown from C with
 * lua_error, the budget hook) so every message starts with file:line. */
static int
msghandler (lua_State *L)
{
  const char *msg = lua_tostring (L, 1);
  if (msg == NULL)
    {
      if (luaL_callmeta (L, 1, "__tostring")
          && lua_type (L, -1) == LUA_TSTRING)
        msg = lua_tostring (L, -1);
      else
        msg = lua_pushfstring (L, "(error object is a %s value)",
                               luaL_typename (L, 1));
    }
  lua_Debug ar;
  gboolean in_lua = FALSE;
  for (int level = 1; !in_lua && lua_getstack (L, level, &ar); level++)
    in_lua = lua_getinfo (L, "Sl", &ar) && ar.currentline > 0;
  if (!in_lua)
    {
      /* raised by C before or after the script ran (a syntax error, a
       * broken space table): a traceback of "[C]: in ?" says nothing */
      lua_pushstring (L, msg);
      return 1;
    }
  if (!has_location (msg))
    msg = lua_pushfstring (L, "%s:%d: %s", ar.short_src, ar.currentline,
                           msg);
  luaL_traceback (L, L, msg, 1);
  return 1;
}

/* pcall and xpcall that re-raise a limit error instead of returning it,
 * so `while true do pcall(f) end` cannot outlive the budget. */
static int
finish_pcall (lua_State *L, int status, int first)
{
  GnSandbox *sb = sandbox_of (L);
  if (status == LUA_ERRMEM)
    sb->limit = LIMIT_MEMORY;
  if (status != LUA_OK)
    {
      if (sb->limit != LIMIT_NONE)
        return lua_error (L);
      lua_pushboolean (L, 0);
      lua_insert (L, -2);
      return 2;
    }
  lua_pushboolean (L, 1);
  lua_insert (L, first);
  return lua_gettop (L) - first + 1;
}

static int
sandbox_pcall (lua_State *L)
{
  luaL_checkany (L, 1);
  int status = lua_pcall (L, lua_gettop (L) - 1, LUA_MULTRET, 0);
  return finish_pcall (L, status, 1);
}

static int
sandbox_xpcall (lua_State *L)
{
  int n = lua_gettop (L);
  luaL_checktype (L, 2, LUA_TFUNCTION);
  lua_pushvalue (L, 1);   /* f, h, args..., f */
  lua_copy (L, 2, 1);     /* h, h, args..., f */
  lua_replace (L, 2);     /* h, f, args...    */
  int status = lua_pcall (L, n - 2, LUA_MULTRET, 1);
  return finish_pcall (L, status, 2);
}

static int
sandbox_print (lua_State *L)
{
  int n = lua_gettop (L);
  luaL_Buffer b;
  luaL_buffinit (L, &b);
  for (int i = 1; i <= n; i++)
    {
      if (i > 1)
        luaL_addchar (&b, '\t');
      luaL_tolstring (L, i, NULL);
      luaL_addvalue (&b);
    }
  luaL_pushresult (&b);
  g_message ("%s: %s", sandbox_of (L)->chunkname, lua_tostring (L, -1));
  return 0;
}

static int
sandbox_panic (lua_State *L)
{
  /* only reachable through a bug of ours: every entry is protected */
  g_error ("unprotected Lua error: %s", lua_tostring (L, -1));
  return 0;
}

static void
remove_field (lua_State *L, const char *table, const char *field)
{
  if (table == NULL)
    lua_pushglobaltable (L);
  else
    lua_getglobal (L, table);
  lua_pushnil (L);
  lua_setfield (L, -2, field);
  lua_pop (L, 1);
}

static int
sandbox_init (lua_State *L)
{
  /* linit.c's advice: copy the list and keep what you want */
  static const luaL_Reg libs[] = {
    { LUA_GNAME, luaopen_base },
    { LUA_TABLIBNAME, luaopen_table },
    { LUA_STRLIBNAME, luaopen_string },
    { LUA_MATHLIBNAME, luaopen_math },
    { LUA_UTF8LIBNAME, luaopen_utf8 },
    { NULL, NULL }
  };
  luaL_checkversion (L);
  for (const luaL_Reg *lib = libs; lib->func != NULL; lib++)
    {
      luaL_requiref (L, lib->name, lib->func, 1);
      lua_pop (L, 1);
    }
  static const char *const gone[] = { "dofile", "loadfile", "load",
                                      "require", "collectgarbage", NULL };
  for (const char *const *g = gone; *g != NULL; g++)
    remove_field (L, NULL, *g);
  remove_field (L, LUA_STRLIBNAME, "dump");
  /* math.random is seeded from the clock: a space must draw from the
   * GnRng it is given, or a seed would not reproduce a search */
  remove_field (L, LUA_MATHLIBNAME, "random");
  remove_field (L, LUA_MATHLIBNAME, "randomseed");

  lua_pushcfunction (L, sandbox_print);
  lua_setglobal (L, "print");
  lua_pushcfunction (L, sandbox_pcall);
  lua_setglobal (L, "pcall");
  lua_pushcfunction (L, sandbox_xpcall);
  lua_setglobal (L, "xpcall");

  gn__lua_open_net (L);
  gn__lua_open_rng (L);
  gn__lua_open_util (L);
  lua_pushnil (L);
  return 1;
}

GnSandbox *
gn__sandbox_new (const char *chunkname, const GnSpaceLimits *limits,
                 GError **error)
{
  g_return_val_if_fail (chunkname != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GnSandbox *sb = g_new0 (GnSandbox, 1);
  sb->chunkname = g_strdup (chunkname);
  sb->mem_max = limits && limits->max_memory ? limits->max_memory
                                             : GN_SANDBOX_DEFAULT_MEMORY;
  sb->max_steps = limits && limits->max_instructions
                  ? limits->max_instructions
                  : GN_SANDBOX_DEFAULT_INSTRUCTIONS;
  sb->L = lua_newstate (capped_alloc, sb);
  if (sb->L == NULL)
    {
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT,
                   "%s: cannot create a Lua state within %" G_GSIZE_FORMAT
                   " bytes", chunkname, sb->mem_max);
      gn__sandbox_free (sb);
      return NULL;
    }
  *(GnSandbox **) lua_getextraspace (sb->L) = sb;
  lua_atpanic (sb->L, sandbox_panic);
  lua_sethook (sb->L, count_hook, LUA_MASKCOUNT, HOOK_PERIOD);
  if (!gn__sandbox_call (sb, sandbox_init, NULL, error))
    {
      gn__sandbox_free (sb);
      return NULL;
    }
  lua_pop (sb->L, 1);
  return sb;
}

void
gn__sandbox_free (GnSandbox *sb)
{
  if (sb == NULL)
    return;
  if (sb->L != NULL)
    {
      /* finalizers run here: give them a budget of their own (their
       * errors, the budget's included, are dropped by lua_close) */
      sb->steps = 0;
      sb->limit = LIMIT_NONE;
      lua_close (sb->L);
    }
  g_free (sb->chunkname);
  g_free (sb);
}

lua_State *
gn__sandbox_lua (GnSandbox *sb)
{
  return sb->L;
}

const char *
gn__sandbox_chunkname (GnSandbox *sb)
{
  return sb->chunkname;
}

void
gn__sandbox_set_code (lua_State *L, GnSpaceError code)
{
  sandbox_of (L)->code = code;
}

void
gn__sandbox_run_chunk (lua_State *L, const char *src, gsize len,
                       int nresults)
{
  GnSandbox *sb = sandbox_of (L);
  const char *name = lua_pushfstring (L, "@%s", sb->chunkname);
  int status = luaL_loadbufferx (L, src, len, name, "t");
  lua_remove (L, -2);
  if (status != LUA_OK)
    {
      /* syntax errors carry file:line; "attempt to load a binary chunk"
       * does not */
      if (!has_location (lua_tostring (L, -1)))
        {
          lua_pushfstring (L, "%s:1: %s", sb->chunkname,
                           lua_tostring (L, -1));
          lua_remove (L, -2);
        }
      lua_error (L);
    }
  lua_call (L, 0, nresults);
}

void
gn__lua_raise_gerror (lua_State *L, const char *prefix, GError *err)
{
  char buf[512];
  g_strlcpy (buf, err->message, sizeof buf);
  g_error_free (err);
  luaL_error (L, "%s: %s", prefix, buf);
  g_assert_not_reached ();
}

gboolean
gn__sandbox_call (GnSandbox *sb, lua_CFunction fn, void *ud, GError **error)
{
  lua_State *L = sb->L;
  int base = lua_gettop (L);

  sb->steps = 0;
  sb->limit = LIMIT_NONE;
  sb->mem_refused = FALSE;
  sb->code = GN_SPACE_ERROR_SCRIPT;
  sb->where_line = 0;

  /* light C functions and light userdata: these pushes cannot fail */
  lua_pushcfunction (L, msghandler);
  lua_pushcfunction (L, fn);
  lua_pushlightuserdata (L, ud);
  int status = lua_pcall (L, 1, 1, base + 1);
  if (status == LUA_OK)
    {
      lua_remove (L, base + 1);
      return TRUE;
    }

  const char *msg = lua_tostring (L, -1);
  if (msg == NULL)
    msg = "(no error message)";
  if (status == LUA_ERRMEM || sb->limit == LIMIT_MEMORY
      || (sb->mem_refused && (status == LUA_ERRERR
                              || strstr (msg, "not enough memory"))))
    {
      /* A memory error raised as a regular error went through the
       * handler and has a location; a raw LUA_ERRMEM has none, but the
       * allocator noted where it refused. */
      char where[LUA_IDSIZE + 16];
      if (has_location (msg))
        g_strlcpy (where, msg, MIN (sizeof where, (gsize) (strchr (
                     strchr (msg, ':') + 1, ':') - msg + 1)));
      else if (sb->where_line > 0)
        g_snprintf (where, sizeof where, "%s:%d", sb->where_file,
                    sb->where_line);
      else
        g_strlcpy (where, sb->chunkname, sizeof where);
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT,
                   "%s: memory limit exceeded (%" G_GSIZE_FORMAT " MiB of "
                   "Lua heap)", where, sb->mem_max >> 20);
    }
  else if (sb->limit == LIMIT_STEPS)
    g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_LIMIT, "%s", msg);
  else
    g_set_error (error, GN_SPACE_ERROR, sb->code, "%s", msg);
  lua_settop (L, base);

  /* hand back what the failed call left behind before the next one */
  if (sb->limit != LIMIT_NONE || sb->mem_refused)
    {
      sb->steps = 0;
      lua_gc (L, LUA_GCCOLLECT);
    }
  return FALSE;
}
