/* test-model-load: loading, accessors and details on traces whose numbers we know. */
#include <glib/gstdio.h>

#include "ctx-gen-trace.h"
#include "ctx-trace-model.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("ctx-model-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "trace.db", NULL);
}

static void
remove_tree (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* Thread 1: main [1000,2000] > work [1100,1400], work [1500,1900] (error) > io [1600,1700].
 * Thread 2: task [1200,1300] under the first work (handed over), wait [1800,open],
 * lost [2100,2200] whose parent 999 is absent.  Process 2, thread 3: other [500,600].
 * An event at 2500 is the latest timestamp. */
static void
write_small (const char *path)
{
  g_autoptr (GError) error = NULL;
  CtxGen *gen = ctx_gen_new (path, &error);

  g_assert_no_error (error);
  ctx_gen_process (gen, 100, "prog");
  ctx_gen_process (gen, 200, "helper");
  ctx_gen_thread (gen, 1, 101, "main");
  ctx_gen_thread (gen, 1, 102, "pool");
  ctx_gen_thread (gen, 2, 201, NULL);
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 1, .name = "main", .start_ns = 1000,
                                     .dur_ns = 1000, .status = 1 });
  ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = 1, .thread_id = 1, .name = "work",
                                     .start_ns = 1100, .dur_ns = 300, .depth = 1 });
  ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = 1, .thread_id = 1, .name = "work",
                                     .start_ns = 1500, .dur_ns = 400, .depth = 1, .status = 2,
                                     .attrs = "{\"exception.type\":\"E\",\"args.n\":3}" });
  ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = 3, .thread_id = 1, .name = "io",
                                     .start_ns = 1600, .dur_ns = 100, .depth = 2 });
  ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = 2, .thread_id = 2, .name = "task",
                                     .start_ns = 1200, .dur_ns = 100 });
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 2, .name = "wait", .start_ns = 1800,
                                     .open = TRUE });
  ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = 999, .thread_id = 2, .name = "lost",
                                     .start_ns = 2100, .dur_ns = 100 });
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 3, .name = "other", .start_ns = 500,
                                     .dur_ns = 100 });
  ctx_gen_event (gen, 3, 1, 1550, "retry", "{\"n\":1}");
  ctx_gen_event (gen, 3, 1, 1520, "start", NULL);
  ctx_gen_event (gen, 1, 1, 2500, "late", NULL);
  g_assert_true (ctx_gen_exec (gen, "UPDATE process SET start_ns = 700, dropped_spans = 5,"
                               " rejected_attrs = 2 WHERE id = 1;"
                               "UPDATE process SET start_ns = 500 WHERE id = 2", &error));
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
}

static CtxTraceModel *
load_ok (const char *path)
{
  g_autoptr (GError) error = NULL;
  CtxTraceModel *model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static void
assert_row (CtxTraceModel *model, guint lane, guint depth, const guint32 *expected, guint n)
{
  const CtxLane *l = ctx_trace_model_get_lane (model, lane);

  g_assert_cmpuint (depth, <, l->n_rows);
  g_assert_cmpuint (l->rows[depth]->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (l->rows[depth], guint32, i), ==, expected[i]);
}

static void
test_small_structure (Fixture *f, gconstpointer data)
{
  g_autoptr (CtxTraceModel) model = NULL;
  const CtxSpan *s;

  write_small (f->path);
  model = load_ok (f->path);
  s = ctx_trace_model_get_spans (model);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, 8);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpint (ctx_trace_model_get_span_id (model, i), ==, i + 1);
  g_assert_cmpstr (ctx_trace_model_get_string (model, s[0].name), ==, "main");
  g_assert_cmpuint (s[1].name, ==, s[2].name);
  g_assert_cmpuint (s[0].parent, ==, CTX_NONE);
  g_assert_cmpuint (s[1].parent, ==, 0);
  g_assert_cmpuint (s[3].parent, ==, 2);
  g_assert_cmpuint (s[4].parent, ==, 1);
  g_assert_true (s[4].flags & CTX_SPAN_CROSS_THREAD);
  g_assert_false (s[3].flags & CTX_SPAN_CROSS_THREAD);
  g_assert_true (s[5].flags & CTX_SPAN_OPEN);
  g_assert_cmpint (s[5].end_ns, ==, 2500);
  g_assert_true (s[6].flags & CTX_SPAN_ORPHAN);
  g_assert_cmpuint (s[6].parent, ==, CTX_NONE);
  g_assert_true (s[2].flags & CTX_SPAN_HAS_ATTRS);
  g_assert_false (s[1].flags & CTX_SPAN_HAS_ATTRS);
  g_assert_cmpuint (s[2].status, ==, 2);
  g_assert_cmpint (s[2].end_ns, ==, 1900);
  g_assert_cmpuint (s[3].depth, ==, 2);
  g_assert_cmpint (ctx_trace_model_get_start_ns (model), ==, 500);
  g_assert_cmpint (ctx_trace_model_get_end_ns (model), ==, 2500);
  g_assert_cmpuint (ctx_trace_model_get_n_open_spans (model), ==, 1);
  g_assert_cmpuint (ctx_trace_model_find_id (model, 7), ==, 6);
  g_assert_cmpuint (ctx_trace_model_find_id (model, 999), ==, CTX_NONE);
  g_assert_cmpuint (ctx_trace_model_find_id (model, 0), ==, CTX_NONE);
}

static void
test_small_lanes (Fixture *f, gconstpointer data)
{
  g_autoptr (CtxTraceModel) model = NULL;
  const CtxLane *lane;
  const CtxProcess *p;

  write_small (f->path);
  model = load_ok (f->path);
  g_assert_cmpuint (ctx_trace_model_get_n_processes (model), ==, 2);
  p = ctx_trace_model_get_process (model, 0);
  g_assert_cmpint (p->pid, ==, 100);
  g_assert_cmpstr (p->name, ==, "prog");
  g_assert_cmpint (p->dropped_spans, ==, 5);
  g_assert_cmpint (p->rejected_attrs, ==, 2);
  g_assert_cmpuint (ctx_trace_model_get_n_lanes (model), ==, 3);
  lane = ctx_trace_model_get_lane (model, 0);
  g_assert_cmpstr (lane->name, ==, "main");
  g_assert_cmpint (lane->tid, ==, 101);
  g_assert_cmpuint (lane->n_rows, ==, 3);
  assert_row (model, 0, 0, (guint32[]) { 0 }, 1);
  assert_row (model, 0, 1, (guint32[]) { 1, 2 }, 2);
  assert_row (model, 0, 2, (guint32[]) { 3 }, 1);
  assert_row (model, 1, 0, (guint32[]) { 4, 5, 6 }, 3);
  lane = ctx_trace_model_get_lane (model, 2);
  g_assert_cmpuint (lane->process, ==, 1);
  g_assert_cmpstr (lane->name, ==, "201");
  g_assert_cmpuint (ctx_trace_model_get_spans (model)[7].lane, ==, 2);
}

static void
test_small_details (Fixture *f, gconstpointer data)
{
  g_autoptr (CtxTraceModel) model = NULL;
  g_autoptr (CtxSpanDetails) d0 = NULL, d1 = NULL, d2 = NULL;
  g_autoptr (GArray) children = NULL;
  g_autoptr (GError) error = NULL;
  CtxEvent *event;

  write_small (f->path);
  model = load_ok (f->path);
  d0 = ctx_trace_model_fetch_details (model, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (d0->n_children, ==, 2);
  g_assert_cmpint (d0->self_ns, ==, 1000 - 300 - 400);
  g_assert_null (d0->attrs_json);
  g_assert_cmpuint (d0->events->len, ==, 1);
  d1 = ctx_trace_model_fetch_details (model, 1, &error);
  g_assert_cmpuint (d1->n_children, ==, 1);  /* task, on the other thread */
  g_assert_cmpint (d1->self_ns, ==, 200);
  d2 = ctx_trace_model_fetch_details (model, 2, &error);
  g_assert_cmpstr (d2->attrs_json, ==, "{\"exception.type\":\"E\",\"args.n\":3}");
  g_assert_cmpuint (d2->events->len, ==, 2);
  event = g_ptr_array_index (d2->events, 0);
  g_assert_cmpstr (event->name, ==, "start");
  g_assert_null (event->attrs_json);
  event = g_ptr_array_index (d2->events, 1);
  g_assert_cmpint (event->ts_ns, ==, 1550);
  g_assert_cmpstr (event->attrs_json, ==, "{\"n\":1}");
  g_assert_cmpint (d2->self_ns, ==, 300);
  children = ctx_trace_model_get_children (model, 0);
  g_assert_cmpuint (children->len, ==, 2);
  g_assert_cmpuint (g_array_index (children, guint32, 0), ==, 1);
  g_assert_cmpuint (g_array_index (children, guint32, 1), ==, 2);
}

static void
test_empty_trace (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = NULL;
  CtxGen *gen = ctx_gen_new (f->path, &error);

  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  model = load_ok (f->path);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, 0);
  g_assert_cmpuint (ctx_trace_model_get_n_lanes (model), ==, 0);
  g_assert_cmpint (ctx_trace_model_get_start_ns (model), ==, 0);
  g_assert_cmpint (ctx_trace_model_get_end_ns (model), ==, 0);
}

/* An open span of a process that stopped recording ends with the process. */
static void
test_open_span_process_end (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = NULL;
  CtxGen *gen = ctx_gen_new (f->path, &error);
  const CtxSpan *s;

  ctx_gen_process (gen, 1, "stopped");
  ctx_gen_process (gen, 2, "running");
  ctx_gen_thread (gen, 1, 1, "a");
  ctx_gen_thread (gen, 2, 2, "b");
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 1, .name = "died", .start_ns = 600,
                                     .open = TRUE });
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 2, .name = "live", .start_ns = 650,
                                     .open = TRUE });
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 2, .name = "late", .start_ns = 900,
                                     .dur_ns = 100 });
  g_assert_true (ctx_gen_exec (gen, "UPDATE process SET start_ns = 500, end_ns = 700"
                               " WHERE id = 1; UPDATE process SET start_ns = 500 WHERE id = 2",
                               &error));
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  model = load_ok (f->path);
  s = ctx_trace_model_get_spans (model);
  g_assert_cmpint (s[0].end_ns, ==, 700);
  g_assert_cmpint (s[1].end_ns, ==, 1000);
  g_assert_cmpuint (ctx_trace_model_get_n_open_spans (model), ==, 2);
}

/* Ids in runs of five with gaps of five, over a range wide enough for the parallel scan
 * (its chunks split the id range; attributes make the file big enough for it to trust it): ids and parents come back for every span, the gaps are
 * not found, and a refresh appends more runs after a gap. */
#define SPARSE_N 120000

static gint64
sparse_id (guint i)
{
  return 10 + i + 5 * (gint64) (i / 5);
}

static void
write_sparse (CtxGen *gen, guint first, guint n)
{
  for (guint i = first; i < first + n; i++)
    {
      guint root = i - i % 5;
      /* Every 1000th run's root hangs under a root written 30000 spans before (in another
       * chunk of the scan at times). */
      gboolean far = i == root && root % 1000 == 0 && root >= 30000;
      CtxGenSpan s = { .id = sparse_id (i), .thread_id = 1, .name = i == root ? "run" : "step",
                       .start_ns = 1000 + (gint64) root * 100 + (i - root) * 10,
                       .dur_ns = i == root ? 90 : 5, .depth = i == root ? 0 : 1,
                       .attrs = "{\"args.n\":12345}" };

      if (i != root)
        s.parent_id = sparse_id (root);
      else if (far)
        s.parent_id = sparse_id (root - 30000);
      ctx_gen_span (gen, &s);
    }
}

static void
assert_sparse (CtxTraceModel *model, guint n)
{
  const CtxSpan *s = ctx_trace_model_get_spans (model);

  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, n);
  for (guint i = 0; i < n; i++)
    {
      guint root = i - i % 5;

      g_assert_cmpint (ctx_trace_model_get_span_id (model, i), ==, sparse_id (i));
      g_assert_cmpuint (ctx_trace_model_find_id (model, sparse_id (i)), ==, i);
      if (i % 5 == 4)
        g_assert_cmpuint (ctx_trace_model_find_id (model, sparse_id (i) + 1), ==, CTX_NONE);
      if (i != root)
        g_assert_cmpuint (s[i].parent, ==, root);
      else if (root % 1000 == 0 && root >= 30000)
        g_assert_cmpuint (s[i].parent, ==, root - 30000);
      else
        g_assert_cmpuint (s[i].parent, ==, CTX_NONE);
    }
  g_assert_cmpuint (ctx_trace_model_find_id (model, 9), ==, CTX_NONE);
  g_assert_cmpuint (ctx_trace_model_find_id (model, sparse_id (n - 1) + 1), ==, CTX_NONE);
  g_assert_cmpuint (ctx_trace_model_find_id (model, G_MININT64), ==, CTX_NONE);
  g_assert_cmpuint (ctx_trace_model_find_id (model, G_MAXINT64), ==, CTX_NONE);
}

static void
test_sparse_ids (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = NULL;
  CtxGen *gen = ctx_gen_new (f->path, &error);
  gboolean changed = FALSE;

  g_assert_no_error (error);
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "t");
  write_sparse (gen, 0, SPARSE_N);
  /* Rows in the main file, not the -wal: the scan sizes its chunks by the file's size. */
  g_assert_true (ctx_gen_close (gen, FALSE, &error));
  model = load_ok (f->path);
  assert_sparse (model, SPARSE_N);

  gen = ctx_gen_open (f->path, &error);
  g_assert_no_error (error);
  write_sparse (gen, SPARSE_N, 1000);
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  g_assert_true (ctx_trace_model_refresh (model, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  assert_sparse (model, SPARSE_N + 1000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/model/load/small-structure", Fixture, NULL, fixture_setup,
              test_small_structure, fixture_teardown);
  g_test_add ("/model/load/small-lanes", Fixture, NULL, fixture_setup, test_small_lanes,
              fixture_teardown);
  g_test_add ("/model/load/small-details", Fixture, NULL, fixture_setup, test_small_details,
              fixture_teardown);
  g_test_add ("/model/load/empty", Fixture, NULL, fixture_setup, test_empty_trace,
              fixture_teardown);
  g_test_add ("/model/load/open-span-process-end", Fixture, NULL, fixture_setup,
              test_open_span_process_end, fixture_teardown);
  g_test_add ("/model/load/sparse-ids", Fixture, NULL, fixture_setup, test_sparse_ids,
              fixture_teardown);
  return g_test_run ();
}
