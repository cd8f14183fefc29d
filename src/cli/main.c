/* main.c: the ladsim program: parses the subcommand and dispatches to it. */
#include "config.h"
#include "cli/cli.h"
#include "core/linalg.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
  "usage: ladsim COMMAND [OPTIONS]\n"
  "\n"
  "Simulates layered networks of rate neurons and leaky integrate-and-fire\n"
  "(LIF) neurons that learn with a local, adversarial decorrelation rule, and\n"
  "evaluates what they learned.\n"
  "\n"
  "commands:\n"
  "  run MODEL [-o OUT.h5] [--set KEY=VALUE]...  train, record and report\n"
  "  validate MODEL [--set KEY=VALUE]...         check a model file\n"
  "  config MODEL [--set KEY=VALUE]...           print the resolved model\n"
  "  probe OUT.h5 [--set KEY=VALUE]...           compute the report again from a run's file\n"
  "\n"
  "options:\n"
  "  -h, --help      this text; COMMAND --help gives the command's own, e.g.\n"
  "                  ladsim run --help for its options, checkpoints and resuming\n"
  "  -V, --version   the version\n"
  "\n"
  "Exit status: 0 success, 2 bad input (model, data, command line), 1 failure\n"
  "during the run. Under MPI: mpirun -np P ladsim run MODEL.\n";

static int dispatch(int argc, char **argv, int rank)
{
  if (argc < 2) {
    if (rank == 0)
      fputs(usage, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
    if (rank == 0)
      fputs(usage, stdout);
    return 0;
  }
  if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
    if (rank == 0)
      printf("ladsim %s\n", PACKAGE_VERSION);
    return 0;
  }
  if (!strcmp(cmd, "run"))
    return ladsim_cmd_run(argc, argv, rank);
  if (!strcmp(cmd, "validate"))
    return ladsim_cmd_config(argc, argv, rank, true);
  if (!strcmp(cmd, "config"))
    return ladsim_cmd_config(argc, argv, rank, false);
  if (!strcmp(cmd, "probe"))
    return ladsim_cmd_probe(argc, argv, rank);
  if (rank == 0)
    fprintf(stderr, "ladsim: unknown command '%s'; try 'ladsim --help'\n", cmd);
  return 2;
}

static MPI_Comm world = MPI_COMM_NULL;

MPI_Comm ladsim_cli_world(void)
{
  return world;
}

/* Whether a launcher (mpirun, mpiexec, srun with PMI or PMIx) started this
 * process as a rank of a job, even a job of one rank. */
static bool launched(void)
{
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

/* Run without a launcher, ladsim is one process and does not start MPI
 * at all: starting and finishing Open MPI's runtime, even alone (a
 * singleton, with its daemon, network transports and hwloc's device
 * probes held off), loads some forty plugins and took 13 ms of the 0.10 s
 * of a 1 s CUBA run (bench/cuba.sh). Everything that spans ranks takes
 * MPI_COMM_NULL as the communicator of that one process (comm/comm.h),
 * and the output is written through HDF5's POSIX driver. Setting
 * LADSIM_MPI=1 starts MPI anyway, as one rank (for comparing the two). */
static bool wants_mpi(void)
{
  const char *force = getenv("LADSIM_MPI");
  return launched() || (force != NULL && strcmp(force, "1") == 0);
}

/* A lone rank that does start MPI need not start Open MPI's runtime
 * daemon (about 0.1 s at every start). Nor does it need a network
 * transport: left to choose, Open MPI 4 opens its matching transport
 * layers, and the InfiniPath (PSM) one pins the process and sleeps 0.1 s
 * on each of its two device probes. The point-to-point layer ob1 over the
 * loopback transport "self" is all one rank uses. Nor does it place
 * anything near a network card or a GPU: hwloc would read the
 * configuration space of every PCI device (5 ms), and its OpenGL plugin
 * loads the X11 libraries and tries to reach an X server (another 5 ms);
 * its plugins for those and for XML through libxml2 are not even loaded.
 * A user's own settings and a run under mpirun are left alone. */
static void lone_rank_startup(void)
{
  if (launched())
    return;
  setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
  setenv("OMPI_MCA_pml", "ob1", 0);
  setenv("OMPI_MCA_btl", "self", 0);
  setenv("HWLOC_COMPONENTS", "-linuxio,-pci", 0);
  setenv("HWLOC_PLUGINS_BLACKLIST", "hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml", 0);
}

/* ladsim never uses MPI-IO's shared file pointers, but opening a file lets
 * Open MPI pick a component for them. The shared-memory one now and then
 * fails to map a scratch file under /tmp and prints an "Error" line in a
 * run that succeeds; the lock-file one puts a lock file beside the output,
 * which on a full disk hangs the ranks. The "individual" component opens
 * nothing until a shared pointer is used. A user's own choice stands. */
static void quiet_mpi_io(void)
{
  setenv("OMPI_MCA_sharedfp", "individual", 0);
}

int main(int argc, char **argv)
{
  int rank = 0;
  /* A file size limit (ulimit -f) then fails the write with EFBIG, which
   * the output reports and survives, keeping the .partial file, rather
   * than killing the process without a word. */
  signal(SIGXFSZ, SIG_IGN);
  /* before MPI starts: OpenBLAS's threads, started when it was loaded,
   * would spin through MPI's start-up beside it */
  ladsim_blas_single_thread();
  bool mpi = wants_mpi();
  if (mpi) {
    lone_rank_startup();
    quiet_mpi_io();
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
      fprintf(stderr, "ladsim: MPI could not start\n");
      return 1;
    }
    world = MPI_COMM_WORLD;
    MPI_Comm_rank(world, &rank);
  }
  int status = dispatch(argc, argv, rank);
  fflush(stdout);
  if (mpi)
    MPI_Finalize();
  return status;
}
