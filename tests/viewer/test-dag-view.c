/* test-dag-view: the DAG view in a real window (Xvfb in CI) on a trace whose call graph is
 * known by hand: layout, hit testing, clicks, selection drawn, zoom limits, threshold,
 * collapse, recursion as back edges, per-thread nodes, the span graph with a link, and a
 * live refresh that keeps the zoom. */
#include <glib/gstdio.h>
#include <math.h>

#include "ctx-dag-view.h"
#include "ctx-gen-trace.h"

#define WAIT_SECONDS 60

static char *tmpdir;

/* Thread 1:  main [0,1000] > parse [10,200] > lex [20,100]
 *                         > eval [300,900] (error) > eval [310,800] > helper [320,400]
 *                         > helper [910,950]
 *                         > ping [960,995] > pong [962,990] > ping [964,985]
 *                         > tiny [996,997]
 * Thread 2:  helper [100,150] (a root), linked to parse (follows-from).
 * Names: main parse lex eval helper ping pong tiny = 8 nodes; per thread: 9. */
typedef struct
{
  char *path;
  CtxTraceModel *model;
  CtxSession *session;
  GtkWidget *window;
  CtxDagView *view;
  gint64 parse_id;
  gint64 worker_id;
} Fixture;

static gint64
span (CtxGen *gen, gint64 parent, gint64 thread, const char *name, gint64 start, gint64 end,
      int depth, int status)
{
  return ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = parent, .thread_id = thread, .name = name,
                                            .start_ns = start, .dur_ns = end - start,
                                            .depth = depth, .status = status });
}

static void
write_trace (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  CtxGen *gen = ctx_gen_new (f->path, &error);
  g_autofree char *sql = NULL;
  gint64 main_id, eval_id, eval2_id, ping_id, pong_id;

  g_assert_no_error (error);
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "main-thread");
  ctx_gen_thread (gen, 1, 2, "worker");
  main_id = span (gen, 0, 1, "main", 0, 1000, 0, 1);
  f->parse_id = span (gen, main_id, 1, "parse", 10, 200, 1, 1);
  span (gen, f->parse_id, 1, "lex", 20, 100, 2, 1);
  eval_id = span (gen, main_id, 1, "eval", 300, 900, 1, 2);
  eval2_id = span (gen, eval_id, 1, "eval", 310, 800, 2, 1);
  span (gen, eval2_id, 1, "helper", 320, 400, 3, 1);
  span (gen, main_id, 1, "helper", 910, 950, 1, 1);
  ping_id = span (gen, main_id, 1, "ping", 960, 995, 1, 1);
  pong_id = span (gen, ping_id, 1, "pong", 962, 990, 2, 1);
  span (gen, pong_id, 1, "ping", 964, 985, 3, 1);
  span (gen, main_id, 1, "tiny", 996, 997, 1, 1);
  f->worker_id = span (gen, 0, 2, "helper", 100, 150, 0, 1);
  sql = g_strdup_printf ("INSERT INTO link (span_id, linked_span_id, kind) VALUES (%" G_GINT64_FORMAT
                         ", %" G_GINT64_FORMAT ", 1)", f->worker_id, f->parse_id);
  g_assert_true (ctx_gen_exec (gen, sql, &error));
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  g_assert_no_error (error);
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_idle (CtxDagView *view)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint source = g_timeout_add (20, wake, NULL);

  while (ctx_dag_view_is_busy (view) || gtk_widget_get_width (GTK_WIDGET (view)) <= 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  /* Let the new frame be allocated and drawn. */
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_source_remove (source);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->path = g_build_filename (tmpdir, "dag.db", NULL);
  write_trace (f);
  f->model = ctx_trace_model_load (f->path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->session = ctx_session_new (f->model);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  f->view = CTX_DAG_VIEW (ctx_dag_view_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  ctx_dag_view_set_session (f->view, f->session);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_idle (f->view);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_object_unref (f->session);
  g_object_unref (f->model);
  g_unlink (f->path);
  g_free (f->path);
}

static guint32
name_index (Fixture *f, const char *name)
{
  for (guint32 i = 0; i < ctx_trace_model_get_n_strings (f->model); i++)
    if (g_strcmp0 (ctx_trace_model_get_string (f->model, i), name) == 0)
      return i;
  g_error ("no string %s", name);
}

static void
node_center (Fixture *f, const char *name, double *x, double *y)
{
  graphene_rect_t rect;

  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, name), &rect));
  *x = rect.origin.x + rect.size.width / 3;
  *y = rect.origin.y + rect.size.height / 3;
}

static GtkGesture *
primary_click (Fixture *f)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->view));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (c) && gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (c)) == GDK_BUTTON_PRIMARY)
        return GTK_GESTURE (c);
    }
  g_error ("no click gesture");
}

static GtkEventController *
controller_of_type (Fixture *f, GType type)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->view));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return GTK_EVENT_CONTROLLER (c);
    }
  g_error ("no %s", g_type_name (type));
}

static gboolean
press_key (Fixture *f, guint keyval)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (controller_of_type (f, GTK_TYPE_EVENT_CONTROLLER_KEY), "key-pressed",
                         keyval, 0, (GdkModifierType) 0, &handled);
  return handled;
}

/* What the view draws (its own renderer, at its size and transform), as cairo ARGB32. */
static cairo_surface_t *
render (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "shot.png", NULL);
  cairo_surface_t *surface;

  g_assert_true (ctx_dag_view_export (f->view, path, &error));
  g_assert_no_error (error);
  surface = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  if (g_getenv ("CTX_DAG_TEST_SHOT") != NULL)
    cairo_surface_write_to_png (surface, g_getenv ("CTX_DAG_TEST_SHOT"));
  g_unlink (path);
  return surface;
}

/* Pixels of the selection blue (#3685e3 = 0.21, 0.52, 0.89) along a box's left side. */
static guint
blue_pixels_left_of (Fixture *f, const char *name)
{
  cairo_surface_t *surface = render (f);
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guchar *p = cairo_image_surface_get_data (surface);
  graphene_rect_t rect;
  guint n = 0;

  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, name), &rect));
  for (int y = rect.origin.y + 4; y < rect.origin.y + rect.size.height - 4 && y < h; y++)
    for (int x = MAX (rect.origin.x - 5, 0); x < rect.origin.x && x < w; x++)
      {
        /* ARGB32 in native order: B, G, R, A on little endian. */
        const guchar *px = p + y * stride + x * 4;

        n += abs (px[2] - 54) < 30 && abs (px[1] - 133) < 30 && abs (px[0] - 227) < 30;
      }
  cairo_surface_destroy (surface);
  return n;
}

/* -- tests --------------------------------------------------------------------------- */

static void
test_layout (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 8);
  g_assert_cmpuint (ctx_dag_view_get_n_hidden (f->view), ==, 0);
  /* Whole graph in view after the first layout. */
  for (guint32 i = 0; i < ctx_trace_model_get_n_strings (f->model); i++)
    {
      graphene_rect_t rect;

      if (!ctx_dag_view_get_node_rect (f->view, i, &rect))
        continue;
      g_assert_cmpfloat (rect.origin.x, >=, 0);
      g_assert_cmpfloat (rect.origin.y, >=, 0);
      g_assert_cmpfloat (rect.origin.x + rect.size.width, <=, gtk_widget_get_width (GTK_WIDGET (f->view)));
      g_assert_cmpfloat (rect.origin.y + rect.size.height, <=, gtk_widget_get_height (GTK_WIDGET (f->view)));
    }
}

static void
test_hit (Fixture *f, gconstpointer data)
{
  const char *names[] = { "main", "parse", "lex", "eval", "helper", "ping", "pong", "tiny" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      double x, y;

      node_center (f, names[i], &x, &y);
      g_assert_cmpuint (ctx_dag_view_name_at (f->view, x, y), ==, name_index (f, names[i]));
    }
  g_assert_cmpuint (ctx_dag_view_name_at (f->view, 1, 1), ==, CTX_NONE);
}

static void
on_name (CtxDagView *view, guint name, guint *out)
{
  *out = name;
}

static void
test_click (Fixture *f, gconstpointer data)
{
  guint activated = CTX_NONE;
  double x, y;

  g_signal_connect (f->view, "name-activated", G_CALLBACK (on_name), &activated);
  node_center (f, "parse", &x, &y);
  g_signal_emit_by_name (primary_click (f), "pressed", 1, x, y);
  g_assert_cmpuint (activated, ==, name_index (f, "parse"));
  g_assert_cmpuint (ctx_dag_view_get_selected_name (f->view), ==, name_index (f, "parse"));
  /* A click on nothing activates nothing. */
  activated = CTX_NONE;
  g_signal_emit_by_name (primary_click (f), "pressed", 1, 2.0, 2.0);
  g_assert_cmpuint (activated, ==, CTX_NONE);
}

static void
test_select_highlights (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (blue_pixels_left_of (f, "lex"), ==, 0);
  ctx_dag_view_select_name (f->view, name_index (f, "lex"));
  g_assert_cmpuint (ctx_dag_view_get_selected_name (f->view), ==, name_index (f, "lex"));
  g_assert_cmpuint (blue_pixels_left_of (f, "lex"), >, 20);
  g_assert_cmpuint (blue_pixels_left_of (f, "parse"), ==, 0);
  ctx_dag_view_select_name (f->view, CTX_NONE);
  g_assert_cmpuint (blue_pixels_left_of (f, "lex"), ==, 0);
}

static void
test_zoom_clamps (Fixture *f, gconstpointer data)
{
  double fit = ctx_dag_view_get_zoom (f->view), x, y;

  g_assert_cmpfloat (fit, >, 0);
  g_assert_cmpfloat (fit, <=, 1.0);
  ctx_dag_view_set_zoom (f->view, 1e9);
  g_assert_cmpfloat (ctx_dag_view_get_zoom (f->view), <=, 6.0);
  ctx_dag_view_set_zoom (f->view, 1e-9);
  g_assert_cmpfloat (ctx_dag_view_get_zoom (f->view), >, 0.001);
  ctx_dag_view_set_zoom (f->view, NAN);
  g_assert_true (isfinite (ctx_dag_view_get_zoom (f->view)));
  ctx_dag_view_set_zoom (f->view, INFINITY);
  g_assert_cmpfloat (ctx_dag_view_get_zoom (f->view), <=, 6.0);
  /* Fit brings everything back, hit testing included. */
  ctx_dag_view_fit (f->view);
  g_assert_cmpfloat (fabs (ctx_dag_view_get_zoom (f->view) - fit), <, 1e-9);
  node_center (f, "eval", &x, &y);
  g_assert_cmpuint (ctx_dag_view_name_at (f->view, x, y), ==, name_index (f, "eval"));
}

static guint
nodes_on_screen (Fixture *f)
{
  graphene_rect_t screen = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (GTK_WIDGET (f->view)),
                                               gtk_widget_get_height (GTK_WIDGET (f->view)));
  guint n = 0;

  for (guint32 i = 0; i < ctx_trace_model_get_n_strings (f->model); i++)
    {
      graphene_rect_t rect;

      n += ctx_dag_view_get_node_rect (f->view, i, &rect) && graphene_rect_intersection (&rect, &screen, NULL);
    }
  return n;
}

static void
test_keys_and_pointer (Fixture *f, gconstpointer data)
{
  double fit = ctx_dag_view_get_zoom (f->view);
  graphene_rect_t before, after;
  gboolean handled = FALSE;

  g_assert_true (press_key (f, GDK_KEY_plus));
  g_assert_cmpfloat (fabs (ctx_dag_view_get_zoom (f->view) - fit * 1.25), <, 1e-9);
  g_assert_true (press_key (f, GDK_KEY_minus));
  g_assert_true (press_key (f, GDK_KEY_minus));
  g_assert_cmpfloat (ctx_dag_view_get_zoom (f->view), <, fit);
  g_assert_true (press_key (f, GDK_KEY_Home));
  g_assert_cmpfloat (fabs (ctx_dag_view_get_zoom (f->view) - fit), <, 1e-9);
  g_assert_false (press_key (f, GDK_KEY_a));
  /* A wheel step pans by 50 px; a drag moves the graph with the pointer. */
  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, "main"), &before));
  g_signal_emit_by_name (controller_of_type (f, GTK_TYPE_EVENT_CONTROLLER_SCROLL), "scroll", 0.0, 1.0, &handled);
  g_assert_true (handled);
  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, "main"), &after));
  g_assert_cmpfloat (fabs (after.origin.y - (before.origin.y - 50)), <, 1e-6);
  g_signal_emit_by_name (controller_of_type (f, GTK_TYPE_GESTURE_DRAG), "drag-begin", 100.0, 100.0);
  g_signal_emit_by_name (controller_of_type (f, GTK_TYPE_GESTURE_DRAG), "drag-update", 30.0, 20.0);
  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, "main"), &before));
  g_assert_cmpfloat (fabs (before.origin.x - (after.origin.x + 30)), <, 1e-6);
  g_assert_cmpfloat (fabs (before.origin.y - (after.origin.y + 20)), <, 1e-6);
  /* Panning never loses the graph: a huge drag keeps some of it on screen. */
  g_signal_emit_by_name (controller_of_type (f, GTK_TYPE_GESTURE_DRAG), "drag-update", 1e7, 1e7);
  g_assert_cmpuint (nodes_on_screen (f), >, 0);
  g_signal_emit_by_name (controller_of_type (f, GTK_TYPE_GESTURE_DRAG), "drag-update", -1e7, -1e7);
  g_assert_cmpuint (nodes_on_screen (f), >, 0);
  g_assert_true (press_key (f, GDK_KEY_0));
  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, "main"), &after));
  g_assert_cmpfloat (after.origin.x, >, 0);
}

static void
test_threshold (Fixture *f, gconstpointer data)
{
  graphene_rect_t rect;

  /* tiny: 1 ns, under 1 % of the total. */
  ctx_dag_view_set_threshold (f->view, 1.0);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 7);
  g_assert_cmpuint (ctx_dag_view_get_n_hidden (f->view), ==, 1);
  g_assert_false (ctx_dag_view_get_node_rect (f->view, name_index (f, "tiny"), &rect));
  /* The total time is the roots' 1000 + 50 ns; 6 % of it is 63: ping (35 + 21), pong (28)
   * and tiny go, lex (80) stays. */
  ctx_dag_view_set_threshold (f->view, 6.0);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_hidden (f->view), ==, 3);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 5);
  ctx_dag_view_set_threshold (f->view, 0);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 8);
}

static void
test_collapse (Fixture *f, gconstpointer data)
{
  graphene_rect_t rect;
  double x, y;

  /* lex is called only by parse: it goes; helper is also called by main: it stays. */
  ctx_dag_view_set_collapsed (f->view, name_index (f, "parse"), TRUE);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_hidden (f->view), ==, 1);
  g_assert_false (ctx_dag_view_get_node_rect (f->view, name_index (f, "lex"), &rect));
  ctx_dag_view_set_collapsed (f->view, name_index (f, "eval"), TRUE);
  wait_idle (f->view);
  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, "helper"), &rect));
  /* The toggle at parse's corner expands it again. */
  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, "parse"), &rect));
  x = rect.origin.x + rect.size.width - 6 * ctx_dag_view_get_zoom (f->view);
  y = rect.origin.y + rect.size.height - 6 * ctx_dag_view_get_zoom (f->view);
  g_signal_emit_by_name (primary_click (f), "pressed", 1, x, y);
  wait_idle (f->view);
  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, "lex"), &rect));
  node_center (f, "lex", &x, &y);
}

static GtkGesture *
secondary_click (Fixture *f)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->view));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (c) && gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (c)) == GDK_BUTTON_SECONDARY)
        return GTK_GESTURE (c);
    }
  g_error ("no secondary click gesture");
}

/* Right click on parse: its menu collapses it; the threshold and mode items work. */
static void
test_menu (Fixture *f, gconstpointer data)
{
  graphene_rect_t rect;
  double x, y;

  node_center (f, "parse", &x, &y);
  g_signal_emit_by_name (secondary_click (f), "pressed", 1, x, y);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "dag.toggle-collapse", NULL));
  wait_idle (f->view);
  g_assert_false (ctx_dag_view_get_node_rect (f->view, name_index (f, "lex"), &rect));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "dag.expand-all", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "dag.threshold", "d", 1.0));
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_hidden (f->view), ==, 1);
  g_assert_true (ctx_dag_view_get_node_rect (f->view, name_index (f, "lex"), &rect));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "dag.toggle-per-thread", NULL));
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 8);  /* 9 per thread, tiny hidden */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "dag.toggle-mode", NULL));
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_link_edges (f->view), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "dag.fit", NULL));
}

static void
test_recursion (Fixture *f, gconstpointer data)
{
  /* eval -> eval (a self loop) and pong -> ping (mutual recursion). */
  g_assert_cmpuint (ctx_dag_view_get_n_back_edges (f->view), ==, 2);
}

static void
test_per_thread (Fixture *f, gconstpointer data)
{
  ctx_dag_view_set_per_thread (f->view, TRUE);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 9);
  ctx_dag_view_set_per_thread (f->view, FALSE);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 8);
}

static void
on_span (CtxDagView *view, guint span, guint *out)
{
  *out = span;
}

static void
test_spans (Fixture *f, gconstpointer data)
{
  guint activated = CTX_NONE;
  double x, y;

  ctx_session_set_selected (f->session, ctx_trace_model_find_id (f->model, f->parse_id));
  ctx_dag_view_set_mode (f->view, CTX_DAG_MODE_SPANS);
  wait_idle (f->view);
  /* main's 11 spans, and the worker's helper through the link. */
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 12);
  g_assert_cmpuint (ctx_dag_view_get_n_link_edges (f->view), ==, 1);
  g_signal_connect (f->view, "span-activated", G_CALLBACK (on_span), &activated);
  node_center (f, "lex", &x, &y);
  g_signal_emit_by_name (primary_click (f), "pressed", 1, x, y);
  g_assert_cmpuint (activated, !=, CTX_NONE);
  g_assert_cmpstr (ctx_trace_model_get_string (f->model, ctx_trace_model_get_spans (f->model)[activated].name),
                   ==, "lex");
  ctx_dag_view_set_mode (f->view, CTX_DAG_MODE_CALLS);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 8);
}

static void
test_scope (Fixture *f, gconstpointer data)
{
  /* [0, 250): main, parse, lex and the worker's helper. */
  ctx_dag_view_set_scope (f->view, 0, 250);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 4);
  ctx_dag_view_set_scope (f->view, 0, 0);
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 8);
}

static void
test_live (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  CtxGen *gen = ctx_gen_open (f->path, &error);
  gboolean changed = FALSE;
  double zoom;

  g_assert_no_error (error);
  ctx_dag_view_set_zoom (f->view, 0.8);
  zoom = ctx_dag_view_get_zoom (f->view);
  span (gen, 0, 1, "late", 2000, 2100, 0, 1);
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  for (int i = 0; i < 100 && !changed; i++)
    {
      g_assert_true (ctx_trace_model_refresh (f->model, &changed, &error));
      g_assert_no_error (error);
      g_usleep (10000);
    }
  g_assert_true (changed);
  ctx_session_data_changed (f->session, FALSE);
  g_assert_true (ctx_dag_view_is_busy (f->view));
  wait_idle (f->view);
  g_assert_cmpuint (ctx_dag_view_get_n_nodes (f->view), ==, 9);
  g_assert_cmpfloat (ctx_dag_view_get_zoom (f->view), ==, zoom);
}

int
main (int argc, char **argv)
{
  int status;

  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("test-dag-view-XXXXXX", NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/dag-view/layout", test_layout);
  ADD ("/dag-view/hit", test_hit);
  ADD ("/dag-view/click", test_click);
  ADD ("/dag-view/select-highlights", test_select_highlights);
  ADD ("/dag-view/zoom-clamps", test_zoom_clamps);
  ADD ("/dag-view/keys-and-pointer", test_keys_and_pointer);
  ADD ("/dag-view/threshold", test_threshold);
  ADD ("/dag-view/collapse", test_collapse);
  ADD ("/dag-view/menu", test_menu);
  ADD ("/dag-view/recursion", test_recursion);
  ADD ("/dag-view/per-thread", test_per_thread);
  ADD ("/dag-view/spans", test_spans);
  ADD ("/dag-view/scope", test_scope);
  ADD ("/dag-view/live", test_live);
  status = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
