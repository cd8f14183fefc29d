/* h5util.c: HDF5 helpers of the io module: quiet errors, readable reasons, path checks. */
#include "config.h"
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keeps the first frame of an upward walk: the innermost, most specific one. */
static herr_t keep_innermost(unsigned n, const H5E_error2_t *err, void *data)
{
  char *buf = data;
  if (n == 0 && err->desc != NULL)
    snprintf(buf, LADSIM__H5_REASON_MAX, "%s", err->desc);
  return 0;
}

/* Closes id by its kind. */
static void close_any(hid_t id)
{
  if (H5Iis_valid(id) <= 0)
    return;
  switch (H5Iget_type(id)) {
  case H5I_FILE: H5Fclose(id); break;
  case H5I_GROUP:
  case H5I_DATASET: H5Oclose(id); break;
  case H5I_DATATYPE: H5Tclose(id); break;
  case H5I_DATASPACE: H5Sclose(id); break;
  case H5I_ATTR: H5Aclose(id); break;
  case H5I_GENPROP_LST: H5Pclose(id); break;
  default: break;
  }
}

void ladsim__h5_quiet(void)
{
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

const char *ladsim__h5_reason(char *buf, size_t size)
{
  char inner[LADSIM__H5_REASON_MAX] = "";
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, inner);
  snprintf(buf, size, "%s", inner[0] != '\0' ? inner : "unknown HDF5 error");
  return buf;
}

int ladsim__h5_exists(hid_t loc, const char *path)
{
  size_t len = strlen(path);
  char *prefix = malloc(len + 1);
  if (prefix == NULL)
    return -1;
  int found = 1;
  /* H5Lexists fails, rather than answering no, when a group on the way is
   * missing, so each prefix is tested in turn. */
  for (size_t i = 1; i <= len && found == 1; i++) {
    if ((i < len && path[i] != '/') || path[i - 1] == '/')
      continue;
    memcpy(prefix, path, i);
    prefix[i] = '\0';
    if (strcmp(prefix, "/") != 0) {
      htri_t r = H5Lexists(loc, prefix, H5P_DEFAULT);
      found = r < 0 ? -1 : r > 0;
    }
  }
  free(prefix);
  return found;
}

ladsim_status ladsim__h5_error(ladsim_status code, const char *src, int line,
                               const char *verb, const char *obj,
                               const char *file)
{
  char reason[LADSIM__H5_REASON_MAX];
  ladsim__h5_reason(reason, sizeof reason);
  return ladsim_error(code, src, line, "cannot %s %s in %s: %s", verb, obj,
                      file, reason);
}

bool ladsim__h5_no_fill(hid_t dcpl)
{
  return H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0;
}

void ladsim__h5_close(hid_t id)
{
  if (id < 0)
    return;
  /* Every HDF5 call clears the error stack, so the reason of a failure
   * would be lost by the clean-up that runs before it is reported. */
  hid_t saved = H5Eget_current_stack();
  close_any(id);
  if (saved >= 0)
    H5Eset_current_stack(saved);
}
