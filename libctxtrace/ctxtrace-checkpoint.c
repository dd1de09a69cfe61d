/* ctxtrace-checkpoint.c: WAL checkpoints off the writer thread.
 *
 * SQLite's automatic checkpoint runs in the committing thread and copies the WAL back into
 * the database there: about 15 % of the writer's time at a million spans a second.  A
 * second connection on its own thread does it instead, on the other core; the writer only
 * asks (from its WAL hook).  When continuous writing keeps the WAL from ever being fully
 * copied (its restart needs that), the writer finishes the little that is left itself. */
#include "ctxtrace-checkpoint.h"

#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Pages of WAL (4 KiB) after which the checkpointer is asked, and after which the writer
 * completes the checkpoint itself so that the WAL restarts from its beginning. */
#define ASK_PAGES 1000
#define FINISH_PAGES 8000

struct ct_checkpointer
{
  sqlite3 *db;
  pthread_t thread;
  pthread_mutex_t lock;  /* want, stop */
  pthread_cond_t cond;
  pthread_mutex_t busy;  /* held while checkpointing (fork waits for it) */
  int want, stop, started;
};

static void *
run (void *data)
{
  ct_checkpointer_t *c = data;
  prctl (PR_SET_NAME, "ctxtrace-ckpt", 0, 0, 0);
  /* Copying the WAL back can wait; the traced program's threads come first. */
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
  pthread_mutex_lock (&c->lock);
  while (!c->stop)
    {
      if (!c->want)
        {
          pthread_cond_wait (&c->cond, &c->lock);
          continue;
        }
      c->want = 0;
      pthread_mutex_unlock (&c->lock);
      pthread_mutex_lock (&c->busy);
      sqlite3_wal_checkpoint_v2 (c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      pthread_mutex_unlock (&c->busy);
      pthread_mutex_lock (&c->lock);
    }
  pthread_mutex_unlock (&c->lock);
  return NULL;
}

ct_checkpointer_t *
ct_checkpointer_new (const char *path)
{
  ct_checkpointer_t *c = calloc (1, sizeof *c);
  if (c == NULL)
    return NULL;
  if (sqlite3_open_v2 (path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)
      != SQLITE_OK)
    {
      sqlite3_close (c->db);
      free (c);
      return NULL;
    }
  sqlite3_busy_handler (c->db, ct_db_busy_retry, NULL);
  /* A connection learns that the file is in WAL mode when it first reads it; until then
   * sqlite3_wal_checkpoint_v2 does nothing (and says so only through *pnLog = -1), and the
   * writer was left to copy the whole WAL itself at FINISH_PAGES: a 140 ms stall. */
  sqlite3_exec (c->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
  pthread_mutex_init (&c->lock, NULL);
  pthread_mutex_init (&c->busy, NULL);
  pthread_cond_init (&c->cond, NULL);
  c->started = pthread_create (&c->thread, NULL, run, c) == 0;
  return c;
}

static int
wal_hook (void *data, sqlite3 *db, const char *name, int pages)
{
  ct_checkpointer_t *c = data;
  if (pages >= FINISH_PAGES)
    sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  else if (pages >= ASK_PAGES && c->started)
    {
      pthread_mutex_lock (&c->lock);
      c->want = 1;
      pthread_cond_signal (&c->cond);
      pthread_mutex_unlock (&c->lock);
    }
  return SQLITE_OK;
}

void
ct_checkpointer_attach (ct_checkpointer_t *c, sqlite3 *writer_db)
{
  sqlite3_wal_hook (writer_db, wal_hook, c);
}

void
ct_checkpointer_stop (ct_checkpointer_t *c)
{
  if (c == NULL)
    return;
  pthread_mutex_lock (&c->lock);
  c->stop = 1;
  pthread_cond_signal (&c->cond);
  pthread_mutex_unlock (&c->lock);
  if (c->started)
    pthread_join (c->thread, NULL);
  sqlite3_close (c->db);
  pthread_mutex_destroy (&c->lock);
  pthread_mutex_destroy (&c->busy);
  pthread_cond_destroy (&c->cond);
  free (c);
}

void
ct_checkpointer_lock (ct_checkpointer_t *c)
{
  if (c != NULL)
    pthread_mutex_lock (&c->busy);
}

void
ct_checkpointer_unlock (ct_checkpointer_t *c)
{
  if (c != NULL)
    pthread_mutex_unlock (&c->busy);
}

void
ct_checkpointer_abandon (ct_checkpointer_t *c)
{
  /* The child's copy: its thread does not exist; its locks and condition may record the
   * parent's threads, so they are not destroyed, only the memory freed. */
  if (c == NULL)
    return;
  sqlite3_close (c->db);
  free (c);
}
