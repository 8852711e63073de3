/* zc-common.c - the task the zero-cost proxy plugins share (zc-common.h)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "zc-common.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>

/* a sequence space's batch: ZC_SEQ_STEPS + 1 uniform tokens a sequence
 * from the task seed, the first steps one-hot in [n][vocab][steps][1],
 * the last steps their labels, row (n, step) */
static void
draw_token_batch (ZcTask *t)
{
  int n = t->input.n, v = t->input.c, steps = t->input.h;
  GnRng rng;
  gn_rng_seed (&rng, t->seed);
  t->tokens = g_new0 (float, (gsize) n * v * steps);
  t->next_tokens = g_new (int, (gsize) n * steps);
  for (int i = 0; i < n; i++)
    {
      int tok = (int) gn_rng_below (&rng, (guint32) v);
      for (int s = 0; s < steps; s++)
        {
          t->tokens[((gsize) i * v + tok) * steps + s] = 1.f;
          tok = (int) gn_rng_below (&rng, (guint32) v);
          t->next_tokens[(gsize) i * steps + s] = tok;
        }
    }
  t->images = t->tokens;
  t->labels = t->next_tokens;
  t->label_rows = n * steps;
}

ZcTask *
zc_task_new (const GnProxyContext *ctx, const GnProxyParams *p,
             gboolean need_data, GError **error)
{
  ZcTask *t = g_new0 (ZcTask, 1);
  t->space = ctx->space;
  t->batch = (int) gn_proxy_params_int (p, "batch");
  t->seed = ctx->seed;
  t->options = ctx->build_options;

  if (ctx->space && gn_space_input (ctx->space) == GN_SPACE_INPUT_SEQUENCE)
    {
      gn_space_published_input (ctx->space, NULL, &t->num_classes);
      t->input = (GnShape) { t->batch, t->num_classes, ZC_SEQ_STEPS, 1 };
      t->fingerprint = g_strdup_printf ("tokens=%dx%d", t->num_classes,
                                        ZC_SEQ_STEPS);
      if (need_data)
        draw_token_batch (t);
      return t;
    }

  const GnDataset *ds = ctx->data;
  t->input = ds ? (GnShape) { t->batch, ds->c, ds->h, ds->w }
                : (GnShape) { t->batch, 3, 32, 32 };
  t->num_classes = ds ? ds->num_classes : 10;
  t->label_rows = t->batch;
  if (!need_data)
    return t;

  /* the host's batch: distinct images, augmented once as NASLib's
   * training loader delivers them (random 4-pixel-padded crop, random
   * flip), fixed by the task seed alone */
  const GnProxyBatch *b = gn_proxy_context_batch (ctx, t->batch, error);
  if (b == NULL)
    {
      zc_task_free (t);
      return NULL;
    }
  t->data = ds;
  t->images = b->images;
  t->labels = b->labels;
  t->fingerprint = g_strdup_printf ("data=%s:%d", ds->name, ds->n);
  return t;
}

void
zc_task_free (gpointer task)
{
  ZcTask *t = task;
  if (t == NULL)
    return;
  g_free (t->fingerprint);
  g_free (t->tokens);
  g_free (t->next_tokens);
  g_free (t);
}

const char *
zc_task_fingerprint (gpointer task)
{
  return ((ZcTask *) task)->fingerprint;
}

GnNet *
zc_build (ZcTask *t, const char *arch, int batch, int *logits,
          GError **error)
{
  GnBuildOptions opts = { .batch = batch, .in_c = t->input.c,
                          .in_h = t->input.h, .in_w = t->input.w,
                          .classifier = TRUE,
                          .num_classes = t->num_classes,
                          .published = TRUE,
                          .options = t->options };
  GnNet *net = gn_space_build (t->space, arch, &opts, error);
  if (net == NULL)
    return NULL;
  *logits = gn_net_find_tap (net, "logits");
  if (*logits < 0)
    {
      g_set_error (error, GN_PROXY_ERROR, GN_PROXY_ERROR_SCORE,
                   "the space built no 'logits' tap for %s", arch);
      gn_net_free (net);
      return NULL;
    }
  return net;
}

gboolean
zc_compile_init (ZcTask *t, GnNet *net, const char *arch,
                 gboolean input_grad, GError **error)
{
  if (!gn_net_compile (net, input_grad, error))
    return FALSE;
  GnRng rng;
  gn_proxy_arch_rng (&rng, t->seed, arch);
  gn_net_init_params (net, &rng);
  return TRUE;
}

GnNet *
zc_net_new (ZcTask *t, const char *arch, int batch, gboolean input_grad,
            int *logits, GError **error)
{
  GnNet *net = zc_build (t, arch, batch, logits, error);
  if (net && !zc_compile_init (t, net, arch, input_grad, error))
    g_clear_pointer (&net, gn_net_free);
  return net;
}

GnNet *
zc_net_new_tapped (ZcTask *t, const char *arch, const char *const *ops,
                   gboolean retain_grad, int *logits, GArray **nodes,
                   GError **error)
{
  *nodes = NULL;
  GnNet *net = zc_build (t, arch, t->batch, logits, error);
  if (net == NULL)
    return NULL;
  GArray *found = g_array_new (FALSE, FALSE, sizeof (int));
  gboolean ok = TRUE;
  for (int i = 0; i < gn_net_n_nodes (net) && ok; i++)
    {
      if (!g_strv_contains (ops, gn_net_op_name (net, i)))
        continue;
      char name[32];
      g_snprintf (name, sizeof name, "zc.%d", i);
      ok = (i == *logits || gn_net_tap (net, i, name, error))
           && (!retain_grad || gn_net_retain_grad (net, i, error));
      g_array_append_val (found, i);
    }
  if (!ok || !zc_compile_init (t, net, arch, FALSE, error))
    {
      g_array_free (found, TRUE);
      gn_net_free (net);
      return NULL;
    }
  *nodes = found;
  return net;
}

void
zc_load_batch (ZcTask *t, GnNet *net)
{
  g_assert (t->images != NULL);
  memcpy (gn_net_input (net), t->images,
          sizeof (float) * (gsize) t->batch * t->input.c * t->input.h
          * t->input.w);
}

double
zc_loss_backward (ZcTask *t, GnNet *net, int logits)
{
  zc_load_batch (t, net);
  gn_net_forward (net, GN_MODE_TRAIN);
  GnShape s = gn_net_shape (net, logits);
  /* a sequence's logits are its steps' side by side: one row a step */
  int classes = (int) ((gsize) s.c * s.h * s.w * t->batch / t->label_rows);
  double loss = gn_loss_softmax_xent (t->label_rows, classes,
                                      gn_net_value (net, logits), t->labels,
                                      gn_net_grad (net, logits), NULL);
  gn_net_zero_grad (net);
  gn_net_backward (net);
  return loss;
}

gboolean
zc_is_layer_weight (const GnParam *p)
{
  return p->kind == GN_PARAM_CONV_WEIGHT || p->kind == GN_PARAM_LINEAR_WEIGHT;
}

double
zc_saliency (GnNet *net)
{
  guint n;
  const GnParam *prm = gn_net_params (net, &n);
  double sum = 0.0;
  for (guint i = 0; i < n; i++)
    if (zc_is_layer_weight (&prm[i]))
      for (gsize k = 0; k < prm[i].size; k++)
        sum += fabs ((double) prm[i].value[k] * prm[i].grad[k]);
  return sum;
}

double
zc_layer_l2_norms (GnNet *net, gboolean grad)
{
  guint n;
  const GnParam *prm = gn_net_params (net, &n);
  double sum = 0.0;
  for (guint i = 0; i < n; i++)
    if (zc_is_layer_weight (&prm[i]))
      {
        const float *x = grad ? prm[i].grad : prm[i].value;
        double ss = 0.0;
        for (gsize k = 0; k < prm[i].size; k++)
          ss += (double) x[k] * x[k];
        sum += sqrt (ss);
      }
  return sum;
}

void
zc_result (GnProxyResult *r, double score)
{
  r->score = score;
  r->loss = score;
  r->status = isfinite (score) ? GN_EVAL_OK : GN_EVAL_NONFINITE;
  if (!isfinite (score))
    r->score = -G_MAXDOUBLE;
}

/* ------------------------------------------------------------------ */
/* linear algebra                                                      */
/* ------------------------------------------------------------------ */

double
zc_log_abs_det (double *a, int n)
{
  gsl_matrix_view m = gsl_matrix_view_array (a, (size_t) n, (size_t) n);
  gsl_permutation *perm = gsl_permutation_alloc ((size_t) n);
  int sign = 0;
  gsl_error_handler_t *old = gsl_set_error_handler_off ();
  gsl_linalg_LU_decomp (&m.matrix, perm, &sign);
  double ld = gsl_linalg_LU_lndet (&m.matrix);   /* -inf if singular */
  gsl_set_error_handler (old);
  gsl_permutation_free (perm);
  return ld;
}

gboolean
zc_symmetric_eigenvalues (double *a, int n, double *eval)
{
  gsl_matrix_view m = gsl_matrix_view_array (a, (size_t) n, (size_t) n);
  gsl_vector_view v = gsl_vector_view_array (eval, (size_t) n);
  gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc ((size_t) n);
  gsl_error_handler_t *old = gsl_set_error_handler_off ();
  int status = gsl_eigen_symm (&m.matrix, &v.vector, w);
  gsl_set_error_handler (old);
  gsl_eigen_symm_free (w);
  return status == GSL_SUCCESS;
}
