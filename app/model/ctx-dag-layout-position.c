/* ctx-dag-layout-position.c: x coordinates.
 *
 * Each layer in turn: every node wants to sit at the mean x of its neighbours in the layer
 * just placed; the closest positions that keep the order and the minimum gaps (a weighted
 * least-squares problem) are a weighted isotonic regression once each node's x is offset by
 * the gaps before it, which pool-adjacent-violators solves in linear time.  Virtual nodes
 * weigh more, so long edges come out nearly straight; alternating sweeps settle in a few
 * rounds, and each long edge is finally lined up where its neighbours leave room (smoothing
 * rounds that looked both ways were tried: they drag trees apart). */
#include "ctx-dag-layout-private.h"

#define ROUNDS 8
#define VIRTUAL_WEIGHT 8.0

typedef struct
{
  double weight;
  double sum;    /* weight * target */
  guint count;
} Block;

static gboolean
is_real (const CtxDagWork *work, guint v)
{
  return v < work->n_real;
}

static double
slot (const CtxDagWork *work, guint v)
{
  return g_array_index (work->width, double, v);
}

static double
min_distance (const CtxDagWork *work, guint a, guint b)
{
  double gap = is_real (work, a) && is_real (work, b) ? work->options.node_sep
                                                      : work->options.node_sep / 4;

  return (slot (work, a) + slot (work, b)) / 2 + gap;
}

static double
wish (const CtxDagWork *work, guint v, gboolean downwards)
{
  const guint *start = downwards ? work->up_start : work->down_start;
  const guint *adj = downwards ? work->up : work->down;
  double sum = 0;

  if (start[v] == start[v + 1])
    return work->x[v];
  for (guint k = start[v]; k < start[v + 1]; k++)
    sum += work->x[adj[k]];
  return sum / (start[v + 1] - start[v]);
}

/* Pool adjacent violators: the non-decreasing y closest to target (weighted). */
static void
isotonic (const double *target, const double *weight, guint n, double *y, Block *blocks)
{
  guint n_blocks = 0, i = 0;

  for (guint k = 0; k < n; k++)
    {
      blocks[n_blocks++] = (Block) { weight[k], weight[k] * target[k], 1 };
      while (n_blocks > 1 && blocks[n_blocks - 2].sum / blocks[n_blocks - 2].weight
                             > blocks[n_blocks - 1].sum / blocks[n_blocks - 1].weight)
        {
          blocks[n_blocks - 2].weight += blocks[n_blocks - 1].weight;
          blocks[n_blocks - 2].sum += blocks[n_blocks - 1].sum;
          blocks[n_blocks - 2].count += blocks[n_blocks - 1].count;
          n_blocks--;
        }
    }
  for (guint b = 0; b < n_blocks; b++)
    for (guint k = 0; k < blocks[b].count; k++)
      y[i++] = blocks[b].sum / blocks[b].weight;
}

typedef struct
{
  double *target;
  double *weight;
  double *offset;
  double *y;
  Block *blocks;
} Scratch;

static void
place_layer (CtxDagWork *work, guint l, gboolean downwards, Scratch *s)
{
  const guint *nodes = work->layer_nodes + work->layer_start[l];
  guint n = work->layer_start[l + 1] - work->layer_start[l];

  for (guint i = 0; i < n; i++)
    {
      s->offset[i] = i == 0 ? 0 : s->offset[i - 1] + min_distance (work, nodes[i - 1], nodes[i]);
      s->target[i] = wish (work, nodes[i], downwards) - s->offset[i];
      s->weight[i] = is_real (work, nodes[i]) ? 1.0 : VIRTUAL_WEIGHT;
    }
  isotonic (s->target, s->weight, n, s->y, s->blocks);
  for (guint i = 0; i < n; i++)
    work->x[nodes[i]] = s->y[i] + s->offset[i];
}

static void
pack_left (CtxDagWork *work)
{
  for (guint l = 0; l < work->n_layers; l++)
    {
      double x = 0;

      for (guint i = work->layer_start[l]; i < work->layer_start[l + 1]; i++)
        {
          guint v = work->layer_nodes[i];

          if (i > work->layer_start[l])
            x += min_distance (work, work->layer_nodes[i - 1], v);
          work->x[v] = x;
        }
    }
}

/* Whether v can move to x without coming closer to its neighbours than allowed. */
static gboolean
fits (const CtxDagWork *work, guint v, double x)
{
  guint l = g_array_index (work->layer, guint, v), i = work->order[v];
  const guint *nodes = work->layer_nodes + work->layer_start[l];
  guint n = work->layer_start[l + 1] - work->layer_start[l];

  if (i > 0 && x - work->x[nodes[i - 1]] < min_distance (work, nodes[i - 1], v) - 1e-9)
    return FALSE;
  if (i + 1 < n && work->x[nodes[i + 1]] - x < min_distance (work, v, nodes[i + 1]) - 1e-9)
    return FALSE;
  return TRUE;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The virtual nodes of one long edge, lined up on their median x where room allows: the
 * sweeps leave them a few pixels apart, which draws as kinks. */
static void
straighten_chain (CtxDagWork *work, const guint *chain, guint m, double *scratch)
{
  double x;

  for (guint i = 1; i + 1 < m; i++)
    scratch[i - 1] = work->x[chain[i]];
  qsort (scratch, m - 2, sizeof (double), compare_double);
  x = scratch[(m - 2) / 2];
  for (guint i = 1; i + 1 < m; i++)
    if (!fits (work, chain[i], x))
      return;
  for (guint i = 1; i + 1 < m; i++)
    work->x[chain[i]] = x;
}

static void
straighten (CtxDagWork *work)
{
  guint n_edges = work->graph->edges->len;
  double *scratch = g_new (double, work->n_layers + 1);

  for (guint e = 0; e < n_edges; e++)
    {
      guint m = work->chain_start[e + 1] - work->chain_start[e];

      if (m > 2)
        straighten_chain (work, &g_array_index (work->chain, guint, work->chain_start[e]), m, scratch);
    }
  g_free (scratch);
}

static void
shift_to_origin (CtxDagWork *work)
{
  double left = G_MAXDOUBLE;

  for (guint v = 0; v < work->n; v++)
    left = MIN (left, work->x[v] - slot (work, v) / 2);
  for (guint v = 0; v < work->n; v++)
    work->x[v] -= left;
}

void
ctx_dag_position (CtxDagWork *work)
{
  guint n = work->n + 1;
  Scratch s = { g_new (double, n), g_new (double, n), g_new (double, n), g_new (double, n),
                g_new (Block, n) };

  work->x = g_new0 (double, n);
  pack_left (work);
  for (guint round = 0; round < ROUNDS && work->n_layers > 1 && !ctx_dag_work_cancelled (work);
       round++)
    {
      for (guint l = 1; l < work->n_layers; l++)
        place_layer (work, l, TRUE, &s);
      for (guint l = work->n_layers - 1; l-- > 0;)
        place_layer (work, l, FALSE, &s);
    }
  straighten (work);
  if (work->n > 0)
    shift_to_origin (work);
  g_free (s.target);
  g_free (s.weight);
  g_free (s.offset);
  g_free (s.y);
  g_free (s.blocks);
}
