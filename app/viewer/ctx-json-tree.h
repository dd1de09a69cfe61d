/* ctx-json-tree.h: span attributes (JSON text from the file) as an expandable tree model,
 * with caps so that a hostile value cannot stall or crash the viewer. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CTX_JSON_MAX_DEPTH 64        /* deeper documents are not parsed at all */
#define CTX_JSON_MAX_BYTES (4 << 20)  /* larger documents are not parsed either */
#define CTX_JSON_MAX_CHILDREN 1000    /* per object/array; the rest is summarised */
#define CTX_JSON_MAX_PREVIEW 400      /* characters of a value shown in the row */

#define CTX_TYPE_JSON_ITEM (ctx_json_item_get_type ())
G_DECLARE_FINAL_TYPE (CtxJsonItem, ctx_json_item, CTX, JSON_ITEM, GObject)

const char *ctx_json_item_get_key (CtxJsonItem *self);
/* The value as one line: strings and numbers as such, containers as "{3}" / "[5]". */
const char *ctx_json_item_get_preview (CtxJsonItem *self);
gboolean ctx_json_item_is_container (CtxJsonItem *self);

/* Nesting depth of JSON text, scanning at most len bytes, without parsing it. */
guint ctx_json_scan_depth (const char *text, gsize len);
/* A GtkTreeListModel-ready root list of CtxJsonItem, or NULL with *problem set to a
 * sentence saying why the text is not shown as a tree. */
GListModel *ctx_json_tree_parse (const char *text, char **problem);
/* Children of an item as a GListModel (the create function of a GtkTreeListModel). */
GListModel *ctx_json_tree_children (gpointer item, gpointer user_data);

G_END_DECLS
