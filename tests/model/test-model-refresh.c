/* test-model-refresh: a live file grows under a writer connection; refresh picks up new
 * rows, ended spans, new threads and late parents, never blocks the writer's checkpoint,
 * and reports a deleted or replaced file. */
#include <glib/gstdio.h>

#include "ctx-gen-trace.h"
#include "ctx-trace-model-private.h"

typedef struct
{
  char *dir;
  char *path;
  CtxGen *writer;
  CtxTraceModel *model;
} Fixture;

#define SPAN(g, id_, par, th, n, s, d, dep, op) \
  ctx_gen_span (g, &(CtxGenSpan) { .id = id_, .parent_id = par, .thread_id = th, .name = n, \
                                   .start_ns = s, .dur_ns = d, .depth = dep, .open = op, \
                                   .status = 1 })

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  CtxGen *gen;

  f->dir = g_dir_make_tmp ("ctx-refresh-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "live.db", NULL);
  gen = ctx_gen_new (f->path, &error);
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 11, "t1");
  SPAN (gen, 1, 0, 1, "root", 100, 0, 0, TRUE);
  SPAN (gen, 2, 1, 1, "child", 110, 20, 1, FALSE);
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  f->model = ctx_trace_model_load (f->path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->writer = ctx_gen_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = NULL;
  const char *name;

  g_clear_object (&f->model);
  if (f->writer != NULL)
    ctx_gen_close (f->writer, TRUE, NULL);
  d = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static gboolean
refresh (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  gboolean changed = FALSE;

  g_assert_true (ctx_trace_model_refresh (f->model, &changed, &error));
  g_assert_no_error (error);
  return changed;
}

static void
commit (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ctx_gen_commit (f->writer, &error));
}

static void
assert_rows_sorted (CtxTraceModel *model)
{
  const CtxSpan *s = ctx_trace_model_get_spans (model);

  for (guint l = 0; l < ctx_trace_model_get_n_lanes (model); l++)
    {
      const CtxLane *lane = ctx_trace_model_get_lane (model, l);
      for (guint d = 0; d < lane->n_rows; d++)
        for (guint k = 0; k < lane->rows[d]->len; k++)
          {
            guint32 i = g_array_index (lane->rows[d], guint32, k);
            g_assert_cmpuint (s[i].lane, ==, l);
            if (k > 0)
              g_assert_cmpint (s[g_array_index (lane->rows[d], guint32, k - 1)].start_ns, <=,
                               s[i].start_ns);
          }
    }
}

static void
test_nothing_new (Fixture *f, gconstpointer data)
{
  g_assert_false (refresh (f));
  g_assert_cmpuint (ctx_trace_model_get_n_spans (f->model), ==, 2);
  g_assert_cmpint (ctx_trace_model_get_spans (f->model)[0].end_ns, ==, 130);
}

static void
grow (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  gint64 p2, t2, t3;

  g_assert_true (ctx_gen_exec (f->writer, "UPDATE span SET dur_ns = 500, status = 2,"
                               " attrs = '{\"x\":1}' WHERE id = 1", &error));
  p2 = ctx_gen_process (f->writer, 2, "late");
  t2 = ctx_gen_thread (f->writer, p2, 21, "t2");
  t3 = ctx_gen_thread (f->writer, 1, 12, "t3");
  SPAN (f->writer, 3, 2, t3, "handed", 120, 10, 0, FALSE);
  SPAN (f->writer, 4, 0, t2, "fresh", 130, 40, 0, FALSE);
  SPAN (f->writer, 5, 1, 1, "early", 105, 3, 1, FALSE);
  SPAN (f->writer, 6, 7, 1, "waiting", 300, 3, 1, FALSE);
  ctx_gen_event (f->writer, 1, 1, 900, "late-event", NULL);
  commit (f);
}

static void
test_grow (Fixture *f, gconstpointer data)
{
  const CtxSpan *s;
  g_autoptr (CtxSpanDetails) details = NULL;
  g_autoptr (GArray) children = NULL;
  const char *process_name = ctx_trace_model_get_process (f->model, 0)->name;

  grow (f);
  g_assert_true (refresh (f));
  /* unchanged process strings keep their address across refreshes */
  g_assert_true (ctx_trace_model_get_process (f->model, 0)->name == process_name);
  g_assert_cmpuint (ctx_trace_model_get_n_processes (f->model), ==, 2);
  s = ctx_trace_model_get_spans (f->model);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (f->model), ==, 6);
  g_assert_false (s[0].flags & CTX_SPAN_OPEN);
  g_assert_true (s[0].flags & CTX_SPAN_HAS_ATTRS);
  g_assert_cmpint (s[0].end_ns, ==, 600);
  g_assert_cmpuint (s[0].status, ==, 2);
  g_assert_cmpuint (ctx_trace_model_get_n_open_spans (f->model), ==, 0);
  g_assert_cmpint (ctx_trace_model_get_end_ns (f->model), ==, 900);
  /* lanes stay grouped by process: p1 t1, p1 t3, p2 t2 */
  g_assert_cmpuint (ctx_trace_model_get_n_lanes (f->model), ==, 3);
  g_assert_cmpint (ctx_trace_model_get_lane (f->model, 1)->tid, ==, 12);
  g_assert_cmpint (ctx_trace_model_get_lane (f->model, 2)->tid, ==, 21);
  g_assert_cmpuint (s[2].lane, ==, 1);
  g_assert_cmpuint (s[3].lane, ==, 2);
  g_assert_cmpuint (s[2].parent, ==, 1);
  g_assert_true (s[2].flags & CTX_SPAN_CROSS_THREAD);
  g_assert_cmpstr (ctx_trace_model_get_string (f->model, s[3].name), ==, "fresh");
  g_assert_true (s[5].flags & CTX_SPAN_ORPHAN);
  assert_rows_sorted (f->model);
  g_assert_cmpuint (g_array_index (ctx_trace_model_get_lane (f->model, 0)->rows[1], guint32, 0),
                    ==, 4);  /* "early" starts before "child" */
  details = ctx_trace_model_fetch_details (f->model, 0, NULL);
  g_assert_cmpstr (details->attrs_json, ==, "{\"x\":1}");
  g_assert_cmpuint (details->n_children, ==, 2);
  g_assert_cmpuint (details->events->len, ==, 1);
  children = ctx_trace_model_get_children (f->model, 1);
  g_assert_cmpuint (children->len, ==, 1);
  g_assert_false (refresh (f));
}

static void
test_late_parent_and_open_growth (Fixture *f, gconstpointer data)
{
  const CtxSpan *s;

  grow (f);
  refresh (f);
  SPAN (f->writer, 7, 0, 1, "late-parent", 290, 20, 0, FALSE);
  SPAN (f->writer, 8, 0, 1, "running", 800, 0, 0, TRUE);
  commit (f);
  g_assert_true (refresh (f));
  s = ctx_trace_model_get_spans (f->model);
  g_assert_cmpuint (s[5].parent, ==, 6);
  g_assert_false (s[5].flags & CTX_SPAN_ORPHAN);
  g_assert_true (s[7].flags & CTX_SPAN_OPEN);
  g_assert_cmpint (s[7].end_ns, ==, 900);
  ctx_gen_event (f->writer, 0, 1, 1000, "tick", NULL);
  commit (f);
  g_assert_true (refresh (f));
  s = ctx_trace_model_get_spans (f->model);
  g_assert_cmpint (s[7].end_ns, ==, 1000);  /* open spans grow with the file */
  assert_rows_sorted (f->model);
}

/* The writer must always be able to checkpoint: no read transaction is left open. */
static void
test_checkpoint_not_blocked (Fixture *f, gconstpointer data)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr (CtxSpanDetails) details = NULL;

  grow (f);
  refresh (f);
  details = ctx_trace_model_fetch_details (f->model, 0, NULL);
  g_assert_true (ctx_gen_exec (f->writer, "COMMIT", NULL));
  sqlite3_prepare_v2 (ctx_gen_get_db (f->writer), "PRAGMA wal_checkpoint(TRUNCATE)", -1, &stmt,
                      NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);  /* not busy */
  sqlite3_finalize (stmt);
  g_assert_true (ctx_gen_exec (f->writer, "BEGIN", NULL));
}

/* A bounded refresh reads at most N spans per call and says when more remain. */
static void
test_bounded (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean changed = FALSE, more = FALSE;
  guint expected[] = { 22, 42, 52, 52 };

  for (int i = 0; i < 50; i++)
    SPAN (f->writer, 0, 0, 1, "burst", 1000 + i * 10, 5, 0, FALSE);
  commit (f);
  for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
    {
      g_assert_true (ctx_trace_model_refresh_bounded (f->model, 20, &changed, &more, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (ctx_trace_model_get_n_spans (f->model), ==, expected[k]);
      g_assert_cmpint (more, ==, k < 2);
      g_assert_cmpint (changed, ==, k < 3);
    }
  assert_rows_sorted (f->model);
  g_assert_cmpint (ctx_trace_model_get_spans (f->model)[51].start_ns, ==, 1490);
}

/* While a worker reads the arrays, refresh waits for the next tick instead of blocking. */
static void
test_busy_reader (Fixture *f, gconstpointer data)
{
  grow (f);
  g_rw_lock_reader_lock (&f->model->lock);
  g_assert_false (refresh (f));
  g_assert_cmpuint (ctx_trace_model_get_n_spans (f->model), ==, 2);
  g_rw_lock_reader_unlock (&f->model->lock);
  g_assert_true (refresh (f));
  g_assert_cmpuint (ctx_trace_model_get_n_spans (f->model), ==, 6);
}

static void
test_gone (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  CtxGenOptions o = { .n_spans = 10 };
  gboolean changed = TRUE;

  ctx_gen_close (f->writer, TRUE, NULL);
  f->writer = NULL;
  g_assert_true (ctx_gen_trace (other, &o, NULL, &error));
  g_assert_cmpint (g_rename (other, f->path), ==, 0);
  g_assert_false (ctx_trace_model_refresh (f->model, &changed, &error));
  g_assert_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_GONE);
  g_assert_false (changed);
  g_clear_error (&error);
  g_unlink (f->path);
  g_assert_false (ctx_trace_model_refresh (f->model, &changed, &error));
  g_assert_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_GONE);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (f->model), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(p, func) g_test_add (p, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/model/refresh/nothing-new", test_nothing_new);
  ADD ("/model/refresh/grow", test_grow);
  ADD ("/model/refresh/late-parent-and-open-growth", test_late_parent_and_open_growth);
  ADD ("/model/refresh/checkpoint-not-blocked", test_checkpoint_not_blocked);
  ADD ("/model/refresh/bounded", test_bounded);
  ADD ("/model/refresh/busy-reader", test_busy_reader);
  ADD ("/model/refresh/gone", test_gone);
  return g_test_run ();
}
