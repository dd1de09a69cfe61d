/* test-viewer-launch: ctxtrace_open_viewer() and CTXTRACE_VIEWER=1 start the viewer
 * (here a fake one from CTXTRACE_VIEWER_PATH that writes down what it was given) on the
 * file being recorded: right file, no CTXTRACE_DB for the viewer, its own session, stdin
 * on /dev/null; a missing viewer is an error message and a count, never a crash. */
#include <ctxtrace.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "ct-test.h"

extern char **environ;

static char dir[256];

static void
write_fake_viewer (const char *path)
{
  FILE *f = fopen (path, "w");
  fputs ("#!/bin/sh\n"
         "out=\"$CTX_FAKE_VIEWER_OUT\"\n"
         "{ echo \"argc=$#\"; for a in \"$@\"; do echo \"arg=$a\"; done\n"
         "  echo \"db=${CTXTRACE_DB-unset}\"; echo \"viewer=${CTXTRACE_VIEWER-unset}\"\n"
         "  echo \"preload=${LD_PRELOAD-unset}\"\n"
         "  echo \"sid=$(cut -d' ' -f6 /proc/$$/stat)\"; echo \"stdin=$(readlink /proc/$$/fd/0)\"\n"
         "} > \"$out.tmp\" && mv \"$out.tmp\" \"$out\"\n", f);
  fclose (f);
  chmod (path, 0755);
}

/* The fake viewer's report (static storage), waiting up to 20 s for it. */
static const char *
wait_report (const char *path)
{
  static char text[4096];
  for (int i = 0; i < 2000; i++)
    {
      FILE *f = fopen (path, "r");
      if (f != NULL)
        {
          size_t n = fread (text, 1, sizeof text - 1, f);
          text[n] = '\0';
          fclose (f);
          return text;
        }
      usleep (10000);
    }
  return "";
}

static int
has_line (const char *text, const char *line)
{
  char want[PATH_MAX + 16];
  snprintf (want, sizeof want, "%s\n", line);
  for (const char *p = text; p != NULL; p = (p = strchr (p, '\n')) != NULL ? p + 1 : NULL)
    if (strncmp (p, want, strlen (want)) == 0)
      return 1;
  fprintf (stderr, "no line \"%s\" in:\n%s\n", line, text);
  return 0;
}

static int
has_arg (const char *text, const char *db)
{
  char line[PATH_MAX + 8];
  char real[PATH_MAX];
  snprintf (line, sizeof line, "arg=%s", realpath (db, real) != NULL ? real : db);
  return has_line (text, line);
}

/* Runs this program with --child and extra environment; returns its exit status. */
static int
run_child (const char *const *extra, const char *stderr_path)
{
  size_t n = 0;
  while (environ[n] != NULL)
    n++;
  const char **env = calloc (n + 8, sizeof *env);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp (environ[i], "CTXTRACE_", 9) != 0 && strncmp (environ[i], "CTX_FAKE", 8) != 0)
      env[k++] = environ[i];
  for (size_t i = 0; extra[i] != NULL; i++)
    env[k++] = extra[i];
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 2, stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  char *argv[] = { (char *) "/proc/self/exe", (char *) "--child", NULL };
  pid_t pid;
  int status = -1;
  if (posix_spawn (&pid, "/proc/self/exe", &fa, NULL, argv, (char **) env) == 0)
    waitpid (pid, &status, 0);
  posix_spawn_file_actions_destroy (&fa);
  free (env);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

/* The child records one span; CTXTRACE_VIEWER must be gone from its environment, so
 * that programs it starts do not open viewers too. */
static int
child_main (void)
{
  if (!ctxtrace_enabled ())
    return 3;
  if (getenv ("CTXTRACE_VIEWER") != NULL)
    return 4;
  ctxtrace_end (ctxtrace_begin ("child-span"));
  return 0;
}

static void
by_call (const char *viewer)
{
  char db[300], out[300], env_out[320];
  snprintf (db, sizeof db, "%s/call.db", dir);
  snprintf (out, sizeof out, "%s/call.txt", dir);
  snprintf (env_out, sizeof env_out, "CTX_FAKE_VIEWER_OUT=%s", out);
  CHECK_EQ_INT (ctxtrace_open_viewer (), -ENOENT); /* not recording */
  setenv ("CTXTRACE_VIEWER_PATH", viewer, 1);
  setenv ("CTX_FAKE_VIEWER_OUT", out, 1);
  setenv ("CTXTRACE_DB", db, 1); /* as if recording had started from the environment */
  /* As `ctxtrace record` preloads the library: the viewer keeps only the other entries. */
  setenv ("LD_PRELOAD", "/nonexistent/libctxtrace.so.0 /nonexistent/libother.so", 1);
  CHECK_EQ_INT (ctxtrace_start (db), 0);
  CHECK_EQ_INT (ctxtrace_open_viewer (), 0);
  unsetenv ("LD_PRELOAD");
  const char *report = wait_report (out);
  CHECK (has_line (report, "argc=1"));
  CHECK (has_arg (report, db));
  CHECK (has_line (report, "db=unset"));
  CHECK (has_line (report, "preload=/nonexistent/libother.so"));
  CHECK (has_line (report, "stdin=/dev/null"));
  char sid[64];
  snprintf (sid, sizeof sid, "sid=%d", (int) getsid (0));
  CHECK (strstr (report, sid) == NULL); /* a session of its own */
  unsetenv ("CTXTRACE_DB");

  /* A missing viewer: an error, counted, returned at once. */
  setenv ("CTXTRACE_VIEWER_PATH", "/nonexistent/ctxtrace-viewer", 1);
  struct timespec t0, t1;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  CHECK_EQ_INT (ctxtrace_open_viewer (), -ENOENT);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  CHECK (t1.tv_sec - t0.tv_sec < 2);
  ctxtrace_stats_t stats;
  ctxtrace_get_stats (&stats);
  CHECK_EQ_INT (stats.viewer_launch_failures, 1);
  ctxtrace_stop ();
}

static void
by_environment (const char *viewer)
{
  char db[300], out[300], err[300], e_db[320], e_path[320], e_out[320];
  snprintf (db, sizeof db, "%s/env.db", dir);
  snprintf (out, sizeof out, "%s/env.txt", dir);
  snprintf (err, sizeof err, "%s/env.err", dir);
  snprintf (e_db, sizeof e_db, "CTXTRACE_DB=%s", db);
  snprintf (e_path, sizeof e_path, "CTXTRACE_VIEWER_PATH=%s", viewer);
  snprintf (e_out, sizeof e_out, "CTX_FAKE_VIEWER_OUT=%s", out);
  const char *env[] = { e_db, "CTXTRACE_VIEWER=1", e_path, e_out, NULL };
  CHECK_EQ_INT (run_child (env, err), 0);
  const char *report = wait_report (out);
  CHECK (has_arg (report, db));
  CHECK (has_line (report, "db=unset"));
  CHECK (has_line (report, "viewer=unset"));
  if (getenv ("LD_PRELOAD") == NULL)
    CHECK (has_line (report, "preload=unset"));

  /* Missing: the program runs and records all the same, and says why there is no viewer. */
  snprintf (db, sizeof db, "%s/env2.db", dir);
  snprintf (e_db, sizeof e_db, "CTXTRACE_DB=%s", db);
  const char *env2[] = { e_db, "CTXTRACE_VIEWER=1", "CTXTRACE_VIEWER_PATH=/nonexistent/v", NULL };
  CHECK_EQ_INT (run_child (env2, err), 0);
  FILE *f = fopen (err, "r");
  char text[2048] = "";
  if (f != NULL)
    {
      text[fread (text, 1, sizeof text - 1, f)] = '\0';
      fclose (f);
    }
  CHECK (strstr (text, "cannot start the viewer /nonexistent/v") != NULL);
  sqlite3 *sdb = ct_test_open (db);
  CHECK_EQ_INT (ct_test_int (sdb, "SELECT count(*) FROM span"), 1);
  sqlite3_close (sdb);
}

int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "--child") == 0)
    return child_main ();
  snprintf (dir, sizeof dir, "%s", ct_test_tmpdir ());
  char viewer[300];
  snprintf (viewer, sizeof viewer, "%s/fake-viewer", dir);
  write_fake_viewer (viewer);
  by_call (viewer);
  by_environment (viewer);
  return ct_test_done ("test-viewer-launch");
}
