/* ctx-window.h: one window showing one trace file (or the welcome page). */
#pragma once

#include <gtk/gtk.h>

#include "ctx-details-pane.h"
#include "ctx-flame-view.h"
#include "ctx-search-bar.h"
#include "ctx-session.h"

G_BEGIN_DECLS

#define CTX_TYPE_WINDOW (ctx_window_get_type ())
G_DECLARE_FINAL_TYPE (CtxWindow, ctx_window, CTX, WINDOW, GtkApplicationWindow)

CtxWindow *ctx_window_new (GtkApplication *application);
/* Loads file on a worker thread; the window shows progress, then the trace or an error. */
void ctx_window_open (CtxWindow *self, GFile *file);
/* The file shown or being loaded, or NULL. */
GFile *ctx_window_get_file (CtxWindow *self);
/* Nothing loaded nor loading: a file opened now may reuse this window. */
gboolean ctx_window_is_empty (CtxWindow *self);
gboolean ctx_window_is_loading (CtxWindow *self);
/* "welcome", "loading", "error" or "trace". */
const char *ctx_window_get_page (CtxWindow *self);
/* Title and message of the error page. */
char *ctx_window_get_error_text (CtxWindow *self);
CtxSession *ctx_window_get_session (CtxWindow *self);
CtxFlameView *ctx_window_get_flame_view (CtxWindow *self);
CtxDetailsPane *ctx_window_get_details (CtxWindow *self);
CtxSearchBar *ctx_window_get_search_bar (CtxWindow *self);
/* Reads what was committed to the file since (live files also refresh by themselves). */
void ctx_window_refresh (CtxWindow *self);
/* The view shown on the trace page: "flame", "dag", "aggregated", "sandwich" or "stats". */
const char *ctx_window_get_view (CtxWindow *self);
void ctx_window_set_view (CtxWindow *self, const char *view);
GtkWidget *ctx_window_get_view_widget (CtxWindow *self, const char *view);
/* Adds status (e.g. "program exited with status 0") to the subtitle. */
void ctx_window_set_exit_status (CtxWindow *self, const char *status);
const char *ctx_window_get_subtitle (CtxWindow *self);
/* The monitor of a live file, NULL when none (not loaded, or monitoring stopped). */
struct _CtxLiveMonitor *ctx_window_get_live_monitor (CtxWindow *self);
/* Rows in the welcome page's list of recent traces. */
guint ctx_window_get_n_recent (CtxWindow *self);

G_END_DECLS
