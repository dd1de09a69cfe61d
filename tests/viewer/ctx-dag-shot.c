/* ctx-dag-shot: the DAG view alone in a window, rendered to PNG (for looking at it and for
 * docs/dag.png).  Not a test.
 *
 *   ctx-dag-shot OUT.png FILE.db [--spans] [--per-thread] [--threshold P] [--select NAME]
 *                [--span ID] [--size WxH] [--dark] [--time] */
#include <glib/gstdio.h>
#include <stdio.h>
#include <time.h>

#include "ctx-dag-view.h"

static void
spin (int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

static void
on_invalidated (GdkPaintable *paintable, gboolean *flag)
{
  *flag = TRUE;
}

static void
save (GtkWidget *window, GdkPaintable *paintable, const char *out)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    g_error ("nothing drawn");
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_texture_save_to_png (texture, out);
}

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Exports (everything drawn, plus PNG encoding) at fit and zoomed in, in CPU time of this
 * thread (the machine may be shared). */
static void
print_draw_time (CtxDagView *view, const char *out)
{
  g_autofree char *path = g_strconcat (out, ".timing.png", NULL);

  for (int zoomed = 0; zoomed < 2; zoomed++)
    {
      double t0 = cpu_ms ();

      if (zoomed)
        ctx_dag_view_set_zoom (view, 1.0);
      if (!ctx_dag_view_export (view, path, NULL))
        g_error ("export failed");
      g_print ("{\"zoom\":%.3f,\"nodes\":%u,\"export_cpu_ms\":%.1f}\n", ctx_dag_view_get_zoom (view),
               ctx_dag_view_get_n_nodes (view), cpu_ms () - t0);
    }
  g_unlink (path);
}

static guint32
find_name (CtxTraceModel *model, const char *name)
{
  for (guint32 i = 0; name != NULL && i < ctx_trace_model_get_n_strings (model); i++)
    if (g_strcmp0 (ctx_trace_model_get_string (model, i), name) == 0)
      return i;
  return CTX_NONE;
}

int
main (int argc, char **argv)
{
  gboolean spans = FALSE, per_thread = FALSE, dark = FALSE, redrawn = FALSE;
  double threshold = 0;
  gint64 span_id = 0;
  gboolean timing = FALSE;
  g_autofree char *select = NULL, *size = NULL;
  GOptionEntry entries[] = {
    { "spans", 0, 0, G_OPTION_ARG_NONE, &spans, "Span graph of the longest trace", NULL },
    { "per-thread", 0, 0, G_OPTION_ARG_NONE, &per_thread, "One node per name and thread", NULL },
    { "threshold", 0, 0, G_OPTION_ARG_DOUBLE, &threshold, "Hide nodes under P % of the total", "P" },
    { "select", 0, 0, G_OPTION_ARG_STRING, &select, "Select this name", "NAME" },
    { "span", 0, 0, G_OPTION_ARG_INT64, &span_id, "Select the span with this id", "ID" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Window size", "WxH" },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &dark, "Dark style", NULL },
    { "time", 0, 0, G_OPTION_ARG_NONE, &timing, "Print how long drawing (an export) takes", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("OUT.png FILE.db");
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = NULL;
  g_autoptr (CtxSession) session = NULL;
  g_autoptr (GdkPaintable) paintable = NULL;
  int width = 1400, height = 860;
  GtkWidget *window, *view;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3)
    {
      g_printerr ("usage: ctx-dag-shot OUT.png FILE.db [--spans] [--per-thread] [--threshold P]\n");
      return 2;
    }
  if (size != NULL)
    sscanf (size, "%dx%d", &width, &height);
  gtk_init ();
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", dark, NULL);
  model = ctx_trace_model_load (argv[2], NULL, NULL, NULL, &error);
  if (model == NULL)
    g_error ("%s", error->message);
  session = ctx_session_new (model);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  view = ctx_dag_view_new ();
  gtk_window_set_child (GTK_WINDOW (window), view);
  ctx_dag_view_set_per_thread (CTX_DAG_VIEW (view), per_thread);
  ctx_dag_view_set_threshold (CTX_DAG_VIEW (view), threshold);
  if (span_id != 0)
    ctx_session_set_selected (session, ctx_trace_model_find_id (model, span_id));
  ctx_dag_view_set_session (CTX_DAG_VIEW (view), session);
  ctx_dag_view_set_mode (CTX_DAG_VIEW (view), spans ? CTX_DAG_MODE_SPANS : CTX_DAG_MODE_CALLS);
  ctx_dag_view_select_name (CTX_DAG_VIEW (view), find_name (model, select));
  gtk_window_present (GTK_WINDOW (window));
  paintable = gtk_widget_paintable_new (window);
  while (ctx_dag_view_is_busy (CTX_DAG_VIEW (view)) || gtk_widget_get_width (view) <= 0)
    g_main_context_iteration (NULL, TRUE);
  /* The paintable shows the window as of its last frame: wait for one after the layout. */
  g_signal_connect (paintable, "invalidate-contents", G_CALLBACK (on_invalidated), &redrawn);
  gtk_widget_queue_draw (view);
  while (!redrawn)
    g_main_context_iteration (NULL, TRUE);
  spin (200);
  save (window, paintable, argv[1]);
  if (timing)
    print_draw_time (CTX_DAG_VIEW (view), argv[1]);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
