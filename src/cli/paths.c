/* paths.c: a run's output and checkpoint never overwrite its own inputs. */
#include "config.h"
#include "cli/cli.h"
#include "comm/comm.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* path with its directory resolved (symbolic links, '..'), so that two
 * spellings of a file that does not exist yet still compare equal. */
static char *canonical(const char *path)
{
  char *full = realpath(path, NULL);
  if (full)
    return full;
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
  char *rdir = dir ? realpath(dir, NULL) : NULL;
  free(dir);
  if (!rdir)
    return strdup(path);
  size_t len = strlen(rdir) + strlen(base) + 2;
  full = malloc(len);
  if (full)
    snprintf(full, len, "%s/%s", rdir, base);
  free(rdir);
  return full;
}

/* The same inode when both exist (hard links, bind mounts), else the same
 * canonical path. */
static bool same_file(const char *a, const char *b)
{
  struct stat sa, sb;
  if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  char *ca = canonical(a), *cb = canonical(b);
  bool same = ca && cb && strcmp(ca, cb) == 0;
  free(ca);
  free(cb);
  return same;
}

/* The file of a named set (fashion-mnist) that path is, or NULL: the set's
 * files are found in its directory under fixed names, gzipped or not. */
static char *named_set_file(const ladsim_dataset_spec *d, const char *path)
{
  static const char *const names[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  if (strcmp(d->name, "fashion-mnist") != 0)
    return NULL;
  const char *dir = d->dir && d->dir[0] ? d->dir : LADSIM_FASHION_MNIST_DIR;
  struct stat st;
  for (size_t k = 0; k < 8; k++) {
    char *file;
    if (asprintf(&file, "%s/%s%s", dir, names[k / 2], k % 2 ? "" : ".gz") < 0)
      return NULL;
    if (stat(file, &st) == 0 && same_file(path, file))
      return file;
    free(file);
  }
  return NULL;
}

/* Refuses when what (-o or --checkpoint) names one of the run's inputs. */
static ladsim_status not_an_input(const char *opt, const char *path, const ladsim_cli_args *a,
                                  const ladsim_model *m, bool resume_too)
{
  const ladsim_dataset_spec *d = &m->input.data;
  const char *data[] = {d->train_images, d->train_labels, d->test_images, d->test_labels};
  if (same_file(path, a->model))
    return LADSIM_ERROR(LADSIM_EUSAGE, "%s %s is the model file this run reads; choose "
                        "another %s", opt, path, opt);
  for (size_t k = 0; k < sizeof data / sizeof data[0]; k++)
    if (data[k] && same_file(path, data[k]))
      return LADSIM_ERROR(LADSIM_EUSAGE, "%s %s is the data file %s this run reads; choose "
                          "another %s", opt, path, data[k], opt);
  char *named = named_set_file(d, path);
  if (named) {
    ladsim_status st = LADSIM_ERROR(LADSIM_EUSAGE, "%s %s is the data file %s this run "
                                    "reads; choose another %s", opt, path, named, opt);
    free(named);
    return st;
  }
  if (resume_too && a->resume && same_file(path, a->resume))
    return LADSIM_ERROR(LADSIM_EUSAGE, "%s %s is the checkpoint this run resumes from; "
                        "choose another %s", opt, path, opt);
  return LADSIM_OK;
}

/* True when path is a ladsim checkpoint of the run writing out: replacing
 * it is what a resumed or repeated run does. */
static bool own_checkpoint(const char *path, const char *out)
{
  ladsim_input_file *f;
  char *was = NULL;
  if (ladsim_input_file_open(path, &f) != LADSIM_OK)
    return false;
  ladsim_status st = ladsim_input_file_read_string(f, "/resume/output", &was);
  ladsim_input_file_close(f);
  bool own = st == LADSIM_OK && same_file(was, out);
  free(was);
  return own;
}

/* An existing file at the checkpoint path is replaced only when it is a
 * checkpoint of this run's output, or with --force. */
static ladsim_status checkpoint_replaceable(const char *ckpt, const char *out, bool force)
{
  struct stat st;
  if (stat(ckpt, &st) != 0)
    return LADSIM_OK;
  if (!S_ISREG(st.st_mode))
    return LADSIM_ERROR(LADSIM_EUSAGE, "--checkpoint %s: not a regular file; give a file "
                        "name", ckpt);
  if (force || own_checkpoint(ckpt, out))
    return LADSIM_OK;
  return LADSIM_ERROR(LADSIM_EUSAGE, "--checkpoint %s: the file exists and is not a "
                      "checkpoint of a run writing %s; it is kept unless --force (or choose "
                      "another --checkpoint)", ckpt, out);
}

/* --resume must name a ladsim checkpoint: a directory, another HDF5 file
 * or a run's output are told apart here, before HDF5 would print its error
 * stack (the input file opens with HDF5's printing off). */
static ladsim_status check_resume(const char *path)
{
  struct stat st;
  ladsim_input_file *f;
  if (stat(path, &st) != 0)
    return LADSIM_ERROR(LADSIM_EUSAGE, "--resume %s: %s; give the checkpoint a run wrote "
                        "(OUT.ckpt.h5)", path, strerror(errno));
  if (!S_ISREG(st.st_mode))
    return LADSIM_ERROR(LADSIM_EUSAGE, "--resume %s is not a regular file; give the "
                        "checkpoint a run wrote (OUT.ckpt.h5)", path);
  if (ladsim_input_file_open(path, &f) != LADSIM_OK)
    return LADSIM_ERROR(LADSIM_EUSAGE, "--resume %s is not a ladsim checkpoint (not an HDF5 "
                        "file); give the checkpoint a run wrote (OUT.ckpt.h5)", path);
  bool ckpt = ladsim_input_file_has(f, "/resume/output");
  bool output = ladsim_input_file_has(f, "/config/resolved");
  ladsim_input_file_close(f);
  if (!ckpt)
    return LADSIM_ERROR(LADSIM_EUSAGE, "--resume %s is not a ladsim checkpoint%s; give the "
                        "checkpoint a run wrote (OUT.ckpt.h5)", path,
                        output ? " but the output file of a run" : "");
  return LADSIM_OK;
}

static ladsim_status check_paths(const ladsim_cli_args *a, const char *out, const char *ckpt,
                                 const ladsim_model *m)
{
  if (a->resume)
    LADSIM_CHECK(check_resume(a->resume));
  LADSIM_CHECK(not_an_input("-o", out, a, m, true));
  LADSIM_CHECK(not_an_input("--checkpoint", ckpt, a, m, false));
  if (same_file(out, ckpt))
    return LADSIM_ERROR(LADSIM_EUSAGE, "--checkpoint and -o name the same file (%s); give "
                        "--checkpoint another name", out);
  /* The checkpoint resumed from is this run's own: the run goes on in it. */
  if (a->resume && same_file(ckpt, a->resume))
    return LADSIM_OK;
  return checkpoint_replaceable(ckpt, out, a->force);
}

ladsim_status ladsim_cli_check_paths(const ladsim_cli_args *a, const char *out,
                                     const char *ckpt, const ladsim_model *m)
{
  return ladsim_comm_agree(ladsim_cli_world(), check_paths(a, out, ckpt, m));
}
