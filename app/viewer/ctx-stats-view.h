/* ctx-stats-view.h: the statistics table: per span name count, total, self, mean, p50,
 * p95, max and errors over the session's scope, sortable by every column, with a filter
 * box.  Activating a row selects that name in every view. */
#pragma once

#include <gtk/gtk.h>

#include "ctx-session.h"

G_BEGIN_DECLS

typedef enum
{
  CTX_STATS_COLUMN_NAME,
  CTX_STATS_COLUMN_COUNT,
  CTX_STATS_COLUMN_TOTAL,
  CTX_STATS_COLUMN_SELF,
  CTX_STATS_COLUMN_MEAN,
  CTX_STATS_COLUMN_P50,
  CTX_STATS_COLUMN_P95,
  CTX_STATS_COLUMN_MAX,
  CTX_STATS_COLUMN_ERRORS,
  CTX_STATS_N_COLUMNS,
} CtxStatsColumn;

#define CTX_TYPE_STATS_VIEW (ctx_stats_view_get_type ())
G_DECLARE_FINAL_TYPE (CtxStatsView, ctx_stats_view, CTX, STATS_VIEW, GtkWidget)

GtkWidget *ctx_stats_view_new (void);
void ctx_stats_view_set_session (CtxStatsView *self, CtxSession *session);

/* What the table shows, filtered and sorted: rows, and the statistics of row i. */
guint ctx_stats_view_get_n_rows (CtxStatsView *self);
const CtxNameStats *ctx_stats_view_get_row (CtxStatsView *self, guint i);
/* Sorts by a column as a click on its header would. */
void ctx_stats_view_sort (CtxStatsView *self, CtxStatsColumn column, GtkSortType order);
GtkColumnView *ctx_stats_view_get_column_view (CtxStatsView *self);
GtkEditable *ctx_stats_view_get_filter_entry (CtxStatsView *self);
/* The row selected in the table (follows the session's selected name), or G_MAXUINT. */
guint ctx_stats_view_get_selected_row (CtxStatsView *self);

G_END_DECLS
