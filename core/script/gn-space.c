/* gn-space.c - search spaces written in Lua, see gn-space.h and
 * docs/spaces.md
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Loading runs the file in a fresh sandbox and copies what C needs (name,
 * gene counts, benchmark) into the GnSpace; the space's functions stay in
 * Lua, in a private table anchored in the registry, so a space that later
 * edits its own table cannot break the API.  Every call then decodes the
 * canonical string afresh: genomes never leave Lua.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-paths.h"
#include "gn-sandbox.h"

#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (gn-space-error-quark, gn_space_error)

/* strcmp for g_ptr_array_sort() of strings */
static int
gn__strcmp_p (const char *const *a, const char *const *b)
{
  return strcmp (*a, *b);
}

/* the address is the registry key of the private API table */
static const char api_key = 0;

struct _GnSpace {
  GnSandbox *sb;
  char *path;
  char *name;
  char *checksum;              /* SHA-256 of the source and imports */
  GChecksum *sum;              /* while loading: what the checksum covers */
  gboolean loading;            /* gennas.import() works only then */
  guint n_imports;
  int pub_size, pub_classes;   /* the published network's input */
  GnFlopsRule pub_flops;       /* how its benchmark counted operations */
  GnSpaceInput input;          /* images or sequences */
  GHashTable *configs;         /* name -> SpaceConfig: named networks */
  GHashTable *proxy_defaults;  /* proxy name -> "param=value" strings */
  guint n_genes;
  double n_combinations;
  GnLuaNet *net_box;           /* Lua-owned, anchored in the API table */
  GnLuaRng *rng_box;
  gboolean has_hash;
  gboolean has_genotype;
  gboolean has_build;
  /* the benchmark as the space declares it ... */
  char *bench_file;
  char *bench_key;
  gboolean bench_key_is_hash;
  char **bench_metrics;
  char **bench_lower;
  char **bench_arch;
  /* ... and as found on disk */
  GnBenchmark *bench;
  char *bench_problem;         /* why @bench is NULL although declared */
};

/* ------------------------------------------------------------------ */
/* loading                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
  GnSpace *space;
  const char *src;
  gsize len;
} LoadArgs;

/* Raises "chunk: message" (the space table has no line to point at). */
static G_NORETURN void
invalid (lua_State *L, GnSpace *sp, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  lua_pushfstring (L, "%s: ", sp->path);
  lua_pushvfstring (L, fmt, ap);
  va_end (ap);
  lua_concat (L, 2);
  lua_error (L);
  g_assert_not_reached ();
}

/* Rejects keys of the table at @t that are not in @keys. */
static void
check_keys (lua_State *L, GnSpace *sp, int t, const char *what,
            const char *const *keys)
{
  lua_pushnil (L);
  while (lua_next (L, t))
    {
      lua_pop (L, 1);
      gboolean known = FALSE;
      if (lua_type (L, -1) == LUA_TSTRING)
        for (const char *const *k = keys; *k && !known; k++)
          known = strcmp (*k, lua_tostring (L, -1)) == 0;
      if (!known)
        {
          luaL_Buffer b;
          luaL_buffinit (L, &b);
          for (const char *const *k = keys; *k; k++)
            {
              luaL_addstring (&b, k == keys ? "" : ", ");
              luaL_addstring (&b, *k);
            }
          luaL_pushresult (&b);
          const char *list = lua_tostring (L, -1);
          const char *key = luaL_tolstring (L, -2, NULL);
          invalid (L, sp, "%s has an unknown field '%s' (known: %s)", what,
                   key, list);
        }
    }
}

/* Copies t[field] (a function; required unless @optional) into api[field]. */
static gboolean
take_function (lua_State *L, GnSpace *sp, int t, int api, const char *field,
               const char *what, gboolean optional)
{
  int type = lua_getfield (L, t, field);
  if (type == LUA_TNIL && optional)
    {
      lua_pop (L, 1);
      return FALSE;
    }
  if (type != LUA_TFUNCTION)
    invalid (L, sp, "%s field '%s' must be a function, not %s", what, field,
             luaL_typename (L, -1));
  lua_setfield (L, api, field);
  return TRUE;
}

static void
load_genome (lua_State *L, GnSpace *sp, int t, int api)
{
  static const char *const genome_keys[] = { "genes", "valid", NULL };
  static const char *const gene_keys[] = { "name", "choices", NULL };

  if (lua_getfield (L, t, "genome") != LUA_TTABLE)
    invalid (L, sp, "the space table's field 'genome' must be a table, "
             "not %s", luaL_typename (L, -1));
  int g = lua_gettop (L);
  check_keys (L, sp, g, "the genome", genome_keys);
  take_function (L, sp, g, api, "valid", "the genome's", TRUE);

  if (lua_getfield (L, g, "genes") != LUA_TTABLE)
    invalid (L, sp, "the genome's field 'genes' must be a list, not %s",
             luaL_typename (L, -1));
  int genes = lua_gettop (L);
  lua_Integer n = luaL_len (L, genes);
  if (n < 1 || n > G_MAXINT)
    invalid (L, sp, "the genome declares no genes");
  sp->n_combinations = 1.0;
  for (lua_Integer i = 1; i <= n; i++)
    {
      char what[64];
      if (lua_geti (L, genes, i) != LUA_TTABLE)
        invalid (L, sp, "gene %I must be a table { name = ..., choices = "
                 "{...} }, not %s", i, luaL_typename (L, -1));
      int gene = lua_gettop (L);
      g_snprintf (what, sizeof what, "gene %d", (int) i);
      check_keys (L, sp, gene, what, gene_keys);
      if (lua_getfield (L, gene, "name") != LUA_TSTRING)
        invalid (L, sp, "gene %I needs a name (a string)", i);
      if (lua_getfield (L, gene, "choices") != LUA_TTABLE
          || luaL_len (L, -1) < 1)
        invalid (L, sp, "gene '%s' needs a non-empty list of choices",
                 lua_tostring (L, -2));
      sp->n_combinations *= (double) luaL_len (L, -1);
      lua_settop (L, gene - 1);
    }
  sp->n_genes = (guint) n;
  lua_settop (L, g - 1);
}

static void
load_benchmark (lua_State *L, GnSpace *sp, int t)
{
  static const char *const keys[] = { "file", "key", "key_is_hash",
                                      "metrics", "arch", "lower", NULL };
  int type = lua_getfield (L, t, "benchmark");
  if (type == LUA_TNIL)
    {
      lua_pop (L, 1);
      return;
    }
  if (type != LUA_TTABLE)
    invalid (L, sp, "the space table's field 'benchmark' must be a table, "
             "not %s", luaL_typename (L, -1));
  int b = lua_gettop (L);
  check_keys (L, sp, b, "the benchmark", keys);

  if (lua_getfield (L, b, "file") != LUA_TSTRING)
    invalid (L, sp, "the benchmark needs a file name (a string)");
  const char *file = lua_tostring (L, -1);
  /* a name inside the data folders, not a way to read any file */
  if (file[0] == '\0' || g_path_is_absolute (file)
      || strstr (file, "..") != NULL)
    invalid (L, sp, "the benchmark file '%s' must be a relative path "
             "inside a data folder", file);
  sp->bench_file = g_strdup (file);

  if (lua_getfield (L, b, "key") != LUA_TSTRING)
    invalid (L, sp, "the benchmark needs a key column (a string)");
  sp->bench_key = g_strdup (lua_tostring (L, -1));

  type = lua_getfield (L, b, "key_is_hash");
  if (type != LUA_TNIL && type != LUA_TBOOLEAN)
    invalid (L, sp, "the benchmark's key_is_hash must be a boolean");
  sp->bench_key_is_hash = lua_toboolean (L, -1);
  if (sp->bench_key_is_hash && !sp->has_hash)
    invalid (L, sp, "the benchmark is keyed by hash but the space defines "
             "no hash function");

  if (lua_getfield (L, b, "metrics") != LUA_TTABLE || luaL_len (L, -1) < 1)
    invalid (L, sp, "the benchmark needs a non-empty list of metric "
             "columns");
  int m = lua_gettop (L);
  lua_Integer n = luaL_len (L, m);
  if (n > 10000)
    invalid (L, sp, "the benchmark lists too many metrics");
  /* owned by @sp as soon as allocated, so an error below cannot leak it */
  sp->bench_metrics = g_new0 (char *, n + 1);
  for (lua_Integer i = 1; i <= n; i++)
    {
      if (lua_geti (L, m, i) != LUA_TSTRING)
        invalid (L, sp, "benchmark metric %I must be a column name", i);
      sp->bench_metrics[i - 1] = g_strdup (lua_tostring (L, -1));
      lua_pop (L, 1);
    }

  /* the metrics where lower is better: a subset of metrics */
  type = lua_getfield (L, b, "lower");
  if (type != LUA_TNIL && (type != LUA_TTABLE || luaL_len (L, -1) > n))
    invalid (L, sp, "the benchmark's lower must list some of its metrics");
  lua_Integer nl = type == LUA_TNIL ? 0 : luaL_len (L, -1);
  int l = lua_gettop (L);
  sp->bench_lower = g_new0 (char *, nl + 1);
  for (lua_Integer i = 1; i <= nl; i++)
    {
      if (lua_geti (L, l, i) != LUA_TSTRING
          || !g_strv_contains ((const char *const *) sp->bench_metrics,
                               lua_tostring (L, -1)))
        invalid (L, sp, "benchmark lower %I must name one of its metrics",
                 i);
      sp->bench_lower[i - 1] = g_strdup (lua_tostring (L, -1));
      lua_pop (L, 1);
    }

  /* the columns that spell a row's architecture; by default the key */
  type = lua_getfield (L, b, "arch");
  if (type == LUA_TNIL)
    {
      if (sp->bench_key_is_hash)
        invalid (L, sp, "a benchmark keyed by hash must name the columns "
                 "that spell a row's architecture (arch = { ... })");
      sp->bench_arch = g_new0 (char *, 2);
      sp->bench_arch[0] = g_strdup (sp->bench_key);
    }
  else
    {
      if (type != LUA_TTABLE || luaL_len (L, -1) < 1 || luaL_len (L, -1) > 64)
        invalid (L, sp, "the benchmark's arch must list 1 to 64 columns");
      int a = lua_gettop (L);
      lua_Integer na = luaL_len (L, a);
      sp->bench_arch = g_new0 (char *, na + 1);
      for (lua_Integer i = 1; i <= na; i++)
        {
          if (lua_geti (L, a, i) != LUA_TSTRING)
            invalid (L, sp, "benchmark arch column %I must be a column name",
                     i);
          sp->bench_arch[i - 1] = g_strdup (lua_tostring (L, -1));
          lua_pop (L, 1);
        }
    }
  lua_settop (L, b - 1);
}

typedef struct {
  int size, classes;
  char **options;              /* "key=value", NULL-terminated */
} SpaceConfig;

static void
space_config_free (gpointer p)
{
  SpaceConfig *c = p;
  g_strfreev (c->options);
  g_free (c);
}

/* The table at @t (0: none), { key = value } with numbers, booleans or
 * strings as values, as "key=value" strings sorted by key, so it reads
 * the same every time (NULL-terminated; g_strfreev()).  @what names the
 * table in errors. */
static char **
read_assignments (lua_State *L, GnSpace *sp, int t, const char *what)
{
  GPtrArray *kvs = g_ptr_array_new_with_free_func (g_free);
  if (t != 0)
    {
      lua_pushnil (L);
      while (lua_next (L, t))
        {
          char *kv = NULL;
          if (lua_type (L, -2) != LUA_TSTRING)
            {
              g_ptr_array_free (kvs, TRUE);
              invalid (L, sp, "%s: keys must be names", what);
            }
          const char *k = lua_tostring (L, -2);
          if (lua_isinteger (L, -1))
            kv = g_strdup_printf ("%s=%lld", k,
                                  (long long) lua_tointeger (L, -1));
          else if (lua_type (L, -1) == LUA_TNUMBER)
            kv = g_strdup_printf ("%s=%.17g", k, lua_tonumber (L, -1));
          else if (lua_isboolean (L, -1))
            kv = g_strdup_printf ("%s=%s", k, lua_toboolean (L, -1)
                                  ? "true" : "false");
          else if (lua_type (L, -1) == LUA_TSTRING)
            kv = g_strdup_printf ("%s=%s", k, lua_tostring (L, -1));
          if (kv == NULL)
            {
              g_ptr_array_free (kvs, TRUE);
              invalid (L, sp, "%s.%s must be a number, a boolean or a "
                       "string", what, k);
            }
          g_ptr_array_add (kvs, kv);
          lua_pop (L, 1);
        }
    }
  g_ptr_array_sort (kvs, (GCompareFunc) gn__strcmp_p);
  g_ptr_array_set_free_func (kvs, NULL);
  g_ptr_array_add (kvs, NULL);
  return (char **) g_ptr_array_free (kvs, FALSE);
}

/* configs = { NAME = { input = SIZE, classes = K, options = { k = v } } }:
 * named networks (`space info --config NAME`), each a published input
 * and build options */
static void
load_configs (lua_State *L, GnSpace *sp, int t)
{
  static const char *const keys[] = { "input", "classes", "options", NULL };
  int type = lua_getfield (L, t, "configs");
  if (type == LUA_TNIL)
    {
      lua_pop (L, 1);
      return;
    }
  if (type != LUA_TTABLE)
    invalid (L, sp, "the space's configs must be a table of named "
             "configurations { NAME = { input =, classes =, options = } }");
  int cs = lua_gettop (L);
  lua_pushnil (L);
  while (lua_next (L, cs))
    {
      if (lua_type (L, -2) != LUA_TSTRING
          || !gn__sandbox_is_name (lua_tostring (L, -2), luaL_len (L, -2))
          || strpbrk (lua_tostring (L, -2), " =,;") != NULL)
        invalid (L, sp, "configs: each key must be a short name");
      const char *name = lua_tostring (L, -2);
      if (!lua_istable (L, -1))
        invalid (L, sp, "configs.%s must be a table", name);
      int c = lua_gettop (L);
      check_keys (L, sp, c, "a configuration", keys);
      SpaceConfig *cfg = g_new0 (SpaceConfig, 1);
      g_hash_table_replace (sp->configs, g_strdup (name), cfg);
      cfg->size = sp->pub_size;
      cfg->classes = sp->pub_classes;
      for (int f = 0; f < 2; f++)
        {
          const char *key = f == 0 ? "input" : "classes";
          lua_Integer max = f == 0 ? 4096 : 1000000;
          if (lua_getfield (L, c, key) != LUA_TNIL)
            {
              lua_Integer v = lua_tointeger (L, -1);
              if (!lua_isinteger (L, -1) || v < 1 || v > max)
                invalid (L, sp, "configs.%s.%s must be an integer in "
                         "[1, %I]", name, key, max);
              *(f == 0 ? &cfg->size : &cfg->classes) = (int) v;
            }
          lua_pop (L, 1);
        }
      type = lua_getfield (L, c, "options");
      if (type != LUA_TNIL && type != LUA_TTABLE)
        invalid (L, sp, "configs.%s.options must be a table", name);
      int o = type == LUA_TNIL ? 0 : lua_gettop (L);
      cfg->options = read_assignments (L, sp, o,
                                       lua_pushfstring (L, "configs.%s.options",
                                                        name));
      lua_pop (L, 3);
    }
  lua_pop (L, 1);
}

/* proxy_defaults = { PROXY = { param = value } }: the space's own
 * defaults for its proxies' parameters, under GnProxyDesc.name (a
 * parameter the proxy does not have is an error when the proxy starts) */
static void
load_proxy_defaults (lua_State *L, GnSpace *sp, int t)
{
  int type = lua_getfield (L, t, "proxy_defaults");
  if (type == LUA_TNIL)
    {
      lua_pop (L, 1);
      return;
    }
  if (type != LUA_TTABLE)
    invalid (L, sp, "the space's proxy_defaults must be a table "
             "{ PROXY = { param = value } }");
  int ps = lua_gettop (L);
  lua_pushnil (L);
  while (lua_next (L, ps))
    {
      if (lua_type (L, -2) != LUA_TSTRING
          || !gn__sandbox_is_name (lua_tostring (L, -2), luaL_len (L, -2))
          || strpbrk (lua_tostring (L, -2), " =,;:") != NULL)
        invalid (L, sp, "proxy_defaults: each key must be a proxy's name");
      const char *name = lua_tostring (L, -2);
      if (!lua_istable (L, -1))
        invalid (L, sp, "proxy_defaults.%s must be a table "
                 "{ param = value }", name);
      int d = lua_gettop (L);
      char **kvs = read_assignments (L, sp, d,
                                     lua_pushfstring (L, "proxy_defaults.%s",
                                                      name));
      g_hash_table_replace (sp->proxy_defaults, g_strdup (name), kvs);
      lua_pop (L, 2);
    }
  lua_pop (L, 1);
}

/* published = { input = SIZE, classes = K, flops = RULE }: all optional */
static void
load_published (lua_State *L, GnSpace *sp, int t)
{
  static const char *const keys[] = { "input", "classes", "flops", NULL };
  static const struct { const char *key; lua_Integer max; } fields[] = {
    { "input", 4096 }, { "classes", 1000000 }
  };
  sp->pub_size = 32;
  sp->pub_classes = 10;
  sp->pub_flops = GN_FLOPS_MACS;
  int type = lua_getfield (L, t, "published");
  if (type == LUA_TNIL)
    {
      lua_pop (L, 1);
      return;
    }
  if (type != LUA_TTABLE)
    invalid (L, sp, "the space's published must be a table "
             "{ input = SIZE, classes = K, flops = RULE }");
  int p = lua_gettop (L);
  check_keys (L, sp, p, "the published table", keys);
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      type = lua_getfield (L, p, fields[i].key);
      if (type != LUA_TNIL)
        {
          lua_Integer v = lua_tointeger (L, -1);
          if (!lua_isinteger (L, -1) || v < 1 || v > fields[i].max)
            invalid (L, sp, "published.%s must be an integer in [1, %I]",
                     fields[i].key, fields[i].max);
          if (i == 0)
            sp->pub_size = (int) v;
          else
            sp->pub_classes = (int) v;
        }
      lua_pop (L, 1);
    }
  type = lua_getfield (L, p, "flops");
  if (type != LUA_TNIL
      && (type != LUA_TSTRING
          || !gn_flops_rule_from_name (lua_tostring (L, -1), &sp->pub_flops)))
    invalid (L, sp, "published.flops must be \"%s\", \"%s\" or \"%s\" "
             "(how the benchmark counted operations)",
             gn_flops_rule_name (GN_FLOPS_MACS),
             gn_flops_rule_name (GN_FLOPS_NDS_CELL),
             gn_flops_rule_name (GN_FLOPS_NDS_ANYNET));
  lua_pop (L, 2);
}

/* ------------------------------------------------------------------ */
/* gennas.import: library files beside the space                       */
/* ------------------------------------------------------------------ */

/* the address is the registry key of the table of imported values */
static const char imports_key = 0;

#define MAX_IMPORTS     64
#define MAX_IMPORT_NAME 64

static gboolean
import_name_ok (const char *name, gsize len)
{
  if (len == 0 || len > MAX_IMPORT_NAME)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '-' && name[i] != '_')
      return FALSE;
  return TRUE;
}

/* gennas.import (name): runs lib/NAME.lua of the space's folder once, in
 * the space's sandbox, and returns what it returns (true for nothing);
 * later imports of the name return the same value.  Only while the space
 * file loads, so that the space's checksum covers every file it ran. */
static int
space_import (lua_State *L)
{
  GnSpace *sp = lua_touserdata (L, lua_upvalueindex (1));
  gsize len;
  const char *name = luaL_checklstring (L, 1, &len);
  if (lua_gettop (L) != 1)
    luaL_error (L, "gennas.import: takes one library name");
  if (!sp->loading)
    luaL_error (L, "gennas.import: only while the space file loads (call "
                "it at the file's top level)");
  if (!import_name_ok (name, len))
    {
      char *quoted = gn_error_quote (name, len, 80);
      lua_pushstring (L, quoted);
      g_free (quoted);
      luaL_error (L, "gennas.import: '%s' is not a library name (at most "
                  "%d letters, digits, '-' and '_'; the file is "
                  "lib/NAME.lua beside the space)", lua_tostring (L, -1),
                  MAX_IMPORT_NAME);
    }

  lua_rawgetp (L, LUA_REGISTRYINDEX, &imports_key);
  int cache = lua_gettop (L);
  int type = lua_getfield (L, cache, name);
  if (type == LUA_TBOOLEAN && !lua_toboolean (L, -1))
    luaL_error (L, "gennas.import: lib/%s.lua is imported again while it "
                "loads (an import cycle)", name);
  if (type != LUA_TNIL)
    return 1;
  lua_pop (L, 1);
  if (sp->n_imports >= MAX_IMPORTS)
    luaL_error (L, "gennas.import: more than %d libraries", MAX_IMPORTS);
  sp->n_imports++;

  char *dir = g_path_get_dirname (sp->path);
  char *base = g_strconcat (name, ".lua", NULL);
  char *path = g_build_filename (dir, "lib", base, NULL);
  g_free (dir);
  g_free (base);
  lua_pushstring (L, path);
  g_free (path);
  int path_idx = lua_gettop (L);
  char *text = NULL;
  GError *err = NULL;
  if (!gn__sandbox_read_file (lua_tostring (L, path_idx), "library", &text,
                              &len, &err))
    {
      gn__sandbox_set_code (L, GN_SPACE_ERROR_IO);
      gn__lua_raise_gerror (L, "gennas.import", err);
    }
  /* a Lua string from here on: a script error cannot leak it */
  lua_pushlstring (L, text, len);
  g_free (text);
  int src = lua_gettop (L);

  /* the checksum covers the name and text of every library run */
  char header[MAX_IMPORT_NAME + 48];
  int n = g_snprintf (header, sizeof header, "%cimport %s %" G_GSIZE_FORMAT
                      "%c", 0, name, len, 0);
  g_checksum_update (sp->sum, (const guchar *) header, n);
  g_checksum_update (sp->sum, (const guchar *) lua_tostring (L, src), len);

  lua_pushboolean (L, 0);               /* in progress: a cycle marker */
  lua_setfield (L, cache, name);
  gn__sandbox_run_named_chunk (L, lua_tostring (L, path_idx),
                               lua_tostring (L, src), len, 1);
  if (lua_isnil (L, -1))
    {
      lua_pop (L, 1);
      lua_pushboolean (L, 1);
    }
  lua_pushvalue (L, -1);
  lua_setfield (L, cache, name);
  return 1;
}

static void
open_import (lua_State *L, GnSpace *sp)
{
  lua_newtable (L);
  lua_rawsetp (L, LUA_REGISTRYINDEX, &imports_key);
  if (lua_getglobal (L, "gennas") != LUA_TTABLE)
    luaL_error (L, "the sandbox has no gennas table");
  lua_pushlightuserdata (L, sp);
  lua_pushcclosure (L, space_import, 1);
  lua_setfield (L, -2, "import");
  lua_pop (L, 1);
}

static int
load_protected (lua_State *L)
{
  static const char *const keys[] = { "name", "description", "genome",
                                      "sample", "mutate", "encode", "decode",
                                      "hash", "genotype", "build",
                                      "benchmark", "published", "configs",
                                      "input", "proxy_defaults", NULL };
  static const char *const functions[] = { "sample", "mutate", "encode",
                                           "decode", NULL };
  LoadArgs *a = lua_touserdata (L, 1);
  GnSpace *sp = a->space;

  open_import (L, sp);
  sp->loading = TRUE;
  gn__sandbox_run_chunk (L, a->src, a->len, 1);
  sp->loading = FALSE;
  gn__sandbox_set_code (L, GN_SPACE_ERROR_INVALID);
  if (!lua_istable (L, -1))
    invalid (L, sp, "the file must return the space table, not %s",
             luaL_typename (L, -1));
  int t = lua_gettop (L);
  check_keys (L, sp, t, "the space table", keys);

  lua_newtable (L);
  int api = lua_gettop (L);

  if (lua_getfield (L, t, "name") != LUA_TSTRING || luaL_len (L, -1) == 0)
    invalid (L, sp, "the space table needs a name (a non-empty string)");
  /* it is printed, stored and named in messages: one short line */
  if (!gn__sandbox_is_name (lua_tostring (L, -1), luaL_len (L, -1)))
    invalid (L, sp, "the space's name must be one line of at most %d "
             "characters of text", GN_SANDBOX_MAX_NAME);
  sp->name = g_strdup (lua_tostring (L, -1));
  lua_pop (L, 1);
  int type = lua_getfield (L, t, "description");
  if (type != LUA_TNIL && type != LUA_TSTRING)
    invalid (L, sp, "the space's description must be a string");
  lua_pop (L, 1);

  for (const char *const *f = functions; *f; f++)
    take_function (L, sp, t, api, *f, "the space table's", FALSE);
  sp->has_hash = take_function (L, sp, t, api, "hash", "the space table's",
                                TRUE);
  sp->has_genotype = take_function (L, sp, t, api, "genotype",
                                    "the space table's", TRUE);
  sp->has_build = take_function (L, sp, t, api, "build", "the space table's",
                                 TRUE);
  type = lua_getfield (L, t, "input");
  if (type == LUA_TSTRING && strcmp (lua_tostring (L, -1), "sequence") == 0)
    sp->input = GN_SPACE_INPUT_SEQUENCE;
  else if (type != LUA_TNIL
           && !(type == LUA_TSTRING
                && strcmp (lua_tostring (L, -1), "image") == 0))
    invalid (L, sp, "the space's input must be \"image\" or \"sequence\"");
  lua_pop (L, 1);
  load_genome (L, sp, t, api);
  load_benchmark (L, sp, t);
  load_published (L, sp, t);
  load_configs (L, sp, t);
  load_proxy_defaults (L, sp, t);

  sp->net_box = gn__lua_new_net (L);
  lua_setfield (L, api, "net");
  sp->rng_box = gn__lua_new_rng (L);
  lua_setfield (L, api, "rng");
  lua_pushvalue (L, api);
  lua_rawsetp (L, LUA_REGISTRYINDEX, &api_key);
  lua_pushnil (L);
  return 1;
}

static void
resolve_benchmark (GnSpace *sp)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  gn__append_search_path (dirs, "GENNAS_DATA_PATH");
  /* beside the space as it really lies: spaces/ may be a symbolic link */
  char *here = g_path_get_dirname (sp->path);
  char *real = realpath (here, NULL);
  char *beside = g_build_filename (real ? real : here, "..", "data", NULL);
  g_ptr_array_add (dirs, g_canonicalize_filename (beside, NULL));
  g_free (beside);
  free (real);
  g_free (here);
  /* then the data gennas ships, so a space of one's own can name it */
  gn__append_installed (dirs, "GENNAS_DATA_SYSTEM_PATH", "data");

  GError *missing = NULL;
  char *found = gn__find_in_path (dirs, sp->bench_file, "benchmark file",
                                  &missing);
  if (found != NULL)
    {
      sp->bench = g_new0 (GnBenchmark, 1);
      sp->bench->path = found;
      sp->bench->key_column = g_strdup (sp->bench_key);
      sp->bench->key_is_hash = sp->bench_key_is_hash;
      sp->bench->metrics = g_strdupv (sp->bench_metrics);
      sp->bench->arch_columns = g_strdupv (sp->bench_arch);
      sp->bench->lower = g_strdupv (sp->bench_lower);
    }
  else
    {
      sp->bench_problem = g_strdup_printf ("%s: %s (set GENNAS_DATA_PATH to "
                                           "add folders)", sp->path,
                                           missing->message);
      g_error_free (missing);
    }
  g_ptr_array_unref (dirs);
}

GnSpace *
gn_space_load_full (const char *chunkname, const char *source, gsize len,
                    const GnSpaceLimits *limits, GError **error)
{
  g_return_val_if_fail (chunkname != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  char *text = NULL;
  GnSpace *sp = NULL;
  if (source == NULL)
    {
      if (!gn__sandbox_read_file (chunkname, "space file", &text, &len,
                                  error))
        goto fail;
      source = text;
    }

  sp = g_new0 (GnSpace, 1);
  sp->path = g_strdup (chunkname);
  sp->configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       space_config_free);
  sp->proxy_defaults = g_hash_table_new_full (g_str_hash, g_str_equal,
                                              g_free,
                                              (GDestroyNotify) g_strfreev);
  /* without imports, the SHA-256 of the source alone */
  sp->sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sp->sum, (const guchar *) source, len);
  sp->sb = gn__sandbox_new (chunkname, limits, error);
  if (sp->sb == NULL)
    goto fail;
  LoadArgs args = { sp, source, len };
  if (!gn__sandbox_call (sp->sb, load_protected, &args, error))
    goto fail;
  lua_pop (gn__sandbox_lua (sp->sb), 1);
  sp->loading = FALSE;
  sp->checksum = g_strdup (g_checksum_get_string (sp->sum));
  g_clear_pointer (&sp->sum, g_checksum_free);
  if (sp->bench_file != NULL)
    resolve_benchmark (sp);
  g_free (text);
  return sp;

fail:
  gn_space_free (sp);
  g_free (text);
  return NULL;
}

GnSpace *
gn_space_load (const char *path, GError **error)
{
  return gn_space_load_full (path, NULL, 0, NULL, error);
}

GnSpace *
gn_space_load_string (const char *chunkname, const char *source, gsize len,
                      GError **error)
{
  g_return_val_if_fail (source != NULL, NULL);
  return gn_space_load_full (chunkname, source, len, NULL, error);
}

gboolean
gn_benchmark_lower_is_better (const GnBenchmark *b, const char *metric)
{
  g_return_val_if_fail (b != NULL && metric != NULL, FALSE);
  return b->lower != NULL
         && g_strv_contains ((const char *const *) b->lower, metric);
}

static void
benchmark_free (GnBenchmark *b)
{
  if (b == NULL)
    return;
  g_free (b->path);
  g_free (b->key_column);
  g_strfreev (b->metrics);
  g_strfreev (b->arch_columns);
  g_strfreev (b->lower);
  g_free (b);
}

void
gn_space_free (GnSpace *space)
{
  if (space == NULL)
    return;
  gn__sandbox_free (space->sb);   /* the boxes die with the state */
  g_free (space->path);
  g_free (space->name);
  g_free (space->checksum);
  g_clear_pointer (&space->sum, g_checksum_free);
  g_clear_pointer (&space->configs, g_hash_table_unref);
  g_clear_pointer (&space->proxy_defaults, g_hash_table_unref);
  g_free (space->bench_file);
  g_free (space->bench_key);
  g_strfreev (space->bench_metrics);
  g_strfreev (space->bench_arch);
  g_strfreev (space->bench_lower);
  benchmark_free (space->bench);
  g_free (space->bench_problem);
  g_free (space);
}

const char *
gn_space_name (GnSpace *space)
{
  g_return_val_if_fail (space != NULL, NULL);
  return space->name;
}

GnSpaceInput
gn_space_input (GnSpace *space)
{
  g_return_val_if_fail (space != NULL, GN_SPACE_INPUT_IMAGE);
  return space->input;
}

void
gn_space_published_input (GnSpace *space, int *size, int *num_classes)
{
  g_return_if_fail (space != NULL);
  if (size != NULL)
    *size = space->pub_size;
  if (num_classes != NULL)
    *num_classes = space->pub_classes;
}

GnFlopsRule
gn_space_published_flops (GnSpace *space)
{
  g_return_val_if_fail (space != NULL, GN_FLOPS_MACS);
  return space->pub_flops;
}

const char *const *
gn_space_proxy_defaults (GnSpace *space, const char *proxy)
{
  g_return_val_if_fail (space != NULL && proxy != NULL, NULL);
  return g_hash_table_lookup (space->proxy_defaults, proxy);
}

gboolean
gn_space_config (GnSpace *space, const char *name, int *size,
                 int *num_classes, char ***options, GError **error)
{
  g_return_val_if_fail (space != NULL && name != NULL, FALSE);
  SpaceConfig *c = g_hash_table_lookup (space->configs, name);
  if (c == NULL)
    {
      char **names = gn_space_config_names (space);
      char *list = g_strjoinv (", ", names);
      char *quoted = gn_error_quote (name, -1, 40);
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED,
                   "%s: no configuration '%s' (%s)", space->path, quoted,
                   names[0] ? list : "the space names none");
      g_free (quoted);
      g_free (list);
      g_strfreev (names);
      return FALSE;
    }
  if (size != NULL)
    *size = c->size;
  if (num_classes != NULL)
    *num_classes = c->classes;
  if (options != NULL)
    *options = g_strdupv (c->options);
  return TRUE;
}

char **
gn_space_config_names (GnSpace *space)
{
  g_return_val_if_fail (space != NULL, NULL);
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, space->configs);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (names, g_strdup (key));
  g_ptr_array_sort (names, (GCompareFunc) gn__strcmp_p);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

const char *
gn_space_checksum (GnSpace *space)
{
  g_return_val_if_fail (space != NULL, NULL);
  return space->checksum;
}

guint
gn_space_n_genes (GnSpace *space, double *n_combinations)
{
  g_return_val_if_fail (space != NULL, 0);
  if (n_combinations != NULL)
    *n_combinations = space->n_combinations;
  return space->n_genes;
}

gboolean
gn_space_has_hash (GnSpace *space)
{
  g_return_val_if_fail (space != NULL, FALSE);
  return space->has_hash;
}

gboolean
gn_space_has_build (GnSpace *space)
{
  g_return_val_if_fail (space != NULL, FALSE);
  return space->has_build;
}

const GnBenchmark *
gn_space_benchmark (GnSpace *space)
{
  g_return_val_if_fail (space != NULL, NULL);
  return space->bench;
}

const GnBenchmark *
gn_space_get_benchmark (GnSpace *space, GError **error)
{
  g_return_val_if_fail (space != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (space->bench != NULL)
    return space->bench;
  if (space->bench_problem != NULL)
    g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_IO, "%s",
                 space->bench_problem);
  else
    g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED,
                 "%s: the space names no benchmark", space->path);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* calling into the space                                              */
/* ------------------------------------------------------------------ */

typedef enum {
  CALL_SAMPLE,
  CALL_MUTATE,
  CALL_CANONICALIZE,
  CALL_HASH,
  CALL_GENOTYPE,
  CALL_BUILD
} CallKind;

typedef struct {
  GnSpace *space;
  CallKind kind;
  const char *arch;
  const char *const *options;
  const GnBuildOptions *build;
} Call;

/* Raises "file:line: message" at the definition of api[field]: the
 * function whose result broke the API. */
static G_NORETURN void
broken (lua_State *L, int api, const char *field, const char *fmt, ...)
{
  lua_Debug ar;
  va_list ap;
  lua_getfield (L, api, field);
  lua_getinfo (L, ">S", &ar);
  lua_pushfstring (L, "%s:%d: %s() ", ar.short_src, ar.linedefined, field);
  va_start (ap, fmt);
  lua_pushvfstring (L, fmt, ap);
  va_end (ap);
  lua_concat (L, 2);
  lua_error (L);
  g_assert_not_reached ();
}

/* Applies the genome's validity rule to the genome on top, if any;
 * @what prefixes the message. */
static void
check_valid (lua_State *L, int api, const char *what)
{
  if (lua_getfield (L, api, "valid") == LUA_TNIL)
    {
      lua_pop (L, 1);
      return;
    }
  lua_pushvalue (L, -2);
  lua_call (L, 1, 2);
  if (!lua_toboolean (L, -2))
    {
      if (lua_isstring (L, -1))
        luaL_error (L, "%snot a valid architecture of this space (%s)",
                    what, lua_tostring (L, -1));
      luaL_error (L, "%snot a valid architecture of this space", what);
    }
  lua_pop (L, 2);
}

/* The "key=value" strings as a Lua table, plus GnBuildOptions' fields.
 * Their syntax was checked in C before the call (check_options()). */
static void
push_options (lua_State *L, const char *const *options,
              const GnBuildOptions *b)
{
  lua_newtable (L);
  if (b != NULL)
    {
      lua_pushboolean (L, b->published);
      lua_setfield (L, -2, "published");
      lua_pushboolean (L, b->classifier);
      lua_setfield (L, -2, "classifier");
      lua_pushinteger (L, b->num_classes > 0 ? b->num_classes : 10);
      lua_setfield (L, -2, "num_classes");
    }
  for (const char *const *o = options; o && *o; o++)
    {
      const char *eq = strchr (*o, '=');
      const char *v = eq + 1;
      lua_pushlstring (L, *o, eq - *o);
      if (strcmp (v, "true") == 0 || strcmp (v, "false") == 0)
        lua_pushboolean (L, v[0] == 't');
      else if (lua_stringtonumber (L, v) == 0)
        lua_pushstring (L, v);
      lua_settable (L, -3);
    }
}

static int
call_protected (lua_State *L)
{
  Call *c = lua_touserdata (L, 1);
  lua_rawgetp (L, LUA_REGISTRYINDEX, &api_key);
  int api = lua_gettop (L);

  if (c->kind == CALL_SAMPLE)
    {
      lua_getfield (L, api, "sample");
      lua_getfield (L, api, "rng");
      lua_call (L, 1, 1);
      gn__sandbox_set_code (L, GN_SPACE_ERROR_INVALID);
      if (lua_isnil (L, -1))
        broken (L, api, "sample", "returned nil");
      check_valid (L, api, "sample() returned a genome that is ");
    }
  else
    {
      /* from here to the validity rule, an error is the string's fault */
      gn__sandbox_set_code (L, GN_SPACE_ERROR_ARCH);
      lua_getfield (L, api, "decode");
      lua_pushstring (L, c->arch);
      lua_call (L, 1, 1);
      if (lua_isnil (L, -1))
        luaL_error (L, "decode() returned nil");
      check_valid (L, api, "");
    }
  gn__sandbox_set_code (L, GN_SPACE_ERROR_SCRIPT);

  switch (c->kind)
    {
    case CALL_MUTATE:
      lua_getfield (L, api, "mutate");
      lua_insert (L, -2);
      lua_getfield (L, api, "rng");
      push_options (L, c->options, NULL);
      lua_call (L, 3, 1);
      gn__sandbox_set_code (L, GN_SPACE_ERROR_INVALID);
      if (lua_isnil (L, -1))
        broken (L, api, "mutate", "returned nil");
      check_valid (L, api, "mutate() returned a genome that is ");
      break;
    case CALL_HASH:
    case CALL_GENOTYPE:
      {
        const char *fn = c->kind == CALL_HASH ? "hash" : "genotype";
        lua_getfield (L, api, fn);
        lua_insert (L, -2);
        lua_call (L, 1, 1);
        gn__sandbox_set_code (L, GN_SPACE_ERROR_INVALID);
        if (lua_type (L, -1) != LUA_TSTRING)
          broken (L, api, fn, "must return a string, not %s",
                  luaL_typename (L, -1));
        return 1;
      }
    case CALL_BUILD:
      lua_getfield (L, api, "build");
      lua_getfield (L, api, "net");
      lua_rotate (L, -3, 2);   /* build, net, genome */
      push_options (L, c->options, c->build);
      lua_call (L, 3, 0);
      lua_pushnil (L);
      return 1;
    case CALL_SAMPLE:
    case CALL_CANONICALIZE:
      break;
    }

  lua_getfield (L, api, "encode");
  lua_insert (L, -2);
  lua_call (L, 1, 1);
  gn__sandbox_set_code (L, GN_SPACE_ERROR_INVALID);
  if (lua_type (L, -1) != LUA_TSTRING)
    broken (L, api, "encode", "must return a string, not %s",
            luaL_typename (L, -1));
  return 1;
}

/* "key=value" with a non-empty key; for builds, not a GnBuildOptions
 * field.  Checked before entering Lua so that a malformed option is the
 * caller's error, not the script's. */
static gboolean
check_options (GnSpace *sp, const char *const *options, gboolean build,
               GError **error)
{
  static const char *const reserved[] = { "published", "classifier",
                                          "num_classes", NULL };
  for (const char *const *o = options; o && *o; o++)
    {
      const char *eq = strchr (*o, '=');
      if (eq == NULL || eq == *o)
        {
          char *option = gn_error_quote (*o, -1, 0);
          g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_FAILED,
                       "%s: option '%s' is not KEY=VALUE", sp->path, option);
          g_free (option);
          return FALSE;
        }
      for (const char *const *r = reserved; build && *r; r++)
        if (strlen (*r) == (gsize) (eq - *o)
            && strncmp (*o, *r, eq - *o) == 0)
          {
            g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_FAILED,
                         "%s: '%s' is set through GnBuildOptions, not as "
                         "an option", sp->path, *r);
            return FALSE;
          }
    }
  return TRUE;
}

/* Runs @c with @rng lent to the space.  An ARCH error is rewritten to
 * name the string: its first line is what the user needs, the traceback
 * points into the space's parser. */
static gboolean
run (GnSpace *sp, Call *c, GnRng *rng, GError **error)
{
  GError *local = NULL;
  sp->rng_box->rng = rng;
  gboolean ok = gn__sandbox_call (sp->sb, call_protected, c, &local);
  sp->rng_box->rng = NULL;
  if (ok)
    return TRUE;
  if (local->code == GN_SPACE_ERROR_LIMIT && c->arch != NULL)
    {
      /* a limit hit on reading an architecture (a huge one): the
       * location and the limit, on one line */
      local->message[strcspn (local->message, "\n")] = '\0';
    }
  else if (local->code == GN_SPACE_ERROR_ARCH)
    {
      /* the first line was quoted with the rest (gn__sandbox_call()) */
      gsize n = strcspn (local->message, "\n");
      char *arch = gn_error_quote (c->arch, -1, 0);
      char *msg = g_strdup_printf ("invalid architecture '%s': %.*s", arch,
                                   (int) n, local->message);
      g_free (arch);
      g_free (local->message);
      local->message = msg;
    }
  g_propagate_error (error, local);
  return FALSE;
}

static char *
run_string (GnSpace *sp, Call *c, GnRng *rng, GError **error)
{
  if (!run (sp, c, rng, error))
    return NULL;
  lua_State *L = gn__sandbox_lua (sp->sb);
  char *s = g_strdup (lua_tostring (L, -1));
  lua_pop (L, 1);
  return s;
}

char *
gn_space_sample (GnSpace *space, GnRng *rng, GError **error)
{
  g_return_val_if_fail (space != NULL, NULL);
  g_return_val_if_fail (rng != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  Call c = { space, CALL_SAMPLE, NULL, NULL, NULL };
  return run_string (space, &c, rng, error);
}

char *
gn_space_mutate_full (GnSpace *space, const char *arch, GnRng *rng,
                      const char *const *options, GError **error)
{
  g_return_val_if_fail (space != NULL, NULL);
  g_return_val_if_fail (arch != NULL, NULL);
  g_return_val_if_fail (rng != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!check_options (space, options, FALSE, error))
    return NULL;
  Call c = { space, CALL_MUTATE, arch, options, NULL };
  return run_string (space, &c, rng, error);
}

char *
gn_space_mutate (GnSpace *space, const char *arch, GnRng *rng,
                 GError **error)
{
  return gn_space_mutate_full (space, arch, rng, NULL, error);
}

char *
gn_space_canonicalize (GnSpace *space, const char *arch, GError **error)
{
  g_return_val_if_fail (space != NULL, NULL);
  g_return_val_if_fail (arch != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  Call c = { space, CALL_CANONICALIZE, arch, NULL, NULL };
  return run_string (space, &c, NULL, error);
}

char *
gn_space_hash (GnSpace *space, const char *arch, GError **error)
{
  g_return_val_if_fail (space != NULL, NULL);
  g_return_val_if_fail (arch != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!space->has_hash)
    {
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED,
                   "%s: the space %s defines no hash", space->path,
                   space->name);
      return NULL;
    }
  Call c = { space, CALL_HASH, arch, NULL, NULL };
  return run_string (space, &c, NULL, error);
}

char *
gn_space_genotype (GnSpace *space, const char *arch, GError **error)
{
  g_return_val_if_fail (space != NULL, NULL);
  g_return_val_if_fail (arch != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  Call c = { space, space->has_genotype ? CALL_GENOTYPE : CALL_CANONICALIZE,
             arch, NULL, NULL };
  return run_string (space, &c, NULL, error);
}

GnNet *
gn_space_build (GnSpace *space, const char *arch, const GnBuildOptions *opts,
                GError **error)
{
  static const char *const stages[] = { "stage0", "stage1", "stage2" };
  g_return_val_if_fail (space != NULL, NULL);
  g_return_val_if_fail (arch != NULL, NULL);
  g_return_val_if_fail (opts != NULL && opts->batch > 0, NULL);
  g_return_val_if_fail (opts->in_c >= 0 && opts->in_h >= 0
                        && opts->in_w >= 0 && opts->num_classes >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!space->has_build)
    {
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_UNSUPPORTED,
                   "%s: the space %s builds no network (it has no build "
                   "function)", space->path, space->name);
      return NULL;
    }
  if (!check_options (space, opts->options, TRUE, error))
    return NULL;
  GnNet *net = gn_net_new (opts->batch, opts->in_c ? opts->in_c : 3,
                           opts->in_h ? opts->in_h : 32,
                           opts->in_w ? opts->in_w : 32);
  Call c = { space, CALL_BUILD, arch, opts->options, opts };
  space->net_box->net = net;
  gboolean ok = run (space, &c, NULL, error);
  space->net_box->net = NULL;
  if (!ok)
    goto fail;
  lua_pop (gn__sandbox_lua (space->sb), 1);

  for (gsize s = 0; s < G_N_ELEMENTS (stages); s++)
    if (gn_net_find_tap (net, stages[s]) < 0)
      {
        g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID,
                     "%s: build() made no tap '%s' (every space taps "
                     "stage0, stage1 and stage2)", space->path, stages[s]);
        goto fail;
      }
  if (opts->classifier && gn_net_find_tap (net, "logits") < 0)
    {
      g_set_error (error, GN_SPACE_ERROR, GN_SPACE_ERROR_INVALID,
                   "%s: build() made no tap 'logits' although the "
                   "classifier was asked for", space->path);
      goto fail;
    }
  return net;

fail:
  gn_net_free (net);
  return NULL;
}
