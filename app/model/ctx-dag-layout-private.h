/* ctx-dag-layout-private.h: the working state the layout's phases share.
 *
 * Nodes [0, n_real) are the input's; [n_real, n) are virtual nodes, one per layer a long
 * edge crosses.  After ranking every segment joins a node to one in the next layer. */
#pragma once

#include "ctx-dag-layout.h"

G_BEGIN_DECLS

#define CTX_DAG_NO_NODE G_MAXUINT

struct _CtxDagGraph
{
  GArray *sizes;  /* CtxDagPoint: (width, height) per node */
  GArray *edges;  /* CtxDagEdgeRoute with only from and to set */
};

typedef struct
{
  guint upper;  /* node in layer L */
  guint lower;  /* node in layer L + 1 */
  guint edge;   /* the input edge it belongs to */
} CtxDagSegment;

typedef struct
{
  const CtxDagGraph *graph;
  CtxDagOptions options;
  GCancellable *cancellable;

  guint n_real;
  guint n;
  GArray *width;     /* double, per node: the slot (box plus self-loop room) */
  GArray *layer;     /* guint, per node */
  guint n_layers;

  gboolean *reversed;  /* per input edge */
  gboolean *self_loop; /* per input edge */
  guint *chain_start;  /* per input edge: into chain (n_edges + 1 entries) */
  guint *seg_first;    /* per input edge: its first segment (they are consecutive) */
  GArray *chain;       /* guint: each edge's nodes from the upper end to the lower */
  GArray *segments;    /* CtxDagSegment */

  /* Adjacency through segments, CSR: up[up_start[v] .. up_start[v+1]) */
  guint *up_start;
  guint *up;
  guint *down_start;
  guint *down;

  /* Layers in their current order: layer_nodes[layer_start[L] .. layer_start[L+1]) */
  guint *layer_start;
  guint *layer_nodes;
  guint *order;        /* per node: position within its layer */

  double *x;           /* per node: centre of its slot */
  guint n_crossings;
} CtxDagWork;

gboolean ctx_dag_work_cancelled (CtxDagWork *work);
/* Phase 1 and 2: reversed[], self_loop[] and layer[] of the real nodes. */
void ctx_dag_rank (CtxDagWork *work);
/* Phase 3: virtual nodes, chains, segments, adjacency and the initial (DFS) order. */
void ctx_dag_normalize (CtxDagWork *work);
/* Phase 4: crossing reduction; sets n_crossings.  FALSE if cancelled. */
gboolean ctx_dag_order (CtxDagWork *work);
guint ctx_dag_count_crossings (CtxDagWork *work);
/* Phase 5: x of every node. */
void ctx_dag_position (CtxDagWork *work);

G_END_DECLS
