/* ctxtrace-context.c: contexts across processes.  W3C trace context text
 * ("00-<32 hex trace id>-<16 hex span id>-<2 hex flags>") in and out, and the environment
 * a spawned child needs to continue the trace in the same file. */
#include "ctxtrace-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctxtrace-writer.h"

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1; /* W3C allows lowercase only */
}

static int
parse_hex (const char *s, size_t n, uint8_t *out)
{
  int nonzero = 0;
  for (size_t i = 0; i < n; i++)
    {
      int hi = hex_value (s[2 * i]), lo = hex_value (s[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return -1;
      out[i] = (uint8_t) (hi << 4 | lo);
      nonzero |= out[i];
    }
  return nonzero ? 0 : -1; /* all-zero ids are invalid */
}

int
ct_traceparent_parse (const char *s, uint8_t trace[16], uint64_t *span)
{
  uint8_t version, span_bytes[8], flags;
  if (s == NULL || strlen (s) < 55 || s[2] != '-' || s[35] != '-' || s[52] != '-')
    return -EINVAL;
  if (hex_value (s[0]) < 0 || hex_value (s[1]) < 0 || hex_value (s[53]) < 0
      || hex_value (s[54]) < 0)
    return -EINVAL;
  version = (uint8_t) (hex_value (s[0]) << 4 | hex_value (s[1]));
  flags = (uint8_t) (hex_value (s[53]) << 4 | hex_value (s[54]));
  (void) flags;
  /* Version ff is forbidden; version 00 is exactly 55 characters; later versions may
   * append fields after a '-'. */
  if (version == 0xff || (version == 0 && s[55] != '\0') || (version != 0 && s[55] != '\0'
                                                             && s[55] != '-'))
    return -EINVAL;
  if (parse_hex (s + 3, 16, trace) != 0 || parse_hex (s + 36, 8, span_bytes) != 0)
    return -EINVAL;
  *span = 0;
  for (int i = 0; i < 8; i++)
    *span = *span << 8 | span_bytes[i];
  return 0;
}

void
ct_hex (const uint8_t *bytes, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++)
    {
      out[2 * i] = digits[bytes[i] >> 4];
      out[2 * i + 1] = digits[bytes[i] & 15];
    }
  out[2 * n] = '\0';
}

CTXTRACE_API int
ctxtrace_context_from_traceparent (const char *traceparent, ctxtrace_context_t *ctx)
{
  ctxtrace_context_t c = { 0 };
  if (ctx == NULL || ct_traceparent_parse (traceparent, c.trace_id, &c.span_id) != 0)
    return -EINVAL;
  *ctx = c;
  return 0;
}

/* The span id and trace of a local capture, once the writer has committed it. */
static int
resolve_capture (uint64_t key, uint64_t *span, char trace_hex[33])
{
  ctxtrace_flush ();
  pthread_mutex_lock (&ct_state.lock);
  ct_writer_t *w = ct_state.writer;
  pthread_mutex_unlock (&ct_state.lock);
  if (w == NULL)
    return -ENOENT;
  /* The writer is between cycles while we hold busy: its maps are ours to read. */
  pthread_mutex_lock (&w->busy);
  int rc = ct_writer_lookup_capture (w, key, span, trace_hex);
  pthread_mutex_unlock (&w->busy);
  return rc;
}

CTXTRACE_API int
ctxtrace_context_to_traceparent (ctxtrace_context_t ctx, char *buf, size_t size)
{
  char trace_hex[33], span_hex[17];
  uint64_t span = ctx.span_id;
  uint8_t span_bytes[8];
  if (buf == NULL || size < CTXTRACE_TRACEPARENT_SIZE)
    return -EINVAL;
  if (ctx.key != 0)
    {
      int rc = resolve_capture (ctx.key, &span, trace_hex);
      if (rc != 0)
        return rc;
    }
  else if (ctx.span_id != 0)
    ct_hex (ctx.trace_id, 16, trace_hex);
  else
    return -EINVAL;
  for (int i = 0; i < 8; i++)
    span_bytes[i] = (uint8_t) (span >> (56 - 8 * i));
  ct_hex (span_bytes, 8, span_hex);
  snprintf (buf, size, "00-%s-%s-01", trace_hex, span_hex);
  return 0;
}

CTXTRACE_API int
ctxtrace_export_env (void)
{
  char tp[CTXTRACE_TRACEPARENT_SIZE];
  pthread_mutex_lock (&ct_state.lock);
  char *path = ct_state.writer != NULL && ct_state.path != NULL ? strdup (ct_state.path) : NULL;
  pthread_mutex_unlock (&ct_state.lock);
  if (path == NULL)
    return -ENOENT;
  int rc = setenv ("CTXTRACE_DB", path, 1) == 0 ? 0 : -errno;
  free (path);
  if (rc == 0 && ctxtrace_context_to_traceparent (ctxtrace_context_current (), tp, sizeof tp) == 0)
    rc = setenv ("CTXTRACE_TRACEPARENT", tp, 1) == 0 ? 0 : -errno;
  return rc;
}
