/* gn-sandbox.c - sandboxed Lua 5.4 states, see gn-sandbox.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The hook runs every HOOK_PERIOD VM instructions: often enough to stop a
 * loop within microseconds of the budget, rarely enough to cost nothing
 * measurable.  It also runs at every function call, counting CALL_STEPS
 * (what a call costs, in instructions), so that a library function
 * calling C functions in a loop (table.concat over a table whose __index
 * is one) is counted too. */
#define HOOK_PERIOD 1000
#define CALL_STEPS 10

/* The time limit: the CPU time a call may take per step of its budget (20
 * seconds for the default budget, some twenty times what the budget takes
 * at Lua's usual speed).  It stops what the budget does not count: single
 * operations whose cost grows with a string's length, such as comparing
 * two long strings, run over and over.  The clock is read about every
 * CLOCK_PERIOD steps. */
#define CPU_NS_PER_STEP 200
#define CLOCK_PERIOD 1000

/* Once a limit has stopped a call, the call unwinds: Lua runs the
 * message handler and the __close methods on the way out (the library's
 * string buffers have one).  They get GRACE_STEPS before the limit's
 * error is raised again, so a __close method that loops cannot outlive
 * it either. */
#define GRACE_STEPS 1000

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
  LIMIT_STEPS,
  LIMIT_TIME
} Limit;

struct _GnSandbox {
  lua_State *L;
  char *chunkname;           /* as given, e.g. "spaces/nb201.lua"      */
  gsize mem_used, mem_max;
  gsize mem_held;            /* C memory counted with the heap (the
                                network graph), for the current call    */
  gboolean mem_refused;      /* the allocator said no during this call */
  gboolean held_refused;     /* gn__sandbox_hold() said no             */
  guint64 steps, max_steps;
  guint64 grace;             /* steps allowed after a limit, see above */
  guint64 next_clock;        /* steps at which to read the clock next  */
  gint64 cpu_start, max_cpu; /* thread CPU time, ns                    */
  gint64 wall_check;         /* monotonic µs before which the CPU time
                                cannot have reached max_cpu            */
  Limit limit;               /* which limit stopped the current call   */
  GnSpaceError code;         /* what a script error means right now    */
  /* where the allocator last refused, or a limit was first raised: for
   * errors that carry no position */
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
  if (nsize > osize
      && nsize - osize > sb->mem_max - MIN (sb->mem_used + sb->mem_held,
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

static gint64
cpu_time_ns (void)
{
#ifdef CLOCK_THREAD_CPUTIME_ID
  struct timespec ts;
  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
#endif
  return g_get_monotonic_time () * 1000;
}

/* Has the call used up its CPU time?  The monotonic clock is cheap to
 * read and runs at least as fast as the thread's CPU time, so the CPU
 * time is read only once it could be over. */
static gboolean
over_time (GnSandbox *sb)
{
  gint64 now = g_get_monotonic_time ();
  if (now < sb->wall_check)
    return FALSE;
  gint64 used = cpu_time_ns () - sb->cpu_start;
  if (used > sb->max_cpu)
    return TRUE;
  sb->wall_check = now + (sb->max_cpu - used) / 1000;
  return FALSE;
}

/* Counts @steps; returns the limit they reach, if any.  Once reached, a
 * limit stays reached until the call ends, but for the grace steps that
 * follow each time it is raised. */
static Limit
account (GnSandbox *sb, guint64 steps)
{
  sb->steps += MIN (steps, G_MAXUINT64 - sb->steps);
  if (sb->limit == LIMIT_STEPS || sb->limit == LIMIT_TIME)
    return sb->steps > sb->grace ? sb->limit : LIMIT_NONE;
  if (sb->steps > sb->max_steps)
    return LIMIT_STEPS;
  if (sb->steps < sb->next_clock)
    return LIMIT_NONE;
  sb->next_clock = sb->steps + CLOCK_PERIOD;
  return over_time (sb) ? LIMIT_TIME : LIMIT_NONE;
}

static G_NORETURN void
raise_limit (lua_State *L, GnSandbox *sb, Limit limit)
{
  if (sb->limit == LIMIT_NONE)
    /* where: the message may not keep it (a __close method's error
     * replaces it, without the handler that adds positions) */
    remember_position (sb);
  sb->limit = limit;
  sb->grace = sb->steps + GRACE_STEPS;
  if (limit == LIMIT_TIME)
    luaL_error (L, "time limit exceeded (%I ms of CPU time per call)",
                (lua_Integer) (sb->max_cpu / 1000000));
  luaL_error (L, "instruction budget exceeded (%I Lua instructions per "
              "call)", (lua_Integer) MIN (sb->max_steps,
                                          (guint64) LUA_MAXINTEGER));
  g_assert_not_reached ();
}

static int msghandler (lua_State *L);

/* Is the function being called the message handler?  It must be left to
 * run: a limit raised in it would replace the error it is handling. */
static gboolean
calling_handler (lua_State *L, lua_Debug *ar)
{
  lua_getinfo (L, "f", ar);
  gboolean handler = lua_tocfunction (L, -1) == msghandler;
  lua_pop (L, 1);
  return handler;
}

static void
count_hook (lua_State *L, lua_Debug *ar)
{
  GnSandbox *sb = sandbox_of (L);
  gboolean call = ar->event != LUA_HOOKCOUNT;
  Limit limit = account (sb, call ? CALL_STEPS : HOOK_PERIOD);
  if (limit != LIMIT_NONE && !(call && calling_handler (L, ar)))
    raise_limit (L, sb, limit);
}

void
gn__sandbox_charge (lua_State *L, guint64 steps)
{
  GnSandbox *sb = sandbox_of (L);
  Limit limit = account (sb, steps);
  if (limit != LIMIT_NONE)
    raise_limit (L, sb, limit);
}

void
gn__sandbox_hold (lua_State *L, gsize bytes)
{
  GnSandbox *sb = sandbox_of (L);
  if (bytes > sb->mem_held
      && bytes - sb->mem_held > sb->mem_max - MIN (sb->mem_used
                                                   + sb->mem_held,
                                                   sb->mem_max))
    {
      sb->limit = LIMIT_MEMORY;
      sb->held_refused = TRUE;
      luaL_error (L, "memory limit exceeded");
    }
  sb->mem_held = bytes;
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

/* setmetatable without finalizers.  Lua runs a __gc metamethod with its
 * hooks off, so neither the budget nor the time limit could stop one, and
 * finalizers run whenever the collector likes, even after the call that
 * made the object (when the space is freed, at the latest).  An object is
 * marked for finalization only if its metatable has __gc when set, so
 * refusing such metatables here leaves scripts no finalizer at all:
 * setmetatable is the only way a script sets a metatable, and its
 * userdata come from C with fixed, hidden metatables.  The rest is
 * lbaselib.c's luaB_setmetatable. */
static int
sandbox_setmetatable (lua_State *L)
{
  int t = lua_type (L, 2);
  luaL_checktype (L, 1, LUA_TTABLE);
  luaL_argexpected (L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (t == LUA_TTABLE)
    {
      lua_pushliteral (L, "__gc");
      if (lua_rawget (L, 2) != LUA_TNIL)
        luaL_error (L, "setmetatable: finalizers (__gc) are not available "
                    "in the sandbox");
      lua_pop (L, 1);
    }
  if (luaL_getmetafield (L, 1, "__metatable") != LUA_TNIL)
    return luaL_error (L, "cannot change a protected metatable");
  lua_settop (L, 2);
  lua_setmetatable (L, 1);
  return 1;
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

  lua_pushcfunction (L, sandbox_setmetatable);
  lua_setglobal (L, "setmetatable");
  gn__lua_open_counted (L);
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
  sb->max_cpu = (gint64) MIN (sb->max_steps,
                              (guint64) (G_MAXINT64 / CPU_NS_PER_STEP))
                * CPU_NS_PER_STEP;
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
  lua_sethook (sb->L, count_hook, LUA_MASKCOUNT | LUA_MASKCALL, HOOK_PERIOD);
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
    lua_close (sb->L);   /* runs no script: scripts have no finalizers */
  g_free (sb->chunkname);
  g_free (sb);
}

gboolean
gn__sandbox_read_file (const char *path, const char *what, char **text,
                       gsize *len, GError **error)
{
  g_return_val_if_fail (path != NULL && text != NULL && len != NULL, FALSE);
  char *shown = gn_error_quote (path, -1, 1000);
  GByteArray *buf = g_byte_array_new ();
  gboolean ok = FALSE;
  int fd = g_open (path, O_RDONLY, 0);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO,
                   "cannot read the %s %s: %s", what, shown, g_strerror (e));
      goto out;
    }
  /* one byte past the limit says the file is larger */
  while (buf->len <= GN_SANDBOX_MAX_FILE)
    {
      guint8 chunk[65536];
      gssize n = read (fd, chunk, MIN (sizeof chunk,
                                       GN_SANDBOX_MAX_FILE + 1 - buf->len));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO,
                       "cannot read the %s %s: %s", what, shown,
                       g_strerror (e));
          goto out;
        }
      if (n == 0)
        break;
      g_byte_array_append (buf, chunk, (guint) n);
    }
  if (buf->len > GN_SANDBOX_MAX_FILE)
    {
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO,
                   "%s: the %s is larger than %" G_GSIZE_FORMAT " MiB (a "
                   "script of a few kilobytes is expected)", shown, what,
                   GN_SANDBOX_MAX_FILE >> 20);
      goto out;
    }
  *len = buf->len;
  g_byte_array_append (buf, (const guint8 *) "", 1);
  *text = (char *) g_byte_array_free (buf, FALSE);
  buf = NULL;
  ok = TRUE;

out:
  if (fd >= 0)
    close (fd);
  if (buf != NULL)
    g_byte_array_free (buf, TRUE);
  g_free (shown);
  return ok;
}

gboolean
gn__sandbox_is_name (const char *s, gsize len)
{
  g_return_val_if_fail (s != NULL, FALSE);
  if (len == 0 || !g_utf8_validate_len (s, len, NULL)
      || g_utf8_strlen (s, len) > GN_SANDBOX_MAX_NAME)
    return FALSE;
  for (const char *p = s; p < s + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT)
        return FALSE;
    }
  return TRUE;
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
  gn__sandbox_run_named_chunk (L, sandbox_of (L)->chunkname, src, len,
                               nresults);
}

void
gn__sandbox_run_named_chunk (lua_State *L, const char *chunkname,
                             const char *src, gsize len, int nresults)
{
  const char *name = lua_pushfstring (L, "@%s", chunkname);
  int status = luaL_loadbufferx (L, src, len, name, "t");
  lua_remove (L, -2);
  if (status != LUA_OK)
    {
      /* syntax errors carry file:line; "attempt to load a binary chunk"
       * does not */
      if (!has_location (lua_tostring (L, -1)))
        {
          lua_pushfstring (L, "%s:1: %s", chunkname, lua_tostring (L, -1));
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

/* Error messages carry what scripts put in them (a message of a megabyte,
 * an architecture string with terminal escapes): each line is quoted
 * with gn_error_quote(), keeping the tabs that indent a traceback, and
 * there are at most MESSAGE_LINES of them. */
#define MESSAGE_LINES 40
#define MESSAGE_LINE_CHARS 300

static char *
quote_message (const char *text, gsize len)
{
  GString *out = g_string_new (NULL);
  const char *p = text, *end = text + len;
  for (int line = 0; p <= end; line++)
    {
      if (line == MESSAGE_LINES)
        {
          g_string_append (out, "\n...");
          break;
        }
      const char *eol = memchr (p, '\n', end - p);
      if (eol == NULL)
        eol = end;
      if (line > 0)
        g_string_append_c (out, '\n');
      while (p < eol && *p == '\t')
        g_string_append_c (out, *p++);
      char *q = gn_error_quote (p, eol - p, MESSAGE_LINE_CHARS);
      g_string_append (out, q);
      g_free (q);
      p = eol + 1;
    }
  return g_string_free (out, FALSE);
}

gboolean
gn__sandbox_call (GnSandbox *sb, lua_CFunction fn, void *ud, GError **error)
{
  lua_State *L = sb->L;
  int base = lua_gettop (L);

  sb->steps = 0;
  sb->next_clock = CLOCK_PERIOD;
  sb->cpu_start = cpu_time_ns ();
  sb->wall_check = g_get_monotonic_time () + sb->max_cpu / 1000;
  sb->limit = LIMIT_NONE;
  sb->mem_refused = FALSE;
  sb->mem_held = 0;
  sb->held_refused = FALSE;
  sb->code = GN_SPACE_ERROR_SCRIPT;
  sb->where_line = 0;

  /* light C functions and light userdata: these pushes cannot fail */
  lua_pushcfunction (L, msghandler);
  lua_pushcfunction (L, fn);
  lua_pushlightuserdata (L, ud);
  int status = lua_pcall (L, 1, 1, base + 1);
  sb->mem_held = 0;   /* the caller owns what the call built */
  if (status == LUA_OK)
    {
      lua_remove (L, base + 1);
      return TRUE;
    }

  size_t msg_len;
  const char *msg = lua_tolstring (L, -1, &msg_len);
  if (msg == NULL)
    {
      msg = "(no error message)";
      msg_len = strlen (msg);
    }
  char *text = NULL;
  GnSpaceError code = GN_SPACE_ERROR_LIMIT;
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
      text = g_strdup_printf ("%s: memory limit exceeded (%" G_GSIZE_FORMAT
                              " MiB of Lua heap%s)", where, sb->mem_max >> 20,
                              sb->held_refused ? " and network graph" : "");
    }
  else if ((sb->limit == LIMIT_STEPS || sb->limit == LIMIT_TIME)
           && !has_location (msg) && sb->where_line > 0)
    text = g_strdup_printf ("%s:%d: %s", sb->where_file, sb->where_line,
                            msg);
  else if (sb->limit != LIMIT_STEPS && sb->limit != LIMIT_TIME)
    code = sb->code;
  char *quoted = text ? quote_message (text, strlen (text))
                      : quote_message (msg, msg_len);
  g_set_error_literal (error, GN_SPACE_ERROR, code, quoted);
  g_free (quoted);
  g_free (text);
  lua_settop (L, base);

  /* hand back what the failed call left behind before the next one */
  if (sb->limit != LIMIT_NONE || sb->mem_refused)
    {
      sb->steps = 0;
      lua_gc (L, LUA_GCCOLLECT);
    }
  return FALSE;
}
