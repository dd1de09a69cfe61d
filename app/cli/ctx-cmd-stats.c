/* ctx-cmd-stats.c: ctxtrace stats FILE [--sort self|total|count] [--limit N]: time per
 * span name, as the viewer's table shows it.  Self time is a span's duration minus its
 * children's (on any thread), open spans count up to the end of the trace. */
#include "ctx-cli.h"

#include <stdlib.h>
#include <string.h>

#include "ctx-trace-model.h"

typedef struct
{
  guint32 name;
  guint64 count;
  guint64 errors;
  gint64 total_ns;
  gint64 self_ns;
} NameStats;

typedef enum
{
  SORT_TOTAL,
  SORT_SELF,
  SORT_COUNT,
} SortKey;

static SortKey sort_key;

static int
compare_stats (const void *a, const void *b)
{
  const NameStats *x = a, *y = b;
  gint64 vx = sort_key == SORT_SELF ? x->self_ns
              : sort_key == SORT_COUNT ? (gint64) x->count : x->total_ns;
  gint64 vy = sort_key == SORT_SELF ? y->self_ns
              : sort_key == SORT_COUNT ? (gint64) y->count : y->total_ns;

  if (vx != vy)
    return vx > vy ? -1 : 1;
  return x->name < y->name ? -1 : x->name > y->name;
}

static NameStats *
aggregate (CtxTraceModel *model, guint *n_out)
{
  guint n = ctx_trace_model_get_n_spans (model), n_names = ctx_trace_model_get_n_strings (model);
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  NameStats *stats = g_new0 (NameStats, MAX (n_names, 1));

  for (guint i = 0; i < n_names; i++)
    stats[i].name = i;
  for (guint i = 0; i < n; i++)
    {
      gint64 dur = MAX (spans[i].end_ns - spans[i].start_ns, 0);
      NameStats *s = &stats[spans[i].name];

      s->count++;
      s->errors += spans[i].status == 2;
      s->total_ns += dur;
      s->self_ns += dur;
      if (spans[i].parent != CTX_NONE)
        stats[spans[i].parent < n ? spans[spans[i].parent].name : 0].self_ns -= dur;
    }
  *n_out = n_names;
  return stats;
}

static void
print_row (CtxTraceModel *model, const NameStats *s)
{
  g_autofree char *total = ctx_cli_format_duration (s->total_ns);
  g_autofree char *self = ctx_cli_format_duration (MAX (s->self_ns, 0));

  printf ("%10" G_GUINT64_FORMAT "  %14s  %14s  %7" G_GUINT64_FORMAT "  %s\n", s->count, total,
          self, s->errors, ctx_trace_model_get_string (model, s->name));
}

static int
run_stats (const char *path, SortKey key, int limit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_autofree NameStats *stats = NULL;
  guint n = 0;

  if (model == NULL)
    return ctx_cli_fail ("stats", error);
  stats = aggregate (model, &n);
  sort_key = key;
  qsort (stats, n, sizeof *stats, compare_stats);
  printf ("%10s  %14s  %14s  %7s  %s\n", "count", "total", "self", "errors", "name");
  for (guint i = 0; i < n && (limit <= 0 || i < (guint) limit); i++)
    if (stats[i].count > 0)
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
