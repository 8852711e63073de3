/* gn-data.c - finding data files, loading image sets, making batches
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A dataset is kept as the bytes it came in (CHW, 0..255) and turned into
 * floats only per batch: CIFAR-10's 50k images are 150 MB as bytes and
 * would be 600 MB as floats.  The batch path reproduces torchvision's
 *
 *   RandomCrop(32, padding=4) -> RandomHorizontalFlip() -> ToTensor()
 *     -> Normalize(mean, std)
 *
 * which GenNAS uses, in float32 and in that order, so padding is zero
 * *bytes* (normalised to -mean/std, not to 0) and each value is computed
 * with the same float operations as PyTorch's.
 */
#include "config.h"
#include "gn-data.h"
#include "gn-error.h"
#include "gn-rng.h"
#include "gn-paths.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#define CIFAR_SIDE    32
#define CIFAR_PLANE   (CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_PIXELS  (3 * CIFAR_PLANE)
#define CIFAR_RECORD  (1 + CIFAR_PIXELS)
#define CIFAR_CLASSES 10

/* IDX images smaller than this are centred on a zero canvas of this side,
 * so the networks built for CIFAR-10 run on them unchanged. */
#define IDX_MIN_SIDE  32
#define IDX_UBYTE     0x08

/* ------------------------------------------------------------------ */
/* finding files                                                       */
/* ------------------------------------------------------------------ */

char *
gn_data_find (const char *relative, GError **error)
{
  g_return_val_if_fail (relative != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  gn__append_search_path (dirs, "GENNAS_DATA_PATH");
  gn__append_installed (dirs, "GENNAS_DATA_SYSTEM_PATH", "data");
  char *found = gn__find_in_path (dirs, relative, "Data file", error);
  if (found == NULL && error != NULL)
    {
      char *m = g_strconcat ((*error)->message,
                             " (set GENNAS_DATA_PATH to add folders)", NULL);
      g_free ((*error)->message);
      (*error)->message = m;
    }
  g_ptr_array_unref (dirs);
  return found;
}

/* ------------------------------------------------------------------ */
/* datasets                                                            */
/* ------------------------------------------------------------------ */

void
gn_dataset_free (GnDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->name);
  g_free (ds->pixels);
  g_free (ds->labels);
  g_free (ds);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GnDataset *
gn_dataset_load_cifar10 (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GnDataset *ds = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  char *path = NULL, *contents = NULL;
  gsize length = 0;

  GDir *d = g_dir_open (dir, 0, error);
  if (d == NULL)
    {
      g_prefix_error (error, "CIFAR-10: ");
      goto out;
    }
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    if (g_str_has_suffix (name, ".bin"))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  /* name order, byte-wise: data_batch_1..5 and our part0..3 both sort
   * into the official image order */
  g_ptr_array_sort (names, compare_names);

  if (names->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "CIFAR-10: no *.bin batch files in “%s”", dir);
      goto out;
    }

  ds = g_new0 (GnDataset, 1);
  ds->name = g_strdup ("cifar10");
  ds->c = 3;
  ds->h = ds->w = CIFAR_SIDE;
  ds->num_classes = CIFAR_CLASSES;
  /* GenNAS's constants (the usual full training-set statistics), rounded
   * to float as torchvision's Normalize does with Python floats */
  static const double mean255[3] = { 125.3, 123.0, 113.9 };
  static const double std255[3] = { 63.0, 62.1, 66.7 };
  for (int c = 0; c < 3; c++)
    {
      ds->mean[c] = (float) (mean255[c] / 255.0);
      ds->std[c] = (float) (std255[c] / 255.0);
    }

  /* One file in memory at a time; the arrays grow per file (five steps
   * for the official set), never per record. */
  for (guint f = 0; f < names->len; f++)
    {
      path = g_build_filename (dir, names->pdata[f], NULL);
      if (!g_file_get_contents (path, &contents, &length, error))
        goto fail;
      if (length == 0 || length % CIFAR_RECORD != 0)
        {
          g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                       "CIFAR-10: “%s” is %" G_GSIZE_FORMAT " bytes, not a "
                       "whole number of %d-byte records (truncated?)",
                       path, length, CIFAR_RECORD);
          goto fail;
        }
      gsize records = length / CIFAR_RECORD;
      if (records > (gsize) (G_MAXINT - ds->n))
        {
          g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                       "CIFAR-10: more than %d images in “%s”", G_MAXINT, dir);
          goto fail;
        }
      gsize base = (gsize) ds->n;
      ds->pixels = g_realloc_n (ds->pixels, base + records, CIFAR_PIXELS);
      ds->labels = g_realloc (ds->labels, base + records);
      for (gsize r = 0; r < records; r++)
        {
          const guint8 *rec = (const guint8 *) contents + r * CIFAR_RECORD;
          if (rec[0] >= CIFAR_CLASSES)
            {
              g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                           "CIFAR-10: record %" G_GSIZE_FORMAT " of “%s” "
                           "has label %u, not 0..9 (not a CIFAR-10 file?)",
                           r, path, rec[0]);
              goto fail;
            }
          ds->labels[base + r] = rec[0];
          memcpy (ds->pixels + (base + r) * CIFAR_PIXELS, rec + 1,
                  CIFAR_PIXELS);
        }
      ds->n += (int) records;
      g_clear_pointer (&contents, g_free);
      g_clear_pointer (&path, g_free);
    }
  goto out;

fail:
  g_clear_pointer (&ds, gn_dataset_free);
out:
  g_free (contents);
  g_free (path);
  g_ptr_array_unref (names);
  return ds;
}

/* ------------------------------------------------------------------ */
/* IDX                                                                 */
/* ------------------------------------------------------------------ */

/* The whole file, gunzipped if it starts with gzip's magic bytes.  IDX
 * files are small enough (47 MB for Fashion-MNIST's training images) to
 * hold in memory, which keeps the parser a plain walk over bytes. */
static GBytes *
read_maybe_gzip (const char *path, GError **error)
{
  char *raw = NULL;
  gsize raw_len = 0;
  GBytes *result = NULL;
  GInputStream *mem = NULL, *in = NULL;
  GZlibDecompressor *gunzip = NULL;
  GByteArray *plain = NULL;

  if (!g_file_get_contents (path, &raw, &raw_len, error))
    goto out;
  if (raw_len < 2 || (guint8) raw[0] != 0x1f || (guint8) raw[1] != 0x8b)
    {
      result = g_bytes_new_take (g_steal_pointer (&raw), raw_len);
      goto out;
    }

  mem = g_memory_input_stream_new_from_data (g_steal_pointer (&raw), raw_len,
                                             g_free);
  gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  in = g_converter_input_stream_new (mem, G_CONVERTER (gunzip));
  plain = g_byte_array_new ();
  /* read straight into the growing array, in chunks of at least 1 MiB */
  for (;;)
    {
      guint used = plain->len;
      gsize chunk = MAX ((gsize) 1 << 20, used / 2);
      if (chunk > G_MAXUINT - used)
        {
          g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                       "“%s” decompresses to more than 4 GiB", path);
          goto out;
        }
      g_byte_array_set_size (plain, used + (guint) chunk);
      gssize got = g_input_stream_read (in, plain->data + used, chunk, NULL,
                                        error);
      if (got < 0)
        {
          g_prefix_error (error, "Reading “%s”: ", path);
          goto out;
        }
      g_byte_array_set_size (plain, used + (guint) got);
      if (got == 0)
        break;
    }
  result = g_byte_array_free_to_bytes (g_steal_pointer (&plain));

out:
  if (plain != NULL)
    g_byte_array_unref (plain);
  g_clear_object (&in);
  g_clear_object (&gunzip);
  g_clear_object (&mem);
  g_free (raw);
  return result;
}

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8
         | (guint32) p[3];
}

/* Checks an IDX header (unsigned bytes, @ndims dimensions, exactly as many
 * data bytes as the dimensions say) and returns the data. */
static const guint8 *
parse_idx (GBytes *bytes, const char *path, int ndims, guint32 *dims,
           GError **error)
{
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  gsize header = 4 + 4 * (gsize) ndims;

  if (len < 4 || p[0] != 0 || p[1] != 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "“%s” is not an IDX file (bad magic number)", path);
      return NULL;
    }
  if (p[2] != IDX_UBYTE || p[3] != ndims)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "“%s”: IDX type 0x%02x with %u dimensions; expected "
                   "unsigned bytes (0x08) with %d", path, p[2], p[3], ndims);
      return NULL;
    }
  if (len < header)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "“%s”: IDX header truncated", path);
      return NULL;
    }

  gsize count = 1;
  for (int i = 0; i < ndims; i++)
    {
      dims[i] = read_be32 (p + 4 + 4 * i);
      if (dims[i] == 0 || dims[i] > G_MAXINT
          || !g_size_checked_mul (&count, count, dims[i]))
        {
          g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                       "“%s”: IDX dimension %d is %u", path, i, dims[i]);
          return NULL;
        }
    }
  if (len - header != count)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "“%s”: %" G_GSIZE_FORMAT " data bytes where the IDX "
                   "header announces %" G_GSIZE_FORMAT " (truncated?)",
                   path, len - header, count);
      return NULL;
    }
  return p + header;
}

/* "fashion-mnist" for /usr/share/datasets/fashion-mnist/train-images...:
 * IDX files carry no name, and their folder is the best one there is. */
static char *
name_from_path (const char *path)
{
  char *dir = g_path_get_dirname (path);
  char *name = g_path_get_basename (dir);
  g_free (dir);
  if (strcmp (name, ".") == 0 || strcmp (name, G_DIR_SEPARATOR_S) == 0)
    {
      g_free (name);
      name = g_strdup ("idx");
    }
  return name;
}

GnDataset *
gn_dataset_load_idx (const char *images, const char *labels, GError **error)
{
  g_return_val_if_fail (images != NULL && labels != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GnDataset *ds = NULL;
  GBytes *img_bytes = NULL, *lab_bytes = NULL;
  guint32 idims[3], ldims[1];

  img_bytes = read_maybe_gzip (images, error);
  if (img_bytes == NULL)
    goto out;
  lab_bytes = read_maybe_gzip (labels, error);
  if (lab_bytes == NULL)
    goto out;
  const guint8 *src = parse_idx (img_bytes, images, 3, idims, error);
  if (src == NULL)
    goto out;
  const guint8 *lab = parse_idx (lab_bytes, labels, 1, ldims, error);
  if (lab == NULL)
    goto out;
  if (idims[0] != ldims[0])
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "%u images in “%s” but %u labels in “%s”",
                   idims[0], images, ldims[0], labels);
      goto out;
    }

  int n = (int) idims[0], h = (int) idims[1], w = (int) idims[2];
  int oh = MAX (h, IDX_MIN_SIDE), ow = MAX (w, IDX_MIN_SIDE);
  int top = (oh - h) / 2, left = (ow - w) / 2;
  gsize plane = (gsize) oh * (gsize) ow, total;
  if (!g_size_checked_mul (&total, plane * 3, (gsize) n))
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "“%s”: %d images of %dx%d do not fit in memory",
                   images, n, oh, ow);
      goto out;
    }

  ds = g_new0 (GnDataset, 1);
  ds->name = name_from_path (images);
  ds->n = n;
  ds->c = 3;
  ds->h = oh;
  ds->w = ow;
  ds->labels = g_memdup2 (lab, (gsize) n);
  ds->pixels = g_try_malloc0 (total);  /* the padding must be zero */
  if (ds->pixels == NULL)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_NO_MEMORY,
                   "“%s”: cannot allocate %" G_GSIZE_FORMAT " bytes for "
                   "%d images", images, total, n);
      g_clear_pointer (&ds, gn_dataset_free);
      goto out;
    }

  int max_label = 0;
  for (int i = 0; i < n; i++)
    max_label = MAX (max_label, ds->labels[i]);
  ds->num_classes = max_label + 1;

  /* The statistics are those of the images as stored, before padding:
   * what torchvision users compute for the set (0.2860 / 0.3530 for
   * Fashion-MNIST's training images), so padded pixels normalise to
   * -mean/std like CIFAR-10's crop padding does.  Integer sums are
   * exact; only the last step rounds. */
  guint64 sum = 0, sum_sq = 0;
  for (int i = 0; i < n; i++)
    {
      const guint8 *in = src + (gsize) i * (gsize) h * (gsize) w;
      guint8 *grey = ds->pixels + (gsize) i * 3 * plane;
      for (int y = 0; y < h; y++)
        {
          guint8 *row = grey + (gsize) (y + top) * (gsize) ow + (gsize) left;
          memcpy (row, in + (gsize) y * (gsize) w, (gsize) w);
          for (int x = 0; x < w; x++)
            {
              sum += row[x];
              sum_sq += (guint64) row[x] * row[x];
            }
        }
      /* the networks expect RGB: replicate the grey plane */
      memcpy (grey + plane, grey, plane);
      memcpy (grey + 2 * plane, grey, plane);
    }
  double count = (double) n * h * w;
  double mean = (double) sum / count / 255.0;
  double var = (double) sum_sq / count / (255.0 * 255.0) - mean * mean;
  /* population deviation (numpy's default); a blank set would divide by
   * zero in every batch, so it keeps deviation 1 */
  double sd = var > 0.0 ? sqrt (var) : 1.0;
  for (int c = 0; c < 3; c++)
    {
      ds->mean[c] = (float) mean;
      ds->std[c] = (float) sd;
    }

out:
  g_clear_pointer (&img_bytes, g_bytes_unref);
  g_clear_pointer (&lab_bytes, g_bytes_unref);
  return ds;
}

/* ------------------------------------------------------------------ */
/* batches                                                             */
/* ------------------------------------------------------------------ */

void
gn_dataset_batch (const GnDataset *ds, const int *indices, int count,
                  gboolean augment, int pad, GnRng *rng, float *out)
{
  g_return_if_fail (ds != NULL);
  g_return_if_fail (ds->c >= 1 && ds->c <= 3);
  g_return_if_fail (count >= 0);
  g_return_if_fail (count == 0 || (indices != NULL && out != NULL));
  g_return_if_fail (!augment || (rng != NULL && pad >= 0));
  for (int b = 0; b < count; b++)
    g_return_if_fail (indices[b] >= 0 && indices[b] < ds->n);

  /* Every output is one of 256 values per channel.  Each entry is
   * computed with torchvision's float32 operations in its order
   * (ToTensor: x / 255; Normalize: (t - mean) / std), so it matches
   * PyTorch bit for bit. */
  float lut[3][256];
  for (int c = 0; c < ds->c; c++)
    for (int v = 0; v < 256; v++)
      lut[c][v] = ((float) v / 255.0f - ds->mean[c]) / ds->std[c];

  const int c_n = ds->c, h = ds->h, w = ds->w;
  const gsize plane = (gsize) h * (gsize) w, image = (gsize) c_n * plane;

  for (int b = 0; b < count; b++)
    {
      const guint8 *src = ds->pixels + (gsize) indices[b] * image;
      float *dst = out + (gsize) b * image;

      if (!augment)
        {
          for (int c = 0; c < c_n; c++)
            for (gsize i = 0; i < plane; i++)
              dst[c * plane + i] = lut[c][src[c * plane + i]];
          continue;
        }

      /* RandomCrop.get_params: top, then left, each uniform in
       * [0, 2 pad] of the padded image; then RandomHorizontalFlip's
       * torch.rand(1) < 0.5.  Shift to source coordinates. */
      guint32 span = 2 * (guint32) pad + 1;
      int dy = (int) gn_rng_below (rng, span) - pad;
      int dx = (int) gn_rng_below (rng, span) - pad;
      gboolean flip = gn_rng_uniform (rng) < 0.5;

      for (int c = 0; c < c_n; c++)
        {
          const guint8 *sp = src + (gsize) c * plane;
          const float *l = lut[c];
          float zero = l[0];    /* a padded pixel: byte 0, normalised */
          for (int y = 0; y < h; y++)
            {
              float *row = dst + (gsize) c * plane + (gsize) y * (gsize) w;
              int sy = y + dy;
              if (sy < 0 || sy >= h)
                {
                  for (int x = 0; x < w; x++)
                    row[x] = zero;
                  continue;
                }
              const guint8 *srow = sp + (gsize) sy * (gsize) w;
              for (int x = 0; x < w; x++)
                {
                  /* the flip mirrors the crop: output column x shows
                   * crop column w-1-x */
                  int sx = (flip ? w - 1 - x : x) + dx;
                  row[x] = (sx >= 0 && sx < w) ? l[srow[sx]] : zero;
                }
            }
        }
    }
}
