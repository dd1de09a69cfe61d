/* ctx-search-bar.c: the search side of the side pane (see ctx-search-bar.h).  Queries run
 * in the model on a worker thread; a newer query cancels the older one. */
#include "config.h"

#include <glib/gi18n.h>

#include "ctx-search.h"
#include "ctx-search-bar.h"

struct _CtxSearchBar
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkSearchEntry *name_entry;
  GtkCheckButton *errors_check;
  GtkEntry *duration_entry;
  GtkEntry *attr_entry;
  GtkEntry *sql_entry;
  GtkLabel *status_label;

  CtxSession *session;
  GCancellable *cancellable;
  GArray *matches;  /* guint32 span indices, increasing; NULL when no query */
};

G_DEFINE_FINAL_TYPE (CtxSearchBar, ctx_search_bar, GTK_TYPE_WIDGET)

gint64
ctx_search_bar_parse_duration (const char *text)
{
  static const struct { const char *unit; double ns; } units[] = {
    { "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e6 },
  };
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  char *end = NULL;
  double value = g_ascii_strtod (stripped, &end);

  if (end == stripped || !(value >= 0) || value > 1e12)
    return -1;
  while (*end == ' ')
    end++;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (end, units[i].unit) == 0)
      return (gint64) (value * units[i].ns);
  return -1;
}

static void
set_status (CtxSearchBar *self,
            const char   *text)
{
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL && text[0] != '\0');
}

static guint
match_position (CtxSearchBar *self,
                guint32       span)
{
  const guint32 *v = (const guint32 *) self->matches->data;
  guint lo = 0, hi = self->matches->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (v[mid] < span)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < self->matches->len && v[lo] == span ? lo + 1 : 0;
}

static void
update_count (CtxSearchBar *self)
{
  guint32 sel = self->session != NULL ? ctx_session_get_selected (self->session) : CTX_NONE;
  g_autofree char *text = NULL;
  guint pos;

  if (self->matches == NULL)
    {
      set_status (self, NULL);
      return;
    }
  pos = sel != CTX_NONE ? match_position (self, sel) : 0;
  if (self->matches->len == 0)
    text = g_strdup (_("No matches"));
  else if (pos > 0)
    text = g_strdup_printf (_("Match %u of %u"), pos, self->matches->len);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches",
                                         self->matches->len), self->matches->len);
  set_status (self, text);
}

static void
publish_matches (CtxSearchBar *self,
                 GArray       *matches)
{
  guint n = ctx_trace_model_get_n_spans (ctx_session_get_model (self->session));
  guint8 *marks = NULL;

  g_clear_pointer (&self->matches, g_array_unref);
  self->matches = matches;
  if (matches != NULL)
    {
      marks = g_new0 (guint8, MAX (n, 1));
      for (guint i = 0; i < matches->len; i++)
        if (g_array_index (matches, guint32, i) < n)
          marks[g_array_index (matches, guint32, i)] = 1;
    }
  ctx_session_set_marks (self->session, marks);
  update_count (self);
}

static void
on_search_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CtxSearchBar) self = user_data;
  g_autoptr(GError) error = NULL;
  GArray *matches = ctx_trace_model_search_finish (CTX_TRACE_MODEL (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->session == NULL ||
      CTX_TRACE_MODEL (source) != ctx_session_get_model (self->session))
    {
      g_clear_pointer (&matches, g_array_unref);
      return;
    }
  g_clear_object (&self->cancellable);
  if (matches == NULL)
    {
      publish_matches (self, NULL);
      /* Plain text: SQLite's message may quote the user's clause. */
      set_status (self, error->message);
      return;
    }
  publish_matches (self, matches);
}

static const char *
entry_text (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  return text != NULL && text[0] != '\0' ? text : NULL;
}

/* Fills query from the widgets; FALSE when nothing is asked (search cleared). */
static gboolean
build_query (CtxSearchBar   *self,
             CtxSearchQuery *query,
             char          **problem)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  const char *duration = entry_text (self->duration_entry);

  memset (query, 0, sizeof *query);
  query->name = name != NULL && name[0] != '\0' ? name : NULL;
  query->errors_only = gtk_check_button_get_active (self->errors_check);
  query->attribute = entry_text (self->attr_entry);
  query->sql_where = entry_text (self->sql_entry);
  query->time_limit_ms = 2000;
  if (duration != NULL && (query->min_duration_ns = ctx_search_bar_parse_duration (duration)) < 0)
    {
      *problem = g_strdup_printf (_("“%s” is not a duration (try 1.5ms, 200us or 2s)"), duration);
      query->min_duration_ns = 0;
    }
  return query->name != NULL || query->errors_only || query->min_duration_ns > 0 ||
         query->attribute != NULL || query->sql_where != NULL;
}

static void
on_query_changed (CtxSearchBar *self)
{
  CtxSearchQuery query;
  g_autofree char *problem = NULL;

  if (self->session == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (!build_query (self, &query, &problem) || problem != NULL)
    {
      publish_matches (self, NULL);
      set_status (self, problem);
      return;
    }
  self->cancellable = g_cancellable_new ();
  set_status (self, _("Searching…"));
  ctx_trace_model_search_async (ctx_session_get_model (self->session), &query, self->cancellable,
                                on_search_done, g_object_ref (self));
}

void
ctx_search_bar_step (CtxSearchBar *self,
                     gboolean      forward)
{
  guint32 span;

  if (self->session == NULL || self->matches == NULL)
    return;
  span = ctx_search_step (self->matches, ctx_session_get_selected (self->session), forward);
  if (span == CTX_NONE)
    return;
  ctx_session_set_selected (self->session, span);
  ctx_session_zoom_to_span (self->session, span);
}

static void
on_next (CtxSearchBar *self)
{
  ctx_search_bar_step (self, TRUE);
}

static void
on_previous (CtxSearchBar *self)
{
  ctx_search_bar_step (self, FALSE);
}

/* Enter goes forward; Shift+Enter is a shortcut on the entry (see init). */
static void
on_entry_activate (CtxSearchBar *self)
{
  ctx_search_bar_step (self, TRUE);
}

static gboolean
previous_shortcut (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  ctx_search_bar_step (user_data, FALSE);
  return TRUE;
}

static void
on_stop_search (CtxSearchBar *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), "");
}

void
ctx_search_bar_set_session (CtxSearchBar *self,
                            CtxSession   *session)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->matches, g_array_unref);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::selected", G_CALLBACK (update_count), self,
                               G_CONNECT_SWAPPED);
      /* New spans may match: the session dropped the old marks, search again. */
      g_signal_connect_object (session, "data-changed", G_CALLBACK (on_query_changed), self,
                               G_CONNECT_SWAPPED);
      on_query_changed (self);
    }
}

void
ctx_search_bar_focus (CtxSearchBar *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

GtkEditable *
ctx_search_bar_get_name_entry (CtxSearchBar *self)
{
  return GTK_EDITABLE (self->name_entry);
}

GtkEditable *
ctx_search_bar_get_sql_entry (CtxSearchBar *self)
{
  return GTK_EDITABLE (self->sql_entry);
}

gboolean
ctx_search_bar_is_busy (CtxSearchBar *self)
{
  return self->cancellable != NULL;
}

guint
ctx_search_bar_get_n_matches (CtxSearchBar *self)
{
  return self->matches != NULL ? self->matches->len : 0;
}

const char *
ctx_search_bar_get_status (CtxSearchBar *self)
{
  return gtk_label_get_text (self->status_label);
}

static void
ctx_search_bar_dispose (GObject *object)
{
  CtxSearchBar *self = CTX_SEARCH_BAR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->matches, g_array_unref);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CTX_TYPE_SEARCH_BAR);
  G_OBJECT_CLASS (ctx_search_bar_parent_class)->dispose (object);
}

static void
ctx_search_bar_class_init (CtxSearchBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ctx_search_bar_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ctxtrace/Viewer/ctx-search-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, CtxSearchBar, box);
  gtk_widget_class_bind_template_child (widget_class, CtxSearchBar, name_entry);
  gtk_widget_class_bind_template_child (widget_class, CtxSearchBar, errors_check);
  gtk_widget_class_bind_template_child (widget_class, CtxSearchBar, duration_entry);
  gtk_widget_class_bind_template_child (widget_class, CtxSearchBar, attr_entry);
  gtk_widget_class_bind_template_child (widget_class, CtxSearchBar, sql_entry);
  gtk_widget_class_bind_template_child (widget_class, CtxSearchBar, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_query_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_next);
  gtk_widget_class_bind_template_callback (widget_class, on_previous);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "searchbar");
}

static void
ctx_search_bar_init (CtxSearchBar *self)
{
  GtkEventController *keys = gtk_shortcut_controller_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  set_status (self, NULL);
  /* Shift+Enter in the entry goes to the previous match. */
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_SHIFT_MASK),
                      gtk_callback_action_new (previous_shortcut, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->name_entry), keys);
}

GtkWidget *
ctx_search_bar_new (void)
{
  return g_object_new (CTX_TYPE_SEARCH_BAR, NULL);
}
