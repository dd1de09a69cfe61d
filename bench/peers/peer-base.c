/* peer-base: the baselines, timed by the same loop as every tracer: one call of an empty
 * out-of-line function per span, and two bare rdtsc reads (the floor of any TSC tracer). */
#include "peer-loop.h"
#include <x86intrin.h>

static volatile uint64_t sink;

__attribute__ ((noinline)) static void
empty_function (uint32_t x)
{
  __asm__ volatile ("" : : "r"(x) : "memory");
}

PEER_CASE (empty_function, empty_function (i))
PEER_CASE (two_rdtsc, {
  uint64_t a = __rdtsc ();
  uint64_t b = __rdtsc ();
  sink = b - a;
})

int
main (int argc, char **argv)
{
  static const peer_case_t cases[] = {
    { "empty_function", burst_empty_function, NULL, 0 },
    { "two_rdtsc", burst_two_rdtsc, NULL, 0 },
  };
  return peer_main (argc, argv, "baseline", cases, sizeof cases / sizeof cases[0]);
}
