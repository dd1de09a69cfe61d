/* ctx-live-monitor.h: keeps a model up to date with a trace file that is being written.
 *
 * File-monitor events on the .db and its -wal (backed by a slow poll) start a refresh at
 * most every interval: a cheap change check on the main thread, the new rows read on a
 * worker (ctx_trace_model_read_delta_async), appended on the main thread, then "refreshed"
 * is emitted so that views extend what they derived from the model.  One refresh at a
 * time; a transient read error is retried on the next poll, a deleted or replaced file
 * (or errors that persist) ends the monitoring with "failed". */
#pragma once

#include <gio/gio.h>

#include "ctx-trace-model.h"

G_BEGIN_DECLS

#define CTX_LIVE_MIN_INTERVAL_MS 50

typedef struct
{
  guint n_checks;      /* change checks (one per file event burst or poll) */
  guint n_reads;       /* deltas read on the worker */
  guint n_refreshes;   /* deltas applied ("refreshed" emitted) */
  guint n_failures;    /* failed checks or reads */
  GArray *tick_us;     /* gint64: main-loop time of each applied refresh, "refreshed" handlers included */
  GArray *tick_spans;  /* guint: new spans of each applied refresh */
} CtxLiveStats;

#define CTX_TYPE_LIVE_MONITOR (ctx_live_monitor_get_type ())
G_DECLARE_FINAL_TYPE (CtxLiveMonitor, ctx_live_monitor, CTX, LIVE_MONITOR, GObject)

/* Watches model's file.  Signals, on the thread-default main context:
 * "refreshed" (guint n_new_spans): the model grew or changed;
 * "failed" (GError*): monitoring stopped (the file is gone, or reading keeps failing);
 * "writing-changed": ctx_live_monitor_get_writing() changed. */
CtxLiveMonitor *ctx_live_monitor_new (CtxTraceModel *model);
/* Checks now (coalesced with a refresh in flight). */
void ctx_live_monitor_refresh (CtxLiveMonitor *self);
/* Shortest time between two refreshes (CTX_LIVE_MIN_INTERVAL_MS by default). */
void ctx_live_monitor_set_interval (CtxLiveMonitor *self, guint ms);
/* Some process still writes the file: a process row without an end whose pid runs on
 * this machine (checked in /proc against its start time), or, for other machines, rows
 * that arrived in the last few seconds. */
gboolean ctx_live_monitor_get_writing (CtxLiveMonitor *self);
const CtxLiveStats *ctx_live_monitor_get_stats (CtxLiveMonitor *self);

G_END_DECLS
