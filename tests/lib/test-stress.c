/* test-stress: 8 threads x 200k spans.  Every span is either in the file or counted as
 * dropped, parents are right, and no span ends before it starts. */
#include <ctxtrace.h>
#include <pthread.h>

#include "ct-test.h"

#define N_THREADS 8
#define SPANS_PER_THREAD 200000

static void *
hammer (void *data)
{
  /* Half the threads run flat out (the ring fills and drops), half do a little work per
   * span, so that the writer drains while they record. */
  int paced = (int) (intptr_t) data % 2;
  for (int i = 0; i < SPANS_PER_THREAD / 2; i++)
    {
      CTXTRACE_SCOPE ("outer");
      for (volatile int k = 0; k < 200 * paced; k++)
        ;
      CTXTRACE_SCOPE ("inner");
    }
  return NULL;
}

int
main (void)
{
  char path[300];
  pthread_t threads[N_THREADS];
  snprintf (path, sizeof path, "%s/stress.db", ct_test_tmpdir ());
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  for (int i = 0; i < N_THREADS; i++)
    pthread_create (&threads[i], NULL, hammer, (void *) (intptr_t) i);
  for (int i = 0; i < N_THREADS; i++)
    pthread_join (threads[i], NULL);
  ctxtrace_flush ();
  ctxtrace_stats_t st;
  ctxtrace_get_stats (&st);
  ctxtrace_stop ();

  sqlite3 *db = ct_test_open (path);
  long long committed = ct_test_int (db, "SELECT count(*) FROM span");
  long long dropped = ct_test_int (db, "SELECT dropped_spans FROM process");
  printf ("committed %lld, dropped %lld (%.2f %%)\n", committed, dropped,
          100.0 * (double) dropped / (N_THREADS * SPANS_PER_THREAD));
  CHECK_EQ_INT (committed + dropped, N_THREADS * SPANS_PER_THREAD);
  CHECK_EQ_INT (committed, (long long) st.committed_spans);
  CHECK_EQ_INT (dropped, (long long) st.dropped_spans);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE dur_ns IS NULL OR dur_ns < 0"), 0);
  /* A child is one level below its parent, on its thread, inside it, and an inner span's
   * parent is an outer span. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " WHERE NOT (p.thread_id = c.thread_id AND p.depth = c.depth - 1"
                                 " AND p.start_ns <= c.start_ns AND p.end_ns >= c.end_ns)"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " JOIN string n ON n.id = p.name_id WHERE n.value <> 'outer'"), 0);
  /* Without losses, every inner span has its outer parent. */
  if (dropped == 0)
    CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE parent_id IS NULL"),
                  N_THREADS * SPANS_PER_THREAD / 2);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM thread"), N_THREADS);
  sqlite3_close (db);
  return ct_test_done ("test-stress");
}
