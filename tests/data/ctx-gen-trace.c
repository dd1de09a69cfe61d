/* ctx-gen-trace.c: write trace files for tests and benches with plain SQLite.
 *
 * The schema comes from libctxtrace (ctxtrace_schema_create) so that generated files are
 * exactly what the library writes; the rows are ours, so tests know every number. */
#include "ctx-gen-trace.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ctxtrace-schema.h"

struct _CtxGen
{
  sqlite3 *db;
  char *path;
  sqlite3_stmt *span;
  sqlite3_stmt *string_find;
  sqlite3_stmt *string_add;
  gint64 next_span_id;
};

static gboolean
check (sqlite3 *db, int rc, GError **error)
{
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "sqlite: %s",
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

gboolean
ctx_gen_exec (CtxGen *gen, const char *sql, GError **error)
{
  return check (gen->db, sqlite3_exec (gen->db, sql, NULL, NULL, NULL), error);
}

static gboolean
prepare_all (CtxGen *gen, GError **error)
{
  return check (gen->db, sqlite3_prepare_v2 (gen->db,
                  "INSERT INTO span(id, trace_id, parent_id, thread_id, name_id, start_ns,"
                  " dur_ns, depth, status, attrs) VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                  -1, &gen->span, NULL), error)
         && check (gen->db, sqlite3_prepare_v2 (gen->db,
                     "SELECT id FROM string WHERE value = ?1", -1, &gen->string_find, NULL),
                   error)
         && check (gen->db, sqlite3_prepare_v2 (gen->db,
                     "INSERT INTO string(value) VALUES (?1)", -1, &gen->string_add, NULL),
                   error);
}

CtxGen *
ctx_gen_new (const char *path, GError **error)
{
  CtxGen *gen = g_new0 (CtxGen, 1);

  g_unlink (path);
  gen->path = g_strdup (path);
  gen->next_span_id = 1;
  if (check (NULL, sqlite3_open (path, &gen->db), error)
      && ctx_gen_exec (gen, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN", error)
      && check (gen->db, ctxtrace_schema_create (gen->db, "ctx-gen-trace", 1), error)
      && ctx_gen_exec (gen, "INSERT INTO trace(id, hex) VALUES (1, '0123456789abcdef0123456789abcdef')",
                       error)
      && prepare_all (gen, error))
    return gen;
  ctx_gen_close (gen, FALSE, NULL);
  return NULL;
}

CtxGen *
ctx_gen_open (const char *path, GError **error)
{
  CtxGen *gen = g_new0 (CtxGen, 1);

  gen->path = g_strdup (path);
  if (check (NULL, sqlite3_open (path, &gen->db), error)
      && ctx_gen_exec (gen, "PRAGMA journal_mode=WAL; BEGIN", error)
      && prepare_all (gen, error))
    {
      sqlite3_stmt *stmt = NULL;
      sqlite3_prepare_v2 (gen->db, "SELECT coalesce(max(id), 0) + 1 FROM span", -1, &stmt, NULL);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        gen->next_span_id = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      return gen;
    }
  ctx_gen_close (gen, FALSE, NULL);
  return NULL;
}

sqlite3 *
ctx_gen_get_db (CtxGen *gen)
{
  return gen->db;
}

gboolean
ctx_gen_commit (CtxGen *gen, GError **error)
{
  return ctx_gen_exec (gen, "COMMIT; BEGIN", error);
}

gboolean
ctx_gen_close (CtxGen *gen, gboolean wal, GError **error)
{
  gboolean ok = TRUE;

  if (gen == NULL)
    return FALSE;
  sqlite3_finalize (gen->span);
  sqlite3_finalize (gen->string_find);
  sqlite3_finalize (gen->string_add);
  if (gen->db != NULL && !sqlite3_get_autocommit (gen->db))
    ok = ctx_gen_exec (gen, "COMMIT", error);
  if (ok && wal)
    ok = ctx_gen_exec (gen, "PRAGMA journal_mode=WAL", error);
  else if (ok)
    ok = ctx_gen_exec (gen, "PRAGMA journal_mode=DELETE", error);
  sqlite3_close (gen->db);
  g_free (gen->path);
  g_free (gen);
  return ok;
}

static gint64
insert (CtxGen *gen, const char *sql, gint64 a, gint64 b, const char *text)
{
  sqlite3_stmt *stmt = NULL;
  gint64 id = -1;

  sqlite3_prepare_v2 (gen->db, sql, -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  sqlite3_bind_text (stmt, 3, text, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_DONE)
    id = sqlite3_last_insert_rowid (gen->db);
  sqlite3_finalize (stmt);
  return id;
}

gint64
ctx_gen_process (CtxGen *gen, gint64 pid, const char *name)
{
  return insert (gen, "INSERT INTO process(pid, start_ns, end_ns, clock, library_version, name,"
                      " cmdline, hostname, dropped_spans) VALUES (?1, ?2, NULL, 'monotonic',"
                      " '0.1.0', ?3, ?3, 'testhost', 0)", pid, 0, name);
}

gint64
ctx_gen_thread (CtxGen *gen, gint64 process_id, gint64 tid, const char *name)
{
  return insert (gen, "INSERT INTO thread(process_id, tid, name) VALUES (?1, ?2, ?3)",
                 process_id, tid, name);
}

gint64
ctx_gen_string (CtxGen *gen, const char *value)
{
  gint64 id = -1;

  sqlite3_bind_text (gen->string_find, 1, value, -1, SQLITE_STATIC);
  if (sqlite3_step (gen->string_find) == SQLITE_ROW)
    id = sqlite3_column_int64 (gen->string_find, 0);
  sqlite3_reset (gen->string_find);
  if (id >= 0)
    return id;
  sqlite3_bind_text (gen->string_add, 1, value, -1, SQLITE_STATIC);
  if (sqlite3_step (gen->string_add) == SQLITE_DONE)
    id = sqlite3_last_insert_rowid (gen->db);
  sqlite3_reset (gen->string_add);
  return id;
}

static void
bind_nullable (sqlite3_stmt *stmt, int col, gboolean is_null, gint64 value)
{
  if (is_null)
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_int64 (stmt, col, value);
}

static gint64
write_span (CtxGen *gen, const CtxGenSpan *s, gint64 name_id)
{
  gint64 id = s->id != 0 ? s->id : gen->next_span_id;
  int rc;

  sqlite3_bind_int64 (gen->span, 1, id);
  bind_nullable (gen->span, 2, s->parent_id == 0, s->parent_id);
  sqlite3_bind_int64 (gen->span, 3, s->thread_id);
  sqlite3_bind_int64 (gen->span, 4, name_id);
  sqlite3_bind_int64 (gen->span, 5, s->start_ns);
  bind_nullable (gen->span, 6, s->open, s->dur_ns);
  sqlite3_bind_int (gen->span, 7, s->depth);
  sqlite3_bind_int (gen->span, 8, s->status);
  sqlite3_bind_text (gen->span, 9, s->attrs, -1, SQLITE_STATIC);
  rc = sqlite3_step (gen->span);
  sqlite3_reset (gen->span);
  if (rc != SQLITE_DONE)
    return -1;
  gen->next_span_id = MAX (gen->next_span_id, id + 1);
  return id;
}

gint64
ctx_gen_span (CtxGen *gen, const CtxGenSpan *s)
{
  return write_span (gen, s, ctx_gen_string (gen, s->name != NULL ? s->name : "span"));
}

gint64
ctx_gen_event (CtxGen *gen, gint64 span_id, gint64 thread_id, gint64 ts_ns, const char *name,
               const char *attrs)
{
  sqlite3_stmt *stmt = NULL;
  gint64 id = -1;

  sqlite3_prepare_v2 (gen->db, "INSERT INTO event(span_id, thread_id, ts_ns, name_id, attrs)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)", -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, span_id);
  sqlite3_bind_int64 (stmt, 2, thread_id);
  sqlite3_bind_int64 (stmt, 3, ts_ns);
  sqlite3_bind_int64 (stmt, 4, ctx_gen_string (gen, name));
  sqlite3_bind_text (stmt, 5, attrs, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_DONE)
    id = sqlite3_last_insert_rowid (gen->db);
  sqlite3_finalize (stmt);
  return id;
}

/* ---- Synthetic traces of any size */

typedef struct
{
  CtxGen *gen;
  CtxGenOptions o;
  GRand *rand;
  gint64 *name_ids;
  guint written;
  guint n_roots;
  char attrs[256];
} Synth;

static const char *
synth_attrs (Synth *s, guint k, gboolean error)
{
  if (error)
    g_snprintf (s->attrs, sizeof s->attrs,
                "{\"exception.type\":\"IOError\",\"exception.message\":\"failed %u\","
                "\"exception.stacktrace\":\"main\\nwork\"}", k);
  else if (s->o.attrs_every != 0 && k % s->o.attrs_every == 0)
    g_snprintf (s->attrs, sizeof s->attrs,
                "{\"args.i\":%u,\"args.model\":\"m%u\",\"return\":%s}", k, k % 7,
                k % 2 ? "true" : "null");
  else
    return NULL;
  return s->attrs;
}

/* Writes one span and its subtree starting at *t; returns its duration. */
static gint64
synth_span (Synth *s, gint64 thread_id, gint64 parent_id, int depth, gint64 *t)
{
  guint k = s->written++;
  gint64 id = s->gen->next_span_id++;
  gint64 start = *t;
  gboolean error = s->o.error_every != 0 && k % s->o.error_every == s->o.error_every - 1;
  CtxGenSpan span = { .id = id, .parent_id = parent_id, .thread_id = thread_id,
                      .depth = depth, .status = error ? 2 : 1 };
  gint64 name_id = s->name_ids[g_rand_int_range (s->rand, 0, (gint32) s->o.n_names)];

  *t += 100 + g_rand_int_range (s->rand, 0, 1000);
  for (guint c = 0; (guint) depth < s->o.max_depth && c < s->o.fanout
       && s->written < s->o.n_spans; c++)
    {
      synth_span (s, thread_id, id, depth + 1, t);
      *t += 50 + g_rand_int_range (s->rand, 0, 200);
    }
  span.start_ns = start;
  span.dur_ns = *t - start;
  span.attrs = synth_attrs (s, k, error);
  if (depth == 0 && s->o.orphan_every != 0 && s->n_roots % s->o.orphan_every == 0)
    span.parent_id = G_GINT64_CONSTANT (1) << 50 | s->n_roots;
  span.open = depth == 0 && s->o.open_every != 0 && s->n_roots % s->o.open_every == 1;
  write_span (s->gen, &span, name_id);
  return span.dur_ns;
}

static void
synth_defaults (CtxGenOptions *o)
{
  o->n_processes = MAX (o->n_processes, 1);
  o->threads_per_process = MAX (o->threads_per_process, 1);
  o->fanout = o->fanout != 0 ? o->fanout : 3;
  o->max_depth = o->max_depth != 0 ? o->max_depth : 4;
  o->n_names = o->n_names != 0 ? o->n_names : 50;
}

static void
synth_names (Synth *s)
{
  s->name_ids = g_new (gint64, s->o.n_names);
  for (guint i = 0; i < s->o.n_names; i++)
    {
      g_autofree char *name = g_strdup_printf ("fn_%u", i);
      s->name_ids[i] = ctx_gen_string (s->gen, name);
    }
}

static GArray *
synth_threads (Synth *s)
{
  GArray *threads = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint p = 0; p < s->o.n_processes; p++)
    {
      g_autofree char *pname = g_strdup_printf ("proc%u", p);
      gint64 process = ctx_gen_process (s->gen, 1000 + p, pname);
      for (guint t = 0; t < s->o.threads_per_process; t++)
        {
          g_autofree char *tname = g_strdup_printf ("worker-%u", t);
          gint64 thread = ctx_gen_thread (s->gen, process, 2000 + p * 100 + t, tname);
          g_array_append_val (threads, thread);
        }
    }
  return threads;
}

/* Root trees go round-robin over the threads, as a writer thread would commit them. */
static void
synth_roots (Synth *s, GArray *threads)
{
  g_autofree gint64 *clock = g_new (gint64, threads->len);

  for (guint t = 0; t < threads->len; t++)
    clock[t] = G_GINT64_CONSTANT (1700000000000000000) + t * 37;
  while (s->written < s->o.n_spans)
    for (guint t = 0; t < threads->len && s->written < s->o.n_spans; t++)
      {
        synth_span (s, g_array_index (threads, gint64, t), 0, 0, &clock[t]);
        clock[t] += 1000;
        s->n_roots++;
      }
}

gboolean
ctx_gen_trace (const char *path, const CtxGenOptions *options, guint *n_written,
               GError **error)
{
  Synth s = { .o = *options };
  g_autoptr (GArray) threads = NULL;

  synth_defaults (&s.o);
  s.gen = ctx_gen_new (path, error);
  if (s.gen == NULL)
    return FALSE;
  s.rand = g_rand_new_with_seed ((guint32) s.o.seed);
  synth_names (&s);
  threads = synth_threads (&s);
  synth_roots (&s, threads);
  g_rand_free (s.rand);
  g_free (s.name_ids);
  if (n_written != NULL)
    *n_written = s.written;
  return ctx_gen_close (s.gen, TRUE, error);
}

/* ---- Bad files */

static gboolean
write_bytes (const char *path, const char *bytes, gsize n, GError **error)
{
  return g_file_set_contents (path, bytes, (gssize) n, error);
}

static gboolean
gen_simple (const char *path, const char *sql, GError **error)
{
  CtxGen *gen = ctx_gen_new (path, error);

  if (gen == NULL)
    return FALSE;
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "main");
  if (!ctx_gen_exec (gen, sql, error))
    {
      ctx_gen_close (gen, FALSE, NULL);
      return FALSE;
    }
  return ctx_gen_close (gen, FALSE, error);
}

static gboolean
gen_foreign (const char *path, GError **error)
{
  sqlite3 *db = NULL;
  int rc;

  g_unlink (path);
  rc = sqlite3_open (path, &db);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (db, "CREATE TABLE span(id INTEGER PRIMARY KEY, x);"
                       " INSERT INTO span(x) VALUES (1)", NULL, NULL, NULL);
  check (db, rc, error);
  sqlite3_close (db);
  return rc == SQLITE_OK;
}

static gboolean
gen_deep_json (const char *path, gboolean valid, GError **error)
{
  const gsize depth = 100000;
  g_autofree char *json = g_malloc (2 * depth + 16);
  g_autofree char *sql = NULL;

  memset (json, '[', depth);
  memset (json + depth, ']', valid ? depth : depth / 2);
  json[valid ? 2 * depth : depth + depth / 2] = '\0';
  sql = g_strdup_printf ("INSERT INTO string(id, value) VALUES (1, 'deep');"
                         "INSERT INTO span VALUES (1, 1, NULL, 1, 1, 100, 50, 0, 2,"
                         " '{\"a\":%s}');"
                         "INSERT INTO span VALUES (2, 1, NULL, 1, 1, 200, 50, 0, 1,"
                         " '{\"args.x\": 1,');"
                         "INSERT INTO event VALUES (1, 1, 1, 120, 1, '%s');", json, json);
  return gen_simple (path, sql, error);
}

static gboolean
gen_huge_name (const char *path, GError **error)
{
  const gsize size = 10 * 1024 * 1024;
  CtxGen *gen = ctx_gen_new (path, error);
  g_autofree char *name = g_malloc (size + 1);

  if (gen == NULL)
    return FALSE;
  memset (name, 'x', size);
  name[size] = '\0';
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, name);
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 1, .name = name, .start_ns = 10,
                                     .dur_ns = 5 });
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 1, .name = "short", .start_ns = 20,
                                     .dur_ns = 5 });
  return ctx_gen_close (gen, FALSE, error);
}

static gboolean
gen_many_children (const char *path, GError **error)
{
  const guint n = 1000000;
  CtxGen *gen = ctx_gen_new (path, error);
  gint64 name;

  if (gen == NULL)
    return FALSE;
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "main");
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 1, .name = "parent", .start_ns = 0,
                                     .dur_ns = 4 * (gint64) n });
  name = ctx_gen_string (gen, "child");
  for (guint i = 0; i < n; i++)
    write_span (gen, &(CtxGenSpan) { .parent_id = 1, .thread_id = 1, .depth = 1,
                                     .start_ns = 4 * (gint64) i + 1, .dur_ns = 2 }, name);
  return ctx_gen_close (gen, FALSE, error);
}

static gboolean
gen_bad_times (const char *path, GError **error)
{
  return gen_simple (path,
      "INSERT INTO string(id, value) VALUES (1, 'backwards'), (2, 'outside');"
      /* end < start, then a child that starts before and ends after its parent */
      "INSERT INTO span VALUES (1, 1, NULL, 1, 1, 1000, -500, 0, 1, NULL);"
      "INSERT INTO span VALUES (2, 1, NULL, 1, 2, 2000, 100, 0, 1, NULL);"
      "INSERT INTO span VALUES (3, 1, 2, 1, 2, 1900, 300, 1, 1, NULL);"
      /* a depth far beyond any real stack, a status outside 0..2, a missing name */
      "INSERT INTO span VALUES (4, 1, NULL, 1, 2, 3000, 10, 1000000, 7, NULL);"
      "INSERT INTO span VALUES (5, 1, NULL, 1, 99, 3100, 10, -3, 1, NULL);"
      /* a thread that has no row */
      "INSERT INTO span VALUES (6, 1, NULL, 42, 1, 3200, 10, 0, 1, NULL);", error);
}

static gboolean
gen_int64_limits (const char *path, GError **error)
{
  return gen_simple (path,
      "INSERT INTO string(id, value) VALUES (1, 'edge');"
      "INSERT INTO span VALUES (1, 1, NULL, 1, 1, -9223372036854775807, 10, 0, 1, NULL);"
      "INSERT INTO span VALUES (2, 1, NULL, 1, 1, 9223372036854775000, 9000, 0, 1, NULL);"
      "INSERT INTO span VALUES (3, 1, NULL, 1, 1, 0, 9223372036854775807, 0, 1, NULL);"
      "INSERT INTO span VALUES (4, 1, 3, 1, 1, 10, 9223372036854775807, 1, 1, NULL);"
      "INSERT INTO span VALUES (5, 1, NULL, 1, 1, 9223372036854775807, NULL, 0, 0, NULL);"
      /* ids at both ends of the int64 range, a string id far below the others */
      "INSERT INTO string(id, value) VALUES (-9223372036854775000, 'far');"
      "INSERT INTO span VALUES (9223372036854775807, 1, -9223372036854775807, 1,"
      " -9223372036854775000, 50, 5, 0, 1, NULL);"
      "INSERT INTO span VALUES (-9223372036854775807, 1, 9223372036854775807, 1, 1, 60, 5,"
      " 1, 1, NULL);",
      error);
}

static gboolean
gen_sized (const char *path, GError **error)
{
  CtxGenOptions o = { .n_spans = 5000, .attrs_every = 3 };
  CtxGen *gen;

  if (!ctx_gen_trace (path, &o, NULL, error))
    return FALSE;
  /* ctx_gen_trace leaves WAL mode; damage tests want the rollback journal's plain file. */
  gen = g_new0 (CtxGen, 1);
  if (sqlite3_open (path, &gen->db) != SQLITE_OK)
    {
      sqlite3_close (gen->db);
      g_free (gen);
      return FALSE;
    }
  return ctx_gen_close (gen, FALSE, error);
}

static gboolean
damage (const char *path, gboolean truncate, GError **error)
{
  g_autofree char *data = NULL;
  gsize n = 0;

  if (!gen_sized (path, error) || !g_file_get_contents (path, &data, &n, error))
    return FALSE;
  if (truncate)
    return write_bytes (path, data, n / 2, error);
  /* Garbage over a page in the middle of the span table. */
  memset (data + (n / 4096 / 2) * 4096, 0xab, 4096);
  return write_bytes (path, data, n, error);
}

gboolean
ctx_gen_bad (const char *path, const char *kind, GError **error)
{
  static const char text[] = "This is a text file, not a trace.\n";

  if (g_str_equal (kind, "empty"))
    return write_bytes (path, "", 0, error);
  if (g_str_equal (kind, "text"))
    return write_bytes (path, text, sizeof text - 1, error);
  if (g_str_equal (kind, "foreign"))
    return gen_foreign (path, error);
  if (g_str_equal (kind, "newer"))
    return gen_simple (path, "PRAGMA user_version=2", error);
  if (g_str_equal (kind, "truncated") || g_str_equal (kind, "corrupt-page"))
    return damage (path, g_str_equal (kind, "truncated"), error);
  if (g_str_equal (kind, "no-span-table"))
    return gen_simple (path, "DROP TABLE span", error);
  if (g_str_equal (kind, "span-view"))
    return gen_simple (path, "ALTER TABLE span RENAME TO real_span;"
                       " CREATE VIEW span AS SELECT * FROM real_span", error);
  if (g_str_equal (kind, "deep-json") || g_str_equal (kind, "invalid-json"))
    return gen_deep_json (path, g_str_equal (kind, "deep-json"), error);
  if (g_str_equal (kind, "huge-name"))
    return gen_huge_name (path, error);
  if (g_str_equal (kind, "many-children"))
    return gen_many_children (path, error);
  if (g_str_equal (kind, "bad-times"))
    return gen_bad_times (path, error);
  if (g_str_equal (kind, "int64-limits"))
    return gen_int64_limits (path, error);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "unknown bad kind %s", kind);
  return FALSE;
}
