/* write.c: prints a resolved model as YAML that reads back to the same model. */
#include "config.h"
#include <ladsim/model.h>
#include "config/reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const void *cmember(const void *base, const ladsim__field *f)
{
  return (const char *)base + f->offset;
}

/* The value of scalar member m of field f, in the form the reader takes. */
static void write_value(FILE *out, const ladsim__field *f, const void *m)
{
  char buf[64];
  switch (f->kind) {
  case LADSIM__F_BOOL: fputs(*(const bool *)m ? "true" : "false", out); break;
  case LADSIM__F_ENUM: fputs(f->names[*(const int *)m], out); break;
  case LADSIM__F_REAL:
    ladsim__double_format(*(const double *)m, buf, sizeof buf);
    fputs(buf, out);
    break;
  case LADSIM__F_QUANTITY:
    ladsim__quantity_format(*(const double *)m, f->dim, buf, sizeof buf);
    fputs(buf, out);
    break;
  case LADSIM__F_UNSIGNED: fprintf(out, "%u", *(const unsigned *)m); break;
  case LADSIM__F_SIZE: fprintf(out, "%zu", *(const size_t *)m); break;
  case LADSIM__F_U64: fprintf(out, "%" PRIu64, *(const uint64_t *)m); break;
  case LADSIM__F_NAME: ladsim__write_text(out, m); break;
  case LADSIM__F_PATH: ladsim__write_text(out, *(char *const *)m); break;
  default: break;
  }
}

void ladsim__write_text(FILE *out, const char *text)
{
  static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789_-./+";
  bool plain = text[0] != '\0' && text[0] != '-' &&
               strspn(text, safe) == strlen(text) &&
               strcmp(text, "null") != 0 && strcmp(text, "Null") != 0 &&
               strcmp(text, "NULL") != 0;
  if (plain) {
    fputs(text, out);
    return;
  }
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(out, "\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(out, "\\x%02x", *p);
    else
      fputc(*p, out);
  }
  fputc('"', out);
}

void ladsim__write_field(FILE *out, const ladsim__field *f, const void *base,
                         const char *lead, int indent)
{
  const void *m = cmember(base, f);
  if (f->kind == LADSIM__F_CUSTOM) {
    f->write(out, f, base, lead, indent);
    return;
  }
  if (f->kind == LADSIM__F_PATH && *(char *const *)m == NULL)
    return; /* no path given: the data reader picks its default */
  fprintf(out, "%s%s:", lead, f->key);
  if (f->kind == LADSIM__F_SECTION) {
    fputc('\n', out);
    ladsim__write_fields(out, f->sub, m, NULL, indent + 2);
    return;
  }
  fputc(' ', out);
  write_value(out, f, m);
  fputc('\n', out);
}

void ladsim__write_fields_for(FILE *out, const ladsim__field *table,
                              const void *base, unsigned bit,
                              const char *first_lead, int indent)
{
  char pad[64];
  const char *lead = first_lead ? first_lead : pad;
  snprintf(pad, sizeof pad, "%*s", indent, "");
  for (const ladsim__field *f = table; f->key != NULL; f++) {
    if (f->only != 0 && !(f->only & bit))
      continue;
    ladsim__write_field(out, f, base, lead, indent);
    lead = pad;
  }
}

void ladsim__write_fields(FILE *out, const ladsim__field *table,
                          const void *base, const char *first_lead, int indent)
{
  ladsim__write_fields_for(out, table, base, ~0u, first_lead, indent);
}

ladsim_status ladsim_model_write(const ladsim_model *m, FILE *f)
{
  if (m == NULL || f == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_model_write: the model and "
                        "the stream must be given");
  ladsim__write_fields(f, ladsim__model_fields, m, NULL, 0);
  if (fflush(f) != 0 || ferror(f))
    return LADSIM_ERROR(LADSIM_EIO, "writing the model of %s failed: %s",
                        m->path, strerror(errno));
  return LADSIM_OK;
}

ladsim_status ladsim_model_to_string(const ladsim_model *m, char **out)
{
  if (m == NULL || out == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_model_to_string: the model "
                        "and out must be given");
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory printing the model");
  ladsim_status s = ladsim_model_write(m, f);
  if (fclose(f) != 0 && s == LADSIM_OK)
    s = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory printing the model");
  if (s != LADSIM_OK) {
    free(buf);
    return ladsim_error_trace(s, __FILE__, __LINE__);
  }
  *out = buf;
  return LADSIM_OK;
}
