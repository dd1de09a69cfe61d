/* ctx-session.h: what every view of one open trace shares: the model, the visible time
 * range, the selected span, the time selection and the highlighted (search) spans.
 * Views observe it instead of knowing about each other (sysprof's session pattern). */
#pragma once

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
void ctx_session_set_selected (CtxSession *self, guint32 span);

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

G_END_DECLS
