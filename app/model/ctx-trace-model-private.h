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

struct _CtxTraceModel
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  CtxFileId file_id;
  gint64 data_version;
  gboolean more_pending;  /* a bounded refresh left committed spans unread */

  /* Workers (search, aggregation) read spans, strings and lanes under the reader side;
   * refresh, on the model's thread, changes them under the writer side. */
  GRWLock lock;

  CtxSpan *spans;
  guint n_spans;
  guint spans_alloc;

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

/* ctx-trace-model-scan.c: reads spans with ids in (after, until], in parallel chunks on
 * their own connections when parallel is set and the range is large.  Appends them to the
 * model with parents resolved where the chunk could; the rest go to pending. */
gboolean ctx_trace_model_scan_spans (CtxTraceModel *self, const CtxDbGuard *guard,
                                     gint64 after, gint64 until, gboolean parallel,
                                     const CtxProgress *progress, CtxScanResult *result,
                                     GError **error);

/* ctx-trace-model-load.c */
void ctx_trace_model_reserve_spans (CtxTraceModel *self, guint want);
/* Gives a span whose name or thread the model did not know a placeholder name or lane. */
void ctx_trace_model_fix_span (CtxTraceModel *self, guint32 span, gint64 name_id,
                               gint64 thread_id, CtxScanResult *result);
gboolean ctx_trace_model_read_all (CtxTraceModel *self, GCancellable *cancellable,
                                   CtxProgressFunc progress, gpointer user_data,
                                   GError **error);
/* Reads what was committed since last_*_id (at most max_spans spans unless 0) and re-reads
 * the spans that were open; *more when spans remain. */
gboolean ctx_trace_model_read_new (CtxTraceModel *self, guint max_spans, gboolean *more,
                                   GError **error);
void ctx_trace_model_free_lane (gpointer lane);
void ctx_trace_model_clear_process (gpointer process);

/* ctx-trace-model-index.c */
guint32 ctx_id_index_lookup (GArray *ids, gint64 id);
void ctx_trace_model_index_span (CtxTraceModel *self, guint32 span, gboolean bulk);
void ctx_trace_model_resolve_pending (CtxTraceModel *self);
/* Flags and indexes spans from first on, once their parents are known. */
void ctx_trace_model_link_new (CtxTraceModel *self, guint first, gboolean bulk);
void ctx_trace_model_sort_rows (CtxTraceModel *self);
gint64 ctx_trace_model_child_sum (CtxTraceModel *self, guint32 span, guint *n_children);

G_END_DECLS
