/* error.h: the status codes every ladsim function returns, and the error channel. */
#ifndef LADSIM_ERROR_H
#define LADSIM_ERROR_H

#include <stdarg.h>

/* Every failing function returns one of these and has already passed its
 * message through ladsim_error(). Codes below LADSIM_EFAIL_FIRST are the
 * user's to fix (the command line exits with 2); the others are failures
 * during a run (exit status 1). */
typedef enum {
  LADSIM_OK = 0,       /* success */
  LADSIM_EUSAGE,       /* bad command line: unknown option, missing argument */
  LADSIM_ECONFIG,      /* model file: syntax, unknown key, type, unit or range */
  LADSIM_EDATA,        /* a data file is missing, truncated or corrupt */
  LADSIM_EEXIST,       /* the output file exists and --force was not given */
  LADSIM_EINVAL,       /* a caller passed an invalid argument to the library */
  LADSIM_EFAIL_FIRST,  /* marker: the codes from here on are run failures */
  LADSIM_ENOMEM = LADSIM_EFAIL_FIRST, /* an allocation failed */
  LADSIM_EIO,          /* reading or writing a file failed during the run */
  LADSIM_EDIVERGED,    /* a neuron or weight became non-finite */
  LADSIM_EMPI,         /* an MPI call failed or another rank failed */
  LADSIM_EINTERRUPT,   /* the run was stopped by a signal */
  LADSIM_EINTERNAL     /* an internal invariant does not hold: a bug */
} ladsim_status;

/* Records an error: formats the message, keeps it as the current message and
 * returns code. Every failure passes through here, so a breakpoint on it
 * catches them all. Not collective. */
ladsim_status ladsim_error(ladsim_status code, const char *file, int line,
                           const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a frame "file:line" to the trace of the current error and returns
 * code unchanged; used by LADSIM_CHECK on the way up. */
ladsim_status ladsim_error_trace(ladsim_status code, const char *file, int line);

/* The message of the most recent error ("" if none). */
const char *ladsim_error_message(void);

/* The trace of the most recent error: one "at file:line" per frame. */
const char *ladsim_error_backtrace(void);

/* Forgets the current error. */
void ladsim_error_clear(void);

/* A short name for a code ("model file error", ...). */
const char *ladsim_strerror(ladsim_status code);

/* The exit status the command line uses for code: 0, 1 or 2. */
int ladsim_exit_status(ladsim_status code);

#define LADSIM_ERROR(code, ...) ladsim_error((code), __FILE__, __LINE__, __VA_ARGS__)

/* Propagates a failing status with a trace frame. */
#define LADSIM_CHECK(expr)                                              \
  do {                                                                  \
    ladsim_status ladsim_s_ = (expr);                                   \
    if (ladsim_s_ != LADSIM_OK)                                         \
      return ladsim_error_trace(ladsim_s_, __FILE__, __LINE__);         \
  } while (0)

/* Jumps to a cleanup label on failure, keeping the status in a variable. */
#define LADSIM_CHECK_GOTO(status_var, expr, label)                      \
  do {                                                                  \
    (status_var) = (expr);                                              \
    if ((status_var) != LADSIM_OK) {                                    \
      ladsim_error_trace((status_var), __FILE__, __LINE__);             \
      goto label;                                                       \
    }                                                                   \
  } while (0)

#endif
