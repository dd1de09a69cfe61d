/* ctx-details-pane.c: the selected span's details (see ctx-details-pane.h).  Attribute
 * text and events are read from the file when a span is selected, never kept for all. */
#include "config.h"

#include <glib/gi18n.h>

#include "ctx-details-pane.h"
#include "ctx-json-tree.h"
#include "ctx-time.h"

#define MAX_EVENTS_SHOWN 200
#define MAX_NAME_BYTES 4096
#define MAX_STACK_BYTES 65536

#define MAX_EDGES_SHOWN 8

enum { ROW_START, ROW_WALL, ROW_DURATION, ROW_SELF, ROW_THREAD, ROW_PROCESS, ROW_STATUS,
       ROW_CHILDREN, ROW_ID, N_ROWS };
/* The aggregate of a selected name. */
enum { AGG_COUNT, AGG_TOTAL, AGG_SELF, AGG_MEAN, AGG_MAX, AGG_ERRORS, N_AGG_ROWS };

struct _CtxDetailsPane
{
  GtkWidget parent_instance;

  GtkStack *stack;
  GtkLabel *name_label;
  GtkGrid *grid;
  GtkWidget *error_box;
  GtkLabel *error_label;
  GtkLabel *stack_label;
  GtkLabel *attrs_problem;
  GtkListView *attrs_view;
  GtkLabel *events_label;
  GtkWidget *events_heading;
  GtkLabel *values[N_ROWS];
  GtkButton *parent_button;
  GtkLabel *agg_name_label;
  GtkLabel *agg_scope_label;
  GtkGrid *agg_grid;
  GtkLabel *agg_callers_label;
  GtkLabel *agg_callees_label;
  GtkLabel *agg_values[N_AGG_ROWS];

  CtxSession *session;
  GtkTreeListModel *attrs;
};

G_DEFINE_FINAL_TYPE (CtxDetailsPane, ctx_details_pane, GTK_TYPE_WIDGET)

/* Trace text for a label: valid UTF-8, capped, with a visible marker when cut. */
static char *
capped (const char *text,
        gsize       max_bytes)
{
  gsize len = text != NULL ? strlen (text) : 0;
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", MIN (len, max_bytes));

  if (len <= max_bytes)
    return g_steal_pointer (&valid);
  return g_strconcat (valid, " […]", NULL);
}

static void
set_value (CtxDetailsPane *self,
           guint           row,
           const char     *text)
{
  gtk_label_set_text (self->values[row], text != NULL ? text : "—");
}

static void
show_timing (CtxDetailsPane *self,
             guint32         span,
             const CtxSpan  *s)
{
  double start = ctx_session_span_start (self->session, span);
  double end = ctx_session_span_end (self->session, span);
  g_autofree char *rel = ctx_time_format_offset (start, 1);
  g_autofree char *wall = ctx_time_format_wallclock (s->start_ns);
  g_autofree char *dur = ctx_time_format_duration (end - start);
  g_autofree char *dur_text = NULL;

  dur_text = (s->flags & CTX_SPAN_OPEN) ? g_strdup_printf (_("%s (still running)"), dur)
                                        : g_strdup (dur);
  set_value (self, ROW_START, rel);
  set_value (self, ROW_WALL, wall);
  set_value (self, ROW_DURATION, dur_text);
}

static void
show_place (CtxDetailsPane *self,
            const CtxSpan  *s)
{
  CtxTraceModel *model = ctx_session_get_model (self->session);
  const CtxLane *lane = ctx_trace_model_get_lane (model, s->lane);
  const CtxProcess *p = ctx_trace_model_get_process (model, lane->process);
  g_autofree char *lname = capped (lane->name != NULL ? lane->name : _("thread"), 256);
  g_autofree char *pname = capped (p->name != NULL ? p->name : _("process"), 256);
  /* Numbers formatted apart: xgettext cannot see through G_GINT64_FORMAT. */
  g_autofree char *tid = g_strdup_printf ("%" G_GINT64_FORMAT, lane->tid);
  g_autofree char *pid = g_strdup_printf ("%" G_GINT64_FORMAT, p->pid);
  g_autofree char *thread = g_strdup_printf (_("%s (tid %s)"), lname, tid);
  g_autofree char *process = g_strdup_printf (_("%s (pid %s)"), pname, pid);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, ctx_trace_model_get_span_id (model, (guint32) (s - ctx_trace_model_get_spans (model))));
  static const char *statuses[] = { N_("unset"), N_("ok"), N_("error") };

  set_value (self, ROW_THREAD, thread);
  set_value (self, ROW_PROCESS, process);
  set_value (self, ROW_STATUS, s->status < 3 ? _(statuses[s->status]) : "?");
  set_value (self, ROW_ID, id);
}

static void
show_parent (CtxDetailsPane *self,
             const CtxSpan  *s)
{
  CtxTraceModel *model = ctx_session_get_model (self->session);
  g_autofree char *label = NULL;

  if (s->parent == CTX_NONE)
    {
      gtk_button_set_label (self->parent_button,
                            (s->flags & CTX_SPAN_ORPHAN) ? _("missing from the file") : _("none (root)"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->parent_button), FALSE);
      return;
    }
  label = capped (ctx_trace_model_get_string (model, ctx_trace_model_get_spans (model)[s->parent].name), 200);
  gtk_button_set_label (self->parent_button, label);
  gtk_widget_set_sensitive (GTK_WIDGET (self->parent_button), TRUE);
}

/* NULL unless the member is a JSON string (hostile files put anything there). */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
show_error (CtxDetailsPane *self,
            const CtxSpan  *s,
            JsonObject     *attrs)
{
  const char *type = NULL, *message = NULL, *stack = NULL;
  g_autofree char *full = NULL, *head = NULL, *stack_text = NULL;

  if (attrs != NULL)
    {
      type = string_member (attrs, "exception.type");
      message = string_member (attrs, "exception.message");
      stack = string_member (attrs, "exception.stacktrace");
    }
  gtk_widget_set_visible (self->error_box, s->status == 2 || type != NULL);
  full = g_strdup_printf ("%s%s%s", type != NULL ? type : _("Error"),
                          message != NULL ? ": " : "", message != NULL ? message : "");
  head = capped (full, MAX_NAME_BYTES);
  gtk_label_set_text (self->error_label, head);
  stack_text = capped (stack, MAX_STACK_BYTES);
  gtk_label_set_text (self->stack_label, stack_text);
  gtk_widget_set_visible (GTK_WIDGET (self->stack_label), stack != NULL);
}

/* Error fields are read with a small parse of their own: the tree may refuse the text. */
static JsonObject *
parse_error_fields (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (json == NULL || strlen (json) > CTX_JSON_MAX_BYTES ||
      ctx_json_scan_depth (json, strlen (json)) > CTX_JSON_MAX_DEPTH ||
      !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
show_attributes (CtxDetailsPane *self,
                 const char     *json)
{
  g_autofree char *problem = NULL;
  GListModel *root = json != NULL ? ctx_json_tree_parse (json, &problem) : NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  g_clear_object (&self->attrs);
  if (root != NULL)
    self->attrs = gtk_tree_list_model_new (root, FALSE, FALSE, ctx_json_tree_children, NULL, NULL);
  selection = gtk_no_selection_new (self->attrs != NULL ? g_object_ref (G_LIST_MODEL (self->attrs)) : NULL);
  gtk_list_view_set_model (self->attrs_view, GTK_SELECTION_MODEL (selection));
  gtk_widget_set_visible (GTK_WIDGET (self->attrs_view), root != NULL);
  if (json == NULL)
    problem = g_strdup (_("None"));
  else if (problem != NULL)
    {
      g_autofree char *raw = capped (json, 2048);
      g_autofree char *both = g_strdup_printf ("%s\n%s", problem, raw);
      g_free (problem);
      problem = g_steal_pointer (&both);
    }
  gtk_label_set_text (self->attrs_problem, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->attrs_problem), problem != NULL);
}

static void
show_events (CtxDetailsPane *self,
             gint64          span_start,
             GPtrArray      *events)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; events != NULL && i < events->len && i < MAX_EVENTS_SHOWN; i++)
    {
      const CtxEvent *e = g_ptr_array_index (events, i);
      g_autofree char *at = ctx_time_format_duration (ctx_time_rel (e->ts_ns, span_start));
      g_autofree char *name = capped (e->name, 256);
      g_autofree char *attrs = capped (e->attrs_json, 300);

      g_string_append_printf (text, "%s+%s  %s  %s", i > 0 ? "\n" : "", at, name,
                              e->attrs_json != NULL ? attrs : "");
    }
  if (events != NULL && events->len > MAX_EVENTS_SHOWN)
    g_string_append_printf (text, _("\n… %u more events"), events->len - MAX_EVENTS_SHOWN);
  gtk_label_set_text (self->events_label, text->len > 0 ? text->str : _("None"));
  g_string_free (text, TRUE);
}

static void
show_details (CtxDetailsPane *self,
              guint32         span,
              const CtxSpan  *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtxSpanDetails) details =
    ctx_trace_model_fetch_details (ctx_session_get_model (self->session), span, &error);
  g_autoptr(JsonObject) attrs = NULL;
  g_autofree char *children = NULL, *self_time = NULL;

  if (details == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Could not read the details: %s"), error->message);
      show_attributes (self, NULL);
      gtk_label_set_text (self->attrs_problem, msg);
      show_events (self, s->start_ns, NULL);
      set_value (self, ROW_SELF, NULL);
      set_value (self, ROW_CHILDREN, NULL);
      show_error (self, s, NULL);
      return;
    }
  attrs = parse_error_fields (details->attrs_json);
  show_attributes (self, details->attrs_json);
  show_events (self, s->start_ns, details->events);
  show_error (self, s, attrs);
  self_time = ctx_time_format_duration (details->self_ns);
  children = g_strdup_printf ("%u", details->n_children);
  set_value (self, ROW_SELF, self_time);
  set_value (self, ROW_CHILDREN, children);
}

/* -- a selected name: its aggregate over the scope ------------------------------------ */

static char *
edges_text (CtxDetailsPane *self,
            GArray         *edges,
            gboolean        callers)
{
  CtxTraceModel *model = ctx_session_get_model (self->session);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < edges->len && i < MAX_EDGES_SHOWN; i++)
    {
      const CtxCallEdge *e = &g_array_index (edges, CtxCallEdge, i);
      g_autofree char *name = capped (ctx_trace_model_get_string (model, callers ? e->caller : e->callee), 120);
      g_autofree char *total = ctx_time_format_duration ((double) e->total_ns);

      g_string_append_printf (text, "%s%s  ×%u  %s", i > 0 ? "\n" : "", name, e->count, total);
    }
  if (edges->len > MAX_EDGES_SHOWN)
    g_string_append_printf (text, _("\n… %u more"), edges->len - MAX_EDGES_SHOWN);
  if (text->len == 0)
    g_string_append (text, _("None"));
  return g_string_free (text, FALSE);
}

static void
show_name_stats (CtxDetailsPane     *self,
                 CtxAggregate       *aggregate,
                 const CtxNameStats *st)
{
  guint32 name = st->name;
  g_autoptr(GArray) callers = ctx_aggregate_get_callers (aggregate, name);
  g_autoptr(GArray) callees = ctx_aggregate_get_callees (aggregate, name);
  g_autofree char *callers_text = edges_text (self, callers, TRUE);
  g_autofree char *callees_text = edges_text (self, callees, FALSE);
  gint64 times[] = { st->total_ns, st->self_ns, st->mean_ns, st->max_ns };

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *text = ctx_time_format_duration ((double) times[i]);
      gtk_label_set_text (self->agg_values[AGG_TOTAL + i], text);
    }
  {
    g_autofree char *count = g_strdup_printf ("%u", st->count);
    g_autofree char *errors = g_strdup_printf ("%u", st->errors);
    gtk_label_set_text (self->agg_values[AGG_COUNT], count);
    gtk_label_set_text (self->agg_values[AGG_ERRORS], errors);
  }
  gtk_label_set_text (self->agg_callers_label, callers_text);
  gtk_label_set_text (self->agg_callees_label, callees_text);
}

static void
clear_name_stats (CtxDetailsPane *self)
{
  for (guint i = 0; i < N_AGG_ROWS; i++)
    gtk_label_set_text (self->agg_values[i], "—");
  gtk_label_set_text (self->agg_callers_label, "—");
  gtk_label_set_text (self->agg_callees_label, "—");
}

static void
show_name (CtxDetailsPane *self,
           guint32         name)
{
  CtxAggregate *aggregate = ctx_session_get_aggregate (self->session);
  const CtxNameStats *st = aggregate != NULL ? ctx_aggregate_lookup (aggregate, name) : NULL;
  g_autofree char *text = capped (ctx_trace_model_get_string (ctx_session_get_model (self->session), name),
                                  MAX_NAME_BYTES);
  double start, end;
  const char *scope = ctx_session_get_time_selection (self->session, &start, &end) && end > start
                      ? _("In the selected time range") : _("In the whole trace");

  gtk_label_set_text (self->agg_name_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->agg_name_label), text);
  if (aggregate == NULL)
    scope = _("Computing…");
  else if (st == NULL)
    scope = _("No calls in this time range");
  gtk_label_set_text (self->agg_scope_label, scope);
  if (st != NULL)
    show_name_stats (self, aggregate, st);
  else
    clear_name_stats (self);
}

static void
on_aggregate_changed (CtxDetailsPane *self)
{
  guint32 name = ctx_session_get_selected_name (self->session);

  if (ctx_session_get_selected (self->session) == CTX_NONE && name != CTX_NONE)
    show_name (self, name);
}

static void
on_selected_changed (CtxDetailsPane *self)
{
  guint32 span = self->session != NULL ? ctx_session_get_selected (self->session) : CTX_NONE;
  CtxTraceModel *model;
  const CtxSpan *s;
  g_autofree char *name = NULL;
  guint32 selected_name = self->session != NULL ? ctx_session_get_selected_name (self->session)
                                                : CTX_NONE;

  if (span == CTX_NONE && selected_name != CTX_NONE)
    {
      show_name (self, selected_name);
      gtk_stack_set_visible_child_name (self->stack, "name");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, span == CTX_NONE ? "empty" : "span");
  if (span == CTX_NONE)
    return;
  model = ctx_session_get_model (self->session);
  s = &ctx_trace_model_get_spans (model)[span];
  name = capped (ctx_trace_model_get_string (model, s->name), MAX_NAME_BYTES);
  gtk_label_set_text (self->name_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), name);
  show_timing (self, span, s);
  show_place (self, s);
  show_parent (self, s);
  show_details (self, span, s);
}

static void
on_parent_clicked (CtxDetailsPane *self)
{
  guint32 span = ctx_session_get_selected (self->session);

  if (span != CTX_NONE)
    ctx_session_set_selected (self->session,
                              ctx_trace_model_get_spans (ctx_session_get_model (self->session))[span].parent);
}

static void
append_tree_text (GString    *out,
                  GListModel *model)
{
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(CtxJsonItem) item = gtk_tree_list_row_get_item (row);

      g_string_append_printf (out, "%*s%s: %s\n", 2 * (int) gtk_tree_list_row_get_depth (row) + 2, "",
                              ctx_json_item_get_key (item), ctx_json_item_get_preview (item));
    }
}

static const char *agg_titles[] = { N_("Count"), N_("Total"), N_("Self time"), N_("Mean"),
                                    N_("Max"), N_("Errors") };

static char *
name_to_text (CtxDetailsPane *self)
{
  GString *out = g_string_new (gtk_label_get_text (self->agg_name_label));

  g_string_append_printf (out, "\n%s\n", gtk_label_get_text (self->agg_scope_label));
  for (guint i = 0; i < N_AGG_ROWS; i++)
    g_string_append_printf (out, "%s: %s\n", _(agg_titles[i]), gtk_label_get_text (self->agg_values[i]));
  g_string_append_printf (out, "%s:\n%s\n", _("Top callers"), gtk_label_get_text (self->agg_callers_label));
  g_string_append_printf (out, "%s:\n%s\n", _("Top callees"), gtk_label_get_text (self->agg_callees_label));
  return g_string_free (out, FALSE);
}

char *
ctx_details_pane_to_text (CtxDetailsPane *self)
{
  static const char *titles[] = { N_("Start"), N_("Wall clock"), N_("Duration"), N_("Self time"),
                                  N_("Thread"), N_("Process"), N_("Status"), N_("Children"),
                                  N_("Span id") };
  GString *out;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "name") == 0)
    return name_to_text (self);
  out = g_string_new (gtk_label_get_text (self->name_label));
  g_string_append_c (out, '\n');
  for (guint i = 0; i < N_ROWS; i++)
    g_string_append_printf (out, "%s: %s\n", _(titles[i]), gtk_label_get_text (self->values[i]));
  g_string_append_printf (out, "%s: %s\n", _("Parent"), gtk_button_get_label (self->parent_button));
  if (gtk_widget_get_visible (self->error_box))
    g_string_append_printf (out, "%s\n%s\n", gtk_label_get_text (self->error_label),
                            gtk_label_get_text (self->stack_label));
  g_string_append_printf (out, "%s:\n", _("Attributes"));
  append_tree_text (out, G_LIST_MODEL (self->attrs));
  if (gtk_widget_get_visible (GTK_WIDGET (self->attrs_problem)))
    g_string_append_printf (out, "  %s\n", gtk_label_get_text (self->attrs_problem));
  g_string_append_printf (out, "%s:\n%s\n", _("Events"), gtk_label_get_text (self->events_label));
  return g_string_free (out, FALSE);
}

static void
on_copy_clicked (CtxDetailsPane *self)
{
  g_autofree char *text = ctx_details_pane_to_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

GListModel *
ctx_details_pane_get_attributes (CtxDetailsPane *self)
{
  return G_LIST_MODEL (self->attrs);
}

static void
on_attr_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *key = gtk_label_new (NULL);
  GtkWidget *value = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (key), 0);
  gtk_widget_add_css_class (key, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_box_append (GTK_BOX (box), key);
  gtk_box_append (GTK_BOX (box), value);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (list_item, expander);
}

static void
on_attr_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  CtxJsonItem *item = gtk_tree_list_row_get_item (row);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (box)), ctx_json_item_get_key (item));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (box)), ctx_json_item_get_preview (item));
  gtk_widget_set_tooltip_text (gtk_widget_get_last_child (box), ctx_json_item_get_preview (item));
  g_object_unref (item);
}

void
ctx_details_pane_set_session (CtxDetailsPane *self,
                              CtxSession     *session)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::selected", G_CALLBACK (on_selected_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::selected-name", G_CALLBACK (on_selected_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "aggregate-changed", G_CALLBACK (on_aggregate_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "time-selection-changed", G_CALLBACK (on_aggregate_changed),
                               self, G_CONNECT_SWAPPED);
      /* A running span may have ended or gained attributes and events. */
      g_signal_connect_object (session, "data-changed", G_CALLBACK (on_selected_changed),
                               self, G_CONNECT_SWAPPED);
    }
  on_selected_changed (self);
}

static void
build_grid (CtxDetailsPane *self)
{
  static const char *titles[] = { N_("Start"), N_("Wall clock"), N_("Duration"), N_("Self time"),
                                  N_("Thread"), N_("Process"), N_("Status"), N_("Children"),
                                  N_("Span id") };
  GtkWidget *title;

  for (guint i = 0; i < N_ROWS; i++)
    {
      title = gtk_label_new (_(titles[i]));
      gtk_label_set_xalign (GTK_LABEL (title), 1);
      gtk_widget_add_css_class (title, "dim-label");
      self->values[i] = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (self->values[i], 0);
      gtk_label_set_selectable (self->values[i], TRUE);
      gtk_label_set_ellipsize (self->values[i], PANGO_ELLIPSIZE_END);
      gtk_grid_attach (self->grid, title, 0, i, 1, 1);
      gtk_grid_attach (self->grid, GTK_WIDGET (self->values[i]), 1, i, 1, 1);
    }
  title = gtk_label_new (_("Parent"));
  gtk_label_set_xalign (GTK_LABEL (title), 1);
  gtk_widget_add_css_class (title, "dim-label");
  self->parent_button = GTK_BUTTON (gtk_button_new ());
  gtk_widget_set_halign (GTK_WIDGET (self->parent_button), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->parent_button), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->parent_button), _("Select the parent span"));
  g_signal_connect_object (self->parent_button, "clicked", G_CALLBACK (on_parent_clicked), self,
                           G_CONNECT_SWAPPED);
  gtk_grid_attach (self->grid, title, 0, N_ROWS, 1, 1);
  gtk_grid_attach (self->grid, GTK_WIDGET (self->parent_button), 1, N_ROWS, 1, 1);
}

static void
build_agg_grid (CtxDetailsPane *self)
{
  for (guint i = 0; i < N_AGG_ROWS; i++)
    {
      GtkWidget *title = gtk_label_new (_(agg_titles[i]));

      gtk_label_set_xalign (GTK_LABEL (title), 1);
      gtk_widget_add_css_class (title, "dim-label");
      self->agg_values[i] = GTK_LABEL (gtk_label_new ("—"));
      gtk_label_set_xalign (self->agg_values[i], 0);
      gtk_label_set_selectable (self->agg_values[i], TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->agg_values[i]), "numeric");
      gtk_grid_attach (self->agg_grid, title, 0, i, 1, 1);
      gtk_grid_attach (self->agg_grid, GTK_WIDGET (self->agg_values[i]), 1, i, 1, 1);
    }
}

static void
ctx_details_pane_dispose (GObject *object)
{
  CtxDetailsPane *self = CTX_DETAILS_PANE (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->attrs);
  gtk_widget_dispose_template (GTK_WIDGET (self), CTX_TYPE_DETAILS_PANE);
  G_OBJECT_CLASS (ctx_details_pane_parent_class)->dispose (object);
}

static void
ctx_details_pane_class_init (CtxDetailsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ctx_details_pane_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ctxtrace/Viewer/ctx-details-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, stack);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, name_label);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, grid);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, error_box);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, error_label);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, stack_label);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, attrs_problem);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, attrs_view);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, events_label);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, events_heading);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, agg_name_label);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, agg_scope_label);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, agg_grid);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, agg_callers_label);
  gtk_widget_class_bind_template_child (widget_class, CtxDetailsPane, agg_callees_label);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_attr_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_attr_bind);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "detailspane");
}

static void
ctx_details_pane_init (CtxDetailsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_grid (self);
  build_agg_grid (self);
}

GtkWidget *
ctx_details_pane_new (void)
{
  return g_object_new (CTX_TYPE_DETAILS_PANE, NULL);
}
