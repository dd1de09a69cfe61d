/* ctx-session.h: what every view of one open trace shares: the model, the visible time
 * range, the selected span and name, the time selection (the scope of the aggregate
 * views), the statistics of that scope and the highlighted (search) spans.
 * Views observe it instead of knowing about each other (sysprof's session pattern). */
#pragma once

#include "ctx-aggregate.h"
#include "ctx-trace-model.h"

G_BEGIN_DECLS

/* Shortest visible range: one nanosecond across the whole view. */
#define CTX_SESSION_MIN_VISIBLE_NS 1.0

#define CTX_TYPE_SESSION (ctx_session_get_type ())
G_DECLARE_FINAL_TYPE (CtxSession, ctx_session, CTX, SESSION, GObject)

CtxSession *ctx_session_new (CtxTraceModel *model);
CtxTraceModel *ctx_session_get_model (CtxSession *self);
/* Length of the trace in relative ns (at least 1). */
double ctx_session_get_duration (CtxSession *self);
/* The absolute time (ns since the epoch) of relative time 0: the earliest span start. */
gint64 ctx_session_get_origin (CtxSession *self);
double ctx_session_span_start (CtxSession *self, guint32 span);
double ctx_session_span_end (CtxSession *self, guint32 span);

void ctx_session_get_visible (CtxSession *self, double *start, double *end);
/* Clamped: at least 1 ns long, at most a little more than the trace, never far outside. */
void ctx_session_set_visible (CtxSession *self, double start, double end);
void ctx_session_zoom (CtxSession *self, double anchor, double factor);
void ctx_session_pan (CtxSession *self, double delta);
void ctx_session_fit (CtxSession *self);
void ctx_session_zoom_to_span (CtxSession *self, guint32 span);
/* Pans (keeping the zoom) so that the span is at least partly in view. */
void ctx_session_reveal_span (CtxSession *self, guint32 span);

guint32 ctx_session_get_selected (CtxSession *self);
/* Also selects the span's name ("notify::selected" comes first); CTX_NONE clears both. */
void ctx_session_set_selected (CtxSession *self, guint32 span);
/* The aggregate selection: a span name (string index) that every view marks.  Keeps the
 * selected span only if it has this name; CTX_NONE clears.  "notify::selected-name". */
guint32 ctx_session_get_selected_name (CtxSession *self);
void ctx_session_set_selected_name (CtxSession *self, guint32 name);

/* marks: NULL (no search) or one byte per span, non-zero for a hit; taken over. */
void ctx_session_set_marks (CtxSession *self, guint8 *marks);
const guint8 *ctx_session_get_marks (CtxSession *self);

/* After a live refresh added spans: re-reads the trace's end, drops search marks (their
 * size is stale) and emits "data-changed" so that views rebuild.  follow: keep the end of
 * the trace in view.  Span indices stay valid (the model never renumbers). */
void ctx_session_data_changed (CtxSession *self, gboolean follow);
/* The visible range ends at (or after) the end of the trace. */
gboolean ctx_session_is_at_end (CtxSession *self);

/* A time range picked on the ruler; start > end when there is none. */
void ctx_session_set_time_selection (CtxSession *self, double start, double end);
gboolean ctx_session_get_time_selection (CtxSession *self, double *start, double *end);

/* The scope of the aggregate views in absolute ns: the time selection, or start >= end
 * (the whole trace) when there is none. */
void ctx_session_get_scope (CtxSession *self, gint64 *start_ns, gint64 *end_ns);
/* Per-name statistics of the scope, shared by the views that show them.  Computed off the
 * main thread on first request and again (debounced) after the scope or the data change;
 * returns the latest one, maybe stale, or NULL before the first is ready.  Each new one
 * is announced by "aggregate-changed". */
CtxAggregate *ctx_session_get_aggregate (CtxSession *self);
/* A computation is running or waiting for its debounce. */
gboolean ctx_session_is_aggregating (CtxSession *self);

G_END_DECLS
