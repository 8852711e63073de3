/* gn-data.h - image datasets (CIFAR-10 binary, IDX) and batch preparation
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Images are kept as bytes in CHW order and turned into normalised float
 * batches on demand, with the augmentation GenNAS applies (random crop with
 * zero padding, horizontal flip).  Data files are found with
 * gn_data_find(): a user's own folders, then the installed copy.
 */
#ifndef GN_DATA_H
#define GN_DATA_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-rng.h"

G_BEGIN_DECLS

typedef struct {
  char *name;              /* "cifar10", "fashion-mnist"                 */
  int n, c, h, w;          /* images and their shape                     */
  int num_classes;
  guint8 *pixels;          /* n * c * h * w bytes, image-major, CHW      */
  guint8 *labels;          /* n labels in [0, num_classes)               */
  float mean[3], std[3];   /* per-channel normalisation, on [0, 1] scale */
} GnDataset;

/**
 * gn_data_find:
 * @relative: a path inside the data folder, e.g. "cifar10" or "nb201.csv"
 *
 * Looks in, in order: each folder of $GENNAS_DATA_PATH (colon-separated),
 * then the installed $(pkgdatadir)/data, or instead the folders of
 * $GENNAS_DATA_SYSTEM_PATH when that is set (the build tree's
 * uninstalled `gennas` sets it to the source tree's data/).
 *
 * Returns: (transfer full): the absolute path of the first match, or NULL
 * with a GError (G_FILE_ERROR_NOENT) listing the places searched.
 */
char *gn_data_find (const char *relative, GError **error);

/**
 * gn_dataset_load_cifar10:
 * @dir: a folder holding CIFAR-10 binary batches (*.bin, 3073-byte
 *   records: label, 1024 R, 1024 G, 1024 B), read in name order
 *
 * Normalisation is CIFAR-10's (mean (125.3, 123.0, 113.9) / 255, std
 * (63.0, 62.1, 66.7) / 255, as GenNAS).
 *
 * Returns: (transfer full): the dataset, or NULL with @error for a
 * missing folder, no files, or a file that is not whole records.
 */
GnDataset *gn_dataset_load_cifar10 (const char *dir, GError **error);

/**
 * gn_dataset_load_idx:
 * @images, @labels: IDX files (optionally gzip'ed, as Debian's
 *   dataset-fashion-mnist ships them)
 *
 * Grey 28x28 images are replicated to 3 channels and zero-padded to 32x32
 * so the same networks run on them; normalisation is the set's own mean
 * and deviation.
 */
GnDataset *gn_dataset_load_idx (const char *images, const char *labels,
                                GError **error);
void       gn_dataset_free (GnDataset *ds);

/**
 * gn_dataset_batch:
 * @indices: @count image indices
 * @augment: random crop with @pad zero padding and a random horizontal
 *   flip per image (torchvision RandomCrop(h, padding=pad) and
 *   RandomHorizontalFlip), drawn from @rng; FALSE copies the images as they
 *   are and leaves @rng untouched
 * @out: @count * c * h * w floats, normalised (x / 255 - mean) / std
 */
void gn_dataset_batch (const GnDataset *ds, const int *indices, int count,
                       gboolean augment, int pad, GnRng *rng, float *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GnDataset, gn_dataset_free)

G_END_DECLS

#endif /* GN_DATA_H */
