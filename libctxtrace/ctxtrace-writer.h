/* ctxtrace-writer.h: the writer thread's data, shared by ctxtrace-writer.c (draining and
 * pairing) and ctxtrace-db.c (SQLite). */
#pragma once

#include <sqlite3.h>

#include "ctxtrace-checkpoint.h"
#include "ctxtrace-symbols.h"
#include "ctxtrace-json.h"
#include "ctxtrace-private.h"

/* End-to-commit latencies kept for the statistics (every 16th span of each commit). */
#define CT_LATENCY_SAMPLES 4096

/* Spans per multi-row INSERT statement. */
#define CT_INSERT_ROWS 128

/* References to spans.  > 0: a span id in the file.  < 0: -seq of a span whose row is not
 * committed yet: every reserved row gets the next sequence number (1, 2, ...) of the
 * session, and the committer maps sequence numbers to ids.  0: none. */
typedef int64_t ct_ref_t;

typedef struct
{
  uint64_t seq;          /* position of its begin record in the ring + 1 */
  ct_ref_t ref;
  ct_ref_t parent;
  uint32_t trace;        /* trace index: 0 this session's, else traces[trace - 1] */
  uint32_t name;         /* index into the writer's names */
  uint64_t start_tick;
  uint32_t depth;
  uint8_t status;
  uint8_t attrs_dirty;   /* attributes changed since the span's row left the batch */
  ct_attrs_t attrs;
  uint64_t func;         /* the function's address for -finstrument-functions spans, or 0 */
} ct_open_t;

typedef struct
{
  ct_ref_t parent;
  int64_t start_ns;
  int64_t dur_ns;        /* -1 while open */
  uint32_t trace;
  uint32_t thread;       /* thread serial */
  uint32_t name;
  uint32_t depth;
  uint8_t status;
  uint8_t discard;       /* shorter than CTXTRACE_MIN_DURATION: not written */
  char *attrs;           /* JSON text or NULL */
} ct_insert_t;

typedef struct
{
  ct_ref_t span;
  int64_t dur_ns;        /* -1: still open (attributes update only) */
  uint8_t status;
  char *attrs;
} ct_update_t;

typedef struct
{
  ct_ref_t span;
  int64_t ts_ns;
  uint32_t thread;
  uint32_t name;
  char *attrs;
} ct_event_t;

typedef struct
{
  ct_ref_t ref;
  uint32_t trace;
} ct_ctx_t;

/* A thread row to insert (first time its serial is seen) or rename. */
typedef struct
{
  uint32_t serial;
  int64_t tid;
  char *name;
} ct_thread_op_t;

/* A name or trace to intern: index in the drain side's table, and its text (owned by
 * that table, which never frees or moves a text while the writer lives). */
typedef struct
{
  uint32_t index;
  const char *text;
} ct_text_op_t;

/* What one transaction writes.  Built by the drain thread, then handed to the committer
 * ("sealed"), which fills in ids and hands it back for the references to be fixed. */
typedef struct ct_batch
{
  struct ct_batch *next;
  uint64_t number;       /* 1, 2, ... in sealing (and commit) order */
  uint64_t first_seq;    /* sequence number of inserts[0] */
  ct_insert_t *inserts;
  size_t n_inserts, cap_inserts;
  ct_update_t *updates;
  size_t n_updates, cap_updates;
  ct_event_t *events;
  size_t n_events, cap_events;
  ct_thread_op_t *thread_ops;
  size_t n_thread_ops, cap_thread_ops;
  ct_text_op_t *names;
  size_t n_names, cap_names;
  ct_text_op_t *traces;
  size_t n_traces, cap_traces;
  uint64_t counters[4];  /* the process row's counters when sealed */
  uint64_t flush_ticket; /* flushes this commit completes */
  int64_t *ids;          /* set by the committer: each insert's id (discarded: its parent's) */
  size_t kept;           /* inserts written */
} ct_batch_t;

/* Anything for the committer to write, apart from the process row's counters. */
static inline int
ct_batch_has_rows (const ct_batch_t *b)
{
  return b->n_inserts + b->n_updates + b->n_events + b->n_thread_ops + b->n_names + b->n_traces
         > 0;
}

/* Sealed batches not yet acknowledged by the drain thread, at most; more data waits in the
 * growing open batch.  The committer keeps the ids of the last CT_HISTORY batches. */
#define CT_IN_FLIGHT 4
#define CT_HISTORY (CT_IN_FLIGHT + 2)

typedef struct ct_thread
{
  ct_ring_t *ring;       /* NULL once the thread exited and its ring was drained */
  uint32_t slot;
  uint32_t serial;       /* its thread row's key for the committer */
  int64_t tid;
  char *name;
  uint64_t processed;    /* ring position after the last record processed */
  uint64_t captures;     /* captures seen */
  ct_open_t *stack;
  size_t n_open, cap_open;
  ct_ctx_t *attached;
  size_t n_attached, cap_attached;
  uint64_t dropped_spans, dropped_records, truncated;  /* last values read from the ring */
  int lost_pending;      /* records were dropped since the stack was last empty */
  int64_t defer_since;
  uint64_t last_tick;    /* timestamp of the latest record seen */   /* when the ring started waiting on another ring, or 0 */
} ct_thread_t;

typedef struct
{
  char *text;
} ct_name_t;

/* Open-addressing map of 64-bit keys (never 0) to 64-bit values. */
typedef struct
{
  uint64_t *keys;
  int64_t *values;
  size_t cap;            /* power of two */
  size_t n;
} ct_map_t;

struct ct_writer
{
  /* ---- Shared, fixed after ct_writer_new ---- */
  int64_t process_id;
  int64_t trace_id;      /* this session's trace row */
  char trace_hex[33];    /* its W3C id; set before opening to continue a trace */
  uint64_t root_span;    /* the remote parent's span id (CTXTRACE_TRACEPARENT), or 0 */
  int64_t min_duration_ns; /* CTXTRACE_MIN_DURATION: shorter spans are not written */
  int64_t max_pages;
  ct_checkpointer_t *checkpointer;
  _Atomic int failed;
  _Atomic uint64_t committed_spans;
  _Atomic uint64_t rejected_attrs;
  _Atomic uint64_t write_errors;
  _Atomic uint64_t filtered_spans;

  /* ---- Under ct_state.lock ---- */
  int stop;
  uint64_t flush_requested, flush_done;
  pthread_cond_t wake, done;

  /* ---- The pipeline between the two threads, under queue_lock ---- */
  pthread_mutex_t queue_lock;
  pthread_cond_t queue_cond;       /* a batch was sealed, or stop */
  ct_batch_t *sealed, **sealed_tail; /* FIFO to the committer */
  ct_batch_t *completed, **completed_tail; /* FIFO back to the drain thread */
  int commit_stop;                 /* the drain thread has sealed its last batch */
  ct_batch_t *committing;          /* taken from sealed, not yet in the history */

  /* ---- Drain thread (pairs records into batches) ---- */
  pthread_mutex_t busy;  /* held while it works (fork, capture lookups) */
  pthread_t thread;
  int started;
  ct_clock_t clock;
  ct_ctx_t root;         /* parent of spans begun outside any span: a remote span or none */
  sqlite3 *jdb;          /* private in-memory connection: JSON validation */
  sqlite3_stmt *st_json_valid;
  ct_batch_t *open;      /* the batch being built */
  uint64_t n_sealed, n_acked, next_seq, flush_sealed;
  size_t rows_in_flight; /* inserts of sealed batches not yet taken back */
  int64_t last_seal_ns;
  int64_t seal_due_ns;   /* when the open batch became due, 0 if not (see young_rows) */
  ct_thread_t **threads; /* by slot */
  size_t n_threads_cap;
  ct_thread_t **live;    /* threads with rings, in drain order */
  size_t n_live, cap_live;
  uint32_t n_serials;
  ct_name_t *names;
  size_t n_names, cap_names;
  char **traces;         /* hex of other traces met (attach of a remote parent) */
  size_t n_traces, cap_traces;
  ct_map_t site_names;   /* site address -> name index */
  ct_map_t func_names;   /* function address -> name index */
  ct_module_t *modules;  /* symbol tables read so far */
  ct_map_t text_names;   /* string hash -> name index (collisions chained by probing) */
  ct_map_t captures;     /* capture key -> index into capture_refs */
  ct_ctx_t *capture_refs;
  uint64_t *capture_keys;  /* FIFO for eviction */
  size_t n_captures, capture_head;
  size_t *pending_captures;  /* capture_refs entries still naming uncommitted rows */
  size_t n_pending_captures, cap_pending_captures;
  char *scratch;         /* payload copy buffer */
  size_t scratch_cap;
  int open_dirty;        /* some open span whose row left the batch has new attributes */
  uint64_t dropped_spans, dropped_records, truncated;  /* totals over all threads */

  /* ---- Committer thread (SQLite) ---- */
  sqlite3 *db;
  sqlite3_stmt *st_insert_span, *st_insert_spans, *st_insert_plain, *st_update_span, *st_update_attrs, *st_insert_event;
  sqlite3_stmt *st_insert_thread, *st_update_thread, *st_string_upsert, *st_string_id;
  sqlite3_stmt *st_max_span, *st_process_counters, *st_process_end;
  sqlite3_stmt *st_trace_upsert, *st_trace_id;
  pthread_mutex_t commit_busy; /* held while it works (fork, statistics) */
  pthread_t committer;
  int committer_started;
  ct_batch_t *history[CT_HISTORY]; /* committed batches by number % CT_HISTORY */
  int64_t *name_ids, *thread_ids, *trace_ids; /* row ids by drain-side index, 0: not yet */
  size_t cap_name_ids, cap_thread_ids, cap_trace_ids;
  uint32_t *fresh;       /* ids assigned by the transaction under way (undone on rollback) */
  size_t n_fresh, cap_fresh;
  int64_t latency[CT_LATENCY_SAMPLES]; /* end-to-commit times of sampled spans, a ring */
  size_t n_latency;
  uint64_t saved_counters[4];  /* as last written to the process row */
};

/* ctxtrace-db.c (committer thread, and ct_writer_new before the threads exist) */
CT_HIDDEN int ct_db_open (ct_writer_t *w, const char *path, char *err, size_t errlen);
/* Writes the batch in one transaction and sets its ids; SQLITE_OK or the error. */
CT_HIDDEN int ct_db_commit (ct_writer_t *w, ct_batch_t *b);
CT_HIDDEN void ct_db_close (ct_writer_t *w, int64_t end_ns);
CT_HIDDEN int ct_db_is_fatal (int rc);
CT_HIDDEN int ct_db_json_open (ct_writer_t *w);
CT_HIDDEN void ct_db_json_close (ct_writer_t *w);
/* Drain thread: the JSON text minified by SQLite's own parser, appended to out; 0 if it is
 * not JSON (a private in-memory connection). */
CT_HIDDEN int ct_db_json_normalize (ct_writer_t *w, const char *text, size_t len, ct_buf_t *out);

/* ctxtrace-commit.c */
CT_HIDDEN int ct_committer_start (ct_writer_t *w);
/* Tells the committer that nothing more will be sealed, and waits for it to write every
 * sealed batch and exit. */
CT_HIDDEN void ct_committer_stop (ct_writer_t *w);
CT_HIDDEN void ct_committer_free (ct_writer_t *w);
CT_HIDDEN void ct_batch_free (ct_batch_t *b);
/* The id of a row by sequence number, from the committed batches the committer keeps. */
CT_HIDDEN int64_t ct_committer_resolve (ct_writer_t *w, const ct_batch_t *current, ct_ref_t ref);
CT_HIDDEN void ct_committer_latency (ct_writer_t *w, uint64_t *p50, uint64_t *p99);

/* ctxtrace-writer.c */
/* The counters of the process row, in its column order (dropped spans, dropped records,
 * rejected attributes, truncated values). */
CT_HIDDEN void ct_writer_counters (ct_writer_t *w, uint64_t out[4]);
CT_HIDDEN int ct_writer_lookup_capture (ct_writer_t *w, uint64_t key, uint64_t *span,
                                        char trace_hex[33]);
CT_HIDDEN void ct_writer_fail (ct_writer_t *w, int rc);
CT_HIDDEN int ct_grow (void *arrayp, size_t *cap, size_t need, size_t elem);

/* ctxtrace-context.c */
CT_HIDDEN int ct_traceparent_parse (const char *s, uint8_t trace[16], uint64_t *span);
CT_HIDDEN void ct_hex (const uint8_t *bytes, size_t n, char *out);

/* ctxtrace-map.c */
CT_HIDDEN int ct_map_put (ct_map_t *m, uint64_t key, int64_t value);
CT_HIDDEN int ct_map_get (const ct_map_t *m, uint64_t key, int64_t *value);
CT_HIDDEN void ct_map_remove (ct_map_t *m, uint64_t key);
CT_HIDDEN void ct_map_free (ct_map_t *m);
