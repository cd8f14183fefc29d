/* idx.c: reads MNIST-style IDX image and label files, gzipped or plain. */
#include "config.h"
#include "input/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define IDX_IMAGES_MAGIC 0x00000803u /* unsigned bytes, 3 dimensions */
#define IDX_LABELS_MAGIC 0x00000801u /* unsigned bytes, 1 dimension */
#define GZ_BUFFER (128u * 1024u)     /* zlib's default 8 KiB is slow here */
#define GZ_CHUNK (1u << 30)          /* gzread takes an unsigned, returns int */
#define GZ_MAX_RATIO 1032u           /* deflate expands at most ~1032:1 */

/* One open IDX file: the path is kept for every message about it. */
typedef struct {
  gzFile gz;
  const char *path;
  const char *kind;   /* "image" or "label" */
  uint32_t dims[3];
} idx_file;

static uint32_t be32(const unsigned char *b)
{
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Why the last gzread stopped early, as a message about f. got bytes of
 * what arrived out of want. */
static ladsim_status short_read_error(const idx_file *f, int saved_errno,
                                      size_t want, size_t got, const char *what)
{
  int code;
  const char *msg = gzerror(f->gz, &code);
  size_t skip = strlen(f->path);
  /* zlib prefixes its message with the path, which ours already names. */
  if (strncmp(msg, f->path, skip) == 0 && strncmp(msg + skip, ": ", 2) == 0)
    msg += skip + 2;
  if (code == Z_ERRNO)
    return LADSIM_ERROR(LADSIM_EDATA, "cannot read %s: %s", f->path,
                        strerror(saved_errno));
  if (code == Z_MEM_ERROR)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory decompressing %s",
                        f->path);
  if (code != Z_OK && code != Z_BUF_ERROR)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "%s is corrupt: its gzip data cannot be decompressed "
                        "(%s); download the file again",
                        f->path, msg);
  return LADSIM_ERROR(LADSIM_EDATA,
                      "%s is truncated: expected %zu bytes of %s, found %zu%s; "
                      "download the file again",
                      f->path, want, what, got,
                      code == Z_BUF_ERROR ? " (the gzip stream ends early)" : "");
}

/* Reads exactly len bytes or says why not; before says how many bytes of
 * the same item (what) were read already, for the message. */
static ladsim_status idx_read(const idx_file *f, void *buf, size_t len,
                              size_t before, const char *what)
{
  unsigned char *p = buf;
  size_t got = 0;
  int saved_errno = 0;
  while (got < len) {
    unsigned chunk = len - got < GZ_CHUNK ? (unsigned)(len - got) : GZ_CHUNK;
    errno = 0;
    int r = gzread(f->gz, p + got, chunk);
    saved_errno = errno;
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  if (got < len)
    LADSIM_CHECK(short_read_error(f, saved_errno, before + len, before + got,
                                  what));
  return LADSIM_OK;
}

/* After the whole announced content: one more read makes zlib check the
 * gzip trailer (CRC and length), and any byte left over means the header
 * does not describe the file. */
static ladsim_status idx_expect_end(const idx_file *f)
{
  unsigned char extra;
  errno = 0;
  int r = gzread(f->gz, &extra, 1);
  int saved_errno = errno, code;
  gzerror(f->gz, &code);
  if (r > 0)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "%s holds more data than its header announces; it is "
                        "corrupt or not an IDX %s file",
                        f->path, f->kind);
  if (code == Z_BUF_ERROR)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "%s is truncated: the gzip stream ends before its "
                        "trailer; download the file again", f->path);
  if (r < 0 || code != Z_OK)
    LADSIM_CHECK(short_read_error(f, saved_errno, 1, 0, "trailer"));
  return LADSIM_OK;
}

static ladsim_status idx_open(idx_file *f, const char *path, const char *kind)
{
  f->path = path;
  f->kind = kind;
  errno = 0;
  f->gz = gzopen(path, "rb");
  if (!f->gz) {
    if (errno == 0)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory opening %s", path);
    return LADSIM_ERROR(LADSIM_EDATA, "cannot open %s: %s", path,
                        strerror(errno));
  }
  gzbuffer(f->gz, GZ_BUFFER);
  return LADSIM_OK;
}

static void idx_close(idx_file *f)
{
  if (f->gz)
    gzclose_r(f->gz);
  f->gz = NULL;
}

/* Reads the magic number and the ndims sizes that follow it. The magic
 * comes first on its own, so a file of another kind is named as such even
 * when it is shorter than the header expected here. */
static ladsim_status idx_header(idx_file *f, uint32_t magic, unsigned ndims)
{
  unsigned char head[16];
  LADSIM_CHECK(idx_read(f, head, 4, 0, "header"));
  uint32_t found = be32(head);
  if (found != magic)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "%s is not an IDX %s file (magic 0x%08x, expected "
                        "0x%08x)",
                        f->path, f->kind, (unsigned)found, (unsigned)magic);
  LADSIM_CHECK(idx_read(f, head + 4, 4 * (size_t)ndims, 4, "header"));
  for (unsigned i = 0; i < ndims; i++)
    f->dims[i] = be32(head + 4 + 4 * i);
  return LADSIM_OK;
}

static ladsim_status check_headers(const idx_file *im, const idx_file *lb)
{
  if (im->dims[0] == 0 || im->dims[1] == 0 || im->dims[2] == 0)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "%s holds no pixels (%u images of %u x %u)", im->path,
                        (unsigned)im->dims[0], (unsigned)im->dims[1],
                        (unsigned)im->dims[2]);
  if (lb->dims[0] != im->dims[0])
    return LADSIM_ERROR(LADSIM_EDATA,
                        "%s has %u labels but %s has %u images; give the label "
                        "file that belongs to these images",
                        lb->path, (unsigned)lb->dims[0], im->path,
                        (unsigned)im->dims[0]);
  return LADSIM_OK;
}

static ladsim_status check_labels(const idx_file *lb, const ladsim_dataset *d)
{
  for (size_t i = 0; i < d->n; i++)
    if (d->labels[i] >= LADSIM__MAX_CLASSES)
      return LADSIM_ERROR(LADSIM_EDATA,
                          "%s: label %u of sample %zu is out of range (labels "
                          "must lie in 0..%d)",
                          lb->path, (unsigned)d->labels[i], i,
                          LADSIM__MAX_CLASSES - 1);
  return LADSIM_OK;
}

/* The count items of item bytes that f's header announces (after head
 * bytes of header) must fit in the file: a plain file holds them or is
 * truncated, and a gzip file cannot expand beyond deflate's limit. A header
 * that lies is so reported as a damaged file, not as an allocation that
 * fails. */
static ladsim_status check_size(const idx_file *f, uint64_t head, uint64_t count,
                                uint64_t item, const char *what)
{
  struct stat st;
  if (stat(f->path, &st) != 0 || !S_ISREG(st.st_mode))
    return LADSIM_OK;   /* not a plain file: reading finds what is missing */
  uint64_t size = (uint64_t)st.st_size;
  bool plain = gzdirect(f->gz);
  uint64_t room = plain ? (size > head ? size - head : 0) : size * GZ_MAX_RATIO;
  if (item == 0 || count <= room / item)
    return LADSIM_OK;
  if (plain)
    return LADSIM_ERROR(LADSIM_EDATA, "%s is truncated: expected %llu bytes of %s, "
                        "found %llu; download the file again", f->path,
                        (unsigned long long)count * item, what, (unsigned long long)room);
  return LADSIM_ERROR(LADSIM_EDATA, "%s is truncated or corrupt: its header announces "
                      "%llu x %llu bytes of %s, more than a gzip file of %llu bytes can "
                      "hold; download the file again", f->path, (unsigned long long)count,
                      (unsigned long long)item, what, (unsigned long long)size);
}

/* Reads the bodies once both headers agree; the caller closes the files. */
static ladsim_status read_bodies(idx_file *im, idx_file *lb, size_t limit,
                                 ladsim_dataset **out)
{
  size_t n = im->dims[0];
  bool whole = limit == 0 || limit >= n;
  ladsim_dataset *d = NULL;
  ladsim_status status;

  if (!whole)
    n = limit;
  LADSIM_CHECK(check_size(im, 16, n, (uint64_t)im->dims[1] * im->dims[2],
                          "pixels after the 16-byte header"));
  LADSIM_CHECK(check_size(lb, 8, n, 1, "labels after the 8-byte header"));
  LADSIM_CHECK(ladsim__dataset_alloc(n, im->dims[1], im->dims[2], im->path, &d));
  LADSIM_CHECK_GOTO(status, idx_read(im, d->pixels, n * d->rows * d->cols, 0,
                                     "pixels after the 16-byte header"), fail);
  LADSIM_CHECK_GOTO(status, idx_read(lb, d->labels, n, 0,
                                     "labels after the 8-byte header"), fail);
  if (whole) {
    LADSIM_CHECK_GOTO(status, idx_expect_end(im), fail);
    LADSIM_CHECK_GOTO(status, idx_expect_end(lb), fail);
  }
  LADSIM_CHECK_GOTO(status, check_labels(lb, d), fail);
  ladsim__dataset_count_classes(d);
  *out = d;
  return LADSIM_OK;
fail:
  ladsim_dataset_free(d);
  return status;
}

ladsim_status ladsim_dataset_read_idx(const char *images, const char *labels,
                                      size_t limit, ladsim_dataset **out)
{
  idx_file im = {0}, lb = {0};
  ladsim_status status;

  if (!images || !labels || !out)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_dataset_read_idx: NULL argument");
  *out = NULL;
  LADSIM_CHECK_GOTO(status, idx_open(&im, images, "image"), done);
  LADSIM_CHECK_GOTO(status, idx_header(&im, IDX_IMAGES_MAGIC, 3), done);
  LADSIM_CHECK_GOTO(status, idx_open(&lb, labels, "label"), done);
  LADSIM_CHECK_GOTO(status, idx_header(&lb, IDX_LABELS_MAGIC, 1), done);
  LADSIM_CHECK_GOTO(status, check_headers(&im, &lb), done);
  LADSIM_CHECK_GOTO(status, read_bodies(&im, &lb, limit, out), done);
done:
  idx_close(&im);
  idx_close(&lb);
  return status;
}
