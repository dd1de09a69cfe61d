/* ctxtrace-api.c: the calls a traced program makes.  Begin and end are the hot path: one
 * relaxed load when not recording; when recording, a timestamp and a 16-byte store into
 * the thread's ring, with no lock, syscall or allocation. */
#include "ctxtrace-private.h"

#include <stdio.h>
#include <execinfo.h>
#include <stdlib.h>

#include "ctxtrace-symbols.h"

/* Frames kept in a stack trace: deeper stacks keep their innermost frames. */
#define CT_MAX_FRAMES 64

static ctxtrace_span_t
drop_begin (ct_ring_t *r)
{
  r->room = 0;
  atomic_fetch_add_explicit (&r->dropped_spans, 1, memory_order_relaxed);
  atomic_fetch_add_explicit (&r->dropped_records, 1, memory_order_relaxed);
  return CT_DROPPED_HANDLE;
}

/* Writes a begin record at head; its timestamp is taken from the TSC when tsc is set. */
static inline ctxtrace_span_t
write_begin (ct_ring_t *r, uint64_t head, int tsc, const ctxtrace_site_t *site)
{
  ct_ring_put_timed (r, head, tsc, (uint64_t) CT_TAG_BEGIN_SITE << CT_TAG_SHIFT | (uintptr_t) site,
                     1);
  return r->slot_bits | (head + 1);
}

/* Everything but the common case of a begin: first use on a thread, a ring that looks
 * full, a drop, no TSC.  Kept out of line so that the fast path needs no stack frame. */
__attribute__ ((noinline)) static ctxtrace_span_t
begin_site_slow (const ctxtrace_site_t *site)
{
  ct_ring_t *r = ct_current_ring ();
  if (r == NULL)
    return CTXTRACE_NO_SPAN;
  /* Room for this begin, its end and the ends of the spans already open. */
  uint64_t need = ct_ring_need (r, 2);
  if (!ct_ring_make_room (r, need))
    return drop_begin (r);
  return write_begin (r, ct_ring_head (r), 0, site);
}

CTXTRACE_API ctxtrace_span_t
ctxtrace_begin_site (const ctxtrace_site_t *site)
{
  uint32_t gen = atomic_load_explicit (&ct_state.gen, memory_order_relaxed);
  if (CT_UNLIKELY (gen == 0))
    return CTXTRACE_NO_SPAN;
  ct_ring_t *r = ct_tl_ring;
  uint64_t head = ct_ring_head (r);
  if (CT_UNLIKELY (r->fast_gen != gen || head + 2 + r->open >= r->room))
    return begin_site_slow (site);
  return write_begin (r, head, 1, site);
}

CTXTRACE_API ctxtrace_span_t
ctxtrace_begin (const char *name)
{
  ct_ring_t *r = ct_current_ring ();
  if (CT_UNLIKELY (r == NULL))
    return CTXTRACE_NO_SPAN;
  if (name == NULL)
    name = "(null)";
  size_t len = strlen (name);
  size_t cut = ct_utf8_truncate (name, len, CT_MAX_NAME);
  if (cut != len)
    atomic_fetch_add_explicit (&r->truncated, 1, memory_order_relaxed);
  /* One more slot kept than the record needs: room for its end. */
  r->open++;
  uint64_t head = ct_ring_head (r);
  int ok = ct_ring_put (r, ct_now (), (uint64_t) CT_TAG_BEGIN_NAME << CT_TAG_SHIFT | cut, name,
                        cut, NULL, 0);
  if (!ok)
    {
      r->open--;
      /* ct_ring_put counted the record; count the span and keep the sequence in step. */
      atomic_fetch_sub_explicit (&r->dropped_records, 1, memory_order_relaxed);
      return drop_begin (r);
    }
  return r->slot_bits | (head + 1);
}

/* An end from a thread that is not the span's, with no ring yet, or with a full ring. */
__attribute__ ((noinline)) static void
end_slow (ctxtrace_span_t span)
{
  if (span == CTXTRACE_NO_SPAN || span == CT_DROPPED_HANDLE)
    return; /* a span whose begin was dropped has nothing to end */
  ct_ring_t *r = ct_current_ring ();
  if (r == NULL)
    return;
  if (span >> CT_SEQ_BITS != r->slot)
    {
      ct_ring_put (r, ct_now (), (uint64_t) CT_TAG_END_HANDLE << CT_TAG_SHIFT, &span,
                   sizeof span, NULL, 0);
      return;
    }
  if (!ct_ring_make_room (r, 1))
    {
      r->room = 0;
      atomic_fetch_add_explicit (&r->dropped_records, 1, memory_order_relaxed);
      return;
    }
  ct_ring_put_timed (r, ct_ring_head (r), 0,
                     (uint64_t) CT_TAG_END << CT_TAG_SHIFT | (span & CT_SEQ_MASK), -1);
}

CTXTRACE_API void
ctxtrace_end (ctxtrace_span_t span)
{
  /* No session check: an end written into a ring of a stopped session is never read.
   * A handle of another thread, 0 or a dropped begin gives a b of the wrong shape. */
  ct_ring_t *r = ct_tl_ring;
  uint64_t b = span ^ r->end_xor;
  uint64_t head = ct_ring_head (r);
  if (CT_UNLIKELY (b >> CT_SEQ_BITS != (uint64_t) CT_TAG_END << (CT_TAG_SHIFT - CT_SEQ_BITS)
                   || head + 1 >= r->room))
    {
      end_slow (span);
      return;
    }
  ct_ring_put_timed (r, head, 1, b, -1);
}

/* ---- Attributes ------------------------------------------------------------------------- */

static void
put_attr (ctxtrace_span_t span, int type, const char *key, const void *value, size_t vlen)
{
  if (span == CTXTRACE_NO_SPAN || span == CT_DROPPED_HANDLE)
    return;
  ct_ring_t *r = ct_current_ring ();
  if (r == NULL)
    return;
  if (key == NULL)
    key = "(null)";
  size_t klen = strlen (key);
  size_t kcut = ct_utf8_truncate (key, klen, CT_MAX_KEY);
  char kbuf[CT_MAX_KEY + 1];
  memcpy (kbuf, key, kcut);
  kbuf[kcut] = '\0';
  if (kcut != klen)
    atomic_fetch_add_explicit (&r->truncated, 1, memory_order_relaxed);
  size_t len = kcut + 1 + vlen;
  ct_ring_put (r, span, (uint64_t) CT_TAG_ATTR << CT_TAG_SHIFT | (uint64_t) type << 40 | len,
               kbuf, kcut + 1, value, vlen);
}

CTXTRACE_API void
ctxtrace_attr_int (ctxtrace_span_t span, const char *key, int64_t value)
{
  put_attr (span, CT_ATTR_INT, key, &value, sizeof value);
}

CTXTRACE_API void
ctxtrace_attr_double (ctxtrace_span_t span, const char *key, double value)
{
  put_attr (span, CT_ATTR_DOUBLE, key, &value, sizeof value);
}

CTXTRACE_API void
ctxtrace_attr_bool (ctxtrace_span_t span, const char *key, bool value)
{
  uint8_t v = value ? 1 : 0;
  put_attr (span, CT_ATTR_BOOL, key, &v, 1);
}

/* Text values longer than the limit are cut; strings get a visible marker, JSON (which
 * would no longer parse) is refused by the writer from the flag it sees. */
static void
put_text_attr (ctxtrace_span_t span, int type, const char *key, const char *value)
{
  if (value == NULL)
    {
      put_attr (span, CT_ATTR_JSON, key, "null", 4);
      return;
    }
  size_t len = strlen (value);
  if (len <= CT_MAX_VALUE)
    {
      put_attr (span, type, key, value, len);
      return;
    }
  ct_ring_t *r = ct_current_ring ();
  if (r != NULL)
    atomic_fetch_add_explicit (&r->truncated, 1, memory_order_relaxed);
  if (type == CT_ATTR_JSON)
    {
      /* An empty JSON value is never valid: the writer refuses and counts it. */
      put_attr (span, type, key, "", 0);
      return;
    }
  size_t cut = ct_utf8_truncate (value, len, CT_MAX_VALUE - 3);
  char *buf = __builtin_alloca (CT_MAX_VALUE + 1);
  memcpy (buf, value, cut);
  memcpy (buf + cut, "\xe2\x80\xa6", 3);  /* U+2026 HORIZONTAL ELLIPSIS */
  put_attr (span, type, key, buf, cut + 3);
}

CTXTRACE_API void
ctxtrace_attr_str (ctxtrace_span_t span, const char *key, const char *value)
{
  put_text_attr (span, CT_ATTR_STR, key, value);
}

CTXTRACE_API void
ctxtrace_attr_json (ctxtrace_span_t span, const char *key, const char *json)
{
  put_text_attr (span, CT_ATTR_JSON, key, json);
}

static void
put_status (ctxtrace_span_t span, int status)
{
  if (span == CTXTRACE_NO_SPAN || span == CT_DROPPED_HANDLE)
    return;
  ct_ring_t *r = ct_current_ring ();
  if (r != NULL)
    ct_ring_put (r, span, (uint64_t) CT_TAG_STATUS << CT_TAG_SHIFT | (uint64_t) status, NULL, 0,
                 NULL, 0);
}

CTXTRACE_API void
ctxtrace_set_error (ctxtrace_span_t span, const char *type, const char *message)
{
  put_status (span, 2);
  ctxtrace_attr_str (span, "exception.type", type != NULL ? type : "error");
  if (message != NULL)
    ctxtrace_attr_str (span, "exception.message", message);
}

/* The error path: backtrace() and symbol lookups are slow, but the program is already
 * failing, and symbols read here name frames that may be gone (dlclose) by the time the
 * writer would see them. */
CTXTRACE_API __attribute__ ((noinline)) void
ctxtrace_set_error_stacktrace (ctxtrace_span_t span, const char *type, const char *message)
{
  ctxtrace_set_error (span, type, message);
  if (span == CTXTRACE_NO_SPAN || span == CT_DROPPED_HANDLE || ct_current_ring () == NULL)
    return;
  void *frames[CT_MAX_FRAMES + 4];
  int n = backtrace (frames, CT_MAX_FRAMES + 4);
  /* The trace starts at the caller: the frames before it are this function (and, under
   * AddressSanitizer, its backtrace interceptor). */
  void *caller = __builtin_extract_return_addr (__builtin_return_address (0));
  int first = 0;
  while (first < n && frames[first] != caller)
    first++;
  if (first == n)
    first = n > 0 ? 1 : 0;
  if (n - first > CT_MAX_FRAMES)
    n = first + CT_MAX_FRAMES;
  char *text = n > first ? ct_symbols_format_stack (frames + first, n - first) : NULL;
  if (text != NULL)
    ctxtrace_attr_str (span, "exception.stacktrace", text);
  free (text);
}

CTXTRACE_API void
ctxtrace_set_ok (ctxtrace_span_t span)
{
  put_status (span, 1);
}

/* ---- Events and context ----------------------------------------------------------------- */

CTXTRACE_API void
ctxtrace_event (const char *name, const char *json_attrs)
{
  ct_ring_t *r = ct_current_ring ();
  if (r == NULL)
    return;
  if (name == NULL)
    name = "(null)";
  size_t nlen = ct_utf8_truncate (name, strlen (name), CT_MAX_NAME);
  char nbuf[CT_MAX_NAME + 1];
  memcpy (nbuf, name, nlen);
  nbuf[nlen] = '\0';
  size_t jlen = json_attrs != NULL ? strlen (json_attrs) : 0;
  if (jlen > CT_MAX_VALUE)
    {
      /* Too large to keep: the event stays, its attributes are refused (the writer counts
       * an empty, invalid JSON text). */
      jlen = 0;
      json_attrs = "";
    }
  uint64_t b = (uint64_t) CT_TAG_EVENT << CT_TAG_SHIFT | (nlen + 1 + jlen);
  ct_ring_put (r, ct_now (), b, nbuf, nlen + 1, json_attrs != NULL ? json_attrs : "", jlen);
}

CTXTRACE_API ctxtrace_context_t
ctxtrace_context_current (void)
{
  ctxtrace_context_t ctx = { 0 };
  ct_ring_t *r = ct_current_ring ();
  if (r == NULL)
    return ctx;
  uint64_t key = (uint64_t) r->slot << CT_SEQ_BITS | (++r->captures & CT_SEQ_MASK);
  if (ct_ring_put (r, key, (uint64_t) CT_TAG_CAPTURE << CT_TAG_SHIFT, NULL, 0, NULL, 0))
    ctx.key = key;
  return ctx;
}

CTXTRACE_API void
ctxtrace_context_attach (ctxtrace_context_t ctx)
{
  ct_ring_t *r = ct_current_ring ();
  if (r == NULL)
    return;
  /* Remote part (trace id and span id) travels as the payload. */
  uint64_t b = (uint64_t) CT_TAG_ATTACH << CT_TAG_SHIFT | 24;
  ct_ring_put (r, ctx.key, b, &ctx.span_id, 8, ctx.trace_id, 16);
}

CTXTRACE_API void
ctxtrace_context_detach (void)
{
  ct_ring_t *r = ct_current_ring ();
  if (r != NULL)
    ct_ring_put (r, 0, (uint64_t) CT_TAG_DETACH << CT_TAG_SHIFT, NULL, 0, NULL, 0);
}
