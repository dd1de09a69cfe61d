/* test-span-nav.c: children, siblings and self time from the lane rows, on a trace whose
 * answers are known by construction. */
#include <glib/gstdio.h>

#include "ctx-gen-trace.h"
#include "ctx-span-nav.h"

#define T0 G_GINT64_CONSTANT (1700000000000000000)

static CtxTraceModel *
make_model (char **dir)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  CtxGen *gen;
  gint64 proc, thread;
  CtxTraceModel *model;

  *dir = g_dir_make_tmp ("ctx-nav-XXXXXX", NULL);
  path = g_build_filename (*dir, "nav.db", NULL);
  gen = ctx_gen_new (path, &error);
  g_assert_no_error (error);
  proc = ctx_gen_process (gen, 10, "app");
  thread = ctx_gen_thread (gen, proc, 11, "main");
  /* root [0,1000) > a [100,300), b [400,900) > c [500,600); other root [2000,2100) */
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 1, .thread_id = thread, .name = "root",
                                     .start_ns = T0, .dur_ns = 1000, .depth = 0 });
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 2, .parent_id = 1, .thread_id = thread, .name = "a",
                                     .start_ns = T0 + 100, .dur_ns = 200, .depth = 1 });
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 3, .parent_id = 1, .thread_id = thread, .name = "b",
                                     .start_ns = T0 + 400, .dur_ns = 500, .depth = 1 });
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 4, .parent_id = 3, .thread_id = thread, .name = "c",
                                     .start_ns = T0 + 500, .dur_ns = 100, .depth = 2 });
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 5, .thread_id = thread, .name = "other",
                                     .start_ns = T0 + 2000, .dur_ns = 100, .depth = 0 });
  g_assert_true (ctx_gen_close (gen, FALSE, &error));
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return model;
}

static void
test_nav (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(CtxTraceModel) model = make_model (&dir);
  guint32 root = ctx_trace_model_find_id (model, 1);
  guint32 a = ctx_trace_model_find_id (model, 2);
  guint32 b = ctx_trace_model_find_id (model, 3);
  guint32 c = ctx_trace_model_find_id (model, 4);
  guint32 other = ctx_trace_model_find_id (model, 5);
  gint64 self_ns;

  g_assert_cmpuint (ctx_span_nav_first_child (model, root), ==, a);
  g_assert_cmpuint (ctx_span_nav_first_child (model, b), ==, c);
  g_assert_cmpuint (ctx_span_nav_first_child (model, a), ==, CTX_NONE);
  g_assert_cmpuint (ctx_span_nav_sibling (model, a, 1), ==, b);
  g_assert_cmpuint (ctx_span_nav_sibling (model, b, -1), ==, a);
  g_assert_cmpuint (ctx_span_nav_sibling (model, a, -1), ==, CTX_NONE);
  g_assert_cmpuint (ctx_span_nav_sibling (model, b, 1), ==, CTX_NONE);
  /* Two roots are siblings (both parentless). */
  g_assert_cmpuint (ctx_span_nav_sibling (model, root, 1), ==, other);
  g_assert_true (ctx_span_nav_self_time (model, root, &self_ns));
  g_assert_cmpint (self_ns, ==, 1000 - 200 - 500);
  g_assert_true (ctx_span_nav_self_time (model, b, &self_ns));
  g_assert_cmpint (self_ns, ==, 400);
  g_assert_true (ctx_span_nav_self_time (model, c, &self_ns));
  g_assert_cmpint (self_ns, ==, 100);
  /* Roots start at T0 and T0+2000; depth 1 spans at T0+100 and T0+400. */
  {
    guint lane = ctx_trace_model_get_spans (model)[root].lane;

    g_assert_cmpuint (ctx_span_nav_count_between (model, lane, 0, T0, 0, 2500), ==, 2);
    g_assert_cmpuint (ctx_span_nav_count_between (model, lane, 0, T0, 1, 2000), ==, 0);
    g_assert_cmpuint (ctx_span_nav_count_between (model, lane, 1, T0, 100, 401), ==, 2);
    g_assert_cmpuint (ctx_span_nav_count_between (model, lane, 7, T0, 0, 1e9), ==, 0);
  }
  {
    g_autofree char *path = g_build_filename (dir, "nav.db", NULL);
    g_clear_object (&model);
    g_unlink (path);
    g_rmdir (dir);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/span-nav/tree", test_nav);
  return g_test_run ();
}
