/* error.c: the single channel every ladsim failure passes through. */
#include "config.h"
#include <ladsim/error.h>

#include <stdio.h>
#include <string.h>

#define MESSAGE_MAX 2048
#define TRACE_MAX 2048

static _Thread_local char message[MESSAGE_MAX];
static _Thread_local char trace[TRACE_MAX];

static void trace_append(const char *file, int line)
{
  size_t used = strlen(trace);
  if (used + 1 < TRACE_MAX)
    snprintf(trace + used, TRACE_MAX - used, "  at %s:%d\n", file, line);
}

ladsim_status ladsim_error(ladsim_status code, const char *file, int line,
                           const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, MESSAGE_MAX, fmt, ap);
  va_end(ap);
  trace[0] = '\0';
  trace_append(file, line);
  return code;
}

ladsim_status ladsim_error_trace(ladsim_status code, const char *file, int line)
{
  trace_append(file, line);
  return code;
}

const char *ladsim_error_message(void) { return message; }

const char *ladsim_error_backtrace(void) { return trace; }

void ladsim_error_clear(void)
{
  message[0] = '\0';
  trace[0] = '\0';
}

const char *ladsim_strerror(ladsim_status code)
{
  switch (code) {
  case LADSIM_OK: return "success";
  case LADSIM_EUSAGE: return "usage error";
  case LADSIM_ECONFIG: return "model file error";
  case LADSIM_EDATA: return "data error";
  case LADSIM_EEXIST: return "output exists";
  case LADSIM_EINVAL: return "invalid argument";
  case LADSIM_ENOMEM: return "out of memory";
  case LADSIM_EIO: return "input/output error";
  case LADSIM_EDIVERGED: return "simulation diverged";
  case LADSIM_EMPI: return "MPI error";
  case LADSIM_EINTERRUPT: return "interrupted";
  case LADSIM_EINTERNAL: return "internal error";
  }
  return "unknown error";
}

int ladsim_exit_status(ladsim_status code)
{
  if (code == LADSIM_OK)
    return 0;
  return code < LADSIM_EFAIL_FIRST ? 2 : 1;
}
