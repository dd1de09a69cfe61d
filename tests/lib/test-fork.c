/* test-fork: fork() while other threads record, 100 times.  No child deadlocks; each
 * child records into the same file as a new process of the same trace. */
#include <ctxtrace.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

#include "ct-test.h"

#define FORKS 100
#define CHILD_SPANS 10

static atomic_int stop;
static atomic_int running; /* threads past their start-up */
static pid_t parent_pid;

/* LeakSanitizer's exit-time scan costs each of the 100 children seconds under load, which
 * the 20 s deadlock watch would mistake for a hang: the parent's scan covers the library. */
int __lsan_is_turned_off (void);
int
__lsan_is_turned_off (void)
{
  return parent_pid != 0 && getpid () != parent_pid;
}

static void *
busy (void *data)
{
  (void) data;
  int started = 0;
  while (!atomic_load (&stop))
    {
      for (int i = 0; i < 100; i++)
        {
          CTXTRACE_SCOPE ("busy");
          ctxtrace_attr_int (CTXTRACE_CURRENT, "x", i);
        }
      struct timespec ts = { 0, 200000 }; /* recording steadily, not flooding the writer */
      nanosleep (&ts, NULL);
      if (!started)
        atomic_fetch_add (&running, 1), started = 1;
    }
  return NULL;
}

/* Waits for pid for up to 20 s; a child that is still running then is deadlocked. */
static int
wait_child (pid_t pid)
{
  for (int i = 0; i < 20000; i++)
    {
      int status;
      pid_t r = waitpid (pid, &status, WNOHANG);
      if (r == pid)
        return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
      struct timespec ts = { 0, 1000000 };
      nanosleep (&ts, NULL);
    }
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  return -1;
}

int
main (void)
{
#if defined(__SANITIZE_THREAD__)
  /* ThreadSanitizer cannot follow threads started in the child of a multithreaded
   * process ("dup thread"); the AddressSanitizer run covers this test. */
  printf ("test-fork: skipped under ThreadSanitizer\n");
  return 77;
#endif
  char path[300], sql[200];
  pthread_t threads[3];
  parent_pid = getpid ();
  snprintf (path, sizeof path, "%s/fork.db", ct_test_tmpdir ());
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  for (int i = 0; i < 3; i++)
    pthread_create (&threads[i], NULL, busy, NULL);
  /* Fork once they are recording, not while they start: a thread being set up allocates
   * inside the sanitizer runtime, whose allocator lock a child would inherit held (GCC 12's
   * AddressSanitizer takes no lock around fork), and the child would hang in malloc. */
  while (atomic_load (&running) < 3)
    {
      struct timespec ts = { 0, 1000000 };
      nanosleep (&ts, NULL);
    }
  int deadlocks = 0, failures = 0;
  for (int i = 0; i < FORKS; i++)
    {
      CTXTRACE_SCOPE ("fork");
      pid_t pid = fork ();
      if (pid == 0)
        {
          if (!ctxtrace_enabled ())
            _exit (2);
          for (int j = 0; j < CHILD_SPANS; j++)
            {
              CTXTRACE_SCOPE ("in-child");
            }
          exit (0); /* a normal exit flushes */
        }
      int rc = wait_child (pid);
      deadlocks += rc == -1;
      failures += rc != 0;
    }
  atomic_store (&stop, 1);
  for (int i = 0; i < 3; i++)
    pthread_join (threads[i], NULL);
  ctxtrace_stop ();
  CHECK_EQ_INT (deadlocks, 0);
  CHECK_EQ_INT (failures, 0);

  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_STR (ct_test_text (db, "PRAGMA integrity_check"), "ok");
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM process"), FORKS + 1);
  snprintf (sql, sizeof sql, "SELECT count(*) FROM process WHERE parent_pid = %d", (int) getpid ());
  CHECK_EQ_INT (ct_test_int (db, sql), FORKS);
  /* Every child wrote its own spans, on its own process row, in the parent's trace. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span s JOIN string n ON n.id = s.name_id"
                                 " WHERE n.value = 'in-child'"), FORKS * CHILD_SPANS);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT t.process_id) FROM span s JOIN thread t"
                                 " ON t.id = s.thread_id JOIN string n ON n.id = s.name_id"
                                 " WHERE n.value = 'in-child'"), FORKS);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT trace_id) FROM span"), 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span s JOIN string n ON n.id = s.name_id"
                                 " WHERE n.value = 'fork'"), FORKS);
  sqlite3_close (db);
  return ct_test_done ("test-fork");
}
