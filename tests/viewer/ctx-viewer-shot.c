/* ctx-viewer-shot: renders a viewer window in a given state to a PNG, for screenshots
 * and for looking at what the UI draws:
 *   ctx-viewer-shot OUT.png FILE.db [--select ID] [--zoom ID] [--dark] [--size WxH] */
#include "config.h"

#ifdef HAVE_ADW
#include <adwaita.h>
#endif

#include "ctx-application.h"
#include "ctx-window.h"

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  guint source = g_timeout_add (10, wake, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source);
}

static void
save (GtkWidget *widget, const char *out)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_texture_save_to_png (texture, out);
}

int
main (int argc, char *argv[])
{
  gint64 select_id = 0, zoom_id = 0;
  gboolean dark = FALSE;
  char *size = NULL;
  char *search = NULL;
  char *view = NULL;
  int width = 1400, height = 860;
  GOptionEntry entries[] = {
    { "select", 0, 0, G_OPTION_ARG_INT64, &select_id, "Select the span with this id", "ID" },
    { "zoom", 0, 0, G_OPTION_ARG_INT64, &zoom_id, "Zoom to the span with this id", "ID" },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &dark, "Dark style", NULL },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Window size", "WxH" },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, "Search span names", "TEXT" },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view, "Show this view (flame, dag, aggregated, sandwich, stats)", "VIEW" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("OUT.png FILE.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(CtxApplication) app = NULL;
  g_autoptr(GFile) file = NULL;
  CtxWindow *win;
  CtxSession *session;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3)
    {
      g_printerr ("usage: ctx-viewer-shot OUT.png FILE.db [--select ID] [--zoom ID] [--dark]\n");
      return 2;
    }
  if (size != NULL)
    sscanf (size, "%dx%d", &width, &height);
  app = ctx_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  if (dark)
#ifdef HAVE_ADW
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
#else
    g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", TRUE, NULL);
#endif
  win = ctx_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  file = g_file_new_for_commandline_arg (argv[2]);
  ctx_window_open (win, file);
  while (ctx_window_is_loading (win))
    spin (20);
  spin (300);
  session = ctx_window_get_session (win);
  if (session != NULL && zoom_id != 0)
    ctx_session_zoom_to_span (session, ctx_trace_model_find_id (ctx_session_get_model (session), zoom_id));
  if (session != NULL && search != NULL)
    {
      gtk_editable_set_text (ctx_search_bar_get_name_entry (ctx_window_get_search_bar (win)), search);
      spin (400);
    }
  if (session != NULL && select_id != 0)
    ctx_session_set_selected (session, ctx_trace_model_find_id (ctx_session_get_model (session), select_id));
  if (view != NULL)
    {
      ctx_window_set_view (win, view);
      spin (1500); /* the views compute off the main thread */
    }
  spin (300);
  save (GTK_WIDGET (win), argv[1]);
  gtk_window_destroy (GTK_WINDOW (win));
  return 0;
}
