/* test-bad-input: files and paths the library must refuse without touching, a full disk,
 * and a read-only directory. */
#include <ctxtrace.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ct-test.h"

static const char *dir;

static char *
slurp (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return NULL;
  char *buf = malloc (1 << 20);
  *len = fread (buf, 1, 1 << 20, f);
  fclose (f);
  return buf;
}

/* Recording into path is refused with code and the file stays byte for byte the same. */
static void
expect_refused_untouched (const char *path, int code)
{
  size_t len_before = 0, len_after = 0;
  char *before = slurp (path, &len_before);
  char wal[400];
  CHECK_EQ_INT (ctxtrace_start (path), code);
  CHECK (strlen (ctxtrace_last_error ()) > 0);
  CHECK (!ctxtrace_enabled ());
  char *after = slurp (path, &len_after);
  CHECK (before != NULL && after != NULL && len_before == len_after
         && memcmp (before, after, len_before) == 0);
  snprintf (wal, sizeof wal, "%s-wal", path);
  CHECK (access (wal, F_OK) != 0);
  free (before);
  free (after);
}

static void
make_sqlite (const char *path, const char *sql)
{
  sqlite3 *db;
  sqlite3_open (path, &db);
  sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
}

static void
test_refusals (void)
{
  char path[400];
  snprintf (path, sizeof path, "%s/no/such/dir/t.db", dir);
  CHECK_EQ_INT (ctxtrace_start (path), -ENOENT);
  CHECK (strstr (ctxtrace_last_error (), "does not exist") != NULL);
  CHECK_EQ_INT (ctxtrace_start (NULL), -EINVAL);
  CHECK_EQ_INT (ctxtrace_start (dir), -EINVAL); /* a directory */

  snprintf (path, sizeof path, "%s/other.db", dir);
  make_sqlite (path, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance);"
                     "INSERT INTO accounts VALUES (1, 100);");
  expect_refused_untouched (path, -EINVAL);
  CHECK (strstr (ctxtrace_last_error (), "not a ctxtrace trace") != NULL);

  snprintf (path, sizeof path, "%s/newer.db", dir);
  make_sqlite (path, "PRAGMA application_id = 1129601108; PRAGMA user_version = 99;"
                     "CREATE TABLE meta(key TEXT PRIMARY KEY, value);");
  expect_refused_untouched (path, -EPROTO);
  CHECK (strstr (ctxtrace_last_error (), "newer") != NULL);

  snprintf (path, sizeof path, "%s/notes.txt", dir);
  FILE *f = fopen (path, "w");
  fputs ("these are my notes, not a database\n", f);
  fclose (f);
  expect_refused_untouched (path, -EINVAL);

  /* An empty file is a new trace. */
  snprintf (path, sizeof path, "%s/empty.db", dir);
  close (open (path, O_CREAT | O_WRONLY, 0644));
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  ctxtrace_end (ctxtrace_begin ("fine"));
  ctxtrace_stop ();
  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 1);
  sqlite3_close (db);
}

/* As an unprivileged user (root writes anywhere), a read-only directory is refused. */
static void
test_read_only_dir (void)
{
  char ro[400], path[450];
  snprintf (ro, sizeof ro, "%s/ro", dir);
  mkdir (ro, 0555);
  chmod (dir, 0755);
  snprintf (path, sizeof path, "%s/t.db", ro);
  pid_t pid = fork ();
  if (pid == 0)
    {
      if (getuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        _exit (3);
      int rc = ctxtrace_start (path);
      _exit (rc == -EACCES && strstr (ctxtrace_last_error (), "not writable") ? 0 : 1);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  CHECK (access (path, F_OK) != 0);
}

/* A full disk (here: the file size cap, which fails the same way) stops recording, keeps
 * the program running and the file valid. */
static void
test_full (void)
{
  char path[400], value[8000];
  snprintf (path, sizeof path, "%s/full.db", dir);
  memset (value, 'v', sizeof value - 1);
  value[sizeof value - 1] = '\0';
  setenv ("CTXTRACE_MAX_FILE_MB", "1", 1);
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  unsetenv ("CTXTRACE_MAX_FILE_MB");
  for (int i = 0; i < 2000; i++)
    {
      ctxtrace_span_t s = ctxtrace_begin ("big");
      ctxtrace_attr_str (s, "payload", value);
      ctxtrace_end (s);
      if (i % 100 == 0)
        ctxtrace_flush ();
    }
  ctxtrace_flush ();
  ctxtrace_stats_t st;
  ctxtrace_get_stats (&st);
  CHECK (st.write_errors > 0);
  CHECK (!ctxtrace_enabled ());
  CHECK (strstr (ctxtrace_last_error (), "recording stopped") != NULL);
  ctxtrace_end (ctxtrace_begin ("after-full")); /* still a no-op, no crash */
  ctxtrace_stop ();
  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_STR (ct_test_text (db, "PRAGMA integrity_check"), "ok");
  CHECK (ct_test_int (db, "SELECT count(*) FROM span") > 0);
  sqlite3_close (db);
  /* Recording can start again afterwards, into another file. */
  snprintf (path, sizeof path, "%s/after.db", dir);
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  ctxtrace_stop ();
}

int
main (void)
{
  dir = ct_test_tmpdir ();
  test_refusals ();
  test_read_only_dir ();
  test_full ();
  return ct_test_done ("test-bad-input");
}
