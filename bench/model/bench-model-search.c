/* bench-model-search: search times on a generated trace, against a plain SQL scan.
 *
 *   bench-model-search [N_SPANS] [--keep FILE]
 *
 * The baseline reads every span's attrs text once (`SELECT sum(length(attrs)) FROM span`)
 * on the same warm file in the same run; ratio = search time / baseline.  Target: <= 1 s
 * for 1M spans. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>

#include "ctx-gen-trace.h"
#include "ctx-search.h"

static double
baseline (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 t0 = g_get_monotonic_time ();

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  sqlite3_prepare_v2 (db, "SELECT sum(length(attrs)) FROM span", -1, &stmt, NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return (g_get_monotonic_time () - t0) / 1e6;
}

static void
run (CtxTraceModel *model, const char *label, const CtxSearchQuery *query, double base)
{
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GArray) found = ctx_trace_model_search (model, query, NULL, &error);
  double s = (g_get_monotonic_time () - t0) / 1e6;

  if (found == NULL)
    g_error ("%s: %s", label, error->message);
  printf ("{\"bench\":\"model-search\",\"query\":\"%s\",\"spans\":%u,\"matches\":%u,"
          "\"seconds\":%.4f,\"baseline_attrs_scan_s\":%.4f,\"ratio\":%.2f,\"target_s\":%.2f}\n",
          label, ctx_trace_model_get_n_spans (model), found->len, s, base, s / base,
          ctx_trace_model_get_n_spans (model) / 1e6);
}

int
main (int argc, char **argv)
{
  g_autofree char *keep = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("[N_SPANS]");
  GOptionEntry entries[] = {
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Reuse (or write and keep) this file", "FILE" },
    { NULL },
  };
  g_autofree char *dir = NULL, *path = NULL;
  g_autoptr (CtxTraceModel) model = NULL;
  guint n;
  double base;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  dir = keep == NULL ? g_dir_make_tmp ("ctx-bench-XXXXXX", NULL) : NULL;
  path = keep != NULL ? g_strdup (keep) : g_build_filename (dir, "trace.db", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      CtxGenOptions o = { .n_spans = n, .n_processes = 2, .threads_per_process = 4,
                          .attrs_every = 4, .error_every = 100, .open_every = 50 };
      if (!ctx_gen_trace (path, &o, NULL, &error))
        g_error ("generate: %s", error->message);
    }
  model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  if (model == NULL)
    g_error ("load: %s", error->message);
  baseline (path);
  base = baseline (path);
  run (model, "name~fn_1", &(CtxSearchQuery) { .name = "fn_1" }, base);
  run (model, "errors,min_duration", &(CtxSearchQuery) { .errors_only = TRUE,
                                                          .min_duration_ns = 1000 }, base);
  run (model, "args.model=m3", &(CtxSearchQuery) { .attribute = "args.model=m3" }, base);
  run (model, "args.model~M3", &(CtxSearchQuery) { .attribute = "args.model~M3" }, base);
  run (model, "sql", &(CtxSearchQuery) { .sql_where = "end_ns - start_ns > 1000 AND status = 2"
                                         " AND name LIKE 'fn_1%'" }, base);
  if (dir != NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }
  return 0;
}
