/* lif.c: the lif section of a layer: parameters of leaky integrate-and-fire neurons. */
#include "config.h"
#include "config/reader.h"

#include <string.h>

_Static_assert(sizeof(ladsim_coding) == sizeof(int), "enums are int-sized");

static const char *const coding_names[] = {"poisson", "current", NULL};

#define V_INIT_EXAMPLE "`v_init: [-60 mV, -50 mV]`"

/* The two ends of v_init, each read like any potential. */
static const ladsim__field v_init_ends[] = {
  {LADSIM__FIELD("v_init", LADSIM__F_QUANTITY, ladsim_lif_spec, v_init_low),
   .dim = LADSIM__DIM_POTENTIAL},
  {LADSIM__FIELD("v_init", LADSIM__F_QUANTITY, ladsim_lif_spec, v_init_high),
   .dim = LADSIM__DIM_POTENTIAL}};

/* v_reset is read after v_th, so the pair can be checked here. */
static ladsim_status check_reset(ladsim__reader *r, const ladsim__field *f,
                                 const ladsim__node *v, const ladsim__pos *at,
                                 const char *path, void *base)
{
  (void)f;
  const ladsim_lif_spec *lif = base;
  char reset[48], th[48];
  if (lif->v_reset < lif->v_th)
    return LADSIM_OK;
  ladsim__quantity_format(lif->v_reset, LADSIM__DIM_POTENTIAL, reset,
                          sizeof reset);
  ladsim__quantity_format(lif->v_th, LADSIM__DIM_POTENTIAL, th, sizeof th);
  return ladsim__config_error(r->name, v ? &v->pos : at, path, "%sv_reset "
                              "(%s) must be below v_th (%s); lower v_reset or "
                              "raise v_th", v ? "" : "the default ", reset, th);
}

/* [low, high]; left out, it is [v_reset, v_th], which are read before it. */
static ladsim_status read_v_init(ladsim__reader *r, const ladsim__field *f,
                                 const ladsim__node *v, const ladsim__pos *at,
                                 const char *path, void *base)
{
  (void)f;
  ladsim_lif_spec *lif = base;
  char seen[64], item[LADSIM__PATH_MAX], low[48], high[48];
  if (v == NULL) {
    lif->v_init_low = lif->v_reset;
    lif->v_init_high = lif->v_th;
    return LADSIM_OK;
  }
  if (ladsim__node_is_null(v) || v->kind != LADSIM__SEQ)
    return ladsim__config_error(r->name, &v->pos, path, "expected a list of "
                                "two potentials, found %s; write e.g. "
                                V_INIT_EXAMPLE,
                                ladsim__node_describe(v, seen, sizeof seen));
  if (v->n != 2)
    return ladsim__config_error(r->name, &v->pos, path, "has %zu items; "
                                "write two potentials, the lowest and the "
                                "highest initial V, e.g. " V_INIT_EXAMPLE,
                                v->n);
  for (size_t i = 0; i < 2; i++) {
    snprintf(item, sizeof item, "%s[%zu]", path, i);
    LADSIM_CHECK(ladsim__read_field(r, &v_init_ends[i], v->items[i], at,
                                    item, lif));
  }
  if (lif->v_init_low <= lif->v_init_high)
    return LADSIM_OK;
  ladsim__quantity_format(lif->v_init_low, LADSIM__DIM_POTENTIAL, low,
                          sizeof low);
  ladsim__quantity_format(lif->v_init_high, LADSIM__DIM_POTENTIAL, high,
                          sizeof high);
  return ladsim__config_error(r->name, &v->pos, path, "the low end %s is "
                              "above the high end %s; write [low, high]", low,
                              high);
}

static void write_v_init(FILE *out, const ladsim__field *f, const void *base,
                         const char *lead, int indent)
{
  (void)indent;
  const ladsim_lif_spec *lif = base;
  char low[48], high[48];
  ladsim__quantity_format(lif->v_init_low, LADSIM__DIM_POTENTIAL, low,
                          sizeof low);
  ladsim__quantity_format(lif->v_init_high, LADSIM__DIM_POTENTIAL, high,
                          sizeof high);
  fprintf(out, "%s%s: [%s, %s]\n", lead, f->key, low, high);
}

/* Defaults are those of the CUBA benchmark (Brette et al. 2007). */
const ladsim__field ladsim__lif_fields[] = {
  {LADSIM__FIELD("tau_m", LADSIM__F_QUANTITY, ladsim_lif_spec, tau_m),
   .dim = LADSIM__DIM_TIME, .def = 20.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("tau_exc", LADSIM__F_QUANTITY, ladsim_lif_spec, tau_exc),
   .dim = LADSIM__DIM_TIME, .def = 5.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("tau_inh", LADSIM__F_QUANTITY, ladsim_lif_spec, tau_inh),
   .dim = LADSIM__DIM_TIME, .def = 10.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("v_th", LADSIM__F_QUANTITY, ladsim_lif_spec, v_th),
   .dim = LADSIM__DIM_POTENTIAL, .def = -50.0},
  {LADSIM__FIELD("v_reset", LADSIM__F_QUANTITY, ladsim_lif_spec, v_reset),
   .dim = LADSIM__DIM_POTENTIAL, .def = -60.0, .check = check_reset},
  {LADSIM__FIELD("e_rest", LADSIM__F_QUANTITY, ladsim_lif_spec, e_rest),
   .dim = LADSIM__DIM_POTENTIAL, .def = -49.0},
  {LADSIM__FIELD("t_ref", LADSIM__F_QUANTITY, ladsim_lif_spec, t_ref),
   .dim = LADSIM__DIM_TIME, .def = 5.0, .lo = 0.0, .flags = LADSIM__GE},
  {LADSIM__FIELD("i_e", LADSIM__F_QUANTITY, ladsim_lif_spec, i_e),
   .dim = LADSIM__DIM_POTENTIAL, .def = 0.0},
  {.key = "v_init", .kind = LADSIM__F_CUSTOM, .read = read_v_init,
   .write = write_v_init},
  {LADSIM__FIELD("tau_trace", LADSIM__F_QUANTITY, ladsim_lif_spec, tau_trace),
   .dim = LADSIM__DIM_TIME, .def = 20.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("surrogate_beta", LADSIM__F_REAL, ladsim_lif_spec,
                 surrogate_beta),
   .def = 1.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("coding", LADSIM__F_ENUM, ladsim_lif_spec, coding),
   .def = LADSIM_CODING_POISSON, .names = coding_names},
  {.key = NULL}};
