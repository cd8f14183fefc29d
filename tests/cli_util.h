/* cli_util.h: running the ladsim program in a scratch directory, for the CLI suites. */
#ifndef LADSIM_TESTS_CLI_UTIL_H
#define LADSIM_TESTS_CLI_UTIL_H

#include <check.h>
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

/* Runs "ladsim ARGS" in the test directory; returns the exit status and
 * leaves stdout and stderr together in out. */
static inline int ladsim(const char *args)
{
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cd %s && %s%s %s 2>&1", dir, launcher, prog, args);
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
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

static inline int exists(const char *name)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return access(path, F_OK) == 0;
}

#endif
