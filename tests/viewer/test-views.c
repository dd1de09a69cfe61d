/* test-views.c: the statistics table, the aggregated flame graph and the sandwich in a real
 * window, against a trace whose numbers are computed by hand, and the shared selection
 * between them and the flame chart.  With CTX_SHOT_DIR and CTX_SHOT_TRACE set, /views/shots
 * also saves a PNG of each view of that trace (for docs/). */
#include <glib/gstdio.h>

#include "ctx-aggregate-flame.h"
#include "ctx-application.h"
#include "ctx-dag-view.h"
#include "ctx-gen-trace.h"
#include "ctx-stats-view.h"
#include "ctx-window.h"

#define WAIT_SECONDS 60

static CtxApplication *app;
static char *tmpdir;

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint source = g_timeout_add (20, wake, NULL);

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (source);
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

static gboolean
loaded (gpointer data)
{
  CtxWindow *win = data;
  GtkWidget *view = GTK_WIDGET (ctx_window_get_flame_view (win));

  return !ctx_window_is_loading (win) && gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 0;
}

static CtxWindow *
open_path (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  CtxWindow *win = ctx_window_new (GTK_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (win), 1400, 860);
  gtk_window_present (GTK_WINDOW (win));
  ctx_window_open (win, file);
  iterate_until (loaded, win);
  spin (100);
  return win;
}

/* main [0,1000] > a [0,400] > f [50,250] > g [60,160];  f > f [170,240] (error) > g [180,200]
 * main > b [500,850] > f [600,750] > h [650,700];  main > f [950,1000];  thread 2: f [0,30].
 * By hand:     count total self mean p50 p95 max  errors
 *   main         1   1000  200  1000 1000 1000 1000  0
 *   f            5    500  260   100   70  200  200  1   (durations 30 50 70 150 200)
 *   a            1    400  200   400  400  400  400  0
 *   b            1    350  200   350  350  350  350  0
 *   g            2    120  120    60   20  100  100  0
 *   h            1     50   50    50   50   50   50  0 */
static char *
hand_trace (void)
{
  char *path = g_build_filename (tmpdir, "views.db", NULL);
  g_autoptr(GError) error = NULL;
  CtxGen *gen = ctx_gen_new (path, &error);
  static const struct { gint64 parent, thread; const char *name; gint64 start, dur; int depth, status; } rows[] = {
    { 0, 1, "main", 0, 1000, 0, 1 }, { 1, 1, "a", 0, 400, 1, 1 }, { 2, 1, "f", 50, 200, 2, 1 },
    { 3, 1, "g", 60, 100, 3, 1 }, { 3, 1, "f", 170, 70, 3, 2 }, { 5, 1, "g", 180, 20, 4, 1 },
    { 1, 1, "b", 500, 350, 1, 1 }, { 7, 1, "f", 600, 150, 2, 1 }, { 8, 1, "h", 650, 50, 3, 1 },
    { 1, 1, "f", 950, 50, 1, 1 }, { 0, 2, "f", 0, 30, 0, 1 },
  };

  g_assert_no_error (error);
  ctx_gen_process (gen, 1, "demo");
  ctx_gen_thread (gen, 1, 1, "main");
  ctx_gen_thread (gen, 1, 2, "worker");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = rows[i].parent, .thread_id = rows[i].thread,
                                       .name = rows[i].name, .start_ns = rows[i].start,
                                       .dur_ns = rows[i].dur, .depth = rows[i].depth,
                                       .status = rows[i].status });
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  return path;
}

static guint32
name_index (CtxWindow *win, const char *name)
{
  CtxTraceModel *model = ctx_session_get_model (ctx_window_get_session (win));

  for (guint32 i = 0; i < ctx_trace_model_get_n_strings (model); i++)
    if (g_str_equal (ctx_trace_model_get_string (model, i), name))
      return i;
  g_assert_not_reached ();
}

static const char *
row_name (CtxWindow *win, CtxStatsView *stats, guint i)
{
  return ctx_trace_model_get_string (ctx_session_get_model (ctx_window_get_session (win)),
                                     ctx_stats_view_get_row (stats, i)->name);
}

/* The names of the table's rows in order, joined by spaces. */
static char *
row_names (CtxWindow *win, CtxStatsView *stats)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < ctx_stats_view_get_n_rows (stats); i++)
    g_string_append_printf (out, "%s%s", i > 0 ? " " : "", row_name (win, stats, i));
  return g_string_free (out, FALSE);
}

static gboolean
stats_filled (gpointer data)
{
  return ctx_stats_view_get_n_rows (data) > 0;
}

static CtxStatsView *
show_stats (CtxWindow *win)
{
  CtxStatsView *stats = CTX_STATS_VIEW (ctx_window_get_view_widget (win, "stats"));

  ctx_window_set_view (win, "stats");
  iterate_until (stats_filled, stats);
  return stats;
}

static guint
find_row (CtxWindow *win, CtxStatsView *stats, const char *name)
{
  for (guint i = 0; i < ctx_stats_view_get_n_rows (stats); i++)
    if (g_str_equal (row_name (win, stats, i), name))
      return i;
  return G_MAXUINT;
}

static void
assert_sorted (CtxWindow *win, CtxStatsView *stats, CtxStatsColumn column, GtkSortType order,
               const char *expected)
{
  g_autofree char *names = NULL;

  ctx_stats_view_sort (stats, column, order);
  names = row_names (win, stats);
  g_assert_cmpstr (names, ==, expected);
}

static void
test_stats_rows (void)
{
  g_autofree char *path = hand_trace ();
  CtxWindow *win = open_path (path);
  CtxStatsView *stats = show_stats (win);
  const CtxNameStats *f, *g;

  g_assert_cmpstr (ctx_window_get_view (win), ==, "stats");
  g_assert_cmpuint (ctx_stats_view_get_n_rows (stats), ==, 6);
  /* Default: by total, largest first. */
  {
    g_autofree char *names = row_names (win, stats);
    g_assert_cmpstr (names, ==, "main f a b g h");
  }
  f = ctx_stats_view_get_row (stats, 1);
  g_assert_cmpuint (f->count, ==, 5);
  g_assert_cmpint (f->total_ns, ==, 500);
  g_assert_cmpint (f->self_ns, ==, 260);
  g_assert_cmpint (f->mean_ns, ==, 100);
  g_assert_cmpint (f->p50_ns, ==, 70);
  g_assert_cmpint (f->p95_ns, ==, 200);
  g_assert_cmpint (f->max_ns, ==, 200);
  g_assert_cmpuint (f->errors, ==, 1);
  g = ctx_stats_view_get_row (stats, 4);
  g_assert_cmpuint (g->count, ==, 2);
  g_assert_cmpint (g->p50_ns, ==, 20);
  g_assert_cmpint (g->p95_ns, ==, 100);

  /* Every column sorts; ties fall back to the name. */
  assert_sorted (win, stats, CTX_STATS_COLUMN_NAME, GTK_SORT_ASCENDING, "a b f g h main");
  assert_sorted (win, stats, CTX_STATS_COLUMN_NAME, GTK_SORT_DESCENDING, "main h g f b a");
  assert_sorted (win, stats, CTX_STATS_COLUMN_COUNT, GTK_SORT_ASCENDING, "a b h main g f");
  assert_sorted (win, stats, CTX_STATS_COLUMN_TOTAL, GTK_SORT_ASCENDING, "h g b a f main");
  assert_sorted (win, stats, CTX_STATS_COLUMN_SELF, GTK_SORT_ASCENDING, "h g a b main f");
  assert_sorted (win, stats, CTX_STATS_COLUMN_MEAN, GTK_SORT_ASCENDING, "h g f b a main");
  assert_sorted (win, stats, CTX_STATS_COLUMN_P50, GTK_SORT_ASCENDING, "g h f b a main");
  assert_sorted (win, stats, CTX_STATS_COLUMN_P95, GTK_SORT_ASCENDING, "h g f b a main");
  assert_sorted (win, stats, CTX_STATS_COLUMN_MAX, GTK_SORT_DESCENDING, "main a b f g h");
  assert_sorted (win, stats, CTX_STATS_COLUMN_ERRORS, GTK_SORT_DESCENDING, "f main h g b a");

  /* The filter box: case-insensitive substring of the name. */
  gtk_editable_set_text (ctx_stats_view_get_filter_entry (stats), "A");
  spin (400);  /* the search entry's own delay */
  assert_sorted (win, stats, CTX_STATS_COLUMN_NAME, GTK_SORT_ASCENDING, "a main");
  gtk_editable_set_text (ctx_stats_view_get_filter_entry (stats), "nothing");
  spin (400);
  g_assert_cmpuint (ctx_stats_view_get_n_rows (stats), ==, 0);
  gtk_editable_set_text (ctx_stats_view_get_filter_entry (stats), "");
  spin (400);
  g_assert_cmpuint (ctx_stats_view_get_n_rows (stats), ==, 6);
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
f_count_is_3 (gpointer data)
{
  CtxWindow *win = data;
  CtxStatsView *stats = CTX_STATS_VIEW (ctx_window_get_view_widget (win, "stats"));
  guint row = find_row (win, stats, "f");

  return row != G_MAXUINT && ctx_stats_view_get_row (stats, row)->count == 3;
}

/* The ruler's time selection is the scope: [0, 300) clips main to 300 and keeps three f. */
static void
test_stats_scope (void)
{
  g_autofree char *path = hand_trace ();
  CtxWindow *win = open_path (path);
  CtxSession *session = ctx_window_get_session (win);
  CtxStatsView *stats = show_stats (win);
  guint row;

  ctx_session_set_time_selection (session, 0, 300);
  iterate_until (f_count_is_3, win);
  row = find_row (win, stats, "f");
  g_assert_cmpint (ctx_stats_view_get_row (stats, row)->total_ns, ==, 200 + 70 + 30);
  g_assert_cmpint (ctx_stats_view_get_row (stats, find_row (win, stats, "main"))->total_ns, ==, 300);
  g_assert_cmpuint (find_row (win, stats, "b"), ==, G_MAXUINT);
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
highlighted_5 (gpointer data)
{
  return ctx_flame_view_get_stats (ctx_window_get_flame_view (data))->n_highlighted == 5;
}

/* Activating a row selects the name everywhere: the flame chart outlines its five spans,
 * the details pane shows its aggregate; selecting a span selects its name back. */
static void
test_linked_selection (void)
{
  g_autofree char *path = hand_trace ();
  CtxWindow *win = open_path (path);
  CtxSession *session = ctx_window_get_session (win);
  CtxStatsView *stats = show_stats (win);
  guint32 f = name_index (win, "f");
  guint row = find_row (win, stats, "f");
  g_autofree char *details = NULL;
  guint32 h_span;

  g_assert_cmpuint (ctx_stats_view_get_selected_row (stats), ==, G_MAXUINT);
  g_signal_emit_by_name (ctx_stats_view_get_column_view (stats), "activate", row);
  g_assert_cmpuint (ctx_session_get_selected_name (session), ==, f);
  g_assert_cmpuint (ctx_session_get_selected (session), ==, CTX_NONE);
  g_assert_cmpuint (ctx_stats_view_get_selected_row (stats), ==, row);
  details = ctx_details_pane_to_text (ctx_window_get_details (win));
  g_assert_nonnull (strstr (details, "Count: 5\n"));
  g_assert_nonnull (strstr (details, "Errors: 1\n"));
  /* Callers by count: main calls f once, a once, b once; callees g twice (once via f). */
  g_assert_nonnull (strstr (details, "g  ×2"));
  g_assert_nonnull (strstr (details, "h  ×1"));

  ctx_window_set_view (win, "flame");
  iterate_until (highlighted_5, win);
  /* The call graph marks the same name, and a name activated there comes back. */
  g_assert_cmpuint (ctx_dag_view_get_selected_name (CTX_DAG_VIEW (ctx_window_get_view_widget (win, "dag"))),
                    ==, f);
  g_signal_emit_by_name (ctx_window_get_view_widget (win, "dag"), "name-activated", name_index (win, "g"));
  g_assert_cmpuint (ctx_session_get_selected_name (session), ==, name_index (win, "g"));
  g_assert_cmpuint (ctx_stats_view_get_selected_row (stats), ==, find_row (win, stats, "g"));

  /* A span selected in the flame chart selects its name: the table follows. */
  h_span = ctx_trace_model_find_id (ctx_session_get_model (session), 9);
  ctx_session_set_selected (session, h_span);
  g_assert_cmpuint (ctx_session_get_selected_name (session), ==, name_index (win, "h"));
  g_assert_cmpuint (ctx_stats_view_get_selected_row (stats), ==, find_row (win, stats, "h"));
  spin (100);
  g_assert_cmpuint (ctx_flame_view_get_stats (ctx_window_get_flame_view (win))->n_highlighted, ==, 1);
  /* Another name clears the span; none clears both. */
  ctx_session_set_selected_name (session, f);
  g_assert_cmpuint (ctx_session_get_selected (session), ==, CTX_NONE);
  ctx_session_set_selected (session, h_span);
  ctx_session_set_selected (session, CTX_NONE);
  g_assert_cmpuint (ctx_session_get_selected_name (session), ==, CTX_NONE);
  spin (100);
  g_assert_cmpuint (ctx_flame_view_get_stats (ctx_window_get_flame_view (win))->n_highlighted, ==, 0);
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
tree_ready (gpointer data)
{
  CtxAggregateFlame *flame = data;

  return ctx_aggregate_flame_get_tree (flame) != NULL && !ctx_aggregate_flame_is_busy (flame);
}

static guint32
node_at (CtxWindow *win, CtxAggregateFlame *flame, const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint32 node = 0;

  for (guint i = 0; parts[i] != NULL && node != CTX_NONE; i++)
    node = ctx_callstack_tree_find_child (ctx_aggregate_flame_get_tree (flame), node,
                                          name_index (win, parts[i]));
  g_assert_cmpuint (node, !=, CTX_NONE);
  return node;
}

static void
assert_width (CtxAggregateFlame *flame, guint32 node, double fraction)
{
  graphene_rect_t rect;
  double width = gtk_widget_get_width (GTK_WIDGET (flame));

  g_assert_true (ctx_aggregate_flame_get_node_rect (flame, node, &rect));
  g_assert_cmpfloat_with_epsilon (rect.size.width, width * fraction, 0.01);
}

/* Widths are shares of the zoomed node's total; a click zooms, the breadcrumb goes back. */
static void
test_aggregated_flame (void)
{
  g_autofree char *path = hand_trace ();
  CtxWindow *win = open_path (path);
  CtxAggregateFlame *flame = CTX_AGGREGATE_FLAME (ctx_window_get_view_widget (win, "aggregated"));
  guint32 main_node, a, af;
  graphene_rect_t rect;

  ctx_window_set_view (win, "aggregated");
  iterate_until (tree_ready, flame);
  spin (50);
  main_node = node_at (win, flame, "main");
  a = node_at (win, flame, "main/a");
  af = node_at (win, flame, "main/a/f");
  assert_width (flame, 0, 1.0);
  assert_width (flame, main_node, 1000.0 / 1030);
  assert_width (flame, a, 400.0 / 1030);
  assert_width (flame, node_at (win, flame, "main/b"), 350.0 / 1030);
  /* Heaviest left: a, then b, then f under main. */
  g_assert_true (ctx_aggregate_flame_get_node_rect (flame, node_at (win, flame, "main/b"), &rect));
  g_assert_cmpfloat_with_epsilon (rect.origin.x, gtk_widget_get_width (GTK_WIDGET (flame)) * 400.0 / 1030, 0.01);
  /* What the pointer finds there is that node. */
  g_assert_cmpuint (ctx_aggregate_flame_hit_node (flame, rect.origin.x + 2, rect.origin.y + 2), ==,
                    node_at (win, flame, "main/b"));

  ctx_aggregate_flame_zoom_to (flame, a);
  assert_width (flame, a, 1.0);
  assert_width (flame, af, 200.0 / 400);
  assert_width (flame, node_at (win, flame, "main/a/f/g"), 100.0 / 400);
  /* b is outside the zoomed subtree: not drawn.  main above is the breadcrumb. */
  g_assert_false (ctx_aggregate_flame_get_node_rect (flame, node_at (win, flame, "main/b"), &rect));
  g_assert_true (ctx_aggregate_flame_get_node_rect (flame, main_node, &rect));
  g_assert_cmpuint (ctx_aggregate_flame_hit_node (flame, 5, rect.origin.y + 2), ==, main_node);
  g_assert_true (ctx_aggregate_flame_zoom_out (flame));
  g_assert_cmpuint (ctx_aggregate_flame_get_zoom (flame), ==, main_node);
  g_assert_true (ctx_aggregate_flame_zoom_out (flame));
  g_assert_false (ctx_aggregate_flame_zoom_out (flame));

  /* The zoom survives a new scope when its stack is still there. */
  ctx_aggregate_flame_zoom_to (flame, af);
  ctx_session_set_time_selection (ctx_window_get_session (win), 0, 300);
  spin (50);
  iterate_until (tree_ready, flame);
  g_assert_cmpint (ctx_callstack_tree_get_nodes (ctx_aggregate_flame_get_tree (flame))[0].total_ns, ==, 330);
  g_assert_cmpuint (ctx_aggregate_flame_get_zoom (flame), ==, node_at (win, flame, "main/a/f"));
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
sandwich_ready (gpointer data)
{
  CtxWindow *win = data;

  return tree_ready (ctx_window_get_view_widget (win, "callers")) &&
         tree_ready (ctx_window_get_view_widget (win, "callees"));
}

/* f's callers above (a 200, b 150, main 50, and 30 as a root) and callees below. */
static void
test_sandwich (void)
{
  g_autofree char *path = hand_trace ();
  CtxWindow *win = open_path (path);
  CtxSession *session = ctx_window_get_session (win);
  CtxAggregateFlame *callers = CTX_AGGREGATE_FLAME (ctx_window_get_view_widget (win, "callers"));
  CtxAggregateFlame *callees = CTX_AGGREGATE_FLAME (ctx_window_get_view_widget (win, "callees"));
  const CtxCallNode *v;
  graphene_rect_t root_rect, a_rect;

  ctx_window_set_view (win, "sandwich");
  spin (100);
  g_assert_null (ctx_aggregate_flame_get_tree (callers));  /* nothing selected yet */
  ctx_session_set_selected_name (session, name_index (win, "f"));
  iterate_until (sandwich_ready, win);
  spin (50);
  v = ctx_callstack_tree_get_nodes (ctx_aggregate_flame_get_tree (callers));
  g_assert_cmpuint (v[0].name, ==, name_index (win, "f"));
  g_assert_cmpint (v[0].total_ns, ==, 430);
  g_assert_cmpuint (v[0].count, ==, 4);
  g_assert_cmpint (v[node_at (win, callers, "a")].total_ns, ==, 200);
  g_assert_cmpint (v[node_at (win, callers, "b")].total_ns, ==, 150);
  g_assert_cmpint (v[node_at (win, callers, "a/main")].total_ns, ==, 200);
  assert_width (callers, node_at (win, callers, "main"), 50.0 / 430);
  /* Callers are drawn inverted: the name at the bottom, its callers above it. */
  g_assert_true (ctx_aggregate_flame_get_node_rect (callers, 0, &root_rect));
  g_assert_true (ctx_aggregate_flame_get_node_rect (callers, node_at (win, callers, "a"), &a_rect));
  g_assert_cmpfloat (a_rect.origin.y, <, root_rect.origin.y);
  v = ctx_callstack_tree_get_nodes (ctx_aggregate_flame_get_tree (callees));
  g_assert_cmpint (v[0].total_ns, ==, 430);
  g_assert_cmpint (v[node_at (win, callees, "g")].total_ns, ==, 100);
  g_assert_cmpint (v[node_at (win, callees, "f")].total_ns, ==, 70);
  g_assert_cmpint (v[node_at (win, callees, "h")].total_ns, ==, 50);
  assert_width (callees, node_at (win, callees, "g"), 100.0 / 430);

  /* A span selected elsewhere recentres the sandwich on its name. */
  ctx_session_set_selected (session, ctx_trace_model_find_id (ctx_session_get_model (session), 4));
  spin (50);
  iterate_until (sandwich_ready, win);
  v = ctx_callstack_tree_get_nodes (ctx_aggregate_flame_get_tree (callers));
  g_assert_cmpuint (v[0].name, ==, name_index (win, "g"));
  /* Both g are outermost (under f, not under a g): 100 + 20, both called by an f. */
  g_assert_cmpint (v[0].total_ns, ==, 120);
  g_assert_cmpuint (v[0].count, ==, 2);
  g_assert_cmpint (v[node_at (win, callers, "f")].total_ns, ==, 120);
  g_assert_cmpint (v[node_at (win, callers, "f/a")].total_ns, ==, 100);
  g_assert_cmpint (v[node_at (win, callers, "f/f")].total_ns, ==, 20);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Ctrl+1..5 are the window's shortcuts for the five views. */
static void
test_shortcuts (void)
{
  static const char *views[] = { "flame", "dag", "aggregated", "sandwich", "stats" };
  g_autofree char *path = hand_trace ();
  CtxWindow *win = open_path (path);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (win));
  guint found = 0;

  for (guint c = 0; c < g_list_model_get_n_items (controllers); c++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, c);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (controller)); i++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), i);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          guint key = GTK_IS_KEYVAL_TRIGGER (trigger) ? gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) : 0;

          if (key < GDK_KEY_1 || key > GDK_KEY_5 ||
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) != GDK_CONTROL_MASK)
            continue;
          g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                       GTK_WIDGET (win), gtk_shortcut_get_arguments (shortcut)));
          g_assert_cmpstr (ctx_window_get_view (win), ==, views[key - GDK_KEY_1]);
          found |= 1u << (key - GDK_KEY_1);
        }
    }
  g_assert_cmphex (found, ==, 0x1f);
  /* The action's state follows the stack. */
  ctx_window_set_view (win, "sandwich");
  {
    g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (win), "view");
    g_assert_cmpstr (g_variant_get_string (state, NULL), ==, "sandwich");
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
f_count_is_6 (gpointer data)
{
  CtxWindow *win = data;
  CtxStatsView *stats = CTX_STATS_VIEW (ctx_window_get_view_widget (win, "stats"));
  guint row = find_row (win, stats, "f");

  return row != G_MAXUINT && ctx_stats_view_get_row (stats, row)->count == 6;
}

/* A live file's new spans reach the table without any action. */
static void
test_live_stats (void)
{
  g_autofree char *path = hand_trace ();
  CtxWindow *win = open_path (path);
  g_autoptr(GError) error = NULL;
  CtxGen *gen;

  show_stats (win);
  gen = ctx_gen_open (path, &error);
  g_assert_no_error (error);
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 100, .thread_id = 2, .name = "f", .start_ns = 1100,
                                     .dur_ns = 10, .depth = 0, .status = 1 });
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  ctx_window_refresh (win);
  iterate_until (f_count_is_6, win);
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
save_png (GtkWidget *widget, const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *out = g_build_filename (g_getenv ("CTX_SHOT_DIR"), name, NULL);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_texture_save_to_png (texture, out);
}

static void
test_shots (void)
{
  const char *trace = g_getenv ("CTX_SHOT_TRACE");
  const char *select = g_getenv ("CTX_SHOT_NAME");
  static const char *views[] = { "flame", "dag", "aggregated", "sandwich", "stats" };
  CtxWindow *win;

  if (g_getenv ("CTX_SHOT_DIR") == NULL || trace == NULL)
    {
      g_test_skip ("CTX_SHOT_DIR and CTX_SHOT_TRACE not set");
      return;
    }
  win = open_path (trace);
  if (select != NULL)
    ctx_session_set_selected_name (ctx_window_get_session (win), name_index (win, select));
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *name = g_strdup_printf ("view-%s.png", views[i]);

      ctx_window_set_view (win, views[i]);
      spin (1500);
      save_png (GTK_WIDGET (win), name);
    }
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

int
main (int argc, char *argv[])
{
  int ret;

  tmpdir = g_dir_make_tmp ("ctx-views-test-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);
  app = ctx_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_hold (G_APPLICATION (app));
  g_test_add_func ("/views/stats-rows", test_stats_rows);
  g_test_add_func ("/views/stats-scope", test_stats_scope);
  g_test_add_func ("/views/linked-selection", test_linked_selection);
  g_test_add_func ("/views/aggregated-flame", test_aggregated_flame);
  g_test_add_func ("/views/sandwich", test_sandwich);
  g_test_add_func ("/views/shortcuts", test_shortcuts);
  g_test_add_func ("/views/live-stats", test_live_stats);
  g_test_add_func ("/views/shots", test_shots);
  ret = g_test_run ();
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
