/* ctx-cmd-stats.c: ctxtrace stats FILE [--sort self|total|count] [--limit N]: time per
 * span name, from the model's aggregation (ctx-aggregate.h), as the viewer's table shows
 * it.  Self time is a span's duration minus its children's (on any thread). */
#include "ctx-cli.h"

#include <stdlib.h>
#include <string.h>

#include "ctx-aggregate.h"
#include "ctx-trace-model.h"

typedef enum
{
  SORT_TOTAL,
  SORT_SELF,
  SORT_COUNT,
} SortKey;

static SortKey sort_key;

static gint64
sort_value (const CtxNameStats *s)
{
  return sort_key == SORT_SELF ? s->self_ns : sort_key == SORT_COUNT ? (gint64) s->count
                                                                      : s->total_ns;
}

static int
compare_stats (const void *a, const void *b)
{
  const CtxNameStats *x = a, *y = b;
  gint64 vx = sort_value (x), vy = sort_value (y);

  if (vx != vy)
    return vx > vy ? -1 : 1;
  return x->name < y->name ? -1 : x->name > y->name;
}

static void
print_row (CtxTraceModel *model, const CtxNameStats *s)
{
  g_autofree char *total = ctx_cli_format_duration (s->total_ns);
  g_autofree char *self = ctx_cli_format_duration (s->self_ns);
  g_autofree char *mean = ctx_cli_format_duration (s->mean_ns);
  g_autofree char *p95 = ctx_cli_format_duration (s->p95_ns);
  g_autofree char *max = ctx_cli_format_duration (s->max_ns);

  printf ("%10u  %13s  %13s  %12s  %12s  %12s  %6u  %s\n", s->count, total, self, mean, p95,
          max, s->errors, ctx_trace_model_get_string (model, s->name));
}

static int
run_stats (const char *path, SortKey key, int limit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_autoptr (CtxAggregate) agg = NULL;
  g_autofree CtxNameStats *stats = NULL;
  guint n;

  if (model == NULL)
    return ctx_cli_fail ("stats", error);
  agg = ctx_aggregate_compute (model, 0, 0, NULL, &error);
  if (agg == NULL)
    return ctx_cli_fail ("stats", error);
  n = ctx_aggregate_get_n_names (agg);
  stats = g_memdup2 (ctx_aggregate_get_names (agg), n * sizeof (CtxNameStats));
  sort_key = key;
  qsort (stats, n, sizeof *stats, compare_stats);
  printf ("%10s  %13s  %13s  %12s  %12s  %12s  %6s  %s\n", "count", "total", "self", "mean",
          "p95", "max", "errors", "name");
  for (guint i = 0; i < n && (limit <= 0 || i < (guint) limit); i++)
    print_row (model, &stats[i]);
  return CTX_EXIT_OK;
}

int
ctx_cmd_stats (int argc, char **argv)
{
  g_autofree char *sort = NULL;
  int limit = 0, exit_code = CTX_EXIT_OK;
  SortKey key = SORT_TOTAL;
  const GOptionEntry entries[] = {
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort, "Order by self, total (default) or count",
      "KEY" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "Show the first N names (default: all)", "N" },
    { NULL },
  };

  if (!ctx_cli_parse ("stats", "FILE", "Time per span name: calls, total time, self time "
                      "(total minus children) and errors.", entries, &argc, &argv, &exit_code))
    return exit_code;
  if (g_strcmp0 (sort, "self") == 0)
    key = SORT_SELF;
  else if (g_strcmp0 (sort, "count") == 0)
    key = SORT_COUNT;
  else if (sort != NULL && strcmp (sort, "total") != 0)
    return ctx_cli_usage ("stats", "--sort takes self, total or count");
  if (argc != 2)
    return ctx_cli_usage ("stats", "expected one trace FILE");
  return run_stats (argv[1], key, limit);
}
