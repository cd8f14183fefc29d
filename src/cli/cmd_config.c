/* cmd_config.c: 'ladsim config' prints the resolved model; 'ladsim validate' checks it. */
#include "config.h"
#include "cli/cli.h"

#include <stdio.h>

static const char config_usage[] =
  "usage: ladsim config MODEL [--set KEY=VALUE]...\n"
  "Prints the model with every default filled in, as YAML that ladsim reads.\n";

static const char validate_usage[] =
  "usage: ladsim validate MODEL [--set KEY=VALUE]...\n"
  "Checks a model file (syntax, keys, types, units, ranges, data files) and\n"
  "builds its network without running it: what validate accepts, run accepts.\n";

/* Building the simulation runs every check a run makes before simulating
 * (data files, the probe's sample counts, the network), so validate and
 * run cannot disagree. Collective. */
static ladsim_status check_buildable(const ladsim_model *m)
{
  ladsim_sim *sim = NULL;
  LADSIM_CHECK(ladsim_cli_sim_create(m, &sim));
  ladsim_sim_free(sim);
  return LADSIM_OK;
}

int ladsim_cmd_config(int argc, char **argv, int rank, bool validate_only)
{
  const char *usage = validate_only ? validate_usage : config_usage;
  ladsim_cli_args a;
  int code;
  if (!ladsim_cli_start(argc, argv, usage, "the model file", false, rank, &a, &code))
    return code;
  ladsim_model *m;
  ladsim_status st = ladsim_model_load(a.model, a.sets, a.n_sets, &m);
  if (st)
    return ladsim_cli_fail(st, rank);
  if (validate_only)
    st = check_buildable(m);
  if (st == LADSIM_OK && rank == 0) {
    if (validate_only)
      printf("%s: valid (%zu layer%s)\n", a.model, m->n_layers, m->n_layers == 1 ? "" : "s");
    else
      st = ladsim_model_write(m, stdout);
  }
  ladsim_model_free(m);
  return st ? ladsim_cli_fail(st, rank) : 0;
}
