/* ctx-dag-view.h: the call graph of a trace (one node per span name, or per name and
 * thread; edges caller -> callee with call counts) or the span graph of one trace with its
 * links, laid out in layers (ctx-dag-layout.h) off the main thread and drawn with cairo.
 *
 * Zoom at the pointer (Ctrl+wheel, pinch, +/-), pan (drag, wheel, arrows), fit (Home, 0),
 * click selects, double-click centres a node, the toggle at a node's corner (or the menu
 * on right click) collapses what only it calls. */
#pragma once

#include <gtk/gtk.h>

#include "ctx-session.h"

G_BEGIN_DECLS

typedef enum
{
  CTX_DAG_MODE_CALLS,  /* aggregated call graph of the scope */
  CTX_DAG_MODE_SPANS,  /* the spans of the selected span's trace, with links */
} CtxDagMode;

#define CTX_TYPE_DAG_VIEW (ctx_dag_view_get_type ())
G_DECLARE_FINAL_TYPE (CtxDagView, ctx_dag_view, CTX, DAG_VIEW, GtkWidget)

GtkWidget *ctx_dag_view_new (void);
void ctx_dag_view_set_session (CtxDagView *self, CtxSession *session);
/* Absolute ns; start >= end: the whole trace. */
void ctx_dag_view_set_scope (CtxDagView *self, gint64 start_ns, gint64 end_ns);
void ctx_dag_view_set_per_thread (CtxDagView *self, gboolean per_thread);
void ctx_dag_view_set_mode (CtxDagView *self, CtxDagMode mode);
/* Highlights the node(s) of this string index; CTX_NONE clears.  Emits nothing. */
void ctx_dag_view_select_name (CtxDagView *self, guint32 name);
void ctx_dag_view_fit (CtxDagView *self);

/* Hides nodes whose total time is under percent of the trace's (the sum of all self
 * times, so recursion does not count twice; 0: none). */
void ctx_dag_view_set_threshold (CtxDagView *self, double percent);
/* Collapsing a node hides what is reachable only through it. */
void ctx_dag_view_set_collapsed (CtxDagView *self, guint32 name, gboolean collapsed);
void ctx_dag_view_expand_all (CtxDagView *self);

/* Draws what the view shows (graph, selection; no hover) to a PNG, or SVG if path ends
 * in .svg. */
gboolean ctx_dag_view_export (CtxDagView *self, const char *path, GError **error);

/* For tests and the host: state of the last finished layout. */
gboolean ctx_dag_view_is_busy (CtxDagView *self);
guint ctx_dag_view_get_n_nodes (CtxDagView *self);
/* Nodes hidden by the threshold and by collapsed nodes. */
guint ctx_dag_view_get_n_hidden (CtxDagView *self);
guint ctx_dag_view_get_n_back_edges (CtxDagView *self);
guint ctx_dag_view_get_n_link_edges (CtxDagView *self);
guint32 ctx_dag_view_get_selected_name (CtxDagView *self);
/* The name (CTX_NONE if none) under widget coordinates (x, y). */
guint32 ctx_dag_view_name_at (CtxDagView *self, double x, double y);
/* The box of the first node with this name, in widget coordinates. */
gboolean ctx_dag_view_get_node_rect (CtxDagView *self, guint32 name, graphene_rect_t *rect);
double ctx_dag_view_get_zoom (CtxDagView *self);
/* Zooms about the widget's centre; clamped to a range that keeps the graph usable. */
void ctx_dag_view_set_zoom (CtxDagView *self, double zoom);

G_END_DECLS
