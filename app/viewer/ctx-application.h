/* ctx-application.h: ctxtrace-viewer's GtkApplication: one window per file. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CTX_TYPE_APPLICATION (ctx_application_get_type ())
G_DECLARE_FINAL_TYPE (CtxApplication, ctx_application, CTX, APPLICATION, GtkApplication)

CtxApplication *ctx_application_new (void);
/* Shows file: the window already showing it, else an empty window, else a new one. */
void ctx_application_open_file (CtxApplication *self, GFile *file);

/* ctxtrace-viewer --record OUT.db -- PROGRAM ARGS...: on activation, runs argv with
 * recording into path (replacing it), opens path live once the program has written it,
 * and adds the program's exit status to the window's subtitle when it ends. */
void ctx_application_set_record (CtxApplication *self, const char *path, const char * const *argv);
/* The program started by --record, NULL before. */
GSubprocess *ctx_application_get_recorded (CtxApplication *self);

G_END_DECLS
