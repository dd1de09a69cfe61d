/* test-model-library: the model reads what libctxtrace really writes, live and finished:
 * nesting, a span handed to another thread, errors, attributes, events, open spans. */
#include <glib/gstdio.h>
#include <string.h>

#include "ctx-trace-model.h"
#include "ctxtrace.h"

static char *dir, *path;

static guint32
find_name (CtxTraceModel *model, const char *name)
{
  const CtxSpan *s = ctx_trace_model_get_spans (model);

  for (guint32 i = 0; i < ctx_trace_model_get_n_spans (model); i++)
    if (g_str_equal (ctx_trace_model_get_string (model, s[i].name), name))
      return i;
  return CTX_NONE;
}

static gpointer
worker (gpointer data)
{
  ctxtrace_context_t *ctx = data;
  ctxtrace_span_t span;

  ctxtrace_thread_name ("worker");
  ctxtrace_context_attach (*ctx);
  span = ctxtrace_begin ("work");
  ctxtrace_event ("progress", "{\"n\":1}");
  ctxtrace_end (span);
  ctxtrace_context_detach ();
  return NULL;
}

static ctxtrace_span_t
record_finished_part (void)
{
  ctxtrace_span_t root, child, running;
  ctxtrace_context_t ctx;
  GThread *thread;

  ctxtrace_thread_name ("main");
  root = ctxtrace_begin ("request");
  ctxtrace_attr_str (root, "args.model", "gpt");
  child = ctxtrace_begin ("load");
  ctxtrace_set_error (child, "IOError", "disk full");
  ctxtrace_end (child);
  ctx = ctxtrace_context_current ();
  thread = g_thread_new ("worker", worker, &ctx);
  g_thread_join (thread);
  ctxtrace_end (root);
  running = ctxtrace_begin ("running");
  ctxtrace_flush ();
  return running;
}

static void
check_structure (CtxTraceModel *model)
{
  const CtxSpan *s = ctx_trace_model_get_spans (model);
  guint32 request = find_name (model, "request"), load = find_name (model, "load");
  guint32 work = find_name (model, "work");
  g_autoptr (CtxSpanDetails) d_load = NULL, d_work = NULL, d_request = NULL;

  g_assert_cmpuint (request, !=, CTX_NONE);
  g_assert_cmpuint (load, !=, CTX_NONE);
  g_assert_cmpuint (work, !=, CTX_NONE);
  g_assert_cmpuint (s[load].parent, ==, request);
  g_assert_cmpuint (s[load].depth, ==, 1);
  g_assert_cmpuint (s[load].status, ==, 2);
  g_assert_cmpuint (s[work].parent, ==, request);
  g_assert_true (s[work].flags & CTX_SPAN_CROSS_THREAD);
  g_assert_cmpstr (ctx_trace_model_get_lane (model, s[work].lane)->name, ==, "worker");
  g_assert_cmpstr (ctx_trace_model_get_lane (model, s[request].lane)->name, ==, "main");
  d_load = ctx_trace_model_fetch_details (model, load, NULL);
  g_assert_nonnull (strstr (d_load->attrs_json, "IOError"));
  d_work = ctx_trace_model_fetch_details (model, work, NULL);
  g_assert_cmpuint (d_work->events->len, ==, 1);
  d_request = ctx_trace_model_fetch_details (model, request, NULL);
  g_assert_nonnull (strstr (d_request->attrs_json, "gpt"));
  g_assert_cmpuint (d_request->n_children, ==, 2);
}

static void
test_live_then_finished (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = NULL;
  ctxtrace_span_t running;
  guint32 r;
  gboolean changed = FALSE;

  g_assert_cmpint (ctxtrace_start (path), ==, 0);
  running = record_finished_part ();
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  check_structure (model);
  r = find_name (model, "running");
  g_assert_cmpuint (r, !=, CTX_NONE);
  g_assert_true (ctx_trace_model_get_spans (model)[r].flags & CTX_SPAN_OPEN);
  ctxtrace_end (running);
  ctxtrace_stop ();
  g_assert_true (ctx_trace_model_refresh (model, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_false (ctx_trace_model_get_spans (model)[r].flags & CTX_SPAN_OPEN);
  g_assert_cmpuint (ctx_trace_model_get_n_open_spans (model), ==, 0);
  check_structure (model);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("ctx-lib-XXXXXX", NULL);
  path = g_build_filename (dir, "trace.db", NULL);
  g_test_add_func ("/model/library/live-then-finished", test_live_then_finished);
  rc = g_test_run ();
  for (const char *const *suffix = (const char *const[]) { "", "-wal", "-shm", NULL };
       *suffix != NULL; suffix++)
    {
      g_autofree char *p = g_strconcat (path, *suffix, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
  return rc;
}
