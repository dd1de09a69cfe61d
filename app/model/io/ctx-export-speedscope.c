/* ctx-export-speedscope.c: the speedscope file format
 * (https://www.speedscope.app/file-format-schema.json): every interned name is a shared
 * frame, every thread an "evented" profile of open/close events in nanoseconds.
 *
 * Evented profiles must nest strictly, so each thread's spans are read sorted by start
 * (SQLite sorts on disk, memory stays bounded) and a child that outlives its parent is
 * closed with it.  Span events have no place in this format and are left out.
 */
#include "ctx-export-private.h"

#include "ctxtrace.h"

typedef struct
{
  gint64 end;
  gint64 frame;
} Frame;

typedef struct
{
  CtxExporter *ex;
  GHashTable *frames;  /* string.id -> frame index, both gint64 */
  GArray *stack;       /* Frame */
  gint64 thread_id;
  gint64 first_at;
  gint64 last_at;
  gboolean first_profile;
  gboolean first_event;
} SpeedscopeWriter;

static void
write_frame_event (SpeedscopeWriter *w, char type, gint64 frame, gint64 at)
{
  CtxJsonOut *o = &w->ex->out;

  if (!w->first_event)
    ctx_json_out_lit (o, ",");
  w->first_event = FALSE;
  ctx_json_out_lit (o, "\n{\"type\":\"");
  ctx_json_out_raw (o, &type, 1);
  ctx_json_out_lit (o, "\",\"frame\":");
  ctx_json_out_int (o, frame);
  ctx_json_out_lit (o, ",\"at\":");
  ctx_json_out_int (o, at);
  ctx_json_out_lit (o, "}");
  w->last_at = MAX (w->last_at, at);
}

static void
pop_until (SpeedscopeWriter *w, gint64 at)
{
  while (w->stack->len > 0)
    {
      Frame *top = &g_array_index (w->stack, Frame, w->stack->len - 1);

      if (top->end > at)
        break;
      write_frame_event (w, 'C', top->frame, top->end);
      g_array_set_size (w->stack, w->stack->len - 1);
    }
}

static void
write_profile_name (SpeedscopeWriter *w, const CtxExportThread *t)
{
  CtxJsonOut *o = &w->ex->out;
  g_autofree char *name = g_strdup_printf ("%s (tid %" G_GINT64_FORMAT ")%s%s",
                                           t->name != NULL ? t->name : "thread", t->os_tid,
                                           t->process != NULL && t->process->name != NULL
                                           ? " in " : "",
                                           t->process != NULL && t->process->name != NULL
                                           ? t->process->name : "");

  ctx_json_out_string (o, name, -1);
}

static void
end_profile (SpeedscopeWriter *w)
{
  CtxJsonOut *o = &w->ex->out;

  if (w->first_profile)
    return;
  pop_until (w, G_MAXINT64);
  ctx_json_out_lit (o, "],\"startValue\":");
  ctx_json_out_int (o, w->first_at);
  ctx_json_out_lit (o, ",\"endValue\":");
  ctx_json_out_int (o, w->last_at);
  ctx_json_out_lit (o, "}");
}

static void
begin_profile (SpeedscopeWriter *w, gint64 thread_id, gint64 at)
{
  CtxJsonOut *o = &w->ex->out;

  end_profile (w);
  if (!w->first_profile)
    ctx_json_out_lit (o, ",\n");
  w->first_profile = FALSE;
  w->first_event = TRUE;
  w->thread_id = thread_id;
  w->first_at = w->last_at = at;
  ctx_json_out_lit (o, "{\"type\":\"evented\",\"unit\":\"nanoseconds\",\"name\":");
  write_profile_name (w, ctx_exporter_thread (w->ex, thread_id));
  ctx_json_out_lit (o, ",\"events\":[");
}

static void
write_span (SpeedscopeWriter *w, sqlite3_stmt *stmt)
{
  gint64 thread_id = sqlite3_column_int64 (stmt, 0);
  gint64 start = sqlite3_column_int64 (stmt, 1) - w->ex->base_ns;
  gint64 name_id = sqlite3_column_int64 (stmt, 3);
  gint64 *frame = g_hash_table_lookup (w->frames, &name_id);
  Frame f = { start + MAX (sqlite3_column_int64 (stmt, 2), 0), frame != NULL ? *frame : 0 };

  if (w->first_profile || thread_id != w->thread_id)
    begin_profile (w, thread_id, start);
  pop_until (w, start);
  if (w->stack->len > 0)
    f.end = MIN (f.end, g_array_index (w->stack, Frame, w->stack->len - 1).end);
  write_frame_event (w, 'O', f.frame, start);
  g_array_append_val (w->stack, f);
  w->ex->stats->spans++;
}

static gboolean
write_profiles (SpeedscopeWriter *w, gint64 latest, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (w->ex,
      "SELECT thread_id, start_ns, ifnull(dur_ns, max(?1 - start_ns, 0)) AS d, name_id"
      " FROM span ORDER BY thread_id, start_ns, d DESC", error);
  gboolean row = FALSE, ok;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, latest);
  while ((ok = ctx_exporter_step (w->ex, stmt, &row, error)) && row)
    write_span (w, stmt);
  end_profile (w);
  sqlite3_finalize (stmt);
  return ok;
}

/* Frames are the string table in id order; a frame's index is its position. */
static gboolean
write_frames (SpeedscopeWriter *w, GError **error)
{
  CtxJsonOut *o = &w->ex->out;
  sqlite3_stmt *stmt = ctx_exporter_prepare (w->ex, "SELECT id, value FROM string ORDER BY id",
                                             error);
  gboolean row = FALSE, ok;
  gint64 index = 0;

  if (stmt == NULL)
    return FALSE;
  ctx_json_out_lit (o, "\"shared\":{\"frames\":[");
  while ((ok = ctx_exporter_step (w->ex, stmt, &row, error)) && row)
    {
      gint64 pair[2] = { sqlite3_column_int64 (stmt, 0), index++ };
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      gint64 *key = g_memdup2 (pair, sizeof pair);

      g_hash_table_insert (w->frames, key, key + 1);
      if (index > 1)
        ctx_json_out_lit (o, ",");
      ctx_json_out_lit (o, "\n{\"name\":");
      ctx_json_out_string (o, name != NULL ? name : "", -1);
      ctx_json_out_lit (o, "}");
    }
  ctx_json_out_lit (o, "]},\n");
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
ctx_export_speedscope (CtxExporter *ex, GError **error)
{
  SpeedscopeWriter w = { ex, NULL, g_array_new (FALSE, FALSE, sizeof (Frame)), 0, 0, 0, TRUE,
                         TRUE };
  CtxJsonOut *o = &ex->out;
  gint64 latest = 0;
  gboolean ok;

  /* Keys are pairs {string.id, index}; the value points at the index half. */
  w.frames = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  ctx_json_out_lit (o, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
                    "\"exporter\":\"ctxtrace " CTXTRACE_VERSION_STRING "\","
                    "\"name\":\"ctxtrace trace\",\"activeProfileIndex\":0,\n");
  ok = ctx_exporter_latest_ns (ex, &latest, error) && write_frames (&w, error);
  if (ok)
    {
      ctx_json_out_lit (o, "\"profiles\":[\n");
      ok = write_profiles (&w, latest, error);
      ctx_json_out_lit (o, "]}\n");
    }
  g_hash_table_unref (w.frames);
  g_array_unref (w.stack);
  return ok;
}
