/* test-traceparent: W3C trace context in and out, and a child program that continues the
 * trace in the same file under the span that launched it. */
#include <ctxtrace.h>
#include <errno.h>
#include <sys/wait.h>

#include "ct-test.h"

static void
test_parse (void)
{
  ctxtrace_context_t ctx, untouched = { 7, 7, { 7 } };
  const char *good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  CHECK_EQ_INT (ctxtrace_context_from_traceparent (good, &ctx), 0);
  CHECK_EQ_INT (ctx.key, 0);
  CHECK (ctx.span_id == UINT64_C (0x00f067aa0ba902b7));
  CHECK (ctx.trace_id[0] == 0x4b && ctx.trace_id[15] == 0x36);
  char out[CTXTRACE_TRACEPARENT_SIZE];
  CHECK_EQ_INT (ctxtrace_context_to_traceparent (ctx, out, sizeof out), 0);
  CHECK_EQ_STR (out, good);
  CHECK_EQ_INT (ctxtrace_context_to_traceparent (ctx, out, 10), -EINVAL);
  /* A later version may carry more fields after a '-'. */
  CHECK_EQ_INT (ctxtrace_context_from_traceparent (
                  "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", &ctx), 0);
  const char *bad[] = {
    NULL, "", "00", "garbage",
    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", /* uppercase */
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01", /* zero trace */
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", /* zero span */
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", /* version ff */
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", /* v00 is 55 chars */
    "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      ctx = untouched;
      CHECK_EQ_INT (ctxtrace_context_from_traceparent (bad[i], &ctx), -EINVAL);
      CHECK (ctx.key == 7 && ctx.span_id == 7);
    }
}

int
main (int argc, char **argv)
{
  if (argc > 1)
    {
      /* The child program: recording and its parent come from the environment. */
      CTXTRACE_SCOPE ("child-main");
      CTXTRACE_SCOPE ("child-work");
      return ctxtrace_enabled () ? 0 : 3;
    }
  test_parse ();
  char path[300], sql[300], tp[CTXTRACE_TRACEPARENT_SIZE];
  snprintf (path, sizeof path, "%s/tp.db", ct_test_tmpdir ());
  CHECK_EQ_INT (ctxtrace_export_env (), -ENOENT);
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  ctxtrace_span_t launch = ctxtrace_begin ("launch-child");
  ctxtrace_context_t ctx = ctxtrace_context_current ();
  CHECK_EQ_INT (ctxtrace_context_to_traceparent (ctx, tp, sizeof tp), 0);
  CHECK_EQ_INT (ctxtrace_export_env (), 0);
  CHECK_EQ_STR (getenv ("CTXTRACE_TRACEPARENT"), tp);
  CHECK_EQ_STR (getenv ("CTXTRACE_DB"), path);
  pid_t pid = fork ();
  if (pid == 0)
    {
      execl ("/proc/self/exe", argv[0], "child", (char *) NULL);
      _exit (127);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  ctxtrace_end (launch);
  ctxtrace_stop ();

  sqlite3 *db = ct_test_open (path);
  /* The traceparent's span id is the launching span's id in the file. */
  uint64_t span_id = strtoull (tp + 36, NULL, 16);
  snprintf (sql, sizeof sql, "SELECT n.value FROM span s JOIN string n ON n.id = s.name_id"
                             " WHERE s.id = %llu", (unsigned long long) span_id);
  CHECK_EQ_STR (ct_test_text (db, sql), "launch-child");
  snprintf (sql, sizeof sql, "SELECT hex FROM trace t JOIN span s ON s.trace_id = t.id"
                             " WHERE s.id = %llu", (unsigned long long) span_id);
  CHECK (strncmp (ct_test_text (db, sql), tp + 3, 32) == 0);
  /* The exec'd child (the fork's own copy records too, as a third process) parented its
   * root under the launching span, in the same trace. */
  snprintf (sql, sizeof sql, "SELECT count(*) FROM span s JOIN string n ON n.id = s.name_id"
                             " WHERE n.value = 'child-main' AND s.parent_id = %llu",
            (unsigned long long) span_id);
  CHECK_EQ_INT (ct_test_int (db, sql), 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT trace_id) FROM span"), 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " JOIN thread tc ON tc.id = c.thread_id JOIN thread tp ON"
                                 " tp.id = p.thread_id WHERE tc.process_id <> tp.process_id"), 1);
  sqlite3_close (db);
  return ct_test_done ("test-traceparent");
}
