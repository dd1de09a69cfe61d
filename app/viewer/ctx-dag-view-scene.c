/* ctx-dag-view-scene.c: the graph the DAG view shows, built on the main thread from an
 * aggregate (call mode) or from one trace's spans and links (span mode), then filtered:
 * nodes under the time threshold go, and so does whatever is reachable only through a
 * collapsed node.  The layout of the result runs on a worker. */
#include "ctx-dag-view-private.h"

#include <string.h>

#include "ctx-time.h"

typedef struct
{
  GArray *nodes;  /* CtxDagNode, unfiltered */
  GArray *edges;  /* CtxDagEdge */
} Raw;

/* Self times are >= 0; a hostile file could still make their sum overflow. */
static gint64
ctx_sat_add64 (gint64 a, gint64 b)
{
  gint64 r;

  return __builtin_add_overflow (a, b, &r) ? G_MAXINT64 : r;
}

gpointer
ctx_dag_node_key (const CtxDagNode *node)
{
  if (node->span != CTX_NONE)
    return GUINT_TO_POINTER (node->span + 1);
  return (gpointer) (guintptr) ((((guint64) node->lane + 1) << 32) | node->name);
}

static void
node_clear (CtxDagNode *node)
{
  g_free (node->label);
  g_free (node->stats);
  g_free (node->self);
}

void
ctx_dag_scene_free (CtxDagScene *scene)
{
  if (scene == NULL)
    return;
  for (guint i = 0; i < scene->nodes->len; i++)
    node_clear (&g_array_index (scene->nodes, CtxDagNode, i));
  g_array_unref (scene->nodes);
  g_array_unref (scene->edges);
  ctx_dag_layout_free (scene->layout);
  g_free (scene);
}

static char *
truncated (const char *text)
{
  const char *end;

  if (g_utf8_strlen (text, CTX_DAG_MAX_LABEL * 4 + 1) <= CTX_DAG_MAX_LABEL)
    return g_utf8_make_valid (text, -1);
  end = g_utf8_offset_to_pointer (text, CTX_DAG_MAX_LABEL - 1);
  {
    g_autofree char *head = g_utf8_make_valid (text, end - text);

    return g_strconcat (head, "…", NULL);
  }
}

/* thread: in the label (per-thread call graph) or, for a span, beside its duration. */
static void
describe (CtxDagNode *node, const char *name, const char *thread)
{
  g_autofree char *total = ctx_time_format_duration (node->total_ns);
  g_autofree char *self = ctx_time_format_duration (node->self_ns);
  g_autofree char *full = thread != NULL && node->span == CTX_NONE
                          ? g_strdup_printf ("%s · %s", name, thread) : NULL;
  g_autofree char *where = thread != NULL ? truncated (thread) : NULL;

  node->label = truncated (full != NULL ? full : name);
  if (node->span != CTX_NONE && where != NULL)
    node->stats = g_strdup_printf ("%s · %s", total, where);
  else if (node->span != CTX_NONE)
    node->stats = g_strdup_printf ("%s", total);
  else
    node->stats = g_strdup_printf (g_dngettext (NULL, "%u call · %s", "%u calls · %s", node->count),
                                   node->count, total);
  node->self = g_strdup_printf ("self %s", self);
}

static const char *
lane_label (CtxTraceModel *model, guint32 lane, char **owned)
{
  const CtxLane *l;

  if (lane == CTX_NONE || lane >= ctx_trace_model_get_n_lanes (model))
    return NULL;
  l = ctx_trace_model_get_lane (model, lane);
  if (l->name != NULL && l->name[0] != '\0')
    return l->name;
  *owned = g_strdup_printf ("thread %" G_GINT64_FORMAT, l->tid);
  return *owned;
}

/* -- filtering ----------------------------------------------------------------------- */

typedef struct
{
  guint n;
  guint *start;   /* CSR of out-edges, without self loops */
  guint *target;
  guint *in_degree;
} Csr;

static void
csr_build (Csr *g, const Raw *raw, const gboolean *keep)
{
  guint n = raw->nodes->len, m = raw->edges->len, *fill = g_new0 (guint, n + 1);

  g->n = n;
  g->start = g_new0 (guint, n + 1);
  g->target = g_new (guint, m + 1);
  g->in_degree = g_new0 (guint, n + 1);
  for (guint e = 0; e < m; e++)
    {
      const CtxDagEdge *edge = &g_array_index (raw->edges, CtxDagEdge, e);

      if (edge->from != edge->to && keep[edge->from] && keep[edge->to])
        g->start[edge->from + 1]++;
    }
  for (guint v = 0; v < n; v++)
    g->start[v + 1] += g->start[v];
  for (guint e = 0; e < m; e++)
    {
      const CtxDagEdge *edge = &g_array_index (raw->edges, CtxDagEdge, e);

      if (edge->from == edge->to || !keep[edge->from] || !keep[edge->to])
        continue;
      g->target[g->start[edge->from] + fill[edge->from]++] = edge->to;
      g->in_degree[edge->to]++;
    }
  g_free (fill);
}

static void
csr_clear (Csr *g)
{
  g_free (g->start);
  g_free (g->target);
  g_free (g->in_degree);
}

/* Marks everything reachable from the queued nodes, not expanding through `stop`. */
static void
flood (const Csr *g, guint *queue, guint tail, gboolean *mark, const gboolean *stop)
{
  guint head = 0;

  while (head < tail)
    {
      guint v = queue[head++];

      if (stop != NULL && stop[v])
        continue;
      for (guint i = g->start[v]; i < g->start[v + 1]; i++)
        if (!mark[g->target[i]])
          {
            mark[g->target[i]] = TRUE;
            queue[tail++] = g->target[i];
          }
    }
}

/* keep[v] becomes FALSE for what only collapsed nodes lead to; returns how many. */
static guint
hide_collapsed (const Raw *raw, gboolean *keep, const gboolean *collapsed)
{
  guint n = raw->nodes->len, tail = 0, hidden = 0;
  g_autofree guint *queue = g_new (guint, n + 1);
  g_autofree gboolean *from_roots = g_new0 (gboolean, n + 1);
  g_autofree gboolean *under = g_new0 (gboolean, n + 1);
  Csr g;

  csr_build (&g, raw, keep);
  for (guint v = 0; v < n; v++)
    if (keep[v] && g.in_degree[v] == 0)
      from_roots[queue[tail++] = v] = TRUE;
  flood (&g, queue, tail, from_roots, collapsed);
  for (guint v = tail = 0; v < n; v++)
    if (keep[v] && collapsed[v])
      queue[tail++] = v;
  flood (&g, queue, tail, under, NULL);
  for (guint v = 0; v < n; v++)
    {
      CtxDagNode *node = &g_array_index (raw->nodes, CtxDagNode, v);

      node->has_children = g.start[v + 1] > g.start[v];
      if (keep[v] && under[v] && !from_roots[v] && !collapsed[v])
        {
          keep[v] = FALSE;
          hidden++;
        }
    }
  csr_clear (&g);
  return hidden;
}

/* Each collapsed node's badge: its callees that are hidden (direct or not is not known
 * without a dominator tree; direct ones are what the badge promises). */
static void
count_under (Raw *raw, const gboolean *keep_before, const gboolean *keep)
{
  for (guint e = 0; e < raw->edges->len; e++)
    {
      const CtxDagEdge *edge = &g_array_index (raw->edges, CtxDagEdge, e);
      CtxDagNode *from = &g_array_index (raw->nodes, CtxDagNode, edge->from);

      if (from->collapsed && keep_before[edge->to] && !keep[edge->to] && edge->from != edge->to)
        from->n_collapsed++;
    }
}

static CtxDagScene *
scene_from_raw (Raw *raw, const CtxDagFilter *filter)
{
  CtxDagScene *scene = g_new0 (CtxDagScene, 1);
  guint n = raw->nodes->len;
  g_autofree gboolean *keep = g_new (gboolean, n + 1);
  g_autofree gboolean *keep_before = g_new (gboolean, n + 1);
  g_autofree gboolean *collapsed = g_new0 (gboolean, n + 1);
  g_autofree guint *remap = g_new (guint, n + 1);
  gint64 total = 0;

  scene->nodes = g_array_new (FALSE, FALSE, sizeof (CtxDagNode));
  scene->edges = g_array_new (FALSE, FALSE, sizeof (CtxDagEdge));
  scene->threshold = filter->threshold;
  /* The total time: self times add up to it without counting nested or recursive calls
   * twice (a sum of totals would). */
  for (guint v = 0; v < n; v++)
    total = ctx_sat_add64 (total, g_array_index (raw->nodes, CtxDagNode, v).self_ns);
  for (guint v = 0; v < n; v++)
    {
      CtxDagNode *node = &g_array_index (raw->nodes, CtxDagNode, v);

      keep[v] = node->total_ns >= filter->threshold / 100.0 * total;
      scene->n_hidden_threshold += !keep[v];
      node->collapsed = collapsed[v] = filter->collapsed != NULL
        && g_hash_table_contains (filter->collapsed, ctx_dag_node_key (node));
    }
  memcpy (keep_before, keep, sizeof (gboolean) * n);
  scene->n_hidden_collapsed = hide_collapsed (raw, keep, collapsed);
  count_under (raw, keep_before, keep);
  for (guint v = 0; v < n; v++)
    {
      CtxDagNode *node = &g_array_index (raw->nodes, CtxDagNode, v);

      remap[v] = G_MAXUINT;
      if (!keep[v])
        {
          node_clear (node);
          continue;
        }
      remap[v] = scene->nodes->len;
      scene->max_self = MAX (scene->max_self, node->self_ns);
      g_array_append_val (scene->nodes, *node);
    }
  for (guint e = 0; e < raw->edges->len; e++)
    {
      CtxDagEdge edge = g_array_index (raw->edges, CtxDagEdge, e);

      if (remap[edge.from] == G_MAXUINT || remap[edge.to] == G_MAXUINT)
        continue;
      edge.from = remap[edge.from];
      edge.to = remap[edge.to];
      scene->n_links += edge.link;
      g_array_append_val (scene->edges, edge);
    }
  g_array_unref (raw->nodes);
  g_array_unref (raw->edges);
  return scene;
}

static void
raw_init (Raw *raw)
{
  raw->nodes = g_array_new (FALSE, TRUE, sizeof (CtxDagNode));
  raw->edges = g_array_new (FALSE, TRUE, sizeof (CtxDagEdge));
}

/* -- call mode ----------------------------------------------------------------------- */

static gpointer
pair_key (guint32 name, guint32 lane)
{
  return (gpointer) (guintptr) ((((guint64) lane + 1) << 32) | name);
}

CtxDagScene *
ctx_dag_scene_from_aggregate (CtxAggregate *aggregate, CtxTraceModel *model,
                              gboolean per_lane, const CtxDagFilter *filter)
{
  const CtxNameStats *names = ctx_aggregate_get_names (aggregate);
  const CtxCallEdge *edges = ctx_aggregate_get_edges (aggregate);
  g_autoptr (GHashTable) index = g_hash_table_new (NULL, NULL);
  Raw raw;

  raw_init (&raw);
  for (guint i = 0; i < ctx_aggregate_get_n_names (aggregate); i++)
    {
      g_autofree char *owned = NULL;
      guint32 lane = per_lane ? names[i].lane : CTX_NONE;
      CtxDagNode node = { names[i].name, lane, CTX_NONE, NULL, NULL, NULL, names[i].count,
                          names[i].errors, names[i].total_ns, names[i].self_ns, FALSE, FALSE, 0 };

      describe (&node, ctx_trace_model_get_string (model, names[i].name),
                lane_label (model, lane, &owned));
      g_hash_table_insert (index, pair_key (node.name, lane), GUINT_TO_POINTER (raw.nodes->len + 1));
      g_array_append_val (raw.nodes, node);
    }
  for (guint i = 0; i < ctx_aggregate_get_n_edges (aggregate); i++)
    {
      guint a = GPOINTER_TO_UINT (g_hash_table_lookup (index, pair_key (edges[i].caller, per_lane ? edges[i].caller_lane : CTX_NONE)));
      guint b = GPOINTER_TO_UINT (g_hash_table_lookup (index, pair_key (edges[i].callee, per_lane ? edges[i].callee_lane : CTX_NONE)));
      CtxDagEdge edge = { a - 1, b - 1, edges[i].count, FALSE };

      if (a != 0 && b != 0)
        g_array_append_val (raw.edges, edge);
    }
  return scene_from_raw (&raw, filter);
}

/* -- span mode ----------------------------------------------------------------------- */

static guint32
longest_root (CtxTraceModel *model)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  guint32 best = CTX_NONE;

  for (guint32 i = 0; i < ctx_trace_model_get_n_spans (model); i++)
    if (spans[i].parent == CTX_NONE
        && (best == CTX_NONE || spans[i].end_ns - spans[i].start_ns > spans[best].end_ns - spans[best].start_ns))
      best = i;
  return best;
}

static guint32
root_of (CtxTraceModel *model, guint32 span)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  guint n = ctx_trace_model_get_n_spans (model);

  /* Bounded: a crafted file could make parents loop. */
  for (guint steps = 0; spans[span].parent != CTX_NONE && steps < n; steps++)
    span = spans[span].parent;
  return span;
}

static guint
add_span (Raw *raw, CtxTraceModel *model, GHashTable *index, guint32 span, gint64 self_ns)
{
  const CtxSpan *s = &ctx_trace_model_get_spans (model)[span];
  CtxDagNode node = { s->name, CTX_NONE, span, NULL, NULL, NULL, 1, s->status == 2,
                      MAX (s->end_ns - s->start_ns, 0), MAX (self_ns, 0), FALSE, FALSE, 0 };
  g_autofree char *owned = NULL;

  describe (&node, ctx_trace_model_get_string (model, s->name), lane_label (model, s->lane, &owned));
  g_hash_table_insert (index, GUINT_TO_POINTER (span + 1), GUINT_TO_POINTER (raw->nodes->len + 1));
  g_array_append_val (raw->nodes, node);
  return raw->nodes->len - 1;
}

static guint
lookup (GHashTable *index, guint32 span)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (index, GUINT_TO_POINTER (span + 1)));
}

/* Breadth first from the root, so a cap keeps the top of the tree. */
static guint
collect_tree (Raw *raw, CtxTraceModel *model, GHashTable *index, guint32 root)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  g_autoptr (GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint omitted = 0;

  g_array_append_val (queue, root);
  for (guint head = 0; head < queue->len; head++)
    {
      guint32 span = g_array_index (queue, guint32, head);
      g_autoptr (GArray) children = ctx_trace_model_get_children (model, span);
      gint64 self = spans[span].end_ns - spans[span].start_ns;
      guint parent_node;

      if (raw->nodes->len >= CTX_DAG_MAX_SPANS || lookup (index, span) != 0)
        {
          omitted += lookup (index, span) == 0;
          continue;
        }
      for (guint i = 0; i < children->len; i++)
        {
          const CtxSpan *c = &spans[g_array_index (children, guint32, i)];

          self -= c->end_ns - c->start_ns;
        }
      parent_node = add_span (raw, model, index, span, self);
      if (span != root)
        {
          CtxDagEdge edge = { lookup (index, spans[span].parent) - 1, parent_node, 1, FALSE };

          g_array_append_val (raw->edges, edge);
        }
      g_array_append_vals (queue, children->data, children->len);
    }
  return omitted;
}

static void
add_links (Raw *raw, CtxTraceModel *model, GHashTable *index, GArray *links)
{
  for (guint i = 0; links != NULL && i < links->len; i++)
    {
      const CtxTraceLink *link = &g_array_index (links, CtxTraceLink, i);
      guint32 effect = ctx_trace_model_find_id (model, link->span_id);
      guint32 cause = ctx_trace_model_find_id (model, link->linked_span_id);
      CtxDagEdge edge = { 0, 0, 1, TRUE };

      if (effect == CTX_NONE || cause == CTX_NONE || effect == cause)
        continue;
      if (lookup (index, effect) == 0 && lookup (index, cause) == 0)
        continue;
      if (lookup (index, effect) == 0 && raw->nodes->len < CTX_DAG_MAX_SPANS)
        add_span (raw, model, index, effect, 0);
      if (lookup (index, cause) == 0 && raw->nodes->len < CTX_DAG_MAX_SPANS)
        add_span (raw, model, index, cause, 0);
      if (lookup (index, effect) == 0 || lookup (index, cause) == 0)
        continue;
      edge.from = lookup (index, cause) - 1;
      edge.to = lookup (index, effect) - 1;
      g_array_append_val (raw->edges, edge);
    }
}

CtxDagScene *
ctx_dag_scene_from_spans (CtxTraceModel *model, guint32 span, GArray *links,
                          const CtxDagFilter *filter)
{
  g_autoptr (GHashTable) index = g_hash_table_new (NULL, NULL);
  guint omitted = 0;
  CtxDagScene *scene;
  Raw raw;

  raw_init (&raw);
  if (span == CTX_NONE || span >= ctx_trace_model_get_n_spans (model))
    span = longest_root (model);
  if (span != CTX_NONE)
    {
      omitted = collect_tree (&raw, model, index, root_of (model, span));
      add_links (&raw, model, index, links);
    }
  scene = scene_from_raw (&raw, filter);
  scene->n_omitted = omitted;
  return scene;
}

/* -- layout input -------------------------------------------------------------------- */

CtxDagGraph *
ctx_dag_scene_make_graph (const CtxDagScene *scene, double char_width, double line_height)
{
  CtxDagGraph *graph = ctx_dag_graph_new ();
  double height = 3 * line_height + 2 * CTX_DAG_PAD;

  for (guint v = 0; v < scene->nodes->len; v++)
    {
      const CtxDagNode *node = &g_array_index (scene->nodes, CtxDagNode, v);
      /* The third line holds the self time and, beside it, the errors (or hidden count). */
      glong third = g_utf8_strlen (node->self, -1) + (node->errors > 0 ? 10 : 0) + 12;
      glong chars = MAX (MAX (g_utf8_strlen (node->label, -1), g_utf8_strlen (node->stats, -1) + 2), third);
      double width = chars * char_width + 2 * CTX_DAG_PAD + CTX_DAG_TOGGLE;

      ctx_dag_graph_add_node (graph, CLAMP (width, 110, 340), height);
    }
  for (guint e = 0; e < scene->edges->len; e++)
    {
      const CtxDagEdge *edge = &g_array_index (scene->edges, CtxDagEdge, e);

      ctx_dag_graph_add_edge (graph, edge->from, edge->to);
    }
  return graph;
}

void
ctx_dag_scene_set_layout (CtxDagScene *scene, CtxDagLayout *layout)
{
  ctx_dag_layout_free (scene->layout);
  scene->layout = layout;
  scene->n_back = 0;
  for (guint e = 0; layout != NULL && e < ctx_dag_layout_get_n_edges (layout); e++)
    scene->n_back += ctx_dag_layout_get_edges (layout)[e].back
                     || ctx_dag_layout_get_edges (layout)[e].self_loop;
}
