/* test-model-search: name, status, duration, attribute and SQL criteria on a trace whose
 * matches we know, and hostile filters that must neither write nor escape. */
#include <glib/gstdio.h>
#include <string.h>

#include "ctx-gen-trace.h"
#include "ctx-search.h"

static char *dir, *path, *big_path;

static void
write_trace (void)
{
  g_autoptr (GError) error = NULL;
  CtxGen *gen = ctx_gen_new (path, &error);
  GString *deep = g_string_new ("{\"d\":");

  for (int i = 0; i < 5000; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 5000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  ctx_gen_process (gen, 1, "p");
  ctx_gen_thread (gen, 1, 1, "main");
#define SPAN(n, st, d, a) \
  ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 1, .name = n, .status = st, \
                                     .start_ns = 100, .dur_ns = d, .attrs = a })
  SPAN ("Main", 1, 1000, "{\"args.model\":\"gpt-4\",\"n\":3,\"ok\":true,\"nested\":{\"a\":1}}");
  SPAN ("load_file", 2, 300, "{\"exception.type\":\"IOError\",\"args.model\":\"llama\"}");
  SPAN ("LOAD", 1, 50, NULL);
  SPAN ("save", 2, 2000, "{\"args.model\": ");
  SPAN ("odd", 1, 10, "{\"we\\\"ird\":\"x\"}");
  SPAN ("deep", 1, 10, deep->str);
  g_string_free (deep, TRUE);
  g_assert_true (ctx_gen_close (gen, TRUE, &error));
}

static CtxTraceModel *
load (const char *p)
{
  g_autoptr (GError) error = NULL;
  CtxTraceModel *model = ctx_trace_model_load (p, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return model;
}

/* expected: span indices terminated by -1 */
static void
expect (CtxTraceModel *model, const CtxSearchQuery *query, const int *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) found = ctx_trace_model_search (model, query, NULL, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (; expected[n] >= 0; n++)
    {
      g_assert_cmpuint (n, <, found->len);
      g_assert_cmpuint (g_array_index (found, guint32, n), ==, (guint32) expected[n]);
    }
  g_assert_cmpuint (found->len, ==, n);
}

static void
test_memory_criteria (void)
{
  g_autoptr (CtxTraceModel) m = load (path);

  expect (m, &(CtxSearchQuery) { .name = "load" }, (const int[]) { 1, 2, -1 });
  expect (m, &(CtxSearchQuery) { .name = "LoAd_" }, (const int[]) { 1, -1 });
  expect (m, &(CtxSearchQuery) { .errors_only = TRUE }, (const int[]) { 1, 3, -1 });
  expect (m, &(CtxSearchQuery) { .min_duration_ns = 500 }, (const int[]) { 0, 3, -1 });
  expect (m, &(CtxSearchQuery) { .name = "load", .errors_only = TRUE }, (const int[]) { 1, -1 });
  expect (m, &(CtxSearchQuery) { .name = "nothing" }, (const int[]) { -1 });
  expect (m, &(CtxSearchQuery) { 0 }, (const int[]) { 0, 1, 2, 3, 4, 5, -1 });
}

static void
test_attributes (void)
{
  g_autoptr (CtxTraceModel) m = load (path);

  expect (m, &(CtxSearchQuery) { .attribute = "args.model=gpt-4" }, (const int[]) { 0, -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "args.model = \"gpt-4\"" },
          (const int[]) { 0, -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "args.model~LLA" }, (const int[]) { 1, -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "args.model~" }, (const int[]) { 0, 1, -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "n=3" }, (const int[]) { 0, -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "ok=true" }, (const int[]) { 0, -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "nested~\"a\":1" }, (const int[]) { 0, -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "we\"ird=x" }, (const int[]) { 4, -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "missing=1" }, (const int[]) { -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "d~[" }, (const int[]) { -1 });
  expect (m, &(CtxSearchQuery) { .attribute = "args.model~l", .errors_only = TRUE },
          (const int[]) { 1, -1 });
}

static void
expect_bad (CtxTraceModel *m, const CtxSearchQuery *query, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  GArray *found = ctx_trace_model_search (m, query, NULL, &error);

  g_assert_null (found);
  g_assert_error (error, CTX_TRACE_ERROR, code);
  g_test_message ("%s", error->message);
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_sql (void)
{
  g_autoptr (CtxTraceModel) m = load (path);

  expect (m, &(CtxSearchQuery) { .sql_where = "dur_ns > 100 AND status = 2" },
          (const int[]) { 1, 3, -1 });
  expect (m, &(CtxSearchQuery) { .sql_where = "name = 'odd'" }, (const int[]) { 4, -1 });
  expect (m, &(CtxSearchQuery) { .sql_where = "end_ns - start_ns >= 1e3 -- comment" },
          (const int[]) { 0, 3, -1 });
  expect (m, &(CtxSearchQuery) { .sql_where = "json_valid(attrs) AND "
                                              "json_extract(attrs, '$.n') = 3" },
          (const int[]) { 0, -1 });
  expect (m, &(CtxSearchQuery) { .sql_where = "attrs IS NULL", .name = "load" },
          (const int[]) { 2, -1 });
  expect_bad (m, &(CtxSearchQuery) { .attribute = "no operator" },
              CTX_TRACE_ERROR_BAD_QUERY, "key=value");
  expect_bad (m, &(CtxSearchQuery) { .sql_where = "dur_ns >" },
              CTX_TRACE_ERROR_BAD_QUERY, "not a valid SQL expression");
  expect_bad (m, &(CtxSearchQuery) { .sql_where = "no_such_column = 1" },
              CTX_TRACE_ERROR_BAD_QUERY, "no_such_column");
  expect_bad (m, &(CtxSearchQuery) { .sql_where = "json_extract(attrs, '$.n') = 3" },
              CTX_TRACE_ERROR_BAD_QUERY, "malformed JSON");
}

static char *
checksum (const char *p)
{
  g_autofree char *data = NULL;
  gsize n = 0;

  g_assert_true (g_file_get_contents (p, &data, &n, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, n);
}

static void
test_hostile_sql (void)
{
  static const char *hostile[] = {
    "1; DROP TABLE span",
    "1); DELETE FROM span; SELECT (1",
    "id IN (SELECT rowid FROM sqlite_master)",
    "id IN (SELECT id FROM process)",
    "(SELECT count(*) FROM pragma_table_info('span')) > 0",
    "load_extension('/tmp/evil.so') IS NULL",
    "id IN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)",
    "1) UNION SELECT id FROM process WHERE (1",
  };
  g_autoptr (CtxTraceModel) m = load (path);
  g_autofree char *before = checksum (path);
  g_autofree char *after = NULL;
  g_autofree char *attached = g_build_filename (dir, "attached.db", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_test_message ("hostile: %s", hostile[i]);
      expect_bad (m, &(CtxSearchQuery) { .sql_where = hostile[i] }, CTX_TRACE_ERROR_BAD_QUERY,
                  NULL);
    }
  after = checksum (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (attached, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (ctx_trace_model_get_n_spans (m), ==, 6);
}

static void
test_timeout_and_cancel (void)
{
  g_autoptr (CtxTraceModel) m = load (big_path);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  const char *slow = "(SELECT count(*) FROM span a, span b, span c) > 0";
  gint64 t0 = g_get_monotonic_time ();

  expect_bad (m, &(CtxSearchQuery) { .sql_where = slow, .time_limit_ms = 100 },
              CTX_TRACE_ERROR_TIMEOUT, "too long");
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
  g_cancellable_cancel (cancellable);
  g_assert_null (ctx_trace_model_search (m, &(CtxSearchQuery) { .sql_where = slow },
                                         cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
on_found (GObject *source, GAsyncResult *result, gpointer data)
{
  GArray **out = data;
  g_autoptr (GError) error = NULL;

  *out = ctx_trace_model_search_finish (CTX_TRACE_MODEL (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async_and_step (void)
{
  g_autoptr (CtxTraceModel) m = load (path);
  GArray *found = NULL;
  char *attribute = g_strdup ("args.model~");

  ctx_trace_model_search_async (m, &(CtxSearchQuery) { .attribute = attribute }, NULL,
                                on_found, &found);
  g_free (attribute);  /* the query was copied */
  while (found == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpuint (ctx_search_step (found, 0, TRUE), ==, 1);
  g_assert_cmpuint (ctx_search_step (found, 1, TRUE), ==, 0);
  g_assert_cmpuint (ctx_search_step (found, 0, FALSE), ==, 1);
  g_assert_cmpuint (ctx_search_step (found, 5, FALSE), ==, 1);
  g_assert_cmpuint (ctx_search_step (found, 3, TRUE), ==, 0);
  g_array_unref (found);
}

int
main (int argc, char **argv)
{
  CtxGenOptions o = { .n_spans = 3000 };
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("ctx-search-XXXXXX", NULL);
  path = g_build_filename (dir, "trace.db", NULL);
  big_path = g_build_filename (dir, "big.db", NULL);
  write_trace ();
  g_assert_true (ctx_gen_trace (big_path, &o, NULL, &error));
  g_test_add_func ("/model/search/memory-criteria", test_memory_criteria);
  g_test_add_func ("/model/search/attributes", test_attributes);
  g_test_add_func ("/model/search/sql", test_sql);
  g_test_add_func ("/model/search/hostile-sql", test_hostile_sql);
  g_test_add_func ("/model/search/timeout-and-cancel", test_timeout_and_cancel);
  g_test_add_func ("/model/search/async-and-step", test_async_and_step);
  rc = g_test_run ();
  for (const char *const *p = (const char *const[]) { path, big_path, NULL }; *p; p++)
    {
      g_autofree char *wal = g_strconcat (*p, "-wal", NULL);
      g_autofree char *shm = g_strconcat (*p, "-shm", NULL);
      g_unlink (*p);
      g_unlink (wal);
      g_unlink (shm);
    }
  g_rmdir (dir);
  return rc;
}
