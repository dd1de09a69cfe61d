/* ctx-minimap.h: an overview of the whole trace with the visible window drawn on it;
 * dragging the window pans the flame chart. */
#pragma once

#include <gtk/gtk.h>

#include "ctx-session.h"

G_BEGIN_DECLS

#define CTX_MINIMAP_BINS 1024

#define CTX_TYPE_MINIMAP (ctx_minimap_get_type ())
G_DECLARE_FINAL_TYPE (CtxMinimap, ctx_minimap, CTX, MINIMAP, GtkWidget)

/* The histogram, computed from the whole trace: thread-safe, for a worker thread. */
typedef struct _CtxMinimapData CtxMinimapData;
CtxMinimapData *ctx_minimap_data_new (CtxSession *session);
void ctx_minimap_data_free (CtxMinimapData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxMinimapData, ctx_minimap_data_free)

GtkWidget *ctx_minimap_new (void);
/* data: computed for session (taken over), or NULL to compute it now. */
void ctx_minimap_set_session (CtxMinimap *self, CtxSession *session, CtxMinimapData *data);
/* Busy fraction (0..1) of the lanes in bin i: how much their outermost spans cover it. */
double ctx_minimap_get_bin (CtxMinimap *self, guint i);

G_END_DECLS
