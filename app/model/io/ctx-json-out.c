/* ctx-json-out.c: buffered JSON text output. */
#include "ctx-json-out.h"

#include <errno.h>
#include <string.h>

#include "ctx-io.h"

#define CTX_JSON_OUT_BUFFER (1 << 20)

void
ctx_json_out_init (CtxJsonOut *o, FILE *fp)
{
  o->fp = fp;
  o->cap = CTX_JSON_OUT_BUFFER;
  o->buf = g_malloc (o->cap);
  o->len = 0;
  o->write_errno = 0;
  o->flushes = 0;
}

static void
flush (CtxJsonOut *o)
{
  if (o->len > 0 && o->write_errno == 0 && fwrite (o->buf, 1, o->len, o->fp) != o->len)
    o->write_errno = errno != 0 ? errno : EIO;
  o->len = 0;
  o->flushes++;
}

gboolean
ctx_json_out_finish (CtxJsonOut *o, GError **error)
{
  flush (o);
  if (o->write_errno == 0 && fflush (o->fp) != 0)
    o->write_errno = errno != 0 ? errno : EIO;
  g_clear_pointer (&o->buf, g_free);
  if (o->write_errno == 0)
    return TRUE;
  g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_WRITE, "writing the output: %s",
               g_strerror (o->write_errno));
  return FALSE;
}

void
ctx_json_out_raw_slow (CtxJsonOut *o, const char *s, gsize n)
{
  flush (o);
  if (n > o->cap)
    {
      if (o->write_errno == 0 && fwrite (s, 1, n, o->fp) != n)
        o->write_errno = errno != 0 ? errno : EIO;
      return;
    }
  memcpy (o->buf + o->len, s, n);
  o->len += n;
}

static gsize
format_u64 (char *end, guint64 v)
{
  char *p = end;

  do
    {
      *--p = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  return (gsize) (end - p);
}

void
ctx_json_out_int (CtxJsonOut *o, gint64 v)
{
  char tmp[24];
  guint64 mag = v < 0 ? (guint64) 0 - (guint64) v : (guint64) v;
  gsize n = format_u64 (tmp + sizeof tmp, mag);

  if (v < 0)
    ctx_json_out_lit (o, "-");
  ctx_json_out_raw (o, tmp + sizeof tmp - n, n);
}

void
ctx_json_out_int_string (CtxJsonOut *o, gint64 v)
{
  ctx_json_out_lit (o, "\"");
  ctx_json_out_int (o, v);
  ctx_json_out_lit (o, "\"");
}

void
ctx_json_out_micros (CtxJsonOut *o, gint64 ns)
{
  char tmp[32];
  guint64 mag = ns < 0 ? (guint64) 0 - (guint64) ns : (guint64) ns;
  char *end = tmp + sizeof tmp;
  gsize n;

  end[-1] = (char) ('0' + mag % 10);
  end[-2] = (char) ('0' + mag / 10 % 10);
  end[-3] = (char) ('0' + mag / 100 % 10);
  end[-4] = '.';
  n = 4 + format_u64 (end - 4, mag / 1000);
  if (ns < 0)
    ctx_json_out_lit (o, "-");
  ctx_json_out_raw (o, end - n, n);
}

static void
escape_valid (CtxJsonOut *o, const char *s, gsize n)
{
  static const char hex[] = "0123456789abcdef";
  gsize run = 0;

  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar) s[i];
      char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      ctx_json_out_raw (o, s + run, i - run);
      run = i + 1;
      if (c == '"' || c == '\\')
        {
          esc[1] = (char) c;
          ctx_json_out_raw (o, esc, 2);
        }
      else if (c == '\n')
        ctx_json_out_lit (o, "\\n");
      else if (c == '\t')
        ctx_json_out_lit (o, "\\t");
      else
        ctx_json_out_raw (o, esc, 6);
    }
  ctx_json_out_raw (o, s + run, n - run);
}

void
ctx_json_out_string (CtxJsonOut *o, const char *s, gssize n)
{
  gsize len = n < 0 ? strlen (s) : (gsize) n;

  ctx_json_out_lit (o, "\"");
  if (g_utf8_validate (s, (gssize) len, NULL))
    escape_valid (o, s, len);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (s, (gssize) len);
      escape_valid (o, valid, strlen (valid));
    }
  ctx_json_out_lit (o, "\"");
}
