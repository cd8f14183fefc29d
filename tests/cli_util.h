/* cli_util.h: running the ladsim program in a scratch directory, for the CLI suites. */
#ifndef LADSIM_TESTS_CLI_UTIL_H
#define LADSIM_TESTS_CLI_UTIL_H

#include <check.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char launcher[512];   /* prefix of the command: an MPI launcher or nothing */
static char prog[512];
static char out[8192];

static const char model_text[] =
  "simulation: {resolution: 1 ms, seed: 9}\n"
  "input:\n"
  "  dataset: {name: synthetic, classes: 3, side: 5, train_size: 40, test_size: 30}\n"
  "  view_duration: 4 ms\n"
  "layers:\n"
  "  - name: hidden\n"
  "    size: 6\n"
  "record: {metrics: 40 ms}\n";

static inline void setup(void)
{
  /* The tests cd into a scratch directory: the program's path is made absolute. */
  const char *b = getenv("LADSIM_BUILDDIR");
  char *abs = realpath(b ? b : "..", NULL);
  ck_assert_ptr_nonnull(abs);
  snprintf(prog, sizeof prog, "%s/ladsim", abs);
  free(abs);
  snprintf(dir, sizeof dir, "/tmp/ladsim-cli-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/m.yaml", dir);
  FILE *f = fopen(path, "w");
  fputs(model_text, f);
  fclose(f);
  snprintf(path, sizeof path, "%s/fifo", dir);
  ck_assert_int_eq(mkfifo(path, 0600), 0);
}

static inline void teardown(void)
{
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* Runs the shell command cmd; returns its exit status and leaves its
 * output in out. */
static inline int run_shell(const char *cmd)
{
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs "ladsim ARGS" in the test directory; returns the exit status and
 * leaves stdout and stderr together in out. */
static inline int ladsim(const char *args)
{
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cd %s && %s%s %s 2>&1", dir, launcher, prog, args);
  return run_shell(cmd);
}

/* Runs "ladsim ARGS" as ladsim() does, with the environment assignments
 * env ("" for none) added, but with every file a process of
 * the program writes limited to kib KiB (RLIMIT_FSIZE; the program ignores
 * SIGXFSZ): a write past it fails with EFBIG, as on a full disk, and no
 * mount is needed. The limit is set in the ranks, not in the launcher,
 * whose shared-memory files it would break; for the same reason the ranks
 * talk over TCP rather than OpenMPI's shared memory. A hang is cut by a
 * timeout (exit status 124). */
static inline int ladsim_file_limit(int kib, const char *env, const char *args)
{
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cd %s && timeout 120 %s sh -c \"ulimit -f %d; "
           "OMPI_MCA_btl=self,tcp; export OMPI_MCA_btl; exec env %s %s %s\" 2>&1",
           dir, launcher, 2 * kib, env, prog, args);   /* ulimit -f counts 512 bytes */
  return run_shell(cmd);
}

/* How often needle occurs in out. */
static inline int count(const char *needle)
{
  int n = 0;
  for (const char *p = strstr(out, needle); p; p = strstr(p + 1, needle))
    n++;
  return n;
}

/* Whether file name of the test directory opens with HDF5 and holds the
 * object path. */
static inline int h5_holds(const char *name, const char *path)
{
  char file[256];
  snprintf(file, sizeof file, "%s/%s", dir, name);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0)
    return 0;
  int holds = H5Lexists(f, path, H5P_DEFAULT) > 0;
  H5Fclose(f);
  return holds;
}

/* Reads file name of the test directory into out. */
static inline void slurp(const char *name)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  size_t n = fread(out, 1, sizeof out - 1, f);
  out[n] = '\0';
  fclose(f);
}

static inline void unlink_in_dir(const char *name)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  unlink(path);
}

static inline int exists(const char *name)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return access(path, F_OK) == 0;
}

#endif
