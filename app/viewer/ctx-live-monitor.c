/* ctx-live-monitor.c: file monitors with a debounce and a backup poll. */
#include "config.h"

#include "ctx-live-monitor.h"

#define DEBOUNCE_MS 100
#define POLL_MS 1000

struct _CtxLiveMonitor
{
  GObject parent_instance;

  GFileMonitor *db;
  GFileMonitor *wal;
  guint debounce;
  guint poll;
};

G_DEFINE_FINAL_TYPE (CtxLiveMonitor, ctx_live_monitor, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gboolean
emit_changed (gpointer user_data)
{
  CtxLiveMonitor *self = user_data;

  self->debounce = 0;
  g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_file_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 CtxLiveMonitor    *self)
{
  /* A burst of writes becomes one refresh at most every DEBOUNCE_MS. */
  if (self->debounce == 0)
    self->debounce = g_timeout_add (DEBOUNCE_MS, emit_changed, self);
}

static gboolean
on_poll (gpointer user_data)
{
  g_signal_emit (user_data, signals[CHANGED], 0);
  return G_SOURCE_CONTINUE;
}

static GFileMonitor *
watch (CtxLiveMonitor *self,
       const char     *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GFileMonitor *monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);

  if (monitor != NULL)
    g_signal_connect_object (monitor, "changed", G_CALLBACK (on_file_changed), self, 0);
  return monitor;
}

CtxLiveMonitor *
ctx_live_monitor_new (const char *path)
{
  CtxLiveMonitor *self = g_object_new (CTX_TYPE_LIVE_MONITOR, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  self->db = watch (self, path);
  self->wal = watch (self, wal);
  self->poll = g_timeout_add (POLL_MS, on_poll, self);
  return self;
}

static void
ctx_live_monitor_dispose (GObject *object)
{
  CtxLiveMonitor *self = CTX_LIVE_MONITOR (object);

  g_clear_handle_id (&self->debounce, g_source_remove);
  g_clear_handle_id (&self->poll, g_source_remove);
  if (self->db != NULL)
    g_file_monitor_cancel (self->db);
  if (self->wal != NULL)
    g_file_monitor_cancel (self->wal);
  g_clear_object (&self->db);
  g_clear_object (&self->wal);
  G_OBJECT_CLASS (ctx_live_monitor_parent_class)->dispose (object);
}

static void
ctx_live_monitor_class_init (CtxLiveMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ctx_live_monitor_dispose;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ctx_live_monitor_init (CtxLiveMonitor *self)
{
}
