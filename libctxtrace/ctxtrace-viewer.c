/* ctxtrace-viewer.c: ctxtrace_open_viewer() and CTXTRACE_VIEWER=1: start ctxtrace-viewer on
 * the file being written, like the Python original's TracingWithViewer.
 *
 * The viewer is a detached child: its own session (a terminal's hangup or Ctrl+C aimed
 * at the program leaves it alone), stdio on /dev/null, default signal dispositions, and
 * an environment without CTXTRACE_DB or libctxtrace in LD_PRELOAD (so the viewer is not
 * traced itself).  posix_spawn
 * runs no fork handlers and reports a missing program as an error; a small detached
 * thread reaps the viewer when it exits so that it never lingers as a zombie. */
#include "ctxtrace-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static _Atomic uint64_t launch_failures;

/* "LD_PRELOAD=..." without libctxtrace (`ctxtrace record` preloads it into instrumented
 * programs), or NULL when nothing else is left; malloc'ed. */
static char *
preload_without_us (const char *entry)
{
  const char *list = entry + strlen ("LD_PRELOAD=");
  char *out = malloc (strlen (entry) + 1);
  if (out == NULL)
    return NULL;
  size_t n = (size_t) sprintf (out, "LD_PRELOAD=");
  while (*list != '\0')
    {
      size_t len = strcspn (list, ": ");
      const char *slash = memrchr (list, '/', len);
      const char *base = slash != NULL ? slash + 1 : list;
      if (len > 0 && strncmp (base, "libctxtrace", strlen ("libctxtrace")) != 0)
        n += (size_t) sprintf (out + n, "%s%.*s", n > strlen ("LD_PRELOAD=") ? ":" : "",
                               (int) len, list);
      list += len + (list[len] != '\0');
    }
  if (n == strlen ("LD_PRELOAD="))
    {
      free (out);
      return NULL;
    }
  return out;
}

/* environ without the variables that would make the viewer trace itself or start another
 * viewer; the strings are environ's own except *preload (to be freed). */
static char **
viewer_environment (char **preload)
{
  static const char *const drop[] = { "CTXTRACE_DB=", "CTXTRACE_VIEWER=",
                                      "CTXTRACE_TRACEPARENT=" };
  size_t n = 0;
  while (environ != NULL && environ[n] != NULL)
    n++;
  char **env = calloc (n + 1, sizeof *env);
  size_t k = 0;
  for (size_t i = 0; env != NULL && i < n; i++)
    {
      int keep = 1;
      for (size_t d = 0; d < sizeof drop / sizeof drop[0]; d++)
        keep &= strncmp (environ[i], drop[d], strlen (drop[d])) != 0;
      if (keep && strncmp (environ[i], "LD_PRELOAD=", strlen ("LD_PRELOAD=")) == 0)
        {
          *preload = preload_without_us (environ[i]);
          keep = *preload != NULL;
          if (keep)
            env[k++] = *preload;
        }
      else if (keep)
        env[k++] = environ[i];
    }
  return env;
}

static void *
reap (void *data)
{
  pid_t pid = (pid_t) (intptr_t) data;
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return NULL;
}

static void
reap_in_background (pid_t pid)
{
  pthread_attr_t attr;
  pthread_t thread;
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize (&attr, 64 * 1024);
  pthread_create (&thread, &attr, reap, (void *) (intptr_t) pid);
  pthread_attr_destroy (&attr);
}

static int
spawn_detached (const char *program, char *const argv[], char *const envp[], pid_t *pid)
{
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  sigset_t none, defaults;
  sigemptyset (&none);
  sigemptyset (&defaults);
  for (int sig = 1; sig < 32; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaddset (&defaults, sig);
  posix_spawnattr_init (&attr);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK
                                     | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &defaults);
  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_addopen (&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&actions, 2, "/dev/null", O_WRONLY, 0);
  int rc = strchr (program, '/') != NULL
             ? posix_spawn (pid, program, &actions, &attr, argv, envp)
             : posix_spawnp (pid, program, &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);
  return rc;
}

/* The file being recorded, as an absolute path (the viewer may resolve it elsewhere). */
static char *
recording_path (void)
{
  char *path = NULL;
  pthread_mutex_lock (&ct_state.lock);
  if (ct_state.writer != NULL && ct_state.path != NULL)
    path = realpath (ct_state.path, NULL);
  if (ct_state.writer != NULL && ct_state.path != NULL && path == NULL)
    path = strdup (ct_state.path);
  pthread_mutex_unlock (&ct_state.lock);
  return path;
}

CTXTRACE_API int
ctxtrace_open_viewer (void)
{
  char *path = recording_path ();
  if (path == NULL)
    return -ENOENT;
  const char *program = getenv ("CTXTRACE_VIEWER_PATH");
  if (program == NULL || program[0] == '\0')
    program = "ctxtrace-viewer";
  char *argv[] = { (char *) program, path, NULL };
  char *preload = NULL;
  char **envp = viewer_environment (&preload);
  pid_t pid = 0;
  int rc = envp != NULL ? spawn_detached (program, argv, envp, &pid) : ENOMEM;
  free (envp);
  free (preload);
  free (path);
  if (rc != 0)
    {
      atomic_fetch_add_explicit (&launch_failures, 1, memory_order_relaxed);
      fprintf (stderr, "ctxtrace: cannot start the viewer %s: %s (set CTXTRACE_VIEWER_PATH"
               " or put ctxtrace-viewer on PATH)\n", program, strerror (rc));
      return -rc;
    }
  reap_in_background (pid);
  return 0;
}

uint64_t
ct_viewer_launch_failures (void)
{
  return atomic_load_explicit (&launch_failures, memory_order_relaxed);
}
