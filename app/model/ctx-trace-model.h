/* ctx-trace-model.h: a trace file loaded into compact arrays, for the viewer and the CLI.
 *
 * No GTK here.  The model reads through a hardened read-only SQLite connection (see
 * DESIGN.md) and never holds a read transaction between calls.  Loading runs on any thread;
 * one model is then used from one thread at a time (the viewer's main thread).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CTX_NONE G_MAXUINT32

#define CTX_TRACE_ERROR (ctx_trace_error_quark ())
GQuark ctx_trace_error_quark (void);

typedef enum
{
  CTX_TRACE_ERROR_NOT_FOUND,     /* missing file */
  CTX_TRACE_ERROR_NOT_A_FILE,    /* a directory, a device... */
  CTX_TRACE_ERROR_UNREADABLE,    /* permission denied, I/O error */
  CTX_TRACE_ERROR_NOT_SQLITE,    /* not an SQLite database (includes 0-byte files) */
  CTX_TRACE_ERROR_NOT_CTXTRACE,  /* SQLite, but not a ctxtrace trace */
  CTX_TRACE_ERROR_NEWER_SCHEMA,  /* written by a newer ctxtrace */
  CTX_TRACE_ERROR_CORRUPT,       /* malformed database, missing tables/columns */
  CTX_TRACE_ERROR_BAD_QUERY,     /* an SQL filter or search query that does not parse */
  CTX_TRACE_ERROR_TIMEOUT,       /* a query interrupted by its time limit */
  CTX_TRACE_ERROR_GONE,          /* the file was deleted or replaced while open */
} CtxTraceError;

typedef enum
{
  CTX_SPAN_OPEN = 1 << 0,          /* dur_ns NULL in the file: still running */
  CTX_SPAN_HAS_ATTRS = 1 << 1,     /* attrs not NULL (fetch with ctx_trace_model_fetch_details) */
  CTX_SPAN_CROSS_THREAD = 1 << 2,  /* parent is on another lane (context handed over) */
  CTX_SPAN_ORPHAN = 1 << 3,        /* parent_id names a span absent from the file */
  CTX_SPAN_INVALID_TIME = 1 << 4,  /* end < start in the file (drawn as zero length) */
} CtxSpanFlags;

/* 32 bytes per span.  The span's id in the file is not stored here: spans are kept in id
 * order and ids are dense in files the library writes, so the model keeps only the runs of
 * consecutive ids (ctx_trace_model_get_span_id). */
typedef struct
{
  gint64 start_ns;  /* absolute, ns since the epoch */
  gint64 end_ns;    /* absolute; for open spans the latest timestamp seen in the file */
  guint32 parent;   /* index of the parent in the model, or CTX_NONE */
  guint32 name;     /* index into the model's strings (ctx_trace_model_get_string) */
  guint32 lane;     /* index of its thread's lane */
  guint16 depth;    /* row within the lane (span.depth, clamped to G_MAXUINT16) */
  guint8 status;    /* 0 unset, 1 ok, 2 error */
  guint8 flags;     /* CtxSpanFlags */
} CtxSpan;

typedef struct
{
  gint64 id;  /* process.id */
  gint64 pid;
  char *name;
  char *cmdline;
  char *hostname;
  gint64 start_ns;
  gint64 end_ns;  /* 0 while recording */
  gint64 dropped_spans;
  gint64 dropped_records;
  gint64 rejected_attrs;
  gint64 truncated_values;
} CtxProcess;

/* One lane per thread.  rows[d] lists the indices of the spans at depth d in start order
 * (for binary-search hit testing and level-of-detail drawing). */
typedef struct
{
  gint64 thread_id;  /* thread.id */
  gint64 tid;
  char *name;
  guint process;     /* index into processes */
  guint n_rows;      /* max depth + 1 */
  GArray **rows;     /* n_rows arrays of guint32 */
} CtxLane;

typedef struct
{
  gint64 ts_ns;
  char *name;
  char *attrs_json;  /* NULL if none */
} CtxEvent;

typedef struct
{
  char *attrs_json;     /* the span's attrs text, NULL if none */
  GPtrArray *events;    /* CtxEvent*, in time order */
  guint n_children;
  gint64 self_ns;       /* duration minus the children's (on any thread) */
} CtxSpanDetails;

typedef enum
{
  CTX_PROCESS_ENDED,    /* stopped recording, or its pid is gone (or is another process now) */
  CTX_PROCESS_RUNNING,  /* its pid runs on this machine and started before it recorded */
  CTX_PROCESS_UNKNOWN,  /* recorded on another machine */
} CtxProcessState;

/* Whether the process that wrote these rows still runs (reads /proc; no SQL). */
CtxProcessState ctx_process_get_state (const CtxProcess *process);

void ctx_span_details_free (CtxSpanDetails *details);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxSpanDetails, ctx_span_details_free)

/* Progress in [0, 1]; may be called from the loading thread. */
typedef void (*CtxProgressFunc) (double fraction, gpointer user_data);

#define CTX_TYPE_TRACE_MODEL (ctx_trace_model_get_type ())
G_DECLARE_FINAL_TYPE (CtxTraceModel, ctx_trace_model, CTX, TRACE_MODEL, GObject)

CtxTraceModel *ctx_trace_model_load (const char *path, GCancellable *cancellable,
                                     CtxProgressFunc progress, gpointer user_data,
                                     GError **error);
/* Loads on a worker thread (GTask); progress is delivered on the caller's main context. */
void ctx_trace_model_load_async (const char *path, GCancellable *cancellable,
                                 CtxProgressFunc progress, gpointer progress_data,
                                 GAsyncReadyCallback callback, gpointer user_data);
CtxTraceModel *ctx_trace_model_load_finish (GAsyncResult *result, GError **error);

/* Pointers returned below stay valid until the next ctx_trace_model_refresh() that
 * reports a change (spans may move when the array grows; strings never move). */
const char *ctx_trace_model_get_path (CtxTraceModel *self);
guint ctx_trace_model_get_n_spans (CtxTraceModel *self);
const CtxSpan *ctx_trace_model_get_spans (CtxTraceModel *self);
const char *ctx_trace_model_get_string (CtxTraceModel *self, guint32 name);
guint ctx_trace_model_get_n_strings (CtxTraceModel *self);
guint ctx_trace_model_get_n_lanes (CtxTraceModel *self);
const CtxLane *ctx_trace_model_get_lane (CtxTraceModel *self, guint lane);
guint ctx_trace_model_get_n_processes (CtxTraceModel *self);
const CtxProcess *ctx_trace_model_get_process (CtxTraceModel *self, guint process);
/* Earliest start and latest timestamp of anything in the file. */
gint64 ctx_trace_model_get_start_ns (CtxTraceModel *self);
gint64 ctx_trace_model_get_end_ns (CtxTraceModel *self);
/* Index of the span with this file id, or CTX_NONE. */
guint32 ctx_trace_model_find_id (CtxTraceModel *self, gint64 id);
/* span.id in the file of the span at this index (spans are in id order). */
gint64 ctx_trace_model_get_span_id (CtxTraceModel *self, guint32 span);

/* Children of span on any thread, in start order (guint32 span indices; g_array_unref). */
GArray *ctx_trace_model_get_children (CtxTraceModel *self, guint32 span);
/* Number of spans still open (dur_ns NULL) at the last load or refresh. */
guint ctx_trace_model_get_n_open_spans (CtxTraceModel *self);

/* Attribute text, events, child count and self time of one span, read from the file now. */
CtxSpanDetails *ctx_trace_model_fetch_details (CtxTraceModel *self, guint32 span, GError **error);

/* Live files: reads rows committed since the last load/refresh and re-reads spans that
 * were open.  Sets *changed; never reloads everything.  Main-thread safe and short.
 * While a search or statistics worker reads the model, it does nothing (call it again on
 * the next tick).  Lane indices may change when a new thread appears (lanes stay grouped
 * by process); span indices never change.  CTX_TRACE_ERROR_GONE if the file was deleted
 * or replaced. */
gboolean ctx_trace_model_refresh (CtxTraceModel *self, gboolean *changed, GError **error);
/* The same reading at most max_spans new spans (0: all); *more is set when committed spans
 * remain: call again (from an idle, say) to keep each main-loop tick short. */
gboolean ctx_trace_model_refresh_bounded (CtxTraceModel *self, guint max_spans,
                                          gboolean *changed, gboolean *more, GError **error);

/* The same split in two, so that a live viewer reads off its main thread:
 * check_changed (cheap: a stat and PRAGMA data_version, CTX_TRACE_ERROR_GONE if the file
 * was deleted or replaced), then read_delta_async (on a worker, through a connection of the
 * model's own; at most one in flight per model, and no refresh meanwhile), then
 * apply_delta on the model's thread, which appends and costs about 50 ns per span. */
typedef struct _CtxTraceDelta CtxTraceDelta;
void ctx_trace_delta_free (CtxTraceDelta *delta);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxTraceDelta, ctx_trace_delta_free)
guint ctx_trace_delta_get_n_spans (CtxTraceDelta *delta);

typedef enum
{
  CTX_APPLY_DONE,   /* appended (maybe nothing new) */
  CTX_APPLY_BUSY,   /* a search or statistics worker reads the model: apply again later */
  CTX_APPLY_STALE,  /* the model changed since the delta was read: read again */
} CtxApplyResult;

gboolean ctx_trace_model_check_changed (CtxTraceModel *self, gboolean *changed, GError **error);
void ctx_trace_model_read_delta_async (CtxTraceModel *self, guint max_spans,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
CtxTraceDelta *ctx_trace_model_read_delta_finish (CtxTraceModel *self, GAsyncResult *result,
                                                  GError **error);
/* *more: committed spans remain beyond the delta's bound (read again now). */
CtxApplyResult ctx_trace_model_apply_delta (CtxTraceModel *self, CtxTraceDelta *delta,
                                            gboolean *more);

G_END_DECLS
