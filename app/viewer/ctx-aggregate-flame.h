/* ctx-aggregate-flame.h: the aggregated ("left heavy") flame graph: identical call stacks
 * merged, width = total time, heaviest left; click a frame to zoom into it, click a frame
 * above the zoomed one (the breadcrumb) or press Backspace to go back up.  Also either half
 * of the sandwich of the session's selected name: its callers (drawn inverted, the name at
 * the bottom) or its callees. */
#pragma once

#include <gtk/gtk.h>

#include "ctx-callstack-tree.h"
#include "ctx-session.h"

G_BEGIN_DECLS

#define CTX_AGGREGATE_FLAME_ROW_HEIGHT 20

#define CTX_TYPE_AGGREGATE_FLAME (ctx_aggregate_flame_get_type ())
G_DECLARE_FINAL_TYPE (CtxAggregateFlame, ctx_aggregate_flame, CTX, AGGREGATE_FLAME, GtkWidget)

/* kind: CTX_CALLSTACK_ALL for the merged flame graph; CALLERS or CALLEES follow the
 * session's selected name. */
GtkWidget *ctx_aggregate_flame_new (CtxCallstackKind kind);
void ctx_aggregate_flame_set_session (CtxAggregateFlame *self, CtxSession *session);
CtxCallstackKind ctx_aggregate_flame_get_kind (CtxAggregateFlame *self);
GtkAdjustment *ctx_aggregate_flame_get_vadjustment (CtxAggregateFlame *self);

/* The tree drawn (NULL until the first is built) and the node zoomed into (0: all). */
CtxCallstackTree *ctx_aggregate_flame_get_tree (CtxAggregateFlame *self);
guint32 ctx_aggregate_flame_get_zoom (CtxAggregateFlame *self);
void ctx_aggregate_flame_zoom_to (CtxAggregateFlame *self, guint32 node);
/* Back to the zoomed node's parent; FALSE at the top. */
gboolean ctx_aggregate_flame_zoom_out (CtxAggregateFlame *self);
/* Where node is drawn in widget coordinates; FALSE when it is not drawn. */
gboolean ctx_aggregate_flame_get_node_rect (CtxAggregateFlame *self, guint32 node,
                                            graphene_rect_t *rect);
guint32 ctx_aggregate_flame_hit_node (CtxAggregateFlame *self, double x, double y);
/* A tree is being built (or waits for its debounce). */
gboolean ctx_aggregate_flame_is_busy (CtxAggregateFlame *self);

G_END_DECLS
