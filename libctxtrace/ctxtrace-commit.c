/* ctxtrace-commit.c: the committer thread, second stage of the writer.  It takes sealed
 * batches from the drain thread in order, writes each in one SQLite transaction, gives
 * every row its id, and hands the batch back so that the drain thread can turn references
 * to those rows (open parents, captures) into ids.
 *
 * A row is known by its sequence number until committed.  A batch may refer to rows of the
 * CT_IN_FLIGHT batches sealed before it whose ids the drain thread had not yet taken back
 * when the reference was made, so the committer keeps the ids of its last CT_HISTORY
 * batches; older ones were taken back before the batch that evicts them was sealed. */
#include "ctxtrace-writer.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

/* A busy file (another process writing) is retried this often before giving up at stop. */
#define BUSY_RETRIES_AT_STOP 10
/* The pause between back-to-back commits (about 2 % of a 10 ms batch). */
#define YIELD_NS 200000

static void shrink_batch (ct_batch_t *b);

void
ct_batch_free (ct_batch_t *b)
{
  if (b == NULL)
    return;
  shrink_batch (b);
  free (b->ids);
  free (b);
}

/* After the commit only what the drain thread reads back stays: the range and the ids. */
static void
shrink_batch (ct_batch_t *b)
{
  for (size_t i = 0; b->inserts != NULL && i < b->n_inserts; i++)
    free (b->inserts[i].attrs);
  for (size_t i = 0; i < b->n_updates; i++)
    free (b->updates[i].attrs);
  for (size_t i = 0; i < b->n_events; i++)
    free (b->events[i].attrs);
  for (size_t i = 0; i < b->n_thread_ops; i++)
    free (b->thread_ops[i].name);
  free (b->inserts), free (b->updates), free (b->events), free (b->thread_ops);
  free (b->names), free (b->traces);
  b->inserts = NULL, b->updates = NULL, b->events = NULL, b->thread_ops = NULL;
  b->names = NULL, b->traces = NULL;
  b->n_updates = b->n_events = b->n_thread_ops = b->n_names = b->n_traces = 0;
}

int64_t
ct_committer_resolve (ct_writer_t *w, const ct_batch_t *current, ct_ref_t ref)
{
  if (ref >= 0)
    return ref;
  uint64_t seq = (uint64_t) -ref;
  if (current != NULL && seq >= current->first_seq
      && seq < current->first_seq + current->n_inserts)
    return current->ids != NULL ? current->ids[seq - current->first_seq] : 0;
  for (int i = 0; i < CT_HISTORY; i++)
    {
      const ct_batch_t *b = w->history[i];
      if (b != NULL && b->ids != NULL && seq >= b->first_seq && seq < b->first_seq + b->n_inserts)
        return b->ids[seq - b->first_seq];
    }
  return 0; /* a row lost with a failed commit */
}

static void
sample_latency (ct_writer_t *w, const ct_batch_t *b)
{
  int64_t now = ct_realtime_ns ();
  for (size_t i = 0; i < b->n_inserts; i += 16)
    if (b->inserts[i].dur_ns >= 0 && !b->inserts[i].discard)
      w->latency[w->n_latency++ % CT_LATENCY_SAMPLES]
        = now - (b->inserts[i].start_ns + b->inserts[i].dur_ns);
}

static int
cmp_int64 (const void *a, const void *b)
{
  int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
  return x < y ? -1 : x > y;
}

void
ct_committer_latency (ct_writer_t *w, uint64_t *p50, uint64_t *p99)
{
  static int64_t copy[CT_LATENCY_SAMPLES];
  size_t n = w->n_latency < CT_LATENCY_SAMPLES ? w->n_latency : CT_LATENCY_SAMPLES;
  *p50 = *p99 = 0;
  if (n == 0)
    return;
  memcpy (copy, w->latency, n * sizeof *copy);
  qsort (copy, n, sizeof *copy, cmp_int64);
  *p50 = (uint64_t) (copy[n / 2] > 0 ? copy[n / 2] : 0);
  *p99 = (uint64_t) (copy[n * 99 / 100] > 0 ? copy[n * 99 / 100] : 0);
}

static int
stopping (ct_writer_t *w)
{
  pthread_mutex_lock (&w->queue_lock);
  int stop = w->commit_stop;
  pthread_mutex_unlock (&w->queue_lock);
  return stop;
}

/* Writes a batch; a file busy with another process's commit (after SQLite's own 5 s of
 * retries) is tried again, since losing the batch would lose spans. */
static void
commit_batch (ct_writer_t *w, ct_batch_t *b)
{
  int rc = SQLITE_OK;
  if (!atomic_load (&w->failed)
      && (ct_batch_has_rows (b)
          || memcmp (b->counters, w->saved_counters, sizeof b->counters) != 0))
    for (int tries = 0;; tries++)
      {
        rc = ct_db_commit (w, b);
        if (rc == SQLITE_OK || ct_db_is_fatal (rc)
            || (tries >= BUSY_RETRIES_AT_STOP && stopping (w)))
          break;
        struct timespec ts = { 0, 1000000 };
        nanosleep (&ts, NULL);
      }
  if (rc != SQLITE_OK && ct_db_is_fatal (rc))
    ct_writer_fail (w, rc);
  if (rc != SQLITE_OK || atomic_load (&w->failed) || b->ids == NULL)
    {
      /* Nothing of it is in the file: references to its rows become "none". */
      free (b->ids);
      b->ids = b->n_inserts > 0 ? calloc (b->n_inserts, sizeof *b->ids) : NULL;
      b->kept = 0;
    }
  else
    {
      sample_latency (w, b);
      atomic_fetch_add (&w->committed_spans, b->kept);
    }
}

static void *
committer_main (void *data)
{
  ct_writer_t *w = data;
  sigset_t all;
  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, NULL);
  prctl (PR_SET_NAME, "ctxtrace-commit", 0, 0, 0);
  pthread_mutex_lock (&w->queue_lock);
  for (;;)
    {
      while (w->sealed == NULL && !w->commit_stop)
        pthread_cond_wait (&w->queue_cond, &w->queue_lock);
      ct_batch_t *b = w->sealed;
      if (b == NULL)
        break;
      w->sealed = b->next;
      if (w->sealed == NULL)
        w->sealed_tail = &w->sealed;
      w->committing = b; /* in no list until it joins the history (see writer_free) */
      pthread_mutex_unlock (&w->queue_lock);

      pthread_mutex_lock (&w->commit_busy);
      commit_batch (w, b);
      shrink_batch (b);
      ct_batch_t **slot = &w->history[b->number % CT_HISTORY];
      ct_batch_free (*slot);
      *slot = b;
      w->committing = NULL;
      pthread_mutex_unlock (&w->commit_busy);

      pthread_mutex_lock (&w->queue_lock);
      b->next = NULL;
      *w->completed_tail = b;
      w->completed_tail = &b->next;
      pthread_mutex_unlock (&w->queue_lock);
      /* The drain thread takes it back (and completes flushes) without waiting its poll. */
      pthread_mutex_lock (&ct_state.lock);
      pthread_cond_signal (&w->wake);
      pthread_mutex_unlock (&ct_state.lock);
      pthread_mutex_lock (&w->queue_lock);
      if (w->sealed != NULL && !w->commit_stop)
        {
          /* Behind, we would take the file's write lock again at once, and other processes
           * writing the same file (a fork child, say) would wait in vain: their busy
           * handlers poll every 100 us, so leave the lock free that long between commits. */
          pthread_mutex_unlock (&w->queue_lock);
          struct timespec pause = { 0, YIELD_NS };
          nanosleep (&pause, NULL);
          pthread_mutex_lock (&w->queue_lock);
        }
    }
  pthread_mutex_unlock (&w->queue_lock);
  return NULL;
}

int
ct_committer_start (ct_writer_t *w)
{
  int rc = pthread_create (&w->committer, NULL, committer_main, w);
  w->committer_started = rc == 0;
  return -rc;
}

void
ct_committer_stop (ct_writer_t *w)
{
  pthread_mutex_lock (&w->queue_lock);
  w->commit_stop = 1;
  pthread_cond_signal (&w->queue_cond);
  pthread_mutex_unlock (&w->queue_lock);
  if (w->committer_started)
    pthread_join (w->committer, NULL);
  w->committer_started = 0;
}

/* With the committer gone or stopped between batches (commit_busy held at fork). */
void
ct_committer_free (ct_writer_t *w)
{
  ct_batch_free (w->committing);
  w->committing = NULL;
  for (int i = 0; i < CT_HISTORY; i++)
    {
      ct_batch_free (w->history[i]);
      w->history[i] = NULL;
    }
  free (w->name_ids), free (w->thread_ids), free (w->trace_ids), free (w->fresh);
}
