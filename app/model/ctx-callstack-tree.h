/* ctx-callstack-tree.h: identical call stacks merged into one tree ("left heavy" flame
 * graph), and the two halves of a sandwich: the merged callers and callees of one name.
 *
 * Built from the model's arrays (no SQL), on any thread, over the same scope as
 * ctx-aggregate.h: the whole trace, or the spans overlapping a time range with their
 * durations clipped to it.  Threads are merged: a stack is the chain of span names from a
 * root span down, through context handed to other threads. */
#pragma once

#include "ctx-trace-model.h"

G_BEGIN_DECLS

typedef enum
{
  CTX_CALLSTACK_ALL,      /* every stack; node 0 is a synthetic root (name CTX_NONE) */
  CTX_CALLSTACK_CALLEES,  /* node 0 is the name; below it what its outermost calls called */
  CTX_CALLSTACK_CALLERS,  /* node 0 is the name; below it its callers, inverted */
} CtxCallstackKind;

/* Nodes are stored in depth-first order, children heaviest first: a node's subtree is the
 * range [node, node + n_descendants], and each depth's nodes are in left-to-right order. */
typedef struct
{
  guint32 name;          /* string index; CTX_NONE for the synthetic root */
  guint32 parent;        /* node index, CTX_NONE for node 0 */
  guint32 first_child;   /* the heaviest child, CTX_NONE for a leaf */
  guint32 next_sibling;  /* the next lighter sibling, CTX_NONE for the last */
  guint32 depth;         /* 0 for node 0 */
  guint32 n_descendants;
  guint count;           /* spans merged here (callers: occurrences of the name) */
  guint errors;          /* of which status 2 */
  gint64 total_ns;       /* sum of their durations, at least the children's sum */
  gint64 self_ns;        /* total minus the children's totals */
  gint64 offset_ns;      /* left edge on the merged axis: node 0 starts at 0 */
} CtxCallNode;

typedef struct _CtxCallstackTree CtxCallstackTree;

/* name: the sandwiched name for CALLERS/CALLEES (ignored for ALL).  The recursion of a
 * name is counted once per stack: only its outermost occurrences are merged. */
CtxCallstackTree *ctx_callstack_tree_build (CtxTraceModel *model, CtxCallstackKind kind,
                                            guint32 name, gint64 range_start, gint64 range_end,
                                            GCancellable *cancellable, GError **error);
void ctx_callstack_tree_build_async (CtxTraceModel *model, CtxCallstackKind kind, guint32 name,
                                     gint64 range_start, gint64 range_end,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
CtxCallstackTree *ctx_callstack_tree_build_finish (CtxTraceModel *model, GAsyncResult *result,
                                                   GError **error);

CtxCallstackTree *ctx_callstack_tree_ref (CtxCallstackTree *self);
void ctx_callstack_tree_unref (CtxCallstackTree *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxCallstackTree, ctx_callstack_tree_unref)

CtxCallstackKind ctx_callstack_tree_get_kind (CtxCallstackTree *self);
/* At least 1 (node 0), even for an empty scope. */
guint ctx_callstack_tree_get_n_nodes (CtxCallstackTree *self);
const CtxCallNode *ctx_callstack_tree_get_nodes (CtxCallstackTree *self);
guint ctx_callstack_tree_get_max_depth (CtxCallstackTree *self);
/* The child of node with this name, or CTX_NONE. */
guint32 ctx_callstack_tree_find_child (CtxCallstackTree *self, guint32 node, guint32 name);

G_END_DECLS
