/* ctx-session.c: the shared state of one open trace (see ctx-session.h). */
#include "config.h"

#include <math.h>

#include "ctx-session.h"
#include "ctx-time.h"

/* Statistics follow a dragged time selection at most this often, and a live file's new
 * rows less often (each computation holds the model's reader lock, which pauses refresh). */
#define SCOPE_DEBOUNCE_MS 150
#define DATA_DEBOUNCE_MS 500

struct _CtxSession
{
  GObject parent_instance;

  CtxTraceModel *model;
  gint64 origin;
  double duration;
  double visible_start;
  double visible_end;
  guint32 selected;
  guint8 *marks;
  double tsel_start;
  double tsel_end;
  gboolean empty_at_origin;
  guint32 selected_name;

  CtxAggregate *aggregate;
  GCancellable *agg_cancellable;  /* the computation running, if any */
  guint agg_timeout;              /* a computation waiting for its debounce */
  gboolean agg_wanted;            /* someone asked: keep it up to date */
  gboolean agg_stale;             /* scope or data changed since it was started */
};

G_DEFINE_FINAL_TYPE (CtxSession, ctx_session, G_TYPE_OBJECT)

enum { PROP_0, PROP_SELECTED, PROP_SELECTED_NAME, N_PROPS };
enum { VISIBLE_CHANGED, MARKS_CHANGED, TIME_SELECTION_CHANGED, DATA_CHANGED, AGGREGATE_CHANGED,
       N_SIGNALS };

static GParamSpec *properties[N_PROPS];

static void aggregate_invalidate (CtxSession *self, guint delay_ms);
static guint signals[N_SIGNALS];

static void
ctx_session_dispose (GObject *object)
{
  CtxSession *self = CTX_SESSION (object);

  g_cancellable_cancel (self->agg_cancellable);
  g_clear_object (&self->agg_cancellable);
  g_clear_handle_id (&self->agg_timeout, g_source_remove);
  G_OBJECT_CLASS (ctx_session_parent_class)->dispose (object);
}

static void
ctx_session_finalize (GObject *object)
{
  CtxSession *self = CTX_SESSION (object);

  g_clear_pointer (&self->aggregate, ctx_aggregate_unref);
  g_clear_object (&self->model);
  g_clear_pointer (&self->marks, g_free);
  G_OBJECT_CLASS (ctx_session_parent_class)->finalize (object);
}

static void
ctx_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CtxSession *self = CTX_SESSION (object);

  if (prop_id == PROP_SELECTED)
    g_value_set_uint (value, self->selected);
  else if (prop_id == PROP_SELECTED_NAME)
    g_value_set_uint (value, self->selected_name);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ctx_session_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CtxSession *self = CTX_SESSION (object);

  if (prop_id == PROP_SELECTED)
    ctx_session_set_selected (self, g_value_get_uint (value));
  else if (prop_id == PROP_SELECTED_NAME)
    ctx_session_set_selected_name (self, g_value_get_uint (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ctx_session_class_init (CtxSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ctx_session_dispose;
  object_class->finalize = ctx_session_finalize;
  object_class->get_property = ctx_session_get_property;
  object_class->set_property = ctx_session_set_property;

  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT32, CTX_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_NAME] =
    g_param_spec_uint ("selected-name", NULL, NULL, 0, G_MAXUINT32, CTX_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[VISIBLE_CHANGED] = g_signal_new ("visible-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  signals[MARKS_CHANGED] = g_signal_new ("marks-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
  signals[DATA_CHANGED] = g_signal_new ("data-changed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 0);
  signals[TIME_SELECTION_CHANGED] = g_signal_new ("time-selection-changed",
                                                  G_TYPE_FROM_CLASS (klass),
                                                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                  G_TYPE_NONE, 0);
  signals[AGGREGATE_CHANGED] = g_signal_new ("aggregate-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
}

static void
ctx_session_init (CtxSession *self)
{
  self->selected = CTX_NONE;
  self->selected_name = CTX_NONE;
  self->tsel_start = 1;
  self->tsel_end = 0;
}

/* The time axis starts at the earliest span: the model's range also counts process rows,
 * whose start can be far earlier than any span (a zero start_ns would otherwise make "fit"
 * show decades of nothing).  Rows are sorted by start, so their first spans suffice. */
static void
span_extent (CtxTraceModel *model,
             gint64        *start,
             gint64        *end)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);
  guint n_lanes = ctx_trace_model_get_n_lanes (model);
  gint64 first = G_MAXINT64;

  for (guint l = 0; l < n_lanes; l++)
    {
      const CtxLane *lane = ctx_trace_model_get_lane (model, l);

      for (guint d = 0; d < lane->n_rows; d++)
        if (lane->rows[d]->len > 0)
          first = MIN (first, spans[g_array_index (lane->rows[d], guint32, 0)].start_ns);
    }
  *start = first != G_MAXINT64 ? first : ctx_trace_model_get_start_ns (model);
  *end = MAX (ctx_trace_model_get_end_ns (model), *start);
}

CtxSession *
ctx_session_new (CtxTraceModel *model)
{
  CtxSession *self = g_object_new (CTX_TYPE_SESSION, NULL);
  gint64 end;

  self->model = g_object_ref (model);
  span_extent (model, &self->origin, &end);
  self->empty_at_origin = ctx_trace_model_get_n_spans (model) == 0;
  self->duration = MAX (ctx_time_rel (end, self->origin), CTX_SESSION_MIN_VISIBLE_NS);
  ctx_session_fit (self);
  return self;
}

CtxTraceModel *
ctx_session_get_model (CtxSession *self)
{
  return self->model;
}

double
ctx_session_get_duration (CtxSession *self)
{
  return self->duration;
}

gint64
ctx_session_get_origin (CtxSession *self)
{
  return self->origin;
}

double
ctx_session_span_start (CtxSession *self,
                        guint32     span)
{
  return ctx_time_rel (ctx_trace_model_get_spans (self->model)[span].start_ns, self->origin);
}

double
ctx_session_span_end (CtxSession *self,
                      guint32     span)
{
  const CtxSpan *s = &ctx_trace_model_get_spans (self->model)[span];

  /* A span with end < start in the file is drawn with zero length. */
  return MAX (ctx_time_rel (s->end_ns, self->origin), ctx_time_rel (s->start_ns, self->origin));
}

void
ctx_session_get_visible (CtxSession *self,
                         double     *start,
                         double     *end)
{
  *start = self->visible_start;
  *end = self->visible_end;
}

void
ctx_session_set_visible (CtxSession *self,
                         double      start,
                         double      end)
{
  double max_len = self->duration * 1.1;
  double len = end - start;
  double margin;

  if (!isfinite (start) || !isfinite (end))
    return;
  len = CLAMP (len, CTX_SESSION_MIN_VISIBLE_NS, MAX (max_len, CTX_SESSION_MIN_VISIBLE_NS));
  /* Keep at least part of the trace in view whatever the pan. */
  margin = MAX (self->duration * 0.05, len * 0.5);
  start = CLAMP (start, -margin, self->duration + margin - len);
  if (start == self->visible_start && start + len == self->visible_end)
    return;
  self->visible_start = start;
  self->visible_end = start + len;
  g_signal_emit (self, signals[VISIBLE_CHANGED], 0);
}

void
ctx_session_zoom (CtxSession *self,
                  double      anchor,
                  double      factor)
{
  double len = self->visible_end - self->visible_start;
  double pos = len > 0 ? (anchor - self->visible_start) / len : 0.5;
  double new_len = len * factor;

  new_len = CLAMP (new_len, CTX_SESSION_MIN_VISIBLE_NS, self->duration * 1.1);
  ctx_session_set_visible (self, anchor - pos * new_len, anchor + (1 - pos) * new_len);
}

void
ctx_session_pan (CtxSession *self,
                 double      delta)
{
  ctx_session_set_visible (self, self->visible_start + delta, self->visible_end + delta);
}

void
ctx_session_fit (CtxSession *self)
{
  /* A little room on both sides so that the first and last spans do not touch the edges. */
  ctx_session_set_visible (self, -self->duration * 0.01, self->duration * 1.01);
}

void
ctx_session_zoom_to_span (CtxSession *self,
                          guint32     span)
{
  double start = ctx_session_span_start (self, span);
  double end = ctx_session_span_end (self, span);
  double pad = MAX ((end - start) * 0.05, 0.5);

  ctx_session_set_visible (self, start - pad, end + pad);
}

void
ctx_session_reveal_span (CtxSession *self,
                         guint32     span)
{
  double start = ctx_session_span_start (self, span);
  double end = ctx_session_span_end (self, span);
  double len = self->visible_end - self->visible_start;

  if (end >= self->visible_start && start <= self->visible_end)
    return;
  ctx_session_set_visible (self, (start + end) / 2 - len / 2, (start + end) / 2 + len / 2);
}

guint32
ctx_session_get_selected (CtxSession *self)
{
  return self->selected;
}

void
ctx_session_set_selected (CtxSession *self,
                          guint32     span)
{
  if (span != CTX_NONE && span >= ctx_trace_model_get_n_spans (self->model))
    span = CTX_NONE;
  if (span == self->selected)
    return;
  self->selected = span;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
  ctx_session_set_selected_name (self, span != CTX_NONE
                                       ? ctx_trace_model_get_spans (self->model)[span].name
                                       : CTX_NONE);
}

guint32
ctx_session_get_selected_name (CtxSession *self)
{
  return self->selected_name;
}

void
ctx_session_set_selected_name (CtxSession *self,
                               guint32     name)
{
  if (name != CTX_NONE && name >= ctx_trace_model_get_n_strings (self->model))
    name = CTX_NONE;
  if (name == self->selected_name)
    return;
  self->selected_name = name;
  if (self->selected != CTX_NONE &&
      ctx_trace_model_get_spans (self->model)[self->selected].name != name)
    {
      self->selected = CTX_NONE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_NAME]);
}

void
ctx_session_set_marks (CtxSession *self,
                       guint8     *marks)
{
  g_free (self->marks);
  self->marks = marks;
  g_signal_emit (self, signals[MARKS_CHANGED], 0);
}

const guint8 *
ctx_session_get_marks (CtxSession *self)
{
  return self->marks;
}

/* -- shared statistics ---------------------------------------------------------------- */

void
ctx_session_get_scope (CtxSession *self,
                       gint64     *start_ns,
                       gint64     *end_ns)
{
  double start, end;

  *start_ns = *end_ns = 0;
  if (!ctx_session_get_time_selection (self, &start, &end) || !(end > start))
    return;
  /* Relative doubles back to absolute integers, saturating for hostile origins. */
  *start_ns = self->origin + (gint64) CLAMP (floor (start), -4e18, 4e18);
  *end_ns = self->origin + (gint64) CLAMP (ceil (end), -4e18, 4e18);
}

static void aggregate_start (CtxSession *self);

static void
on_aggregate_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CtxSession) self = user_data;
  g_autoptr(GError) error = NULL;
  CtxAggregate *aggregate = ctx_aggregate_compute_finish (CTX_TRACE_MODEL (source), result, &error);

  if (aggregate == NULL)
    return;  /* cancelled: a newer one is on its way, or the session is gone */
  g_clear_object (&self->agg_cancellable);
  g_clear_pointer (&self->aggregate, ctx_aggregate_unref);
  self->aggregate = aggregate;
  g_signal_emit (self, signals[AGGREGATE_CHANGED], 0);
  if (self->agg_stale && self->agg_timeout == 0)
    aggregate_start (self);
}

static void
aggregate_start (CtxSession *self)
{
  gint64 start, end;

  g_cancellable_cancel (self->agg_cancellable);
  g_clear_object (&self->agg_cancellable);
  self->agg_cancellable = g_cancellable_new ();
  self->agg_stale = FALSE;
  ctx_session_get_scope (self, &start, &end);
  ctx_aggregate_compute_async (self->model, start, end, self->agg_cancellable,
                               on_aggregate_done, g_object_ref (self));
}

static gboolean
aggregate_timeout (gpointer user_data)
{
  CtxSession *self = user_data;

  self->agg_timeout = 0;
  aggregate_start (self);
  return G_SOURCE_REMOVE;
}

/* Throttled rather than postponed: a stream of changes (a drag, a live file) still gets
 * fresh statistics every delay_ms. */
static void
aggregate_invalidate (CtxSession *self,
                      guint       delay_ms)
{
  self->agg_stale = TRUE;
  if (self->agg_wanted && self->agg_timeout == 0)
    self->agg_timeout = g_timeout_add (delay_ms, aggregate_timeout, self);
}

CtxAggregate *
ctx_session_get_aggregate (CtxSession *self)
{
  self->agg_wanted = TRUE;
  if ((self->aggregate == NULL || self->agg_stale) && self->agg_cancellable == NULL &&
      self->agg_timeout == 0)
    aggregate_start (self);
  return self->aggregate;
}

gboolean
ctx_session_is_aggregating (CtxSession *self)
{
  return self->agg_cancellable != NULL || self->agg_timeout != 0;
}

void
ctx_session_set_time_selection (CtxSession *self,
                                double      start,
                                double      end)
{
  self->tsel_start = start;
  self->tsel_end = end;
  g_signal_emit (self, signals[TIME_SELECTION_CHANGED], 0);
  aggregate_invalidate (self, SCOPE_DEBOUNCE_MS);
}

gboolean
ctx_session_get_time_selection (CtxSession *self,
                                double     *start,
                                double     *end)
{
  *start = self->tsel_start;
  *end = self->tsel_end;
  return self->tsel_start <= self->tsel_end;
}

gboolean
ctx_session_is_at_end (CtxSession *self)
{
  return self->visible_end >= self->duration;
}

void
ctx_session_data_changed (CtxSession *self,
                          gboolean    follow)
{
  double len = self->visible_end - self->visible_start;
  gint64 end;

  /* A trace that was empty took its origin from the process rows: take the first span's. */
  if (self->empty_at_origin && ctx_trace_model_get_n_spans (self->model) > 0)
    {
      span_extent (self->model, &self->origin, &end);
      self->empty_at_origin = FALSE;
    }
  end = MAX (ctx_trace_model_get_end_ns (self->model), self->origin);

  self->duration = MAX (ctx_time_rel (end, self->origin), CTX_SESSION_MIN_VISIBLE_NS);
  if (self->marks != NULL)
    ctx_session_set_marks (self, NULL);
  aggregate_invalidate (self, DATA_DEBOUNCE_MS);
  g_signal_emit (self, signals[DATA_CHANGED], 0);
  if (follow)
    ctx_session_set_visible (self, self->duration * 1.01 - len, self->duration * 1.01);
  else
    g_signal_emit (self, signals[VISIBLE_CHANGED], 0);
}
