/* ctx-minimap.c: the overview strip (see ctx-minimap.h).  Its histogram is computed when
 * the session is set, never while drawing. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ctx-minimap.h"

/* Fine bins are a power of two of nanoseconds wide, so that a growing live trace folds
 * them in pairs instead of reading every span again; the drawn bins are derived. */
#define FINE_BINS (4 * CTX_MINIMAP_BINS)

typedef struct
{
  guint32 span;
  double covered_to;  /* outermost spans: coverage counted up to here */
} OpenSpan;

struct _CtxMinimapData
{
  double bins[CTX_MINIMAP_BINS];
  gboolean errors[CTX_MINIMAP_BINS];
  gint64 origin;
  double width;               /* ns per fine bin */
  double cover[FINE_BINS];    /* ns covered by outermost spans */
  gboolean fine_errors[FINE_BINS];
  guint n_seen;               /* spans folded in: the model only appends */
  GArray *open;               /* OpenSpan: may still grow, or end with an error */
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
              double          end)
{
  guint first, last;

  start = MAX (start, 0);
  if (end <= start)
    return;
  first = (guint) MIN (start / self->width, FINE_BINS - 1);
  last = (guint) MIN (end / self->width, FINE_BINS - 1);
  for (guint b = first; b <= last; b++)
    {
      double lo = MAX (start, b * self->width), hi = MIN (end, (b + 1) * self->width);

      if (hi > lo)
        self->cover[b] += hi - lo;
    }
}

static void
mark_error (CtxMinimapData *self,
            double          t)
{
  self->fine_errors[(guint) CLAMP (t / self->width, 0, FINE_BINS - 1)] = TRUE;
}

/* The trace grew past the fine bins: fold them in pairs. */
static void
fit_width (CtxMinimapData *self,
           double          duration)
{
  while (duration > FINE_BINS * self->width)
    {
      for (guint k = 0; k < FINE_BINS / 2; k++)
        {
          self->cover[k] = self->cover[2 * k] + self->cover[2 * k + 1];
          self->fine_errors[k] = self->fine_errors[2 * k] || self->fine_errors[2 * k + 1];
        }
      memset (self->cover + FINE_BINS / 2, 0, sizeof self->cover / 2);
      memset (self->fine_errors + FINE_BINS / 2, 0, sizeof self->fine_errors / 2);
      self->width *= 2;
    }
}

static void
add_span (CtxMinimapData *self,
          CtxSession     *session,
          const CtxSpan  *span,
          guint32         i)
{
  double end = ctx_session_span_end (session, i);

  if (span->depth == 0)
    add_coverage (self, ctx_session_span_start (session, i), end);
  if (span->status == 2)
    mark_error (self, ctx_session_span_start (session, i));
  if (span->flags & CTX_SPAN_OPEN)
    g_array_append_val (self->open, ((OpenSpan) { i, end }));
}

/* Open spans grow with the trace, and may end with an error. */
static void
update_open (CtxMinimapData *self,
             CtxSession     *session,
             const CtxSpan  *spans)
{
  guint kept = 0;

  for (guint k = 0; k < self->open->len; k++)
    {
      OpenSpan *o = &g_array_index (self->open, OpenSpan, k);
      double end = ctx_session_span_end (session, o->span);

      if (spans[o->span].depth == 0 && end > o->covered_to)
        add_coverage (self, o->covered_to, end);
      o->covered_to = MAX (o->covered_to, end);
      if (spans[o->span].flags & CTX_SPAN_OPEN)
        g_array_index (self->open, OpenSpan, kept++) = *o;
      else if (spans[o->span].status == 2)
        mark_error (self, ctx_session_span_start (session, o->span));
    }
  g_array_set_size (self->open, kept);
}

static double
fine_sum (CtxMinimapData *self,
          double          start,
          double          end)
{
  guint first = (guint) MIN (start / self->width, FINE_BINS - 1);
  guint last = (guint) MIN (end / self->width, FINE_BINS - 1);
  double sum = 0;

  for (guint b = first; b <= last; b++)
    {
      double lo = MAX (start, b * self->width), hi = MIN (end, (b + 1) * self->width);

      if (hi > lo)
        sum += self->cover[b] * (hi - lo) / self->width;
    }
  return sum;
}

static void
derive_bins (CtxMinimapData *self,
             double          duration,
             guint           n_lanes)
{
  double bin_ns = duration / CTX_MINIMAP_BINS;

  for (guint b = 0; b < CTX_MINIMAP_BINS; b++)
    self->bins[b] = n_lanes > 0 ? MIN (fine_sum (self, b * bin_ns, (b + 1) * bin_ns)
                                       / (bin_ns * n_lanes), 1) : 0;
  memset (self->errors, 0, sizeof self->errors);
  for (guint k = 0; k < FINE_BINS; k++)
    if (self->fine_errors[k])
      self->errors[(guint) CLAMP (k * self->width / bin_ns, 0, CTX_MINIMAP_BINS - 1)] = TRUE;
}

/* Folds in the spans the model gained since (all of them the first time). */
static void
update_data (CtxMinimapData *self,
             CtxSession     *session)
{
  CtxTraceModel *model = ctx_session_get_model (session);
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  guint n = ctx_trace_model_get_n_spans (model);
  double duration = ctx_session_get_duration (session);

  fit_width (self, duration);
  update_open (self, session, spans);
  for (guint32 i = self->n_seen; i < n; i++)
    add_span (self, session, &spans[i], i);
  self->n_seen = n;
  derive_bins (self, duration, ctx_trace_model_get_n_lanes (model));
}

CtxMinimapData *
ctx_minimap_data_new (CtxSession *session)
{
  CtxMinimapData *self = g_new0 (CtxMinimapData, 1);

  self->origin = ctx_session_get_origin (session);
  self->width = 1;
  self->open = g_array_new (FALSE, FALSE, sizeof (OpenSpan));
  update_data (self, session);
  return self;
}

void
ctx_minimap_data_free (CtxMinimapData *data)
{
  if (data == NULL)
    return;
  g_array_unref (data->open);
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

/* A live refresh: only the new spans are read, unless the origin moved (the trace was
 * empty until now). */
static void
on_data_changed (CtxMinimap *self)
{
  if (self->data != NULL && self->data->origin == ctx_session_get_origin (self->session))
    update_data (self->data, self->session);
  else
    {
      g_clear_pointer (&self->data, ctx_minimap_data_free);
      self->data = ctx_minimap_data_new (self->session);
    }
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
