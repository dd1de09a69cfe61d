/* ctx-dag-layout.c: the input graph, the phases in order, edge routing and the result.
 *
 * Routing keeps edges out of other boxes by construction: inside a layer an edge runs
 * vertically through its own slot (its virtual node, or under/over its own box), and it
 * bends only in the gaps between layers, where there are no boxes; a cubic Bézier stays
 * inside the hull of its control points, which are kept inside those regions. */
#include "ctx-dag-layout-private.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SIZE 1e6
/* Room on a node's right for its self loop. */
#define LOOP_ROOM 26.0

struct _CtxDagLayout
{
  GArray *nodes;      /* CtxDagNodeBox, input nodes only */
  GArray *edges;      /* CtxDagEdgeRoute */
  GArray *points;     /* CtxDagPoint */
  double width;
  double height;
  guint n_layers;
  guint n_crossings;
  guint n_virtual;
  double *layer_top;
  double *layer_bottom;
  guint *layer_start;  /* input nodes by layer, by x within: by_layer[layer_start[l] ..] */
  guint *by_layer;
};

void
ctx_dag_options_init (CtxDagOptions *options)
{
  *options = (CtxDagOptions) { .node_sep = 24, .edge_sep = 12, .layer_sep = 56, .sweeps = 8 };
}

/* -- input --------------------------------------------------------------------------- */

CtxDagGraph *
ctx_dag_graph_new (void)
{
  CtxDagGraph *graph = g_new0 (CtxDagGraph, 1);

  graph->sizes = g_array_new (FALSE, FALSE, sizeof (CtxDagPoint));
  graph->edges = g_array_new (FALSE, TRUE, sizeof (CtxDagEdgeRoute));
  return graph;
}

void
ctx_dag_graph_free (CtxDagGraph *graph)
{
  if (graph == NULL)
    return;
  g_array_unref (graph->sizes);
  g_array_unref (graph->edges);
  g_free (graph);
}

guint
ctx_dag_graph_add_node (CtxDagGraph *graph, double width, double height)
{
  CtxDagPoint size = { CLAMP (width, 1, MAX_SIZE), CLAMP (height, 1, MAX_SIZE) };

  /* NaN fails every comparison: CLAMP would keep it. */
  if (!(size.x >= 1))
    size.x = 1;
  if (!(size.y >= 1))
    size.y = 1;
  g_array_append_val (graph->sizes, size);
  return graph->sizes->len - 1;
}

guint
ctx_dag_graph_add_edge (CtxDagGraph *graph, guint from, guint to)
{
  CtxDagEdgeRoute edge = { .from = from, .to = to };

  g_return_val_if_fail (from < graph->sizes->len && to < graph->sizes->len, G_MAXUINT);
  g_array_append_val (graph->edges, edge);
  return graph->edges->len - 1;
}

guint
ctx_dag_graph_get_n_nodes (const CtxDagGraph *graph)
{
  return graph->sizes->len;
}

guint
ctx_dag_graph_get_n_edges (const CtxDagGraph *graph)
{
  return graph->edges->len;
}

static const CtxDagPoint *
input_size (const CtxDagWork *work, guint v)
{
  return &g_array_index (work->graph->sizes, CtxDagPoint, v);
}

/* -- work state ---------------------------------------------------------------------- */

static void
work_init (CtxDagWork *work, const CtxDagGraph *graph, const CtxDagOptions *options,
           GCancellable *cancellable)
{
  guint n_edges = graph->edges->len;
  const CtxDagEdgeRoute *edges = (const CtxDagEdgeRoute *) graph->edges->data;

  memset (work, 0, sizeof *work);
  work->graph = graph;
  if (options != NULL)
    work->options = *options;
  else
    ctx_dag_options_init (&work->options);
  work->cancellable = cancellable;
  work->n_real = work->n = graph->sizes->len;
  work->width = g_array_new (FALSE, FALSE, sizeof (double));
  work->layer = g_array_new (FALSE, TRUE, sizeof (guint));
  work->chain = g_array_new (FALSE, FALSE, sizeof (guint));
  work->segments = g_array_new (FALSE, FALSE, sizeof (CtxDagSegment));
  work->reversed = g_new0 (gboolean, n_edges + 1);
  work->self_loop = g_new0 (gboolean, n_edges + 1);
  for (guint v = 0; v < work->n_real; v++)
    {
      double w = input_size (work, v)->x;

      g_array_append_val (work->width, w);
    }
  for (guint e = 0; e < n_edges; e++)
    if (edges[e].from == edges[e].to)
      g_array_index (work->width, double, edges[e].from) = input_size (work, edges[e].from)->x + LOOP_ROOM;
}

static void
work_clear (CtxDagWork *work)
{
  g_array_unref (work->width);
  g_array_unref (work->layer);
  g_array_unref (work->chain);
  g_array_unref (work->segments);
  g_free (work->reversed);
  g_free (work->self_loop);
  g_free (work->chain_start);
  g_free (work->seg_first);
  g_free (work->up_start);
  g_free (work->up);
  g_free (work->down_start);
  g_free (work->down);
  g_free (work->layer_start);
  g_free (work->layer_nodes);
  g_free (work->order);
  g_free (work->x);
}

/* -- vertical placement -------------------------------------------------------------- */

static void
place_layers (CtxDagLayout *layout, CtxDagWork *work)
{
  double *height = g_new0 (double, work->n_layers + 1), y = 0;

  for (guint v = 0; v < work->n_real; v++)
    {
      guint l = g_array_index (work->layer, guint, v);

      height[l] = MAX (height[l], input_size (work, v)->y);
    }
  layout->layer_top = g_new (double, work->n_layers + 1);
  layout->layer_bottom = g_new (double, work->n_layers + 1);
  for (guint l = 0; l < work->n_layers; l++)
    {
      layout->layer_top[l] = y;
      layout->layer_bottom[l] = y + height[l];
      y += height[l] + work->options.layer_sep;
    }
  layout->height = work->n_layers > 0 ? layout->layer_bottom[work->n_layers - 1] : 0;
  g_free (height);
}

static void
place_boxes (CtxDagLayout *layout, CtxDagWork *work)
{
  g_array_set_size (layout->nodes, work->n_real);
  layout->width = 0;
  for (guint v = 0; v < work->n; v++)
    layout->width = MAX (layout->width, work->x[v] + g_array_index (work->width, double, v) / 2);
  for (guint v = 0; v < work->n_real; v++)
    {
      CtxDagNodeBox *box = &g_array_index (layout->nodes, CtxDagNodeBox, v);
      const CtxDagPoint *size = input_size (work, v);
      guint l = g_array_index (work->layer, guint, v);
      double band = layout->layer_bottom[l] - layout->layer_top[l];

      box->width = size->x;
      box->height = size->y;
      box->x = work->x[v] - g_array_index (work->width, double, v) / 2;
      box->y = layout->layer_top[l] + (band - size->y) / 2;
      box->layer = l;
      box->order = work->order[v];
    }
}

static int
compare_by_x (const void *a, const void *b, void *data)
{
  const CtxDagNodeBox *boxes = data;
  double x = boxes[*(const guint *) a].x, y = boxes[*(const guint *) b].x;

  return x < y ? -1 : x > y;
}

static void
index_layers (CtxDagLayout *layout)
{
  const CtxDagNodeBox *boxes = (const CtxDagNodeBox *) layout->nodes->data;
  guint n = layout->nodes->len, *fill = g_new0 (guint, layout->n_layers + 1);

  layout->layer_start = g_new0 (guint, layout->n_layers + 1);
  layout->by_layer = g_new (guint, n + 1);
  for (guint v = 0; v < n; v++)
    layout->layer_start[boxes[v].layer + 1]++;
  for (guint l = 0; l < layout->n_layers; l++)
    layout->layer_start[l + 1] += layout->layer_start[l];
  for (guint v = 0; v < n; v++)
    layout->by_layer[layout->layer_start[boxes[v].layer] + fill[boxes[v].layer]++] = v;
  for (guint l = 0; l < layout->n_layers; l++)
    g_qsort_with_data (layout->by_layer + layout->layer_start[l],
                       layout->layer_start[l + 1] - layout->layer_start[l], sizeof (guint),
                       compare_by_x, (gpointer) boxes);
  g_free (fill);
}

/* -- edge routing -------------------------------------------------------------------- */

typedef struct
{
  double key;
  guint segment;
} Port;

static int
compare_port (const void *a, const void *b)
{
  const Port *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->segment < y->segment ? -1 : x->segment > y->segment;
}

/* Where each segment leaves its upper node and enters its lower one: spread over a real
 * node's bottom (top) in the order of the other ends, so fans do not cross at the box. */
static void
assign_ports (CtxDagWork *work, const CtxDagLayout *layout, gboolean at_upper, double *port_x)
{
  const CtxDagSegment *segs = (const CtxDagSegment *) work->segments->data;
  guint n_segs = work->segments->len;
  Port *ports = g_new (Port, n_segs + 1);
  guint *first = g_new0 (guint, work->n + 1), *fill = g_new0 (guint, work->n + 1);

  for (guint s = 0; s < n_segs; s++)
    first[(at_upper ? segs[s].upper : segs[s].lower) + 1]++;
  for (guint v = 0; v < work->n; v++)
    first[v + 1] += first[v];
  for (guint s = 0; s < n_segs; s++)
    {
      guint here = at_upper ? segs[s].upper : segs[s].lower;
      guint there = at_upper ? segs[s].lower : segs[s].upper;

      ports[first[here] + fill[here]++] = (Port) { work->x[there], s };
    }
  for (guint v = 0; v < work->n; v++)
    {
      guint k = first[v + 1] - first[v];

      qsort (ports + first[v], k, sizeof (Port), compare_port);
      for (guint i = 0; i < k; i++)
        {
          const CtxDagNodeBox *box = v < work->n_real ? &g_array_index (layout->nodes, CtxDagNodeBox, v) : NULL;

          port_x[ports[first[v] + i].segment] = box == NULL ? work->x[v]
            : box->x + box->width * 0.1 + box->width * 0.8 * (i + 1) / (k + 1);
        }
    }
  g_free (ports);
  g_free (first);
  g_free (fill);
}

static void
add_point (CtxDagLayout *layout, double x, double y)
{
  CtxDagPoint p = { x, y };

  g_array_append_val (layout->points, p);
}

static void
add_curve (CtxDagLayout *layout, double x1, double y1, double x2, double y2, double x3, double y3)
{
  add_point (layout, x1, y1);
  add_point (layout, x2, y2);
  add_point (layout, x3, y3);
}

/* A straight piece as a Bézier, so the path stays one kind of curve; empty ones skipped. */
static void
add_line (CtxDagLayout *layout, double x, double y)
{
  const CtxDagPoint *last = &g_array_index (layout->points, CtxDagPoint, layout->points->len - 1);
  double x0 = last->x, y0 = last->y;

  if (x == x0 && y == y0)
    return;
  add_curve (layout, x0 + (x - x0) / 3, y0 + (y - y0) / 3, x0 + 2 * (x - x0) / 3,
             y0 + 2 * (y - y0) / 3, x, y);
}

static void
reverse_points (CtxDagLayout *layout, guint first, guint n)
{
  CtxDagPoint *p = &g_array_index (layout->points, CtxDagPoint, first);

  for (guint i = 0; i < n / 2; i++)
    {
      CtxDagPoint t = p[i];

      p[i] = p[n - 1 - i];
      p[n - 1 - i] = t;
    }
}

static void
route_chain (CtxDagLayout *layout, CtxDagWork *work, guint e, const double *exit_x,
             const double *enter_x)
{
  const guint *chain = &g_array_index (work->chain, guint, work->chain_start[e]);
  guint m = work->chain_start[e + 1] - work->chain_start[e];
  const CtxDagNodeBox *top = &g_array_index (layout->nodes, CtxDagNodeBox, chain[0]);
  const CtxDagNodeBox *bottom = &g_array_index (layout->nodes, CtxDagNodeBox, chain[m - 1]);
  guint s = work->seg_first[e];

  add_point (layout, exit_x[s], top->y + top->height);
  for (guint i = 0; i + 1 < m; i++, s++)
    {
      guint l = g_array_index (work->layer, guint, chain[i]);
      double y0 = layout->layer_bottom[l], y1 = layout->layer_top[l + 1], mid = (y0 + y1) / 2;

      add_line (layout, exit_x[s], y0);
      add_curve (layout, exit_x[s], mid, enter_x[s], mid, enter_x[s], y1);
      if (i + 2 < m)
        add_line (layout, enter_x[s], layout->layer_bottom[l + 1]);
    }
  add_line (layout, enter_x[s - 1], bottom->y);
}

static void
route_self_loop (CtxDagLayout *layout, const CtxDagNodeBox *box)
{
  double right = box->x + box->width, room = LOOP_ROOM - 4;

  add_point (layout, right, box->y + box->height * 0.3);
  add_curve (layout, right + room, box->y, right + room, box->y + box->height,
             right, box->y + box->height * 0.7);
}

static void
route_edges (CtxDagLayout *layout, CtxDagWork *work)
{
  const CtxDagEdgeRoute *in = (const CtxDagEdgeRoute *) work->graph->edges->data;
  guint n_edges = work->graph->edges->len, n_segs = work->segments->len;
  double *exit_x = g_new (double, n_segs + 1), *enter_x = g_new (double, n_segs + 1);

  assign_ports (work, layout, TRUE, exit_x);
  assign_ports (work, layout, FALSE, enter_x);
  g_array_set_size (layout->edges, n_edges);
  for (guint e = 0; e < n_edges; e++)
    {
      CtxDagEdgeRoute *out = &g_array_index (layout->edges, CtxDagEdgeRoute, e);

      *out = (CtxDagEdgeRoute) { in[e].from, in[e].to, layout->points->len, 0,
                                 work->reversed[e], work->self_loop[e] };
      if (work->self_loop[e])
        route_self_loop (layout, &g_array_index (layout->nodes, CtxDagNodeBox, in[e].from));
      else
        route_chain (layout, work, e, exit_x, enter_x);
      out->n_points = layout->points->len - out->first_point;
      if (out->back)
        reverse_points (layout, out->first_point, out->n_points);
    }
  g_free (exit_x);
  g_free (enter_x);
}

/* -- driver -------------------------------------------------------------------------- */

static CtxDagLayout *
layout_new (void)
{
  CtxDagLayout *layout = g_new0 (CtxDagLayout, 1);

  layout->nodes = g_array_new (FALSE, TRUE, sizeof (CtxDagNodeBox));
  layout->edges = g_array_new (FALSE, TRUE, sizeof (CtxDagEdgeRoute));
  layout->points = g_array_new (FALSE, FALSE, sizeof (CtxDagPoint));
  return layout;
}

static gboolean
check_cancelled (CtxDagWork *work, GError **error)
{
  if (!ctx_dag_work_cancelled (work))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Graph layout was cancelled");
  return TRUE;
}

static gboolean
run_phases (CtxDagWork *work, GError **error)
{
  ctx_dag_rank (work);
  if (check_cancelled (work, error))
    return FALSE;
  ctx_dag_normalize (work);
  if (check_cancelled (work, error))
    return FALSE;
  ctx_dag_order (work);
  if (check_cancelled (work, error))
    return FALSE;
  ctx_dag_position (work);
  return !check_cancelled (work, error);
}

CtxDagLayout *
ctx_dag_layout_compute (const CtxDagGraph *graph, const CtxDagOptions *options,
                        GCancellable *cancellable, GError **error)
{
  CtxDagLayout *layout;
  CtxDagWork work;

  g_return_val_if_fail (graph != NULL, NULL);
  work_init (&work, graph, options, cancellable);
  if (!run_phases (&work, error))
    {
      work_clear (&work);
      return NULL;
    }
  layout = layout_new ();
  layout->n_layers = work.n_layers;
  layout->n_crossings = work.n_crossings;
  layout->n_virtual = work.n - work.n_real;
  place_layers (layout, &work);
  place_boxes (layout, &work);
  index_layers (layout);
  route_edges (layout, &work);
  work_clear (&work);
  return layout;
}

void
ctx_dag_layout_free (CtxDagLayout *layout)
{
  if (layout == NULL)
    return;
  g_array_unref (layout->nodes);
  g_array_unref (layout->edges);
  g_array_unref (layout->points);
  g_free (layout->layer_top);
  g_free (layout->layer_bottom);
  g_free (layout->layer_start);
  g_free (layout->by_layer);
  g_free (layout);
}

/* -- result -------------------------------------------------------------------------- */

guint
ctx_dag_layout_get_n_nodes (const CtxDagLayout *layout)
{
  return layout->nodes->len;
}

const CtxDagNodeBox *
ctx_dag_layout_get_nodes (const CtxDagLayout *layout)
{
  return (const CtxDagNodeBox *) layout->nodes->data;
}

guint
ctx_dag_layout_get_n_edges (const CtxDagLayout *layout)
{
  return layout->edges->len;
}

const CtxDagEdgeRoute *
ctx_dag_layout_get_edges (const CtxDagLayout *layout)
{
  return (const CtxDagEdgeRoute *) layout->edges->data;
}

const CtxDagPoint *
ctx_dag_layout_get_points (const CtxDagLayout *layout)
{
  return (const CtxDagPoint *) layout->points->data;
}

double
ctx_dag_layout_get_width (const CtxDagLayout *layout)
{
  return layout->width;
}

double
ctx_dag_layout_get_height (const CtxDagLayout *layout)
{
  return layout->height;
}

guint
ctx_dag_layout_get_n_layers (const CtxDagLayout *layout)
{
  return layout->n_layers;
}

guint
ctx_dag_layout_get_n_crossings (const CtxDagLayout *layout)
{
  return layout->n_crossings;
}

guint
ctx_dag_layout_get_n_virtual (const CtxDagLayout *layout)
{
  return layout->n_virtual;
}

static guint
layer_at (const CtxDagLayout *layout, double y)
{
  guint lo = 0, hi = layout->n_layers;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (layout->layer_bottom[mid] < y)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < layout->n_layers && layout->layer_top[lo] <= y ? lo : G_MAXUINT;
}

guint
ctx_dag_layout_node_at (const CtxDagLayout *layout, double x, double y)
{
  const CtxDagNodeBox *boxes = (const CtxDagNodeBox *) layout->nodes->data, *box;
  guint l = layer_at (layout, y), lo, hi;

  if (l == G_MAXUINT)
    return G_MAXUINT;
  lo = layout->layer_start[l];
  hi = layout->layer_start[l + 1];
  /* The last box starting at or left of x. */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (boxes[layout->by_layer[mid]].x <= x)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == layout->layer_start[l])
    return G_MAXUINT;
  box = &boxes[layout->by_layer[lo - 1]];
  if (x <= box->x + box->width && y >= box->y && y <= box->y + box->height)
    return layout->by_layer[lo - 1];
  return G_MAXUINT;
}
