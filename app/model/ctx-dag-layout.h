/* ctx-dag-layout.h: layered (Sugiyama) layout of a directed graph, for the DAG view.
 *
 * Pure computation, no GTK: nodes with a size and directed edges in, node boxes and edge
 * curves out.  Phases (dagre's map): cycle breaking (greedy feedback arc set; the edges it
 * reverses are reported as back edges), layering (longest path, then sources and fan-out
 * nodes pulled down), long edges split through virtual nodes, crossing reduction
 * (barycenter sweeps + transpose, the best order kept), coordinates (per-layer weighted
 * isotonic regression: compact, ordered, never overlapping), and edge routing (cubic
 * Béziers through the virtual nodes, only inside inter-layer gaps and virtual slots, so
 * they never cross another node's box).  Same input -> identical output.  Any thread. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CtxDagGraph CtxDagGraph;
typedef struct _CtxDagLayout CtxDagLayout;

typedef struct
{
  double node_sep;   /* horizontal gap between neighbouring boxes (default 24) */
  double edge_sep;   /* width of a virtual node: a long edge's lane (default 12) */
  double layer_sep;  /* vertical gap between layers (default 56) */
  guint sweeps;      /* crossing-reduction sweeps (default 8) */
} CtxDagOptions;

/* Node boxes: (x, y) is the top-left corner; y grows downwards, layer 0 on top. */
typedef struct
{
  double x;
  double y;
  double width;
  double height;
  guint layer;
  guint order;       /* position within the layer, virtual nodes included */
} CtxDagNodeBox;

typedef struct
{
  double x;
  double y;
} CtxDagPoint;

/* One input edge.  points: a cubic Bézier path, 3k+1 points (start, then two control
 * points and an end per piece), from `from` to `to` (upwards for a back edge).  Self loops
 * are drawn on the node's right side, inside the room reserved for them. */
typedef struct
{
  guint from;
  guint to;
  guint first_point;  /* index into ctx_dag_layout_get_points () */
  guint n_points;
  gboolean back;       /* reversed to break a cycle (recursion) */
  gboolean self_loop;
} CtxDagEdgeRoute;

void ctx_dag_options_init (CtxDagOptions *options);

CtxDagGraph *ctx_dag_graph_new (void);
void ctx_dag_graph_free (CtxDagGraph *graph);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxDagGraph, ctx_dag_graph_free)
/* Returns the node's index (0, 1, ...).  Sizes are clamped to [1, 1e6]. */
guint ctx_dag_graph_add_node (CtxDagGraph *graph, double width, double height);
/* Returns the edge's index.  Both nodes must exist; duplicates and self loops are fine. */
guint ctx_dag_graph_add_edge (CtxDagGraph *graph, guint from, guint to);
guint ctx_dag_graph_get_n_nodes (const CtxDagGraph *graph);
guint ctx_dag_graph_get_n_edges (const CtxDagGraph *graph);

/* options NULL: the defaults.  NULL with G_IO_ERROR_CANCELLED if cancelled. */
CtxDagLayout *ctx_dag_layout_compute (const CtxDagGraph *graph, const CtxDagOptions *options,
                                      GCancellable *cancellable, GError **error);
void ctx_dag_layout_free (CtxDagLayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxDagLayout, ctx_dag_layout_free)

guint ctx_dag_layout_get_n_nodes (const CtxDagLayout *layout);
const CtxDagNodeBox *ctx_dag_layout_get_nodes (const CtxDagLayout *layout);
guint ctx_dag_layout_get_n_edges (const CtxDagLayout *layout);
const CtxDagEdgeRoute *ctx_dag_layout_get_edges (const CtxDagLayout *layout);
const CtxDagPoint *ctx_dag_layout_get_points (const CtxDagLayout *layout);
/* Size of the whole drawing (everything lies in [0, width] x [0, height]). */
double ctx_dag_layout_get_width (const CtxDagLayout *layout);
double ctx_dag_layout_get_height (const CtxDagLayout *layout);
guint ctx_dag_layout_get_n_layers (const CtxDagLayout *layout);
/* Edge crossings between adjacent layers of the final order (segments through virtual
 * nodes counted; self loops not). */
guint ctx_dag_layout_get_n_crossings (const CtxDagLayout *layout);
guint ctx_dag_layout_get_n_virtual (const CtxDagLayout *layout);
/* The node whose box contains (x, y), or G_MAXUINT.  Binary search by layer, then x. */
guint ctx_dag_layout_node_at (const CtxDagLayout *layout, double x, double y);

G_END_DECLS
