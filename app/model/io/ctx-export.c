/* ctx-export.c: what every export format needs: the process and thread tables, statement
 * helpers, and the entry point that picks a format. */
#include "ctx-export-private.h"

#include <string.h>

static const CtxExportThread unknown_thread = { 0, 0, 0, NULL, NULL };

gboolean
ctx_export_format_from_string (const char *name, CtxExportFormat *format)
{
  static const char *const names[] = { "chrome", "speedscope", "otlp" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *format = (CtxExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

sqlite3_stmt *
ctx_exporter_prepare (CtxExporter *ex, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (ex->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      ctx_io_sql_error (ex->db, "reading the trace", error);
      return NULL;
    }
  return stmt;
}

gboolean
ctx_exporter_step (CtxExporter *ex, sqlite3_stmt *stmt, gboolean *row, GError **error)
{
  int rc = sqlite3_step (stmt);

  *row = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;
  return ctx_io_sql_error (ex->db, "reading the trace", error);
}

const char *
ctx_exporter_attrs (CtxExporter *ex, sqlite3_stmt *stmt, int col)
{
  const char *attrs = (const char *) sqlite3_column_text (stmt, col);

  if (attrs != NULL && attrs[0] == '\0')
    {
      ex->stats->bad_attrs++;
      return NULL;
    }
  return attrs;
}

gboolean
ctx_exporter_latest_ns (CtxExporter *ex, gint64 *latest, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (ex,
      "SELECT max(max(start_ns + ifnull(dur_ns, 0), start_ns)) FROM span", error);
  gboolean row = FALSE, ok;

  if (stmt == NULL)
    return FALSE;
  ok = ctx_exporter_step (ex, stmt, &row, error);
  *latest = row ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_finalize (stmt);
  return ok;
}

/* Few names, millions of spans: each name is looked up and escaped once, then copied.
 * The cache is bounded so that a file of distinct names cannot exhaust memory. */
#define NAME_CACHE_MAX 65536

static void
cache_name (CtxExporter *ex, gint64 name_id, gsize start, guint64 flushes)
{
  CtxJsonOut *o = &ex->out;
  gint64 *key;

  if (o->flushes != flushes || g_hash_table_size (ex->names) >= NAME_CACHE_MAX)
    return;  /* the text was flushed while being written, or the cache is full */
  key = g_memdup2 (&name_id, sizeof name_id);
  g_hash_table_insert (ex->names, key, g_bytes_new (o->buf + start, o->len - start));
}

gboolean
ctx_exporter_write_name (CtxExporter *ex, gint64 name_id, GError **error)
{
  GBytes *cached = g_hash_table_lookup (ex->names, &name_id);
  gsize start = ex->out.len, size;
  guint64 flushes = ex->out.flushes;
  const char *name;
  gboolean row = FALSE;

  if (cached != NULL)
    {
      const char *data = g_bytes_get_data (cached, &size);
      ctx_json_out_raw (&ex->out, data, size);
      return TRUE;
    }
  if (ex->name_stmt == NULL
      && (ex->name_stmt = ctx_exporter_prepare (ex, "SELECT value FROM string WHERE id = ?",
                                                error)) == NULL)
    return FALSE;
  sqlite3_bind_int64 (ex->name_stmt, 1, name_id);
  if (!ctx_exporter_step (ex, ex->name_stmt, &row, error))
    return FALSE;
  name = row ? (const char *) sqlite3_column_text (ex->name_stmt, 0) : NULL;
  ctx_json_out_string (&ex->out, name != NULL ? name : "(unnamed)", -1);
  sqlite3_reset (ex->name_stmt);
  cache_name (ex, name_id, start, flushes);
  return TRUE;
}

const CtxExportThread *
ctx_exporter_thread (CtxExporter *ex, gint64 thread_id)
{
  const CtxExportThread *t = g_hash_table_lookup (ex->threads, &thread_id);

  return t != NULL ? t : &unknown_thread;
}

static gboolean
query_flag (CtxExporter *ex, const char *sql, gboolean *flag, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (ex, sql, error);
  gboolean row = FALSE, ok;

  if (stmt == NULL)
    return FALSE;
  ok = ctx_exporter_step (ex, stmt, &row, error);
  *flag = row && sqlite3_column_int64 (stmt, 0) != 0;
  sqlite3_finalize (stmt);
  return ok;
}

static char *
column_strdup (sqlite3_stmt *stmt, int col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

static void
process_free (gpointer data)
{
  CtxExportProcess *p = data;

  g_free (p->name);
  g_free (p->cmdline);
  g_free (p->hostname);
  g_free (p);
}

static void
thread_free (gpointer data)
{
  CtxExportThread *t = data;

  g_free (t->name);
  g_free (t);
}

static gboolean
load_processes (CtxExporter *ex, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (ex,
      "SELECT id, pid, name, cmdline, hostname FROM process", error);
  gboolean row = FALSE, ok;

  if (stmt == NULL)
    return FALSE;
  while ((ok = ctx_exporter_step (ex, stmt, &row, error)) && row)
    {
      CtxExportProcess *p = g_new0 (CtxExportProcess, 1);

      p->id = sqlite3_column_int64 (stmt, 0);
      p->pid = sqlite3_column_int64 (stmt, 1);
      p->name = column_strdup (stmt, 2);
      p->cmdline = column_strdup (stmt, 3);
      p->hostname = column_strdup (stmt, 4);
      g_hash_table_replace (ex->processes, &p->id, p);
    }
  sqlite3_finalize (stmt);
  return ok;
}

static CtxExportThread *
thread_from_row (CtxExporter *ex, sqlite3_stmt *stmt, gboolean pids_repeat,
                 gboolean tids_repeat)
{
  CtxExportThread *t = g_new0 (CtxExportThread, 1);
  gint64 process_id = sqlite3_column_int64 (stmt, 1);

  t->process = g_hash_table_lookup (ex->processes, &process_id);
  t->pid = t->process == NULL ? 0 : pids_repeat ? t->process->id : t->process->pid;
  t->os_tid = sqlite3_column_int64 (stmt, 2);
  t->tid = tids_repeat ? sqlite3_column_int64 (stmt, 0) : t->os_tid;
  t->name = column_strdup (stmt, 3);
  return t;
}

/* Merged files may hold two runs whose OS pids (or tids) are equal: viewers group by
 * pid/tid, so then the file's row ids are written instead to keep them apart. */
static gboolean
load_threads (CtxExporter *ex, GError **error)
{
  gboolean pids_repeat = FALSE, tids_repeat = FALSE, row = FALSE, ok;
  sqlite3_stmt *stmt;

  if (!query_flag (ex, "SELECT count(*) != count(DISTINCT pid) FROM process",
                   &pids_repeat, error)
      || !query_flag (ex, "SELECT count(*) != count(DISTINCT tid) FROM thread", &tids_repeat,
                      error))
    return FALSE;
  stmt = ctx_exporter_prepare (ex, "SELECT id, process_id, tid, name FROM thread", error);
  if (stmt == NULL)
    return FALSE;
  while ((ok = ctx_exporter_step (ex, stmt, &row, error)) && row)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      CtxExportThread *t = thread_from_row (ex, stmt, pids_repeat, tids_repeat);

      g_hash_table_replace (ex->threads, g_memdup2 (&id, sizeof id), t);
    }
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
load_base (CtxExporter *ex, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (ex, "SELECT min(start_ns) FROM process", error);
  gboolean row = FALSE, ok;
  gint64 start;

  if (stmt == NULL)
    return FALSE;
  ok = ctx_exporter_step (ex, stmt, &row, error);
  start = row ? sqlite3_column_int64 (stmt, 0) : 0;
  /* Floor division, so the base is a whole microsecond even before 1970. */
  ex->base_ns = (start / 1000 - (start % 1000 < 0)) * 1000;
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
run_format (CtxExporter *ex, CtxExportFormat format, GError **error)
{
  switch (format)
    {
    case CTX_EXPORT_CHROME:
      return ctx_export_chrome (ex, error);
    case CTX_EXPORT_SPEEDSCOPE:
      return ctx_export_speedscope (ex, error);
    case CTX_EXPORT_OTLP:
    default:
      return ctx_export_otlp (ex, error);
    }
}

/* One read transaction for the whole export, so a live file gives a consistent picture. */
gboolean
ctx_export (sqlite3 *db, CtxExportFormat format, FILE *out, CtxExportStats *stats,
            GError **error)
{
  CtxExportStats local_stats = { 0 };
  CtxExporter ex = { db, { 0 }, stats != NULL ? stats : &local_stats, NULL, NULL, 0, NULL,
                     NULL };
  gboolean ok;

  memset (ex.stats, 0, sizeof *ex.stats);
  ex.processes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, process_free);
  ex.threads = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, thread_free);
  ex.names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                    (GDestroyNotify) g_bytes_unref);
  ctx_json_out_init (&ex.out, out);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  ok = load_processes (&ex, error) && load_threads (&ex, error) && load_base (&ex, error)
       && run_format (&ex, format, error);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  if (!ctx_json_out_finish (&ex.out, ok ? error : NULL))
    ok = FALSE;
  g_hash_table_unref (ex.names);
  sqlite3_finalize (ex.name_stmt);
  g_hash_table_unref (ex.threads);
  g_hash_table_unref (ex.processes);
  return ok;
}
