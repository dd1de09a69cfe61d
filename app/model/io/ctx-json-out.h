/* ctx-json-out.h: a buffered JSON text writer for the exporters.  Fast enough for a
 * million spans a second: no allocation per value, integers formatted by hand. */
#pragma once

#include <stdio.h>
#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  FILE *fp;
  char *buf;
  gsize len;
  gsize cap;
  int write_errno;  /* 0, or the errno of the first failed write */
  guint64 flushes;  /* buffer flushes so far: text in buf since a mark is intact if unchanged */
} CtxJsonOut;

void ctx_json_out_init (CtxJsonOut *o, FILE *fp);
/* Flushes and frees the buffer; FALSE with *error when any write failed. */
gboolean ctx_json_out_finish (CtxJsonOut *o, GError **error);

void ctx_json_out_raw_slow (CtxJsonOut *o, const char *s, gsize n);

/* Inline: most pieces are a few bytes, called several times per span. */
static inline void
ctx_json_out_raw (CtxJsonOut *o, const char *s, gsize n)
{
  if (G_LIKELY (o->len + n <= o->cap))
    {
      memcpy (o->buf + o->len, s, n);
      o->len += n;
    }
  else
    ctx_json_out_raw_slow (o, s, n);
}

#define ctx_json_out_lit(o, lit) ctx_json_out_raw ((o), "" lit, sizeof (lit) - 1)
void ctx_json_out_int (CtxJsonOut *o, gint64 v);
/* Writes a quoted decimal ("123") so that 64-bit values survive JavaScript readers. */
void ctx_json_out_int_string (CtxJsonOut *o, gint64 v);
/* Nanoseconds as microseconds with three decimals ("-12.345"): exact, no doubles. */
void ctx_json_out_micros (CtxJsonOut *o, gint64 ns);
/* A quoted, escaped string; invalid UTF-8 is replaced so the output stays valid JSON. */
void ctx_json_out_string (CtxJsonOut *o, const char *s, gssize n);

G_END_DECLS
