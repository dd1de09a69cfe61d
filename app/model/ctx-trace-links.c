/* ctx-trace-links.c: read the link table with the same hardening as the model's reads:
 * a read-only defensive connection, one read transaction, a progress handler that honours
 * the GCancellable and a deadline, and a row limit. */
#include "ctx-trace-links.h"

#include "ctx-trace-db.h"
#include "ctx-trace-model.h"

#define DEADLINE_US (10 * G_USEC_PER_SEC)

static gboolean
has_link_table (sqlite3 *db, const char *path, gboolean *found, GError **error)
{
  gint64 n = 0;

  if (!ctx_trace_db_query_int (db, "SELECT count(*) FROM sqlite_master "
                               "WHERE type = 'table' AND name = 'link'", path, &n, error))
    return FALSE;
  *found = n > 0;
  return TRUE;
}

static gboolean
read_rows (sqlite3 *db, const char *path, guint max_links, CtxDbGuard *guard, GArray *out,
           GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (db, "SELECT span_id, linked_span_id, kind "
                                             "FROM link ORDER BY rowid LIMIT ?1", path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, max_links);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtxTraceLink link = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                            (gint) CLAMP (sqlite3_column_int64 (stmt, 2), G_MININT, G_MAXINT) };

      g_array_append_val (out, link);
    }
  if (rc != SQLITE_DONE)
    ctx_trace_db_set_error (db, rc, guard, path, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

GArray *
ctx_trace_links_load (const char *path, guint max_links, GCancellable *cancellable,
                      GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (CtxTraceLink));
  CtxDbGuard guard = { cancellable, g_get_monotonic_time () + DEADLINE_US, NULL, FALSE };
  gboolean found = FALSE, ok;
  sqlite3 *db = ctx_trace_db_open (path, NULL, error);

  if (db == NULL)
    return NULL;
  if (!ctx_trace_db_begin (db, path, error))
    {
      ctx_trace_db_close (db);
      return NULL;
    }
  ctx_trace_db_guard_begin (db, &guard);
  ok = has_link_table (db, path, &found, error)
       && (!found || read_rows (db, path, max_links, &guard, out, error));
  ctx_trace_db_guard_end (db);
  ctx_trace_db_end (db);
  ctx_trace_db_close (db);
  return ok ? g_steal_pointer (&out) : NULL;
}
