/* cli.h: the subcommands of the ladsim program and what they share. */
#ifndef LADSIM_CLI_CLI_H
#define LADSIM_CLI_CLI_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <ladsim/ladsim.h>

#define LADSIM_CLI_MAX_SETS 256

/* The options every model-reading subcommand understands. */
typedef struct {
  const char *model;                       /* the model file */
  const char *output;                      /* -o */
  const char *resume;                      /* --resume CKPT */
  const char *checkpoint;                  /* --checkpoint FILE */
  const char *sets[LADSIM_CLI_MAX_SETS];   /* --set KEY=VALUE */
  size_t n_sets;
  bool force;                              /* --force */
  int progress;                            /* 1 --progress, 0 --quiet, -1 auto */
  bool profile;                            /* --profile */
  bool help;
} ladsim_cli_args;

/* Parses argv[first..argc) into a; usage names the subcommand for errors,
 * operand what its one argument is ("the model file"). */
ladsim_status ladsim_cli_parse(int argc, char **argv, int first, const char *usage,
                               const char *operand, bool takes_output, ladsim_cli_args *a);

/* Parses a subcommand's options (after argv[1]); prints its usage for
 * --help. Returns true when the command should go on, else false with the
 * exit status in *code. */
bool ladsim_cli_start(int argc, char **argv, const char *usage, const char *operand,
                      bool takes_output, int rank, ladsim_cli_args *a, int *code);

/* Refuses (LADSIM_EUSAGE) an output out or checkpoint ckpt that names one
 * of the run's inputs (the model file, its data files, the --resume
 * checkpoint for out) or each other, and an existing ckpt that is not a
 * checkpoint of a run writing out, unless --force. Collective. */
ladsim_status ladsim_cli_check_paths(const ladsim_cli_args *a, const char *out,
                                     const char *ckpt, const ladsim_model *m);

/* The ranks of this run: MPI_COMM_WORLD under a launcher, MPI_COMM_NULL
 * for a lone process, which does not start MPI (main.c). Not collective. */
MPI_Comm ladsim_cli_world(void);

/* ladsim_sim_create on ladsim_cli_world(); a model error found while building
 * the network gets the model file's name in front. Collective. */
ladsim_status ladsim_cli_sim_create(const ladsim_model *m, ladsim_sim **sim);

/* Prints the current error on rank 0 and returns the exit status. */
int ladsim_cli_fail(ladsim_status st, int rank);

int ladsim_cmd_run(int argc, char **argv, int rank);
int ladsim_cmd_config(int argc, char **argv, int rank, bool validate_only);
int ladsim_cmd_probe(int argc, char **argv, int rank);

#endif
