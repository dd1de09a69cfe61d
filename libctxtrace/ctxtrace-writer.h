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
#define CT_INSERT_ROWS 32

/* References to spans.  > 0: a span id in the file.  < 0: -(index + 1) into the inserts
 * of the batch being built (becomes base + index at commit).  0: none. */
typedef int64_t ct_ref_t;

typedef struct
{
  uint64_t seq;          /* position of its begin record in the ring + 1 */
  ct_ref_t ref;
  ct_ref_t parent;
  int64_t trace;         /* trace row id */
  uint64_t start_tick;
  uint32_t name;         /* index into the writer's names */
  uint32_t depth;
  uint8_t status;
  uint8_t attrs_dirty;   /* attributes changed since the span was committed open */
  ct_attrs_t attrs;
  uint64_t func;         /* the function's address for -finstrument-functions spans, or 0 */
} ct_open_t;

typedef struct
{
  ct_ref_t parent;
  int64_t trace;
  int64_t start_ns;
  int64_t dur_ns;        /* -1 while open */
  struct ct_thread *thread;
  uint32_t name;
  uint32_t depth;
  uint8_t status;
  char *attrs;           /* JSON text or NULL */
} ct_insert_t;

typedef struct
{
  int64_t id;
  int64_t dur_ns;        /* -1: still open (attributes update only) */
  uint8_t status;
  char *attrs;
} ct_update_t;

typedef struct
{
  ct_ref_t span;
  struct ct_thread *thread;
  int64_t ts_ns;
  uint32_t name;
  char *attrs;
} ct_event_t;

typedef struct
{
  ct_ref_t ref;
  int64_t trace;
} ct_ctx_t;

typedef struct ct_thread
{
  ct_ring_t *ring;       /* NULL once the thread exited and its ring was drained */
  uint32_t slot;
  int64_t tid;
  int64_t db_id;         /* thread row id, 0 until inserted */
  int db_id_fresh;       /* inserted by the commit under way */
  char *name;
  int name_dirty;
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
  int64_t db_id;         /* 0 until interned in the file */
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
  sqlite3 *db;
  sqlite3_stmt *st_insert_span, *st_insert_spans, *st_insert_plain, *st_update_span, *st_update_attrs, *st_insert_event;
  sqlite3_stmt *st_insert_thread, *st_update_thread, *st_string_upsert, *st_string_id;
  sqlite3_stmt *st_max_span, *st_json_valid, *st_process_counters, *st_process_end;
  sqlite3_stmt *st_trace_upsert, *st_trace_id;
  int64_t process_id;
  int64_t trace_id;      /* this session's trace row */
  char trace_hex[33];    /* its W3C id; set before opening to continue a trace */
  ct_ctx_t root;         /* parent of spans begun outside any span: a remote span or none */
  uint64_t root_span;    /* the remote parent's span id (CTXTRACE_TRACEPARENT), or 0 */
  pthread_mutex_t busy;  /* held by the writer thread while it works (see fork, traceparent) */
  ct_checkpointer_t *checkpointer;
  ct_clock_t clock;
  pthread_t thread;
  int started;
  int stop;              /* under ct_state.lock */
  _Atomic int failed;
  uint64_t flush_requested, flush_done;  /* under ct_state.lock */
  pthread_cond_t wake, done;
  int64_t max_pages;

  ct_thread_t **threads; /* by slot */
  size_t n_threads_cap;
  ct_thread_t **live;    /* threads with rings, in drain order */
  size_t n_live, cap_live;

  ct_name_t *names;
  size_t n_names, cap_names, n_names_committed;
  ct_map_t site_names;   /* site address -> name index */
  ct_map_t func_names;   /* function address -> name index */
  ct_module_t *modules;  /* symbol tables read so far */
  ct_map_t text_names;   /* string hash -> name index (collisions chained by probing) */
  ct_map_t captures;     /* capture key -> index into capture_refs */
  ct_ctx_t *capture_refs;
  uint64_t *capture_keys;  /* FIFO for eviction */
  size_t n_captures, capture_head;
  size_t *new_captures;  /* capture_refs entries added in the batch (fixed up at commit) */
  size_t n_new_captures, cap_new_captures;

  ct_insert_t *inserts;
  size_t n_inserts, cap_inserts;
  ct_update_t *updates;
  size_t n_updates, cap_updates;
  ct_event_t *events;
  size_t n_events, cap_events;
  char *scratch;         /* payload copy buffer */
  size_t scratch_cap;

  int64_t last_commit_ns;
  int64_t latency[CT_LATENCY_SAMPLES]; /* end-to-commit times of sampled spans, a ring */
  size_t n_latency;
  int open_dirty;        /* some committed open span has new attributes or status */
  _Atomic uint64_t committed_spans;
  _Atomic uint64_t rejected_attrs;
  _Atomic uint64_t write_errors;
  uint64_t dropped_spans, dropped_records, truncated;  /* totals over all threads */
  uint64_t saved_counters[4];  /* as last written to the process row */
};

/* ctxtrace-db.c */
CT_HIDDEN int ct_db_open (ct_writer_t *w, const char *path, char *err, size_t errlen);
CT_HIDDEN int ct_db_commit (ct_writer_t *w, int64_t *base);
CT_HIDDEN void ct_db_close (ct_writer_t *w, int64_t end_ns);
CT_HIDDEN int ct_db_json_normalize (ct_writer_t *w, const char *text, size_t len, ct_buf_t *out);
CT_HIDDEN int ct_db_is_fatal (int rc);

/* ctxtrace-writer.c */
/* The counters of the process row, in its column order (dropped spans, dropped records,
 * rejected attributes, truncated values). */
CT_HIDDEN void ct_writer_counters (ct_writer_t *w, uint64_t out[4]);
CT_HIDDEN int ct_writer_lookup_capture (ct_writer_t *w, uint64_t key, uint64_t *span,
                                        char trace_hex[33]);
CT_HIDDEN int ct_db_trace_hex (ct_writer_t *w, int64_t trace, char hex[33]);
CT_HIDDEN int ct_db_intern_trace (ct_writer_t *w, const char *hex, int64_t *id);

/* ctxtrace-context.c */
CT_HIDDEN int ct_traceparent_parse (const char *s, uint8_t trace[16], uint64_t *span);
CT_HIDDEN void ct_hex (const uint8_t *bytes, size_t n, char *out);

/* ctxtrace-map.c */
CT_HIDDEN int ct_map_put (ct_map_t *m, uint64_t key, int64_t value);
CT_HIDDEN int ct_map_get (const ct_map_t *m, uint64_t key, int64_t *value);
CT_HIDDEN void ct_map_remove (ct_map_t *m, uint64_t key);
CT_HIDDEN void ct_map_free (ct_map_t *m);
