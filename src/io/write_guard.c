/* write_guard.c: the output's writes never fail inside HDF5; a failure is kept for the next agreement.
 *
 * Parallel HDF5 1.10 does not survive a write that fails on some ranks
 * only, which is what a full disk gives, since each rank writes its own
 * part: HDF5 leaves the call on the failing ranks while the others go on
 * to the next collective call inside it (a barrier, resetting the file
 * view) and wait there for ever. OpenMPI's collective writes make it
 * worse: they report a failure only on the ranks that did the failing
 * write, or (the vulcan component, 3 ranks and more) on none, so the
 * output uses independent transfers. And when the cached metadata cannot
 * be written, H5Fclose fails, leaves the file's identifier pointing at
 * freed memory, and HDF5 crashes on it when the library shuts down (in
 * MPI_Finalize, or at exit).
 *
 * So HDF5 is never told. Under MPI-IO, through the MPI profiling
 * interface: the library's MPI_File_write_at, MPI_File_write_at_all and
 * MPI_File_set_size, which HDF5's MPI-IO driver calls, pass the output's
 * file to their PMPI_ versions. A lone process without MPI writes through
 * HDF5's POSIX driver (sec2), which calls pwrite and ftruncate: those are
 * defined here too, and pass every file to the system calls themselves.
 * A failure on the output's file (an error, or a write cut short) is kept
 * here and reported to HDF5 as success; from then on this rank writes
 * nothing more to the file. The output asks (ladsim__write_failed) after
 * each HDF5 call that may write, and the ranks agree on it
 * (ladsim__output_step); after a failure every rank drops its writes
 * (ladsim__write_discard), HDF5 closes the file cleanly, and the file on
 * disk stays what was flushed before the failure. Other files pass
 * through unchanged. */
#include "config.h"
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GUARDED_MAX 16
#define WHY_MAX 256

typedef struct {
  const void *owner;    /* the output whose file it is */
  MPI_File fh;          /* the file under MPI-IO */
  int fd;               /* or its descriptor under the POSIX driver; -1 if not */
  bool used;
  bool discard;         /* writes are dropped */
  char why[WHY_MAX];    /* the first failure on this rank, "" if none */
} guarded_file;

static guarded_file guarded[GUARDED_MAX];

static guarded_file *find(MPI_File fh)
{
  for (int i = 0; i < GUARDED_MAX; i++)
    if (guarded[i].used && guarded[i].fd < 0 && guarded[i].fh == fh)
      return &guarded[i];
  return NULL;
}

static guarded_file *find_fd(int fd)
{
  for (int i = 0; i < GUARDED_MAX; i++)
    if (guarded[i].used && guarded[i].fd >= 0 && guarded[i].fd == fd)
      return &guarded[i];
  return NULL;
}

/* A write that is not done reports all its bytes written, as a real one
 * would: HDF5 checks the count against the size of what it wrote. */
static int pretend_written(MPI_Status *status, MPI_Datatype datatype, int count)
{
  MPI_Count size = 0;
  if (status != MPI_STATUS_IGNORE
      && PMPI_Type_size_x(datatype, &size) == MPI_SUCCESS)
    PMPI_Status_set_elements_x(status, MPI_BYTE, size * count);
  return MPI_SUCCESS;
}

/* Whether a write of count datatypes that returned success wrote fewer
 * bytes: OpenMPI reports a write cut short by a full disk that way. */
static bool cut_short(const MPI_Status *status, MPI_Datatype datatype,
                      int count)
{
  MPI_Count size = 0, n = 0;
  return status != MPI_STATUS_IGNORE
         && (PMPI_Type_size_x(datatype, &size) != MPI_SUCCESS
             || PMPI_Get_elements_x(status, MPI_BYTE, &n) != MPI_SUCCESS
             || n != size * count);
}

/* Keeps the first failure of g (rc, or a write cut short when datatype
 * is given) and stops its writes. */
static void keep_failure(guarded_file *g, const char *call, int rc,
                         const MPI_Status *status, MPI_Datatype datatype,
                         int count)
{
  bool short_write = rc == MPI_SUCCESS && datatype != MPI_DATATYPE_NULL
                     && cut_short(status, datatype, count);
  if (rc == MPI_SUCCESS && !short_write)
    return;
  char text[MPI_MAX_ERROR_STRING] = "the write was cut short";
  int len = 0;
  if (rc != MPI_SUCCESS)
    PMPI_Error_string(rc, text, &len);
  if (g->why[0] == '\0')
    snprintf(g->why, WHY_MAX, "%s failed (%s)", call, text);
  g->discard = true;
}

bool ladsim__write_guard(hid_t file, const void *owner, bool mpio)
{
  void *handle = NULL;
  if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == NULL)
    return false;
  for (int i = 0; i < GUARDED_MAX; i++)
    if (!guarded[i].used) {
      guarded[i] = (guarded_file){.owner = owner, .fd = -1, .used = true};
      if (mpio)
        guarded[i].fh = *(MPI_File *)handle;
      else
        guarded[i].fd = *(int *)handle;
      return true;
    }
  return false;
}

const char *ladsim__write_failed(const void *owner)
{
  for (int i = 0; i < GUARDED_MAX; i++)
    if (guarded[i].used && guarded[i].owner == owner && guarded[i].why[0])
      return guarded[i].why;
  return NULL;
}

void ladsim__write_discard(const void *owner)
{
  for (int i = 0; i < GUARDED_MAX; i++)
    if (guarded[i].used && guarded[i].owner == owner)
      guarded[i].discard = true;
}

void ladsim__write_unguard(const void *owner)
{
  for (int i = 0; i < GUARDED_MAX; i++)
    if (guarded[i].used && guarded[i].owner == owner)
      guarded[i].used = false;
}

typedef int write_at_fn(MPI_File, MPI_Offset, const void *, int, MPI_Datatype,
                        MPI_Status *);

/* A write through pmpi (named call): to any file but the output's as it
 * is; to the output's, a failure is kept and reported as success. */
static int guarded_write(write_at_fn *pmpi, const char *call, MPI_File fh,
                         MPI_Offset offset, const void *buf, int count,
                         MPI_Datatype datatype, MPI_Status *status)
{
  guarded_file *g = find(fh);
  if (g == NULL)
    return pmpi(fh, offset, buf, count, datatype, status);
  if (g->discard)
    return pretend_written(status, datatype, count);
  int rc = pmpi(fh, offset, buf, count, datatype, status);
  keep_failure(g, call, rc, status, datatype, count);
  return g->discard ? pretend_written(status, datatype, count) : rc;
}

int MPI_File_write_at_all(MPI_File fh, MPI_Offset offset, const void *buf,
                          int count, MPI_Datatype datatype, MPI_Status *status)
{
  return guarded_write(PMPI_File_write_at_all, "MPI_File_write_at_all", fh,
                       offset, buf, count, datatype, status);
}

int MPI_File_write_at(MPI_File fh, MPI_Offset offset, const void *buf,
                      int count, MPI_Datatype datatype, MPI_Status *status)
{
  return guarded_write(PMPI_File_write_at, "MPI_File_write_at", fh, offset,
                       buf, count, datatype, status);
}

/* HDF5 grows the file to its allocated size when it flushes or closes. */
int MPI_File_set_size(MPI_File fh, MPI_Offset size)
{
  guarded_file *g = find(fh);
  if (g == NULL)
    return PMPI_File_set_size(fh, size);
  if (g->discard)
    return MPI_SUCCESS;
  keep_failure(g, "MPI_File_set_size", PMPI_File_set_size(fh, size), NULL,
               MPI_DATATYPE_NULL, 0);
  return MPI_SUCCESS;
}

/* OpenMPI's MPI_File_sync fails at once on a rank whose write failed,
 * without taking part in the barrier of the others, which then wait for
 * ever. The output's file is not synced: what H5Fflush writes reaches the
 * operating system, and survives the end of the process, as with serial
 * HDF5, whose flush does not sync either. */
int MPI_File_sync(MPI_File fh)
{
  if (find(fh) != NULL)
    return MPI_SUCCESS;
  return PMPI_File_sync(fh);
}

/* Keeps the first failure of a POSIX call on g (errno err) and stops its
 * writes. */
static void keep_errno(guarded_file *g, const char *call, int err)
{
  if (g->why[0] == '\0')
    snprintf(g->why, WHY_MAX, "%s failed (%s)", call, strerror(err));
  g->discard = true;
}

/* HDF5's POSIX driver writes with pwrite, and retries the rest of a write
 * that did part; a write that did nothing is the failure. */
ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset)
{
  guarded_file *g = find_fd(fd);
  if (g != NULL && g->discard)
    return (ssize_t)n;
  ssize_t done = syscall(SYS_pwrite64, fd, buf, n, offset);
  if (g == NULL || done > 0 || n == 0 || (done < 0 && errno == EINTR))
    return done;
  keep_errno(g, "pwrite", done < 0 ? errno : ENOSPC);
  return (ssize_t)n;
}

/* It sets the file's length to its allocated size when it flushes or
 * closes. */
int ftruncate(int fd, off_t length)
{
  guarded_file *g = find_fd(fd);
  if (g != NULL && g->discard)
    return 0;
  int rc = (int)syscall(SYS_ftruncate, fd, length);
  if (g == NULL || rc == 0)
    return rc;
  keep_errno(g, "ftruncate", errno);
  return 0;
}
