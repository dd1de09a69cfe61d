/* ctx-aggregate-flame.c: the merged flame graph and the sandwich halves (see the header).
 *
 * The tree is built off the main thread (ctx-callstack-tree), again when the scope, the
 * data or (for a sandwich) the selected name change.  The frames are drawn with cairo into
 * one cached render node, rebuilt only when the tree, zoom, scroll, size or style change;
 * the hovered frame is outlined on top each frame.  Nodes are depth-first, so each depth's
 * nodes are in x order: hit testing is a binary search in that depth's row. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "ctx-aggregate-flame.h"
#include "ctx-flame-renderer.h"
#include "ctx-time.h"

#define ROW_H CTX_AGGREGATE_FLAME_ROW_HEIGHT
#define MIN_FRAME_PX 0.5
#define MIN_LABEL_PX 28.0
#define MAX_LABEL_BYTES 256
#define REBUILD_DELAY_MS 150
#define DATA_REBUILD_DELAY_MS 500

struct _CtxAggregateFlame
{
  GtkWidget parent_instance;

  CtxCallstackKind kind;
  CtxSession *session;
  CtxCallstackTree *tree;
  GPtrArray *rows;         /* per depth: GArray of guint32 nodes in x order */
  guint32 built_name;      /* the sandwiched name the tree was built for */
  GArray *zoom_path;       /* guint32 names from node 0's child down to the zoomed node */
  guint32 zoom;
  guint32 hovered;

  GCancellable *cancellable;
  guint rebuild_source;
  gboolean stale;

  GtkAdjustment *vadjustment;
  GskRenderNode *cache;
  gboolean dark;
};

G_DEFINE_FINAL_TYPE (CtxAggregateFlame, ctx_aggregate_flame, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_KIND, N_PROPS };

static void schedule_rebuild (CtxAggregateFlame *self, guint delay_ms);

static const CtxCallNode *
nodes (CtxAggregateFlame *self)
{
  return ctx_callstack_tree_get_nodes (self->tree);
}

static void
invalidate (CtxAggregateFlame *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* -- geometry ------------------------------------------------------------------------ */

static double
content_height (CtxAggregateFlame *self)
{
  return self->tree != NULL ? (ctx_callstack_tree_get_max_depth (self->tree) + 1) * (double) ROW_H : 0;
}

static void
update_vadjustment (CtxAggregateFlame *self)
{
  double page = MAX (gtk_widget_get_height (GTK_WIDGET (self)), 1);
  double upper = MAX (content_height (self) + ROW_H, page);
  double value = gtk_adjustment_get_value (self->vadjustment);

  gtk_adjustment_configure (self->vadjustment, CLAMP (value, 0, upper - page), 0, upper,
                            ROW_H * 3, page * 0.9, page);
}

/* Top of depth d's row: root first from the top, or for callers from the bottom up. */
static double
row_y (CtxAggregateFlame *self,
       guint              depth)
{
  double scroll = gtk_adjustment_get_value (self->vadjustment);

  if (self->kind == CTX_CALLSTACK_CALLERS)
    return gtk_widget_get_height (GTK_WIDGET (self)) - (depth + 1.0) * ROW_H + scroll;
  return depth * (double) ROW_H - scroll;
}

static gboolean
depth_at (CtxAggregateFlame *self,
          double             y,
          guint             *depth)
{
  double scroll = gtk_adjustment_get_value (self->vadjustment);
  double d = self->kind == CTX_CALLSTACK_CALLERS
             ? (gtk_widget_get_height (GTK_WIDGET (self)) + scroll - y) / ROW_H
             : (y + scroll) / ROW_H;

  if (self->tree == NULL || d < 0 || d >= ctx_callstack_tree_get_max_depth (self->tree) + 1)
    return FALSE;
  *depth = (guint) d;
  return TRUE;
}

static gboolean
in_zoom (CtxAggregateFlame *self,
         guint32            node)
{
  return node >= self->zoom && node <= self->zoom + nodes (self)[self->zoom].n_descendants;
}

/* x and width of node; the zoomed node and its ancestors span the whole width. */
static gboolean
node_x (CtxAggregateFlame *self,
        guint32            node,
        double            *x,
        double            *w)
{
  const CtxCallNode *v = nodes (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double scale;

  if (!in_zoom (self, node))
    {
      *x = 0;
      *w = width;
      return v[node].depth < v[self->zoom].depth && node + v[node].n_descendants >= self->zoom;
    }
  scale = width / MAX ((double) v[self->zoom].total_ns, 1.0);
  *x = (double) (v[node].offset_ns - v[self->zoom].offset_ns) * scale;
  *w = (double) v[node].total_ns * scale;
  return TRUE;
}

gboolean
ctx_aggregate_flame_get_node_rect (CtxAggregateFlame *self,
                                   guint32            node,
                                   graphene_rect_t   *rect)
{
  double x, w;

  if (self->tree == NULL || node >= ctx_callstack_tree_get_n_nodes (self->tree) ||
      !node_x (self, node, &x, &w))
    return FALSE;
  graphene_rect_init (rect, x, row_y (self, nodes (self)[node].depth), w, ROW_H - 1);
  return TRUE;
}

/* The last node of row starting at or before offset (rows are in offset order). */
static guint
row_lower_bound (CtxAggregateFlame *self,
                 GArray            *row,
                 gint64             offset)
{
  const CtxCallNode *v = nodes (self);
  guint lo = 0, hi = row->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (v[g_array_index (row, guint32, mid)].offset_ns <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

guint32
ctx_aggregate_flame_hit_node (CtxAggregateFlame *self,
                              double             x,
                              double             y)
{
  const CtxCallNode *v;
  guint depth, pos;
  GArray *row;
  double scale;
  gint64 offset;
  guint32 node;

  if (!depth_at (self, y, &depth) || depth >= self->rows->len)
    return CTX_NONE;
  v = nodes (self);
  row = g_ptr_array_index (self->rows, depth);
  if (depth <= v[self->zoom].depth)
    {
      /* The breadcrumb: the ancestor of the zoomed node at this depth. */
      for (node = self->zoom; v[node].depth > depth; node = v[node].parent)
        ;
      return node;
    }
  scale = gtk_widget_get_width (GTK_WIDGET (self)) / MAX ((double) v[self->zoom].total_ns, 1.0);
  offset = v[self->zoom].offset_ns + (gint64) (x / scale);
  pos = row_lower_bound (self, row, offset);
  if (pos == 0)
    return CTX_NONE;
  node = g_array_index (row, guint32, pos - 1);
  if (!in_zoom (self, node) || offset >= v[node].offset_ns + v[node].total_ns)
    return CTX_NONE;
  return node;
}

/* -- drawing ------------------------------------------------------------------------- */

static const char *
node_name (CtxAggregateFlame *self,
           guint32            node)
{
  guint32 name = nodes (self)[node].name;

  if (name == CTX_NONE)
    return _("All");
  return ctx_trace_model_get_string (ctx_session_get_model (self->session), name);
}

static void
draw_label (CtxAggregateFlame *self,
            cairo_t           *cr,
            PangoLayout       *layout,
            guint32            node,
            double             x,
            double             y,
            double             w)
{
  const char *name = node_name (self, node);
  g_autofree char *text = g_utf8_make_valid (name, strnlen (name, MAX_LABEL_BYTES));
  int th;

  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) ((w - 8) * PANGO_SCALE));
  pango_layout_get_pixel_size (layout, NULL, &th);
  cairo_move_to (cr, x + 4, y + (ROW_H - 1 - th) / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
frame_color (CtxAggregateFlame *self,
             guint32            node,
             gboolean           ancestor,
             double             rgb[3])
{
  if (nodes (self)[node].name == CTX_NONE)
    {
      rgb[0] = rgb[1] = rgb[2] = self->dark ? 0.35 : 0.78;
      return;
    }
  ctx_flame_renderer_name_color (node_name (self, node), self->dark, rgb);
  if (ancestor)
    for (int i = 0; i < 3; i++)
      rgb[i] = rgb[i] * 0.55 + (self->dark ? 0.15 : 0.45);
}

static void
draw_frame (CtxAggregateFlame *self,
            cairo_t           *cr,
            PangoLayout       *layout,
            guint32            node,
            double             x,
            double             w)
{
  const CtxCallNode *v = nodes (self);
  double y = row_y (self, v[node].depth);
  double x0 = MAX (x, -2), x1 = MIN (x + w, gtk_widget_get_width (GTK_WIDGET (self)) + 2);
  double rgb[3];
  gboolean selected = self->session != NULL && v[node].name != CTX_NONE &&
                      v[node].name == ctx_session_get_selected_name (self->session);

  frame_color (self, node, !in_zoom (self, node), rgb);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_rectangle (cr, x0, y, MAX (x1 - x0 - (w >= 3 ? 1 : 0), 0.5), ROW_H - 1);
  cairo_fill (cr);
  if (selected)
    {
      cairo_set_source_rgb (cr, self->dark ? 1.0 : 0.9, self->dark ? 0.78 : 0.45, self->dark ? 0.2 : 0.0);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, x0 + 1, y + 1, MAX (x1 - x0 - 3, 1), ROW_H - 3);
      cairo_stroke (cr);
    }
  if (x1 - x0 >= MIN_LABEL_PX)
    {
      cairo_set_source_rgb (cr, 0.08, 0.08, 0.1);
      draw_label (self, cr, layout, node, x0, y, x1 - x0);
    }
}

static void
draw_row (CtxAggregateFlame *self,
          cairo_t           *cr,
          PangoLayout       *layout,
          guint              depth)
{
  const CtxCallNode *v = nodes (self);
  GArray *row = g_ptr_array_index (self->rows, depth);
  guint pos = row_lower_bound (self, row, v[self->zoom].offset_ns);
  double x, w;

  /* Nodes of this depth inside the zoomed subtree start at its offset. */
  for (pos = pos > 0 ? pos - 1 : 0; pos < row->len; pos++)
    {
      guint32 node = g_array_index (row, guint32, pos);

      if (node > self->zoom + v[self->zoom].n_descendants)
        break;
      if (!in_zoom (self, node) || !node_x (self, node, &x, &w) || w < MIN_FRAME_PX)
        continue;
      if (x > gtk_widget_get_width (GTK_WIDGET (self)))
        break;
      draw_frame (self, cr, layout, node, x, w);
    }
}

static void
draw_message (CtxAggregateFlame *self,
              cairo_t           *cr,
              PangoLayout       *layout,
              const char        *text)
{
  int w, h;

  pango_layout_set_width (layout, (gtk_widget_get_width (GTK_WIDGET (self)) - 24) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_set_source_rgba (cr, self->dark ? 1 : 0, self->dark ? 1 : 0, self->dark ? 1 : 0, 0.55);
  cairo_move_to (cr, 12, (gtk_widget_get_height (GTK_WIDGET (self)) - h) / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static const char *
empty_message (CtxAggregateFlame *self)
{
  if (self->kind != CTX_CALLSTACK_ALL && ctx_session_get_selected_name (self->session) == CTX_NONE)
    return self->kind == CTX_CALLSTACK_CALLERS
           ? _("Select a function in any view to see its callers here and its callees below")
           : "";
  if (self->tree == NULL)
    return _("Merging call stacks…");
  if (nodes (self)[0].count == 0 && nodes (self)[0].total_ns == 0)
    return self->kind == CTX_CALLSTACK_ALL ? _("No spans in this time range")
                                           : _("The selected name has no calls in this time range");
  return NULL;
}

static void
draw_chart (CtxAggregateFlame *self,
            cairo_t           *cr)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  const char *message = empty_message (self);
  double x, w;

  pango_layout_set_font_description (layout, pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self))));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  if (message != NULL)
    draw_message (self, cr, layout, message);
  else
    {
      for (guint32 a = self->zoom; a != CTX_NONE; a = nodes (self)[a].parent)
        if (node_x (self, a, &x, &w))
          draw_frame (self, cr, layout, a, x, w);
      for (guint d = nodes (self)[self->zoom].depth + 1; d < self->rows->len; d++)
        {
          double y = row_y (self, d);

          if (y > gtk_widget_get_height (GTK_WIDGET (self)) || y + ROW_H < 0)
            continue;
          draw_row (self, cr, layout, d);
        }
    }
  g_object_unref (layout);
}

static GskRenderNode *
render_chart (CtxAggregateFlame *self)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  draw_chart (self, cr);
  cairo_destroy (cr);
  return gtk_snapshot_free_to_node (snapshot);
}

static void
snapshot_hover (CtxAggregateFlame *self,
                GtkSnapshot       *snapshot)
{
  graphene_rect_t rect;
  GskRoundedRect outline;
  float widths[4] = { 1, 1, 1, 1 };
  GdkRGBA c = self->dark ? (GdkRGBA) { 1, 1, 1, 0.9 } : (GdkRGBA) { 0, 0, 0, 0.75 };
  GdkRGBA colors[4] = { c, c, c, c };

  if (self->hovered == CTX_NONE || !ctx_aggregate_flame_get_node_rect (self, self->hovered, &rect))
    return;
  rect.origin.x = MAX (rect.origin.x, -2);
  rect.size.width = MAX (MIN (rect.size.width, gtk_widget_get_width (GTK_WIDGET (self)) + 4), 1);
  gsk_rounded_rect_init_from_rect (&outline, &rect, 0);
  gtk_snapshot_append_border (snapshot, &outline, widths, colors);
}

static void
ctx_aggregate_flame_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  CtxAggregateFlame *self = CTX_AGGREGATE_FLAME (widget);

  if (self->session == NULL || gtk_widget_get_width (widget) <= 0)
    return;
  if (self->cache == NULL)
    self->cache = render_chart (self);
  gtk_snapshot_append_node (snapshot, self->cache);
  snapshot_hover (self, snapshot);
}

/* -- the tree ------------------------------------------------------------------------ */

static void
build_rows (CtxAggregateFlame *self)
{
  const CtxCallNode *v = nodes (self);
  guint n = ctx_callstack_tree_get_n_nodes (self->tree);

  g_ptr_array_set_size (self->rows, 0);
  for (guint d = 0; d <= ctx_callstack_tree_get_max_depth (self->tree); d++)
    g_ptr_array_add (self->rows, g_array_new (FALSE, FALSE, sizeof (guint32)));
  for (guint32 k = 0; k < n; k++)
    g_array_append_val (g_ptr_array_index (self->rows, v[k].depth), k);
}

/* The zoom survives a rebuild when the same stack is still there. */
static guint32
resolve_zoom_path (CtxAggregateFlame *self)
{
  guint32 node = 0;

  for (guint i = 0; i < self->zoom_path->len && node != CTX_NONE; i++)
    {
      guint32 next = ctx_callstack_tree_find_child (self->tree, node,
                                                    g_array_index (self->zoom_path, guint32, i));
      if (next == CTX_NONE)
        {
          g_array_set_size (self->zoom_path, i);
          break;
        }
      node = next;
    }
  return node;
}

static void
set_tree (CtxAggregateFlame *self,
          CtxCallstackTree  *tree)
{
  g_clear_pointer (&self->tree, ctx_callstack_tree_unref);
  self->tree = tree;
  self->hovered = CTX_NONE;
  g_ptr_array_set_size (self->rows, 0);
  self->zoom = 0;
  if (tree != NULL)
    {
      build_rows (self);
      self->zoom = resolve_zoom_path (self);
    }
  update_vadjustment (self);
  invalidate (self);
}

static void
on_built (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CtxAggregateFlame) self = user_data;
  g_autoptr(GError) error = NULL;
  CtxCallstackTree *tree = ctx_callstack_tree_build_finish (CTX_TRACE_MODEL (source), result, &error);

  if (tree == NULL)
    return;  /* cancelled: superseded or disposed */
  g_clear_object (&self->cancellable);
  set_tree (self, tree);
  if (self->stale && gtk_widget_get_mapped (GTK_WIDGET (self)))
    schedule_rebuild (self, REBUILD_DELAY_MS);
}

static void
rebuild_now (CtxAggregateFlame *self)
{
  guint32 name = ctx_session_get_selected_name (self->session);
  gint64 start, end;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->stale = FALSE;
  if (self->kind != CTX_CALLSTACK_ALL && name != self->built_name)
    g_array_set_size (self->zoom_path, 0);
  self->built_name = name;
  if (self->kind != CTX_CALLSTACK_ALL && name == CTX_NONE)
    {
      set_tree (self, NULL);
      return;
    }
  self->cancellable = g_cancellable_new ();
  ctx_session_get_scope (self->session, &start, &end);
  ctx_callstack_tree_build_async (ctx_session_get_model (self->session), self->kind, name, start,
                                  end, self->cancellable, on_built, g_object_ref (self));
}

static gboolean
rebuild_cb (gpointer user_data)
{
  CtxAggregateFlame *self = user_data;

  self->rebuild_source = 0;
  rebuild_now (self);
  return G_SOURCE_REMOVE;
}

/* Only while shown: a hidden view just remembers that it is out of date. */
static void
schedule_rebuild (CtxAggregateFlame *self,
                  guint              delay_ms)
{
  self->stale = TRUE;
  if (self->session == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)) || self->rebuild_source != 0)
    return;
  self->rebuild_source = g_timeout_add (delay_ms, rebuild_cb, self);
}

static void
on_scope_changed (CtxAggregateFlame *self)
{
  schedule_rebuild (self, REBUILD_DELAY_MS);
}

static void
on_data_changed (CtxAggregateFlame *self)
{
  schedule_rebuild (self, DATA_REBUILD_DELAY_MS);
}

static void
on_selected_name_changed (CtxAggregateFlame *self)
{
  if (self->kind == CTX_CALLSTACK_ALL || ctx_session_get_selected_name (self->session) == self->built_name)
    {
      invalidate (self);
      return;
    }
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      g_clear_handle_id (&self->rebuild_source, g_source_remove);
      rebuild_now (self);
    }
}

/* -- zoom ---------------------------------------------------------------------------- */

void
ctx_aggregate_flame_zoom_to (CtxAggregateFlame *self,
                             guint32            node)
{
  const CtxCallNode *v;

  if (self->tree == NULL || node >= ctx_callstack_tree_get_n_nodes (self->tree) || node == self->zoom)
    return;
  v = nodes (self);
  self->zoom = node;
  g_array_set_size (self->zoom_path, v[node].depth);
  for (guint32 a = node; a != 0; a = v[a].parent)
    g_array_index (self->zoom_path, guint32, v[a].depth - 1) = v[a].name;
  self->hovered = CTX_NONE;
  invalidate (self);
}

gboolean
ctx_aggregate_flame_zoom_out (CtxAggregateFlame *self)
{
  if (self->tree == NULL || self->zoom == 0)
    return FALSE;
  ctx_aggregate_flame_zoom_to (self, nodes (self)[self->zoom].parent);
  return TRUE;
}

/* -- input --------------------------------------------------------------------------- */

static void
on_pressed (GtkGestureClick   *gesture,
            int                n_press,
            double             x,
            double             y,
            CtxAggregateFlame *self)
{
  guint32 node = ctx_aggregate_flame_hit_node (self, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (node == CTX_NONE)
    return;
  /* In a sandwich a click recentres it on the name; the flame graph zooms. */
  if (self->kind == CTX_CALLSTACK_ALL)
    ctx_aggregate_flame_zoom_to (self, node);
  if (nodes (self)[node].name != CTX_NONE)
    ctx_session_set_selected_name (self->session, nodes (self)[node].name);
}

static void
set_hovered (CtxAggregateFlame *self,
             guint32            node)
{
  if (node == self->hovered)
    return;
  self->hovered = node;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           CtxAggregateFlame        *self)
{
  set_hovered (self, ctx_aggregate_flame_hit_node (self, x, y));
}

static void
on_leave (GtkEventControllerMotion *motion,
          CtxAggregateFlame        *self)
{
  set_hovered (self, CTX_NONE);
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           CtxAggregateFlame        *self)
{
  gboolean pixels = gtk_event_controller_scroll_get_unit (scroll) == GDK_SCROLL_UNIT_SURFACE;
  double step = pixels ? dy : dy * ROW_H * 2;

  /* Callers grow upwards: scrolling up shows more of them. */
  if (self->kind == CTX_CALLSTACK_CALLERS)
    step = -step;
  gtk_adjustment_set_value (self->vadjustment, gtk_adjustment_get_value (self->vadjustment) + step);
  return TRUE;
}

static gboolean
on_key_pressed (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CtxAggregateFlame     *self)
{
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  if (keyval == GDK_KEY_BackSpace || keyval == GDK_KEY_Escape)
    return ctx_aggregate_flame_zoom_out (self);
  if (keyval == GDK_KEY_Home || keyval == GDK_KEY_0)
    {
      ctx_aggregate_flame_zoom_to (self, 0);
      return TRUE;
    }
  return FALSE;
}

static char *
tooltip_text (CtxAggregateFlame *self,
              guint32            node)
{
  const CtxCallNode *v = nodes (self);
  g_autofree char *name = g_utf8_make_valid (node_name (self, node), strnlen (node_name (self, node), 200));
  g_autofree char *total = ctx_time_format_duration ((double) v[node].total_ns);
  g_autofree char *self_time = ctx_time_format_duration ((double) v[node].self_ns);
  double share = 100.0 * (double) v[node].total_ns / MAX ((double) v[0].total_ns, 1.0);
  g_autofree char *calls = g_strdup_printf ("%u", v[node].count);
  g_autofree char *errors = v[node].errors > 0 ? g_strdup_printf (_("\nErrors: %u"), v[node].errors)
                                               : g_strdup ("");
  const char *hint = !in_zoom (self, node) ? _("\nClick to zoom out to here") : "";

  return g_strdup_printf (_("%s\nTotal: %s (%.1f%%)\nSelf: %s\nCalls: %s%s%s"), name, total, share,
                          self_time, calls, errors, hint);
}

static gboolean
on_query_tooltip (GtkWidget         *widget,
                  int                x,
                  int                y,
                  gboolean           keyboard,
                  GtkTooltip        *tooltip,
                  CtxAggregateFlame *self)
{
  guint32 node = keyboard ? CTX_NONE : ctx_aggregate_flame_hit_node (self, x, y);
  g_autofree char *text = NULL;

  if (node == CTX_NONE)
    return FALSE;
  text = tooltip_text (self, node);
  /* Plain text: span names are never markup. */
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* -- public -------------------------------------------------------------------------- */

void
ctx_aggregate_flame_set_session (CtxAggregateFlame *self,
                                 CtxSession        *session)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_array_set_size (self->zoom_path, 0);
  self->built_name = CTX_NONE;
  set_tree (self, NULL);
  g_set_object (&self->session, session);
  if (session == NULL)
    return;
  g_signal_connect_object (session, "time-selection-changed", G_CALLBACK (on_scope_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "data-changed", G_CALLBACK (on_data_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::selected-name", G_CALLBACK (on_selected_name_changed),
                           self, G_CONNECT_SWAPPED);
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    rebuild_now (self);
}

CtxCallstackKind
ctx_aggregate_flame_get_kind (CtxAggregateFlame *self)
{
  return self->kind;
}

GtkAdjustment *
ctx_aggregate_flame_get_vadjustment (CtxAggregateFlame *self)
{
  return self->vadjustment;
}

CtxCallstackTree *
ctx_aggregate_flame_get_tree (CtxAggregateFlame *self)
{
  return self->tree;
}

guint32
ctx_aggregate_flame_get_zoom (CtxAggregateFlame *self)
{
  return self->zoom;
}

gboolean
ctx_aggregate_flame_is_busy (CtxAggregateFlame *self)
{
  return self->cancellable != NULL || self->rebuild_source != 0;
}

/* -- GObject ------------------------------------------------------------------------- */

static void
ctx_aggregate_flame_map (GtkWidget *widget)
{
  CtxAggregateFlame *self = CTX_AGGREGATE_FLAME (widget);

  GTK_WIDGET_CLASS (ctx_aggregate_flame_parent_class)->map (widget);
  if (self->session != NULL && self->stale && self->rebuild_source == 0)
    rebuild_now (self);
}

static void
ctx_aggregate_flame_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  update_vadjustment (CTX_AGGREGATE_FLAME (widget));
  invalidate (CTX_AGGREGATE_FLAME (widget));
}

static void
ctx_aggregate_flame_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 3 * ROW_H;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 400;
}

static void
ctx_aggregate_flame_css_changed (GtkWidget         *widget,
                                 GtkCssStyleChange *change)
{
  CtxAggregateFlame *self = CTX_AGGREGATE_FLAME (widget);
  GdkRGBA fg;

  GTK_WIDGET_CLASS (ctx_aggregate_flame_parent_class)->css_changed (widget, change);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  /* Light text means a dark theme. */
  self->dark = 0.299 * fg.red + 0.587 * fg.green + 0.114 * fg.blue > 0.5;
  invalidate (self);
}

static void
ctx_aggregate_flame_dispose (GObject *object)
{
  CtxAggregateFlame *self = CTX_AGGREGATE_FLAME (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_clear_object (&self->session);
  g_clear_pointer (&self->tree, ctx_callstack_tree_unref);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  G_OBJECT_CLASS (ctx_aggregate_flame_parent_class)->dispose (object);
}

static void
ctx_aggregate_flame_finalize (GObject *object)
{
  CtxAggregateFlame *self = CTX_AGGREGATE_FLAME (object);

  g_ptr_array_unref (self->rows);
  g_array_unref (self->zoom_path);
  g_clear_object (&self->vadjustment);
  G_OBJECT_CLASS (ctx_aggregate_flame_parent_class)->finalize (object);
}

static void
ctx_aggregate_flame_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  if (prop_id == PROP_KIND)
    g_value_set_uint (value, CTX_AGGREGATE_FLAME (object)->kind);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ctx_aggregate_flame_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  if (prop_id == PROP_KIND)
    CTX_AGGREGATE_FLAME (object)->kind = g_value_get_uint (value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ctx_aggregate_flame_class_init (CtxAggregateFlameClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ctx_aggregate_flame_get_property;
  object_class->set_property = ctx_aggregate_flame_set_property;
  /* 0 all stacks, 1 callees, 2 callers (CtxCallstackKind), for .ui files. */
  g_object_class_install_property (object_class, PROP_KIND,
    g_param_spec_uint ("kind", NULL, NULL, CTX_CALLSTACK_ALL, CTX_CALLSTACK_CALLERS,
                       CTX_CALLSTACK_ALL,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  object_class->dispose = ctx_aggregate_flame_dispose;
  object_class->finalize = ctx_aggregate_flame_finalize;
  widget_class->snapshot = ctx_aggregate_flame_snapshot;
  widget_class->map = ctx_aggregate_flame_map;
  widget_class->size_allocate = ctx_aggregate_flame_size_allocate;
  widget_class->measure = ctx_aggregate_flame_measure;
  widget_class->css_changed = ctx_aggregate_flame_css_changed;
  gtk_widget_class_set_css_name (widget_class, "aggregateflame");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
add_controllers (CtxAggregateFlame *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *key = gtk_event_controller_key_new ();

  g_signal_connect_object (click, "pressed", G_CALLBACK (on_pressed), self, 0);
  g_signal_connect_object (motion, "motion", G_CALLBACK (on_motion), self, 0);
  g_signal_connect_object (motion, "leave", G_CALLBACK (on_leave), self, 0);
  g_signal_connect_object (scroll, "scroll", G_CALLBACK (on_scroll), self, 0);
  g_signal_connect_object (key, "key-pressed", G_CALLBACK (on_key_pressed), self, 0);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
  gtk_widget_add_controller (widget, motion);
  gtk_widget_add_controller (widget, scroll);
  gtk_widget_add_controller (widget, key);
}

static void
ctx_aggregate_flame_init (CtxAggregateFlame *self)
{
  self->hovered = CTX_NONE;
  self->built_name = CTX_NONE;
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->zoom_path = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->vadjustment = g_object_ref_sink (gtk_adjustment_new (0, 0, 1, 1, 1, 1));
  g_signal_connect_object (self->vadjustment, "value-changed", G_CALLBACK (invalidate), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  add_controllers (self);
}

GtkWidget *
ctx_aggregate_flame_new (CtxCallstackKind kind)
{
  return g_object_new (CTX_TYPE_AGGREGATE_FLAME, "kind", (guint) kind, NULL);
}
