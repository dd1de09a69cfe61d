/* bench-callstack-tree: merging call stacks (the aggregated flame graph) and a sandwich,
 * against the per-name statistics of the same spans.
 *
 *   bench-callstack-tree [N_SPANS] [--keep FILE]
 *
 * Baseline: ctx_aggregate_compute over the whole trace (what the statistics table costs,
 * one linear pass plus percentiles) on the same loaded model in the same run; ratio =
 * tree time / baseline.  Each figure is the best of three runs. */
#include <glib/gstdio.h>
#include <stdio.h>

#include "ctx-aggregate.h"
#include "ctx-callstack-tree.h"
#include "ctx-gen-trace.h"

#define RUNS 3

static double
time_aggregate (CtxTraceModel *model, guint32 *top_name)
{
  double best = G_MAXDOUBLE;

  for (int r = 0; r < RUNS; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (CtxAggregate) agg = ctx_aggregate_compute (model, 0, 0, NULL, NULL);

      best = MIN (best, (g_get_monotonic_time () - t0) / 1e6);
      *top_name = ctx_aggregate_get_names (agg)[0].name;
    }
  return best;
}

static void
run (CtxTraceModel *model, CtxCallstackKind kind, const char *label, guint32 name, double base)
{
  double best = G_MAXDOUBLE;
  guint n_nodes = 0;

  for (int r = 0; r < RUNS; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (CtxCallstackTree) tree = ctx_callstack_tree_build (model, kind, name, 0, 0, NULL, NULL);

      best = MIN (best, (g_get_monotonic_time () - t0) / 1e6);
      n_nodes = ctx_callstack_tree_get_n_nodes (tree);
    }
  printf ("{\"bench\":\"callstack-tree\",\"kind\":\"%s\",\"spans\":%u,\"nodes\":%u,"
          "\"seconds\":%.4f,\"baseline_aggregate_s\":%.4f,\"ratio\":%.2f}\n",
          label, ctx_trace_model_get_n_spans (model), n_nodes, best, base, best / base);
}

int
main (int argc, char **argv)
{
  g_autofree char *keep = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("[N_SPANS]");
  GOptionEntry entries[] = {
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Reuse (or write and keep) this file", "FILE" },
    { NULL },
  };
  g_autofree char *dir = NULL, *path = NULL;
  g_autoptr (CtxTraceModel) model = NULL;
  CtxGenOptions options = { .threads_per_process = 4, .n_names = 200, .max_depth = 8,
                            .open_every = 50, .seed = 11 };
  guint32 top_name = 0;
  double base;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  options.n_spans = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  dir = keep == NULL ? g_dir_make_tmp ("ctx-bench-XXXXXX", NULL) : NULL;
  path = keep != NULL ? g_strdup (keep) : g_build_filename (dir, "bench.db", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !ctx_gen_trace (path, &options, NULL, &error))
    g_error ("%s", error->message);
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  if (model == NULL)
    g_error ("%s", error->message);
  base = time_aggregate (model, &top_name);
  run (model, CTX_CALLSTACK_ALL, "all", 0, base);
  run (model, CTX_CALLSTACK_CALLEES, "callees-of-top-name", top_name, base);
  run (model, CTX_CALLSTACK_CALLERS, "callers-of-top-name", top_name, base);
  if (keep == NULL)
    {
      g_unlink (path);
      g_rmdir (dir);
    }
  return 0;
}
