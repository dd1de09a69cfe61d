/* ctx-span-nav.c: children and siblings by binary search in the lane rows. */
#include "config.h"

#include "ctx-span-nav.h"
#include "ctx-time.h"

/* Hostile files put timestamps near the int64 limits: saturate instead of overflowing. */
static gint64
span_duration (const CtxSpan *s)
{
  gint64 d;

  if (s->end_ns <= s->start_ns)
    return 0;
  return __builtin_sub_overflow (s->end_ns, s->start_ns, &d) ? G_MAXINT64 : d;
}

static const GArray *
row_of (CtxTraceModel *model,
        guint32        span,
        guint          depth)
{
  const CtxSpan *s = &ctx_trace_model_get_spans (model)[span];
  const CtxLane *lane = ctx_trace_model_get_lane (model, s->lane);

  return depth < lane->n_rows ? lane->rows[depth] : NULL;
}

/* First position in row whose span starts at or after ts. */
static guint
lower_bound (const CtxSpan *spans,
             const GArray  *row,
             gint64         ts)
{
  const guint32 *ids = (const guint32 *) row->data;
  guint lo = 0, hi = row->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (spans[ids[mid]].start_ns < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static guint
position_in_row (const CtxSpan *spans,
                 const GArray  *row,
                 guint32        span)
{
  const guint32 *ids = (const guint32 *) row->data;

  /* Spans starting at the same time are adjacent: walk them to find this one. */
  for (guint i = lower_bound (spans, row, spans[span].start_ns); i < row->len; i++)
    if (ids[i] == span)
      return i;
  return G_MAXUINT;
}

guint32
ctx_span_nav_first_child (CtxTraceModel *model,
                          guint32        span)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  const GArray *row = row_of (model, span, spans[span].depth + 1u);
  const guint32 *ids;
  guint i, limit = 0;

  if (row == NULL)
    return CTX_NONE;
  ids = (const guint32 *) row->data;
  for (i = lower_bound (spans, row, spans[span].start_ns);
       i < row->len && spans[ids[i]].start_ns <= spans[span].end_ns && limit++ < CTX_SPAN_NAV_SCAN_LIMIT;
       i++)
    if (spans[ids[i]].parent == span)
      return ids[i];
  return CTX_NONE;
}

guint32
ctx_span_nav_sibling (CtxTraceModel *model,
                      guint32        span,
                      int            direction)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  const GArray *row = row_of (model, span, spans[span].depth);
  const guint32 *ids = (const guint32 *) row->data;
  guint pos = position_in_row (spans, row, span);
  guint32 next;

  if (pos == G_MAXUINT)
    return CTX_NONE;
  if ((direction < 0 && pos == 0) || (direction > 0 && pos + 1 >= row->len))
    return CTX_NONE;
  next = ids[direction < 0 ? pos - 1 : pos + 1];
  /* Neighbours under another parent are cousins, not siblings. */
  return spans[next].parent == spans[span].parent ? next : CTX_NONE;
}

gboolean
ctx_span_nav_self_time (CtxTraceModel *model,
                        guint32        span,
                        gint64        *self_ns)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  const CtxSpan *s = &spans[span];
  const GArray *row = row_of (model, span, s->depth + 1u);
  gint64 self = span_duration (s);
  const guint32 *ids;
  guint limit = 0;

  *self_ns = self;
  if (row == NULL)
    return TRUE;
  ids = (const guint32 *) row->data;
  for (guint i = lower_bound (spans, row, s->start_ns);
       i < row->len && spans[ids[i]].start_ns <= s->end_ns; i++)
    {
      const CtxSpan *c = &spans[ids[i]];

      if (limit++ >= CTX_SPAN_NAV_SCAN_LIMIT)
        return FALSE;
      if (c->parent == span && __builtin_sub_overflow (self, span_duration (c), &self))
        self = 0;
    }
  *self_ns = MAX (self, 0);
  return TRUE;
}

static guint
lower_bound_rel (const CtxSpan *spans,
                 const GArray  *row,
                 gint64         origin,
                 double         t)
{
  const guint32 *ids = (const guint32 *) row->data;
  guint lo = 0, hi = row->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (ctx_time_rel (spans[ids[mid]].start_ns, origin) < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

guint
ctx_span_nav_count_between (CtxTraceModel *model,
                            guint          lane,
                            guint          depth,
                            gint64         origin,
                            double         t0,
                            double         t1)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  const CtxLane *l = ctx_trace_model_get_lane (model, lane);

  if (depth >= l->n_rows || t1 <= t0)
    return 0;
  return lower_bound_rel (spans, l->rows[depth], origin, t1) -
         lower_bound_rel (spans, l->rows[depth], origin, t0);
}
