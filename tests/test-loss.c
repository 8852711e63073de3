/* test-loss.c - gn_loss_mse and gn_loss_softmax_xent
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "gennas.h"
#include "gradcheck.h"

#include <math.h>
#include <string.h>

/* ---- mean squared error -------------------------------------------- */

static void
test_mse_value (void)
{
  /* differences 1, 0, -2, 0: mean square 5/4, weight 0.5 -> 0.625 */
  float y[4] = { 1, 2, 3, 4 };
  float t[4] = { 0, 2, 5, 4 };
  float dy[4] = { 1, 1, 1, 1 };

  double l = gn_loss_mse (4, y, t, 0.5f, dy);
  g_assert_cmpfloat_with_epsilon (l, 0.625, 1e-12);
  /* dy += weight 2 (y - t) / count, on top of what was there */
  float want[4] = { 1.25f, 1.0f, 0.5f, 1.0f };
  g_assert_cmpmem (dy, sizeof dy, want, sizeof want);

  /* dy NULL: value only */
  g_assert_cmpfloat_with_epsilon (gn_loss_mse (4, y, t, 2.0f, NULL), 2.5,
                                  1e-12);
  /* y == t: zero loss */
  g_assert_cmpfloat (gn_loss_mse (4, y, y, 1.0f, NULL), ==, 0.0);

  /* double accumulation: 2^20 errors of 1e-3 sum to exactly what a
   * double expects, where a float running sum would drift */
  enum { BIG = 1 << 20 };
  float *a = g_new0 (float, BIG), *b = g_new (float, BIG);
  for (int i = 0; i < BIG; i++)
    b[i] = 1e-3f;
  double want_big = (double) 1e-3f * (double) 1e-3f;
  g_assert_cmpfloat_with_epsilon (gn_loss_mse (BIG, a, b, 1.0f, NULL),
                                  want_big, want_big * 1e-9);
  g_free (a);
  g_free (b);
}

typedef struct {
  float y[40], t[40];
  float weight;
} Mse;

static double
mse_loss (gpointer user)
{
  Mse *s = user;
  return gn_loss_mse (40, s->y, s->t, s->weight, NULL);
}

static void
test_mse_grad (void)
{
  Mse s;
  float dy[40] = { 0 };

  gc_fill (s.y, 40, 1, -2.0f, 2.0f);
  gc_fill (s.t, 40, 2, -2.0f, 2.0f);
  s.weight = 0.3f;
  gn_loss_mse (40, s.y, s.t, s.weight, dy);
  g_assert_true (gc_check ("mse dy", s.y, dy, 40, mse_loss, &s, 0, 1e-3,
                           1e-5, 1e-3));

  /* the gradient scales with the weight */
  float dy2[40] = { 0 };
  s.weight = 0.6f;
  gn_loss_mse (40, s.y, s.t, s.weight, dy2);
  for (int i = 0; i < 40; i++)
    g_assert_cmpfloat_with_epsilon (dy2[i], 2 * dy[i], 1e-6);
}

/* ---- softmax cross-entropy ----------------------------------------- */

static void
test_xent_value (void)
{
  /* logits [1, 2, 3]: label 2 -> log(e + e^2 + e^3) - 3,
   *                   label 0 -> log(e + e^2 + e^3) - 1 */
  float logits[6] = { 1, 2, 3,   1, 2, 3 };
  int labels[2] = { 2, 0 };
  double lse = log (exp (1.0) + exp (2.0) + exp (3.0));
  int correct = -1;

  double l = gn_loss_softmax_xent (1, 3, logits, labels, NULL, &correct);
  g_assert_cmpfloat_with_epsilon (l, lse - 3.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (l, 0.40760596444438, 1e-9);
  g_assert_cmpint (correct, ==, 1);

  /* mean over the batch */
  l = gn_loss_softmax_xent (2, 3, logits, labels, NULL, &correct);
  g_assert_cmpfloat_with_epsilon (l, ((lse - 3.0) + (lse - 1.0)) / 2, 1e-9);
  g_assert_cmpint (correct, ==, 1);

  /* gradient: (softmax - onehot) / n, accumulated */
  float dl[6] = { 1, 1, 1, 1, 1, 1 };
  gn_loss_softmax_xent (2, 3, logits, labels, dl, NULL);
  for (int j = 0; j < 3; j++)
    {
      double p = exp (j + 1.0 - lse);
      g_assert_cmpfloat_with_epsilon (dl[j], 1 + (p - (j == 2)) / 2, 1e-6);
      g_assert_cmpfloat_with_epsilon (dl[3 + j], 1 + (p - (j == 0)) / 2, 1e-6);
    }

  /* uniform logits: log k */
  float flat[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
  int lab = 3;
  g_assert_cmpfloat_with_epsilon (gn_loss_softmax_xent (1, 4, flat, &lab,
                                                        NULL, NULL),
                                  log (4.0), 1e-9);
}

static void
test_xent_stable (void)
{
  /* shifting every logit by 1000 changes nothing; exp(1000) would be inf */
  float logits[3] = { 1001, 1002, 1003 };
  int label = 2;
  float dl[3] = { 0 };

  double l = gn_loss_softmax_xent (1, 3, logits, &label, dl, NULL);
  g_assert_true (isfinite (l));
  g_assert_cmpfloat_with_epsilon (l, 0.40760596444438, 1e-6);
  for (int j = 0; j < 3; j++)
    g_assert_true (isfinite (dl[j]));
  g_assert_cmpfloat_with_epsilon (dl[0] + dl[1] + dl[2], 0.0, 1e-6);

  /* widely spread logits: the loss is the gap, not inf or NaN */
  float wide[3] = { -1000, 0, 1000 };
  label = 0;
  l = gn_loss_softmax_xent (1, 3, wide, &label, dl, NULL);
  g_assert_cmpfloat_with_epsilon (l, 2000.0, 1e-6);
  label = 2;
  l = gn_loss_softmax_xent (1, 3, wide, &label, NULL, NULL);
  g_assert_cmpfloat_with_epsilon (l, 0.0, 1e-12);

  /* very negative logits only */
  float neg[2] = { -1000, -1001 };
  label = 1;
  l = gn_loss_softmax_xent (1, 2, neg, &label, NULL, NULL);
  g_assert_cmpfloat_with_epsilon (l, log (1.0 + exp (1.0)), 1e-6);
}

enum { XN = 4, XK = 5 };

typedef struct {
  float logits[XN * XK];
  int labels[XN];
} Xent;

static double
xent_loss (gpointer user)
{
  Xent *s = user;
  return gn_loss_softmax_xent (XN, XK, s->logits, s->labels, NULL, NULL);
}

static void
test_xent_grad (void)
{
  Xent s = { .labels = { 0, 3, 4, 1 } };
  float dl[XN * XK] = { 0 };

  gc_fill (s.logits, XN * XK, 11, -3.0f, 3.0f);
  gn_loss_softmax_xent (XN, XK, s.logits, s.labels, dl, NULL);
  g_assert_true (gc_check ("xent dlogits", s.logits, dl, XN * XK, xent_loss,
                           &s, 0, 1e-3, 1e-5, 1e-3));

  /* every row of the gradient sums to zero */
  for (int i = 0; i < XN; i++)
    {
      double sum = 0.0;
      for (int j = 0; j < XK; j++)
        sum += dl[i * XK + j];
      g_assert_cmpfloat_with_epsilon (sum, 0.0, 1e-6);
    }
}

static void
test_xent_correct (void)
{
  float logits[5 * 3] = {
    0.1f, 0.9f, 0.3f,     /* arg-max 1 */
    2.0f, -1.0f, 0.0f,    /* arg-max 0 */
    0.0f, 0.0f, 5.0f,     /* arg-max 2 */
    1.0f, 1.0f, 0.0f,     /* tie: arg-max is the first, 0 */
    -3.0f, -2.0f, -1.0f,  /* arg-max 2 */
  };
  int labels[5] = { 1, 2, 2, 1, 2 };
  int correct = -1;

  gn_loss_softmax_xent (5, 3, logits, labels, NULL, &correct);
  g_assert_cmpint (correct, ==, 3);

  int all[5] = { 1, 0, 2, 0, 2 };
  gn_loss_softmax_xent (5, 3, logits, all, NULL, &correct);
  g_assert_cmpint (correct, ==, 5);

  int none[5] = { 0, 1, 0, 2, 1 };
  gn_loss_softmax_xent (5, 3, logits, none, NULL, &correct);
  g_assert_cmpint (correct, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loss/mse/value", test_mse_value);
  g_test_add_func ("/loss/mse/grad", test_mse_grad);
  g_test_add_func ("/loss/xent/value", test_xent_value);
  g_test_add_func ("/loss/xent/stable", test_xent_stable);
  g_test_add_func ("/loss/xent/grad", test_xent_grad);
  g_test_add_func ("/loss/xent/correct", test_xent_correct);

  return g_test_run ();
}
