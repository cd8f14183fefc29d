/* cmd_probe.c: 'ladsim probe' computes the report again from a run's file. */
#include "config.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
  "usage: ladsim probe OUT.h5 [--set KEY=VALUE]...\n"
  "Rebuilds the network of a finished run from its /config, loads its first\n"
  "and last weight snapshots and prints the evaluation report again.\n"
  "  --set KEY=VALUE   change the evaluation, e.g. --set evaluate.test=2000\n";

/* Only the evaluation may change: the network must stay the one whose
 * weights the file holds. */
static ladsim_status check_sets(const ladsim_cli_args *a)
{
  for (size_t k = 0; k < a->n_sets; k++)
    if (strncmp(a->sets[k], "evaluate.", 9) != 0 &&
        strncmp(a->sets[k], "input.dataset.", 14) != 0)
      return LADSIM_ERROR(LADSIM_EUSAGE, "--set %s: probe changes only evaluate.* and "
                          "input.dataset.* keys; the network is the one in the file",
                          a->sets[k]);
  return LADSIM_OK;
}

static ladsim_status probe(const ladsim_cli_args *a, int rank)
{
  ladsim_input_file *f = NULL;
  ladsim_model *m = NULL;
  ladsim_sim *sim = NULL;
  char *text = NULL;
  ladsim_status st;
  LADSIM_CHECK(check_sets(a));
  size_t len = strlen(a->model);
  if (rank == 0 && len > 8 && strcmp(a->model + len - 8, ".partial") == 0)
    fprintf(stderr, "ladsim: warning: %s is the file of a run that did not finish; its "
            "last weights are from where it stopped\n", a->model);
  LADSIM_CHECK_GOTO(st, ladsim_input_file_open(a->model, &f), done);
  LADSIM_CHECK_GOTO(st, ladsim_input_file_read_string(f, "/config/resolved", &text), done);
  LADSIM_CHECK_GOTO(st, ladsim_model_parse(text, a->model, a->sets, a->n_sets, &m), done);
  LADSIM_CHECK_GOTO(st, ladsim_sim_create(MPI_COMM_WORLD, m, &sim), done);
  LADSIM_CHECK_GOTO(st, ladsim_sim_load_weights(sim, f), done);
  ladsim_report rep;
  LADSIM_CHECK_GOTO(st, ladsim_sim_evaluate(sim, NULL, &rep), done);
  if (rank == 0)
    ladsim_report_print(&rep, stdout);
done:
  ladsim_sim_free(sim);
  ladsim_model_free(m);
  free(text);
  ladsim_input_file_close(f);
  return st;
}

int ladsim_cmd_probe(int argc, char **argv, int rank)
{
  ladsim_cli_args a;
  int code;
  if (!ladsim_cli_start(argc, argv, usage, false, rank, &a, &code))
    return code;
  ladsim_status st = probe(&a, rank);
  return st ? ladsim_cli_fail(st, rank) : 0;
}
