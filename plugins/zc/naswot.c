/* naswot.c - NASWOT: how differently a network's ReLUs code a batch
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Mellor et al., "Neural Architecture Search without Training" (ICML
 * 2021, second version), as NAS-Bench-Suite-Zero computes it (NASLib
 * measures/nwot.py, "nwot"): one training-mode forward of the fixed batch;
 * every ReLU gives each image a binary code c (unit active or not), and
 *
 *     K_ij = sum over ReLUs and units of [c_i = c_j]
 *
 * counts, for each pair of images, the units on which their codes agree
 * (the number of units minus the Hamming distance).  The score is
 * log |det K|.  A kernel that is singular (images the network cannot
 * tell apart, e.g. a cell that disconnects its input) has no score: the
 * result is the worst one, with a non-finite status.
 *
 * Leaky ReLUs (NB-NLP's cells) code the same way, by the sign of their
 * input; a network with neither (a cell of tanh and sigmoid alone) has
 * no kernel, so no score.
 *
 * The ReLU nodes are found with gn_net_op_name() and tapped before
 * compiling so their outputs (positive exactly where the input is) can be
 * read; codes are packed 64 units to a word and compared with popcounts.
 */
#include "config.h"
#include "zc-common.h"

#include <math.h>
#include <string.h>

static gboolean
naswot_score (gpointer self, const char *arch, GnProxyResult *result,
              GError **error)
{
  ZcTask *t = self;
  int logits;
  static const char *const ops[] = { "relu", "leaky_relu", NULL };
  GArray *relus;
  GnNet *net = zc_net_new_tapped (t, arch, ops, FALSE, &logits, &relus,
                                  error);
  if (net == NULL)
    return FALSE;
  zc_load_batch (t, net);
  gn_net_forward (net, GN_MODE_TRAIN);

  /* agreements of every pair: per ReLU, pack each image's code and count
   * the differing bits */
  int b = t->batch;
  double *k = g_new0 (double, (gsize) b * b);
  for (guint r = 0; r < relus->len; r++)
    {
      int node = g_array_index (relus, int, r);
      GnShape s = gn_net_shape (net, node);
      gsize units = (gsize) s.c * s.h * s.w;
      gsize words = (units + 63) / 64;
      guint64 *code = g_new0 (guint64, words * (gsize) b);
      const float *y = gn_net_value (net, node);
      for (int n = 0; n < b; n++)
        for (gsize u = 0; u < units; u++)
          if (y[(gsize) n * units + u] > 0.f)
            code[(gsize) n * words + u / 64] |= G_GUINT64_CONSTANT (1) << (u % 64);
      for (int i = 0; i < b; i++)
        for (int j = i; j < b; j++)
          {
            gsize differ = 0;
            for (gsize w = 0; w < words; w++)
              differ += (gsize) __builtin_popcountll (code[(gsize) i * words + w]
                                                      ^ code[(gsize) j * words + w]);
            double agree = (double) (units - differ);
            k[(gsize) i * b + j] += agree;
            if (j != i)
              k[(gsize) j * b + i] += agree;
          }
      g_free (code);
    }
  zc_result (result, zc_log_abs_det (k, b));
  g_free (k);
  g_array_free (relus, TRUE);
  gn_net_free (net);
  return TRUE;
}

ZC_PROXY_DEFINE (naswot, TRUE,
                 "zero-cost: NASWOT, log-determinant of the kernel of the "
                 "ReLU activation codes of one batch")
