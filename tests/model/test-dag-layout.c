/* test-dag-layout: properties of the layered layout, checked on the geometry it returns
 * (not on its internal bookkeeping): trees without crossings, forward edges downwards,
 * no overlapping boxes, edges outside other boxes, cycles, determinism, cancellation. */
#include <math.h>
#include <string.h>

#include "ctx-dag-layout.h"

#define EPS 1e-6

static CtxDagLayout *
layout_of (CtxDagGraph *graph)
{
  g_autoptr (GError) error = NULL;
  CtxDagLayout *layout = ctx_dag_layout_compute (graph, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (layout);
  return layout;
}

static CtxDagGraph *
graph_with_nodes (guint n, GRand *rand)
{
  CtxDagGraph *graph = ctx_dag_graph_new ();

  for (guint i = 0; i < n; i++)
    ctx_dag_graph_add_node (graph, rand != NULL ? g_rand_int_range (rand, 40, 200) : 100,
                            rand != NULL ? g_rand_int_range (rand, 20, 60) : 40);
  return graph;
}

/* Node i > 0 hangs under a random earlier node: a tree of n nodes. */
static CtxDagGraph *
random_tree (guint n, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  CtxDagGraph *graph = graph_with_nodes (n, rand);

  for (guint i = 1; i < n; i++)
    ctx_dag_graph_add_edge (graph, g_rand_int_range (rand, 0, i), i);
  return graph;
}

static CtxDagGraph *
random_graph (guint n, guint m, gboolean acyclic, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  CtxDagGraph *graph = graph_with_nodes (n, rand);

  for (guint i = 0; i < m; i++)
    {
      guint a = g_rand_int_range (rand, 0, n), b = g_rand_int_range (rand, 0, n);

      if (acyclic && a == b)
        continue;
      ctx_dag_graph_add_edge (graph, acyclic ? MIN (a, b) : a, acyclic ? MAX (a, b) : b);
    }
  return graph;
}

static CtxDagPoint
bezier (const CtxDagPoint *p, double t)
{
  double u = 1 - t, a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;

  return (CtxDagPoint) { a * p[0].x + b * p[1].x + c * p[2].x + d * p[3].x,
                         a * p[0].y + b * p[1].y + c * p[2].y + d * p[3].y };
}

static gboolean
strictly_inside (const CtxDagNodeBox *box, CtxDagPoint p)
{
  return p.x > box->x + 0.5 && p.x < box->x + box->width - 0.5
         && p.y > box->y + 0.5 && p.y < box->y + box->height - 0.5;
}

static gboolean
on_border (const CtxDagNodeBox *box, CtxDagPoint p)
{
  gboolean in_x = p.x >= box->x - EPS && p.x <= box->x + box->width + EPS;
  gboolean in_y = p.y >= box->y - EPS && p.y <= box->y + box->height + EPS;

  return in_x && in_y && (fabs (p.x - box->x - box->width) < EPS || fabs (p.y - box->y) < EPS
                          || fabs (p.y - box->y - box->height) < EPS);
}

/* -- the properties ------------------------------------------------------------------ */

static void
check_no_overlap (const CtxDagLayout *layout)
{
  const CtxDagNodeBox *b = ctx_dag_layout_get_nodes (layout);
  guint n = ctx_dag_layout_get_n_nodes (layout);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (b[i].x, >=, -EPS);
      g_assert_cmpfloat (b[i].y, >=, -EPS);
      g_assert_cmpfloat (b[i].x + b[i].width, <=, ctx_dag_layout_get_width (layout) + EPS);
      g_assert_cmpfloat (b[i].y + b[i].height, <=, ctx_dag_layout_get_height (layout) + EPS);
      for (guint k = i + 1; k < n; k++)
        {
          gboolean apart_x = b[i].x + b[i].width <= b[k].x + EPS || b[k].x + b[k].width <= b[i].x + EPS;
          gboolean apart_y = b[i].y + b[i].height <= b[k].y + EPS || b[k].y + b[k].height <= b[i].y + EPS;

          g_assert_true (apart_x || apart_y);
        }
    }
}

static void
check_directions (const CtxDagLayout *layout)
{
  const CtxDagNodeBox *b = ctx_dag_layout_get_nodes (layout);
  const CtxDagEdgeRoute *e = ctx_dag_layout_get_edges (layout);

  for (guint i = 0; i < ctx_dag_layout_get_n_edges (layout); i++)
    {
      if (e[i].self_loop)
        {
          g_assert_cmpuint (e[i].from, ==, e[i].to);
          continue;
        }
      if (e[i].back)
        g_assert_cmpuint (b[e[i].from].layer, >, b[e[i].to].layer);
      else
        g_assert_cmpuint (b[e[i].to].layer, >=, b[e[i].from].layer + 1);
    }
}

/* Samples every edge's curve: outside every box but its own two ends, which it touches. */
static void
check_routes (const CtxDagLayout *layout)
{
  const CtxDagNodeBox *b = ctx_dag_layout_get_nodes (layout);
  const CtxDagEdgeRoute *e = ctx_dag_layout_get_edges (layout);
  const CtxDagPoint *pts = ctx_dag_layout_get_points (layout);
  guint n = ctx_dag_layout_get_n_nodes (layout);

  for (guint i = 0; i < ctx_dag_layout_get_n_edges (layout); i++)
    {
      const CtxDagPoint *p = pts + e[i].first_point;

      g_assert_cmpuint (e[i].n_points, >=, 4);
      g_assert_cmpuint ((e[i].n_points - 1) % 3, ==, 0);
      g_assert_true (on_border (&b[e[i].from], p[0]));
      g_assert_true (on_border (&b[e[i].to], p[e[i].n_points - 1]));
      for (guint k = 0; k + 3 < e[i].n_points; k += 3)
        for (double t = 0; t <= 1.0; t += 1.0 / 16)
          {
            CtxDagPoint q = bezier (p + k, t);

            for (guint v = 0; v < n; v++)
              if (strictly_inside (&b[v], q))
                g_error ("edge %u (%u -> %u) passes through node %u at (%g, %g)", i,
                         e[i].from, e[i].to, v, q.x, q.y);
          }
    }
}

static guint
count_back (const CtxDagLayout *layout)
{
  guint n = 0;

  for (guint i = 0; i < ctx_dag_layout_get_n_edges (layout); i++)
    n += ctx_dag_layout_get_edges (layout)[i].back;
  return n;
}

static void
check_all (const CtxDagLayout *layout)
{
  check_no_overlap (layout);
  check_directions (layout);
  check_routes (layout);
}

/* -- tests --------------------------------------------------------------------------- */

static void
test_empty (void)
{
  g_autoptr (CtxDagGraph) graph = ctx_dag_graph_new ();
  g_autoptr (CtxDagLayout) layout = layout_of (graph);

  g_assert_cmpuint (ctx_dag_layout_get_n_nodes (layout), ==, 0);
  g_assert_cmpuint (ctx_dag_layout_get_n_edges (layout), ==, 0);
  g_assert_cmpuint (ctx_dag_layout_get_n_layers (layout), ==, 0);
  g_assert_cmpfloat (ctx_dag_layout_get_width (layout), ==, 0);
  g_assert_cmpuint (ctx_dag_layout_node_at (layout, 0, 0), ==, G_MAXUINT);
}

static void
test_one_node (void)
{
  g_autoptr (CtxDagGraph) graph = ctx_dag_graph_new ();
  g_autoptr (CtxDagLayout) layout = NULL;
  const CtxDagNodeBox *box;

  ctx_dag_graph_add_node (graph, 120, 40);
  layout = layout_of (graph);
  box = ctx_dag_layout_get_nodes (layout);
  g_assert_cmpfloat (box->x, ==, 0);
  g_assert_cmpfloat (box->y, ==, 0);
  g_assert_cmpfloat (box->width, ==, 120);
  g_assert_cmpfloat (ctx_dag_layout_get_width (layout), ==, 120);
  g_assert_cmpfloat (ctx_dag_layout_get_height (layout), ==, 40);
  g_assert_cmpuint (ctx_dag_layout_node_at (layout, 60, 20), ==, 0);
  g_assert_cmpuint (ctx_dag_layout_node_at (layout, 121, 20), ==, G_MAXUINT);
  g_assert_cmpuint (ctx_dag_layout_node_at (layout, 60, 41), ==, G_MAXUINT);
}

/* Independent of the layout's own count: any two edges between the same two layers whose
 * ends are in opposite x order cross. */
static guint
geometric_crossings (const CtxDagLayout *layout)
{
  const CtxDagNodeBox *b = ctx_dag_layout_get_nodes (layout);
  const CtxDagEdgeRoute *e = ctx_dag_layout_get_edges (layout);
  guint m = ctx_dag_layout_get_n_edges (layout), crossings = 0;

  for (guint i = 0; i < m; i++)
    for (guint k = i + 1; k < m; k++)
      {
        if (b[e[i].from].layer != b[e[k].from].layer)
          continue;
        if ((b[e[i].from].x - b[e[k].from].x) * (b[e[i].to].x - b[e[k].to].x) < 0)
          crossings++;
      }
  return crossings;
}

static void
test_tree (void)
{
  for (guint32 seed = 1; seed <= 20; seed++)
    {
      g_autoptr (CtxDagGraph) graph = random_tree (seed * 7, seed);
      g_autoptr (CtxDagLayout) layout = layout_of (graph);
      const CtxDagNodeBox *b = ctx_dag_layout_get_nodes (layout);
      const CtxDagEdgeRoute *e = ctx_dag_layout_get_edges (layout);

      check_all (layout);
      g_assert_cmpuint (count_back (layout), ==, 0);
      g_assert_cmpuint (ctx_dag_layout_get_n_crossings (layout), ==, 0);
      for (guint i = 0; i < ctx_dag_layout_get_n_edges (layout); i++)
        g_assert_cmpuint (b[e[i].to].layer, ==, b[e[i].from].layer + 1);
      g_assert_cmpuint (geometric_crossings (layout), ==, 0);
    }
}

static void
test_dag_forward (void)
{
  for (guint32 seed = 1; seed <= 10; seed++)
    {
      g_autoptr (CtxDagGraph) graph = random_graph (30 + seed * 5, 80 + seed * 10, TRUE, seed);
      g_autoptr (CtxDagLayout) layout = layout_of (graph);

      check_all (layout);
      /* An acyclic input keeps every direction. */
      g_assert_cmpuint (count_back (layout), ==, 0);
    }
}

static void
test_random_cyclic (void)
{
  for (guint32 seed = 1; seed <= 10; seed++)
    {
      g_autoptr (CtxDagGraph) graph = random_graph (40, 120, FALSE, seed);
      g_autoptr (CtxDagLayout) layout = layout_of (graph);

      check_all (layout);
      g_assert_cmpuint (count_back (layout), >, 0);
    }
}

/* Sweeps and transpose find the optimum of a small case the input order gets wrong. */
static void
test_crossing_reduction (void)
{
  g_autoptr (CtxDagGraph) graph = graph_with_nodes (8, NULL);
  g_autoptr (CtxDagLayout) layout = NULL;

  /* {0, 2} -> {4, 7} and {1, 3} -> {5, 6}, interleaved by index. */
  ctx_dag_graph_add_edge (graph, 0, 7);
  ctx_dag_graph_add_edge (graph, 0, 4);
  ctx_dag_graph_add_edge (graph, 1, 5);
  ctx_dag_graph_add_edge (graph, 1, 6);
  ctx_dag_graph_add_edge (graph, 2, 4);
  ctx_dag_graph_add_edge (graph, 2, 7);
  ctx_dag_graph_add_edge (graph, 3, 6);
  ctx_dag_graph_add_edge (graph, 3, 5);
  layout = layout_of (graph);
  check_all (layout);
  /* Two independent K(2,2)s: one crossing each at best (the input order interleaves
   * them, which costs more). */
  g_assert_cmpuint (ctx_dag_layout_get_n_crossings (layout), ==, 2);
  g_assert_cmpuint (geometric_crossings (layout), ==, 2);
}

static void
test_cycle (void)
{
  g_autoptr (CtxDagGraph) graph = graph_with_nodes (3, NULL);
  g_autoptr (CtxDagLayout) layout = NULL;

  ctx_dag_graph_add_edge (graph, 0, 1);
  ctx_dag_graph_add_edge (graph, 1, 2);
  ctx_dag_graph_add_edge (graph, 2, 0);
  layout = layout_of (graph);
  check_all (layout);
  g_assert_cmpuint (count_back (layout), ==, 1);
  g_assert_true (ctx_dag_layout_get_edges (layout)[2].back);
  g_assert_cmpuint (ctx_dag_layout_get_n_layers (layout), ==, 3);
}

/* main -> a, a <-> b, b -> leaf: the call from b back to a is the recursion. */
static void
test_mutual_recursion (void)
{
  g_autoptr (CtxDagGraph) graph = graph_with_nodes (4, NULL);
  g_autoptr (CtxDagLayout) layout = NULL;
  const CtxDagEdgeRoute *e;
  const CtxDagNodeBox *b;

  ctx_dag_graph_add_edge (graph, 0, 1);
  ctx_dag_graph_add_edge (graph, 2, 1);  /* b -> a, listed before a -> b on purpose */
  ctx_dag_graph_add_edge (graph, 1, 2);
  ctx_dag_graph_add_edge (graph, 2, 3);
  layout = layout_of (graph);
  check_all (layout);
  e = ctx_dag_layout_get_edges (layout);
  b = ctx_dag_layout_get_nodes (layout);
  g_assert_true (e[1].back);
  g_assert_false (e[0].back || e[2].back || e[3].back);
  g_assert_cmpuint (b[0].layer, <, b[1].layer);
  g_assert_cmpuint (b[1].layer, <, b[2].layer);
  /* A back edge is drawn upwards: from b's top to a's bottom. */
  {
    const CtxDagPoint *p = ctx_dag_layout_get_points (layout) + e[1].first_point;

    g_assert_cmpfloat (p[0].y, ==, b[2].y);
    g_assert_cmpfloat (p[e[1].n_points - 1].y, ==, b[1].y + b[1].height);
  }
}

static void
test_self_loop (void)
{
  g_autoptr (CtxDagGraph) graph = graph_with_nodes (3, NULL);
  g_autoptr (CtxDagLayout) layout = NULL;
  const CtxDagEdgeRoute *e;
  const CtxDagNodeBox *b;

  ctx_dag_graph_add_edge (graph, 0, 1);
  ctx_dag_graph_add_edge (graph, 0, 2);
  ctx_dag_graph_add_edge (graph, 1, 1);  /* recursion */
  ctx_dag_graph_add_edge (graph, 1, 1);  /* a duplicate */
  layout = layout_of (graph);
  check_all (layout);
  e = ctx_dag_layout_get_edges (layout);
  b = ctx_dag_layout_get_nodes (layout);
  g_assert_true (e[2].self_loop && e[3].self_loop);
  g_assert_false (e[2].back);
  /* The loop sits right of its box, in room that no other box takes. */
  for (guint i = 0; i < e[2].n_points; i++)
    g_assert_cmpfloat (ctx_dag_layout_get_points (layout)[e[2].first_point + i].x, >=,
                       b[1].x + b[1].width - EPS);
  g_assert_true (b[2].x >= b[1].x + b[1].width + 20 || b[2].x + b[2].width <= b[1].x);
}

static void
test_long_edges (void)
{
  g_autoptr (CtxDagGraph) graph = graph_with_nodes (5, NULL);
  g_autoptr (CtxDagLayout) layout = NULL;

  /* 0 -> 1 -> 2 -> 3 and 0 -> 3: the short cut passes layers 1 and 2 beside their nodes. */
  ctx_dag_graph_add_edge (graph, 0, 1);
  ctx_dag_graph_add_edge (graph, 1, 2);
  ctx_dag_graph_add_edge (graph, 2, 3);
  ctx_dag_graph_add_edge (graph, 0, 3);
  ctx_dag_graph_add_edge (graph, 4, 3);
  layout = layout_of (graph);
  check_all (layout);
  g_assert_cmpuint (ctx_dag_layout_get_n_virtual (layout), >=, 2);
  /* The short cut runs straight down through its virtual nodes: everything between its
   * first bend and its last is at one x. */
  {
    const CtxDagEdgeRoute *e = &ctx_dag_layout_get_edges (layout)[3];
    const CtxDagPoint *p = ctx_dag_layout_get_points (layout) + e->first_point;

    g_assert_cmpuint (e->n_points, >=, 10);
    for (guint i = 3; i + 3 < e->n_points; i++)
      g_assert_cmpfloat (fabs (p[i].x - p[3].x), <, 1e-9);
  }
  /* The source 4 is pulled down next to its only callee. */
  g_assert_cmpuint (ctx_dag_layout_get_nodes (layout)[4].layer, ==, 2);
}

/* Nodes without edges go in rows under the graph, not all into its first layer. */
static void
test_isolated (void)
{
  g_autoptr (CtxDagGraph) graph = graph_with_nodes (23, NULL);
  g_autoptr (CtxDagLayout) layout = NULL;
  const CtxDagNodeBox *b;
  guint per_layer[32] = { 0 };

  ctx_dag_graph_add_edge (graph, 20, 21);
  ctx_dag_graph_add_edge (graph, 21, 22);
  layout = layout_of (graph);
  check_all (layout);
  b = ctx_dag_layout_get_nodes (layout);
  g_assert_cmpuint (b[20].layer, ==, 0);
  g_assert_cmpuint (b[22].layer, ==, 2);
  for (guint v = 0; v < 20; v++)
    {
      g_assert_cmpuint (b[v].layer, >=, 3);
      per_layer[b[v].layer]++;
    }
  /* 20 in rows of ceil(sqrt(20)) = 5. */
  g_assert_cmpuint (ctx_dag_layout_get_n_layers (layout), ==, 3 + 4);
  for (guint l = 3; l < 7; l++)
    g_assert_cmpuint (per_layer[l], ==, 5);
}

static void
test_deterministic (void)
{
  g_autoptr (CtxDagGraph) graph = random_graph (150, 500, FALSE, 42);
  g_autoptr (CtxDagLayout) a = layout_of (graph);
  g_autoptr (CtxDagLayout) b = layout_of (graph);
  guint n_points = 0;

  g_assert_cmpuint (ctx_dag_layout_get_n_nodes (a), ==, ctx_dag_layout_get_n_nodes (b));
  g_assert_cmpmem (ctx_dag_layout_get_nodes (a), sizeof (CtxDagNodeBox) * ctx_dag_layout_get_n_nodes (a),
                   ctx_dag_layout_get_nodes (b), sizeof (CtxDagNodeBox) * ctx_dag_layout_get_n_nodes (b));
  g_assert_cmpmem (ctx_dag_layout_get_edges (a), sizeof (CtxDagEdgeRoute) * ctx_dag_layout_get_n_edges (a),
                   ctx_dag_layout_get_edges (b), sizeof (CtxDagEdgeRoute) * ctx_dag_layout_get_n_edges (b));
  for (guint i = 0; i < ctx_dag_layout_get_n_edges (a); i++)
    n_points += ctx_dag_layout_get_edges (a)[i].n_points;
  g_assert_cmpmem (ctx_dag_layout_get_points (a), sizeof (CtxDagPoint) * n_points,
                   ctx_dag_layout_get_points (b), sizeof (CtxDagPoint) * n_points);
  check_all (a);
}

static void
test_node_at (void)
{
  g_autoptr (CtxDagGraph) graph = random_graph (60, 150, FALSE, 7);
  g_autoptr (CtxDagLayout) layout = layout_of (graph);
  const CtxDagNodeBox *b = ctx_dag_layout_get_nodes (layout);

  for (guint v = 0; v < ctx_dag_layout_get_n_nodes (layout); v++)
    {
      g_assert_cmpuint (ctx_dag_layout_node_at (layout, b[v].x + b[v].width / 2,
                                                b[v].y + b[v].height / 2), ==, v);
      g_assert_cmpuint (ctx_dag_layout_node_at (layout, b[v].x + 1, b[v].y + 1), ==, v);
      /* Between layers there is nothing. */
      g_assert_cmpuint (ctx_dag_layout_node_at (layout, b[v].x + 1, b[v].y - 30), ==, G_MAXUINT);
    }
  g_assert_cmpuint (ctx_dag_layout_node_at (layout, -5, 10), ==, G_MAXUINT);
}

static void
test_cancelled (void)
{
  g_autoptr (CtxDagGraph) graph = random_graph (50, 100, FALSE, 3);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  CtxDagLayout *layout;

  g_cancellable_cancel (cancellable);
  layout = ctx_dag_layout_compute (graph, NULL, cancellable, &error);
  g_assert_null (layout);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_bad_sizes (void)
{
  g_autoptr (CtxDagGraph) graph = ctx_dag_graph_new ();
  g_autoptr (CtxDagLayout) layout = NULL;

  ctx_dag_graph_add_node (graph, NAN, -5);
  ctx_dag_graph_add_node (graph, INFINITY, 1e300);
  ctx_dag_graph_add_edge (graph, 0, 1);
  layout = layout_of (graph);
  check_all (layout);
  g_assert_true (isfinite (ctx_dag_layout_get_width (layout)));
  g_assert_true (isfinite (ctx_dag_layout_get_height (layout)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dag-layout/empty", test_empty);
  g_test_add_func ("/dag-layout/one-node", test_one_node);
  g_test_add_func ("/dag-layout/tree", test_tree);
  g_test_add_func ("/dag-layout/dag-forward", test_dag_forward);
  g_test_add_func ("/dag-layout/random-cyclic", test_random_cyclic);
  g_test_add_func ("/dag-layout/crossing-reduction", test_crossing_reduction);
  g_test_add_func ("/dag-layout/cycle", test_cycle);
  g_test_add_func ("/dag-layout/mutual-recursion", test_mutual_recursion);
  g_test_add_func ("/dag-layout/self-loop", test_self_loop);
  g_test_add_func ("/dag-layout/long-edges", test_long_edges);
  g_test_add_func ("/dag-layout/isolated", test_isolated);
  g_test_add_func ("/dag-layout/deterministic", test_deterministic);
  g_test_add_func ("/dag-layout/node-at", test_node_at);
  g_test_add_func ("/dag-layout/cancelled", test_cancelled);
  g_test_add_func ("/dag-layout/bad-sizes", test_bad_sizes);
  return g_test_run ();
}
