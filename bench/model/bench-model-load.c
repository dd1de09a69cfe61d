/* bench-model-load: how long loading a trace takes, against a plain SQLite scan.
 *
 *   bench-model-load [N_SPANS] [--keep FILE]
 *
 * Writes a synthetic trace of N spans (default 1M) into a temporary directory (or reuses
 * FILE when it exists), then times, in the same run and on the same warm file, a plain
 * `SELECT count(*) FROM span` (the baseline) and ctx_trace_model_load().  Prints one JSON
 * line per measurement; ratio = load time / baseline time. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/resource.h>

#include "ctx-gen-trace.h"
#include "ctx-trace-model.h"

#define REPEATS 3

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
baseline_once (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  double t0 = now_s (), t;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  sqlite3_prepare_v2 (db, "SELECT count(*) FROM span", -1, &stmt, NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  t = now_s () - t0;
  sqlite3_close (db);
  return t;
}

/* CPU seconds of the whole process: on a shared machine wall time says little. */
static double
cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
         + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gint64
rss_bytes (void)
{
  g_autofree char *statm = NULL;
  long pages_total = 0, pages_rss = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)
      || sscanf (statm, "%ld %ld", &pages_total, &pages_rss) != 2)
    return 0;
  return (gint64) pages_rss * 4096;
}

/* Bytes of the model's arrays reachable through the public API: the spans and the lane
 * rows.  Span ids add 16 bytes per run of consecutive ids (one run in these files); the
 * RSS growth of the first load counts everything. */
static gint64
model_bytes (CtxTraceModel *model)
{
  gint64 bytes = (gint64) ctx_trace_model_get_n_spans (model) * sizeof (CtxSpan);

  for (guint l = 0; l < ctx_trace_model_get_n_lanes (model); l++)
    {
      const CtxLane *lane = ctx_trace_model_get_lane (model, l);
      for (guint d = 0; d < lane->n_rows; d++)
        bytes += (gint64) lane->rows[d]->len * sizeof (guint32);
    }
  return bytes;
}

static double
median (double *v, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--)
      {
        double t = v[j];
        v[j] = v[j - 1];
        v[j - 1] = t;
      }
  return v[n / 2];
}

static void
measure (const char *path, guint n)
{
  double base[REPEATS], load[REPEATS], cpu[REPEATS];
  gint64 rss_before = 0, rss_after = 0, arrays = 0;
  guint loaded = 0;

  baseline_once (path);  /* warm the page cache for both */
  for (int r = 0; r < REPEATS; r++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (CtxTraceModel) model = NULL;
      double t0, c0;

      base[r] = baseline_once (path);
      if (r == 0)
        rss_before = rss_bytes ();
      c0 = cpu_s ();
      t0 = now_s ();
      model = ctx_trace_model_load (path, NULL, NULL, NULL, &error);
      load[r] = now_s () - t0;
      cpu[r] = cpu_s () - c0;
      if (model == NULL)
        g_error ("load failed: %s", error->message);
      /* The first model only: later ones reuse the heap the previous one freed. */
      if (r == 0)
        rss_after = rss_bytes ();
      loaded = ctx_trace_model_get_n_spans (model);
      arrays = model_bytes (model);
    }
  printf ("{\"bench\":\"model-load\",\"spans\":%u,\"baseline_count_s\":%.4f,\"load_s\":%.4f,"
          "\"ratio\":%.2f,\"load_cpu_s\":%.3f,\"cores\":%u,\"span_struct_bytes\":%zu,\"array_bytes_per_span\":%.1f,"
          "\"rss_bytes_per_span\":%.1f,\"target_load_s\":%.1f}\n",
          loaded, median (base, REPEATS), median (load, REPEATS),
          median (load, REPEATS) / median (base, REPEATS), median (cpu, REPEATS),
          g_get_num_processors (), sizeof (CtxSpan),
          (double) arrays / MAX (loaded, 1), (double) (rss_after - rss_before) / MAX (loaded, 1),
          n >= 10000000 ? 5.0 : 0.5 * n / 1e6);
  (void) n;
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
  guint n;
  double t0;

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
      t0 = now_s ();
      if (!ctx_gen_trace (path, &o, NULL, &error))
        g_error ("generate: %s", error->message);
      printf ("{\"bench\":\"model-generate\",\"spans\":%u,\"seconds\":%.2f}\n", n, now_s () - t0);
    }
  measure (path, n);
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
