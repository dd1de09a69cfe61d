/* ctxtrace-session.c: starting and stopping a recording, flushing, the environment
 * (CTXTRACE_DB starts recording when the library loads), exit and fork. */
#include "ctxtrace-private.h"
#include "ctxtrace-filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

ct_state_t ct_state = {
  .lock = PTHREAD_MUTEX_INITIALIZER,
  .ring_slots = 65536,
};

/* Serialises start and stop, which wait on the writer without holding ct_state.lock. */
static pthread_mutex_t life_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void at_exit (void);
static void fork_prepare (void);
static void fork_parent (void);
static void fork_child (void);

static uint64_t
ring_slots_from_env (void)
{
  const char *kb = getenv ("CTXTRACE_RING_KB");
  long long bytes = kb != NULL ? atoll (kb) * 1024 : 1024 * 1024;
  if (bytes < 64 * 1024)
    bytes = 64 * 1024;
  if (bytes > 1024LL * 1024 * 1024)
    bytes = 1024LL * 1024 * 1024;
  uint64_t slots = 1;
  while (slots * 2 * sizeof (ct_rec_t) <= (uint64_t) bytes)
    slots *= 2;
  return slots;
}

static void
setup (void)
{
  ct_clock_choose ();
  ct_ring_thread_init ();
  atexit (at_exit);
  pthread_atfork (fork_prepare, fork_parent, fork_child);
}

static void
set_error (const char *msg)
{
  snprintf (ct_state.last_error, sizeof ct_state.last_error, "%s", msg);
}

static int
start_locked (const char *db_path, const char *trace_hex)
{
  char err[512] = "";
  int code = 0;

  if (atomic_load (&ct_state.gen) != 0 || ct_state.writer != NULL)
    {
      set_error ("already recording");
      return -EALREADY;
    }
  if (db_path == NULL || db_path[0] == '\0')
    {
      set_error ("no trace file given");
      return -EINVAL;
    }
  ct_state.ring_slots = ring_slots_from_env ();
  ct_filter_configure ();
  ct_writer_t *w = ct_writer_new (db_path, trace_hex, err, sizeof err, &code);
  if (w == NULL)
    {
      set_error (err[0] ? err : "cannot open the trace file");
      return code != 0 ? code : -EIO;
    }
  pthread_mutex_lock (&ct_state.lock);
  free (ct_state.path);
  ct_state.path = strdup (db_path);
  ct_state.writer = w;
  ct_state.last_gen = ct_state.last_gen == UINT32_MAX ? 1 : ct_state.last_gen + 1;
  ct_state.writer_gen = ct_state.last_gen;
  ct_state.last_error[0] = '\0';
  pthread_mutex_unlock (&ct_state.lock);
  code = ct_writer_start (w);
  if (code != 0)
    {
      set_error ("cannot start the writer thread");
      return code;
    }
  atomic_store (&ct_state.gen, ct_state.writer_gen);
  return 0;
}

CTXTRACE_API int
ctxtrace_start (const char *db_path)
{
  pthread_once (&setup_once, setup);
  pthread_mutex_lock (&life_lock);
  int rc = start_locked (db_path, NULL);
  pthread_mutex_unlock (&life_lock);
  return rc;
}

/* Rings of a stopped session: those of exited threads are freed here; a live thread frees
 * its own the next time it records (it is then the ring's only user). */
static void
release_rings_locked (void)
{
  ct_ring_t *r = ct_state.rings;
  while (r != NULL)
    {
      ct_ring_t *next = r->next;
      if (atomic_load (&r->closed))
        ct_ring_free (r);
      r = next;
    }
  ct_state.rings = NULL;
}

static void
stop_with_deadline (int64_t deadline_ns)
{
  pthread_mutex_lock (&life_lock);
  pthread_mutex_lock (&ct_state.lock);
  ct_writer_t *w = ct_state.writer;
  atomic_store (&ct_state.gen, 0);
  pthread_mutex_unlock (&ct_state.lock);
  if (w != NULL)
    {
      ctxtrace_stats_t stats = { 0 };
      if (ct_writer_stop (w, &stats, deadline_ns) == 0)
        {
          pthread_mutex_lock (&ct_state.lock);
          ct_state.last_stats = stats;
          ct_state.writer = NULL;
          ct_state.writer_gen = 0;
          release_rings_locked ();
          pthread_mutex_unlock (&ct_state.lock);
        }
    }
  pthread_mutex_unlock (&life_lock);
}

CTXTRACE_API void
ctxtrace_stop (void)
{
  stop_with_deadline (0);
}

CTXTRACE_API void
ctxtrace_flush (void)
{
  pthread_mutex_lock (&ct_state.lock);
  if (ct_state.writer != NULL)
    ct_writer_flush_locked (ct_state.writer);
  pthread_mutex_unlock (&ct_state.lock);
}

CTXTRACE_API const uint32_t *
ctxtrace_recording_word (void)
{
  return (const uint32_t *) &ct_state.gen;
}

CTXTRACE_API bool
ctxtrace_enabled (void)
{
  return atomic_load_explicit (&ct_state.gen, memory_order_relaxed) != 0;
}

CTXTRACE_API const char *
ctxtrace_last_error (void)
{
  return ct_state.last_error;
}

CTXTRACE_API void
ctxtrace_get_stats (ctxtrace_stats_t *stats)
{
  if (stats == NULL)
    return;
  /* life_lock keeps the writer alive; ct_state.lock must not be held (the writer takes it
   * while busy, and the statistics take busy). */
  pthread_mutex_lock (&life_lock);
  if (ct_state.writer != NULL)
    ct_writer_get_stats (ct_state.writer, stats);
  else
    *stats = ct_state.last_stats;
  pthread_mutex_unlock (&life_lock);
  stats->viewer_launch_failures = ct_viewer_launch_failures ();
}

/* Normal exit flushes, but never waits longer than CTXTRACE_EXIT_TIMEOUT_MS (5 s). */
static void
at_exit (void)
{
  if (ct_state.writer == NULL)
    return;
  const char *ms = getenv ("CTXTRACE_EXIT_TIMEOUT_MS");
  long long timeout = ms != NULL && atoll (ms) > 0 ? atoll (ms) : 5000;
  stop_with_deadline (ct_realtime_ns () + timeout * 1000000);
}

/* fork(): the locks are taken around fork so that the child never inherits them held by
 * a thread that does not exist there, and the writer is made to finish its cycle first so
 * that no SQLite call is half done.  The child then drops its copies of the parent's
 * writer and rings (never writing through the parent's connection) and, unless
 * CTXTRACE_FORK=0, records into the same file as a new process of the same trace. */
static void
fork_prepare (void)
{
  pthread_mutex_lock (&life_lock);
  if (ct_state.writer != NULL)
    ct_writer_lock_busy (ct_state.writer);
  pthread_mutex_lock (&ct_state.lock);
  ct_filter_fork_prepare ();
}

static void
fork_parent (void)
{
  ct_filter_fork_parent ();
  pthread_mutex_unlock (&ct_state.lock);
  if (ct_state.writer != NULL)
    ct_writer_unlock_busy (ct_state.writer);
  pthread_mutex_unlock (&life_lock);
}

static void
fork_child (void)
{
  ct_filter_fork_child ();
  ct_writer_t *w = ct_state.writer;
  int recording = w != NULL && atomic_load (&ct_state.gen) != 0;
  char trace_hex[33] = "";
  if (w != NULL)
    snprintf (trace_hex, sizeof trace_hex, "%s", ct_writer_trace_hex (w));
  atomic_store (&ct_state.gen, 0);
  ct_state.writer = NULL;
  ct_state.writer_gen = 0;
  ct_ring_forget_all_after_fork ();
  pthread_mutex_unlock (&ct_state.lock);
  if (w != NULL)
    ct_writer_abandon (w);
  const char *env = getenv ("CTXTRACE_FORK");
  if (recording && ct_state.path != NULL && (env == NULL || strcmp (env, "0") != 0))
    {
      char *path = strdup (ct_state.path);
      if (path != NULL && start_locked (path, trace_hex) != 0)
        fprintf (stderr, "ctxtrace: child %d not recording: %s\n", (int) getpid (),
                 ct_state.last_error);
      free (path);
    }
  pthread_mutex_unlock (&life_lock);
}

__attribute__ ((constructor)) static void
load_from_env (void)
{
  const char *path = getenv ("CTXTRACE_DB");
  if (path == NULL || path[0] == '\0')
    return;
  if (ctxtrace_start (path) != 0)
    {
      fprintf (stderr, "ctxtrace: not recording: %s\n", ctxtrace_last_error ());
      return;
    }
  /* Once per program: its children (same environment) must not start viewers too. */
  const char *viewer = getenv ("CTXTRACE_VIEWER");
  if (viewer != NULL && strcmp (viewer, "1") == 0)
    {
      unsetenv ("CTXTRACE_VIEWER");
      ctxtrace_open_viewer ();
    }
}
