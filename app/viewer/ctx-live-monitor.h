/* ctx-live-monitor.h: tells when a trace file (or its -wal) may have new rows, so the
 * window refreshes the model.  File-monitor events are coalesced (100 ms); a slow poll
 * backs them up, since a refresh that finds nothing new costs one PRAGMA. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CTX_TYPE_LIVE_MONITOR (ctx_live_monitor_get_type ())
G_DECLARE_FINAL_TYPE (CtxLiveMonitor, ctx_live_monitor, CTX, LIVE_MONITOR, GObject)

/* Emits "changed" (no arguments) on the thread-default main context. */
CtxLiveMonitor *ctx_live_monitor_new (const char *path);

G_END_DECLS
