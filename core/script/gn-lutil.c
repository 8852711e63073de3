/* gn-lutil.c - the `gennas` helper table every sandbox opens
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 *   gennas.md5 (s)               hex MD5 of a string (NB101's graph hash)
 *   gennas.options (opts, defs)  checks and completes an options table
 *   gennas.split (s, sep)        splits on a plain separator
 *   gennas.version               the library's version string
 *
 * The helpers that need C are C functions; the rest is a short Lua
 * prelude, embedded here so that there is no file to find at run time.
 */
#include "config.h"
#include "gn-sandbox.h"

#include <string.h>

static int
util_md5 (lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring (L, 1, &len);
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  char hex[2 * sizeof digest];

  /* no Lua call between new and free: nothing can longjmp past them */
  GChecksum *cs = g_checksum_new (G_CHECKSUM_MD5);
  for (size_t done = 0; done < len;)
    {
      size_t chunk = MIN (len - done, (size_t) G_MAXSSIZE);
      g_checksum_update (cs, (const guchar *) s + done, (gssize) chunk);
      done += chunk;
    }
  g_checksum_get_digest (cs, digest, &digest_len);
  g_checksum_free (cs);

  for (gsize i = 0; i < sizeof digest; i++)
    {
      hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
      hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
  lua_pushlstring (L, hex, sizeof hex);
  return 1;
}

static const char prelude[] =
  "local gennas = ...\n"
  /* The fields GnBuildOptions always sets in a build's option table. */
  "local STANDARD = { published = true, classifier = true,\n"
  "                   num_classes = true }\n"
  "\n"
  /* Returns a copy of @defaults overridden by @opts.  A key that is not in
   * @defaults (nor a standard field) or a value of another type than its
   * default is an error at the caller's line. */
  "function gennas.options (opts, defaults)\n"
  "  local out = {}\n"
  "  for k, v in pairs (defaults) do out[k] = v end\n"
  "  for k, v in pairs (opts or {}) do\n"
  "    if STANDARD[k] then\n"
  "      out[k] = v\n"
  "    elseif defaults[k] == nil then\n"
  "      local known = {}\n"
  "      for name in pairs (defaults) do known[#known + 1] = name end\n"
  "      table.sort (known)\n"
  "      error (string.format (\"unknown option '%s' (known: %s)\",\n"
  "                            tostring (k),\n"
  "                            table.concat (known, \", \")), 2)\n"
  "    elseif type (v) ~= type (defaults[k]) then\n"
  "      error (string.format (\"option '%s' must be a %s, not %s\", k,\n"
  "                            type (defaults[k]), type (v)), 2)\n"
  "    else\n"
  "      out[k] = v\n"
  "    end\n"
  "  end\n"
  "  return out\n"
  "end\n"
  "\n"
  /* Plain (not pattern) splitting that keeps empty fields:
   * split ("a||b", "|") is { "a", "", "b" }. */
  "function gennas.split (s, sep)\n"
  "  assert (type (s) == 'string' and type (sep) == 'string' and #sep > 0,\n"
  "          'gennas.split (string, non-empty separator)')\n"
  "  local out, i = {}, 1\n"
  "  while true do\n"
  "    local j = string.find (s, sep, i, true)\n"
  "    if not j then\n"
  "      out[#out + 1] = string.sub (s, i)\n"
  "      return out\n"
  "    end\n"
  "    out[#out + 1] = string.sub (s, i, j - 1)\n"
  "    i = j + #sep\n"
  "  end\n"
  "end\n";

void
gn__lua_open_util (lua_State *L)
{
  static const luaL_Reg fns[] = {
    { "md5", util_md5 },
    { NULL, NULL }
  };
  luaL_newlib (L, fns);
  lua_pushstring (L, PACKAGE_VERSION);
  lua_setfield (L, -2, "version");
  lua_pushvalue (L, -1);
  lua_setglobal (L, "gennas");

  if (luaL_loadbufferx (L, prelude, sizeof prelude - 1, "=[gennas prelude]",
                        "t") != LUA_OK)
    lua_error (L);
  lua_insert (L, -2);
  lua_call (L, 1, 0);
}
