/* ctx-minimap.c: the overview strip (see ctx-minimap.h).  Its histogram is computed when
 * the session is set, never while drawing. */
#include "config.h"

#include <math.h>

#include "ctx-minimap.h"

struct _CtxMinimapData
{
  double bins[CTX_MINIMAP_BINS];
  gboolean errors[CTX_MINIMAP_BINS];
};

struct _CtxMinimap
{
  GtkWidget parent_instance;

  CtxSession *session;
  CtxMinimapData *data;
  double drag_offset;  /* pointer time minus window start when the drag began */
};

G_DEFINE_FINAL_TYPE (CtxMinimap, ctx_minimap, GTK_TYPE_WIDGET)

static void
add_coverage (CtxMinimapData *self,
              double          start,
              double          end,
              double          bin_ns)
{
  guint first = (guint) CLAMP (start / bin_ns, 0, CTX_MINIMAP_BINS - 1);
  guint last = (guint) CLAMP (end / bin_ns, 0, CTX_MINIMAP_BINS - 1);

  for (guint b = first; b <= last; b++)
    {
      double lo = MAX (start, b * bin_ns), hi = MIN (end, (b + 1) * bin_ns);

      if (hi > lo)
        self->bins[b] += (hi - lo) / bin_ns;
    }
}

CtxMinimapData *
ctx_minimap_data_new (CtxSession *session)
{
  CtxMinimapData *self = g_new0 (CtxMinimapData, 1);
  CtxTraceModel *model = ctx_session_get_model (session);
  double bin_ns = ctx_session_get_duration (session) / CTX_MINIMAP_BINS;
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  guint n_lanes = ctx_trace_model_get_n_lanes (model);
  guint n = ctx_trace_model_get_n_spans (model);

  for (guint l = 0; l < n_lanes; l++)
    {
      const CtxLane *lane = ctx_trace_model_get_lane (model, l);
      const guint32 *ids = lane->n_rows > 0 ? (const guint32 *) lane->rows[0]->data : NULL;

      for (guint i = 0; lane->n_rows > 0 && i < lane->rows[0]->len; i++)
        add_coverage (self, ctx_session_span_start (session, ids[i]),
                      ctx_session_span_end (session, ids[i]), bin_ns);
    }
  for (guint b = 0; b < CTX_MINIMAP_BINS; b++)
    self->bins[b] = n_lanes > 0 ? MIN (self->bins[b] / n_lanes, 1) : 0;
  for (guint i = 0; i < n; i++)
    if (spans[i].status == 2)
      self->errors[(guint) CLAMP (ctx_session_span_start (session, i) / bin_ns, 0,
                                  CTX_MINIMAP_BINS - 1)] = TRUE;
  return self;
}

void
ctx_minimap_data_free (CtxMinimapData *data)
{
  g_free (data);
}

double
ctx_minimap_get_bin (CtxMinimap *self,
                     guint       i)
{
  return i < CTX_MINIMAP_BINS && self->data != NULL ? self->data->bins[i] : 0;
}

static void
append_histogram (CtxMinimap  *self,
                  GtkSnapshot *snapshot,
                  int          width,
                  int          height)
{
  GdkRGBA fill = { 0.21, 0.52, 0.89, 0.55 };
  GdkRGBA error = { 0.88, 0.11, 0.14, 0.9 };

  for (int x = 0; x < width; x++)
    {
      guint b0 = (guint) ((double) x / width * CTX_MINIMAP_BINS);
      guint b1 = MAX ((guint) ((double) (x + 1) / width * CTX_MINIMAP_BINS), b0 + 1);
      double v = 0;
      gboolean err = FALSE;

      for (guint b = b0; b < b1 && b < CTX_MINIMAP_BINS; b++)
        {
          v = MAX (v, self->data->bins[b]);
          err |= self->data->errors[b];
        }
      if (v > 0)
        gtk_snapshot_append_color (snapshot, &fill,
                                   &GRAPHENE_RECT_INIT (x, height - 2 - v * (height - 8), 1, v * (height - 8)));
      if (err)
        gtk_snapshot_append_color (snapshot, &error, &GRAPHENE_RECT_INIT (x, 0, 1, 4));
    }
}

static void
append_window (CtxMinimap  *self,
               GtkSnapshot *snapshot,
               int          width,
               int          height)
{
  double start, end, total = ctx_session_get_duration (self->session);
  GdkRGBA shade = { 0.5, 0.5, 0.5, 0.25 };
  GdkRGBA edge = { 0.21, 0.52, 0.89, 1 };
  double x0, x1;

  ctx_session_get_visible (self->session, &start, &end);
  x0 = CLAMP (start / total * width, 0, width);
  x1 = CLAMP (end / total * width, 0, width);
  x1 = MAX (x1, x0 + 2);  /* a 1 ns window still shows where it is */
  gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (0, 0, x0, height));
  gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (x1, 0, width - x1, height));
  gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (x0, 0, 1, height));
  gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (x1 - 1, 0, 1, height));
  gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (x0, height - 2, x1 - x0, 2));
}

static void
ctx_minimap_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  CtxMinimap *self = CTX_MINIMAP (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (self->session == NULL || self->data == NULL || width <= 0)
    return;
  append_histogram (self, snapshot, width, height);
  append_window (self, snapshot, width, height);
}

static void
ctx_minimap_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_VERTICAL ? 44 : 100;
}

static double
time_at (CtxMinimap *self,
         double      x)
{
  return x / MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1) *
         ctx_session_get_duration (self->session);
}

static void
move_window_to (CtxMinimap *self,
                double      x)
{
  double start, end;

  ctx_session_get_visible (self->session, &start, &end);
  ctx_session_set_visible (self->session, time_at (self, x) - self->drag_offset,
                           time_at (self, x) - self->drag_offset + (end - start));
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               CtxMinimap     *self)
{
  double start, end, t;

  if (self->session == NULL)
    return;
  ctx_session_get_visible (self->session, &start, &end);
  t = time_at (self, x);
  /* Grabbing inside the window keeps the grab point; outside, the window centres on it. */
  self->drag_offset = (t >= start && t <= end) ? t - start : (end - start) / 2;
  move_window_to (self, x);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                CtxMinimap     *self)
{
  double x0, y0;

  if (self->session == NULL || !gtk_gesture_drag_get_start_point (gesture, &x0, &y0))
    return;
  move_window_to (self, x0 + dx);
}

static void
on_data_changed (CtxMinimap *self)
{
  g_clear_pointer (&self->data, ctx_minimap_data_free);
  self->data = ctx_minimap_data_new (self->session);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ctx_minimap_set_session (CtxMinimap     *self,
                         CtxSession     *session,
                         CtxMinimapData *data)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  g_clear_pointer (&self->data, ctx_minimap_data_free);
  self->data = data;
  if (session != NULL)
    {
      if (self->data == NULL)
        self->data = ctx_minimap_data_new (session);
      g_signal_connect_object (session, "visible-changed", G_CALLBACK (gtk_widget_queue_draw),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "data-changed", G_CALLBACK (on_data_changed),
                               self, G_CONNECT_SWAPPED);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ctx_minimap_dispose (GObject *object)
{
  ctx_minimap_set_session (CTX_MINIMAP (object), NULL, NULL);
  G_OBJECT_CLASS (ctx_minimap_parent_class)->dispose (object);
}

static void
ctx_minimap_class_init (CtxMinimapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ctx_minimap_dispose;
  widget_class->snapshot = ctx_minimap_snapshot;
  widget_class->measure = ctx_minimap_measure;
  gtk_widget_class_set_css_name (widget_class, "minimap");
}

static void
ctx_minimap_init (CtxMinimap *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (on_drag_begin), self, 0);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (on_drag_update), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

GtkWidget *
ctx_minimap_new (void)
{
  return g_object_new (CTX_TYPE_MINIMAP, NULL);
}
