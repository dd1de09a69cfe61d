/* ctx-merge.c: several traces (runs, machines) combined into one file.
 *
 * Each input is checked like any trace we read, then ATTACHed read-only and copied with
 * INSERT ... SELECT, every id shifted past those already present.  The shift is taken
 * over the ids rows refer to as well as their own (a parent_id may name a span missing
 * from its file), so references never land on another file's rows.  Names and W3C
 * trace ids are looked up by value: a trace that crossed machines becomes one trace.
 */
#include "ctx-io.h"

typedef struct
{
  sqlite3 *db;
  const char *path;
  gint64 process;  /* added to src process ids */
  gint64 thread;
  gint64 span;
  gint64 event;
} Merge;

static gboolean
exec (Merge *m, const char *sql, GError **error)
{
  g_autofree char *what = NULL;

  if (sqlite3_exec (m->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  what = g_strdup_printf ("merging %s", m->path);
  return ctx_io_sql_error (m->db, what, error);
}

static gboolean
query_int (Merge *m, const char *sql, gint64 *out, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *what = NULL;
  int rc = sqlite3_prepare_v2 (m->db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *out = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      return TRUE;
    }
  sqlite3_finalize (stmt);
  what = g_strdup_printf ("merging %s", m->path);
  return ctx_io_sql_error (m->db, what, error);
}

/* The shift that puts src ids (from min(1, their minimum)) after main's maximum. */
static gboolean
shift (Merge *m, const char *main_max, const char *src_min, gint64 *out,
       GError **error)
{
  gint64 hi = 0, lo = 0;
  g_autofree char *q_hi = g_strdup_printf ("SELECT ifnull((%s), 0)", main_max);
  g_autofree char *q_lo = g_strdup_printf ("SELECT min(1, ifnull((%s), 1))", src_min);

  if (!query_int (m, q_hi, &hi, error) || !query_int (m, q_lo, &lo, error))
    return FALSE;
  *out = MAX (hi, 0) + 1 - lo;
  return TRUE;
}

#define SPAN_REFS(db) \
  "SELECT max(v) FROM (SELECT max(id) v FROM " db ".span UNION ALL SELECT max(parent_id) FROM " \
  db ".span UNION ALL SELECT max(span_id) FROM " db ".event UNION ALL SELECT max(span_id) " \
  "FROM " db ".link UNION ALL SELECT max(linked_span_id) FROM " db ".link)"
#define SPAN_REFS_MIN(db) \
  "SELECT min(v) FROM (SELECT min(id) v FROM " db ".span UNION ALL SELECT min(parent_id) FROM " \
  db ".span UNION ALL SELECT min(span_id) FROM " db ".event UNION ALL SELECT min(span_id) " \
  "FROM " db ".link UNION ALL SELECT min(linked_span_id) FROM " db ".link)"

static gboolean
compute_shifts (Merge *m, GError **error)
{
  return shift (m, "SELECT max(id) FROM main.process", "SELECT min(id) FROM src.process",
                &m->process, error)
         && shift (m, "SELECT max(v) FROM (SELECT max(id) v FROM main.thread UNION ALL "
                   "SELECT max(thread_id) FROM main.span)",
                   "SELECT min(v) FROM (SELECT min(id) v FROM src.thread UNION ALL "
                   "SELECT min(thread_id) FROM src.span)", &m->thread, error)
         && shift (m, SPAN_REFS ("main"), SPAN_REFS_MIN ("src"), &m->span, error)
         && shift (m, "SELECT max(id) FROM main.event", "SELECT min(id) FROM src.event",
                   &m->event, error);
}

static gboolean
map_names (Merge *m, GError **error)
{
  return exec (m,
      "INSERT OR IGNORE INTO main.string(value) SELECT value FROM src.string ORDER BY id;"
      "INSERT OR IGNORE INTO main.trace(hex) SELECT hex FROM src.trace ORDER BY id;"
      "DROP TABLE IF EXISTS temp.smap; DROP TABLE IF EXISTS temp.tmap;"
      "CREATE TEMP TABLE smap(old INTEGER PRIMARY KEY, new INTEGER NOT NULL);"
      "CREATE TEMP TABLE tmap(old INTEGER PRIMARY KEY, new INTEGER NOT NULL);"
      "INSERT INTO smap SELECT s.id, m.id FROM src.string s JOIN main.string m"
      " ON m.value = s.value;"
      "INSERT INTO tmap SELECT s.id, m.id FROM src.trace s JOIN main.trace m ON m.hex = s.hex;",
      error);
}

static gboolean
copy_rows (Merge *m, GError **error)
{
  g_autofree char *sql = g_strdup_printf (
      "INSERT INTO main.process(id, pid, parent_pid, name, cmdline, hostname, start_ns,"
      " end_ns, clock, library_version, dropped_spans, dropped_records, rejected_attrs,"
      " truncated_values) SELECT id + %1$" G_GINT64_FORMAT ", pid, parent_pid, name, cmdline,"
      " hostname, start_ns, end_ns, clock, library_version, dropped_spans, dropped_records,"
      " rejected_attrs, truncated_values FROM src.process;"
      "INSERT INTO main.thread(id, process_id, tid, name) SELECT id + %2$" G_GINT64_FORMAT
      ", process_id + %1$" G_GINT64_FORMAT ", tid, name FROM src.thread;"
      "INSERT INTO main.span(id, trace_id, parent_id, thread_id, name_id, start_ns, dur_ns,"
      " depth, status, attrs) SELECT id + %3$" G_GINT64_FORMAT ","
      " ifnull((SELECT new FROM tmap WHERE old = trace_id), 0), parent_id + %3$"
      G_GINT64_FORMAT ", thread_id + %2$" G_GINT64_FORMAT ","
      " ifnull((SELECT new FROM smap WHERE old = name_id), 0), start_ns, dur_ns, depth,"
      " status, attrs FROM src.span ORDER BY id;"
      "INSERT INTO main.event(id, span_id, thread_id, ts_ns, name_id, attrs)"
      " SELECT id + %4$" G_GINT64_FORMAT ", span_id + %3$" G_GINT64_FORMAT ", thread_id + %2$"
      G_GINT64_FORMAT ", ts_ns, ifnull((SELECT new FROM smap WHERE old = name_id), 0), attrs"
      " FROM src.event ORDER BY id;"
      "INSERT INTO main.link(span_id, linked_span_id, kind) SELECT span_id + %3$"
      G_GINT64_FORMAT ", linked_span_id + %3$" G_GINT64_FORMAT ", kind FROM src.link;",
      m->process, m->thread, m->span, m->event);

  return exec (m, sql, error);
}

static gboolean
attach (Merge *m, GError **error)
{
  g_autofree char *escaped = g_uri_escape_string (m->path, "/", FALSE);
  g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro", escaped);
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* ATTACH is refused inside a transaction; the output has no journal, so a commit
   * costs nothing. */
  if (!exec (m, "COMMIT", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (m->db, "ATTACH DATABASE ?1 AS src", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_autofree char *what = g_strdup_printf ("merging %s", m->path);
      exec (m, "BEGIN", NULL);
      return ctx_io_sql_error (m->db, what, error);
    }
  return exec (m, "BEGIN", error);
}

static void
detach (Merge *m)
{
  sqlite3_exec (m->db, "COMMIT; DETACH DATABASE src; BEGIN", NULL, NULL, NULL);
}

gboolean
ctx_merge_append (sqlite3 *db, const char *path, GError **error)
{
  Merge m = { db, path, 0, 0, 0, 0 };
  sqlite3 *check = ctx_io_open_trace (path, error);
  gboolean ok;

  if (check == NULL)
    return FALSE;
  sqlite3_close (check);
  if (!attach (&m, error))
    return FALSE;
  ok = compute_shifts (&m, error) && map_names (&m, error) && copy_rows (&m, error);
  detach (&m);
  return ok;
}
