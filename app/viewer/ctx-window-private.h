/* ctx-window-private.h: what ctx-window.c and ctx-window-actions.c share. */
#pragma once

#include "ctx-aggregate-flame.h"
#include "ctx-live-monitor.h"
#include "ctx-minimap.h"
#include "ctx-search-bar.h"
#include "ctx-stats-view.h"
#include "ctx-window.h"

G_BEGIN_DECLS

struct _CtxWindow
{
  GtkApplicationWindow parent_instance;

  /* template */
  GtkStack *stack;
  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkLabel *loading_label;
  GtkProgressBar *progress_bar;
  GtkWidget *cancel_button;
  GtkLabel *error_title;
  GtkLabel *error_message;
  GtkListBox *recent_list;
  GtkWidget *recent_heading;
  GtkPaned *paned;
  CtxMinimap *minimap;
  CtxDetailsPane *details;
  CtxSearchBar *search_bar;
  CtxFlameView *flame_view;
  GtkScrollbar *vscrollbar;
  GtkLabel *empty_label;
  GtkWidget *follow_button;
  GtkStack *views;
  GtkWidget *view_switcher;
  GtkBox *dag_box;
  GtkWidget *dag_placeholder;
  CtxAggregateFlame *aggregate_flame;
  CtxAggregateFlame *callers_flame;
  CtxAggregateFlame *callees_flame;
  GtkScrollbar *aggregate_scrollbar;
  GtkScrollbar *callers_scrollbar;
  GtkScrollbar *callees_scrollbar;
  CtxStatsView *stats_view;
  GtkLabel *sandwich_label;
  GtkWidget *dag_view;   /* the call graph, when built with it */

  GSettings *settings;   /* NULL when the schema is not installed */
  GFile *file;
  CtxSession *session;
  GCancellable *cancellable;
  guint progress_source;
  double progress;
  gint64 load_began;
  GtkNativeDialog *export_dialog;
  CtxLiveMonitor *live;
  char *exit_status;     /* of the recorded program (--record), NULL while it runs */
  gint64 last_change_us; /* when a refresh last found new rows */
  gboolean follow;        /* keep the end of a live trace in view */
  gboolean following;     /* the visible range is being moved by follow, not the user */
};

void ctx_window_actions_init (CtxWindow *self);
void ctx_window_actions_update (CtxWindow *self);
void ctx_window_set_follow (CtxWindow *self, gboolean follow);
/* ctx-window.c: the views of the trace page follow the window's session. */
void ctx_window_views_set_session (CtxWindow *self);

G_END_DECLS
