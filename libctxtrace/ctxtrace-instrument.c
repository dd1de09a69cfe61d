/* ctxtrace-instrument.c: the hooks of gcc/clang -finstrument-functions.  A program built
 * with `pkg-config --cflags --libs ctxtrace-instrument` calls these on every function entry
 * and exit; with CTXTRACE_DB set they record a span per call.  Same fast path as a span
 * begin/end, carrying the function's address; the writer names it. */
#include "ctxtrace-private.h"

/* Out of line: first use on a thread, full ring, no TSC, not recording. */
__attribute__ ((noinline, no_instrument_function)) static void
func_slow (void *fn, int tag)
{
  ct_ring_t *r = ct_current_ring ();
  if (r == NULL)
    return;
  if (!ct_ring_make_room (r, tag == CT_TAG_FUNC_ENTER ? ct_ring_need (r, 2) : 1))
    {
      r->room = 0;
      atomic_fetch_add_explicit (&r->dropped_records, 1, memory_order_relaxed);
      if (tag == CT_TAG_FUNC_ENTER)
        atomic_fetch_add_explicit (&r->dropped_spans, 1, memory_order_relaxed);
      return;
    }
  ct_ring_put_timed (r, ct_ring_head (r), 0,
                     (uint64_t) tag << CT_TAG_SHIFT | ((uintptr_t) fn & CT_LOW_MASK),
                     tag == CT_TAG_FUNC_ENTER ? 1 : -1);
}

__attribute__ ((always_inline, no_instrument_function)) static inline void
func_record (void *fn, int tag, uint64_t need)
{
  uint32_t gen = atomic_load_explicit (&ct_state.gen, memory_order_relaxed);
  if (CT_UNLIKELY (gen == 0))
    return;
  ct_ring_t *r = ct_tl_ring;
  uint64_t head = ct_ring_head (r);
  if (CT_UNLIKELY (r->fast_gen != gen || head + need + r->open >= r->room))
    {
      func_slow (fn, tag);
      return;
    }
  ct_ring_put_timed (r, head, 1, (uint64_t) tag << CT_TAG_SHIFT | ((uintptr_t) fn & CT_LOW_MASK),
                     tag == CT_TAG_FUNC_ENTER ? 1 : -1);
}

CTXTRACE_API __attribute__ ((no_instrument_function)) void
__cyg_profile_func_enter (void *fn, void *call_site)
{
  (void) call_site;
  func_record (fn, CT_TAG_FUNC_ENTER, 2);
}

CTXTRACE_API __attribute__ ((no_instrument_function)) void
__cyg_profile_func_exit (void *fn, void *call_site)
{
  (void) call_site;
  func_record (fn, CT_TAG_FUNC_EXIT, 1);
}
