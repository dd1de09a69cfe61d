/* test-real-trace.c: a trace recorded by libctxtrace itself (in this process: spans,
 * attributes, an error, an event, work handed to another thread) opened in a real window. */
#include <glib/gstdio.h>

#include "ctx-application.h"
#include "ctx-window.h"
#include "ctxtrace.h"

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
loaded (CtxWindow *win)
{
  return !ctx_window_is_loading (win);
}

static void
wait_loaded (CtxWindow *win)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint source = g_timeout_add (20, wake, NULL);

  while (!loaded (win))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (source);
}

static gpointer
pool_worker (gpointer data)
{
  ctxtrace_context_t *ctx = data;
  ctxtrace_span_t span;

  ctxtrace_thread_name ("pool-1");
  ctxtrace_context_attach (*ctx);
  span = ctxtrace_begin ("pool.task");
  ctxtrace_attr_int (span, "args.n", 7);
  g_usleep (2000);
  ctxtrace_end (span);
  ctxtrace_context_detach ();
  return NULL;
}

static void
record (const char *path)
{
  ctxtrace_span_t root, failing;
  ctxtrace_context_t ctx;
  GThread *thread;

  g_assert_cmpint (ctxtrace_start (path), ==, 0);
  ctxtrace_thread_name ("main");
  root = ctxtrace_begin ("app.run");
  ctxtrace_attr_str (root, "args.user", "alice");
  ctx = ctxtrace_context_current ();
  thread = g_thread_new ("pool-1", pool_worker, &ctx);
  failing = ctxtrace_begin ("app.load");
  ctxtrace_event ("cache.miss", "{\"key\":\"a\"}");
  ctxtrace_set_error (failing, "IOError", "disk on fire");
  g_usleep (1000);
  ctxtrace_end (failing);
  g_thread_join (thread);
  ctxtrace_end (root);
  ctxtrace_stop ();
}

static guint32
find_named (CtxTraceModel *model, const char *name)
{
  for (guint32 i = 0; i < ctx_trace_model_get_n_spans (model); i++)
    if (g_str_equal (ctx_trace_model_get_string (model, ctx_trace_model_get_spans (model)[i].name), name))
      return i;
  g_assert_not_reached ();
}

static void
test_real_trace (gconstpointer data)
{
  const char *dir = data;
  g_autofree char *path = g_build_filename (dir, "real.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  CtxApplication *app = ctx_application_new ();
  CtxWindow *win;
  CtxSession *session;
  CtxTraceModel *model;
  guint32 task, load;
  g_autofree char *text = NULL;

  record (path);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  win = ctx_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (win));
  ctx_window_open (win, file);
  wait_loaded (win);
  g_assert_cmpstr (ctx_window_get_page (win), ==, "trace");
  session = ctx_window_get_session (win);
  model = ctx_session_get_model (session);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, 3);
  g_assert_cmpuint (ctx_trace_model_get_n_lanes (model), ==, 2);
  /* The pool's task is a child of app.run on another thread: a flow arrow's case. */
  task = find_named (model, "pool.task");
  g_assert_cmpuint (ctx_trace_model_get_spans (model)[task].parent, ==, find_named (model, "app.run"));
  g_assert_true (ctx_trace_model_get_spans (model)[task].flags & CTX_SPAN_CROSS_THREAD);
  load = find_named (model, "app.load");
  ctx_session_set_selected (session, load);
  text = ctx_details_pane_to_text (ctx_window_get_details (win));
  g_assert_nonnull (strstr (text, "IOError: disk on fire"));
  g_assert_nonnull (strstr (text, "cache.miss"));
  g_assert_nonnull (strstr (text, "Status: error"));
  g_assert_nonnull (strstr (text, "Thread: main"));
  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (app);
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("ctx-real-XXXXXX", NULL);
  int ret;

  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/real-trace/library-file", dir, test_real_trace);
  ret = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  return ret;
}
