/* ctx-window-actions.c: the window's actions and the one function that keeps their
 * enabled state in step with what the window shows. */
#include "config.h"

#include <glib/gi18n.h>

#include "ctx-window-private.h"

static void
show_message (CtxWindow  *self,
              const char *title,
              const char *message)
{
  GtkWidget *dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", title);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", message);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    CtxWindow       *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL && !ctx_flame_view_export (self->flame_view, path, &error))
    show_message (self, _("Could not export the view"), error->message);
  g_clear_object (&self->export_dialog);
}

static char *
export_name (CtxWindow  *self,
             const char *format)
{
  g_autofree char *base = self->file != NULL ? g_file_get_basename (self->file) : g_strdup ("trace");
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_strdup_printf ("%s.%s", base, format);
}

static void
export_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  CtxWindow *self = user_data;
  const char *format = g_variant_get_string (parameter, NULL);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (g_strcmp0 (format, "svg") != 0)
    format = "png";
  name = export_name (self, format);
  g_clear_object (&self->export_dialog);
  chooser = gtk_file_chooser_native_new (_("Export View"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_response), self, 0);
  self->export_dialog = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->export_dialog);
}

static void
zoom_fit_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  CtxWindow *self = user_data;

  if (self->session != NULL)
    ctx_session_fit (self->session);
}

static void
zoom_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CtxWindow *self = user_data;
  double start, end;

  if (self->session == NULL)
    return;
  ctx_session_get_visible (self->session, &start, &end);
  ctx_session_zoom (self->session, (start + end) / 2,
                    g_str_equal (g_action_get_name (G_ACTION (action)), "zoom-in") ? 0.5 : 2);
}

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  CtxWindow *self = user_data;

  ctx_search_bar_focus (self->search_bar);
}

static void
search_step_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CtxWindow *self = user_data;

  ctx_search_bar_step (self->search_bar,
                       g_str_equal (g_action_get_name (G_ACTION (action)), "search-next"));
}

static void
follow_action (GSimpleAction *action,
               GVariant      *state,
               gpointer       user_data)
{
  ctx_window_set_follow (user_data, g_variant_get_boolean (state));
}

static void
view_action (GSimpleAction *action,
             GVariant      *state,
             gpointer       user_data)
{
  CtxWindow *self = user_data;

  ctx_window_set_view (self, g_variant_get_string (state, NULL));
  /* The stack's notify sets the state, so an unknown name leaves it unchanged. */
}

static void
close_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
}

static const GActionEntry win_entries[] = {
  { .name = "export", .activate = export_action, .parameter_type = "s" },
  { .name = "zoom-fit", .activate = zoom_fit_action },
  { .name = "zoom-in", .activate = zoom_action },
  { .name = "zoom-out", .activate = zoom_action },
  { .name = "close", .activate = close_action },
  { .name = "follow", .state = "false", .change_state = follow_action },
  { .name = "view", .parameter_type = "s", .state = "'flame'", .change_state = view_action },
  { .name = "search", .activate = search_action },
  { .name = "search-next", .activate = search_step_action },
  { .name = "search-previous", .activate = search_step_action },
};

void
ctx_window_actions_update (CtxWindow *self)
{
  static const char *need_trace[] = { "export", "zoom-fit", "zoom-in", "zoom-out", "search",
                                      "search-next", "search-previous", "view" };
  gboolean has_trace = self->session != NULL &&
                       g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "trace") == 0;

  for (guint i = 0; i < G_N_ELEMENTS (need_trace); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), need_trace[i])),
                                 has_trace);
}

/* Ctrl+1..5 switch views.  A controller of the window's own rather than application
 * accelerators: the views belong to the window (and work without a GtkApplication). */
static void
add_view_shortcuts (CtxWindow *self)
{
  static const char *views[] = { "flame", "dag", "aggregated", "sandwich", "stats" };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_1 + i, GDK_CONTROL_MASK),
                                                gtk_named_action_new ("win.view"));

      gtk_shortcut_set_arguments (shortcut, g_variant_new_string (views[i]));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

void
ctx_window_actions_init (CtxWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries, G_N_ELEMENTS (win_entries), self);
  add_view_shortcuts (self);
  ctx_window_actions_update (self);
}
