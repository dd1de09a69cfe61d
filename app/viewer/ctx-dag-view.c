/* ctx-dag-view.c: the DAG view widget: inputs, the worker chain, transform and events.
 *
 * A change of input cancels what is running and starts a chain of GTasks: the aggregate
 * (call mode) or the links (span mode) on a worker, the scene built and filtered on the
 * main thread (it reads the model's strings and lanes, which a live refresh may grow), then
 * the layout on a worker.  Threshold and collapse changes reuse the last aggregate.  The
 * graph is drawn into one cached texture, redrawn when the scene, the selection or the
 * size change and shortly after the transform stops moving (meanwhile the texture moves);
 * the hovered node is outlined on top each frame. */
#include "config.h"

#include <math.h>

#include <cairo-svg.h>
#include <glib/gi18n.h>

#include "ctx-export-image.h"
#include "ctx-dag-view.h"
#include "ctx-dag-view-private.h"
#include "ctx-trace-links.h"

#define MARGIN 24.0
#define MAX_ZOOM 6.0
#define ZOOM_STEP 1.25
#define PAN_FRACTION 0.1
#define DEBOUNCE_MS 250
/* A moved graph is redrawn this long after the last move (panning a large graph stays
 * smooth: between redraws the last picture is moved). */
#define REDRAW_MS 60

struct _CtxDagView
{
  GtkWidget parent_instance;

  CtxSession *session;
  CtxDagMode mode;
  gboolean per_thread;
  gint64 scope_start;
  gint64 scope_end;
  double threshold;
  GHashTable *collapsed;   /* ctx_dag_node_key -> present */
  guint32 selected_name;
  guint32 graph_span;      /* span mode: the span whose trace is shown */

  CtxAggregate *aggregate; /* the last one computed, for re-filtering */
  GArray *links;           /* span mode: the file's links */
  CtxDagScene *scene;      /* what is shown */
  GCancellable *cancellable;
  gboolean busy;
  gboolean reload_pending; /* live data came while busy */
  gboolean fit_pending;
  guint debounce;

  double scale;
  double tx;
  double ty;
  /* The graph drawn once at (cache_scale, cache_tx, cache_ty); while the transform moves
   * away from it, it is shown transformed until the redraw timer draws it anew. */
  GdkTexture *cache;
  double cache_scale;
  double cache_tx;
  double cache_ty;
  guint redraw;
  gboolean dark;
  guint hovered;           /* node index or G_MAXUINT */
  double pointer_x;
  double pointer_y;

  double drag_tx;
  double drag_ty;
  double zoom_begin;
  GtkWidget *menu;
  guint menu_node;
};

enum
{
  NAME_ACTIVATED,
  SPAN_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CtxDagView, ctx_dag_view, GTK_TYPE_WIDGET)

static void start_chain (CtxDagView *self);
static void place_new_scene (CtxDagView *self);

static void
invalidate (CtxDagView *self)
{
  g_clear_object (&self->cache);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
redraw_now (gpointer data)
{
  CtxDagView *self = data;

  self->redraw = 0;
  invalidate (self);
  return G_SOURCE_REMOVE;
}

/* Only the transform changed: the cached picture follows now, the real one a bit later. */
static void
moved (CtxDagView *self)
{
  if (self->redraw != 0)
    g_source_remove (self->redraw);
  self->redraw = g_timeout_add (REDRAW_MS, redraw_now, self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static const CtxDagNode *
scene_node (CtxDagView *self, guint v)
{
  if (self->scene == NULL || v >= self->scene->nodes->len)
    return NULL;
  return &g_array_index (self->scene->nodes, CtxDagNode, v);
}

static const CtxDagLayout *
layout (CtxDagView *self)
{
  return self->scene != NULL ? self->scene->layout : NULL;
}

/* -- transform ----------------------------------------------------------------------- */

static double
fit_scale (CtxDagView *self)
{
  const CtxDagLayout *l = layout (self);
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  if (l == NULL)
    return 1;
  return MIN (w / (ctx_dag_layout_get_width (l) + 2 * MARGIN),
              h / (ctx_dag_layout_get_height (l) + 2 * MARGIN));
}

static double
min_zoom (CtxDagView *self)
{
  return CLAMP (MIN (fit_scale (self), 0.25) * 0.5, 0.005, 0.5);
}

static void
clamp_pan (CtxDagView *self)
{
  const CtxDagLayout *l = layout (self);
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double gw, gh;

  if (l == NULL)
    return;
  gw = ctx_dag_layout_get_width (l) * self->scale;
  gh = ctx_dag_layout_get_height (l) * self->scale;
  /* The graph's box always covers the middle of the view: every part of it can be brought
   * there, and no pan loses it (a corner of the box may be empty, its middle is not). */
  self->tx = CLAMP (self->tx, w / 2 - gw, w / 2);
  self->ty = CLAMP (self->ty, h / 2 - gh, h / 2);
}

/* Keeps the layout point under (x, y) where it is. */
static void
zoom_at (CtxDagView *self, double x, double y, double scale)
{
  double wx = (x - self->tx) / self->scale, wy = (y - self->ty) / self->scale;

  if (!isfinite (scale))
    scale = scale > 0 ? MAX_ZOOM : min_zoom (self);
  self->scale = CLAMP (scale, min_zoom (self), MAX_ZOOM);
  self->tx = x - wx * self->scale;
  self->ty = y - wy * self->scale;
  clamp_pan (self);
  moved (self);
}

static void
pan_by (CtxDagView *self, double dx, double dy)
{
  self->tx += dx;
  self->ty += dy;
  clamp_pan (self);
  moved (self);
}

void
ctx_dag_view_fit (CtxDagView *self)
{
  const CtxDagLayout *l = layout (self);
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  if (l == NULL || w <= 0 || h <= 0)
    {
      self->fit_pending = TRUE;
      return;
    }
  self->fit_pending = FALSE;
  self->scale = CLAMP (fit_scale (self), min_zoom (self), 1.0);
  self->tx = (w - ctx_dag_layout_get_width (l) * self->scale) / 2;
  self->ty = MAX ((h - ctx_dag_layout_get_height (l) * self->scale) / 2, MARGIN * self->scale);
  invalidate (self);
}

static void
center_on (CtxDagView *self, guint v)
{
  const CtxDagNodeBox *box = &ctx_dag_layout_get_nodes (layout (self))[v];
  double scale = MAX (self->scale, 1.0);

  self->scale = CLAMP (scale, min_zoom (self), MAX_ZOOM);
  self->tx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0 - (box->x + box->width / 2) * self->scale;
  self->ty = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0 - (box->y + box->height / 2) * self->scale;
  clamp_pan (self);
  moved (self);
}

static guint
node_at (CtxDagView *self, double x, double y)
{
  if (layout (self) == NULL)
    return G_MAXUINT;
  return ctx_dag_layout_node_at (layout (self), (x - self->tx) / self->scale,
                                 (y - self->ty) / self->scale);
}

static gboolean
on_toggle (CtxDagView *self, guint v, double x, double y)
{
  const CtxDagNodeBox *box = &ctx_dag_layout_get_nodes (layout (self))[v];
  const CtxDagNode *node = scene_node (self, v);
  double wx = (x - self->tx) / self->scale, wy = (y - self->ty) / self->scale;

  return (node->has_children || node->collapsed)
         && wx >= box->x + box->width - CTX_DAG_TOGGLE - 5
         && wy >= box->y + box->height - CTX_DAG_TOGGLE - 5;
}

/* -- drawing ------------------------------------------------------------------------- */

static void
draw_state (CtxDagView *self, CtxDagDrawState *state)
{
  GtkWidget *widget = GTK_WIDGET (self);

  *state = (CtxDagDrawState) {
    self->scale, self->tx, self->ty, gtk_widget_get_width (widget), gtk_widget_get_height (widget),
    self->selected_name, CTX_NONE, self->dark,
    pango_context_get_font_description (gtk_widget_get_pango_context (widget)),
  };
  if (self->mode == CTX_DAG_MODE_SPANS && self->session != NULL)
    state->selected_span = ctx_session_get_selected (self->session);
}

/* Drawn into memory once, so that hover frames and moves only copy pixels (a render
 * node of cairo drawing would be replayed by the cairo renderer every frame). */
static GdkTexture *
render_graph (CtxDagView *self)
{
  int sf = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  CtxDagDrawState state;
  cairo_surface_t *surface;
  GBytes *bytes;
  GdkTexture *texture;
  cairo_t *cr;

  draw_state (self, &state);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, state.width * sf, state.height * sf);
  cairo_surface_set_device_scale (surface, sf, sf);
  cr = cairo_create (surface);
  ctx_dag_scene_draw (self->scene, cr, &state);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      cairo_image_surface_get_stride (surface) * state.height * sf,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  texture = gdk_memory_texture_new (state.width * sf, state.height * sf, GDK_MEMORY_DEFAULT, bytes,
                                    cairo_image_surface_get_stride (surface));
  g_bytes_unref (bytes);
  self->cache_scale = self->scale;
  self->cache_tx = self->tx;
  self->cache_ty = self->ty;
  return texture;
}

/* The cached picture where the current transform puts it. */
static void
snapshot_cache (CtxDagView *self, GtkSnapshot *snapshot)
{
  double k = self->scale / self->cache_scale;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (GTK_WIDGET (self)),
                                               gtk_widget_get_height (GTK_WIDGET (self)));

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (self->tx - self->cache_tx * k,
                                                          self->ty - self->cache_ty * k));
  gtk_snapshot_scale (snapshot, k, k);
  gtk_snapshot_append_texture (snapshot, self->cache, &bounds);
  gtk_snapshot_restore (snapshot);
}

static void
snapshot_hover (CtxDagView *self, GtkSnapshot *snapshot)
{
  const CtxDagNodeBox *box;
  GskRoundedRect outline;
  GdkRGBA color = { 0.21, 0.52, 0.89, 0.8 };
  GdkRGBA colors[4] = { color, color, color, color };
  float widths[4] = { 2, 2, 2, 2 };

  if (self->hovered == G_MAXUINT || layout (self) == NULL)
    return;
  box = &ctx_dag_layout_get_nodes (layout (self))[self->hovered];
  gsk_rounded_rect_init_from_rect (&outline,
                                   &GRAPHENE_RECT_INIT (box->x * self->scale + self->tx - 1,
                                                        box->y * self->scale + self->ty - 1,
                                                        box->width * self->scale + 2,
                                                        box->height * self->scale + 2), 4);
  gtk_snapshot_append_border (snapshot, &outline, widths, colors);
}

static char *
status_text (CtxDagView *self)
{
  GString *text = g_string_new (NULL);
  const CtxDagScene *s = self->scene;

  if (s != NULL)
    g_string_append_printf (text, g_dngettext (NULL, "%u node", "%u nodes", s->nodes->len), s->nodes->len);
  if (s != NULL && s->n_hidden_threshold > 0)
    g_string_append_printf (text, _(" · %u hidden under %g%% of the total"), s->n_hidden_threshold,
                            s->threshold);
  if (s != NULL && s->n_hidden_collapsed > 0)
    g_string_append_printf (text, _(" · %u in collapsed nodes"), s->n_hidden_collapsed);
  if (s != NULL && s->n_omitted > 0)
    g_string_append_printf (text, _(" · %u more spans not shown"), s->n_omitted);
  if (s != NULL && s->n_links > 0)
    g_string_append_printf (text, g_dngettext (NULL, " · %u link", " · %u links", s->n_links), s->n_links);
  if (self->busy)
    g_string_append (text, text->len > 0 ? _(" · laying out…") : _("Laying out…"));
  return g_string_free (text, FALSE);
}

static void
snapshot_status (CtxDagView *self, GtkSnapshot *snapshot)
{
  g_autofree char *text = status_text (self);
  PangoLayout *pl;
  GdkRGBA fg = { 0.1, 0.1, 0.1, 1 }, bg = { 1, 1, 1, 0.85 };
  int w, h;

  if (text[0] == '\0')
    return;
  if (self->dark)
    {
      fg = (GdkRGBA) { 0.9, 0.9, 0.9, 1 };
      bg = (GdkRGBA) { 0.12, 0.12, 0.12, 0.85 };
    }
  pl = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_get_pixel_size (pl, &w, &h);
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (6, 6, w + 12, h + 6));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (12, 9));
  gtk_snapshot_append_layout (snapshot, pl, &fg);
  gtk_snapshot_restore (snapshot);
  g_object_unref (pl);
}

static void
snapshot_empty (CtxDagView *self, GtkSnapshot *snapshot)
{
  const char *text = self->mode == CTX_DAG_MODE_SPANS ? _("No span to show") : _("No calls in this range");
  PangoLayout *pl = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  GdkRGBA fg = { 0.5, 0.5, 0.5, 1 };
  int w, h;

  pango_layout_get_pixel_size (pl, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((gtk_widget_get_width (GTK_WIDGET (self)) - w) / 2.0,
                                                          (gtk_widget_get_height (GTK_WIDGET (self)) - h) / 2.0));
  gtk_snapshot_append_layout (snapshot, pl, &fg);
  gtk_snapshot_restore (snapshot);
  g_object_unref (pl);
}

static void
ctx_dag_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CtxDagView *self = CTX_DAG_VIEW (widget);

  if (gtk_widget_get_width (widget) <= 0)
    return;
  if (self->scene != NULL && self->scene->nodes->len == 0 && !self->busy)
    snapshot_empty (self, snapshot);
  if (layout (self) != NULL)
    {
      if (self->cache == NULL)
        self->cache = render_graph (self);
      snapshot_cache (self, snapshot);
      snapshot_hover (self, snapshot);
    }
  snapshot_status (self, snapshot);
}

static void
ctx_dag_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  CtxDagView *self = CTX_DAG_VIEW (widget);

  if (self->fit_pending)
    place_new_scene (self);
  else
    clamp_pan (self);
  if (self->menu != NULL && gtk_widget_get_visible (self->menu))
    gtk_popover_present (GTK_POPOVER (self->menu));
  invalidate (self);
}

static void
ctx_dag_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                      int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 150;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 600;
}

static void
ctx_dag_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  CtxDagView *self = CTX_DAG_VIEW (widget);
  GdkRGBA fg;

  GTK_WIDGET_CLASS (ctx_dag_view_parent_class)->css_changed (widget, change);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  /* Light text means a dark theme. */
  self->dark = 0.299 * fg.red + 0.587 * fg.green + 0.114 * fg.blue > 0.5;
  invalidate (self);
}

/* -- the worker chain ---------------------------------------------------------------- */

static gboolean
stale (GTask *task)
{
  return g_cancellable_is_cancelled (g_task_get_cancellable (task));
}

static guint
node_of_span (CtxDagView *self, guint32 span)
{
  for (guint v = 0; span != CTX_NONE && self->scene != NULL && v < self->scene->nodes->len; v++)
    if (scene_node (self, v)->span == span)
      return v;
  return G_MAXUINT;
}

/* A whole trace's spans are often too many to read at fit: span mode opens at the span
 * that was selected, at full size. */
static void
place_new_scene (CtxDagView *self)
{
  guint v = self->mode == CTX_DAG_MODE_SPANS ? node_of_span (self, self->graph_span) : G_MAXUINT;

  if (v != G_MAXUINT && fit_scale (self) < 0.5 && gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    {
      self->fit_pending = FALSE;
      center_on (self, v);
    }
  else
    ctx_dag_view_fit (self);
}

/* The chain ended (with a scene or an error): a reload that waited starts now. */
static void
chain_done (CtxDagView *self)
{
  self->busy = FALSE;
  if (self->reload_pending && self->session != NULL)
    {
      self->reload_pending = FALSE;
      g_clear_pointer (&self->aggregate, ctx_aggregate_unref);
      g_clear_pointer (&self->links, g_array_unref);
      self->busy = TRUE;
      start_chain (self);
    }
}

static void
finish_chain (CtxDagView *self, CtxDagScene *scene)
{
  gboolean first = self->scene == NULL;

  ctx_dag_scene_free (self->scene);
  self->scene = scene;
  self->hovered = G_MAXUINT;
  if (first || self->fit_pending)
    place_new_scene (self);
  else
    clamp_pan (self);
  invalidate (self);
  chain_done (self);
}

static void
layout_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  CtxDagLayout *result = ctx_dag_layout_compute (data, NULL, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) ctx_dag_layout_free);
}

static void
layout_done (GObject *source, GAsyncResult *result, gpointer data)
{
  CtxDagView *self = CTX_DAG_VIEW (source);
  g_autoptr (CtxDagScene) scene = data;
  g_autoptr (GError) error = NULL;
  CtxDagLayout *l = g_task_propagate_pointer (G_TASK (result), &error);

  if (stale (G_TASK (result)))
    {
      ctx_dag_layout_free (l);
      return;
    }
  if (l == NULL)
    {
      g_warning ("Graph layout: %s", error->message);
      chain_done (self);
      return;
    }
  ctx_dag_scene_set_layout (scene, l);
  finish_chain (self, g_steal_pointer (&scene));
}

static void
font_metrics (CtxDagView *self, double *char_width, double *line_height)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);

  /* Labels are bold: a little wider than the average character. */
  *char_width = pango_font_metrics_get_approximate_char_width (metrics) / (double) PANGO_SCALE * 1.1;
  *line_height = (pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics))
                 / (double) PANGO_SCALE + 2;
  pango_font_metrics_unref (metrics);
}

static void
start_layout (CtxDagView *self, CtxDagScene *scene)
{
  double char_width, line_height;
  GTask *task;
  CtxDagGraph *graph;

  font_metrics (self, &char_width, &line_height);
  graph = ctx_dag_scene_make_graph (scene, char_width, line_height);
  task = g_task_new (self, self->cancellable, layout_done, scene);
  g_task_set_task_data (task, graph, (GDestroyNotify) ctx_dag_graph_free);
  g_task_run_in_thread (task, layout_thread);
  g_object_unref (task);
}

static void
build_scene (CtxDagView *self)
{
  CtxTraceModel *model = ctx_session_get_model (self->session);
  CtxDagFilter filter = { self->collapsed, self->threshold };
  CtxDagScene *scene;

  if (self->mode == CTX_DAG_MODE_CALLS)
    scene = ctx_dag_scene_from_aggregate (self->aggregate, model, self->per_thread, &filter);
  else
    scene = ctx_dag_scene_from_spans (model, self->graph_span, self->links, &filter);
  start_layout (self, scene);
}

typedef struct
{
  CtxTraceModel *model;
  gint64 start;
  gint64 end;
  CtxAggregateFlags flags;
} AggregateJob;

static void
aggregate_job_free (AggregateJob *job)
{
  g_object_unref (job->model);
  g_free (job);
}

static void
aggregate_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  AggregateJob *job = data;
  GError *error = NULL;
  CtxAggregate *aggregate = ctx_aggregate_compute_full (job->model, job->start, job->end,
                                                        job->flags, cancellable, &error);

  if (aggregate == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, aggregate, (GDestroyNotify) ctx_aggregate_unref);
}

static void
aggregate_done (GObject *source, GAsyncResult *result, gpointer data)
{
  CtxDagView *self = CTX_DAG_VIEW (source);
  g_autoptr (GError) error = NULL;
  CtxAggregate *aggregate = g_task_propagate_pointer (G_TASK (result), &error);

  if (aggregate == NULL || stale (G_TASK (result)) || self->session == NULL)
    {
      g_clear_pointer (&aggregate, ctx_aggregate_unref);
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Call graph: %s", error->message);
          chain_done (self);
        }
      return;
    }
  g_clear_pointer (&self->aggregate, ctx_aggregate_unref);
  self->aggregate = aggregate;
  build_scene (self);
}

static void
start_aggregate (CtxDagView *self)
{
  AggregateJob *job = g_new0 (AggregateJob, 1);
  GTask *task = g_task_new (self, self->cancellable, aggregate_done, NULL);

  job->model = g_object_ref (ctx_session_get_model (self->session));
  job->start = self->scope_start;
  job->end = self->scope_end;
  job->flags = self->per_thread ? CTX_AGGREGATE_PER_LANE : CTX_AGGREGATE_DEFAULT;
  g_task_set_task_data (task, job, (GDestroyNotify) aggregate_job_free);
  g_task_run_in_thread (task, aggregate_thread);
  g_object_unref (task);
}

static void
links_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  GArray *links = ctx_trace_links_load (data, CTX_DAG_MAX_LINKS, cancellable, &error);

  if (links == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, links, (GDestroyNotify) g_array_unref);
}

static void
links_done (GObject *source, GAsyncResult *result, gpointer data)
{
  CtxDagView *self = CTX_DAG_VIEW (source);
  g_autoptr (GError) error = NULL;
  GArray *links = g_task_propagate_pointer (G_TASK (result), &error);

  if (stale (G_TASK (result)) || self->session == NULL)
    {
      g_clear_pointer (&links, g_array_unref);
      return;
    }
  /* A file whose links cannot be read still has its spans: show them without. */
  if (links == NULL)
    {
      g_warning ("Span graph: links not read: %s", error->message);
      links = g_array_new (FALSE, FALSE, sizeof (CtxTraceLink));
    }
  g_clear_pointer (&self->links, g_array_unref);
  self->links = links;
  build_scene (self);
}

static void
start_links (CtxDagView *self)
{
  const char *path = ctx_trace_model_get_path (ctx_session_get_model (self->session));
  GTask *task = g_task_new (self, self->cancellable, links_done, NULL);

  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, links_thread);
  g_object_unref (task);
}

/* Cancels what runs and starts over from what is cached (reload: from the model). */
static void
refresh (CtxDagView *self, gboolean reload)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->debounce, g_source_remove);
  self->reload_pending = FALSE;
  if (reload)
    {
      g_clear_pointer (&self->aggregate, ctx_aggregate_unref);
      g_clear_pointer (&self->links, g_array_unref);
    }
  if (self->session == NULL)
    {
      self->busy = FALSE;
      return;
    }
  self->cancellable = g_cancellable_new ();
  self->busy = TRUE;
  start_chain (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
start_chain (CtxDagView *self)
{
  if (self->mode == CTX_DAG_MODE_CALLS && self->aggregate == NULL)
    start_aggregate (self);
  else if (self->mode == CTX_DAG_MODE_SPANS && self->links == NULL)
    start_links (self);
  else
    build_scene (self);
}

/* -- selection and activation -------------------------------------------------------- */

static void
activate_node (CtxDagView *self, guint v)
{
  const CtxDagNode *node = scene_node (self, v);

  self->selected_name = node->name;
  invalidate (self);
  if (node->span != CTX_NONE)
    g_signal_emit (self, signals[SPAN_ACTIVATED], 0, (guint) node->span);
  g_signal_emit (self, signals[NAME_ACTIVATED], 0, (guint) node->name);
}

static void
toggle_collapsed (CtxDagView *self, guint v)
{
  gpointer key = ctx_dag_node_key (scene_node (self, v));

  if (!g_hash_table_remove (self->collapsed, key))
    g_hash_table_add (self->collapsed, key);
  refresh (self, FALSE);
}

/* -- input --------------------------------------------------------------------------- */

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CtxDagView *self)
{
  guint v = node_at (self, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (v == G_MAXUINT)
    return;
  if (n_press == 1 && on_toggle (self, v, x, y))
    toggle_collapsed (self, v);
  else if (n_press == 1)
    activate_node (self, v);
  else if (n_press == 2)
    center_on (self, v);
}

static void
show_menu (CtxDagView *self, guint v, double x, double y)
{
  const CtxDagNode *node = scene_node (self, v);
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autoptr (GMenu) node_section = g_menu_new ();
  g_autoptr (GMenu) hide = g_menu_new ();
  g_autoptr (GMenu) view = g_menu_new ();

  self->menu_node = v;
  if (node != NULL && (node->has_children || node->collapsed))
    g_menu_append (node_section, node->collapsed ? _("Expand") : _("Collapse"), "dag.toggle-collapse");
  g_menu_append (node_section, _("Expand All"), "dag.expand-all");
  g_menu_append (hide, _("Show All Nodes"), "dag.threshold(0.0)");
  g_menu_append (hide, _("Hide Nodes Under 1% of the Total"), "dag.threshold(1.0)");
  g_menu_append (hide, _("Hide Nodes Under 5% of the Total"), "dag.threshold(5.0)");
  g_menu_append (view, self->per_thread ? _("One Node per Name") : _("One Node per Name and Thread"),
                 "dag.toggle-per-thread");
  g_menu_append (view, self->mode == CTX_DAG_MODE_CALLS ? _("Spans of the Selected Trace")
                                                        : _("Call Graph"), "dag.toggle-mode");
  g_menu_append (view, _("Fit"), "dag.fit");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (node_section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (hide));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (view));
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->menu), G_MENU_MODEL (menu));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle) { x, y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
on_secondary (GtkGestureClick *gesture, int n_press, double x, double y, CtxDagView *self)
{
  show_menu (self, node_at (self, x, y), x, y);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CtxDagView *self)
{
  self->drag_tx = self->tx;
  self->drag_ty = self->ty;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, CtxDagView *self)
{
  self->tx = self->drag_tx;
  self->ty = self->drag_ty;
  pan_by (self, dx, dy);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, CtxDagView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean pixels = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_SURFACE;
  double px_dx = pixels ? dx : dx * 50, px_dy = pixels ? dy : dy * 50;

  if (state & GDK_CONTROL_MASK)
    zoom_at (self, self->pointer_x, self->pointer_y, self->scale * exp (-px_dy * 0.005));
  else if (state & GDK_SHIFT_MASK)
    pan_by (self, -px_dy, 0);
  else
    pan_by (self, -px_dx, -px_dy);
  return TRUE;
}

static void
on_zoom_begin (GtkGesture *gesture, GdkEventSequence *sequence, CtxDagView *self)
{
  self->zoom_begin = self->scale;
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture, double scale, CtxDagView *self)
{
  double cx, cy;

  if (scale > 0 && gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    zoom_at (self, cx, cy, self->zoom_begin * scale);
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, CtxDagView *self)
{
  guint v = node_at (self, x, y);

  self->pointer_x = x;
  self->pointer_y = y;
  if (v != self->hovered)
    {
      self->hovered = v;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *controller, CtxDagView *self)
{
  if (self->hovered != G_MAXUINT)
    {
      self->hovered = G_MAXUINT;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, CtxDagView *self)
{
  double cx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0, cy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  double step_x = cx * 2 * PAN_FRACTION, step_y = cy * 2 * PAN_FRACTION;

  switch (keyval)
    {
    case GDK_KEY_Home: case GDK_KEY_0: case GDK_KEY_KP_0:
      ctx_dag_view_fit (self);
      return TRUE;
    case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
      zoom_at (self, cx, cy, self->scale * ZOOM_STEP);
      return TRUE;
    case GDK_KEY_minus: case GDK_KEY_KP_Subtract:
      zoom_at (self, cx, cy, self->scale / ZOOM_STEP);
      return TRUE;
    case GDK_KEY_Left: pan_by (self, step_x, 0); return TRUE;
    case GDK_KEY_Right: pan_by (self, -step_x, 0); return TRUE;
    case GDK_KEY_Up: pan_by (self, 0, step_y); return TRUE;
    case GDK_KEY_Down: pan_by (self, 0, -step_y); return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  CtxDagView *self)
{
  const CtxDagNode *node = scene_node (self, node_at (self, x, y));
  g_autofree char *text = NULL;

  if (node == NULL || keyboard)
    return FALSE;
  text = g_strdup_printf ("%s\n%s\n%s", node->label, node->stats, node->self);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* -- actions ------------------------------------------------------------------------- */

static void
action_toggle_collapse (GtkWidget *widget, const char *name, GVariant *param)
{
  CtxDagView *self = CTX_DAG_VIEW (widget);

  if (scene_node (self, self->menu_node) != NULL)
    toggle_collapsed (self, self->menu_node);
}

static void
action_expand_all (GtkWidget *widget, const char *name, GVariant *param)
{
  ctx_dag_view_expand_all (CTX_DAG_VIEW (widget));
}

static void
action_threshold (GtkWidget *widget, const char *name, GVariant *param)
{
  ctx_dag_view_set_threshold (CTX_DAG_VIEW (widget), g_variant_get_double (param));
}

static void
action_per_thread (GtkWidget *widget, const char *name, GVariant *param)
{
  CtxDagView *self = CTX_DAG_VIEW (widget);

  ctx_dag_view_set_per_thread (self, !self->per_thread);
}

static void
action_mode (GtkWidget *widget, const char *name, GVariant *param)
{
  CtxDagView *self = CTX_DAG_VIEW (widget);

  ctx_dag_view_set_mode (self, self->mode == CTX_DAG_MODE_CALLS ? CTX_DAG_MODE_SPANS : CTX_DAG_MODE_CALLS);
}

static void
action_fit (GtkWidget *widget, const char *name, GVariant *param)
{
  ctx_dag_view_fit (CTX_DAG_VIEW (widget));
}

/* -- session ------------------------------------------------------------------------- */

/* A file that keeps growing must not cancel every computation before it ends: while one
 * runs, the reload waits for it (chain_done). */
static gboolean
debounced_reload (gpointer data)
{
  CtxDagView *self = data;

  self->debounce = 0;
  if (self->busy)
    self->reload_pending = TRUE;
  else
    refresh (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* Live refresh: recompute after the data settles, keeping zoom and place. */
static void
on_data_changed (CtxDagView *self)
{
  if (self->debounce == 0)
    self->debounce = g_timeout_add (DEBOUNCE_MS, debounced_reload, self);
}

/* Span mode follows the selection into another trace; within one, it only highlights. */
static void
on_selected_changed (CtxDagView *self)
{
  guint32 span = ctx_session_get_selected (self->session);

  if (self->mode != CTX_DAG_MODE_SPANS)
    return;
  if (span != CTX_NONE && node_of_span (self, span) == G_MAXUINT)
    {
      self->graph_span = span;
      self->fit_pending = TRUE;
      refresh (self, FALSE);
    }
  invalidate (self);
}

/* -- public -------------------------------------------------------------------------- */

void
ctx_dag_view_set_session (CtxDagView *self, CtxSession *session)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  g_clear_pointer (&self->scene, ctx_dag_scene_free);
  g_hash_table_remove_all (self->collapsed);
  self->selected_name = CTX_NONE;
  self->graph_span = session != NULL ? ctx_session_get_selected (session) : CTX_NONE;
  self->fit_pending = TRUE;
  if (session != NULL)
    {
      g_signal_connect_object (session, "data-changed", G_CALLBACK (on_data_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::selected", G_CALLBACK (on_selected_changed), self, G_CONNECT_SWAPPED);
    }
  refresh (self, TRUE);
}

void
ctx_dag_view_set_scope (CtxDagView *self, gint64 start_ns, gint64 end_ns)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  if (start_ns >= end_ns)
    start_ns = end_ns = 0;
  if (start_ns == self->scope_start && end_ns == self->scope_end)
    return;
  self->scope_start = start_ns;
  self->scope_end = end_ns;
  if (self->mode == CTX_DAG_MODE_CALLS)
    refresh (self, TRUE);
  else
    g_clear_pointer (&self->aggregate, ctx_aggregate_unref);
}

void
ctx_dag_view_set_per_thread (CtxDagView *self, gboolean per_thread)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  if (!per_thread == !self->per_thread)
    return;
  self->per_thread = per_thread;
  g_hash_table_remove_all (self->collapsed);
  self->fit_pending = TRUE;
  g_clear_pointer (&self->aggregate, ctx_aggregate_unref);
  if (self->mode == CTX_DAG_MODE_CALLS)
    refresh (self, FALSE);
}

void
ctx_dag_view_set_mode (CtxDagView *self, CtxDagMode mode)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  if (mode == self->mode)
    return;
  self->mode = mode;
  g_hash_table_remove_all (self->collapsed);
  if (self->session != NULL && mode == CTX_DAG_MODE_SPANS)
    self->graph_span = ctx_session_get_selected (self->session);
  self->fit_pending = TRUE;
  refresh (self, FALSE);
}

void
ctx_dag_view_select_name (CtxDagView *self, guint32 name)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  if (name == self->selected_name)
    return;
  self->selected_name = name;
  invalidate (self);
}

void
ctx_dag_view_set_threshold (CtxDagView *self, double percent)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  percent = isfinite (percent) ? CLAMP (percent, 0, 100) : 0;
  if (percent == self->threshold)
    return;
  self->threshold = percent;
  refresh (self, FALSE);
}

void
ctx_dag_view_set_collapsed (CtxDagView *self, guint32 name, gboolean collapsed)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  for (guint v = 0; self->scene != NULL && v < self->scene->nodes->len; v++)
    {
      gpointer key = ctx_dag_node_key (scene_node (self, v));

      if (scene_node (self, v)->name != name)
        continue;
      if (collapsed)
        g_hash_table_add (self->collapsed, key);
      else
        g_hash_table_remove (self->collapsed, key);
    }
  refresh (self, FALSE);
}

void
ctx_dag_view_expand_all (CtxDagView *self)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  if (g_hash_table_size (self->collapsed) == 0)
    return;
  g_hash_table_remove_all (self->collapsed);
  refresh (self, FALSE);
}

gboolean
ctx_dag_view_is_busy (CtxDagView *self)
{
  return self->busy || self->debounce != 0 || self->reload_pending;
}

guint
ctx_dag_view_get_n_nodes (CtxDagView *self)
{
  return self->scene != NULL ? self->scene->nodes->len : 0;
}

guint
ctx_dag_view_get_n_hidden (CtxDagView *self)
{
  return self->scene != NULL ? self->scene->n_hidden_threshold + self->scene->n_hidden_collapsed : 0;
}

guint
ctx_dag_view_get_n_back_edges (CtxDagView *self)
{
  return self->scene != NULL ? self->scene->n_back : 0;
}

guint
ctx_dag_view_get_n_link_edges (CtxDagView *self)
{
  return self->scene != NULL ? self->scene->n_links : 0;
}

guint32
ctx_dag_view_get_selected_name (CtxDagView *self)
{
  return self->selected_name;
}

guint32
ctx_dag_view_name_at (CtxDagView *self, double x, double y)
{
  const CtxDagNode *node = scene_node (self, node_at (self, x, y));

  return node != NULL ? node->name : CTX_NONE;
}

gboolean
ctx_dag_view_get_node_rect (CtxDagView *self, guint32 name, graphene_rect_t *rect)
{
  for (guint v = 0; layout (self) != NULL && v < self->scene->nodes->len; v++)
    {
      const CtxDagNodeBox *box = &ctx_dag_layout_get_nodes (layout (self))[v];

      if (scene_node (self, v)->name != name)
        continue;
      graphene_rect_init (rect, box->x * self->scale + self->tx, box->y * self->scale + self->ty,
                          box->width * self->scale, box->height * self->scale);
      return TRUE;
    }
  return FALSE;
}

double
ctx_dag_view_get_zoom (CtxDagView *self)
{
  return self->scale;
}

void
ctx_dag_view_set_zoom (CtxDagView *self, double zoom)
{
  g_return_if_fail (CTX_IS_DAG_VIEW (self));
  zoom_at (self, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0, zoom);
}

gboolean
ctx_dag_view_export (CtxDagView *self, const char *path, GError **error)
{
  CtxDagDrawState state;
  cairo_surface_t *surface;
  cairo_t *cr;

  g_return_val_if_fail (CTX_IS_DAG_VIEW (self), FALSE);
  if (layout (self) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No graph is shown"));
      return FALSE;
    }
  draw_state (self, &state);
  surface = ctx_export_image_surface_new (path, MAX (state.width, 1), MAX (state.height, 1));
  cr = cairo_create (surface);
  if (cairo_surface_get_type (surface) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      cairo_set_source_rgb (cr, state.dark ? 0.14 : 1, state.dark ? 0.14 : 1, state.dark ? 0.14 : 1);
      cairo_paint (cr);
    }
  ctx_dag_scene_draw (self->scene, cr, &state);
  cairo_destroy (cr);
  return ctx_export_image_finish (surface, path, error);
}

/* -- GObject ------------------------------------------------------------------------- */

static void
ctx_dag_view_dispose (GObject *object)
{
  CtxDagView *self = CTX_DAG_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->debounce, g_source_remove);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_handle_id (&self->redraw, g_source_remove);
  g_clear_object (&self->cache);
  G_OBJECT_CLASS (ctx_dag_view_parent_class)->dispose (object);
}

static void
ctx_dag_view_finalize (GObject *object)
{
  CtxDagView *self = CTX_DAG_VIEW (object);

  g_clear_pointer (&self->scene, ctx_dag_scene_free);
  g_clear_pointer (&self->aggregate, ctx_aggregate_unref);
  g_clear_pointer (&self->links, g_array_unref);
  g_hash_table_unref (self->collapsed);
  G_OBJECT_CLASS (ctx_dag_view_parent_class)->finalize (object);
}

static void
install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "dag.toggle-collapse", NULL, action_toggle_collapse);
  gtk_widget_class_install_action (widget_class, "dag.expand-all", NULL, action_expand_all);
  gtk_widget_class_install_action (widget_class, "dag.threshold", "d", action_threshold);
  gtk_widget_class_install_action (widget_class, "dag.toggle-per-thread", NULL, action_per_thread);
  gtk_widget_class_install_action (widget_class, "dag.toggle-mode", NULL, action_mode);
  gtk_widget_class_install_action (widget_class, "dag.fit", NULL, action_fit);
}

static void
ctx_dag_view_class_init (CtxDagViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ctx_dag_view_dispose;
  object_class->finalize = ctx_dag_view_finalize;
  widget_class->snapshot = ctx_dag_view_snapshot;
  widget_class->size_allocate = ctx_dag_view_size_allocate;
  widget_class->measure = ctx_dag_view_measure;
  widget_class->css_changed = ctx_dag_view_css_changed;
  signals[NAME_ACTIVATED] = g_signal_new ("name-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SPAN_ACTIVATED] = g_signal_new ("span-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_UINT);
  install_actions (widget_class);
  gtk_widget_class_set_css_name (widget_class, "dagview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
add_click (CtxDagView *self, guint button, GCallback callback)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), button);
  g_signal_connect_object (click, "pressed", callback, self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

static void
add_controllers (CtxDagView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *zoom = gtk_gesture_zoom_new ();

  add_click (self, GDK_BUTTON_PRIMARY, G_CALLBACK (on_pressed));
  add_click (self, GDK_BUTTON_SECONDARY, G_CALLBACK (on_secondary));
  g_signal_connect_object (key, "key-pressed", G_CALLBACK (on_key_pressed), self, 0);
  g_signal_connect_object (motion, "motion", G_CALLBACK (on_motion), self, 0);
  g_signal_connect_object (motion, "leave", G_CALLBACK (on_leave), self, 0);
  g_signal_connect_object (scroll, "scroll", G_CALLBACK (on_scroll), self, 0);
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (on_drag_begin), self, 0);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (on_drag_update), self, 0);
  g_signal_connect_object (zoom, "begin", G_CALLBACK (on_zoom_begin), self, 0);
  g_signal_connect_object (zoom, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self, 0);
  gtk_widget_add_controller (widget, key);
  gtk_widget_add_controller (widget, motion);
  gtk_widget_add_controller (widget, scroll);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (zoom));
}

static void
ctx_dag_view_init (CtxDagView *self)
{
  self->collapsed = g_hash_table_new (NULL, NULL);
  self->selected_name = CTX_NONE;
  self->graph_span = CTX_NONE;
  self->hovered = G_MAXUINT;
  self->scale = 1;
  self->fit_pending = TRUE;
  self->menu = gtk_popover_menu_new_from_model (NULL);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  add_controllers (self);
}

GtkWidget *
ctx_dag_view_new (void)
{
  return g_object_new (CTX_TYPE_DAG_VIEW, NULL);
}
