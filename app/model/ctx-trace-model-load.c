/* ctx-trace-model-load.c: read a trace file's structure into the model's arrays.
 *
 * The same readers serve the first load (everything after id 0) and live refreshes
 * (everything after the last id seen, which works because ids increase in commit order:
 * docs/schema.md).  All reads of one call happen in one read transaction, ended before
 * returning, so the writer can always checkpoint between calls. */
#include "ctx-trace-model-private.h"

#include <glib/gstdio.h>
#include <string.h>

/* Names come from the file: cap them, mark the cut, and make them valid UTF-8. */
static char *
cap_text (const unsigned char *text, int n_bytes, gsize max)
{
  const char *s = (const char *) text;
  gsize n = n_bytes > 0 ? (gsize) n_bytes : 0;
  g_autofree char *cut = NULL;

  if (s == NULL)
    return g_strdup ("");
  if (n <= max)
    return g_utf8_make_valid (s, n);
  n = max - 3;  /* room for the "…" */
  while (n > 0 && ((guchar) s[n] & 0xc0) == 0x80)
    n--;
  cut = g_utf8_make_valid (s, n);
  return g_strconcat (cut, "…", NULL);
}

char *
ctx_trace_model_column_text (sqlite3_stmt *stmt, int col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return cap_text (text, sqlite3_column_bytes (stmt, col), CTX_MAX_NAME_BYTES);
}

static guint32
unknown_name (CtxTraceModel *self)
{
  if (self->unknown_name == CTX_NONE)
    {
      self->unknown_name = self->strings->len;
      g_ptr_array_add (self->strings, g_strdup ("(unnamed)"));
    }
  return self->unknown_name;
}

static void
clear_process (gpointer data)
{
  CtxProcess *p = data;

  g_free (p->name);
  g_free (p->cmdline);
  g_free (p->hostname);
}

static guint
process_index (CtxTraceModel *self, gint64 id)
{
  for (guint i = 0; i < self->processes->len; i++)
    if (g_array_index (self->processes, CtxProcess, i).id == id)
      return i;
  g_array_append_val (self->processes, ((CtxProcess) {
    .id = id, .name = g_strdup ("(unknown process)"),
    .cmdline = g_strdup (""), .hostname = g_strdup ("") }));
  return self->processes->len - 1;
}

/* Processes are re-read on every refresh: keep the old string when it did not change,
 * so that a caller's pointer to it stays valid. */
static void
take_text (char **field, char **text)
{
  if (g_strcmp0 (*field, *text) == 0)
    return;
  g_free (*field);
  *field = g_steal_pointer (text);
}

static void
update_process (CtxProcess *p, CtxProcess *row)
{
  p->pid = row->pid;
  take_text (&p->name, &row->name);
  take_text (&p->cmdline, &row->cmdline);
  take_text (&p->hostname, &row->hostname);
  p->start_ns = row->start_ns;
  p->end_ns = row->end_ns;
  p->dropped_spans = row->dropped_spans;
  p->dropped_records = row->dropped_records;
  p->rejected_attrs = row->rejected_attrs;
  p->truncated_values = row->truncated_values;
}

static void
see_time (CtxTraceModel *self, gint64 t)
{
  self->start_ns = MIN (self->start_ns, t);
  self->end_ns = MAX (self->end_ns, t);
}

static void
apply_processes (CtxTraceModel *self, CtxTraceDelta *delta)
{
  for (guint i = 0; i < delta->processes->len; i++)
    {
      CtxProcess *row = &g_array_index (delta->processes, CtxProcess, i);
      guint index = process_index (self, row->id);  /* may grow the array */
      CtxProcess *p = &g_array_index (self->processes, CtxProcess, index);
      update_process (p, row);
      see_time (self, p->start_ns);
      if (p->end_ns != 0)
        see_time (self, p->end_ns);
    }
}

static void
apply_strings (CtxTraceModel *self, CtxTraceDelta *delta)
{
  for (guint i = 0; i < delta->strings->len; i++)
    {
      CtxIdIndex entry = { g_array_index (delta->string_ids, gint64, i), self->strings->len };
      g_ptr_array_add (self->strings, g_steal_pointer (&delta->strings->pdata[i]));
      g_array_append_val (self->string_ids, entry);
      self->last_string_id = entry.id;
    }
}

static void
free_lane (gpointer data)
{
  CtxLane *lane = data;

  for (guint d = 0; d < lane->n_rows; d++)
    g_array_unref (lane->rows[d]);
  g_free (lane->rows);
  g_free (lane->name);
  g_free (lane);
}

static int
compare_id_index (gconstpointer a, gconstpointer b)
{
  const CtxIdIndex *x = a, *y = b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static guint32
add_lane (CtxTraceModel *self, gint64 thread_id, guint process)
{
  CtxLane *lane = g_new0 (CtxLane, 1);
  CtxIdIndex entry = { thread_id, self->lanes->len };

  lane->thread_id = thread_id;
  lane->process = process;
  lane->name = g_strdup_printf ("thread %" G_GINT64_FORMAT, thread_id);
  g_ptr_array_add (self->lanes, lane);
  g_array_append_val (self->thread_ids, entry);
  g_array_sort (self->thread_ids, compare_id_index);
  return entry.index;
}

/* A span may name a thread row that is missing (damaged file): give it a lane anyway. */
static guint32
lane_index (CtxTraceModel *self, gint64 thread_id, gboolean *lanes_added)
{
  guint32 lane = ctx_id_index_lookup (self->thread_ids, thread_id);

  if (lane != CTX_NONE)
    return lane;
  *lanes_added = TRUE;
  return add_lane (self, thread_id, process_index (self, G_MININT64));
}

static void
apply_threads (CtxTraceModel *self, CtxTraceDelta *delta, gboolean *lanes_added)
{
  for (guint i = 0; i < delta->threads->len; i++)
    {
      CtxRawThread *t = &g_array_index (delta->threads, CtxRawThread, i);
      guint process = process_index (self, t->process_id);
      guint32 index = ctx_id_index_lookup (self->thread_ids, t->id);
      CtxLane *lane;

      if (index == CTX_NONE)
        index = add_lane (self, t->id, process);
      *lanes_added = TRUE;
      lane = g_ptr_array_index (self->lanes, index);
      lane->process = process;
      lane->tid = t->tid;
      g_free (lane->name);
      lane->name = t->name != NULL ? g_steal_pointer (&t->name)
                                   : g_strdup_printf ("%" G_GINT64_FORMAT, lane->tid);
      self->last_thread_id = t->id;
    }
}

void
ctx_trace_model_apply_meta (CtxTraceModel *self, CtxTraceDelta *delta, CtxScanResult *result)
{
  apply_strings (self, delta);
  apply_processes (self, delta);
  apply_threads (self, delta, &result->lanes_added);
}

static int
compare_lanes (gconstpointer a, gconstpointer b)
{
  const CtxLane *x = *(CtxLane * const *) a, *y = *(CtxLane * const *) b;

  if (x->process != y->process)
    return x->process < y->process ? -1 : 1;
  return x->thread_id < y->thread_id ? -1 : x->thread_id > y->thread_id;
}

/* Lanes stay grouped by process; a thread that appears later moves the lanes after it,
 * so the spans' lane numbers are rewritten. */
static void
sort_lanes (CtxTraceModel *self)
{
  guint n = self->lanes->len;
  g_autofree guint32 *new_of_old = g_new (guint32, n);

  g_ptr_array_sort (self->lanes, compare_lanes);
  for (guint i = 0; i < n; i++)
    {
      CtxLane *lane = g_ptr_array_index (self->lanes, i);
      new_of_old[ctx_id_index_lookup (self->thread_ids, lane->thread_id)] = i;
    }
  for (guint i = 0; i < self->thread_ids->len; i++)
    {
      CtxIdIndex *entry = &g_array_index (self->thread_ids, CtxIdIndex, i);
      entry->index = new_of_old[entry->index];
    }
  for (guint i = 0; i < self->n_spans; i++)
    self->spans[i].lane = new_of_old[self->spans[i].lane];
}

void
ctx_trace_model_reserve_spans (CtxTraceModel *self, guint want)
{
  if (want <= self->spans_alloc)
    return;
  self->spans_alloc = MAX (want, self->spans_alloc + self->spans_alloc / 2 + 1024);
  self->spans = g_renew (CtxSpan, self->spans, self->spans_alloc);
}

void
ctx_trace_model_fix_span (CtxTraceModel *self, guint32 span, gint64 name_id,
                          gint64 thread_id, CtxScanResult *result)
{
  CtxSpan *s = &self->spans[span];

  if (s->name == CTX_NONE)
    s->name = unknown_name (self);
  if (s->lane == CTX_NONE)
    s->lane = lane_index (self, thread_id, &result->lanes_added);
}

static void
apply_events (CtxTraceModel *self, CtxTraceDelta *delta)
{
  if (!delta->has_events)
    return;
  self->last_event_id = delta->last_event_id;
  see_time (self, delta->events_min);
  see_time (self, delta->events_max);
}

/* Open spans are drawn up to their process's end when it stopped recording (or died with
 * the span open), else up to the latest timestamp of the file (docs/schema.md). */
static void
extend_open_spans (CtxTraceModel *self)
{
  for (guint i = 0; i < self->open_spans->len; i++)
    {
      CtxSpan *s = &self->spans[g_array_index (self->open_spans, guint32, i)];
      const CtxLane *lane = g_ptr_array_index (self->lanes, s->lane);
      gint64 end = g_array_index (self->processes, CtxProcess, lane->process).end_ns;
      s->end_ns = MAX (end != 0 ? MIN (end, self->end_ns) : self->end_ns, s->start_ns);
    }
}

static void
close_span (CtxTraceModel *self, CtxSpan *s, const CtxClosedSpan *c)
{
  s->flags &= ~(CTX_SPAN_OPEN | CTX_SPAN_HAS_ATTRS);
  s->flags |= c->has_attrs ? CTX_SPAN_HAS_ATTRS : 0;
  s->flags |= c->dur_ns < 0 ? CTX_SPAN_INVALID_TIME : 0;
  s->end_ns = ctx_sat_add (s->start_ns, MAX (c->dur_ns, 0));
  s->status = (guint8) (c->status >= 0 && c->status <= 2 ? c->status : 0);
  see_time (self, s->end_ns);
}

typedef struct
{
  gint64 first_id;
  gint64 last_id;
} IdRange;

static gboolean
span_range (CtxTraceModel *self, IdRange *range, GError **error)
{
  return ctx_trace_db_query_int (self->db, "SELECT coalesce(min(id), 0) FROM span",
                                 self->path, &range->first_id, error)
         && ctx_trace_db_query_int (self->db, "SELECT coalesce(max(id), 0) FROM span",
                                    self->path, &range->last_id, error);
}

/* What follows appending spans from first on: parents, lane rows, open spans' ends. */
static void
finish_spans (CtxTraceModel *self, guint first, gboolean bulk, CtxScanResult *result)
{
  if (self->n_spans > first)
    self->last_span_id = MAX (self->last_span_id,
                              ctx_id_runs_get (&self->span_ids, self->n_spans - 1));
  if (result->min_t <= result->max_t)
    {
      see_time (self, result->min_t);
      see_time (self, result->max_t);
    }
  ctx_trace_model_link_new (self, first, bulk);
  ctx_trace_model_resolve_pending (self);
  if (result->lanes_added)
    sort_lanes (self);
  if (bulk)
    ctx_trace_model_sort_rows (self);
  extend_open_spans (self);
  if (self->start_ns > self->end_ns)
    self->start_ns = self->end_ns = 0;
}

CtxTraceDelta *
ctx_trace_model_delta_start (CtxTraceModel *self, guint max_spans)
{
  CtxDeltaFrom from = { self->last_span_id, self->last_string_id, self->last_thread_id,
                        self->last_event_id, self->seen_version, self->n_spans, max_spans,
                        g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                           self->open_spans->len) };
  CtxTraceDelta *delta;

  for (guint i = 0; i < self->open_spans->len; i++)
    {
      gint64 id = ctx_id_runs_get (&self->span_ids, g_array_index (self->open_spans, guint32, i));
      g_array_append_val (from.open_ids, id);
    }
  delta = ctx_trace_delta_new (&from);
  g_array_unref (from.open_ids);
  return delta;
}

/* The first load: strings, processes and threads first, so that spans find their names
 * and lanes, then spans up to until in parallel chunks, then events for the time range. */
static gboolean
read_rows (CtxTraceModel *self, const CtxDbGuard *guard, gint64 until,
           const CtxProgress *progress, GError **error)
{
  CtxScanResult result = { G_MAXINT64, G_MININT64, FALSE };
  CtxTraceDelta *delta = ctx_trace_model_delta_start (self, 0);
  gboolean ok;

  ok = ctx_trace_delta_read_meta (delta, self->db, self->path, guard, error);
  if (ok)
    ctx_trace_model_apply_meta (self, delta, &result);
  ok = ok && ctx_trace_model_scan_spans (self, guard, self->last_span_id, until, TRUE,
                                         progress, &result, error)
       && ctx_trace_delta_read_events (delta, self->db, self->path, guard, error);
  if (ok)
    {
      apply_events (self, delta);
      finish_spans (self, 0, TRUE, &result);
    }
  ctx_trace_delta_free (delta);
  return ok;
}

gboolean
ctx_trace_model_read_all (CtxTraceModel *self, GCancellable *cancellable,
                          CtxProgressFunc progress_func, gpointer user_data, GError **error)
{
  CtxDbGuard guard = { .cancellable = cancellable };
  CtxProgress progress = { progress_func, user_data };
  IdRange range = { 0, 0 };
  gboolean ok;

  if (!ctx_trace_db_begin (self->db, self->path, error))
    return FALSE;
  ctx_trace_db_guard_begin (self->db, &guard);
  ok = span_range (self, &range, error);
  self->last_span_id = range.first_id > G_MININT64 ? range.first_id - 1 : G_MININT64;
  self->last_event_id = G_MININT64;
  self->last_string_id = G_MININT64;
  self->last_thread_id = G_MININT64;
  ok = ok && read_rows (self, &guard, range.last_id, &progress, error);
  ctx_trace_db_guard_end (self->db);
  ctx_trace_db_end (self->db);
  if (ok)
    {
      self->spans = g_renew (CtxSpan, self->spans, MAX (self->n_spans, 1));
      self->spans_alloc = MAX (self->n_spans, 1);
      if (progress_func != NULL)
        progress_func (1.0, user_data);
    }
  return ok;
}

static void
drop_closed_spans (CtxTraceModel *self)
{
  guint kept = 0;

  for (guint i = 0; i < self->open_spans->len; i++)
    {
      guint32 index = g_array_index (self->open_spans, guint32, i);
      if (self->spans[index].flags & CTX_SPAN_OPEN)
        g_array_index (self->open_spans, guint32, kept++) = index;
    }
  g_array_set_size (self->open_spans, kept);
}

static void
apply_closed (CtxTraceModel *self, CtxTraceDelta *delta)
{
  for (guint i = 0; i < delta->closed->len; i++)
    {
      const CtxClosedSpan *c = &g_array_index (delta->closed, CtxClosedSpan, i);
      guint32 span = ctx_trace_model_find_id (self, c->id);
      if (span != CTX_NONE)
        close_span (self, &self->spans[span], c);
    }
  drop_closed_spans (self);
}

static void
append_raw (CtxTraceModel *self, const CtxRawSpan *r, CtxScanResult *result)
{
  guint32 index = self->n_spans++;
  CtxSpan *s = &self->spans[index];

  ctx_trace_model_fill_span (self, s, r);
  ctx_id_runs_push (&self->span_ids, r->id);
  result->min_t = MIN (result->min_t, s->start_ns);
  result->max_t = MAX (result->max_t, (s->flags & CTX_SPAN_OPEN) ? s->start_ns : s->end_ns);
  if (s->name == CTX_NONE || s->lane == CTX_NONE)
    ctx_trace_model_fix_span (self, index, r->name_id, r->thread_id, result);
  if (r->parent_id == CTX_RAW_NO_PARENT)
    return;
  if (r->parent_id < r->id)
    s->parent = ctx_trace_model_find_id (self, r->parent_id);
  if (s->parent == CTX_NONE)
    {
      s->flags |= CTX_SPAN_ORPHAN;
      g_array_append_val (self->pending, ((CtxPendingParent) { index, r->parent_id }));
    }
}

static void
apply_spans (CtxTraceModel *self, CtxTraceDelta *delta, CtxScanResult *result)
{
  const CtxRawSpan *raw = (const CtxRawSpan *) (gpointer) delta->spans->data;
  guint n = delta->spans->len;

  ctx_trace_model_reserve_spans (self, self->n_spans + n);
  for (guint i = 0; i < n; i++)
    if (raw[i].id > self->last_span_id)  /* ids repeat only in a damaged file */
      {
        append_raw (self, &raw[i], result);
        self->last_span_id = raw[i].id;
      }
}

/* A delta read for the model as it is now: its spans follow the model's. */
gboolean
ctx_trace_model_delta_is_current (CtxTraceModel *self, CtxTraceDelta *delta)
{
  return delta->from.n_spans == self->n_spans && delta->from.span_id == self->last_span_id
         && delta->from.string_id == self->last_string_id
         && delta->from.thread_id == self->last_thread_id;
}

void
ctx_trace_model_apply_delta_locked (CtxTraceModel *self, CtxTraceDelta *delta)
{
  CtxScanResult result = { G_MAXINT64, G_MININT64, FALSE };
  guint first = self->n_spans;

  apply_closed (self, delta);
  ctx_trace_model_apply_meta (self, delta, &result);
  apply_spans (self, delta, &result);
  apply_events (self, delta);
  if (delta->more)
    self->last_span_id = MAX (self->last_span_id, delta->until);  /* the range read, holes too */
  finish_spans (self, first, FALSE, &result);
  self->data_version = delta->from.data_version;
  self->more_pending = delta->more;
}

void
ctx_trace_model_free_lane (gpointer lane)
{
  free_lane (lane);
}

void
ctx_trace_model_clear_process (gpointer process)
{
  clear_process (process);
}
