/* ctx-trace-model-scan.c: read span rows into CtxSpan arrays, in parallel id ranges.
 *
 * Decoding rows costs far more inside SQLite than in our code, so a large first load
 * splits the id range into one chunk per core; each chunk reads on its own connection
 * into its own array, resolving the parents it can see (ids increase in commit order,
 * so parents are mostly earlier in the same chunk).  The chunks are then appended in id
 * order, and what only the whole model can answer (other chunks' parents, missing names
 * or threads, lane rows) is done once, serially. */
#include "ctx-trace-model-private.h"

#include <glib/gstdio.h>
#include <string.h>

#define PROGRESS_ROWS 65536
#define PARALLEL_MIN_SPANS 200000
#define MAX_CHUNKS 4

/* A name or thread id that the model's tables do not know (fixed up serially). */
typedef struct
{
  guint32 span;
  gint64 name_id;
  gint64 thread_id;
} ScanMiss;

typedef struct
{
  CtxTraceModel *self;
  sqlite3 *db;            /* NULL: the chunk opens its own connection */
  CtxDbGuard guard;
  gint64 after;           /* ids in (after, until] */
  gint64 until;
  guint base;             /* index of the chunk's first span in the model's array */
  guint count;            /* spans read so far */
  guint capacity;         /* fixed region size (ids are unique, so until - after) */
  gboolean growable;      /* a single chunk may grow the array instead */
  GArray *pending;        /* CtxPendingParent, chunk-local span indices */
  GArray *misses;         /* ScanMiss, chunk-local */
  CtxIdRuns ids;          /* span ids, chunk-local indices */
  gint64 min_t;
  gint64 max_t;
  gint *rows_done;
  const CtxProgress *progress;  /* the first chunk only: it runs on the caller's thread */
  gint64 expected;
  GError *error;
} Chunk;

/* Parallel chunks write into fixed regions of one array: no chunk ever reallocates it
 * under another.  A region can only overflow if the file repeats ids (corrupt). */
static gboolean
chunk_reserve (Chunk *c)
{
  if (c->growable)
    ctx_trace_model_reserve_spans (c->self, c->base + c->count + 1);
  else if (c->count >= c->capacity)
    return FALSE;
  return TRUE;
}

static guint32
lookup_name (CtxTraceModel *self, gint64 name_id)
{
  const CtxIdIndex *v = (const CtxIdIndex *) (gpointer) self->string_ids->data;
  guint n = self->string_ids->len;

  /* string ids are dense in files the library writes: try the direct guess first. */
  if (n > 0 && name_id >= v[0].id && (guint64) name_id - (guint64) v[0].id < n
      && v[(guint64) name_id - (guint64) v[0].id].id == name_id)
    return v[(guint64) name_id - (guint64) v[0].id].index;
  return ctx_id_index_lookup (self->string_ids, name_id);
}

void
ctx_raw_span_read (CtxRawSpan *r, sqlite3_stmt *stmt)
{
  r->id = sqlite3_column_int64 (stmt, 0);
  r->parent_id = sqlite3_column_int64 (stmt, 1);
  r->thread_id = sqlite3_column_int64 (stmt, 2);
  r->name_id = sqlite3_column_int64 (stmt, 3);
  r->start_ns = sqlite3_column_int64 (stmt, 4);
  r->dur_ns = sqlite3_column_int64 (stmt, 5);
  r->depth = sqlite3_column_int64 (stmt, 6);
  r->bits = sqlite3_column_int (stmt, 7);
}

/* Everything but the parent, which needs the spans around it. */
void
ctx_trace_model_fill_span (CtxTraceModel *self, CtxSpan *s, const CtxRawSpan *r)
{
  s->start_ns = r->start_ns;
  s->flags = (r->bits & CTX_RAW_ATTRS) ? CTX_SPAN_HAS_ATTRS : 0;
  s->parent = CTX_NONE;
  s->name = lookup_name (self, r->name_id);
  s->lane = ctx_id_index_lookup (self->thread_ids, r->thread_id);
  s->depth = (guint16) CLAMP (r->depth, 0, G_MAXUINT16);
  s->status = (guint8) (r->bits & 3);
  if (r->bits & CTX_RAW_OPEN)
    {
      s->flags |= CTX_SPAN_OPEN;
      s->end_ns = G_MAXINT64;  /* until the latest timestamp is known */
      return;
    }
  s->end_ns = ctx_sat_add (s->start_ns, MAX (r->dur_ns, 0));
  if (r->dur_ns < 0)
    s->flags |= CTX_SPAN_INVALID_TIME;
}

static void
fill_span (Chunk *c, sqlite3_stmt *stmt, CtxSpan *s, guint32 local, CtxRawSpan *r)
{
  ctx_raw_span_read (r, stmt);
  ctx_trace_model_fill_span (c->self, s, r);
  ctx_id_runs_push (&c->ids, r->id);
  if (s->name == CTX_NONE || s->lane == CTX_NONE)
    g_array_append_val (c->misses, ((ScanMiss) { local, r->name_id, r->thread_id }));
}

static gboolean
scan_row (Chunk *c, sqlite3_stmt *stmt)
{
  guint32 local = c->count;
  CtxSpan *s;
  CtxRawSpan r;

  if (!chunk_reserve (c))
    return FALSE;
  s = c->self->spans + c->base + local;
  fill_span (c, stmt, s, local, &r);
  c->count++;
  c->min_t = MIN (c->min_t, s->start_ns);
  if (!(s->flags & CTX_SPAN_OPEN))
    c->max_t = MAX (c->max_t, s->end_ns);
  c->max_t = MAX (c->max_t, s->start_ns);
  if (r.parent_id == CTX_RAW_NO_PARENT)
    return TRUE;
  if (r.parent_id < r.id)
    s->parent = ctx_id_runs_find (&c->ids, r.parent_id);
  if (s->parent == CTX_NONE)
    g_array_append_val (c->pending, ((CtxPendingParent) { local, r.parent_id }));
  return TRUE;
}

static void
chunk_progress (Chunk *c)
{
  gint done = g_atomic_int_add (c->rows_done, PROGRESS_ROWS) + PROGRESS_ROWS;

  if (c->progress != NULL && c->progress->func != NULL && c->expected > 0)
    c->progress->func (MIN (1.0, (double) done / (double) c->expected), c->progress->data);
}

static int
chunk_query (Chunk *c)
{
  sqlite3_stmt *stmt = ctx_trace_db_prepare (c->db, CTX_SPAN_QUERY, c->self->path, &c->error);
  guint rows = 0;
  int rc;

  if (stmt == NULL)
    return SQLITE_ERROR;
  sqlite3_bind_int64 (stmt, 1, c->after);
  sqlite3_bind_int64 (stmt, 2, c->until);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (!scan_row (c, stmt))
        {
          g_set_error (&c->error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_CORRUPT,
                       "“%s” is damaged: span ids repeat", c->self->path);
          break;
        }
      if (++rows % PROGRESS_ROWS == 0)
        chunk_progress (c);
    }
  sqlite3_finalize (stmt);
  return rc;
}

static gpointer
chunk_run (gpointer data)
{
  Chunk *c = data;
  gboolean own = c->db == NULL;
  int rc;

  if (own && ((c->db = ctx_trace_db_open (c->self->path, NULL, &c->error)) == NULL
              || !ctx_trace_db_begin (c->db, c->self->path, &c->error)))
    return NULL;
  ctx_trace_db_guard_begin (c->db, &c->guard);
  rc = chunk_query (c);
  if (rc != SQLITE_DONE && c->error == NULL)
    ctx_trace_db_set_error (c->db, rc, &c->guard, c->self->path, &c->error);
  ctx_trace_db_guard_end (c->db);
  if (own)
    {
      ctx_trace_db_end (c->db);
      ctx_trace_db_close (c->db);
    }
  if (c->error != NULL)
    g_atomic_int_set (c->guard.stop, 1);
  return NULL;
}

/* ids may take any int64 value in a crafted file: range sizes are computed unsigned. */
static guint64
range_size (gint64 after, gint64 until)
{
  return until > after ? (guint64) until - (guint64) after : 0;
}

static void
chunk_init (Chunk *c, CtxTraceModel *self, const CtxDbGuard *guard, gint64 after,
            gint64 until, guint base, gboolean first)
{
  memset (c, 0, sizeof *c);
  c->self = self;
  c->guard = *guard;
  c->after = after;
  c->until = until;
  c->base = base;
  c->capacity = (guint) MIN (range_size (after, until), G_MAXUINT);
  c->pending = g_array_new (FALSE, FALSE, sizeof (CtxPendingParent));
  c->misses = g_array_new (FALSE, FALSE, sizeof (ScanMiss));
  ctx_id_runs_init (&c->ids);
  c->min_t = G_MAXINT64;
  c->max_t = G_MININT64;
  if (first)
    c->db = self->db;
}

static void
chunk_clear (Chunk *c)
{
  g_array_unref (c->pending);
  g_array_unref (c->misses);
  ctx_id_runs_clear (&c->ids);
  g_clear_error (&c->error);
}

/* Moves a chunk's spans to dest (right after the previous chunk's) and turns chunk-local
 * indices into model indices. */
static void
chunk_merge (CtxTraceModel *self, Chunk *c, guint dest, CtxScanResult *result)
{
  if (c->base != dest && c->count > 0)
    memmove (self->spans + dest, self->spans + c->base, c->count * sizeof (CtxSpan));
  for (guint i = dest; i < dest + c->count; i++)
    if (self->spans[i].parent != CTX_NONE)
      self->spans[i].parent += dest;
  for (guint i = 0; i < c->pending->len; i++)
    {
      CtxPendingParent p = g_array_index (c->pending, CtxPendingParent, i);
      p.span += dest;
      self->spans[p.span].flags |= CTX_SPAN_ORPHAN;
      g_array_append_val (self->pending, p);
    }
  self->n_spans = dest + c->count;
  ctx_id_runs_append (&self->span_ids, &c->ids);
  for (guint i = 0; i < c->misses->len; i++)
    {
      ScanMiss m = g_array_index (c->misses, ScanMiss, i);
      ctx_trace_model_fix_span (self, m.span + dest, m.name_id, m.thread_id, result);
    }
  result->min_t = MIN (result->min_t, c->min_t);
  result->max_t = MAX (result->max_t, c->max_t);
}

/* Rows the file can hold at most: a crafted id range must not make us reserve more. */
static guint64
max_rows_by_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size / 16 + 1024 : 1024;
}

static guint
n_chunks_for (CtxTraceModel *self, gint64 after, gint64 until, gboolean parallel)
{
  guint cores = MIN (g_get_num_processors (), MAX_CHUNKS);

  guint64 size = range_size (after, until);

  if (!parallel || cores < 2 || until == G_MAXINT64 || size < PARALLEL_MIN_SPANS
      || size > 2 * max_rows_by_size (self->path) || size + self->n_spans > G_MAXUINT32 / 2)
    return 1;
  return cores;
}

/* Parallel chunks get regions of one array sized by their id ranges; a single chunk
 * grows the array from an estimate. */
static void
split_range (Chunk *chunks, guint n, CtxTraceModel *self, const CtxDbGuard *guard,
             gint64 after, gint64 until)
{
  guint64 size = range_size (after, until);
  gint64 step = (gint64) (size / n);
  guint first = self->n_spans;

  if (n == 1)
    {
      chunk_init (&chunks[0], self, guard, after, until, first, TRUE);
      chunks[0].growable = TRUE;
      if (until != G_MAXINT64)
        ctx_trace_model_reserve_spans (self, first + (guint) MIN (MIN (size, max_rows_by_size (
                                                                    self->path)), G_MAXUINT32 / 2));
      return;
    }
  ctx_trace_model_reserve_spans (self, first + (guint) size);
  for (guint k = 0; k < n; k++)
    chunk_init (&chunks[k], self, guard, after + step * k,
                k + 1 == n ? until : after + step * (k + 1), first + (guint) (step * k), k == 0);
}

/* A chunk stopped because another failed reports "cancelled": prefer the real cause. */
static GError *
first_failure (Chunk *chunks, guint n)
{
  GError *cancelled = NULL;

  for (guint k = 0; k < n; k++)
    {
      if (chunks[k].error == NULL)
        continue;
      if (!g_error_matches (chunks[k].error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return chunks[k].error;
      cancelled = cancelled != NULL ? cancelled : chunks[k].error;
    }
  return cancelled;
}

gboolean
ctx_trace_model_scan_spans (CtxTraceModel *self, const CtxDbGuard *guard, gint64 after,
                            gint64 until, gboolean parallel, const CtxProgress *progress,
                            CtxScanResult *result, GError **error)
{
  Chunk chunks[MAX_CHUNKS];
  GThread *threads[MAX_CHUNKS] = { NULL };
  guint n = n_chunks_for (self, after, until, parallel);
  gint rows_done = 0, stop = 0;
  CtxDbGuard shared = *guard;
  GError *failure;

  shared.stop = &stop;
  split_range (chunks, n, self, &shared, after, until);
  for (guint k = 0; k < n; k++)
    {
      chunks[k].rows_done = &rows_done;
      chunks[k].progress = k == 0 ? progress : NULL;
      chunks[k].expected = until == G_MAXINT64 ? 0 : (gint64) MIN (range_size (after, until),
                                                                    G_MAXINT64);
    }
  for (guint k = 1; k < n; k++)
    threads[k] = g_thread_new ("ctx-scan", chunk_run, &chunks[k]);
  chunk_run (&chunks[0]);
  for (guint k = 1; k < n; k++)
    g_thread_join (threads[k]);
  failure = first_failure (chunks, n);
  if (failure != NULL)
    g_propagate_error (error, g_error_copy (failure));
  for (guint k = 0, dest = chunks[0].base; k < n; k++)
    {
      if (failure == NULL)
        chunk_merge (self, &chunks[k], dest, result);
      dest += chunks[k].count;
      chunk_clear (&chunks[k]);
    }
  return failure == NULL;
}
