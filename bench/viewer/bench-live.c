/* bench-live: how soon a span a program records is on the viewer's screen, and what each
 * live refresh costs the viewer's main loop (issue 6).
 *
 *   bench-live [--rate 100000] [--seconds 4] [--shot FILE.png]     (needs a display: xvfb-run)
 *
 * A writer process (this program again, linking libctxtrace) records RATE spans/s: roots
 * with nine children each, paced every millisecond.  The library commits them every
 * ~10 ms.  This process opens the file in a real CtxWindow, which follows it live, and
 * measures, for every span that arrived closed:
 *   - commit: the first time a separate reader thread (its own SQLite connection, polling
 *     PRAGMA data_version every millisecond) saw the span's id committed;
 *   - model: the live monitor's "refreshed" (the span is in the model);
 *   - visible: the end of the next frame painted after that, with the span inside the
 *     flame chart's visible time range at that moment (it is counted apart if not).
 * end is the span's own end_ns, the writer's wall clock (CLOCK_REALTIME, same machine).
 * Reported: end->visible (includes the writer's commit cadence), commit->visible (the
 * viewer's part, the target: <= 100 ms median, <= 250 ms p99), end->commit from
 * the reader beside the writer's own ctxtrace_get_stats() commit latency.
 *
 * Main-loop work per refresh tick: the monitor times each applied refresh from the
 * append to the end of its "refreshed" handlers (the window's: session, flame chart
 * index and layout, minimap, details, search).  A second phase sets the monitor's
 * interval to 100 ms so that a tick carries ~10k spans at 100k spans/s; its median is
 * the figure (<= 4 ms for 10k new spans).  Frames (before-paint to after-paint,
 * snapshot and cairo rendering) are reported beside it.
 *
 * One JSON line: {"bench":"viewer-live",...}. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctx-application.h"
#include "ctx-live-monitor.h"
#include "ctx-window.h"
#include "ctxtrace.h"

#define TARGET_MEDIAN_MS 100.0
#define TARGET_P99_MS 250.0
#define TARGET_TICK_MS 4.0
#define POLL_US 1000
#define CHILDREN 9

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* ---- The writer process: --writer PATH RATE SECONDS */

static void
write_root (void)
{
  static const ctxtrace_site_t root_site = { "tick", __FILE__, __LINE__, 0 };
  static const ctxtrace_site_t step_site = { "step", __FILE__, __LINE__, 0 };
  ctxtrace_span_t root = ctxtrace_begin_site (&root_site);

  for (int i = 0; i < CHILDREN; i++)
    ctxtrace_end (ctxtrace_begin_site (&step_site));
  ctxtrace_end (root);
}

static int
writer_main (const char *path, double rate, double seconds)
{
  gint64 t0 = g_get_monotonic_time (), until = t0 + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 roots = 0;
  ctxtrace_stats_t st;

  if (ctxtrace_start (path) != 0)
    {
      fprintf (stderr, "writer: %s\n", ctxtrace_last_error ());
      return 3;
    }
  for (gint64 now = t0; now < until; now = g_get_monotonic_time ())
    {
      /* Catch up with the rate, then sleep a millisecond. */
      guint64 due = (guint64) ((now - t0) / 1e6 * rate / (CHILDREN + 1));

      for (; roots < due; roots++)
        write_root ();
      g_usleep (1000);
    }
  ctxtrace_flush ();
  ctxtrace_get_stats (&st);
  printf ("{\"committed_spans\":%" G_GUINT64_FORMAT ",\"dropped_spans\":%" G_GUINT64_FORMAT
          ",\"commit_latency_p50_ns\":%" G_GUINT64_FORMAT ",\"commit_latency_p99_ns\":%"
          G_GUINT64_FORMAT "}\n", (guint64) st.committed_spans, (guint64) st.dropped_spans,
          (guint64) st.commit_latency_p50_ns, (guint64) st.commit_latency_p99_ns);
  fflush (stdout);
  ctxtrace_stop ();
  return 0;
}

/* ---- The commit observer: a reader thread polling the file */

typedef struct
{
  gint64 max_id;
  gint64 seen_ns;
} Commit;

typedef struct
{
  char *path;
  GMutex lock;
  GArray *commits;  /* Commit, in time order (max_id increasing) */
  gint stop;
  GThread *thread;
} Observer;

static gint64
query_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = G_MININT64;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static gpointer
observer_run (gpointer data)
{
  Observer *o = data;
  sqlite3 *db = NULL;
  gint64 version = G_MININT64, last = G_MININT64;

  if (sqlite3_open_v2 (o->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("observer: cannot open %s", o->path);
  sqlite3_busy_timeout (db, 100);
  while (!g_atomic_int_get (&o->stop))
    {
      gint64 v = query_int (db, "PRAGMA data_version");

      if (v != version)
        {
          gint64 max_id = query_int (db, "SELECT max(id) FROM span");
          Commit c = { max_id, now_ns () };

          version = v;
          if (max_id > last)
            {
              last = max_id;
              g_mutex_lock (&o->lock);
              g_array_append_val (o->commits, c);
              g_mutex_unlock (&o->lock);
            }
        }
      g_usleep (POLL_US);
    }
  sqlite3_close (db);
  return NULL;
}

/* When the observer first saw span id committed, or 0. */
static gint64
observer_commit_time (Observer *o, gint64 id)
{
  const Commit *v = (const Commit *) (gpointer) o->commits->data;
  guint lo = 0, hi = o->commits->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (v[mid].max_id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < o->commits->len ? v[lo].seen_ns : 0;
}

/* ---- The viewer side */

/* Spans [first, last) arrived in the model at model_ns; painted at paint_ns (0: not yet). */
typedef struct
{
  guint first;
  guint last;
  gint64 model_ns;
  gint64 paint_ns;
  double vis_start;  /* the visible range at that paint, relative ns */
  double vis_end;
} Arrival;

typedef struct
{
  CtxWindow *win;
  CtxSession *session;
  CtxTraceModel *model;
  CtxLiveMonitor *live;
  GArray *arrivals;     /* Arrival */
  guint painted;        /* arrivals before this one have a paint time */
  guint seen;           /* spans already in an arrival */
  guint8 *was_open;     /* per span: open when it arrived (grown as needed) */
  gsize was_open_len;
  gint64 before_paint_us;
  GArray *frame_ms;     /* double: frames that painted an arrival */
  gboolean measuring;
} Bench;

static void
note_open (Bench *b, guint first, guint last)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (b->model);

  if (last > b->was_open_len)
    {
      gsize n = MAX (last, b->was_open_len * 2);
      b->was_open = g_realloc (b->was_open, n);
      b->was_open_len = n;
    }
  for (guint i = first; i < last; i++)
    b->was_open[i] = (spans[i].flags & CTX_SPAN_OPEN) != 0;
}

/* After the window's own handlers: the views have taken the new spans in. */
static void
on_refreshed (CtxLiveMonitor *live, guint n_new, Bench *b)
{
  guint n = ctx_trace_model_get_n_spans (b->model);
  Arrival a = { b->seen, n, now_ns (), 0, 0, 0 };

  if (n == b->seen)
    return;
  note_open (b, b->seen, n);
  b->seen = n;
  if (b->measuring)
    g_array_append_val (b->arrivals, a);
}

static void
on_before_paint (GdkFrameClock *clock, Bench *b)
{
  b->before_paint_us = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock, Bench *b)
{
  gint64 t = now_ns ();
  double frame = (g_get_monotonic_time () - b->before_paint_us) / 1e3;
  double start, end;

  if (b->painted == b->arrivals->len)
    return;
  ctx_session_get_visible (b->session, &start, &end);
  for (; b->painted < b->arrivals->len; b->painted++)
    {
      Arrival *a = &g_array_index (b->arrivals, Arrival, b->painted);
      a->paint_ns = t;
      a->vis_start = start;
      a->vis_end = end;
    }
  g_array_append_val (b->frame_ms, frame);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *v, double q)
{
  if (v->len == 0)
    return -1;
  g_array_sort (v, compare_double);
  return g_array_index (v, double, (guint) MIN (v->len - 1, q * v->len));
}

typedef struct
{
  GArray *end_visible;
  GArray *commit_visible;
  GArray *end_commit;
  GArray *commit_model;
  guint measured;
  guint not_in_view;
  guint no_commit_seen;
  guint unpainted;
} Latencies;

static void
span_latency (Bench *b, Observer *o, const Arrival *a, guint i, Latencies *l)
{
  const CtxSpan *s = &ctx_trace_model_get_spans (b->model)[i];
  gint64 commit = observer_commit_time (o, ctx_trace_model_get_span_id (b->model, i));
  double rel_start = ctx_session_span_start (b->session, i), rel_end = ctx_session_span_end (b->session, i);
  double v;

  if (b->was_open[i])
    return;  /* arrived running: its end came later */
  if (a->paint_ns == 0)
    {
      l->unpainted++;
      return;
    }
  if (rel_end < a->vis_start || rel_start > a->vis_end)
    {
      l->not_in_view++;
      return;
    }
  l->measured++;
  v = (a->paint_ns - s->end_ns) / 1e6;
  g_array_append_val (l->end_visible, v);
  if (commit == 0 || commit > a->model_ns)
    {
      l->no_commit_seen++;  /* the observer polled after the viewer read it */
      return;
    }
  v = (a->paint_ns - commit) / 1e6;
  g_array_append_val (l->commit_visible, v);
  v = (commit - s->end_ns) / 1e6;
  g_array_append_val (l->end_commit, v);
  v = (a->model_ns - commit) / 1e6;
  g_array_append_val (l->commit_model, v);
}

static void
latencies (Bench *b, Observer *o, Latencies *l)
{
  g_mutex_lock (&o->lock);
  for (guint k = 0; k < b->arrivals->len; k++)
    {
      const Arrival *a = &g_array_index (b->arrivals, Arrival, k);
      for (guint i = a->first; i < a->last; i++)
        span_latency (b, o, a, i, l);
    }
  g_mutex_unlock (&o->lock);
}

/* Ticks from index first on: median and p99 ms, median spans, and the same per 10k spans
 * (a tick's time scaled to 10k spans, fixed costs included: an overestimate for small
 * ticks). */
typedef struct
{
  guint n;
  double median_ms;
  double p99_ms;
  double median_spans;
  double per_10k_median_ms;
} Ticks;

static Ticks
tick_stats (CtxLiveMonitor *live, guint first)
{
  const CtxLiveStats *st = ctx_live_monitor_get_stats (live);
  g_autoptr (GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) spans = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) scaled = g_array_new (FALSE, FALSE, sizeof (double));
  Ticks t;

  for (guint i = first; i < st->tick_us->len; i++)
    {
      double m = g_array_index (st->tick_us, gint64, i) / 1e3;
      double n = g_array_index (st->tick_spans, guint, i);

      if (n == 0)
        continue;  /* only open spans closed: not a tick of new spans */
      g_array_append_val (ms, m);
      g_array_append_val (spans, n);
      m = m * 10000.0 / MAX (n, 1.0);
      g_array_append_val (scaled, m);
    }
  t.n = ms->len;
  t.median_ms = percentile (ms, 0.5);
  t.p99_ms = percentile (ms, 0.99);
  t.median_spans = percentile (spans, 0.5);
  t.per_10k_median_ms = percentile (scaled, 0.5);
  return t;
}

/* The machine's 1-minute load average: on a shared machine, latency follows it. */
static double
loadavg (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1;
  return g_ascii_strtod (text, NULL);
}

/* The window as the last frame drew it, to look at (--shot). */
static void
save_png (GtkWidget *widget, const char *out)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_texture_save_to_png (texture, out);
}

/* ---- Driving the main loop */

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static void
iterate_until (gboolean (*done) (gpointer), gpointer data, int timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

static void
spin (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  iterate_until (time_passed, &until, (int) seconds + 5);
}

static gboolean
has_rows (gpointer path)
{
  GStatBuf st;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  return g_stat (wal, &st) == 0 && st.st_size > 0;
}

static gboolean
shows_trace (gpointer win)
{
  return g_strcmp0 (ctx_window_get_page (win), "trace") == 0;
}

static gboolean
exited (gpointer sp)
{
  return g_subprocess_get_identifier (sp) == NULL;
}

typedef struct
{
  GSubprocess *writer;
  char *writer_json;
} Writer;

static void
on_writer_out (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Writer *w = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &w->writer_json, NULL, NULL);
}

static Writer
spawn_writer (const char *exe, const char *path, double rate, double seconds)
{
  g_autofree char *r = g_strdup_printf ("%.0f", rate);
  g_autofree char *s = g_strdup_printf ("%.3f", seconds);
  g_autoptr (GError) error = NULL;
  Writer w = { g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, exe, "--writer", path,
                                 r, s, NULL), NULL };

  if (w.writer == NULL)
    g_error ("writer: %s", error->message);
  return w;
}

static gboolean
writer_done (gpointer data)
{
  Writer *w = data;

  return exited (w->writer) && w->writer_json != NULL;
}

static CtxWindow *
open_window (GtkApplication *app, const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  CtxWindow *win = ctx_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (win), 1400, 900);
  gtk_window_present (GTK_WINDOW (win));
  ctx_window_open (win, file);
  iterate_until (shows_trace, win, 30);
  return win;
}

static void
print_result (Bench *b, Latencies *l, Ticks *a, Ticks *t, const char *writer_json,
              double rate, double seconds, double load)
{
  gint64 committed = 0, dropped = 0, p50 = 0, p99 = 0;
  double cv50 = percentile (l->commit_visible, 0.5), cv99 = percentile (l->commit_visible, 0.99);

  if (writer_json != NULL)
    sscanf (writer_json, "{\"committed_spans\":%" G_GINT64_FORMAT ",\"dropped_spans\":%"
            G_GINT64_FORMAT ",\"commit_latency_p50_ns\":%" G_GINT64_FORMAT
            ",\"commit_latency_p99_ns\":%" G_GINT64_FORMAT, &committed, &dropped, &p50, &p99);
  printf ("{\"bench\":\"viewer-live\",\"rate_spans_per_s\":%.0f,\"seconds\":%.1f,\"loadavg\":%.2f,"
          "\"writer_committed_spans\":%" G_GINT64_FORMAT ",\"writer_dropped_spans\":%" G_GINT64_FORMAT
          ",\"spans_measured\":%u,\"spans_not_in_view\":%u,\"spans_unpainted\":%u,"
          "\"spans_commit_unseen\":%u,"
          "\"end_to_visible_median_ms\":%.1f,\"end_to_visible_p99_ms\":%.1f,"
          "\"commit_to_visible_median_ms\":%.1f,\"commit_to_visible_p99_ms\":%.1f,"
          "\"commit_to_model_median_ms\":%.1f,\"commit_to_model_p99_ms\":%.1f,"
          "\"end_to_commit_median_ms\":%.1f,\"end_to_commit_p99_ms\":%.1f,"
          "\"writer_commit_latency_p50_ms\":%.1f,\"writer_commit_latency_p99_ms\":%.1f,"
          "\"ticks\":%u,\"tick_median_ms\":%.2f,\"tick_p99_ms\":%.2f,\"tick_median_spans\":%.0f,"
          "\"ticks_10k\":%u,\"tick_10k_median_ms\":%.2f,\"tick_10k_p99_ms\":%.2f,"
          "\"tick_10k_median_spans\":%.0f,\"tick_per_10k_spans_median_ms\":%.2f,"
          "\"frame_median_ms\":%.2f,\"frame_p99_ms\":%.2f,"
          "\"target_median_ms\":%.0f,\"target_p99_ms\":%.0f,\"target_tick_ms\":%.0f}\n",
          rate, seconds, load, committed, dropped, l->measured, l->not_in_view, l->unpainted,
          l->no_commit_seen,
          percentile (l->end_visible, 0.5), percentile (l->end_visible, 0.99), cv50, cv99,
          percentile (l->commit_model, 0.5), percentile (l->commit_model, 0.99),
          percentile (l->end_commit, 0.5), percentile (l->end_commit, 0.99), p50 / 1e6, p99 / 1e6,
          a->n, a->median_ms, a->p99_ms, a->median_spans,
          t->n, t->median_ms, t->p99_ms, t->median_spans, t->per_10k_median_ms,
          percentile (b->frame_ms, 0.5), percentile (b->frame_ms, 0.99),
          TARGET_MEDIAN_MS, TARGET_P99_MS, TARGET_TICK_MS);
  printf ("# commit->visible median %.1f ms (target <= %.0f), p99 %.1f ms (target <= %.0f): %s\n"
          "# end->visible median %.1f ms, p99 %.1f ms (includes the writer's commit cadence)"
          "; load average %.1f on %u cores\n"
          "# main-loop work per tick of ~%.0f new spans: median %.2f ms (target <= %.0f for 10k): %s\n",
          cv50, TARGET_MEDIAN_MS, cv99, TARGET_P99_MS,
          cv50 <= TARGET_MEDIAN_MS && cv99 <= TARGET_P99_MS && cv50 >= 0 ? "met" : "MISSED",
          percentile (l->end_visible, 0.5), percentile (l->end_visible, 0.99), load,
          g_get_num_processors (), t->median_spans, t->median_ms, TARGET_TICK_MS,
          t->median_ms >= 0 && t->median_ms <= TARGET_TICK_MS && t->median_spans >= 9000 ? "met"
          : t->median_spans < 9000 ? "not judged (ticks under 9k spans)" : "MISSED");
}

/* Phase one (default interval) measures latency; phase two (100 ms interval) ticks of
 * ~10k spans.  The first second after opening (the backlog) is not measured. */
static void
run (GtkApplication *app, const char *exe, const char *path, double rate, double seconds,
     const char *shot)
{
  Writer w = spawn_writer (exe, path, rate, 2 * seconds + 1.5);
  Observer o = { g_strdup (path), { 0 }, g_array_new (FALSE, FALSE, sizeof (Commit)), 0, NULL };
  Bench b = { 0 };
  Latencies l = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)),
                  g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)),
                  0, 0, 0, 0 };
  GdkFrameClock *clock;
  guint phase2;
  Ticks ta, tb;
  double load = loadavg ();

  g_mutex_init (&o.lock);
  g_subprocess_communicate_utf8_async (w.writer, NULL, NULL, on_writer_out, &w);
  iterate_until (has_rows, (gpointer) path, 30);
  o.thread = g_thread_new ("observer", observer_run, &o);
  b.win = open_window (app, path);
  b.session = ctx_window_get_session (b.win);
  b.model = ctx_session_get_model (b.session);
  b.live = ctx_window_get_live_monitor (b.win);
  if (b.live == NULL)
    g_error ("the window does not follow the file");
  b.arrivals = g_array_new (FALSE, FALSE, sizeof (Arrival));
  b.frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  b.seen = ctx_trace_model_get_n_spans (b.model);
  note_open (&b, 0, b.seen);
  g_signal_connect_after (b.live, "refreshed", G_CALLBACK (on_refreshed), &b);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (b.win));
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &b);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &b);
  spin (1.0);
  /* Opened a few milliseconds into the recording, the view shows those few
   * milliseconds, and following keeps that width: spans a batch long would scroll past
   * before they are painted.  Show the whole second recorded so far, then follow. */
  ctx_session_fit (b.session);
  g_action_group_change_action_state (G_ACTION_GROUP (b.win), "follow", g_variant_new_boolean (TRUE));
  b.measuring = TRUE;
  {
    guint first = ctx_live_monitor_get_stats (b.live)->tick_us->len;
    spin (seconds);
    b.measuring = FALSE;
    ta = tick_stats (b.live, first);
  }
  if (shot != NULL)
    save_png (GTK_WIDGET (b.win), shot);
  spin (0.3);  /* the last arrivals get painted */
  ctx_live_monitor_set_interval (b.live, 100);
  spin (0.3);
  phase2 = ctx_live_monitor_get_stats (b.live)->tick_us->len;
  spin (seconds);
  tb = tick_stats (b.live, phase2);
  ctx_live_monitor_set_interval (b.live, CTX_LIVE_MIN_INTERVAL_MS);
  iterate_until (writer_done, &w, 60);
  g_atomic_int_set (&o.stop, 1);
  g_thread_join (o.thread);
  latencies (&b, &o, &l);
  print_result (&b, &l, &ta, &tb, w.writer_json, rate, seconds, (load + loadavg ()) / 2);
  g_signal_handlers_disconnect_by_data (clock, &b);
  g_signal_handlers_disconnect_by_data (b.live, &b);
  gtk_window_destroy (GTK_WINDOW (b.win));
  g_array_unref (l.end_visible);
  g_array_unref (l.commit_visible);
  g_array_unref (l.end_commit);
  g_array_unref (l.commit_model);
  g_array_unref (b.arrivals);
  g_array_unref (b.frame_ms);
  g_free (b.was_open);
  g_array_unref (o.commits);
  g_mutex_clear (&o.lock);
  g_free (o.path);
  g_object_unref (w.writer);
  g_free (w.writer_json);
}

int
main (int argc, char **argv)
{
  double rate = 100000, seconds = 4;
  g_autofree char *shot = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  GOptionEntry entries[] = {
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, "Spans per second the writer records", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Length of each measured phase", "S" },
    { "shot", 0, 0, G_OPTION_ARG_FILENAME, &shot, "Save the window after phase one", "FILE.png" },
    { NULL },
  };
  g_autofree char *exe = NULL, *dir = NULL, *path = NULL;
  CtxApplication *app;

  if (argc == 5 && strcmp (argv[1], "--writer") == 0)
    return writer_main (argv[2], g_ascii_strtod (argv[3], NULL), g_ascii_strtod (argv[4], NULL));
  context = g_option_context_new ("- live viewing latency with a real writer process");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (!gtk_init_check ())
    {
      fprintf (stderr, "bench-live: needs a display (run it under xvfb-run)\n");
      return 2;
    }
  /* The viewer's settings schema from the build tree, kept in memory. */
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    g_setenv ("GSETTINGS_SCHEMA_DIR", CTX_BENCH_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  exe = g_canonicalize_filename (argv[0], NULL);
  dir = g_dir_make_tmp ("ctx-bench-live-XXXXXX", NULL);
  path = g_build_filename (dir, "live.db", NULL);
  app = ctx_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("register: %s", error->message);
  run (GTK_APPLICATION (app), exe, path, MAX (rate, 100), MAX (seconds, 1), shot);
  g_object_unref (app);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
  return 0;
}
