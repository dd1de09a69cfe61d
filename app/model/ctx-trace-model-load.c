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

static char *
column_text (sqlite3_stmt *stmt, int col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return cap_text (text, sqlite3_column_bytes (stmt, col), CTX_MAX_NAME_BYTES);
}

static gboolean
finish_stmt (CtxTraceModel *self, sqlite3_stmt *stmt, int rc, const CtxDbGuard *guard,
             GError **error)
{
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  ctx_trace_db_set_error (self->db, rc, guard, self->path, error);
  return FALSE;
}

static gboolean
read_strings (CtxTraceModel *self, const CtxDbGuard *guard, GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (self->db,
      "SELECT id, value FROM string WHERE id > ?1 ORDER BY id", self->path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->last_string_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtxIdIndex entry = { sqlite3_column_int64 (stmt, 0), self->strings->len };
      g_ptr_array_add (self->strings, column_text (stmt, 1));
      g_array_append_val (self->string_ids, entry);
      self->last_string_id = entry.id;
    }
  return finish_stmt (self, stmt, rc, guard, error);
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
set_text (char **field, sqlite3_stmt *stmt, int col)
{
  g_autofree char *text = column_text (stmt, col);

  if (g_strcmp0 (*field, text) == 0)
    return;
  g_free (*field);
  *field = g_steal_pointer (&text);
}

static void
fill_process (CtxProcess *p, sqlite3_stmt *stmt)
{
  p->pid = sqlite3_column_int64 (stmt, 1);
  set_text (&p->name, stmt, 2);
  set_text (&p->cmdline, stmt, 3);
  set_text (&p->hostname, stmt, 4);
  p->start_ns = sqlite3_column_int64 (stmt, 5);
  p->end_ns = sqlite3_column_int64 (stmt, 6);
  p->dropped_spans = sqlite3_column_int64 (stmt, 7);
  p->dropped_records = sqlite3_column_int64 (stmt, 8);
  p->rejected_attrs = sqlite3_column_int64 (stmt, 9);
  p->truncated_values = sqlite3_column_int64 (stmt, 10);
}

static void
see_time (CtxTraceModel *self, gint64 t)
{
  self->start_ns = MIN (self->start_ns, t);
  self->end_ns = MAX (self->end_ns, t);
}

/* Processes are few and their counters change with each commit: re-read them all. */
static gboolean
read_processes (CtxTraceModel *self, const CtxDbGuard *guard, GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (self->db,
      "SELECT id, pid, name, cmdline, hostname, start_ns, end_ns, dropped_spans,"
      " dropped_records, rejected_attrs, truncated_values FROM process ORDER BY id",
      self->path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint index = process_index (self, sqlite3_column_int64 (stmt, 0));
      CtxProcess *p = &g_array_index (self->processes, CtxProcess, index);
      fill_process (p, stmt);
      see_time (self, p->start_ns);
      if (p->end_ns != 0)
        see_time (self, p->end_ns);
    }
  return finish_stmt (self, stmt, rc, guard, error);
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

static gboolean
read_threads (CtxTraceModel *self, const CtxDbGuard *guard, gboolean *lanes_added,
              GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (self->db,
      "SELECT id, process_id, tid, name FROM thread WHERE id > ?1 ORDER BY id",
      self->path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->last_thread_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      guint process = process_index (self, sqlite3_column_int64 (stmt, 1));
      guint32 index = ctx_id_index_lookup (self->thread_ids, id);
      CtxLane *lane;

      if (index == CTX_NONE)
        index = add_lane (self, id, process);
      *lanes_added = TRUE;
      lane = g_ptr_array_index (self->lanes, index);
      lane->process = process;
      lane->tid = sqlite3_column_int64 (stmt, 2);
      g_free (lane->name);
      lane->name = sqlite3_column_type (stmt, 3) == SQLITE_NULL
                   ? g_strdup_printf ("%" G_GINT64_FORMAT, lane->tid) : column_text (stmt, 3);
      self->last_thread_id = id;
    }
  return finish_stmt (self, stmt, rc, guard, error);
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

static gboolean
read_events (CtxTraceModel *self, const CtxDbGuard *guard, GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (self->db,
      "SELECT max(id), min(ts_ns), max(ts_ns) FROM event WHERE id > ?1", self->path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->last_event_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      self->last_event_id = sqlite3_column_int64 (stmt, 0);
      see_time (self, sqlite3_column_int64 (stmt, 1));
      see_time (self, sqlite3_column_int64 (stmt, 2));
    }
  return finish_stmt (self, stmt, rc == SQLITE_ROW ? SQLITE_DONE : rc, guard, error);
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
close_span (CtxTraceModel *self, CtxSpan *s, sqlite3_stmt *stmt)
{
  gint64 dur = sqlite3_column_int64 (stmt, 0);
  gint64 status = sqlite3_column_int64 (stmt, 1);

  s->flags &= ~(CTX_SPAN_OPEN | CTX_SPAN_HAS_ATTRS);
  s->flags |= sqlite3_column_int (stmt, 2) ? CTX_SPAN_HAS_ATTRS : 0;
  s->flags |= dur < 0 ? CTX_SPAN_INVALID_TIME : 0;
  s->end_ns = ctx_sat_add (s->start_ns, MAX (dur, 0));
  s->status = (guint8) (status >= 0 && status <= 2 ? status : 0);
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

/* Reads strings, processes and threads first, so that spans find their names and lanes,
 * then spans up to until, then events for the time range. */
static gboolean
read_rows (CtxTraceModel *self, const CtxDbGuard *guard, gint64 until, gboolean parallel,
           const CtxProgress *progress, GError **error)
{
  CtxScanResult result = { G_MAXINT64, G_MININT64, FALSE };
  gboolean bulk = self->n_spans == 0;
  guint first = self->n_spans;

  if (!read_strings (self, guard, error) || !read_processes (self, guard, error)
      || !read_threads (self, guard, &result.lanes_added, error)
      || !ctx_trace_model_scan_spans (self, guard, self->last_span_id, until, parallel,
                                      progress, &result, error)
      || !read_events (self, guard, error))
    return FALSE;
  if (self->n_spans > first)
    self->last_span_id = self->spans[self->n_spans - 1].id;
  if (result.min_t <= result.max_t)
    {
      see_time (self, result.min_t);
      see_time (self, result.max_t);
    }
  ctx_trace_model_link_new (self, first, bulk);
  ctx_trace_model_resolve_pending (self);
  if (result.lanes_added)
    sort_lanes (self);
  if (bulk)
    ctx_trace_model_sort_rows (self);
  extend_open_spans (self);
  if (self->start_ns > self->end_ns)
    self->start_ns = self->end_ns = 0;
  return TRUE;
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
  ok = ok && read_rows (self, &guard, range.last_id, TRUE, &progress, error);
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

/* A span that was open may have ended (dur_ns, status and attrs set) since last time. */
static gboolean
reread_open_spans (CtxTraceModel *self, const CtxDbGuard *guard, GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (self->db,
      "SELECT dur_ns, status, attrs IS NOT NULL FROM span WHERE id = ?1", self->path, error);
  int rc = SQLITE_DONE;

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < self->open_spans->len; i++)
    {
      CtxSpan *s = &self->spans[g_array_index (self->open_spans, guint32, i)];
      sqlite3_bind_int64 (stmt, 1, s->id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        close_span (self, s, stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        break;
      sqlite3_reset (stmt);
      rc = SQLITE_DONE;
    }
  drop_closed_spans (self);
  return finish_stmt (self, stmt, rc, guard, error);
}

/* Ids are unique, so reading ids up to last + max_spans reads at most max_spans rows. */
static gboolean
read_bounded (CtxTraceModel *self, const CtxDbGuard *guard, guint max_spans, gboolean *more,
              GError **error)
{
  gint64 until = max_spans == 0 ? G_MAXINT64 : ctx_sat_add (self->last_span_id, max_spans);
  gint64 last = 0;

  if (!read_rows (self, guard, until, FALSE, NULL, error))
    return FALSE;
  *more = FALSE;
  if (until == G_MAXINT64)
    return TRUE;
  if (!ctx_trace_db_query_int (self->db, "SELECT coalesce(max(id), 0) FROM span", self->path,
                               &last, error))
    return FALSE;
  *more = last > until;
  if (*more)
    self->last_span_id = until;  /* the id range read, even where it had holes */
  return TRUE;
}

gboolean
ctx_trace_model_read_new (CtxTraceModel *self, guint max_spans, gboolean *more, GError **error)
{
  CtxDbGuard guard = { .deadline_us = g_get_monotonic_time () + 10 * G_USEC_PER_SEC };
  gboolean ok;

  if (!ctx_trace_db_begin (self->db, self->path, error))
    return FALSE;
  ctx_trace_db_guard_begin (self->db, &guard);
  ok = reread_open_spans (self, &guard, error)
       && read_bounded (self, &guard, max_spans, more, error);
  ctx_trace_db_guard_end (self->db);
  ctx_trace_db_end (self->db);
  return ok;
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
