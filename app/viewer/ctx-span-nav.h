/* ctx-span-nav.h: structural questions about spans answered from the model's lane rows
 * (children, siblings, self time) without touching the file. */
#pragma once

#include "ctx-trace-model.h"

G_BEGIN_DECLS

/* Beyond this many spans scanned the answers give up (a span with 1M children). */
#define CTX_SPAN_NAV_SCAN_LIMIT 200000

guint32 ctx_span_nav_first_child (CtxTraceModel *model, guint32 span);
/* The previous (direction < 0) or next sibling on the same lane and row, or CTX_NONE. */
guint32 ctx_span_nav_sibling (CtxTraceModel *model, guint32 span, int direction);
/* Duration minus the children on the same lane; FALSE if the scan limit was hit. */
gboolean ctx_span_nav_self_time (CtxTraceModel *model, guint32 span, gint64 *self_ns);

/* How many spans of the row at depth of lane start in [t0, t1) (times relative to origin). */
guint ctx_span_nav_count_between (CtxTraceModel *model, guint lane, guint depth, gint64 origin,
                                  double t0, double t1);

G_END_DECLS
