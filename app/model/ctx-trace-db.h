/* ctx-trace-db.h: the hardened read-only SQLite connection every model query goes through.
 *
 * Private to app/model/.  A trace file comes from anywhere, so the connection is opened
 * read-only, defensive, with an untrusted schema, tight limits and a progress handler that
 * honours a GCancellable and an optional deadline. */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct
{
  GCancellable *cancellable;
  gint64 deadline_us;   /* g_get_monotonic_time () limit, 0 = none */
  gint *stop;           /* set (atomically) to stop from another thread, may be NULL */
  gboolean timed_out;
} CtxDbGuard;

typedef struct
{
  dev_t dev;
  ino_t ino;
} CtxFileId;

sqlite3 *ctx_trace_db_open (const char *path, CtxFileId *file_id, GError **error);
void ctx_trace_db_close (sqlite3 *db);

/* Installs guard as the progress handler until ctx_trace_db_guard_end (). */
void ctx_trace_db_guard_begin (sqlite3 *db, CtxDbGuard *guard);
void ctx_trace_db_guard_end (sqlite3 *db);

/* Turns an SQLite result code into a GError (CTX_TRACE_ERROR or G_IO_ERROR_CANCELLED). */
void ctx_trace_db_set_error (sqlite3 *db, int rc, const CtxDbGuard *guard,
                             const char *path, GError **error);

sqlite3_stmt *ctx_trace_db_prepare (sqlite3 *db, const char *sql, const char *path,
                                    GError **error);

/* Runs a one-value query (PRAGMA or aggregate); FALSE with error set on failure. */
gboolean ctx_trace_db_query_int (sqlite3 *db, const char *sql, const char *path,
                                 gint64 *out, GError **error);

/* Read transactions are held only inside one model call. */
gboolean ctx_trace_db_begin (sqlite3 *db, const char *path, GError **error);
void ctx_trace_db_end (sqlite3 *db);

/* Checks that path is still the file that was opened (CTX_TRACE_ERROR_GONE if not). */
gboolean ctx_trace_db_check_same_file (const char *path, const CtxFileId *file_id,
                                       GError **error);

G_END_DECLS
