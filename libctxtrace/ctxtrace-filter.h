/* ctxtrace-filter.h: which instrumented functions are recorded (CTXTRACE_FILTER,
 * CTXTRACE_MAX_DEPTH).  The hooks ask for a function's verdict by address: one probe of an
 * open-addressing table built when recording starts from the ELF symbols of every loaded
 * module; an address missing from it (code loaded later) is resolved once and added. */
#pragma once

#include "ctxtrace-private.h"

enum
{
  CT_VERDICT_UNKNOWN = 0, /* not in the table yet */
  CT_VERDICT_NEUTRAL,     /* matches no pattern: recorded only inside a kept function */
  CT_VERDICT_KEEP,        /* matches a pattern: recorded, and what it calls */
  CT_VERDICT_EXCLUDE,     /* matches a !pattern: neither it nor what it calls is recorded */
};

/* Slots hold verdict << 56 | address (user-space code addresses fit in 56 bits); 0 is an
 * empty slot.  A table is never changed in place once published except by filling empty
 * slots, and never freed: a hook may still be reading an older one. */
typedef struct ct_ftable ct_ftable_t;
struct ct_ftable
{
  uint64_t mask;
  unsigned shift;
  size_t count;
  ct_ftable_t *retired_next;
  _Atomic uint64_t slots[];
};

typedef struct
{
  _Atomic int on;              /* a filter or a depth limit applies to this session */
  _Atomic int has_patterns;    /* CTXTRACE_FILTER named something */
  _Atomic int keep_all;        /* no keep pattern: functions outside any kept one record */
  _Atomic uint32_t max_depth;  /* recorded nesting limit, UINT32_MAX for none */
  _Atomic (ct_ftable_t *) table;
} ct_filter_t;

extern ct_filter_t ct_filter CT_HIDDEN;

CT_HIDDEN int ct_filter_verdict_slow (uintptr_t fn);

static inline uint64_t
ct_ftable_hash (const ct_ftable_t *t, uintptr_t fn)
{
  return (uint64_t) fn * UINT64_C (0x9E3779B97F4A7C15) >> t->shift;
}

/* The verdict for the function at fn: a table probe, rarely a symbol lookup. */
__attribute__ ((no_instrument_function)) static inline int
ct_filter_verdict (uintptr_t fn)
{
  ct_ftable_t *t = atomic_load_explicit (&ct_filter.table, memory_order_acquire);
  if (CT_UNLIKELY (t == NULL))
    return ct_filter_verdict_slow (fn);
  for (uint64_t i = ct_ftable_hash (t, fn);; i = (i + 1) & t->mask)
    {
      uint64_t w = atomic_load_explicit (&t->slots[i], memory_order_relaxed);
      if (w == 0)
        return ct_filter_verdict_slow (fn);
      if ((w & CT_LOW_MASK) == fn)
        return (int) (w >> CT_TAG_SHIFT);
    }
}

/* Reads CTXTRACE_FILTER and CTXTRACE_MAX_DEPTH for a session about to start (start and
 * stop serialised by the caller).  The table is rebuilt only when the filter changed. */
CT_HIDDEN void ct_filter_configure (void);

/* Around fork(): the filter's lock (and the symbol cache's) are taken so that the child
 * never inherits them held. */
CT_HIDDEN void ct_filter_fork_prepare (void);
CT_HIDDEN void ct_filter_fork_parent (void);
CT_HIDDEN void ct_filter_fork_child (void);
