/* fuzz-proxy-desc.c - fuzz harness: the plugin loader's descriptor checks
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A plugin is native code and fully trusted (docs/trust.md), but the
 * descriptor it hands back is checked before anything of it is used, so
 * a plugin built against another ABI or simply wrong gets one line
 * instead of a crash.  The harness builds a GnProxyDesc from the input
 * (the three integers, which members are set, the strings, and a table of
 * parameter specs with any type, range and texts) and runs the checks
 * gn_proxy_load_file() runs (gn__proxy_check_descriptor()).  No function
 * of the descriptor is ever called.  What must hold for a descriptor the
 * checks accept: its parameters parse with their defaults
 * (gn_proxy_params_new() succeeds, as the loader promises), and their
 * canonical text "name=value;..." names each parameter once, in order.
 *
 * Input layout, read front to back (a short input reads as zeros):
 *   u32 abi_major, u32 abi_minor, u32 struct_size, u8 which members are
 *   set (bit 0 name, 1 description, 2 version, 3 create, 4 score,
 *   5 destroy, 6 params), then NUL-terminated strings: the file's name,
 *   the name, the description, the version; then up to 32 specs, each
 *   u8 flags (bit 0: the table ends here, 1 default set, 2 blurb set),
 *   u32 type, f64 min, f64 max, and the strings name, default, blurb.
 */
#include "gennas.h"
#include "gn-proxy-check.h"
#include "fuzz.h"

#include <string.h>

#define MAX_SPECS 32

typedef struct {
  const uint8_t *p, *end;
} Reader;

static void
read_bytes (Reader *r, void *out, size_t n)
{
  size_t k = MIN (n, (size_t) (r->end - r->p));
  memset (out, 0, n);
  memcpy (out, r->p, k);
  r->p += k;
}

static guint32
read_u32 (Reader *r)
{
  guint32 v;
  read_bytes (r, &v, sizeof v);
  return v;
}

static double
read_f64 (Reader *r)
{
  double v;
  read_bytes (r, &v, sizeof v);
  return v;
}

static guint8
read_u8 (Reader *r)
{
  guint8 v;
  read_bytes (r, &v, 1);
  return v;
}

/* Returns: (transfer full): the bytes up to the next NUL (or the end);
 * freed with @owned */
static char *
read_string (Reader *r, GPtrArray *owned)
{
  const uint8_t *nul = memchr (r->p, '\0', (size_t) (r->end - r->p));
  size_t n = (nul ? nul : r->end) - r->p;
  char *s = g_strndup ((const char *) r->p, n);
  r->p += n + (nul != NULL);
  g_ptr_array_add (owned, s);
  return s;
}

/* stand-ins for the plugin's functions: the checks only compare them
 * with NULL */
static gpointer
never_create (const GnProxyContext *ctx, const GnProxyParams *params,
              GError **error)
{
  g_assert_not_reached ();
}

static gboolean
never_score (gpointer self, const char *arch, GnProxyResult *result,
             GError **error)
{
  g_assert_not_reached ();
}

static void
never_destroy (gpointer self)
{
  g_assert_not_reached ();
}

/* The canonical text lists @d's parameters as "name=value", joined with
 * ';', in order; so that it reads back one way, a name is not empty,
 * holds no '=' or ';', and no two parameters share one. */
static void
check_canonical (const GnProxyDesc *d, const char *canonical)
{
  const char *at = canonical;
  for (guint i = 0; d->params && d->params[i].name; i++)
    {
      const char *name = d->params[i].name;
      g_assert_cmpstr (name, !=, "");
      g_assert_null (strpbrk (name, "=;"));
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (d->params[j].name, !=, name);
      if (i > 0)
        {
          /* past the previous value, which may hold ';' itself */
          char *next = g_strconcat (";", name, "=", NULL);
          at = strstr (at, next);
          g_assert_nonnull (at);
          at++;
          g_free (next);
        }
      g_assert_true (g_str_has_prefix (at, name)
                     && at[strlen (name)] == '=');
    }
  if (d->params == NULL || d->params[0].name == NULL)
    g_assert_cmpstr (canonical, ==, "");
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Reader r = { data, data + size };
  GPtrArray *owned = g_ptr_array_new_with_free_func (g_free);
  GnProxyParamSpec specs[MAX_SPECS + 1];
  GnProxyDesc d = { 0 };
  GError *error = NULL;

  d.abi_major = read_u32 (&r);
  d.abi_minor = read_u32 (&r);
  d.struct_size = read_u32 (&r);
  guint8 set = read_u8 (&r);
  const char *file_name = read_string (&r, owned);
  const char *name = read_string (&r, owned);
  const char *description = read_string (&r, owned);
  const char *version = read_string (&r, owned);
  d.name = set & 1 ? name : NULL;
  d.description = set & 2 ? description : NULL;
  d.version = set & 4 ? version : NULL;
  d.create = set & 8 ? never_create : NULL;
  d.score = set & 16 ? never_score : NULL;
  d.destroy = set & 32 ? never_destroy : NULL;
  d.params = set & 64 ? specs : NULL;

  guint n = 0;
  while (n < MAX_SPECS && r.p < r.end)
    {
      guint8 flags = read_u8 (&r);
      if (flags & 1)
        break;
      GnProxyParamSpec *s = &specs[n++];
      s->type = (GnProxyParamType) read_u32 (&r);
      s->min = read_f64 (&r);
      s->max = read_f64 (&r);
      s->name = read_string (&r, owned);
      const char *def = read_string (&r, owned);
      const char *blurb = read_string (&r, owned);
      s->default_value = flags & 2 ? def : NULL;
      s->blurb = flags & 4 ? blurb : NULL;
    }
  specs[n] = (GnProxyParamSpec) { .name = NULL };

  if (!gn__proxy_check_descriptor (&d, file_name, "fuzz.so", &error))
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == GN_PROXY_ERROR);
      g_error_free (error);
      goto out;
    }
  GnProxyParams *params = gn_proxy_params_new (&d, NULL, &error);
  g_assert_no_error (error);
  char *canonical = gn_proxy_params_canonical (params);
  check_canonical (&d, canonical);
  g_free (canonical);
  gn_proxy_params_free (params);

out:
  g_ptr_array_free (owned, TRUE);
  return 0;
}
