/* test-proxy.c - the plugin loader refuses what it must, runs what it can
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The plugins under test are built from tests/plugins/broken.c into
 * tests/.libs; GENNAS_PROXY_PATH points there.
 */
#include "gennas.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *plugin_dir;

static char *
plugin_path (const char *name)
{
  char *file = g_strdup_printf ("gennas-proxy-%s.%s", name, G_MODULE_SUFFIX);
  char *path = g_build_filename (plugin_dir, file, NULL);
  g_free (file);
  return path;
}

static void
test_load_good (void)
{
  GError *error = NULL;
  GModule *mod = NULL;
  char *path = plugin_path ("good");
  const GnProxyDesc *d = gn_proxy_load_file (path, &mod, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_nonnull (mod);
  g_assert_cmpstr (d->name, ==, "good");
  g_assert_cmpuint (d->abi_major, ==, GN_PROXY_ABI_MAJOR);
  g_module_close (mod);
  g_free (path);
}

typedef struct {
  const char *plugin;
  GnProxyErrorCode code;
  const char *needle;    /* expected in the message */
} Broken;

static const Broken broken[] = {
  { "bad-major", GN_PROXY_ERROR_ABI, "rebuild" },
  { "bad-minor", GN_PROXY_ERROR_ABI, "newer" },
  { "no-symbol", GN_PROXY_ERROR_ABI, "gn_proxy_no_symbol_get_desc" },
  { "no-score", GN_PROXY_ERROR_DESCRIPTOR, "no score" },
  { "bad-size", GN_PROXY_ERROR_ABI, "truncated" },
  { "bad-param", GN_PROXY_ERROR_DESCRIPTOR, "scale" },
  { "bad-name", GN_PROXY_ERROR_DESCRIPTOR, "someone-else" },
  { "bad-reserved", GN_PROXY_ERROR_DESCRIPTOR,
    "'space_options' is the host's" },
};

static void
test_refuse (gconstpointer data)
{
  const Broken *b = data;
  GError *error = NULL;
  GModule *mod = NULL;
  char *path = plugin_path (b->plugin);
  g_assert_null (gn_proxy_load_file (path, &mod, &error));
  g_assert_null (mod);
  g_assert_error (error, GN_PROXY_ERROR, (gint) b->code);
  g_assert_nonnull (strstr (error->message, b->needle));
  g_assert_nonnull (strstr (error->message, path));   /* names the file */
  g_error_free (error);
  g_free (path);
}

static void
test_not_a_plugin (void)
{
  GError *error = NULL;
  GModule *mod = NULL;
  g_assert_null (gn_proxy_load_file ("/nonexistent/gennas-proxy-x.so", &mod,
                                     &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_LOAD);
  g_clear_error (&error);
  g_assert_null (gn_proxy_load_file ("/tmp/whatever.so", &mod, &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_LOAD);
  g_clear_error (&error);
}

/* Opening a plugin runs its code, so the loader opens only a regular
 * file owned by the user or root that others cannot write */
static void
test_refuse_file (void)
{
  char *dir = g_dir_make_tmp ("gennas-proxy-XXXXXX", NULL);
  char *good = plugin_path ("good"), *contents = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  char *copy = g_build_filename (dir, "gennas-proxy-good.so", NULL);
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (copy, 0755), ==, 0);
  char *null = g_build_filename (dir, "gennas-proxy-null.so", NULL);
  g_assert_cmpint (symlink ("/dev/null", null), ==, 0);
  char *folder = g_build_filename (dir, "gennas-proxy-folder.so", NULL);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);

  GError *error = NULL;
  GModule *mod = NULL;
  g_assert_nonnull (gn_proxy_load_file (copy, &mod, &error));
  g_assert_no_error (error);
  g_module_close (mod);

  struct { const char *path; int mode; uid_t owner; const char *why; } bad[] = {
    { copy, 0757, 0, "writable by anyone" },
    { copy, 0755, 65534, "owned by neither you nor root" },
    { null, -1, 0, "not a regular file" },
    { folder, -1, 0, "not a regular file" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (bad[i].mode >= 0)
        g_assert_cmpint (g_chmod (bad[i].path, bad[i].mode), ==, 0);
      if (bad[i].owner != 0)
        {
          /* only root can give a file away */
          if (geteuid () != 0)
            continue;
          g_assert_cmpint (chown (bad[i].path, bad[i].owner, (gid_t) -1),
                           ==, 0);
        }
      mod = NULL;
      g_assert_null (gn_proxy_load_file (bad[i].path, &mod, &error));
      g_assert_null (mod);
      g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_LOAD);
      g_assert_nonnull (strstr (error->message, bad[i].path));
      g_assert_nonnull (strstr (error->message, bad[i].why));
      g_clear_error (&error);
    }

  g_assert_cmpint (g_unlink (copy), ==, 0);
  g_assert_cmpint (g_unlink (null), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (folder);
  g_free (null);
  g_free (copy);
  g_free (contents);
  g_free (good);
  g_free (dir);
}

/* A relative folder on $GENNAS_PROXY_PATH is ignored, with a warning: it
 * would load whatever lies under the working folder */
static void
test_relative_path (void)
{
  char *here = g_get_current_dir ();
  char *parent = g_path_get_dirname (plugin_dir);
  char *base = g_path_get_basename (plugin_dir);
  g_assert_cmpint (g_chdir (parent), ==, 0);
  g_setenv ("GENNAS_PROXY_PATH", base, TRUE);

  char *want = g_strdup_printf ("GENNAS_PROXY_PATH: ignoring the relative "
                                "folder '%s'*", base);
  g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, want);
  GnProxyRegistry *reg = gn_proxy_registry_new ();
  g_test_assert_expected_messages ();
  GError *error = NULL;
  g_assert_null (gn_proxy_registry_lookup (reg, "good", &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  gn_proxy_registry_free (reg);

  g_setenv ("GENNAS_PROXY_PATH", plugin_dir, TRUE);
  g_assert_cmpint (g_chdir (here), ==, 0);
  g_free (want);
  g_free (base);
  g_free (parent);
  g_free (here);
}

static void
test_registry (void)
{
  GError *error = NULL;
  GnProxyRegistry *reg = gn_proxy_registry_new ();
  const GnProxyDesc *d = gn_proxy_registry_lookup (reg, "good", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->name, ==, "good");
  /* a second lookup is the same, already loaded descriptor */
  g_assert_true (gn_proxy_registry_lookup (reg, "good", NULL) == d);

  g_assert_null (gn_proxy_registry_lookup (reg, "missing", &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, plugin_dir));
  g_clear_error (&error);
  g_assert_null (gn_proxy_registry_lookup (reg, "bad-major", &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_ABI);
  g_clear_error (&error);

  GPtrArray *broken_list = NULL;
  GPtrArray *list = gn_proxy_registry_list (reg, &broken_list);
  g_assert_cmpuint (list->len, ==, 2);               /* crashy, good */
  g_assert_cmpstr (((GnProxyDesc *) list->pdata[0])->name, ==, "crashy");
  g_assert_cmpuint (broken_list->len, ==, G_N_ELEMENTS (broken));
  g_ptr_array_free (list, TRUE);
  g_ptr_array_free (broken_list, TRUE);
  gn_proxy_registry_free (reg);
}

static void
test_params (void)
{
  GError *error = NULL;
  GnProxyRegistry *reg = gn_proxy_registry_new ();
  const GnProxyDesc *d = gn_proxy_registry_lookup (reg, "good", &error);
  g_assert_no_error (error);

  const char *ok[] = { "scale=0.5", "label=hello world", "count=7",
                       "flag=yes", NULL };
  GnProxyParams *p = gn_proxy_params_new (d, ok, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (gn_proxy_params_double (p, "scale"), ==, 0.5);
  g_assert_cmpstr (gn_proxy_params_string (p, "label"), ==, "hello world");
  g_assert_cmpint (gn_proxy_params_int (p, "count"), ==, 7);
  g_assert_true (gn_proxy_params_bool (p, "flag"));
  char *canon = gn_proxy_params_canonical (p);
  g_assert_cmpstr (canon, ==, "scale=0.5;label=hello world;count=7;flag=true;"
                   "delay=0;crash_on=;nan_on=");
  g_free (canon);
  gn_proxy_params_free (p);

  /* defaults */
  p = gn_proxy_params_new (d, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gn_proxy_params_int (p, "count"), ==, 3);
  gn_proxy_params_free (p);

  struct { const char *a, *needle; } bad[] = {
    { "nope=1", "has no parameter 'nope'" },
    { "scale=abc", "takes a number" },
    { "scale=3", "[0, 2]" },
    { "count=2.5", "takes a integer" },
    { "count=11", "[1, 10]" },
    { "flag=maybe", "boolean" },
    { "scale", "not a name=value" },
    { "=1", "not a name=value" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *one[] = { bad[i].a, NULL };
      g_assert_null (gn_proxy_params_new (d, one, &error));
      g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM);
      if (strstr (error->message, bad[i].needle) == NULL)
        g_error ("'%s': message '%s' lacks '%s'", bad[i].a, error->message,
                 bad[i].needle);
      g_clear_error (&error);
    }
  gn_proxy_registry_free (reg);
}

/* The one parser of assignment lists in one string parameter (combine's
 * component_params, task's proxy_params): a piece without '=' continues
 * the value before it. */
static void
test_split_assignments (void)
{
  struct { const char *text, *joined; } cases[] = {
    { "", "" },
    { "a=1", "a=1" },
    { " a=1 , b = 2 ", "a=1|b = 2" },
    { "steps=50,weights=0.25,0.5,1", "steps=50|weights=0.25,0.5,1" },
    { "w=1, 2 ,3,x=y=z", "w=1,2,3|x=y=z" },
    { "lonely,a=1", "lonely|a=1" },
    { "a=1,", "a=1," },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char **items = gn_proxy_split_assignments (cases[i].text);
      char *joined = g_strjoinv ("|", items);
      g_assert_cmpstr (joined, ==, cases[i].joined);
      g_free (joined);
      g_strfreev (items);
    }

  double v[3];
  g_assert_true (gn_proxy_parse_numbers (" 0.25, 0.5,1e0 ", 3, v));
  g_assert_cmpfloat (v[0], ==, 0.25);
  g_assert_cmpfloat (v[1], ==, 0.5);
  g_assert_cmpfloat (v[2], ==, 1.0);
  const char *bad[] = { "", "1,2", "1,2,3,4", "1,,3", "1,x,3", "1,2,inf",
                        "1,2,nan", "1,2,3x" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    if (gn_proxy_parse_numbers (bad[i], 3, v))
      g_error ("'%s' parsed as three numbers", bad[i]);
}

static void
test_instance (void)
{
  GError *error = NULL;
  GnProxyRegistry *reg = gn_proxy_registry_new ();
  const GnProxyDesc *d = gn_proxy_registry_lookup (reg, "crashy", &error);
  g_assert_no_error (error);
  GnProxyContext *ctx = gn_proxy_context_new (NULL, NULL, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ctx->build_options);
  g_assert_null (ctx->build_options[0]);
  const char *params[] = { "scale=2", NULL };
  GnProxy *proxy = gn_proxy_new (d, ctx, params, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gn_proxy_config (proxy), ==,
                   "crashy:scale=2;label=x;count=3;flag=false;delay=0;"
                   "crash_on=;nan_on=");
  g_assert_cmpuint (gn_proxy_task_seed (proxy), ==, 1);

  GnProxyResult r;
  g_assert_true (gn_proxy_score (proxy, "abcd", &r, &error));
  g_assert_cmpfloat (r.score, ==, 8.0);
  g_assert_cmpint (r.status, ==, GN_EVAL_OK);
  g_assert_false (gn_proxy_score (proxy, "an error", &r, &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE);
  g_clear_error (&error);
  /* a failure's status is the host's to give, not a plugin's */
  g_assert_false (gn_proxy_score (proxy, "a liar", &r, &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE);
  g_assert_nonnull (strstr (error->message, "status 'crashed'"));
  g_clear_error (&error);
  gn_proxy_free (proxy);
  gn_proxy_context_free (ctx);
  gn_proxy_registry_free (reg);
}

/* A space's proxy_defaults come between the plugin's defaults and the
 * caller's assignments (the caller's win), are part of the configuration,
 * apply only to the proxy they name, and one the proxy rejects is an error
 * that names the space. */
static void
test_space_defaults (void)
{
  static const char space_text[] =
    "return {\n"
    "  name = 'defaults',\n"
    "  genome = { genes = { { name = 'op', choices = { 'a' } } } },\n"
    "  sample = function (rng) return { 'a' } end,\n"
    "  mutate = function (g, rng) return { 'a' } end,\n"
    "  encode = function (g) return g[1] end,\n"
    "  decode = function (s) return { s } end,\n"
    "  proxy_defaults = { crashy = { scale = 1.5, label = 'space' },\n"
    "                     good = { colour = 1 } },\n"
    "}\n";
  GError *error = NULL;
  GnProxyRegistry *reg = gn_proxy_registry_new ();
  const GnProxyDesc *crashy = gn_proxy_registry_lookup (reg, "crashy",
                                                        &error);
  g_assert_no_error (error);
  const GnProxyDesc *good = gn_proxy_registry_lookup (reg, "good", &error);
  g_assert_no_error (error);
  GnSpace *space = gn_space_load_string ("defaults.lua", space_text,
                                         strlen (space_text), &error);
  g_assert_no_error (error);
  GnProxyContext *ctx = gn_proxy_context_new (space, NULL, 1, NULL, &error);
  g_assert_no_error (error);

  GnProxy *proxy = gn_proxy_new (crashy, ctx, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (gn_proxy_config (proxy),
                                   "crashy:scale=1.5;label=space;count=3;"));
  GnProxyResult r;
  g_assert_true (gn_proxy_score (proxy, "abcd", &r, &error));
  g_assert_cmpfloat (r.score, ==, 6.0);
  gn_proxy_free (proxy);

  const char *mine[] = { "scale=2", NULL };
  proxy = gn_proxy_new (crashy, ctx, mine, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (gn_proxy_config (proxy),
                                   "crashy:scale=2;label=space;count=3;"));
  gn_proxy_free (proxy);

  /* good has no colour: the space's error, whatever the caller gives */
  g_assert_null (gn_proxy_new (good, ctx, NULL, &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM);
  g_assert_nonnull (strstr (error->message, "space 'defaults', "
                                            "proxy_defaults.good: "));
  g_assert_nonnull (strstr (error->message, "no parameter 'colour'"));
  g_clear_error (&error);

  gn_proxy_context_free (ctx);
  gn_space_free (space);
  gn_proxy_registry_free (reg);
}

/* The host parses the build options once into a canonical set: the last
 * assignment of a key wins, sorted by key; they are part of the proxy's
 * configuration, so two sets of options are two cache keys, and one set
 * however spelt is one. */
static void
test_build_options (void)
{
  GError *error = NULL;
  GnProxyRegistry *reg = gn_proxy_registry_new ();
  const GnProxyDesc *d = gn_proxy_registry_lookup (reg, "good", &error);
  g_assert_no_error (error);

  const char *given[] = { "N=3", "cell_bn_affine=false", "C=8", "N=5",
                          NULL };
  GnProxyContext *ctx = gn_proxy_context_new (NULL, NULL, 7, given, &error);
  g_assert_no_error (error);
  const char *want[] = { "C=8", "N=5", "cell_bn_affine=false", NULL };
  g_assert_true (g_strv_equal ((const char *const *) ctx->build_options,
                               want));
  GnProxy *a = gn_proxy_new (d, ctx, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gn_proxy_task_seed (a), ==, 7);
  g_assert_true (g_str_has_suffix (gn_proxy_config (a),
                                   ";build=C=8,N=5,cell_bn_affine=false"));

  const char *same[] = { "cell_bn_affine=false", "N=5", "C=8", NULL };
  GnProxyContext *ctx2 = gn_proxy_context_new (NULL, NULL, 7, same, &error);
  g_assert_no_error (error);
  GnProxy *b = gn_proxy_new (d, ctx2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gn_proxy_config (a), ==, gn_proxy_config (b));

  const char *other[] = { "N=3", NULL };
  GnProxyContext *ctx3 = gn_proxy_context_new (NULL, NULL, 7, other, &error);
  g_assert_no_error (error);
  GnProxy *c = gn_proxy_new (d, ctx3, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gn_proxy_config (a), !=, gn_proxy_config (c));

  struct { const char *option, *needle; } bad[] = {
    { "N", "'N' is not KEY=VALUE" },
    { "=3", "'=3' is not KEY=VALUE" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *one[] = { "C=8", bad[i].option, NULL };
      g_assert_null (gn_proxy_context_new (NULL, NULL, 7, one, &error));
      g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_PARAM);
      g_assert_nonnull (strstr (error->message, bad[i].needle));
      g_clear_error (&error);
    }

  gn_proxy_free (c);
  gn_proxy_free (b);
  gn_proxy_free (a);
  gn_proxy_context_free (ctx3);
  gn_proxy_context_free (ctx2);
  gn_proxy_context_free (ctx);
  gn_proxy_registry_free (reg);
}

/* A small image set whose pixels are all different. */
static GnDataset *
toy_dataset (int n)
{
  GnDataset *ds = g_new0 (GnDataset, 1);
  *ds = (GnDataset) { .name = g_strdup ("toy"), .n = n, .c = 3, .h = 8,
                      .w = 8, .num_classes = 10,
                      .mean = { 0.5f, 0.5f, 0.5f },
                      .std = { 0.25f, 0.25f, 0.25f } };
  gsize size = (gsize) n * 3 * 8 * 8;
  ds->pixels = g_new (guint8, size);
  for (gsize i = 0; i < size; i++)
    ds->pixels[i] = (guint8) (i * 37 + i / 256);
  ds->labels = g_new (guint8, n);
  for (int i = 0; i < n; i++)
    ds->labels[i] = (guint8) (i % 10);
  return ds;
}

/* The fixed batch: made once per size and shared, and exactly what the
 * plugins drew themselves before the host owned it (a permutation of the
 * set from the task seed, then one augmentation per image from the same
 * generator), generator state after it included: the scores depend on it
 * bit for bit. */
static void
test_batch (void)
{
  GError *error = NULL;
  GnDataset *ds = toy_dataset (40);
  GnProxyContext *ctx = gn_proxy_context_new (NULL, ds, 3, NULL, &error);
  g_assert_no_error (error);

  const GnProxyBatch *b = gn_proxy_context_batch (ctx, 16, &error);
  g_assert_no_error (error);
  g_assert_true (gn_proxy_context_batch (ctx, 16, NULL) == b);
  g_assert_cmpint (b->n, ==, 16);
  g_assert_cmpint (b->c, ==, 3);
  g_assert_cmpint (b->h, ==, 8);
  g_assert_cmpint (b->w, ==, 8);

  GnRng rng;
  gn_rng_seed (&rng, 3);
  int perm[40];
  gn_rng_permutation (&rng, perm, 40);
  float *images = g_new (float, 16 * 3 * 8 * 8);
  gn_dataset_batch (ds, perm, 16, TRUE, 4, &rng, images);
  g_assert_cmpmem (b->images, 16 * 3 * 8 * 8 * sizeof (float), images,
                   16 * 3 * 8 * 8 * sizeof (float));
  for (int i = 0; i < 16; i++)
    g_assert_cmpint (b->labels[i], ==, ds->labels[perm[i]]);
  GnRng after = b->rng;
  g_assert_cmphex (gn_rng_next (&after), ==, gn_rng_next (&rng));
  g_free (images);

  /* another size is another batch; another seed another draw */
  const GnProxyBatch *b32 = gn_proxy_context_batch (ctx, 32, &error);
  g_assert_no_error (error);
  g_assert_true (b32 != b);
  GnProxyContext *ctx4 = gn_proxy_context_new (NULL, ds, 4, NULL, &error);
  g_assert_no_error (error);
  const GnProxyBatch *b4 = gn_proxy_context_batch (ctx4, 16, &error);
  g_assert_no_error (error);
  g_assert_true (memcmp (b4->images, b->images,
                         16 * 3 * 8 * 8 * sizeof (float)) != 0);

  /* more images than the set has, or no set at all */
  g_assert_null (gn_proxy_context_batch (ctx, 41, &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED);
  g_clear_error (&error);
  GnProxyContext *none = gn_proxy_context_new (NULL, NULL, 3, NULL, &error);
  g_assert_null (gn_proxy_context_batch (none, 1, &error));
  g_assert_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_FAILED);
  g_clear_error (&error);

  gn_proxy_context_free (none);
  gn_proxy_context_free (ctx4);
  gn_proxy_context_free (ctx);
  gn_dataset_free (ds);
}

/* The evaluation statuses by name, as the store keeps them. */
static void
test_eval_status (void)
{
  static const struct { GnEvalStatus status; const char *name; } all[] = {
    { GN_EVAL_OK, "ok" },
    { GN_EVAL_NONFINITE, "nonfinite" },
    { GN_EVAL_ERROR, "error" },
    { GN_EVAL_CRASHED, "crashed" },
    { GN_EVAL_TIMEOUT, "timeout" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      GnEvalStatus s = (GnEvalStatus) 99;
      g_assert_cmpstr (gn_eval_status_name (all[i].status), ==, all[i].name);
      g_assert_true (gn_eval_status_parse (all[i].name, &s));
      g_assert_cmpint (s, ==, all[i].status);
      g_assert_cmpint (gn_eval_status_scored (s), ==, i < 2);
    }
  GnEvalStatus s = GN_EVAL_TIMEOUT;
  g_assert_false (gn_eval_status_parse ("OK", &s));
  g_assert_false (gn_eval_status_parse ("", &s));
  g_assert_false (gn_eval_status_parse (NULL, &s));
  g_assert_cmpint (s, ==, GN_EVAL_TIMEOUT);
  g_assert_cmpstr (gn_eval_status_name ((GnEvalStatus) 5), ==, "?");
}

static void
test_arch_rng (void)
{
  GnRng a, b, c;
  gn_proxy_arch_rng (&a, 7, "|nor_conv_3x3~0|");
  gn_proxy_arch_rng (&b, 7, "|nor_conv_3x3~0|");
  gn_proxy_arch_rng (&c, 7, "|nor_conv_1x1~0|");
  guint64 x = gn_rng_next (&a);
  g_assert_cmphex (x, ==, gn_rng_next (&b));
  g_assert_cmphex (x, !=, gn_rng_next (&c));
  gn_proxy_arch_rng (&c, 8, "|nor_conv_3x3~0|");
  g_assert_cmphex (x, !=, gn_rng_next (&c));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  plugin_dir = g_test_build_filename (G_TEST_BUILT, ".libs", NULL);
  g_setenv ("GENNAS_PROXY_PATH", plugin_dir, TRUE);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);

  g_test_add_func ("/proxy/load/good", test_load_good);
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      char *path = g_strdup_printf ("/proxy/load/refuses-%s",
                                    broken[i].plugin);
      g_test_add_data_func (path, &broken[i], test_refuse);
      g_free (path);
    }
  g_test_add_func ("/proxy/load/not-a-plugin", test_not_a_plugin);
  g_test_add_func ("/proxy/load/refuses-file", test_refuse_file);
  g_test_add_func ("/proxy/registry/relative-path", test_relative_path);
  g_test_add_func ("/proxy/registry", test_registry);
  g_test_add_func ("/proxy/params", test_params);
  g_test_add_func ("/proxy/split-assignments", test_split_assignments);
  g_test_add_func ("/proxy/instance", test_instance);
  g_test_add_func ("/proxy/build-options", test_build_options);
  g_test_add_func ("/proxy/space-defaults", test_space_defaults);
  g_test_add_func ("/proxy/batch", test_batch);
  g_test_add_func ("/proxy/eval-status", test_eval_status);
  g_test_add_func ("/proxy/arch-rng", test_arch_rng);
  int status = g_test_run ();
  g_free (plugin_dir);
  return status;
}
