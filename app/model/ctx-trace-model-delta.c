/* ctx-trace-model-delta.c: what a live file gained since the model last read it, read as
 * plain rows so that the reading (decoding rows inside SQLite: most of a refresh's cost)
 * can run on a worker thread, and only the cheap append (ctx-trace-model-load.c) runs on
 * the model's thread.
 *
 * A delta is read from a snapshot of the model's "last id seen" marks taken on the model's
 * thread, inside one read transaction that ends before the reader returns: the writer can
 * always checkpoint between refreshes. */
#include "ctx-trace-model-private.h"

#include <glib/gstdio.h>
#include <string.h>

static void
clear_thread (gpointer data)
{
  g_free (((CtxRawThread *) data)->name);
}

CtxTraceDelta *
ctx_trace_delta_new (const CtxDeltaFrom *from)
{
  CtxTraceDelta *delta = g_new0 (CtxTraceDelta, 1);

  delta->from = *from;
  delta->from.open_ids = from->open_ids != NULL ? g_array_ref (from->open_ids) : NULL;
  delta->strings = g_ptr_array_new_with_free_func (g_free);
  delta->string_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  delta->processes = g_array_new (FALSE, TRUE, sizeof (CtxProcess));
  g_array_set_clear_func (delta->processes, ctx_trace_model_clear_process);
  delta->threads = g_array_new (FALSE, TRUE, sizeof (CtxRawThread));
  g_array_set_clear_func (delta->threads, clear_thread);
  delta->spans = g_array_new (FALSE, FALSE, sizeof (CtxRawSpan));
  delta->closed = g_array_new (FALSE, FALSE, sizeof (CtxClosedSpan));
  delta->events_min = G_MAXINT64;
  delta->events_max = G_MININT64;
  return delta;
}

void
ctx_trace_delta_free (CtxTraceDelta *delta)
{
  if (delta == NULL)
    return;
  g_clear_pointer (&delta->from.open_ids, g_array_unref);
  g_ptr_array_unref (delta->strings);
  g_array_unref (delta->string_ids);
  g_array_unref (delta->processes);
  g_array_unref (delta->threads);
  g_array_unref (delta->spans);
  g_array_unref (delta->closed);
  g_free (delta);
}

guint
ctx_trace_delta_get_n_spans (CtxTraceDelta *delta)
{
  return delta->spans->len;
}

static gboolean
finish (sqlite3 *db, sqlite3_stmt *stmt, int rc, const CtxDbGuard *guard, const char *path,
        GError **error)
{
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  ctx_trace_db_set_error (db, rc, guard, path, error);
  return FALSE;
}

static gboolean
read_strings (sqlite3 *db, const char *path, const CtxDbGuard *guard, CtxTraceDelta *delta,
              GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (db,
      "SELECT id, value FROM string WHERE id > ?1 ORDER BY id", path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delta->from.string_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (delta->string_ids, id);
      g_ptr_array_add (delta->strings, ctx_trace_model_column_text (stmt, 1));
    }
  return finish (db, stmt, rc, guard, path, error);
}

static void
fill_process (CtxProcess *p, sqlite3_stmt *stmt)
{
  p->id = sqlite3_column_int64 (stmt, 0);
  p->pid = sqlite3_column_int64 (stmt, 1);
  p->name = ctx_trace_model_column_text (stmt, 2);
  p->cmdline = ctx_trace_model_column_text (stmt, 3);
  p->hostname = ctx_trace_model_column_text (stmt, 4);
  p->start_ns = sqlite3_column_int64 (stmt, 5);
  p->end_ns = sqlite3_column_int64 (stmt, 6);
  p->dropped_spans = sqlite3_column_int64 (stmt, 7);
  p->dropped_records = sqlite3_column_int64 (stmt, 8);
  p->rejected_attrs = sqlite3_column_int64 (stmt, 9);
  p->truncated_values = sqlite3_column_int64 (stmt, 10);
}

/* Processes are few and their counters change with each commit: read them all. */
static gboolean
read_processes (sqlite3 *db, const char *path, const CtxDbGuard *guard, CtxTraceDelta *delta,
                GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (db,
      "SELECT id, pid, name, cmdline, hostname, start_ns, end_ns, dropped_spans,"
      " dropped_records, rejected_attrs, truncated_values FROM process ORDER BY id",
      path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_array_set_size (delta->processes, delta->processes->len + 1);
      fill_process (&g_array_index (delta->processes, CtxProcess, delta->processes->len - 1),
                    stmt);
    }
  return finish (db, stmt, rc, guard, path, error);
}

static gboolean
read_threads (sqlite3 *db, const char *path, const CtxDbGuard *guard, CtxTraceDelta *delta,
              GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (db,
      "SELECT id, process_id, tid, name FROM thread WHERE id > ?1 ORDER BY id", path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delta->from.thread_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtxRawThread t = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                         sqlite3_column_int64 (stmt, 2), NULL };
      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        t.name = ctx_trace_model_column_text (stmt, 3);
      g_array_append_val (delta->threads, t);
    }
  return finish (db, stmt, rc, guard, path, error);
}

static gboolean
read_events (sqlite3 *db, const char *path, const CtxDbGuard *guard, CtxTraceDelta *delta,
             GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (db,
      "SELECT max(id), min(ts_ns), max(ts_ns) FROM event WHERE id > ?1", path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delta->from.event_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      delta->has_events = TRUE;
      delta->last_event_id = sqlite3_column_int64 (stmt, 0);
      delta->events_min = sqlite3_column_int64 (stmt, 1);
      delta->events_max = sqlite3_column_int64 (stmt, 2);
    }
  return finish (db, stmt, rc == SQLITE_ROW ? SQLITE_DONE : rc, guard, path, error);
}

/* Strings, processes and threads: what spans refer to, read before them. */
gboolean
ctx_trace_delta_read_meta (CtxTraceDelta *delta, sqlite3 *db, const char *path,
                           const CtxDbGuard *guard, GError **error)
{
  return read_strings (db, path, guard, delta, error)
         && read_processes (db, path, guard, delta, error)
         && read_threads (db, path, guard, delta, error);
}

gboolean
ctx_trace_delta_read_events (CtxTraceDelta *delta, sqlite3 *db, const char *path,
                             const CtxDbGuard *guard, GError **error)
{
  return read_events (db, path, guard, delta, error);
}

/* A span that was open may have ended (dur_ns, status and attrs set) since last time. */
static gboolean
read_closed (sqlite3 *db, const char *path, const CtxDbGuard *guard, CtxTraceDelta *delta,
             GError **error)
{
  sqlite3_stmt *stmt;
  int rc = SQLITE_DONE;

  if (delta->from.open_ids == NULL || delta->from.open_ids->len == 0)
    return TRUE;
  stmt = ctx_trace_db_prepare (db, "SELECT dur_ns, status, attrs IS NOT NULL FROM span"
                               " WHERE id = ?1", path, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < delta->from.open_ids->len && rc == SQLITE_DONE; i++)
    {
      gint64 id = g_array_index (delta->from.open_ids, gint64, i);
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        g_array_append_val (delta->closed, ((CtxClosedSpan) {
          id, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
          sqlite3_column_int (stmt, 2) }));
      if (rc == SQLITE_ROW)
        rc = SQLITE_DONE;
      sqlite3_reset (stmt);
    }
  return finish (db, stmt, rc, guard, path, error);
}

static gboolean
read_spans (sqlite3 *db, const char *path, const CtxDbGuard *guard, CtxTraceDelta *delta,
            GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (db, CTX_SPAN_QUERY, path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delta->from.span_id);
  sqlite3_bind_int64 (stmt, 2, delta->until);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtxRawSpan r;
      ctx_raw_span_read (&r, stmt);
      g_array_append_val (delta->spans, r);
    }
  return finish (db, stmt, rc, guard, path, error);
}

/* Ids are unique, so reading ids up to last + max_spans reads at most max_spans rows. */
static gboolean
read_more_flag (sqlite3 *db, const char *path, CtxTraceDelta *delta, GError **error)
{
  gint64 last = 0;

  if (delta->until == G_MAXINT64)
    return TRUE;
  if (!ctx_trace_db_query_int (db, "SELECT coalesce(max(id), 0) FROM span", path, &last, error))
    return FALSE;
  delta->more = last > delta->until;
  return TRUE;
}

gboolean
ctx_trace_delta_read (CtxTraceDelta *delta, sqlite3 *db, const char *path, GError **error)
{
  CtxDbGuard guard = { .deadline_us = g_get_monotonic_time () + 10 * G_USEC_PER_SEC };
  gboolean ok;

  delta->until = delta->from.max_spans == 0
                 ? G_MAXINT64 : ctx_sat_add (delta->from.span_id, delta->from.max_spans);
  if (!ctx_trace_db_begin (db, path, error))
    return FALSE;
  ctx_trace_db_guard_begin (db, &guard);
  ok = read_closed (db, path, &guard, delta, error)
       && ctx_trace_delta_read_meta (delta, db, path, &guard, error)
       && read_spans (db, path, &guard, delta, error)
       && read_events (db, path, &guard, delta, error)
       && read_more_flag (db, path, delta, error);
  ctx_trace_db_guard_end (db);
  ctx_trace_db_end (db);
  return ok;
}

/* ---- Reading on a worker thread through a connection of the model's own, kept between
 * refreshes (opening one costs more than a small refresh) but never inside a transaction. */

typedef struct
{
  CtxTraceDelta *delta;
  CtxFileId file_id;
} ReadData;

static void
read_data_free (gpointer p)
{
  ReadData *data = p;

  ctx_trace_delta_free (data->delta);
  g_free (data);
}

static void
read_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CtxTraceModel *self = source;
  ReadData *data = task_data;
  GError *error = NULL;

  if (self->live_db == NULL)
    {
      CtxFileId id;
      self->live_db = ctx_trace_db_open (self->path, &id, &error);
      if (self->live_db != NULL && (id.dev != data->file_id.dev || id.ino != data->file_id.ino))
        {
          ctx_trace_db_close (g_steal_pointer (&self->live_db));
          g_set_error (&error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_GONE,
                       "“%s” was replaced by another file while it was open", self->path);
        }
    }
  if (self->live_db == NULL || !ctx_trace_delta_read (data->delta, self->live_db, self->path,
                                                      &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->delta), (GDestroyNotify) ctx_trace_delta_free);
}

void
ctx_trace_model_read_delta_async (CtxTraceModel *self, guint max_spans,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  g_return_if_fail (CTX_IS_TRACE_MODEL (self));
  data->delta = ctx_trace_model_delta_start (self, max_spans);
  data->file_id = self->file_id;
  g_task_set_source_tag (task, ctx_trace_model_read_delta_async);
  g_task_set_task_data (task, data, read_data_free);
  g_task_run_in_thread (task, read_thread);
}

CtxTraceDelta *
ctx_trace_model_read_delta_finish (CtxTraceModel *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
ctx_trace_model_check_changed (CtxTraceModel *self, gboolean *changed, GError **error)
{
  gint64 version = 0;

  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), FALSE);
  *changed = FALSE;
  if (!ctx_trace_db_check_same_file (self->path, &self->file_id, error)
      || !ctx_trace_db_query_int (self->db, "PRAGMA data_version", self->path, &version, error))
    return FALSE;
  /* Taken as read only when a delta read after this point is applied. */
  self->seen_version = version;
  *changed = version != self->data_version || self->more_pending;
  return TRUE;
}
