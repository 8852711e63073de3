/* gn-sandbox.h - sandboxed Lua 5.4 states (private to libgennas)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A GnSandbox is one lua_State that runs untrusted text: search spaces
 * (gn-space.c) and signal recipes (gn-recipe.c).  It opens only the base,
 * table, string, math and utf8 libraries; it has no io, os, package,
 * debug or coroutine, and no load, loadfile, dofile, require,
 * collectgarbage, string.dump or math.random (draws come from a GnRng
 * userdata, so a seed reproduces a run).  print() goes to g_message().
 * setmetatable() refuses __gc: Lua runs finalizers with hooks off, out
 * of reach of every limit.
 *
 * Limits: the allocator refuses to grow the Lua heap (plus the C memory a
 * call holds, gn__sandbox_hold()) past a cap; a hook stops a call after
 * an instruction budget, counting VM instructions, function calls, the
 * bytes the heap grows by (one instruction per 16) and the loops of the
 * library functions that loop in C (gn-lstdlib.c, gn__sandbox_charge()),
 * and after a CPU time proportional to the budget (for single operations
 * on long strings, which it cannot count); pcall() and xpcall() are
 * replaced by versions that cannot swallow any of them.
 *
 * Every entry into Lua is gn__sandbox_call(): one protected C function
 * (lua.c's pmain pattern) under a traceback message handler.  Errors come
 * back as GN_SPACE_ERROR GErrors whose message starts with "file:line:"
 * and carries the Lua traceback.  Inside the protected function, Lua
 * errors longjmp: keep GLib allocations out of it (or owned by a struct
 * that outlives the call), never in g_autofree locals.
 *
 * Also opened in every sandbox: the network-builder and random-generator
 * userdata (gn-lnet.c, gn-lrng.c) and the `gennas` helper table
 * (gn-lutil.c: gennas.md5, gennas.options, gennas.split).
 */
#ifndef GN_SANDBOX_H
#define GN_SANDBOX_H

#include <glib.h>
#include <lua.h>
#include <lauxlib.h>

#include "gn-net.h"
#include "gn-rng.h"
#include "gn-space.h"

G_BEGIN_DECLS

#define GN_SANDBOX_DEFAULT_MEMORY        ((gsize) 64 << 20)
#define GN_SANDBOX_DEFAULT_INSTRUCTIONS  G_GUINT64_CONSTANT (100000000)
/* the largest space or recipe file read: they are a few kilobytes */
#define GN_SANDBOX_MAX_FILE              ((gsize) 4 << 20)
/* the longest name a space or recipe may give itself, in characters */
#define GN_SANDBOX_MAX_NAME              100

typedef struct _GnSandbox GnSandbox;

/**
 * gn__sandbox_new:
 * @chunkname: how messages name the code (a file path: "spaces/nb201.lua")
 * @limits: (nullable): NULL or zero fields mean the defaults
 *
 * Returns: (transfer full): a ready sandbox, or NULL with @error.
 */
GnSandbox  *gn__sandbox_new (const char *chunkname,
                             const GnSpaceLimits *limits, GError **error);
void        gn__sandbox_free (GnSandbox *sb);

/**
 * gn__sandbox_read_file:
 * @what: what the file is, for messages ("space file", "recipe")
 * @text: (out) (transfer full): its contents, NUL-terminated
 *
 * Reads a script file of at most GN_SANDBOX_MAX_FILE bytes, reading no
 * further than that (a space read from /dev/zero must not fill the
 * memory).
 *
 * Returns: FALSE with @error (GN_SPACE_ERROR_IO) if it cannot be read or
 * is too large.
 */
gboolean    gn__sandbox_read_file (const char *path, const char *what,
                                   char **text, gsize *len, GError **error);
lua_State  *gn__sandbox_lua (GnSandbox *sb);
const char *gn__sandbox_chunkname (GnSandbox *sb);

/**
 * gn__sandbox_call:
 * @fn: the protected function; its only argument is @ud as a light
 *   userdata, and it returns exactly one value
 *
 * Runs @fn under a fresh instruction budget.
 *
 * Returns: TRUE with @fn's result on top of the stack (pop it), or FALSE
 * with @error and the stack as it was: GN_SPACE_ERROR_LIMIT when the
 * memory cap or the budget stopped the call, otherwise the code set with
 * gn__sandbox_set_code() (GN_SPACE_ERROR_SCRIPT unless changed).
 */
gboolean    gn__sandbox_call (GnSandbox *sb, lua_CFunction fn, void *ud,
                              GError **error);

/** Is @s (of @len bytes) fit to name a space or a recipe: one line of
 * at most GN_SANDBOX_MAX_NAME characters of UTF-8 text, no control or
 * format characters? */
gboolean    gn__sandbox_is_name (const char *s, gsize len);

/* -- inside a protected call ----------------------------------------- */

/** What an error raised from now on means (e.g. GN_SPACE_ERROR_ARCH while
 * a space decodes a user's string); reset by each gn__sandbox_call(). */
void        gn__sandbox_set_code (lua_State *L, GnSpaceError code);

/**
 * gn__sandbox_run_chunk:
 *
 * Loads @src as a text chunk named "@" + the sandbox's chunk name (binary
 * chunks are refused) and calls it, leaving @nresults results; raises a
 * Lua error with "file:line:" on a syntax or runtime error.
 */
void        gn__sandbox_run_chunk (lua_State *L, const char *src, gsize len,
                                   int nresults);
/** As gn__sandbox_run_chunk(), for a chunk named @chunkname (a file a
 * script imports) rather than the sandbox's own. */
void        gn__sandbox_run_named_chunk (lua_State *L, const char *chunkname,
                                         const char *src, gsize len,
                                         int nresults);

/**
 * gn__sandbox_charge:
 * @steps: work done in C that the hook does not see (elements a library
 *   function moved, pattern-matching steps)
 *
 * Counts @steps against the call's instruction budget; raises the
 * budget's (or the time limit's) error once it is spent.
 */
void        gn__sandbox_charge (lua_State *L, guint64 steps);

/**
 * gn__sandbox_hold:
 * @bytes: the C memory the call has made the library hold so far (the
 *   network graph a build makes), in place of the previous count
 *
 * Counts @bytes against the memory cap with the Lua heap, until the call
 * ends; raises the memory limit's error if they no longer fit.
 */
void        gn__sandbox_hold (lua_State *L, gsize bytes);

/** Raises a Lua error "prefix: message" from @err, freeing @err first so
 * that nothing leaks across the longjmp. */
G_NORETURN void gn__lua_raise_gerror (lua_State *L, const char *prefix,
                                      GError *err);

/* -- the userdata and helpers every sandbox opens ------------------- */

/**
 * GnLuaNet:
 *
 * The network builder as Lua sees it ("gennas.Net"): a box around a
 * GnNet borrowed for one build.  @net is NULL outside it, and every
 * method then raises an error, so a script that keeps the box gets an
 * error instead of a dangling pointer.
 */
typedef struct {
  GnNet *net;
} GnLuaNet;

/** Likewise "gennas.Rng" around a caller's GnRng. */
typedef struct {
  GnRng *rng;
} GnLuaRng;

void      gn__lua_open_net (lua_State *L);     /* gn-lnet.c  */
void      gn__lua_open_rng (lua_State *L);     /* gn-lrng.c  */
void      gn__lua_open_util (lua_State *L);    /* gn-lutil.c */
/** Wraps string.find, match, gmatch, gsub and rep, and table.insert,
 * remove and move: each charges an upper bound of its loop to the budget
 * before Lua's own function runs. */
void      gn__lua_open_counted (lua_State *L); /* gn-lstdlib.c */

/** Pushes a new box in the closed state; the caller anchors it. */
GnLuaNet *gn__lua_new_net (lua_State *L);
GnLuaRng *gn__lua_new_rng (lua_State *L);

G_END_DECLS

#endif /* GN_SANDBOX_H */
