/* test-model-aggregate: per-name statistics and call edges against totals computed by
 * hand, whole trace and time range, recursion, and a larger trace against SQL. */
#include <glib/gstdio.h>

#include "ctx-aggregate.h"
#include "ctx-gen-trace.h"

static char *dir;

static char *
trace_path (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* Thread 1: A [0,100] > B [10,40] > C [15,25];  A > B [50,90] (error);  A > C [92,98].
 * Thread 2: C [30,60], child of the first B (handed over). */
static CtxTraceModel *
load_abc (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = trace_path ("abc.db");
  CtxGen *gen = ctx_gen_new (path, &error);
  CtxTraceModel *model;

  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "t1");
  ctx_gen_thread (gen, 1, 2, "t2");
#define SPAN(par, th, n, s, d, dep, st) \
  ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = par, .thread_id = th, .name = n, \
                                     .start_ns = s, .dur_ns = d, .depth = dep, .status = st })
  SPAN (0, 1, "A", 0, 100, 0, 1);
  SPAN (1, 1, "B", 10, 30, 1, 1);
  SPAN (2, 1, "C", 15, 10, 2, 1);
  SPAN (1, 1, "B", 50, 40, 1, 2);
  SPAN (1, 1, "C", 92, 6, 1, 1);
  SPAN (2, 2, "C", 30, 30, 0, 1);
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return model;
}

static guint32
name_of (CtxTraceModel *model, const char *name)
{
  for (guint32 i = 0; i < ctx_trace_model_get_n_strings (model); i++)
    if (g_str_equal (ctx_trace_model_get_string (model, i), name))
      return i;
  g_assert_not_reached ();
}

static void
assert_stats (CtxAggregate *agg, guint32 name, guint count, guint errors, gint64 total,
              gint64 self, gint64 p50, gint64 p95, gint64 max)
{
  const CtxNameStats *st = ctx_aggregate_lookup (agg, name);

  g_assert_nonnull (st);
  g_assert_cmpuint (st->count, ==, count);
  g_assert_cmpuint (st->errors, ==, errors);
  g_assert_cmpint (st->total_ns, ==, total);
  g_assert_cmpint (st->self_ns, ==, self);
  g_assert_cmpint (st->mean_ns, ==, total / count);
  g_assert_cmpint (st->p50_ns, ==, p50);
  g_assert_cmpint (st->p95_ns, ==, p95);
  g_assert_cmpint (st->max_ns, ==, max);
}

static const CtxCallEdge *
find_edge (CtxAggregate *agg, guint32 caller, guint32 callee)
{
  const CtxCallEdge *e = ctx_aggregate_get_edges (agg);

  for (guint k = 0; k < ctx_aggregate_get_n_edges (agg); k++)
    if (e[k].caller == caller && e[k].callee == callee)
      return &e[k];
  return NULL;
}

static void
assert_edge (CtxAggregate *agg, guint32 caller, guint32 callee, guint count, gint64 total)
{
  const CtxCallEdge *e = find_edge (agg, caller, callee);

  g_assert_nonnull (e);
  g_assert_cmpuint (e->count, ==, count);
  g_assert_cmpint (e->total_ns, ==, total);
}

static void
test_whole (void)
{
  g_autoptr (CtxTraceModel) model = load_abc ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxAggregate) agg = ctx_aggregate_compute (model, 0, 0, NULL, &error);
  guint32 a = name_of (model, "A"), b = name_of (model, "B"), c = name_of (model, "C");
  g_autoptr (GArray) callers = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (ctx_aggregate_get_n_names (agg), ==, 3);
  /* A: 100 - (30 + 40 + 6).  B: 30 - (10 + 30) clipped to 0, plus 40.  C: leaves. */
  assert_stats (agg, a, 1, 0, 100, 24, 100, 100, 100);
  assert_stats (agg, b, 2, 1, 70, 40, 30, 40, 40);
  assert_stats (agg, c, 3, 0, 46, 46, 10, 30, 30);
  g_assert_cmpuint (ctx_aggregate_get_names (agg)[0].name, ==, a);  /* by total */
  g_assert_cmpuint (ctx_aggregate_get_names (agg)[1].name, ==, b);
  g_assert_cmpuint (ctx_aggregate_get_n_edges (agg), ==, 3);
  assert_edge (agg, a, b, 2, 70);
  assert_edge (agg, b, c, 2, 40);
  assert_edge (agg, a, c, 1, 6);
  callers = ctx_aggregate_get_callers (agg, c);
  g_assert_cmpuint (callers->len, ==, 2);
  g_assert_cmpuint (g_array_index (callers, CtxCallEdge, 0).caller, ==, b);  /* by count */
  g_assert_null (ctx_aggregate_lookup (agg, G_MAXUINT32 - 1));
  g_assert_true (ctx_aggregate_lookup_lane (agg, c, CTX_NONE) == ctx_aggregate_lookup (agg, c));
  g_assert_cmpuint (ctx_aggregate_lookup (agg, c)->lane, ==, CTX_NONE);
}

static void
test_range (void)
{
  g_autoptr (CtxTraceModel) model = load_abc ();
  g_autoptr (CtxAggregate) agg = ctx_aggregate_compute (model, 20, 60, NULL, NULL);
  guint32 a = name_of (model, "A"), b = name_of (model, "B"), c = name_of (model, "C");

  /* In [20,60): A 40; B [20,40] 20 and [50,60] 10; C [20,25] 5 and [30,60] 30. */
  assert_stats (agg, a, 1, 0, 40, 40 - 20 - 10, 40, 40, 40);
  assert_stats (agg, b, 2, 1, 30, 0 + 10, 10, 20, 20);
  assert_stats (agg, c, 2, 0, 35, 35, 5, 30, 30);
  g_assert_null (find_edge (agg, a, c));
  assert_edge (agg, b, c, 2, 35);
}

static void
test_recursion (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = trace_path ("rec.db");
  CtxGen *gen = ctx_gen_new (path, &error);
  g_autoptr (CtxTraceModel) model = NULL;
  g_autoptr (CtxAggregate) agg = NULL;
  guint32 f;

  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "t1");
  SPAN (0, 1, "f", 0, 100, 0, 1);
  SPAN (1, 1, "f", 10, 40, 1, 1);
  SPAN (2, 1, "f", 20, 10, 2, 2);
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  agg = ctx_aggregate_compute (model, 0, 0, NULL, &error);
  f = name_of (model, "f");
  assert_stats (agg, f, 3, 1, 150, 60 + 30 + 10, 40, 100, 100);
  assert_edge (agg, f, f, 2, 50);
}

/* A generated trace: counts, totals and errors per name equal SQL's. */
static void
test_against_sql (void)
{
  CtxGenOptions o = { .n_spans = 20000, .threads_per_process = 3, .error_every = 7,
                      .n_names = 30, .seed = 7 };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = trace_path ("gen.db");
  g_autoptr (CtxTraceModel) model = NULL;
  g_autoptr (CtxAggregate) agg = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint rows = 0;

  g_assert_true (ctx_gen_trace (path, &o, NULL, &error));
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  agg = ctx_aggregate_compute (model, 0, 0, NULL, &error);
  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  /* "+ 0": SQLite 3.40 plans "c.parent_id = s.id" in this LEFT JOIN as a nested
   * scan (n^2); on an expression it builds an automatic index. */
  sqlite3_prepare_v2 (db,
      "WITH child AS (SELECT parent_id, sum(dur_ns) AS d FROM span GROUP BY parent_id)"
      " SELECT n.value, count(*), sum(s.dur_ns), sum(s.status = 2), max(s.dur_ns),"
      " sum(max(s.dur_ns - coalesce(c.d, 0), 0))"
      " FROM span s JOIN string n ON n.id = s.name_id LEFT JOIN child c"
      " ON c.parent_id = s.id + 0 GROUP BY s.name_id", -1, &stmt, NULL);
  for (; sqlite3_step (stmt) == SQLITE_ROW; rows++)
    {
      const CtxNameStats *st =
        ctx_aggregate_lookup (agg, name_of (model, (const char *) sqlite3_column_text (stmt, 0)));
      g_assert_cmpuint (st->count, ==, sqlite3_column_int (stmt, 1));
      g_assert_cmpint (st->total_ns, ==, sqlite3_column_int64 (stmt, 2));
      g_assert_cmpuint (st->errors, ==, sqlite3_column_int (stmt, 3));
      g_assert_cmpint (st->max_ns, ==, sqlite3_column_int64 (stmt, 4));
      g_assert_cmpint (st->self_ns, ==, sqlite3_column_int64 (stmt, 5));
      g_assert_cmpint (st->p50_ns, <=, st->p95_ns);
      g_assert_cmpint (st->p95_ns, <=, st->max_ns);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (rows, ==, ctx_aggregate_get_n_names (agg));
}

static const CtxCallEdge *
find_lane_edge (CtxAggregate *agg, guint32 caller, guint32 caller_lane, guint32 callee,
                guint32 callee_lane)
{
  const CtxCallEdge *e = ctx_aggregate_get_edges (agg);

  for (guint k = 0; k < ctx_aggregate_get_n_edges (agg); k++)
    if (e[k].caller == caller && e[k].callee == callee && e[k].caller_lane == caller_lane
        && e[k].callee_lane == callee_lane)
      return &e[k];
  return NULL;
}

/* One node per (name, thread): C splits into C on t1 (10, 6) and C on t2 (30). */
static void
test_per_lane (void)
{
  g_autoptr (CtxTraceModel) model = load_abc ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxAggregate) agg = ctx_aggregate_compute_full (model, 0, 0,
                                                             CTX_AGGREGATE_PER_LANE, NULL, &error);
  guint32 a = name_of (model, "A"), b = name_of (model, "B"), c = name_of (model, "C");
  const CtxNameStats *st;
  const CtxCallEdge *e;

  g_assert_no_error (error);
  g_assert_cmpuint (ctx_aggregate_get_n_names (agg), ==, 4);
  g_assert_null (ctx_aggregate_lookup (agg, c));
  st = ctx_aggregate_lookup_lane (agg, c, 0);
  g_assert_cmpuint (st->count, ==, 2);
  g_assert_cmpint (st->total_ns, ==, 16);
  g_assert_cmpint (st->p95_ns, ==, 10);
  st = ctx_aggregate_lookup_lane (agg, c, 1);
  g_assert_cmpuint (st->count, ==, 1);
  g_assert_cmpint (st->total_ns, ==, 30);
  g_assert_cmpuint (st->lane, ==, 1);
  st = ctx_aggregate_lookup_lane (agg, b, 0);
  g_assert_cmpint (st->self_ns, ==, 40);  /* children on any thread still subtracted */
  g_assert_cmpuint (ctx_aggregate_get_n_edges (agg), ==, 4);
  e = find_lane_edge (agg, b, 0, c, 1);
  g_assert_nonnull (e);
  g_assert_cmpuint (e->count, ==, 1);
  g_assert_cmpint (e->total_ns, ==, 30);
  e = find_lane_edge (agg, b, 0, c, 0);
  g_assert_cmpint (e->total_ns, ==, 10);
  g_assert_nonnull (find_lane_edge (agg, a, 0, b, 0));
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  CtxAggregate **out = data;

  *out = ctx_aggregate_compute_finish (CTX_TRACE_MODEL (source), result, NULL);
}

static void
test_async_and_cancel (void)
{
  g_autoptr (CtxTraceModel) model = load_abc ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  CtxAggregate *agg = NULL;

  ctx_aggregate_compute_async (model, 0, 0, NULL, on_done, &agg);
  while (agg == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (ctx_aggregate_get_n_names (agg), ==, 3);
  ctx_aggregate_unref (agg);
  g_cancellable_cancel (cancellable);
  g_assert_null (ctx_aggregate_compute (model, 0, 0, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("ctx-agg-XXXXXX", NULL);
  g_test_add_func ("/model/aggregate/whole", test_whole);
  g_test_add_func ("/model/aggregate/range", test_range);
  g_test_add_func ("/model/aggregate/recursion", test_recursion);
  g_test_add_func ("/model/aggregate/per-lane", test_per_lane);
  g_test_add_func ("/model/aggregate/against-sql", test_against_sql);
  g_test_add_func ("/model/aggregate/async-and-cancel", test_async_and_cancel);
  rc = g_test_run ();
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
  return rc;
}
