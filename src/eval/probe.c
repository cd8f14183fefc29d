/* probe.c: the linear probe: a ridge classifier on standardised features, its strength chosen on a held-out part. */
#include "config.h"
#include <ladsim/probe.h>

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>

#include "core/rng.h"
#include "eval/columns.h"
#include "eval/ridge.h"

/* The relative strength used when there is no validation part. */
#define FIXED_ALPHA 1e-3
/* The index of the validation split within the probe's random stream. */
#define PURPOSE_VALIDATION 0
#define GRID LADSIM__RIDGE_GRID_SIZE
#define BLOCK LADSIM__EVAL_BLOCK

/* A labelled sample set as the caller passed it. */
typedef struct {
  const double *x;  /* n x dim, row-major */
  const uint8_t *y; /* n labels */
  size_t n;
  const char *name; /* "training set" or "test set", for messages */
} labelled;

/* Everything the probe allocates, freed together. */
typedef struct {
  size_t dim, n_classes;
  double *mean, *lo, *hi; /* per feature, from the training set */
  double *inv_std;        /* 1 / std per feature; 1 for a constant one */
  size_t *order;          /* training rows: the fit part, then validation */
  size_t n_fit;
  double *zblock;         /* BLOCK x dim: standardised rows */
  double *yblock;         /* BLOCK x n_classes: one-hot targets */
  double *sblock;         /* BLOCK x GRID * n_classes: class scores */
  gsl_matrix *w;          /* dim x GRID * n_classes: weights, one per alpha */
  double *offset;         /* GRID x n_classes: the intercepts */
  ladsim__ridge_normal *fit; /* the fit part (only with a validation part) */
  ladsim__ridge_normal *all; /* the whole training set */
} probe_work;

static ladsim_status check_labels(const labelled *s, size_t n_classes)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->y[i] >= n_classes)
      return LADSIM_ERROR(LADSIM_EINVAL,
                          "%s: sample %zu has label %u, but the probe has "
                          "%zu classes; labels must lie in [0, %zu)",
                          s->name, i, (unsigned)s->y[i], n_classes, n_classes);
  return LADSIM_OK;
}

static ladsim_status check_sizes(const labelled *train, const labelled *test,
                                 size_t dim, size_t n_classes)
{
  if (train->n < 2)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "the probe needs at least 2 training samples, got "
                        "%zu",
                        train->n);
  if (test->n < 1)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "the probe needs at least 1 test sample, got 0");
  if (dim == 0)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "the probe needs at least 1 feature, got dim = 0");
  if (n_classes < 1 || n_classes > 256)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "the probe needs between 1 and 256 classes (labels "
                        "are bytes), got %zu",
                        n_classes);
  return LADSIM_OK;
}

static ladsim_status check_args(const labelled *train, const labelled *test,
                                size_t dim, size_t n_classes,
                                double validation,
                                const ladsim_probe_result *out)
{
  if (!train->x || !train->y || !test->x || !test->y || !out)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_probe_ridge: a data, label or result pointer "
                        "is NULL");
  LADSIM_CHECK(check_sizes(train, test, dim, n_classes));
  if (!(validation >= 0.0 && validation < 0.5))
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "the probe's validation fraction is %g; it must lie "
                        "in [0, 0.5) (0 uses a fixed ridge strength)",
                        validation);
  LADSIM_CHECK(check_labels(train, n_classes));
  LADSIM_CHECK(check_labels(test, n_classes));
  return ladsim__values_check(test->x, test->n, dim, test->name);
}

/* Frees what wk holds and leaves it empty, so freeing twice is harmless. */
static void work_free(probe_work *wk)
{
  free(wk->mean);
  free(wk->lo);
  free(wk->hi);
  free(wk->inv_std);
  free(wk->order);
  free(wk->zblock);
  free(wk->yblock);
  free(wk->sblock);
  gsl_matrix_free(wk->w);
  free(wk->offset);
  ladsim__ridge_normal_free(wk->fit);
  ladsim__ridge_normal_free(wk->all);
  *wk = (probe_work){0};
}

static ladsim_status work_alloc(probe_work *wk, size_t n, size_t dim,
                                size_t n_classes, int with_fit)
{
  size_t rows = n < BLOCK ? n : BLOCK;
  ladsim_status status;
  *wk = (probe_work){.dim = dim, .n_classes = n_classes};
  wk->mean = malloc(dim * sizeof(double));
  wk->lo = malloc(dim * sizeof(double));
  wk->hi = malloc(dim * sizeof(double));
  wk->inv_std = malloc(dim * sizeof(double));
  wk->order = malloc(n * sizeof(size_t));
  wk->zblock = malloc(rows * dim * sizeof(double));
  wk->yblock = malloc(rows * n_classes * sizeof(double));
  wk->sblock = malloc(rows * GRID * n_classes * sizeof(double));
  wk->w = gsl_matrix_alloc(dim, GRID * n_classes);
  wk->offset = malloc(GRID * n_classes * sizeof(double));
  if (!wk->mean || !wk->lo || !wk->hi || !wk->inv_std || !wk->order ||
      !wk->zblock || !wk->yblock || !wk->sblock || !wk->w || !wk->offset) {
    work_free(wk);
    return LADSIM_ERROR(LADSIM_ENOMEM,
                        "out of memory allocating the workspace of a probe "
                        "on %zu samples x %zu features",
                        n, dim);
  }
  LADSIM_CHECK_GOTO(status,
                    ladsim__ridge_normal_alloc(dim, n_classes, &wk->all),
                    fail);
  if (with_fit)
    LADSIM_CHECK_GOTO(status,
                      ladsim__ridge_normal_alloc(dim, n_classes, &wk->fit),
                      fail);
  return LADSIM_OK;
fail:
  work_free(wk);
  return status;
}

/* Training means and standard deviations; a constant feature keeps a scale
 * of 1 and is centred to exact zeros, so it contributes nothing. */
static ladsim_status feature_scales(const labelled *train, probe_work *wk)
{
  size_t dim = wk->dim;
  LADSIM_CHECK(ladsim__columns_scan(train->x, train->n, dim, train->name,
                                    wk->mean, wk->lo, wk->hi));
  for (size_t j = 0; j < dim; j++)
    wk->inv_std[j] = 0.0;
  for (size_t i = 0; i < train->n; i++)
    for (size_t j = 0; j < dim; j++) {
      double d = train->x[i * dim + j] - wk->mean[j];
      wk->inv_std[j] += d * d;
    }
  for (size_t j = 0; j < dim; j++) {
    double sd = sqrt(wk->inv_std[j] / (double)train->n);
    wk->inv_std[j] = sd > 0.0 ? 1.0 / sd : 1.0;
  }
  return LADSIM_OK;
}

/* Orders the training rows as fit part then validation part, each
 * ascending. Selection sampling puts row i in the validation part with
 * probability (rows still wanted) / (rows left): exactly n_val rows, every
 * subset equally likely, one draw per row from the seed's probe stream. */
static void split(size_t n, double validation, uint64_t seed, probe_work *wk)
{
  size_t n_val = 0, fit = 0, chosen = 0;
  ladsim_rng rng;
  if (validation > 0.0)
    n_val = (size_t)fmax(1.0, round(validation * (double)n));
  wk->n_fit = n - n_val;
  ladsim_rng_init(&rng, seed, LADSIM_STREAM_PROBE, PURPOSE_VALIDATION, 0, 0);
  for (size_t i = 0; i < n; i++) {
    if (chosen < n_val && ladsim_rng_below(&rng, n - i) < n_val - chosen)
      wk->order[wk->n_fit + chosen++] = i;
    else
      wk->order[fit++] = i;
  }
}

static void one_hot(const uint8_t *y, const size_t *order, size_t first,
                    size_t count, size_t n_classes, double *out)
{
  for (size_t r = 0; r < count; r++) {
    double *row = out + r * n_classes;
    for (size_t c = 0; c < n_classes; c++)
      row[c] = 0.0;
    row[y[ladsim__row(order, first + r)]] = 1.0;
  }
}

/* Adds the training rows at positions begin .. end - 1 of the order to ne,
 * standardising one block at a time instead of copying the whole set. */
static void accumulate(const labelled *train, probe_work *wk, size_t begin,
                       size_t end, ladsim__ridge_normal *ne)
{
  for (size_t first = begin; first < end; first += BLOCK) {
    size_t count = end - first < BLOCK ? end - first : BLOCK;
    gsl_matrix_view z = gsl_matrix_view_array(wk->zblock, count, wk->dim);
    gsl_matrix_view y = gsl_matrix_view_array(wk->yblock, count, wk->n_classes);
    ladsim__rows_standardise(train->x, wk->dim, wk->order, first, count,
                             wk->mean, wk->inv_std, wk->zblock);
    one_hot(train->y, wk->order, first, count, wk->n_classes, wk->yblock);
    ladsim__ridge_normal_add(ne, &z.matrix, &y.matrix);
  }
}

/* A block of class scores (row r at scores + r * stride) and where the
 * labels of its rows are: row r has label y[ladsim__row(order, first + r)]. */
typedef struct {
  const double *scores;
  size_t rows, stride;
  const uint8_t *y;
  const size_t *order;
  size_t first;
} score_block;

/* How well scores + offset fit the labels: rows whose best class (ties go
 * to the lowest) is the label, and the squared distance to the one-hot
 * targets, the loss ridge regression itself minimises. */
typedef struct {
  size_t correct;
  double sqerr;
} tally;

static void tally_block(const score_block *b, const double *offset,
                        size_t n_classes, tally *t)
{
  for (size_t r = 0; r < b->rows; r++) {
    const double *s = b->scores + r * b->stride;
    size_t label = b->y[ladsim__row(b->order, b->first + r)], best = 0;
    for (size_t c = 0; c < n_classes; c++) {
      double e = s[c] + offset[c] - (c == label ? 1.0 : 0.0);
      t->sqerr += e * e;
      if (s[c] + offset[c] > s[best] + offset[best])
        best = c;
    }
    t->correct += best == label;
  }
}

/* Weights and intercepts of every grid strength from one eigendecomposition
 * of the fit part; intercept ybar - W^T zbar keeps the bias unpenalised. */
static ladsim_status grid_weights(probe_work *wk)
{
  size_t c = wk->n_classes;
  double scale = ladsim__ridge_lambda(wk->fit->gram, 1.0);
  ladsim__ridge_spectrum *sp;
  ladsim_status status;
  LADSIM_CHECK(ladsim__ridge_spectrum_alloc(wk->dim, c, &sp));
  LADSIM_CHECK_GOTO(status,
                    ladsim__ridge_spectrum_set(sp, wk->fit->gram, wk->fit->rhs),
                    done);
  for (size_t k = 0; k < GRID; k++) {
    gsl_matrix_view w = gsl_matrix_submatrix(wk->w, 0, k * c, wk->dim, c);
    gsl_vector_view b = gsl_vector_view_array(wk->offset + k * c, c);
    ladsim__ridge_spectrum_weights(sp, ladsim__ridge_grid_alpha(k) * scale,
                                   &w.matrix);
    gsl_vector_memcpy(&b.vector, wk->fit->ysum);
    gsl_blas_dgemv(CblasTrans, -1.0, &w.matrix, wk->fit->zsum, 1.0, &b.vector);
  }
done:
  ladsim__ridge_spectrum_free(sp);
  return status;
}

/* Scores the validation rows against every grid strength in one pass. */
static void validation_tallies(const labelled *train, probe_work *wk,
                               tally *t)
{
  size_t c = wk->n_classes, width = GRID * c;
  for (size_t first = wk->n_fit; first < train->n; first += BLOCK) {
    size_t count = train->n - first < BLOCK ? train->n - first : BLOCK;
    gsl_matrix_view z = gsl_matrix_view_array(wk->zblock, count, wk->dim);
    gsl_matrix_view s = gsl_matrix_view_array(wk->sblock, count, width);
    ladsim__rows_standardise(train->x, wk->dim, wk->order, first, count,
                             wk->mean, wk->inv_std, wk->zblock);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &z.matrix, wk->w, 0.0,
                   &s.matrix);
    for (size_t k = 0; k < GRID; k++) {
      score_block b = {wk->sblock + k * c, count, width,
                       train->y, wk->order, first};
      tally_block(&b, wk->offset + k * c, c, &t[k]);
    }
  }
}

/* The grid strength with the best validation accuracy. Small or easy
 * validation sets often tie on accuracy; the squared error then decides,
 * and an exact tie on both goes to the larger, smoother strength. */
static ladsim_status choose_alpha(const labelled *train, probe_work *wk,
                                  double *alpha)
{
  tally t[GRID] = {{0, 0.0}};
  size_t best = 0;
  LADSIM_CHECK(grid_weights(wk));
  validation_tallies(train, wk, t);
  for (size_t k = 1; k < GRID; k++)
    if (t[k].correct > t[best].correct ||
        (t[k].correct == t[best].correct && t[k].sqerr <= t[best].sqerr))
      best = k;
  *alpha = ladsim__ridge_grid_alpha(best);
  return LADSIM_OK;
}

/* Turns weights on standardised features into weights and intercepts on
 * the raw ones: (((x - mean) * inv_std) - zbar) W + ybar = x W' + b. */
static void fold_standardisation(probe_work *wk, gsl_matrix *w)
{
  for (size_t c = 0; c < wk->n_classes; c++) {
    double b = gsl_vector_get(wk->all->ysum, c);
    for (size_t j = 0; j < wk->dim; j++)
      b -= gsl_matrix_get(w, j, c) *
           (wk->mean[j] * wk->inv_std[j] + gsl_vector_get(wk->all->zsum, j));
    wk->offset[c] = b;
  }
  for (size_t j = 0; j < wk->dim; j++) {
    gsl_vector_view row = gsl_matrix_row(w, j);
    gsl_vector_scale(&row.vector, wk->inv_std[j]);
  }
}

/* Fits on the whole training set; the weights land in the first block of
 * wk->w and the intercepts in the first row of wk->offset. */
static ladsim_status refit(probe_work *wk, double alpha)
{
  gsl_matrix_view w = gsl_matrix_submatrix(wk->w, 0, 0, wk->dim, wk->n_classes);
  double lambda = ladsim__ridge_lambda(wk->all->gram, alpha);
  LADSIM_CHECK(ladsim__ridge_solve(wk->all->gram, wk->all->rhs, lambda,
                                   &w.matrix));
  fold_standardisation(wk, &w.matrix);
  return LADSIM_OK;
}

/* Accuracy of the refitted classifier on raw rows, read in place. */
static double accuracy(const labelled *s, probe_work *wk)
{
  size_t c = wk->n_classes;
  tally t = {0, 0.0};
  gsl_matrix_const_view w =
      gsl_matrix_const_submatrix(wk->w, 0, 0, wk->dim, c);
  for (size_t first = 0; first < s->n; first += BLOCK) {
    size_t count = s->n - first < BLOCK ? s->n - first : BLOCK;
    gsl_matrix_const_view x =
        gsl_matrix_const_view_array(s->x + first * wk->dim, count, wk->dim);
    gsl_matrix_view sc = gsl_matrix_view_array(wk->sblock, count, c);
    score_block b = {wk->sblock, count, c, s->y, NULL, first};
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &x.matrix, &w.matrix, 0.0,
                   &sc.matrix);
    tally_block(&b, wk->offset, c, &t);
  }
  return (double)t.correct / (double)s->n;
}

static ladsim_status fit_and_score(const labelled *train, const labelled *test,
                                   double validation, uint64_t seed,
                                   probe_work *wk, ladsim_probe_result *out)
{
  double alpha = FIXED_ALPHA;
  LADSIM_CHECK(feature_scales(train, wk));
  split(train->n, validation, seed, wk);
  if (wk->fit) {
    /* The whole set's sums are the fit part's plus the validation rows'. */
    accumulate(train, wk, 0, wk->n_fit, wk->fit);
    ladsim__ridge_normal_copy(wk->all, wk->fit);
    accumulate(train, wk, wk->n_fit, train->n, wk->all);
    ladsim__ridge_normal_centre(wk->fit);
    LADSIM_CHECK(choose_alpha(train, wk, &alpha));
  } else {
    accumulate(train, wk, 0, train->n, wk->all);
  }
  ladsim__ridge_normal_centre(wk->all);
  LADSIM_CHECK(refit(wk, alpha));
  out->alpha = alpha;
  out->train_accuracy = accuracy(train, wk);
  out->accuracy = accuracy(test, wk);
  return LADSIM_OK;
}

ladsim_status ladsim_probe_ridge(const double *x_train, const uint8_t *y_train,
                                 size_t n_train, const double *x_test,
                                 const uint8_t *y_test, size_t n_test,
                                 size_t dim, size_t n_classes,
                                 double validation, uint64_t seed,
                                 ladsim_probe_result *out)
{
  labelled train = {x_train, y_train, n_train, "training set"};
  labelled test = {x_test, y_test, n_test, "test set"};
  probe_work wk;
  gsl_error_handler_t *handler;
  ladsim_status status;
  LADSIM_CHECK(check_args(&train, &test, dim, n_classes, validation, out));
  /* GSL's default handler aborts; with it off, an allocation or a
   * factorisation that fails comes back as a code we turn into a message. */
  handler = gsl_set_error_handler_off();
  LADSIM_CHECK_GOTO(status,
                    work_alloc(&wk, n_train, dim, n_classes, validation > 0.0),
                    done);
  LADSIM_CHECK_GOTO(status,
                    fit_and_score(&train, &test, validation, seed, &wk, out),
                    done);
done:
  work_free(&wk);
  gsl_set_error_handler(handler);
  return status;
}
