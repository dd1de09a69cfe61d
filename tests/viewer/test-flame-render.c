/* test-flame-render.c: the flame chart drawn offscreen: level of detail, hit testing,
 * extreme zooms and hostile timestamps (no display needed). */
#include <glib/gstdio.h>
#include <math.h>

#include "ctx-flame-renderer.h"
#include "ctx-gen-trace.h"
#include "ctx-session.h"

typedef struct
{
  char *dir;
  CtxTraceModel *model;
  CtxSession *session;
  CtxFlameLayout *layout;
  CtxFlameIndex *index;
  CtxFlameRenderer *renderer;
  cairo_surface_t *surface;
  cairo_t *cr;
} Fixture;

#define W 1000
#define H 700

static CtxTraceModel *
load_generated (const char *dir, const CtxGenOptions *options)
{
  g_autofree char *path = g_build_filename (dir, "trace.db", NULL);
  g_autoptr(GError) error = NULL;
  CtxTraceModel *model;

  g_assert_true (ctx_gen_trace (path, options, NULL, &error));
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return model;
}

static void
fixture_attach (Fixture *f, CtxTraceModel *model)
{
  f->model = model;
  f->session = ctx_session_new (model);
  f->layout = ctx_flame_layout_new (model);
  f->index = ctx_flame_index_new (model, ctx_session_get_origin (f->session));
  f->renderer = ctx_flame_renderer_new (model, f->layout, f->index, ctx_session_get_origin (f->session));
  f->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  f->cr = cairo_create (f->surface);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  CtxGenOptions options = { .n_spans = 20000, .n_processes = 2, .threads_per_process = 2,
                            .error_every = 50, .attrs_every = 5, .open_every = 7, .seed = 3 };

  f->dir = g_dir_make_tmp ("ctx-render-XXXXXX", NULL);
  fixture_attach (f, load_generated (f->dir, &options));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "trace.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  cairo_destroy (f->cr);
  cairo_surface_destroy (f->surface);
  ctx_flame_renderer_free (f->renderer);
  ctx_flame_index_unref (f->index);
  ctx_flame_layout_free (f->layout);
  g_object_unref (f->session);
  g_object_unref (f->model);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
}

static CtxFlameViewport
viewport (Fixture *f)
{
  CtxFlameViewport vp = { .width = W, .height = H, .selected = CTX_NONE,
                          .tsel_start = 1, .tsel_end = 0 };

  ctx_session_get_visible (f->session, &vp.start, &vp.end);
  return vp;
}

/* Distinct colours in the lanes area: a blank or one-colour frame has very few. */
static guint
count_colors (cairo_surface_t *surface)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  const guint8 *data;
  int stride;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = CTX_FLAME_RULER_HEIGHT; y < H; y += 3)
    for (int x = 0; x < W; x += 3)
      g_hash_table_add (seen, GUINT_TO_POINTER (*(const guint32 *) (data + y * stride + x * 4)));
  return g_hash_table_size (seen);
}

static void
test_whole_trace (Fixture *f, gconstpointer data)
{
  CtxFlameViewport vp = viewport (f);
  const CtxFlameStats *stats;

  ctx_flame_renderer_draw (f->renderer, f->cr, &vp);
  stats = ctx_flame_renderer_get_stats (f->renderer);
  g_assert_cmpuint (cairo_status (f->cr), ==, CAIRO_STATUS_SUCCESS);
  /* 20000 spans on 1000 px: most rows are merged into blocks, not drawn one by one. */
  g_assert_cmpuint (stats->n_merged, >, 0);
  g_assert_cmpuint (stats->n_spans + stats->n_merged, <, ctx_trace_model_get_n_spans (f->model) / 2);
  g_assert_cmpuint (count_colors (f->surface), >, 8);
}

static guint32
first_root (Fixture *f)
{
  const CtxLane *lane = ctx_trace_model_get_lane (f->model, 0);
  return g_array_index (lane->rows[0], guint32, 0);
}

static void
test_zoomed_span (Fixture *f, gconstpointer data)
{
  guint32 root = first_root (f);
  CtxFlameViewport vp;

  ctx_session_zoom_to_span (f->session, root);
  vp = viewport (f);
  ctx_flame_renderer_draw (f->renderer, f->cr, &vp);
  /* A root filling the view is drawn on its own, with its name. */
  g_assert_cmpuint (ctx_flame_renderer_get_stats (f->renderer)->n_spans, >, 0);
  g_assert_cmpuint (ctx_flame_renderer_get_stats (f->renderer)->n_labels, >, 0);
  g_assert_cmpfloat (vp.start, <, ctx_session_span_start (f->session, root));
  g_assert_cmpfloat (vp.end, >, ctx_session_span_end (f->session, root));
}

static void
test_hit_roundtrip (Fixture *f, gconstpointer data)
{
  guint n = ctx_trace_model_get_n_spans (f->model);
  guint checked = 0;

  ctx_session_zoom_to_span (f->session, first_root (f));
  for (guint32 i = 0; i < n; i++)
    {
      CtxFlameViewport vp = viewport (f);
      double x, y, w, h;

      if (!ctx_flame_renderer_span_rect (f->renderer, &vp, i, &x, &y, &w, &h) ||
          w < 8 || x < 0 || x + w > W || y < CTX_FLAME_RULER_HEIGHT || y + h > H)
        continue;
      g_assert_cmpuint (ctx_flame_renderer_hit_span (f->renderer, &vp, x + w / 2, y + h / 2), ==, i);
      checked++;
    }
  g_assert_cmpuint (checked, >, 3);
}

static void
test_extreme_zoom (Fixture *f, gconstpointer data)
{
  double start, end;

  for (guint lane = 0; lane < 3; lane++)
    {
      const GArray *roots = ctx_trace_model_get_lane (f->model, lane)->rows[0];
      guint k = roots->len / 2;
      guint32 root;

      /* Open roots run to the end of the trace, under later roots: pick a closed one. */
      while (ctx_trace_model_get_spans (f->model)[g_array_index (roots, guint32, k)].flags & CTX_SPAN_OPEN)
        k++;
      root = g_array_index (roots, guint32, k);
      double mid;
      mid = (ctx_session_span_start (f->session, root) + ctx_session_span_end (f->session, root)) / 2;
      CtxFlameViewport vp;

      /* Asking for less than 1 ns gives exactly 1 ns. */
      ctx_session_set_visible (f->session, mid, mid + 0.001);
      ctx_session_get_visible (f->session, &start, &end);
      g_assert_cmpfloat (fabs ((end - start) - CTX_SESSION_MIN_VISIBLE_NS), <, 1e-6);
      vp = viewport (f);
      vp.selected = g_array_index (roots, guint32, 0);  /* its outline is far away: clamped */
      ctx_flame_renderer_draw (f->renderer, f->cr, &vp);
      g_assert_cmpuint (cairo_status (f->cr), ==, CAIRO_STATUS_SUCCESS);
      /* The root covering the 1 ns view is one box, millions of px wide before clamping. */
      g_assert_cmpuint (ctx_flame_renderer_get_stats (f->renderer)->n_spans, >, 0);
      g_assert_cmpuint (ctx_flame_renderer_hit_span (f->renderer, &vp, W / 2.0,
                                                     CTX_FLAME_RULER_HEIGHT - vp.scroll_y +
                                                     ctx_flame_layout_find_lane (f->layout, lane)->rows_y + 5),
                        ==, root);
    }
  /* Zooming out never goes far beyond the whole trace. */
  ctx_session_zoom (f->session, start, 1e30);
  ctx_session_get_visible (f->session, &start, &end);
  g_assert_cmpfloat (end - start, <=, ctx_session_get_duration (f->session) * 1.1 + 1);
}

static void
test_marks_and_collapse (Fixture *f, gconstpointer data)
{
  guint n = ctx_trace_model_get_n_spans (f->model);
  guint8 *marks = g_new0 (guint8, n);
  double height = ctx_flame_layout_get_height (f->layout);
  const CtxFlameLaneBox *box;
  guint index, row;
  CtxFlameViewport vp;

  ctx_session_set_marks (f->session, marks);
  vp = viewport (f);
  ctx_flame_renderer_draw (f->renderer, f->cr, &vp);
  g_assert_cmpuint (count_colors (f->surface), >, 3);

  ctx_flame_layout_set_collapsed (f->layout, 0, TRUE);
  g_assert_cmpfloat (ctx_flame_layout_get_height (f->layout), <, height);
  box = ctx_flame_layout_find_lane (f->layout, 0);
  g_assert_cmpuint (box->n_rows, ==, 0);
  g_assert_cmpint (ctx_flame_layout_hit (f->layout, box->y + 2, &index, &row), ==, CTX_FLAME_HIT_LANE);
  g_assert_cmpuint (index, ==, 0);
  g_assert_cmpint (ctx_flame_layout_hit (f->layout, 2, &index, &row), ==, CTX_FLAME_HIT_PROCESS);
}

static void
test_lanes_grouped (Fixture *f, gconstpointer data)
{
  guint n = ctx_flame_layout_get_n_lanes (f->layout);
  guint last_process = 0;

  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpuint (ctx_flame_layout_get_n_processes (f->layout), ==, 2);
  for (guint i = 0; i < n; i++)
    {
      const CtxFlameLaneBox *box = ctx_flame_layout_get_lane_box (f->layout, i);
      guint process = ctx_trace_model_get_lane (f->model, box->lane)->process;

      g_assert_cmpuint (process, >=, last_process);
      last_process = process;
    }
}

static void
draw_bad (const char *kind)
{
  g_autofree char *dir = g_dir_make_tmp ("ctx-render-bad-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "trace.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtxTraceModel) model = NULL;
  Fixture f = { .dir = g_steal_pointer (&dir) };
  CtxFlameViewport vp;

  g_assert_true (ctx_gen_bad (path, kind, &error));
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fixture_attach (&f, g_object_ref (model));
  for (double factor = 1; factor > 1e-25; factor *= 1e-4)
    {
      ctx_session_zoom (f.session, ctx_session_get_duration (f.session) / 2, factor);
      vp = viewport (&f);
      ctx_flame_renderer_draw (f.renderer, f.cr, &vp);
      g_assert_cmpuint (cairo_status (f.cr), ==, CAIRO_STATUS_SUCCESS);
      ctx_flame_renderer_hit_span (f.renderer, &vp, W / 2.0, CTX_FLAME_RULER_HEIGHT + 30);
    }
  fixture_teardown (&f, NULL);
}

static void
test_bad_times (void)
{
  draw_bad ("bad-times");
  draw_bad ("int64-limits");
  draw_bad ("huge-name");
}

static void
test_cross_thread_arrow (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ctx-render-flow-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "trace.db", NULL);
  g_autoptr(GError) error = NULL;
  gint64 t0 = G_GINT64_CONSTANT (1700000000000000000);
  CtxGen *gen = ctx_gen_new (path, &error);
  gint64 proc = ctx_gen_process (gen, 1, "app");
  gint64 a = ctx_gen_thread (gen, proc, 1, "main");
  gint64 b = ctx_gen_thread (gen, proc, 2, "pool");
  Fixture f = { .dir = g_steal_pointer (&dir) };
  CtxFlameViewport vp;
  guint32 child;

  ctx_gen_span (gen, &(CtxGenSpan) { .id = 1, .thread_id = a, .name = "submit", .start_ns = t0, .dur_ns = 1000 });
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 2, .parent_id = 1, .thread_id = b, .name = "work",
                                     .start_ns = t0 + 100, .dur_ns = 400 });
  g_assert_true (ctx_gen_close (gen, FALSE, &error));
  fixture_attach (&f, ctx_trace_model_load (path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  child = ctx_trace_model_find_id (f.model, 2);
  g_assert_true (ctx_trace_model_get_spans (f.model)[child].flags & CTX_SPAN_CROSS_THREAD);
  vp = viewport (&f);
  vp.selected = child;
  ctx_flame_renderer_draw (f.renderer, f.cr, &vp);
  g_assert_cmpuint (ctx_flame_renderer_get_stats (f.renderer)->n_arrows, ==, 1);
  vp.selected = ctx_trace_model_find_id (f.model, 1);
  ctx_flame_renderer_draw (f.renderer, f.cr, &vp);
  g_assert_cmpuint (ctx_flame_renderer_get_stats (f.renderer)->n_arrows, ==, 0);
  /* With the parent selected, its children on other threads get the arrow. */
  vp.flow_children = &child;
  vp.n_flow_children = 1;
  ctx_flame_renderer_draw (f.renderer, f.cr, &vp);
  g_assert_cmpuint (ctx_flame_renderer_get_stats (f.renderer)->n_arrows, ==, 1);
  fixture_teardown (&f, NULL);
}

/* A span covering later ones in its row (bad nesting, or open) stays drawn when the view
 * is past its start. */
static void
test_overlapping_row (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ctx-render-overlap-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "trace.db", NULL);
  g_autoptr(GError) error = NULL;
  gint64 t0 = G_GINT64_CONSTANT (1700000000000000000);
  CtxGen *gen = ctx_gen_new (path, &error);
  gint64 proc = ctx_gen_process (gen, 1, "app");
  gint64 a = ctx_gen_thread (gen, proc, 1, "main");
  Fixture f = { .dir = g_steal_pointer (&dir) };
  CtxFlameViewport vp;

  ctx_gen_span (gen, &(CtxGenSpan) { .id = 1, .thread_id = a, .name = "long", .start_ns = t0, .dur_ns = 10000 });
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 2, .thread_id = a, .name = "b", .start_ns = t0 + 1000, .dur_ns = 1000 });
  ctx_gen_span (gen, &(CtxGenSpan) { .id = 3, .thread_id = a, .name = "c", .start_ns = t0 + 3000, .dur_ns = 1000 });
  g_assert_true (ctx_gen_close (gen, FALSE, &error));
  fixture_attach (&f, ctx_trace_model_load (path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  ctx_session_set_visible (f.session, 3200, 3800);
  vp = viewport (&f);
  ctx_flame_renderer_draw (f.renderer, f.cr, &vp);
  /* "c" from the walk, "long" from the overlap list, "b" is off screen. */
  g_assert_cmpuint (ctx_flame_renderer_get_stats (f.renderer)->n_spans, ==, 2);
  fixture_teardown (&f, NULL);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/flame-render/whole-trace", Fixture, NULL, fixture_setup, test_whole_trace, fixture_teardown);
  g_test_add ("/flame-render/zoomed-span", Fixture, NULL, fixture_setup, test_zoomed_span, fixture_teardown);
  g_test_add ("/flame-render/hit-roundtrip", Fixture, NULL, fixture_setup, test_hit_roundtrip, fixture_teardown);
  g_test_add ("/flame-render/extreme-zoom", Fixture, NULL, fixture_setup, test_extreme_zoom, fixture_teardown);
  g_test_add ("/flame-render/marks-collapse", Fixture, NULL, fixture_setup, test_marks_and_collapse, fixture_teardown);
  g_test_add ("/flame-render/lanes-grouped", Fixture, NULL, fixture_setup, test_lanes_grouped, fixture_teardown);
  g_test_add_func ("/flame-render/bad-times", test_bad_times);
  g_test_add_func ("/flame-render/cross-thread-arrow", test_cross_thread_arrow);
  g_test_add_func ("/flame-render/overlapping-row", test_overlapping_row);
  return g_test_run ();
}
