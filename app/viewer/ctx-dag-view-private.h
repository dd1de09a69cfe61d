/* ctx-dag-view-private.h: what the DAG view's files share: the scene (the graph being
 * shown, with its statistics and layout) and how it is drawn.  Not for other views. */
#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include "ctx-aggregate.h"
#include "ctx-dag-layout.h"
#include "ctx-trace-links.h"

G_BEGIN_DECLS

/* Longest label drawn, in characters (a trace's names can be anything). */
#define CTX_DAG_MAX_LABEL 48
/* Spans shown in span mode; the rest are counted as omitted. */
#define CTX_DAG_MAX_SPANS 400
#define CTX_DAG_MAX_LINKS 100000

typedef struct
{
  guint32 name;       /* string index */
  guint32 lane;       /* per-thread mode: the node's lane, else CTX_NONE */
  guint32 span;       /* span mode: the span, else CTX_NONE */
  char *label;        /* escaped nowhere: drawn as plain text */
  char *stats;        /* "12 calls · 3.4 ms" */
  char *self;         /* "self 1.2 ms" */
  guint count;
  guint errors;
  gint64 total_ns;
  gint64 self_ns;
  gboolean has_children;
  gboolean collapsed;
  guint n_collapsed;  /* nodes hidden under it while collapsed */
} CtxDagNode;

typedef struct
{
  guint from;         /* node indices */
  guint to;
  guint count;
  gboolean link;      /* span mode: a link (follows-from), not parent -> child */
} CtxDagEdge;

typedef struct
{
  GArray *nodes;      /* CtxDagNode */
  GArray *edges;      /* CtxDagEdge, in the layout's edge order */
  CtxDagLayout *layout;
  gint64 max_self;
  guint n_hidden_threshold;
  guint n_hidden_collapsed;
  guint n_omitted;    /* span mode: spans past CTX_DAG_MAX_SPANS */
  guint n_back;
  guint n_links;
  double threshold;   /* percent it was built with */
} CtxDagScene;

/* What filters a scene: keys of collapsed nodes (ctx_dag_node_key) and the threshold. */
typedef struct
{
  GHashTable *collapsed;
  double threshold;
} CtxDagFilter;

gpointer ctx_dag_node_key (const CtxDagNode *node);
void ctx_dag_scene_free (CtxDagScene *scene);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxDagScene, ctx_dag_scene_free)
CtxDagScene *ctx_dag_scene_from_aggregate (CtxAggregate *aggregate, CtxTraceModel *model,
                                           gboolean per_lane, const CtxDagFilter *filter);
/* The trace of span (its root's subtree, cross-thread children included) plus the spans
 * its links name; span CTX_NONE: the longest root. */
CtxDagScene *ctx_dag_scene_from_spans (CtxTraceModel *model, guint32 span, GArray *links,
                                       const CtxDagFilter *filter);
/* The layout's input: box sizes from the text, for a font of this character width and
 * line height (measured on the main thread). */
CtxDagGraph *ctx_dag_scene_make_graph (const CtxDagScene *scene, double char_width,
                                       double line_height);
void ctx_dag_scene_set_layout (CtxDagScene *scene, CtxDagLayout *layout);

typedef struct
{
  double scale;
  double tx;          /* screen = world * scale + t */
  double ty;
  int width;
  int height;
  guint32 selected_name;
  guint32 selected_span;
  gboolean dark;
  const PangoFontDescription *font;
} CtxDagDrawState;

/* Size of a node's collapse toggle, in layout units, at its bottom-right corner. */
#define CTX_DAG_TOGGLE 14.0
#define CTX_DAG_PAD 6.0

void ctx_dag_scene_draw (const CtxDagScene *scene, cairo_t *cr, const CtxDagDrawState *state);

G_END_DECLS
