/* ctx-aggregate.c: per-name statistics and call edges from the model's arrays.
 *
 * Linear passes over the spans with one temporary gint64 per span: first self times
 * (each span's duration minus its children's, children on any thread), then the same
 * array regrouped by name for the percentiles (selection, not sorting). */
#include "ctx-aggregate.h"

#include <string.h>

#include "ctx-span-range.h"

#define CANCEL_CHECK_MASK 0xfffff

G_STATIC_ASSERT (sizeof (gpointer) >= sizeof (guint64));

struct _CtxAggregate
{
  gatomicrefcount ref;
  GArray *names;        /* CtxNameStats, by total */
  GHashTable *by_key;   /* node_key (name, lane) -> position in names + 1 */
  GArray *edges;        /* CtxCallEdge, by caller then callee */
};

/* Statistics are gathered per node: a name, or a (name, lane) pair. */
typedef struct
{
  const CtxSpan *spans;
  guint n;
  gboolean ranged;
  gint64 t0;
  gint64 t1;
  const guint32 *node;  /* node of each span; NULL: the span's name */
  guint n_nodes;
} Scope;

static guint32
node_of (const Scope *scope, guint32 span)
{
  return scope->node != NULL ? scope->node[span] : scope->spans[span].name;
}

static gpointer
node_key (guint32 name, guint32 lane)
{
  return (gpointer) (guintptr) (((guint64) lane << 32) | name);
}

static gboolean
in_scope (const Scope *scope, const CtxSpan *s)
{
  return ctx_span_in_range (s, scope->ranged, scope->t0, scope->t1);
}

static gint64
clipped (const Scope *scope, const CtxSpan *s)
{
  return ctx_span_clipped_duration (s, scope->ranged, scope->t0, scope->t1);
}

/* self[i] = duration of i minus its in-scope children's. */
static void
compute_self (const Scope *scope, gint64 *self)
{
  for (guint i = 0; i < scope->n; i++)
    self[i] = in_scope (scope, &scope->spans[i]) ? clipped (scope, &scope->spans[i]) : 0;
  for (guint i = 0; i < scope->n; i++)
    {
      const CtxSpan *s = &scope->spans[i];
      if (s->parent != CTX_NONE && in_scope (scope, s)
          && in_scope (scope, &scope->spans[s->parent]))
        self[s->parent] = ctx_sat_add (self[s->parent], -clipped (scope, s));
    }
}

static void
accumulate (const Scope *scope, const gint64 *self, CtxNameStats *acc)
{
  for (guint i = 0; i < scope->n; i++)
    {
      const CtxSpan *s = &scope->spans[i];
      CtxNameStats *st = &acc[node_of (scope, i)];
      gint64 d;

      if (!in_scope (scope, s))
        continue;
      d = clipped (scope, s);
      st->count++;
      st->errors += s->status == 2;
      st->total_ns = ctx_sat_add (st->total_ns, d);
      st->self_ns = ctx_sat_add (st->self_ns, MAX (self[i], 0));
      st->max_ns = MAX (st->max_ns, d);
    }
}

/* The k-th smallest of v[0..n) (Hoare's selection; moves elements around). */
static gint64
select_kth (gint64 *v, guint n, guint k)
{
  gssize lo = 0, hi = (gssize) n - 1, target = k;

  while (lo < hi)
    {
      gint64 pivot = v[lo + (hi - lo) / 2];
      gssize i = lo, j = hi;
      while (i <= j)
        {
          while (v[i] < pivot)
            i++;
          while (v[j] > pivot)
            j--;
          if (i <= j)
            {
              gint64 t = v[i];
              v[i++] = v[j];
              v[j--] = t;
            }
        }
      if (target <= j)
        hi = j;
      else if (target >= i)
        lo = i;
      else
        return v[target];
    }
  return v[target];
}

/* Regroups the durations by node into grouped[] and takes nearest-rank percentiles. */
static void
percentiles (const Scope *scope, gint64 *grouped, CtxNameStats *acc)
{
  guint n_nodes = scope->n_nodes;
  g_autofree guint64 *pos = g_new0 (guint64, n_nodes + 1);

  for (guint s = 0; s < n_nodes; s++)
    pos[s + 1] = pos[s] + acc[s].count;
  for (guint i = 0; i < scope->n; i++)
    if (in_scope (scope, &scope->spans[i]))
      grouped[pos[node_of (scope, i)]++] = clipped (scope, &scope->spans[i]);
  for (guint s = 0, start = 0; s < n_nodes; start += acc[s].count, s++)
    {
      guint n = acc[s].count;
      if (n == 0)
        continue;
      acc[s].mean_ns = acc[s].total_ns / n;
      acc[s].p50_ns = select_kth (grouped + start, n, (n + 1) / 2 - 1);
      acc[s].p95_ns = select_kth (grouped + start, n,
                                  (guint) (((guint64) n * 95 + 99) / 100) - 1);
    }
}

static CtxCallEdge
make_edge (const CtxNameStats *caller, const CtxNameStats *callee)
{
  return (CtxCallEdge) { .caller = caller->name, .callee = callee->name,
                         .caller_lane = caller->lane, .callee_lane = callee->lane };
}

static void
count_edges (const Scope *scope, const CtxNameStats *acc, GArray *edges)
{
  g_autoptr (GHashTable) index = g_hash_table_new (ctx_packed_key_hash, g_direct_equal);

  for (guint i = 0; i < scope->n; i++)
    {
      const CtxSpan *s = &scope->spans[i];
      guint64 key;
      guint position;

      if (s->parent == CTX_NONE || !in_scope (scope, s)
          || !in_scope (scope, &scope->spans[s->parent]))
        continue;
      key = ((guint64) node_of (scope, s->parent) << 32) | node_of (scope, i);
      position = GPOINTER_TO_UINT (g_hash_table_lookup (index, (gpointer) (guintptr) key));
      if (position == 0)
        {
          CtxCallEdge edge = make_edge (&acc[node_of (scope, s->parent)], &acc[node_of (scope, i)]);
          g_array_append_val (edges, edge);
          position = edges->len;
          g_hash_table_insert (index, (gpointer) (guintptr) key, GUINT_TO_POINTER (position));
        }
      g_array_index (edges, CtxCallEdge, position - 1).count++;
      g_array_index (edges, CtxCallEdge, position - 1).total_ns =
        ctx_sat_add (g_array_index (edges, CtxCallEdge, position - 1).total_ns,
                     clipped (scope, s));
    }
}

static int
compare_total (gconstpointer a, gconstpointer b)
{
  const CtxNameStats *x = a, *y = b;

  if (x->total_ns != y->total_ns)
    return x->total_ns > y->total_ns ? -1 : 1;
  return x->name < y->name ? -1 : x->name > y->name;
}

static int
compare_edge (gconstpointer a, gconstpointer b)
{
  const CtxCallEdge *x = a, *y = b;

  if (x->caller != y->caller)
    return x->caller < y->caller ? -1 : 1;
  if (x->callee != y->callee)
    return x->callee < y->callee ? -1 : 1;
  if (x->caller_lane != y->caller_lane)
    return x->caller_lane < y->caller_lane ? -1 : 1;
  return x->callee_lane < y->callee_lane ? -1 : x->callee_lane > y->callee_lane;
}

static CtxAggregate *
aggregate_new (CtxNameStats *acc, guint n_nodes, GArray *edges)
{
  CtxAggregate *self = g_new0 (CtxAggregate, 1);

  g_atomic_ref_count_init (&self->ref);
  self->names = g_array_new (FALSE, FALSE, sizeof (CtxNameStats));
  for (guint s = 0; s < n_nodes; s++)
    if (acc[s].count > 0)
      g_array_append_val (self->names, acc[s]);
  g_array_sort (self->names, compare_total);
  self->by_key = g_hash_table_new (ctx_packed_key_hash, g_direct_equal);
  for (guint k = 0; k < self->names->len; k++)
    {
      const CtxNameStats *st = &g_array_index (self->names, CtxNameStats, k);
      g_hash_table_insert (self->by_key, node_key (st->name, st->lane), GUINT_TO_POINTER (k + 1));
    }
  g_array_sort (edges, compare_edge);
  self->edges = g_array_ref (edges);
  return self;
}

/* Per-lane nodes: one per (name, lane) pair met, numbered in span order. */
static guint32 *
lane_nodes (const Scope *scope, GArray *node_names)
{
  g_autoptr (GHashTable) index = g_hash_table_new (ctx_packed_key_hash, g_direct_equal);
  guint32 *node = g_new (guint32, MAX (scope->n, 1));

  for (guint i = 0; i < scope->n; i++)
    {
      const CtxSpan *s = &scope->spans[i];
      gpointer key = node_key (s->name, s->lane);
      guint position = GPOINTER_TO_UINT (g_hash_table_lookup (index, key));
      if (position == 0)
        {
          g_array_append_val (node_names, i);
          position = node_names->len;
          g_hash_table_insert (index, key, GUINT_TO_POINTER (position));
        }
      node[i] = position - 1;
    }
  return node;
}

static CtxNameStats *
new_accumulators (CtxTraceModel *model, Scope *scope, GArray *first_span)
{
  CtxNameStats *acc = g_new0 (CtxNameStats, MAX (scope->n_nodes, 1));

  for (guint k = 0; k < scope->n_nodes; k++)
    {
      const CtxSpan *s = first_span != NULL
                         ? &scope->spans[g_array_index (first_span, guint32, k)] : NULL;
      acc[k].name = s != NULL ? s->name : k;
      acc[k].lane = s != NULL ? s->lane : CTX_NONE;
    }
  return acc;
}

static CtxAggregate *
compute_locked (CtxTraceModel *model, Scope *scope, gboolean per_lane,
                GCancellable *cancellable)
{
  g_autofree gint64 *temp = g_new (gint64, MAX (scope->n, 1));
  g_autoptr (GArray) first_span = per_lane ? g_array_new (FALSE, FALSE, sizeof (guint32)) : NULL;
  g_autofree guint32 *node = per_lane ? lane_nodes (scope, first_span) : NULL;
  g_autofree CtxNameStats *acc = NULL;
  g_autoptr (GArray) edges = g_array_new (FALSE, FALSE, sizeof (CtxCallEdge));

  scope->node = node;
  scope->n_nodes = per_lane ? first_span->len : model->strings->len;
  acc = new_accumulators (model, scope, first_span);
  compute_self (scope, temp);
  accumulate (scope, temp, acc);
  if (g_cancellable_is_cancelled (cancellable))
    return NULL;
  percentiles (scope, temp, acc);
  count_edges (scope, acc, edges);
  if (g_cancellable_is_cancelled (cancellable))
    return NULL;
  return aggregate_new (acc, scope->n_nodes, edges);
}

CtxAggregate *
ctx_aggregate_compute_full (CtxTraceModel *model, gint64 range_start, gint64 range_end,
                            CtxAggregateFlags flags, GCancellable *cancellable, GError **error)
{
  CtxAggregate *self;
  Scope scope = { .ranged = range_start < range_end, .t0 = range_start, .t1 = range_end };

  g_return_val_if_fail (CTX_IS_TRACE_MODEL (model), NULL);
  g_rw_lock_reader_lock (&model->lock);
  scope.spans = model->spans;
  scope.n = model->n_spans;
  self = compute_locked (model, &scope, (flags & CTX_AGGREGATE_PER_LANE) != 0, cancellable);
  g_rw_lock_reader_unlock (&model->lock);
  if (self == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Statistics were cancelled");
  return self;
}

CtxAggregate *
ctx_aggregate_compute (CtxTraceModel *model, gint64 range_start, gint64 range_end,
                       GCancellable *cancellable, GError **error)
{
  return ctx_aggregate_compute_full (model, range_start, range_end, CTX_AGGREGATE_DEFAULT,
                                     cancellable, error);
}

/* ---- Async */

typedef struct
{
  gint64 start;
  gint64 end;
} Range;

static void
compute_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Range *range = data;
  GError *error = NULL;
  CtxAggregate *self = ctx_aggregate_compute (source, range->start, range->end,
                                              cancellable, &error);

  if (self == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, self, (GDestroyNotify) ctx_aggregate_unref);
}

void
ctx_aggregate_compute_async (CtxTraceModel *model, gint64 range_start, gint64 range_end,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (model, cancellable, callback, user_data);
  Range *range = g_new (Range, 1);

  *range = (Range) { range_start, range_end };
  g_task_set_source_tag (task, ctx_aggregate_compute_async);
  g_task_set_task_data (task, range, g_free);
  g_task_run_in_thread (task, compute_thread);
}

CtxAggregate *
ctx_aggregate_compute_finish (CtxTraceModel *model, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, model), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Accessors */

CtxAggregate *
ctx_aggregate_ref (CtxAggregate *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
ctx_aggregate_unref (CtxAggregate *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_array_unref (self->names);
  g_array_unref (self->edges);
  g_hash_table_unref (self->by_key);
  g_free (self);
}

guint
ctx_aggregate_get_n_names (CtxAggregate *self)
{
  return self->names->len;
}

const CtxNameStats *
ctx_aggregate_get_names (CtxAggregate *self)
{
  return (const CtxNameStats *) (gpointer) self->names->data;
}

const CtxNameStats *
ctx_aggregate_lookup_lane (CtxAggregate *self, guint32 name, guint32 lane)
{
  guint position = GPOINTER_TO_UINT (g_hash_table_lookup (self->by_key, node_key (name, lane)));

  return position != 0 ? &g_array_index (self->names, CtxNameStats, position - 1) : NULL;
}

const CtxNameStats *
ctx_aggregate_lookup (CtxAggregate *self, guint32 name)
{
  return ctx_aggregate_lookup_lane (self, name, CTX_NONE);
}

guint
ctx_aggregate_get_n_edges (CtxAggregate *self)
{
  return self->edges->len;
}

const CtxCallEdge *
ctx_aggregate_get_edges (CtxAggregate *self)
{
  return (const CtxCallEdge *) (gpointer) self->edges->data;
}

static int
compare_count (gconstpointer a, gconstpointer b)
{
  const CtxCallEdge *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return compare_edge (a, b);
}

static GArray *
edges_where (CtxAggregate *self, guint32 name, gboolean callers)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (CtxCallEdge));

  for (guint k = 0; k < self->edges->len; k++)
    {
      const CtxCallEdge *e = &g_array_index (self->edges, CtxCallEdge, k);
      if ((callers ? e->callee : e->caller) == name)
        g_array_append_val (out, *e);
    }
  g_array_sort (out, compare_count);
  return out;
}

GArray *
ctx_aggregate_get_callers (CtxAggregate *self, guint32 name)
{
  return edges_where (self, name, TRUE);
}

GArray *
ctx_aggregate_get_callees (CtxAggregate *self, guint32 name)
{
  return edges_where (self, name, FALSE);
}
