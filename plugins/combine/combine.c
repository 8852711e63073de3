/* combine.c - a weighted sum of other proxies' standardised scores
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Two proxies that err in different places rank better together: on
 * NAS-Bench-201 the average of the regression proxy's and synflow's
 * ranks beats both (docs/benchmarks.md).  A rank needs the whole
 * population, and a search scores one architecture at a time, so this
 * proxy puts the components on one scale with statistics fixed in
 * advance instead: those of a *reference sample*, unlabelled random
 * architectures of the space scored once by each component
 * (bench/make-reference.sh; data/reference/ ships NB201's).  No accuracy
 * enters anywhere.
 *
 *   score (arch) = sum_i  w_i (t_i (s_i (arch)) - mean_i) / sd_i
 *
 * s_i is component i's score, t_i its transform (none, or log of the
 * score or of its negation, docs/method.md §4.5), mean_i and sd_i the
 * mean and sample standard deviation of t_i over the reference rows.
 * The components are created here with the context given to this
 * proxy (the same space, build options, task seed and fixed batch), each
 * with its own parameters (its plugin's defaults and component_params;
 * a space's proxy_defaults do not reach them, as the reference sample
 * was scored with fixed settings), from a registry of this instance's
 * own.
 *
 * A component whose result is not finite makes the sum not finite: the
 * worst score, status nonfinite.  A component that fails fails the
 * evaluation, its error prefixed with its name.  The raw figure (loss)
 * is NAN: the components' own are in their own terms.
 *
 * The reference file is CSV: a header naming every component (other
 * columns, such as the architecture, are allowed and ignored), then one
 * row per architecture; fields may be double-quoted as RFC 4180 says,
 * within one line.  A row with a non-finite value (nan, inf) in any
 * component's column is skipped; anything else that is not a number is
 * an error.  Its SHA-256 is part of the configuration (the fingerprint),
 * with the components' configurations and the weights.
 */
#include "config.h"
#include "gennas.h"

#include <math.h>
#include <string.h>

#define MIN_REFERENCE_ROWS 10

typedef enum {
  TRANSFORM_NONE,     /* the score as it is                          */
  TRANSFORM_LOG,      /* log (score), for a positive score            */
  TRANSFORM_NEG_LOG   /* -log (-score), for a negated positive figure */
} Transform;

static const char *const transform_names[] = { "none", "log", "neglog" };

typedef struct {
  char *name;
  GPtrArray *assignments;      /* its parameters, NULL-terminated */
  Transform transform;
  double weight, mean, sd;
  const GnProxyDesc *desc;     /* owned by the registry */
  GnProxy *proxy;
} Component;

typedef struct {
  Component *comps;
  int n;
  GnProxyRegistry *registry;   /* after every component's proxy is freed */
  char *fingerprint;
} Combine;

static const GnProxyParamSpec params[] = {
  { "proxies", GN_PROXY_PARAM_STRING, "regression,synflow", 0, 0,
    "the component proxies, by name, separated by commas" },
  { "weights", GN_PROXY_PARAM_STRING, "", 0, 0,
    "one weight per component, separated by commas (empty: all 1); a "
    "component of weight 0 is not run" },
  { "component_params", GN_PROXY_PARAM_STRING, "", 0, 0,
    "the components' parameters as NAME.KEY=VALUE, separated by commas "
    "(e.g. regression.steps=50); NAME.transform=none|log|neglog sets a "
    "component's transform (default: neglog for regression, none for "
    "the others)" },
  { "reference", GN_PROXY_PARAM_STRING, "", 0, 0,
    "CSV of the components' scores on random architectures, one column "
    "per component (required; e.g. reference/nb201.csv)" },
  { NULL }
};

static void combine_destroy (gpointer self);

/* The transform a component gets unless told: regression's score is a
 * negated loss, whose log is closer to symmetric (docs/method.md §4.5). */
static Transform
default_transform (const char *name)
{
  return strcmp (name, "regression") == 0 ? TRANSFORM_NEG_LOG
                                          : TRANSFORM_NONE;
}

static double
transform (Transform t, double score)
{
  switch (t)
    {
    case TRANSFORM_LOG:
      return score > 0 ? log (score) : NAN;
    case TRANSFORM_NEG_LOG:
      return score < 0 ? -log (-score) : NAN;
    case TRANSFORM_NONE:
      break;
    }
  return score;
}

static gboolean
parse_proxies (Combine *c, const char *text, GError **error)
{
  char **names = g_strsplit (text, ",", -1);
  char *quoted = gn_error_quote (text, -1, 0);
  gboolean ok = FALSE;
  c->n = (int) g_strv_length (names);
  c->comps = g_new0 (Component, MAX (c->n, 1));
  for (int i = 0; i < c->n; i++)
    {
      const char *name = g_strstrip (names[i]);
      Component *comp = &c->comps[i];
      comp->name = g_strdup (name);
      comp->assignments = g_ptr_array_new_with_free_func (g_free);
      comp->transform = default_transform (name);
      comp->weight = 1.0;
      if (*name == '\0')
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                       "proxies '%s': an empty name; give proxy names "
                       "separated by commas", quoted);
          goto out;
        }
      if (strcmp (name, "combine") == 0)
        {
          g_set_error_literal (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                               "proxies: combine cannot be its own "
                               "component");
          goto out;
        }
      for (int j = 0; j < i; j++)
        if (strcmp (c->comps[j].name, name) == 0)
          {
            g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                         "proxies '%s': '%s' twice", quoted, name);
            goto out;
          }
    }
  if (c->n == 0)
    {
      g_set_error_literal (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                           "proxies is empty: name at least one proxy");
      goto out;
    }
  ok = TRUE;

out:
  g_free (quoted);
  g_strfreev (names);
  return ok;
}

static gboolean
parse_weights (Combine *c, const char *text, GError **error)
{
  if (*text == '\0')
    return TRUE;   /* all 1 */
  double *w = g_new (double, c->n);
  gboolean ok = gn_proxy_parse_numbers (text, c->n, w), any = FALSE;
  for (int i = 0; ok && i < c->n; i++)
    {
      c->comps[i].weight = w[i];
      any |= w[i] != 0;
    }
  g_free (w);
  char *quoted = gn_error_quote (text, -1, 0);
  if (!ok)
    g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                 "weights must be %d finite number(s) separated by commas, "
                 "one per component, not '%s'", c->n, quoted);
  else if (!any)
    g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                 "weights '%s' are all zero: every architecture would score "
                 "0", quoted);
  g_free (quoted);
  return ok && any;
}

/* The component that "NAME.KEY=VALUE" is for (the longest NAME that
 * fits), or NULL. */
static Component *
component_of (Combine *c, const char *item)
{
  Component *best = NULL;
  for (int i = 0; i < c->n; i++)
    {
      gsize len = strlen (c->comps[i].name);
      if (strncmp (item, c->comps[i].name, len) == 0 && item[len] == '.'
          && (best == NULL || len > strlen (best->name)))
        best = &c->comps[i];
    }
  return best;
}

static gboolean
set_transform (Component *comp, const char *value, GError **error)
{
  for (guint t = 0; t < G_N_ELEMENTS (transform_names); t++)
    if (strcmp (value, transform_names[t]) == 0)
      {
        comp->transform = (Transform) t;
        return TRUE;
      }
  char *quoted = gn_error_quote (value, -1, 0);
  g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
               "component_params: %s.transform must be none, log or "
               "neglog, not '%s'", comp->name, quoted);
  g_free (quoted);
  return FALSE;
}

/* "a.x=1,a.w=0.25,0.5,1,b.y=2": gn_proxy_split_assignments() keeps a
 * component's own comma-separated values (regression's weights) whole. */
static gboolean
parse_component_params (Combine *c, const char *text, GError **error)
{
  char **items = gn_proxy_split_assignments (text);
  gboolean ok = FALSE;
  for (guint i = 0; items[i]; i++)
    {
      const char *item = items[i];
      Component *comp = component_of (c, item);
      const char *eq = strchr (item, '=');
      if (comp == NULL || eq == NULL
          || eq == item + strlen (comp->name) + 1)
        {
          char *quoted = gn_error_quote (item, -1, 0);
          GString *names = g_string_new (NULL);
          for (int k = 0; k < c->n; k++)
            g_string_append_printf (names, "%s%s", k ? ", " : "",
                                    c->comps[k].name);
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                       comp == NULL
                       ? "component_params: '%s' names no component (give "
                         "NAME.KEY=VALUE with NAME one of: %s)"
                       : "component_params: '%s' is not NAME.KEY=VALUE "
                         "(components: %s)", quoted, names->str);
          g_string_free (names, TRUE);
          g_free (quoted);
          goto out;
        }
      const char *key = item + strlen (comp->name) + 1;
      if (g_str_has_prefix (key, "transform="))
        {
          if (!set_transform (comp, eq + 1, error))
            goto out;
        }
      else
        g_ptr_array_add (comp->assignments, g_strdup (key));
    }
  ok = TRUE;

out:
  g_strfreev (items);
  return ok;
}

/* The mean and standard deviation of each component's transformed
 * column of the reference @t; a row with a value that the transform
 * makes non-finite is left out. */
static gboolean
reference_statistics (Combine *c, GnTable *t, GError **error)
{
  const char *path = gn_table_name (t);
  guint n_rows = gn_table_n_rows (t);
  int *column = g_new (int, c->n);
  double *sum = g_new0 (double, c->n), *sum2 = g_new0 (double, c->n);
  double *v = g_new (double, (gsize) n_rows * (guint) c->n + 1);
  gboolean ok = FALSE;
  int used = 0, skipped = 0;

  for (int i = 0; i < c->n; i++)
    {
      GError *local = NULL;
      column[i] = gn_table_find_column (t, c->comps[i].name, &local);
      g_clear_error (&local);
      if (column[i] < 0)
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                       "reference %s has no column '%s', the "
                       "component's scores", path, c->comps[i].name);
          goto out;
        }
    }
  for (guint r = 0; r < n_rows; r++)
    {
      gboolean finite = TRUE;
      double *row = &v[used * c->n];
      for (int i = 0; i < c->n; i++)
        {
          double x;
          if (!gn_table_get_double (t, r, (guint) column[i], &x, error))
            {
              g_prefix_error (error, "reference: ");
              goto out;
            }
          row[i] = transform (c->comps[i].transform, x);
          finite &= isfinite (row[i]);
        }
      if (finite)
        used++;
      else
        skipped++;
    }
  if (used < MIN_REFERENCE_ROWS)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                   "reference %s has %d row(s) with finite scores%s; "
                   "standardising needs at least %d", path, used,
                   skipped ? " (the others have a value that is not finite "
                             "after its component's transform)" : "",
                   MIN_REFERENCE_ROWS);
      goto out;
    }
  /* two passes, for a variance that does not cancel */
  for (int r = 0; r < used; r++)
    for (int i = 0; i < c->n; i++)
      sum[i] += v[r * c->n + i];
  for (int i = 0; i < c->n; i++)
    c->comps[i].mean = sum[i] / used;
  for (int r = 0; r < used; r++)
    for (int i = 0; i < c->n; i++)
      {
        double d = v[r * c->n + i] - c->comps[i].mean;
        sum2[i] += d * d;
      }
  for (int i = 0; i < c->n; i++)
    {
      Component *comp = &c->comps[i];
      comp->sd = sqrt (sum2[i] / (used - 1));
      if (!isfinite (comp->mean) || !isfinite (comp->sd))
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                       "reference %s: '%s' scores too large to average",
                       path, comp->name);
          goto out;
        }
      if (!(comp->sd > 0))
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                       "reference %s: every row gives '%s' the same score "
                       "%g, so it cannot be standardised", path, comp->name,
                       comp->mean);
          goto out;
        }
    }
  ok = TRUE;

out:
  g_free (v);
  g_free (sum2);
  g_free (sum);
  g_free (column);
  return ok;
}

/* Reads the reference @name (a file, or a name in the data folders) and
 * sets the statistics; @sha256 receives the SHA-256 of its contents. */
static gboolean
read_reference (Combine *c, const char *name, char **sha256, GError **error)
{
  char *path = NULL, *text = NULL;
  GnTable *table = NULL;
  gsize len = 0;
  gboolean ok = FALSE;

  if (*name == '\0')
    {
      g_set_error_literal (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                           "reference is required: a CSV of the components' "
                           "scores on random architectures of the space "
                           "(e.g. --param reference=reference/nb201.csv; "
                           "bench/make-reference.sh makes one)");
      return FALSE;
    }
  path = g_file_test (name, G_FILE_TEST_EXISTS) || g_path_is_absolute (name)
         ? NULL : gn_data_find (name, NULL);
  if (path == NULL)
    path = g_strdup (name);   /* as given, for the error to name */
  if (!g_file_get_contents (path, &text, &len, error))
    {
      g_prefix_error (error, "reference: ");
      goto out;
    }
  if (len == 0)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                   "reference %s is empty: it needs a header naming the "
                   "components, then their scores", path);
      goto out;
    }
  *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                         (const guchar *) text, len);
  if ((table = gn_table_new_from_data (path, text, (gssize) len, error))
      == NULL)
    {
      g_prefix_error (error, "reference: ");
      goto out;
    }
  ok = reference_statistics (c, table, error);

out:
  gn_table_free (table);
  g_free (text);
  g_free (path);
  return ok;
}

static gpointer
combine_create (const GnProxyContext *ctx, const GnProxyParams *p,
                GError **error)
{
  Combine *c = g_new0 (Combine, 1);
  char *sha256 = NULL;
  GString *fp = NULL;

  if (!parse_proxies (c, gn_proxy_params_string (p, "proxies"), error))
    goto fail;
  c->registry = gn_proxy_registry_new ();
  for (int i = 0; i < c->n; i++)
    if ((c->comps[i].desc = gn_proxy_registry_lookup (c->registry,
                                                      c->comps[i].name,
                                                      error)) == NULL)
      goto fail;
  /* the components at their plugins' defaults, then component_params:
   * not at the space's proxy_defaults, since the reference sample fixes
   * the settings its scores were made with */
  for (int i = 0; i < c->n; i++)
    for (const GnProxyParamSpec *s = c->comps[i].desc->params;
         s != NULL && s->name != NULL; s++)
      g_ptr_array_add (c->comps[i].assignments,
                       g_strdup_printf ("%s=%s", s->name, s->default_value));
  if (!parse_weights (c, gn_proxy_params_string (p, "weights"), error)
      || !parse_component_params (c, gn_proxy_params_string (p,
                                                             "component_params"),
                                  error))
    goto fail;
  /* the components' parameters, checked before anything is read */
  for (int i = 0; i < c->n; i++)
    {
      Component *comp = &c->comps[i];
      g_ptr_array_add (comp->assignments, NULL);
      GnProxyParams *checked = gn_proxy_params_new (comp->desc,
                                                    (const char *const *)
                                                    comp->assignments->pdata,
                                                    error);
      if (checked == NULL)
        {
          g_prefix_error (error, "component_params: %s: ", comp->name);
          goto fail;
        }
      gn_proxy_params_free (checked);
    }
  if (!read_reference (c, gn_proxy_params_string (p, "reference"), &sha256,
                       error))
    goto fail;

  fp = g_string_new (NULL);
  g_string_append_printf (fp, "reference-sha256=%s", sha256);
  for (int i = 0; i < c->n; i++)
    {
      Component *comp = &c->comps[i];
      comp->proxy = gn_proxy_new (comp->desc, ctx,
                                  (const char *const *)
                                  comp->assignments->pdata, error);
      if (comp->proxy == NULL)
        goto fail;
      char w[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_formatd (w, sizeof w, "%.17g", comp->weight);
      g_string_append_printf (fp, ";[weight=%s;transform=%s;%s]", w,
                              transform_names[comp->transform],
                              gn_proxy_config (comp->proxy));
    }
  c->fingerprint = g_string_free (fp, FALSE);
  g_free (sha256);
  return c;

fail:
  if (fp)
    g_string_free (fp, TRUE);
  g_free (sha256);
  combine_destroy (c);
  return NULL;
}

static void
combine_destroy (gpointer self)
{
  Combine *c = self;
  if (c == NULL)
    return;
  /* the instances first: their code lives in the registry's modules */
  for (int i = 0; i < c->n; i++)
    gn_proxy_free (c->comps[i].proxy);
  gn_proxy_registry_free (c->registry);
  for (int i = 0; i < c->n; i++)
    {
      g_free (c->comps[i].name);
      if (c->comps[i].assignments)   /* NULL past a bad name */
        g_ptr_array_free (c->comps[i].assignments, TRUE);
    }
  g_free (c->comps);
  g_free (c->fingerprint);
  g_free (c);
}

static const char *
combine_fingerprint (gpointer self)
{
  return ((Combine *) self)->fingerprint;
}

static gboolean
combine_score (gpointer self, const char *arch, GnProxyResult *result,
               GError **error)
{
  Combine *c = self;
  double sum = 0.0;
  for (int i = 0; i < c->n; i++)
    {
      const Component *comp = &c->comps[i];
      GnProxyResult r;
      GError *local = NULL;
      if (comp->weight == 0)
        continue;   /* weights=1,0: a component switched off costs nothing */
      if (!gn_proxy_score (comp->proxy, arch, &r, &local))
        {
          g_propagate_prefixed_error (error, local, "%s: ", comp->name);
          return FALSE;
        }
      if (r.status != GN_EVAL_OK)
        {
          sum = NAN;   /* the others cannot make up for it */
          break;
        }
      sum += comp->weight * (transform (comp->transform, r.score)
                             - comp->mean) / comp->sd;
    }
  result->loss = NAN;
  result->score = isfinite (sum) ? sum : -G_MAXDOUBLE;
  result->status = isfinite (sum) ? GN_EVAL_OK : GN_EVAL_NONFINITE;
  return TRUE;
}

static const GnProxyDesc combine_desc = {
  .abi_major = GN_PROXY_ABI_MAJOR,
  .abi_minor = GN_PROXY_ABI_MINOR,
  .struct_size = sizeof (GnProxyDesc),
  .name = "combine",
  .description = "weighted sum of other proxies' scores, each standardised "
                 "by the mean and deviation of a reference sample's",
  .version = PACKAGE_VERSION,
  .params = params,
  .create = combine_create,
  .score = combine_score,
  .destroy = combine_destroy,
  .fingerprint = combine_fingerprint,
};

GN_PROXY_DEFINE (combine, combine_desc)
