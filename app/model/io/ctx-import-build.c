/* ctx-import-build.c: the imported events, held as compact items, written as a trace.
 *
 * Chrome events carry no parent: nesting is rebuilt per thread by sorting the items by
 * (thread, start, longest first) and keeping a stack of the spans still running, which
 * also gives each instant its enclosing span.  Ids are handed out in that order, so each
 * row is written once, complete, with no UPDATE afterwards.
 */
#include "ctx-import-private.h"

#include <stdlib.h>
#include <string.h>

#include "ctxtrace.h"

#define IMPORT_LIBRARY_VERSION "ctxtrace import " CTXTRACE_VERSION_STRING

typedef struct
{
  gint64 end;  /* relative ns; G_MAXINT64 while open */
  gint64 id;
} Running;

/* Spans are inserted SPAN_BATCH rows per statement: one VDBE run per row costs a third
 * of the import's time otherwise. */
#define SPAN_BATCH 32
#define SPAN_COLUMNS 9

typedef struct
{
  gint64 id;
  gint64 parent;  /* 0 for none */
  gint64 thread;
  gint64 name;
  gint64 start;
  gint64 dur;     /* -1 while open */
  int depth;
  int status;
  const char *attrs;
} SpanRow;

typedef struct
{
  sqlite3 *db;
  CtxImportData *data;
  sqlite3_stmt *span;        /* one row */
  sqlite3_stmt *span_batch;  /* SPAN_BATCH rows */
  SpanRow pending[SPAN_BATCH];
  guint n_pending;
  sqlite3_stmt *event;
  GArray *stack;  /* Running */
  gint64 next_span_id;
  gint64 next_event_id;
} Builder;

static void
process_clear (gpointer p)
{
  g_free (((CtxImportProcess *) p)->name);
}

static void
thread_clear (gpointer p)
{
  CtxImportThread *t = p;

  g_free (t->name);
  g_array_unref (t->open);
}

static guint
pair_hash (gconstpointer key)
{
  const gint64 *k = key;

  return g_int64_hash (&k[0]) * 31 + g_int64_hash (&k[1]);
}

static gboolean
pair_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, 2 * sizeof (gint64)) == 0;
}

void
ctx_import_data_init (CtxImportData *data, CtxImportStats *stats)
{
  memset (stats, 0, sizeof *stats);
  data->stats = stats;
  data->items = g_array_new (FALSE, FALSE, sizeof (CtxImportItem));
  data->attrs = g_byte_array_new ();
  data->names = g_ptr_array_new_with_free_func (g_free);
  data->name_index = g_hash_table_new (g_str_hash, g_str_equal);
  data->processes = g_array_new (FALSE, TRUE, sizeof (CtxImportProcess));
  g_array_set_clear_func (data->processes, process_clear);
  data->process_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  data->threads = g_array_new (FALSE, TRUE, sizeof (CtxImportThread));
  g_array_set_clear_func (data->threads, thread_clear);
  data->thread_index = g_hash_table_new_full (pair_hash, pair_equal, g_free, NULL);
  data->base_ns = 0;
}

void
ctx_import_data_clear (CtxImportData *data)
{
  g_array_unref (data->items);
  g_byte_array_unref (data->attrs);
  g_hash_table_unref (data->name_index);
  g_ptr_array_unref (data->names);
  g_array_unref (data->processes);
  g_hash_table_unref (data->process_index);
  g_array_unref (data->threads);
  g_hash_table_unref (data->thread_index);
}

/* Names longer than the schema allows are cut at a UTF-8 boundary, as the library does.
 * name must be NUL-terminated at len (or later, when cut). */
guint32
ctx_import_intern (CtxImportData *data, const char *name, gsize len)
{
  g_autofree char *cut = NULL;
  gpointer index;

  if (len > CTX_IMPORT_MAX_NAME)
    {
      while (len > CTX_IMPORT_MAX_NAME)
        len = (gsize) (g_utf8_find_prev_char (name, name + len) - name);
      name = cut = g_strndup (name, len);
    }
  /* name is NUL-terminated here (a GString, or the cut copy): no copy per lookup. */
  index = g_hash_table_lookup (data->name_index, name);
  if (index != NULL)
    return GPOINTER_TO_UINT (index) - 1;
  g_ptr_array_add (data->names, cut != NULL ? g_steal_pointer (&cut) : g_strndup (name, len));
  g_hash_table_insert (data->name_index, g_ptr_array_index (data->names, data->names->len - 1),
                       GUINT_TO_POINTER (data->names->len));
  return data->names->len - 1;
}

guint32
ctx_import_process (CtxImportData *data, gint64 pid)
{
  gpointer index = g_hash_table_lookup (data->process_index, &pid);
  CtxImportProcess p = { pid, NULL, 0, 0 };

  if (index != NULL)
    return GPOINTER_TO_UINT (index) - 1;
  g_array_append_val (data->processes, p);
  g_hash_table_insert (data->process_index, g_memdup2 (&pid, sizeof pid),
                       GUINT_TO_POINTER (data->processes->len));
  return data->processes->len - 1;
}

guint32
ctx_import_thread (CtxImportData *data, gint64 pid, gint64 tid)
{
  gint64 key[2] = { pid, tid };
  gpointer index = g_hash_table_lookup (data->thread_index, key);
  CtxImportThread t = { tid, 0, NULL, NULL };

  if (index != NULL)
    return GPOINTER_TO_UINT (index) - 1;
  t.process = ctx_import_process (data, pid);
  t.open = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (data->threads, t);
  g_hash_table_insert (data->thread_index, g_memdup2 (key, sizeof key),
                       GUINT_TO_POINTER (data->threads->len));
  return data->threads->len - 1;
}

/* ---- Writing ------------------------------------------------------------------------ */

static gint64
absolute (CtxImportData *data, gint64 rel)
{
  gint64 sum;

  if (__builtin_add_overflow (data->base_ns, rel, &sum))
    return rel < 0 ? G_MININT64 : G_MAXINT64;
  return sum;
}

static gboolean
step_done (sqlite3 *db, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  return ctx_io_sql_error (db, "writing the trace", error);
}

static sqlite3_stmt *
prepare (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    ctx_io_sql_error (db, "writing the trace", error);
  return stmt;
}

static gboolean
write_names (Builder *b, GError **error)
{
  sqlite3_stmt *stmt = prepare (b->db, "INSERT INTO string(id, value) VALUES (?, ?)", error);
  gboolean ok = stmt != NULL;

  for (guint i = 0; ok && i < b->data->names->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, i + 1);
      sqlite3_bind_text (stmt, 2, g_ptr_array_index (b->data->names, i), -1, SQLITE_STATIC);
      ok = step_done (b->db, stmt, error);
    }
  sqlite3_finalize (stmt);
  return ok;
}

/* Each process spans from its first to its last timestamp. */
static void
process_ranges (CtxImportData *data, gint64 *ranges)
{
  for (guint i = 0; i < data->processes->len; i++)
    {
      ranges[2 * i] = G_MAXINT64;
      ranges[2 * i + 1] = G_MININT64;
    }
  for (guint i = 0; i < data->items->len; i++)
    {
      const CtxImportItem *it = &g_array_index (data->items, CtxImportItem, i);
      guint32 p = g_array_index (data->threads, CtxImportThread, it->thread).process;
      gint64 end = it->dur > 0 ? it->start + it->dur : it->start;

      ranges[2 * p] = MIN (ranges[2 * p], it->start);
      ranges[2 * p + 1] = MAX (ranges[2 * p + 1], end);
    }
}

static void
bind_process (CtxImportData *data, sqlite3_stmt *stmt, guint i, const gint64 *ranges)
{
  const CtxImportProcess *p = &g_array_index (data->processes, CtxImportProcess, i);
  gboolean empty = ranges[2 * i] > ranges[2 * i + 1];

  sqlite3_bind_int64 (stmt, 1, i + 1);
  sqlite3_bind_int64 (stmt, 2, p->pid);
  sqlite3_bind_text (stmt, 3, p->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, empty ? data->base_ns : absolute (data, ranges[2 * i]));
  sqlite3_bind_int64 (stmt, 5, empty ? data->base_ns : absolute (data, ranges[2 * i + 1]));
  sqlite3_bind_int64 (stmt, 6, (gint64) p->rejected_attrs);
  sqlite3_bind_int64 (stmt, 7, (gint64) p->truncated_values);
}

static gboolean
write_processes (Builder *b, GError **error)
{
  sqlite3_stmt *stmt = prepare (b->db,
      "INSERT INTO process(id, pid, name, start_ns, end_ns, clock, library_version,"
      " rejected_attrs, truncated_values)"
      " VALUES (?1, ?2, ?3, ?4, ?5, 'monotonic', '" IMPORT_LIBRARY_VERSION "', ?6, ?7)", error);
  g_autofree gint64 *ranges = g_new (gint64, 2 * (gsize) b->data->processes->len + 2);
  gboolean ok = stmt != NULL;

  process_ranges (b->data, ranges);
  for (guint i = 0; ok && i < b->data->processes->len; i++)
    {
      bind_process (b->data, stmt, i, ranges);
      ok = step_done (b->db, stmt, error);
    }
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
write_threads (Builder *b, GError **error)
{
  sqlite3_stmt *stmt = prepare (b->db,
      "INSERT INTO thread(id, process_id, tid, name) VALUES (?, ?, ?, ?)", error);
  gboolean ok = stmt != NULL;

  for (guint i = 0; ok && i < b->data->threads->len; i++)
    {
      const CtxImportThread *t = &g_array_index (b->data->threads, CtxImportThread, i);

      sqlite3_bind_int64 (stmt, 1, i + 1);
      sqlite3_bind_int64 (stmt, 2, t->process + 1);
      sqlite3_bind_int64 (stmt, 3, t->tid);
      sqlite3_bind_text (stmt, 4, t->name, -1, SQLITE_STATIC);
      ok = step_done (b->db, stmt, error);
    }
  sqlite3_finalize (stmt);
  return ok;
}

/* Imported spans form one distributed trace with a fresh random W3C id. */
static gboolean
write_trace_and_meta (Builder *b, const char *source_name, GError **error)
{
  sqlite3_stmt *stmt = prepare (b->db, "INSERT INTO trace(id, hex) VALUES (1, ?1)", error);
  g_autofree char *hex = g_strdup_printf ("%08x%08x%08x%08x", g_random_int (),
                                          g_random_int (), g_random_int (), g_random_int ());
  gboolean ok = stmt != NULL;

  if (ok)
    {
      sqlite3_bind_text (stmt, 1, hex, -1, SQLITE_STATIC);
      ok = step_done (b->db, stmt, error);
    }
  sqlite3_finalize (stmt);
  stmt = ok ? prepare (b->db, "INSERT OR REPLACE INTO meta(key, value)"
                       " VALUES ('imported_from', ?1)", error) : NULL;
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, source_name, -1, SQLITE_STATIC);
      ok = step_done (b->db, stmt, error);
    }
  sqlite3_finalize (stmt);
  return ok && stmt != NULL;
}

static int
compare_items (const void *a, const void *b)
{
  const CtxImportItem *x = a, *y = b;
  gint64 dx = x->dur < 0 ? G_MAXINT64 : x->dur;
  gint64 dy = y->dur < 0 ? G_MAXINT64 : y->dur;

  if (x->thread != y->thread)
    return x->thread < y->thread ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  if (dx != dy)
    return dx > dy ? -1 : 1;  /* the longer span is the parent */
  return 0;
}

static const char *
item_attrs (Builder *b, const CtxImportItem *it)
{
  return it->attrs == 0 ? NULL : (const char *) b->data->attrs->data + it->attrs - 1;
}

/* Statements are reused without clearing bindings, so NULLs are bound explicitly. */
static void
bind_parent (Builder *b, sqlite3_stmt *s, int col)
{
  if (b->stack->len > 0)
    sqlite3_bind_int64 (s, col, g_array_index (b->stack, Running, b->stack->len - 1).id);
  else
    sqlite3_bind_null (s, col);
}

static void
bind_span_row (sqlite3_stmt *s, int base, const SpanRow *r)
{
  sqlite3_bind_null (s, base + 1);  /* = r->id, see prepare_span_batch() */
  if (r->parent != 0)
    sqlite3_bind_int64 (s, base + 2, r->parent);
  else
    sqlite3_bind_null (s, base + 2);
  sqlite3_bind_int64 (s, base + 3, r->thread);
  sqlite3_bind_int64 (s, base + 4, r->name);
  sqlite3_bind_int64 (s, base + 5, r->start);
  if (r->dur >= 0)
    sqlite3_bind_int64 (s, base + 6, r->dur);
  else
    sqlite3_bind_null (s, base + 6);
  sqlite3_bind_int (s, base + 7, r->depth);
  sqlite3_bind_int (s, base + 8, r->status);
  sqlite3_bind_text (s, base + 9, r->attrs, -1, SQLITE_STATIC);
}

/* Writes the pending rows: a full batch at once, a partial one row by row. */
static gboolean
flush_spans (Builder *b)
{
  gboolean ok = TRUE;

  if (b->n_pending == SPAN_BATCH)
    {
      for (guint i = 0; i < SPAN_BATCH; i++)
        bind_span_row (b->span_batch, (int) i * SPAN_COLUMNS, &b->pending[i]);
      ok = step_done (b->db, b->span_batch, NULL);
    }
  else
    for (guint i = 0; ok && i < b->n_pending; i++)
      {
        bind_span_row (b->span, 0, &b->pending[i]);
        ok = step_done (b->db, b->span, NULL);
      }
  b->n_pending = 0;
  return ok;
}

static gboolean
write_span (Builder *b, const CtxImportItem *it)
{
  Running run = { it->dur < 0 ? G_MAXINT64 : it->start + it->dur, ++b->next_span_id };
  SpanRow *r = &b->pending[b->n_pending++];

  while (b->stack->len > 0
         && g_array_index (b->stack, Running, b->stack->len - 1).end <= it->start)
    g_array_set_size (b->stack, b->stack->len - 1);
  r->id = run.id;
  r->parent = b->stack->len > 0 ? g_array_index (b->stack, Running, b->stack->len - 1).id : 0;
  r->thread = it->thread + 1;
  r->name = it->name + 1;
  r->start = absolute (b->data, it->start);
  r->dur = it->dur;
  r->depth = (int) MIN (b->stack->len, G_MAXINT32);
  r->status = it->status;
  r->attrs = item_attrs (b, it);
  g_array_append_val (b->stack, run);
  b->data->stats->spans++;
  if (it->dur < 0)
    b->data->stats->open_spans++;
  return b->n_pending < SPAN_BATCH || flush_spans (b);
}

static gboolean
write_instant (Builder *b, const CtxImportItem *it)
{
  sqlite3_stmt *s = b->event;

  /* An instant at a span's very end still happened inside it. */
  while (b->stack->len > 0
         && g_array_index (b->stack, Running, b->stack->len - 1).end < it->start)
    g_array_set_size (b->stack, b->stack->len - 1);
  sqlite3_bind_int64 (s, 1, ++b->next_event_id);
  bind_parent (b, s, 2);
  sqlite3_bind_int64 (s, 3, it->thread + 1);
  sqlite3_bind_int64 (s, 4, absolute (b->data, it->start));
  sqlite3_bind_int64 (s, 5, it->name + 1);
  sqlite3_bind_text (s, 6, item_attrs (b, it), -1, SQLITE_STATIC);
  return step_done (b->db, s, NULL);
}

/* Parent ids were handed out before SQLite chose the rowids: they must agree. */
static gboolean
check_ids (Builder *b, GError **error)
{
  sqlite3_stmt *stmt = prepare (b->db, "SELECT ifnull(max(id), 0) FROM span", error);
  gboolean ok = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW
                && sqlite3_column_int64 (stmt, 0) == b->next_span_id;

  if (stmt != NULL && !ok)
    g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_WRITE,
                 "internal error: span ids out of step while writing the trace");
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
write_items (Builder *b, GError **error)
{
  GArray *items = b->data->items;
  guint32 thread = G_MAXUINT32;

  if (items->len > 1)
    qsort (items->data, items->len, sizeof (CtxImportItem), compare_items);
  for (guint i = 0; i < items->len; i++)
    {
      const CtxImportItem *it = &g_array_index (items, CtxImportItem, i);
      gboolean ok;

      if (it->thread != thread)
        g_array_set_size (b->stack, 0);
      thread = it->thread;
      ok = it->kind == CTX_ITEM_SPAN ? write_span (b, it) : write_instant (b, it);
      if (!ok)
        return ctx_io_sql_error (b->db, "writing the trace", error);
    }
  if (!flush_spans (b))
    return ctx_io_sql_error (b->db, "writing the trace", error);
  return check_ids (b, error);
}

static sqlite3_stmt *
prepare_span_batch (sqlite3 *db, GError **error)
{
  g_autoptr (GString) sql = g_string_new ("INSERT INTO span(id, trace_id, parent_id,"
                                          " thread_id, name_id, start_ns, dur_ns, depth,"
                                          " status, attrs) VALUES ");

  /* The id is bound as NULL: SQLite then appends at max(id) + 1 without a seek, which
   * is the id we handed out (the table starts empty and rows come in id order). */
  for (int i = 0; i < SPAN_BATCH; i++)
    g_string_append (sql, i == 0 ? "(?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"
                                 : ", (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)");
  return prepare (db, sql->str, error);
}

gboolean
ctx_import_build (CtxImportData *data, sqlite3 *db, const char *source_name, GError **error)
{
  Builder b = { 0 };
  gboolean ok;

  b.db = db;
  b.data = data;
  b.stack = g_array_new (FALSE, FALSE, sizeof (Running));
  b.span = prepare (db, "INSERT INTO span(id, trace_id, parent_id, thread_id, name_id,"
                    " start_ns, dur_ns, depth, status, attrs)"
                    " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
  b.span_batch = b.span == NULL ? NULL : prepare_span_batch (db, error);
  b.event = b.span_batch == NULL ? NULL
    : prepare (db, "INSERT INTO event(id, span_id, thread_id, ts_ns, name_id, attrs)"
               " VALUES (?, ?, ?, ?, ?, ?)", error);
  ok = b.event != NULL && write_names (&b, error) && write_processes (&b, error)
       && write_threads (&b, error) && write_trace_and_meta (&b, source_name, error)
       && write_items (&b, error);
  sqlite3_finalize (b.span);
  sqlite3_finalize (b.span_batch);
  sqlite3_finalize (b.event);
  g_array_unref (b.stack);
  return ok;
}
