/* ctxtrace-db.c: the writer's SQLite connection: open or create a trace file safely,
 * then commit batches.  Only the committer thread (and ctxtrace_start, before the writer
 * threads exist) touches the connection; the drain thread has a private in-memory one for
 * validating JSON. */
#include "ctxtrace-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctxtrace-schema.h"

__attribute__ ((format (printf, 4, 5))) static int
fail (char *err, size_t errlen, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (err, errlen, fmt, ap);
  va_end (ap);
  return code;
}

/* Reasons SQLite would report vaguely, checked first so the message says what is wrong. */
static int
check_path (const char *path, char *err, size_t errlen)
{
  struct stat st;
  char *copy = strdup (path);
  int rc = 0;

  if (copy == NULL)
    return -ENOMEM;
  const char *dir = dirname (copy);
  if (stat (path, &st) == 0)
    {
      if (!S_ISREG (st.st_mode))
        rc = fail (err, errlen, -EINVAL, "%s is not a regular file", path);
      else if (access (path, R_OK | W_OK) != 0)
        rc = fail (err, errlen, -EACCES, "%s is not writable", path);
    }
  else if (stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
    rc = fail (err, errlen, -ENOENT, "directory %s does not exist (for %s)", dir, path);
  if (rc == 0 && access (dir, W_OK) != 0)
    rc = fail (err, errlen, -EACCES, "directory %s is not writable (for %s)", dir, path);
  free (copy);
  return rc;
}

static int
prepare (ct_writer_t *w, sqlite3_stmt **stmt, const char *sql)
{
  return sqlite3_prepare_v3 (w->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
}

/* INSERT of n spans in one statement: SQLite's per-statement work (cursor, VDBE set-up)
 * is then paid once per n rows, about a third of the cost of a row.  Ids are left to
 * SQLite (max(rowid) + 1), which inside our write transaction is base + row. */
/* A "plain" statement is for the common rows (this session's trace, status unset, no
 * attributes): those three are literals, three binds fewer per row. */
static int
prepare_insert (ct_writer_t *w, sqlite3_stmt **stmt, int n, int plain)
{
  char sql[128 + CT_INSERT_ROWS * 48], row[64];
  int len = snprintf (sql, sizeof sql, "INSERT INTO span(trace_id, parent_id, thread_id,"
                                       " name_id, start_ns, dur_ns, depth, status, attrs) VALUES");
  if (plain)
    snprintf (row, sizeof row, "(%lld,?,?,?,?,?,?,0,NULL)", (long long) w->trace_id);
  else
    snprintf (row, sizeof row, "(?,?,?,?,?,?,?,?,?)");
  for (int i = 0; i < n; i++)
    len += snprintf (sql + len, sizeof sql - (size_t) len, "%s%s", i ? "," : " ", row);
  return prepare (w, stmt, sql);
}

static int
prepare_all (ct_writer_t *w)
{
  int rc = prepare_insert (w, &w->st_insert_span, 1, 0);
  if (rc == SQLITE_OK)
    rc = prepare_insert (w, &w->st_insert_spans, CT_INSERT_ROWS, 0);
  if (rc != SQLITE_OK)
    return rc;
  const struct
  {
    sqlite3_stmt **stmt;
    const char *sql;
  } all[] = {
    { &w->st_update_span, "UPDATE span SET dur_ns = ?2, status = ?3, attrs = ?4 WHERE id = ?1" },
    { &w->st_update_attrs, "UPDATE span SET status = ?2, attrs = ?3 WHERE id = ?1" },
    { &w->st_insert_event,
      "INSERT INTO event(span_id, thread_id, ts_ns, name_id, attrs) VALUES (?1, ?2, ?3, ?4, ?5)" },
    { &w->st_insert_thread, "INSERT INTO thread(process_id, tid, name) VALUES (?1, ?2, ?3)" },
    { &w->st_update_thread, "UPDATE thread SET name = ?2 WHERE id = ?1" },
    { &w->st_string_upsert, "INSERT INTO string(value) VALUES (?1) ON CONFLICT(value) DO NOTHING" },
    { &w->st_string_id, "SELECT id FROM string WHERE value = ?1" },
    { &w->st_max_span, "SELECT coalesce(max(id), 0) + 1 FROM span" },
    { &w->st_process_counters,
      "UPDATE process SET dropped_spans = ?2, dropped_records = ?3, rejected_attrs = ?4,"
      " truncated_values = ?5 WHERE id = ?1" },
    { &w->st_process_end, "UPDATE process SET end_ns = ?2 WHERE id = ?1" },
    { &w->st_trace_upsert, "INSERT INTO trace(hex) VALUES (?1) ON CONFLICT(hex) DO NOTHING" },
    { &w->st_trace_id, "SELECT id FROM trace WHERE hex = ?1" },
  };
  for (size_t i = 0; i < sizeof all / sizeof all[0] && rc == SQLITE_OK; i++)
    rc = prepare (w, all[i].stmt, all[i].sql);
  return rc;
}

static int
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
step_int64 (sqlite3_stmt *stmt, int64_t *out)
{
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW ? SQLITE_OK : rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc;
}

static void
read_file (const char *path, char *buf, size_t size, int nul_to_space)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, buf, size - 1) : -1;
  if (fd >= 0)
    close (fd);
  if (n < 0)
    n = 0;
  buf[n] = '\0';
  for (ssize_t i = 0; i < n; i++)
    if (buf[i] == '\0' && nul_to_space)
      buf[i] = ' ';
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    buf[--n] = '\0';
}

static int
insert_process (ct_writer_t *w)
{
  char comm[256], cmdline[4097], host[256] = "";
  sqlite3_stmt *stmt = NULL;
  read_file ("/proc/self/comm", comm, sizeof comm, 0);
  read_file ("/proc/self/cmdline", cmdline, sizeof cmdline, 1);
  gethostname (host, sizeof host - 1);
  int rc = prepare (w, &stmt,
                    "INSERT INTO process(pid, parent_pid, name, cmdline, hostname, start_ns,"
                    " clock, library_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, getpid ());
  sqlite3_bind_int64 (stmt, 2, getppid ());
  sqlite3_bind_text (stmt, 3, comm, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, cmdline, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, host, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, ct_realtime_ns ());
  sqlite3_bind_text (stmt, 7, ct_use_tsc ? "tsc" : "monotonic", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, "libctxtrace " CTXTRACE_VERSION_STRING, -1, SQLITE_STATIC);
  rc = step_done (stmt);
  sqlite3_finalize (stmt);
  w->process_id = sqlite3_last_insert_rowid (w->db);
  return rc;
}

/* Interns a W3C trace id (32 hex digits) and returns its row id in *id. */
static int
ct_db_intern_trace (ct_writer_t *w, const char *hex, int64_t *id)
{
  sqlite3_bind_text (w->st_trace_upsert, 1, hex, -1, SQLITE_TRANSIENT);
  int rc = step_done (w->st_trace_upsert);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_text (w->st_trace_id, 1, hex, -1, SQLITE_TRANSIENT);
  return step_int64 (w->st_trace_id, id);
}

/* This session's trace: the one it continues (w->trace_hex set), or a new random id. */
static int
new_trace (ct_writer_t *w)
{
  uint8_t raw[16];
  if (w->trace_hex[0] != '\0')
    return ct_db_intern_trace (w, w->trace_hex, &w->trace_id);
  if (getrandom (raw, sizeof raw, 0) != (ssize_t) sizeof raw)
    {
      uint64_t t = ct_now () ^ (uint64_t) getpid () << 32;
      memcpy (raw, &t, 8);
      t = (uint64_t) ct_realtime_ns ();
      memcpy (raw + 8, &t, 8);
    }
  ct_hex (raw, 16, w->trace_hex);
  return ct_db_intern_trace (w, w->trace_hex, &w->trace_id);
}

/* Sets up the schema (new file) and this process's rows, in one write transaction so that
 * two processes creating the same file at once do not both create it. */
static int
init_file (ct_writer_t *w, char *err, size_t errlen)
{
  int version = 0;
  int rc = sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;
  switch (ctxtrace_schema_classify (w->db, &version))
    {
    case CTXTRACE_FILE_EMPTY:
      rc = ctxtrace_schema_create (w->db, "libctxtrace " CTXTRACE_VERSION_STRING,
                                   ct_realtime_ns ());
      break;
    case CTXTRACE_FILE_OK:
      break;
    default:
      sqlite3_exec (w->db, "ROLLBACK", NULL, NULL, NULL);
      snprintf (err, errlen, "the file changed kind while being opened");
      return SQLITE_MISMATCH;
    }
  if (rc == SQLITE_OK)
    rc = prepare_all (w);
  if (rc == SQLITE_OK)
    rc = insert_process (w);
  if (rc == SQLITE_OK)
    rc = new_trace (w);
  if (rc == SQLITE_OK)
    rc = prepare_insert (w, &w->st_insert_plain, CT_INSERT_ROWS, 1);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    sqlite3_exec (w->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

static int
classify_error (ct_writer_t *w, const char *path, char *err, size_t errlen)
{
  char ver[16];
  int version = 0;
  switch (ctxtrace_schema_classify (w->db, &version))
    {
    case CTXTRACE_FILE_EMPTY:
    case CTXTRACE_FILE_OK:
      return 0;
    case CTXTRACE_FILE_FOREIGN:
      return fail (err, errlen, -EINVAL,
                   "%s is an SQLite database but not a ctxtrace trace; refusing to touch it",
                   path);
    case CTXTRACE_FILE_NEWER:
      snprintf (ver, sizeof ver, "%d", version);
      return fail (err, errlen, -EPROTO,
                   "%s has trace schema version %s, newer than this library's; refusing", path,
                   ver);
    case CTXTRACE_FILE_ERROR:
    default:
      return fail (err, errlen, -EINVAL, "%s is not a ctxtrace trace (%s); refusing to touch it",
                   path, sqlite3_errmsg (w->db));
    }
}

/* Another process holds the write lock for one commit, a few ms at most: retry every
 * 100 us for up to 5 s (often enough to catch the pause a busy committer leaves after each
 * commit, see ctxtrace-commit.c), rather than SQLite's default back-off that sleeps up to 100 ms a
 * try (which would add tens of ms to every commit when processes share a file). */
int
ct_db_busy_retry (void *data, int count)
{
  (void) data;
  struct timespec ts = { 0, 100000 };
  if (count >= 50000)
    return 0;
  nanosleep (&ts, NULL);
  return 1;
}

int
ct_db_open (ct_writer_t *w, const char *path, char *err, size_t errlen)
{
  int rc = check_path (path, err, errlen);
  if (rc != 0)
    return rc;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
              | SQLITE_OPEN_EXRESCODE;
  if (sqlite3_open_v2 (path, &w->db, flags, NULL) != SQLITE_OK)
    return fail (err, errlen, -EIO, "cannot open %s: %s", path,
                 w->db ? sqlite3_errmsg (w->db) : "out of memory");
  sqlite3_busy_handler (w->db, ct_db_busy_retry, NULL);
  rc = classify_error (w, path, err, errlen);
  if (rc != 0)
    return rc;
  /* Only now, with the file known to be ours or empty, is anything written. */
  char pragmas[256];
  snprintf (pragmas, sizeof pragmas,
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8192;"
            " PRAGMA max_page_count=%lld;",
            w->max_pages > 0 ? (long long) w->max_pages : 4294967294LL);
  /* Two processes creating one file at once: switching it to WAL, or upgrading a read
   * lock, can fail at once with SQLITE_BUSY (SQLite's deadlock avoidance skips the busy
   * handler there); the other process is done within milliseconds, so try again. */
  for (int tries = 0;; tries++)
    {
      rc = sqlite3_exec (w->db, pragmas, NULL, NULL, NULL);
      if (rc == SQLITE_OK)
        rc = init_file (w, err, errlen);
      /* (Once its statements are prepared, a failure is not retried: nothing is leaked.) */
      if ((rc & 0xff) != SQLITE_BUSY || tries >= 5000 || w->st_insert_span != NULL)
        break;
      struct timespec pause = { 0, 1000000 };
      nanosleep (&pause, NULL);
    }
  if (rc != SQLITE_OK && err[0] == '\0')
    snprintf (err, errlen, "cannot initialise %s: %s", path, sqlite3_errmsg (w->db));
  return rc == SQLITE_OK ? 0 : rc == SQLITE_MISMATCH ? -EINVAL : -EIO;
}

int
ct_db_is_fatal (int rc)
{
  rc &= 0xff;
  return rc != SQLITE_BUSY && rc != SQLITE_LOCKED;
}

int
ct_db_json_open (ct_writer_t *w)
{
  int rc = sqlite3_open_v2 (":memory:", &w->jdb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                            NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v3 (w->jdb, "SELECT json(?1)", -1, SQLITE_PREPARE_PERSISTENT,
                             &w->st_json_valid, NULL);
  return rc;
}

void
ct_db_json_close (ct_writer_t *w)
{
  sqlite3_finalize (w->st_json_valid);
  sqlite3_close (w->jdb);
  w->st_json_valid = NULL;
  w->jdb = NULL;
}

int
ct_db_json_normalize (ct_writer_t *w, const char *text, size_t len, ct_buf_t *out)
{
  sqlite3_stmt *st = w->st_json_valid;
  int ok = 0;
  if (st == NULL || len > INT32_MAX)
    return 0;
  sqlite3_bind_text (st, 1, text, (int) len, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_type (st, 0) != SQLITE_NULL)
    {
      ct_buf_append (out, (const char *) sqlite3_column_text (st, 0),
                     (size_t) sqlite3_column_bytes (st, 0));
      ok = 1;
    }
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  return ok;
}

/* ---- Commit ----------------------------------------------------------------------------- */

enum { FRESH_NAME, FRESH_THREAD, FRESH_TRACE };

/* The row id slot for index i of a kind, grown on demand; NULL without memory. */
static int64_t *
id_slot (ct_writer_t *w, int kind, size_t i)
{
  int64_t **ids = kind == FRESH_NAME ? &w->name_ids : kind == FRESH_THREAD ? &w->thread_ids
                                                                            : &w->trace_ids;
  size_t *cap = kind == FRESH_NAME ? &w->cap_name_ids : kind == FRESH_THREAD ? &w->cap_thread_ids
                                                                               : &w->cap_trace_ids;
  size_t old = *cap;
  if (!ct_grow (ids, cap, i + 1, sizeof **ids))
    return NULL;
  memset (*ids + old, 0, (*cap - old) * sizeof **ids);
  return *ids + i;
}

static int64_t
id_of (const int64_t *ids, size_t cap, size_t i)
{
  return i < cap ? ids[i] : 0;
}

/* Remembers an id given inside the transaction under way, forgotten if it rolls back. */
static int
note_fresh (ct_writer_t *w, int kind, uint32_t index)
{
  if (!ct_grow (&w->fresh, &w->cap_fresh, w->n_fresh + 1, sizeof *w->fresh))
    return SQLITE_NOMEM;
  w->fresh[w->n_fresh++] = (uint32_t) kind << 30 | index;
  return SQLITE_OK;
}

static int
commit_threads (ct_writer_t *w, const ct_batch_t *b)
{
  for (size_t i = 0; i < b->n_thread_ops; i++)
    {
      const ct_thread_op_t *op = &b->thread_ops[i];
      int64_t *id = id_slot (w, FRESH_THREAD, op->serial);
      if (id == NULL)
        return SQLITE_NOMEM;
      sqlite3_stmt *st = *id == 0 ? w->st_insert_thread : w->st_update_thread;
      sqlite3_bind_int64 (st, 1, *id == 0 ? w->process_id : *id);
      if (*id == 0)
        sqlite3_bind_int64 (st, 2, op->tid);
      sqlite3_bind_text (st, *id == 0 ? 3 : 2, op->name, -1, SQLITE_STATIC);
      int rc = step_done (st);
      if (rc == SQLITE_OK && *id == 0)
        {
          *id = sqlite3_last_insert_rowid (w->db);
          rc = note_fresh (w, FRESH_THREAD, op->serial);
        }
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

static int
intern (ct_writer_t *w, sqlite3_stmt *upsert, sqlite3_stmt *lookup, const char *text,
        int64_t *id)
{
  sqlite3_bind_text (upsert, 1, text, -1, SQLITE_STATIC);
  int rc = step_done (upsert);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_text (lookup, 1, text, -1, SQLITE_STATIC);
  return step_int64 (lookup, id);
}

static int
commit_texts (ct_writer_t *w, const ct_text_op_t *ops, size_t n, int kind)
{
  for (size_t i = 0; i < n; i++)
    {
      int64_t *id = id_slot (w, kind, ops[i].index);
      int rc = id == NULL ? SQLITE_NOMEM
               : kind == FRESH_NAME
                 ? intern (w, w->st_string_upsert, w->st_string_id, ops[i].text, id)
                 : intern (w, w->st_trace_upsert, w->st_trace_id, ops[i].text, id);
      if (rc == SQLITE_OK)
        rc = note_fresh (w, kind, ops[i].index);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

static void
bind_opt (sqlite3_stmt *st, int col, int64_t v, int present)
{
  if (present)
    sqlite3_bind_int64 (st, col, v);
  else
    sqlite3_bind_null (st, col);
}

static int64_t
trace_id (ct_writer_t *w, uint32_t trace)
{
  return trace == 0 ? w->trace_id : id_of (w->trace_ids, w->cap_trace_ids, trace);
}

/* Binds a row; a plain row (see prepare_insert) binds the middle six columns only. */
static void
bind_span (ct_writer_t *w, const ct_batch_t *b, sqlite3_stmt *st, int row, int plain,
           const ct_insert_t *s)
{
  int col = plain ? row * 6 - 1 : row * 9;
  if (!plain)
    sqlite3_bind_int64 (st, col + 1, trace_id (w, s->trace));
  int64_t parent = ct_committer_resolve (w, b, s->parent);
  bind_opt (st, col + 2, parent, parent != 0);
  sqlite3_bind_int64 (st, col + 3, id_of (w->thread_ids, w->cap_thread_ids, s->thread));
  sqlite3_bind_int64 (st, col + 4, id_of (w->name_ids, w->cap_name_ids, s->name));
  sqlite3_bind_int64 (st, col + 5, s->start_ns);
  bind_opt (st, col + 6, s->dur_ns, s->dur_ns >= 0);
  sqlite3_bind_int (st, col + 7, (int) s->depth);
  if (plain)
    return;
  sqlite3_bind_int (st, col + 8, s->status);
  sqlite3_bind_text (st, col + 9, s->attrs, -1, SQLITE_STATIC);
}

static int
is_plain (const ct_insert_t *s)
{
  return s->trace == 0 && s->status == 0 && s->attrs == NULL;
}

/* Every row's id: SQLite gives max(id) + 1 under our write lock, so the kept rows get
 * base, base + 1, ... in order; a discarded row stands for its parent. */
static void
assign_ids (ct_writer_t *w, ct_batch_t *b, int64_t base)
{
  int64_t next = base;
  for (size_t i = 0; i < b->n_inserts; i++)
    b->ids[i] = b->inserts[i].discard ? ct_committer_resolve (w, b, b->inserts[i].parent)
                                      : next++;
  b->kept = (size_t) (next - base);
}

static int
commit_spans (ct_writer_t *w, ct_batch_t *b, int64_t base)
{
  const ct_insert_t *rows[CT_INSERT_ROWS];
  size_t i = 0;
  while (i < b->n_inserts)
    {
      /* The next CT_INSERT_ROWS kept rows go in one statement, a short tail one by one. */
      size_t n = 0, j = i;
      for (; j < b->n_inserts && n < CT_INSERT_ROWS; j++)
        if (!b->inserts[j].discard)
          rows[n++] = &b->inserts[j];
      if (n < CT_INSERT_ROWS)
        {
          n = 0;
          for (j = i; j < b->n_inserts && n == 0; j++)
            if (!b->inserts[j].discard)
              rows[n++] = &b->inserts[j];
        }
      i = j;
      if (n == 0)
        break;
      int plain = n > 1;
      for (size_t k = 0; k < n && plain; k++)
        plain = is_plain (rows[k]);
      sqlite3_stmt *st = plain ? w->st_insert_plain : n > 1 ? w->st_insert_spans
                                                            : w->st_insert_span;
      for (size_t k = 0; k < n; k++)
        bind_span (w, b, st, (int) k, plain, rows[k]);
      int rc = step_done (st);
      if (rc != SQLITE_OK)
        return rc;
    }
  /* Under our write lock SQLite's next rowid is ours: a mismatch would be a bug. */
  if (b->kept > 0 && sqlite3_last_insert_rowid (w->db) != base + (int64_t) b->kept - 1)
    return SQLITE_INTERNAL;
  return SQLITE_OK;
}

static int
commit_updates (ct_writer_t *w, const ct_batch_t *b)
{
  for (size_t i = 0; i < b->n_updates; i++)
    {
      const ct_update_t *u = &b->updates[i];
      int64_t id = ct_committer_resolve (w, b, u->span);
      if (id <= 0)
        continue;
      sqlite3_stmt *st = u->dur_ns >= 0 ? w->st_update_span : w->st_update_attrs;
      int col = 2;
      sqlite3_bind_int64 (st, 1, id);
      if (u->dur_ns >= 0)
        sqlite3_bind_int64 (st, col++, u->dur_ns);
      sqlite3_bind_int (st, col++, u->status);
      sqlite3_bind_text (st, col, u->attrs, -1, SQLITE_STATIC);
      int rc = step_done (st);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

static int
commit_events (ct_writer_t *w, const ct_batch_t *b)
{
  sqlite3_stmt *st = w->st_insert_event;
  for (size_t i = 0; i < b->n_events; i++)
    {
      const ct_event_t *e = &b->events[i];
      int64_t span = ct_committer_resolve (w, b, e->span);
      bind_opt (st, 1, span, span != 0);
      sqlite3_bind_int64 (st, 2, id_of (w->thread_ids, w->cap_thread_ids, e->thread));
      sqlite3_bind_int64 (st, 3, e->ts_ns);
      sqlite3_bind_int64 (st, 4, id_of (w->name_ids, w->cap_name_ids, e->name));
      sqlite3_bind_text (st, 5, e->attrs, -1, SQLITE_STATIC);
      int rc = step_done (st);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

static int
commit_counters (ct_writer_t *w, const ct_batch_t *b)
{
  if (memcmp (b->counters, w->saved_counters, sizeof b->counters) == 0)
    return SQLITE_OK;
  sqlite3_stmt *st = w->st_process_counters;
  sqlite3_bind_int64 (st, 1, w->process_id);
  for (int i = 0; i < 4; i++)
    sqlite3_bind_int64 (st, 2 + i, (int64_t) b->counters[i]);
  return step_done (st);
}

int
ct_db_commit (ct_writer_t *w, ct_batch_t *b)
{
  int64_t base = 0;
  w->n_fresh = 0;
  if (b->ids == NULL && b->n_inserts > 0
      && (b->ids = calloc (b->n_inserts, sizeof *b->ids)) == NULL)
    return SQLITE_NOMEM;
  int rc = sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = commit_threads (w, b);
  if (rc == SQLITE_OK)
    rc = commit_texts (w, b->names, b->n_names, FRESH_NAME);
  if (rc == SQLITE_OK)
    rc = commit_texts (w, b->traces, b->n_traces, FRESH_TRACE);
  if (rc == SQLITE_OK)
    rc = step_int64 (w->st_max_span, &base);
  if (rc == SQLITE_OK)
    {
      assign_ids (w, b, base);
      rc = commit_spans (w, b, base);
    }
  if (rc == SQLITE_OK)
    rc = commit_updates (w, b);
  if (rc == SQLITE_OK)
    rc = commit_events (w, b);
  if (rc == SQLITE_OK)
    rc = commit_counters (w, b);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite3_exec (w->db, "ROLLBACK", NULL, NULL, NULL);
      /* Rows made in the failed transaction are not in the file: forget their ids. */
      for (size_t i = 0; i < w->n_fresh; i++)
        {
          int64_t *id = id_slot (w, (int) (w->fresh[i] >> 30), w->fresh[i] & ((1u << 30) - 1));
          if (id != NULL)
            *id = 0;
        }
      return rc;
    }
  memcpy (w->saved_counters, b->counters, sizeof b->counters);
  return rc;
}

void
ct_db_close (ct_writer_t *w, int64_t end_ns)
{
  sqlite3_stmt **all[] = { &w->st_insert_span, &w->st_insert_spans, &w->st_insert_plain,
                           &w->st_update_span, &w->st_update_attrs,
                           &w->st_insert_event, &w->st_insert_thread, &w->st_update_thread,
                           &w->st_string_upsert, &w->st_string_id, &w->st_max_span,
                           &w->st_process_counters, &w->st_process_end,
                           &w->st_trace_upsert, &w->st_trace_id };
  if (w->db == NULL)
    return;
  if (end_ns != 0 && w->st_process_end != NULL)
    {
      sqlite3_bind_int64 (w->st_process_end, 1, w->process_id);
      sqlite3_bind_int64 (w->st_process_end, 2, end_ns);
      step_done (w->st_process_end);
    }
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    sqlite3_finalize (*all[i]);
  sqlite3_close (w->db);
  w->db = NULL;
}
