/* bench-filter-work.c: the functions bench-filter calls, built with -finstrument-functions
 * (the driver is not, so that only these calls reach the hooks). */
#include "bench-filter-work.h"

static volatile unsigned long bf_sink;

__attribute__ ((noinline)) void
bf_excluded (void)
{
  bf_sink++;
}

__attribute__ ((noinline)) void
bf_kept (void)
{
  bf_sink++;
}
