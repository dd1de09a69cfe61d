/* bench-cli: export and import speed of the ctxtrace command line's io code.
 *
 *   bench-cli [N_SPANS]       (default 1000000)
 *
 * Writes a synthetic trace of N nested spans (4 threads, no attributes) into a temporary
 * directory, then measures in the same run:
 *   - export to Chrome JSON (to /dev/null) against a plain SQLite scan reading the same
 *     columns (the least any streaming exporter must do);
 *   - import of that Chrome JSON against a raw read of the file in the same chunks, and
 *     against yajl tokenizing it without callbacks (the parser's floor).
 * Best of 3 runs each.  One JSON line per measurement; ratio = our time / baseline time.
 * Targets (issue 8): export >= 1M spans/s, import >= 500k events/s.
 */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <yajl/yajl_parse.h>

#include "ctx-io.h"
#include "ctxtrace-schema.h"

#define REPEATS 3
#define THREADS 4
#define CHUNK (256 * 1024)

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
check_rc (sqlite3 *db, int rc, const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      fprintf (stderr, "bench-cli: %s: %s\n", what, sqlite3_errmsg (db));
      exit (1);
    }
}

/* Roots of 1 ms with two levels of children: the shape of an instrumented program. */
static void
write_spans (sqlite3 *db, gint64 n)
{
  sqlite3_stmt *s = NULL;
  gint64 t = G_GINT64_CONSTANT (1700000000000000000), id = 0;

  check_rc (db, sqlite3_prepare_v2 (db, "INSERT INTO span(id, trace_id, parent_id, thread_id,"
                                    " name_id, start_ns, dur_ns, depth) VALUES (?, 1, ?, ?, ?,"
                                    " ?, ?, ?)", -1, &s, NULL), "prepare");
  while (id < n)
    {
      gint64 root = id + 1;
      for (int k = 0; k < 8 && id < n; k++)
        {
          int depth = k == 0 ? 0 : k < 4 ? 1 : 2;
          sqlite3_bind_int64 (s, 1, ++id);
          if (depth > 0)
            sqlite3_bind_int64 (s, 2, depth == 1 ? root : id - 1);
          else
            sqlite3_bind_null (s, 2);
          sqlite3_bind_int64 (s, 3, root % THREADS + 1);
          sqlite3_bind_int64 (s, 4, id % 16 + 1);
          sqlite3_bind_int64 (s, 5, t + k * 1000);
          sqlite3_bind_int64 (s, 6, depth == 0 ? 900000 : 500);
          sqlite3_bind_int (s, 7, depth);
          check_rc (db, sqlite3_step (s), "insert");
          sqlite3_reset (s);
        }
      t += 1000000;
    }
  sqlite3_finalize (s);
}

static void
write_trace (const char *path, gint64 n)
{
  sqlite3 *db = NULL;

  check_rc (db, sqlite3_open (path, &db), path);
  check_rc (db, sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN",
                              NULL, NULL, NULL), "begin");
  check_rc (db, ctxtrace_schema_create (db, "bench-cli", 0), "schema");
  check_rc (db, sqlite3_exec (db, "INSERT INTO process(id, pid, name, start_ns, clock,"
                              " library_version) VALUES (1, 100, 'bench', 1700000000000000000,"
                              " 'monotonic', '0.1.0');"
                              "INSERT INTO trace(id, hex) VALUES (1, "
                              "'0123456789abcdef0123456789abcdef');"
                              "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i"
                              " WHERE x < 16) INSERT INTO string SELECT x, 'function_' || x"
                              " FROM i;"
                              "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i"
                              " WHERE x < 4) INSERT INTO thread SELECT x, 1, 100 + x,"
                              " 'worker-' || x FROM i;", NULL, NULL, NULL), "rows");
  write_spans (db, n);
  check_rc (db, sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), "commit");
  sqlite3_close (db);
}

static double
scan_once (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  gint64 sum = 0;
  double t0 = now_s (), t;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  sqlite3_prepare_v2 (db, "SELECT s.start_ns, s.dur_ns, s.thread_id, n.value, s.attrs, s.status"
                      " FROM span s LEFT JOIN string n ON n.id = s.name_id", -1, &s, NULL);
  while (sqlite3_step (s) == SQLITE_ROW)
    sum += sqlite3_column_int64 (s, 0) + sqlite3_column_bytes (s, 3);
  sqlite3_finalize (s);
  t = now_s () - t0;
  sqlite3_close (db);
  if (sum == 42)
    fprintf (stderr, "\n");  /* keeps the loop from being optimised away */
  return t;
}

static double
export_once (const char *path, const char *out_path)
{
  GError *error = NULL;
  sqlite3 *db = ctx_io_open_trace (path, &error);
  FILE *out = fopen (out_path, "wb");
  double t0 = now_s (), t;

  if (db == NULL || out == NULL || !ctx_export (db, CTX_EXPORT_CHROME, out, NULL, &error))
    {
      fprintf (stderr, "bench-cli: export: %s\n", error != NULL ? error->message : out_path);
      exit (1);
    }
  fclose (out);
  t = now_s () - t0;
  sqlite3_close (db);
  return t;
}

static double
read_once (const char *path)
{
  FILE *fp = fopen (path, "rb");
  g_autofree char *buf = g_malloc (CHUNK);
  double t0 = now_s ();
  gsize n, sum = 0;

  while ((n = fread (buf, 1, CHUNK, fp)) > 0)
    sum += (guchar) buf[n - 1];
  fclose (fp);
  if (sum == 42)
    fprintf (stderr, "\n");
  return now_s () - t0;
}

/* The JSON tokenizer alone (yajl without callbacks): the floor of any import with it. */
static double
tokenize_once (const char *path)
{
  FILE *fp = fopen (path, "rb");
  g_autofree unsigned char *buf = g_malloc (CHUNK);
  yajl_handle h = yajl_alloc (NULL, NULL, NULL);
  double t0 = now_s (), t;
  gsize n;

  while ((n = fread (buf, 1, CHUNK, fp)) > 0)
    yajl_parse (h, buf, n);
  yajl_complete_parse (h);
  t = now_s () - t0;
  yajl_free (h);
  fclose (fp);
  return t;
}

static double
import_once (const char *json, const char *db_path, CtxImportStats *stats)
{
  GError *error = NULL;
  FILE *in = fopen (json, "rb");
  double t0 = now_s (), t;
  CtxIoOutput *out = ctx_io_output_create (db_path, TRUE, "bench-cli", &error);

  if (out == NULL || !ctx_import_chrome (in, json, ctx_io_output_get_db (out), stats, &error)
      || !ctx_io_output_finish (out, &error))
    {
      fprintf (stderr, "bench-cli: import: %s\n", error->message);
      exit (1);
    }
  t = now_s () - t0;
  ctx_io_output_free (out);
  fclose (in);
  return t;
}

static void
report (const char *name, const char *unit, gint64 n, double t, const char *baseline, double b,
        double target)
{
  printf ("{\"bench\":\"%s\",\"%s\":%" G_GINT64_FORMAT ",\"seconds\":%.4f,\"%s_per_s\":%.0f,"
          "\"baseline\":\"%s\",\"baseline_seconds\":%.4f,\"baseline_%s_per_s\":%.0f,"
          "\"ratio\":%.2f,\"target_%s_per_s\":%.0f,\"meets_target\":%s}\n",
          name, unit, n, t, unit, n / t, baseline, b, unit, n / b, t / b, unit, target,
          n / t >= target ? "true" : "false");
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  gint64 n = argc > 1 ? g_ascii_strtoll (argv[1], NULL, 10) : 1000000;
  g_autofree char *dir = g_dir_make_tmp ("bench-cli-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "trace.db", NULL);
  g_autofree char *json = g_build_filename (dir, "trace.json", NULL);
  g_autofree char *back = g_build_filename (dir, "back.db", NULL);
  double scan = G_MAXDOUBLE, exp = G_MAXDOUBLE, rd = G_MAXDOUBLE, imp = G_MAXDOUBLE;
  double tok = G_MAXDOUBLE;
  CtxImportStats stats;

  if (n <= 0 || dir == NULL)
    return 2;
  write_trace (db, n);
  for (int i = 0; i < REPEATS; i++)
    {
      scan = MIN (scan, scan_once (db));
      exp = MIN (exp, export_once (db, "/dev/null"));
    }
  report ("cli-export-chrome", "spans", n, exp, "sqlite-scan", scan, 1e6);
  export_once (db, json);
  for (int i = 0; i < REPEATS; i++)
    {
      rd = MIN (rd, read_once (json));
      tok = MIN (tok, tokenize_once (json));
      imp = MIN (imp, import_once (json, back, &stats));
    }
  report ("cli-import-chrome", "events", (gint64) stats.spans, imp, "raw-read", rd, 5e5);
  report ("cli-import-chrome", "events", (gint64) stats.spans, imp, "yajl-tokenize", tok, 5e5);
  g_unlink (db);
  g_unlink (json);
  g_unlink (back);
  g_rmdir (dir);
  return 0;
}
