/* ladsim.h: the whole public API of libladsim in one include. */
#ifndef LADSIM_LADSIM_H
#define LADSIM_LADSIM_H
#include <ladsim/error.h>
#include <ladsim/model.h>
#include <ladsim/sigreg.h>
#include <ladsim/dataset.h>
#include <ladsim/probe.h>
#include <ladsim/output.h>
#include <ladsim/sim.h>
#endif
