/* ctx-live-monitor.c: file monitors, a rate limit and a backup poll driving off-thread
 * refreshes of a model (see ctx-live-monitor.h). */
#include "config.h"

#include "ctx-live-monitor.h"

#define POLL_MS 1000
#define BUSY_RETRY_MS 20
/* Spans read per refresh: a backlog is read in slices so that each apply stays short. */
#define READ_BATCH 50000
/* Failures in a row after which we stop and say so (a poll apart: never a busy loop). */
#define MAX_FAILURES 5
/* Writers on other machines count as writing while rows arrived this recently. */
#define ACTIVITY_US (3 * G_USEC_PER_SEC)

struct _CtxLiveMonitor
{
  GObject parent_instance;

  CtxTraceModel *model;
  GFileMonitor *db;
  GFileMonitor *wal;
  GCancellable *cancellable;
  CtxTraceDelta *busy_delta;  /* read but not applied yet: a worker held the model */
  guint interval_ms;
  guint timer;                /* the next rate-limited refresh */
  guint poll;
  gboolean reading;
  gboolean again;             /* a change arrived while reading */
  gboolean stopped;
  gboolean writing;
  guint failures_in_row;
  gint64 last_start_us;
  gint64 last_data_us;
  CtxLiveStats stats;
};

G_DEFINE_FINAL_TYPE (CtxLiveMonitor, ctx_live_monitor, G_TYPE_OBJECT)

enum { REFRESHED, FAILED, WRITING_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void start_refresh (CtxLiveMonitor *self);

static gboolean
any_writer (CtxLiveMonitor *self)
{
  gboolean recent = self->last_data_us != 0
                    && g_get_monotonic_time () - self->last_data_us < ACTIVITY_US;

  for (guint i = 0; i < ctx_trace_model_get_n_processes (self->model); i++)
    switch (ctx_process_get_state (ctx_trace_model_get_process (self->model, i)))
      {
      case CTX_PROCESS_RUNNING:
        return TRUE;
      case CTX_PROCESS_UNKNOWN:
        if (recent)
          return TRUE;
        break;
      case CTX_PROCESS_ENDED:
      default:
        break;
      }
  return FALSE;
}

static void
update_writing (CtxLiveMonitor *self)
{
  gboolean writing = !self->stopped && any_writer (self);

  if (writing == self->writing)
    return;
  self->writing = writing;
  g_signal_emit (self, signals[WRITING_CHANGED], 0);
}

static void
stop (CtxLiveMonitor *self)
{
  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_clear_handle_id (&self->poll, g_source_remove);
  if (self->db != NULL)
    g_file_monitor_cancel (self->db);
  if (self->wal != NULL)
    g_file_monitor_cancel (self->wal);
  g_clear_pointer (&self->busy_delta, ctx_trace_delta_free);
}

/* The file is gone, or reading failed MAX_FAILURES times in a row (a poll apart): stop,
 * and say it once.  Anything else is retried on the next poll, silently. */
static void
fail (CtxLiveMonitor *self, GError *error)
{
  self->stats.n_failures++;
  self->failures_in_row++;
  if (!g_error_matches (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_GONE)
      && self->failures_in_row < MAX_FAILURES)
    return;
  g_object_ref (self);  /* a handler may drop the last reference */
  stop (self);
  update_writing (self);
  g_signal_emit (self, signals[FAILED], 0, error);
  g_object_unref (self);
}

static gboolean
timer_cb (gpointer user_data)
{
  CtxLiveMonitor *self = user_data;

  self->timer = 0;
  start_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (CtxLiveMonitor *self, guint delay_ms)
{
  if (self->timer == 0 && !self->stopped)
    self->timer = g_timeout_add (delay_ms, timer_cb, self);
}

/* Rate limit: at once when the last refresh began long enough ago, else when it has. */
static void
schedule_refresh (CtxLiveMonitor *self)
{
  gint64 since_ms = (g_get_monotonic_time () - self->last_start_us) / 1000;

  if (self->reading)
    self->again = TRUE;
  else
    schedule (self, since_ms >= self->interval_ms ? 0 : (guint) (self->interval_ms - since_ms));
}

static void
apply (CtxLiveMonitor *self, CtxTraceDelta *delta)
{
  gint64 t0 = g_get_monotonic_time (), spent;
  guint n = ctx_trace_delta_get_n_spans (delta);
  gboolean more = FALSE;

  switch (ctx_trace_model_apply_delta (self->model, delta, &more))
    {
    case CTX_APPLY_BUSY:
      self->busy_delta = delta;
      schedule (self, BUSY_RETRY_MS);
      return;
    case CTX_APPLY_STALE:
      ctx_trace_delta_free (delta);
      schedule (self, 0);
      return;
    case CTX_APPLY_DONE:
    default:
      break;
    }
  ctx_trace_delta_free (delta);
  self->stats.n_refreshes++;
  if (n > 0)
    self->last_data_us = t0;
  g_signal_emit (self, signals[REFRESHED], 0, n);
  spent = g_get_monotonic_time () - t0;
  g_array_append_val (self->stats.tick_us, spent);
  g_array_append_val (self->stats.tick_spans, n);
  update_writing (self);
  /* While rows arrive, check again after the interval without waiting for a file event:
   * GIO coalesces a file's events over its rate limit, and one may come just after the
   * check that read the last rows. */
  if (more || self->again || n > 0)
    schedule (self, more ? 0 : self->interval_ms);
  self->again = FALSE;
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CtxLiveMonitor) self = user_data;
  g_autoptr(GError) error = NULL;
  CtxTraceDelta *delta = ctx_trace_model_read_delta_finish (CTX_TRACE_MODEL (source), result, &error);

  self->reading = FALSE;
  if (self->stopped)
    {
      ctx_trace_delta_free (delta);
      return;
    }
  if (delta == NULL)
    {
      fail (self, error);
      return;
    }
  self->failures_in_row = 0;
  apply (self, delta);
}

static void
start_refresh (CtxLiveMonitor *self)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  if (self->stopped || self->reading)
    {
      self->again = self->reading;
      return;
    }
  if (self->busy_delta != NULL)
    {
      apply (self, g_steal_pointer (&self->busy_delta));
      return;
    }
  self->stats.n_checks++;
  self->last_start_us = g_get_monotonic_time ();
  if (!ctx_trace_model_check_changed (self->model, &changed, &error))
    {
      fail (self, error);
      return;
    }
  if (!changed)
    return;
  self->reading = TRUE;
  self->stats.n_reads++;
  ctx_trace_model_read_delta_async (self->model, READ_BATCH, self->cancellable, on_read,
                                    g_object_ref (self));
}

static void
on_file_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 CtxLiveMonitor    *self)
{
  schedule_refresh (self);
}

/* File events can be missed (another mount, a watch limit); the poll also notices a writer
 * that died, for the indicator. */
static gboolean
on_poll (gpointer user_data)
{
  CtxLiveMonitor *self = user_data;

  schedule_refresh (self);
  update_writing (self);
  return G_SOURCE_CONTINUE;
}

static GFileMonitor *
watch (CtxLiveMonitor *self,
       const char     *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GFileMonitor *monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);

  if (monitor == NULL)
    return NULL;
  /* GIO's default (800 ms) would delay a change past our own rate limit. */
  g_file_monitor_set_rate_limit (monitor, CTX_LIVE_MIN_INTERVAL_MS);
  g_signal_connect_object (monitor, "changed", G_CALLBACK (on_file_changed), self, 0);
  return monitor;
}

CtxLiveMonitor *
ctx_live_monitor_new (CtxTraceModel *model)
{
  CtxLiveMonitor *self = g_object_new (CTX_TYPE_LIVE_MONITOR, NULL);
  const char *path = ctx_trace_model_get_path (model);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  self->model = g_object_ref (model);
  self->db = watch (self, path);
  self->wal = watch (self, wal);
  self->poll = g_timeout_add (POLL_MS, on_poll, self);
  self->writing = !self->stopped && any_writer (self);
  return self;
}

void
ctx_live_monitor_refresh (CtxLiveMonitor *self)
{
  if (self->reading)
    self->again = TRUE;
  else
    start_refresh (self);
}

void
ctx_live_monitor_set_interval (CtxLiveMonitor *self,
                               guint           ms)
{
  self->interval_ms = ms;
}

gboolean
ctx_live_monitor_get_writing (CtxLiveMonitor *self)
{
  return self->writing;
}

const CtxLiveStats *
ctx_live_monitor_get_stats (CtxLiveMonitor *self)
{
  return &self->stats;
}

static void
ctx_live_monitor_dispose (GObject *object)
{
  CtxLiveMonitor *self = CTX_LIVE_MONITOR (object);

  stop (self);
  g_clear_object (&self->db);
  g_clear_object (&self->wal);
  G_OBJECT_CLASS (ctx_live_monitor_parent_class)->dispose (object);
}

static void
ctx_live_monitor_finalize (GObject *object)
{
  CtxLiveMonitor *self = CTX_LIVE_MONITOR (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->model);
  g_array_unref (self->stats.tick_us);
  g_array_unref (self->stats.tick_spans);
  G_OBJECT_CLASS (ctx_live_monitor_parent_class)->finalize (object);
}

static void
ctx_live_monitor_class_init (CtxLiveMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ctx_live_monitor_dispose;
  object_class->finalize = ctx_live_monitor_finalize;
  signals[REFRESHED] = g_signal_new ("refreshed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[WRITING_CHANGED] = g_signal_new ("writing-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ctx_live_monitor_init (CtxLiveMonitor *self)
{
  self->cancellable = g_cancellable_new ();
  self->interval_ms = CTX_LIVE_MIN_INTERVAL_MS;
  self->stats.tick_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->stats.tick_spans = g_array_new (FALSE, FALSE, sizeof (guint));
}
