/* ctxtrace-private.h: what the library's files share.  Nothing here is exported. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "ctxtrace.h"

#define CT_LIKELY(x) __builtin_expect (!!(x), 1)
#define CT_UNLIKELY(x) __builtin_expect (!!(x), 0)
#define CT_HIDDEN __attribute__ ((visibility ("hidden")))

/* Documented limits (docs/schema.md). */
#define CT_MAX_NAME 1024
#define CT_MAX_KEY 256
#define CT_MAX_VALUE 16384
#define CT_MAX_ATTRS_TEXT 65536

/* ---- Ring records ----------------------------------------------------------------------
 * A ring is an array of 16-byte slots written by one thread and read by the writer.
 * Word b carries the record tag in its top 8 bits; the low 56 bits are a pointer, a
 * sequence number or a payload length.  Records with a payload are followed by
 * ceil(len / 16) slots of bytes (which may wrap around the end of the array). */
typedef struct
{
  uint64_t a;
  uint64_t b;
} ct_rec_t;

_Static_assert (sizeof (ct_rec_t) == 16, "ring records are 16 bytes");

#define CT_TAG_SHIFT 56
#define CT_LOW_MASK ((UINT64_C (1) << CT_TAG_SHIFT) - 1)

enum
{
  /* Tag 0 so that b is the site pointer itself (user-space pointers have a zero top byte). */
  CT_TAG_BEGIN_SITE = 0, /* a = timestamp, low = const ctxtrace_site_t * */
  CT_TAG_BEGIN_NAME,     /* a = timestamp, low = name length; payload = name bytes */
  CT_TAG_END,            /* a = timestamp, low = span sequence number on this thread */
  CT_TAG_END_HANDLE,     /* a = timestamp, low = 0; payload = 8-byte handle (any thread) */
  CT_TAG_ATTR,           /* a = span handle, low = type << 40 | len; payload = key\0value */
  CT_TAG_STATUS,         /* a = span handle, low = status */
  CT_TAG_EVENT,          /* a = timestamp, low = len; payload = name\0json */
  CT_TAG_CAPTURE,        /* a = capture key, low = 0 */
  CT_TAG_ATTACH,         /* a = capture key, low = len; payload = remote parent (may be 0) */
  CT_TAG_DETACH,         /* a = 0 */
  CT_TAG_THREAD_NAME,    /* a = 0, low = len; payload = name */
  CT_TAG_GAP,            /* a = 0: records were dropped just before this one */
  CT_TAG_FUNC_ENTER,     /* a = timestamp, low = function address (instrumentation) */
  CT_TAG_FUNC_EXIT,      /* a = timestamp, low = function address */
};

enum
{
  CT_ATTR_INT = 1,
  CT_ATTR_DOUBLE,
  CT_ATTR_BOOL,
  CT_ATTR_STR,
  CT_ATTR_JSON,
};

/* Span handles: slot << 40 | (position of the begin record in its ring + 1).
 * Slots start at 1 (so 0 is never a handle) and stay below 2^23.  A begin that was
 * dropped returns CT_DROPPED_HANDLE, whose slot no thread has, so its end is dropped too. */
#define CT_SEQ_BITS 40
#define CT_SEQ_MASK ((UINT64_C (1) << CT_SEQ_BITS) - 1)
#define CT_MAX_SLOT ((UINT64_C (1) << 23) - 1)
#define CT_DROPPED_HANDLE (UINT64_C (0xFFFFFE) << CT_SEQ_BITS)

typedef struct ct_ring ct_ring_t;

struct ct_ring
{
  /* Producer side: touched by the owning thread on every record. */
  _Atomic uint64_t head;   /* next slot to write; read by the writer */
  uint64_t tail_cache;     /* last tail seen; refreshed only when the ring looks full */
  uint64_t room;           /* n slots fit while head + n < room; 0 forces the slow path */
  uint64_t mask;           /* n_slots - 1 */
  uint64_t slot_bits;      /* slot << 40: a handle is slot_bits | (begin's position + 1) */
  uint64_t open;           /* spans begun and written, not yet ended: their ends have room */
  uint64_t captures;       /* context captures so far */
  uint32_t gen;            /* recording session this ring belongs to */
  uint32_t slot;
  /* What the inline fast paths compare against: gen and slot when timestamps come from
   * the TSC, impossible values otherwise (then every record takes the out-of-line path,
   * which reads clock_gettime), so that the fast paths never need a call. */
  uint32_t fast_gen;
  uint64_t end_xor;        /* handle ^ end_xor = the END record's word b, on the fast path */
  ct_rec_t *slots;
  _Atomic uint64_t dropped_spans;
  _Atomic uint64_t dropped_records;
  _Atomic uint64_t truncated;

  /* Consumer side: the writer thread. */
  _Atomic uint64_t tail __attribute__ ((aligned (64)));
  _Atomic int closed;      /* the thread exited; free once drained */
  int64_t tid;
  char *name;              /* initial thread name (writer frees) */
  ct_ring_t *next;         /* registry list, under ct_state.lock */
};

/* ---- Process-wide state ---------------------------------------------------------------- */

typedef struct ct_writer ct_writer_t;

typedef struct
{
  _Atomic uint32_t gen;        /* current session; 0 = not recording */
  uint32_t last_gen;
  pthread_mutex_t lock;        /* registry, start/stop, flush handshake */
  ct_ring_t *rings;            /* live rings of the current session */
  _Atomic int rings_changed;
  _Atomic uint32_t next_slot;
  uint64_t ring_slots;         /* slots per ring (power of two) */
  ct_writer_t *writer;
  uint32_t writer_gen;         /* session whose rings the writer (still) reads */
  char *path;
  char last_error[512];
  ctxtrace_stats_t last_stats; /* of the previous session, after stop */
} ct_state_t;

extern ct_state_t ct_state CT_HIDDEN;

/* ---- Clock (ctxtrace-clock.c) ---------------------------------------------------------- */

extern int ct_use_tsc CT_HIDDEN;

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define CT_HAVE_TSC 1
#endif

#include <time.h>

static inline uint64_t
ct_now (void)
{
#ifdef CT_HAVE_TSC
  if (CT_LIKELY (ct_use_tsc))
    return __rdtsc ();
#endif
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* Stores the raw TSC at *dst, for fast paths that only run when ct_use_tsc is set.
 * Storing the two halves as rdtsc leaves them saves combining them in registers. */
static inline void
ct_tsc_store (uint64_t *dst)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __asm__ volatile ("rdtsc\n\tmovl %%eax, (%0)\n\tmovl %%edx, 4(%0)"
                    : : "r"(dst) : "rax", "rdx", "memory");
#else
  *dst = ct_now ();
#endif
}

typedef struct
{
  /* ns = mono_ns + (ticks - tsc) * ns_per_tick + epoch_offset */
  uint64_t tsc0;
  int64_t mono0;
  uint64_t tsc;
  int64_t mono;
  double ns_per_tick;
  int64_t epoch_offset;  /* realtime - monotonic, measured at start */
} ct_clock_t;

CT_HIDDEN void ct_clock_choose (void);
CT_HIDDEN void ct_clock_init (ct_clock_t *clock);
CT_HIDDEN void ct_clock_update (ct_clock_t *clock);
CT_HIDDEN int64_t ct_clock_to_epoch (const ct_clock_t *clock, uint64_t ticks);
CT_HIDDEN int64_t ct_clock_duration (const ct_clock_t *clock, uint64_t from, uint64_t to);
CT_HIDDEN int64_t ct_realtime_ns (void);
CT_HIDDEN int64_t ct_monotonic_ns (void);

/* ---- Rings (ctxtrace-ring.c) ----------------------------------------------------------- */

/* Never NULL: threads without a ring of their own point at ct_no_ring, whose fast-path
 * fields match nothing, so the fast paths need no NULL test. */
extern __thread ct_ring_t *ct_tl_ring CT_HIDDEN __attribute__ ((tls_model ("initial-exec")));
extern ct_ring_t ct_no_ring CT_HIDDEN;

/* The ring of the calling thread for session gen, created on first use; NULL if it
 * cannot be had (out of memory, thread exiting). */
CT_HIDDEN ct_ring_t *ct_ring_get_slow (uint32_t gen);
static inline uint64_t
ct_ring_head (const ct_ring_t *r)
{
  return atomic_load_explicit (&r->head, memory_order_relaxed);
}

/* Publishes records up to head to the writer. */
static inline void
ct_ring_publish (ct_ring_t *r, uint64_t head)
{
  atomic_store_explicit (&r->head, head, memory_order_release);
}

/* Appends a record with an optional payload, or drops and counts it.  Returns 0 on drop. */
CT_HIDDEN int ct_ring_put (ct_ring_t *r, uint64_t a, uint64_t b, const void *payload,
                           size_t len, const void *payload2, size_t len2);

/* Slots a record of n slots needs free: its own, plus room kept for the ends of the spans
 * that are open (capped, so that spans never ended cannot starve the ring). */
#define CT_GAP_RESERVE 2
/* Slots usable for records (a few are kept so that a GAP record always fits). */
#define CT_RING_CAPACITY(r) ((r)->mask + 1 - CT_GAP_RESERVE)

static inline uint64_t
ct_ring_need (const ct_ring_t *r, uint64_t n)
{
  uint64_t keep = r->open < (r->mask + 1) / 4 ? r->open : (r->mask + 1) / 4;
  return n + keep;
}
/* Makes room for n slots (writing a pending GAP first); 0 if the ring is full. */
CT_HIDDEN int ct_ring_reserve_slow (ct_ring_t *r, uint64_t n);
CT_HIDDEN void ct_ring_free (ct_ring_t *r);

/* The calling thread's ring for the current session, or NULL when not recording. */
static inline ct_ring_t *
ct_current_ring (void)
{
  uint32_t gen = atomic_load_explicit (&ct_state.gen, memory_order_relaxed);
  if (CT_UNLIKELY (gen == 0))
    return NULL;
  ct_ring_t *r = ct_tl_ring;
  if (CT_UNLIKELY (r->gen != gen))
    r = ct_ring_get_slow (gen);
  return r;
}
CT_HIDDEN void ct_ring_thread_init (void);
/* The child's side of fork(): every ring is a copy of the parent's; forget them all. */
CT_HIDDEN void ct_ring_forget_all_after_fork (void);
/* Copies len payload bytes starting at slot index pos (wrapping) into out. */
CT_HIDDEN void ct_ring_copy_out (const ct_ring_t *r, uint64_t pos, void *out, size_t len);
CT_HIDDEN size_t ct_utf8_truncate (const char *s, size_t len, size_t max);
CT_HIDDEN const char *ct_thread_name_tls (void);

/* Writes a one-slot timestamped record at head, whose room the caller checked: the time
 * from the TSC when tsc is set (the fast paths), else ct_now(); open_delta counts the
 * spans whose ends the ring keeps room for. */
static inline void
ct_ring_put_timed (ct_ring_t *r, uint64_t head, int tsc, uint64_t b, int open_delta)
{
  ct_rec_t *s = &r->slots[head & r->mask];
  if (tsc)
    ct_tsc_store (&s->a);
  else
    s->a = ct_now ();
  s->b = b;
  r->open += (uint64_t) (int64_t) open_delta;
  ct_ring_publish (r, head + 1);
}

/* True when n slots fit (writing a pending GAP first if need be). */
static inline int
ct_ring_make_room (ct_ring_t *r, uint64_t n)
{
  return ct_ring_head (r) + n < r->room || ct_ring_reserve_slow (r, n);
}

static inline uint64_t
ct_payload_slots (size_t len)
{
  return (len + 15) / 16;
}

/* ---- Writer (ctxtrace-writer.c) -------------------------------------------------------- */

/* Opens path for recording; trace_hex (or NULL) continues that trace. */
CT_HIDDEN ct_writer_t *ct_writer_new (const char *path, const char *trace_hex, char *err,
                                      size_t errlen, int *code);
/* Locks and unlocks the writer's busy mutex around fork(). */
CT_HIDDEN void ct_writer_lock_busy (ct_writer_t *w);
CT_HIDDEN void ct_writer_unlock_busy (ct_writer_t *w);
/* The child's copy of a writer after fork(): closed without writing anything, freed. */
CT_HIDDEN void ct_writer_abandon (ct_writer_t *w);
/* The W3C id of the writer's session trace. */
CT_HIDDEN const char *ct_writer_trace_hex (ct_writer_t *w);
CT_HIDDEN int ct_writer_start (ct_writer_t *w);
/* Stops the thread after a final drain and commit and frees w; with deadline_ns (a
 * CLOCK_REALTIME time, 0 for none) gives up waiting then and returns -ETIMEDOUT. */
CT_HIDDEN int ct_writer_stop (ct_writer_t *w, ctxtrace_stats_t *final_stats, int64_t deadline_ns);
/* Returns once everything recorded before the call is committed; ct_state.lock held. */
CT_HIDDEN void ct_writer_flush_locked (ct_writer_t *w);
CT_HIDDEN void ct_writer_get_stats (ct_writer_t *w, ctxtrace_stats_t *stats);

/* ---- Viewer (ctxtrace-viewer.c) -------------------------------------------------------- */

/* How many launches of the viewer failed in this process. */
CT_HIDDEN uint64_t ct_viewer_launch_failures (void);
