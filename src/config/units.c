/* units.c: reads and writes quantities with units, converting to ms, Hz, px and mV. */
#include "config.h"
#include "config/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A unit: internal value = number * mul / div. Dividing for the small units
 * keeps "500 us" exactly 0.5 ms (multiplying by 1e-3 would round twice). */
typedef struct {
  const char *name;
  ladsim__dim dim;
  double mul, div;
} unit;

/* Largest first within each dimension: the writer tries them in this order. */
static const unit units[] = {
  {"s", LADSIM__DIM_TIME, 1000.0, 1.0},
  {"ms", LADSIM__DIM_TIME, 1.0, 1.0},
  {"us", LADSIM__DIM_TIME, 1.0, 1000.0},
  {"\xc2\xb5s", LADSIM__DIM_TIME, 1.0, 1000.0}, /* µs, read only */
  {"kHz", LADSIM__DIM_FREQUENCY, 1000.0, 1.0},
  {"Hz", LADSIM__DIM_FREQUENCY, 1.0, 1.0},
  {"px", LADSIM__DIM_LENGTH, 1.0, 1.0},
  {"V", LADSIM__DIM_POTENTIAL, 1000.0, 1.0},
  {"mV", LADSIM__DIM_POTENTIAL, 1.0, 1.0},
};

#define N_UNITS (sizeof units / sizeof units[0])

static const unit *unit_find(const char *name)
{
  for (size_t i = 0; i < N_UNITS; i++)
    if (strcmp(units[i].name, name) == 0)
      return &units[i];
  return NULL;
}

static double to_internal(const unit *u, double x)
{
  return x * u->mul / u->div;
}

/* Formats x in unit u and reports whether it reads back to value. */
static bool try_unit(const unit *u, double value, char *buf, size_t len)
{
  double x = value * u->div / u->mul;
  char num[40];
  double back;
  ladsim__double_format(x, num, sizeof num);
  snprintf(buf, len, "%s %s", num, u->name);
  return ladsim__quantity_parse(buf, u->dim, &back) == LADSIM__QTY_OK &&
         back == value;
}

bool ladsim__number_scan(const char *text, double *value, const char **end)
{
  const char *p = text;
  if (*p == '+' || *p == '-')
    p++;
  /* strtod would also take hex, "inf" and "nan": none is a model value. */
  if (!(isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))))
    return false;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    return false;
  char *stop;
  double x = strtod(text, &stop);
  if (!isfinite(x))
    return false;
  *value = x;
  *end = stop;
  return true;
}

ladsim__qty_status ladsim__quantity_parse(const char *text, ladsim__dim dim,
                                          double *value)
{
  double x;
  const char *rest;
  if (!ladsim__number_scan(text, &x, &rest))
    return LADSIM__QTY_NOT_NUMBER;
  while (*rest == ' ' || *rest == '\t')
    rest++;
  if (*rest == '\0')
    return LADSIM__QTY_NO_UNIT;
  const unit *u = unit_find(rest);
  if (u == NULL || u->dim != dim)
    return LADSIM__QTY_BAD_UNIT;
  *value = to_internal(u, x);
  return isfinite(*value) ? LADSIM__QTY_OK : LADSIM__QTY_NOT_NUMBER;
}

const char *ladsim__dim_name(ladsim__dim dim)
{
  switch (dim) {
  case LADSIM__DIM_TIME: return "time";
  case LADSIM__DIM_FREQUENCY: return "frequency";
  case LADSIM__DIM_LENGTH: return "length";
  case LADSIM__DIM_POTENTIAL: return "potential";
  }
  return "quantity";
}

const char *ladsim__dim_units(ladsim__dim dim)
{
  switch (dim) {
  case LADSIM__DIM_TIME: return "s, ms or us";
  case LADSIM__DIM_FREQUENCY: return "Hz or kHz";
  case LADSIM__DIM_LENGTH: return "px";
  case LADSIM__DIM_POTENTIAL: return "mV or V";
  }
  return "";
}

const char *ladsim__dim_example(ladsim__dim dim)
{
  switch (dim) {
  case LADSIM__DIM_TIME: return "5 ms";
  case LADSIM__DIM_FREQUENCY: return "20 Hz";
  case LADSIM__DIM_LENGTH: return "2 px";
  case LADSIM__DIM_POTENTIAL: return "-50 mV";
  }
  return "";
}

void ladsim__quantity_format(double value, ladsim__dim dim, char *buf,
                             size_t len)
{
  /* A larger unit when its number stays >= 1 ("2 s"), else the internal
   * unit, which always reads back ("0.5 ms", not "500 us"). */
  for (size_t i = 0; i < N_UNITS; i++) {
    const unit *u = &units[i];
    bool internal = u->mul == 1.0 && u->div == 1.0;
    if (u->dim != dim)
      continue;
    if (internal) {
      try_unit(u, value, buf, len);
      return;
    }
    if (fabs(value * u->div / u->mul) >= 1.0 && try_unit(u, value, buf, len))
      return;
  }
  snprintf(buf, len, "%g", value);
}

void ladsim__double_format(double x, char *buf, size_t len)
{
  /* Start with as many digits as the integer part has, so 100 is written
   * "100" rather than "1e+02". */
  int prec = 1;
  if (fabs(x) >= 1.0 && fabs(x) < 1e16)
    prec = (int)floor(log10(fabs(x))) + 1;
  for (; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, x);
    bool exponent = strchr(buf, 'e') != NULL;
    if (strtod(buf, NULL) == x && !(exponent && fabs(x) >= 1.0 && fabs(x) < 1e16))
      return;
  }
}
