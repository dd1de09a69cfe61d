/* ctx-session.c: the shared state of one open trace (see ctx-session.h). */
#include "config.h"

#include <math.h>

#include "ctx-session.h"
#include "ctx-time.h"

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
};

G_DEFINE_FINAL_TYPE (CtxSession, ctx_session, G_TYPE_OBJECT)

enum { PROP_0, PROP_SELECTED, N_PROPS };
enum { VISIBLE_CHANGED, MARKS_CHANGED, TIME_SELECTION_CHANGED, DATA_CHANGED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
ctx_session_finalize (GObject *object)
{
  CtxSession *self = CTX_SESSION (object);

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
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ctx_session_class_init (CtxSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ctx_session_finalize;
  object_class->get_property = ctx_session_get_property;
  object_class->set_property = ctx_session_set_property;

  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT32, CTX_NONE,
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
}

static void
ctx_session_init (CtxSession *self)
{
  self->selected = CTX_NONE;
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

void
ctx_session_set_time_selection (CtxSession *self,
                                double      start,
                                double      end)
{
  self->tsel_start = start;
  self->tsel_end = end;
  g_signal_emit (self, signals[TIME_SELECTION_CHANGED], 0);
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
  g_signal_emit (self, signals[DATA_CHANGED], 0);
  if (follow)
    ctx_session_set_visible (self, self->duration * 1.01 - len, self->duration * 1.01);
  else
    g_signal_emit (self, signals[VISIBLE_CHANGED], 0);
}
