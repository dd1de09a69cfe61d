/* bench-flame-render: how long one flame-chart frame takes to draw, offscreen.
 *
 *   bench-flame-render [N_SPANS] [--keep FILE] [--frames N]
 *
 * Writes a synthetic trace of N spans (default 10M) over 8 threads (or reuses FILE when it
 * exists), loads it, and draws frames into a 1920x1080 cairo image surface at several zoom
 * levels, panning across the trace between frames.  The baseline, measured in the same run,
 * is the frame a perfect level of detail cannot beat: one 1-px box per pixel column for every
 * visible row, filled with the same cairo calls.  One JSON line per zoom level: median and
 * p99 ms of thread CPU time, and ratio = median / baseline median.  Target: <= 16 ms per
 * frame at 10M spans. */
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "ctx-flame-renderer.h"
#include "ctx-gen-trace.h"
#include "ctx-session.h"

#define WIDTH 1920
#define HEIGHT 1080

typedef struct
{
  CtxSession *session;
  CtxFlameLayout *layout;
  CtxFlameRenderer *renderer;
  cairo_surface_t *surface;
  cairo_t *cr;
  int frames;
} Bench;

/* CPU time of this thread: the machine running the bench is shared, and wall time
 * would measure the neighbours' load as much as our drawing. */
static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
percentile (GArray *times, double p)
{
  g_array_sort (times, compare_doubles);
  return g_array_index (times, double, (guint) MIN (times->len - 1, floor (p * times->len)));
}

static double
draw_frame (Bench *b, double start, double end)
{
  CtxFlameViewport vp = { .start = start, .end = end, .width = WIDTH, .height = HEIGHT,
                          .selected = CTX_NONE, .tsel_start = 1, .tsel_end = 0 };
  double t0 = now_ms ();

  ctx_flame_renderer_draw (b->renderer, b->cr, &vp);
  cairo_surface_flush (b->surface);
  return now_ms () - t0;
}

static double
baseline_frame (Bench *b, guint rows)
{
  double t0 = now_ms ();

  cairo_set_source_rgb (b->cr, 1, 1, 1);
  cairo_paint (b->cr);
  cairo_set_source_rgb (b->cr, 0.5, 0.6, 0.8);
  for (guint r = 0; r < rows; r++)
    for (int x = 0; x < WIDTH; x += 2)
      cairo_rectangle (b->cr, x, CTX_FLAME_RULER_HEIGHT + r * CTX_FLAME_ROW_HEIGHT, 1, CTX_FLAME_ROW_HEIGHT - 1);
  cairo_fill (b->cr);
  cairo_surface_flush (b->surface);
  return now_ms () - t0;
}

static guint
visible_rows (Bench *b)
{
  guint rows = 0;

  for (guint i = 0; i < ctx_flame_layout_get_n_lanes (b->layout); i++)
    {
      const CtxFlameLaneBox *box = ctx_flame_layout_get_lane_box (b->layout, i);
      if (box->rows_y < HEIGHT)
        rows += box->n_rows;
    }
  return MIN (rows, (HEIGHT - CTX_FLAME_RULER_HEIGHT) / CTX_FLAME_ROW_HEIGHT);
}

/* Frames of visible length len, panned evenly across the trace. */
static GArray *
run_level (Bench *b, double len, guint *drawn)
{
  double total = ctx_session_get_duration (b->session);
  GArray *times = g_array_new (FALSE, FALSE, sizeof (double));

  *drawn = 0;
  for (int i = 0; i < b->frames; i++)
    {
      double start = (total - len) * i / MAX (b->frames - 1, 1);
      double ms = draw_frame (b, start, start + len);
      const CtxFlameStats *stats = ctx_flame_renderer_get_stats (b->renderer);

      g_array_append_val (times, ms);
      *drawn = MAX (*drawn, stats->n_spans + stats->n_merged);
    }
  return times;
}

static void
report (const char *level, double len, GArray *times, double baseline, guint n_spans, guint drawn)
{
  double median = percentile (times, 0.5), p99 = percentile (times, 0.99);

  printf ("{\"bench\":\"flame-render\",\"spans\":%u,\"width\":%d,\"height\":%d,"
          "\"zoom\":\"%s\",\"visible_ns\":%.0f,\"frames\":%u,\"median_ms\":%.3f,"
          "\"p99_ms\":%.3f,\"baseline_median_ms\":%.3f,\"ratio\":%.2f,\"boxes\":%u,"
          "\"target_ms\":16,\"ok\":%s}\n",
          n_spans, WIDTH, HEIGHT, level, len, times->len, median, p99, baseline,
          baseline > 0 ? median / baseline : 0, drawn, median <= 16 ? "true" : "false");
  fflush (stdout);
}

static CtxTraceModel *
load_trace (const char *path, guint n_spans)
{
  g_autoptr(GError) error = NULL;
  CtxGenOptions options = { .n_spans = n_spans, .n_processes = 2, .threads_per_process = 4,
                            .fanout = 4, .max_depth = 5, .error_every = 97, .seed = 1 };
  CtxTraceModel *model;

  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !ctx_gen_trace (path, &options, NULL, &error))
    g_error ("generating %s: %s", path, error->message);
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  if (model == NULL)
    g_error ("loading %s: %s", path, error->message);
  return model;
}

int
main (int argc, char *argv[])
{
  g_autofree char *keep = NULL;
  int frames = 60;
  GOptionEntry entries[] = {
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Trace file to reuse (written if missing)", "FILE" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &frames, "Frames per zoom level", "N" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[N_SPANS]");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *path = NULL;
  g_autoptr(CtxTraceModel) model = NULL;
  guint n_spans = 10000000;
  static const struct { const char *name; double fraction; } levels[] = {
    { "whole", 1.0 }, { "1/10", 0.1 }, { "1/1000", 1e-3 }, { "1/1e6", 1e-6 },
  };
  g_autoptr(GArray) base = g_array_new (FALSE, FALSE, sizeof (double));
  Bench b = { 0 };
  g_autoptr(CtxFlameIndex) index = NULL;
  double baseline;
  guint drawn;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (argc > 1)
    n_spans = (guint) g_ascii_strtoull (argv[1], NULL, 10);
  b.frames = MAX (frames, 2);
  dir = keep == NULL ? g_dir_make_tmp ("bench-flame-XXXXXX", NULL) : NULL;
  path = keep != NULL ? g_strdup (keep) : g_build_filename (dir, "trace.db", NULL);
  model = load_trace (path, n_spans);
  b.session = ctx_session_new (model);
  b.layout = ctx_flame_layout_new (model);
  index = ctx_flame_index_new (model, ctx_session_get_origin (b.session));
  b.renderer = ctx_flame_renderer_new (model, b.layout, index, ctx_session_get_origin (b.session));
  b.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  b.cr = cairo_create (b.surface);
  draw_frame (&b, 0, ctx_session_get_duration (b.session));  /* warm font caches */
  for (int i = 0; i < b.frames; i++)
    {
      double ms = baseline_frame (&b, visible_rows (&b));
      g_array_append_val (base, ms);
    }
  baseline = percentile (base, 0.5);
  for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
    {
      double len = MAX (ctx_session_get_duration (b.session) * levels[l].fraction, 1);
      g_autoptr(GArray) times = run_level (&b, len, &drawn);
      report (levels[l].name, len, times, baseline, ctx_trace_model_get_n_spans (model), drawn);
    }
  {
    g_autoptr(GArray) times = run_level (&b, 1, &drawn);
    report ("1ns", 1, times, baseline, ctx_trace_model_get_n_spans (model), drawn);
  }
  cairo_destroy (b.cr);
  cairo_surface_destroy (b.surface);
  ctx_flame_renderer_free (b.renderer);
  ctx_flame_layout_free (b.layout);
  g_object_unref (b.session);
  if (dir != NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_clear_object (&model);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }
  return 0;
}
