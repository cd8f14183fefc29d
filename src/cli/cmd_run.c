/* cmd_run.c: placeholder until the module lands. */
typedef int ladsim_placeholder_cmd_run;
