/* spikes.c: spikes of a population in the SONATA layout, appended collectively.
 *
 * /spikes/<population>/timestamps (float64, ms) and node_ids (uint64) grow
 * together, entry k of both being one spike. Each append is one H5Dwrite
 * transfer in which every rank writes its own spikes at an offset given by
 * the counts of the ranks before it, so the file holds them in rank order.
 * SONATA readers trust the group's attribute sorting = by_time to search
 * the timestamps by bisection, so the order is checked across ranks and
 * across appends before anything is written. */
#include "config.h"
#include "io/io.h"
#include "comm/comm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* 8192 spikes (64 KiB per data set) per chunk: few chunks to index over a
 * long run, and little waste in a short one. */
#define SPIKE_CHUNK 8192
#define POPULATION_MAX 255  /* characters of a population name */
#define GROUP_MAX (POPULATION_MAX + sizeof "/spikes/")

/* The values of SONATA's sorting attribute, an HDF5 enum over uint8 with
 * the numbering libsonata reads. */
enum { SORTING_NONE = 0, SORTING_BY_ID = 1, SORTING_BY_TIME = 2 };

typedef struct {
  char group[GROUP_MAX];
  char times[GROUP_MAX + sizeof "/timestamps"];
  char ids[GROUP_MAX + sizeof "/node_ids"];
} spike_paths;

/* Where this rank's spikes go in an append. */
typedef struct {
  uint64_t offset;  /* spikes of the ranks before this one */
  uint64_t total;   /* spikes of all ranks */
} spike_place;

static ladsim_status make_paths(const char *population, spike_paths *p)
{
  if (population == NULL || population[0] == '\0'
      || strchr(population, '/') != NULL || strcmp(population, ".") == 0)
    return LADSIM_ERROR(LADSIM_EINVAL, "spike population name \"%s\": give "
                        "a non-empty name without '/' (a layer name)",
                        population != NULL ? population : "(null)");
  if (strlen(population) > POPULATION_MAX)
    return LADSIM_ERROR(LADSIM_EINVAL, "spike population name \"%.40s...\" "
                        "is too long; keep it to %d characters",
                        population, POPULATION_MAX);
  snprintf(p->group, sizeof p->group, "/spikes/%s", population);
  snprintf(p->times, sizeof p->times, "%s/timestamps", p->group);
  snprintf(p->ids, sizeof p->ids, "%s/node_ids", p->group);
  return LADSIM_OK;
}

/* This rank's spikes: present when counted, finite, and in time order. */
static ladsim_status check_spikes(const char *group, size_t n,
                                  const double *times, const uint64_t *ids)
{
  if (n > 0 && (times == NULL || ids == NULL))
    return LADSIM_ERROR(LADSIM_EINVAL, "cannot append %zu spikes to %s: no "
                        "times or ids given", n, group);
  for (size_t k = 0; k < n; k++) {
    if (!isfinite(times[k]))
      return LADSIM_ERROR(LADSIM_EINVAL, "cannot append to %s: spike %zu "
                          "(node %llu) has time %g ms", group, k,
                          (unsigned long long)ids[k], times[k]);
    if (k > 0 && times[k] < times[k - 1])
      return LADSIM_ERROR(LADSIM_EINVAL, "cannot append to %s: spike %zu at "
                          "%.17g ms comes before spike %zu at %.17g ms; sort "
                          "the spikes by (time, id) first", group, k,
                          times[k], k - 1, times[k - 1]);
  }
  return LADSIM_OK;
}

static ladsim_status mpi_failed(const char *call, const char *group)
{
  return LADSIM_ERROR(LADSIM_EMPI, "%s failed while appending spikes to %s",
                      call, group);
}

/* The offset of this rank's spikes, and whether its first spike follows
 * the last one of every rank before it and of the appends before. Rank 0
 * gets nothing from MPI_Exscan, hence the explicit starting values. */
static ladsim_status scan_ranks(const ladsim_output *o, const char *group,
                                double last_written, size_t n,
                                const double *times, bool valid,
                                spike_place *place, ladsim_status *mine)
{
  uint64_t count = valid ? n : 0, offset = 0;
  double last = valid && n > 0 ? times[n - 1] : -INFINITY, before = -INFINITY;
  if (ladsim_comm_exscan(&count, &offset, 1, MPI_UINT64_T, MPI_SUM, o->comm)
          != MPI_SUCCESS
      || ladsim_comm_exscan(&last, &before, 1, MPI_DOUBLE, MPI_MAX, o->comm)
             != MPI_SUCCESS)
    return mpi_failed("MPI_Exscan", group);
  if (o->rank == 0) {
    offset = 0;
    before = -INFINITY;
  }
  place->offset = offset;
  before = fmax(before, last_written);
  if (valid && n > 0 && times[0] < before)
    *mine = LADSIM_ERROR(LADSIM_EINVAL, "cannot append to %s: the first "
                         "spike of rank %d, at %.17g ms, comes before %.17g "
                         "ms, a spike of a rank before it or of an earlier "
                         "append; exchange and sort the spikes by (time, id) "
                         "before appending them in rank order",
                         group, o->rank, times[0], before);
  return LADSIM_OK;
}

/* Places this rank's spikes; every rank fails if one of them does, before
 * any of them enters a collective HDF5 call that the failing one would
 * skip. */
static ladsim_status place_spikes(const ladsim_output *o, const char *group,
                                  double last_written, size_t n,
                                  const double *times, const uint64_t *ids,
                                  spike_place *place)
{
  ladsim_status mine = check_spikes(group, n, times, ids);
  LADSIM_CHECK(scan_ranks(o, group, last_written, n, times,
                          mine == LADSIM_OK, place, &mine));
  uint64_t sums[2] = {mine == LADSIM_OK ? n : 0, mine != LADSIM_OK};
  if (ladsim_comm_allreduce(MPI_IN_PLACE, sums, 2, MPI_UINT64_T, MPI_SUM, o->comm)
      != MPI_SUCCESS)
    return mpi_failed("MPI_Allreduce", group);
  if (mine != LADSIM_OK)
    return mine;
  if (sums[1] > 0)
    return LADSIM_ERROR(LADSIM_EINVAL, "%llu other rank(s) passed spikes "
                        "that cannot be appended to %s; nothing was written",
                        (unsigned long long)sums[1], group);
  place->total = sums[0];
  return LADSIM_OK;
}

/* The latest time over all ranks' spikes: what the next append must not
 * precede. */
static ladsim_status latest_time(const ladsim_output *o, const char *group,
                                 size_t n, const double *times, double *latest)
{
  double last = n > 0 ? times[n - 1] : -INFINITY;
  if (ladsim_comm_allreduce(MPI_IN_PLACE, &last, 1, MPI_DOUBLE, MPI_MAX, o->comm)
      != MPI_SUCCESS)
    return mpi_failed("MPI_Allreduce", group);
  *latest = fmax(*latest, last);
  return LADSIM_OK;
}

/* An empty 1-D data set of file_type that grows without limit. */
static hid_t create_column(ladsim_output *o, const char *dset, hid_t file_type)
{
  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {SPIKE_CHUNK};
  hid_t space = H5Screate_simple(1, dims, maxdims);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t id = H5I_INVALID_HID;
  if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, chunk) >= 0
      && ladsim__h5_no_fill(dcpl))
    id = H5Dcreate2(o->file, dset, file_type, space, o->lcpl, dcpl,
                    H5P_DEFAULT);
  ladsim__h5_close(dcpl);
  ladsim__h5_close(space);
  return id;
}

/* SONATA's enum type of the sorting attribute. */
static hid_t sorting_type(void)
{
  static const char *names[] = {"none", "by_id", "by_time"};
  static const uint8_t values[] = {SORTING_NONE, SORTING_BY_ID,
                                   SORTING_BY_TIME};
  hid_t t = H5Tenum_create(H5T_STD_U8LE);
  for (int i = 0; i < 3 && t >= 0; i++)
    if (H5Tenum_insert(t, names[i], &values[i]) < 0) {
      H5Tclose(t);
      t = H5I_INVALID_HID;
    }
  return t;
}

static ladsim_status write_sorting(ladsim_output *o, const char *group)
{
  uint8_t value = SORTING_BY_TIME;
  hid_t type = sorting_type();
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t grp = H5Gopen2(o->file, group, H5P_DEFAULT);
  hid_t attr = H5I_INVALID_HID;
  if (type >= 0 && space >= 0 && grp >= 0)
    attr = H5Acreate2(grp, "sorting", type, space, H5P_DEFAULT, H5P_DEFAULT);
  ladsim_status s;
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, attr >= 0, "create the "
                                           "attribute sorting of", group),
                    done);
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, H5Awrite(attr, type, &value) >= 0,
                                           "write the attribute sorting of",
                                           group), done);
done:
  ladsim__h5_close(attr);
  ladsim__h5_close(grp);
  ladsim__h5_close(space);
  ladsim__h5_close(type);
  return s;
}

/* Creates the two data sets, keeps them open in the output's table and
 * returns their entries. */
static ladsim_status create_population(ladsim_output *o, const spike_paths *p,
                                       ladsim__ext **times, ladsim__ext **ids)
{
  const char *names[2] = {p->times, p->ids};
  hid_t types[2] = {H5T_IEEE_F64LE, H5T_STD_U64LE};
  ladsim__ext proto = {.kind = LADSIM__EXT_SPIKES, .last_time = -INFINITY};
  for (int i = 0; i < 2; i++) {
    ladsim__ext *e;
    proto.dset = create_column(o, names[i], types[i]);
    LADSIM_CHECK(ladsim__output_step(o, proto.dset >= 0, "create", names[i]));
    ladsim_status s = ladsim__output_agree(o, ladsim__output_ext_add(o, names[i],
                                                                    proto, &e));
    if (s != LADSIM_OK) {
      ladsim__h5_close(proto.dset);
      return ladsim_error_trace(s, __FILE__, __LINE__);
    }
  }
  LADSIM_CHECK(write_sorting(o, p->group));
  LADSIM_CHECK(ladsim_output_attr_string(o, p->times, "units", "ms"));
  /* Adding to the table may have moved its entries. */
  *times = ladsim__output_ext_find(o, p->times);
  *ids = ladsim__output_ext_find(o, p->ids);
  return LADSIM_OK;
}

/* The table entry of a spike data set, or NULL if it is not open; a data
 * set of that name opened as a series or stack is an error. */
static ladsim_status find_column(ladsim_output *o, const char *dset,
                                 ladsim__ext **out)
{
  *out = ladsim__output_ext_find(o, dset);
  if (*out != NULL && (*out)->kind != LADSIM__EXT_SPIKES)
    return LADSIM_ERROR(LADSIM_EINVAL, "cannot append spikes to %s: it was "
                        "written as a %s", dset,
                        (*out)->kind == LADSIM__EXT_SERIES ? "series"
                                                           : "stack");
  return LADSIM_OK;
}

/* The open data sets of the population, both NULL before its first
 * append. */
static ladsim_status find_population(ladsim_output *o, const spike_paths *p,
                                     ladsim__ext **times, ladsim__ext **ids)
{
  LADSIM_CHECK(find_column(o, p->times, times));
  LADSIM_CHECK(find_column(o, p->ids, ids));
  if ((*times == NULL) != (*ids == NULL)
      || (*times != NULL && (*times)->len != (*ids)->len))
    return LADSIM_ERROR(LADSIM_EINTERNAL, "the spike data sets of %s are "
                        "out of step (an earlier append failed half-way?)",
                        p->group);
  return LADSIM_OK;
}

/* Grows e by place->total entries and writes this rank's n of them at its
 * offset. Collective. */
static ladsim_status append_column(ladsim_output *o, ladsim__ext *e,
                                   hid_t mem_type, const spike_place *place,
                                   size_t n, const void *data)
{
  hsize_t dims[1] = {e->len + place->total};
  LADSIM_CHECK(ladsim__output_step(o, H5Dset_extent(e->dset, dims) >= 0,
                                   "extend", e->name));
  hsize_t start[1] = {e->len + place->offset}, count[1] = {n};
  hid_t fspace = H5Dget_space(e->dset);
  bool ok = fspace >= 0
            && ladsim__output_write_block(o, e->dset, fspace, mem_type, start,
                                          count, data);
  ladsim__h5_close(fspace);
  LADSIM_CHECK(ladsim__output_step(o, ok, "append to", e->name));
  e->len += place->total;
  return LADSIM_OK;
}

ladsim_status ladsim_output_spikes_append(ladsim_output *o,
                                          const char *population, size_t n,
                                          const double *times,
                                          const uint64_t *ids)
{
  if (o == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_output_spikes_append: NULL output");
  LADSIM_CHECK(ladsim__output_usable(o));
  spike_paths p;
  ladsim__ext *t, *id;
  spike_place place;
  LADSIM_CHECK(make_paths(population, &p));
  LADSIM_CHECK(find_population(o, &p, &t, &id));
  LADSIM_CHECK(place_spikes(o, p.group, t != NULL ? t->last_time : -INFINITY,
                            n, times, ids, &place));
  /* Created only once the spikes are known to be good, so that a refused
   * first append leaves nothing behind. */
  if (t == NULL)
    LADSIM_CHECK(create_population(o, &p, &t, &id));
  /* Every rank knows the total: with no spikes anywhere there is nothing
   * to extend, and they skip the transfer together. */
  if (place.total == 0)
    return LADSIM_OK;
  LADSIM_CHECK(append_column(o, t, H5T_NATIVE_DOUBLE, &place, n, times));
  LADSIM_CHECK(append_column(o, id, H5T_NATIVE_UINT64, &place, n, ids));
  LADSIM_CHECK(latest_time(o, p.group, n, times, &t->last_time));
  return LADSIM_OK;
}
