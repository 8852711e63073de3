/* test-data.c - finding data, CIFAR-10 and IDX loading, batches and
 * augmentation
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The CIFAR-10 facts (labels, first pixels, channel means) are those of
 * the official data_batch_1, as recorded in data/README.md.  Augmentation
 * is checked against a separate, literal rendering of torchvision's
 * RandomCrop(padding) + RandomHorizontalFlip + ToTensor + Normalize: pad a
 * byte canvas with zeros, crop, mirror, then normalise.
 */
#include "gennas.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"

/* $GENNAS_DATA_PATH as the test started: `make check` names the source
 * tree's data/ there, where the library alone knows only the installed
 * folder */
static char *data_path;

static void
restore_data_path (void)
{
  if (data_path != NULL)
    g_setenv ("GENNAS_DATA_PATH", data_path, TRUE);
  else
    g_unsetenv ("GENNAS_DATA_PATH");
}

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static GnDataset *
load_cifar (void)
{
  GError *error = NULL;
  char *dir = gn_data_find ("cifar10", &error);
  g_assert_no_error (error);
  GnDataset *ds = gn_dataset_load_cifar10 (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ds);
  g_free (dir);
  return ds;
}

/* torchvision's float32 ToTensor + Normalize of one byte */
static float
normalised (const GnDataset *ds, int c, int v)
{
  return ((float) v / 255.0f - ds->mean[c]) / ds->std[c];
}

static char *
make_tmp_dir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("gennas-test-data-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

/* removes a flat temporary folder and everything in it */
static void
remove_tmp_dir (char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    {
      char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        g_assert_cmpint (g_rmdir (path), ==, 0);
      else
        g_assert_cmpint (g_unlink (path), ==, 0);
      g_free (path);
    }
  g_dir_close (d);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

static char *
write_file (const char *dir, const char *name, const void *data, gsize len)
{
  GError *error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

static GBytes *
gzip_bytes (const guint8 *data, gsize len)
{
  GZlibCompressor *z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP,
                                              -1);
  GOutputStream *mem = g_memory_output_stream_new_resizable ();
  GOutputStream *out = g_converter_output_stream_new (mem, G_CONVERTER (z));
  GError *error = NULL;
  g_output_stream_write_all (out, data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);   /* closes mem as well */
  g_assert_no_error (error);
  GBytes *b = g_memory_output_stream_steal_as_bytes (
      G_MEMORY_OUTPUT_STREAM (mem));
  g_object_unref (out);
  g_object_unref (mem);
  g_object_unref (z);
  return b;
}

/* ------------------------------------------------------------------ */
/* finding                                                             */
/* ------------------------------------------------------------------ */

static void
test_find (void)
{
  GError *error = NULL;
  char *found = gn_data_find ("cifar10", &error);
  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (found));
  g_assert_true (g_file_test (found, G_FILE_TEST_IS_DIR));

  /* under `make check`, that is the source tree's data/, through
   * $GENNAS_DATA_PATH (G_TEST_DIST only knows the source tree when
   * `make check` says where it is) */
  if (g_getenv ("G_TEST_SRCDIR") != NULL)
    {
      char *dist = g_test_build_filename (G_TEST_DIST, "..", "data",
                                          "cifar10", NULL);
      char *canon = g_canonicalize_filename (dist, NULL);
      g_assert_cmpstr (found, ==, canon);
      g_free (canon);
      g_free (dist);
    }
  g_free (found);

  g_assert_null (gn_data_find ("no-such-file.csv", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "no-such-file.csv"));
  g_clear_error (&error);
}

static void
test_find_env (void)
{
  char *a = make_tmp_dir (), *b = make_tmp_dir ();
  char *fa = write_file (a, "only-in-a.txt", "a", 1);
  char *fb = write_file (b, "cifar10", "shadow", 6);

  /* empty entries are ignored; earlier folders win over later ones and
   * over the installed copy */
  char *env = g_strdup_printf (":%s::%s:", a, b);
  g_setenv ("GENNAS_DATA_PATH", env, TRUE);

  GError *error = NULL;
  char *found = gn_data_find ("only-in-a.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, fa);
  g_free (found);
  found = gn_data_find ("cifar10", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, fb);
  g_free (found);

  /* the error lists every place searched */
  g_assert_null (gn_data_find ("missing", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, a));
  g_assert_nonnull (strstr (error->message, b));
  g_clear_error (&error);

  /* without it, the installed folder alone: no folder of the machine
   * the library was built on is compiled in */
  g_unsetenv ("GENNAS_DATA_PATH");
  g_assert_null (gn_data_find ("missing", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  const char *list = strstr (error->message, " not found in: ");
  g_assert_nonnull (list);
  g_assert_null (strstr (list, ", "));
  g_assert_nonnull (strstr (list, "/gennas/data (set GENNAS_DATA_PATH"));
  g_clear_error (&error);

  restore_data_path ();
  g_free (env);
  g_free (fa);
  g_free (fb);
  remove_tmp_dir (a);
  remove_tmp_dir (b);
}

/* A relative folder on $GENNAS_DATA_PATH is ignored, with a warning: it
 * would depend on the working folder */
static void
test_find_relative (void)
{
  char *a = make_tmp_dir ();
  char *fa = write_file (a, "only-in-a.txt", "a", 1);
  char *here = g_get_current_dir ();
  char *parent = g_path_get_dirname (a), *base = g_path_get_basename (a);
  g_assert_cmpint (g_chdir (parent), ==, 0);
  g_setenv ("GENNAS_DATA_PATH", base, TRUE);

  GError *error = NULL;
  char *want = g_strdup_printf ("GENNAS_DATA_PATH: ignoring the relative "
                                "folder '%s'*", base);
  g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, want);
  g_assert_null (gn_data_find ("only-in-a.txt", &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  g_assert_cmpint (g_chdir (here), ==, 0);
  restore_data_path ();
  g_free (want);
  g_free (base);
  g_free (parent);
  g_free (here);
  g_free (fa);
  remove_tmp_dir (a);
}

/* ------------------------------------------------------------------ */
/* CIFAR-10                                                            */
/* ------------------------------------------------------------------ */

static void
test_cifar_load (void)
{
  g_autoptr (GnDataset) ds = load_cifar ();

  g_assert_cmpstr (ds->name, ==, "cifar10");
  g_assert_cmpint (ds->n, ==, 4000);
  g_assert_cmpint (ds->c, ==, 3);
  g_assert_cmpint (ds->h, ==, 32);
  g_assert_cmpint (ds->w, ==, 32);
  g_assert_cmpint (ds->num_classes, ==, 10);

  /* official data_batch_1: image 0 is a frog */
  const guint8 labels[] = { 6, 9, 9, 4, 1, 1, 2, 7, 8, 3 };
  const guint8 red[] = { 59, 43, 50, 68, 98, 119, 139, 145, 149, 149 };
  g_assert_cmpmem (ds->labels, sizeof labels, labels, sizeof labels);
  g_assert_cmpmem (ds->pixels, sizeof red, red, sizeof red);

  int per_class[10] = { 0 };
  for (int i = 0; i < ds->n; i++)
    {
      g_assert_cmpuint (ds->labels[i], <, 10);
      per_class[ds->labels[i]]++;
    }
  for (int k = 0; k < 10; k++)
    g_assert_cmpint (per_class[k], >, 300);

  /* these 4,000 images average (0.4916, 0.4818, 0.4447), to 4 places */
  const double expect[3] = { 0.4916, 0.4818, 0.4447 };
  for (int c = 0; c < 3; c++)
    {
      guint64 sum = 0;
      for (int i = 0; i < ds->n; i++)
        {
          const guint8 *p = ds->pixels + ((gsize) i * 3 + c) * 1024;
          for (int j = 0; j < 1024; j++)
            sum += p[j];
        }
      double mean = (double) sum / (ds->n * 1024.0) / 255.0;
      g_assert_cmpfloat_with_epsilon (mean, expect[c], 5e-5);
    }

  /* normalisation is GenNAS's, not the subset's */
  g_assert_cmpfloat (ds->mean[0], ==, (float) (125.3 / 255.0));
  g_assert_cmpfloat (ds->mean[1], ==, (float) (123.0 / 255.0));
  g_assert_cmpfloat (ds->mean[2], ==, (float) (113.9 / 255.0));
  g_assert_cmpfloat (ds->std[0], ==, (float) (63.0 / 255.0));
  g_assert_cmpfloat (ds->std[1], ==, (float) (62.1 / 255.0));
  g_assert_cmpfloat (ds->std[2], ==, (float) (66.7 / 255.0));
}

static void
test_cifar_batch_plain (void)
{
  g_autoptr (GnDataset) ds = load_cifar ();
  const int idx[] = { 0, 3999, 17, 0 };
  enum { COUNT = G_N_ELEMENTS (idx), IMG = 3 * 32 * 32 };
  float *out = g_new (float, COUNT * IMG);

  GnRng rng, before;
  gn_rng_seed (&rng, 5);
  before = rng;
  gn_dataset_batch (ds, idx, COUNT, FALSE, 4, &rng, out);
  /* no augmentation draws nothing */
  g_assert_cmpmem (&rng, sizeof rng, &before, sizeof before);

  for (int b = 0; b < COUNT; b++)
    for (int c = 0; c < 3; c++)
      for (int j = 0; j < 1024; j++)
        {
          int v = ds->pixels[(gsize) idx[b] * IMG + c * 1024 + j];
          float got = out[b * IMG + c * 1024 + j];
          g_assert_cmpfloat (got, ==, normalised (ds, c, v));
          /* and the same in double, to float precision */
          double want = (v / 255.0 - ds->mean[c]) / ds->std[c];
          g_assert_cmpfloat_with_epsilon (got, want, 2e-6);
        }

  /* pixel 0 of image 0: red 59, so (59/255 - 125.3/255) / (63/255) */
  g_assert_cmpfloat_with_epsilon (out[0], (59.0 - 125.3) / 63.0, 1e-5);
  /* the NULL rng is fine without augmentation */
  gn_dataset_batch (ds, idx, 1, FALSE, 0, NULL, out);
  g_free (out);
}

/* A literal torchvision pipeline on one image: zero-padded byte canvas,
 * crop at (top, left), optional mirror, normalise.  Returns whether
 * @got equals it exactly. */
static gboolean
matches_reference (const GnDataset *ds, const guint8 *canvas, int pad,
                   int top, int left, gboolean flip, const float *got)
{
  int ph = ds->h + 2 * pad, pw = ds->w + 2 * pad;
  for (int c = 0; c < ds->c; c++)
    for (int y = 0; y < ds->h; y++)
      for (int x = 0; x < ds->w; x++)
        {
          int cx = flip ? ds->w - 1 - x : x;
          int v = canvas[((gsize) c * ph + y + top) * pw + cx + left];
          if (got[((gsize) c * ds->h + y) * ds->w + x] != normalised (ds, c, v))
            return FALSE;
        }
  return TRUE;
}

static guint8 *
padded_canvas (const GnDataset *ds, int i, int pad)
{
  int ph = ds->h + 2 * pad, pw = ds->w + 2 * pad;
  guint8 *canvas = g_malloc0 ((gsize) ds->c * ph * pw);
  const guint8 *src = ds->pixels + (gsize) i * ds->c * ds->h * ds->w;
  for (int c = 0; c < ds->c; c++)
    for (int y = 0; y < ds->h; y++)
      memcpy (canvas + ((gsize) c * ph + y + pad) * pw + pad,
              src + ((gsize) c * ds->h + y) * ds->w, ds->w);
  return canvas;
}

static void
test_cifar_augment (void)
{
  g_autoptr (GnDataset) ds = load_cifar ();
  enum { COUNT = 400, PAD = 4, SPAN = 2 * PAD + 1, IMG = 3 * 32 * 32 };
  int idx[COUNT];
  GnRng rng;
  gn_rng_seed (&rng, 1234);
  for (int b = 0; b < COUNT; b++)
    idx[b] = (int) gn_rng_below (&rng, (guint32) ds->n);
  float *out = g_new (float, COUNT * IMG);
  gn_dataset_batch (ds, idx, COUNT, TRUE, PAD, &rng, out);

  int seen_top[SPAN] = { 0 }, seen_left[SPAN] = { 0 }, flips = 0;
  for (int b = 0; b < COUNT; b++)
    {
      guint8 *canvas = padded_canvas (ds, idx[b], PAD);
      gboolean found = FALSE;
      /* every output is some crop of the padded image, mirrored or not */
      for (int top = 0; top < SPAN && !found; top++)
        for (int left = 0; left < SPAN && !found; left++)
          for (int flip = 0; flip < 2 && !found; flip++)
            if (matches_reference (ds, canvas, PAD, top, left, flip,
                                   out + (gsize) b * IMG))
              {
                found = TRUE;
                seen_top[top]++;
                seen_left[left]++;
                flips += flip;
              }
      g_assert_true (found);
      g_free (canvas);
    }
  /* offsets cover [0, 2 pad] (expected 44 each), flips about half */
  for (int k = 0; k < SPAN; k++)
    {
      g_assert_cmpint (seen_top[k], >, 15);
      g_assert_cmpint (seen_left[k], >, 15);
    }
  g_assert_cmpint (flips, >, COUNT * 4 / 10);
  g_assert_cmpint (flips, <, COUNT * 6 / 10);
  g_free (out);
}

/* a hand-made dataset of one image; gn_dataset_free() frees it */
static GnDataset *
synthetic (int c, int h, int w, const float *mean, const float *std)
{
  GnDataset *ds = g_new0 (GnDataset, 1);
  ds->name = g_strdup ("synthetic");
  ds->n = 1;
  ds->c = c;
  ds->h = h;
  ds->w = w;
  ds->num_classes = 1;
  ds->pixels = g_new0 (guint8, (gsize) c * h * w);
  ds->labels = g_new0 (guint8, 1);
  for (int k = 0; k < c; k++)
    {
      ds->mean[k] = mean[k];
      ds->std[k] = std[k];
    }
  return ds;
}

static void
test_augment_padding (void)
{
  const float mean[3] = { 0.5f, 0.4f, 0.3f }, std[3] = { 0.2f, 0.25f, 0.3f };
  enum { S = 8, PAD = 3, COUNT = 500 };
  g_autoptr (GnDataset) ds = synthetic (3, S, S, mean, std);
  memset (ds->pixels, 255, 3 * S * S);

  int idx[COUNT] = { 0 };
  float *out = g_new (float, COUNT * 3 * S * S);
  GnRng rng;
  gn_rng_seed (&rng, 99);
  gn_dataset_batch (ds, idx, COUNT, TRUE, PAD, &rng, out);

  int unpadded = 0, fully_shifted = 0;
  for (int b = 0; b < COUNT; b++)
    {
      int padded[3];
      for (int c = 0; c < 3; c++)
        {
          /* padding is a zero byte: it normalises to -mean/std, not 0 */
          float zero = -mean[c] / std[c], full = normalised (ds, c, 255);
          padded[c] = 0;
          for (int j = 0; j < S * S; j++)
            {
              float v = out[((gsize) b * 3 + c) * S * S + j];
              g_assert_true (v == zero || v == full);
              padded[c] += v == zero;
            }
        }
      /* one crop for all channels, and a crop never leaves the padded
       * image: the kept block is (S - |dy|) x (S - |dx|), |d| <= pad */
      g_assert_cmpint (padded[0], ==, padded[1]);
      g_assert_cmpint (padded[0], ==, padded[2]);
      gboolean possible = FALSE;
      for (int dy = 0; dy <= PAD; dy++)
        for (int dx = 0; dx <= PAD; dx++)
          possible |= padded[0] == S * S - (S - dy) * (S - dx);
      g_assert_true (possible);
      unpadded += padded[0] == 0;
      fully_shifted += padded[0] == S * S - (S - PAD) * (S - PAD);
    }
  /* P(no shift) = P(both shifts maximal) = 1/49 */
  g_assert_cmpint (unpadded, >, 0);
  g_assert_cmpint (fully_shifted, >, 0);
  g_free (out);
}

static void
test_augment_flip (void)
{
  const float mean[1] = { 0.0f }, std[1] = { 1.0f };
  enum { H = 4, W = 5, COUNT = 1000 };
  g_autoptr (GnDataset) ds = synthetic (1, H, W, mean, std);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      ds->pixels[y * W + x] = (guint8) (10 * y + x);

  int idx[COUNT] = { 0 };
  float *out = g_new (float, COUNT * H * W);
  GnRng rng;
  gn_rng_seed (&rng, 3);
  /* pad 0: the crop is the image itself, so only flips change it */
  gn_dataset_batch (ds, idx, COUNT, TRUE, 0, &rng, out);

  int flips = 0;
  for (int b = 0; b < COUNT; b++)
    {
      const float *o = out + b * H * W;
      gboolean same = TRUE, mirrored = TRUE;
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
          {
            same &= o[y * W + x] == (float) (10 * y + x) / 255.0f;
            mirrored &= o[y * W + x] == (float) (10 * y + W - 1 - x) / 255.0f;
          }
      g_assert_true (same != mirrored);
      flips += mirrored;
    }
  g_assert_cmpint (flips, >, COUNT * 45 / 100);
  g_assert_cmpint (flips, <, COUNT * 55 / 100);
  g_free (out);
}

static void
test_augment_reproducible (void)
{
  g_autoptr (GnDataset) ds = load_cifar ();
  enum { COUNT = 16, IMG = 3 * 32 * 32 };
  int idx[COUNT];
  for (int b = 0; b < COUNT; b++)
    idx[b] = b * 37;
  float *a = g_new (float, COUNT * IMG), *b2 = g_new (float, COUNT * IMG);
  GnRng r1, r2;
  gn_rng_seed (&r1, 42);
  gn_rng_seed (&r2, 42);
  gn_dataset_batch (ds, idx, COUNT, TRUE, 4, &r1, a);
  gn_dataset_batch (ds, idx, COUNT, TRUE, 4, &r2, b2);
  g_assert_cmpmem (a, COUNT * IMG * sizeof (float), b2,
                   COUNT * IMG * sizeof (float));
  g_assert_cmpmem (&r1, sizeof r1, &r2, sizeof r2);
  /* the next batch differs */
  gn_dataset_batch (ds, idx, COUNT, TRUE, 4, &r2, b2);
  g_assert_true (memcmp (a, b2, COUNT * IMG * sizeof (float)) != 0);
  g_free (a);
  g_free (b2);
}

static guint8 *
cifar_records (int count, guint8 first_label)
{
  guint8 *buf = g_new (guint8, (gsize) count * 3073);
  for (int r = 0; r < count; r++)
    {
      buf[r * 3073] = (guint8) ((first_label + r) % 10);
      for (int j = 1; j < 3073; j++)
        buf[r * 3073 + j] = (guint8) (r + j);
    }
  return buf;
}

static void
test_cifar_errors (void)
{
  GError *error = NULL;
  char *dir = make_tmp_dir ();

  char *missing = g_build_filename (dir, "not-there", NULL);
  g_assert_null (gn_dataset_load_cifar10 (missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_free (missing);

  /* a folder with no batches */
  char *other = write_file (dir, "readme.txt", "hi", 2);
  g_assert_null (gn_dataset_load_cifar10 (dir, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "*.bin"));
  g_clear_error (&error);

  /* two records less one byte */
  guint8 *rec = cifar_records (2, 0);
  char *trunc = write_file (dir, "a.bin", rec, 2 * 3073 - 1);
  g_assert_null (gn_dataset_load_cifar10 (dir, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, trunc));
  g_assert_nonnull (strstr (error->message, "3073"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* an empty .bin is not a batch either */
  g_free (write_file (dir, "a.bin", rec, 0));
  g_assert_null (gn_dataset_load_cifar10 (dir, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_clear_error (&error);

  /* a label outside 0..9 means this is not CIFAR-10 */
  rec[3073] = 10;
  g_free (write_file (dir, "a.bin", rec, 2 * 3073));
  g_assert_null (gn_dataset_load_cifar10 (dir, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "label 10"));
  g_clear_error (&error);

  g_free (rec);
  g_free (trunc);
  g_free (other);
  remove_tmp_dir (dir);
}

static void
test_cifar_name_order (void)
{
  GError *error = NULL;
  char *dir = make_tmp_dir ();
  guint8 *one = cifar_records (1, 7), *three = cifar_records (3, 1);
  /* written out of order; read in name order: b10 < b2 byte-wise */
  g_free (write_file (dir, "b2.bin", one, 3073));
  g_free (write_file (dir, "b10.bin", three, 3 * 3073));
  g_free (write_file (dir, "b3.txt", one, 100));   /* not a batch */

  g_autoptr (GnDataset) ds = gn_dataset_load_cifar10 (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ds->n, ==, 4);
  const guint8 labels[] = { 1, 2, 3, 7 };
  g_assert_cmpmem (ds->labels, 4, labels, 4);
  g_assert_cmpmem (ds->pixels, 3072, three + 1, 3072);
  g_assert_cmpmem (ds->pixels + 2 * 3072, 3072, three + 2 * 3073 + 1, 3072);
  g_assert_cmpmem (ds->pixels + 3 * 3072, 3072, one + 1, 3072);

  g_free (one);
  g_free (three);
  remove_tmp_dir (dir);
}

/* ------------------------------------------------------------------ */
/* IDX                                                                 */
/* ------------------------------------------------------------------ */

static gsize
idx_header (guint8 *buf, int ndims, const guint32 *dims)
{
  buf[0] = buf[1] = 0;
  buf[2] = 0x08;
  buf[3] = (guint8) ndims;
  for (int i = 0; i < ndims; i++)
    {
      buf[4 + 4 * i] = (guint8) (dims[i] >> 24);
      buf[5 + 4 * i] = (guint8) (dims[i] >> 16);
      buf[6 + 4 * i] = (guint8) (dims[i] >> 8);
      buf[7 + 4 * i] = (guint8) dims[i];
    }
  return 4 + 4 * (gsize) ndims;
}

enum { IN = 3, IH = 2, IW = 3 };

static void
make_idx (guint8 *img, gsize *img_len, guint8 *lab, gsize *lab_len)
{
  const guint32 idims[] = { IN, IH, IW }, ldims[] = { IN };
  gsize hi = idx_header (img, 3, idims), hl = idx_header (lab, 1, ldims);
  for (int j = 0; j < IN * IH * IW; j++)
    img[hi + j] = (guint8) (j * 14 + 3);
  const guint8 labels[IN] = { 0, 4, 2 };
  memcpy (lab + hl, labels, IN);
  *img_len = hi + IN * IH * IW;
  *lab_len = hl + IN;
}

static void
check_idx (const GnDataset *ds, const guint8 *img_data)
{
  g_assert_cmpint (ds->n, ==, IN);
  g_assert_cmpint (ds->c, ==, 3);
  g_assert_cmpint (ds->h, ==, 32);
  g_assert_cmpint (ds->w, ==, 32);
  g_assert_cmpint (ds->num_classes, ==, 5);
  const guint8 labels[IN] = { 0, 4, 2 };
  g_assert_cmpmem (ds->labels, IN, labels, IN);

  /* centred: rows 15..16, columns 14..16, grey replicated, zero around */
  guint64 sum = 0, sum_sq = 0;
  for (int i = 0; i < IN; i++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++)
          {
            guint8 got = ds->pixels[(((gsize) i * 3 + c) * 32 + y) * 32 + x];
            int sy = y - 15, sx = x - 14;
            guint8 want = 0;
            if (sy >= 0 && sy < IH && sx >= 0 && sx < IW)
              want = img_data[(i * IH + sy) * IW + sx];
            g_assert_cmpuint (got, ==, want);
          }
  for (int j = 0; j < IN * IH * IW; j++)
    {
      sum += img_data[j];
      sum_sq += img_data[j] * img_data[j];
    }
  /* the statistics of the stored pixels, padding excluded */
  double n = IN * IH * IW, mean = sum / n / 255.0;
  double sd = sqrt (sum_sq / n / 65025.0 - mean * mean);
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat_with_epsilon (ds->mean[c], mean, 1e-6);
      g_assert_cmpfloat_with_epsilon (ds->std[c], sd, 1e-6);
    }
}

static void
test_idx_synthetic (void)
{
  GError *error = NULL;
  guint8 img[64], lab[16];
  gsize img_len, lab_len;
  make_idx (img, &img_len, lab, &lab_len);
  const guint8 *pixels = img + 16;

  char *dir = make_tmp_dir ();
  char *ip = write_file (dir, "img-idx3-ubyte", img, img_len);
  char *lp = write_file (dir, "lab-idx1-ubyte", lab, lab_len);
  GnDataset *ds = gn_dataset_load_idx (ip, lp, &error);
  g_assert_no_error (error);
  check_idx (ds, pixels);
  /* an IDX set is named after its folder */
  char *base = g_path_get_basename (dir);
  g_assert_cmpstr (ds->name, ==, base);
  g_free (base);
  gn_dataset_free (ds);

  /* the same, gzip'ed as Debian ships them */
  GBytes *gi = gzip_bytes (img, img_len), *gl = gzip_bytes (lab, lab_len);
  gsize zl;
  const guint8 *zd = g_bytes_get_data (gi, &zl);
  g_assert_cmpuint (zd[0], ==, 0x1f);
  char *zip = write_file (dir, "img-idx3-ubyte.gz", zd, zl);
  zd = g_bytes_get_data (gl, &zl);
  char *zlp = write_file (dir, "lab-idx1-ubyte.gz", zd, zl);
  ds = gn_dataset_load_idx (zip, zlp, &error);
  g_assert_no_error (error);
  check_idx (ds, pixels);
  gn_dataset_free (ds);

  /* a batch of it: padding normalises to -mean/std */
  ds = gn_dataset_load_idx (zip, lp, &error);
  g_assert_no_error (error);
  float *out = g_new (float, 3 * 32 * 32);
  int first = 0;
  gn_dataset_batch (ds, &first, 1, FALSE, 0, NULL, out);
  g_assert_cmpfloat (out[0], ==, -ds->mean[0] / ds->std[0]);
  g_assert_cmpfloat (out[15 * 32 + 14], ==, normalised (ds, 0, pixels[0]));
  g_assert_cmpfloat (out[2 * 1024 + 15 * 32 + 14], ==,
                     normalised (ds, 2, pixels[0]));
  g_free (out);
  gn_dataset_free (ds);

  g_bytes_unref (gi);
  g_bytes_unref (gl);
  g_free (ip);
  g_free (lp);
  g_free (zip);
  g_free (zlp);
  remove_tmp_dir (dir);
}

static void
test_idx_errors (void)
{
  GError *error = NULL;
  guint8 img[64], lab[16];
  gsize img_len, lab_len;
  make_idx (img, &img_len, lab, &lab_len);
  char *dir = make_tmp_dir ();
  char *lp = write_file (dir, "lab", lab, lab_len);
  char *ip = write_file (dir, "img", img, img_len);

  char *missing = g_build_filename (dir, "nope", NULL);
  g_assert_null (gn_dataset_load_idx (missing, lp, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  g_free (missing);

  /* truncated data */
  char *p = write_file (dir, "short", img, img_len - 1);
  g_assert_null (gn_dataset_load_idx (p, lp, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_free (p);

  /* labels and images swapped: wrong number of dimensions */
  g_assert_null (gn_dataset_load_idx (lp, ip, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_clear_error (&error);

  /* not IDX at all */
  p = write_file (dir, "text", "hello world, not IDX", 20);
  g_assert_null (gn_dataset_load_idx (p, lp, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_clear_error (&error);
  g_free (p);

  /* two labels for three images */
  lab[7] = 2;
  p = write_file (dir, "lab2", lab, lab_len - 1);
  g_assert_null (gn_dataset_load_idx (ip, p, &error));
  g_assert_error (error, GN_ERROR, GN_ERROR_FAILED);
  g_clear_error (&error);
  g_free (p);

  /* a cut-off gzip stream */
  GBytes *gz = gzip_bytes (img, img_len);
  gsize zl;
  const guint8 *zd = g_bytes_get_data (gz, &zl);
  p = write_file (dir, "cut.gz", zd, zl / 2);
  g_assert_null (gn_dataset_load_idx (p, lp, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_free (p);
  g_bytes_unref (gz);

  g_free (ip);
  g_free (lp);
  remove_tmp_dir (dir);
}

static void
test_fashion_mnist (void)
{
  const char *images = FMNIST_DIR "/t10k-images-idx3-ubyte.gz";
  const char *labels = FMNIST_DIR "/t10k-labels-idx1-ubyte.gz";
  if (!g_file_test (images, G_FILE_TEST_IS_REGULAR)
      || !g_file_test (labels, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("Debian's dataset-fashion-mnist is not installed");
      return;
    }

  GError *error = NULL;
  g_autoptr (GnDataset) ds = gn_dataset_load_idx (images, labels, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "fashion-mnist");
  g_assert_cmpint (ds->n, ==, 10000);
  g_assert_cmpint (ds->c, ==, 3);
  g_assert_cmpint (ds->h, ==, 32);
  g_assert_cmpint (ds->w, ==, 32);
  g_assert_cmpint (ds->num_classes, ==, 10);
  const guint8 first[] = { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 };
  g_assert_cmpmem (ds->labels, sizeof first, first, sizeof first);

  /* row 14 of image 0 (an ankle boot), now row 16 from column 2 */
  const guint8 row14[28] = { 0, 0, 0, 0, 0, 0, 2, 4, 1, 0, 0, 0, 98, 136,
                             110, 109, 110, 162, 135, 144, 149, 159, 167,
                             144, 158, 169, 119, 0 };
  for (int c = 0; c < 3; c++)
    {
      const guint8 *row = ds->pixels + ((gsize) c * 32 + 16) * 32;
      g_assert_cmpmem (row + 2, 28, row14, 28);
      g_assert_cmpuint (row[0] | row[1] | row[30] | row[31], ==, 0);
    }
  /* the test split's own statistics, padding excluded */
  g_assert_cmpfloat_with_epsilon (ds->mean[0], 0.286849, 2e-6);
  g_assert_cmpfloat_with_epsilon (ds->std[0], 0.352444, 2e-6);
  g_assert_cmpfloat (ds->mean[2], ==, ds->mean[0]);
}

int
main (int argc, char **argv)
{
  data_path = g_strdup (g_getenv ("GENNAS_DATA_PATH"));
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/find", test_find);
  g_test_add_func ("/data/find/env-path", test_find_env);
  g_test_add_func ("/data/find/relative-path", test_find_relative);
  g_test_add_func ("/data/cifar10/load", test_cifar_load);
  g_test_add_func ("/data/cifar10/batch-plain", test_cifar_batch_plain);
  g_test_add_func ("/data/cifar10/augment", test_cifar_augment);
  g_test_add_func ("/data/cifar10/augment-reproducible",
                   test_augment_reproducible);
  g_test_add_func ("/data/cifar10/errors", test_cifar_errors);
  g_test_add_func ("/data/cifar10/name-order", test_cifar_name_order);
  g_test_add_func ("/data/augment/padding", test_augment_padding);
  g_test_add_func ("/data/augment/flip", test_augment_flip);
  g_test_add_func ("/data/idx/synthetic", test_idx_synthetic);
  g_test_add_func ("/data/idx/errors", test_idx_errors);
  g_test_add_func ("/data/idx/fashion-mnist", test_fashion_mnist);
  int status = g_test_run ();
  g_free (data_path);
  return status;
}
