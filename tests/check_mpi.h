/* check_mpi.h: runs a Check suite in one MPI process. */
#ifndef LADSIM_TESTS_CHECK_MPI_H
#define LADSIM_TESTS_CHECK_MPI_H

#include <check.h>
#include <mpi.h>
#include <stdlib.h>

/* Initialises MPI, runs suite s without forking (MPI does not survive a
 * fork) and returns the exit status of the test program. */
static inline int ladsim_test_run_mpi(int argc, char **argv, Suite *s)
{
  MPI_Init(&argc, &argv);
  SRunner *sr = srunner_create(s);
  srunner_set_fork_status(sr, CK_NOFORK);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  MPI_Finalize();
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
