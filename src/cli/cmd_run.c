/* cmd_run.c: 'ladsim run' trains a model, records it and prints the report. */
#include "config.h"
#include "cli/cli.h"
#include "comm/comm.h"
#include "core/profile.h"

#include <math.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
  "usage: ladsim run MODEL [-o OUT.h5] [--set KEY=VALUE]... [--force] [--progress|--quiet]\n"
  "                  [--profile] [--checkpoint CKPT.h5] [--resume CKPT.h5]\n"
  "Trains the network of MODEL, writes what the model's record section asks\n"
  "for to OUT.h5 (default: the model's name with .h5, in the current directory)\n"
  "and prints the evaluation report.\n"
  "  -o OUT.h5         the output file; an existing one is kept unless --force\n"
  "  --set KEY=VALUE   override a model key, e.g. --set layers.hidden.size=512\n"
  "  --force           overwrite an existing output file\n"
  "  --checkpoint F    where checkpoints go (default: OUT with .ckpt.h5 for .h5); one\n"
  "                    is written every record.checkpoint and when SIGINT or SIGTERM\n"
  "                    stops the run. An existing F is replaced only when it is a\n"
  "                    checkpoint of a run writing the same OUT (or with --force);\n"
  "                    -o and --checkpoint never name the model, a data file or each\n"
  "                    other, and -o never names the --resume checkpoint\n"
  "  --resume F        continue the run that wrote checkpoint F (the same model;\n"
  "                    only simulation.duration, record.checkpoint and\n"
  "                    record.progress may change; any number of ranks)\n"
  "  --progress        print the progress line even when stderr is not a terminal\n"
  "  --quiet           never print the progress line (not with --progress)\n"
  "  --profile         print the time spent in each phase of the run at the end\n";

/* ctx points to the wall time (ladsim_prof_wall) at which the run started. */
static void progress_line(void *ctx, double t, double total, double rate)
{
  double elapsed = ladsim_prof_wall() - *(const double *)ctx;
  double remaining = t > 0 ? elapsed * (total - t) / t : 0.0;
  fprintf(stderr, "\r  t = %9.1f s of %.1f s (%5.1f%%)  %7.0f samples/s  ETA %5.0f s ",
          t * 1e-3, total * 1e-3, 100.0 * t / total, rate, remaining);
  if (t >= total)
    fputc('\n', stderr);
  fflush(stderr);
}

static void on_signal(int sig)
{
  (void)sig;
  ladsim_sim_request_stop();
}

/* SIGINT and SIGTERM stop the run cleanly: the output is flushed and closed
 * as a readable .partial file. */
static void catch_stop_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* The default output name: the model file's base name with .h5. */
static char *default_output(const char *model)
{
  const char *base = strrchr(model, '/');
  base = base ? base + 1 : model;
  size_t len = strlen(base);
  const char *dot = strrchr(base, '.');
  if (dot && dot != base)
    len = (size_t)(dot - base);
  char *out = malloc(len + 4);
  if (out)
    snprintf(out, len + 4, "%.*s.h5", (int)len, base);
  return out;
}

/* OUT.h5 -> OUT.ckpt.h5 (any other name gets .ckpt.h5 added). */
static char *default_checkpoint(const char *out)
{
  size_t len = strlen(out);
  if (len > 3 && strcmp(out + len - 3, ".h5") == 0)
    len -= 3;
  char *ck = malloc(len + sizeof ".ckpt.h5");
  if (ck)
    snprintf(ck, len + sizeof ".ckpt.h5", "%.*s.ckpt.h5", (int)len, out);
  return ck;
}

/* The output as an absolute path, so that a run resumed from another
 * directory finds what this one recorded. */
static char *absolute(const char *path)
{
  if (path[0] == '/')
    return strdup(path);
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return strdup(path);
  size_t len = strlen(cwd) + strlen(path) + 2;
  char *abs = malloc(len);
  if (abs)
    snprintf(abs, len, "%s/%s", cwd, path);
  return abs;
}

static ladsim_status setup_checkpoints(ladsim_sim *sim, const char *ck, const char *out_path)
{
  char *abs = absolute(out_path);
  ladsim_status st = abs ? ladsim_sim_set_checkpoint(sim, ck, abs)
                         : LADSIM_ERROR(LADSIM_ENOMEM, "out of memory");
  free(abs);
  return st;
}

/* The file that holds what the checkpoint's run recorded. When it is the
 * .partial this run is about to write, it is moved aside first (to
 * *moved, removed once copied). Collective. */
static ladsim_status resume_source(const char *ckpt, const char *out_path, int rank,
                                   char **records, char **moved)
{
  *moved = NULL;
  LADSIM_CHECK(ladsim_comm_agree(ladsim_cli_world(), ladsim_checkpoint_records(ckpt, records)));
  size_t len = strlen(out_path) + sizeof ".partial.resumed";
  char *partial = malloc(len), *aside = malloc(len);
  if (!partial || !aside) {
    free(partial);
    free(aside);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory");
  }
  snprintf(partial, len, "%s.partial", out_path);
  snprintf(aside, len, "%s.partial.resumed", out_path);
  struct stat a, b;
  int same = stat(*records, &a) == 0 && stat(partial, &b) == 0 && a.st_dev == b.st_dev
             && a.st_ino == b.st_ino;
  ladsim_status st = LADSIM_OK;
  if (same && rank == 0 && rename(partial, aside) != 0)
    st = LADSIM_ERROR(LADSIM_EIO, "cannot move %s aside to resume from it: %s", partial,
                      strerror(errno));
  st = ladsim_comm_agree(ladsim_cli_world(), st);
  free(partial);
  if (same && st == LADSIM_OK) {
    free(*records);
    *records = aside;
    *moved = strdup(aside);
  } else {
    free(aside);
  }
  return st;
}

/* Creates and removes a file next to path: write permission alone does not
 * tell (root, read-only mounts, /proc), and the run's failure to create its
 * output is bad input found before the run, not a failure during it. */
static ladsim_status try_create(const char *path)
{
  size_t len = strlen(path) + 40;
  char *probe = malloc(len);
  if (!probe)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory");
  snprintf(probe, len, "%s.ladsim-try-%ld", path, (long)getpid());
  int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
  ladsim_status s = LADSIM_OK;
  if (fd < 0)
    s = LADSIM_ERROR(LADSIM_EUSAGE, "-o %s: cannot create a file there: %s; choose another -o",
                     path, strerror(errno));
  else {
    close(fd);
    unlink(probe);
  }
  free(probe);
  return s;
}

/* The output's directory must exist and be writable, and the output, if it
 * exists, must be a regular file: found before a run, not after. */
static ladsim_status check_output(const char *path)
{
  struct stat st;
  if (path[0] == '\0')
    return LADSIM_ERROR(LADSIM_EUSAGE, "-o: empty path; give the output file's name, "
                        "e.g. -o out.h5");
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return LADSIM_ERROR(LADSIM_EUSAGE, "-o %s: not a regular file; give a file name", path);
  char *dir = strdup(path);
  if (!dir)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory");
  char *slash = strrchr(dir, '/');
  const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
  int ok = access(d, W_OK | X_OK) == 0;
  ladsim_status s = ok ? LADSIM_OK
                       : LADSIM_ERROR(LADSIM_EUSAGE, "-o %s: cannot write in directory %s: %s; "
                                      "create it or choose another -o", path, d, strerror(errno));
  free(dir);
  return s ? s : try_create(path);
}

static ladsim_status write_config(ladsim_output *o, const ladsim_model *m)
{
  char *resolved;
  LADSIM_CHECK(ladsim_model_to_string(m, &resolved));
  ladsim_status st = ladsim_output_write_string(o, "/config/model", m->text);
  if (st == LADSIM_OK)
    st = ladsim_output_write_string(o, "/config/resolved", resolved);
  if (st == LADSIM_OK)
    st = ladsim_output_attr_string(o, "/config/model", "path", m->path);
  free(resolved);
  return st;
}

static ladsim_status train_and_report(ladsim_sim *sim, ladsim_output *o,
                                      const ladsim_model *m, int rank)
{
  LADSIM_CHECK(ladsim_sim_run(sim, o));
  LADSIM_CHECK(ladsim_output_flush(o));
  if (!m->evaluate.enabled)
    return LADSIM_OK;
  ladsim_report rep;
  LADSIM_CHECK(ladsim_sim_evaluate(sim, o, &rep));
  if (rank == 0) {
    ladsim_report_print(&rep, stdout);
    /* Not an error: the run did what was asked, but its result is empty. */
    ladsim_report_warn_dead(&rep, stderr, "ladsim: warning: ");
  }
  return LADSIM_OK;
}

/* Sets up the run: the model, the simulation, its checkpoints and the
 * output file, continuing a checkpoint's run when asked. */
static ladsim_status prepare(const ladsim_cli_args *a, const char *out_path, int rank,
                             ladsim_model **m, ladsim_sim **sim, ladsim_output **o)
{
  char *records = NULL, *moved = NULL;
  LADSIM_CHECK(check_output(out_path));
  LADSIM_CHECK(ladsim_model_load(a->model, a->sets, a->n_sets, m));
  char *ck = a->checkpoint ? strdup(a->checkpoint) : default_checkpoint(out_path);
  if (!ck)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory");
  ladsim_status st = ladsim_cli_check_paths(a, out_path, ck, *m);
  if (st == LADSIM_OK)
    st = ladsim_cli_sim_create(*m, sim);
  if (st == LADSIM_OK)
    st = setup_checkpoints(*sim, ck, out_path);
  free(ck);
  LADSIM_CHECK(st);
  if (a->resume) {
    LADSIM_CHECK(ladsim_sim_resume(*sim, a->resume));
    LADSIM_CHECK(resume_source(a->resume, out_path, rank, &records, &moved));
  }
  st = ladsim_output_create(ladsim_cli_world(), out_path, a->force, o);
  if (st == LADSIM_OK)
    st = write_config(*o, *m);
  if (st == LADSIM_OK && a->resume)
    st = ladsim_sim_resume_records(*sim, records, *o);
  if (st == LADSIM_OK && moved && rank == 0)
    unlink(moved);
  free(records);
  free(moved);
  return st;
}

static int run(const ladsim_cli_args *a, const char *out_path, int rank)
{
  ladsim_model *m = NULL;
  ladsim_sim *sim = NULL;
  ladsim_output *o = NULL;
  ladsim_status st;
  LADSIM_CHECK_GOTO(st, prepare(a, out_path, rank, &m, &sim, &o), done);
  bool show = a->progress == 1 || (a->progress == -1 && isatty(STDERR_FILENO));
  double started = ladsim_prof_wall();
  if (show && rank == 0)
    ladsim_sim_set_progress(sim, progress_line, &started);
  catch_stop_signals();
  st = train_and_report(sim, o, m, rank);
  if (st == LADSIM_OK) {
    st = ladsim_output_commit(o);
    o = NULL;
    if (st == LADSIM_OK && rank == 0)
      fprintf(stderr, "ladsim: wrote %s\n", out_path);
    if (st == LADSIM_OK && a->profile)
      ladsim_prof_print(ladsim_cli_world(), stderr);
  }
done:
  if (st != LADSIM_OK && o) {
    int code = ladsim_cli_fail(st, rank);
    if (rank == 0)
      fprintf(stderr, "ladsim: what was recorded so far is in %s\n",
              ladsim_output_partial_path(o));
    ladsim_output_abort(o);
    o = NULL;
    ladsim_sim_free(sim);
    ladsim_model_free(m);
    return code;
  }
  ladsim_sim_free(sim);
  ladsim_model_free(m);
  return st ? ladsim_cli_fail(st, rank) : 0;
}

int ladsim_cmd_run(int argc, char **argv, int rank)
{
  ladsim_cli_args a;
  int code;
  if (!ladsim_cli_start(argc, argv, usage, "the model file", true, rank, &a, &code))
    return code;
  char *dflt = a.output ? NULL : default_output(a.model);
  code = run(&a, a.output ? a.output : dflt, rank);
  free(dflt);
  return code;
}
