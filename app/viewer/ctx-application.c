/* ctx-application.c: application actions (open, new window, about, quit) and routing of
 * opened files to windows. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#ifdef HAVE_ADW
#include <adwaita.h>
#endif

#include "ctx-application.h"
#include "ctx-record-launch.h"
#include "ctx-window.h"

/* --record: how often we look for the trace file the program has not written yet. */
#define RECORD_POLL_MS 100

#define APP_ID "io.github.ctxtrace.Viewer"

struct _CtxApplication
{
  GtkApplication parent_instance;

  GtkNativeDialog *open_dialog;
  /* --record OUT.db -- PROGRAM ARGS... */
  char *record_path;
  char **record_argv;
  GSubprocess *recorded;
  CtxWindow *record_window;  /* weak */
  guint record_poll;
  char *record_status;       /* set when the program ended */
};

G_DEFINE_FINAL_TYPE (CtxApplication, ctx_application, GTK_TYPE_APPLICATION)

static void activate_recording (CtxApplication *self);

static CtxWindow *
find_window (CtxApplication *self,
             GFile          *file)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CTX_IS_WINDOW (l->data) && ctx_window_get_file (l->data) != NULL &&
        g_file_equal (ctx_window_get_file (l->data), file))
      return l->data;
  return NULL;
}

static CtxWindow *
empty_window (CtxApplication *self)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (active != NULL && CTX_IS_WINDOW (active) && ctx_window_is_empty (CTX_WINDOW (active)))
    return CTX_WINDOW (active);
  return NULL;
}

void
ctx_application_open_file (CtxApplication *self,
                           GFile          *file)
{
  CtxWindow *window = find_window (self, file);

  /* Opening again a file that failed tries again: it may have been fixed meanwhile. */
  if (window != NULL && g_strcmp0 (ctx_window_get_page (window), "error") == 0)
    ctx_window_open (window, file);
  else if (window == NULL)
    {
      window = empty_window (self);
      if (window == NULL)
        window = ctx_window_new (GTK_APPLICATION (self));
      ctx_window_open (window, file);
    }
  gtk_window_present (GTK_WINDOW (window));
}

static void
ctx_application_open (GApplication  *app,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    ctx_application_open_file (CTX_APPLICATION (app), files[i]);
}

static void
ctx_application_activate (GApplication *app)
{
  CtxApplication *self = CTX_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (self->record_argv != NULL && self->recorded == NULL)
    {
      activate_recording (self);
      return;
    }
  if (window == NULL)
    window = GTK_WINDOW (ctx_window_new (GTK_APPLICATION (app)));
  gtk_window_present (window);
}

/* -- --record ---------------------------------------------------------------------- */

/* The file appears when the library starts; until it holds a trace (or while the window
 * shows an error because it did not yet), look again. */
static gboolean
record_poll_cb (gpointer user_data)
{
  CtxApplication *self = user_data;
  g_autoptr(GFile) file = g_file_new_for_path (self->record_path);
  CtxWindow *window = self->record_window;
  GStatBuf st;

  if (window == NULL)
    {
      self->record_poll = 0;
      return G_SOURCE_REMOVE;
    }
  if (ctx_window_is_loading (window) || g_stat (self->record_path, &st) != 0 || st.st_size == 0)
    return G_SOURCE_CONTINUE;
  if (ctx_window_is_empty (window) || g_strcmp0 (ctx_window_get_page (window), "error") == 0)
    {
      ctx_window_open (window, file);
      return G_SOURCE_CONTINUE;
    }
  if (g_strcmp0 (ctx_window_get_page (window), "trace") != 0)
    return G_SOURCE_CONTINUE;
  if (self->record_status != NULL)
    ctx_window_set_exit_status (window, self->record_status);
  self->record_poll = 0;
  return G_SOURCE_REMOVE;
}

static void
on_recorded_exit (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CtxApplication) self = user_data;
  GSubprocess *sp = G_SUBPROCESS (source);
  g_autofree char *how = NULL;

  if (!g_subprocess_wait_finish (sp, result, NULL))
    return;
  how = ctx_record_describe_exit (sp);
  g_free (self->record_status);
  /* TRANSLATORS: "ls exited with status 0", "make killed by signal 9 (Killed)" */
  self->record_status = g_strdup_printf (_("%s %s"), self->record_argv[0], how);
  g_printerr ("ctxtrace-viewer: %s\n", self->record_status);
  if (self->record_window != NULL && g_strcmp0 (ctx_window_get_page (self->record_window), "trace") == 0)
    ctx_window_set_exit_status (self->record_window, self->record_status);
  g_application_release (G_APPLICATION (self));
}

static gboolean
start_recording (CtxApplication *self)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_autoptr(GError) error = NULL;

  ctx_record_remove_trace (self->record_path);
  ctx_record_prepare (launcher, self->record_path, NULL, self->record_argv[0]);
  self->recorded = g_subprocess_launcher_spawnv (launcher, (const char * const *) self->record_argv, &error);
  if (self->recorded == NULL)
    {
      g_printerr ("ctxtrace-viewer: %s: %s\n", self->record_argv[0], error->message);
      return FALSE;
    }
  /* The application stays while the program runs, even with its window closed. */
  g_application_hold (G_APPLICATION (self));
  g_subprocess_wait_async (self->recorded, NULL, on_recorded_exit, g_object_ref (self));
  return TRUE;
}

static void
activate_recording (CtxApplication *self)
{
  CtxWindow *window = ctx_window_new (GTK_APPLICATION (self));

  self->record_window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->record_window);
  gtk_window_present (GTK_WINDOW (window));
  if (!start_recording (self))
    {
      g_application_quit (G_APPLICATION (self));
      return;
    }
  self->record_poll = g_timeout_add (RECORD_POLL_MS, record_poll_cb, self);
}

void
ctx_application_set_record (CtxApplication     *self,
                            const char         *path,
                            const char * const *argv)
{
  g_free (self->record_path);
  g_strfreev (self->record_argv);
  self->record_path = g_canonicalize_filename (path, NULL);
  self->record_argv = g_strdupv ((char **) argv);
}

GSubprocess *
ctx_application_get_recorded (CtxApplication *self)
{
  return self->recorded;
}

/* -- actions ------------------------------------------------------------------------- */

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  return schema != NULL ? g_settings_new (APP_ID) : NULL;
}

static void
remember_folder (GFile *file)
{
  g_autoptr(GSettings) settings = settings_if_installed ();
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *uri = parent != NULL ? g_file_get_uri (parent) : NULL;

  if (settings != NULL && uri != NULL)
    g_settings_set_string (settings, "last-folder", uri);
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  CtxApplication  *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    {
      remember_folder (file);
      ctx_application_open_file (self, file);
    }
  g_clear_object (&self->open_dialog);
}

static void
add_filters (GtkFileChooser *chooser)
{
  GtkFileFilter *traces = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();

  gtk_file_filter_set_name (traces, _("Trace files"));
  gtk_file_filter_add_mime_type (traces, "application/x-ctxtrace-trace");
  gtk_file_filter_add_pattern (traces, "*.db");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, traces);
  gtk_file_chooser_add_filter (chooser, all);
  g_object_unref (traces);
  g_object_unref (all);
}

static void
start_in_last_folder (GtkFileChooser *chooser)
{
  g_autoptr(GSettings) settings = settings_if_installed ();
  g_autofree char *uri = settings != NULL ? g_settings_get_string (settings, "last-folder") : NULL;
  g_autoptr(GFile) folder = NULL;

  if (uri == NULL || uri[0] == '\0')
    return;
  folder = g_file_new_for_uri (uri);
  gtk_file_chooser_set_current_folder (chooser, folder, NULL);
}

static void
open_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CtxApplication *self = user_data;
  GtkFileChooserNative *chooser;

  if (self->open_dialog != NULL)
    {
      gtk_native_dialog_show (self->open_dialog);
      return;
    }
  chooser = gtk_file_chooser_native_new (_("Open Trace"),
                                         gtk_application_get_active_window (GTK_APPLICATION (self)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), NULL);
  add_filters (GTK_FILE_CHOOSER (chooser));
  start_in_last_folder (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_open_response), self, 0);
  self->open_dialog = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->open_dialog);
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (ctx_window_new (GTK_APPLICATION (user_data))));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *authors[] = { "The ctxtrace developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (GTK_APPLICATION (user_data)),
                         "program-name", _("ctxtrace Viewer"),
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Explore traces recorded by libctxtrace"),
                         "website", "https://github.com/ctxtrace/ctxtrace",
                         "license-type", GTK_LICENSE_MIT_X11,
                         "authors", authors,
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Closing (not destroying) lets each window save its geometry. */
  while (windows != NULL)
    {
      GList *next = windows->next;
      gtk_window_close (windows->data);
      windows = next;
    }
}

static const GActionEntry app_entries[] = {
  { .name = "open", .activate = open_action },
  { .name = "new-window", .activate = new_window_action },
  { .name = "about", .activate = about_action },
  { .name = "quit", .activate = quit_action },
};

static void
set_accels (GtkApplication *app)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.open", { "<Primary>o", NULL } },
    { "app.new-window", { "<Primary>n", NULL } },
    { "app.quit", { "<Primary>q", NULL } },
    { "win.close", { "<Primary>w", NULL } },
    { "win.export::png", { "<Primary>e", NULL } },
    { "win.zoom-in", { "<Primary>plus", "<Primary>equal", NULL } },
    { "win.zoom-out", { "<Primary>minus", NULL } },
    { "win.zoom-fit", { "<Primary>0", NULL } },
    { "win.search", { "<Primary>f", NULL } },
    { "win.search-next", { "F3", "<Primary>g", NULL } },
    { "win.search-previous", { "<Shift>F3", "<Primary><Shift>g", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
ctx_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (ctx_application_parent_class)->startup (app);
#ifdef HAVE_ADW
  /* Follows the desktop's light/dark preference (the GTK 4.8 theme alone does not). */
  adw_init ();
#endif
  g_set_application_name (_("ctxtrace Viewer"));
  gtk_window_set_default_icon_name (APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  set_accels (GTK_APPLICATION (app));
}

static void
ctx_application_dispose (GObject *object)
{
  CtxApplication *self = CTX_APPLICATION (object);

  if (self->open_dialog != NULL)
    gtk_native_dialog_destroy (self->open_dialog);
  g_clear_object (&self->open_dialog);
  g_clear_handle_id (&self->record_poll, g_source_remove);
  if (self->record_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->record_window), (gpointer *) &self->record_window);
  self->record_window = NULL;
  g_clear_object (&self->recorded);
  g_clear_pointer (&self->record_path, g_free);
  g_clear_pointer (&self->record_argv, g_strfreev);
  g_clear_pointer (&self->record_status, g_free);
  G_OBJECT_CLASS (ctx_application_parent_class)->dispose (object);
}

static void
ctx_application_class_init (CtxApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ctx_application_dispose;
  app_class->startup = ctx_application_startup;
  app_class->activate = ctx_application_activate;
  app_class->open = ctx_application_open;
}

static void
ctx_application_init (CtxApplication *self)
{
}

CtxApplication *
ctx_application_new (void)
{
  return g_object_new (CTX_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/ctxtrace/Viewer",
                       NULL);
}
