/* ctx-flame-view.c: input handling and cached rendering of the flame chart.
 *
 * The chart itself is drawn by CtxFlameRenderer into one cached render node, rebuilt only
 * when the viewport, the data or the style change; the hovered span and the pointer's
 * time readout are drawn on top each frame so pointer motion never rebuilds the chart.
 */
#include "config.h"

#include <math.h>

#include <cairo-svg.h>
#include <glib/gi18n.h>

#include "ctx-export-image.h"
#include "ctx-flame-view.h"
#include "ctx-span-nav.h"
#include "ctx-time.h"

#define ZOOM_STEP 1.25
#define PAN_FRACTION 0.1

struct _CtxFlameView
{
  GtkWidget parent_instance;

  CtxSession *session;
  CtxFlameLayout *layout;
  CtxFlameRenderer *renderer;
  GtkAdjustment *vadjustment;
  GskRenderNode *cache;
  gboolean dark;

  guint32 hovered;
  double pointer_x;
  double pointer_y;
  gboolean pointer_inside;

  GArray *flow_children;  /* guint32: children of the selection on other threads */

  /* Drag state: the viewport when the drag began. */
  double drag_start;
  double drag_end;
  double drag_scroll;
  gboolean drag_on_ruler;
  double zoom_begin_start;
  double zoom_begin_end;
};

G_DEFINE_FINAL_TYPE (CtxFlameView, ctx_flame_view, GTK_TYPE_WIDGET)

static void
invalidate (CtxFlameView *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static double
lanes_height (CtxFlameView *self)
{
  return MAX (gtk_widget_get_height (GTK_WIDGET (self)) - CTX_FLAME_RULER_HEIGHT, 1);
}

static void
update_vadjustment (CtxFlameView *self)
{
  double upper = self->layout != NULL ? ctx_flame_layout_get_height (self->layout) : 0;
  double page = lanes_height (self);
  double value = gtk_adjustment_get_value (self->vadjustment);

  gtk_adjustment_configure (self->vadjustment, CLAMP (value, 0, MAX (upper - page, 0)),
                            0, MAX (upper, page), CTX_FLAME_ROW_HEIGHT * 3, page * 0.9, page);
}

void
ctx_flame_view_get_viewport (CtxFlameView     *self,
                             CtxFlameViewport *vp)
{
  memset (vp, 0, sizeof *vp);
  vp->width = gtk_widget_get_width (GTK_WIDGET (self));
  vp->height = gtk_widget_get_height (GTK_WIDGET (self));
  vp->scroll_y = gtk_adjustment_get_value (self->vadjustment);
  vp->selected = CTX_NONE;
  vp->tsel_start = 1;
  vp->dark = self->dark;
  if (self->session == NULL)
    return;
  ctx_session_get_visible (self->session, &vp->start, &vp->end);
  vp->selected = ctx_session_get_selected (self->session);
  vp->marks = ctx_session_get_marks (self->session);
  ctx_session_get_time_selection (self->session, &vp->tsel_start, &vp->tsel_end);
  vp->flow_children = (const guint32 *) self->flow_children->data;
  vp->n_flow_children = self->flow_children->len;
  vp->highlight_name = ctx_session_get_selected_name (self->session);
  vp->highlight = vp->highlight_name != CTX_NONE;
}

static double
time_at (CtxFlameView *self,
         double        x)
{
  double start, end;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);

  ctx_session_get_visible (self->session, &start, &end);
  return start + (end - start) * x / width;
}

static double
ns_per_px (CtxFlameView *self)
{
  double start, end;

  ctx_session_get_visible (self->session, &start, &end);
  return (end - start) / MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
}

/* -- drawing ------------------------------------------------------------------------- */

static GskRenderNode *
render_chart (CtxFlameView *self)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  CtxFlameViewport vp;
  cairo_t *cr;

  ctx_flame_view_get_viewport (self, &vp);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, vp.width, vp.height));
  ctx_flame_renderer_draw (self->renderer, cr, &vp);
  cairo_destroy (cr);
  return gtk_snapshot_free_to_node (snapshot);
}

static void
snapshot_hover (CtxFlameView *self,
                GtkSnapshot  *snapshot)
{
  CtxFlameViewport vp;
  double x, y, w, h;
  GskRoundedRect outline;
  GdkRGBA color = { 1, 1, 1, 0.9 };
  float widths[4] = { 1, 1, 1, 1 };
  GdkRGBA colors[4];

  if (self->hovered == CTX_NONE)
    return;
  ctx_flame_view_get_viewport (self, &vp);
  if (!ctx_flame_renderer_span_rect (self->renderer, &vp, self->hovered, &x, &y, &w, &h))
    return;
  if (!self->dark)
    color = (GdkRGBA) { 0, 0, 0, 0.75 };
  x = CLAMP (x, -10, vp.width + 10);
  w = CLAMP (x + MAX (w, 1), -10, vp.width + 10) - x;
  if (y + h < CTX_FLAME_RULER_HEIGHT)
    return;
  for (int i = 0; i < 4; i++)
    colors[i] = color;
  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (x, y, MAX (w, 1), h), 0);
  gtk_snapshot_append_border (snapshot, &outline, widths, colors);
}

static void
snapshot_readout (CtxFlameView *self,
                  GtkSnapshot  *snapshot)
{
  double step = ctx_time_nice_step (ns_per_px (self));
  g_autofree char *text = ctx_time_format_offset (time_at (self, self->pointer_x), step);
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  GdkRGBA line = { 0.21, 0.52, 0.89, 0.8 };
  GdkRGBA bg = { 0.21, 0.52, 0.89, 1 };
  GdkRGBA fg = { 1, 1, 1, 1 };
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_append_color (snapshot, &line,
                             &GRAPHENE_RECT_INIT (floor (self->pointer_x), 0, 1,
                                                  gtk_widget_get_height (GTK_WIDGET (self))));
  gtk_snapshot_append_color (snapshot, &bg,
                             &GRAPHENE_RECT_INIT (self->pointer_x + 2, 2, w + 8,
                                                  CTX_FLAME_RULER_HEIGHT - 4));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (self->pointer_x + 6,
                                                (CTX_FLAME_RULER_HEIGHT - h) / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, &fg);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

static void
ctx_flame_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  CtxFlameView *self = CTX_FLAME_VIEW (widget);

  if (self->session == NULL || gtk_widget_get_width (widget) <= 0)
    return;
  if (self->cache == NULL)
    self->cache = render_chart (self);
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
  snapshot_hover (self, snapshot);
  if (self->pointer_inside)
    snapshot_readout (self, snapshot);
}

static void
ctx_flame_view_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  CtxFlameView *self = CTX_FLAME_VIEW (widget);

  update_vadjustment (self);
  invalidate (self);
}

static void
ctx_flame_view_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 480;
}

static gboolean
color_is_light (GtkWidget *widget)
{
  GdkRGBA fg;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  return 0.299 * fg.red + 0.587 * fg.green + 0.114 * fg.blue > 0.5;
}

static void
ctx_flame_view_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  CtxFlameView *self = CTX_FLAME_VIEW (widget);

  GTK_WIDGET_CLASS (ctx_flame_view_parent_class)->css_changed (widget, change);
  /* Light text means a dark theme. */
  self->dark = color_is_light (widget);
  if (self->renderer != NULL)
    ctx_flame_renderer_set_font (self->renderer,
                                 pango_context_get_font_description (gtk_widget_get_pango_context (widget)));
  invalidate (self);
}

/* -- selection and keyboard ---------------------------------------------------------- */

void
ctx_flame_view_reveal_span (CtxFlameView *self,
                            guint32       span)
{
  const CtxSpan *s = &ctx_trace_model_get_spans (ctx_session_get_model (self->session))[span];
  const CtxFlameLaneBox *box = ctx_flame_layout_find_lane (self->layout, s->lane);
  double y = box->rows_y + s->depth * (double) CTX_FLAME_ROW_HEIGHT;
  double value = gtk_adjustment_get_value (self->vadjustment);
  double page = lanes_height (self);

  if (ctx_flame_layout_get_collapsed (self->layout, s->lane))
    ctx_flame_view_toggle_lane (self, s->lane);
  if (y < value + CTX_FLAME_ROW_HEIGHT)
    gtk_adjustment_set_value (self->vadjustment, y - box->rows_y + box->y - CTX_FLAME_ROW_HEIGHT);
  else if (y + CTX_FLAME_ROW_HEIGHT > value + page)
    gtk_adjustment_set_value (self->vadjustment, y + 2 * CTX_FLAME_ROW_HEIGHT - page);
}

static void
select_and_follow (CtxFlameView *self,
                   guint32       span)
{
  if (span == CTX_NONE)
    return;
  ctx_session_set_selected (self->session, span);
  ctx_session_reveal_span (self->session, span);
  ctx_flame_view_reveal_span (self, span);
}

/* Up/Down/Left/Right move the selection through the span tree; FALSE if nothing is
 * selected so the key pans instead. */
static gboolean
navigate (CtxFlameView *self,
          guint         keyval)
{
  CtxTraceModel *model = ctx_session_get_model (self->session);
  guint32 sel = ctx_session_get_selected (self->session);
  guint32 parent;

  if (sel == CTX_NONE)
    return FALSE;
  parent = ctx_trace_model_get_spans (model)[sel].parent;
  if (keyval == GDK_KEY_Up)
    select_and_follow (self, parent);
  else if (keyval == GDK_KEY_Down)
    select_and_follow (self, ctx_span_nav_first_child (model, sel));
  else
    select_and_follow (self, ctx_span_nav_sibling (model, sel, keyval == GDK_KEY_Left ? -1 : 1));
  return TRUE;
}

static void
zoom_center (CtxFlameView *self,
             double        factor)
{
  double start, end;

  ctx_session_get_visible (self->session, &start, &end);
  ctx_session_zoom (self->session, (start + end) / 2, factor);
}

static void
pan_fraction (CtxFlameView *self,
              double        fraction)
{
  double start, end;

  ctx_session_get_visible (self->session, &start, &end);
  ctx_session_pan (self->session, (end - start) * fraction);
}

static gboolean
handle_view_key (CtxFlameView *self,
                 guint         keyval)
{
  switch (keyval)
    {
    case GDK_KEY_w: case GDK_KEY_W: case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
      zoom_center (self, 1 / ZOOM_STEP);
      return TRUE;
    case GDK_KEY_s: case GDK_KEY_S: case GDK_KEY_minus: case GDK_KEY_KP_Subtract:
      zoom_center (self, ZOOM_STEP);
      return TRUE;
    case GDK_KEY_a: case GDK_KEY_A:
      pan_fraction (self, -PAN_FRACTION);
      return TRUE;
    case GDK_KEY_d: case GDK_KEY_D:
      pan_fraction (self, PAN_FRACTION);
      return TRUE;
    case GDK_KEY_Home: case GDK_KEY_0: case GDK_KEY_KP_0:
      ctx_session_fit (self->session);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
handle_arrow_key (CtxFlameView *self,
                  guint         keyval)
{
  if (navigate (self, keyval))
    return TRUE;
  if (keyval == GDK_KEY_Left || keyval == GDK_KEY_Right)
    pan_fraction (self, keyval == GDK_KEY_Left ? -PAN_FRACTION : PAN_FRACTION);
  else
    gtk_adjustment_set_value (self->vadjustment, gtk_adjustment_get_value (self->vadjustment) +
                              (keyval == GDK_KEY_Up ? -1 : 1) * CTX_FLAME_ROW_HEIGHT * 2);
  return TRUE;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CtxFlameView          *self)
{
  guint32 sel;

  if (self->session == NULL || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  if (keyval == GDK_KEY_Up || keyval == GDK_KEY_Down ||
      keyval == GDK_KEY_Left || keyval == GDK_KEY_Right)
    return handle_arrow_key (self, keyval);
  sel = ctx_session_get_selected (self->session);
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && sel != CTX_NONE)
    {
      ctx_session_zoom_to_span (self->session, sel);
      return TRUE;
    }
  if (keyval == GDK_KEY_Escape)
    {
      ctx_session_set_selected (self->session, CTX_NONE);
      ctx_session_set_selected_name (self->session, CTX_NONE);
      ctx_session_set_time_selection (self->session, 1, 0);
      return TRUE;
    }
  return handle_view_key (self, keyval);
}

/* -- pointer ------------------------------------------------------------------------- */

guint32
ctx_flame_view_hit_span (CtxFlameView *self,
                         double        x,
                         double        y)
{
  CtxFlameViewport vp;

  if (self->renderer == NULL)
    return CTX_NONE;
  ctx_flame_view_get_viewport (self, &vp);
  return ctx_flame_renderer_hit_span (self->renderer, &vp, x, y);
}

gboolean
ctx_flame_view_get_span_rect (CtxFlameView    *self,
                              guint32          span,
                              graphene_rect_t *rect)
{
  CtxFlameViewport vp;
  double x, y, w, h;

  if (self->renderer == NULL)
    return FALSE;
  ctx_flame_view_get_viewport (self, &vp);
  if (!ctx_flame_renderer_span_rect (self->renderer, &vp, span, &x, &y, &w, &h))
    return FALSE;
  graphene_rect_init (rect, x, y, w, h);
  return TRUE;
}

static void
set_hovered (CtxFlameView *self,
             guint32       span)
{
  if (span == self->hovered)
    return;
  self->hovered = span;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           CtxFlameView             *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = self->session != NULL;
  set_hovered (self, ctx_flame_view_hit_span (self, x, y));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *controller,
          CtxFlameView             *self)
{
  self->pointer_inside = FALSE;
  set_hovered (self, CTX_NONE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
click_header (CtxFlameView *self,
              double        y)
{
  guint index, row;
  CtxFlameHit hit;

  if (y < CTX_FLAME_RULER_HEIGHT)
    return FALSE;
  hit = ctx_flame_layout_hit (self->layout,
                              y - CTX_FLAME_RULER_HEIGHT + gtk_adjustment_get_value (self->vadjustment),
                              &index, &row);
  if (hit == CTX_FLAME_HIT_LANE)
    ctx_flame_view_toggle_lane (self, index);
  else if (hit == CTX_FLAME_HIT_PROCESS)
    {
      ctx_flame_layout_toggle_process (self->layout, index);
      update_vadjustment (self);
      invalidate (self);
    }
  return hit == CTX_FLAME_HIT_LANE || hit == CTX_FLAME_HIT_PROCESS;
}

static void
on_pressed (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            CtxFlameView    *self)
{
  guint32 span;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->session == NULL || click_header (self, y))
    return;
  span = ctx_flame_view_hit_span (self, x, y);
  if (n_press == 2 && span != CTX_NONE)
    ctx_session_zoom_to_span (self->session, span);
  else if (n_press == 1 && y >= CTX_FLAME_RULER_HEIGHT)
    ctx_session_set_selected (self->session, span);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               CtxFlameView   *self)
{
  if (self->session == NULL)
    return;
  ctx_session_get_visible (self->session, &self->drag_start, &self->drag_end);
  self->drag_scroll = gtk_adjustment_get_value (self->vadjustment);
  self->drag_on_ruler = y < CTX_FLAME_RULER_HEIGHT;
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                CtxFlameView   *self)
{
  double x0, y0;
  double scale = (self->drag_end - self->drag_start) / MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);

  if (self->session == NULL || !gtk_gesture_drag_get_start_point (gesture, &x0, &y0))
    return;
  if (self->drag_on_ruler)
    {
      double a = self->drag_start + x0 * scale, b = self->drag_start + (x0 + dx) * scale;

      ctx_session_set_time_selection (self->session, MIN (a, b), MAX (a, b));
      return;
    }
  ctx_session_set_visible (self->session, self->drag_start - dx * scale, self->drag_end - dx * scale);
  gtk_adjustment_set_value (self->vadjustment, self->drag_scroll - dy);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           CtxFlameView             *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean pixels = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_SURFACE;
  double px_dx = pixels ? dx : dx * 50, px_dy = pixels ? dy : dy * 50;

  if (self->session == NULL)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    ctx_session_zoom (self->session, time_at (self, self->pointer_x), exp (px_dy * 0.005));
  else if (state & GDK_SHIFT_MASK)
    ctx_session_pan (self->session, px_dy * ns_per_px (self));
  else
    {
      if (dx != 0)
        ctx_session_pan (self->session, px_dx * ns_per_px (self));
      gtk_adjustment_set_value (self->vadjustment,
                                gtk_adjustment_get_value (self->vadjustment) + px_dy);
    }
  return TRUE;
}

static void
on_zoom_begin (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               CtxFlameView     *self)
{
  if (self->session != NULL)
    ctx_session_get_visible (self->session, &self->zoom_begin_start, &self->zoom_begin_end);
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture,
                       double          scale,
                       CtxFlameView   *self)
{
  double cx, cy, len, anchor, pos;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);

  if (self->session == NULL || scale <= 0 ||
      !gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    return;
  len = self->zoom_begin_end - self->zoom_begin_start;
  pos = cx / width;
  anchor = self->zoom_begin_start + pos * len;
  len /= scale;
  ctx_session_set_visible (self->session, anchor - pos * len, anchor + (1 - pos) * len);
}

/* Under a block of merged sub-pixel spans, say what it is rather than name one of them. */
static gboolean
set_merged_tooltip (CtxFlameView  *self,
                    GtkTooltip    *tooltip,
                    const CtxSpan *s,
                    double         x)
{
  double px = ns_per_px (self), t = time_at (self, x);
  double start = ctx_time_rel (s->start_ns, ctx_session_get_origin (self->session));
  double end = ctx_time_rel (s->end_ns, ctx_session_get_origin (self->session));
  guint n;
  g_autofree char *text = NULL;

  if ((end - start) / px >= CTX_FLAME_MIN_SPAN_PX)
    return FALSE;
  n = ctx_span_nav_count_between (ctx_session_get_model (self->session), s->lane, s->depth,
                                  ctx_session_get_origin (self->session),
                                  t - 2 * CTX_FLAME_MIN_SPAN_PX * px, t + 2 * CTX_FLAME_MIN_SPAN_PX * px);
  if (n < 2)
    return FALSE;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u span too short to draw here: zoom in to see it",
                                       "%u spans too short to draw one by one here: zoom in to see them",
                                       n), n);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static gboolean
on_query_tooltip (GtkWidget    *widget,
                  int           x,
                  int           y,
                  gboolean      keyboard,
                  GtkTooltip   *tooltip,
                  CtxFlameView *self)
{
  guint32 span = keyboard ? CTX_NONE : ctx_flame_view_hit_span (self, x, y);
  CtxTraceModel *model;
  const CtxSpan *s;
  g_autofree char *dur = NULL, *self_text = NULL, *text = NULL, *name = NULL;
  gint64 self_ns;

  if (span == CTX_NONE)
    return FALSE;
  model = ctx_session_get_model (self->session);
  s = &ctx_trace_model_get_spans (model)[span];
  if (set_merged_tooltip (self, tooltip, s, x))
    return TRUE;
  name = g_utf8_make_valid (ctx_trace_model_get_string (model, s->name),
                            strnlen (ctx_trace_model_get_string (model, s->name), 200));
  dur = ctx_time_format_duration (ctx_session_span_end (self->session, span) -
                                  ctx_session_span_start (self->session, span));
  self_text = ctx_span_nav_self_time (model, span, &self_ns) ?
              ctx_time_format_duration (self_ns) : g_strdup (_("too many children to sum"));
  text = g_strdup_printf (_("%s\nDuration: %s%s\nSelf time: %s%s"), name, dur,
                          (s->flags & CTX_SPAN_OPEN) ? _(" (running)") : "", self_text,
                          s->status == 2 ? _("\nError") : "");
  /* Plain text: span names are never markup. */
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* -- public -------------------------------------------------------------------------- */

static void
on_visible_changed (CtxSession   *session,
                    CtxFlameView *self)
{
  if (self->pointer_inside)
    set_hovered (self, ctx_flame_view_hit_span (self, self->pointer_x, self->pointer_y));
  invalidate (self);
}

/* Work the selected span handed to other threads gets arrows too: found once per
 * selection, never while drawing.  Capped: a span may have a million children. */
#define MAX_FLOW_ARROWS 64

static void
on_selected_changed (CtxFlameView *self)
{
  CtxTraceModel *model = ctx_session_get_model (self->session);
  guint32 sel = ctx_session_get_selected (self->session);
  g_autoptr(GArray) children = NULL;

  g_array_set_size (self->flow_children, 0);
  if (sel != CTX_NONE)
    children = ctx_trace_model_get_children (model, sel);
  for (guint i = 0; children != NULL && i < children->len; i++)
    {
      guint32 child = g_array_index (children, guint32, i);

      if (self->flow_children->len >= MAX_FLOW_ARROWS)
        break;
      if (ctx_trace_model_get_spans (model)[child].flags & CTX_SPAN_CROSS_THREAD)
        g_array_append_val (self->flow_children, child);
    }
  invalidate (self);
}

/* New spans, maybe new lanes: everything derived from the model is rebuilt (span indices
 * stay valid, so the selection and the flow arrows still hold). */
static void
on_data_changed (CtxFlameView *self)
{
  CtxTraceModel *model = ctx_session_get_model (self->session);
  gint64 origin = ctx_session_get_origin (self->session);
  g_autoptr(CtxFlameIndex) index = ctx_flame_index_new (model, origin);

  g_clear_pointer (&self->renderer, ctx_flame_renderer_free);
  g_clear_pointer (&self->layout, ctx_flame_layout_free);
  self->layout = ctx_flame_layout_new (model);
  self->renderer = ctx_flame_renderer_new (model, self->layout, index, origin);
  ctx_flame_renderer_set_font (self->renderer,
                               pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self))));
  update_vadjustment (self);
  invalidate (self);
}

static void
clear_session (CtxFlameView *self)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_pointer (&self->renderer, ctx_flame_renderer_free);
  g_clear_pointer (&self->layout, ctx_flame_layout_free);
  g_clear_object (&self->session);
  g_array_set_size (self->flow_children, 0);
  self->hovered = CTX_NONE;
}

void
ctx_flame_view_set_session (CtxFlameView  *self,
                            CtxSession    *session,
                            CtxFlameIndex *index)
{
  GtkWidget *widget = GTK_WIDGET (self);

  clear_session (self);
  if (session != NULL)
    {
      CtxTraceModel *model = ctx_session_get_model (session);
      g_autoptr(CtxFlameIndex) own = NULL;

      if (index == NULL)
        index = own = ctx_flame_index_new (model, ctx_session_get_origin (session));
      self->session = g_object_ref (session);
      self->layout = ctx_flame_layout_new (model);
      self->renderer = ctx_flame_renderer_new (model, self->layout, index,
                                               ctx_session_get_origin (session));
      ctx_flame_renderer_set_font (self->renderer,
                                   pango_context_get_font_description (gtk_widget_get_pango_context (widget)));
      g_signal_connect_object (session, "visible-changed", G_CALLBACK (on_visible_changed), self, 0);
      g_signal_connect_object (session, "marks-changed", G_CALLBACK (invalidate), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::selected", G_CALLBACK (on_selected_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::selected-name", G_CALLBACK (invalidate), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "time-selection-changed", G_CALLBACK (invalidate), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "data-changed", G_CALLBACK (on_data_changed), self, G_CONNECT_SWAPPED);
    }
  gtk_adjustment_set_value (self->vadjustment, 0);
  update_vadjustment (self);
  invalidate (self);
}

CtxSession *
ctx_flame_view_get_session (CtxFlameView *self)
{
  return self->session;
}

GtkAdjustment *
ctx_flame_view_get_vadjustment (CtxFlameView *self)
{
  return self->vadjustment;
}

const CtxFlameStats *
ctx_flame_view_get_stats (CtxFlameView *self)
{
  static const CtxFlameStats none;

  return self->renderer != NULL ? ctx_flame_renderer_get_stats (self->renderer) : &none;
}

void
ctx_flame_view_toggle_lane (CtxFlameView *self,
                            guint         lane)
{
  if (self->layout == NULL)
    return;
  ctx_flame_layout_set_collapsed (self->layout, lane,
                                  !ctx_flame_layout_get_collapsed (self->layout, lane));
  update_vadjustment (self);
  invalidate (self);
}

gboolean
ctx_flame_view_get_lane_collapsed (CtxFlameView *self,
                                   guint         lane)
{
  return self->layout != NULL && ctx_flame_layout_get_collapsed (self->layout, lane);
}

gboolean
ctx_flame_view_export (CtxFlameView  *self,
                       const char    *path,
                       GError       **error)
{
  CtxFlameViewport vp;
  cairo_surface_t *surface;
  cairo_t *cr;

  if (self->renderer == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No trace is open"));
      return FALSE;
    }
  ctx_flame_view_get_viewport (self, &vp);
  surface = ctx_export_image_surface_new (path, MAX (vp.width, 1), MAX (vp.height, 1));
  cr = cairo_create (surface);
  ctx_flame_renderer_draw (self->renderer, cr, &vp);
  cairo_destroy (cr);
  if (ctx_export_image_finish (surface, path, error))
    return TRUE;
  /* The unused render node of the view stays valid; the export never touches it. */
  invalidate (self);
  return FALSE;
}

/* -- GObject ------------------------------------------------------------------------- */

static void
ctx_flame_view_dispose (GObject *object)
{
  CtxFlameView *self = CTX_FLAME_VIEW (object);

  clear_session (self);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  G_OBJECT_CLASS (ctx_flame_view_parent_class)->dispose (object);
}

static void
ctx_flame_view_finalize (GObject *object)
{
  CtxFlameView *self = CTX_FLAME_VIEW (object);

  g_clear_object (&self->vadjustment);
  g_array_unref (self->flow_children);
  G_OBJECT_CLASS (ctx_flame_view_parent_class)->finalize (object);
}

static void
ctx_flame_view_class_init (CtxFlameViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ctx_flame_view_dispose;
  object_class->finalize = ctx_flame_view_finalize;
  widget_class->snapshot = ctx_flame_view_snapshot;
  widget_class->size_allocate = ctx_flame_view_size_allocate;
  widget_class->measure = ctx_flame_view_measure;
  widget_class->css_changed = ctx_flame_view_css_changed;
  gtk_widget_class_set_css_name (widget_class, "flameview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
add_controllers (CtxFlameView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *zoom = gtk_gesture_zoom_new ();

  g_signal_connect_object (key, "key-pressed", G_CALLBACK (on_key_pressed), self, 0);
  g_signal_connect_object (motion, "motion", G_CALLBACK (on_motion), self, 0);
  g_signal_connect_object (motion, "leave", G_CALLBACK (on_leave), self, 0);
  g_signal_connect_object (scroll, "scroll", G_CALLBACK (on_scroll), self, 0);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_pressed), self, 0);
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (on_drag_begin), self, 0);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (on_drag_update), self, 0);
  g_signal_connect_object (zoom, "begin", G_CALLBACK (on_zoom_begin), self, 0);
  g_signal_connect_object (zoom, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self, 0);
  gtk_widget_add_controller (widget, key);
  gtk_widget_add_controller (widget, motion);
  gtk_widget_add_controller (widget, scroll);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (zoom));
}

static void
ctx_flame_view_init (CtxFlameView *self)
{
  self->hovered = CTX_NONE;
  self->flow_children = g_array_new (FALSE, FALSE, sizeof (guint32));
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
ctx_flame_view_new (void)
{
  return g_object_new (CTX_TYPE_FLAME_VIEW, NULL);
}
