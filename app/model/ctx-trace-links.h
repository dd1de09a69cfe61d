/* ctx-trace-links.h: the `link` table (follows-from, cross-thread handoffs) of a trace.
 *
 * The model does not keep links in memory; the span-graph view reads them when it needs
 * them, through its own hardened read-only connection (ctx-trace-db.h), on any thread. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 span_id;         /* link.span_id: the span that was caused */
  gint64 linked_span_id;  /* link.linked_span_id: the span that caused it */
  gint kind;              /* 1 follows-from */
} CtxTraceLink;

/* Up to max_links rows of path's link table, in rowid order (GArray of CtxTraceLink).  An
 * empty array for a file without the table.  CTX_TRACE_ERROR or G_IO_ERROR_CANCELLED. */
GArray *ctx_trace_links_load (const char *path, guint max_links, GCancellable *cancellable,
                              GError **error);

G_END_DECLS
