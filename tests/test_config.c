/* test_config.c: the model-file reader: defaults, units, errors with positions, overrides, round trip. */
#include "config.h"
#include <ladsim/model.h>
#include "config/units.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOL 1e-12

/* The smallest valid model: everything else comes from defaults. */
static const char MINIMAL[] = "layers:\n  - name: hidden\n    size: 32\n";

static ladsim_model *parse_ok(const char *text, const char *const *ov,
                              size_t n)
{
  ladsim_model *m = NULL;
  ladsim_status s = ladsim_model_parse(text, "m.yaml", ov, n, &m);
  ck_assert_msg(s == LADSIM_OK, "parse failed (%d): %s", (int)s,
                ladsim_error_message());
  ck_assert_ptr_nonnull(m);
  return m;
}

/* Parses text expecting LADSIM_ECONFIG with a message that starts with
 * "where: path: " (just "where: " when path is NULL) and contains hint. */
static void expect_error_ov(const char *text, const char *const *ov, size_t n,
                            const char *where, const char *path,
                            const char *hint)
{
  ladsim_model *m = NULL;
  char prefix[512];
  ladsim_status s = ladsim_model_parse(text, "m.yaml", ov, n, &m);
  const char *msg = ladsim_error_message();
  ck_assert_msg(s == LADSIM_ECONFIG, "expected a model file error, got %d: %s",
                (int)s, msg);
  ck_assert_ptr_null(m);
  if (path != NULL)
    snprintf(prefix, sizeof prefix, "%s: %s: ", where, path);
  else
    snprintf(prefix, sizeof prefix, "%s: ", where);
  ck_assert_msg(strncmp(msg, prefix, strlen(prefix)) == 0,
                "message \"%s\" does not start with \"%s\"", msg, prefix);
  ck_assert_msg(strstr(msg, hint) != NULL,
                "message \"%s\" does not say \"%s\"", msg, hint);
}

static void expect_error(const char *text, const char *where, const char *path,
                         const char *hint)
{
  expect_error_ov(text, NULL, 0, where, path, hint);
}

/* Defaults */

START_TEST(test_defaults_filled)
{
  ladsim_model *m = parse_ok(MINIMAL, NULL, 0);
  ck_assert_str_eq(m->path, "m.yaml");
  ck_assert_str_eq(m->text, MINIMAL);
  ck_assert_double_eq_tol(m->simulation.resolution, 1.0, TOL);
  ck_assert_uint_eq(m->simulation.seed, 1234);
  ck_assert_double_eq_tol(m->simulation.min_delay, 1.0, TOL);
  ck_assert_double_eq_tol(m->simulation.duration, 0.0, TOL);
  const ladsim_dataset_spec *d = &m->input.data;
  ck_assert_str_eq(d->name, "fashion-mnist");
  ck_assert_ptr_null(d->dir);
  ck_assert_ptr_null(d->train_images);
  ck_assert_str_eq(d->images_key, "images");
  ck_assert_str_eq(d->labels_key, "labels");
  ck_assert_uint_eq(d->train_limit, 0);
  ck_assert_uint_eq(d->synth_classes, 4);
  ck_assert_uint_eq(d->synth_side, 8);
  ck_assert_uint_eq(d->synth_train, 512);
  ck_assert_uint_eq(d->synth_test, 256);
  ck_assert_double_eq_tol(d->synth_noise, 0.3, TOL);
  const ladsim_input_spec *in = &m->input;
  ck_assert_uint_eq(in->views_per_sample, 2);
  ck_assert_double_eq_tol(in->view_duration, 10.0, TOL);
  ck_assert_uint_eq(in->epochs, 1);
  ck_assert(in->shuffle);
  ck_assert_double_eq_tol(in->shift, 0.0, TOL);
  ck_assert_int_eq(in->flip, LADSIM_FLIP_NONE);
  ck_assert_double_eq_tol(in->scale, 1.0, TOL);
  ck_assert_double_eq_tol(in->max_rate, 100.0, TOL);
  ck_assert(!in->center);
  ck_assert_uint_eq(m->n_layers, 1);
  const ladsim_layer_spec *l = &m->layers[0];
  ck_assert_str_eq(l->name, "hidden");
  ck_assert_int_eq(l->line, 2);
  ck_assert_uint_eq(l->size, 32);
  ck_assert_int_eq(l->neuron, LADSIM_NEURON_RATE);
  ck_assert_double_eq_tol(l->tau, 5.0, TOL);
  ck_assert_int_eq(l->activation, LADSIM_ACT_RELU);
  ck_assert_str_eq(l->from, "input");
  ck_assert_double_eq_tol(l->init_std, 1.0, TOL);
  ck_assert_double_eq_tol(l->init_bias, 0.0, TOL);
  ck_assert(l->learn);
  ck_assert_uint_eq(m->n_projections, 0);
  ck_assert_uint_eq(m->record.n_spikes, 0);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_defaults_learning)
{
  ladsim_model *m = parse_ok(MINIMAL, NULL, 0);
  const ladsim_learning_spec *g = &m->layers[0].learning;
  ck_assert_double_eq_tol(g->eta, 0.002, TOL);
  ck_assert_int_eq(g->plasticity, LADSIM_PLAST_CONTINUOUS);
  ck_assert_int_eq(g->decorrelation, LADSIM_DECOR_ADVERSARIAL);
  ck_assert_int_eq(g->adv_form, LADSIM_ADV_PREDICTION);
  ck_assert_double_eq_tol(g->adv_weight, 1.0, TOL);
  ck_assert_double_eq_tol(g->eta_predictor, 0.005, TOL);
  ck_assert_double_eq_tol(g->predictor_delay, 0.0, TOL);
  ck_assert_double_eq_tol(g->pairwise_weight, 1.0, TOL);
  ck_assert_double_eq_tol(g->pairwise_tau, 1000.0, TOL);
  ck_assert_double_eq_tol(g->inv_weight, 0.3, TOL);
  ck_assert_double_eq_tol(g->inv_tau, 20.0, TOL);
  ck_assert_double_eq_tol(g->sig_weight, 1.0, TOL);
  ck_assert_double_eq_tol(g->sig_tau, 2000.0, TOL);
  ck_assert_uint_eq(g->sig_knots, 17);
  ck_assert_double_eq_tol(g->sig_tmax, 3.0, TOL);
  ck_assert_ptr_eq(g->target.type, ladsim_target_exponential);
  ck_assert_double_eq_tol(g->target.p[0], 1.0, TOL);
  ck_assert_ptr_null(g->target.samples);
  ck_assert_double_eq_tol(m->record.metrics, 1000.0, TOL);
  ck_assert_int_eq(m->record.weights, LADSIM_RECORD_END);
  ck_assert_double_eq_tol(m->record.progress, 1000.0, TOL);
  ck_assert(m->evaluate.enabled);
  ck_assert_uint_eq(m->evaluate.train, 0);
  ck_assert_uint_eq(m->evaluate.test, 0);
  ck_assert_double_eq_tol(m->evaluate.validation, 0.1, TOL);
  ck_assert(m->evaluate.raw);
  ck_assert(m->evaluate.init);
  ladsim_model_free(m);
}
END_TEST

/* Units */

START_TEST(test_units_converted)
{
  ladsim_model *m = parse_ok(
      "simulation: {resolution: 500 us, min_delay: 1.5 ms, duration: 2 s}\n"
      "input: {view_duration: 0.02 s, augment: {shift: 3 px}}\n"
      "layers:\n"
      "  - name: h\n    size: 4\n    tau: 250 us\n"
      "    learning: {sigreg: {tau: 2.5 s}, adversarial: {delay: 1 ms}}\n"
      "record: {metrics: 0.5 s, weights: 7.5 s, progress: 250 ms}\n",
      NULL, 0);
  ck_assert_double_eq_tol(m->simulation.resolution, 0.5, TOL);
  ck_assert_double_eq_tol(m->simulation.min_delay, 1.5, TOL);
  ck_assert_double_eq_tol(m->simulation.duration, 2000.0, TOL);
  ck_assert_double_eq_tol(m->input.view_duration, 20.0, TOL);
  ck_assert_double_eq_tol(m->input.shift, 3.0, TOL);
  ck_assert_double_eq_tol(m->layers[0].tau, 0.25, TOL);
  ck_assert_double_eq_tol(m->layers[0].learning.sig_tau, 2500.0, TOL);
  ck_assert_double_eq_tol(m->layers[0].learning.predictor_delay, 1.0, TOL);
  ck_assert_double_eq_tol(m->record.metrics, 500.0, TOL);
  ck_assert_int_eq(m->record.weights, LADSIM_RECORD_INTERVAL);
  ck_assert_double_eq_tol(m->record.weights_interval, 7500.0, TOL);
  ck_assert_double_eq_tol(m->record.progress, 250.0, TOL);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_units_all_dimensions)
{
  double x = 0.0;
  ck_assert_int_eq(ladsim__quantity_parse("20 Hz", LADSIM__DIM_FREQUENCY, &x),
                   LADSIM__QTY_OK);
  ck_assert_double_eq_tol(x, 20.0, TOL);
  ck_assert_int_eq(ladsim__quantity_parse("1.5 kHz", LADSIM__DIM_FREQUENCY, &x),
                   LADSIM__QTY_OK);
  ck_assert_double_eq_tol(x, 1500.0, TOL);
  ck_assert_int_eq(ladsim__quantity_parse("-50 mV", LADSIM__DIM_POTENTIAL, &x),
                   LADSIM__QTY_OK);
  ck_assert_double_eq_tol(x, -50.0, TOL);
  ck_assert_int_eq(ladsim__quantity_parse("0.07 V", LADSIM__DIM_POTENTIAL, &x),
                   LADSIM__QTY_OK);
  ck_assert_double_eq_tol(x, 70.0, 1e-9);
  ck_assert_int_eq(ladsim__quantity_parse("2px", LADSIM__DIM_LENGTH, &x),
                   LADSIM__QTY_OK);
  ck_assert_double_eq_tol(x, 2.0, TOL);
  ck_assert_int_eq(ladsim__quantity_parse("500 us", LADSIM__DIM_TIME, &x),
                   LADSIM__QTY_OK);
  ck_assert(x == 0.5); /* exactly: the reader divides, it does not scale */
  ck_assert_int_eq(ladsim__quantity_parse("5 Hz", LADSIM__DIM_TIME, &x),
                   LADSIM__QTY_BAD_UNIT);
  ck_assert_int_eq(ladsim__quantity_parse("5 kg", LADSIM__DIM_TIME, &x),
                   LADSIM__QTY_BAD_UNIT);
  ck_assert_int_eq(ladsim__quantity_parse("5", LADSIM__DIM_TIME, &x),
                   LADSIM__QTY_NO_UNIT);
  ck_assert_int_eq(ladsim__quantity_parse("inf ms", LADSIM__DIM_TIME, &x),
                   LADSIM__QTY_NOT_NUMBER);
  ck_assert_int_eq(ladsim__quantity_parse("ms", LADSIM__DIM_TIME, &x),
                   LADSIM__QTY_NOT_NUMBER);
}
END_TEST

START_TEST(test_units_written_exactly)
{
  char buf[64];
  const double times[] = {2000.0, 1500.0, 0.5, 10.0, 0.1, 1.0 / 3.0, 0.0};
  const char *expect[] = {"2 s", "1.5 s", "0.5 ms", "10 ms", "0.1 ms", NULL,
                          "0 ms"};
  for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
    double back = -1.0;
    ladsim__quantity_format(times[i], LADSIM__DIM_TIME, buf, sizeof buf);
    if (expect[i] != NULL)
      ck_assert_str_eq(buf, expect[i]);
    ck_assert_int_eq(ladsim__quantity_parse(buf, LADSIM__DIM_TIME, &back),
                     LADSIM__QTY_OK);
    ck_assert_msg(back == times[i], "%s reads back as %.17g, not %.17g", buf,
                  back, times[i]);
  }
  ladsim__quantity_format(1000.0, LADSIM__DIM_FREQUENCY, buf, sizeof buf);
  ck_assert_str_eq(buf, "1 kHz");
  ladsim__quantity_format(-50.0, LADSIM__DIM_POTENTIAL, buf, sizeof buf);
  ck_assert_str_eq(buf, "-50 mV");
}
END_TEST

/* Round trip */

static void expect_same_target(const ladsim_target *a, const ladsim_target *b)
{
  ck_assert_ptr_eq(a->type, b->type);
  ck_assert_uint_eq(a->n_samples, b->n_samples);
  for (size_t k = 0; k < LADSIM_TARGET_MAX_PARAMS; k++)
    ck_assert(a->p[k] == b->p[k]);
  for (size_t k = 0; k < a->n_samples; k++)
    ck_assert(a->samples[k] == b->samples[k]);
}

static void expect_same_learning(const ladsim_learning_spec *a,
                                 const ladsim_learning_spec *b)
{
  ck_assert(a->eta == b->eta);
  ck_assert_int_eq(a->plasticity, b->plasticity);
  ck_assert_int_eq(a->decorrelation, b->decorrelation);
  ck_assert_int_eq(a->adv_form, b->adv_form);
  ck_assert(a->adv_weight == b->adv_weight);
  ck_assert(a->eta_predictor == b->eta_predictor);
  ck_assert(a->predictor_delay == b->predictor_delay);
  ck_assert(a->pairwise_weight == b->pairwise_weight);
  ck_assert(a->pairwise_tau == b->pairwise_tau);
  ck_assert(a->inv_weight == b->inv_weight);
  ck_assert(a->inv_tau == b->inv_tau);
  ck_assert(a->sig_weight == b->sig_weight);
  ck_assert(a->sig_tau == b->sig_tau);
  ck_assert_uint_eq(a->sig_knots, b->sig_knots);
  ck_assert(a->sig_tmax == b->sig_tmax);
  expect_same_target(&a->target, &b->target);
}

static void expect_same_lif(const ladsim_lif_spec *a, const ladsim_lif_spec *b)
{
  ck_assert(a->tau_m == b->tau_m);
  ck_assert(a->tau_exc == b->tau_exc);
  ck_assert(a->tau_inh == b->tau_inh);
  ck_assert(a->v_th == b->v_th);
  ck_assert(a->v_reset == b->v_reset);
  ck_assert(a->e_rest == b->e_rest);
  ck_assert(a->t_ref == b->t_ref);
  ck_assert(a->i_e == b->i_e);
  ck_assert(a->v_init_low == b->v_init_low);
  ck_assert(a->v_init_high == b->v_init_high);
  ck_assert(a->tau_trace == b->tau_trace);
  ck_assert(a->surrogate_beta == b->surrogate_beta);
  ck_assert_int_eq(a->coding, b->coding);
}

static void expect_same_projection(const ladsim_projection_spec *a,
                                   const ladsim_projection_spec *b)
{
  ck_assert_str_eq(a->from, b->from);
  ck_assert_str_eq(a->to, b->to);
  ck_assert_int_eq(a->rule, b->rule);
  ck_assert(a->probability == b->probability);
  ck_assert_uint_eq(a->indegree, b->indegree);
  ck_assert(a->weight == b->weight);
  ck_assert(a->delay == b->delay);
  ck_assert(a->autapses == b->autapses);
}

static void expect_same_layer(const ladsim_layer_spec *a,
                              const ladsim_layer_spec *b)
{
  ck_assert_str_eq(a->name, b->name);
  ck_assert_int_eq(a->neuron, b->neuron);
  ck_assert_uint_eq(a->size, b->size);
  ck_assert(a->tau == b->tau);
  ck_assert_int_eq(a->activation, b->activation);
  ck_assert_str_eq(a->from, b->from);
  ck_assert(a->init_std == b->init_std);
  ck_assert(a->init_bias == b->init_bias);
  ck_assert(a->learn == b->learn);
  expect_same_learning(&a->learning, &b->learning);
  expect_same_lif(&a->lif, &b->lif);
}

static void expect_same_path(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    ck_assert_ptr_eq(a, b);
  else
    ck_assert_str_eq(a, b);
}

static void expect_same_data(const ladsim_dataset_spec *a,
                             const ladsim_dataset_spec *b)
{
  ck_assert_str_eq(a->name, b->name);
  expect_same_path(a->dir, b->dir);
  expect_same_path(a->train_images, b->train_images);
  expect_same_path(a->train_labels, b->train_labels);
  expect_same_path(a->test_images, b->test_images);
  expect_same_path(a->test_labels, b->test_labels);
  ck_assert_str_eq(a->images_key, b->images_key);
  ck_assert_str_eq(a->labels_key, b->labels_key);
  ck_assert_uint_eq(a->train_limit, b->train_limit);
  ck_assert_uint_eq(a->test_limit, b->test_limit);
  ck_assert_uint_eq(a->synth_classes, b->synth_classes);
  ck_assert_uint_eq(a->synth_side, b->synth_side);
  ck_assert_uint_eq(a->synth_train, b->synth_train);
  ck_assert_uint_eq(a->synth_test, b->synth_test);
  ck_assert(a->synth_noise == b->synth_noise);
}

/* Every member except where the text was (layer line, path, text). */
static void expect_same_model(const ladsim_model *a, const ladsim_model *b)
{
  ck_assert(a->simulation.resolution == b->simulation.resolution);
  ck_assert_uint_eq(a->simulation.seed, b->simulation.seed);
  ck_assert(a->simulation.min_delay == b->simulation.min_delay);
  ck_assert(a->simulation.duration == b->simulation.duration);
  expect_same_data(&a->input.data, &b->input.data);
  ck_assert_uint_eq(a->input.views_per_sample, b->input.views_per_sample);
  ck_assert(a->input.view_duration == b->input.view_duration);
  ck_assert_uint_eq(a->input.epochs, b->input.epochs);
  ck_assert(a->input.shuffle == b->input.shuffle);
  ck_assert(a->input.shift == b->input.shift);
  ck_assert_int_eq(a->input.flip, b->input.flip);
  ck_assert(a->input.noise == b->input.noise);
  ck_assert(a->input.contrast == b->input.contrast);
  ck_assert(a->input.scale == b->input.scale);
  ck_assert(a->input.max_rate == b->input.max_rate);
  ck_assert(a->input.center == b->input.center);
  ck_assert_uint_eq(a->n_layers, b->n_layers);
  for (size_t i = 0; i < a->n_layers; i++)
    expect_same_layer(&a->layers[i], &b->layers[i]);
  ck_assert_uint_eq(a->n_projections, b->n_projections);
  for (size_t k = 0; k < a->n_projections; k++)
    expect_same_projection(&a->projections[k], &b->projections[k]);
  ck_assert_uint_eq(a->record.n_spikes, b->record.n_spikes);
  for (size_t k = 0; k < a->record.n_spikes; k++)
    ck_assert_str_eq(a->record.spikes[k], b->record.spikes[k]);
  ck_assert(a->record.metrics == b->record.metrics);
  ck_assert_int_eq(a->record.weights, b->record.weights);
  ck_assert(a->record.weights_interval == b->record.weights_interval);
  ck_assert(a->record.progress == b->record.progress);
  ck_assert(a->evaluate.enabled == b->evaluate.enabled);
  ck_assert_uint_eq(a->evaluate.train, b->evaluate.train);
  ck_assert_uint_eq(a->evaluate.test, b->evaluate.test);
  ck_assert(a->evaluate.validation == b->evaluate.validation);
  ck_assert(a->evaluate.raw == b->evaluate.raw);
  ck_assert(a->evaluate.init == b->evaluate.init);
}

/* parse -> write -> parse gives the same model, and writing is stable. */
static void round_trip(const char *text)
{
  char *first = NULL, *second = NULL;
  ladsim_model *a = parse_ok(text, NULL, 0);
  ck_assert_int_eq(ladsim_model_to_string(a, &first), LADSIM_OK);
  ladsim_model *b = parse_ok(first, NULL, 0);
  expect_same_model(a, b);
  ck_assert_int_eq(ladsim_model_to_string(b, &second), LADSIM_OK);
  ck_assert_str_eq(first, second);
  free(first);
  free(second);
  ladsim_model_free(a);
  ladsim_model_free(b);
}

static const char FULL[] =
    "simulation: {resolution: 0.1 ms, seed: 18446744073709551615, "
    "min_delay: 0.3 ms, duration: 12.3 s}\n"
    "input:\n"
    "  dataset:\n"
    "    train: {images: \"my data/train images.h5\", labels: tr-l.idx}\n"
    "    test: {images: te-i.idx.gz, labels: /abs/te-l.idx}\n"
    "    images_key: x\n"
    "    labels_key: y\n"
    "    train_limit: 1000\n"
    "  views_per_sample: 3\n"
    "  view_duration: 12.5 ms\n"
    "  epochs: 7\n"
    "  shuffle: false\n"
    "  augment: {shift: 1.5 px, flip: both, noise: 0.125, contrast: 0.2}\n"
    "  scale: 0.7\n"
    "  center: true\n"
    "layers:\n"
    "  - name: first-layer_1\n"
    "    size: 300\n"
    "    tau: 0.7 ms\n"
    "    activation: softplus\n"
    "    init: {std: 0.33, bias: -0.1}\n"
    "    learning:\n"
    "      eta: 1e-4\n"
    "      plasticity: per_view\n"
    "      decorrelation: pairwise\n"
    "      adversarial: {form: error, weight: 5, eta_predictor: 3e-3, "
    "delay: 0.2 ms}\n"
    "      pairwise: {weight: 0.25, tau: 3 s}\n"
    "      invariance: {weight: 0.9, tau: 33.3 ms}\n"
    "      sigreg: {weight: 2, tau: 1.1 s, knots: 33, t_max: 4.5, "
    "target: {gamma: {shape: 3, scale: 0.5}}}\n"
    "  - name: second\n"
    "    size: 7\n"
    "    from: first-layer_1\n"
    "    activation: sigmoid\n"
    "    learn: false\n"
    "    learning: {sigreg: {target: {empirical: {samples: [0.1, -2, "
    "3.14159265358979]}}}}\n"
    "  - {name: third, size: 2, from: input, activation: tanh}\n"
    "record: {metrics: 0 ms, weights: 2.5 s, progress: 3 s}\n"
    "evaluate: {enabled: false, train: 100, test: 50, validation: 0.25, "
    "raw: false, init: false}\n";

START_TEST(test_round_trip_full)
{
  round_trip(FULL);
  ladsim_model *m = parse_ok(FULL, NULL, 0);
  /* Spot checks that the full model was read as written. */
  ck_assert_str_eq(m->input.data.name, "");
  ck_assert_str_eq(m->input.data.train_images, "my data/train images.h5");
  ck_assert_str_eq(m->input.data.test_labels, "/abs/te-l.idx");
  ck_assert_uint_eq(m->simulation.seed, UINT64_MAX);
  ck_assert_uint_eq(m->n_layers, 3);
  ck_assert_int_eq(m->layers[0].activation, LADSIM_ACT_SOFTPLUS);
  ck_assert_ptr_eq(m->layers[0].learning.target.type, ladsim_target_gamma);
  ck_assert_double_eq_tol(m->layers[0].learning.target.p[1], 0.5, TOL);
  ck_assert_ptr_null(m->layers[1].learning.target.type);
  ck_assert_uint_eq(m->layers[1].learning.target.n_samples, 3);
  ck_assert_double_eq_tol(m->layers[1].learning.target.samples[1], -2.0, TOL);
  ck_assert_int_eq(m->record.weights, LADSIM_RECORD_INTERVAL);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_round_trip_variants)
{
  round_trip(MINIMAL);
  round_trip("input: {dataset: synthetic}\nrecord: {weights: none}\n"
             "layers: [{name: a, size: 1}]\n");
  round_trip("input:\n  dataset: {name: synthetic, classes: 10, side: 12, "
             "train_size: 100, test_size: 20, noise: 0.05, test_limit: 3}\n"
             "layers: [{name: a, size: 1}]\n");
  round_trip("input: {dataset: {dir: /usr/share/fmnist, train_limit: 5}}\n"
             "layers: [{name: a, size: 1}]\n");
}
END_TEST

/* Each parametric family, written with non-default parameters, reads back. */
START_TEST(test_round_trip_targets)
{
  for (size_t i = 0; ladsim_target_types[i] != NULL; i++) {
    const ladsim_target_type *type = ladsim_target_types[i];
    char text[512], params[256] = "";
    for (size_t k = 0; k < type->n_params; k++) {
      /* Half of each default, or 0.25 when the default is 0, stays valid
       * for every family's parameters here (scales, rates, probabilities). */
      double v = type->param_defaults[k] != 0.0 ? 0.5 * type->param_defaults[k]
                                                : 0.25;
      snprintf(params + strlen(params), sizeof params - strlen(params),
               "%s%s: %.17g", k ? ", " : "", type->param_names[k], v);
    }
    snprintf(text, sizeof text, "layers:\n  - name: a\n    size: 2\n"
             "    learning: {sigreg: {target: {%s: {%s}}}}\n", type->name,
             params);
    round_trip(text);
    ladsim_model *m = parse_ok(text, NULL, 0);
    ck_assert_ptr_eq(m->layers[0].learning.target.type, type);
    ladsim_model_free(m);
  }
}
END_TEST

START_TEST(test_write_is_yaml_with_units)
{
  char *text = NULL;
  ladsim_model *m = parse_ok("simulation: {duration: 2 s}\n"
                             "layers: [{name: h, size: 3, tau: 500 us}]\n",
                             NULL, 0);
  ck_assert_int_eq(ladsim_model_to_string(m, &text), LADSIM_OK);
  ck_assert_ptr_nonnull(strstr(text, "\n  duration: 2 s\n"));
  ck_assert_ptr_nonnull(strstr(text, "\n    tau: 0.5 ms\n"));
  ck_assert_ptr_nonnull(strstr(text, "\n  - name: h\n"));
  ck_assert_ptr_nonnull(strstr(text, "target: {exponential: {rate: 1}}"));
  ck_assert_ptr_nonnull(strstr(text, "\nprojections: []\n"));
  ck_assert_ptr_nonnull(strstr(text, "\n  spikes: []\n"));
  ck_assert_ptr_null(strstr(text, "lif:")); /* a rate layer */
  free(text);
  /* ladsim_model_write gives the same text on a stream. */
  char *streamed = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&streamed, &len);
  ck_assert_int_eq(ladsim_model_write(m, f), LADSIM_OK);
  fclose(f);
  ck_assert_int_eq(ladsim_model_to_string(m, &text), LADSIM_OK);
  ck_assert_str_eq(streamed, text);
  free(streamed);
  free(text);
  ladsim_model_free(m);
}
END_TEST

/* Files */

static char tmpdir[64];

static void make_tmpdir(void)
{
  snprintf(tmpdir, sizeof tmpdir, "/tmp/ladsim-config-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
  char path[128];
  snprintf(path, sizeof path, "%s/model.yaml", tmpdir);
  unlink(path);
  rmdir(tmpdir);
}

START_TEST(test_load_file)
{
  static const char text[] =
      "input:\n  dataset: {train: {images: d/tr.idx, labels: /x/tr-l.idx},\n"
      "            test: {images: te.idx, labels: te-l.idx}}\n"
      "layers: [{name: h, size: 3}]\n";
  char path[128], want[160];
  snprintf(path, sizeof path, "%s/model.yaml", tmpdir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  ladsim_model *m = NULL;
  ck_assert_msg(ladsim_model_load(path, NULL, 0, &m) == LADSIM_OK, "%s",
                ladsim_error_message());
  ck_assert_str_eq(m->path, path);
  ck_assert_str_eq(m->text, text);
  /* Relative data paths start at the model file's directory. */
  snprintf(want, sizeof want, "%s/d/tr.idx", tmpdir);
  ck_assert_str_eq(m->input.data.train_images, want);
  ck_assert_str_eq(m->input.data.train_labels, "/x/tr-l.idx");
  snprintf(want, sizeof want, "%s/te-l.idx", tmpdir);
  ck_assert_str_eq(m->input.data.test_labels, want);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_load_missing_file)
{
  char path[128];
  ladsim_model *m = NULL;
  snprintf(path, sizeof path, "%s/no-such-model.yaml", tmpdir);
  ck_assert_int_eq(ladsim_model_load(path, NULL, 0, &m), LADSIM_ECONFIG);
  ck_assert_ptr_null(m);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), path));
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "cannot open"));
  /* A directory opens but cannot be read as a model. */
  ck_assert_int_eq(ladsim_model_load(tmpdir, NULL, 0, &m), LADSIM_ECONFIG);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), tmpdir));
}
END_TEST

START_TEST(test_load_reports_file_name)
{
  char path[128];
  snprintf(path, sizeof path, "%s/model.yaml", tmpdir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("layers:\n  - name: h\n    size: 3\n    tau: 5 kg\n", f);
  fclose(f);
  ladsim_model *m = NULL;
  char want[256];
  snprintf(want, sizeof want, "%s:4:10: layers.h.tau: '5 kg' is not a time; "
           "use s, ms or us", path);
  ck_assert_int_eq(ladsim_model_load(path, NULL, 0, &m), LADSIM_ECONFIG);
  ck_assert_str_eq(ladsim_error_message(), want);
}
END_TEST

/* Every model file shipped in examples/ must read (and round-trip). */
START_TEST(test_examples_load)
{
  const char *top = getenv("LADSIM_SRCDIR");
  char dir[1024], path[1400];
  snprintf(dir, sizeof dir, "%s/examples", top ? top : "..");
  DIR *d = opendir(dir);
  ck_assert_msg(d != NULL, "cannot open %s; run the suite with make check or "
                "set LADSIM_SRCDIR to the source tree", dir);
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    ladsim_model *m = NULL;
    char *text = NULL;
    ck_assert_msg(ladsim_model_load(path, NULL, 0, &m) == LADSIM_OK, "%s",
                  ladsim_error_message());
    ck_assert_int_eq(ladsim_model_to_string(m, &text), LADSIM_OK);
    round_trip(text);
    free(text);
    ladsim_model_free(m);
    n++;
  }
  closedir(d);
  ck_assert_uint_ge(n, 3); /* at least minimal, synthetic and cuba */
}
END_TEST

/* Errors: syntax */

START_TEST(test_error_yaml_syntax)
{
  expect_error("simulation:\n  seed: 1\n    resolution: 1 ms\n", "m.yaml:3:15",
               NULL, "YAML syntax error: mapping values are not allowed");
  expect_error("layers: [{name: a, size: 1}\nrecord: {}\n", "m.yaml:2:1", NULL,
               "YAML syntax error");
  expect_error("layers: [{name: a, size: 1}]\n---\nlayers: []\n",
               "m.yaml:2:1", NULL, "a second YAML document");
  expect_error("a: &x 1\nlayers: *x\n", "m.yaml:2:9", NULL,
               "aliases (*x) are not supported");
  expect_error("layers:\n  - name: \"a\tb\" \xff\n", "m.yaml:2:17", NULL,
               "UTF-8");
}
END_TEST

/* Errors: keys */

START_TEST(test_error_unknown_key)
{
  expect_error("simulation:\n  sede: 3\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:2:3", "simulation.sede", "unknown key 'sede'; did you "
               "mean 'seed'?");
  expect_error("layers:\n  - name: hid\n    size: 3\n    tua: 5 ms\n",
               "m.yaml:4:5", "layers.hid.tua", "did you mean 'tau'?");
  expect_error("layers: [{name: a, size: 1}]\nfrobnicate: 1\n", "m.yaml:2:1",
               "frobnicate", "the keys allowed here are: simulation, input, "
               "layers, projections, record, evaluate");
  expect_error("layers:\n  - name: a\n    size: 1\n    learning:\n"
               "      sigreg: {target: {gaussian: {sd: 2}}}\n",
               "m.yaml:5:36", "layers.a.learning.sigreg.target.gaussian.sd",
               "did you mean 'std'?");
}
END_TEST

START_TEST(test_error_duplicate_key)
{
  expect_error("layers:\n  - name: a\n    size: 1\n    tau: 5 ms\n"
               "    tau: 6 ms\n", "m.yaml:5:5", "layers.a.tau",
               "duplicate key 'tau' (first at line 4)");
  expect_error("simulation: {seed: 1, seed: 2}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:23", "simulation.seed", "duplicate key");
}
END_TEST

START_TEST(test_error_missing_required)
{
  expect_error("layers:\n  - name: hid\n    tau: 5 ms\n", "m.yaml:2:5",
               "layers.hid", "missing required key 'size'");
  expect_error("layers:\n  - size: 3\n", "m.yaml:2:5", "layers[0]",
               "missing required key 'name'");
  expect_error("simulation: {seed: 3}\n", "m.yaml:1:1", NULL,
               "missing required key 'layers'");
  expect_error("", "m.yaml:1:1", NULL, "missing required key 'layers'");
  expect_error("layers: []\n", "m.yaml:1:9", "layers", "has 0 layers");
  expect_error("layers: 3\n", "m.yaml:1:9", "layers", "expected a list of "
               "layers");
}
END_TEST

START_TEST(test_error_too_many_layers)
{
  char text[2048] = "layers:\n";
  for (int i = 0; i <= LADSIM_MAX_LAYERS; i++)
    snprintf(text + strlen(text), sizeof text - strlen(text),
             "  - {name: l%d, size: 1}\n", i);
  expect_error(text, "m.yaml:2:3", "layers", "has 17 layers; give between 1 "
               "and 16");
}
END_TEST

/* Errors: types */

START_TEST(test_error_wrong_type)
{
  expect_error("layers:\n  - name: a\n    size: 1\n    tau: {value: 5}\n",
               "m.yaml:4:10", "layers.a.tau", "expected a time such as `5 ms`, "
               "found a mapping");
  expect_error("layers:\n  - name: a\n    size: 1\n    learning: {eta: fast}\n",
               "m.yaml:4:21", "layers.a.learning.eta", "'fast' is not a "
               "number");
  expect_error("layers:\n  - name: a\n    size: 2.5\n", "m.yaml:3:11",
               "layers.a.size", "'2.5' is not a whole number");
  expect_error("simulation: [1, 2]\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:13", "simulation", "expected a mapping of keys, "
               "found a list");
  expect_error("input: {shuffle: yes}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:18", "input.shuffle", "write true or false");
  expect_error("layers:\n  - name: a\n    size: 1\n    learning: {eta: 5 ms}\n",
               "m.yaml:4:21", "layers.a.learning.eta", "this key has no unit");
  expect_error("layers:\n  - name: a\n    size: 1\n    tau:\n", "m.yaml:4:9",
               "layers.a.tau", "has no value");
  expect_error("layers:\n  - name: [a]\n    size: 1\n", "m.yaml:2:11",
               "layers[0].name", "found a list");
}
END_TEST

START_TEST(test_error_units)
{
  expect_error("layers:\n  - name: hidden\n    size: 1\n    tau: 5\n",
               "m.yaml:4:10", "layers.hidden.tau", "'5' needs a unit, e.g. "
               "`5 ms`");
  expect_error("layers:\n  - name: hidden\n    size: 1\n    tau: 5 kg\n",
               "m.yaml:4:10", "layers.hidden.tau", "'5 kg' is not a time; use "
               "s, ms or us");
  expect_error("layers:\n  - name: hidden\n    size: 1\n    tau: 5 Hz\n",
               "m.yaml:4:10", "layers.hidden.tau", "'5 Hz' is not a time; use "
               "s, ms or us");
  expect_error("input: {augment: {shift: 2 ms}}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:26", "input.augment.shift", "is not a length; use px");
  expect_error("record: {weights: 10}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:19", "record.weights", "needs a unit");
  expect_error("record: {weights: often}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:19", "record.weights", "use none, end or a time "
               "interval");
}
END_TEST

START_TEST(test_error_range)
{
  expect_error("layers:\n  - name: a\n    size: 0\n", "m.yaml:3:11",
               "layers.a.size", "'0' is out of range; it must be between 1 "
               "and 1000000");
  expect_error("simulation:\n  resolution: 20 ms\nlayers: [{name: a, size: 1}]"
               "\n", "m.yaml:2:15", "simulation.resolution", "it must be between "
               "0.001 ms and 10 ms");
  expect_error("evaluate: {validation: 0.5}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:24", "evaluate.validation", "it must be >= 0 and < "
               "0.5");
  expect_error("simulation: {seed: -1}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:20", "simulation.seed", "it must be >= 0");
  expect_error("layers:\n  - name: a\n    size: 1\n    learning: {sigreg: "
               "{knots: 300}}\n", "m.yaml:4:32",
               "layers.a.learning.sigreg.knots", "between 2 and 257");
  expect_error("layers:\n  - name: a\n    size: 1\n    tau: -5 ms\n",
               "m.yaml:4:10", "layers.a.tau", "it must be > 0 ms");
  expect_error("input: {augment: {contrast: 1}}\nlayers: [{name: a, size: 1}]"
               "\n", "m.yaml:1:29", "input.augment.contrast", ">= 0 and < 1");
  expect_error("simulation: {seed: 18446744073709551616}\n"
               "layers: [{name: a, size: 1}]\n", "m.yaml:1:20",
               "simulation.seed", "is too large");
  /* Beyond 64 bits a key with a range still says its range. */
  expect_error("layers: [{name: a, size: 99999999999999999999999}]\n", "m.yaml:1:26",
               "layers.a.size", "is out of range; it must be between 1 and 1000000");
}
END_TEST

START_TEST(test_error_enum)
{
  expect_error("layers:\n  - name: a\n    size: 1\n    activation: relux\n",
               "m.yaml:4:17", "layers.a.activation", "did you mean 'relu'?");
  expect_error("input: {augment: {flip: diagonal}}\n"
               "layers: [{name: a, size: 1}]\n", "m.yaml:1:25",
               "input.augment.flip", "use one of: none, horizontal, vertical, "
               "both");
  expect_error("layers:\n  - name: a\n    size: 1\n    neuron: izhikevich\n",
               "m.yaml:4:13", "layers.a.neuron", "use one of: rate, lif");
  expect_error("layers:\n  - name: a\n    size: 1\n    learning:\n"
               "      decorrelation: covariance\n", "m.yaml:5:22",
               "layers.a.learning.decorrelation", "use one of: adversarial, "
               "none, pairwise");
}
END_TEST

/* Errors: layer names and sources */

START_TEST(test_error_layer_names)
{
  expect_error("layers:\n  - {name: a, size: 1}\n  - {name: a, size: 2}\n",
               "m.yaml:3:12", "layers[1].name", "duplicate layer name 'a' "
               "(first at line 2)");
  expect_error("layers:\n  - {name: input, size: 1}\n", "m.yaml:2:12",
               "layers[0].name", "reserved for the input");
  expect_error("layers:\n  - {name: \"my layer\", size: 1}\n", "m.yaml:2:12",
               "layers[0].name", "characters other than letters");
  expect_error("layers:\n  - {name: a, size: 1}\n  - {name: b, size: x}\n",
               "m.yaml:3:21", "layers.b.size", "not a whole number");
}
END_TEST

START_TEST(test_error_from)
{
  expect_error("layers:\n  - {name: a, size: 1}\n  - {name: b, size: 1, from: "
               "c}\n", "m.yaml:3:30", "layers.b.from", "no layer named 'c'; "
               "use 'input', 'none' or an earlier layer: 'a'");
  expect_error("layers:\n  - {name: a, size: 1, from: b}\n  - {name: b, size: "
               "1}\n", "m.yaml:2:30", "layers.a.from", "layer 'b' comes later "
               "in the list (line 3)");
  expect_error("layers:\n  - {name: a, size: 1, from: a}\n", "m.yaml:2:30",
               "layers.a.from", "cannot take input from itself");
}
END_TEST

/* Errors: times on the resolution grid */

START_TEST(test_error_multiple_of_resolution)
{
  expect_error("input: {view_duration: 2.5 ms}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:24", "input.view_duration", "2.5 ms is not a multiple "
               "of simulation.resolution (1 ms); the nearest multiples are 2 "
               "ms and 3 ms");
  expect_error("simulation: {resolution: 0.3 ms}\nlayers: [{name: a, size: 1}]"
               "\n", "m.yaml:1:13", "simulation.min_delay", "the default 1 ms "
               "is not a multiple of simulation.resolution (0.3 ms); the "
               "nearest multiples are 0.9 ms and 1.2 ms");
  expect_error("simulation: {resolution: 2 ms}\nlayers: [{name: a, size: 1}]"
               "\n", "m.yaml:1:13", "simulation.min_delay", "the default 1 ms "
               "is shorter than simulation.resolution (2 ms)");
  expect_error("simulation: {resolution: 2 ms, min_delay: 1 ms}\n"
               "layers: [{name: a, size: 1}]\n", "m.yaml:1:43",
               "simulation.min_delay", "use at least 2 ms");
  expect_error("simulation: {resolution: 2 ms, min_delay: 5 ms}\n"
               "layers: [{name: a, size: 1}]\n", "m.yaml:1:43",
               "simulation.min_delay", "nearest multiples are 4 ms and 6 ms");
  expect_error("simulation: {duration: 1.0000001 s}\n"
               "layers: [{name: a, size: 1}]\n", "m.yaml:1:24",
               "simulation.duration", "nearest multiples are 1 s and 1001 ms");
  expect_error("record: {weights: 1.5 ms}\nlayers: [{name: a, size: 1}]\n",
               "m.yaml:1:19", "record.weights", "not a multiple");
  expect_error("layers:\n  - {name: a, size: 1, learning: {adversarial: "
               "{delay: 0.5 ms}}}\n", "m.yaml:2:56",
               "layers.a.learning.adversarial.delay", "not a multiple");
  /* Allowed: a resolution that is not a power of ten, and exact multiples. */
  ladsim_model *m = parse_ok("simulation: {resolution: 0.1 ms, duration: "
                             "10 s}\ninput: {view_duration: 0.7 ms}\n"
                             "layers: [{name: a, size: 1}]\n", NULL, 0);
  ck_assert_double_eq_tol(m->input.view_duration, 0.7, TOL);
  ladsim_model_free(m);
}
END_TEST

/* Errors: SIGReg targets */

START_TEST(test_target_forms)
{
  ladsim_model *m = parse_ok(
      "layers:\n"
      "  - {name: a, size: 1, learning: {sigreg: {target: laplace}}}\n"
      "  - {name: b, size: 1, learning: {sigreg: {target: {gaussian: "
      "{mean: 0.5, std: 2}}}}}\n"
      "  - {name: c, size: 1, learning: {sigreg: {target: {uniform: }}}}\n",
      NULL, 0);
  ck_assert_ptr_eq(m->layers[0].learning.target.type, ladsim_target_laplace);
  ck_assert_double_eq_tol(m->layers[0].learning.target.p[1],
                          ladsim_target_laplace->param_defaults[1], TOL);
  ck_assert_ptr_eq(m->layers[1].learning.target.type, ladsim_target_gaussian);
  ck_assert_double_eq_tol(m->layers[1].learning.target.p[0], 0.5, TOL);
  ck_assert_double_eq_tol(m->layers[1].learning.target.p[1], 2.0, TOL);
  ck_assert_ptr_eq(m->layers[2].learning.target.type, ladsim_target_uniform);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_error_target)
{
  static const char head[] = "layers:\n  - name: a\n    size: 1\n"
                             "    learning:\n      sigreg:\n        target: ";
  char text[512];
  snprintf(text, sizeof text, "%s{gausian: {std: 1}}\n", head);
  expect_error(text, "m.yaml:6:18", "layers.a.learning.sigreg.target",
               "'gausian' is not a target family; did you mean 'gaussian'?");
  snprintf(text, sizeof text, "%scauchy\n", head);
  expect_error(text, "m.yaml:6:17", "layers.a.learning.sigreg.target",
               "use one of: gaussian, laplace");
  snprintf(text, sizeof text, "%s{gaussian: {std: 0}}\n", head);
  expect_error(text, "m.yaml:6:28", "layers.a.learning.sigreg.target.gaussian",
               "std must be > 0");
  snprintf(text, sizeof text, "%s{gaussian: {}, laplace: {}}\n", head);
  expect_error(text, "m.yaml:6:17", "layers.a.learning.sigreg.target",
               "found 2 keys");
  snprintf(text, sizeof text, "%s{empirical: {samples: [1]}}\n", head);
  expect_error(text, "m.yaml:6:39",
               "layers.a.learning.sigreg.target.empirical.samples",
               "at least 2 numbers");
  snprintf(text, sizeof text, "%s{empirical: {samples: [1, x]}}\n", head);
  expect_error(text, "m.yaml:6:43",
               "layers.a.learning.sigreg.target.empirical.samples[1]",
               "'x' is not a number");
  snprintf(text, sizeof text, "%sempirical\n", head);
  expect_error(text, "m.yaml:6:17",
               "layers.a.learning.sigreg.target.empirical",
               "missing required key 'samples'");
}
END_TEST

/* Data sets */

START_TEST(test_dataset_forms)
{
  ladsim_model *m = parse_ok("input: {dataset: {name: files, train: {images: "
                             "a, labels: b}, test: {images: c, labels: d}}}\n"
                             "layers: [{name: h, size: 1}]\n", NULL, 0);
  ck_assert_str_eq(m->input.data.name, "");
  ck_assert_str_eq(m->input.data.test_images, "c");
  ladsim_model_free(m);
  m = parse_ok("input: {dataset: {name: synthetic, classes: 3}}\n"
               "layers: [{name: h, size: 1}]\n", NULL, 0);
  ck_assert_str_eq(m->input.data.name, "synthetic");
  ck_assert_uint_eq(m->input.data.synth_classes, 3);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_error_dataset)
{
  expect_error("input: {dataset: mnist}\nlayers: [{name: h, size: 1}]\n",
               "m.yaml:1:18", "input.dataset", "'mnist' is not a known data "
               "set");
  expect_error("input:\n  dataset:\n    classes: 10\nlayers: [{name: h, size: "
               "1}]\n", "m.yaml:3:5", "input.dataset.classes", "only used with "
               "name: synthetic");
  expect_error("input:\n  dataset:\n    train: {images: a, labels: b}\n"
               "layers: [{name: h, size: 1}]\n", "m.yaml:3:5", "input.dataset",
               "missing required key 'test'");
  expect_error("input:\n  dataset:\n    train: {images: a}\n    test: {images: "
               "c, labels: d}\nlayers: [{name: h, size: 1}]\n", "m.yaml:3:12",
               "input.dataset.train", "missing required key 'labels'");
  expect_error("input: {dataset: {dir: \"\"}}\nlayers: [{name: h, size: 1}]\n",
               "m.yaml:1:24", "input.dataset.dir", "is empty");
  expect_error("input: {dataset: {name: fmnist}}\nlayers: [{name: h, size: 1}]"
               "\n", "m.yaml:1:25", "input.dataset.name", "use one of: "
               "fashion-mnist, synthetic, files");
}
END_TEST

/* Overrides */

START_TEST(test_override_by_name_and_index)
{
  static const char text[] = "layers:\n  - {name: a, size: 1}\n"
                             "  - {name: b, size: 2, from: a}\n";
  const char *ov[] = {"layers.b.size=64", "layers.0.tau=2 ms",
                      "layers.a.learning.sigreg.target={gaussian: {std: 0.5}}"};
  ladsim_model *m = parse_ok(text, ov, 3);
  ck_assert_uint_eq(m->layers[1].size, 64);
  ck_assert_uint_eq(m->layers[0].size, 1);
  ck_assert_double_eq_tol(m->layers[0].tau, 2.0, TOL);
  ck_assert_ptr_eq(m->layers[0].learning.target.type, ladsim_target_gaussian);
  ck_assert_double_eq_tol(m->layers[0].learning.target.p[1], 0.5, TOL);
  /* The text is the file's, not the overridden model. */
  ck_assert_str_eq(m->text, text);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_override_adds_keys)
{
  const char *ov[] = {"simulation.seed=99", "input.augment.flip=vertical",
                      "layers.a.learning.invariance.tau=40 ms",
                      "layers.a.size=5", "simulation.seed=100"};
  ladsim_model *m = parse_ok("simulation:\nlayers: [{name: a, size: 1}]\n",
                             ov, 5);
  ck_assert_uint_eq(m->simulation.seed, 100); /* the last override wins */
  ck_assert_int_eq(m->input.flip, LADSIM_FLIP_VERTICAL);
  ck_assert_double_eq_tol(m->layers[0].learning.inv_tau, 40.0, TOL);
  ck_assert_uint_eq(m->layers[0].size, 5);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_error_override)
{
  static const char text[] = "layers:\n  - name: hidden\n    size: 3\n";
  const char *bad_value[] = {"layers.hidden.size=abc"};
  expect_error_ov(text, bad_value, 1, "--set layers.hidden.size=abc",
                  "layers.hidden.size", "'abc' is not a whole number");
  const char *bad_layer[] = {"layers.hiden.size=3"};
  expect_error_ov(text, bad_layer, 1, "--set layers.hiden.size=3", "layers",
                  "no item named 'hiden'; the names are: hidden");
  const char *bad_index[] = {"layers.4.size=3"};
  expect_error_ov(text, bad_index, 1, "--set layers.4.size=3", "layers",
                  "has 1 items");
  const char *bad_key[] = {"layers.hidden.sise=3"};
  expect_error_ov(text, bad_key, 1, "--set layers.hidden.sise=3",
                  "layers.hidden.sise", "did you mean 'size'?");
  const char *no_eq[] = {"layers.hidden.size"};
  expect_error_ov(text, no_eq, 1, "--set layers.hidden.size", NULL,
                  "expected KEY.PATH=VALUE");
  const char *empty_part[] = {"layers..size=3"};
  expect_error_ov(text, empty_part, 1, "--set layers..size=3", NULL,
                  "has an empty part");
  const char *bad_yaml[] = {"layers.hidden.tau={5 ms"};
  expect_error_ov(text, bad_yaml, 1, "--set layers.hidden.tau={5 ms", NULL,
                  "YAML syntax error");
  const char *into_scalar[] = {"layers.hidden.size.x=1"};
  expect_error_ov(text, into_scalar, 1, "--set layers.hidden.size.x=1",
                  "layers.hidden.size", "not a mapping");
}
END_TEST

/* Small API */

START_TEST(test_api)
{
  ladsim_model *m = parse_ok("layers:\n  - {name: a, size: 1}\n"
                             "  - {name: b, size: 1}\n", NULL, 0);
  ck_assert_int_eq(ladsim_model_layer_index(m, "b"), 1);
  ck_assert_int_eq(ladsim_model_layer_index(m, "a"), 0);
  ck_assert_int_eq(ladsim_model_layer_index(m, "input"), -1);
  ck_assert_int_eq(ladsim_model_layer_index(NULL, "a"), -1);
  ck_assert_str_eq(ladsim_activation_name(LADSIM_ACT_SOFTPLUS), "softplus");
  ck_assert_str_eq(ladsim_activation_name(LADSIM_ACT_RELU), "relu");
  ck_assert_str_eq(ladsim_activation_name((ladsim_activation)99), "unknown");
  ladsim_model_free(m);
  ladsim_model_free(NULL);
  ladsim_model *out = NULL;
  ck_assert_int_eq(ladsim_model_parse(NULL, "x", NULL, 0, &out),
                   LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_model_parse(MINIMAL, "x", NULL, 2, &out),
                   LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_model_load(NULL, NULL, 0, &out), LADSIM_EINVAL);
  ck_assert_ptr_null(out);
  m = parse_ok(MINIMAL, NULL, 0);
  ck_assert_int_eq(ladsim_model_write(m, NULL), LADSIM_EINVAL);
  ladsim_model_free(m);
}
END_TEST

/* Spiking networks: lif layers, projections, spike recording, no data set */

START_TEST(test_defaults_lif)
{
  ladsim_model *m = parse_ok("layers:\n  - {name: exc, size: 40, neuron: lif, "
                             "from: none}\n", NULL, 0);
  const ladsim_layer_spec *l = &m->layers[0];
  ck_assert_int_eq(l->neuron, LADSIM_NEURON_LIF);
  ck_assert_str_eq(l->from, "none");
  const ladsim_lif_spec *c = &l->lif;
  ck_assert_double_eq_tol(c->tau_m, 20.0, TOL);
  ck_assert_double_eq_tol(c->tau_exc, 5.0, TOL);
  ck_assert_double_eq_tol(c->tau_inh, 10.0, TOL);
  ck_assert_double_eq_tol(c->v_th, -50.0, TOL);
  ck_assert_double_eq_tol(c->v_reset, -60.0, TOL);
  ck_assert_double_eq_tol(c->e_rest, -49.0, TOL);
  ck_assert_double_eq_tol(c->t_ref, 5.0, TOL);
  ck_assert_double_eq_tol(c->i_e, 0.0, TOL);
  ck_assert_double_eq_tol(c->v_init_low, -60.0, TOL);
  ck_assert_double_eq_tol(c->v_init_high, -50.0, TOL);
  ck_assert_double_eq_tol(c->tau_trace, 20.0, TOL);
  ck_assert_double_eq_tol(c->surrogate_beta, 1.0, TOL);
  ck_assert_int_eq(c->coding, LADSIM_CODING_POISSON);
  ladsim_model_free(m);
  /* Left out, v_init follows the threshold and reset actually used. */
  m = parse_ok("layers:\n  - {name: exc, size: 4, neuron: lif, lif: {v_th: "
               "-0.055 V, v_reset: -72.5 mV}}\n", NULL, 0);
  ck_assert_double_eq_tol(m->layers[0].lif.v_th, -55.0, 1e-9);
  ck_assert_double_eq_tol(m->layers[0].lif.v_init_low, -72.5, TOL);
  ck_assert(m->layers[0].lif.v_init_high == m->layers[0].lif.v_th);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_defaults_projection)
{
  ladsim_model *m = parse_ok(
      "simulation: {resolution: 0.1 ms, min_delay: 0.3 ms}\n"
      "layers:\n  - {name: exc, size: 40, neuron: lif}\n"
      "  - {name: inh, size: 10, neuron: lif}\n"
      "projections:\n  - {from: exc, to: inh, weight: 0.5 mV}\n"
      "  - from: inh\n    to: inh\n    rule: indegree\n    indegree: 9\n"
      "    weight: -0.002 V\n", NULL, 0);
  ck_assert_uint_eq(m->n_projections, 2);
  const ladsim_projection_spec *p = &m->projections[0];
  ck_assert_str_eq(p->from, "exc");
  ck_assert_str_eq(p->to, "inh");
  ck_assert_int_eq(p->rule, LADSIM_CONNECT_PROBABILITY);
  ck_assert_double_eq_tol(p->probability, 0.1, TOL);
  ck_assert_double_eq_tol(p->weight, 0.5, TOL);
  ck_assert(p->delay == m->simulation.min_delay); /* the default delay */
  ck_assert(!p->autapses);
  ck_assert_int_eq(p->line, 6);
  p = &m->projections[1];
  ck_assert_int_eq(p->rule, LADSIM_CONNECT_INDEGREE);
  ck_assert_uint_eq(p->indegree, 9); /* all but the target itself */
  ck_assert_double_eq_tol(p->weight, -2.0, 1e-9);
  ck_assert_double_eq_tol(p->delay, 0.3, TOL);
  ck_assert_int_eq(p->line, 7);
  ladsim_model_free(m);
}
END_TEST

static const char SPIKING[] =
    "simulation: {resolution: 0.1 ms, min_delay: 0.2 ms, duration: 2.5 s}\n"
    "input: {dataset: synthetic, max_rate: 1.5 kHz}\n"
    "layers:\n"
    "  - name: exc\n"
    "    neuron: lif\n"
    "    size: 50\n"
    "    learn: false\n"
    "    lif: {tau_m: 15 ms, tau_exc: 2.5 ms, tau_inh: 7 ms, v_th: -0.052 V, "
    "v_reset: -65 mV, e_rest: -70 mV, t_ref: 0 ms, i_e: 21.5 mV, "
    "v_init: [-0.07 V, -55.5 mV], tau_trace: 33 ms, surrogate_beta: 0.25, "
    "coding: current}\n"
    "  - {name: rate_out, size: 3, from: exc, tau: 2 ms, activation: tanh}\n"
    "  - {name: inh, neuron: lif, size: 12, from: none}\n"
    "projections:\n"
    "  - {from: exc, to: exc, probability: 0.35, weight: 0.75 mV, "
    "delay: 1.3 ms, autapses: true}\n"
    "  - {from: inh, to: exc, rule: indegree, indegree: 12, weight: -3.25 mV}\n"
    "  - {from: exc, to: inh, rule: indegree, indegree: 50, weight: 1e-3 V, "
    "delay: 0.4 ms}\n"
    "record: {spikes: [inh, exc], metrics: 0 ms}\n";

static size_t count(const char *text, const char *word)
{
  size_t n = 0;
  for (const char *p = text; (p = strstr(p, word)) != NULL; p++)
    n++;
  return n;
}

START_TEST(test_round_trip_spiking)
{
  round_trip(SPIKING);
  ladsim_model *m = parse_ok(SPIKING, NULL, 0);
  ck_assert_double_eq_tol(m->input.max_rate, 1500.0, TOL);
  const ladsim_lif_spec *c = &m->layers[0].lif;
  ck_assert_double_eq_tol(c->tau_m, 15.0, TOL);
  ck_assert_double_eq_tol(c->tau_exc, 2.5, TOL);
  ck_assert_double_eq_tol(c->v_th, -52.0, 1e-9);
  ck_assert_double_eq_tol(c->e_rest, -70.0, TOL);
  ck_assert_double_eq_tol(c->t_ref, 0.0, TOL);
  ck_assert_double_eq_tol(c->i_e, 21.5, TOL);
  ck_assert_double_eq_tol(c->v_init_low, -70.0, 1e-9);
  ck_assert_double_eq_tol(c->v_init_high, -55.5, TOL);
  ck_assert_double_eq_tol(c->tau_trace, 33.0, TOL);
  ck_assert_double_eq_tol(c->surrogate_beta, 0.25, TOL);
  ck_assert_int_eq(c->coding, LADSIM_CODING_CURRENT);
  ck_assert_str_eq(m->layers[1].from, "exc");
  ck_assert_str_eq(m->layers[2].from, "none");
  ck_assert(m->projections[0].autapses);
  ck_assert_double_eq_tol(m->projections[0].probability, 0.35, TOL);
  ck_assert_double_eq_tol(m->projections[0].delay, 1.3, TOL);
  ck_assert_double_eq_tol(m->projections[1].delay, 0.2, TOL);
  ck_assert_uint_eq(m->projections[2].indegree, 50);
  ck_assert_double_eq_tol(m->projections[2].weight, 1.0, 1e-12);
  ck_assert_uint_eq(m->record.n_spikes, 2);
  ck_assert_str_eq(m->record.spikes[0], "inh"); /* in the order listed */
  ck_assert_str_eq(m->record.spikes[1], "exc");
  /* Each layer prints the keys of its own neuron model only, and each
   * projection the key of its own rule only: the others would not read. */
  char *text = NULL;
  ck_assert_int_eq(ladsim_model_to_string(m, &text), LADSIM_OK);
  ck_assert_uint_eq(count(text, "\n    lif:\n"), 2);
  ck_assert_uint_eq(count(text, "\n    activation: "), 1);
  ck_assert_uint_eq(count(text, "\n    tau: "), 1);
  ck_assert_uint_eq(count(text, "\n    probability: "), 1);
  ck_assert_uint_eq(count(text, "\n    indegree: "), 2);
  ck_assert_ptr_nonnull(strstr(text, "\n      v_init: [-70 mV, -55.5 mV]\n"));
  ck_assert_ptr_nonnull(strstr(text, "\n  spikes: [inh, exc]\n"));
  ck_assert_ptr_nonnull(strstr(text, "\n  max_rate: 1.5 kHz\n"));
  free(text);
  ladsim_model_free(m);
}
END_TEST

static const char NO_DATA[] = "simulation: {duration: 200 ms}\n"
                              "input: {dataset: none}\n"
                              "layers:\n  - {name: pop, size: 5, neuron: lif, "
                              "from: none}\n"
                              "record: {spikes: all}\n";

START_TEST(test_dataset_none)
{
  round_trip(NO_DATA);
  ladsim_model *m = parse_ok(NO_DATA, NULL, 0);
  ck_assert_str_eq(m->input.data.name, "none");
  ck_assert(!m->evaluate.enabled); /* the default without a data set */
  ck_assert_double_eq_tol(m->simulation.duration, 200.0, TOL);
  ladsim_model_free(m);
  /* The mapping form, and an explicit enabled: false. */
  m = parse_ok("simulation: {duration: 1 s}\ninput: {dataset: {name: none}}\n"
               "layers: [{name: a, size: 1, from: none}]\n"
               "evaluate: {enabled: false}\n", NULL, 0);
  ck_assert_str_eq(m->input.data.name, "none");
  ck_assert(!m->evaluate.enabled);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_record_spikes_all)
{
  static const char layers[] = "layers:\n  - {name: a, size: 2, neuron: lif}\n"
                               "  - {name: b, size: 2}\n"
                               "  - {name: c, size: 2, neuron: lif}\n";
  char text[512], *out = NULL;
  snprintf(text, sizeof text, "%srecord: {spikes: all}\n", layers);
  ladsim_model *m = parse_ok(text, NULL, 0);
  ck_assert_uint_eq(m->record.n_spikes, 2);
  ck_assert_str_eq(m->record.spikes[0], "a");
  ck_assert_str_eq(m->record.spikes[1], "c");
  /* all is printed as the layers it stands for. */
  ck_assert_int_eq(ladsim_model_to_string(m, &out), LADSIM_OK);
  ck_assert_ptr_nonnull(strstr(out, "\n  spikes: [a, c]\n"));
  free(out);
  ladsim_model_free(m);
  m = parse_ok("layers: [{name: r, size: 1}]\nrecord: {spikes: all}\n", NULL,
               0);
  ck_assert_uint_eq(m->record.n_spikes, 0); /* no lif layer */
  ladsim_model_free(m);
  snprintf(text, sizeof text, "%srecord:\n  spikes:\n", layers);
  m = parse_ok(text, NULL, 0);
  ck_assert_uint_eq(m->record.n_spikes, 0);
  ladsim_model_free(m);
}
END_TEST

START_TEST(test_error_lif)
{
  expect_error("layers:\n  - {name: a, size: 2, lif: {tau_m: 3 ms}}\n",
               "m.yaml:2:24", "layers.a.lif", "only for neuron: lif");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, tau: 3 ms}\n",
               "m.yaml:2:37", "layers.a.tau", "only for rate neurons");
  expect_error("layers:\n  - name: a\n    neuron: lif\n    size: 2\n"
               "    activation: relu\n", "m.yaml:5:5", "layers.a.activation",
               "only for rate neurons");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: {v_reset: "
               "-50 mV}}\n", "m.yaml:2:52", "layers.a.lif.v_reset",
               "v_reset (-50 mV) must be below v_th (-50 mV)");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: {v_th: "
               "-70 mV}}\n", "m.yaml:2:42", "layers.a.lif.v_reset",
               "the default v_reset (-60 mV) must be below v_th (-70 mV)");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: {v_init: "
               "[-50 mV, -60 mV]}}\n", "m.yaml:2:51", "layers.a.lif.v_init",
               "the low end -50 mV is above the high end -60 mV");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: {v_init: "
               "[-50 mV]}}\n", "m.yaml:2:51", "layers.a.lif.v_init",
               "has 1 items; write two potentials");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: {v_init: "
               "[-50, -40 mV]}}\n", "m.yaml:2:52", "layers.a.lif.v_init[0]",
               "'-50' needs a unit");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: {v_init: "
               "-50 mV}}\n", "m.yaml:2:51", "layers.a.lif.v_init",
               "expected a list of two potentials");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: "
               "{surrogate_beta: 2 /mV}}\n", "m.yaml:2:59",
               "layers.a.lif.surrogate_beta", "this key has no unit");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: {coding: "
               "rate}}\n", "m.yaml:2:51", "layers.a.lif.coding",
               "use one of: poisson, current");
  expect_error("layers:\n  - {name: a, size: 2, neuron: lif, lif: {tau_m: "
               "0 ms}}\n", "m.yaml:2:50", "layers.a.lif.tau_m",
               "it must be > 0 ms");
  expect_error("layers:\n  - {name: none, size: 1}\n", "m.yaml:2:12",
               "layers[0].name", "is reserved");
}
END_TEST

/* Two lif layers' worth of context, then one projection item at 5:5. */
static void expect_projection_error(const char *item, const char *where,
                                    const char *path, const char *hint)
{
  char text[512];
  snprintf(text, sizeof text, "layers:\n  - {name: exc, size: 8, neuron: lif}"
           "\n  - {name: out, size: 2}\nprojections:\n  - %s\n", item);
  expect_error(text, where, path, hint);
}

START_TEST(test_error_projections)
{
  expect_projection_error("{from: exc, to: out, weight: 1 mV}", "m.yaml:5:21",
                          "projections[0].to", "layer 'out' has neuron: rate; "
                          "projections connect lif layers only");
  expect_projection_error("{from: out, to: exc, weight: 1 mV}", "m.yaml:5:12",
                          "projections[0].from", "layer 'out' has neuron: "
                          "rate");
  expect_projection_error("{from: exx, to: exc, weight: 1 mV}", "m.yaml:5:12",
                          "projections[0].from", "no layer named 'exx'; did "
                          "you mean 'exc'?");
  expect_projection_error("{from: input, to: exc, weight: 1 mV}",
                          "m.yaml:5:12", "projections[0].from",
                          "'input' is the input, not a layer");
  expect_projection_error("{from: exc, to: exc, rule: indegree, indegree: 9, "
                          "weight: 1 mV, autapses: true}", "m.yaml:5:52",
                          "projections[0].indegree", "9 is more than the size "
                          "of layer 'exc' (8)");
  expect_projection_error("{from: exc, to: exc, rule: indegree, indegree: 8, "
                          "weight: 1 mV}", "m.yaml:5:52",
                          "projections[0].indegree", "use at most 7 or set "
                          "autapses: true");
  expect_projection_error("{from: exc, to: exc, rule: indegree, weight: 1 mV}",
                          "m.yaml:5:5", "projections[0]", "missing required "
                          "key 'indegree'");
  expect_projection_error("{from: exc, to: exc, rule: indegree, indegree: 2, "
                          "probability: 0.5, weight: 1 mV}", "m.yaml:5:55",
                          "projections[0].probability", "only with rule: "
                          "probability, but this projection has rule: "
                          "indegree");
  expect_projection_error("{from: exc, to: exc, indegree: 2, weight: 1 mV}",
                          "m.yaml:5:26", "projections[0].indegree", "only "
                          "with rule: indegree");
  expect_projection_error("{from: exc, to: exc, probability: 1.5, weight: 1 "
                          "mV}", "m.yaml:5:39", "projections[0].probability",
                          "it must be > 0 and <= 1");
  expect_projection_error("{from: exc, to: exc, weight: 1 mV, delay: 2.5 ms}",
                          "m.yaml:5:47", "projections[0].delay", "not a "
                          "multiple of simulation.resolution");
  expect_projection_error("{from: exc, to: exc, weight: 1.62}", "m.yaml:5:34",
                          "projections[0].weight", "'1.62' needs a unit, e.g. "
                          "`-50 mV`");
  expect_projection_error("{from: exc, to: exc, weight: 1.62 ms}",
                          "m.yaml:5:34", "projections[0].weight", "is not a "
                          "potential");
  expect_projection_error("{from: exc, to: exc, weight: 0 mV}", "m.yaml:5:34",
                          "projections[0].weight", "is zero");
  expect_projection_error("{from: exc, to: exc}", "m.yaml:5:5",
                          "projections[0]", "missing required key 'weight'");
  expect_projection_error("{from: exc, to: exc, weight: 1 mV, delya: 1 ms}",
                          "m.yaml:5:40", "projections[0].delya", "did you "
                          "mean 'delay'?");
  expect_error("simulation: {resolution: 0.1 ms, min_delay: 0.5 ms}\n"
               "layers: [{name: exc, size: 8, neuron: lif}]\nprojections:\n"
               "  - {from: exc, to: exc, weight: 1 mV, delay: 0.2 ms}\n",
               "m.yaml:4:47", "projections[0].delay", "0.2 ms is shorter than "
               "simulation.min_delay (0.5 ms)");
  expect_error("layers: [{name: exc, size: 8, neuron: lif}]\n"
               "projections: {from: exc}\n", "m.yaml:2:14", "projections",
               "expected a list of projections");
}
END_TEST

START_TEST(test_error_too_many_projections)
{
  char text[8192] = "layers: [{name: a, size: 2, neuron: lif}]\nprojections:\n";
  for (int i = 0; i <= LADSIM_MAX_PROJECTIONS; i++)
    snprintf(text + strlen(text), sizeof text - strlen(text),
             "  - {from: a, to: a, weight: %d mV}\n", i + 1);
  expect_error(text, "m.yaml:3:3", "projections", "has 65 projections; give "
               "at most 64");
}
END_TEST

static void expect_spikes_error(const char *value, const char *where,
                                const char *path, const char *hint)
{
  char text[512];
  snprintf(text, sizeof text, "layers:\n  - {name: exc, size: 8, neuron: lif}"
           "\n  - {name: out, size: 2}\nrecord:\n  spikes: %s\n", value);
  expect_error(text, where, path, hint);
}

START_TEST(test_error_spikes)
{
  expect_spikes_error("[exc, out]", "m.yaml:5:17", "record.spikes[1]",
                      "layer 'out' has neuron: rate; only lif layers spike");
  expect_spikes_error("[exc, exc]", "m.yaml:5:17", "record.spikes[1]",
                      "layer 'exc' is listed twice (first as item 0)");
  expect_spikes_error("[ecx]", "m.yaml:5:12", "record.spikes[0]",
                      "no layer named 'ecx'; did you mean 'exc'?");
  expect_spikes_error("exc", "m.yaml:5:11", "record.spikes", "'exc' is not "
                      "allowed; write all or a list of lif layers, e.g. "
                      "`[exc]`");
  expect_spikes_error("{exc: 1}", "m.yaml:5:11", "record.spikes", "expected "
                      "all or a list of lif layers, found a mapping");
}
END_TEST

START_TEST(test_error_dataset_none)
{
  expect_error("input: {dataset: none}\nlayers: [{name: a, size: 1, from: "
               "none}]\n", "m.yaml:1:18", "simulation.duration", "with "
               "input.dataset none, give simulation.duration");
  expect_error("simulation: {duration: 0 ms}\ninput: {dataset: none}\n"
               "layers: [{name: a, size: 1, from: none}]\n", "m.yaml:1:24",
               "simulation.duration", "give simulation.duration");
  expect_error("simulation: {duration: 1 s}\ninput: {dataset: none}\n"
               "layers:\n  - {name: a, size: 1, from: input}\n", "m.yaml:4:30",
               "layers.a.from", "input.dataset is none, so layer 'a' cannot "
               "take input from 'input'; write `from: none`");
  expect_error("simulation: {duration: 1 s}\ninput: {dataset: none}\n"
               "layers:\n  - {name: a, size: 1}\n", "m.yaml:4:5",
               "layers.a.from", "the default 'input' needs a data set");
  expect_error("simulation: {duration: 1 s}\ninput: {dataset: none}\n"
               "layers:\n  - {name: a, size: 1, neuron: lif, from: none}\n"
               "  - {name: b, size: 1, from: a}\n", "m.yaml:5:30",
               "layers.b.from", "cannot take input from 'a'");
  expect_error("simulation: {duration: 1 s}\ninput: {dataset: none}\n"
               "layers: [{name: a, size: 1, from: none}]\n"
               "evaluate: {enabled: true}\n", "m.yaml:4:21",
               "evaluate.enabled", "evaluation needs a data set");
  expect_error("simulation: {duration: 1 s}\n"
               "input: {dataset: {name: none, classes: 3}}\n"
               "layers: [{name: a, size: 1, from: none}]\n", "m.yaml:2:31",
               "input.dataset.classes", "only used with name: synthetic, but "
               "this data set is none");
}
END_TEST

START_TEST(test_override_spiking)
{
  static const char text[] = "layers:\n  - {name: exc, size: 8, neuron: lif}\n"
                             "  - {name: inh, size: 2, neuron: lif}\n"
                             "projections:\n"
                             "  - {from: exc, to: inh, weight: 1 mV}\n"
                             "  - {from: inh, to: exc, weight: -1 mV}\n";
  const char *ov[] = {"projections.0.weight=2mV", "projections.1.rule=indegree",
                      "projections.1.indegree=2", "layers.exc.lif.t_ref=2ms",
                      "layers.inh.lif={v_th: -45 mV}", "record.spikes=all",
                      "simulation.min_delay=3 ms", "input.max_rate=50 Hz"};
  ladsim_model *m = parse_ok(text, ov, sizeof ov / sizeof ov[0]);
  ck_assert_double_eq_tol(m->projections[0].weight, 2.0, TOL);
  ck_assert_int_eq(m->projections[1].rule, LADSIM_CONNECT_INDEGREE);
  ck_assert_uint_eq(m->projections[1].indegree, 2);
  ck_assert_int_eq(m->projections[1].line, 6);
  ck_assert_double_eq_tol(m->layers[0].lif.t_ref, 2.0, TOL);
  ck_assert_double_eq_tol(m->layers[1].lif.t_ref, 5.0, TOL);
  ck_assert_double_eq_tol(m->layers[1].lif.v_th, -45.0, TOL);
  ck_assert_double_eq_tol(m->layers[1].lif.v_init_high, -45.0, TOL);
  ck_assert_uint_eq(m->record.n_spikes, 2);
  /* Default delays follow an overridden min_delay. */
  ck_assert_double_eq_tol(m->projections[0].delay, 3.0, TOL);
  ck_assert_double_eq_tol(m->projections[1].delay, 3.0, TOL);
  ck_assert_double_eq_tol(m->input.max_rate, 50.0, TOL);
  ladsim_model_free(m);
  const char *no_unit[] = {"projections.0.weight=2"};
  expect_error_ov(text, no_unit, 1, "--set projections.0.weight=2",
                  "projections[0].weight", "'2' needs a unit");
  const char *bad_index[] = {"projections.2.weight=2mV"};
  expect_error_ov(text, bad_index, 1, "--set projections.2.weight=2mV",
                  "projections", "has 2 items");
  /* A model with a data set turned into one without. */
  const char *no_data[] = {"input.dataset=none", "simulation.duration=1s",
                           "layers.exc.from=none", "layers.inh.from=none"};
  m = parse_ok(text, no_data, 4);
  ck_assert_str_eq(m->input.data.name, "none");
  ck_assert(!m->evaluate.enabled);
  ladsim_model_free(m);
}
END_TEST

/* examples/cuba.yaml is the benchmark network, key for key. */
START_TEST(test_cuba_example)
{
  const char *top = getenv("LADSIM_SRCDIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/examples/cuba.yaml", top ? top : "..");
  ladsim_model *m = NULL;
  ck_assert_msg(ladsim_model_load(path, NULL, 0, &m) == LADSIM_OK, "%s",
                ladsim_error_message());
  ck_assert_double_eq_tol(m->simulation.resolution, 0.1, TOL);
  ck_assert_double_eq_tol(m->simulation.min_delay, 0.1, TOL);
  ck_assert_double_eq_tol(m->simulation.duration, 1000.0, TOL);
  ck_assert_uint_eq(m->simulation.seed, 1);
  ck_assert_str_eq(m->input.data.name, "none");
  ck_assert_uint_eq(m->n_layers, 2);
  const size_t sizes[] = {3200, 800};
  for (size_t i = 0; i < 2; i++) {
    const ladsim_layer_spec *l = &m->layers[i];
    ck_assert_str_eq(l->name, i == 0 ? "exc" : "inh");
    ck_assert_int_eq(l->neuron, LADSIM_NEURON_LIF);
    ck_assert_uint_eq(l->size, sizes[i]);
    ck_assert_str_eq(l->from, "none");
    ck_assert(!l->learn);
    ck_assert_double_eq_tol(l->lif.tau_m, 20.0, TOL);
    ck_assert_double_eq_tol(l->lif.tau_exc, 5.0, TOL);
    ck_assert_double_eq_tol(l->lif.tau_inh, 10.0, TOL);
    ck_assert_double_eq_tol(l->lif.v_th, -50.0, TOL);
    ck_assert_double_eq_tol(l->lif.v_reset, -60.0, TOL);
    ck_assert_double_eq_tol(l->lif.e_rest, -49.0, TOL);
    ck_assert_double_eq_tol(l->lif.t_ref, 5.0, TOL);
    ck_assert_double_eq_tol(l->lif.v_init_low, -60.0, TOL);
    ck_assert_double_eq_tol(l->lif.v_init_high, -50.0, TOL);
  }
  ck_assert_uint_eq(m->n_projections, 4);
  static const char *const ends[4][2] = {{"exc", "exc"}, {"exc", "inh"},
                                         {"inh", "exc"}, {"inh", "inh"}};
  for (size_t k = 0; k < 4; k++) {
    const ladsim_projection_spec *p = &m->projections[k];
    ck_assert_str_eq(p->from, ends[k][0]);
    ck_assert_str_eq(p->to, ends[k][1]);
    ck_assert_int_eq(p->rule, LADSIM_CONNECT_PROBABILITY);
    ck_assert_double_eq_tol(p->probability, 0.02, TOL);
    ck_assert_double_eq_tol(p->weight, k < 2 ? 1.62 : -9.0, TOL);
    ck_assert_double_eq_tol(p->delay, 0.1, TOL);
  }
  ck_assert_uint_eq(m->record.n_spikes, 2);
  ck_assert_str_eq(m->record.spikes[0], "exc");
  ck_assert_str_eq(m->record.spikes[1], "inh");
  ck_assert_double_eq_tol(m->record.metrics, 0.0, TOL);
  ck_assert(!m->evaluate.enabled);
  ladsim_model_free(m);
}
END_TEST

/* Poisson coding of a lif layer fed by the stimulus cannot take centred
 * pixels: the model file's input.center is named, with the layer's line. */
START_TEST(test_error_lif_centered_input)
{
  const char text[] = "input:\n  dataset: synthetic\n  center: true\n"
                      "layers:\n  - name: hid\n    neuron: lif\n    size: 4\n";
  expect_error(text, "m.yaml:3:11", "input.center", "lif layer 'hid' (line 5)");
  expect_error(text, "m.yaml:3:11", "input.center", "set input.center: false");
  const char *const ov[] = {"input.center=true"};
  const char lif[] = "input:\n  dataset: synthetic\n"
                     "layers:\n  - name: hid\n    neuron: lif\n    size: 4\n";
  expect_error_ov(lif, ov, 1, "--set input.center=true", "input.center", "Poisson");
  /* Rate layers take centred pixels. */
  ladsim_model_free(parse_ok("input: {center: true}\n"
                             "layers:\n  - name: hid\n    size: 4\n", NULL, 0));
}
END_TEST

static Suite *config_suite(void)
{
  Suite *s = suite_create("config");
  TCase *tc;
  tc = tcase_create("defaults");
  tcase_add_test(tc, test_defaults_filled);
  tcase_add_test(tc, test_defaults_learning);
  suite_add_tcase(s, tc);
  tc = tcase_create("units");
  tcase_add_test(tc, test_units_converted);
  tcase_add_test(tc, test_units_all_dimensions);
  tcase_add_test(tc, test_units_written_exactly);
  suite_add_tcase(s, tc);
  tc = tcase_create("round_trip");
  tcase_add_test(tc, test_round_trip_full);
  tcase_add_test(tc, test_round_trip_variants);
  tcase_add_test(tc, test_round_trip_targets);
  tcase_add_test(tc, test_write_is_yaml_with_units);
  suite_add_tcase(s, tc);
  tc = tcase_create("files");
  tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
  tcase_add_test(tc, test_load_file);
  tcase_add_test(tc, test_load_missing_file);
  tcase_add_test(tc, test_load_reports_file_name);
  tcase_add_test(tc, test_examples_load);
  suite_add_tcase(s, tc);
  tc = tcase_create("errors");
  tcase_add_test(tc, test_error_yaml_syntax);
  tcase_add_test(tc, test_error_unknown_key);
  tcase_add_test(tc, test_error_duplicate_key);
  tcase_add_test(tc, test_error_missing_required);
  tcase_add_test(tc, test_error_too_many_layers);
  tcase_add_test(tc, test_error_wrong_type);
  tcase_add_test(tc, test_error_units);
  tcase_add_test(tc, test_error_range);
  tcase_add_test(tc, test_error_enum);
  tcase_add_test(tc, test_error_layer_names);
  tcase_add_test(tc, test_error_from);
  tcase_add_test(tc, test_error_multiple_of_resolution);
  suite_add_tcase(s, tc);
  tc = tcase_create("targets");
  tcase_add_test(tc, test_target_forms);
  tcase_add_test(tc, test_error_target);
  suite_add_tcase(s, tc);
  tc = tcase_create("datasets");
  tcase_add_test(tc, test_dataset_forms);
  tcase_add_test(tc, test_error_dataset);
  suite_add_tcase(s, tc);
  tc = tcase_create("overrides");
  tcase_add_test(tc, test_override_by_name_and_index);
  tcase_add_test(tc, test_override_adds_keys);
  tcase_add_test(tc, test_error_override);
  suite_add_tcase(s, tc);
  tc = tcase_create("spiking");
  tcase_add_test(tc, test_defaults_lif);
  tcase_add_test(tc, test_defaults_projection);
  tcase_add_test(tc, test_round_trip_spiking);
  tcase_add_test(tc, test_dataset_none);
  tcase_add_test(tc, test_record_spikes_all);
  tcase_add_test(tc, test_error_lif);
  tcase_add_test(tc, test_error_projections);
  tcase_add_test(tc, test_error_too_many_projections);
  tcase_add_test(tc, test_error_spikes);
  tcase_add_test(tc, test_error_dataset_none);
  tcase_add_test(tc, test_override_spiking);
  tcase_add_test(tc, test_cuba_example);
  tcase_add_test(tc, test_error_lif_centered_input);
  suite_add_tcase(s, tc);
  tc = tcase_create("api");
  tcase_add_test(tc, test_api);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(config_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
