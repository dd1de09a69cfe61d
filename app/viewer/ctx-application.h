/* ctx-application.h: ctxtrace-viewer's GtkApplication: one window per file. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CTX_TYPE_APPLICATION (ctx_application_get_type ())
G_DECLARE_FINAL_TYPE (CtxApplication, ctx_application, CTX, APPLICATION, GtkApplication)

CtxApplication *ctx_application_new (void);
/* Shows file: the window already showing it, else an empty window, else a new one. */
void ctx_application_open_file (CtxApplication *self, GFile *file);

G_END_DECLS
