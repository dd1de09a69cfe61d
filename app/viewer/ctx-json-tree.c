/* ctx-json-tree.c: JSON attributes as a lazily expanded tree (see ctx-json-tree.h). */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ctx-json-tree.h"

#include <math.h>

struct _CtxJsonItem
{
  GObject parent_instance;

  char *key;
  char *preview;
  JsonNode *node;  /* NULL for the "more items" summary row */
};

G_DEFINE_FINAL_TYPE (CtxJsonItem, ctx_json_item, G_TYPE_OBJECT)

static void
ctx_json_item_finalize (GObject *object)
{
  CtxJsonItem *self = CTX_JSON_ITEM (object);

  g_free (self->key);
  g_free (self->preview);
  g_clear_pointer (&self->node, json_node_unref);
  G_OBJECT_CLASS (ctx_json_item_parent_class)->finalize (object);
}

static void
ctx_json_item_class_init (CtxJsonItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ctx_json_item_finalize;
}

static void
ctx_json_item_init (CtxJsonItem *self)
{
}

/* At most CTX_JSON_MAX_PREVIEW characters on one line, with a visible marker if cut. */
static char *
cap_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *s = g_string_new (NULL);
  glong n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == CTX_JSON_MAX_PREVIEW)
        {
          g_string_append (s, "…");
          break;
        }
      if (c == '\n' || c == '\t' || c == '\r')
        c = ' ';
      g_string_append_unichar (s, c);
    }
  return g_string_free (s, FALSE);
}

/* A double in the fewest digits that read back as the same value: 0.2, not json-glib's
 * 0.20000000000000001. */
static char *
shortest_double (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return g_strdup (buf);
}

static char *
preview_of (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return g_strdup_printf ("{%u}", json_object_get_size (json_node_get_object (node)));
    case JSON_NODE_ARRAY:
      return g_strdup_printf ("[%u]", json_array_get_length (json_node_get_array (node)));
    case JSON_NODE_NULL:
      return g_strdup ("null");
    default:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return cap_text (json_node_get_string (node));
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE && isfinite (json_node_get_double (node)))
        return shortest_double (json_node_get_double (node));
      {
        g_autofree char *text = json_to_string (node, FALSE);
        return cap_text (text);
      }
    }
}

static CtxJsonItem *
item_new (const char *key,
          JsonNode   *node)
{
  CtxJsonItem *self = g_object_new (CTX_TYPE_JSON_ITEM, NULL);

  self->key = cap_text (key);
  self->node = node != NULL ? json_node_ref (node) : NULL;
  self->preview = node != NULL ? preview_of (node) : NULL;
  return self;
}

const char *
ctx_json_item_get_key (CtxJsonItem *self)
{
  return self->key;
}

const char *
ctx_json_item_get_preview (CtxJsonItem *self)
{
  return self->preview != NULL ? self->preview : "";
}

gboolean
ctx_json_item_is_container (CtxJsonItem *self)
{
  return self->node != NULL && (JSON_NODE_HOLDS_OBJECT (self->node) ||
                                JSON_NODE_HOLDS_ARRAY (self->node));
}

guint
ctx_json_scan_depth (const char *text,
                     gsize       len)
{
  guint depth = 0, max = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len && text[i] != '\0'; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\' && i + 1 < len)
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          depth++;
          max = MAX (max, depth);
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return max;
}

static void
append_more (GListStore *store,
             guint       hidden)
{
  g_autofree char *key = g_strdup_printf (_("… %u more"), hidden);
  g_autoptr(CtxJsonItem) item = item_new (key, NULL);

  g_list_store_append (store, item);
}

static GListModel *
object_children (JsonObject *object)
{
  GListStore *store = g_list_store_new (CTX_TYPE_JSON_ITEM);
  g_autoptr(GList) members = json_object_get_members (object);
  guint n = 0;

  for (GList *l = members; l != NULL; l = l->next, n++)
    {
      g_autoptr(CtxJsonItem) item = NULL;

      if (n == CTX_JSON_MAX_CHILDREN)
        {
          append_more (store, g_list_length (l));
          break;
        }
      item = item_new (l->data, json_object_get_member (object, l->data));
      g_list_store_append (store, item);
    }
  return G_LIST_MODEL (store);
}

static GListModel *
array_children (JsonArray *array)
{
  GListStore *store = g_list_store_new (CTX_TYPE_JSON_ITEM);
  guint len = json_array_get_length (array);

  for (guint i = 0; i < len; i++)
    {
      g_autofree char *key = g_strdup_printf ("[%u]", i);
      g_autoptr(CtxJsonItem) item = NULL;

      if (i == CTX_JSON_MAX_CHILDREN)
        {
          append_more (store, len - i);
          break;
        }
      item = item_new (key, json_array_get_element (array, i));
      g_list_store_append (store, item);
    }
  return G_LIST_MODEL (store);
}

GListModel *
ctx_json_tree_children (gpointer item,
                        gpointer user_data)
{
  CtxJsonItem *self = item;

  if (!ctx_json_item_is_container (self))
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (self->node))
    return object_children (json_node_get_object (self->node));
  return array_children (json_node_get_array (self->node));
}

GListModel *
ctx_json_tree_parse (const char  *text,
                     char       **problem)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtxJsonItem) root = NULL;
  gsize len = strlen (text);
  guint depth;

  if (len > CTX_JSON_MAX_BYTES)
    {
      g_autofree char *size = g_format_size (len);

      *problem = g_strdup_printf (_("Attributes too large to show as a tree (%s)."), size);
      return NULL;
    }
  depth = ctx_json_scan_depth (text, len);
  if (depth > CTX_JSON_MAX_DEPTH)
    {
      *problem = g_strdup_printf (_("Attributes nested too deeply to show as a tree (%u levels)."), depth);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, len, &error))
    {
      *problem = g_strdup_printf (_("Attributes are not valid JSON: %s"), error->message);
      return NULL;
    }
  root = item_new ("", json_parser_get_root (parser));
  if (!ctx_json_item_is_container (root))
    {
      GListStore *store = g_list_store_new (CTX_TYPE_JSON_ITEM);
      g_list_store_append (store, root);
      return G_LIST_MODEL (store);
    }
  return ctx_json_tree_children (root, NULL);
}
