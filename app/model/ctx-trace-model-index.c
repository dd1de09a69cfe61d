/* ctx-trace-model-index.c: the in-memory indexes of a model: id lookups by binary search,
 * parents, lane rows and children.
 *
 * Nothing here is keyed by a hash of millions of entries: spans are kept in id order, so a
 * parent is found by binary search over the runs of consecutive ids (one step when ids are
 * dense, the common case). */
#include "ctx-trace-model-private.h"

guint32
ctx_id_index_lookup (GArray *ids, gint64 id)
{
  const CtxIdIndex *v = (const CtxIdIndex *) (gpointer) ids->data;
  guint lo = 0, hi = ids->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (v[mid].id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < ids->len && v[lo].id == id ? v[lo].index : CTX_NONE;
}

void
ctx_id_runs_init (CtxIdRuns *runs)
{
  runs->runs = g_array_new (FALSE, FALSE, sizeof (CtxIdRun));
  runs->n = 0;
}

void
ctx_id_runs_clear (CtxIdRuns *runs)
{
  g_clear_pointer (&runs->runs, g_array_unref);
  runs->n = 0;
}

static const CtxIdRun *
last_run (const CtxIdRuns *runs)
{
  return runs->runs->len > 0 ? &g_array_index (runs->runs, CtxIdRun, runs->runs->len - 1) : NULL;
}

/* ids may take any int64 value in a crafted file: offsets are computed unsigned. */
void
ctx_id_runs_push (CtxIdRuns *runs, gint64 id)
{
  const CtxIdRun *last = last_run (runs);

  if (last == NULL || id <= last->first_id
      || (guint64) id - (guint64) last->first_id != runs->n - last->first_index)
    g_array_append_val (runs->runs, ((CtxIdRun) { id, runs->n }));
  runs->n++;
}

void
ctx_id_runs_append (CtxIdRuns *dst, const CtxIdRuns *src)
{
  for (guint k = 0; k < src->runs->len; k++)
    {
      const CtxIdRun *r = &g_array_index (src->runs, CtxIdRun, k);
      guint end = k + 1 < src->runs->len ? g_array_index (src->runs, CtxIdRun, k + 1).first_index
                                         : src->n;

      /* The first id continues dst's last run or starts one; the rest continue that. */
      ctx_id_runs_push (dst, r->first_id);
      dst->n += end - r->first_index - 1;
    }
}

/* The run holding index: the last one starting at or before it. */
static guint
run_of_index (const CtxIdRuns *runs, guint32 index)
{
  const CtxIdRun *v = (const CtxIdRun *) (gpointer) runs->runs->data;
  guint lo = 0, hi = runs->runs->len;

  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;
      if (v[mid].first_index <= index)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

gint64
ctx_id_runs_get (const CtxIdRuns *runs, guint32 index)
{
  const CtxIdRun *r;

  g_return_val_if_fail (index < runs->n, 0);
  r = &g_array_index (runs->runs, CtxIdRun, run_of_index (runs, index));
  return (gint64) ((guint64) r->first_id + (index - r->first_index));
}

guint32
ctx_id_runs_find (const CtxIdRuns *runs, gint64 id)
{
  const CtxIdRun *v = (const CtxIdRun *) (gpointer) runs->runs->data;
  guint lo = 0, hi = runs->runs->len, end;
  guint64 offset;

  /* The last run starting at or below id. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (v[mid].first_id <= id)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return CTX_NONE;
  end = lo < runs->runs->len ? v[lo].first_index : runs->n;
  offset = (guint64) id - (guint64) v[lo - 1].first_id;
  return offset < end - v[lo - 1].first_index ? (guint32) (v[lo - 1].first_index + offset)
                                              : CTX_NONE;
}

guint32
ctx_trace_model_find_id (CtxTraceModel *self, gint64 id)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), CTX_NONE);
  return ctx_id_runs_find (&self->span_ids, id);
}

gint64
ctx_trace_model_get_span_id (CtxTraceModel *self, guint32 span)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), 0);
  g_return_val_if_fail (span < self->n_spans, 0);
  return ctx_id_runs_get (&self->span_ids, span);
}

/* A child is "regular" when the lane-row walk of ctx_trace_model_child_sum finds it:
 * same lane, one row down, starting inside its parent.  The rest are listed apart. */
static gboolean
is_regular_child (const CtxSpan *child, const CtxSpan *parent)
{
  return child->lane == parent->lane && child->depth == parent->depth + 1
         && child->start_ns >= parent->start_ns
         && ((parent->flags & CTX_SPAN_OPEN) != 0 || child->start_ns <= parent->end_ns);
}

static void
classify_child (CtxTraceModel *self, guint32 span)
{
  CtxSpan *s = &self->spans[span];
  const CtxSpan *parent = &self->spans[s->parent];

  if (parent->lane != s->lane)
    s->flags |= CTX_SPAN_CROSS_THREAD;
  if (!is_regular_child (s, parent))
    g_array_append_val (self->irregular, span);
}

static void
link_parent (CtxTraceModel *self, guint32 span, guint32 parent)
{
  self->spans[span].parent = parent;
  self->spans[span].flags &= ~CTX_SPAN_ORPHAN;
  classify_child (self, span);
}

void
ctx_trace_model_link_new (CtxTraceModel *self, guint first, gboolean bulk)
{
  for (guint32 i = first; i < self->n_spans; i++)
    {
      if (self->spans[i].flags & CTX_SPAN_OPEN)
        g_array_append_val (self->open_spans, i);
      if (self->spans[i].parent != CTX_NONE)
        classify_child (self, i);
      ctx_trace_model_index_span (self, i, bulk);
    }
}

/* Called after new spans were appended: pending parents may have arrived. */
void
ctx_trace_model_resolve_pending (CtxTraceModel *self)
{
  CtxPendingParent *v = (CtxPendingParent *) (gpointer) self->pending->data;
  guint kept = 0;

  for (guint i = 0; i < self->pending->len; i++)
    {
      guint32 parent = ctx_id_runs_find (&self->span_ids, v[i].parent_id);
      if (parent != CTX_NONE && parent != v[i].span)
        link_parent (self, v[i].span, parent);
      else
        v[kept++] = v[i];
    }
  g_array_set_size (self->pending, kept);
}

static GArray *
lane_row (CtxLane *lane, guint depth)
{
  if (depth >= lane->n_rows)
    {
      lane->rows = g_renew (GArray *, lane->rows, depth + 1);
      for (guint d = lane->n_rows; d <= depth; d++)
        lane->rows[d] = g_array_new (FALSE, FALSE, sizeof (guint32));
      lane->n_rows = depth + 1;
    }
  return lane->rows[depth];
}

/* Appends span to its lane row.  In bulk mode the rows are sorted once at the end;
 * otherwise (refresh) the span is inserted at its place to keep the row sorted. */
void
ctx_trace_model_index_span (CtxTraceModel *self, guint32 span, gboolean bulk)
{
  const CtxSpan *s = &self->spans[span];
  GArray *row = lane_row (g_ptr_array_index (self->lanes, s->lane), s->depth);
  const guint32 *v = (const guint32 *) (gpointer) row->data;
  guint lo = 0, hi = row->len;

  if (bulk || row->len == 0 || self->spans[v[row->len - 1]].start_ns <= s->start_ns)
    {
      g_array_append_val (row, span);
      return;
    }
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (self->spans[v[mid]].start_ns <= s->start_ns)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_array_insert_val (row, lo, span);
}

typedef struct
{
  gint64 start;
  guint32 span;
} StartKey;

static int
compare_start (gconstpointer a, gconstpointer b)
{
  const StartKey *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->span < y->span ? -1 : x->span > y->span;
}

static gboolean
row_is_sorted (const CtxSpan *spans, GArray *row)
{
  const guint32 *v = (const guint32 *) (gpointer) row->data;

  for (guint i = 1; i < row->len; i++)
    if (spans[v[i - 1]].start_ns > spans[v[i]].start_ns)
      return FALSE;
  return TRUE;
}

static void
sort_row (const CtxSpan *spans, GArray *row)
{
  guint32 *v = (guint32 *) (gpointer) row->data;
  StartKey *keys;

  if (row_is_sorted (spans, row))
    return;
  keys = g_new (StartKey, row->len);
  for (guint i = 0; i < row->len; i++)
    keys[i] = (StartKey) { spans[v[i]].start_ns, v[i] };
  qsort (keys, row->len, sizeof *keys, compare_start);
  for (guint i = 0; i < row->len; i++)
    v[i] = keys[i].span;
  g_free (keys);
}

void
ctx_trace_model_sort_rows (CtxTraceModel *self)
{
  for (guint l = 0; l < self->lanes->len; l++)
    {
      CtxLane *lane = g_ptr_array_index (self->lanes, l);
      for (guint d = 0; d < lane->n_rows; d++)
        sort_row (self->spans, lane->rows[d]);
    }
}

static guint
first_at_or_after (const CtxSpan *spans, GArray *row, gint64 start)
{
  const guint32 *v = (const guint32 *) (gpointer) row->data;
  guint lo = 0, hi = row->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (spans[v[mid]].start_ns < start)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
collect_child (GArray *out, const CtxSpan *spans, guint32 child)
{
  if (out != NULL)
    g_array_append_val (out, child);
}

/* Children of span: the regular ones by a walk of the row below it on its lane, plus
 * the irregular ones (other lanes, odd depths, starting outside it). */
static void
foreach_child (CtxTraceModel *self, guint32 span, GArray *out, gint64 *sum, guint *count)
{
  const CtxSpan *p = &self->spans[span];
  const CtxLane *lane = g_ptr_array_index (self->lanes, p->lane);
  const guint32 *irr = (const guint32 *) (gpointer) self->irregular->data;

  if ((guint) p->depth + 1 < lane->n_rows)
    {
      GArray *row = lane->rows[p->depth + 1];
      const guint32 *v = (const guint32 *) (gpointer) row->data;
      for (guint i = first_at_or_after (self->spans, row, p->start_ns);
           i < row->len && self->spans[v[i]].start_ns <= p->end_ns; i++)
        if (self->spans[v[i]].parent == span)
          {
            *sum = ctx_sat_add (*sum, ctx_span_duration (&self->spans[v[i]]));
            (*count)++;
            collect_child (out, self->spans, v[i]);
          }
    }
  for (guint i = 0; i < self->irregular->len; i++)
    if (self->spans[irr[i]].parent == span)
      {
        *sum = ctx_sat_add (*sum, ctx_span_duration (&self->spans[irr[i]]));
        (*count)++;
        collect_child (out, self->spans, irr[i]);
      }
}

gint64
ctx_trace_model_child_sum (CtxTraceModel *self, guint32 span, guint *n_children)
{
  gint64 sum = 0;
  guint count = 0;

  foreach_child (self, span, NULL, &sum, &count);
  if (n_children != NULL)
    *n_children = count;
  return sum;
}

static int
compare_child (gconstpointer a, gconstpointer b, gpointer data)
{
  const CtxSpan *spans = data;
  const CtxSpan *x = &spans[*(const guint32 *) a], *y = &spans[*(const guint32 *) b];

  /* Then in id order, which is index order. */
  if (x->start_ns != y->start_ns)
    return x->start_ns < y->start_ns ? -1 : 1;
  return x < y ? -1 : x > y;
}

GArray *
ctx_trace_model_get_children (CtxTraceModel *self, guint32 span)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint32));
  gint64 sum = 0;
  guint count = 0;

  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), out);
  g_return_val_if_fail (span < self->n_spans, out);
  foreach_child (self, span, out, &sum, &count);
  g_array_sort_with_data (out, compare_child, self->spans);
  return out;
}
