/* test-live: what a reader sees while a trace is being written: an open span within
 * ~20 ms (checked here against a generous bound; bench/ measures it), its attributes while
 * it runs, its end once it ends, and ids that grow in commit order. */
#include <ctxtrace.h>
#include <time.h>

#include "ct-test.h"

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Polls until sql gives want, for up to 2 s; returns the milliseconds it took or -1. */
static long long
wait_for (sqlite3 *db, const char *sql, long long want)
{
  long long t0 = now_ms ();
  while (now_ms () - t0 < 2000)
    {
      if (ct_test_int (db, sql) == want)
        return now_ms () - t0;
      struct timespec ts = { 0, 1000000 };
      nanosleep (&ts, NULL);
    }
  return -1;
}

int
main (void)
{
  char path[300];
  snprintf (path, sizeof path, "%s/live.db", ct_test_tmpdir ());
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  sqlite3 *db = ct_test_open (path);

  ctxtrace_span_t run = ctxtrace_begin ("long-call");
  long long ms = wait_for (db, "SELECT count(*) FROM span WHERE dur_ns IS NULL", 1);
  printf ("open span visible after %lld ms\n", ms);
  CHECK (ms >= 0 && ms < 500);
  long long first_id = ct_test_int (db, "SELECT id FROM span");

  ctxtrace_attr_str (run, "args.prompt", "hello");
  ms = wait_for (db, "SELECT json_extract(attrs, '$.\"args.prompt\"') = 'hello' FROM span"
                     " WHERE dur_ns IS NULL", 1);
  CHECK (ms >= 0 && ms < 500);

  ctxtrace_end (ctxtrace_begin ("quick"));
  ctxtrace_flush ();
  CHECK (ct_test_int (db, "SELECT max(id) FROM span") > first_id);

  ctxtrace_end (run);
  ctxtrace_flush ();
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE dur_ns IS NULL"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT id FROM span WHERE attrs IS NOT NULL"), first_id);
  /* The reader never blocked the writer: everything was committed while it was open. */
  ctxtrace_stop ();
  CHECK (ct_test_int (db, "SELECT end_ns FROM process") > 0);
  sqlite3_close (db);
  return ct_test_done ("test-live");
}
