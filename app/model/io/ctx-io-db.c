/* ctx-io-db.c: opening traces to read (hardened) and building new trace files. */
#include "ctx-io.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "ctxtrace-schema.h"
#include "ctxtrace.h"

/* Far above the schema's limits (64 KiB of attributes), low enough that a crafted row
 * cannot make a reader allocate gigabytes. */
#define CTX_IO_MAX_VALUE_BYTES (32 * 1024 * 1024)

G_DEFINE_QUARK (ctx-io-error-quark, ctx_io_error)

struct _CtxIoOutput
{
  sqlite3 *db;
  char *path;
  char *tmp_path;
  gboolean done;
};

gboolean
ctx_io_sql_error (sqlite3 *db, const char *what, GError **error)
{
  int code = sqlite3_extended_errcode (db);
  int io = (code & 0xff) == SQLITE_FULL || (code & 0xff) == SQLITE_IOERR;

  g_set_error (error, CTX_IO_ERROR, io ? CTX_IO_ERROR_WRITE : CTX_IO_ERROR_CORRUPT,
               "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

static gboolean
check_regular_file (const char *path, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_OPEN, "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_OPEN, "%s: not a regular file", path);
      return FALSE;
    }
  if (access (path, R_OK) != 0)
    {
      int saved = errno;
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_OPEN, "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static void
harden (sqlite3 *db)
{
  sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
  sqlite3_limit (db, SQLITE_LIMIT_LENGTH, CTX_IO_MAX_VALUE_BYTES);
  sqlite3_limit (db, SQLITE_LIMIT_ATTACHED, 0);
  /* A live file: wait for the writer's short commits instead of failing. */
  sqlite3_busy_timeout (db, 2000);
}

static gboolean
check_kind (sqlite3 *db, const char *path, GError **error)
{
  int version = 0;

  switch (ctxtrace_schema_classify (db, &version))
    {
    case CTXTRACE_FILE_OK:
      return TRUE;
    case CTXTRACE_FILE_EMPTY:
    case CTXTRACE_FILE_FOREIGN:
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_NOT_CTXTRACE,
                   "%s: not a ctxtrace trace (application_id is not 0x%08X)", path,
                   CTXTRACE_APPLICATION_ID);
      return FALSE;
    case CTXTRACE_FILE_NEWER:
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_NEWER_SCHEMA,
                   "%s: written by a newer ctxtrace (schema version %d; this one reads "
                   "up to %d)", path, version, CTXTRACE_SCHEMA_VERSION);
      return FALSE;
    case CTXTRACE_FILE_ERROR:
    default:
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_OPEN, "%s: not an SQLite database: %s",
                   path, sqlite3_errmsg (db));
      return FALSE;
    }
}

sqlite3 *
ctx_io_open_trace (const char *path, GError **error)
{
  sqlite3 *db = NULL;

  if (!check_regular_file (path, error))
    return NULL;
  /* One connection per thread: SQLite's own mutexes would only cost time. */
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)
      != SQLITE_OK)
    {
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_OPEN, "%s: %s", path,
                   db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  harden (db);
  if (!check_kind (db, path, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

static void
unlink_with_journals (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);
      g_unlink (p);
    }
}

static gboolean
output_begin (CtxIoOutput *out, const char *created_by, GError **error)
{
  /* The file is private until renamed into place, so a journal buys nothing. */
  if (sqlite3_exec (out->db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                    " PRAGMA cache_size=-65536; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return ctx_io_sql_error (out->db, out->tmp_path, error);
  if (ctxtrace_schema_create (out->db, created_by, g_get_real_time () * 1000) != SQLITE_OK)
    return ctx_io_sql_error (out->db, "creating the schema", error);
  return TRUE;
}

CtxIoOutput *
ctx_io_output_create (const char *path, gboolean force, const char *created_by,
                      GError **error)
{
  g_autoptr (CtxIoOutput) out = NULL;

  if (!force && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_EXISTS,
                   "%s exists (use --force to replace it)", path);
      return NULL;
    }
  out = g_new0 (CtxIoOutput, 1);
  out->path = g_strdup (path);
  out->tmp_path = g_strdup_printf ("%s.tmp-%d", path, (int) getpid ());
  unlink_with_journals (out->tmp_path);
  if (sqlite3_open_v2 (out->tmp_path, &out->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI
                       | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_WRITE, "%s: %s", out->tmp_path,
                   out->db != NULL ? sqlite3_errmsg (out->db) : "out of memory");
      return NULL;
    }
  /* Merge ATTACHes untrusted files to this connection: harden it like a reader. */
  harden (out->db);
  sqlite3_limit (out->db, SQLITE_LIMIT_ATTACHED, 1);
  if (!output_begin (out, created_by, error))
    return NULL;
  return g_steal_pointer (&out);
}

sqlite3 *
ctx_io_output_get_db (CtxIoOutput *out)
{
  return out->db;
}

gboolean
ctx_io_output_finish (CtxIoOutput *out, GError **error)
{
  if (sqlite3_exec (out->db, "COMMIT; PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
    return ctx_io_sql_error (out->db, out->path, error);
  if (sqlite3_close (out->db) != SQLITE_OK)
    return ctx_io_sql_error (out->db, out->path, error);
  out->db = NULL;
  /* A stale -wal beside the old file would be replayed into the new one. */
  unlink_with_journals (out->path);
  if (g_rename (out->tmp_path, out->path) != 0)
    {
      int saved = errno;
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_WRITE, "%s: %s", out->path,
                   g_strerror (saved));
      return FALSE;
    }
  out->done = TRUE;
  return TRUE;
}

void
ctx_io_output_free (CtxIoOutput *out)
{
  if (out == NULL)
    return;
  if (out->db != NULL)
    sqlite3_close (out->db);
  if (!out->done)
    unlink_with_journals (out->tmp_path);
  g_free (out->path);
  g_free (out->tmp_path);
  g_free (out);
}
