/* test-stacktrace: ctxtrace_set_error_stacktrace() records exception.stacktrace naming the
 * functions of a known call chain in order (static ones included, and a function of a
 * library loaded with dlopen), with module and offsets; from several threads at once. */
#include <ctxtrace.h>
#include <dlfcn.h>
#include <pthread.h>

#include "ct-test.h"

static _Atomic int sink; /* atomic: threads share it (ThreadSanitizer) */
static int (*dl_call) (void (*fn) (void *), void *data);

/* The statements after each call keep them from becoming tail calls (frames that vanish). */
__attribute__ ((noinline)) static void
st_inner (ctxtrace_span_t span)
{
  ctxtrace_set_error_stacktrace (span, "ValueError", "bad input");
  sink++;
}

__attribute__ ((noinline)) void st_middle (ctxtrace_span_t span);

__attribute__ ((noinline)) void
st_middle (ctxtrace_span_t span)
{
  st_inner (span);
  sink++;
}

__attribute__ ((noinline)) static void
st_outer (void)
{
  ctxtrace_span_t span = ctxtrace_begin ("outer");
  st_middle (span);
  ctxtrace_end (span);
  sink++;
}

__attribute__ ((noinline)) static void
st_callback (void *data)
{
  (void) data;
  st_outer ();
  sink++;
}

static void *
st_thread (void *data)
{
  (void) data;
  for (int i = 0; i < 20; i++)
    st_outer ();
  return NULL;
}

/* Line i of text (0-based), copied into line. */
static void
nth_line (const char *text, int i, char *line, size_t size)
{
  while (i-- > 0 && text != NULL)
    text = (text = strchr (text, '\n')) != NULL ? text + 1 : NULL;
  snprintf (line, size, "%.*s", text != NULL ? (int) strcspn (text, "\n") : 0,
            text != NULL ? text : "");
}

static int
line_starts (const char *text, int i, const char *prefix)
{
  char line[512];
  nth_line (text, i, line, sizeof line);
  if (strncmp (line, prefix, strlen (prefix)) == 0)
    return 1;
  fprintf (stderr, "line %d: \"%s\", expected it to start with \"%s\"\n", i, line, prefix);
  return 0;
}

static int
line_has (const char *text, int i, const char *part)
{
  char line[512];
  nth_line (text, i, line, sizeof line);
  if (strstr (line, part) != NULL)
    return 1;
  fprintf (stderr, "line %d: \"%s\", expected \"%s\" in it\n", i, line, part);
  return 0;
}

/* The stack trace of the error recorded by a given caller chain (ids follow the order in
 * which the writer met the threads' rings, not program order). */
static const char *
trace_of (sqlite3 *db, const char *where)
{
  char sql[400];
  snprintf (sql, sizeof sql, "SELECT st FROM (SELECT json_extract(attrs,"
            " '$.\"exception.stacktrace\"') AS st FROM span WHERE status = 2)"
            " WHERE %s ORDER BY st LIMIT 1", where);
  return ct_test_text (db, sql);
}

int
main (void)
{
  char path[300];
  snprintf (path, sizeof path, "%s/stack.db", ct_test_tmpdir ());
  ctxtrace_set_error_stacktrace (CTXTRACE_NO_SPAN, "x", "not recording: nothing happens");
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  st_outer ();
  void *dl = dlopen (FILTER_DL_PATH, RTLD_NOW);
  CHECK (dl != NULL && (dl_call = (int (*) (void (*) (void *), void *)) dlsym (dl, "dl_call")));
  if (dl_call != NULL)
    dl_call (st_callback, NULL);
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create (&t[i], NULL, st_thread, NULL);
  for (int i = 0; i < 4; i++)
    pthread_join (t[i], NULL);
  ctxtrace_stop ();

  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE status = 2 AND json_extract("
                                 "attrs, '$.\"exception.message\"') = 'bad input'"), 2 + 80);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE json_extract(attrs,"
                                 " '$.\"exception.stacktrace\"') LIKE '#0 st_inner+0x%'"), 82);
  char *first = strdup (trace_of (db, "st NOT LIKE '%st_thread+%' AND st NOT LIKE '%st_callback+%'"));
  CHECK (line_starts (first, 0, "#0 st_inner+0x"));
  CHECK (line_starts (first, 1, "#1 st_middle+0x"));
  CHECK (line_starts (first, 2, "#2 st_outer+0x"));
  CHECK (line_starts (first, 3, "#3 main+0x"));
  CHECK (line_has (first, 0, " (test-stacktrace+0x"));
  CHECK (line_has (first, 3, " (test-stacktrace+0x"));
  /* Through the dlopen'd library: its frame names the function and the module. */
  char *second = strdup (trace_of (db, "st LIKE '%st_callback+%'"));
  CHECK (line_starts (second, 2, "#2 st_outer+0x"));
  CHECK (line_starts (second, 3, "#3 st_callback+0x"));
  CHECK (line_starts (second, 4, "#4 dl_call+0x"));
  CHECK (line_has (second, 4, " (libctxfilter-dl.so+0x"));
  CHECK (line_starts (second, 5, "#5 main+0x"));
  /* The threads' traces end in their thread function. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE json_extract(attrs,"
                                 " '$.\"exception.stacktrace\"') LIKE '%#3 st_thread+0x%'"), 80);
  free (first);
  free (second);
  sqlite3_close (db);
  return ct_test_done ("test-stacktrace");
}
