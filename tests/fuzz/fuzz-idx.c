/* fuzz-idx.c - fuzz harness: the IDX image set reader
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * `--data fashion-mnist` reads an IDX image file and an IDX label file,
 * either possibly gzip'ed, from a data folder.  The input holds both: a
 * little-endian u16 giving the image file's length, the image file, then
 * the label file.  The harness writes them to two files, loads them with
 * gn_dataset_load_idx() and, if they load, draws a batch of every image
 * (with augmentation), as a proxy does.  What must hold besides not
 * crashing: a dataset or a GError; a dataset has images of at least
 * 32 x 32 on 3 channels, and labels below its number of classes.
 */
#include "gennas.h"
#include "fuzz.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 64

static char *dir, *images, *labels;

static void
remove_files (void)
{
  g_unlink (images);
  g_unlink (labels);
  g_rmdir (dir);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  GError *error = NULL;
  fuzz_quiet ();
  dir = g_dir_make_tmp ("gennas-fuzz-idx-XXXXXX", &error);
  g_assert_no_error (error);
  images = g_build_filename (dir, "images-idx3-ubyte", NULL);
  labels = g_build_filename (dir, "labels-idx1-ubyte", NULL);
  atexit (remove_files);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  size_t split = size >= 2 ? (size_t) data[0] | (size_t) data[1] << 8 : 0;
  const uint8_t *body = data + MIN (size, 2);
  size_t len = size - MIN (size, 2);
  split = MIN (split, len);
  if (!g_file_set_contents (images, (const char *) body, (gssize) split,
                            &error)
      || !g_file_set_contents (labels, (const char *) body + split,
                               (gssize) (len - split), &error))
    g_error ("%s", error->message);

  GnDataset *ds = gn_dataset_load_idx (images, labels, &error);
  if (ds == NULL)
    {
      g_assert_nonnull (error);
      g_error_free (error);
      return 0;
    }
  g_assert_cmpint (ds->n, >=, 1);
  g_assert_cmpint (ds->c, ==, 3);
  g_assert_cmpint (ds->h, >=, 32);
  g_assert_cmpint (ds->w, >=, 32);
  for (int i = 0; i < ds->n; i++)
    g_assert_cmpint (ds->labels[i], <, ds->num_classes);

  int count = MIN (ds->n, MAX_BATCH);
  int indices[MAX_BATCH];
  for (int i = 0; i < count; i++)
    indices[i] = ds->n - 1 - i;
  float *out = g_new (float, (gsize) count * ds->c * ds->h * ds->w);
  GnRng rng;
  gn_rng_seed (&rng, 3);
  gn_dataset_batch (ds, indices, count, TRUE, 4, &rng, out);
  g_free (out);
  gn_dataset_free (ds);
  return 0;
}
