/* bench-throughput: sustained recording into the file.  N producer threads together emit
 * RATE spans/s for SECONDS.  Reports committed spans/s, drops, bytes per span on disk, and
 * the end-to-committed latency the writer measures (ctxtrace_get_stats).
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
static double rate_per_thread, seconds;
static char path[256];

static double
mono_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}


static void *
producer (void *data)
{
  (void) data;
  double t0 = mono_s ();
  long emitted = 0;
  for (;;)
    {
      double t = mono_s () - t0;
      if (t >= seconds)
        break;
      long due = (long) (t * rate_per_thread);
      for (; emitted < due; emitted++)
        ctxtrace_end (ctxtrace_begin_site (&work_site));
      struct timespec ts = { 0, 1000000 }; /* 1 ms pacing: bursts of RATE/1000 spans */
      nanosleep (&ts, NULL);
    }
  return (void *) (intptr_t) emitted;
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
  /* BENCH_DIR (default /tmp): e.g. /dev/shm to tell the disk's part from the CPU's. */
  const char *dir = getenv ("BENCH_DIR") != NULL ? getenv ("BENCH_DIR") : "/tmp";
  snprintf (path, sizeof path, "%s/ctxtrace-throughput-%d.db", dir, (int) getpid ());
  if (ctxtrace_start (path) != 0)
    {
      fprintf (stderr, "bench-throughput: %s\n", ctxtrace_last_error ());
      return 1;
    }
  pthread_t p[64];
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
  printf ("{\"case\":\"sustained\",\"threads\":%d,\"target_spans_per_s\":%.0f,"
          "\"committed_spans_per_s\":%.0f,\"committed\":%llu,\"dropped\":%llu,"
          "\"dropped_pct\":%.4f,\"bytes_per_span\":%.1f,\"latency_ms_p50\":%.2f,"
          "\"latency_ms_p99\":%.2f}\n",
          threads, rate, (double) st.committed_spans / elapsed,
          (unsigned long long) st.committed_spans, (unsigned long long) st.dropped_spans,
          100.0 * (double) st.dropped_spans / (double) (emitted > 0 ? emitted : 1),
          (double) sb.st_size / (double) (st.committed_spans ? st.committed_spans : 1),
          (double) st.commit_latency_p50_ns / 1e6, (double) st.commit_latency_p99_ns / 1e6);
  unlink (path);
  return 0;
}
