/* ctx-trace-model.c: the CtxTraceModel object: loading, accessors, details and refresh.
 *
 * The arrays are filled by ctx-trace-model-load.c and indexed by ctx-trace-model-index.c;
 * this file holds the object's life cycle and the public entry points. */
#include "ctx-trace-model-private.h"

#include <string.h>
#include <unistd.h>

#define DETAILS_MAX_EVENTS 10000
#define DETAILS_TIME_LIMIT_US (2 * G_USEC_PER_SEC)

G_DEFINE_QUARK (ctx-trace-error-quark, ctx_trace_error)
G_DEFINE_FINAL_TYPE (CtxTraceModel, ctx_trace_model, G_TYPE_OBJECT)

G_STATIC_ASSERT (sizeof (CtxSpan) == 32);

static void
ctx_trace_model_finalize (GObject *object)
{
  CtxTraceModel *self = CTX_TRACE_MODEL (object);

  if (self->db != NULL)
    ctx_trace_db_close (self->db);
  if (self->live_db != NULL)
    ctx_trace_db_close (self->live_db);
  g_free (self->path);
  g_free (self->spans);
  ctx_id_runs_clear (&self->span_ids);
  g_ptr_array_unref (self->strings);
  g_array_unref (self->string_ids);
  g_array_unref (self->processes);
  g_ptr_array_unref (self->lanes);
  g_array_unref (self->thread_ids);
  g_array_unref (self->open_spans);
  g_array_unref (self->pending);
  g_array_unref (self->irregular);
  g_rw_lock_clear (&self->lock);
  G_OBJECT_CLASS (ctx_trace_model_parent_class)->finalize (object);
}

static void
ctx_trace_model_class_init (CtxTraceModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ctx_trace_model_finalize;
}

static void
ctx_trace_model_init (CtxTraceModel *self)
{
  g_rw_lock_init (&self->lock);
  ctx_id_runs_init (&self->span_ids);
  self->strings = g_ptr_array_new_with_free_func (g_free);
  self->string_ids = g_array_new (FALSE, FALSE, sizeof (CtxIdIndex));
  self->unknown_name = CTX_NONE;
  self->processes = g_array_new (FALSE, TRUE, sizeof (CtxProcess));
  g_array_set_clear_func (self->processes, ctx_trace_model_clear_process);
  self->lanes = g_ptr_array_new_with_free_func (ctx_trace_model_free_lane);
  self->thread_ids = g_array_new (FALSE, FALSE, sizeof (CtxIdIndex));
  self->open_spans = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->pending = g_array_new (FALSE, FALSE, sizeof (CtxPendingParent));
  self->irregular = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->start_ns = G_MAXINT64;
  self->end_ns = G_MININT64;
}

CtxTraceModel *
ctx_trace_model_load (const char *path, GCancellable *cancellable, CtxProgressFunc progress,
                      gpointer user_data, GError **error)
{
  g_autoptr (CtxTraceModel) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  self = g_object_new (CTX_TYPE_TRACE_MODEL, NULL);
  self->path = g_strdup (path);
  self->db = ctx_trace_db_open (path, &self->file_id, error);
  if (self->db == NULL
      || !ctx_trace_model_read_all (self, cancellable, progress, user_data, error)
      || !ctx_trace_db_query_int (self->db, "PRAGMA data_version", path,
                                  &self->data_version, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- Loading on a worker thread, progress coalesced into one idle on the caller's
 * main context (the worker may report faster than the main loop draws). */

typedef struct
{
  gatomicrefcount ref;
  char *path;
  CtxProgressFunc progress;
  gpointer progress_data;
  GMainContext *context;
  GCancellable *cancellable;
  GMutex mutex;
  double fraction;
  gboolean idle_pending;
} LoadData;

static LoadData *
load_data_ref (LoadData *data)
{
  g_atomic_ref_count_inc (&data->ref);
  return data;
}

static void
load_data_unref (gpointer p)
{
  LoadData *data = p;

  if (!g_atomic_ref_count_dec (&data->ref))
    return;
  g_free (data->path);
  g_main_context_unref (data->context);
  g_clear_object (&data->cancellable);
  g_mutex_clear (&data->mutex);
  g_free (data);
}

static gboolean
deliver_progress (gpointer p)
{
  LoadData *data = p;
  double fraction;

  g_mutex_lock (&data->mutex);
  fraction = data->fraction;
  data->idle_pending = FALSE;
  g_mutex_unlock (&data->mutex);
  if (!g_cancellable_is_cancelled (data->cancellable))
    data->progress (fraction, data->progress_data);
  return G_SOURCE_REMOVE;
}

static void
queue_progress (double fraction, gpointer p)
{
  LoadData *data = p;
  gboolean schedule;
  GSource *source;

  g_mutex_lock (&data->mutex);
  data->fraction = fraction;
  schedule = !data->idle_pending;
  data->idle_pending = TRUE;
  g_mutex_unlock (&data->mutex);
  if (!schedule)
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_progress, load_data_ref (data), load_data_unref);
  g_source_set_static_name (source, "[ctx] load progress");
  g_source_attach (source, data->context);
  g_source_unref (source);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;
  CtxTraceModel *model = ctx_trace_model_load (data->path, cancellable,
                                               data->progress != NULL ? queue_progress : NULL,
                                               data, &error);

  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, model, g_object_unref);
}

void
ctx_trace_model_load_async (const char *path, GCancellable *cancellable,
                            CtxProgressFunc progress, gpointer progress_data,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  LoadData *data = g_new0 (LoadData, 1);

  g_atomic_ref_count_init (&data->ref);
  data->path = g_strdup (path);
  data->progress = progress;
  data->progress_data = progress_data;
  data->context = g_main_context_ref_thread_default ();
  data->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_mutex_init (&data->mutex);
  g_task_set_source_tag (task, ctx_trace_model_load_async);
  g_task_set_task_data (task, data, load_data_unref);
  g_task_run_in_thread (task, load_thread);
}

CtxTraceModel *
ctx_trace_model_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Accessors */

const char *
ctx_trace_model_get_path (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), NULL);
  return self->path;
}

guint
ctx_trace_model_get_n_spans (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), 0);
  return self->n_spans;
}

const CtxSpan *
ctx_trace_model_get_spans (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), NULL);
  return self->spans;
}

const char *
ctx_trace_model_get_string (CtxTraceModel *self, guint32 name)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), NULL);
  g_return_val_if_fail (name < self->strings->len, "");
  return g_ptr_array_index (self->strings, name);
}

guint
ctx_trace_model_get_n_strings (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), 0);
  return self->strings->len;
}

guint
ctx_trace_model_get_n_lanes (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), 0);
  return self->lanes->len;
}

const CtxLane *
ctx_trace_model_get_lane (CtxTraceModel *self, guint lane)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), NULL);
  g_return_val_if_fail (lane < self->lanes->len, NULL);
  return g_ptr_array_index (self->lanes, lane);
}

guint
ctx_trace_model_get_n_processes (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), 0);
  return self->processes->len;
}

const CtxProcess *
ctx_trace_model_get_process (CtxTraceModel *self, guint process)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), NULL);
  g_return_val_if_fail (process < self->processes->len, NULL);
  return &g_array_index (self->processes, CtxProcess, process);
}

gint64
ctx_trace_model_get_start_ns (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), 0);
  return self->start_ns;
}

gint64
ctx_trace_model_get_end_ns (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), 0);
  return self->end_ns;
}

guint
ctx_trace_model_get_n_open_spans (CtxTraceModel *self)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), 0);
  return self->open_spans->len;
}

/* ---- Writers */

static gint64
boot_time_s (void)
{
  g_autofree char *stat = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/stat", &stat, NULL, NULL)
      || (line = strstr (stat, "\nbtime ")) == NULL)
    return 0;
  return g_ascii_strtoll (line + 7, NULL, 10);
}

/* Start of pid in ns since the epoch, 0 if it is gone or a zombie. */
static gint64
pid_start_ns (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *stat = NULL;
  g_auto (GStrv) fields = NULL;
  const char *rest;
  long ticks = sysconf (_SC_CLK_TCK);

  if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL)
      || (rest = strrchr (stat, ')')) == NULL)
    return 0;
  /* After "pid (comm)": state is field 3, starttime field 22. */
  fields = g_strsplit (rest + 2, " ", 21);
  if (g_strv_length (fields) < 21 || fields[0][0] == 'Z' || fields[0][0] == 'X' || ticks <= 0)
    return 0;
  return (boot_time_s () + (gint64) (g_ascii_strtoull (fields[19], NULL, 10) / (guint64) ticks))
         * G_GINT64_CONSTANT (1000000000);
}

CtxProcessState
ctx_process_get_state (const CtxProcess *process)
{
  gint64 started;

  if (process->end_ns != 0)
    return CTX_PROCESS_ENDED;
  if (g_strcmp0 (process->hostname, g_get_host_name ()) != 0)
    return CTX_PROCESS_UNKNOWN;
  started = pid_start_ns (process->pid);
  /* A pid that started well after the recording did is another process (pids are reused);
   * the slack covers the second-granular boot time. */
  if (started == 0 || started > ctx_sat_add (process->start_ns, 3 * G_GINT64_CONSTANT (1000000000)))
    return CTX_PROCESS_ENDED;
  return CTX_PROCESS_RUNNING;
}

/* ---- Details */

void
ctx_span_details_free (CtxSpanDetails *details)
{
  if (details == NULL)
    return;
  g_free (details->attrs_json);
  g_clear_pointer (&details->events, g_ptr_array_unref);
  g_free (details);
}

static void
ctx_event_free (gpointer p)
{
  CtxEvent *event = p;

  g_free (event->name);
  g_free (event->attrs_json);
  g_free (event);
}

static char *
valid_text (sqlite3_stmt *stmt, int col)
{
  const char *text = (const char *) sqlite3_column_text (stmt, col);

  if (text == NULL)
    return NULL;
  return g_utf8_make_valid (text, sqlite3_column_bytes (stmt, col));
}

static guint32
string_for_id (CtxTraceModel *self, gint64 id)
{
  return ctx_id_index_lookup (self->string_ids, id);
}

static CtxEvent *
read_event (CtxTraceModel *self, sqlite3_stmt *stmt)
{
  CtxEvent *event = g_new0 (CtxEvent, 1);
  guint32 name = string_for_id (self, sqlite3_column_int64 (stmt, 1));

  event->ts_ns = sqlite3_column_int64 (stmt, 0);
  event->name = g_strdup (name != CTX_NONE ? ctx_trace_model_get_string (self, name)
                                           : "(unnamed)");
  event->attrs_json = valid_text (stmt, 2);
  return event;
}

static int
run_attrs (CtxTraceModel *self, gint64 id, CtxSpanDetails *details, GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (self->db, "SELECT attrs FROM span WHERE id = ?1",
                                             self->path, error);
  int rc;

  if (stmt == NULL)
    return SQLITE_ERROR;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    details->attrs_json = valid_text (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static int
run_events (CtxTraceModel *self, gint64 id, CtxSpanDetails *details, GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (self->db,
      "SELECT ts_ns, name_id, attrs FROM event WHERE span_id = ?1 ORDER BY ts_ns, id"
      " LIMIT " G_STRINGIFY (DETAILS_MAX_EVENTS), self->path, error);
  int rc;

  if (stmt == NULL)
    return SQLITE_ERROR;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (details->events, read_event (self, stmt));
  sqlite3_finalize (stmt);
  return rc;
}

CtxSpanDetails *
ctx_trace_model_fetch_details (CtxTraceModel *self, guint32 span, GError **error)
{
  g_autoptr (CtxSpanDetails) details = g_new0 (CtxSpanDetails, 1);
  CtxDbGuard guard = { NULL, g_get_monotonic_time () + DETAILS_TIME_LIMIT_US, FALSE };
  gint64 id;
  int rc;

  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), NULL);
  g_return_val_if_fail (span < self->n_spans, NULL);
  id = ctx_id_runs_get (&self->span_ids, span);
  details->events = g_ptr_array_new_with_free_func (ctx_event_free);
  details->self_ns = MAX (0, ctx_span_duration (&self->spans[span])
                             - ctx_trace_model_child_sum (self, span, &details->n_children));
  if (!ctx_trace_db_begin (self->db, self->path, error))
    return NULL;
  ctx_trace_db_guard_begin (self->db, &guard);
  rc = run_attrs (self, id, details, error);
  if (rc == SQLITE_DONE)
    rc = run_events (self, id, details, error);
  if (rc != SQLITE_DONE && (error == NULL || *error == NULL))
    ctx_trace_db_set_error (self->db, rc, &guard, self->path, error);
  ctx_trace_db_guard_end (self->db);
  ctx_trace_db_end (self->db);
  return rc == SQLITE_DONE ? g_steal_pointer (&details) : NULL;
}

/* ---- Live refresh */

CtxApplyResult
ctx_trace_model_apply_delta (CtxTraceModel *self, CtxTraceDelta *delta, gboolean *more)
{
  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), CTX_APPLY_STALE);
  if (more != NULL)
    *more = FALSE;
  if (!ctx_trace_model_delta_is_current (self, delta))
    return CTX_APPLY_STALE;
  /* A search or statistics worker is reading the arrays: try again on the next tick
   * rather than stall the caller's main loop behind it. */
  if (!g_rw_lock_writer_trylock (&self->lock))
    return CTX_APPLY_BUSY;
  ctx_trace_model_apply_delta_locked (self, delta);
  g_rw_lock_writer_unlock (&self->lock);
  if (more != NULL)
    *more = self->more_pending;
  return CTX_APPLY_DONE;
}

gboolean
ctx_trace_model_refresh_bounded (CtxTraceModel *self, guint max_spans, gboolean *changed,
                                 gboolean *more, GError **error)
{
  g_autoptr (CtxTraceDelta) delta = NULL;
  gboolean new_data = FALSE, ok;

  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), FALSE);
  if (changed != NULL)
    *changed = FALSE;
  if (more != NULL)
    *more = FALSE;
  if (!ctx_trace_model_check_changed (self, &new_data, error))
    return FALSE;
  if (!new_data)
    return TRUE;
  if (!g_rw_lock_writer_trylock (&self->lock))
    {
      if (more != NULL)
        *more = TRUE;
      return TRUE;
    }
  delta = ctx_trace_model_delta_start (self, max_spans);
  ok = ctx_trace_delta_read (delta, self->db, self->path, error);
  if (ok)
    ctx_trace_model_apply_delta_locked (self, delta);
  g_rw_lock_writer_unlock (&self->lock);
  if (changed != NULL)
    *changed = ok;
  if (more != NULL)
    *more = ok && self->more_pending;
  return ok;
}

gboolean
ctx_trace_model_refresh (CtxTraceModel *self, gboolean *changed, GError **error)
{
  return ctx_trace_model_refresh_bounded (self, 0, changed, NULL, error);
}
