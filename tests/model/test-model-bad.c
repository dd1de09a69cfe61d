/* test-model-bad: every bad input of issue 5 gives a clear error or loads sanely, and the
 * file is never written. */
#include <glib/gstdio.h>
#include <string.h>

#include "ctx-aggregate.h"
#include "ctx-gen-trace.h"
#include "ctx-search.h"
#include "ctx-trace-model.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("ctx-bad-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "trace.db", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_chmod (p, 0644);
      if (g_rmdir (p) != 0)
        g_unlink (p);
    }
  g_chmod (f->dir, 0755);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static char *
checksum (const char *path)
{
  g_autofree char *data = NULL;
  gsize n = 0;

  if (!g_file_get_contents (path, &data, &n, NULL))
    return g_strdup ("missing");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, n);
}

/* Loads path expecting error code; the message names the file; the file is unchanged. */
static void
expect_error (const char *path, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = checksum (path);
  g_autofree char *after = NULL;
  g_autofree char *base = g_path_get_basename (path);
  CtxTraceModel *model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);

  g_assert_null (model);
  g_assert_error (error, CTX_TRACE_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, base));
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
  after = checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static CtxTraceModel *
expect_load (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = checksum (path);
  g_autofree char *after = NULL;
  CtxTraceModel *model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  after = checksum (path);
  g_assert_cmpstr (before, ==, after);
  return model;
}

static void
gen_bad (const char *path, const char *kind)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ctx_gen_bad (path, kind, &error));
  g_assert_no_error (error);
}

static void
test_missing (Fixture *f, gconstpointer data)
{
  expect_error (f->path, CTX_TRACE_ERROR_NOT_FOUND, "does not exist");
}

static void
test_directory (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (g_mkdir (f->path, 0755), ==, 0);
  expect_error (f->path, CTX_TRACE_ERROR_NOT_A_FILE, "folder");
}

static void
test_simple_kinds (Fixture *f, gconstpointer data)
{
  static const struct { const char *kind; int code; const char *fragment; } cases[] = {
    { "empty", CTX_TRACE_ERROR_NOT_SQLITE, "0 bytes" },
    { "text", CTX_TRACE_ERROR_NOT_SQLITE, "not an SQLite database" },
    { "foreign", CTX_TRACE_ERROR_NOT_CTXTRACE, "not a ctxtrace trace" },
    { "newer", CTX_TRACE_ERROR_NEWER_SCHEMA, "schema version 2" },
    { "truncated", CTX_TRACE_ERROR_CORRUPT, "truncated" },
    { "corrupt-page", CTX_TRACE_ERROR_CORRUPT, NULL },
    { "no-span-table", CTX_TRACE_ERROR_CORRUPT, "span" },
    { "span-view", CTX_TRACE_ERROR_CORRUPT, "span" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("kind %s", cases[i].kind);
      gen_bad (f->path, cases[i].kind);
      expect_error (f->path, cases[i].code, cases[i].fragment);
      g_unlink (f->path);
    }
}

static void
test_read_only_directory (Fixture *f, gconstpointer data)
{
  CtxGenOptions o = { .n_spans = 100 };
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = NULL;

  g_assert_true (ctx_gen_trace (f->path, &o, NULL, &error));
  g_chmod (f->path, 0444);
  g_chmod (f->dir, 0555);
  model = expect_load (f->path);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, 100);
}

static void
test_json (Fixture *f, gconstpointer data)
{
  const char *kind = data;
  g_autoptr (CtxTraceModel) model = NULL;
  g_autoptr (CtxSpanDetails) d0 = NULL, d1 = NULL;
  g_autoptr (GError) error = NULL;

  gen_bad (f->path, kind);
  model = expect_load (f->path);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, 2);
  d0 = ctx_trace_model_fetch_details (model, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (d0->attrs_json), >, 100000);
  g_assert_cmpuint (d0->events->len, ==, 1);
  d1 = ctx_trace_model_fetch_details (model, 1, &error);
  g_assert_cmpstr (d1->attrs_json, ==, "{\"args.x\": 1,");
}

static void
test_huge_name (Fixture *f, gconstpointer data)
{
  g_autoptr (CtxTraceModel) model = NULL;
  const char *name;

  gen_bad (f->path, "huge-name");
  model = expect_load (f->path);
  name = ctx_trace_model_get_string (model, ctx_trace_model_get_spans (model)[0].name);
  g_assert_cmpuint (strlen (name), <=, 4096);
  g_assert_true (g_str_has_suffix (name, "…"));
  g_assert_true (g_str_has_prefix (name, "xxxxxxxx"));
  name = ctx_trace_model_get_lane (model, 0)->name;
  g_assert_cmpuint (strlen (name), <=, 4096);
  g_assert_cmpstr (ctx_trace_model_get_string (model, ctx_trace_model_get_spans (model)[1].name),
                   ==, "short");
}

static void
test_many_children (Fixture *f, gconstpointer data)
{
  g_autoptr (CtxTraceModel) model = NULL;
  g_autoptr (CtxSpanDetails) details = NULL;
  g_autoptr (GError) error = NULL;
  gint64 t0;

  gen_bad (f->path, "many-children");
  model = expect_load (f->path);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, 1000001);
  t0 = g_get_monotonic_time ();
  details = ctx_trace_model_fetch_details (model, 0, &error);
  g_assert_no_error (error);
  g_test_message ("details of a span with 1M children: %.1f ms",
                  (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpuint (details->n_children, ==, 1000000);
  g_assert_cmpint (details->self_ns, ==, 4000000 - 2000000);
  g_assert_cmpuint (ctx_trace_model_get_spans (model)[1000000].parent, ==, 0);
}

static void
test_bad_times (Fixture *f, gconstpointer data)
{
  g_autoptr (CtxTraceModel) model = NULL;
  g_autoptr (CtxSpanDetails) details = NULL;
  g_autoptr (GError) error = NULL;
  const CtxSpan *s;

  gen_bad (f->path, "bad-times");
  model = expect_load (f->path);
  s = ctx_trace_model_get_spans (model);
  g_assert_true (s[0].flags & CTX_SPAN_INVALID_TIME);
  g_assert_cmpint (s[0].end_ns, ==, s[0].start_ns);
  g_assert_cmpuint (s[2].parent, ==, 1);
  details = ctx_trace_model_fetch_details (model, 1, &error);
  g_assert_cmpuint (details->n_children, ==, 1);  /* starts before its parent */
  g_assert_cmpint (details->self_ns, ==, 0);      /* child longer than parent: clipped */
  g_assert_cmpuint (s[3].depth, ==, G_MAXUINT16);
  g_assert_cmpuint (s[3].status, ==, 0);
  g_assert_cmpuint (s[4].depth, ==, 0);
  g_assert_cmpstr (ctx_trace_model_get_string (model, s[4].name), ==, "(unnamed)");
  g_assert_cmpuint (ctx_trace_model_get_n_lanes (model), ==, 2);
  g_assert_cmpint (ctx_trace_model_get_lane (model, s[5].lane)->thread_id, ==, 42);
  g_assert_cmpuint (ctx_trace_model_get_lane (model, s[5].lane)->process, <,
                    ctx_trace_model_get_n_processes (model));
}

static void
test_int64_limits (Fixture *f, gconstpointer data)
{
  g_autoptr (CtxTraceModel) model = NULL;
  const CtxSpan *s;

  gen_bad (f->path, "int64-limits");
  model = expect_load (f->path);
  s = ctx_trace_model_get_spans (model);
  g_assert_cmpuint (ctx_trace_model_get_n_spans (model), ==, 7);
  /* id order: -9223372036854775807, 1..5, 9223372036854775807 */
  g_assert_cmpint (ctx_trace_model_get_span_id (model, 0), ==, -G_MAXINT64);
  g_assert_cmpint (ctx_trace_model_get_span_id (model, 6), ==, G_MAXINT64);
  g_assert_cmpuint (ctx_trace_model_find_id (model, G_MAXINT64), ==, 6);
  g_assert_cmpuint (ctx_trace_model_find_id (model, G_MININT64), ==, CTX_NONE);
  g_assert_cmpuint (s[6].parent, ==, 0);  /* parent id -9223372036854775807 */
  g_assert_cmpuint (s[0].parent, ==, 6);  /* parent loaded after it */
  g_assert_cmpstr (ctx_trace_model_get_string (model, s[6].name), ==, "far");
  g_assert_cmpint (s[2].end_ns, ==, G_MAXINT64);
  g_assert_cmpint (s[3].end_ns, ==, G_MAXINT64);
  g_assert_cmpint (s[5].end_ns, ==, G_MAXINT64);
  g_assert_cmpint (ctx_trace_model_get_start_ns (model), ==, -G_MAXINT64);
  g_assert_cmpint (ctx_trace_model_get_end_ns (model), ==, G_MAXINT64);
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr (CtxSpanDetails) details = ctx_trace_model_fetch_details (model, i, NULL);
      g_assert_cmpint (details->self_ns, >=, 0);
    }
}

/* Whatever a damaged file decodes to, everything the viewer calls copes with it. */
static void
exercise (CtxTraceModel *model)
{
  guint n = ctx_trace_model_get_n_spans (model);
  g_autoptr (CtxAggregate) agg = ctx_aggregate_compute (model, 0, 0, NULL, NULL);
  g_autoptr (GArray) found = ctx_trace_model_search (model, &(CtxSearchQuery) {
                               .name = "fn", .attribute = "args.model~m" }, NULL, NULL);
  gboolean changed;

  g_assert_nonnull (agg);
  for (guint32 i = 0; i < n; i += 97)
    {
      g_autoptr (CtxSpanDetails) details = ctx_trace_model_fetch_details (model, i, NULL);
      g_autoptr (GArray) children = ctx_trace_model_get_children (model, i);
      const CtxSpan *s = &ctx_trace_model_get_spans (model)[i];
      g_assert_cmpuint (s->lane, <, ctx_trace_model_get_n_lanes (model));
      g_assert_cmpuint (s->name, <, ctx_trace_model_get_n_strings (model));
      g_assert_true (s->parent == CTX_NONE || s->parent < n);
      g_assert_cmpint (s->end_ns, >=, s->start_ns);
    }
  ctx_trace_model_refresh (model, &changed, NULL);
}

/* Random bytes over random pages of a trace, many times (seeded, so reproducible). */
static void
test_random_damage (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *clean = NULL;
  gsize size = 0;
  GRand *rand = g_rand_new_with_seed (1234);
  guint loaded = 0;

  {
    CtxGenOptions o = { .n_spans = 3000, .threads_per_process = 2, .attrs_every = 2 };
    CtxGen *gen;
    g_assert_true (ctx_gen_trace (f->path, &o, NULL, &error));
    gen = ctx_gen_open (f->path, &error);
    ctx_gen_exec (gen, "COMMIT; PRAGMA journal_mode=DELETE; BEGIN", NULL);
    ctx_gen_close (gen, FALSE, NULL);
  }
  g_assert_true (g_file_get_contents (f->path, &clean, &size, &error));
  for (int round = 0; round < 60; round++)
    {
      g_autofree char *copy = g_memdup2 (clean, size);
      g_autoptr (CtxTraceModel) model = NULL;
      g_autoptr (GError) load_error = NULL;

      for (int k = 0; k < 1 + round % 4; k++)
        {
          gsize page = (gsize) g_rand_int_range (rand, 1, (gint32) (size / 4096));
          gsize at = page * 4096 + (gsize) g_rand_int_range (rand, 0, 4096 - 64);
          for (int b = 0; b < 1 + g_rand_int_range (rand, 0, 64); b++)
            copy[at + b] = (char) g_rand_int (rand);
        }
      g_assert_true (g_file_set_contents (f->path, copy, (gssize) size, &error));
      model = ctx_trace_model_load (f->path, NULL, NULL, NULL, &load_error);
      if (model == NULL)
        {
          g_assert_true (load_error->domain == CTX_TRACE_ERROR);
          continue;
        }
      loaded++;
      exercise (model);
    }
  g_test_message ("%u of 60 damaged files still loaded", loaded);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/model/bad/missing", test_missing, NULL);
  ADD ("/model/bad/directory", test_directory, NULL);
  ADD ("/model/bad/refused-files", test_simple_kinds, NULL);
  ADD ("/model/bad/read-only-directory", test_read_only_directory, NULL);
  ADD ("/model/bad/deep-json", test_json, "deep-json");
  ADD ("/model/bad/invalid-json", test_json, "invalid-json");
  ADD ("/model/bad/huge-name", test_huge_name, NULL);
  ADD ("/model/bad/many-children", test_many_children, NULL);
  ADD ("/model/bad/bad-times", test_bad_times, NULL);
  ADD ("/model/bad/int64-limits", test_int64_limits, NULL);
  ADD ("/model/bad/random-damage", test_random_damage, NULL);
  return g_test_run ();
}
