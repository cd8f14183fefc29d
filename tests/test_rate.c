/* test_rate.c: the rate neuron model against its analytic solution. */
#include "config.h"
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "models/rate.h"

/* tau du/dt = -u + I with I constant: u(t) = I + (u0 - I) e^{-t/tau}. */
START_TEST(test_constant_input)
{
  ladsim_rate_params p = {.tau = 7.3, .activation = LADSIM_ACT_LINEAR};
  ladsim_rate_internals in;
  ck_assert_int_eq(ladsim_rate_prepare(&p, 0.1, &in), LADSIM_OK);
  double u = -1.25, I = 2.5, z, fp;
  for (int k = 1; k <= 250; k++) {
    ladsim_rate_update(&in, 1, &u, &I, &z, &fp);
    double t = 0.1 * k;
    ck_assert_double_eq_tol(u, I + (-1.25 - I) * exp(-t / 7.3), 1e-12);
  }
  ck_assert_double_eq(z, u);
  ck_assert_double_eq(fp, 1.0);
}
END_TEST

/* Piecewise constant input: the propagator is exact at every step whatever
 * the resolution, so two resolutions agree at common times. */
START_TEST(test_piecewise_input_resolutions)
{
  ladsim_rate_params p = {.tau = 4.0, .activation = LADSIM_ACT_RELU};
  ladsim_rate_internals coarse, fine;
  ck_assert_int_eq(ladsim_rate_prepare(&p, 1.0, &coarse), LADSIM_OK);
  ck_assert_int_eq(ladsim_rate_prepare(&p, 0.01, &fine), LADSIM_OK);
  double uc = 0.3, uf = 0.3, z, fp;
  double drive[] = {1.5, -0.7, 3.2, 0.0};
  for (int seg = 0; seg < 4; seg++) {
    for (int k = 0; k < 5; k++)
      ladsim_rate_update(&coarse, 1, &uc, &drive[seg], &z, &fp);
    for (int k = 0; k < 500; k++)
      ladsim_rate_update(&fine, 1, &uf, &drive[seg], &z, &fp);
    ck_assert_double_eq_tol(uc, uf, 1e-11);
  }
  /* Analytic value after the first segment (5 ms at drive 1.5). */
  double u1 = 1.5 + (0.3 - 1.5) * exp(-5.0 / 4.0);
  ladsim_rate_internals one;
  ck_assert_int_eq(ladsim_rate_prepare(&p, 5.0, &one), LADSIM_OK);
  double u = 0.3;
  ladsim_rate_update(&one, 1, &u, &drive[0], &z, &fp);
  ck_assert_double_eq_tol(u, u1, 1e-14);
  ck_assert_double_eq_tol(z, u1, 1e-14);
}
END_TEST

/* f' against a central difference of f, for every activation. */
START_TEST(test_activation_derivatives)
{
  ladsim_activation acts[] = {LADSIM_ACT_RELU, LADSIM_ACT_TANH, LADSIM_ACT_LINEAR,
                              LADSIM_ACT_SOFTPLUS, LADSIM_ACT_SIGMOID};
  double us[] = {-2.3, -0.4, 0.35, 1.7, 4.2};
  for (size_t a = 0; a < 5; a++)
    for (size_t k = 0; k < 5; k++) {
      double h = 1e-6, u = us[k];
      double fd = (ladsim_rate_f(acts[a], u + h) - ladsim_rate_f(acts[a], u - h)) / (2 * h);
      ck_assert_double_eq_tol(ladsim_rate_fprime(acts[a], u), fd, 1e-7);
    }
  ck_assert_double_eq_tol(ladsim_rate_f(LADSIM_ACT_SOFTPLUS, 0.0), log(2.0), 1e-15);
  ck_assert_double_eq_tol(ladsim_rate_f(LADSIM_ACT_SIGMOID, -800.0), 0.0, 1e-300);
  ck_assert_double_eq_tol(ladsim_rate_f(LADSIM_ACT_SOFTPLUS, 800.0), 800.0, 1e-12);
}
END_TEST

/* The vectorised relu path and the generic path give the same numbers. */
START_TEST(test_relu_vector_path)
{
  ladsim_rate_params p = {.tau = 3.0, .activation = LADSIM_ACT_RELU};
  ladsim_rate_internals in;
  ck_assert_int_eq(ladsim_rate_prepare(&p, 0.5, &in), LADSIM_OK);
  double u[6] = {-1, -0.2, 0, 0.1, 0.9, 3}, I[6] = {2, -1, 0.5, -3, 1, 0};
  double z[6], fp[6];
  double u_ref[6];
  for (int i = 0; i < 6; i++)
    u_ref[i] = u[i] * exp(-0.5 / 3.0) + I[i] * (1 - exp(-0.5 / 3.0));
  ladsim_rate_update(&in, 6, u, I, z, fp);
  for (int i = 0; i < 6; i++) {
    ck_assert_double_eq_tol(u[i], u_ref[i], 1e-14);
    ck_assert_double_eq_tol(z[i], fmax(u_ref[i], 0.0), 1e-14);
    ck_assert_double_eq(fp[i], u_ref[i] > 0 ? 1.0 : 0.0);
  }
}
END_TEST

START_TEST(test_bad_parameters)
{
  ladsim_rate_internals in;
  ladsim_rate_params p = {.tau = 0.0, .activation = LADSIM_ACT_RELU};
  ck_assert_int_eq(ladsim_rate_prepare(&p, 0.1, &in), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "tau"));
  p.tau = 5.0;
  ck_assert_int_eq(ladsim_rate_prepare(&p, -1.0, &in), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "resolution"));
}
END_TEST

int main(void)
{
  Suite *s = suite_create("rate");
  TCase *tc = tcase_create("propagator");
  tcase_add_test(tc, test_constant_input);
  tcase_add_test(tc, test_piecewise_input_resolutions);
  tcase_add_test(tc, test_activation_derivatives);
  tcase_add_test(tc, test_relu_vector_path);
  tcase_add_test(tc, test_bad_parameters);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
