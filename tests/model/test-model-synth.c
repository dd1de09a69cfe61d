/* test-model-synth: a generated trace large enough for the parallel scan, checked span by
 * span against what plain SQL says; progress, cancellation and the async loader. */
#include <glib/gstdio.h>

#include "ctx-gen-trace.h"
#include "ctx-search.h"
#include "ctx-trace-model.h"

#define N_SPANS 210000

static char *dir, *path;

static void
check_span_rows (CtxTraceModel *model, sqlite3 *db)
{
  const CtxSpan *s = ctx_trace_model_get_spans (model);
  sqlite3_stmt *stmt = NULL;
  guint i = 0, n_open = 0, n_orphans = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "SELECT s.id, s.parent_id, s.thread_id, n.value, s.start_ns, s.dur_ns,"
      " (SELECT count(*) FROM span p WHERE p.id = s.parent_id), s.status"
      " FROM span s JOIN string n ON n.id = s.name_id ORDER BY s.id", -1, &stmt, NULL), ==, 0);
  for (; sqlite3_step (stmt) == SQLITE_ROW; i++)
    {
      const CtxLane *lane = ctx_trace_model_get_lane (model, s[i].lane);
      g_assert_cmpint (ctx_trace_model_get_span_id (model, i), ==, sqlite3_column_int64 (stmt, 0));
      g_assert_cmpint (lane->thread_id, ==, sqlite3_column_int64 (stmt, 2));
      g_assert_cmpstr (ctx_trace_model_get_string (model, s[i].name), ==,
                       (const char *) sqlite3_column_text (stmt, 3));
      g_assert_cmpint (s[i].start_ns, ==, sqlite3_column_int64 (stmt, 4));
      g_assert_cmpuint (s[i].status, ==, sqlite3_column_int (stmt, 7));
      if (sqlite3_column_type (stmt, 5) == SQLITE_NULL)
        {
          g_assert_true (s[i].flags & CTX_SPAN_OPEN);
          g_assert_cmpint (s[i].end_ns, ==, ctx_trace_model_get_end_ns (model));
          n_open++;
        }
      else
        g_assert_cmpint (s[i].end_ns - s[i].start_ns, ==, sqlite3_column_int64 (stmt, 5));
      if (sqlite3_column_type (stmt, 1) == SQLITE_NULL)
        g_assert_cmpuint (s[i].parent, ==, CTX_NONE);
      else if (sqlite3_column_int (stmt, 6) == 0)
        {
          g_assert_true (s[i].flags & CTX_SPAN_ORPHAN);
          n_orphans++;
        }
      else
        g_assert_cmpint (ctx_trace_model_get_span_id (model, s[i].parent), ==, sqlite3_column_int64 (stmt, 1));
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (i, ==, ctx_trace_model_get_n_spans (model));
  g_assert_cmpuint (n_open, ==, ctx_trace_model_get_n_open_spans (model));
  g_assert_cmpuint (n_open, >, 0);
  g_assert_cmpuint (n_orphans, >, 0);
}

static void
check_lane_rows (CtxTraceModel *model)
{
  const CtxSpan *s = ctx_trace_model_get_spans (model);
  guint total = 0;

  for (guint l = 0; l < ctx_trace_model_get_n_lanes (model); l++)
    {
      const CtxLane *lane = ctx_trace_model_get_lane (model, l);
      if (l > 0)
        g_assert_cmpuint (ctx_trace_model_get_lane (model, l - 1)->process, <=, lane->process);
      for (guint d = 0; d < lane->n_rows; d++)
        {
          const guint32 *v = (const guint32 *) (gpointer) lane->rows[d]->data;
          for (guint k = 0; k < lane->rows[d]->len; k++)
            {
              g_assert_cmpuint (s[v[k]].lane, ==, l);
              g_assert_cmpuint (s[v[k]].depth, ==, d);
              if (k > 0)
                g_assert_cmpint (s[v[k - 1]].start_ns, <=, s[v[k]].start_ns);
            }
          total += lane->rows[d]->len;
        }
    }
  g_assert_cmpuint (total, ==, ctx_trace_model_get_n_spans (model));
}

static void
check_children (CtxTraceModel *model, sqlite3 *db, guint32 span)
{
  g_autoptr (GArray) children = ctx_trace_model_get_children (model, span);
  sqlite3_stmt *stmt = NULL;
  guint k = 0;

  sqlite3_prepare_v2 (db, "SELECT id FROM span WHERE parent_id = ?1 ORDER BY start_ns, id",
                      -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, ctx_trace_model_get_span_id (model, span));
  for (; sqlite3_step (stmt) == SQLITE_ROW; k++)
    {
      g_assert_cmpuint (k, <, children->len);
      g_assert_cmpint (ctx_trace_model_get_span_id (model, g_array_index (children, guint32, k)), ==,
                       sqlite3_column_int64 (stmt, 0));
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (k, ==, children->len);
}

static void
progress_cb (double fraction, gpointer data)
{
  GArray *seen = data;

  g_array_append_val (seen, fraction);
}

static void
test_matches_sql (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) seen = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (CtxTraceModel) model = ctx_trace_model_load (path, NULL, progress_cb, seen, &error);
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  check_span_rows (model, db);
  check_lane_rows (model);
  for (guint32 span = 0; span < ctx_trace_model_get_n_spans (model); span += 997)
    check_children (model, db, span);
  sqlite3_close (db);
  g_assert_cmpuint (seen->len, >=, 2);
  for (guint i = 1; i < seen->len; i++)
    g_assert_cmpfloat (g_array_index (seen, double, i - 1), <=, g_array_index (seen, double, i));
  g_assert_cmpfloat (g_array_index (seen, double, seen->len - 1), ==, 1.0);
}

/* Large enough for the parallel search path: the same ids as plain SQL finds. */
static void
check_search (CtxTraceModel *model, sqlite3 *db, const CtxSearchQuery *query, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) found = ctx_trace_model_search (model, query, NULL, &error);
  sqlite3_stmt *stmt = NULL;
  guint k = 0;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  for (; sqlite3_step (stmt) == SQLITE_ROW; k++)
    {
      g_assert_cmpuint (k, <, found->len);
      g_assert_cmpint (ctx_trace_model_get_span_id (model, g_array_index (found, guint32, k)), ==,
                       sqlite3_column_int64 (stmt, 0));
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (k, ==, found->len);
  g_assert_cmpuint (k, >, 0);
}

static void
test_search_matches_sql (void)
{
  g_autoptr (CtxTraceModel) model = ctx_trace_model_load (path, NULL, NULL, NULL, NULL);
  sqlite3 *db = NULL;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  check_search (model, db, &(CtxSearchQuery) { .attribute = "args.model=m3" },
                "SELECT id FROM span WHERE json_extract(attrs, '$.\"args.model\"') = 'm3'"
                " ORDER BY id");
  check_search (model, db, &(CtxSearchQuery) { .sql_where = "status = 2 AND depth > 1",
                                               .name = "FN_2" },
                "SELECT s.id FROM span s JOIN string n ON n.id = s.name_id WHERE s.status = 2"
                " AND s.depth > 1 AND n.value LIKE '%fn_2%' ORDER BY s.id");
  sqlite3_close (db);
}

static void
cancel_cb (double fraction, gpointer data)
{
  g_cancellable_cancel (data);
}

static void
test_cancel (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  CtxTraceModel *model = ctx_trace_model_load (path, cancellable, cancel_cb, cancellable, &error);

  g_assert_null (model);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct
{
  GMainLoop *loop;
  CtxTraceModel *model;
  GError *error;
  GThread *main_thread;
  guint n_progress;
} AsyncState;

static void
async_progress (double fraction, gpointer data)
{
  AsyncState *state = data;

  g_assert_true (g_thread_self () == state->main_thread);
  state->n_progress++;
}

static void
async_done (GObject *source, GAsyncResult *result, gpointer data)
{
  AsyncState *state = data;

  state->model = ctx_trace_model_load_finish (result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
test_async (void)
{
  AsyncState state = { g_main_loop_new (NULL, FALSE), NULL, NULL, g_thread_self (), 0 };

  ctx_trace_model_load_async (path, NULL, async_progress, &state, async_done, &state);
  g_main_loop_run (state.loop);
  g_assert_no_error (state.error);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (state.model), ==, N_SPANS);
  g_assert_cmpuint (state.n_progress, >=, 1);
  g_object_unref (state.model);
  g_main_loop_unref (state.loop);
}

static void
test_async_error (void)
{
  g_autofree char *missing = g_build_filename (dir, "missing.db", NULL);
  AsyncState state = { g_main_loop_new (NULL, FALSE), NULL, NULL, g_thread_self (), 0 };

  ctx_trace_model_load_async (missing, NULL, NULL, NULL, async_done, &state);
  g_main_loop_run (state.loop);
  g_assert_null (state.model);
  g_assert_error (state.error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_NOT_FOUND);
  g_error_free (state.error);
  g_main_loop_unref (state.loop);
}

int
main (int argc, char **argv)
{
  CtxGenOptions o = { .n_spans = N_SPANS, .n_processes = 2, .threads_per_process = 3,
                      .open_every = 10, .orphan_every = 7, .attrs_every = 3,
                      .error_every = 11, .seed = 42 };
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("ctx-synth-XXXXXX", NULL);
  path = g_build_filename (dir, "trace.db", NULL);
  g_assert_true (ctx_gen_trace (path, &o, NULL, &error));
  g_test_add_func ("/model/synth/matches-sql", test_matches_sql);
  g_test_add_func ("/model/synth/search-matches-sql", test_search_matches_sql);
  g_test_add_func ("/model/synth/cancel", test_cancel);
  g_test_add_func ("/model/synth/async", test_async);
  g_test_add_func ("/model/synth/async-error", test_async_error);
  rc = g_test_run ();
  g_unlink (path);
  g_rmdir (dir);
  return rc;
}
