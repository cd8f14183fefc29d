/* lif_models.h: the pieces of the small spiking models that the MPI tests share. */
#ifndef LADSIM_TESTS_LIF_MODELS_H
#define LADSIM_TESTS_LIF_MODELS_H

/* A tiny synthetic data set shown as Poisson trains (6 x 6 pixels, views
 * of 20 steps), exchanges every two steps, and the start of the layers. */
#define LADSIM_TEST_LIF_INPUT \
  "simulation: {resolution: 0.5 ms, seed: 5, min_delay: 1 ms}\n" \
  "input:\n" \
  "  dataset: {name: synthetic, classes: 4, side: 6, train_size: 48, test_size: 24, noise: 0.3}\n" \
  "  views_per_sample: 2\n" \
  "  view_duration: 10 ms\n" \
  "  epochs: 2\n" \
  "  max_rate: 200 Hz\n" \
  "layers:\n"

/* A lif layer of 13 neurons fed by the input that learns with the whole
 * rule; `extra` adds lines to its learning section. */
#define LADSIM_TEST_LIF_FEAT(extra) \
  "  - name: feat\n" \
  "    neuron: lif\n" \
  "    size: 13\n" \
  "    init: {std: 3}\n" \
  "    lif: {e_rest: -60 mV, v_reset: -60 mV, v_th: -50 mV, tau_m: 10 ms, tau_exc: 5 ms,\n" \
  "          tau_inh: 5 ms, t_ref: 2 ms, tau_trace: 10 ms}\n" \
  "    learning:\n" \
  "      eta: 0.5\n" \
  extra \
  "      adversarial: {weight: 0.5, eta_predictor: 0.05}\n" \
  "      invariance: {weight: 0.2, tau: 20 ms}\n" \
  "      sigreg: {weight: 1, tau: 200 ms, target: {exponential: {rate: 2}}}\n"

/* A population of `size` LIF neurons without input of its own, resting
 * at e_rest (above threshold: it fires on its own). */
#define LADSIM_TEST_LIF_POP(name, size, e_rest) \
  "  - name: " name "\n" \
  "    neuron: lif\n" \
  "    size: " size "\n" \
  "    from: none\n" \
  "    learn: false\n" \
  "    lif: {tau_m: 20 ms, tau_exc: 5 ms, tau_inh: 10 ms, v_th: -50 mV, v_reset: -60 mV,\n" \
  "          e_rest: " e_rest ", t_ref: 2 ms, v_init: [-60 mV, -50 mV]}\n"

#endif
