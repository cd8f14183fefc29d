/* cmd_probe.c: 'ladsim probe' computes the report again from a run's file. */
#include "config.h"
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* A run's file must be a readable regular file: found before HDF5 sees it. */
static ladsim_status check_file(const char *path)
{
  struct stat st;
  if (stat(path, &st) != 0)
    return LADSIM_ERROR(LADSIM_EUSAGE, "cannot open %s: %s; give the output file of a run",
                        path, strerror(errno));
  if (!S_ISREG(st.st_mode))
    return LADSIM_ERROR(LADSIM_EUSAGE, "%s is not a regular file; give the output file of "
                        "a run", path);
  return LADSIM_OK;
}

/* The "learned" column is the last weight snapshot: a run that stopped
 * before its first snapshot after t = 0 (record.weights: end) has none, and
 * probing it would show the initial weights twice. */
static ladsim_status check_snapshots(ladsim_input_file *f, const char *path, int rank)
{
  int dims_n;
  size_t dims[4];
  double *t = NULL;
  if (!ladsim_input_file_has(f, "/weights/time"))
    return LADSIM_OK;   /* loading the weights says what is missing */
  LADSIM_CHECK(ladsim_input_file_read_doubles(f, "/weights/time", &dims_n, dims, &t));
  double last = dims_n == 1 && dims[0] > 0 ? t[dims[0] - 1] : 0.0;
  free(t);
  if (last <= 0.0)
    return LADSIM_ERROR(LADSIM_EUSAGE, "%s holds only the weights at initialisation (t = 0): "
                        "the run stopped before it recorded trained weights, so there is "
                        "nothing learned to probe; resume it with --resume, or record "
                        "weights at intervals (record.weights: 1 s)", path);
  size_t len = strlen(path);
  if (rank == 0 && len > 8 && strcmp(path + len - 8, ".partial") == 0)
    fprintf(stderr, "ladsim: warning: %s is the file of a run that did not finish; "
            "\"learned\" is its last weight snapshot, at t = %g s\n", path, last * 1e-3);
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
  LADSIM_CHECK(check_file(a->model));
  LADSIM_CHECK_GOTO(st, ladsim_input_file_open(a->model, &f), done);
  LADSIM_CHECK_GOTO(st, check_snapshots(f, a->model, rank), done);
  LADSIM_CHECK_GOTO(st, ladsim_input_file_read_string(f, "/config/resolved", &text), done);
  LADSIM_CHECK_GOTO(st, ladsim_model_parse(text, a->model, a->sets, a->n_sets, &m), done);
  LADSIM_CHECK_GOTO(st, ladsim_sim_create(ladsim_cli_world(), m, &sim), done);
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
  if (!ladsim_cli_start(argc, argv, usage, "the output file of a run (OUT.h5)", false, rank, &a, &code))
    return code;
  ladsim_status st = probe(&a, rank);
  return st ? ladsim_cli_fail(st, rank) : 0;
}
