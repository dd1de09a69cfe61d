/* ctxtrace-schema.h: the trace file's schema (docs/schema.md), shared by the library and
 * the app's importer/merger so that the SQL text exists exactly once.  Not installed. */
#pragma once

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The CREATE statements of schema version CTXTRACE_SCHEMA_VERSION, ';'-separated. */
extern const char ctxtrace_schema_sql[];

typedef enum
{
  CTXTRACE_FILE_OK = 0,       /* a ctxtrace trace of a known version */
  CTXTRACE_FILE_EMPTY,        /* an empty database: may be initialised */
  CTXTRACE_FILE_FOREIGN,      /* another SQLite database */
  CTXTRACE_FILE_NEWER,        /* a ctxtrace trace of a newer schema */
  CTXTRACE_FILE_ERROR,        /* not a database, or unreadable */
} ctxtrace_file_kind_t;

/* Classifies the database open on db without writing to it.  *version receives
 * user_version when known. */
ctxtrace_file_kind_t ctxtrace_schema_classify (sqlite3 *db, int *version);

/* Creates the schema inside the caller's write transaction on an EMPTY database.
 * Returns an SQLite result code. */
int ctxtrace_schema_create (sqlite3 *db, const char *created_by, long long created_ns);

#ifdef __cplusplus
}
#endif
