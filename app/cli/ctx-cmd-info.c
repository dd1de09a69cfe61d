/* ctx-cmd-info.c: ctxtrace info FILE.  Plain aggregate queries: no need to load the
 * spans, so it answers at once even on a trace of millions of spans. */
#include "ctx-cli.h"

#include "ctx-io.h"

typedef struct
{
  sqlite3 *db;
  GError **error;
  GHashTable *spans_per_thread;  /* gint64 thread.id -> gint64 count */
} Info;

static sqlite3_stmt *
query (Info *info, const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (info->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    ctx_io_sql_error (info->db, "reading the trace", info->error);
  return stmt;
}

/* Steps; FALSE at the end or on error (then *info->error is set). */
static gboolean
next_row (Info *info, sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    ctx_io_sql_error (info->db, "reading the trace", info->error);
  return rc == SQLITE_ROW;
}

static char *
format_time (gint64 ns)
{
  gint64 secs = ns / G_GINT64_CONSTANT (1000000000);
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (secs);
  g_autofree char *date = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : NULL;

  if (date == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT " ns", ns);
  return g_strdup_printf ("%s.%09" G_GINT64_FORMAT " UTC", date,
                          ns - secs * G_GINT64_CONSTANT (1000000000));
}

static const char *
text (sqlite3_stmt *stmt, int col)
{
  const char *s = (const char *) sqlite3_column_text (stmt, col);

  return s != NULL ? s : "";
}

static void
print_header (Info *info, const char *path)
{
  sqlite3_stmt *stmt = query (info, "SELECT (SELECT value FROM meta WHERE key = "
                              "'created_by'), (SELECT user_version FROM pragma_user_version)");

  printf ("file: %s\n", path);
  if (stmt != NULL && next_row (info, stmt))
    printf ("schema version: %d\ncreated by: %s\n", sqlite3_column_int (stmt, 1),
            text (stmt, 0));
  sqlite3_finalize (stmt);
}

static void
print_counts (Info *info)
{
  sqlite3_stmt *stmt = query (info,
      "SELECT count(*), count(*) - count(dur_ns), min(start_ns),"
      " max(max(start_ns + ifnull(dur_ns, 0), start_ns)), (SELECT count(*) FROM event),"
      " (SELECT count(*) FROM trace) FROM span");

  if (stmt != NULL && next_row (info, stmt))
    {
      gint64 start = sqlite3_column_int64 (stmt, 2), end = sqlite3_column_int64 (stmt, 3);
      g_autofree char *from = format_time (start);
      g_autofree char *dur = ctx_cli_format_duration (end - start);

      printf ("spans: %lld (%lld still open)\nevents: %lld\ntraces: %lld\n",
              sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
              sqlite3_column_int64 (stmt, 4), sqlite3_column_int64 (stmt, 5));
      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        printf ("time range: %s, lasting %s\n", from, dur);
    }
  sqlite3_finalize (stmt);
}

/* One scan counting in a hash table: a per-thread count(*) would scan once per thread. */
static void
count_spans_per_thread (Info *info)
{
  sqlite3_stmt *stmt = query (info, "SELECT thread_id FROM span");

  while (stmt != NULL && next_row (info, stmt))
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 *count = g_hash_table_lookup (info->spans_per_thread, &id);

      if (count == NULL)
        {
          count = g_new0 (gint64, 2);
          count[1] = id;
          g_hash_table_insert (info->spans_per_thread, &count[1], count);
        }
      count[0]++;
    }
  sqlite3_finalize (stmt);
}

static void
print_threads (Info *info, gint64 process_id)
{
  sqlite3_stmt *stmt = query (info, "SELECT id, tid, name FROM thread WHERE process_id = ?"
                              " ORDER BY id");

  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, process_id);
  while (next_row (info, stmt))
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 *count = g_hash_table_lookup (info->spans_per_thread, &id);

      printf ("    thread %lld %s: %" G_GINT64_FORMAT " spans\n", sqlite3_column_int64 (stmt, 1),
              text (stmt, 2), count != NULL ? count[0] : 0);
    }
  sqlite3_finalize (stmt);
}

static void
print_processes (Info *info)
{
  sqlite3_stmt *stmt = query (info,
      "SELECT id, pid, name, hostname, cmdline, dropped_spans, dropped_records,"
      " rejected_attrs, truncated_values, end_ns IS NULL,"
      " (SELECT count(*) FROM thread WHERE process_id = process.id) FROM process ORDER BY id");

  if (stmt == NULL)
    return;
  while (next_row (info, stmt))
    {
      printf ("process %lld %s on %s%s: %lld threads\n", sqlite3_column_int64 (stmt, 1),
              text (stmt, 2), text (stmt, 3),
              sqlite3_column_int (stmt, 9) ? " (recording or died)" : "",
              sqlite3_column_int64 (stmt, 10));
      if (sqlite3_column_text (stmt, 4) != NULL)
        printf ("  command: %s\n", text (stmt, 4));
      printf ("  drops: %lld spans, %lld records; %lld attributes rejected, %lld values "
              "truncated\n", sqlite3_column_int64 (stmt, 5), sqlite3_column_int64 (stmt, 6),
              sqlite3_column_int64 (stmt, 7), sqlite3_column_int64 (stmt, 8));
      print_threads (info, sqlite3_column_int64 (stmt, 0));
    }
  sqlite3_finalize (stmt);
}

int
ctx_cmd_info (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int exit_code = CTX_EXIT_OK;
  const GOptionEntry entries[] = { { NULL } };
  Info info = { NULL, &error, NULL };

  if (!ctx_cli_parse ("info", "FILE", "Describe a trace: processes, threads, span count, "
                      "time range, drops, schema version.", entries, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return ctx_cli_usage ("info", "expected one trace FILE");
  info.db = ctx_io_open_trace (argv[1], &error);
  if (info.db == NULL)
    return ctx_cli_fail ("info", error);
  sqlite3_exec (info.db, "BEGIN", NULL, NULL, NULL);
  print_header (&info, argv[1]);
  if (error == NULL)
    print_counts (&info);
  info.spans_per_thread = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  if (error == NULL)
    count_spans_per_thread (&info);
  if (error == NULL)
    print_processes (&info);
  g_hash_table_unref (info.spans_per_thread);
  sqlite3_close (info.db);
  if (error != NULL)
    return ctx_cli_fail ("info", error);
  return CTX_EXIT_OK;
}
