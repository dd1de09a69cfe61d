/* test-wal: the WAL stays small while spans keep coming.  Checkpoints run on their own
 * thread and connection; if that connection never saw the file in WAL mode, its checkpoints
 * silently did nothing and the WAL grew to FINISH_PAGES (32 MiB) before the writer copied
 * it back itself, stalling for ~140 ms.  Records about 27 MiB of spans in bursts and checks
 * that the WAL never reached 16 MiB: broken, it grows to ~27 MiB; working, it stays near
 * 5 MiB on an idle machine and reached 9.1 MiB in a loaded CI run (the checkpointer runs at
 * nice 10, so it lags when the cores are busy). */
#include <ctxtrace.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "ct-test.h"

#define BURSTS 100
#define SPANS_PER_BURST 10000

int
main (void)
{
  char path[300], wal[320];
  snprintf (path, sizeof path, "%s/wal.db", ct_test_tmpdir ());
  snprintf (wal, sizeof wal, "%s-wal", path);
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  long long max_wal = 0;
  for (int b = 0; b < BURSTS; b++)
    {
      for (int i = 0; i < SPANS_PER_BURST; i++)
        {
          CTXTRACE_SCOPE ("work");
        }
      ctxtrace_flush (); /* no drops: the whole volume goes through the WAL */
      struct timespec ts = { 0, 2000000 }; /* a breath for the checkpointer */
      nanosleep (&ts, NULL);
      struct stat st;
      if (stat (wal, &st) == 0 && st.st_size > max_wal)
        max_wal = st.st_size;
    }
  ctxtrace_stats_t stats;
  ctxtrace_get_stats (&stats);
  ctxtrace_stop ();
  printf ("committed %llu spans, largest WAL %.1f MiB\n",
          (unsigned long long) stats.committed_spans, (double) max_wal / 1048576.0);
  CHECK_EQ_INT ((long long) stats.committed_spans, BURSTS * SPANS_PER_BURST);
  CHECK (max_wal > 0);
  CHECK (max_wal < 16 * 1024 * 1024);
  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_STR (ct_test_text (db, "PRAGMA integrity_check"), "ok");
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), BURSTS * SPANS_PER_BURST);
  sqlite3_close (db);
  return ct_test_done ("test-wal");
}
