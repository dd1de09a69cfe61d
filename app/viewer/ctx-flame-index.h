/* ctx-flame-index.h: per lane row, the start of every CTX_FLAME_INDEX_STEP-th span as a
 * contiguous array of relative times.  The flame chart's binary searches run on it first:
 * with 10M spans the indirect lookups of a plain search miss the cache at every step.
 * Building it reads every span once, so the first one is built off the main thread
 * (thread-safe: only reads the model).  The model keeps the last index built for it, and
 * ctx_flame_index_new() on a model that grew since (a live refresh) extends that one in
 * place, reading only the new entries of each lane row, and returns it: call it from the
 * thread that refreshes the model. */
#pragma once

#include "ctx-trace-model.h"

G_BEGIN_DECLS

#define CTX_FLAME_INDEX_STEP 8

typedef struct _CtxFlameIndex CtxFlameIndex;

CtxFlameIndex *ctx_flame_index_new (CtxTraceModel *model, gint64 origin);
CtxFlameIndex *ctx_flame_index_ref (CtxFlameIndex *self);
void ctx_flame_index_unref (CtxFlameIndex *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxFlameIndex, ctx_flame_index_unref)

/* Relative starts of spans 0, STEP, 2*STEP... of the row at depth of lane. */
const GArray *ctx_flame_index_get_row (CtxFlameIndex *self, guint lane, guint depth);
/* Spans of that row that reach past the start of the next one (open spans, bad nesting),
 * in row order: a search by start alone would miss them once they began off screen. */
const GArray *ctx_flame_index_get_overlaps (CtxFlameIndex *self, guint lane, guint depth);

G_END_DECLS
