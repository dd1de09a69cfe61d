/* test-json-tree.c: attribute trees with caps against hostile JSON. */
#include <string.h>

#include "ctx-json-tree.h"

static char *
nested (guint depth)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
test_scan_depth (void)
{
  g_autofree char *deep = nested (100000);

  g_assert_cmpuint (ctx_json_scan_depth ("{}", 2), ==, 1);
  g_assert_cmpuint (ctx_json_scan_depth ("{\"a\":[1,{\"b\":[]}]}", 100), ==, 4);
  /* Brackets inside strings, escaped quotes included, do not count. */
  g_assert_cmpuint (ctx_json_scan_depth ("{\"a\":\"[[[\\\"[[\"}", 100), ==, 1);
  g_assert_cmpuint (ctx_json_scan_depth (deep, strlen (deep)), ==, 100000);
}

static CtxJsonItem *
item_at (GListModel *model, guint i)
{
  CtxJsonItem *item = g_list_model_get_item (model, i);
  g_object_unref (item);  /* the model keeps it alive */
  return item;
}

/* Doubles read in their shortest exact form (json-glib alone prints 17 digits). */
static void
test_doubles (void)
{
  g_autofree char *problem = NULL;
  g_autoptr(GListModel) root =
    ctx_json_tree_parse ("{\"t\":0.2,\"third\":0.3333333333333333,\"big\":1e300,\"w\":2.5}", &problem);

  g_assert_null (problem);
  g_assert_cmpstr (ctx_json_item_get_preview (item_at (root, 0)), ==, "0.2");
  g_assert_cmpstr (ctx_json_item_get_preview (item_at (root, 1)), ==, "0.3333333333333333");
  g_assert_cmpstr (ctx_json_item_get_preview (item_at (root, 2)), ==, "1e+300");
  g_assert_cmpstr (ctx_json_item_get_preview (item_at (root, 3)), ==, "2.5");
}

static void
test_parse_object (void)
{
  g_autofree char *problem = NULL;
  g_autoptr(GListModel) root =
    ctx_json_tree_parse ("{\"args.model\":\"x\",\"n\":3,\"list\":[1,2],\"o\":{\"k\":null}}", &problem);
  g_autoptr(GListModel) list = NULL;

  g_assert_null (problem);
  g_assert_nonnull (root);
  g_assert_cmpuint (g_list_model_get_n_items (root), ==, 4);
  g_assert_cmpstr (ctx_json_item_get_key (item_at (root, 0)), ==, "args.model");
  g_assert_cmpstr (ctx_json_item_get_preview (item_at (root, 0)), ==, "x");
  g_assert_cmpstr (ctx_json_item_get_preview (item_at (root, 1)), ==, "3");
  g_assert_cmpstr (ctx_json_item_get_preview (item_at (root, 2)), ==, "[2]");
  g_assert_true (ctx_json_item_is_container (item_at (root, 2)));
  g_assert_false (ctx_json_item_is_container (item_at (root, 0)));
  list = ctx_json_tree_children (item_at (root, 2), NULL);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_assert_cmpstr (ctx_json_item_get_key (item_at (list, 1)), ==, "[1]");
}

static void
test_caps (void)
{
  GString *big = g_string_new ("{");
  g_autofree char *problem = NULL;
  g_autoptr(GListModel) root = NULL;
  g_autofree char *long_value = NULL;
  g_autofree char *long_json = NULL;
  g_autoptr(GListModel) one = NULL;

  for (guint i = 0; i < 1500; i++)
    g_string_append_printf (big, "%s\"k%u\":%u", i ? "," : "", i, i);
  g_string_append_c (big, '}');
  root = ctx_json_tree_parse (big->str, &problem);
  g_string_free (big, TRUE);
  g_assert_nonnull (root);
  g_assert_cmpuint (g_list_model_get_n_items (root), ==, CTX_JSON_MAX_CHILDREN + 1);
  g_assert_cmpstr (ctx_json_item_get_key (item_at (root, CTX_JSON_MAX_CHILDREN)), ==, "… 500 more");

  long_value = g_strnfill (5000, 'a');
  long_json = g_strdup_printf ("{\"s\":\"%s\"}", long_value);
  one = ctx_json_tree_parse (long_json, &problem);
  g_assert_true (g_str_has_suffix (ctx_json_item_get_preview (item_at (one, 0)), "…"));
  g_assert_cmpuint (g_utf8_strlen (ctx_json_item_get_preview (item_at (one, 0)), -1), ==,
                    CTX_JSON_MAX_PREVIEW + 1);
}

static void
test_refused (void)
{
  g_autofree char *deep = nested (100000);
  g_autofree char *p1 = NULL, *p2 = NULL;

  g_assert_null (ctx_json_tree_parse (deep, &p1));
  g_assert_nonnull (strstr (p1, "deeply"));
  g_assert_null (ctx_json_tree_parse ("{\"a\":", &p2));
  g_assert_nonnull (strstr (p2, "not valid JSON"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-tree/scan-depth", test_scan_depth);
  g_test_add_func ("/json-tree/parse-object", test_parse_object);
  g_test_add_func ("/json-tree/doubles", test_doubles);
  g_test_add_func ("/json-tree/caps", test_caps);
  g_test_add_func ("/json-tree/refused", test_refused);
  return g_test_run ();
}
