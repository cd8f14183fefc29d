/* sim_resume.c: a run that continues from a checkpoint, and the records it takes over. */
#include "config.h"
#include "network/sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io/state.h"

ladsim_status ladsim_checkpoint_records(const char *ckpt, char **records)
{
  ladsim_input_file *f;
  char *out = NULL;
  *records = NULL;
  LADSIM_CHECK(ladsim_input_file_open(ckpt, &f));
  ladsim_status st = ladsim_input_file_read_string(f, "/resume/output", &out);
  ladsim_input_file_close(f);
  if (st != LADSIM_OK)
    return LADSIM_ERROR(LADSIM_EDATA, "%s is not a ladsim checkpoint (%s)", ckpt,
                        ladsim_error_message());
  size_t len = strlen(out);
  char *partial = malloc(len + sizeof ".partial");
  if (!partial) {
    free(out);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory");
  }
  snprintf(partial, len + sizeof ".partial", "%s.partial", out);
  if (len && access(out, R_OK) == 0) {
    *records = out;
    free(partial);
  } else if (len && access(partial, R_OK) == 0) {
    *records = partial;
    free(out);
  } else {
    st = LADSIM_ERROR(LADSIM_EDATA, "%s continues the output '%s', which is gone (nor is "
                      "there a .partial of it); a resumed run needs what that run recorded",
                      ckpt, out);
    free(out);
    free(partial);
  }
  return st;
}

/* Sets part to a list item's name at level d: its name: value when the
 * item line gives one, else [index]. */
static void item_part(char *part, size_t len, const char *c, int index)
{
  if (strncmp(c, "- name: ", 8) == 0)
    snprintf(part, len, "%.*s", (int)strcspn(c + 8, "\n"), c + 8);
  else
    snprintf(part, len, "[%d]", index);
}

/* The dotted key on line `line` (1-based) of a resolved model, e.g.
 * layers.hidden.size: ladsim_model_write indents two spaces a level and
 * starts list items with "- ". */
static void key_of_line(const char *text, int line, char *out, size_t len)
{
  enum { DEPTH = 16, PART = 72 };
  char part[DEPTH][PART] = {{0}};
  int item[DEPTH] = {0};   /* the index of the list item open at a level, or -1 */
  size_t depth = 0;
  const char *p = text;
  for (int l = 1; l <= line && *p; l++) {
    size_t d = strspn(p, " ") / 2;
    const char *c = p + 2 * d;
    if (d + 2 > DEPTH)
      break;
    if (c[0] == '-' && c[1] == ' ') {
      item[d] = depth > d && item[d] >= 0 ? item[d] + 1 : 0;
      item_part(part[d], PART, c, item[d]);
      c += 2;
      d++;
    }
    item[d] = -1;
    snprintf(part[d], PART, "%.*s", (int)strcspn(c, ":\n"), c);
    depth = d + 1;
    p += strcspn(p, "\n");
    p += *p == '\n';
  }
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < depth && used + PART + 1 < len; i++) {
    if (i && part[i][0] != '[')
      out[used++] = '.';
    size_t n = strnlen(part[i], PART - 1);
    memcpy(out + used, part[i], n);
    used += n;
    out[used] = '\0';
  }
}

/* The checkpoint must come from this model; only the duration and the
 * settings that do not change what is simulated or recorded may differ. */
static ladsim_status check_model(const ladsim_sim *s, ladsim_input_file *f, const char *path)
{
  char *text = NULL, *was = NULL, *now = NULL;
  ladsim_model *m = NULL;
  ladsim_status st = ladsim_input_file_read_string(f, "/config/resolved", &text);
  if (st == LADSIM_OK)
    st = ladsim_model_parse(text, path, NULL, 0, &m);
  if (st == LADSIM_OK) {
    m->simulation.duration = s->m->simulation.duration;
    m->record.checkpoint = s->m->record.checkpoint;
    m->record.progress = s->m->record.progress;
    st = ladsim_model_to_string(m, &was);
  }
  if (st == LADSIM_OK)
    st = ladsim_model_to_string(s->m, &now);
  if (st == LADSIM_OK && strcmp(was, now) != 0) {
    const char *a = was, *b = now;
    int line = 1;
    for (; *a && *a == *b; a++, b++)
      line += *a == '\n';
    while (a > was && a[-1] != '\n')
      a--, b--;   /* the whole differing line, without its indentation */
    a += strspn(a, " -");
    b += strspn(b, " -");
    char key[512];
    key_of_line(now, line, key, sizeof key);
    st = LADSIM_ERROR(LADSIM_ECONFIG, "--resume %s: the checkpoint was written by another "
                      "model: %s differs ('%.*s' there, '%.*s' here); only "
                      "simulation.duration, record.checkpoint and record.progress may change",
                      path, key, (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
  }
  free(text);
  free(was);
  free(now);
  ladsim_model_free(m);
  return st;
}

static ladsim_status apply_counters(ladsim_sim *s, const int64_t c[LADSIM__C_COUNT], const char *path)
{
  if (c[LADSIM__C_STEP] < 0 || c[LADSIM__C_VM_ROWS] < 0 || (size_t)c[LADSIM__C_VM_ROWS] > s->vm_cap
      || c[LADSIM__C_N_EVENTS] < 0 || c[LADSIM__C_VIEWS] < 0 || (uint64_t)c[LADSIM__C_VIEWS] > s->n_views)
    return LADSIM_ERROR(LADSIM_EDATA, "%s: its counters do not fit this model", path);
  if (c[LADSIM__C_STEP] > s->end_step)
    return LADSIM_ERROR(LADSIM_ECONFIG, "--resume %s: the checkpoint is at t = %g ms, after "
                        "the end of this run (%g ms); raise simulation.duration", path,
                        (double)c[LADSIM__C_STEP] * s->m->simulation.resolution,
                        (double)s->end_step * s->m->simulation.resolution);
  s->step = c[LADSIM__C_STEP];
  s->views_done = (uint64_t)c[LADSIM__C_VIEWS];
  s->in_view = (int)c[LADSIM__C_IN_VIEW];
  s->last_metrics = c[LADSIM__C_LAST_METRICS];
  s->last_weights = c[LADSIM__C_LAST_WEIGHTS];
  s->vm_rows = s->vm_gathered = (size_t)c[LADSIM__C_VM_ROWS];
  s->n_metrics = (size_t)c[LADSIM__C_N_METRICS];
  s->n_weights = (size_t)c[LADSIM__C_N_WEIGHTS];
  s->net->step = c[LADSIM__C_NET_STEP];
  if (c[LADSIM__C_N_FLIGHT] < 0)
    return LADSIM_ERROR(LADSIM_EDATA, "%s: its counters do not fit this model", path);
  LADSIM_CHECK(ladsim_network_load_prepare(s->net, (size_t)c[LADSIM__C_N_FLIGHT]));
  s->last_ckpt = s->step;
  return LADSIM_OK;
}

/* The saved queue, with this run's end instead of the earlier one's. */
static ladsim_status restore_queue(ladsim_sim *s, const int64_t *rows, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    ladsim_event ev = {rows[3 * i], (ladsim_event_kind)rows[3 * i + 1], (uint64_t)rows[3 * i + 2]};
    if (ev.kind == LADSIM_EV_END)
      continue;
    if (ev.kind > LADSIM_EV_END || ev.step < s->step)
      return LADSIM_ERROR(LADSIM_EDATA, "the checkpoint's event queue is corrupt");
    LADSIM_CHECK(ladsim_event_queue_push(s->queue, ev));
  }
  ladsim_event end = {s->end_step, LADSIM_EV_END, 0};
  return ladsim_event_queue_push(s->queue, end);
}

/* Reads this rank's part of the state; not collective. */
static ladsim_status read_state(ladsim_sim *s, ladsim_input_file *f, const char *path)
{
  int64_t c[LADSIM__C_COUNT];
  LADSIM_CHECK(check_model(s, f, path));
  int rank;
  size_t dims[4] = {0};
  LADSIM_CHECK(ladsim_input_file_shape(f, "/state/sim/counters", &rank, dims));
  if (dims[0] != LADSIM__C_COUNT)
    return LADSIM_ERROR(LADSIM_EDATA, "--resume %s: the checkpoint was written by another "
                        "version of ladsim (%zu counters, this one keeps %d); run the "
                        "model again from the start", path, dims[0], (int)LADSIM__C_COUNT);
  LADSIM_CHECK(ladsim_input_file_read_rows(f, "/state/sim/counters", true, LADSIM__C_COUNT, 0, 0, LADSIM__C_COUNT, c));
  LADSIM_CHECK(apply_counters(s, c, path));
  size_t n_events = (size_t)c[LADSIM__C_N_EVENTS];
  int64_t *events = malloc((n_events ? n_events : 1) * 3 * sizeof *events);
  if (!events)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading the event queue");
  ladsim_state st = {0};
  ladsim_status rc = ladsim_state_whole(&st, "sim/events", LADSIM_STATE_I64, events,
                                        n_events, 3);
  if (rc == LADSIM_OK)
    rc = ladsim__sim_state(s, &st);
  if (rc == LADSIM_OK)
    rc = ladsim_state_read(&st, f);
  if (rc == LADSIM_OK)
    rc = restore_queue(s, events, n_events);
  ladsim_state_free(&st);
  free(events);
  if (rc == LADSIM_OK)
    ladsim_network_attach(s->net, s->x);
  if (rc == LADSIM_OK)
    rc = ladsim_network_load_finish(s->net, s->x, s->in_view != 0, s->views_done);
  return rc;
}

/* What the earlier run recorded, copied up to the checkpoint: n values of
 * a series, n slices of a stack. Rank 0 reads and writes the values; the
 * others take part in the collective writes. */
static ladsim_status copy_series(ladsim_sim *s, ladsim_input_file *f, ladsim_output *o,
                                 const char *name, size_t len, size_t n)
{
  double *v = calloc(len ? len : 1, sizeof *v);
  ladsim_status st = v ? LADSIM_OK : LADSIM_ERROR(LADSIM_ENOMEM, "out of memory copying %s", name);
  if (st == LADSIM_OK && s->rank == 0)
    st = ladsim_input_file_read_rows(f, name, false, len, 0, 0, n, v);
  st = ladsim_comm_agree(s->comm, st);
  for (size_t i = 0; st == LADSIM_OK && i < n; i++)
    st = ladsim_output_series_append(o, name, v[i]);
  free(v);
  return st;
}

static ladsim_status copy_stack(ladsim_sim *s, ladsim_input_file *f, ladsim_output *o,
                                const char *name, const size_t *dims, size_t n)
{
  size_t cells = dims[1] * dims[2];
  double *slice = s->rank == 0 ? malloc((cells ? cells : 1) * sizeof *slice) : NULL;
  ladsim_status st = s->rank != 0 || slice ? LADSIM_OK
                     : LADSIM_ERROR(LADSIM_ENOMEM, "out of memory copying %s", name);
  for (size_t k = 0; st == LADSIM_OK && k < n; k++) {
    if (s->rank == 0)
      st = ladsim_input_file_read_rows(f, name, false, dims[0], cells, k, 1, slice);
    st = ladsim_comm_agree(s->comm, st);
    if (st == LADSIM_OK)
      st = ladsim_output_stack_append(o, name, dims[1], dims[2], 0,
                                      s->rank == 0 ? dims[1] : 0, slice);
  }
  free(slice);
  return st;
}

static ladsim_status copy_spikes(ladsim_sim *s, ladsim_input_file *f, ladsim_output *o,
                                 const char *pop, size_t n)
{
  char tpath[256], ipath[256];
  snprintf(tpath, sizeof tpath, "/spikes/%s/timestamps", pop);
  snprintf(ipath, sizeof ipath, "/spikes/%s/node_ids", pop);
  size_t mine = s->rank == 0 ? n : 0;
  double *t = malloc((mine ? mine : 1) * sizeof *t);
  int64_t *id = malloc((mine ? mine : 1) * sizeof *id);
  ladsim_status st = t && id ? LADSIM_OK : LADSIM_ERROR(LADSIM_ENOMEM, "out of memory "
                                                        "copying the spikes of %s", pop);
  int rank;
  size_t dims[4];
  if (st == LADSIM_OK && mine)
    st = ladsim_input_file_shape(f, tpath, &rank, dims);
  if (st == LADSIM_OK && mine)
    st = ladsim_input_file_read_rows(f, tpath, false, dims[0], 0, 0, n, t);
  if (st == LADSIM_OK && mine)
    st = ladsim_input_file_read_rows(f, ipath, true, dims[0], 0, 0, n, id);
  st = ladsim_comm_agree(s->comm, st);
  if (st == LADSIM_OK)
    st = ladsim_output_spikes_append(o, pop, mine, t, (const uint64_t *)id);
  free(t);
  free(id);
  return st;
}

/* How much of data set name the checkpoint counts as recorded; SIZE_MAX:
 * not a record of the run (config, probe). */
static size_t recorded(const ladsim_sim *s, const char *name, const char **pop)
{
  *pop = NULL;
  if (strncmp(name, "/metrics/", 9) == 0)
    return s->n_metrics;
  if (strncmp(name, "/weights/", 9) == 0)
    return s->n_weights;
  for (size_t k = 0; k < s->n_rec; k++) {
    char path[256];
    snprintf(path, sizeof path, "/spikes/%s/timestamps", s->rec_pop[k]->spec->name);
    if (strcmp(name, path) == 0) {
      *pop = s->rec_pop[k]->spec->name;
      return s->rec_written[k];
    }
  }
  return SIZE_MAX;
}

static ladsim_status copy_one(ladsim_sim *s, ladsim_input_file *f, ladsim_output *o,
                              const char *name)
{
  const char *pop;
  size_t n = recorded(s, name, &pop), dims[4] = {0};
  int rank = 0;
  if (n == SIZE_MAX)
    return LADSIM_OK;
  LADSIM_CHECK(ladsim_input_file_shape(f, name, &rank, dims));
  if (dims[0] < n)
    return LADSIM_ERROR(LADSIM_EDATA, "%s in %s holds %zu records, the checkpoint counts %zu; "
                        "is it the output of the run that wrote the checkpoint?", name,
                        ladsim_input_file_path(f), dims[0], n);
  if (pop)
    return copy_spikes(s, f, o, pop, n);
  if (rank == 3)
    return copy_stack(s, f, o, name, dims, n);
  return copy_series(s, f, o, name, dims[0], n);
}

/* Every rank lists the data sets (the same list on each); collective. */
static ladsim_status copy_records(ladsim_sim *s, const char *records, ladsim_output *o)
{
  ladsim_input_file *f = NULL;
  char **names = NULL;
  size_t n = 0;
  ladsim_status st = ladsim_input_file_open(records, &f);
  if (st == LADSIM_OK)
    st = ladsim_input_file_list(f, &names, &n);
  st = ladsim_comm_agree(s->comm, st);
  for (size_t i = 0; st == LADSIM_OK && i < n; i++)
    st = copy_one(s, f, o, names[i]);
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  ladsim_input_file_close(f);
  return st;
}

ladsim_status ladsim_sim_resume(ladsim_sim *s, const char *ckpt)
{
  ladsim_input_file *f = NULL;
  ladsim_status st = ladsim_input_file_open(ckpt, &f);
  if (st == LADSIM_OK)
    st = read_state(s, f, ckpt);
  ladsim_input_file_close(f);
  LADSIM_CHECK(ladsim_comm_agree(s->comm, st));
  s->resumed = true;
  return LADSIM_OK;
}

ladsim_status ladsim_sim_resume_records(ladsim_sim *s, const char *records, ladsim_output *o)
{
  if (!s->resumed)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_sim_resume_records: the simulation was not "
                        "resumed from a checkpoint");
  return copy_records(s, records, o);
}
