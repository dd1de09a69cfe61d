/* filter-jump.c: built with -finstrument-functions for test-filter.  An error-recovery
 * loop: each failing step longjmps back to the loop, which calls the next step from the
 * same place at the same stack address as the abandoned one. */
#include <setjmp.h>

#include "filter-jump.h"

static jmp_buf fj_env;
static _Atomic int fj_sink;

__attribute__ ((noinline)) static void
fj_fail (int i)
{
  if (i % 2 == 1)
    longjmp (fj_env, 1);
  fj_sink++;
}

__attribute__ ((noinline)) void
fj_step (int i)
{
  fj_fail (i);
  fj_sink++;
}

void
fj_loop (int n)
{
  for (volatile int i = 0; i < n; i++)
    if (setjmp (fj_env) == 0)
      fj_step (i);
}
