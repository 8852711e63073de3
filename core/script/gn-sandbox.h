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
 *
 * Limits: the allocator refuses to grow the Lua heap past a cap, and a
 * count hook stops a call after an instruction budget (in which the bytes
 * the heap grows by count too, one instruction per 16); pcall() and
 * xpcall() are replaced by versions that cannot swallow either.
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

/** Pushes a new box in the closed state; the caller anchors it. */
GnLuaNet *gn__lua_new_net (lua_State *L);
GnLuaRng *gn__lua_new_rng (lua_State *L);

G_END_DECLS

#endif /* GN_SANDBOX_H */
