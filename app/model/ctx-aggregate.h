/* ctx-aggregate.h: per-name statistics and the caller -> callee graph of a trace.
 *
 * What the statistics table, the DAG view and `ctxtrace stats` show.  Computed from the
 * model's arrays (no SQL), on any thread, optionally restricted to a time range. */
#pragma once

#include "ctx-trace-model.h"

G_BEGIN_DECLS

typedef struct
{
  guint32 name;       /* string index (ctx_trace_model_get_string) */
  guint count;        /* spans with this name */
  guint errors;       /* of which status 2 */
  gint64 total_ns;    /* sum of durations */
  gint64 self_ns;     /* sum of (duration - children's durations, any thread), each >= 0 */
  gint64 mean_ns;     /* total / count, rounded down */
  gint64 p50_ns;      /* nearest-rank percentiles of the durations */
  gint64 p95_ns;
  gint64 max_ns;
  guint32 lane;       /* with CTX_AGGREGATE_PER_LANE the node's lane, else CTX_NONE */
} CtxNameStats;

typedef struct
{
  guint32 caller;     /* string index of the parent span's name */
  guint32 callee;     /* string index of the child span's name */
  guint count;        /* parent -> child links with these names */
  gint64 total_ns;    /* the children's time */
  guint32 caller_lane; /* with CTX_AGGREGATE_PER_LANE, else CTX_NONE */
  guint32 callee_lane;
} CtxCallEdge;

typedef enum
{
  CTX_AGGREGATE_DEFAULT = 0,
  CTX_AGGREGATE_PER_LANE = 1 << 0,  /* one node per (name, thread) instead of per name */
} CtxAggregateFlags;

typedef struct _CtxAggregate CtxAggregate;

/* With range_start < range_end, only spans overlapping [range_start, range_end) count,
 * and every duration is clipped to the range; otherwise the whole trace.  Any thread
 * (it takes the model's reader lock).  G_IO_ERROR_CANCELLED if cancelled. */
CtxAggregate *ctx_aggregate_compute (CtxTraceModel *model, gint64 range_start,
                                     gint64 range_end, GCancellable *cancellable,
                                     GError **error);
/* The same with flags (per (name, lane) nodes for the DAG view's option). */
CtxAggregate *ctx_aggregate_compute_full (CtxTraceModel *model, gint64 range_start,
                                          gint64 range_end, CtxAggregateFlags flags,
                                          GCancellable *cancellable, GError **error);
void ctx_aggregate_compute_async (CtxTraceModel *model, gint64 range_start, gint64 range_end,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
CtxAggregate *ctx_aggregate_compute_finish (CtxTraceModel *model, GAsyncResult *result,
                                            GError **error);

CtxAggregate *ctx_aggregate_ref (CtxAggregate *self);
void ctx_aggregate_unref (CtxAggregate *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxAggregate, ctx_aggregate_unref)

/* Names that occur, by total time (largest first), then name index. */
guint ctx_aggregate_get_n_names (CtxAggregate *self);
const CtxNameStats *ctx_aggregate_get_names (CtxAggregate *self);
/* The statistics of one name (lane CTX_NONE without CTX_AGGREGATE_PER_LANE), NULL if it
 * does not occur. */
const CtxNameStats *ctx_aggregate_lookup (CtxAggregate *self, guint32 name);
const CtxNameStats *ctx_aggregate_lookup_lane (CtxAggregate *self, guint32 name, guint32 lane);

/* All edges, by caller then callee. */
guint ctx_aggregate_get_n_edges (CtxAggregate *self);
const CtxCallEdge *ctx_aggregate_get_edges (CtxAggregate *self);
/* Edges into (callers) or out of (callees) name (on any lane), by count (largest first);
 * g_array_unref. */
GArray *ctx_aggregate_get_callers (CtxAggregate *self, guint32 name);
GArray *ctx_aggregate_get_callees (CtxAggregate *self, guint32 name);

G_END_DECLS
