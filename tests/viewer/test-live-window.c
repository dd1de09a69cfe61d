/* test-live-window: a real writer process (this program again, linking libctxtrace) records while
 * the viewer shows the file: new spans and the running root arrive and close, the
 * selection and zoom survive refreshes, the live indicator goes off when the writer ends,
 * a writer killed with -9 leaves what it committed and no error loop, and --record runs a
 * program and shows how it ended. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <string.h>

#include "ctx-application.h"
#include "ctx-live-monitor.h"
#include "ctx-window.h"
#include "ctxtrace.h"

static CtxApplication *app;
static char *tmpdir;
static char *self_exe;

/* ---- The writer: WRITER PATH MS [hang] */

static int
writer_main (const char *path, int ms, gboolean hang)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;
  ctxtrace_span_t root;

  /* Under --record, CTXTRACE_DB started recording when the library loaded. */
  if (!ctxtrace_enabled () && ctxtrace_start (path) != 0)
    return 3;
  root = ctxtrace_begin ("root");
  while (g_get_monotonic_time () < until)
    {
      for (int i = 0; i < 100; i++)
        {
          CTXTRACE_SCOPE ("work");
        }
      g_usleep (2000);
    }
  if (hang)
    for (;;)
      g_usleep (G_USEC_PER_SEC);
  ctxtrace_end (root);
  ctxtrace_stop ();
  return 0;
}

static GSubprocess *
spawn_writer (const char *path, int ms, gboolean hang)
{
  g_autofree char *ms_text = g_strdup_printf ("%d", ms);
  g_autoptr(GError) error = NULL;
  GSubprocess *sp = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_exe, "--writer", path,
                                      ms_text, hang ? "hang" : NULL, NULL);

  g_assert_no_error (error);
  return sp;
}

/* ---- Helpers */

static void
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
spin_done (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static void
spin (int ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  iterate_until (spin_done, &until);
}

static gboolean
file_has_spans (gpointer path)
{
  GStatBuf st;

  /* WAL mode: rows sit in the -wal, the .db holds the schema from the start. */
  return g_stat (path, &st) == 0 && st.st_size > 0;
}

static gboolean
shows_trace (gpointer win)
{
  return g_strcmp0 (ctx_window_get_page (win), "trace") == 0;
}

static gboolean
shows_error (gpointer win)
{
  return g_strcmp0 (ctx_window_get_page (win), "error") == 0;
}

static CtxWindow *
open_path (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  CtxWindow *win = ctx_window_new (GTK_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (win));
  ctx_window_open (win, file);
  iterate_until (shows_trace, win);
  return win;
}

typedef struct
{
  CtxTraceModel *model;
  guint n;
} Grows;

static gboolean
model_grew (gpointer data)
{
  Grows *g = data;

  return ctx_trace_model_get_n_spans (g->model) > g->n;
}

static gboolean
not_writing (gpointer win)
{
  CtxLiveMonitor *live = ctx_window_get_live_monitor (win);

  return live != NULL && !ctx_live_monitor_get_writing (live);
}

static gboolean
root_closed (gpointer win)
{
  CtxTraceModel *model = ctx_session_get_model (ctx_window_get_session (win));

  return ctx_trace_model_get_n_open_spans (model) == 0;
}

static gboolean
exited (gpointer sp)
{
  return g_subprocess_get_identifier (sp) == NULL;
}

/* ---- Tests */

static void
test_writer (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "writer.db", NULL);
  g_autoptr(GSubprocess) writer = spawn_writer (path, 5000, FALSE);
  CtxWindow *win;
  CtxSession *session;
  CtxTraceModel *model;
  CtxLiveMonitor *live;
  Grows grows;
  guint32 root;
  double start, end;

  iterate_until (file_has_spans, path);
  spin (200);
  win = open_path (path);
  session = ctx_window_get_session (win);
  model = ctx_session_get_model (session);
  live = ctx_window_get_live_monitor (win);
  g_assert_nonnull (live);
  for (guint i = 0; i < ctx_trace_model_get_n_processes (model); i++)
    {
      const CtxProcess *p = ctx_trace_model_get_process (model, i);
      g_test_message ("process %" G_GINT64_FORMAT " host %s end %" G_GINT64_FORMAT " state %d",
                      p->pid, p->hostname, p->end_ns, ctx_process_get_state (p));
    }
  g_assert_true (ctx_live_monitor_get_writing (live));
  g_assert_nonnull (strstr (ctx_window_get_subtitle (win), "live"));
  root = 0;  /* the first span the writer began */
  g_assert_true (ctx_trace_model_get_spans (model)[root].flags & CTX_SPAN_OPEN);
  ctx_session_set_selected (session, root);

  /* New spans reach the model, and following keeps the end of the trace in view. */
  grows = (Grows) { model, ctx_trace_model_get_n_spans (model) };
  iterate_until (model_grew, &grows);
  /* While rows arrive, refreshes come about every CTX_LIVE_MIN_INTERVAL_MS, not at GIO's
   * default file-event rate limit (800 ms) or the backup poll (1 s). */
  {
    guint before = ctx_live_monitor_get_stats (live)->n_refreshes;

    spin (1000);
    g_assert_cmpuint (ctx_live_monitor_get_stats (live)->n_refreshes - before, >=, 8);
  }
  ctx_session_get_visible (session, &start, &end);
  g_assert_cmpfloat (end, >=, ctx_session_get_duration (session));
  g_assert_cmpuint (ctx_session_get_selected (session), ==, root);

  /* A zoom by the user ends follow; the zoom then survives refreshes. */
  ctx_session_set_visible (session, 0, ctx_session_get_duration (session) / 4);
  ctx_session_get_visible (session, &start, &end);
  grows.n = ctx_trace_model_get_n_spans (model);
  iterate_until (model_grew, &grows);
  spin (200);
  {
    double s2, e2;

    ctx_session_get_visible (session, &s2, &e2);
    g_assert_cmpfloat (s2, ==, start);
    g_assert_cmpfloat (e2, ==, end);
  }

  /* The writer ends: the root closes, the indicator goes off, nothing failed. */
  g_subprocess_wait (writer, NULL, NULL);
  iterate_until (root_closed, win);
  iterate_until (not_writing, win);
  g_assert_null (strstr (ctx_window_get_subtitle (win), "live"));
  g_assert_cmpuint (ctx_session_get_selected (session), ==, root);
  g_assert_cmpuint (ctx_live_monitor_get_stats (live)->n_failures, ==, 0);
  g_assert_cmpuint (ctx_live_monitor_get_stats (live)->n_refreshes, >, 2);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Killed with -9 mid-write: what was committed stays, the indicator goes off (its pid is
 * gone), and the monitor does not spin on errors. */
static void
test_kill9 (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "killed.db", NULL);
  g_autoptr(GSubprocess) writer = spawn_writer (path, 600000, FALSE);
  CtxWindow *win;
  CtxTraceModel *model;
  CtxLiveMonitor *live;
  guint n_before, checks;

  iterate_until (file_has_spans, path);
  win = open_path (path);
  model = ctx_session_get_model (ctx_window_get_session (win));
  live = ctx_window_get_live_monitor (win);
  spin (300);
  g_subprocess_force_exit (writer);
  g_subprocess_wait (writer, NULL, NULL);
  iterate_until (not_writing, win);
  /* Let the refreshes catch up with what was committed before the kill. */
  do
    {
      n_before = ctx_trace_model_get_n_spans (model);
      spin (1200);
    }
  while (ctx_trace_model_get_n_spans (model) != n_before);
  g_assert_cmpuint (n_before, >, 0);
  checks = ctx_live_monitor_get_stats (live)->n_checks;
  spin (2000);
  /* Nothing new, no failure; about one check a second (the poll), not a loop. */
  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, n_before);
  g_assert_cmpuint (ctx_live_monitor_get_stats (live)->n_failures, ==, 0);
  g_assert_cmpuint (ctx_live_monitor_get_stats (live)->n_checks - checks, <=, 4);
  g_assert_cmpstr (ctx_window_get_page (win), ==, "trace");
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_gone (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "gone.db", NULL);
  g_autofree char *other = g_build_filename (tmpdir, "other.db", NULL);
  g_autoptr(GSubprocess) writer = spawn_writer (path, 300, FALSE);
  g_autoptr(GSubprocess) writer2 = NULL;
  g_autofree char *text = NULL;
  CtxWindow *win;

  g_subprocess_wait (writer, NULL, NULL);
  win = open_path (path);
  writer2 = spawn_writer (other, 300, FALSE);
  g_subprocess_wait (writer2, NULL, NULL);
  /* Replaced by another trace under the same name. */
  g_assert_cmpint (g_rename (other, path), ==, 0);
  ctx_window_refresh (win);
  iterate_until (shows_error, win);
  text = ctx_window_get_error_text (win);
  g_assert_nonnull (strstr (text, "replaced"));
  g_assert_null (ctx_window_get_live_monitor (win));
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
subtitle_has_status (gpointer win)
{
  return strstr (ctx_window_get_subtitle (win), "exited with status 0") != NULL;
}

static void
test_record (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "recorded.db", NULL);
  const char *argv[] = { self_exe, "--writer", path, "800", NULL };
  GSubprocess *sp;
  CtxWindow *win;

  ctx_application_set_record (app, path, argv);
  g_application_activate (G_APPLICATION (app));
  sp = ctx_application_get_recorded (app);
  g_assert_nonnull (sp);
  /* The window --record made is the only one left (the other tests destroyed theirs). */
  win = CTX_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data);
  iterate_until (shows_trace, win);
  iterate_until (exited, sp);
  iterate_until (subtitle_has_status, win);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (ctx_session_get_model (ctx_window_get_session (win))), >, 0);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  int rc;

  if (argc >= 4 && strcmp (argv[1], "--writer") == 0)
    return writer_main (argv[2], atoi (argv[3]), argc > 4);
  self_exe = g_canonicalize_filename (argv[0], NULL);
  gtk_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("ctx-live-XXXXXX", NULL);
  app = ctx_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_test_add_func ("/live/writer", test_writer);
  g_test_add_func ("/live/kill9", test_kill9);
  g_test_add_func ("/live/gone", test_gone);
  g_test_add_func ("/live/record", test_record);
  rc = g_test_run ();
  g_object_unref (app);
  return rc;
}
