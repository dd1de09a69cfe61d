/* ctx-callstack-tree.c: call stacks merged into a tree (see ctx-callstack-tree.h).
 *
 * One pass gives each span the node of its stack: the node of its parent's stack plus its
 * own name, memoised so that the whole pass is linear (parents may come after their
 * children in the array, and hostile files may even link parents in a cycle).  Then the
 * nodes are sorted heaviest first and renumbered depth first. */
#include "ctx-callstack-tree.h"

#include <string.h>

#include "ctx-span-range.h"

/* Per-span resolution states beside real node indices. */
#define UNSET (G_MAXUINT32 - 1)
#define BUSY (G_MAXUINT32 - 2)
#define OUT CTX_NONE  /* not part of the tree (a sandwich: not under the name) */
#define INSIDE (G_MAXUINT32 - 3)  /* callers: under an occurrence of the name */
/* Callers walk up at most this many frames (span depth is clamped to 16 bits anyway). */
#define MAX_CALLER_DEPTH 65536

G_STATIC_ASSERT (sizeof (gpointer) >= sizeof (guint64));

struct _CtxCallstackTree
{
  gatomicrefcount ref;
  CtxCallstackKind kind;
  GArray *nodes;  /* CtxCallNode, depth first */
  guint max_depth;
};

typedef struct
{
  const CtxSpan *spans;
  guint n;
  gboolean ranged;
  gint64 t0;
  gint64 t1;
  CtxCallstackKind kind;
  guint32 name;
  GArray *nodes;         /* CtxCallNode being built: parent, name, count, total */
  GHashTable *children;  /* (parent node << 32 | name) -> node + 1 */
  guint32 *state;        /* per span: UNSET, BUSY, OUT or its node */
} Builder;

static gboolean
in_scope (const Builder *b, const CtxSpan *s)
{
  return ctx_span_in_range (s, b->ranged, b->t0, b->t1);
}

static gint64
clipped (const Builder *b, const CtxSpan *s)
{
  return ctx_span_clipped_duration (s, b->ranged, b->t0, b->t1);
}

static guint32
add_node (Builder *b, guint32 parent, guint32 name)
{
  CtxCallNode node = { .name = name, .parent = parent, .first_child = CTX_NONE,
                       .next_sibling = CTX_NONE };

  g_array_append_val (b->nodes, node);
  return b->nodes->len - 1;
}

/* The child of parent named name, created on first use. */
static guint32
child_node (Builder *b, guint32 parent, guint32 name)
{
  gpointer key = (gpointer) (guintptr) (((guint64) parent << 32) | name);
  guint position = GPOINTER_TO_UINT (g_hash_table_lookup (b->children, key));

  if (position == 0)
    {
      position = add_node (b, parent, name) + 1;
      g_hash_table_insert (b->children, key, GUINT_TO_POINTER (position));
    }
  return position - 1;
}

/* The node of span i given its parent's (OUT for a root or a span outside the tree). */
static guint32
node_for (Builder *b, guint32 i, guint32 parent_node)
{
  guint32 name = b->spans[i].name;

  if (b->kind == CTX_CALLSTACK_ALL)
    return child_node (b, parent_node == OUT ? 0 : parent_node, name);
  if (parent_node != OUT && b->kind == CTX_CALLSTACK_CALLERS)
    return INSIDE;
  if (parent_node != OUT)
    return child_node (b, parent_node, name);
  return name == b->name ? 0 : OUT;
}

/* Walks up to the first resolved ancestor, then resolves the chain downwards.  A span
 * met again while its chain is being walked closes a cycle: it is taken as a root. */
static void
resolve (Builder *b, guint32 i, GArray *chain)
{
  guint32 cur = i;

  g_array_set_size (chain, 0);
  while (b->state[cur] == UNSET)
    {
      b->state[cur] = BUSY;
      g_array_append_val (chain, cur);
      if (b->spans[cur].parent == CTX_NONE)
        break;
      cur = b->spans[cur].parent;
    }
  for (guint k = chain->len; k > 0; k--)
    {
      guint32 s = g_array_index (chain, guint32, k - 1);
      guint32 parent = b->spans[s].parent;
      guint32 pnode = parent == CTX_NONE || b->state[parent] == BUSY ? OUT : b->state[parent];

      b->state[s] = node_for (b, s, pnode);
    }
}

static void
add_weight (Builder *b, guint32 node, const CtxSpan *s, gint64 weight)
{
  CtxCallNode *n = &g_array_index (b->nodes, CtxCallNode, node);

  n->count++;
  n->errors += s->status == 2;
  n->total_ns = ctx_sat_add (n->total_ns, weight);
}

/* An outermost occurrence of the name: its callers, inverted, each with its weight. */
static void
add_callers (Builder *b, guint32 i, gint64 weight)
{
  guint32 node = 0;
  guint32 p = b->spans[i].parent;

  add_weight (b, 0, &b->spans[i], weight);
  for (guint steps = 0; p != CTX_NONE && steps < MAX_CALLER_DEPTH; steps++)
    {
      node = child_node (b, node, b->spans[p].name);
      add_weight (b, node, &b->spans[p], weight);
      p = b->spans[p].parent;
    }
}

static gboolean
accumulate (Builder *b, GCancellable *cancellable)
{
  g_autoptr (GArray) chain = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; i < b->n; i++)
    {
      const CtxSpan *s = &b->spans[i];
      guint32 node;

      if ((i & 0xffff) == 0 && g_cancellable_is_cancelled (cancellable))
        return FALSE;
      if (!in_scope (b, s))
        continue;
      if (b->state[i] == UNSET)
        resolve (b, i, chain);
      node = b->state[i];
      if (node == OUT || node == INSIDE)
        continue;
      if (b->kind == CTX_CALLSTACK_CALLERS)
        {
          if (node == 0)
            add_callers (b, i, clipped (b, s));
        }
      else
        add_weight (b, node, s, clipped (b, s));
    }
  return TRUE;
}

/* Children never outweigh their parent (clipping, or children on other threads running
 * past their parent's end): totals grow to the children's sum, so widths always nest.
 * Parents are created before their children, so one backward pass suffices. */
static void
fix_totals (GArray *nodes)
{
  CtxCallNode *v = (CtxCallNode *) (gpointer) nodes->data;
  g_autofree gint64 *sum = g_new0 (gint64, nodes->len);

  for (guint k = nodes->len; k-- > 0;)
    {
      v[k].total_ns = MAX (v[k].total_ns, sum[k]);
      v[k].self_ns = v[k].total_ns - sum[k];
      if (v[k].parent != CTX_NONE)
        sum[v[k].parent] = ctx_sat_add (sum[v[k].parent], v[k].total_ns);
    }
}

static int
compare_weight (gconstpointer a, gconstpointer b, gpointer data)
{
  const CtxCallNode *v = data;
  const CtxCallNode *x = &v[*(const guint32 *) a];
  const CtxCallNode *y = &v[*(const guint32 *) b];

  if (x->total_ns != y->total_ns)
    return x->total_ns > y->total_ns ? -1 : 1;
  return x->name < y->name ? -1 : x->name > y->name;
}

/* Children of each node, heaviest first, as one array with per-node starts. */
static guint32 *
sorted_children (GArray *nodes, guint32 **starts_out)
{
  const CtxCallNode *v = (const CtxCallNode *) (gpointer) nodes->data;
  guint n = nodes->len;
  guint32 *starts = g_new0 (guint32, n + 1);
  guint32 *fill = g_new0 (guint32, n + 1);
  guint32 *kids = g_new (guint32, MAX (n, 1));

  for (guint k = 1; k < n; k++)
    starts[v[k].parent + 1]++;
  for (guint k = 0; k < n; k++)
    starts[k + 1] += starts[k];
  memcpy (fill, starts, (n + 1) * sizeof (guint32));
  for (guint k = 1; k < n; k++)
    kids[fill[v[k].parent]++] = k;
  for (guint k = 0; k < n; k++)
    g_qsort_with_data (kids + starts[k], starts[k + 1] - starts[k], sizeof (guint32),
                       compare_weight, (gpointer) v);
  g_free (fill);
  *starts_out = starts;
  return kids;
}

typedef struct
{
  guint32 old;
  guint32 new_parent;
} Pending;

/* Pushed lightest first so that the heaviest child is placed (numbered) first. */
static void
push_children (GArray *stack, const guint32 *kids, const guint32 *starts, guint32 old,
               guint32 here)
{
  for (guint32 c = starts[old + 1]; c > starts[old]; c--)
    {
      Pending p = { kids[c - 1], here };
      g_array_append_val (stack, p);
    }
}

/* Depth-first renumbering: subtrees contiguous, offsets from the heavier siblings. */
static GArray *
renumber (GArray *nodes, guint *max_depth)
{
  const CtxCallNode *v = (const CtxCallNode *) (gpointer) nodes->data;
  g_autofree guint32 *starts = NULL;
  g_autofree guint32 *kids = sorted_children (nodes, &starts);
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (Pending));
  g_autofree gint64 *next_offset = g_new0 (gint64, nodes->len);
  g_autofree guint32 *last_child = g_new (guint32, nodes->len);
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (CtxCallNode), nodes->len);
  Pending root = { 0, CTX_NONE };

  *max_depth = 0;
  g_array_append_val (stack, root);
  while (stack->len > 0)
    {
      Pending p = g_array_index (stack, Pending, stack->len - 1);
      CtxCallNode node = v[p.old];
      guint32 here = out->len;

      g_array_set_size (stack, stack->len - 1);
      node.parent = p.new_parent;
      node.first_child = node.next_sibling = CTX_NONE;
      node.n_descendants = 0;
      node.depth = 0;
      node.offset_ns = 0;
      last_child[here] = CTX_NONE;
      if (p.new_parent != CTX_NONE)
        {
          CtxCallNode *parent = &g_array_index (out, CtxCallNode, p.new_parent);

          node.depth = parent->depth + 1;
          node.offset_ns = ctx_sat_add (parent->offset_ns, next_offset[p.new_parent]);
          next_offset[p.new_parent] = ctx_sat_add (next_offset[p.new_parent], node.total_ns);
          if (last_child[p.new_parent] == CTX_NONE)
            parent->first_child = here;
          else
            g_array_index (out, CtxCallNode, last_child[p.new_parent]).next_sibling = here;
          last_child[p.new_parent] = here;
        }
      *max_depth = MAX (*max_depth, node.depth);
      g_array_append_val (out, node);
      push_children (stack, kids, starts, p.old, here);
    }
  /* Descendant counts, children after parents in depth-first order. */
  for (guint k = out->len; k-- > 1;)
    {
      CtxCallNode *n = &g_array_index (out, CtxCallNode, k);
      g_array_index (out, CtxCallNode, n->parent).n_descendants += n->n_descendants + 1;
    }
  return out;
}

static CtxCallstackTree *
build_locked (Builder *b, GCancellable *cancellable)
{
  g_autoptr (GArray) nodes = g_array_new (FALSE, FALSE, sizeof (CtxCallNode));
  g_autoptr (GHashTable) children = g_hash_table_new (ctx_packed_key_hash, g_direct_equal);
  g_autofree guint32 *state = g_new (guint32, MAX (b->n, 1));
  CtxCallstackTree *self;

  for (guint i = 0; i < b->n; i++)
    state[i] = UNSET;
  b->nodes = nodes;
  b->children = children;
  b->state = state;
  add_node (b, CTX_NONE, b->kind == CTX_CALLSTACK_ALL ? CTX_NONE : b->name);
  if (!accumulate (b, cancellable))
    return NULL;
  fix_totals (nodes);
  self = g_new0 (CtxCallstackTree, 1);
  g_atomic_ref_count_init (&self->ref);
  self->kind = b->kind;
  self->nodes = renumber (nodes, &self->max_depth);
  return self;
}

CtxCallstackTree *
ctx_callstack_tree_build (CtxTraceModel *model, CtxCallstackKind kind, guint32 name,
                          gint64 range_start, gint64 range_end, GCancellable *cancellable,
                          GError **error)
{
  Builder b = { .ranged = range_start < range_end, .t0 = range_start, .t1 = range_end,
                .kind = kind, .name = name };
  CtxCallstackTree *self;

  g_return_val_if_fail (CTX_IS_TRACE_MODEL (model), NULL);
  g_rw_lock_reader_lock (&model->lock);
  b.spans = model->spans;
  b.n = model->n_spans;
  self = build_locked (&b, cancellable);
  g_rw_lock_reader_unlock (&model->lock);
  if (self == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Call stacks were cancelled");
  return self;
}

/* ---- Async */

typedef struct
{
  CtxCallstackKind kind;
  guint32 name;
  gint64 start;
  gint64 end;
} Request;

static void
build_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Request *r = data;
  GError *error = NULL;
  CtxCallstackTree *self = ctx_callstack_tree_build (source, r->kind, r->name, r->start, r->end,
                                                     cancellable, &error);

  if (self == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, self, (GDestroyNotify) ctx_callstack_tree_unref);
}

void
ctx_callstack_tree_build_async (CtxTraceModel *model, CtxCallstackKind kind, guint32 name,
                                gint64 range_start, gint64 range_end,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (model, cancellable, callback, user_data);
  Request *r = g_new (Request, 1);

  *r = (Request) { kind, name, range_start, range_end };
  g_task_set_source_tag (task, ctx_callstack_tree_build_async);
  g_task_set_task_data (task, r, g_free);
  g_task_run_in_thread (task, build_thread);
}

CtxCallstackTree *
ctx_callstack_tree_build_finish (CtxTraceModel *model, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, model), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Accessors */

CtxCallstackTree *
ctx_callstack_tree_ref (CtxCallstackTree *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
ctx_callstack_tree_unref (CtxCallstackTree *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_array_unref (self->nodes);
  g_free (self);
}

CtxCallstackKind
ctx_callstack_tree_get_kind (CtxCallstackTree *self)
{
  return self->kind;
}

guint
ctx_callstack_tree_get_n_nodes (CtxCallstackTree *self)
{
  return self->nodes->len;
}

const CtxCallNode *
ctx_callstack_tree_get_nodes (CtxCallstackTree *self)
{
  return (const CtxCallNode *) (gpointer) self->nodes->data;
}

guint
ctx_callstack_tree_get_max_depth (CtxCallstackTree *self)
{
  return self->max_depth;
}

guint32
ctx_callstack_tree_find_child (CtxCallstackTree *self, guint32 node, guint32 name)
{
  const CtxCallNode *v = ctx_callstack_tree_get_nodes (self);

  if (node >= self->nodes->len)
    return CTX_NONE;
  for (guint32 c = v[node].first_child; c != CTX_NONE; c = v[c].next_sibling)
    if (v[c].name == name)
      return c;
  return CTX_NONE;
}
