/* test-combine.c - the combine proxy: its sum, its errors, its identity
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * plugins/combine/combine.c over cheap components (params, synflow,
 * naswot) of the build tree's plugins, with reference files written
 * here: the combined score equals the weighted sum of the components'
 * own scores standardised with the reference's mean and deviation,
 * computed here; every bad parameter or reference is a one-line GError;
 * the configuration changes with the reference's contents.  Also: the
 * shipped data/reference/nb201.csv is found by name, is disjoint from
 * the three test samples and serves the default components; the NDS
 * references are records of no table, drawn as NDS drew its records.
 */
#include "gennas.h"
#include "proxy-host.h"
#include "spaces.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *data_dir;

/* Cells of NAS-Bench-201 to score: large, small, pooling only, and one
 * whose output ignores its input (synflow 0, naswot undefined). */
static const char *const cells[] = {
  "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|"
  "+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
  "|nor_conv_1x1~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|none~1|"
  "nor_conv_1x1~2|",
  "|avg_pool_3x3~0|+|avg_pool_3x3~0|skip_connect~1|"
  "+|avg_pool_3x3~0|skip_connect~1|avg_pool_3x3~2|",
};
static const char cut[] = "|none~0|+|skip_connect~0|avg_pool_3x3~1|"
                          "+|none~0|skip_connect~1|none~2|";

/* A reference of params and synflow scores (made up, as only their mean
 * and deviation matter), with an architecture column, a quoted field
 * and a row the proxy must skip. */
#define N_REF 12
static const double ref_params[N_REF] = {
  0.1, 0.37, 0.65, 0.92, 1.2, 0.4, 0.13, 0.7, 0.55, 0.8, 1.05, 0.24 };
static const double ref_synflow[N_REF] = {
  40.5, 62.0, 75.25, 88.0, 101.5, 70.0, 45.0, 80.0, 66.0, 85.5, 95.0, 50.0 };

typedef struct {
  TestProxyHost host;          /* nb201.lua, CIFAR-10, the registry */
  GnProxyContext *ctx;
  char *dir;                   /* the reference files */
} Fixture;

static void
fixture_open (Fixture *f)
{
  GError *error = NULL;
  test_proxy_host_open (&f->host, "nb201.lua");
  f->ctx = gn_proxy_context_new (f->host.space, f->host.data, 1, NULL,
                                 &error);
  g_assert_no_error (error);
  f->dir = g_dir_make_tmp ("gennas-combine-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_close (Fixture *f)
{
  GDir *d = g_dir_open (f->dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      char *path = g_build_filename (f->dir, name, NULL);
      g_assert_cmpint (g_unlink (path), ==, 0);
      g_free (path);
    }
  if (d)
    g_dir_close (d);
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
  gn_proxy_context_free (f->ctx);
  test_proxy_host_close (&f->host);
}

/* Writes @text to the fixture's folder as @name; returns its path. */
static char *
write_file (Fixture *f, const char *name, const char *text)
{
  GError *error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* The reference above as CSV, with @params_scale times each params
 * value (to change its contents). */
static char *
write_reference (Fixture *f, const char *name, double params_scale)
{
  GString *csv = g_string_new ("arch,params,note,synflow\r\n");
  for (int i = 0; i < N_REF; i++)
    g_string_append_printf (csv, "cell%d,%.17g,%s,%.17g\r\n", i,
                            ref_params[i] * params_scale,
                            i == 3 ? "\"a, \"\"quoted\"\" note\"" : "",
                            ref_synflow[i]);
  g_string_append (csv, "\n,nan,skipped,12\n");
  char *path = write_file (f, name, csv->str);
  g_string_free (csv, TRUE);
  return path;
}

/* The record line of a reference for @proxy's settings, as `gennas score
 * --print-config` prints it. */
static char *
record_of (GnProxy *proxy, guint64 task_seed)
{
  return g_strdup_printf ("# task-seed=%" G_GUINT64_FORMAT " %s\n",
                          task_seed, gn_proxy_config (proxy));
}

/* The reference above with the record lines @first, ... (NULL-ended) in
 * front of its header, as @name; returns its path. */
static char *
write_recorded_reference (Fixture *f, const char *name, const char *first,
                          ...)
{
  char *plain = write_reference (f, "plain.csv", 1.0);
  char *text = NULL;
  g_assert_true (g_file_get_contents (plain, &text, NULL, NULL));
  GString *recorded = g_string_new (NULL);
  va_list ap;
  va_start (ap, first);
  for (const char *r = first; r != NULL; r = va_arg (ap, const char *))
    g_string_append (recorded, r);
  va_end (ap);
  g_string_append (recorded, text);
  char *path = write_file (f, name, recorded->str);
  g_string_free (recorded, TRUE);
  g_free (text);
  g_free (plain);
  return path;
}

/* The mean and sample deviation of @v, through @t when not NULL. */
static void
mean_sd (const double *v, int n, double (*t) (double), double *mean,
         double *sd)
{
  double x[N_REF], s = 0, s2 = 0;
  g_assert_cmpint (n, <=, N_REF);
  for (int i = 0; i < n; i++)
    s += x[i] = t ? t (v[i]) : v[i];
  *mean = s / n;
  for (int i = 0; i < n; i++)
    s2 += (x[i] - *mean) * (x[i] - *mean);
  *sd = sqrt (s2 / (n - 1));
}

static GnProxy *
open_proxy (Fixture *f, const char *name, const char *const *params)
{
  GError *error = NULL;
  const GnProxyDesc *d = gn_proxy_registry_lookup (f->host.reg, name, &error);
  g_assert_no_error (error);
  GnProxy *p = gn_proxy_new (d, f->ctx, params, &error);
  g_assert_no_error (error);
  return p;
}

/* combine with the parameters @a, @b, ... (NULL-terminated) */
static GnProxy *
open_combine (Fixture *f, GError **error, ...)
{
  GPtrArray *params = g_ptr_array_new ();
  va_list ap;
  va_start (ap, error);
  for (const char *a; (a = va_arg (ap, const char *)) != NULL;)
    g_ptr_array_add (params, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (params, NULL);
  const GnProxyDesc *d = gn_proxy_registry_lookup (f->host.reg, "combine",
                                                   NULL);
  g_assert_nonnull (d);
  GnProxy *p = gn_proxy_new (d, f->ctx, (const char *const *) params->pdata,
                             error);
  g_ptr_array_free (params, TRUE);
  return p;
}

static double
score_ok (GnProxy *p, const char *arch)
{
  GError *error = NULL;
  GnProxyResult r;
  g_assert_true (gn_proxy_score (p, arch, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.status, ==, GN_EVAL_OK);
  return r.score;
}

static void
assert_close (double got, double want)
{
  if (!(fabs (got - want) <= 1e-9 * MAX (fabs (want), 1e-300)))
    g_error ("combined score %.17g, expected %.17g", got, want);
}

/* The combined score is the weighted sum of the standardised scores,
 * with and without a transform, for several weights. */
static void
test_sum (void)
{
  Fixture f;
  fixture_open (&f);
  char *ref = write_reference (&f, "ref.csv", 1.0);
  char *ref_param = g_strdup_printf ("reference=%s", ref);
  GnProxy *params = open_proxy (&f, "params", NULL);
  GnProxy *synflow = open_proxy (&f, "synflow", NULL);
  double mp, sp, ms, ss, mlp, slp;
  mean_sd (ref_params, N_REF, NULL, &mp, &sp);
  mean_sd (ref_synflow, N_REF, NULL, &ms, &ss);
  mean_sd (ref_params, N_REF, log, &mlp, &slp);

  static const struct { const char *weights; double wp, ws; } ws[] = {
    { "", 1, 1 },
    { "1,1", 1, 1 },
    { "2,-0.5", 2, -0.5 },
    { "0,3", 0, 3 },
  };
  for (guint w = 0; w < G_N_ELEMENTS (ws); w++)
    {
      char *weights = g_strdup_printf ("weights=%s", ws[w].weights);
      GError *error = NULL;
      GnProxy *c = open_combine (&f, &error, "proxies=params,synflow",
                                 weights, ref_param, NULL);
      g_assert_no_error (error);
      GnProxy *clog = open_combine (&f, &error, "proxies=params,synflow",
                                    weights, ref_param,
                                    "component_params=params.transform=log",
                                    NULL);
      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
        {
          double p = score_ok (params, cells[i]);
          double s = score_ok (synflow, cells[i]);
          double zs = (s - ms) / ss;
          assert_close (score_ok (c, cells[i]),
                        ws[w].wp * (p - mp) / sp + ws[w].ws * zs);
          assert_close (score_ok (clog, cells[i]),
                        ws[w].wp * (log (p) - mlp) / slp + ws[w].ws * zs);
        }
      gn_proxy_free (clog);
      gn_proxy_free (c);
      g_free (weights);
    }

  /* the order of the components is the order of the weights */
  GError *error = NULL;
  GnProxy *a = open_combine (&f, &error, "proxies=params,synflow",
                             "weights=2,1", ref_param, NULL);
  g_assert_no_error (error);
  GnProxy *b = open_combine (&f, &error, "proxies=synflow,params",
                             "weights=1,2", ref_param, NULL);
  g_assert_no_error (error);
  GnProxy *c = open_combine (&f, &error, "proxies=synflow,params",
                             "weights=2,1", ref_param, NULL);
  g_assert_no_error (error);
  assert_close (score_ok (b, cells[1]), score_ok (a, cells[1]));
  g_assert_cmpfloat (fabs (score_ok (c, cells[1]) - score_ok (a, cells[1])),
                     >, 1e-3);
  gn_proxy_free (c);
  gn_proxy_free (b);
  gn_proxy_free (a);

  gn_proxy_free (synflow);
  gn_proxy_free (params);
  g_free (ref_param);
  g_free (ref);
  fixture_close (&f);
}

/* A component's undefined score is the combination's; a component's
 * error is the combination's, under the component's name. */
static void
test_nonfinite_and_errors (void)
{
  Fixture f;
  fixture_open (&f);
  GString *csv = g_string_new ("params,naswot\n");
  for (int i = 0; i < N_REF; i++)
    g_string_append_printf (csv, "%g,%g\n", ref_params[i], ref_synflow[i]);
  char *ref = write_file (&f, "naswot.csv", csv->str);
  char *ref_param = g_strdup_printf ("reference=%s", ref);
  GError *error = NULL;
  GnProxy *c = open_combine (&f, &error, "proxies=params,naswot",
                             "component_params=naswot.batch=8", ref_param,
                             NULL);
  g_assert_no_error (error);
  GnProxyResult r;
  g_assert_true (gn_proxy_score (c, cut, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.status, ==, GN_EVAL_NONFINITE);
  g_assert_cmpfloat (r.score, ==, -G_MAXDOUBLE);
  g_assert_true (isnan (r.loss));
  g_assert_true (isfinite (score_ok (c, cells[0])));

  g_assert_false (gn_proxy_score (c, "|not_an_op~0|", &r, &error));
  g_assert_nonnull (error);
  if (!g_str_has_prefix (error->message, "params: "))
    g_error ("'%s' does not start with the component's name",
             error->message);
  g_clear_error (&error);
  gn_proxy_free (c);

  /* a component of weight 0 is not scored at all: its non-finite score
   * on the cut cell no longer sinks the sum */
  c = open_combine (&f, &error, "proxies=params,naswot", "weights=1,0",
                    "component_params=naswot.batch=8", ref_param, NULL);
  g_assert_no_error (error);
  double p = score_ok (c, cut);
  GnProxy *params = open_combine (&f, &error, "proxies=params,naswot",
                                  "weights=1,1e-300",
                                  "component_params=naswot.batch=8",
                                  ref_param, NULL);
  g_assert_no_error (error);
  g_assert_true (gn_proxy_score (params, cut, &r, &error));
  g_assert_cmpint (r.status, ==, GN_EVAL_NONFINITE);
  g_assert_true (isfinite (p));
  gn_proxy_free (params);
  gn_proxy_free (c);
  g_free (ref_param);
  g_free (ref);
  g_string_free (csv, TRUE);
  fixture_close (&f);
}

typedef struct {
  const char *what;
  const char *reference;       /* a file's contents, or NULL */
  const char *params[4];
  const char *needle;
} Bad;

#define HEADER "arch,params,synflow\n"
#define TEN_ROWS "a,1,2\nb,2,3\nc,3,5\nd,4,7\ne,5,11\nf,6,13\ng,7,17\n" \
                 "h,8,19\ni,9,23\nj,10,29\n"

static const Bad bad[] = {
  { "no reference", NULL, { "reference=" }, "reference is required" },
  { "missing reference", NULL, { "reference=/nonexistent/ref.csv" },
    "/nonexistent/ref.csv" },
  { "a column missing", "arch,params\na,1\n", { NULL },
    "has no column 'synflow'" },
  { "too few rows", HEADER "a,1,2\nb,2,3\nc,nan,4\n", { NULL },
    "2 row(s) with finite scores (the others have a value that is not "
    "finite after its component's transform); standardising needs at "
    "least 10" },
  { "an empty file", "", { NULL }, "is empty: it needs a header" },
  { "a header only", HEADER, { NULL },
    "has 0 row(s) with finite scores; standardising needs at least 10" },
  { "a constant column", HEADER "a,1,2\nb,1,3\nc,1,5\nd,1,7\ne,1,11\n"
    "f,1,13\ng,1,17\nh,1,19\ni,1,23\nj,1,29\n", { NULL },
    "the same score 1, so it cannot be standardised" },
  { "not a number", HEADER TEN_ROWS "k,12,x1\n", { NULL },
    ":12: column 'synflow': 'x1' is not a number" },
  { "a short row", HEADER "a,1\n", { NULL },
    ":2: expected 3 fields, found 2" },
  { "a stray quote", HEADER "a\"b,1,2\n", { NULL },
    ":2: a quote inside an unquoted field" },
  { "an open quote", HEADER "\"a,1,2\n", { NULL },
    ":2: unterminated quoted field" },
  { "two columns of a name", "params,synflow,params\n", { NULL },
    ":1: column name 'params' appears twice" },
  { "an unknown component", HEADER TEN_ROWS,
    { "proxies=params,nope" }, "no proxy named 'nope'" },
  { "combine in combine", HEADER TEN_ROWS,
    { "proxies=params,combine" }, "combine cannot be its own component" },
  { "a component twice", HEADER TEN_ROWS,
    { "proxies=params,params" }, "'params' twice" },
  { "an empty component", HEADER TEN_ROWS,
    { "proxies=params,,synflow" }, "an empty name" },
  { "no component", HEADER TEN_ROWS, { "proxies=" }, "proxies is empty" },
  { "too few weights", HEADER TEN_ROWS, { "weights=1" },
    "weights must be 2 finite number(s)" },
  { "too many weights", HEADER TEN_ROWS, { "weights=1,2,3" },
    "weights must be 2 finite number(s)" },
  { "a weight not a number", HEADER TEN_ROWS, { "weights=1,x" },
    "not '1,x'" },
  { "zero weights", HEADER TEN_ROWS, { "weights=0,0" }, "all zero" },
  { "params of no component", HEADER TEN_ROWS,
    { "component_params=regression.steps=5" },
    "'regression.steps=5' names no component" },
  { "params without a key", HEADER TEN_ROWS,
    { "component_params=params.=5" }, "is not NAME.KEY=VALUE" },
  { "params without a name", HEADER TEN_ROWS,
    { "component_params=steps" }, "'steps' names no component" },
  { "an unknown param of a component", HEADER TEN_ROWS,
    { "component_params=params.nope=1" },
    "component_params: params: proxy 'params' has no parameter 'nope'" },
  { "a bad value of a param of a component", HEADER TEN_ROWS,
    { "component_params=synflow.batch=1" },
    "component_params: synflow: parameter 'batch' must lie in [2, 4096]" },
  { "a bad transform", HEADER TEN_ROWS,
    { "component_params=synflow.transform=sqrt" },
    "synflow.transform must be none, log or neglog, not 'sqrt'" },
  { "a transform the scores do not allow", HEADER TEN_ROWS,
    { "component_params=synflow.transform=neglog" },
    "0 row(s) with finite scores (the others" },
};

static void
test_bad (gconstpointer data)
{
  const Bad *b = data;
  Fixture f;
  fixture_open (&f);
  char *ref = b->reference ? write_file (&f, "ref.csv", b->reference)
                           : NULL;
  char *ref_param = ref ? g_strdup_printf ("reference=%s", ref) : NULL;
  const char *params[6] = { "proxies=params,synflow" };
  int n = 1;
  if (ref_param)
    params[n++] = ref_param;
  for (int i = 0; i < 4 && b->params[i]; i++)
    params[n++] = b->params[i];
  params[n] = NULL;
  GError *error = NULL;
  const GnProxyDesc *d = gn_proxy_registry_lookup (f.host.reg, "combine",
                                                   NULL);
  g_assert_null (gn_proxy_new (d, f.ctx, params, &error));
  g_assert_nonnull (error);
  if (strstr (error->message, b->needle) == NULL
      || strchr (error->message, '\n') != NULL)
    g_error ("%s: message '%s' lacks '%s' or is not one line", b->what,
             error->message, b->needle);
  g_test_message ("%s: %s", b->what, error->message);
  g_clear_error (&error);
  g_free (ref_param);
  g_free (ref);
  fixture_close (&f);
}

/* The configuration: the same for the same reference contents, weights
 * and components, different when any of them changes. */
static void
test_identity (void)
{
  Fixture f;
  fixture_open (&f);
  char *ref = write_reference (&f, "ref.csv", 1.0);
  char *ref_param = g_strdup_printf ("reference=%s", ref);
  GError *error = NULL;
  GnProxy *a = open_combine (&f, &error, "proxies=params,synflow",
                             ref_param, NULL);
  g_assert_no_error (error);
  GnProxy *same = open_combine (&f, &error, "proxies=params,synflow",
                                ref_param, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (gn_proxy_config (a), ==, gn_proxy_config (same));
  /* the components' own configurations are in it */
  GnProxy *params = open_proxy (&f, "params", NULL);
  g_assert_nonnull (strstr (gn_proxy_config (a), gn_proxy_config (params)));
  gn_proxy_free (params);
  double before = score_ok (a, cells[0]);

  /* the same file name, other contents */
  g_free (write_reference (&f, "ref.csv", 1.5));
  GnProxy *changed = open_combine (&f, &error, "proxies=params,synflow",
                                   ref_param, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (gn_proxy_config (a), !=, gn_proxy_config (changed));
  g_assert_cmpfloat (fabs (score_ok (changed, cells[0]) - before), >, 1e-6);

  const char *others[][2] = {
    { "weights=1,2", NULL },
    { "component_params=synflow.batch=16", NULL },
    { "component_params=params.transform=log", NULL },
  };
  g_free (write_reference (&f, "ref.csv", 1.0));
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      GnProxy *o = open_combine (&f, &error, "proxies=params,synflow",
                                 ref_param, others[i][0], NULL);
      g_assert_no_error (error);
      g_assert_cmpstr (gn_proxy_config (a), !=, gn_proxy_config (o));
      gn_proxy_free (o);
    }
  GnProxy *again = open_combine (&f, &error, "proxies=params,synflow",
                                 ref_param, "weights=1,1", NULL);
  g_assert_no_error (error);
  /* weights spelt otherwise are other parameters, but the same sum */
  assert_close (score_ok (again, cells[0]), before);

  gn_proxy_free (again);
  gn_proxy_free (changed);
  gn_proxy_free (same);
  gn_proxy_free (a);
  g_free (ref_param);
  g_free (ref);
  fixture_close (&f);
}

/* A component's comma-separated value passes whole: regression's
 * weights (the task is made, nothing is trained). */
static void
test_component_commas (void)
{
  Fixture f;
  fixture_open (&f);
  char *ref = write_file (&f, "ref.csv", "regression,params\n"
                          "-1,1\n-2,2\n-3,3\n-1.5,4\n-2.5,5\n-1.2,6\n"
                          "-1.7,7\n-2.2,8\n-2.9,9\n-1.1,10\n");
  char *ref_param = g_strdup_printf ("reference=%s", ref);
  GError *error = NULL;
  GnProxy *c = open_combine (&f, &error, "proxies=regression,params",
                             ref_param, "component_params=regression."
                             "weights=0,0.5,1,regression.steps=2,"
                             "params.num_classes=100", NULL);
  g_assert_no_error (error);
  const char *config = gn_proxy_config (c);
  g_assert_nonnull (strstr (config, "regression:steps=2;"));
  g_assert_nonnull (strstr (config, ";weights=0,0.5,1;"));
  g_assert_nonnull (strstr (config, "params:num_classes=100"));
  /* regression's default transform is neglog */
  g_assert_nonnull (strstr (config, "transform=neglog;regression:"));
  gn_proxy_free (c);
  g_free (ref_param);
  g_free (ref);
  fixture_close (&f);
}

/* data/reference/nb201.csv: found by name in the data folders, 200
 * architectures of the space, none of them in the three test samples,
 * and enough finite rows for the default components, which run at their
 * plugins' defaults as the reference was made. */
static void
test_shipped (void)
{
  GError *error = NULL;
  char *path = gn_data_find ("reference/nb201.csv", &error);
  g_assert_no_error (error);
  GnTable *ref = gn_table_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gn_table_n_rows (ref), ==, 200);
  int arch = gn_table_find_column (ref, "arch", &error);
  g_assert_no_error (error);
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint r = 0; r < gn_table_n_rows (ref); r++)
    g_assert_true (g_hash_table_add (seen, (gpointer) gn_table_get (ref, r,
                                                                    arch)));
  for (int k = 0; k < 3; k++)
    {
      char *name = g_strdup_printf ("nb201-samples/gennas_sample1000_%d.csv",
                                    k);
      char *sample_path = gn_data_find (name, &error);
      g_assert_no_error (error);
      GnTable *sample = gn_table_load (sample_path, &error);
      g_assert_no_error (error);
      int col = gn_table_find_column (sample, "arch_str", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (gn_table_n_rows (sample), ==, 1000);
      for (guint r = 0; r < gn_table_n_rows (sample); r++)
        if (g_hash_table_contains (seen, gn_table_get (sample, r, col)))
          g_error ("%s is in %s and in the reference",
                   gn_table_get (sample, r, col), name);
      gn_table_free (sample);
      g_free (sample_path);
      g_free (name);
    }
  g_hash_table_unref (seen);

  Fixture f;
  fixture_open (&f);
  GnProxy *c = open_combine (&f, &error, "reference=reference/nb201.csv",
                             NULL);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (gn_proxy_config (c), "regression:"));
  g_assert_nonnull (strstr (gn_proxy_config (c), "synflow:"));
  /* the components at their plugins' defaults, as the reference was made:
   * regression on combo, not NB201's proxy_defaults (nb201-task) */
  g_assert_nonnull (strstr (gn_proxy_config (c), ";recipe=combo;"));
  g_assert_null (strstr (gn_proxy_config (c), "nb201-task"));
  gn_proxy_free (c);
  /* component_params still set them, and the reference's records say
   * that is not how it was scored */
  g_assert_null (open_combine (&f, &error, "reference=reference/nb201.csv",
                               "component_params=regression.recipe="
                               "nb201-task", NULL));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM);
  g_assert_nonnull (strstr (error->message, "'regression' at recipe=combo, "
                            "but this combine runs it with "
                            "recipe=nb201-task"));
  g_clear_error (&error);
  fixture_close (&f);
  gn_table_free (ref);
  g_free (path);
}

/* data/reference/nds-*-in.csv: 30 distinct canonical architectures of
 * each space, none of them a record of its table, every score finite; in
 * the cell spaces each network as published has at most 6M parameters,
 * as every NDS ImageNet record of those spaces (bench/make-reference.sh
 * -m 6e6). */
static void
test_shipped_nds (void)
{
  static const struct {
    const char *space, *reference, *table;
    gboolean under_6m;
  } nds[] = {
    { "nds-darts-in.lua", "reference/nds-darts-in.csv", "nds/DARTS_in.csv",
      TRUE },
    { "nds-enas-in.lua", "reference/nds-enas-in.csv", "nds/ENAS_in.csv",
      TRUE },
    { "nds-pnas-in.lua", "reference/nds-pnas-in.csv", "nds/PNAS_in.csv",
      TRUE },
    { "nds-nasnet-in.lua", "reference/nds-nasnet-in.csv",
      "nds/NASNet_in.csv", TRUE },
    { "nds-amoeba-in.lua", "reference/nds-amoeba-in.csv",
      "nds/Amoeba_in.csv", TRUE },
    { "nds-resnext-a-in.lua", "reference/nds-resnext-a-in.csv",
      "nds/ResNeXt-A_in.csv", FALSE },
    { "nds-resnext-b-in.lua", "reference/nds-resnext-b-in.csv",
      "nds/ResNeXt-B_in.csv", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (nds); i++)
    {
      GError *error = NULL;
      GnSpace *space = test_space_load (nds[i].space);
      char *ref_path = gn_data_find (nds[i].reference, &error);
      g_assert_no_error (error);
      char *table_path = gn_data_find (nds[i].table, &error);
      g_assert_no_error (error);
      GnTable *ref = gn_table_load (ref_path, &error);
      g_assert_no_error (error);
      GnTable *table = gn_table_load (table_path, &error);
      g_assert_no_error (error);
      int arch = gn_table_find_column (ref, "arch", &error);
      int cols[2] = { gn_table_find_column (ref, "regression", &error),
                      gn_table_find_column (ref, "naswot", &error) };
      int record = gn_table_find_column (table, "arch", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (gn_table_n_rows (ref), ==, 30);

      GHashTable *records = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint r = 0; r < gn_table_n_rows (table); r++)
        g_hash_table_add (records, (gpointer) gn_table_get (table, r,
                                                            record));
      GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
      int size, classes;
      gn_space_published_input (space, &size, &classes);
      for (guint r = 0; r < gn_table_n_rows (ref); r++)
        {
          const char *a = gn_table_get (ref, r, arch);
          g_assert_true (g_hash_table_add (seen, (gpointer) a));
          if (g_hash_table_contains (records, a))
            g_error ("%s: %s is a record of %s", nds[i].reference, a,
                     nds[i].table);
          char *canon = gn_space_canonicalize (space, a, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (canon, ==, a);
          g_free (canon);
          for (int c = 0; c < 2; c++)
            {
              double v;
              g_assert_true (gn_table_get_double (ref, r, cols[c], &v,
                                                  &error));
              g_assert_no_error (error);
              g_assert_true (isfinite (v));
            }
          if (nds[i].under_6m)
            {
              GnNet *net = test_space_build_published (space, a, NULL,
                                                       size, classes);
              g_assert_cmpuint (gn_net_count_params (net), <=, 6000000);
              gn_net_free (net);
            }
        }
      g_hash_table_unref (seen);
      g_hash_table_unref (records);
      gn_table_free (ref);
      gn_table_free (table);
      g_free (ref_path);
      g_free (table_path);
      gn_space_free (space);
    }
}

/* combine with @params on the reference @path; TRUE if it opened (and
 * then its score of cells[0] equals @want when @want is not NAN), else
 * the error's message must hold @expect */
static void
assert_opens (Fixture *f, const char *path, const char *extra,
              const char *expect, double want)
{
  GError *error = NULL;
  char *ref_param = g_strdup_printf ("reference=%s", path);
  GnProxy *c = open_combine (f, &error, "proxies=params,synflow", ref_param,
                             extra, NULL);
  if (expect == NULL)
    {
      g_assert_no_error (error);
      if (!isnan (want))
        assert_close (score_ok (c, cells[0]), want);
      gn_proxy_free (c);
    }
  else
    {
      g_assert_null (c);
      g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM);
      if (strstr (error->message, expect) == NULL)
        g_error ("'%s' does not say '%s'", error->message, expect);
      g_assert_nonnull (strstr (error->message, path));
      g_error_free (error);
    }
  g_free (ref_param);
}

/* A reference's record lines: a component whose settings (parameters,
 * task seed, build options) differ from its record is refused, naming
 * the difference; matching records, records of other proxies and a
 * component of weight 0 are not; the scores do not depend on them. */
static void
test_records (void)
{
  Fixture f;
  fixture_open (&f);
  GError *error = NULL;
  char *plain = write_reference (&f, "plain-ref.csv", 1.0);
  char *plain_param = g_strdup_printf ("reference=%s", plain);
  GnProxy *c = open_combine (&f, &error, "proxies=params,synflow",
                             plain_param, NULL);
  g_assert_no_error (error);
  const double want = score_ok (c, cells[0]);
  gn_proxy_free (c);

  GnProxy *params = open_proxy (&f, "params", NULL);
  GnProxy *synflow = open_proxy (&f, "synflow", NULL);
  const char *const batch16[] = { "batch=16", NULL };
  GnProxy *synflow16 = open_proxy (&f, "synflow", batch16);
  GnProxy *naswot = open_proxy (&f, "naswot", NULL);
  char *rp = record_of (params, 1), *rs = record_of (synflow, 1);
  char *rs16 = record_of (synflow16, 1), *rs_seed2 = record_of (synflow, 2);
  char *rn = record_of (naswot, 1);

  /* the same settings, with a record of a proxy combine does not run */
  char *path = write_recorded_reference (&f, "same.csv", rp, rn, rs, NULL);
  assert_opens (&f, path, NULL, NULL, want);
  g_free (path);

  /* another batch: refused, unless combine runs synflow with it too, or
   * gives synflow weight 0, or gives it the only weight (a final stage
   * on a larger network: the sum ranks as synflow whatever the
   * statistics) */
  path = write_recorded_reference (&f, "batch.csv", rp, rs16, NULL);
  assert_opens (&f, path, NULL, "'synflow' at batch=16, but this combine "
                "runs it with batch=32", NAN);
  assert_opens (&f, path, "weights=2,-1", "'synflow' at batch=16", NAN);
  assert_opens (&f, path, "component_params=synflow.batch=16", NULL, NAN);
  assert_opens (&f, path, "weights=1,0", NULL, NAN);
  assert_opens (&f, path, "weights=0,1", NULL, NAN);
  g_free (path);

  /* another task seed */
  path = write_recorded_reference (&f, "seed.csv", rp, rs_seed2, NULL);
  assert_opens (&f, path, NULL, "'synflow' at task seed 2, but this "
                "combine runs it with task seed 1", NAN);
  g_free (path);

  /* build options: recorded on a network of three cells a stage */
  const char *const n3[] = { "N=3", NULL };
  GnProxyContext *ctx3 = gn_proxy_context_new (f.host.space, f.host.data, 1,
                                               n3, &error);
  g_assert_no_error (error);
  const GnProxyDesc *d = gn_proxy_registry_lookup (f.host.reg, "params",
                                                   &error);
  g_assert_no_error (error);
  GnProxy *params3 = gn_proxy_new (d, ctx3, NULL, &error);
  g_assert_no_error (error);
  char *rp3 = record_of (params3, 1);
  path = write_recorded_reference (&f, "build.csv", rp3, rs, NULL);
  assert_opens (&f, path, NULL, "'params' at build=N=3, but this combine "
                "runs it with no build options", NAN);
  g_free (path);

  /* a component recorded twice */
  path = write_recorded_reference (&f, "twice.csv", rp, rs, rs, NULL);
  char *ref_param = g_strdup_printf ("reference=%s", path);
  g_assert_null (open_combine (&f, &error, "proxies=params,synflow",
                               ref_param, NULL));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "'synflow' was scored twice"));
  g_clear_error (&error);
  g_free (ref_param);
  g_free (path);

  g_free (rp3);
  gn_proxy_free (params3);
  gn_proxy_context_free (ctx3);
  g_free (rn);
  g_free (rs_seed2);
  g_free (rs16);
  g_free (rs);
  g_free (rp);
  gn_proxy_free (naswot);
  gn_proxy_free (synflow16);
  gn_proxy_free (synflow);
  gn_proxy_free (params);
  g_free (plain_param);
  g_free (plain);
  fixture_close (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_proxy_host_use_build_tree ();
  data_dir = g_test_build_filename (G_TEST_DIST, "..", "data", NULL);
  g_setenv ("GENNAS_DATA_PATH", data_dir, TRUE);

  g_test_add_func ("/combine/sum", test_sum);
  g_test_add_func ("/combine/nonfinite-and-errors",
                   test_nonfinite_and_errors);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      char *path = g_strdup_printf ("/combine/refuses/%s", bad[i].what);
      g_strdelimit (path + strlen ("/combine/refuses/"), " ", '-');
      g_test_add_data_func (path, &bad[i], test_bad);
      g_free (path);
    }
  g_test_add_func ("/combine/identity", test_identity);
  g_test_add_func ("/combine/component-commas", test_component_commas);
  g_test_add_func ("/combine/records", test_records);
  g_test_add_func ("/combine/shipped-reference", test_shipped);
  g_test_add_func ("/combine/shipped-nds-references", test_shipped_nds);
  int status = g_test_run ();
  g_free (data_dir);
  return status;
}
