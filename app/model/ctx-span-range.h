/* ctx-span-range.h: what the aggregations (statistics, call graph, merged call stacks)
 * share: whether a span counts in a time range, its duration clipped to it, and a hash for
 * keys that pack two 32-bit values into a pointer.  Private to app/model. */
#pragma once

#include "ctx-trace-model-private.h"

G_BEGIN_DECLS

/* Without a range every span counts; with one, a span that starts in [t0, t1) or is running
 * at t0. */
static inline gboolean
ctx_span_in_range (const CtxSpan *s, gboolean ranged, gint64 t0, gint64 t1)
{
  if (!ranged)
    return TRUE;
  if (s->start_ns >= t0 && s->start_ns < t1)
    return TRUE;
  return s->start_ns < t0 && s->end_ns > t0;
}

/* The span's duration inside the range (all of it without one), saturating. */
static inline gint64
ctx_span_clipped_duration (const CtxSpan *s, gboolean ranged, gint64 t0, gint64 t1)
{
  gint64 lo, hi, r;

  if (!ranged)
    return ctx_span_duration (s);
  lo = MAX (s->start_ns, t0);
  hi = MIN (s->end_ns, t1);
  if (hi <= lo)
    return 0;
  return __builtin_sub_overflow (hi, lo, &r) ? G_MAXINT64 : r;
}

/* For keys (a << 32 | b) stored as pointers: g_direct_hash keeps only the low half, so all
 * keys with one b would share a bucket. */
static inline guint
ctx_packed_key_hash (gconstpointer key)
{
  guint64 k = (guint64) (guintptr) key;

  k ^= k >> 29;
  k *= G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  return (guint) (k >> 32);
}

G_END_DECLS
