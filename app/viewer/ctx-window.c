/* ctx-window.c: the window's lifecycle: loading a trace with progress, the welcome page
 * with recent files, the error page, drag-and-drop, saved window geometry and the views of
 * the trace page (flame chart, call graph, aggregated flame graph, sandwich, statistics). */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ctx-dag-view.h"
#include "ctx-time.h"
#include "ctx-window-private.h"

#define APP_ID "io.github.ctxtrace.Viewer"
#define PROGRESS_DELAY_MS 300
#define MAX_RECENT 8
#define TRACE_MIME_TYPE "application/x-ctxtrace-trace"

G_DEFINE_FINAL_TYPE (CtxWindow, ctx_window, GTK_TYPE_APPLICATION_WINDOW)

/* -- pages --------------------------------------------------------------------------- */

static void
set_titles (CtxWindow  *self,
            const char *title,
            const char *subtitle)
{
  gtk_label_set_text (self->title_label, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_text (self->subtitle_label, subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle != NULL);
}

static const char *
error_title (const GError *error)
{
  if (error->domain != CTX_TRACE_ERROR)
    return _("Could not open the trace");
  switch ((CtxTraceError) error->code)
    {
    case CTX_TRACE_ERROR_NOT_FOUND: return _("File not found");
    case CTX_TRACE_ERROR_NOT_A_FILE: return _("Not a file");
    case CTX_TRACE_ERROR_UNREADABLE: return _("The file cannot be read");
    case CTX_TRACE_ERROR_NOT_SQLITE: return _("Not a trace file");
    case CTX_TRACE_ERROR_NOT_CTXTRACE: return _("Not a ctxtrace trace");
    case CTX_TRACE_ERROR_NEWER_SCHEMA: return _("Written by a newer ctxtrace");
    case CTX_TRACE_ERROR_CORRUPT: return _("The trace is damaged");
    case CTX_TRACE_ERROR_TIMEOUT: return _("Reading the trace took too long");
    case CTX_TRACE_ERROR_GONE: return _("The file is gone");
    default: return _("Could not open the trace");
    }
}

static void
show_error (CtxWindow    *self,
            const GError *error)
{
  gtk_label_set_text (self->error_title, error_title (error));
  /* Plain text: the message may quote the file's own contents. */
  gtk_label_set_text (self->error_message, error->message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static char *
trace_summary (CtxTraceModel *model,
               CtxSession    *session)
{
  g_autofree char *dur = ctx_time_format_duration (ctx_session_get_duration (session));
  guint n_spans = ctx_trace_model_get_n_spans (model);
  guint n_lanes = ctx_trace_model_get_n_lanes (model);
  guint n_procs = ctx_trace_model_get_n_processes (model);
  g_autofree char *spans = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u span", "%u spans", n_spans), n_spans);
  g_autofree char *threads = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thread", "%u threads", n_lanes), n_lanes);
  g_autofree char *procs = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u process", "%u processes", n_procs), n_procs);

  return g_strdup_printf ("%s · %s · %s · %s", spans, threads, procs, dur);
}

static void
add_to_recent (CtxWindow *self)
{
  g_autofree char *uri = g_file_get_uri (self->file);
  GtkRecentData data = {
    .mime_type = (char *) TRACE_MIME_TYPE,
    .app_name = (char *) g_get_application_name (),
    .app_exec = (char *) "ctxtrace-viewer %f",
  };

  gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
}

static void
on_selected_changed (CtxWindow *self)
{
  guint32 span = ctx_session_get_selected (self->session);

  /* Selections made elsewhere (the parent button, search) bring the span into view. */
  if (span != CTX_NONE)
    {
      ctx_session_reveal_span (self->session, span);
      ctx_flame_view_reveal_span (self->flame_view, span);
    }
}

/* -- views --------------------------------------------------------------------------- */

/* The call graph is the host's to link: the session's scope and selected name in, the
 * names and spans activated in it out. */
static void
on_dag_scope_changed (CtxWindow *self)
{
  gint64 start, end;

  ctx_session_get_scope (self->session, &start, &end);
  ctx_dag_view_set_scope (CTX_DAG_VIEW (self->dag_view), start, end);
}

static void
update_sandwich_label (CtxWindow *self)
{
  guint32 name = self->session != NULL ? ctx_session_get_selected_name (self->session) : CTX_NONE;
  const char *text = name != CTX_NONE
                     ? ctx_trace_model_get_string (ctx_session_get_model (self->session), name) : NULL;
  g_autofree char *valid = text != NULL ? g_utf8_make_valid (text, strnlen (text, 200)) : NULL;
  g_autofree char *label = valid != NULL
                           ? g_strdup_printf (_("Callers of %s above it, its callees below"), valid)
                           : g_strdup (_("No name selected: click a span or a row in another view"));

  gtk_label_set_text (self->sandwich_label, label);
}

static void
on_selected_name_changed (CtxWindow *self)
{
  update_sandwich_label (self);
  ctx_dag_view_select_name (CTX_DAG_VIEW (self->dag_view), ctx_session_get_selected_name (self->session));
}

static void
on_dag_name_activated (CtxWindow *self,
                       guint      name)
{
  if (self->session != NULL)
    ctx_session_set_selected_name (self->session, name);
}

static void
on_dag_span_activated (CtxWindow *self,
                       guint      span)
{
  if (self->session != NULL)
    ctx_session_set_selected (self->session, span);
}

static void
dag_set_session (CtxWindow *self)
{
  ctx_dag_view_set_session (CTX_DAG_VIEW (self->dag_view), self->session);
  if (self->session == NULL)
    return;
  g_signal_connect_object (self->session, "time-selection-changed", G_CALLBACK (on_dag_scope_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::selected-name", G_CALLBACK (on_selected_name_changed),
                           self, G_CONNECT_SWAPPED);
  on_dag_scope_changed (self);
  on_selected_name_changed (self);
}

void
ctx_window_views_set_session (CtxWindow *self)
{
  dag_set_session (self);
  ctx_aggregate_flame_set_session (self->aggregate_flame, self->session);
  ctx_aggregate_flame_set_session (self->callers_flame, self->session);
  ctx_aggregate_flame_set_session (self->callees_flame, self->session);
  ctx_stats_view_set_session (self->stats_view, self->session);
}

const char *
ctx_window_get_view (CtxWindow *self)
{
  return gtk_stack_get_visible_child_name (self->views);
}

void
ctx_window_set_view (CtxWindow  *self,
                     const char *view)
{
  GtkWidget *page = gtk_stack_get_child_by_name (self->views, view);

  if (page == NULL)
    return;
  gtk_stack_set_visible_child (self->views, page);
}

GtkWidget *
ctx_window_get_view_widget (CtxWindow  *self,
                            const char *view)
{
  if (g_strcmp0 (view, "flame") == 0)
    return GTK_WIDGET (self->flame_view);
  if (g_strcmp0 (view, "dag") == 0)
    return self->dag_view;
  if (g_strcmp0 (view, "aggregated") == 0)
    return GTK_WIDGET (self->aggregate_flame);
  if (g_strcmp0 (view, "callers") == 0)
    return GTK_WIDGET (self->callers_flame);
  if (g_strcmp0 (view, "sandwich") == 0 || g_strcmp0 (view, "callees") == 0)
    return GTK_WIDGET (self->callees_flame);
  if (g_strcmp0 (view, "stats") == 0)
    return GTK_WIDGET (self->stats_view);
  return NULL;
}

/* The shown view takes the keyboard focus, and the view action its name. */
static void
on_view_changed (CtxWindow *self)
{
  const char *view = ctx_window_get_view (self);
  GtkWidget *widget = ctx_window_get_view_widget (self, view);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "view");

  if (action != NULL && view != NULL)
    g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (view));
  if (widget != NULL && g_strcmp0 (ctx_window_get_page (self), "trace") == 0)
    gtk_widget_grab_focus (widget);
}

static void
on_page_changed (CtxWindow *self)
{
  gtk_widget_set_visible (self->view_switcher, g_strcmp0 (ctx_window_get_page (self), "trace") == 0);
}

static void
setup_dag (CtxWindow *self)
{
  self->dag_view = ctx_dag_view_new ();
  gtk_widget_set_hexpand (self->dag_view, TRUE);
  gtk_widget_set_vexpand (self->dag_view, TRUE);
  gtk_box_remove (self->dag_box, self->dag_placeholder);
  self->dag_placeholder = NULL;
  gtk_box_append (self->dag_box, self->dag_view);
  g_signal_connect_object (self->dag_view, "name-activated", G_CALLBACK (on_dag_name_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dag_view, "span-activated", G_CALLBACK (on_dag_span_activated), self,
                           G_CONNECT_SWAPPED);
}

static void
setup_views (CtxWindow *self)
{
  setup_dag (self);
  gtk_scrollbar_set_adjustment (self->aggregate_scrollbar,
                                ctx_aggregate_flame_get_vadjustment (self->aggregate_flame));
  gtk_scrollbar_set_adjustment (self->callers_scrollbar,
                                ctx_aggregate_flame_get_vadjustment (self->callers_flame));
  gtk_scrollbar_set_adjustment (self->callees_scrollbar,
                                ctx_aggregate_flame_get_vadjustment (self->callees_flame));
  g_signal_connect_object (self->views, "notify::visible-child", G_CALLBACK (on_view_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (on_page_changed), self,
                           G_CONNECT_SWAPPED);
}

/* -- live files ---------------------------------------------------------------------- */

static void
update_subtitle (CtxWindow *self)
{
  g_autofree char *summary = trace_summary (ctx_session_get_model (self->session), self->session);
  gboolean live = self->live != NULL && ctx_live_monitor_get_writing (self->live);
  g_autofree char *text = live ? g_strdup_printf (_("%s · live"), summary) : g_strdup (summary);

  if (self->exit_status != NULL)
    {
      g_autofree char *with_status = g_strdup_printf ("%s · %s", text, self->exit_status);
      g_free (text);
      text = g_steal_pointer (&with_status);
    }
  gtk_label_set_text (self->subtitle_label, text);
  gtk_widget_set_visible (self->follow_button,
                          live || ctx_trace_model_get_n_open_spans (ctx_session_get_model (self->session)) > 0);
}

void
ctx_window_set_follow (CtxWindow *self,
                       gboolean   follow)
{
  double start, end;

  self->follow = follow;
  /* Sets the state without going through change-state, which calls us. */
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "follow")),
                             g_variant_new_boolean (follow));
  if (!follow || self->session == NULL)
    return;
  ctx_session_get_visible (self->session, &start, &end);
  self->following = TRUE;
  ctx_session_set_visible (self->session,
                           ctx_session_get_duration (self->session) * 1.01 - (end - start),
                           ctx_session_get_duration (self->session) * 1.01);
  self->following = FALSE;
}

/* A zoom or pan by the user ends follow mode; the Follow button brings it back. */
static void
on_visible_changed (CtxWindow *self)
{
  if (self->follow && !self->following)
    ctx_window_set_follow (self, FALSE);
}

static void
on_refreshed (CtxWindow *self)
{
  self->last_change_us = g_get_monotonic_time ();
  self->following = self->follow;
  ctx_session_data_changed (self->session, self->follow);
  self->following = FALSE;
  update_subtitle (self);
}

/* Deleted or replaced: say so; what was read stays on screen behind the message. */
static void
on_live_failed (CtxWindow    *self,
                const GError *error)
{
  show_error (self, error);
  ctx_window_actions_update (self);
  g_clear_object (&self->live);
}

static void
start_live (CtxWindow *self)
{
  g_clear_object (&self->live);
  self->last_change_us = 0;
  self->live = ctx_live_monitor_new (ctx_session_get_model (self->session));
  g_signal_connect_object (self->live, "refreshed", G_CALLBACK (on_refreshed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->live, "failed", G_CALLBACK (on_live_failed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->live, "writing-changed", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "visible-changed", G_CALLBACK (on_visible_changed), self,
                           G_CONNECT_SWAPPED);
  /* On by default while the file is being written (spans still open). */
  ctx_window_set_follow (self, ctx_live_monitor_get_writing (self->live) ||
                         ctx_trace_model_get_n_open_spans (ctx_session_get_model (self->session)) > 0);
  update_subtitle (self);
}

/* Shown in the subtitle (the program of ctxtrace-viewer --record ended, say). */
void
ctx_window_set_exit_status (CtxWindow  *self,
                            const char *status)
{
  g_free (self->exit_status);
  self->exit_status = g_strdup (status);
  if (self->session != NULL)
    update_subtitle (self);
  /* The program is done: while following, show all of what it did (follow stays on, so the
   * last commits still come into view). */
  if (status != NULL && self->session != NULL && self->follow)
    {
      self->following = TRUE;
      ctx_session_fit (self->session);
      self->following = FALSE;
    }
}

const char *
ctx_window_get_subtitle (CtxWindow *self)
{
  return gtk_label_get_text (self->subtitle_label);
}

CtxLiveMonitor *
ctx_window_get_live_monitor (CtxWindow *self)
{
  return self->live;
}

/* What the views need beyond the model, computed off the main thread: reading 10M spans
 * for the flame chart's index and the overview takes a few hundred milliseconds. */
typedef struct
{
  CtxSession *session;
  CtxFlameIndex *index;
  CtxMinimapData *overview;
} Prepared;

static void
prepared_free (Prepared *p)
{
  g_clear_object (&p->session);
  g_clear_pointer (&p->index, ctx_flame_index_unref);
  g_clear_pointer (&p->overview, ctx_minimap_data_free);
  g_free (p);
}

static void
prepare_in_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Prepared *p = task_data;
  CtxTraceModel *model = ctx_session_get_model (p->session);

  p->index = ctx_flame_index_new (model, ctx_session_get_origin (p->session));
  p->overview = ctx_minimap_data_new (p->session);
  g_task_return_boolean (task, TRUE);
}

static void
show_trace (CtxWindow *self,
            Prepared  *p)
{
  CtxTraceModel *model = ctx_session_get_model (p->session);
  g_autofree char *basename = g_file_get_basename (self->file);
  g_autofree char *summary = NULL;

  g_clear_object (&self->session);
  self->session = g_object_ref (p->session);
  g_signal_connect_object (self->session, "notify::selected", G_CALLBACK (on_selected_changed),
                           self, G_CONNECT_SWAPPED);
  ctx_flame_view_set_session (self->flame_view, self->session, p->index);
  ctx_minimap_set_session (self->minimap, self->session, g_steal_pointer (&p->overview));
  ctx_details_pane_set_session (self->details, self->session);
  ctx_search_bar_set_session (self->search_bar, self->session);
  ctx_window_views_set_session (self);
  summary = trace_summary (model, self->session);
  set_titles (self, basename, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), ctx_trace_model_get_n_spans (model) == 0);
  gtk_stack_set_visible_child_name (self->stack, "trace");
  gtk_widget_grab_focus (GTK_WIDGET (self->flame_view));
  add_to_recent (self);
  ctx_window_actions_update (self);
  start_live (self);
}

/* -- loading ------------------------------------------------------------------------- */

static void
stop_progress (CtxWindow *self)
{
  g_clear_handle_id (&self->progress_source, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_widget_set_visible (self->cancel_button, FALSE);
}

/* Short loads never flash a progress bar: it appears only after PROGRESS_DELAY_MS. */
static gboolean
reveal_progress (gpointer user_data)
{
  CtxWindow *self = user_data;

  self->progress_source = 0;
  gtk_progress_bar_set_fraction (self->progress_bar, self->progress);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_visible (self->cancel_button, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_progress (double   fraction,
             gpointer user_data)
{
  CtxWindow *self = user_data;

  self->progress = CLAMP (fraction, 0, 1);
  if (gtk_widget_get_visible (GTK_WIDGET (self->progress_bar)))
    gtk_progress_bar_set_fraction (self->progress_bar, self->progress);
}

/* Which load a result belongs to: a newer open or a cancel makes older results stale. */
typedef struct
{
  CtxWindow *self;
  GCancellable *cancellable;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->cancellable);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadData, load_data_free)

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LoadData) data = user_data;
  CtxWindow *self = data->self;
  Prepared *p = g_task_get_task_data (G_TASK (result));

  if (data->cancellable != self->cancellable || g_cancellable_is_cancelled (data->cancellable))
    return;
  g_clear_object (&self->cancellable);
  stop_progress (self);
  show_trace (self, p);
}

static void
prepare (CtxWindow     *self,
         CtxTraceModel *model,
         LoadData      *data)
{
  Prepared *p = g_new0 (Prepared, 1);
  g_autoptr(GTask) task = g_task_new (NULL, data->cancellable, on_prepared, data);

  p->session = ctx_session_new (model);
  g_task_set_task_data (task, p, (GDestroyNotify) prepared_free);
  g_task_run_in_thread (task, prepare_in_thread);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LoadData) data = user_data;
  CtxWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtxTraceModel) model = ctx_trace_model_load_finish (result, &error);

  if (data->cancellable != self->cancellable || g_cancellable_is_cancelled (data->cancellable))
    return;
  if (model == NULL)
    {
      g_autofree char *basename = g_file_get_basename (self->file);

      g_clear_object (&self->cancellable);
      stop_progress (self);
      set_titles (self, basename, NULL);
      show_error (self, error);
      ctx_window_actions_update (self);
      return;
    }
  prepare (self, model, g_steal_pointer (&data));
}

void
ctx_window_open (CtxWindow *self,
                 GFile     *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *loading = g_strdup_printf (_("Loading %s…"), basename);
  LoadData *data;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->live);
  gtk_widget_set_visible (self->follow_button, FALSE);
  g_set_object (&self->file, file);
  self->cancellable = g_cancellable_new ();
  self->progress = 0;
  set_titles (self, basename, NULL);
  gtk_label_set_text (self->loading_label, loading);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  stop_progress (self);
  self->progress_source = g_timeout_add (PROGRESS_DELAY_MS, reveal_progress, self);
  if (path == NULL)
    {
      g_autoptr(GError) error = g_error_new (CTX_TRACE_ERROR, CTX_TRACE_ERROR_NOT_FOUND,
                                             _("Only local files can be opened."));
      stop_progress (self);
      g_clear_object (&self->cancellable);
      show_error (self, error);
      return;
    }
  data = g_new0 (LoadData, 1);
  data->self = g_object_ref (self);
  data->cancellable = g_object_ref (self->cancellable);
  ctx_trace_model_load_async (path, self->cancellable, on_progress, self, on_loaded, data);
  ctx_window_actions_update (self);
}

static void
on_cancel_clicked (CtxWindow *self)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("Loading was cancelled."));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_progress (self);
  show_error (self, error);
}

/* -- welcome page and recent files --------------------------------------------------- */

static gboolean
is_recent_trace (GtkRecentInfo *info)
{
  const char *mime = gtk_recent_info_get_mime_type (info);

  return gtk_recent_info_has_application (info, g_get_application_name ()) ||
         g_strcmp0 (mime, TRACE_MIME_TYPE) == 0;
}

static GtkWidget *
recent_row (GtkRecentInfo *info)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (gtk_recent_info_get_display_name (info));
  g_autofree char *where = gtk_recent_info_get_uri_display (info);
  GtkWidget *path = gtk_label_new (where);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (path), 0);
  gtk_label_set_ellipsize (GTK_LABEL (path), PANGO_ELLIPSIZE_START);
  gtk_widget_add_css_class (path, "dim-label");
  gtk_widget_add_css_class (path, "caption");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), path);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "uri", g_strdup (gtk_recent_info_get_uri (info)), g_free);
  return row;
}

static void
fill_recent (CtxWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);
  for (GList *l = items; l != NULL && n < MAX_RECENT; l = l->next)
    if (is_recent_trace (l->data) && gtk_recent_info_exists (l->data))
      {
        gtk_list_box_append (self->recent_list, recent_row (l->data));
        n++;
      }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), n > 0);
  gtk_widget_set_visible (self->recent_heading, n > 0);
}

static void
on_recent_activated (CtxWindow     *self,
                     GtkListBoxRow *row)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_object_get_data (G_OBJECT (row), "uri"));

  ctx_window_open (self, file);
}

/* -- drag and drop ------------------------------------------------------------------- */

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CtxWindow     *self)
{
  GSList *files = g_value_get_boxed (value);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (files == NULL)
    return FALSE;
  if (ctx_window_is_empty (self) || app == NULL)
    ctx_window_open (self, files->data);
  else
    g_application_open (G_APPLICATION (app), (GFile **) &files->data, 1, "");
  for (GSList *l = files->next; l != NULL && app != NULL; l = l->next)
    g_application_open (G_APPLICATION (app), (GFile **) &l->data, 1, "");
  return TRUE;
}

static void
setup_drop (CtxWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/* -- settings ------------------------------------------------------------------------ */

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Uninstalled runs have no schema; the window then simply does not remember. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  return schema != NULL ? g_settings_new (APP_ID) : NULL;
}

static void
restore_geometry (CtxWindow *self)
{
  if (self->settings == NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self), 1280, 800);
      gtk_paned_set_position (self->paned, 360);
      return;
    }
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (self->settings, "pane-width", self->paned, "position", G_SETTINGS_BIND_DEFAULT);
}

static gboolean
ctx_window_close_request (GtkWindow *window)
{
  CtxWindow *self = CTX_WINDOW (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", MAX (width, 320));
      g_settings_set_int (self->settings, "window-height", MAX (height, 240));
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }
  return GTK_WINDOW_CLASS (ctx_window_parent_class)->close_request (window);
}

/* -- accessors ----------------------------------------------------------------------- */

GFile *
ctx_window_get_file (CtxWindow *self)
{
  return self->file;
}

gboolean
ctx_window_is_empty (CtxWindow *self)
{
  return self->file == NULL;
}

gboolean
ctx_window_is_loading (CtxWindow *self)
{
  return self->cancellable != NULL;
}

const char *
ctx_window_get_page (CtxWindow *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

char *
ctx_window_get_error_text (CtxWindow *self)
{
  return g_strdup_printf ("%s\n%s", gtk_label_get_text (self->error_title),
                          gtk_label_get_text (self->error_message));
}

CtxSession *
ctx_window_get_session (CtxWindow *self)
{
  return self->session;
}

CtxFlameView *
ctx_window_get_flame_view (CtxWindow *self)
{
  return self->flame_view;
}

CtxDetailsPane *
ctx_window_get_details (CtxWindow *self)
{
  return self->details;
}

guint
ctx_window_get_n_recent (CtxWindow *self)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

void
ctx_window_refresh (CtxWindow *self)
{
  if (self->live != NULL)
    ctx_live_monitor_refresh (self->live);
}

CtxSearchBar *
ctx_window_get_search_bar (CtxWindow *self)
{
  return self->search_bar;
}

/* -- GObject ------------------------------------------------------------------------- */

static void
ctx_window_dispose (GObject *object)
{
  CtxWindow *self = CTX_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->live);
  g_clear_pointer (&self->exit_status, g_free);
  if (self->export_dialog != NULL)
    gtk_native_dialog_destroy (self->export_dialog);
  g_clear_object (&self->export_dialog);
  g_clear_object (&self->session);
  g_clear_object (&self->file);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (ctx_window_parent_class)->dispose (object);
}

static void
ctx_window_class_init (CtxWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ctx_window_dispose;
  window_class->close_request = ctx_window_close_request;
  g_type_ensure (CTX_TYPE_FLAME_VIEW);
  g_type_ensure (CTX_TYPE_MINIMAP);
  g_type_ensure (CTX_TYPE_DETAILS_PANE);
  g_type_ensure (CTX_TYPE_SEARCH_BAR);
  g_type_ensure (CTX_TYPE_AGGREGATE_FLAME);
  g_type_ensure (CTX_TYPE_STATS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ctxtrace/Viewer/ctx-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, loading_label);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, error_title);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, error_message);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, recent_heading);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, minimap);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, details);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, flame_view);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, vscrollbar);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, empty_label);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, follow_button);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, views);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, view_switcher);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, dag_box);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, dag_placeholder);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, aggregate_flame);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, callers_flame);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, callees_flame);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, aggregate_scrollbar);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, callers_scrollbar);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, callees_scrollbar);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, stats_view);
  gtk_widget_class_bind_template_child (widget_class, CtxWindow, sandwich_label);
  gtk_widget_class_bind_template_callback (widget_class, on_recent_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
}

static void
ctx_window_init (CtxWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_scrollbar_set_adjustment (self->vscrollbar, ctx_flame_view_get_vadjustment (self->flame_view));
  setup_views (self);
  self->settings = settings_if_installed ();
  restore_geometry (self);
  setup_drop (self);
  fill_recent (self);
  g_signal_connect_object (gtk_recent_manager_get_default (), "changed",
                           G_CALLBACK (fill_recent), self, G_CONNECT_SWAPPED);
  ctx_window_actions_init (self);
  gtk_stack_set_visible_child_name (self->stack, "welcome");
}

CtxWindow *
ctx_window_new (GtkApplication *application)
{
  return g_object_new (CTX_TYPE_WINDOW, "application", application, NULL);
}
