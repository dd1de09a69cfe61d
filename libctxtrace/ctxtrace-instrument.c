/* ctxtrace-instrument.c: the hooks of gcc/clang -finstrument-functions.  A program built
 * with `pkg-config --cflags --libs ctxtrace-instrument` calls these on every function entry
 * and exit; with CTXTRACE_DB set they record a span per call.  Same fast path as a span
 * begin/end, carrying the function's address; the writer names it.
 *
 * With CTXTRACE_FILTER or CTXTRACE_MAX_DEPTH the hooks keep a shadow stack per thread:
 * one frame per instrumented call (its function, its stack address, whether it was
 * recorded, whether what it calls is inside a kept or an excluded function).  An exit is
 * written exactly when its entry was, so the writer's pairing stays right.  A longjmp or
 * an exception leaves frames whose exits never come; the next hook of the thread finds
 * them and writes their exits then, innermost first, so that nesting stays exact:
 * - a frame whose stack pointer is below the one of the hook running now is gone;
 * - at an equal stack pointer a frame may be live (a function inlined into its caller
 *   shares the caller's frame) or gone (called again from the same place after a
 *   longjmp): a live frame is never entered again through the same hook call site
 *   (return address) at the same stack pointer, so such a match marks it and what is
 *   above it gone. */
#include "ctxtrace-filter.h"

#include <stdlib.h>

/* Out of line: first use on a thread, full ring, no TSC, not recording.  1 if written. */
__attribute__ ((noinline, no_instrument_function)) static int
func_slow (void *fn, int tag)
{
  ct_ring_t *r = ct_current_ring ();
  if (r == NULL)
    return 0;
  if (!ct_ring_make_room (r, tag == CT_TAG_FUNC_ENTER ? ct_ring_need (r, 2) : 1))
    {
      r->room = 0;
      atomic_fetch_add_explicit (&r->dropped_records, 1, memory_order_relaxed);
      if (tag == CT_TAG_FUNC_ENTER)
        atomic_fetch_add_explicit (&r->dropped_spans, 1, memory_order_relaxed);
      return 0;
    }
  ct_ring_put_timed (r, ct_ring_head (r), 0,
                     (uint64_t) tag << CT_TAG_SHIFT | ((uintptr_t) fn & CT_LOW_MASK),
                     tag == CT_TAG_FUNC_ENTER ? 1 : -1);
  return 1;
}

__attribute__ ((always_inline, no_instrument_function)) static inline int
func_record (void *fn, int tag, uint64_t need, uint32_t gen)
{
  ct_ring_t *r = ct_tl_ring;
  uint64_t head = ct_ring_head (r);
  if (CT_UNLIKELY (r->fast_gen != gen || head + need + r->open >= r->room))
    return func_slow (fn, tag);
  ct_ring_put_timed (r, head, 1, (uint64_t) tag << CT_TAG_SHIFT | ((uintptr_t) fn & CT_LOW_MASK),
                     tag == CT_TAG_FUNC_ENTER ? 1 : -1);
  return 1;
}

/* ---- Filtered calls ---------------------------------------------------------------------- */

enum
{
  F_RECORDED = 1, /* the entry was written: write the exit */
  F_KEEP = 2,     /* what this frame calls is inside a kept function */
  F_EXCL = 4,     /* what this frame calls is inside an excluded function */
};

typedef struct
{
  uintptr_t cfa;    /* the caller's stack pointer at the hook call: lower = deeper */
  uintptr_t fn;
  uintptr_t site;   /* return address of the entry hook's call */
  uint32_t rdepth;  /* recorded frames up to and including this one */
  uint32_t flags;
} frame_t;

typedef struct
{
  uint32_t gen;       /* session the frames belong to */
  uint32_t n, cap;
  uint32_t overflow;  /* calls deeper than the shadow stack can hold: never recorded */
  int dead;           /* the thread is exiting: its stack was freed */
  frame_t *frames;
} fstack_t;

/* Recursion a million deep is still followed; deeper calls are not recorded. */
#define MAX_FRAMES (1u << 20)

static __thread fstack_t tl_fs __attribute__ ((tls_model ("initial-exec")));
static pthread_key_t fs_key;
static pthread_once_t fs_key_once = PTHREAD_ONCE_INIT;

__attribute__ ((no_instrument_function)) static void
fs_thread_exit (void *data)
{
  fstack_t *fs = data;
  free (fs->frames);
  fs->frames = NULL;
  fs->n = fs->cap = 0;
  fs->dead = 1;
}

__attribute__ ((no_instrument_function)) static void
fs_make_key (void)
{
  pthread_key_create (&fs_key, fs_thread_exit);
}

__attribute__ ((noinline, no_instrument_function)) static int
fs_grow (fstack_t *fs)
{
  if (fs->dead || fs->cap >= MAX_FRAMES)
    return 0;
  uint32_t cap = fs->cap ? fs->cap * 2 : 256;
  frame_t *frames = realloc (fs->frames, cap * sizeof *frames);
  if (frames == NULL)
    return 0;
  if (fs->frames == NULL)
    {
      pthread_once (&fs_key_once, fs_make_key);
      pthread_setspecific (fs_key, fs);
    }
  fs->frames = frames;
  fs->cap = cap;
  return 1;
}

/* Frames of an older session are forgotten: their entries went to another writer. */
__attribute__ ((no_instrument_function)) static inline void
fs_sync (fstack_t *fs, uint32_t gen)
{
  if (CT_UNLIKELY (fs->gen != gen))
    {
      fs->gen = gen;
      fs->n = 0;
      fs->overflow = 0;
    }
}

__attribute__ ((no_instrument_function)) static inline void
fs_pop (fstack_t *fs, uint32_t gen)
{
  frame_t *f = &fs->frames[--fs->n];
  if (f->flags & F_RECORDED)
    func_record ((void *) f->fn, CT_TAG_FUNC_EXIT, 1, gen);
}

/* Frames below cfa were left without their exit. */
__attribute__ ((no_instrument_function)) static inline void
fs_pop_below (fstack_t *fs, uintptr_t cfa, uint32_t gen)
{
  while (fs->n > 0 && fs->frames[fs->n - 1].cfa < cfa)
    fs_pop (fs, gen);
}

/* A frame entered through the same hook call at the same stack pointer is gone, and so
 * is what is above it.  Only the frames at cfa (the top ones, a few at most) are looked at. */
__attribute__ ((no_instrument_function)) static inline void
fs_pop_reentered (fstack_t *fs, uintptr_t cfa, uintptr_t site, uint32_t gen)
{
  for (uint32_t i = fs->n; i > 0 && fs->frames[i - 1].cfa == cfa; i--)
    if (fs->frames[i - 1].site == site)
      {
        while (fs->n >= i)
          fs_pop (fs, gen);
        return;
      }
}

/* Whether a call below parent (NULL: outermost) is recorded, and what it passes down. */
__attribute__ ((no_instrument_function)) static inline uint32_t
call_flags (const frame_t *parent, uintptr_t fn, uint32_t *rdepth)
{
  uint32_t flags = parent != NULL ? parent->flags & (F_KEEP | F_EXCL)
                   : atomic_load_explicit (&ct_filter.keep_all, memory_order_relaxed) ? F_KEEP
                                                                                       : 0;
  uint32_t depth = parent != NULL ? parent->rdepth : 0;
  uint32_t max = atomic_load_explicit (&ct_filter.max_depth, memory_order_relaxed);
  /* Inside an excluded function, or too deep to record anything: no lookup. */
  if (!(flags & F_EXCL) && depth < max
      && atomic_load_explicit (&ct_filter.has_patterns, memory_order_relaxed))
    {
      int verdict = ct_filter_verdict (fn);
      flags |= verdict == CT_VERDICT_EXCLUDE ? F_EXCL : verdict == CT_VERDICT_KEEP ? F_KEEP : 0;
    }
  int record = (flags & (F_KEEP | F_EXCL)) == F_KEEP && depth < max;
  *rdepth = depth + (uint32_t) record;
  return flags | (uint32_t) record;
}

__attribute__ ((noinline, no_instrument_function)) static void
filtered_enter (void *fn, uint32_t gen, uintptr_t cfa, uintptr_t site)
{
  fstack_t *fs = &tl_fs;
  fs_sync (fs, gen);
  if (CT_UNLIKELY (fs->overflow > 0 || (fs->n == fs->cap && !fs_grow (fs))))
    {
      fs->overflow++;
      return;
    }
  fs_pop_below (fs, cfa, gen);
  fs_pop_reentered (fs, cfa, site, gen);
  frame_t *f = &fs->frames[fs->n];
  f->flags = call_flags (fs->n > 0 ? f - 1 : NULL, (uintptr_t) fn, &f->rdepth);
  f->cfa = cfa;
  f->fn = (uintptr_t) fn;
  f->site = site;
  fs->n++;
  if ((f->flags & F_RECORDED) && !func_record (fn, CT_TAG_FUNC_ENTER, 2, gen))
    f->flags &= ~(uint32_t) F_RECORDED; /* dropped: no exit either */
}

__attribute__ ((noinline, no_instrument_function)) static void
filtered_exit (void *fn, uint32_t gen, uintptr_t cfa)
{
  fstack_t *fs = &tl_fs;
  fs_sync (fs, gen);
  if (CT_UNLIKELY (fs->overflow > 0))
    {
      fs->overflow--;
      return;
    }
  fs_pop_below (fs, cfa, gen);
  uint32_t i = fs->n;
  while (i-- > 0 && fs->frames[i].fn != (uintptr_t) fn)
    ;
  if (i == UINT32_MAX)
    return; /* entered before recording started */
  while (fs->n > i)
    fs_pop (fs, gen);
}

/* ---- The hooks ----------------------------------------------------------------------------- */

CTXTRACE_API __attribute__ ((no_instrument_function)) void
__cyg_profile_func_enter (void *fn, void *call_site)
{
  (void) call_site;
  uint32_t gen = atomic_load_explicit (&ct_state.gen, memory_order_relaxed);
  if (CT_UNLIKELY (gen == 0))
    return;
  if (CT_UNLIKELY (atomic_load_explicit (&ct_filter.on, memory_order_relaxed)))
    filtered_enter (fn, gen, (uintptr_t) __builtin_dwarf_cfa (),
                    (uintptr_t) __builtin_return_address (0));
  else
    func_record (fn, CT_TAG_FUNC_ENTER, 2, gen);
}

CTXTRACE_API __attribute__ ((no_instrument_function)) void
__cyg_profile_func_exit (void *fn, void *call_site)
{
  (void) call_site;
  uint32_t gen = atomic_load_explicit (&ct_state.gen, memory_order_relaxed);
  if (CT_UNLIKELY (gen == 0))
    return;
  if (CT_UNLIKELY (atomic_load_explicit (&ct_filter.on, memory_order_relaxed)))
    filtered_exit (fn, gen, (uintptr_t) __builtin_dwarf_cfa ());
  else
    func_record (fn, CT_TAG_FUNC_EXIT, 1, gen);
}
