/* test-trace-links: reading the link table (span graph mode) through the hardened
 * connection: rows in order, the row cap, files without the table or with a view in its
 * place, foreign and broken files, cancellation. */
#include <glib/gstdio.h>

#include "ctx-gen-trace.h"
#include "ctx-trace-links.h"
#include "ctx-trace-model.h"

static char *dir;

static char *
write_links (const char *name, guint n_links, const char *extra_sql)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  CtxGen *gen = ctx_gen_new (path, &error);

  g_assert_no_error (error);
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "t");
  for (guint i = 0; i < n_links; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO link VALUES (%u, %u, %u)", 100 + i,
                                              200 + i, i % 2 + 1);

      g_assert_true (ctx_gen_exec (gen, sql, &error));
    }
  if (extra_sql != NULL)
    g_assert_true (ctx_gen_exec (gen, extra_sql, &error));
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_rows (void)
{
  g_autofree char *path = write_links ("rows.db", 3, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) links = ctx_trace_links_load (path, 100, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const CtxTraceLink *l = &g_array_index (links, CtxTraceLink, i);

      g_assert_cmpint (l->span_id, ==, 100 + i);
      g_assert_cmpint (l->linked_span_id, ==, 200 + i);
      g_assert_cmpint (l->kind, ==, i % 2 + 1);
    }
  g_unlink (path);
}

static void
test_cap (void)
{
  g_autofree char *path = write_links ("cap.db", 10, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) links = ctx_trace_links_load (path, 4, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 4);
  g_assert_cmpint (g_array_index (links, CtxTraceLink, 3).span_id, ==, 103);
  g_unlink (path);
}

static void
test_no_table (void)
{
  g_autofree char *path = write_links ("none.db", 0, "DROP TABLE link");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) links = ctx_trace_links_load (path, 100, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 0);
  g_unlink (path);
}

/* A view named link would run the file's own SQL: it is not read. */
static void
test_view_instead (void)
{
  g_autofree char *path = write_links ("view.db", 0,
                                       "DROP TABLE link; CREATE VIEW link AS SELECT 1 AS span_id, "
                                       "2 AS linked_span_id, 3 AS kind");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) links = ctx_trace_links_load (path, 100, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 0);
  g_unlink (path);
}

static void
test_bad_files (void)
{
  static const struct { const char *kind; int code; } cases[] = {
    { "text", CTX_TRACE_ERROR_NOT_SQLITE },
    { "foreign", CTX_TRACE_ERROR_NOT_CTXTRACE },
    { "newer", CTX_TRACE_ERROR_NEWER_SCHEMA },
    { "empty", CTX_TRACE_ERROR_NOT_SQLITE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (dir, cases[i].kind, NULL);
      g_autoptr (GError) error = NULL;
      GArray *links;

      g_assert_true (ctx_gen_bad (path, cases[i].kind, &error));
      links = ctx_trace_links_load (path, 100, NULL, &error);
      g_assert_null (links);
      g_assert_error (error, CTX_TRACE_ERROR, cases[i].code);
      g_unlink (path);
    }
}

static void
test_cancelled (void)
{
  g_autofree char *path = write_links ("many.db", 20000, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  GArray *links;

  g_cancellable_cancel (cancellable);
  links = ctx_trace_links_load (path, 1000000, cancellable, &error);
  g_assert_null (links);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("test-trace-links-XXXXXX", NULL);
  g_test_add_func ("/trace-links/rows", test_rows);
  g_test_add_func ("/trace-links/cap", test_cap);
  g_test_add_func ("/trace-links/no-table", test_no_table);
  g_test_add_func ("/trace-links/view-instead", test_view_instead);
  g_test_add_func ("/trace-links/bad-files", test_bad_files);
  g_test_add_func ("/trace-links/cancelled", test_cancelled);
  status = g_test_run ();
  g_rmdir (dir);
  g_free (dir);
  return status;
}
