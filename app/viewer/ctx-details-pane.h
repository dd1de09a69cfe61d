/* ctx-details-pane.h: everything about the selected span: timing, self time, thread and
 * process, parent and children, attributes as a tree, events, error and stack trace. */
#pragma once

#include <gtk/gtk.h>

#include "ctx-session.h"

G_BEGIN_DECLS

#define CTX_TYPE_DETAILS_PANE (ctx_details_pane_get_type ())
G_DECLARE_FINAL_TYPE (CtxDetailsPane, ctx_details_pane, CTX, DETAILS_PANE, GtkWidget)

GtkWidget *ctx_details_pane_new (void);
void ctx_details_pane_set_session (CtxDetailsPane *self, CtxSession *session);
/* For tests and the copy button: what the pane shows, as plain text. */
char *ctx_details_pane_to_text (CtxDetailsPane *self);
/* The attribute tree (a GtkTreeListModel of CtxJsonItem rows), or NULL. */
GListModel *ctx_details_pane_get_attributes (CtxDetailsPane *self);

G_END_DECLS
