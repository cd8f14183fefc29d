/* units.h: quantities with units ("10 ms", "20 Hz") and their internal units. */
#ifndef LADSIM_CONFIG_UNITS_H
#define LADSIM_CONFIG_UNITS_H

#include <stdbool.h>
#include <stddef.h>

/* Dimensions and the internal unit each is stored in. */
typedef enum {
  LADSIM__DIM_TIME,      /* ms */
  LADSIM__DIM_FREQUENCY, /* Hz */
  LADSIM__DIM_LENGTH,    /* px */
  LADSIM__DIM_POTENTIAL  /* mV */
} ladsim__dim;

/* Why a text is not a quantity of the wanted dimension. */
typedef enum {
  LADSIM__QTY_OK,
  LADSIM__QTY_NOT_NUMBER, /* no number at the start, or not finite */
  LADSIM__QTY_NO_UNIT,    /* a bare number */
  LADSIM__QTY_BAD_UNIT    /* unknown unit, or one of another dimension */
} ladsim__qty_status;

/* Reads a decimal number at the start of text (no hex, inf or nan): true
 * with the value and the first character after it. */
bool ladsim__number_scan(const char *text, double *value, const char **end);

/* Reads "number unit" as a value of dimension dim in its internal unit. */
ladsim__qty_status ladsim__quantity_parse(const char *text, ladsim__dim dim,
                                          double *value);

/* "time", "frequency", ... */
const char *ladsim__dim_name(ladsim__dim dim);

/* The units accepted for dim, as "s, ms or us". */
const char *ladsim__dim_units(ladsim__dim dim);

/* An example quantity for messages: "5 ms". */
const char *ladsim__dim_example(ladsim__dim dim);

/* Writes value (internal unit) as "number unit", picking the largest unit
 * that reads back to exactly the same double. */
void ladsim__quantity_format(double value, ladsim__dim dim, char *buf,
                             size_t len);

/* Writes the shortest decimal text that reads back to exactly x. */
void ladsim__double_format(double x, char *buf, size_t len);

#endif
