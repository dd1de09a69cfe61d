/* ctx-gen-trace.c: writes a synthetic trace for the CLI tests and benchmarks, with plain
 * SQLite and the library's schema text (ctxtrace_schema_create), so the tests do not
 * depend on the recording library.
 *
 * Usage: ctx-gen-trace OUT.db [--spans N] [--threads T] [--processes P] [--seed S]
 *                             [--plain]
 * Every thread gets trees of nested spans (random fan-out, depth up to 6) with names
 * that need escaping, typed attributes, errors with exception attributes, events inside
 * spans, one span still open per thread, and links.  --plain leaves out attributes,
 * events, errors and open spans (for benchmarks of the bare span path).
 */
#include <glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctxtrace-schema.h"

/* Not a multiple of 256 ns once floored to a microsecond: a double cannot hold it. */
#define BASE_NS G_GINT64_CONSTANT (1700000000987654321)

typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *span;
  sqlite3_stmt *event;
  sqlite3_stmt *link;
  GRand *rand;
  gboolean plain;
  gint64 next_id;
  gint64 next_event;
  gint64 budget;  /* spans left to write */
} Gen;

static const char *const names[] = {
  "main", "parse_config", "load \"model\"", "infer", "tokenize", "matmul", "relu",
  "write\\output", "net/http GET", "naïve-ünïcödé ✓", "db.query", "sleep",
};

static void
die (Gen *g, const char *what)
{
  fprintf (stderr, "ctx-gen-trace: %s: %s\n", what, sqlite3_errmsg (g->db));
  exit (1);
}

static void
exec_sql (Gen *g, const char *sql)
{
  if (sqlite3_exec (g->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    die (g, sql);
}

static void
step (Gen *g, sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    die (g, "insert");
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static char *
make_attrs (Gen *g, gint64 id, int status)
{
  int kind = g_rand_int_range (g->rand, 0, 4);

  if (status == 2)
    return g_strdup_printf ("{\"exception.type\":\"IOError\",\"exception.message\":\"disk "
                            "\\\"full\\\" at %" G_GINT64_FORMAT "\",\"exception.stacktrace\":"
                            "\"f\\ng\\nh\"}", id);
  if (kind == 0)
    return NULL;
  if (kind == 1)
    return g_strdup_printf ("{\"args.n\":%" G_GINT64_FORMAT ",\"args.name\":\"item %d\","
                            "\"return\":true}", id, g_rand_int_range (g->rand, 0, 100));
  if (kind == 2)
    return g_strdup_printf ("{\"args.ratio\":%d.25,\"args.list\":[1,\"two\",null,{\"k\":"
                            "false}],\"args.obj\":{\"a\":{\"b\":-%d}}}",
                            g_rand_int_range (g->rand, 0, 9), g_rand_int_range (g->rand, 1, 9));
  return g_strdup ("{}");
}

static void
write_span (Gen *g, gint64 id, gint64 parent, gint64 thread, gint64 start, gint64 dur,
            int depth, gboolean open)
{
  int status = g->plain ? 0 : g_rand_int_range (g->rand, 0, 20) == 0 ? 2
                            : g_rand_int_range (g->rand, 0, 2);
  g_autofree char *attrs = g->plain ? NULL : make_attrs (g, id, status);
  sqlite3_stmt *s = g->span;

  sqlite3_bind_int64 (s, 1, id);
  if (parent > 0)
    sqlite3_bind_int64 (s, 2, parent);
  sqlite3_bind_int64 (s, 3, thread);
  sqlite3_bind_int64 (s, 4, g_rand_int_range (g->rand, 1, G_N_ELEMENTS (names) + 1));
  sqlite3_bind_int64 (s, 5, start);
  if (!open)
    sqlite3_bind_int64 (s, 6, dur);
  sqlite3_bind_int (s, 7, depth);
  sqlite3_bind_int (s, 8, status);
  sqlite3_bind_text (s, 9, attrs, -1, SQLITE_TRANSIENT);
  step (g, s);
}

static void
write_event (Gen *g, gint64 span, gint64 thread, gint64 ts)
{
  sqlite3_stmt *s = g->event;

  sqlite3_bind_int64 (s, 1, ++g->next_event);
  sqlite3_bind_int64 (s, 2, span);
  sqlite3_bind_int64 (s, 3, thread);
  sqlite3_bind_int64 (s, 4, ts);
  sqlite3_bind_int64 (s, 5, g_rand_int_range (g->rand, 1, G_N_ELEMENTS (names) + 1));
  sqlite3_bind_text (s, 6, g_rand_boolean (g->rand) ? "{\"attempt\":2}" : NULL, -1,
                     SQLITE_STATIC);
  step (g, s);
}

/* A span from start lasting dur, with children packed inside it; returns its id. */
static gint64
gen_tree (Gen *g, gint64 parent, gint64 thread, gint64 start, gint64 dur, int depth,
          gboolean open)
{
  gint64 id = ++g->next_id;
  int n_children = depth >= 6 ? 0 : g_rand_int_range (g->rand, 0, 4);
  gint64 t = start + 1;

  g->budget--;
  write_span (g, id, parent, thread, start, dur, depth, open);
  /* At the span's start, before its first child: then it is the innermost span. */
  if (!g->plain && g_rand_int_range (g->rand, 0, 4) == 0)
    write_event (g, id, thread, start);
  for (int i = 0; i < n_children && g->budget > 0 && dur > 64; i++)
    {
      gint64 slot = (dur - 2) / n_children;
      gint64 child_dur = slot / 2 + g_rand_int_range (g->rand, 0, (gint32) MIN (slot / 2, 1000000));

      gen_tree (g, id, thread, t, child_dur, depth + 1, FALSE);
      t += slot;
    }
  return id;
}

static void
gen_thread (Gen *g, gint64 thread, gint64 quota)
{
  gint64 t = BASE_NS + thread * 1000;
  gint64 stop = g->budget - quota;

  while (g->budget > stop && g->budget > 0)
    {
      gint64 dur = g_rand_int_range (g->rand, 1000, 5000000);
      gint64 root = gen_tree (g, 0, thread, t, dur, 0, FALSE);

      if (!g->plain && g_rand_int_range (g->rand, 0, 10) == 0 && root > 1)
        {
          sqlite3_bind_int64 (g->link, 1, root);
          sqlite3_bind_int64 (g->link, 2, root - 1);
          step (g, g->link);
        }
      t += dur + g_rand_int_range (g->rand, 1, 100000);
    }
  if (!g->plain)
    gen_tree (g, 0, thread, t, 100000, 0, TRUE);  /* still running when the file closed */
}

static void
write_processes (Gen *g, int n_processes, int n_threads)
{
  for (int p = 1; p <= n_processes; p++)
    {
      g_autofree char *sql = g_strdup_printf (
          "INSERT INTO process(id, pid, name, cmdline, hostname, start_ns, end_ns, clock,"
          " library_version, dropped_spans) VALUES (%d, %d, 'app-%d', './app --run %d',"
          " 'host-%d', %" G_GINT64_FORMAT ", NULL, 'monotonic', '0.1.0', %d)",
          p, 4000 + p, p, p, p, BASE_NS, p - 1);
      exec_sql (g, sql);
    }
  for (int t = 1; t <= n_threads; t++)
    {
      g_autofree char *sql = g_strdup_printf (
          "INSERT INTO thread(id, process_id, tid, name) VALUES (%d, %d, %d, '%s-%d')",
          t, (t - 1) % n_processes + 1, 5000 + t, t == 1 ? "main" : "worker", t);
      exec_sql (g, sql);
    }
}

static void
write_strings (Gen *g)
{
  sqlite3_stmt *s = NULL;

  if (sqlite3_prepare_v2 (g->db, "INSERT INTO string(id, value) VALUES (?, ?)", -1, &s,
                          NULL) != SQLITE_OK)
    die (g, "prepare");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      sqlite3_bind_int64 (s, 1, i + 1);
      sqlite3_bind_text (s, 2, names[i], -1, SQLITE_STATIC);
      step (g, s);
    }
  sqlite3_finalize (s);
  exec_sql (g, "INSERT INTO trace(id, hex) VALUES (1, '4bf92f3577b34da6a3ce929d0e0e4736')");
}

static void
prepare_all (Gen *g)
{
  if (sqlite3_prepare_v2 (g->db, "INSERT INTO span(id, trace_id, parent_id, thread_id,"
                          " name_id, start_ns, dur_ns, depth, status, attrs) VALUES"
                          " (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &g->span, NULL)
      || sqlite3_prepare_v2 (g->db, "INSERT INTO event(id, span_id, thread_id, ts_ns,"
                             " name_id, attrs) VALUES (?, ?, ?, ?, ?, ?)", -1, &g->event,
                             NULL)
      || sqlite3_prepare_v2 (g->db, "INSERT INTO link(span_id, linked_span_id, kind)"
                             " VALUES (?, ?, 1)", -1, &g->link, NULL))
    die (g, "prepare");
}

int
main (int argc, char **argv)
{
  gint64 n_spans = 1000, seed = 1;
  int n_threads = 3, n_processes = 2;
  gboolean plain = FALSE;
  const GOptionEntry entries[] = {
    { "spans", 0, 0, G_OPTION_ARG_INT64, &n_spans, "Spans to write", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Threads", "T" },
    { "processes", 0, 0, G_OPTION_ARG_INT, &n_processes, "Processes", "P" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed", "S" },
    { "plain", 0, 0, G_OPTION_ARG_NONE, &plain, "Spans only, no attributes", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("OUT.db");
  g_autoptr (GError) error = NULL;
  Gen g = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || n_threads < 1
      || n_processes < 1 || n_processes > n_threads)
    {
      fprintf (stderr, "usage: ctx-gen-trace OUT.db [--spans N] [--threads T] ...\n");
      return 2;
    }
  remove (argv[1]);
  if (sqlite3_open (argv[1], &g.db) != SQLITE_OK)
    die (&g, argv[1]);
  g.rand = g_rand_new_with_seed ((guint32) seed);
  g.plain = plain;
  g.budget = n_spans;
  exec_sql (&g, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN");
  if (ctxtrace_schema_create (g.db, "ctx-gen-trace", BASE_NS) != SQLITE_OK)
    die (&g, "schema");
  write_processes (&g, n_processes, n_threads);
  write_strings (&g);
  prepare_all (&g);
  for (int t = 1; t <= n_threads; t++)
    gen_thread (&g, t, n_spans / n_threads + (t == n_threads ? n_spans % n_threads : 0));
  sqlite3_finalize (g.span);
  sqlite3_finalize (g.event);
  sqlite3_finalize (g.link);
  exec_sql (&g, "COMMIT");
  g_rand_free (g.rand);
  sqlite3_close (g.db);
  return 0;
}
