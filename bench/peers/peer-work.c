/* The workload auto-instrumenting tracers see: one empty out-of-line function, compiled
 * in its own unit with -pg (uftrace) or -finstrument-functions (uftrace, ctxtrace-instrument)
 * so that only this function, not the timing loop, is instrumented. */
#include <stdint.h>

void peer_work (uint32_t x);

void
peer_work (uint32_t x)
{
  __asm__ volatile ("" : : "r"(x) : "memory");
}
