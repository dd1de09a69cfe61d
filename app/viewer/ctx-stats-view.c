/* ctx-stats-view.c: the statistics table (see ctx-stats-view.h).
 *
 * The numbers are the session's shared aggregate, computed off the main thread and again
 * (throttled) when the scope or a live file changes.  The list is store -> filter ->
 * sort -> single selection; each column sorts with a sorter of its own. */
#include "config.h"

#include <glib/gi18n.h>

#include "ctx-stats-view.h"
#include "ctx-time.h"

#define MAX_NAME_CHARS 200

/* -- rows ---------------------------------------------------------------------------- */

#define CTX_TYPE_STATS_ROW (ctx_stats_row_get_type ())
G_DECLARE_FINAL_TYPE (CtxStatsRow, ctx_stats_row, CTX, STATS_ROW, GObject)

struct _CtxStatsRow
{
  GObject parent_instance;
  CtxNameStats stats;
  char *name;   /* valid UTF-8, capped */
  char *folded; /* for the filter */
};

G_DEFINE_FINAL_TYPE (CtxStatsRow, ctx_stats_row, G_TYPE_OBJECT)

static void
ctx_stats_row_finalize (GObject *object)
{
  CtxStatsRow *self = CTX_STATS_ROW (object);

  g_free (self->name);
  g_free (self->folded);
  G_OBJECT_CLASS (ctx_stats_row_parent_class)->finalize (object);
}

static void
ctx_stats_row_class_init (CtxStatsRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ctx_stats_row_finalize;
}

static void
ctx_stats_row_init (CtxStatsRow *self)
{
}

static CtxStatsRow *
ctx_stats_row_new (const CtxNameStats *stats,
                   const char         *name)
{
  CtxStatsRow *self = g_object_new (CTX_TYPE_STATS_ROW, NULL);
  g_autofree char *valid = g_utf8_make_valid (name, -1);

  self->stats = *stats;
  if (g_utf8_strlen (valid, -1) > MAX_NAME_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (valid, 0, MAX_NAME_CHARS);
      self->name = g_strconcat (cut, "…", NULL);
    }
  else
    self->name = g_steal_pointer (&valid);
  self->folded = g_utf8_casefold (self->name, -1);
  return self;
}

/* -- the view ------------------------------------------------------------------------ */

struct _CtxStatsView
{
  GtkWidget parent_instance;

  GtkSearchEntry *entry;
  GtkLabel *status;
  GtkColumnView *column_view;
  GtkColumnViewColumn *columns[CTX_STATS_N_COLUMNS];
  GListStore *store;
  GtkCustomFilter *filter;
  GtkSortListModel *sorted;
  GtkSingleSelection *selection;
  char *filter_text;  /* casefolded, NULL for none */

  CtxSession *session;
  CtxAggregate *shown;  /* the aggregate the rows come from */
};

G_DEFINE_FINAL_TYPE (CtxStatsView, ctx_stats_view, GTK_TYPE_WIDGET)

static const char *column_titles[CTX_STATS_N_COLUMNS] = {
  N_("Name"), N_("Count"), N_("Total"), N_("Self"), N_("Mean"), N_("p50"), N_("p95"),
  N_("Max"), N_("Errors"),
};

static gint64
column_value (const CtxNameStats *st,
              CtxStatsColumn      column)
{
  switch (column)
    {
    case CTX_STATS_COLUMN_COUNT: return st->count;
    case CTX_STATS_COLUMN_TOTAL: return st->total_ns;
    case CTX_STATS_COLUMN_SELF: return st->self_ns;
    case CTX_STATS_COLUMN_MEAN: return st->mean_ns;
    case CTX_STATS_COLUMN_P50: return st->p50_ns;
    case CTX_STATS_COLUMN_P95: return st->p95_ns;
    case CTX_STATS_COLUMN_MAX: return st->max_ns;
    case CTX_STATS_COLUMN_ERRORS: return st->errors;
    case CTX_STATS_COLUMN_NAME: case CTX_STATS_N_COLUMNS: default: return 0;
    }
}

static char *
column_text (CtxStatsRow    *row,
             CtxStatsColumn  column)
{
  if (column == CTX_STATS_COLUMN_NAME)
    return g_strdup (row->name);
  if (column == CTX_STATS_COLUMN_COUNT || column == CTX_STATS_COLUMN_ERRORS)
    return g_strdup_printf ("%" G_GINT64_FORMAT, column_value (&row->stats, column));
  return ctx_time_format_duration ((double) column_value (&row->stats, column));
}

/* Ties fall back to the name so that every order is total and stable. */
static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  CtxStatsColumn column = GPOINTER_TO_UINT (data);
  const CtxStatsRow *x = a, *y = b;
  gint64 vx, vy;

  if (column != CTX_STATS_COLUMN_NAME)
    {
      vx = column_value (&x->stats, column);
      vy = column_value (&y->stats, column);
      if (vx != vy)
        return vx < vy ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
    }
  return gtk_ordering_from_cmpfunc (g_utf8_collate (x->name, y->name));
}

static void
on_setup (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  data)
{
  CtxStatsColumn column = GPOINTER_TO_UINT (data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == CTX_STATS_COLUMN_NAME ? 0 : 1);
  if (column == CTX_STATS_COLUMN_NAME)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  else
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
on_bind (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  data)
{
  CtxStatsColumn column = GPOINTER_TO_UINT (data);
  CtxStatsRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = column_text (row, column);

  /* Plain text: span names are never markup. */
  gtk_label_set_text (GTK_LABEL (label), text);
  if (column == CTX_STATS_COLUMN_NAME)
    gtk_widget_set_tooltip_text (label, row->name);
  if (column == CTX_STATS_COLUMN_ERRORS)
    {
      if (row->stats.errors > 0)
        gtk_widget_add_css_class (label, "error");
      else
        gtk_widget_remove_css_class (label, "error");
    }
}

static GtkColumnViewColumn *
make_column (CtxStatsColumn column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;
  GtkSorter *sorter;

  g_signal_connect (factory, "setup", G_CALLBACK (on_setup), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind), GUINT_TO_POINTER (column));
  col = gtk_column_view_column_new (_(column_titles[column]), factory);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (column), NULL));
  gtk_column_view_column_set_sorter (col, sorter);
  g_object_unref (sorter);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (column == CTX_STATS_COLUMN_NAME)
    gtk_column_view_column_set_expand (col, TRUE);
  else
    gtk_column_view_column_set_fixed_width (col, column == CTX_STATS_COLUMN_COUNT ||
                                                 column == CTX_STATS_COLUMN_ERRORS ? 80 : 96);
  return col;
}

static gboolean
filter_row (gpointer item,
            gpointer data)
{
  CtxStatsView *self = data;

  return self->filter_text == NULL || strstr (CTX_STATS_ROW (item)->folded, self->filter_text) != NULL;
}

/* -- contents ------------------------------------------------------------------------ */

static void
update_status (CtxStatsView *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  g_autofree char *text = NULL;

  if (self->shown == NULL)
    text = g_strdup (self->session != NULL ? _("Computing statistics…") : "");
  else if (shown == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u name", "%u names", total), total);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u name", "%u of %u names", total),
                            shown, total);
  gtk_label_set_text (self->status, text);
}

static guint
find_row (CtxStatsView *self,
          guint32       name)
{
  GListModel *list = G_LIST_MODEL (self->sorted);
  guint n = g_list_model_get_n_items (list);

  for (guint i = 0; i < n && name != CTX_NONE; i++)
    {
      g_autoptr(CtxStatsRow) row = g_list_model_get_item (list, i);

      if (row->stats.name == name)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

/* The table's selection shows the session's selected name (never the other way round:
 * browsing the table with the keyboard selects nothing elsewhere until a row is activated). */
static void
sync_selection (CtxStatsView *self)
{
  guint32 name = self->session != NULL ? ctx_session_get_selected_name (self->session) : CTX_NONE;

  gtk_single_selection_set_selected (self->selection, find_row (self, name));
}

static void
fill (CtxStatsView *self,
      CtxAggregate *aggregate)
{
  CtxTraceModel *model = ctx_session_get_model (self->session);
  const CtxNameStats *names = ctx_aggregate_get_names (aggregate);
  guint n = ctx_aggregate_get_n_names (aggregate);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (rows, ctx_stats_row_new (&names[i], ctx_trace_model_get_string (model, names[i].name)));
  g_clear_pointer (&self->shown, ctx_aggregate_unref);
  self->shown = ctx_aggregate_ref (aggregate);
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       rows->pdata, rows->len);
  sync_selection (self);
  update_status (self);
}

static void
on_aggregate_changed (CtxStatsView *self)
{
  CtxAggregate *aggregate = ctx_session_get_aggregate (self->session);

  if (aggregate != NULL && aggregate != self->shown)
    fill (self, aggregate);
}

static void
on_activate (GtkColumnView *view,
             guint          position,
             CtxStatsView  *self)
{
  g_autoptr(CtxStatsRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (row != NULL && self->session != NULL)
    ctx_session_set_selected_name (self->session, row->stats.name);
}

static void
on_search_changed (CtxStatsView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));

  g_clear_pointer (&self->filter_text, g_free);
  if (text != NULL && *text != '\0')
    self->filter_text = g_utf8_casefold (text, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  sync_selection (self);
  update_status (self);
}

/* -- public -------------------------------------------------------------------------- */

void
ctx_stats_view_set_session (CtxStatsView *self,
                            CtxSession   *session)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  g_clear_pointer (&self->shown, ctx_aggregate_unref);
  g_list_store_remove_all (self->store);
  if (session != NULL)
    {
      g_signal_connect_object (session, "aggregate-changed", G_CALLBACK (on_aggregate_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::selected-name", G_CALLBACK (sync_selection),
                               self, G_CONNECT_SWAPPED);
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        on_aggregate_changed (self);
    }
  update_status (self);
}

guint
ctx_stats_view_get_n_rows (CtxStatsView *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}

const CtxNameStats *
ctx_stats_view_get_row (CtxStatsView *self,
                        guint         i)
{
  g_autoptr(CtxStatsRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

  /* The store keeps its own reference: the pointer stays valid until the next fill. */
  return row != NULL ? &row->stats : NULL;
}

void
ctx_stats_view_sort (CtxStatsView   *self,
                     CtxStatsColumn  column,
                     GtkSortType     order)
{
  gtk_column_view_sort_by_column (self->column_view, self->columns[column], order);
}

GtkColumnView *
ctx_stats_view_get_column_view (CtxStatsView *self)
{
  return self->column_view;
}

GtkEditable *
ctx_stats_view_get_filter_entry (CtxStatsView *self)
{
  return GTK_EDITABLE (self->entry);
}

guint
ctx_stats_view_get_selected_row (CtxStatsView *self)
{
  return gtk_single_selection_get_selected (self->selection);
}

/* -- GObject ------------------------------------------------------------------------- */

static void
ctx_stats_view_map (GtkWidget *widget)
{
  CtxStatsView *self = CTX_STATS_VIEW (widget);

  GTK_WIDGET_CLASS (ctx_stats_view_parent_class)->map (widget);
  /* The statistics are computed the first time they are shown. */
  if (self->session != NULL)
    on_aggregate_changed (self);
}

static void
ctx_stats_view_dispose (GObject *object)
{
  CtxStatsView *self = CTX_STATS_VIEW (object);
  GtkWidget *child;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_pointer (&self->shown, ctx_aggregate_unref);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->filter_text, g_free);
  G_OBJECT_CLASS (ctx_stats_view_parent_class)->dispose (object);
}

static void
ctx_stats_view_class_init (CtxStatsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ctx_stats_view_dispose;
  widget_class->map = ctx_stats_view_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "statsview");
}

static GtkWidget *
build_toolbar (CtxStatsView *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  self->entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->entry, "placeholder-text", _("Filter names"), NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self->entry), 260, -1);
  g_signal_connect_object (self->entry, "search-changed", G_CALLBACK (on_search_changed), self,
                           G_CONNECT_SWAPPED);
  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->status), TRUE);
  gtk_label_set_xalign (self->status, 1);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  gtk_widget_set_margin_start (bar, 8);
  gtk_widget_set_margin_end (bar, 8);
  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_bottom (bar, 6);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->entry));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->status));
  return bar;
}

static void
build_table (CtxStatsView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  self->store = g_list_store_new (CTX_TYPE_STATS_ROW);
  self->filter = gtk_custom_filter_new (filter_row, self, NULL);
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (gtk_filter_list_model_new (G_LIST_MODEL (self->store),
                                                                                   GTK_FILTER (self->filter))),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  for (guint c = 0; c < CTX_STATS_N_COLUMNS; c++)
    {
      self->columns[c] = make_column (c);
      gtk_column_view_append_column (self->column_view, self->columns[c]);
      g_object_unref (self->columns[c]);
    }
  gtk_column_view_set_show_column_separators (self->column_view, TRUE);
  gtk_column_view_sort_by_column (self->column_view, self->columns[CTX_STATS_COLUMN_TOTAL],
                                  GTK_SORT_DESCENDING);
  g_signal_connect_object (self->column_view, "activate", G_CALLBACK (on_activate), self, 0);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->column_view));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_set_parent (scrolled, GTK_WIDGET (self));
}

static void
ctx_stats_view_init (CtxStatsView *self)
{
  GtkWidget *bar = build_toolbar (self);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_parent (bar, GTK_WIDGET (self));
  gtk_widget_set_parent (gtk_separator_new (GTK_ORIENTATION_HORIZONTAL), GTK_WIDGET (self));
  build_table (self);
  update_status (self);
}

GtkWidget *
ctx_stats_view_new (void)
{
  return g_object_new (CTX_TYPE_STATS_VIEW, NULL);
}
