/* args.c: the options the subcommands share, and how failures are reported. */
#include "config.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ladsim_status need_value(int argc, char **argv, int i, const char *usage)
{
  if (i + 1 >= argc)
    return LADSIM_ERROR(LADSIM_EUSAGE, "option %s needs a value\n%s", argv[i], usage);
  return LADSIM_OK;
}

/* --progress and --quiet contradict each other: neither wins silently. */
static ladsim_status set_progress(ladsim_cli_args *a, int value, const char *usage)
{
  if (a->progress != -1 && a->progress != value)
    return LADSIM_ERROR(LADSIM_EUSAGE, "--progress and --quiet contradict each other; "
                        "give one of them\n%s", usage);
  a->progress = value;
  return LADSIM_OK;
}

static ladsim_status add_set(ladsim_cli_args *a, const char *kv)
{
  if (!strchr(kv, '='))
    return LADSIM_ERROR(LADSIM_EUSAGE, "--set %s: expected KEY=VALUE, e.g. "
                        "--set layers.hidden.size=512", kv);
  if (a->n_sets == LADSIM_CLI_MAX_SETS)
    return LADSIM_ERROR(LADSIM_EUSAGE, "more than %d --set options", LADSIM_CLI_MAX_SETS);
  a->sets[a->n_sets++] = kv;
  return LADSIM_OK;
}

/* One option at argv[*i]; advances *i past a value it takes. */
static ladsim_status option(int argc, char **argv, int *i, const char *usage,
                            bool takes_output, ladsim_cli_args *a)
{
  const char *o = argv[*i];
  if (!strcmp(o, "-h") || !strcmp(o, "--help"))
    a->help = true;
  else if (!strcmp(o, "--set") || !strcmp(o, "-s")) {
    LADSIM_CHECK(need_value(argc, argv, *i, usage));
    LADSIM_CHECK(add_set(a, argv[++*i]));
  } else if (!strncmp(o, "--set=", 6))
    LADSIM_CHECK(add_set(a, o + 6));
  else if (takes_output && !strcmp(o, "-o")) {
    LADSIM_CHECK(need_value(argc, argv, *i, usage));
    a->output = argv[++*i];
  } else if (takes_output && !strcmp(o, "--resume")) {
    LADSIM_CHECK(need_value(argc, argv, *i, usage));
    a->resume = argv[++*i];
  } else if (takes_output && !strcmp(o, "--checkpoint")) {
    LADSIM_CHECK(need_value(argc, argv, *i, usage));
    a->checkpoint = argv[++*i];
  } else if (takes_output && !strcmp(o, "--force"))
    a->force = true;
  else if (takes_output && !strcmp(o, "--progress"))
    LADSIM_CHECK(set_progress(a, 1, usage));
  else if (takes_output && !strcmp(o, "--quiet"))
    LADSIM_CHECK(set_progress(a, 0, usage));
  else if (takes_output && !strcmp(o, "--profile"))
    a->profile = true;
  else
    return LADSIM_ERROR(LADSIM_EUSAGE, "unknown option '%s'\n%s", o, usage);
  return LADSIM_OK;
}

ladsim_status ladsim_cli_parse(int argc, char **argv, int first, const char *usage,
                               const char *operand, bool takes_output, ladsim_cli_args *a)
{
  memset(a, 0, sizeof *a);
  a->progress = -1;
  for (int i = first; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      LADSIM_CHECK(option(argc, argv, &i, usage, takes_output, a));
    else if (!a->model)
      a->model = argv[i];
    else
      return LADSIM_ERROR(LADSIM_EUSAGE, "unexpected argument '%s'\n%s", argv[i], usage);
  }
  if (!a->model && !a->help)
    return LADSIM_ERROR(LADSIM_EUSAGE, "missing %s\n%s", operand, usage);
  return LADSIM_OK;
}

ladsim_status ladsim_cli_sim_create(const ladsim_model *m, ladsim_sim **sim)
{
  ladsim_status st = ladsim_sim_create(ladsim_cli_world(), m, sim);
  if (st != LADSIM_ECONFIG)
    return st;
  /* The network's checks know the key but not the file: name the model. */
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", ladsim_error_message());
  if (strncmp(msg, m->path, strlen(m->path)) == 0)
    return st;
  return LADSIM_ERROR(LADSIM_ECONFIG, "%s: %s", m->path, msg);
}

int ladsim_cli_fail(ladsim_status st, int rank)
{
  if (rank == 0) {
    fprintf(stderr, "ladsim: error: %s\n", ladsim_error_message());
    if (getenv("LADSIM_TRACE"))
      fputs(ladsim_error_backtrace(), stderr);
  }
  return ladsim_exit_status(st);
}

bool ladsim_cli_start(int argc, char **argv, const char *usage, const char *operand,
                      bool takes_output, int rank, ladsim_cli_args *a, int *code)
{
  ladsim_status st = ladsim_cli_parse(argc, argv, 2, usage, operand, takes_output, a);
  if (st) {
    *code = ladsim_cli_fail(st, rank);
    return false;
  }
  if (a->help) {
    if (rank == 0)
      fputs(usage, stdout);
    *code = 0;
    return false;
  }
  return true;
}
