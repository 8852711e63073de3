/* gn-signals.h - the synthetic signal bases GenNAS regresses
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Each generator ADDS level x signal into a target tensor
 * [batch][channels][size][size] (size 8 for every CNN stage), drawing all
 * its randomness from one GnRng, exactly as docs/method.md §2.2
 * describes the generators of the paper's code (the reference):
 *
 *  Sin1D   for each frequency b, 32 phases p_k ~ U[0, 2pi); row waves
 *          f_k(2 pi b (i+1) + p_k), constant along j, and column waves with
 *          (j+1); f_k = sin for even k, cos for odd: 64 candidates per b;
 *          a random permutation picks the first `channels`.
 *  Sin2D   for every ordered pair (b1, b2), 32 phases; diagonal channels
 *          f_k(2 pi b1 (i+1) + 2 pi b2 (j+1) + 2 p_k) and anti-diagonal
 *          ones with (size - i) in place of (i+1): 64 per pair.
 *  Dot     per channel, n = (int) (partial size^2) distinct pixels set to
 *          +1 or -1 with equal odds, the rest 0.
 *  GDot    a Dot map filtered by a Gaussian (sigma 1, radius 4, weights
 *          normalised, 'reflect' boundary: ...c b a | a b c...), then
 *          divided by its largest magnitude (left at 0 when n = 0).
 *  Resize  the clean input batch resampled to size x size with nearest
 *          (PyTorch's legacy rule), min-max normalised with the global
 *          batch min and max to [-1, 1]; channel c of the target is a
 *          random colour plane (index mod 3 of a permutation of 0..999).
 *
 * With `local`, Sin1D/Sin2D/Dot/GDot redraw phases, channel choice and
 * dots independently for each sample; otherwise one draw is shared by the
 * whole batch.  Resize is always per sample (it is the input).
 */
#ifndef GN_SIGNALS_H
#define GN_SIGNALS_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-rng.h"

G_BEGIN_DECLS

typedef enum {
  GN_SIGNAL_SIN1D,
  GN_SIGNAL_SIN2D,
  GN_SIGNAL_DOT,
  GN_SIGNAL_GDOT,
  GN_SIGNAL_RESIZE
} GnSignalKind;

typedef struct {
  GnSignalKind kind;
  float level;
  gboolean local;
  const double *freqs;   /* Sin1D / Sin2D: cycles per pixel, borrowed */
  int n_freqs;
  double partial;        /* Dot / GDot: share of pixels set, [0, 1]   */
} GnSignalSpec;

/** Returns: the signal's name, or NULL: "sin1d", "sin2d", "dot", "gdot",
 * "resize". */
const char *gn_signal_name (GnSignalKind kind);
/** Returns: TRUE and sets @kind if @name is a signal's name (exact case);
 * the reference's config key "dot_gaussian" is accepted for "gdot". */
gboolean    gn_signal_from_name (const char *name, GnSignalKind *kind);

/* The largest |level| of a signal (and level of a recipe's noise): far
 * beyond any useful target, short of one that overflows the loss. */
#define GN_SIGNAL_MAX_LEVEL 100.0

/* The largest frequency of Sin1D and Sin2D, in cycles per pixel: the
 * Nyquist limit. */
#define GN_SIGNAL_MAX_FREQ 0.5

/**
 * gn_signal_check:
 *
 * Returns: FALSE with GN_ERROR_INVALID_ARGUMENT if @spec cannot fill
 * @channels channels (e.g. more channels than Sin1D's 64 per frequency
 * provide, an empty frequency list, partial outside [0, 1]).
 * Candidates: Sin1D 64 x n_freqs, Sin2D 64 x n_freqs^2 (either at most
 * 2^20: 16384 frequencies, or 128 for Sin2D), Resize 1000, Dot/GDot any
 * number of channels.  The level must be finite and within
 * +-GN_SIGNAL_MAX_LEVEL; frequencies in [0, GN_SIGNAL_MAX_FREQ].
 */
gboolean gn_signal_check (const GnSignalSpec *spec, int channels,
                          GError **error);

/**
 * gn_signal_check_shape:
 *
 * gn_signal_check() plus the target and input shape gn_signal_add() will
 * get: batch >= 1, 1 <= size <= 46340 (size^2 fits an int) and, for Resize
 * only, in_c, in_h, in_w >= 1.
 *
 * Returns: FALSE with GN_ERROR_INVALID_ARGUMENT otherwise.
 */
gboolean gn_signal_check_shape (const GnSignalSpec *spec, int batch,
                                int channels, int size, int in_c, int in_h,
                                int in_w, GError **error);

/**
 * gn_signal_add:
 * @clean_input: Resize only: the batch without noise, [batch][in_c][in_h]
 *   [in_w] (in_c >= 1; colour planes are taken mod in_c)
 * @target: [batch][channels][size][size], accumulated into
 *
 * @spec must have passed gn_signal_check() (gn_signal_check_shape()
 * with these sizes).  Resize of a constant input adds 0 (the reference
 * divides 0 by 0 there).
 */
void gn_signal_add (const GnSignalSpec *spec, int batch, int channels,
                    int size, const float *clean_input, int in_c, int in_h,
                    int in_w, GnRng *rng, float *target);

/** The 9-tap Gaussian (sigma 1, radius 4) with 'reflect' boundary, in
 * place, over a size x size map: scipy.ndimage.gaussian_filter(sigma=1). */
void gn_signal_gaussian_filter (float *map, int size);

G_END_DECLS

#endif /* GN_SIGNALS_H */
