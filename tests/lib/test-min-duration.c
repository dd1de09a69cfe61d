/* test-min-duration: CTXTRACE_MIN_DURATION.  Spans shorter than the minimum are not
 * written and are counted; longer ones keep their parents; what pointed at a discarded
 * span (an event in it, a span of another thread started from it) goes to its parent.
 * Also a malformed value is ignored with a message, not fatal. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ct-test.h"
#include "ctxtrace.h"

static void
sleep_us (long us)
{
  struct timespec ts = { 0, us * 1000 };
  nanosleep (&ts, NULL);
}

static void *
worker (void *data)
{
  ctxtrace_context_attach (*(ctxtrace_context_t *) data);
  ctxtrace_span_t s = ctxtrace_begin ("worker-long");
  sleep_us (3000);
  ctxtrace_end (s);
  ctxtrace_context_detach ();
  return NULL;
}

int
main (void)
{
  char path[300], sql[300];
  snprintf (path, sizeof path, "%s/min.db", ct_test_tmpdir ());
  setenv ("CTXTRACE_MIN_DURATION", "1ms", 1);
  CHECK_EQ_INT (ctxtrace_start (path), 0);

  ctxtrace_span_t root = ctxtrace_begin ("root");
  for (int i = 0; i < 1000; i++)
    {
      ctxtrace_span_t s = ctxtrace_begin ("short");
      ctxtrace_span_t inner = ctxtrace_begin ("short-inner");
      ctxtrace_end (inner);
      ctxtrace_end (s);
    }
  ctxtrace_span_t lng = ctxtrace_begin ("long");
  sleep_us (2000);
  ctxtrace_end (lng);

  /* A short span with an event in it and a (long) span of another thread under it. */
  ctxtrace_span_t brief = ctxtrace_begin ("brief");
  ctxtrace_event ("in-brief", "{\"k\":1}");
  ctxtrace_context_t ctx = ctxtrace_context_current ();
  ctxtrace_end (brief);
  pthread_t t;
  pthread_create (&t, NULL, worker, &ctx);
  pthread_join (t, NULL);
  sleep_us (1500);
  ctxtrace_end (root);
  ctxtrace_flush ();

  ctxtrace_stats_t stats;
  ctxtrace_get_stats (&stats);
  ctxtrace_stop ();

  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_STR (ct_test_text (db, "PRAGMA integrity_check"), "ok");
  /* A "short" span only stays if it really lasted 1 ms (its thread was preempted inside
   * it, which happens on a loaded machine): nothing under the minimum is in the file. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE dur_ns < 1000000"), 0);
  long long kept_short = ct_test_int (db, "SELECT count(*) FROM span s JOIN string n"
                                          " ON n.id = s.name_id WHERE n.value LIKE 'short%'"
                                          " OR n.value = 'brief'");
  CHECK (kept_short < 20);
  CHECK_EQ_INT ((long long) stats.filtered_spans + kept_short, 2001);
  CHECK_EQ_INT ((long long) stats.committed_spans, 3 + kept_short);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 3 + kept_short);
  long long root_id = ct_test_int (db, "SELECT s.id FROM span s JOIN string n ON n.id = s.name_id"
                                       " WHERE n.value = 'root'");
  long long brief_id = ct_test_int (db, "SELECT coalesce(max(s.id), -1) FROM span s JOIN string n"
                                        " ON n.id = s.name_id WHERE n.value = 'brief'");
  /* "long" hangs under root; the other thread's span and the event under "brief", or, with
   * "brief" discarded, under root in its place. */
  long long owner = brief_id > 0 ? brief_id : root_id;
  snprintf (sql, sizeof sql, "SELECT count(*) FROM span s JOIN string n ON n.id = s.name_id"
                             " WHERE n.value = 'long' AND s.parent_id = %lld", root_id);
  CHECK_EQ_INT (ct_test_int (db, sql), 1);
  snprintf (sql, sizeof sql, "SELECT count(*) FROM span s JOIN string n ON n.id = s.name_id"
                             " WHERE n.value = 'worker-long' AND s.parent_id = %lld", owner);
  CHECK_EQ_INT (ct_test_int (db, sql), 1);
  snprintf (sql, sizeof sql, "SELECT count(*) FROM event e JOIN string n ON n.id = e.name_id"
                             " WHERE n.value = 'in-brief' AND e.span_id = %lld", owner);
  CHECK_EQ_INT (ct_test_int (db, sql), 1);
  sqlite3_close (db);

  /* A malformed minimum is ignored: everything is recorded. */
  snprintf (path, sizeof path, "%s/bad.db", ct_test_tmpdir ());
  setenv ("CTXTRACE_MIN_DURATION", "ten seconds", 1);
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  for (int i = 0; i < 10; i++)
    {
      CTXTRACE_SCOPE ("kept");
    }
  ctxtrace_stop ();
  db = ct_test_open (path);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 10);
  sqlite3_close (db);
  return ct_test_done ("test-min-duration");
}
