/* ctxtrace-schema.c: create and recognise trace files.  Keep in step with docs/schema.md
 * (tests/lib/test-schema compares the two). */
#include "ctxtrace-schema.h"

#include <stdio.h>

#include "ctxtrace.h"

const char ctxtrace_schema_sql[] =
  "CREATE TABLE meta(key TEXT PRIMARY KEY, value);\n"
  "CREATE TABLE process(id INTEGER PRIMARY KEY, pid INTEGER NOT NULL, parent_pid INTEGER,\n"
  "  name TEXT, cmdline TEXT, hostname TEXT, start_ns INTEGER NOT NULL, end_ns INTEGER,\n"
  "  clock TEXT NOT NULL, library_version TEXT NOT NULL,\n"
  "  dropped_spans INTEGER NOT NULL DEFAULT 0, dropped_records INTEGER NOT NULL DEFAULT 0,\n"
  "  rejected_attrs INTEGER NOT NULL DEFAULT 0, truncated_values INTEGER NOT NULL DEFAULT 0);\n"
  "CREATE TABLE thread(id INTEGER PRIMARY KEY, process_id INTEGER NOT NULL,\n"
  "  tid INTEGER NOT NULL, name TEXT);\n"
  "CREATE TABLE string(id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);\n"
  "CREATE TABLE trace(id INTEGER PRIMARY KEY, hex TEXT NOT NULL UNIQUE);\n"
  "CREATE TABLE span(id INTEGER PRIMARY KEY, trace_id, parent_id, thread_id, name_id,\n"
  "  start_ns, dur_ns, depth, status, attrs,\n"
  "  end_ns GENERATED ALWAYS AS (start_ns + dur_ns) VIRTUAL);\n"
  "CREATE TABLE event(id INTEGER PRIMARY KEY, span_id INTEGER, thread_id INTEGER NOT NULL,\n"
  "  ts_ns INTEGER NOT NULL, name_id INTEGER NOT NULL, attrs TEXT);\n"
  "CREATE INDEX event_span ON event(span_id);\n"
  "CREATE TABLE link(span_id INTEGER NOT NULL, linked_span_id INTEGER NOT NULL,\n"
  "  kind INTEGER NOT NULL);\n";

/* The file's application id, schema version and number of schema objects, read by one
 * statement so that they come from one snapshot: read one by one, they could straddle
 * another process's commit of a new file's schema and look like a foreign file. */
static int
read_header (sqlite3 *db, int *app_id, int *user_version, int *n_objects)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db,
                               "SELECT (SELECT application_id FROM pragma_application_id),"
                               " (SELECT user_version FROM pragma_user_version),"
                               " (SELECT count(*) FROM sqlite_schema)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *app_id = sqlite3_column_int (stmt, 0);
          *user_version = sqlite3_column_int (stmt, 1);
          *n_objects = sqlite3_column_int (stmt, 2);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  return rc;
}

ctxtrace_file_kind_t
ctxtrace_schema_classify (sqlite3 *db, int *version)
{
  int app_id = 0, user_version = 0, n_objects = 0;

  if (read_header (db, &app_id, &user_version, &n_objects) != SQLITE_OK)
    return CTXTRACE_FILE_ERROR;
  if (version != NULL)
    *version = user_version;
  if (app_id == 0 && user_version == 0 && n_objects == 0)
    return CTXTRACE_FILE_EMPTY;
  if ((unsigned) app_id != CTXTRACE_APPLICATION_ID)
    return CTXTRACE_FILE_FOREIGN;
  if (user_version > CTXTRACE_SCHEMA_VERSION)
    return CTXTRACE_FILE_NEWER;
  if (user_version < 1)
    return CTXTRACE_FILE_FOREIGN;
  return CTXTRACE_FILE_OK;
}

int
ctxtrace_schema_create (sqlite3 *db, const char *created_by, long long created_ns)
{
  char pragmas[160];
  sqlite3_stmt *stmt = NULL;
  int rc;

  snprintf (pragmas, sizeof pragmas, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
            (int) CTXTRACE_APPLICATION_ID, CTXTRACE_SCHEMA_VERSION);
  rc = sqlite3_exec (db, ctxtrace_schema_sql, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (db, pragmas, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db,
                             "INSERT INTO meta(key, value) VALUES ('schema_version', ?1),"
                             " ('created_by', ?2), ('created_ns', ?3)",
                             -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int (stmt, 1, CTXTRACE_SCHEMA_VERSION);
  sqlite3_bind_text (stmt, 2, created_by, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, created_ns);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
