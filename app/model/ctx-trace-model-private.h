/* ctx-trace-model-private.h: what the model's source files share.  Not for the viewer. */
#pragma once

#include <sqlite3.h>

#include "ctx-trace-db.h"
#include "ctx-trace-model.h"

G_BEGIN_DECLS

/* Longest name kept in memory, in bytes; longer ones end with "…". */
#define CTX_MAX_NAME_BYTES 4096

/* A span whose parent id could not be resolved yet (parent absent or not loaded yet). */
typedef struct
{
  guint32 span;
  gint64 parent_id;
} CtxPendingParent;

/* Sorted file ids with their model indices: strings and threads. */
typedef struct
{
  gint64 id;
  guint32 index;
} CtxIdIndex;

/* Span ids by span index, as runs of consecutive ids: one run for a file the library wrote
 * (ids are dense), a run per gap otherwise.  Spans are appended in id order. */
typedef struct
{
  gint64 first_id;
  guint32 first_index;
} CtxIdRun;

typedef struct
{
  GArray *runs;  /* CtxIdRun, by first_index (and so by first_id) */
  guint n;       /* ids pushed: the next index */
} CtxIdRuns;

struct _CtxTraceModel
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  CtxFileId file_id;
  gint64 data_version;    /* of the last change applied */
  gint64 seen_version;    /* of the last check: a delta read after it covers it */
  gboolean more_pending;
  sqlite3 *live_db;       /* the delta reader's connection (one read in flight at most) */  /* a bounded refresh left committed spans unread */

  /* Workers (search, aggregation) read spans, strings and lanes under the reader side;
   * refresh, on the model's thread, changes them under the writer side. */
  GRWLock lock;

  CtxSpan *spans;
  guint n_spans;
  guint spans_alloc;
  CtxIdRuns span_ids;    /* span index -> span.id, for the n_spans spans */

  GPtrArray *strings;    /* char*, index = CtxSpan.name */
  GArray *string_ids;    /* CtxIdIndex sorted by id */
  guint32 unknown_name;  /* string index for a missing string row, CTX_NONE until needed */

  GArray *processes;     /* CtxProcess */
  GPtrArray *lanes;      /* CtxLane*, grouped by process, by thread id within one */
  GArray *thread_ids;    /* CtxIdIndex: thread.id -> lane, sorted by id */

  GArray *open_spans;    /* guint32 spans with CTX_SPAN_OPEN */
  GArray *pending;       /* CtxPendingParent: orphans, resolved if their parent arrives */
  GArray *irregular;     /* guint32 children not found under their parent's lane row */

  gint64 start_ns;
  gint64 end_ns;
  gint64 last_span_id;
  gint64 last_event_id;
  gint64 last_string_id;
  gint64 last_thread_id;
};

/* A span row as read, before names, threads and parents are resolved. */
typedef struct
{
  gint64 id;
  gint64 parent_id;  /* G_MININT64: none */
  gint64 thread_id;
  gint64 name_id;
  gint64 start_ns;
  gint64 dur_ns;
  gint64 depth;
  gint bits;         /* status | open << 2 | has attrs << 3 */
} CtxRawSpan;

/* Each sqlite3_column_*() call costs about as much as decoding the row, so the flags are
 * packed into one column: status (0..2, anything else 0), open, has attrs. */
#define CTX_SPAN_QUERY \
  "SELECT id, ifnull(parent_id, -9223372036854775807 - 1), thread_id, name_id, start_ns," \
  " dur_ns, depth, (CASE status WHEN 1 THEN 1 WHEN 2 THEN 2 ELSE 0 END)" \
  " | ((dur_ns IS NULL) << 2) | ((attrs IS NOT NULL) << 3)" \
  " FROM span WHERE id > ?1 AND id <= ?2 ORDER BY id"

#define CTX_RAW_NO_PARENT G_MININT64
#define CTX_RAW_OPEN 4
#define CTX_RAW_ATTRS 8

/* A span that was open at the last refresh and has ended since. */
typedef struct
{
  gint64 id;
  gint64 dur_ns;
  gint64 status;
  gint has_attrs;
} CtxClosedSpan;

typedef struct
{
  gint64 id;
  gint64 process_id;
  gint64 tid;
  char *name;  /* NULL: unnamed */
} CtxRawThread;

/* The model's marks a delta reads after (a snapshot taken on the model's thread). */
typedef struct
{
  gint64 span_id;
  gint64 string_id;
  gint64 thread_id;
  gint64 event_id;
  gint64 data_version;
  guint n_spans;      /* the model's span count: a delta for another state is stale */
  guint max_spans;    /* 0: no bound */
  GArray *open_ids;   /* gint64 ids of the spans that were open */
} CtxDeltaFrom;

struct _CtxTraceDelta
{
  CtxDeltaFrom from;
  GPtrArray *strings;   /* char*, capped and valid UTF-8 */
  GArray *string_ids;   /* gint64, parallel to strings */
  GArray *processes;    /* CtxProcess: every row */
  GArray *threads;      /* CtxRawThread */
  GArray *spans;        /* CtxRawSpan in id order */
  GArray *closed;       /* CtxClosedSpan */
  gboolean has_events;
  gint64 last_event_id;
  gint64 events_min;
  gint64 events_max;
  gint64 until;         /* span ids read: (from.span_id, until] */
  gboolean more;        /* committed spans beyond until */
};

/* Hostile files carry timestamps near the int64 limits: arithmetic on them saturates. */
static inline gint64
ctx_sat_add (gint64 a, gint64 b)
{
  gint64 r;

  if (__builtin_add_overflow (a, b, &r))
    return b > 0 ? G_MAXINT64 : G_MININT64;
  return r;
}

static inline gint64
ctx_span_duration (const CtxSpan *span)
{
  gint64 r;

  if (__builtin_sub_overflow (span->end_ns, span->start_ns, &r))
    return G_MAXINT64;
  return r;
}

typedef struct
{
  CtxProgressFunc func;
  gpointer data;
} CtxProgress;

/* What a span scan saw, for the serial steps after it. */
typedef struct
{
  gint64 min_t;
  gint64 max_t;
  gboolean lanes_added;
} CtxScanResult;

/* ctx-trace-model-delta.c */
CtxTraceDelta *ctx_trace_delta_new (const CtxDeltaFrom *from);
gboolean ctx_trace_delta_read_meta (CtxTraceDelta *delta, sqlite3 *db, const char *path,
                                    const CtxDbGuard *guard, GError **error);
gboolean ctx_trace_delta_read_events (CtxTraceDelta *delta, sqlite3 *db, const char *path,
                                      const CtxDbGuard *guard, GError **error);
/* Everything: closed spans, meta, spans up to the bound, events (one transaction). */
gboolean ctx_trace_delta_read (CtxTraceDelta *delta, sqlite3 *db, const char *path,
                               GError **error);

/* ctx-trace-model-scan.c: reads spans with ids in (after, until], in parallel chunks on
 * their own connections when parallel is set and the range is large.  Appends them to the
 * model with parents resolved where the chunk could; the rest go to pending. */
gboolean ctx_trace_model_scan_spans (CtxTraceModel *self, const CtxDbGuard *guard,
                                     gint64 after, gint64 until, gboolean parallel,
                                     const CtxProgress *progress, CtxScanResult *result,
                                     GError **error);

/* A row of CTX_SPAN_QUERY. */
void ctx_raw_span_read (CtxRawSpan *r, sqlite3_stmt *stmt);
/* Everything of s but its parent (CTX_NONE); name or lane CTX_NONE when unknown. */
void ctx_trace_model_fill_span (CtxTraceModel *self, CtxSpan *s, const CtxRawSpan *r);

/* ctx-trace-model-load.c */
gboolean ctx_trace_model_delta_is_current (CtxTraceModel *self, CtxTraceDelta *delta);
/* Appends delta (the writer lock held). */
void ctx_trace_model_apply_delta_locked (CtxTraceModel *self, CtxTraceDelta *delta);
void ctx_trace_model_reserve_spans (CtxTraceModel *self, guint want);
/* Gives a span whose name or thread the model did not know a placeholder name or lane. */
void ctx_trace_model_fix_span (CtxTraceModel *self, guint32 span, gint64 name_id,
                               gint64 thread_id, CtxScanResult *result);
gboolean ctx_trace_model_read_all (CtxTraceModel *self, GCancellable *cancellable,
                                   CtxProgressFunc progress, gpointer user_data,
                                   GError **error);
/* The model's marks, for a delta to read after. */
CtxTraceDelta *ctx_trace_model_delta_start (CtxTraceModel *self, guint max_spans);
/* Strings, processes and threads of delta into the model. */
void ctx_trace_model_apply_meta (CtxTraceModel *self, CtxTraceDelta *delta,
                                 CtxScanResult *result);
char *ctx_trace_model_column_text (sqlite3_stmt *stmt, int col);
void ctx_trace_model_free_lane (gpointer lane);
void ctx_trace_model_clear_process (gpointer process);

/* ctx-trace-model-index.c */
guint32 ctx_id_index_lookup (GArray *ids, gint64 id);
void ctx_id_runs_init (CtxIdRuns *runs);
void ctx_id_runs_clear (CtxIdRuns *runs);
/* The id of index runs->n. */
void ctx_id_runs_push (CtxIdRuns *runs, gint64 id);
/* src's ids after dst's (src's indices shifted by dst->n). */
void ctx_id_runs_append (CtxIdRuns *dst, const CtxIdRuns *src);
gint64 ctx_id_runs_get (const CtxIdRuns *runs, guint32 index);
/* The index of id, or CTX_NONE. */
guint32 ctx_id_runs_find (const CtxIdRuns *runs, gint64 id);
void ctx_trace_model_index_span (CtxTraceModel *self, guint32 span, gboolean bulk);
void ctx_trace_model_resolve_pending (CtxTraceModel *self);
/* Flags and indexes spans from first on, once their parents are known. */
void ctx_trace_model_link_new (CtxTraceModel *self, guint first, gboolean bulk);
void ctx_trace_model_sort_rows (CtxTraceModel *self);
gint64 ctx_trace_model_child_sum (CtxTraceModel *self, guint32 span, guint *n_children);

G_END_DECLS
