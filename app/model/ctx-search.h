/* ctx-search.h: find spans by name, status, duration, attribute or an SQL WHERE clause.
 *
 * Every criterion set in a CtxSearchQuery must hold (AND).  Attribute and SQL criteria
 * read the file on their own hardened read-only connection, so a search may run on a
 * worker thread while the model's thread keeps using the model (and refreshing it). */
#pragma once

#include "ctx-trace-model.h"

G_BEGIN_DECLS

typedef struct
{
  const char *name;          /* substring of the span name, case-insensitive; NULL: any */
  gboolean errors_only;      /* status 2 only */
  gint64 min_duration_ns;    /* 0: any */
  const char *attribute;     /* "key=value" (equal) or "key~text" (contains, no case) */
  const char *sql_where;     /* WHERE clause over the span columns of docs/schema.md, plus
                              * `name` (the span's name); read-only, time-limited */
  guint time_limit_ms;       /* for attribute and SQL criteria; 0: 10 s with sql_where,
                              * none for an attribute alone (it is cancellable) */
} CtxSearchQuery;

/* Returns the matching span indices in increasing order (GArray of guint32).
 * Errors: CTX_TRACE_ERROR_BAD_QUERY (with SQLite's message), CTX_TRACE_ERROR_TIMEOUT,
 * G_IO_ERROR_CANCELLED, or the file's errors.  Any thread. */
GArray *ctx_trace_model_search (CtxTraceModel *self, const CtxSearchQuery *query,
                                GCancellable *cancellable, GError **error);
/* The same on a worker thread (the query is copied). */
void ctx_trace_model_search_async (CtxTraceModel *self, const CtxSearchQuery *query,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
GArray *ctx_trace_model_search_finish (CtxTraceModel *self, GAsyncResult *result,
                                       GError **error);

/* Splits "key=value" / "key~text"; FALSE (with CTX_TRACE_ERROR_BAD_QUERY) otherwise.
 * Surrounding double quotes around the value are removed. */
gboolean ctx_search_parse_attribute (const char *text, char **key, char **value,
                                     gboolean *contains, GError **error);

/* Index of the first match after (forward) or before span in matches, wrapping around;
 * CTX_NONE if matches is empty.  For next/previous in the viewer. */
guint32 ctx_search_step (GArray *matches, guint32 span, gboolean forward);

G_END_DECLS
