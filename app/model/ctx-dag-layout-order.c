/* ctx-dag-layout-order.c: crossing reduction.
 *
 * Alternating down and up sweeps sort each layer by the barycentre of its neighbours in
 * the layer just fixed (nodes without any keep their place), then adjacent pairs are
 * swapped while that removes crossings (transpose).  Crossings are counted with Barth,
 * Jünger and Mutzel's accumulator tree, O(E log V) per layer pair; the best order seen is
 * kept, so sweeping never makes the result worse than the depth-first start. */
#include "ctx-dag-layout-private.h"

#include <stdlib.h>
#include <string.h>

#define TRANSPOSE_PASSES 2
/* Transpose compares neighbour lists pairwise; hubs with huge lists are left to the sweeps. */
#define TRANSPOSE_MAX_PAIRS 4096

gboolean
ctx_dag_work_cancelled (CtxDagWork *work)
{
  return work->cancellable != NULL && g_cancellable_is_cancelled (work->cancellable);
}

static guint
layer_size (const CtxDagWork *work, guint l)
{
  return work->layer_start[l + 1] - work->layer_start[l];
}

static int
compare_guint (const void *a, const void *b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* Crossings between layer l and l + 1: the lower ends, taken in the order of the upper
 * ends, are an array whose inversions are the crossings. */
static guint64
count_pair (CtxDagWork *work, guint l, guint *seq, guint *tree)
{
  guint n_lower = layer_size (work, l + 1), first = 1, len = 0;
  guint64 crossings = 0;

  for (guint i = work->layer_start[l]; i < work->layer_start[l + 1]; i++)
    {
      guint u = work->layer_nodes[i], start = len;

      for (guint k = work->down_start[u]; k < work->down_start[u + 1]; k++)
        seq[len++] = work->order[work->down[k]];
      qsort (seq + start, len - start, sizeof (guint), compare_guint);
    }
  while (first < n_lower)
    first *= 2;
  memset (tree, 0, sizeof (guint) * 2 * first);
  first -= 1;
  for (guint i = 0; i < len; i++)
    {
      guint index = seq[i] + first;

      tree[index]++;
      while (index > 0)
        {
          if (index % 2 == 1)
            crossings += tree[index + 1];
          index = (index - 1) / 2;
          tree[index]++;
        }
    }
  return crossings;
}

guint
ctx_dag_count_crossings (CtxDagWork *work)
{
  guint max_layer = 1;
  guint64 total = 0;
  guint *seq = g_new (guint, work->segments->len + 1), *tree;

  for (guint l = 0; l < work->n_layers; l++)
    max_layer = MAX (max_layer, layer_size (work, l));
  tree = g_new (guint, 4 * max_layer + 2);
  for (guint l = 0; l + 1 < work->n_layers; l++)
    total += count_pair (work, l, seq, tree);
  g_free (seq);
  g_free (tree);
  return (guint) MIN (total, G_MAXUINT);
}

typedef struct
{
  double key;
  guint position;
  guint node;
} Keyed;

static int
compare_keyed (const void *a, const void *b)
{
  const Keyed *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->position < y->position ? -1 : x->position > y->position;
}

static double
barycenter (CtxDagWork *work, guint v, gboolean downwards)
{
  const guint *start = downwards ? work->up_start : work->down_start;
  const guint *adj = downwards ? work->up : work->down;
  double sum = 0;

  if (start[v] == start[v + 1])
    return work->order[v];
  for (guint k = start[v]; k < start[v + 1]; k++)
    sum += work->order[adj[k]];
  return sum / (start[v + 1] - start[v]);
}

static void
sort_layer (CtxDagWork *work, guint l, gboolean downwards, Keyed *keyed)
{
  guint *nodes = work->layer_nodes + work->layer_start[l], n = layer_size (work, l);

  for (guint i = 0; i < n; i++)
    keyed[i] = (Keyed) { barycenter (work, nodes[i], downwards), i, nodes[i] };
  qsort (keyed, n, sizeof (Keyed), compare_keyed);
  for (guint i = 0; i < n; i++)
    {
      nodes[i] = keyed[i].node;
      work->order[nodes[i]] = i;
    }
}

/* Crossings among the edges of v and w towards one neighbouring layer if v is left of w. */
static guint
pair_crossings (CtxDagWork *work, const guint *start, const guint *adj, guint v, guint w)
{
  guint c = 0;

  for (guint i = start[v]; i < start[v + 1]; i++)
    for (guint k = start[w]; k < start[w + 1]; k++)
      c += work->order[adj[i]] > work->order[adj[k]];
  return c;
}

static guint
both_sides (CtxDagWork *work, guint v, guint w)
{
  return pair_crossings (work, work->up_start, work->up, v, w)
         + pair_crossings (work, work->down_start, work->down, v, w);
}

static gboolean
pair_too_big (CtxDagWork *work, guint v, guint w)
{
  guint dv = work->up_start[v + 1] - work->up_start[v] + work->down_start[v + 1] - work->down_start[v];
  guint dw = work->up_start[w + 1] - work->up_start[w] + work->down_start[w + 1] - work->down_start[w];

  return (guint64) dv * dw > TRANSPOSE_MAX_PAIRS;
}

static gboolean
transpose_layer (CtxDagWork *work, guint l)
{
  guint *nodes = work->layer_nodes + work->layer_start[l], n = layer_size (work, l);
  gboolean improved = FALSE;

  for (guint i = 0; i + 1 < n; i++)
    {
      guint v = nodes[i], w = nodes[i + 1];

      if (pair_too_big (work, v, w) || both_sides (work, v, w) <= both_sides (work, w, v))
        continue;
      nodes[i] = w;
      nodes[i + 1] = v;
      work->order[w] = i;
      work->order[v] = i + 1;
      improved = TRUE;
    }
  return improved;
}

static void
transpose (CtxDagWork *work)
{
  for (guint pass = 0; pass < TRANSPOSE_PASSES; pass++)
    {
      gboolean improved = FALSE;

      for (guint l = 0; l < work->n_layers; l++)
        improved |= transpose_layer (work, l);
      if (!improved)
        break;
    }
}

static void
sweep (CtxDagWork *work, gboolean downwards, Keyed *keyed)
{
  if (downwards)
    for (guint l = 1; l < work->n_layers; l++)
      sort_layer (work, l, TRUE, keyed);
  else if (work->n_layers > 1)
    for (guint l = work->n_layers - 1; l-- > 0;)
      sort_layer (work, l, FALSE, keyed);
}

static void
restore (CtxDagWork *work, const guint *best)
{
  memcpy (work->layer_nodes, best, sizeof (guint) * work->n);
  for (guint l = 0; l < work->n_layers; l++)
    for (guint i = work->layer_start[l]; i < work->layer_start[l + 1]; i++)
      work->order[work->layer_nodes[i]] = i - work->layer_start[l];
}

gboolean
ctx_dag_order (CtxDagWork *work)
{
  guint *best = g_memdup2 (work->layer_nodes, sizeof (guint) * (work->n + 1));
  Keyed *keyed = g_new (Keyed, work->n + 1);
  guint best_crossings = ctx_dag_count_crossings (work);

  for (guint i = 0, stale = 0; i < work->options.sweeps && best_crossings > 0 && stale < 3; i++)
    {
      guint c;

      if (ctx_dag_work_cancelled (work))
        break;
      sweep (work, i % 2 == 0, keyed);
      /* Transpose polishes: the first sweeps move too much for it to pay. */
      if (i >= work->options.sweeps / 2)
        transpose (work);
      c = ctx_dag_count_crossings (work);
      stale = c < best_crossings ? 0 : stale + 1;
      if (c < best_crossings)
        {
          best_crossings = c;
          memcpy (best, work->layer_nodes, sizeof (guint) * work->n);
        }
    }
  restore (work, best);
  work->n_crossings = best_crossings;
  g_free (best);
  g_free (keyed);
  return !ctx_dag_work_cancelled (work);
}
