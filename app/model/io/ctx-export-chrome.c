/* ctx-export-chrome.c: Chrome trace event JSON (object form), read by Perfetto, Chrome's
 * about:tracing, speedscope and our own importer.
 *
 * Spans become complete ("X") events, span events become thread-scoped instants ("i"),
 * names of processes and threads become metadata ("M") events.  Timestamps are written
 * relative to "beginningOfTime" (microseconds since the epoch, the convention of clang's
 * -ftime-trace) with three decimals, so nanoseconds survive without rounding through
 * doubles.  A span's status and openness travel in args as "ctxtrace.status" and
 * "ctxtrace.open", which our importer turns back into columns.
 */
#include "ctx-export-private.h"

#include <string.h>

#include "ctxtrace.h"

#define SPAN_COLUMNS \
  "SELECT s.id, s.thread_id, s.start_ns, s.dur_ns, s.status, s.name_id, " \
  CTX_EXPORT_ATTRS_SQL ("s.attrs") " FROM span s"

typedef struct
{
  CtxExporter *ex;
  gboolean first;     /* no event written yet: no comma before the next */
  gint64 latest_ns;   /* latest time seen, where open spans are drawn to */
  GArray *open_ids;   /* gint64 ids of open spans, written at the end */
} ChromeWriter;

static void
begin_event (ChromeWriter *w, const char *ph)
{
  CtxJsonOut *o = &w->ex->out;

  if (!w->first)
    ctx_json_out_lit (o, ",\n");
  w->first = FALSE;
  ctx_json_out_lit (o, "{\"ph\":\"");
  ctx_json_out_raw (o, ph, 1);
  ctx_json_out_lit (o, "\",\"name\":");
}

static void
write_pid_tid (CtxJsonOut *o, const CtxExportThread *t)
{
  ctx_json_out_lit (o, ",\"pid\":");
  ctx_json_out_int (o, t->pid);
  ctx_json_out_lit (o, ",\"tid\":");
  ctx_json_out_int (o, t->tid);
}

static void
write_name (CtxJsonOut *o, const char *name)
{
  ctx_json_out_string (o, name != NULL ? name : "(unnamed)", -1);
}

/* args: our markers first, then the attrs object's members. */
static void
write_args (CtxJsonOut *o, int status, gboolean open, const char *attrs)
{
  gboolean members = attrs != NULL && attrs[1] != '}';

  if (status == 0 && !open && !members)
    return;
  ctx_json_out_lit (o, ",\"args\":{");
  if (status != 0)
    {
      ctx_json_out_lit (o, "\"ctxtrace.status\":");
      ctx_json_out_int (o, status);
    }
  if (open && status != 0)
    ctx_json_out_lit (o, ",");
  if (open)
    ctx_json_out_lit (o, "\"ctxtrace.open\":true");
  if (members && (status != 0 || open))
    ctx_json_out_lit (o, ",");
  if (members)
    ctx_json_out_raw (o, attrs + 1, strlen (attrs + 1) - 1);
  ctx_json_out_lit (o, "}");
}

static gboolean
write_span (ChromeWriter *w, sqlite3_stmt *stmt, gboolean finish_open, GError **error)
{
  CtxJsonOut *o = &w->ex->out;
  gint64 start = sqlite3_column_int64 (stmt, 2);
  gboolean open = sqlite3_column_type (stmt, 3) == SQLITE_NULL;
  gint64 dur = open ? MAX (w->latest_ns - start, 0) : sqlite3_column_int64 (stmt, 3);

  if (open && !finish_open)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (w->open_ids, id);
      w->latest_ns = MAX (w->latest_ns, start);
      return TRUE;
    }
  w->latest_ns = MAX (w->latest_ns, start + dur);
  begin_event (w, "X");
  if (!ctx_exporter_write_name (w->ex, sqlite3_column_int64 (stmt, 5), error))
    return FALSE;
  ctx_json_out_lit (o, ",\"ts\":");
  ctx_json_out_micros (o, start - w->ex->base_ns);
  ctx_json_out_lit (o, ",\"dur\":");
  ctx_json_out_micros (o, dur);
  write_pid_tid (o, ctx_exporter_thread (w->ex, sqlite3_column_int64 (stmt, 1)));
  write_args (o, sqlite3_column_int (stmt, 4), open,
              ctx_exporter_attrs (w->ex, stmt, 6));
  ctx_json_out_lit (o, "}");
  w->ex->stats->spans++;
  return TRUE;
}

static gboolean
write_spans (ChromeWriter *w, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (w->ex, SPAN_COLUMNS, error);
  gboolean row = FALSE, ok;

  if (stmt == NULL)
    return FALSE;
  while ((ok = ctx_exporter_step (w->ex, stmt, &row, error)) && row
         && (ok = write_span (w, stmt, FALSE, error)))
    ;
  sqlite3_finalize (stmt);
  return ok;
}

/* Open spans are few (at most one per nesting level and thread) and are drawn up to the
 * latest time in the file, which is known only once everything else has been read. */
static gboolean
write_open_spans (ChromeWriter *w, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (w->ex, SPAN_COLUMNS " WHERE s.id = ?", error);
  gboolean row = FALSE, ok = TRUE;

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; ok && i < w->open_ids->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, g_array_index (w->open_ids, gint64, i));
      if ((ok = ctx_exporter_step (w->ex, stmt, &row, error)) && row)
        ok = write_span (w, stmt, TRUE, error);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  return ok;
}

static void
write_instant (ChromeWriter *w, sqlite3_stmt *stmt)
{
  CtxJsonOut *o = &w->ex->out;

  begin_event (w, "i");
  write_name (o, (const char *) sqlite3_column_text (stmt, 2));
  ctx_json_out_lit (o, ",\"s\":\"t\",\"ts\":");
  ctx_json_out_micros (o, sqlite3_column_int64 (stmt, 1) - w->ex->base_ns);
  write_pid_tid (o, ctx_exporter_thread (w->ex, sqlite3_column_int64 (stmt, 0)));
  write_args (o, 0, FALSE, ctx_exporter_attrs (w->ex, stmt, 3));
  ctx_json_out_lit (o, "}");
  w->ex->stats->events++;
}

static gboolean
write_instants (ChromeWriter *w, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (w->ex,
      "SELECT e.thread_id, e.ts_ns, n.value, " CTX_EXPORT_ATTRS_SQL ("e.attrs")
      " FROM event e LEFT JOIN string n ON n.id = e.name_id", error);
  gboolean row = FALSE, ok;

  if (stmt == NULL)
    return FALSE;
  while ((ok = ctx_exporter_step (w->ex, stmt, &row, error)) && row)
    write_instant (w, stmt);
  sqlite3_finalize (stmt);
  return ok;
}

static void
write_metadata (ChromeWriter *w, const char *what, const CtxExportThread *t,
                const char *name)
{
  CtxJsonOut *o = &w->ex->out;

  if (name == NULL)
    return;
  begin_event (w, "M");
  ctx_json_out_string (o, what, -1);
  write_pid_tid (o, t);
  ctx_json_out_lit (o, ",\"args\":{\"name\":");
  ctx_json_out_string (o, name, -1);
  ctx_json_out_lit (o, "}}");
}

static void
write_names (ChromeWriter *w)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr (GHashTable) named = g_hash_table_new (NULL, NULL);

  g_hash_table_iter_init (&iter, w->ex->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const CtxExportThread *t = value;

      write_metadata (w, "thread_name", t, t->name);
      if (t->process != NULL && g_hash_table_add (named, (gpointer) t->process))
        write_metadata (w, "process_name", t, t->process->name);
    }
}

gboolean
ctx_export_chrome (CtxExporter *ex, GError **error)
{
  ChromeWriter w = { ex, TRUE, G_MININT64, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  CtxJsonOut *o = &ex->out;
  gboolean ok;

  ctx_json_out_lit (o, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"exporter\":\"ctxtrace "
                    CTXTRACE_VERSION_STRING "\"},\"beginningOfTime\":");
  ctx_json_out_int (o, ex->base_ns / 1000);
  ctx_json_out_lit (o, ",\"traceEvents\":[\n");
  write_names (&w);
  ok = write_spans (&w, error) && write_open_spans (&w, error) && write_instants (&w, error);
  ctx_json_out_lit (o, "\n]}\n");
  g_array_unref (w.open_ids);
  return ok;
}
