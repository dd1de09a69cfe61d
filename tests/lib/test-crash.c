/* test-crash: a recording process killed with SIGKILL at random moments, 20 times, into
 * one file.  The file stays valid and holds every span flushed before each kill. */
#include <ctxtrace.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "ct-test.h"

/* Records forever, telling the parent after each flush how many spans are committed. */
static void
child (const char *path, int fd)
{
  if (ctxtrace_start (path) != 0)
    _exit (3);
  for (long long n = 1;; n++)
    {
      ctxtrace_span_t s = ctxtrace_begin ("work");
      ctxtrace_attr_int (s, "n", n);
      ctxtrace_end (s);
      if (n % 500 == 0)
        {
          ctxtrace_flush ();
          if (write (fd, &n, sizeof n) != (ssize_t) sizeof n)
            _exit (4);
        }
    }
}

static long long
run_once (const char *path, unsigned *seed, pid_t *child_pid)
{
  int fds[2];
  if (pipe (fds) != 0)
    return -1;
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (fds[0]);
      child (path, fds[1]);
    }
  close (fds[1]);
  *child_pid = pid;
  struct timespec ts = { 0, (long) (rand_r (seed) % 150 + 5) * 1000000L };
  nanosleep (&ts, NULL);
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  long long n, last = 0;
  while (read (fds[0], &n, sizeof n) == (ssize_t) sizeof n)
    last = n;
  close (fds[0]);
  return last;
}

int
main (void)
{
  char path[300], sql[200];
  unsigned seed = (unsigned) time (NULL);
  snprintf (path, sizeof path, "%s/crash.db", ct_test_tmpdir ());
  printf ("seed %u\n", seed);
  long long total_flushed = 0;
  for (int round = 1; round <= 20; round++)
    {
      pid_t pid = 0;
      long long flushed = run_once (path, &seed, &pid);
      sqlite3 *db = ct_test_open (path);
      CHECK_EQ_STR (ct_test_text (db, "PRAGMA integrity_check"), "ok");
      snprintf (sql, sizeof sql,
                "SELECT count(*) FROM span s JOIN thread t ON t.id = s.thread_id JOIN process p"
                " ON p.id = t.process_id WHERE p.pid = %d AND json_extract(s.attrs, '$.n') <= %lld",
                (int) pid, flushed);
      long long found = flushed > 0 ? ct_test_int (db, sql) : 0;
      if (found != flushed)
        fprintf (stderr, "round %d: flushed %lld, found %lld\n", round, flushed, found);
      CHECK_EQ_INT (found, flushed);
      total_flushed += flushed;
      sqlite3_close (db);
    }
  printf ("20 kills, %lld flushed spans all found\n", total_flushed);
  CHECK (total_flushed > 0);
  return ct_test_done ("test-crash");
}
