/* test-env: CTXTRACE_DB starts recording when the library loads, with no call to
 * ctxtrace_start, and a normal exit flushes. */
#include <ctxtrace.h>
#include <sys/wait.h>

#include "ct-test.h"

int
main (int argc, char **argv)
{
  if (argc > 1)
    {
      /* The traced program: never calls ctxtrace_start or ctxtrace_stop. */
      for (int i = 0; i < 1000; i++)
        {
          CTXTRACE_SCOPE ("from-env");
        }
      return ctxtrace_enabled () ? 0 : 5;
    }
  char path[300];
  snprintf (path, sizeof path, "%s/env.db", ct_test_tmpdir ());
  pid_t pid = fork ();
  if (pid == 0)
    {
      setenv ("CTXTRACE_DB", path, 1);
      execl ("/proc/self/exe", argv[0], "child", (char *) NULL);
      _exit (127);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 1000);
  CHECK (ct_test_int (db, "SELECT end_ns FROM process") > 0);
  sqlite3_close (db);
  /* A path that cannot be used is reported and the program runs on unharmed. */
  pid = fork ();
  if (pid == 0)
    {
      setenv ("CTXTRACE_DB", "/nonexistent-dir/x.db", 1);
      execl ("/proc/self/exe", argv[0], "child", (char *) NULL);
      _exit (127);
    }
  waitpid (pid, &status, 0);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 5);
  return ct_test_done ("test-env");
}
