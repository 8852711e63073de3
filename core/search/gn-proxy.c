/* gn-proxy.c - finding, checking and loading proxy plugins; parameters
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Modelled on GStreamer's plugin loader: the entry symbol comes from the
 * file name, every check failure is a GError, modules are opened with
 * G_MODULE_BIND_LOCAL (no lazy binding: a missing symbol fails at load,
 * not in the middle of a search) and stay open until the registry goes.
 */
#include "config.h"
#include "gn-rng.h"
#include "gn-paths.h"
#include "gn-proxy.h"
#include "gn-proxy-check.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (gn-proxy-error-quark, gn_proxy_error)

#define PLUGIN_PREFIX "gennas-proxy-"

/* ------------------------------------------------------------------ */
/* per-architecture randomness                                         */
/* ------------------------------------------------------------------ */

void
gn_proxy_arch_rng (GnRng *rng, guint64 seed, const char *arch)
{
  /* FNV-1a of the string, mixed with the seed through the generator's
   * own seeding (splitmix64): stable across runs and machines */
  guint64 h = 0xcbf29ce484222325ULL;
  for (const char *p = arch; *p; p++)
    {
      h ^= (guchar) *p;
      h *= 0x100000001b3ULL;
    }
  gn_rng_seed (rng, seed ^ (h * 0x9e3779b97f4a7c15ULL));
}

/* ------------------------------------------------------------------ */
/* parameters                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
  gint64 i;
  double d;
  gboolean b;
  char *s;
} ParamValue;

struct _GnProxyParams {
  const GnProxyParamSpec *specs;
  guint n;
  ParamValue *values;
  char *canonical;
};

static const char *
type_name (GnProxyParamType t)
{
  switch (t)
    {
    case GN_PROXY_PARAM_INT: return "integer";
    case GN_PROXY_PARAM_DOUBLE: return "number";
    case GN_PROXY_PARAM_BOOL: return "boolean";
    case GN_PROXY_PARAM_STRING: return "string";
    }
  return "?";
}

/* Parses @text as a value of @spec into @out. */
static gboolean
parse_value (const GnProxyParamSpec *spec, const char *text, ParamValue *out,
             GError **error)
{
  char *end = NULL;
  switch (spec->type)
    {
    case GN_PROXY_PARAM_INT:
      {
        gint64 v = g_ascii_strtoll (text, &end, 10);
        if (end == text || *end != '\0')
          goto bad_type;
        if ((double) v < spec->min || (double) v > spec->max)
          goto out_of_range;
        out->i = v;
        out->d = (double) v;
        return TRUE;
      }
    case GN_PROXY_PARAM_DOUBLE:
      {
        double v = g_ascii_strtod (text, &end);
        if (end == text || *end != '\0' || !isfinite (v))
          goto bad_type;
        if (v < spec->min || v > spec->max)
          goto out_of_range;
        out->d = v;
        return TRUE;
      }
    case GN_PROXY_PARAM_BOOL:
      if (g_ascii_strcasecmp (text, "true") == 0 || strcmp (text, "1") == 0
          || g_ascii_strcasecmp (text, "yes") == 0)
        out->b = TRUE;
      else if (g_ascii_strcasecmp (text, "false") == 0
               || strcmp (text, "0") == 0
               || g_ascii_strcasecmp (text, "no") == 0)
        out->b = FALSE;
      else
        goto bad_type;
      return TRUE;
    case GN_PROXY_PARAM_STRING:
      g_free (out->s);
      out->s = g_strdup (text);
      return TRUE;
    }
bad_type:
  g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
               "parameter '%s' takes a %s, not '%s'", spec->name,
               type_name (spec->type), text);
  return FALSE;
out_of_range:
  g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
               "parameter '%s' must lie in [%g, %g], not %s", spec->name,
               spec->min, spec->max, text);
  return FALSE;
}

static char *
format_value (const GnProxyParamSpec *spec, const ParamValue *v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  switch (spec->type)
    {
    case GN_PROXY_PARAM_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, v->i);
    case GN_PROXY_PARAM_DOUBLE:
      /* 12 significant digits: "0.1", not "0.10000000000000001" */
      return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.12g", v->d));
    case GN_PROXY_PARAM_BOOL:
      return g_strdup (v->b ? "true" : "false");
    case GN_PROXY_PARAM_STRING:
      return g_strdup (v->s);
    }
  return g_strdup ("?");
}

static guint
count_specs (const GnProxyParamSpec *specs)
{
  guint n = 0;
  while (specs && specs[n].name)
    n++;
  return n;
}

static int
find_spec (const GnProxyParams *p, const char *name)
{
  for (guint i = 0; i < p->n; i++)
    if (strcmp (p->specs[i].name, name) == 0)
      return (int) i;
  return -1;
}

void
gn_proxy_params_free (GnProxyParams *p)
{
  if (p == NULL)
    return;
  for (guint i = 0; i < p->n; i++)
    g_free (p->values[i].s);
  g_free (p->values);
  g_free (p->canonical);
  g_free (p);
}

GnProxyParams *
gn_proxy_params_new (const GnProxyDesc *desc, const char *const *assignments,
                     GError **error)
{
  g_return_val_if_fail (desc != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GnProxyParams *p = g_new0 (GnProxyParams, 1);
  p->specs = desc->params;
  p->n = count_specs (desc->params);
  p->values = g_new0 (ParamValue, p->n);

  for (guint i = 0; i < p->n; i++)
    if (!parse_value (&p->specs[i], p->specs[i].default_value, &p->values[i],
                      error))
      goto fail;   /* gn_proxy_load_file() rejects such plugins earlier */

  for (guint a = 0; assignments && assignments[a]; a++)
    {
      const char *eq = strchr (assignments[a], '=');
      if (eq == NULL || eq == assignments[a])
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                       "'%s' is not a name=value assignment",
                       assignments[a]);
          goto fail;
        }
      char *name = g_strndup (assignments[a], (gsize) (eq - assignments[a]));
      int k = find_spec (p, name);
      if (k < 0)
        {
          GString *known = g_string_new (NULL);
          for (guint i = 0; i < p->n; i++)
            g_string_append_printf (known, "%s%s", i ? ", " : "",
                                    p->specs[i].name);
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                       "proxy '%s' has no parameter '%s' (it has: %s)",
                       desc->name, name, known->len ? known->str : "none");
          g_string_free (known, TRUE);
          g_free (name);
          goto fail;
        }
      g_free (name);
      if (!parse_value (&p->specs[k], eq + 1, &p->values[k], error))
        goto fail;
    }

  GString *canon = g_string_new (NULL);
  for (guint i = 0; i < p->n; i++)
    {
      char *v = format_value (&p->specs[i], &p->values[i]);
      g_string_append_printf (canon, "%s%s=%s", i ? ";" : "",
                              p->specs[i].name, v);
      g_free (v);
    }
  p->canonical = g_string_free (canon, FALSE);
  return p;

fail:
  gn_proxy_params_free (p);
  return NULL;
}

char *
gn_proxy_params_canonical (const GnProxyParams *p)
{
  g_return_val_if_fail (p != NULL, NULL);
  return g_strdup (p->canonical);
}

char **
gn_proxy_split_assignments (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);
  char **pieces = g_strsplit (text, ",", -1);
  GPtrArray *items = g_ptr_array_new ();
  for (char **p = pieces; *p; p++)   /* none for "" */
    {
      if (strchr (*p, '=') == NULL && items->len > 0)
        {
          char **last = (char **) &items->pdata[items->len - 1];
          char *joined = g_strconcat (*last, ",", g_strstrip (*p), NULL);
          g_free (*last);
          *last = joined;
        }
      else
        g_ptr_array_add (items, g_strdup (g_strstrip (*p)));
    }
  g_strfreev (pieces);
  g_ptr_array_add (items, NULL);
  return (char **) g_ptr_array_free (items, FALSE);
}

gboolean
gn_proxy_parse_numbers (const char *text, int n, double *out)
{
  g_return_val_if_fail (text != NULL && n >= 0, FALSE);
  char **parts = g_strsplit (text, ",", -1);
  gboolean ok = *text != '\0' && g_strv_length (parts) == (guint) n;
  for (int i = 0; ok && i < n; i++)
    {
      char *end = NULL;
      const char *part = g_strstrip (parts[i]);
      out[i] = g_ascii_strtod (part, &end);
      ok = end != part && *end == '\0' && isfinite (out[i]);
    }
  g_strfreev (parts);
  return ok;
}

static const ParamValue *
lookup (const GnProxyParams *p, const char *name, GnProxyParamType type)
{
  int k = find_spec (p, name);
  /* asking for a parameter the plugin did not declare is a plugin bug */
  g_return_val_if_fail (k >= 0, NULL);
  g_return_val_if_fail (p->specs[k].type == type, NULL);
  return &p->values[k];
}

gint64
gn_proxy_params_int (const GnProxyParams *p, const char *name)
{
  const ParamValue *v = lookup (p, name, GN_PROXY_PARAM_INT);
  return v ? v->i : 0;
}

double
gn_proxy_params_double (const GnProxyParams *p, const char *name)
{
  const ParamValue *v = lookup (p, name, GN_PROXY_PARAM_DOUBLE);
  return v ? v->d : NAN;
}

gboolean
gn_proxy_params_bool (const GnProxyParams *p, const char *name)
{
  const ParamValue *v = lookup (p, name, GN_PROXY_PARAM_BOOL);
  return v ? v->b : FALSE;
}

const char *
gn_proxy_params_string (const GnProxyParams *p, const char *name)
{
  const ParamValue *v = lookup (p, name, GN_PROXY_PARAM_STRING);
  return v ? v->s : NULL;
}

/* ------------------------------------------------------------------ */
/* loading one file                                                    */
/* ------------------------------------------------------------------ */

/* "…/gennas-proxy-grad-norm.so" -> "grad-norm", or NULL */
static char *
name_from_path (const char *path)
{
  char *base = g_path_get_basename (path);
  char *name = NULL;
  const char *suffix = "." G_MODULE_SUFFIX;
  if (g_str_has_prefix (base, PLUGIN_PREFIX) && g_str_has_suffix (base, suffix)
      && strlen (base) > strlen (PLUGIN_PREFIX) + strlen (suffix))
    name = g_strndup (base + strlen (PLUGIN_PREFIX),
                      strlen (base) - strlen (PLUGIN_PREFIX)
                      - strlen (suffix));
  g_free (base);
  return name;
}

/* What the host sets for every proxy through GnProxyContext (the task seed
 * and the build options): no plugin may declare a parameter of the name,
 * so `--param seed=...` can only be a mistake the CLI explains. */
static const char *const host_owned[] = { "seed", "space_options", NULL };

static gboolean
is_param_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

gboolean
gn__proxy_check_descriptor (const GnProxyDesc *d, const char *file_name,
                            const char *path, GError **error)
{
  if (d->abi_major != GN_PROXY_ABI_MAJOR)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_ABI,
                   "%s: built for proxy ABI %u.%u, this gennas speaks %u.%u "
                   "(rebuild the plugin)", path, d->abi_major, d->abi_minor,
                   GN_PROXY_ABI_MAJOR, GN_PROXY_ABI_MINOR);
      return FALSE;
    }
  if (d->abi_minor > GN_PROXY_ABI_MINOR)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_ABI,
                   "%s: needs proxy ABI %u.%u, newer than this gennas (%u.%u)",
                   path, d->abi_major, d->abi_minor, GN_PROXY_ABI_MAJOR,
                   GN_PROXY_ABI_MINOR);
      return FALSE;
    }
  if (d->struct_size < offsetof (GnProxyDesc, destroy) + sizeof d->destroy)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_ABI,
                   "%s: descriptor of %u bytes is truncated (at least %zu "
                   "expected)", path, d->struct_size,
                   offsetof (GnProxyDesc, destroy) + sizeof d->destroy);
      return FALSE;
    }
  const char *missing = d->name == NULL ? "name"
                        : d->description == NULL ? "description"
                        : d->create == NULL ? "create"
                        : d->score == NULL ? "score"
                        : d->destroy == NULL ? "destroy" : NULL;
  if (missing)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_DESCRIPTOR,
                   "%s: the descriptor has no %s", path, missing);
      return FALSE;
    }
  if (strcmp (d->name, file_name) != 0)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_DESCRIPTOR,
                   "%s: the descriptor names itself '%s', the file '%s'",
                   path, d->name, file_name);
      return FALSE;
    }
  for (guint i = 0; d->params && d->params[i].name; i++)
    {
      const GnProxyParamSpec *s = &d->params[i];
      /* what `--param NAME=VALUE` can name, and what the canonical text
       * "name=value;..." (the cache's key) reads back one way */
      if (!is_param_name (s->name))
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_DESCRIPTOR,
                       "%s: parameter %u's name '%s' is not one or more "
                       "letters, digits, '_', '-' or '.'", path, i + 1,
                       s->name);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (strcmp (d->params[j].name, s->name) == 0)
          {
            g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_DESCRIPTOR,
                         "%s: two parameters are named '%s'", path,
                         s->name);
            return FALSE;
          }
      if (g_strv_contains (host_owned, s->name))
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_DESCRIPTOR,
                       "%s: parameter '%s' is the host's (GnProxyContext), "
                       "not a plugin's", path, s->name);
          return FALSE;
        }
      ParamValue v = { 0 };
      GError *local = NULL;
      gboolean ok = s->type <= GN_PROXY_PARAM_STRING
                    && s->default_value != NULL && s->blurb != NULL
                    && (s->type == GN_PROXY_PARAM_BOOL
                        || s->type == GN_PROXY_PARAM_STRING
                        || s->min <= s->max)
                    && parse_value (s, s->default_value, &v, &local);
      g_free (v.s);
      if (!ok)
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_DESCRIPTOR,
                       "%s: parameter '%s' is malformed%s%s", path, s->name,
                       local ? ": " : " (type, default, blurb or range)",
                       local ? local->message : "");
          g_clear_error (&local);
          return FALSE;
        }
    }
  return TRUE;
}

/* Opening a plugin runs its code (its constructors run before its
 * descriptor can be checked): open only a regular file (a FIFO would
 * block, a device never end) that its owner, the user or root, alone
 * may change.  Checked on the file a link leads to; the folder is the
 * user's to keep safe. */
static gboolean
check_file (const char *path, GError **error)
{
  GStatBuf st;
  const char *why = NULL;
  if (g_stat (path, &st) != 0)
    why = g_strerror (errno);
  else if (!S_ISREG (st.st_mode))
    why = "not a regular file";
  else if (st.st_uid != 0 && st.st_uid != geteuid ())
    why = "owned by neither you nor root";
  else if (st.st_mode & S_IWOTH)
    why = "writable by anyone (chmod o-w)";
  if (why == NULL)
    return TRUE;
  g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_LOAD,
               "%s: not loaded: %s; a plugin runs as you", path, why);
  return FALSE;
}

const GnProxyDesc *
gn_proxy_load_file (const char *path, GModule **module, GError **error)
{
  g_return_val_if_fail (path != NULL && module != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const GnProxyDesc *(*get_desc) (void) = NULL;
  const GnProxyDesc *desc = NULL;
  char *name = name_from_path (path);
  char *symbol = NULL;
  GModule *mod = NULL;
  GError *local = NULL;

  *module = NULL;
  if (name == NULL)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_LOAD,
                   "%s: a proxy plugin's file is named "
                   PLUGIN_PREFIX "NAME.%s", path, G_MODULE_SUFFIX);
      goto out;
    }
  if (!check_file (path, error))
    goto out;
  mod = g_module_open_full (path, G_MODULE_BIND_LOCAL, &local);
  if (mod == NULL)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_LOAD,
                   "cannot load %s: %s", path, local->message);
      g_clear_error (&local);
      goto out;
    }
  symbol = g_strdup_printf ("gn_proxy_%s_get_desc", name);
  g_strdelimit (symbol, "-", '_');
  if (!g_module_symbol (mod, symbol, (gpointer *) &get_desc)
      || get_desc == NULL)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_ABI,
                   "%s: no entry point %s()", path, symbol);
      goto out;
    }
  desc = get_desc ();
  if (desc == NULL)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_DESCRIPTOR,
                   "%s: %s() returned no descriptor", path, symbol);
      goto out;
    }
  if (!gn__proxy_check_descriptor (desc, name, path, error))
    {
      desc = NULL;
      goto out;
    }
  *module = mod;
  mod = NULL;

out:
  if (mod)
    g_module_close (mod);
  g_free (symbol);
  g_free (name);
  return desc;
}

/* ------------------------------------------------------------------ */
/* the registry                                                        */
/* ------------------------------------------------------------------ */

typedef struct {
  char *path;
  GModule *module;               /* NULL until loaded */
  const GnProxyDesc *desc;
  char *error;                   /* why it failed to load, if it did */
} Entry;

struct _GnProxyRegistry {
  GPtrArray *dirs;               /* search path, in order */
  GHashTable *entries;           /* name -> Entry (first on the path wins) */
  gboolean scanned;
};

static void
entry_free (gpointer data)
{
  Entry *e = data;
  if (e->module)
    g_module_close (e->module);
  g_free (e->path);
  g_free (e->error);
  g_free (e);
}

GnProxyRegistry *
gn_proxy_registry_new (void)
{
  GnProxyRegistry *reg = g_new0 (GnProxyRegistry, 1);
  reg->dirs = g_ptr_array_new_with_free_func (g_free);
  reg->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        entry_free);
  gn__append_search_path (reg->dirs, "GENNAS_PROXY_PATH");
  /* like GST_PLUGIN_SYSTEM_PATH: set (even empty), it replaces the
   * installed folder, so tests see only their plugins */
  if (g_getenv ("GENNAS_PROXY_SYSTEM_PATH") != NULL)
    {
      gn__append_search_path (reg->dirs, "GENNAS_PROXY_SYSTEM_PATH");
      return reg;
    }
  g_ptr_array_add (reg->dirs, g_strdup (GN_PROXYDIR));
  return reg;
}

void
gn_proxy_registry_free (GnProxyRegistry *reg)
{
  if (reg == NULL)
    return;
  g_hash_table_destroy (reg->entries);
  g_ptr_array_free (reg->dirs, TRUE);
  g_free (reg);
}

/* Flat scan of every folder; the first file of a name wins. */
static void
scan (GnProxyRegistry *reg)
{
  if (reg->scanned)
    return;
  reg->scanned = TRUE;
  for (guint i = 0; i < reg->dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (reg->dirs, i);
      GDir *d = g_dir_open (dir, 0, NULL);
      if (d == NULL)
        continue;
      const char *file;
      while ((file = g_dir_read_name (d)) != NULL)
        {
          char *path = g_build_filename (dir, file, NULL);
          char *name = name_from_path (path);
          if (name && !g_hash_table_contains (reg->entries, name))
            {
              Entry *e = g_new0 (Entry, 1);
              e->path = path;
              path = NULL;
              g_hash_table_insert (reg->entries, name, e);
              name = NULL;
            }
          g_free (name);
          g_free (path);
        }
      g_dir_close (d);
    }
}

static gboolean
entry_load (Entry *e, GError **error)
{
  if (e->desc)
    return TRUE;
  if (e->error)
    {
      g_set_error_literal (error, GN_PROXY_ERROR, GN_PROXY_ERROR_LOAD,
                           e->error);
      return FALSE;
    }
  GError *local = NULL;
  e->desc = gn_proxy_load_file (e->path, &e->module, &local);
  if (e->desc == NULL)
    {
      e->error = g_strdup (local->message);
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

const GnProxyDesc *
gn_proxy_registry_lookup (GnProxyRegistry *reg, const char *name,
                          GError **error)
{
  g_return_val_if_fail (reg != NULL && name != NULL, NULL);
  scan (reg);
  Entry *e = g_hash_table_lookup (reg->entries, name);
  if (e == NULL)
    {
      GString *where = g_string_new (NULL);
      for (guint i = 0; i < reg->dirs->len; i++)
        g_string_append_printf (where, "%s%s", i ? ", " : "",
                                (char *) g_ptr_array_index (reg->dirs, i));
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_NOT_FOUND,
                   "no proxy named '%s' (searched: %s; `gennas proxies` "
                   "lists those found)", name,
                   where->len ? where->str : "nothing");
      g_string_free (where, TRUE);
      return NULL;
    }
  return entry_load (e, error) ? e->desc : NULL;
}

static int
by_name (gconstpointer a, gconstpointer b)
{
  const GnProxyDesc *x = *(const GnProxyDesc *const *) a;
  const GnProxyDesc *y = *(const GnProxyDesc *const *) b;
  return strcmp (x->name, y->name);
}

GPtrArray *
gn_proxy_registry_list (GnProxyRegistry *reg, GPtrArray **broken)
{
  g_return_val_if_fail (reg != NULL, NULL);
  scan (reg);
  GPtrArray *out = g_ptr_array_new ();
  if (broken)
    *broken = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, reg->entries);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Entry *e = value;
      GError *local = NULL;
      if (entry_load (e, &local))
        g_ptr_array_add (out, (gpointer) e->desc);
      else
        {
          if (broken)
            g_ptr_array_add (*broken, g_strdup (local->message));
          g_clear_error (&local);
        }
    }
  g_ptr_array_sort (out, by_name);
  return out;
}

/* ------------------------------------------------------------------ */
/* instances                                                           */
/* ------------------------------------------------------------------ */

struct _GnProxy {
  const GnProxyDesc *desc;
  const GnProxyContext *ctx;
  GnProxyParams *params;
  gpointer self;
  char *config;
};

/* "NAME:params[;build=k=v,...][;fingerprint=...][;space-sha256=...]":
 * see gn_proxy_config() */
static char *
config_of (const GnProxyDesc *desc, const GnProxyParams *params,
           const GnProxyContext *ctx, const char *fingerprint)
{
  GString *c = g_string_new (desc->name);
  g_string_append_printf (c, ":%s", params->canonical);
  for (const char *const *o = ctx->build_options; o && *o; o++)
    g_string_append_printf (c, "%s%s", o == ctx->build_options ? ";build="
                                                               : ",", *o);
  if (fingerprint)
    g_string_append_printf (c, ";fingerprint=%s", fingerprint);
  if (ctx->space)
    g_string_append_printf (c, ";space-sha256=%s",
                            gn_space_checksum (ctx->space));
  return g_string_free (c, FALSE);
}

/* What the context's space gives @desc (NULL: nothing, or no space). */
static const char *const *
space_defaults_for (const GnProxyContext *ctx, const GnProxyDesc *desc)
{
  return ctx->space ? gn_space_proxy_defaults (ctx->space, desc->name)
                    : NULL;
}

/* A character that can be part of a value or a path, so not its edge. */
static gboolean
word_char (char c)
{
  return c != '\0' && (g_ascii_isalnum (c) || strchr ("._-/", c) != NULL);
}

/* @message holds @value whole (not inside a longer word or path: "8" is
 * not named by "/tmp/x8/"). */
static gboolean
names_value (const char *message, const char *value)
{
  gsize n = strlen (value);
  for (const char *at = n ? strstr (message, value) : NULL; at != NULL;
       at = strstr (at + 1, value))
    if ((at == message || !word_char (at[-1])) && !word_char (at[n]))
      return TRUE;
  return FALSE;
}

/* A setting the user did not type is named when the error @e of
 * starting @desc names its value: "... (space 'S' sets recipe=X)". */
static void
name_space_defaults (const GnProxyContext *ctx, const GnProxyDesc *desc,
                     GError *e)
{
  const char *const *space = space_defaults_for (ctx, desc);
  GString *named = g_string_new (NULL);
  for (const char *const *a = space; a && *a; a++)
    {
      if (names_value (e->message, strchr (*a, '=') + 1))
        g_string_append_printf (named, "%s%s", named->len ? ", " : "", *a);
    }
  if (named->len > 0)
    {
      char *msg = g_strdup_printf ("%s (space '%s' sets %s)", e->message,
                                   gn_space_name (ctx->space), named->str);
      g_free (e->message);
      e->message = msg;
    }
  g_string_free (named, TRUE);
}

/* The parameters of @desc: its defaults, then the space's
 * (gn_space_proxy_defaults()), then @assignments. */
static GnProxyParams *
params_with_space_defaults (const GnProxyDesc *desc,
                            const GnProxyContext *ctx,
                            const char *const *assignments, GError **error)
{
  const char *const *space = space_defaults_for (ctx, desc);
  if (space == NULL)
    return gn_proxy_params_new (desc, assignments, error);

  /* the space's alone first, so an error in them says whose they are */
  GnProxyParams *params = gn_proxy_params_new (desc, space, error);
  if (params == NULL)
    {
      g_prefix_error (error, "space '%s', proxy_defaults.%s: ",
                      gn_space_name (ctx->space), desc->name);
      return NULL;
    }
  gn_proxy_params_free (params);
  GPtrArray *all = g_ptr_array_new ();
  for (const char *const *a = space; *a; a++)
    g_ptr_array_add (all, (gpointer) *a);
  for (const char *const *a = assignments; a && *a; a++)
    g_ptr_array_add (all, (gpointer) *a);
  g_ptr_array_add (all, NULL);
  params = gn_proxy_params_new (desc, (const char *const *) all->pdata,
                                error);
  g_ptr_array_free (all, TRUE);
  return params;
}

GnProxy *
gn_proxy_new (const GnProxyDesc *desc, const GnProxyContext *ctx,
              const char *const *assignments, GError **error)
{
  g_return_val_if_fail (desc != NULL && ctx != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GnProxyParams *params = params_with_space_defaults (desc, ctx, assignments,
                                                      error);
  if (params == NULL)
    return NULL;
  GError *local = NULL;
  gpointer self = desc->create (ctx, params, &local);
  if (self == NULL)
    {
      if (local == NULL)   /* a plugin that forgot to say why */
        local = g_error_new (GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                             "proxy '%s' failed to start", desc->name);
      name_space_defaults (ctx, desc, local);
      g_propagate_prefixed_error (error, local, "%s: ", desc->name);
      gn_proxy_params_free (params);
      return NULL;
    }
  GnProxy *proxy = g_new0 (GnProxy, 1);
  proxy->desc = desc;
  proxy->ctx = ctx;
  proxy->params = params;
  proxy->self = self;
  proxy->config = config_of (desc, params, ctx,
                             desc->fingerprint ? desc->fingerprint (self)
                                               : NULL);
  return proxy;
}

gboolean
gn_proxy_score (GnProxy *proxy, const char *arch, GnProxyResult *result,
                GError **error)
{
  g_return_val_if_fail (proxy != NULL && arch != NULL && result != NULL,
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  GError *local = NULL;
  *result = (GnProxyResult) { .score = -G_MAXDOUBLE, .status = GN_EVAL_OK,
                              .loss = NAN };
  if (!proxy->desc->score (proxy->self, arch, result, &local))
    {
      if (local == NULL)
        local = g_error_new (GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE,
                             "proxy '%s' failed without a reason",
                             proxy->desc->name);
      g_propagate_error (error, local);
      return FALSE;
    }
  if (!gn_eval_status_scored (result->status))
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE,
                   "proxy '%s' returned a result with status '%s'",
                   proxy->desc->name, gn_eval_status_name (result->status));
      return FALSE;
    }
  if (!isfinite (result->score))
    {
      result->score = -G_MAXDOUBLE;
      result->status = GN_EVAL_NONFINITE;
    }
  return TRUE;
}

const char *
gn_proxy_config (GnProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  return proxy->config;
}

guint64
gn_proxy_task_seed (GnProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, 0);
  return proxy->ctx->seed;
}

const GnProxyDesc *
gn_proxy_desc (GnProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  return proxy->desc;
}

void
gn_proxy_free (GnProxy *proxy)
{
  if (proxy == NULL)
    return;
  proxy->desc->destroy (proxy->self);
  gn_proxy_params_free (proxy->params);
  g_free (proxy->config);
  g_free (proxy);
}
