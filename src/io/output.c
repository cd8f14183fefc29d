/* output.c: the run's HDF5 file: create, commit, abort, flush, strings and attributes.
 *
 * Parallel HDF5 asks that every metadata operation (creating a group, a
 * data set, an attribute) be made by all ranks with the same arguments, so
 * replicated values are passed on every rank; raw data from a replicated
 * value is written by rank 0 alone while the others join the collective
 * call with an empty selection. */
#include "config.h"
#include "io/io.h"
#include "comm/comm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PARTIAL_SUFFIX ".partial"
#define TIME_MAX 32

/* What rank 0 finds at the output path before anything is written. */
enum { TARGET_FREE = 0, TARGET_EXISTS = 1, TARGET_DIRECTORY = 2, TARGET_PARTIAL_DIRECTORY = 3 };

static ladsim_status mpi_failed(const char *call, const char *path)
{
  return LADSIM_ERROR(LADSIM_EMPI, "%s failed while handling the output %s",
                      call, path);
}

static char *concat(const char *a, const char *b)
{
  size_t na = strlen(a), nb = strlen(b);
  char *s = malloc(na + nb + 1);
  if (s != NULL) {
    memcpy(s, a, na);
    memcpy(s + na, b, nb + 1);
  }
  return s;
}

/* Releases the memory and the communicator; the file must be closed. The
 * guard of its writes goes only now, so that a write that failed while
 * HDF5 closed the file can still be asked for. */
static void output_free(ladsim_output *o)
{
  ladsim__write_unguard(o);
  if (o->comm != MPI_COMM_NULL)
    MPI_Comm_free(&o->comm);
  free(o->ext);
  free(o->partial);
  free(o->path);
  free(o);
}

static ladsim_status output_new(MPI_Comm comm, const char *path,
                                ladsim_output **out)
{
  ladsim_output *o = calloc(1, sizeof *o);
  if (o == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "no memory for the output %s", path);
  o->comm = MPI_COMM_NULL;
  o->file = o->dxpl = o->lcpl = H5I_INVALID_HID;
  o->path = strdup(path);
  o->partial = concat(path, PARTIAL_SUFFIX);
  if (o->path == NULL || o->partial == NULL) {
    output_free(o);
    return LADSIM_ERROR(LADSIM_ENOMEM, "no memory for the output %s", path);
  }
  if (comm != MPI_COMM_NULL
      && (MPI_Comm_dup(comm, &o->comm) != MPI_SUCCESS
          || MPI_Comm_rank(o->comm, &o->rank) != MPI_SUCCESS)) {
    output_free(o);
    return mpi_failed("MPI_Comm_dup", path);
  }
  *out = o;
  return LADSIM_OK;
}

/* Rank 0 looks at the path and every rank gets its verdict, so that all
 * ranks fail or go on together. */
static ladsim_status check_target(const ladsim_output *o, bool force)
{
  int target = TARGET_FREE;
  struct stat st;
  if (o->rank == 0 && stat(o->path, &st) == 0)
    target = S_ISDIR(st.st_mode) ? TARGET_DIRECTORY : TARGET_EXISTS;
  /* A .partial left by an earlier run goes before HDF5 opens the name:
   * through a symbolic link left there it would truncate whatever the
   * link points to, even the model file. */
  if (o->rank == 0 && target != TARGET_DIRECTORY && lstat(o->partial, &st) == 0) {
    if (S_ISDIR(st.st_mode))
      target = TARGET_PARTIAL_DIRECTORY;
    else if (target == TARGET_FREE || force)
      unlink(o->partial);
  }
  if (ladsim_comm_bcast(&target, 1, MPI_INT, 0, o->comm) != MPI_SUCCESS)
    return mpi_failed("MPI_Bcast", o->path);
  if (target == TARGET_DIRECTORY)
    return LADSIM_ERROR(LADSIM_EEXIST,
                        "%s is a directory; choose a file name with -o",
                        o->path);
  if (target == TARGET_PARTIAL_DIRECTORY)
    return LADSIM_ERROR(LADSIM_EEXIST, "%s is a directory, where the run would write "
                        "until it ends; remove it or choose another -o", o->partial);
  if (target == TARGET_EXISTS && !force)
    return LADSIM_ERROR(LADSIM_EEXIST,
                        "%s exists; use --force to overwrite it or choose "
                        "another -o", o->path);
  return LADSIM_OK;
}

/* Ranks write through MPI-IO; one process without MPI through the POSIX
 * driver (sec2), which is what serial HDF5 uses. */
static ladsim_status open_file(ladsim_output *o)
{
  bool mpio = o->comm != MPI_COMM_NULL;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  bool ok = fapl >= 0
            && (mpio ? H5Pset_fapl_mpio(fapl, o->comm, MPI_INFO_NULL) >= 0
                           && H5Pset_coll_metadata_write(fapl, false) >= 0
                     : H5Pset_fapl_sec2(fapl) >= 0);
  /* Independent transfers, for the data and the metadata: each rank
   * writes its own contiguous block, and a failed write is then seen by
   * the rank that made it (write_guard.c). */
  errno = 0;
  if (ok)
    o->file = H5Fcreate(o->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  int err = errno;
  ladsim__h5_close(fapl);
  ladsim_status s = LADSIM_OK;
  if (ok && o->file < 0 && (err == ENOSPC || err == EDQUOT || err == EFBIG)) {
    /* HDF5 writes the file's first block as it creates it */
    s = LADSIM_ERROR(LADSIM_EIO, "cannot create %s: %s; is the disk full, or a file "
                     "size limit (ulimit -f) reached?", o->partial, strerror(err));
    if (o->rank == 0)
      unlink(o->partial);   /* an empty file, which HDF5 cannot open */
  } else if (!ok || o->file < 0) {
    char reason[LADSIM__H5_REASON_MAX];
    s = LADSIM_ERROR(LADSIM_EIO, "cannot create %s: %s; check that its "
                     "directory exists and is writable", o->partial,
                     ladsim__h5_reason(reason, sizeof reason));
  }
  LADSIM_CHECK(ladsim__output_agree(o, s));
  LADSIM_CHECK(ladsim__output_step(o, ladsim__write_guard(o->file, o, mpio),
                                   "guard the writes to", "the output file"));
  o->dxpl = H5Pcreate(H5P_DATASET_XFER);
  o->lcpl = H5Pcreate(H5P_LINK_CREATE);
  ok = o->dxpl >= 0 && o->lcpl >= 0
       && (!mpio || H5Pset_dxpl_mpio(o->dxpl, H5FD_MPIO_INDEPENDENT) >= 0)
       && H5Pset_create_intermediate_group(o->lcpl, 1) >= 0;
  LADSIM_CHECK(ladsim__output_step(o, ok, "set up", "the transfer properties"));
  return LADSIM_OK;
}

/* The creation time, taken on rank 0 so that the attribute, which every
 * rank writes, is the same everywhere. */
static ladsim_status creation_time(const ladsim_output *o, char buf[TIME_MAX])
{
  memset(buf, 0, TIME_MAX);
  if (o->rank == 0) {
    time_t now = time(NULL);
    struct tm utc;
    if (gmtime_r(&now, &utc) == NULL
        || strftime(buf, TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
      snprintf(buf, TIME_MAX, "unknown");
  }
  if (ladsim_comm_bcast(buf, TIME_MAX, MPI_CHAR, 0, o->comm) != MPI_SUCCESS)
    return mpi_failed("MPI_Bcast", o->path);
  return LADSIM_OK;
}

/* Closes the data sets, the property lists and the file; returns the
 * number of closes that failed. Leaves no message: abort must keep the
 * message of the failure that led to it. */
static int close_file(ladsim_output *o)
{
  int failed = ladsim__output_ext_close_all(o);
  if (o->dxpl >= 0 && H5Pclose(o->dxpl) < 0)
    failed++;
  if (o->lcpl >= 0 && H5Pclose(o->lcpl) < 0)
    failed++;
  if (o->file >= 0 && H5Fclose(o->file) < 0)
    failed++;
  o->dxpl = o->lcpl = o->file = H5I_INVALID_HID;
  return failed;
}

/* Rank 0 renames; all ranks learn the outcome. */
static ladsim_status rename_final(const ladsim_output *o)
{
  int err = 0;
  if (o->rank == 0 && rename(o->partial, o->path) != 0)
    err = errno;
  if (ladsim_comm_bcast(&err, 1, MPI_INT, 0, o->comm) != MPI_SUCCESS)
    return mpi_failed("MPI_Bcast", o->path);
  if (err != 0)
    return LADSIM_ERROR(LADSIM_EIO,
                        "cannot rename %s to %s: %s; the results are in %s",
                        o->partial, o->path, strerror(err), o->partial);
  return LADSIM_OK;
}

/* A variable-length UTF-8 string type, for attributes. */
static hid_t vlen_string_type(void)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0
                 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}

/* A fixed-length, NUL-terminated UTF-8 string type holding len bytes. */
static hid_t fixed_string_type(size_t len)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t >= 0 && (H5Tset_size(t, len + 1) < 0
                 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0
                 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}

/* Opens the group or data set obj, creating it (and its parents) as a
 * group if it does not exist. */
static hid_t open_or_create_object(ladsim_output *o, const char *obj)
{
  int exists = ladsim__h5_exists(o->file, obj);
  if (exists < 0)
    return H5I_INVALID_HID;
  if (exists)
    return H5Oopen(o->file, obj, H5P_DEFAULT);
  return H5Gcreate2(o->file, obj, o->lcpl, H5P_DEFAULT, H5P_DEFAULT);
}

/* Writes a scalar attribute, replacing one of the same name. Each call
 * that may write to the file is agreed on before the next. */
static ladsim_status write_attr(ladsim_output *o, const char *obj,
                                const char *name, hid_t file_type,
                                hid_t mem_type, const void *value)
{
  char what[512];
  snprintf(what, sizeof what, "the attribute %s of %s", name, obj);
  hid_t id = open_or_create_object(o, obj);
  hid_t space = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
  ladsim_status s;
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, id >= 0 && space >= 0, "open",
                                           obj), done);
  htri_t exists = H5Aexists(id, name);
  bool ok = exists >= 0 && (exists == 0 || H5Adelete(id, name) >= 0);
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, ok, "replace", what), done);
  attr = H5Acreate2(id, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, attr >= 0, "create", what),
                    done);
  ok = H5Awrite(attr, mem_type, value) >= 0;
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, ok, "write", what), done);
done:
  ladsim__h5_close(attr);
  ladsim__h5_close(space);
  ladsim__h5_close(id);
  return s;
}

static ladsim_status check_names(const ladsim_output *o, const char *what,
                                 const char *a, const char *b)
{
  if (o == NULL || a == NULL || b == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "%s: NULL output, name or value",
                        what);
  return LADSIM_OK;
}

ladsim_status ladsim_output_create(MPI_Comm comm, const char *path, bool force,
                                   ladsim_output **out)
{
  if (path == NULL || out == NULL || path[0] == '\0')
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_output_create: no path given");
  ladsim__h5_quiet();
  ladsim_output *o = NULL;
  LADSIM_CHECK(output_new(comm, path, &o));
  ladsim_status s = check_target(o, force);
  if (s != LADSIM_OK) {
    output_free(o);
    return ladsim_error_trace(s, __FILE__, __LINE__);
  }
  char created[TIME_MAX];
  LADSIM_CHECK_GOTO(s, open_file(o), fail);
  LADSIM_CHECK_GOTO(s, creation_time(o, created), fail);
  LADSIM_CHECK_GOTO(s, ladsim_output_attr_string(o, "/", "ladsim_version",
                                                 PACKAGE_VERSION), fail);
  LADSIM_CHECK_GOTO(s, ladsim_output_attr_string(o, "/", "created", created),
                    fail);
  /* The superblock on disk from the start: a run that fails before its
   * first record still leaves an HDF5 file. */
  LADSIM_CHECK_GOTO(s, ladsim_output_flush(o), fail);
  *out = o;
  return LADSIM_OK;
fail:
  ladsim_output_abort(o);
  return s;
}

ladsim_status ladsim_output_commit(ladsim_output *o)
{
  if (o == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_output_commit: NULL output");
  ladsim_status s = ladsim__output_usable(o);
  if (s != LADSIM_OK) {
    ladsim_output_abort(o);
    return ladsim_error_trace(s, __FILE__, __LINE__);
  }
  s = ladsim__output_step(o, close_file(o) == 0, "close", "the output file");
  if (s == LADSIM_OK)
    s = rename_final(o);
  output_free(o);
  return s;
}

void ladsim_output_abort(ladsim_output *o)
{
  if (o == NULL)
    return;
  close_file(o);
  output_free(o);
}

ladsim_status ladsim_output_flush(ladsim_output *o)
{
  if (o == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_output_flush: NULL output");
  LADSIM_CHECK(ladsim__output_usable(o));
  LADSIM_CHECK(ladsim__output_step(o, H5Fflush(o->file, H5F_SCOPE_GLOBAL) >= 0,
                                   "flush", "the output file"));
  return LADSIM_OK;
}

ladsim_status ladsim__output_agree(ladsim_output *o, ladsim_status status)
{
  ladsim_status s = ladsim_comm_agree(o->comm, status);
  if (s == LADSIM_OK)
    return s;
  /* Only a failed write stops the output: HDF5 refusing an operation
   * (a data set written twice) leaves the file as good as it was. */
  int mine = ladsim__write_failed(o) != NULL, any = mine;
  if (ladsim_comm_allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, o->comm) != MPI_SUCCESS
      || any) {
    o->failed = true;
    ladsim__write_discard(o);
  }
  return s;
}

ladsim_status ladsim__output_step(ladsim_output *o, bool ok, const char *verb,
                                  const char *obj)
{
  ladsim_status s = LADSIM_OK;
  const char *why = ladsim__write_failed(o);
  if (why != NULL)
    s = LADSIM_ERROR(LADSIM_EIO, "cannot %s %s in %s: %s; is the disk full?",
                     verb, obj, o->partial, why);
  else if (!ok)
    s = LADSIM__OUTPUT_FAIL(o, verb, obj);
  return ladsim__output_agree(o, s);
}

ladsim_status ladsim__output_usable(const ladsim_output *o)
{
  if (o->failed)
    return LADSIM_ERROR(LADSIM_EIO, "%s: an earlier write failed, so "
                        "nothing more is written to it", o->partial);
  return LADSIM_OK;
}

const char *ladsim_output_partial_path(const ladsim_output *o)
{
  return o->partial;
}

const char *ladsim_output_path(const ladsim_output *o) { return o->path; }

ladsim_status ladsim_output_write_string(ladsim_output *o, const char *dset,
                                         const char *text)
{
  LADSIM_CHECK(check_names(o, "ladsim_output_write_string", dset, text));
  LADSIM_CHECK(ladsim__output_usable(o));
  hid_t type = fixed_string_type(strlen(text));
  hid_t space = H5Screate(H5S_SCALAR), mem = H5Screate(H5S_SCALAR);
  hid_t id = H5I_INVALID_HID;
  bool ok = type >= 0 && space >= 0 && mem >= 0;
  if (ok)
    id = H5Dcreate2(o->file, dset, type, space, o->lcpl, H5P_DEFAULT,
                    H5P_DEFAULT);
  ladsim_status s;
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, id >= 0, "create", dset), done);
  /* The text is the same everywhere: rank 0 writes it, the others join
   * the collective call with nothing selected. */
  if (o->rank != 0)
    ok = H5Sselect_none(space) >= 0 && H5Sselect_none(mem) >= 0;
  ok = ok && H5Dwrite(id, type, mem, space, o->dxpl, text) >= 0;
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, ok, "write", dset), done);
done:
  ladsim__h5_close(id);
  ladsim__h5_close(mem);
  ladsim__h5_close(space);
  ladsim__h5_close(type);
  return s;
}

ladsim_status ladsim_output_attr_string(ladsim_output *o, const char *obj,
                                        const char *name, const char *value)
{
  LADSIM_CHECK(check_names(o, "ladsim_output_attr_string", obj, name));
  LADSIM_CHECK(ladsim__output_usable(o));
  if (value == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "attribute %s of %s: NULL value",
                        name, obj);
  hid_t type = vlen_string_type();
  LADSIM_CHECK(ladsim__output_step(o, type >= 0, "make a string type for",
                                   name));
  ladsim_status s = write_attr(o, obj, name, type, type, &value);
  H5Tclose(type);
  LADSIM_CHECK(s);
  return LADSIM_OK;
}

ladsim_status ladsim_output_attr_double(ladsim_output *o, const char *obj,
                                        const char *name, double value)
{
  LADSIM_CHECK(check_names(o, "ladsim_output_attr_double", obj, name));
  LADSIM_CHECK(ladsim__output_usable(o));
  LADSIM_CHECK(write_attr(o, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                          &value));
  return LADSIM_OK;
}
