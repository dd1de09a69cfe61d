/* test-multiprocess: two unrelated processes record into one file at once. */
#include <ctxtrace.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct-test.h"

#define SPANS 20000

static void *
work (void *data)
{
  (void) data;
  for (int i = 0; i < SPANS / 2; i++)
    {
      CTXTRACE_SCOPE ("outer");
      CTXTRACE_SCOPE ("inner");
      if (i % 1000 == 0)
        ctxtrace_flush (); /* many small commits, interleaved with the other process */
    }
  return NULL;
}

static void
child (const char *path)
{
  pthread_t t[2];
  if (ctxtrace_start (path) != 0)
    {
      fprintf (stderr, "child: %s\n", ctxtrace_last_error ());
      _exit (3);
    }
  for (int i = 0; i < 2; i++)
    pthread_create (&t[i], NULL, work, NULL);
  for (int i = 0; i < 2; i++)
    pthread_join (t[i], NULL);
  ctxtrace_stop ();
  ctxtrace_stats_t st;
  ctxtrace_get_stats (&st);
  _exit (st.dropped_spans == 0 ? 0 : 4);
}

/* Eight processes released at one instant all create the same new file: SQLite may fail
 * some of them at once with SQLITE_BUSY while another switches the file to WAL mode; none
 * may give up. */
static void
racing_creators (void)
{
  enum { N = 8 };
  char path[300];
  int gate[2];
  pid_t pids[N];
  snprintf (path, sizeof path, "%s/race.db", ct_test_tmpdir ());
  if (pipe (gate) != 0)
    return;
  for (int i = 0; i < N; i++)
    if ((pids[i] = fork ()) == 0)
      {
        char c;
        close (gate[1]);
        if (read (gate[0], &c, 1) != 0) /* EOF when the parent closes its end: all at once */
          _exit (5);
        if (ctxtrace_start (path) != 0)
          {
            fprintf (stderr, "racing child: %s\n", ctxtrace_last_error ());
            _exit (3);
          }
        for (int k = 0; k < 100; k++)
          {
            CTXTRACE_SCOPE ("race");
          }
        ctxtrace_stop ();
        _exit (0);
      }
  close (gate[0]);
  close (gate[1]);
  int failed = 0;
  for (int i = 0; i < N; i++)
    {
      int status = 0;
      waitpid (pids[i], &status, 0);
      failed += !(WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  CHECK_EQ_INT (failed, 0);
  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_STR (ct_test_text (db, "PRAGMA integrity_check"), "ok");
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM process"), N);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), N * 100);
  sqlite3_close (db);
}

int
main (void)
{
  char path[300];
  pid_t pids[2];
  snprintf (path, sizeof path, "%s/shared.db", ct_test_tmpdir ());
  for (int i = 0; i < 2; i++)
    if ((pids[i] = fork ()) == 0)
      child (path);
  for (int i = 0; i < 2; i++)
    {
      int status = 0;
      waitpid (pids[i], &status, 0);
      if (!(WIFEXITED (status) && WEXITSTATUS (status) == 0))
        fprintf (stderr, "child %d: %s %d (3: start failed, 4: spans dropped)\n", i,
                 WIFEXITED (status) ? "exit status" : "signal",
                 WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
      CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_STR (ct_test_text (db, "PRAGMA integrity_check"), "ok");
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM process"), 2);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT pid) FROM process"), 2);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM thread"), 4);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT process_id) FROM thread"), 2);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 2 * 2 * SPANS);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM string"), 2);
  /* Every parent is in the child's own thread, so no id of one process leaked into the
   * other's rows. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " WHERE p.thread_id <> c.thread_id OR p.depth <> c.depth - 1"
                                 " OR p.start_ns > c.start_ns OR p.end_ns < c.end_ns"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE parent_id IS NOT NULL"), 2 * SPANS);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT trace_id) FROM span"), 2);
  sqlite3_close (db);
  racing_creators ();
  return ct_test_done ("test-multiprocess");
}
