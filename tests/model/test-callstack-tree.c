/* test-callstack-tree: merged call stacks and sandwiches against totals computed by hand:
 * merging, recursion, several threads, open spans and a time range. */
#include <glib/gstdio.h>

#include "ctx-callstack-tree.h"
#include "ctx-gen-trace.h"

static char *dir;

typedef struct
{
  gint64 parent;
  gint64 thread;
  const char *name;
  gint64 start;
  gint64 dur;
  int depth;
  int status;
  gboolean open;
} Row;

static CtxTraceModel *
load_rows (const char *file, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, file, NULL);
  CtxGen *gen = ctx_gen_new (path, &error);
  CtxTraceModel *model;

  g_assert_no_error (error);
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "t1");
  ctx_gen_thread (gen, 1, 2, "t2");
  for (guint i = 0; i < n; i++)
    ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = rows[i].parent, .thread_id = rows[i].thread,
                                       .name = rows[i].name, .start_ns = rows[i].start,
                                       .dur_ns = rows[i].dur, .depth = rows[i].depth,
                                       .status = rows[i].status, .open = rows[i].open });
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return model;
}

/* Span ids are 1, 2, ... in row order. */
static const Row abc_rows[] = {
  { 0, 1, "A", 0, 100, 0, 1 },   /* 1 */
  { 1, 1, "B", 10, 30, 1, 1 },   /* 2 */
  { 2, 1, "C", 15, 10, 2, 1 },   /* 3 */
  { 1, 1, "B", 50, 40, 1, 2 },   /* 4: error */
  { 1, 1, "C", 92, 6, 1, 1 },    /* 5 */
  { 2, 2, "C", 30, 30, 0, 1 },   /* 6: handed to thread 2 by the first B */
};

/* main [0,1000] > a [0,400] > f [50,250] > g [60,160]; f > f [170,240] > g [180,200]
 * main > b [500,850] > f [600,750] > h [650,700];  main > f [950,1000];
 * thread 2: f [0,30], a root. */
static const Row sandwich_rows[] = {
  { 0, 1, "main", 0, 1000, 0, 1 },  /* 1 */
  { 1, 1, "a", 0, 400, 1, 1 },      /* 2 */
  { 2, 1, "f", 50, 200, 2, 1 },     /* 3 */
  { 3, 1, "g", 60, 100, 3, 1 },     /* 4 */
  { 3, 1, "f", 170, 70, 3, 2 },     /* 5: error */
  { 5, 1, "g", 180, 20, 4, 1 },     /* 6 */
  { 1, 1, "b", 500, 350, 1, 1 },    /* 7 */
  { 7, 1, "f", 600, 150, 2, 1 },    /* 8 */
  { 8, 1, "h", 650, 50, 3, 1 },     /* 9 */
  { 1, 1, "f", 950, 50, 1, 1 },     /* 10 */
  { 0, 2, "f", 0, 30, 0, 1 },       /* 11 */
};

static guint32
name_of (CtxTraceModel *model, const char *name)
{
  for (guint32 i = 0; i < ctx_trace_model_get_n_strings (model); i++)
    if (g_str_equal (ctx_trace_model_get_string (model, i), name))
      return i;
  g_assert_not_reached ();
}

/* The node at a "/"-separated path of names below node 0, or CTX_NONE. */
static guint32
node_at (CtxTraceModel *model, CtxCallstackTree *tree, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  guint32 node = 0;

  for (guint i = 0; parts[i] != NULL && node != CTX_NONE; i++)
    node = ctx_callstack_tree_find_child (tree, node, name_of (model, parts[i]));
  return node;
}

static void
assert_node (CtxTraceModel *model, CtxCallstackTree *tree, const char *path, guint count,
             gint64 total, gint64 self, gint64 offset)
{
  guint32 node = node_at (model, tree, path);
  const CtxCallNode *n;

  g_assert_cmpuint (node, !=, CTX_NONE);
  n = &ctx_callstack_tree_get_nodes (tree)[node];
  g_assert_cmpuint (n->count, ==, count);
  g_assert_cmpint (n->total_ns, ==, total);
  g_assert_cmpint (n->self_ns, ==, self);
  g_assert_cmpint (n->offset_ns, ==, offset);
}

static CtxCallstackTree *
build (CtxTraceModel *model, CtxCallstackKind kind, const char *name, gint64 t0, gint64 t1)
{
  g_autoptr (GError) error = NULL;
  CtxCallstackTree *tree = ctx_callstack_tree_build (model, kind,
                                                     name != NULL ? name_of (model, name) : 0,
                                                     t0, t1, NULL, &error);

  g_assert_no_error (error);
  return tree;
}

/* Depth-first order with heaviest children first, subtrees contiguous. */
static void
assert_shape (CtxCallstackTree *tree)
{
  const CtxCallNode *v = ctx_callstack_tree_get_nodes (tree);
  guint n = ctx_callstack_tree_get_n_nodes (tree);

  g_assert_cmpuint (v[0].n_descendants, ==, n - 1);
  for (guint k = 0; k < n; k++)
    {
      gint64 sum = 0;
      guint32 prev = CTX_NONE;

      for (guint32 c = v[k].first_child; c != CTX_NONE; prev = c, c = v[c].next_sibling)
        {
          g_assert_cmpuint (v[c].parent, ==, k);
          g_assert_cmpuint (v[c].depth, ==, v[k].depth + 1);
          g_assert_cmpint (v[c].offset_ns, ==, v[k].offset_ns + sum);
          g_assert_true (c > k && c <= k + v[k].n_descendants);
          if (prev != CTX_NONE)
            g_assert_cmpint (v[prev].total_ns, >=, v[c].total_ns);
          sum += v[c].total_ns;
        }
      g_assert_cmpint (v[k].self_ns, ==, v[k].total_ns - sum);
      g_assert_cmpint (v[k].self_ns, >=, 0);
    }
}

static void
test_merge (void)
{
  g_autoptr (CtxTraceModel) model = load_rows ("abc.db", abc_rows, G_N_ELEMENTS (abc_rows));
  g_autoptr (CtxCallstackTree) tree = build (model, CTX_CALLSTACK_ALL, NULL, 0, 0);
  const CtxCallNode *v = ctx_callstack_tree_get_nodes (tree);

  /* root > A > {B > C, C}: five nodes, the second B's error counted. */
  g_assert_cmpuint (ctx_callstack_tree_get_n_nodes (tree), ==, 5);
  g_assert_cmpuint (ctx_callstack_tree_get_max_depth (tree), ==, 3);
  g_assert_cmpuint (v[0].name, ==, CTX_NONE);
  g_assert_cmpint (v[0].total_ns, ==, 100);
  assert_node (model, tree, "A", 1, 100, 24, 0);
  assert_node (model, tree, "A/B", 2, 70, 30, 0);
  /* Both C under a B: 10 on thread 1 and 30 handed to thread 2. */
  assert_node (model, tree, "A/B/C", 2, 40, 40, 0);
  assert_node (model, tree, "A/C", 1, 6, 6, 70);
  g_assert_cmpuint (v[node_at (model, tree, "A/B")].errors, ==, 1);
  /* Heaviest first: B (70) left of C (6), numbered depth first. */
  g_assert_cmpuint (node_at (model, tree, "A/B"), ==, 2);
  g_assert_cmpuint (node_at (model, tree, "A/B/C"), ==, 3);
  g_assert_cmpuint (node_at (model, tree, "A/C"), ==, 4);
  assert_shape (tree);
}

static void
test_recursion (void)
{
  static const Row rows[] = {
    { 0, 1, "R", 0, 100, 0, 1 },   /* 1 */
    { 1, 1, "R", 10, 50, 1, 1 },   /* 2 */
    { 2, 1, "R", 20, 20, 2, 1 },   /* 3 */
    { 1, 1, "X", 70, 20, 1, 1 },   /* 4 */
  };
  g_autoptr (CtxTraceModel) model = load_rows ("rec.db", rows, G_N_ELEMENTS (rows));
  g_autoptr (CtxCallstackTree) all = build (model, CTX_CALLSTACK_ALL, NULL, 0, 0);
  g_autoptr (CtxCallstackTree) callees = build (model, CTX_CALLSTACK_CALLEES, "R", 0, 0);
  g_autoptr (CtxCallstackTree) callers = build (model, CTX_CALLSTACK_CALLERS, "R", 0, 0);

  /* The merged tree keeps each level of the recursion. */
  assert_node (model, all, "R", 1, 100, 30, 0);
  assert_node (model, all, "R/R", 1, 50, 30, 0);
  assert_node (model, all, "R/R/R", 1, 20, 20, 0);
  assert_node (model, all, "R/X", 1, 20, 20, 50);
  /* The sandwich counts R once per stack: 100, not 100 + 50 + 20. */
  g_assert_cmpint (ctx_callstack_tree_get_nodes (callees)[0].total_ns, ==, 100);
  g_assert_cmpuint (ctx_callstack_tree_get_nodes (callees)[0].count, ==, 1);
  assert_node (model, callees, "R", 1, 50, 30, 0);
  assert_node (model, callees, "R/R", 1, 20, 20, 0);
  assert_node (model, callees, "X", 1, 20, 20, 50);
  g_assert_cmpint (ctx_callstack_tree_get_nodes (callers)[0].total_ns, ==, 100);
  g_assert_cmpuint (ctx_callstack_tree_get_n_nodes (callers), ==, 1);
  assert_shape (all);
  assert_shape (callees);
}

static void
test_sandwich (void)
{
  g_autoptr (CtxTraceModel) model = load_rows ("sw.db", sandwich_rows, G_N_ELEMENTS (sandwich_rows));
  g_autoptr (CtxCallstackTree) all = build (model, CTX_CALLSTACK_ALL, NULL, 0, 0);
  g_autoptr (CtxCallstackTree) callers = build (model, CTX_CALLSTACK_CALLERS, "f", 0, 0);
  g_autoptr (CtxCallstackTree) callees = build (model, CTX_CALLSTACK_CALLEES, "f", 0, 0);
  const CtxCallNode *root;

  g_assert_cmpint (ctx_callstack_tree_get_nodes (all)[0].total_ns, ==, 1030);
  assert_node (model, all, "main", 1, 1000, 200, 0);
  assert_node (model, all, "main/a", 1, 400, 200, 0);
  assert_node (model, all, "main/b", 1, 350, 200, 400);
  assert_node (model, all, "main/f", 1, 50, 50, 750);
  assert_node (model, all, "main/a/f/f/g", 1, 20, 20, 100);
  assert_node (model, all, "f", 1, 30, 30, 1000);

  /* Outermost f: 200 under a, 150 under b, 50 under main, 30 a root: 430 in 4 calls. */
  root = &ctx_callstack_tree_get_nodes (callers)[0];
  g_assert_cmpuint (root->name, ==, name_of (model, "f"));
  g_assert_cmpuint (root->count, ==, 4);
  g_assert_cmpint (root->total_ns, ==, 430);
  g_assert_cmpint (root->self_ns, ==, 30);  /* called by nothing */
  assert_node (model, callers, "a", 1, 200, 0, 0);
  assert_node (model, callers, "a/main", 1, 200, 200, 0);
  assert_node (model, callers, "b", 1, 150, 0, 200);
  assert_node (model, callers, "b/main", 1, 150, 150, 200);
  assert_node (model, callers, "main", 1, 50, 50, 350);
  g_assert_cmpuint (ctx_callstack_tree_get_n_nodes (callers), ==, 6);

  root = &ctx_callstack_tree_get_nodes (callees)[0];
  g_assert_cmpuint (root->count, ==, 4);
  g_assert_cmpint (root->total_ns, ==, 430);
  g_assert_cmpint (root->self_ns, ==, 430 - 100 - 70 - 50);
  g_assert_cmpuint (root->errors, ==, 0);
  assert_node (model, callees, "g", 1, 100, 100, 0);
  assert_node (model, callees, "f", 1, 70, 50, 100);
  assert_node (model, callees, "f/g", 1, 20, 20, 100);
  assert_node (model, callees, "h", 1, 50, 50, 170);
  g_assert_cmpuint (ctx_callstack_tree_get_nodes (callees)[node_at (model, callees, "f")].errors, ==, 1);
  assert_shape (all);
  assert_shape (callers);
  assert_shape (callees);
}

static void
test_threads (void)
{
  static const Row rows[] = {
    { 0, 1, "X", 0, 10, 0, 1 },
    { 1, 1, "Y", 2, 3, 1, 1 },
    { 0, 2, "X", 0, 20, 0, 1 },
    { 3, 2, "Y", 0, 8, 1, 1 },
    { 3, 2, "Z", 10, 4, 1, 1 },
  };
  g_autoptr (CtxTraceModel) model = load_rows ("threads.db", rows, G_N_ELEMENTS (rows));
  g_autoptr (CtxCallstackTree) all = build (model, CTX_CALLSTACK_ALL, NULL, 0, 0);

  /* The same stacks on two threads merge into one node. */
  g_assert_cmpuint (ctx_callstack_tree_get_n_nodes (all), ==, 4);
  assert_node (model, all, "X", 2, 30, 15, 0);
  assert_node (model, all, "X/Y", 2, 11, 11, 0);
  assert_node (model, all, "X/Z", 1, 4, 4, 11);
  assert_shape (all);
}

static void
test_open (void)
{
  static const Row rows[] = {
    { 0, 1, "O", 100, 0, 0, 0, TRUE },  /* still running */
    { 1, 1, "K", 150, 50, 1, 1 },
    { 0, 2, "Z", 0, 500, 0, 1 },
  };
  g_autoptr (CtxTraceModel) model = load_rows ("open.db", rows, G_N_ELEMENTS (rows));
  g_autoptr (CtxCallstackTree) all = build (model, CTX_CALLSTACK_ALL, NULL, 0, 0);
  const CtxSpan *o = &ctx_trace_model_get_spans (model)[ctx_trace_model_find_id (model, 1)];

  /* An open span lasts until the latest time in the file (500). */
  g_assert_true (o->flags & CTX_SPAN_OPEN);
  g_assert_cmpint (o->end_ns, ==, 500);
  assert_node (model, all, "O", 1, 400, 350, 500);
  assert_node (model, all, "O/K", 1, 50, 50, 500);
  assert_node (model, all, "Z", 1, 500, 500, 0);
  g_assert_cmpint (ctx_callstack_tree_get_nodes (all)[0].total_ns, ==, 900);
  assert_shape (all);
}

static void
test_range (void)
{
  g_autoptr (CtxTraceModel) model = load_rows ("abc-range.db", abc_rows, G_N_ELEMENTS (abc_rows));
  g_autoptr (CtxCallstackTree) all = build (model, CTX_CALLSTACK_ALL, NULL, 20, 60);
  g_autoptr (CtxCallstackTree) callees = build (model, CTX_CALLSTACK_CALLEES, "B", 20, 60);

  /* Clipped to [20, 60): A 40; B 20 + 10; C 5 + 30 (more than the Bs: B grows to 35);
   * the C at 92 is out. */
  g_assert_cmpuint (ctx_callstack_tree_get_n_nodes (all), ==, 4);
  assert_node (model, all, "A", 1, 40, 5, 0);
  assert_node (model, all, "A/B", 2, 35, 0, 0);
  assert_node (model, all, "A/B/C", 2, 35, 35, 0);
  g_assert_cmpuint (node_at (model, all, "A/C"), ==, CTX_NONE);
  g_assert_cmpint (ctx_callstack_tree_get_nodes (callees)[0].total_ns, ==, 35);
  g_assert_cmpuint (ctx_callstack_tree_get_nodes (callees)[0].count, ==, 2);
  assert_shape (all);
}

static void
test_empty_and_absent (void)
{
  g_autoptr (CtxTraceModel) model = load_rows ("abc-empty.db", abc_rows, G_N_ELEMENTS (abc_rows));
  g_autoptr (CtxCallstackTree) none = build (model, CTX_CALLSTACK_ALL, NULL, 1000, 2000);
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxCallstackTree) absent =
    ctx_callstack_tree_build (model, CTX_CALLSTACK_CALLERS, 12345, 0, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ctx_callstack_tree_get_n_nodes (none), ==, 1);
  g_assert_cmpint (ctx_callstack_tree_get_nodes (none)[0].total_ns, ==, 0);
  g_assert_cmpuint (ctx_callstack_tree_get_n_nodes (absent), ==, 1);
  g_assert_cmpuint (ctx_callstack_tree_get_nodes (absent)[0].count, ==, 0);
}

static void
on_built (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CtxCallstackTree **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = ctx_callstack_tree_build_finish (CTX_TRACE_MODEL (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async_and_cancel (void)
{
  g_autoptr (CtxTraceModel) model = load_rows ("abc-async.db", abc_rows, G_N_ELEMENTS (abc_rows));
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  CtxCallstackTree *tree = NULL;

  ctx_callstack_tree_build_async (model, CTX_CALLSTACK_ALL, 0, 0, 0, NULL, on_built, &tree);
  while (tree == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (ctx_callstack_tree_get_nodes (tree)[0].total_ns, ==, 100);
  ctx_callstack_tree_unref (tree);
  g_cancellable_cancel (cancel);
  g_assert_null (ctx_callstack_tree_build (model, CTX_CALLSTACK_ALL, 0, 0, 0, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A larger generated trace: the merged tree's root holds all root spans' time, and every
 * node's count and total add up to the plain per-name sums. */
static void
test_generated (void)
{
  g_autofree char *path = g_build_filename (dir, "gen.db", NULL);
  CtxGenOptions options = { .n_spans = 20000, .threads_per_process = 3, .n_names = 12,
                            .seed = 7 };
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = NULL;
  g_autoptr (CtxCallstackTree) all = NULL;
  const CtxSpan *spans;
  const CtxCallNode *v;
  gint64 roots = 0;
  guint count = 0;

  g_assert_true (ctx_gen_trace (path, &options, NULL, &error));
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  all = build (model, CTX_CALLSTACK_ALL, NULL, 0, 0);
  spans = ctx_trace_model_get_spans (model);
  for (guint i = 0; i < ctx_trace_model_get_n_spans (model); i++)
    if (spans[i].parent == CTX_NONE)
      roots += spans[i].end_ns - spans[i].start_ns;
  v = ctx_callstack_tree_get_nodes (all);
  for (guint k = 1; k < ctx_callstack_tree_get_n_nodes (all); k++)
    count += v[k].count;
  g_assert_cmpint (v[0].total_ns, ==, roots);
  g_assert_cmpuint (count, ==, ctx_trace_model_get_n_spans (model));
  assert_shape (all);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("ctx-callstack-XXXXXX", NULL);
  g_test_add_func ("/callstack/merge", test_merge);
  g_test_add_func ("/callstack/recursion", test_recursion);
  g_test_add_func ("/callstack/sandwich", test_sandwich);
  g_test_add_func ("/callstack/threads", test_threads);
  g_test_add_func ("/callstack/open", test_open);
  g_test_add_func ("/callstack/range", test_range);
  g_test_add_func ("/callstack/empty", test_empty_and_absent);
  g_test_add_func ("/callstack/async", test_async_and_cancel);
  g_test_add_func ("/callstack/generated", test_generated);
  status = g_test_run ();
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        g_unlink (p);
      }
  }
  g_rmdir (dir);
  g_free (dir);
  return status;
}
