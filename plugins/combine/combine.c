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
 *
 * Comment lines before the header (gn_table_comments()) that begin with
 * "# task-seed=" record how a component's column was scored: "#
 * task-seed=S CONFIG", S its task seed and CONFIG its configuration,
 * gn_proxy_config() (what `gennas score
 * --print-config` prints; bench/make-reference.sh writes them).  A
 * component of non-zero weight whose record differs from its own
 * configuration or task seed is an error naming the first difference:
 * standardised with statistics of other settings, its scores would be
 * off scale with nothing to show it.  With one component weighted
 * nothing is checked: the sum is then an increasing map of its score,
 * so any reference ranks as it alone.  The space's checksum is not
 * compared (a space file's comments may change), nor is a component
 * without a record checked (a reference made before records were).
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
  char *reference;             /* the reference's path, for messages      */
  GPtrArray *records;          /* its comment lines "task-seed=S CONFIG"  */
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

#define RECORD_PREFIX "task-seed="

/* Keeps the reference @table's record lines: its comments that begin
 * with RECORD_PREFIX. */
static void
read_records (Combine *c, const GnTable *table)
{
  c->records = g_ptr_array_new_with_free_func (g_free);
  for (const char *const *line = gn_table_comments (table); *line; line++)
    if (g_str_has_prefix (*line, RECORD_PREFIX))
      g_ptr_array_add (c->records, g_strdup (*line));
}

/* @config's fields: "NAME:" stripped from the first, split at ';', each
 * "KEY=VALUE" (or a bare KEY), without the space's checksum. */
static char **
config_fields (const char *config)
{
  const char *colon = strchr (config, ':');
  char **fields = g_strsplit (colon != NULL ? colon + 1 : config, ";", -1);
  guint w = 0;
  for (guint r = 0; fields[r] != NULL; r++)
    if (g_str_has_prefix (fields[r], "space-sha256="))
      g_free (fields[r]);
    else
      fields[w++] = fields[r];
  fields[w] = NULL;
  return fields;
}

/* The field of @fields whose key (the text before '=') is @field's, or
 * NULL. */
static const char *
field_with_key (char **fields, const char *field)
{
  const char *eq = strchr (field, '=');
  gsize k = eq != NULL ? (gsize) (eq - field) : strlen (field);
  for (guint i = 0; fields[i] != NULL; i++)
    if (strncmp (fields[i], field, k) == 0
        && (fields[i][k] == '=' || fields[i][k] == '\0'))
      return fields[i];
  return NULL;
}

/* "no KEY" for a field that one configuration lacks, in the CLI's words
 * for the build options */
static char *
absent (const char *field)
{
  const char *eq = strchr (field, '=');
  gsize k = eq != NULL ? (gsize) (eq - field) : strlen (field);
  if (k == strlen ("build") && strncmp (field, "build", k) == 0)
    return g_strdup ("no build options (--space-option)");
  return g_strdup_printf ("no %.*s", (int) k, field);
}

/* Describes the first difference between @recorded and @current, the
 * fields of two configurations, as "A, but this combine runs it with B";
 * NULL when they are the same. */
static char *
first_difference (char **recorded, char **current)
{
  for (guint i = 0; current[i] != NULL; i++)
    {
      const char *r = field_with_key (recorded, current[i]);
      if (r == NULL || strcmp (r, current[i]) != 0)
        {
          char *none = r == NULL ? absent (current[i]) : NULL;
          char *d = g_strdup_printf ("%s, but this combine runs it with %s",
                                     r != NULL ? r : none, current[i]);
          g_free (none);
          return d;
        }
    }
  for (guint i = 0; recorded[i] != NULL; i++)
    if (field_with_key (current, recorded[i]) == NULL)
      {
        char *none = absent (recorded[i]);
        char *d = g_strdup_printf ("%s, but this combine runs it with %s",
                                   recorded[i], none);
        g_free (none);
        return d;
      }
  return NULL;
}

/* Checks each component of non-zero weight against its record in the
 * reference, if it has one. */
static gboolean
check_records (Combine *c, GError **error)
{
  /* one component weighted: the sum is an increasing map of its score
   * whatever the statistics, so any reference ranks as it alone (how a
   * final stage re-scores on a larger network than the reference's) */
  int weighted = 0;
  for (int i = 0; i < c->n; i++)
    weighted += c->comps[i].weight != 0;
  for (int i = 0; i < c->n; i++)
    {
      const Component *comp = &c->comps[i];
      const char *record = NULL;
      gsize name_len = strlen (comp->name);
      for (guint j = 0; j < c->records->len; j++)
        {
          const char *line = g_ptr_array_index (c->records, j);
          const char *config = strchr (line, ' ');
          if (config == NULL || strncmp (config + 1, comp->name, name_len)
              != 0 || config[1 + name_len] != ':')
            continue;
          if (record != NULL)
            {
              g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED,
                           "reference %s records how '%s' was scored twice",
                           c->reference, comp->name);
              return FALSE;
            }
          record = line;
        }
      if (record == NULL || comp->weight == 0 || weighted < 2)
        continue;

      const char *config = strchr (record, ' ') + 1;
      char *seed = g_strndup (record + strlen (RECORD_PREFIX),
                              (gsize) (config - 1 - record)
                              - strlen (RECORD_PREFIX));
      char *mine = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                    gn_proxy_task_seed (comp->proxy));
      char **recorded = config_fields (config);
      char **current = config_fields (gn_proxy_config (comp->proxy));
      char *diff = strcmp (seed, mine) != 0
        ? g_strdup_printf ("task seed %s, but this combine runs it with "
                           "task seed %s", seed, mine)
        : first_difference (recorded, current);
      g_strfreev (recorded);
      g_strfreev (current);
      g_free (seed);
      g_free (mine);
      if (diff != NULL)
        {
          g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM,
                       "reference %s was scored with '%s' at %s: make a "
                       "reference with these settings "
                       "(bench/make-reference.sh), or run '%s' with the "
                       "reference's (component_params, --space-option, "
                       "--task-seed)", c->reference, comp->name, diff,
                       comp->name);
          g_free (diff);
          return FALSE;
        }
    }
  return TRUE;
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
  c->reference = g_strdup (path);
  if ((table = gn_table_new_from_data (path, text, (gssize) len, error))
      == NULL)
    {
      g_prefix_error (error, "reference: ");
      goto out;
    }
  read_records (c, table);
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
  fp = NULL;
  if (!check_records (c, error))
    goto fail;
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
  g_free (c->reference);
  if (c->records)
    g_ptr_array_unref (c->records);
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
