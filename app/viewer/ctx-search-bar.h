/* ctx-search-bar.h: search and filter spans (name, errors, minimum duration, attribute,
 * SQL WHERE) with a match count and next/previous; hits are highlighted in every view
 * through the session's marks. */
#pragma once

#include <gtk/gtk.h>

#include "ctx-session.h"

G_BEGIN_DECLS

#define CTX_TYPE_SEARCH_BAR (ctx_search_bar_get_type ())
G_DECLARE_FINAL_TYPE (CtxSearchBar, ctx_search_bar, CTX, SEARCH_BAR, GtkWidget)

GtkWidget *ctx_search_bar_new (void);
void ctx_search_bar_set_session (CtxSearchBar *self, CtxSession *session);
void ctx_search_bar_focus (CtxSearchBar *self);
/* Selects (and zooms to) the next or previous match. */
void ctx_search_bar_step (CtxSearchBar *self, gboolean forward);
/* For tests: the name entry, whether a search is running, and its results. */
GtkEditable *ctx_search_bar_get_name_entry (CtxSearchBar *self);
GtkEditable *ctx_search_bar_get_sql_entry (CtxSearchBar *self);
gboolean ctx_search_bar_is_busy (CtxSearchBar *self);
guint ctx_search_bar_get_n_matches (CtxSearchBar *self);
const char *ctx_search_bar_get_status (CtxSearchBar *self);
/* "1.5ms", "200 us", "3s", "10" (ms): nanoseconds, or -1 if not a duration. */
gint64 ctx_search_bar_parse_duration (const char *text);

G_END_DECLS
