/* bench-model-refresh: the main-loop cost of one live refresh.
 *
 *   bench-model-refresh [N_SPANS] [--keep FILE] [--batch 10000] [--ticks 30]
 *
 * Loads a trace of N spans (default 1M), then a writer connection commits BATCH new
 * spans per tick and the model refreshes.  One root in 100 is committed open and closed a
 * tick later: the library writes a span open only when it outlives a commit (those on the
 * threads' stacks).  Reports the median and p99 refresh time and, as the
 * baseline, a plain SQL read of the same new rows on the same warm file in the same run.
 * The viewer reads off its main thread (ctx_trace_model_read_delta_async) and only appends
 * on it (ctx_trace_model_apply_delta): "apply_median_ms" is that main-thread share, timed
 * on every other tick; the other ticks time the synchronous ctx_trace_model_refresh().
 * Target (issue 6): <= 4 ms median main-loop work for 10k new spans. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>

#include "ctx-gen-trace.h"
#include "ctx-trace-model.h"

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *v, double q)
{
  g_array_sort (v, compare_double);
  return g_array_index (v, double, (guint) MIN (v->len - 1, q * v->len));
}

/* One batch: roots with two children each; one root in 100 stays open for a tick. */
static void
write_batch (CtxGen *gen, guint batch, gint64 *t, GArray *open_ids)
{
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < open_ids->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE span SET dur_ns = 500 WHERE id = %"
                                              G_GINT64_FORMAT, g_array_index (open_ids, gint64, i));
      ctx_gen_exec (gen, sql, NULL);
    }
  g_array_set_size (open_ids, 0);
  for (guint i = 0; i + 3 <= batch; i += 3, *t += 1000)
    {
      gboolean open = (i / 3) % 100 == 0;
      gint64 root = ctx_gen_span (gen, &(CtxGenSpan) { .thread_id = 1, .name = "tick",
                                                       .start_ns = *t, .dur_ns = 900,
                                                       .open = open });
      ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = root, .thread_id = 1, .name = "a",
                                         .start_ns = *t + 10, .dur_ns = 100, .depth = 1 });
      ctx_gen_span (gen, &(CtxGenSpan) { .parent_id = root, .thread_id = 1, .name = "b",
                                         .start_ns = *t + 200, .dur_ns = 100, .depth = 1 });
      if (open)
        g_array_append_val (open_ids, root);
    }
  if (!ctx_gen_commit (gen, &error))
    g_error ("commit: %s", error->message);
}

static double
baseline_read (sqlite3 *db, gint64 after)
{
  sqlite3_stmt *stmt = NULL;
  gint64 t0 = g_get_monotonic_time (), sum = 0;

  sqlite3_prepare_v2 (db, "SELECT id, parent_id, thread_id, name_id, start_ns, dur_ns, depth,"
                      " status FROM span WHERE id > ?1", -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, after);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    for (int c = 0; c < 8; c++)
      sum += sqlite3_column_int64 (stmt, c);
  sqlite3_finalize (stmt);
  return (g_get_monotonic_time () - t0) / 1e3 + (sum == 42 ? 1e-9 : 0);
}

static void
on_delta (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CtxTraceDelta **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = ctx_trace_model_read_delta_finish (CTX_TRACE_MODEL (source), result, &error);
  if (*out == NULL)
    g_error ("read delta: %s", error->message);
}

/* The viewer's way: read on a worker, then time only the apply (the main-thread part). */
static double
split_refresh (CtxTraceModel *model, double *read_ms)
{
  g_autoptr (CtxTraceDelta) delta = NULL;
  g_autoptr (GError) error = NULL;
  gboolean changed = FALSE, more = FALSE;
  gint64 t0 = g_get_monotonic_time ();

  if (!ctx_trace_model_check_changed (model, &changed, &error) || !changed)
    g_error ("check_changed failed or saw nothing");
  ctx_trace_model_read_delta_async (model, 0, NULL, on_delta, &delta);
  while (delta == NULL)
    g_main_context_iteration (NULL, TRUE);
  *read_ms = (g_get_monotonic_time () - t0) / 1e3;
  t0 = g_get_monotonic_time ();
  if (ctx_trace_model_apply_delta (model, delta, &more) != CTX_APPLY_DONE)
    g_error ("apply failed");
  return (g_get_monotonic_time () - t0) / 1e3;
}

static void
measure (const char *path, guint batch, guint ticks)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxTraceModel) model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) base = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) applies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) reads = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) open_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  CtxGen *gen;
  sqlite3 *reader = NULL;
  gint64 t;
  guint n0;

  if (model == NULL)
    g_error ("load: %s", error->message);
  n0 = ctx_trace_model_get_n_spans (model);
  t = ctx_trace_model_get_end_ns (model) + 1000;
  gen = ctx_gen_open (path, &error);
  sqlite3_open_v2 (path, &reader, SQLITE_OPEN_READONLY, NULL);
  for (guint k = 0; k < ticks; k++)
    {
      gint64 last = ctx_trace_model_get_span_id (model, ctx_trace_model_get_n_spans (model) - 1);
      gboolean changed = FALSE;
      double ms, b;
      gint64 t0;

      write_batch (gen, batch, &t, open_ids);
      b = baseline_read (reader, last);
      g_array_append_val (base, b);
      if (k % 2 == 1)
        {
          double read_ms, apply_ms = split_refresh (model, &read_ms);
          g_array_append_val (applies, apply_ms);
          g_array_append_val (reads, read_ms);
          continue;
        }
      t0 = g_get_monotonic_time ();
      if (!ctx_trace_model_refresh (model, &changed, &error) || !changed)
        g_error ("refresh failed or saw nothing");
      ms = (g_get_monotonic_time () - t0) / 1e3;
      g_array_append_val (times, ms);
    }
  printf ("{\"bench\":\"model-refresh\",\"spans_before\":%u,\"new_spans_per_tick\":%u,"
          "\"ticks\":%u,\"median_ms\":%.3f,\"p99_ms\":%.3f,\"baseline_sql_median_ms\":%.3f,"
          "\"ratio\":%.2f,\"worker_read_median_ms\":%.3f,\"apply_median_ms\":%.3f,"
          "\"apply_p99_ms\":%.3f,\"target_median_ms\":4.0}\n",
          n0, batch / 3 * 3, ticks, percentile (times, 0.5), percentile (times, 0.99),
          percentile (base, 0.5), percentile (times, 0.5) / percentile (base, 0.5),
          percentile (reads, 0.5), percentile (applies, 0.5), percentile (applies, 0.99));
  sqlite3_close (reader);
  ctx_gen_close (gen, TRUE, NULL);
}

int
main (int argc, char **argv)
{
  g_autofree char *keep = NULL;
  int batch = 10000, ticks = 30;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("[N_SPANS]");
  GOptionEntry entries[] = {
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Copy of the trace to use", "FILE" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "New spans per tick", "N" },
    { "ticks", 0, 0, G_OPTION_ARG_INT, &ticks, "Refreshes to time", "N" },
    { NULL },
  };
  g_autofree char *dir = g_dir_make_tmp ("ctx-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "live.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  CtxGenOptions o = { .n_processes = 1, .threads_per_process = 4, .attrs_every = 4 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  o.n_spans = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  /* The writer appends, so never write into a kept file: work on a fresh one. */
  if (keep != NULL && !g_file_test (keep, G_FILE_TEST_EXISTS) && !ctx_gen_trace (keep, &o, NULL, &error))
    g_error ("generate: %s", error->message);
  if (keep != NULL)
    {
      g_autofree char *data = NULL;
      gsize n = 0;
      if (!g_file_get_contents (keep, &data, &n, &error)
          || !g_file_set_contents (path, data, (gssize) n, &error))
        g_error ("copy: %s", error->message);
    }
  else if (!ctx_gen_trace (path, &o, NULL, &error))
    g_error ("generate: %s", error->message);
  measure (path, (guint) MAX (batch, 3), (guint) MAX (ticks, 2));
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
  return 0;
}
