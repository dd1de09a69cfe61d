/* ctx-dag-layout-rank.c: cycle breaking, layering and virtual nodes.
 *
 * Cycles are broken with Eades, Lin and Smyth's greedy feedback arc set: sinks go last,
 * sources first, otherwise the node with the largest out-degree minus in-degree; ties go to
 * the node nearest a root, so that in a call graph the recursive call (callee -> caller) is
 * the one reversed.  Layers by longest path from the sources, then nodes with more edges
 * out than in are pulled down next to their successors (shorter edges, fewer virtual
 * nodes).  Nodes without edges are stacked in rows below.  An acyclic input keeps every
 * edge's direction. */
#include "ctx-dag-layout-private.h"

#include <math.h>
#include <string.h>

typedef struct
{
  guint n;
  guint *out_start;  /* CSR of edges without self loops, by input edge index */
  guint *out;        /* target node */
  guint *in_start;
  guint *in;         /* source node */
} Adjacency;

static void
adjacency_build (Adjacency *adj, guint n, const CtxDagEdgeRoute *edges, guint n_edges,
                 const gboolean *reversed)
{
  guint *fill_out = g_new0 (guint, n + 1), *fill_in = g_new0 (guint, n + 1);

  adj->n = n;
  adj->out_start = g_new0 (guint, n + 1);
  adj->in_start = g_new0 (guint, n + 1);
  for (guint e = 0; e < n_edges; e++)
    {
      guint a = reversed != NULL && reversed[e] ? edges[e].to : edges[e].from;
      guint b = reversed != NULL && reversed[e] ? edges[e].from : edges[e].to;

      if (a == b)
        continue;
      adj->out_start[a + 1]++;
      adj->in_start[b + 1]++;
    }
  for (guint v = 0; v < n; v++)
    {
      adj->out_start[v + 1] += adj->out_start[v];
      adj->in_start[v + 1] += adj->in_start[v];
    }
  adj->out = g_new (guint, adj->out_start[n] + 1);
  adj->in = g_new (guint, adj->in_start[n] + 1);
  for (guint e = 0; e < n_edges; e++)
    {
      guint a = reversed != NULL && reversed[e] ? edges[e].to : edges[e].from;
      guint b = reversed != NULL && reversed[e] ? edges[e].from : edges[e].to;

      if (a == b)
        continue;
      adj->out[adj->out_start[a] + fill_out[a]++] = b;
      adj->in[adj->in_start[b] + fill_in[b]++] = a;
    }
  g_free (fill_out);
  g_free (fill_in);
}

static void
adjacency_clear (Adjacency *adj)
{
  g_free (adj->out_start);
  g_free (adj->out);
  g_free (adj->in_start);
  g_free (adj->in);
}

/* Breadth-first distance from the nodes nobody calls (G_MAXUINT where unreachable). */
static guint *
root_distance (const Adjacency *adj)
{
  guint *dist = g_new (guint, adj->n + 1), *queue = g_new (guint, adj->n + 1);
  guint head = 0, tail = 0;

  for (guint v = 0; v < adj->n; v++)
    {
      dist[v] = G_MAXUINT;
      if (adj->in_start[v] == adj->in_start[v + 1])
        {
          dist[v] = 0;
          queue[tail++] = v;
        }
    }
  while (head < tail)
    {
      guint v = queue[head++];

      for (guint i = adj->out_start[v]; i < adj->out_start[v + 1]; i++)
        if (dist[adj->out[i]] == G_MAXUINT)
          {
            dist[adj->out[i]] = dist[v] + 1;
            queue[tail++] = adj->out[i];
          }
    }
  g_free (queue);
  return dist;
}

typedef struct
{
  const Adjacency *adj;
  const guint *dist;
  int *indeg;
  int *outdeg;
  gboolean *removed;
  guint *sinks;     /* FIFO of candidates, may hold stale entries */
  guint n_sinks, sink_head;
  guint *sources;
  guint n_sources, source_head;
} Fas;

static void
fas_remove (Fas *f, guint v)
{
  const Adjacency *adj = f->adj;

  f->removed[v] = TRUE;
  for (guint i = adj->out_start[v]; i < adj->out_start[v + 1]; i++)
    if (!f->removed[adj->out[i]] && --f->indeg[adj->out[i]] == 0)
      f->sources[f->n_sources++] = adj->out[i];
  for (guint i = adj->in_start[v]; i < adj->in_start[v + 1]; i++)
    if (!f->removed[adj->in[i]] && --f->outdeg[adj->in[i]] == 0)
      f->sinks[f->n_sinks++] = adj->in[i];
}

static guint
fas_best (Fas *f)
{
  guint best = CTX_DAG_NO_NODE;

  for (guint v = 0; v < f->adj->n; v++)
    {
      int delta, best_delta;

      if (f->removed[v])
        continue;
      if (best == CTX_DAG_NO_NODE)
        {
          best = v;
          continue;
        }
      delta = f->outdeg[v] - f->indeg[v];
      best_delta = f->outdeg[best] - f->indeg[best];
      if (delta > best_delta || (delta == best_delta && f->dist[v] < f->dist[best]))
        best = v;
    }
  return best;
}

/* position[v]: the node's place in an order where few edges point backwards. */
static void
fas_order (const Adjacency *adj, guint *position)
{
  guint n = adj->n, front = 0, back = n, removed_count = 0;
  Fas f = { .adj = adj, .dist = root_distance (adj) };

  f.indeg = g_new (int, n + 1);
  f.outdeg = g_new (int, n + 1);
  f.removed = g_new0 (gboolean, n + 1);
  /* Each node enters each queue at most once per degree decrement, plus once at start. */
  f.sinks = g_new (guint, n + adj->in_start[n] + 1);
  f.sources = g_new (guint, n + adj->out_start[n] + 1);
  for (guint v = 0; v < n; v++)
    {
      f.indeg[v] = adj->in_start[v + 1] - adj->in_start[v];
      f.outdeg[v] = adj->out_start[v + 1] - adj->out_start[v];
      if (f.indeg[v] == 0)
        f.sources[f.n_sources++] = v;
      else if (f.outdeg[v] == 0)
        f.sinks[f.n_sinks++] = v;
    }
  while (removed_count < n)
    {
      guint v;

      if (f.sink_head < f.n_sinks)
        {
          v = f.sinks[f.sink_head++];
          if (f.removed[v] || f.outdeg[v] != 0)
            continue;
          position[v] = --back;
        }
      else if (f.source_head < f.n_sources)
        {
          v = f.sources[f.source_head++];
          if (f.removed[v] || f.indeg[v] != 0)
            continue;
          position[v] = front++;
        }
      else
        position[v = fas_best (&f)] = front++;
      fas_remove (&f, v);
      removed_count++;
    }
  g_free ((gpointer) f.dist);
  g_free (f.indeg);
  g_free (f.outdeg);
  g_free (f.removed);
  g_free (f.sinks);
  g_free (f.sources);
}

static void
break_cycles (CtxDagWork *work)
{
  const CtxDagEdgeRoute *edges = (const CtxDagEdgeRoute *) work->graph->edges->data;
  guint n_edges = work->graph->edges->len;
  guint *position = g_new (guint, work->n_real + 1);
  Adjacency adj;

  adjacency_build (&adj, work->n_real, edges, n_edges, NULL);
  fas_order (&adj, position);
  for (guint e = 0; e < n_edges; e++)
    {
      work->self_loop[e] = edges[e].from == edges[e].to;
      work->reversed[e] = !work->self_loop[e] && position[edges[e].from] > position[edges[e].to];
    }
  adjacency_clear (&adj);
  g_free (position);
}

/* Kahn's algorithm on the acyclic orientation, smallest index first among ready nodes
 * would need a heap; FIFO in index order is as deterministic and linear. */
static guint *
topological_order (const Adjacency *adj)
{
  guint *indeg = g_new (guint, adj->n + 1), *queue = g_new (guint, adj->n + 1);
  guint head = 0, tail = 0;

  for (guint v = 0; v < adj->n; v++)
    if ((indeg[v] = adj->in_start[v + 1] - adj->in_start[v]) == 0)
      queue[tail++] = v;
  while (head < tail)
    {
      guint v = queue[head++];

      for (guint i = adj->out_start[v]; i < adj->out_start[v + 1]; i++)
        if (--indeg[adj->out[i]] == 0)
          queue[tail++] = adj->out[i];
    }
  g_assert (tail == adj->n);
  g_free (indeg);
  return queue;
}

static gboolean
isolated (const Adjacency *adj, guint v)
{
  return adj->in_start[v] == adj->in_start[v + 1] && adj->out_start[v] == adj->out_start[v + 1];
}

/* Nodes without edges (names that only occur as childless roots) would all sit in layer 0
 * and make it as wide as their number: they go in rows below the graph instead, as many
 * per row as its widest layer holds (or a square block without a graph). */
static void
stack_isolated (CtxDagWork *work, const Adjacency *adj)
{
  guint *layer = (guint *) work->layer->data, n_layers = 0, n_isolated = 0, widest = 0;
  g_autofree guint *size = g_new0 (guint, adj->n + 1);

  for (guint v = 0; v < adj->n; v++)
    {
      if (isolated (adj, v))
        {
          n_isolated++;
          continue;
        }
      n_layers = MAX (n_layers, layer[v] + 1);
      widest = MAX (widest, ++size[layer[v]]);
    }
  widest = MAX (MAX (widest, (guint) ceil (sqrt (n_isolated))), 1);
  for (guint v = 0, i = 0; v < adj->n; v++)
    if (isolated (adj, v))
      layer[v] = n_layers + i++ / widest;
  work->n_layers = n_layers + (n_isolated + widest - 1) / widest;
}

static void
assign_layers (CtxDagWork *work, const Adjacency *adj, const guint *topo)
{
  guint *layer = (guint *) work->layer->data;

  for (guint i = 0; i < adj->n; i++)
    {
      guint v = topo[i];

      layer[v] = 0;
      for (guint k = adj->in_start[v]; k < adj->in_start[v + 1]; k++)
        layer[v] = MAX (layer[v], layer[adj->in[k]] + 1);
    }
  /* Bottom-up: a node with more edges out than in shortens the total by moving down. */
  for (guint i = adj->n; i-- > 0;)
    {
      guint v = topo[i], out = adj->out_start[v + 1] - adj->out_start[v];
      guint in = adj->in_start[v + 1] - adj->in_start[v], lowest = G_MAXUINT;

      if (out == 0 || out <= in)
        continue;
      for (guint k = adj->out_start[v]; k < adj->out_start[v + 1]; k++)
        lowest = MIN (lowest, layer[adj->out[k]]);
      if (lowest - 1 > layer[v])
        layer[v] = lowest - 1;
    }
  stack_isolated (work, adj);
}

void
ctx_dag_rank (CtxDagWork *work)
{
  const CtxDagEdgeRoute *edges = (const CtxDagEdgeRoute *) work->graph->edges->data;
  guint *topo;
  Adjacency adj;

  break_cycles (work);
  g_array_set_size (work->layer, work->n_real);
  adjacency_build (&adj, work->n_real, edges, work->graph->edges->len, work->reversed);
  topo = topological_order (&adj);
  assign_layers (work, &adj, topo);
  g_free (topo);
  adjacency_clear (&adj);
}

/* -- virtual nodes ------------------------------------------------------------------- */

static guint
add_virtual (CtxDagWork *work, guint layer)
{
  double width = work->options.edge_sep;

  g_array_append_val (work->width, width);
  g_array_append_val (work->layer, layer);
  return work->n++;
}

static void
split_edges (CtxDagWork *work)
{
  const CtxDagEdgeRoute *edges = (const CtxDagEdgeRoute *) work->graph->edges->data;
  guint n_edges = work->graph->edges->len;

  for (guint e = 0; e < n_edges; e++)
    {
      guint top = work->reversed[e] ? edges[e].to : edges[e].from;
      guint bottom = work->reversed[e] ? edges[e].from : edges[e].to;
      guint prev = top;

      work->chain_start[e] = work->chain->len;
      work->seg_first[e] = work->segments->len;
      if (work->self_loop[e])
        continue;
      g_array_append_val (work->chain, top);
      for (guint l = g_array_index (work->layer, guint, top) + 1;
           l < g_array_index (work->layer, guint, bottom); l++)
        {
          guint v = add_virtual (work, l);
          CtxDagSegment seg = { prev, v, e };

          g_array_append_val (work->segments, seg);
          g_array_append_val (work->chain, v);
          prev = v;
        }
      g_array_append_val (work->chain, bottom);
      g_array_append_val (work->segments, ((CtxDagSegment) { prev, bottom, e }));
    }
  work->chain_start[n_edges] = work->chain->len;
}

static void
build_segment_adjacency (CtxDagWork *work)
{
  const CtxDagSegment *segs = (const CtxDagSegment *) work->segments->data;
  guint n = work->n, n_segs = work->segments->len;
  guint *fill_up = g_new0 (guint, n + 1), *fill_down = g_new0 (guint, n + 1);

  work->up_start = g_new0 (guint, n + 1);
  work->down_start = g_new0 (guint, n + 1);
  for (guint s = 0; s < n_segs; s++)
    {
      work->down_start[segs[s].upper + 1]++;
      work->up_start[segs[s].lower + 1]++;
    }
  for (guint v = 0; v < n; v++)
    {
      work->down_start[v + 1] += work->down_start[v];
      work->up_start[v + 1] += work->up_start[v];
    }
  work->up = g_new (guint, n_segs + 1);
  work->down = g_new (guint, n_segs + 1);
  for (guint s = 0; s < n_segs; s++)
    {
      guint u = segs[s].upper, v = segs[s].lower;

      work->down[work->down_start[u] + fill_down[u]++] = v;
      work->up[work->up_start[v] + fill_up[v]++] = u;
    }
  g_free (fill_up);
  g_free (fill_down);
}

static void
place_in_layer (CtxDagWork *work, guint *fill, guint v)
{
  guint l = g_array_index (work->layer, guint, v);

  work->order[v] = fill[l];
  work->layer_nodes[work->layer_start[l] + fill[l]++] = v;
}

/* Depth-first from the top, children in edge order: a tree comes out planar. */
static void
initial_order (CtxDagWork *work)
{
  guint n = work->n, top = 0;
  guint *fill = g_new0 (guint, work->n_layers + 1), *stack = g_new (guint, n + work->segments->len + 1);
  gboolean *seen = g_new0 (gboolean, n + 1);
  const guint *layer = (const guint *) work->layer->data;

  for (guint l = 0; l < work->n_layers; l++)
    for (guint v = 0; v < n; v++)
      {
        if (seen[v] || layer[v] != l)
          continue;
        stack[top++] = v;
        while (top > 0)
          {
            guint u = stack[--top];

            if (seen[u])
              continue;
            seen[u] = TRUE;
            place_in_layer (work, fill, u);
            for (guint i = work->down_start[u + 1]; i-- > work->down_start[u];)
              if (!seen[work->down[i]])
                stack[top++] = work->down[i];
          }
      }
  g_free (fill);
  g_free (stack);
  g_free (seen);
}

void
ctx_dag_normalize (CtxDagWork *work)
{
  guint n_edges = work->graph->edges->len;

  work->chain_start = g_new0 (guint, n_edges + 1);
  work->seg_first = g_new0 (guint, n_edges + 1);
  split_edges (work);
  build_segment_adjacency (work);
  work->layer_start = g_new0 (guint, work->n_layers + 1);
  for (guint v = 0; v < work->n; v++)
    work->layer_start[g_array_index (work->layer, guint, v) + 1]++;
  for (guint l = 0; l < work->n_layers; l++)
    work->layer_start[l + 1] += work->layer_start[l];
  work->layer_nodes = g_new (guint, work->n + 1);
  work->order = g_new (guint, work->n + 1);
  initial_order (work);
}
