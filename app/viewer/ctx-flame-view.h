/* ctx-flame-view.h: the flame chart widget: lanes of spans over time, with a ruler. */
#pragma once

#include <gtk/gtk.h>

#include "ctx-flame-renderer.h"
#include "ctx-session.h"

G_BEGIN_DECLS

#define CTX_TYPE_FLAME_VIEW (ctx_flame_view_get_type ())
G_DECLARE_FINAL_TYPE (CtxFlameView, ctx_flame_view, CTX, FLAME_VIEW, GtkWidget)

GtkWidget *ctx_flame_view_new (void);
/* index: built for session's model and origin, or NULL to build it now. */
void ctx_flame_view_set_session (CtxFlameView *self, CtxSession *session, CtxFlameIndex *index);
CtxSession *ctx_flame_view_get_session (CtxFlameView *self);
GtkAdjustment *ctx_flame_view_get_vadjustment (CtxFlameView *self);
/* The current viewport (what the next frame draws). */
void ctx_flame_view_get_viewport (CtxFlameView *self, CtxFlameViewport *vp);
/* Counts from the last frame drawn. */
const CtxFlameStats *ctx_flame_view_get_stats (CtxFlameView *self);
guint32 ctx_flame_view_hit_span (CtxFlameView *self, double x, double y);
/* Where span is drawn in widget coordinates; FALSE if its lane is collapsed. */
gboolean ctx_flame_view_get_span_rect (CtxFlameView *self, guint32 span, graphene_rect_t *rect);
void ctx_flame_view_toggle_lane (CtxFlameView *self, guint lane);
gboolean ctx_flame_view_get_lane_collapsed (CtxFlameView *self, guint lane);
/* Scrolls vertically so the span's row is visible. */
void ctx_flame_view_reveal_span (CtxFlameView *self, guint32 span);
/* Writes the current view to path, as SVG if it ends in .svg, else PNG. */
gboolean ctx_flame_view_export (CtxFlameView *self, const char *path, GError **error);

G_END_DECLS
