/* ctx-trace-db.c: open a trace file read-only and hardened, and classify what goes wrong.
 *
 * Everything about a trace file is untrusted: it may be another program's database, a
 * truncated copy, or crafted.  We never write to it, never run its triggers or views, and
 * every statement can be interrupted by a GCancellable or a deadline. */
#include "ctx-trace-db.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "ctx-trace-model.h"
#include "ctxtrace.h"

#define HEADER_SIZE 100
#define PROGRESS_OPS 4096

static char *
display_path (const char *path)
{
  return g_filename_display_name (path);
}

static gboolean fail (GError **error, CtxTraceError code, const char *path,
                      const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError **error, CtxTraceError code, const char *path, const char *fmt, ...)
{
  g_autofree char *name = display_path (path);
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, CTX_TRACE_ERROR, code, "“%s” %s", name, what);
  return FALSE;
}

static gboolean
check_stat (const char *path, GStatBuf *st, GError **error)
{
  if (g_stat (path, st) != 0)
    {
      int saved = errno;
      if (saved == ENOENT || saved == ENOTDIR)
        return fail (error, CTX_TRACE_ERROR_NOT_FOUND, path, "does not exist");
      return fail (error, CTX_TRACE_ERROR_UNREADABLE, path, "cannot be read: %s",
                   g_strerror (saved));
    }
  if (S_ISDIR (st->st_mode))
    return fail (error, CTX_TRACE_ERROR_NOT_A_FILE, path,
                 "is a folder, not a trace file");
  if (!S_ISREG (st->st_mode))
    return fail (error, CTX_TRACE_ERROR_NOT_A_FILE, path,
                 "is not a regular file (a device, socket or pipe)");
  if (st->st_size == 0)
    return fail (error, CTX_TRACE_ERROR_NOT_SQLITE, path,
                 "is empty (0 bytes), not a trace file");
  return TRUE;
}

static gboolean
read_header (const char *path, guchar header[HEADER_SIZE], gssize *n_read, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved = errno;
      return fail (error, CTX_TRACE_ERROR_UNREADABLE, path, "cannot be opened: %s",
                   g_strerror (saved));
    }
  *n_read = read (fd, header, HEADER_SIZE);
  if (*n_read < 0)
    {
      int saved = errno;
      close (fd);
      return fail (error, CTX_TRACE_ERROR_UNREADABLE, path, "cannot be read: %s",
                   g_strerror (saved));
    }
  close (fd);
  return TRUE;
}

static guint32
be32 (const guchar *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* A file cut short is reported as such before SQLite gets to misread it.  A live file in
 * WAL mode may have pages only in its -wal, so the size check applies without one. */
static gboolean
check_header (const char *path, const guchar *h, gssize n, goffset size, GError **error)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  guint32 page_size;

  if (n < 16 || memcmp (h, "SQLite format 3", 16) != 0)
    return fail (error, CTX_TRACE_ERROR_NOT_SQLITE, path,
                 "is not an SQLite database, so not a ctxtrace trace");
  if (n < HEADER_SIZE)
    return fail (error, CTX_TRACE_ERROR_CORRUPT, path,
                 "is truncated (shorter than an SQLite header)");
  page_size = ((guint32) h[16] << 8) | h[17];
  if (page_size == 1)
    page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0)
    return fail (error, CTX_TRACE_ERROR_CORRUPT, path, "is damaged (bad page size)");
  if (!g_file_test (wal, G_FILE_TEST_EXISTS) && be32 (h + 24) == be32 (h + 92)
      && (goffset) be32 (h + 28) * page_size > size)
    return fail (error, CTX_TRACE_ERROR_CORRUPT, path,
                 "is truncated (the file is shorter than its header says)");
  return TRUE;
}

static char *
make_uri (const char *path, gboolean immutable)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *uri = g_filename_to_uri (abs, NULL, NULL);

  if (uri == NULL)
    return NULL;
  return g_strconcat (uri, immutable ? "?mode=ro&immutable=1" : "?mode=ro", NULL);
}

static void
harden (sqlite3 *db)
{
  static const struct { int id, value; } limits[] = {
    { SQLITE_LIMIT_LENGTH, 64 * 1024 * 1024 },
    { SQLITE_LIMIT_SQL_LENGTH, 100 * 1024 },
    { SQLITE_LIMIT_COLUMN, 100 },
    { SQLITE_LIMIT_EXPR_DEPTH, 100 },
    { SQLITE_LIMIT_COMPOUND_SELECT, 4 },
    { SQLITE_LIMIT_VDBE_OP, 50000 },
    { SQLITE_LIMIT_FUNCTION_ARG, 8 },
    { SQLITE_LIMIT_ATTACHED, 0 },
    { SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000 },
    { SQLITE_LIMIT_VARIABLE_NUMBER, 16 },
    { SQLITE_LIMIT_TRIGGER_DEPTH, 1 },
    { SQLITE_LIMIT_WORKER_THREADS, 0 },
  };

  sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (limits); i++)
    sqlite3_limit (db, limits[i].id, limits[i].value);
  sqlite3_exec (db, "PRAGMA trusted_schema=OFF; PRAGMA query_only=ON;", NULL, NULL, NULL);
}

static sqlite3 *
open_uri (const char *path, gboolean immutable, GError **error)
{
  g_autofree char *uri = make_uri (path, immutable);
  sqlite3 *db = NULL;
  int rc;

  if (uri == NULL)
    {
      fail (error, CTX_TRACE_ERROR_UNREADABLE, path, "has a name that cannot be opened");
      return NULL;
    }
  rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
                        | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      ctx_trace_db_set_error (db, rc, NULL, path, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  harden (db);
  return db;
}

static gboolean
pragma_int (sqlite3 *db, const char *sql, int *out, int *rc_out)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  *rc_out = rc;
  return rc == SQLITE_OK;
}

static gboolean
classify (sqlite3 *db, const char *path, int *rc, GError **error)
{
  int app_id = 0, version = 0;

  if (!pragma_int (db, "PRAGMA application_id", &app_id, rc)
      || !pragma_int (db, "PRAGMA user_version", &version, rc))
    return FALSE;
  if ((guint32) app_id != CTXTRACE_APPLICATION_ID)
    {
      return fail (error, CTX_TRACE_ERROR_NOT_CTXTRACE, path,
                   "is an SQLite database but not a ctxtrace trace (application_id 0x%08x, "
                   "expected 0x%08x)", (guint32) app_id, CTXTRACE_APPLICATION_ID);
    }
  if (version > CTXTRACE_SCHEMA_VERSION)
    {
      return fail (error, CTX_TRACE_ERROR_NEWER_SCHEMA, path,
                   "was written by a newer ctxtrace (schema version %d); this version reads "
                   "schema version %d", version, CTXTRACE_SCHEMA_VERSION);
    }
  if (version < 1)
    return fail (error, CTX_TRACE_ERROR_NOT_CTXTRACE, path,
                 "is not a ctxtrace trace (schema version 0)");
  return TRUE;
}

/* A WAL file in a directory we cannot write to cannot get its -shm: read it as immutable
 * (nobody can be writing it there either). */
static gboolean
needs_immutable (int rc)
{
  return (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY;
}

sqlite3 *
ctx_trace_db_open (const char *path, CtxFileId *file_id, GError **error)
{
  GStatBuf st;
  guchar header[HEADER_SIZE];
  gssize n = 0;
  sqlite3 *db;
  int rc = SQLITE_OK;

  if (!check_stat (path, &st, error) || !read_header (path, header, &n, error)
      || !check_header (path, header, n, st.st_size, error))
    return NULL;
  if (file_id != NULL)
    *file_id = (CtxFileId) { st.st_dev, st.st_ino };
  db = open_uri (path, FALSE, error);
  if (db == NULL)
    return NULL;
  if (classify (db, path, &rc, error))
    return db;
  if (rc != SQLITE_OK && needs_immutable (rc))
    {
      sqlite3_close (db);
      db = open_uri (path, TRUE, error);
      if (db == NULL)
        return NULL;
      if (classify (db, path, &rc, error))
        return db;
    }
  if (rc != SQLITE_OK)
    ctx_trace_db_set_error (db, rc, NULL, path, error);
  sqlite3_close (db);
  return NULL;
}

void
ctx_trace_db_close (sqlite3 *db)
{
  sqlite3_close_v2 (db);
}

static int
on_progress (void *data)
{
  CtxDbGuard *guard = data;

  if (g_cancellable_is_cancelled (guard->cancellable)
      || (guard->stop != NULL && g_atomic_int_get (guard->stop)))
    return 1;
  if (guard->deadline_us != 0 && g_get_monotonic_time () > guard->deadline_us)
    {
      guard->timed_out = TRUE;
      return 1;
    }
  return 0;
}

void
ctx_trace_db_guard_begin (sqlite3 *db, CtxDbGuard *guard)
{
  guard->timed_out = FALSE;
  sqlite3_progress_handler (db, PROGRESS_OPS, on_progress, guard);
}

void
ctx_trace_db_guard_end (sqlite3 *db)
{
  sqlite3_progress_handler (db, 0, NULL, NULL);
}

static CtxTraceError
code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      return CTX_TRACE_ERROR_NOT_SQLITE;
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
    case SQLITE_SCHEMA:
      return CTX_TRACE_ERROR_CORRUPT;
    case SQLITE_ERROR:
      /* Our own queries are fixed: an error means the file's schema is not ours (missing
       * table or column, a view or trigger where a table should be).  Search reports
       * errors in a user's filter itself. */
      return CTX_TRACE_ERROR_CORRUPT;
    case SQLITE_IOERR:
      return rc == SQLITE_IOERR_SHORT_READ ? CTX_TRACE_ERROR_CORRUPT : CTX_TRACE_ERROR_UNREADABLE;
    default:
      return CTX_TRACE_ERROR_UNREADABLE;
    }
}

void
ctx_trace_db_set_error (sqlite3 *db, int rc, const CtxDbGuard *guard, const char *path,
                        GError **error)
{
  const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  g_autofree char *name = display_path (path);
  CtxTraceError code;

  if ((rc & 0xff) == SQLITE_INTERRUPT && guard != NULL && guard->timed_out)
    g_set_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_TIMEOUT,
                 "The query on “%s” took too long and was stopped", name);
  else if ((rc & 0xff) == SQLITE_INTERRUPT)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Reading “%s” was cancelled", name);
  else if ((code = code_for (rc)) == CTX_TRACE_ERROR_CORRUPT)
    g_set_error (error, CTX_TRACE_ERROR, code, "“%s” is damaged or not a complete trace: %s",
                 name, msg);
  else if (code == CTX_TRACE_ERROR_NOT_SQLITE)
    g_set_error (error, CTX_TRACE_ERROR, code,
                 "“%s” is not an SQLite database, so not a ctxtrace trace", name);
  else
    g_set_error (error, CTX_TRACE_ERROR, code, "“%s” cannot be read: %s", name, msg);
}

sqlite3_stmt *
ctx_trace_db_prepare (sqlite3 *db, const char *sql, const char *path, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      ctx_trace_db_set_error (db, rc, NULL, path, error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
ctx_trace_db_query_int (sqlite3 *db, const char *sql, const char *path, gint64 *out,
                        GError **error)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (db, sql, path, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    ctx_trace_db_set_error (db, rc, NULL, path, error);
  return rc == SQLITE_ROW;
}

gboolean
ctx_trace_db_begin (sqlite3 *db, const char *path, GError **error)
{
  int rc = sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    ctx_trace_db_set_error (db, rc, NULL, path, error);
  return rc == SQLITE_OK;
}

void
ctx_trace_db_end (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
}

gboolean
ctx_trace_db_check_same_file (const char *path, const CtxFileId *file_id, GError **error)
{
  g_autofree char *name = NULL;
  GStatBuf st;
  int saved = g_stat (path, &st) == 0 ? 0 : errno;

  if (saved == 0 && st.st_dev == file_id->dev && st.st_ino == file_id->ino)
    return TRUE;
  name = display_path (path);
  if (saved == ENOENT)
    g_set_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_GONE,
                 "“%s” was deleted while it was open", name);
  else
    g_set_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_GONE,
                 "“%s” was replaced by another file while it was open", name);
  return FALSE;
}
