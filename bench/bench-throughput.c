/* bench-throughput: sustained recording into the file.  N producer threads together emit
 * RATE spans/s for SECONDS; a reader on its own connection measures, for probe spans
 * emitted every 5 ms, the time from the span's end to its row being readable
 * (end-to-committed latency).  Reports committed spans/s, drops, bytes per span on disk.
 *
 *   bench-throughput [THREADS] [RATE] [SECONDS]
 */
#include <ctxtrace.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const ctxtrace_site_t work_site = { "work", __FILE__, __LINE__, 0 };
static const ctxtrace_site_t probe_site = { "probe", __FILE__, __LINE__, 0 };
static double rate_per_thread, seconds;
static atomic_int stop_reader;
static char path[256];

static double
mono_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int64_t
real_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *
producer (void *data)
{
  int probes = (int) (intptr_t) data == 0;
  double t0 = mono_s (), next_probe = t0;
  long emitted = 0;
  for (;;)
    {
      double t = mono_s () - t0;
      if (t >= seconds)
        break;
      long due = (long) (t * rate_per_thread);
      for (; emitted < due; emitted++)
        ctxtrace_end (ctxtrace_begin_site (&work_site));
      if (probes && mono_s () >= next_probe)
        {
          ctxtrace_end (ctxtrace_begin_site (&probe_site));
          next_probe += 0.005;
        }
      struct timespec ts = { 0, 100000 };
      nanosleep (&ts, NULL);
    }
  return (void *) (intptr_t) emitted;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double lat[100000];
static int n_lat;

/* Polls for new probe rows every 0.5 ms; latency = now - the probe's end. */
static void *
reader (void *data)
{
  (void) data;
  sqlite3 *db;
  sqlite3_stmt *st;
  long long last = 0;
  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  sqlite3_busy_timeout (db, 1000);
  sqlite3_prepare_v2 (db, "SELECT s.id, s.end_ns, n.value = 'probe' FROM span s JOIN string n"
                          " ON n.id = s.name_id WHERE s.id > ?1 AND s.dur_ns IS NOT NULL",
                      -1, &st, NULL);
  while (!atomic_load (&stop_reader))
    {
      sqlite3_bind_int64 (st, 1, last);
      while (sqlite3_step (st) == SQLITE_ROW)
        {
          last = sqlite3_column_int64 (st, 0);
          if (sqlite3_column_int (st, 2) && n_lat < 100000)
            lat[n_lat++] = (double) (real_ns () - sqlite3_column_int64 (st, 1)) / 1e6;
        }
      sqlite3_reset (st);
      struct timespec ts = { 0, 500000 };
      nanosleep (&ts, NULL);
    }
  sqlite3_finalize (st);
  sqlite3_close (db);
  return NULL;
}

int
main (int argc, char **argv)
{
  int threads = argc > 1 ? atoi (argv[1]) : 2;
  double rate = argc > 2 ? atof (argv[2]) : 1e6;
  seconds = argc > 3 ? atof (argv[3]) : 3.0;
  if (threads < 1 || threads > 64)
    threads = 2;
  rate_per_thread = rate / threads;
  snprintf (path, sizeof path, "/tmp/ctxtrace-throughput-%d.db", (int) getpid ());
  if (ctxtrace_start (path) != 0)
    {
      fprintf (stderr, "bench-throughput: %s\n", ctxtrace_last_error ());
      return 1;
    }
  pthread_t p[64], r;
  pthread_create (&r, NULL, reader, NULL);
  double t0 = mono_s ();
  for (int i = 0; i < threads; i++)
    pthread_create (&p[i], NULL, producer, (void *) (intptr_t) i);
  long emitted = 0;
  for (int i = 0; i < threads; i++)
    {
      void *n;
      pthread_join (p[i], &n);
      emitted += (long) (intptr_t) n;
    }
  ctxtrace_flush ();
  double elapsed = mono_s () - t0;
  atomic_store (&stop_reader, 1);
  pthread_join (r, NULL);
  ctxtrace_stats_t st;
  ctxtrace_get_stats (&st);
  ctxtrace_stop ();

  /* Bytes per span: the file after folding the WAL in, over the spans in it. */
  sqlite3 *db;
  sqlite3_open (path, &db);
  sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  sqlite3_close (db);
  struct stat sb;
  stat (path, &sb);
  qsort (lat, (size_t) n_lat, sizeof *lat, cmp);
  printf ("{\"case\":\"sustained\",\"threads\":%d,\"target_spans_per_s\":%.0f,"
          "\"committed_spans_per_s\":%.0f,\"committed\":%llu,\"dropped\":%llu,"
          "\"dropped_pct\":%.4f,\"bytes_per_span\":%.1f,\"latency_ms_p50\":%.2f,"
          "\"latency_ms_p99\":%.2f,\"probes\":%d}\n",
          threads, rate, (double) st.committed_spans / elapsed,
          (unsigned long long) st.committed_spans, (unsigned long long) st.dropped_spans,
          100.0 * (double) st.dropped_spans / (double) (emitted > 0 ? emitted : 1),
          (double) sb.st_size / (double) (st.committed_spans ? st.committed_spans : 1),
          n_lat ? lat[n_lat / 2] : -1.0, n_lat ? lat[n_lat * 99 / 100] : -1.0, n_lat);
  unlink (path);
  return 0;
}
