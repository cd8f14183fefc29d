/* stimulus.c: placeholder until the module lands. */
typedef int ladsim_placeholder_stimulus;
