/* ctx-cmd-tree.c: ctxtrace tree FILE [--span ID] [--depth N]: the call tree, indented,
 * per thread, children in start order.  Walks the trace model with an explicit stack, so
 * a deep trace cannot overflow the C stack. */
#include "ctx-cli.h"

#include <stdlib.h>

#include "ctx-trace-model.h"

typedef struct
{
  CtxTraceModel *model;
  const CtxSpan *spans;
  guint32 *offsets;   /* children of span i: child[offsets[i] .. offsets[i + 1]) */
  guint32 *children;
  int max_depth;      /* levels below the starting spans, -1 for all */
} Tree;

static const CtxSpan *sort_spans;

static int
compare_start (const void *a, const void *b)
{
  gint64 x = sort_spans[*(const guint32 *) a].start_ns;
  gint64 y = sort_spans[*(const guint32 *) b].start_ns;

  return x < y ? -1 : x > y;
}

static int
compare_lane_start (const void *a, const void *b)
{
  guint x = sort_spans[*(const guint32 *) a].lane;
  guint y = sort_spans[*(const guint32 *) b].lane;

  return x != y ? (x < y ? -1 : 1) : compare_start (a, b);
}

/* Children lists (CSR), with the roots as the children of a virtual span n. */
static void
tree_index (Tree *t, guint n)
{
  guint32 *fill = g_new0 (guint32, n + 2);

  t->offsets = g_new0 (guint32, n + 2);
  t->children = g_new (guint32, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    t->offsets[(t->spans[i].parent < n ? t->spans[i].parent : n) + 1]++;
  for (guint i = 0; i <= n; i++)
    t->offsets[i + 1] += t->offsets[i];
  for (guint i = 0; i < n; i++)
    {
      guint32 p = t->spans[i].parent < n ? t->spans[i].parent : n;
      t->children[t->offsets[p] + fill[p]++] = i;
    }
  sort_spans = t->spans;
  for (guint i = 0; i <= n; i++)
    qsort (t->children + t->offsets[i], t->offsets[i + 1] - t->offsets[i], sizeof (guint32),
           i == n ? compare_lane_start : compare_start);
  g_free (fill);
}

static void
print_span (Tree *t, guint32 i, int level)
{
  const CtxSpan *s = &t->spans[i];
  g_autofree char *dur = ctx_cli_format_duration (s->flags & CTX_SPAN_OPEN ? -1
                                                  : s->end_ns - s->start_ns);

  printf ("%*s%s  %s%s  #%" G_GINT64_FORMAT "\n", 2 * level, "",
          ctx_trace_model_get_string (t->model, s->name), dur,
          s->status == 2 ? "  [error]" : "", ctx_trace_model_get_span_id (t->model, i));
}

typedef struct
{
  guint32 span;
  int level;
} Visit;

static void
print_subtree (Tree *t, guint32 root, int level0)
{
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (Visit));
  Visit v = { root, 0 };

  g_array_append_val (stack, v);
  while (stack->len > 0)
    {
      v = g_array_index (stack, Visit, stack->len - 1);
      g_array_set_size (stack, stack->len - 1);
      print_span (t, v.span, level0 + v.level);
      if (t->max_depth >= 0 && v.level >= t->max_depth)
        continue;
      /* Pushed last to first, so popped in start order. */
      for (guint32 c = t->offsets[v.span + 1]; c > t->offsets[v.span]; c--)
        {
          Visit child = { t->children[c - 1], v.level + 1 };
          g_array_append_val (stack, child);
        }
    }
}

static void
print_lane_header (Tree *t, guint lane)
{
  const CtxLane *l = ctx_trace_model_get_lane (t->model, lane);
  const CtxProcess *p = ctx_trace_model_get_process (t->model, l->process);

  printf ("thread %" G_GINT64_FORMAT " %s (process %" G_GINT64_FORMAT " %s)\n", l->tid,
          l->name != NULL ? l->name : "", p->pid, p->name != NULL ? p->name : "");
}

/* Roots are sorted by (lane, start): one header per thread. */
static void
print_roots (Tree *t, guint n)
{
  guint last_lane = G_MAXUINT;

  for (guint32 c = t->offsets[n]; c < t->offsets[n + 1]; c++)
    {
      guint lane = t->spans[t->children[c]].lane;

      if (lane != last_lane)
        print_lane_header (t, lane);
      last_lane = lane;
      print_subtree (t, t->children[c], 1);
    }
}

static int
run_tree (const char *path, gint64 span_id, int max_depth)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  Tree t = { model, NULL, NULL, NULL, max_depth };
  guint n;

  if (model == NULL)
    return ctx_cli_fail ("tree", error);
  n = ctx_trace_model_get_n_spans (model);
  t.spans = ctx_trace_model_get_spans (model);
  if (span_id != 0 && ctx_trace_model_find_id (model, span_id) == CTX_NONE)
    {
      fprintf (stderr, "ctxtrace tree: no span with id %" G_GINT64_FORMAT " in %s\n", span_id,
               path);
      return CTX_EXIT_FAILURE;
    }
  tree_index (&t, n);
  if (span_id != 0)
    print_subtree (&t, ctx_trace_model_find_id (model, span_id), 0);
  else
    print_roots (&t, n);
  g_free (t.offsets);
  g_free (t.children);
  return CTX_EXIT_OK;
}

int
ctx_cmd_tree (int argc, char **argv)
{
  gint64 span_id = 0;
  int max_depth = -1, exit_code = CTX_EXIT_OK;
  const GOptionEntry entries[] = {
    { "span", 's', 0, G_OPTION_ARG_INT64, &span_id, "Start at the span with this id", "ID" },
    { "depth", 'd', 0, G_OPTION_ARG_INT, &max_depth, "Show N levels below the start", "N" },
    { NULL },
  };

  if (!ctx_cli_parse ("tree", "FILE", "Print the call tree with durations: each thread's "
                      "spans indented under their parents, in start order.", entries, &argc,
                      &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return ctx_cli_usage ("tree", "expected one trace FILE");
  return run_tree (argv[1], span_id, max_depth);
}
