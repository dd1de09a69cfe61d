/* filter-dl.c: a shared library built with -finstrument-functions and loaded with dlopen()
 * by test-filter and test-stacktrace after recording started: its functions (a static one
 * included) are in no table built at start and must still be named and filtered. */
#include <stdint.h>

static _Atomic int dl_sink;

int dl_entry (int n);
void dl_leaf (int i);
int dl_call (void (*fn) (void *), void *data);

__attribute__ ((noinline)) void
dl_leaf (int i)
{
  dl_sink += i;
}

__attribute__ ((noinline)) static void
dl_helper (int i)
{
  dl_leaf (i);
  dl_sink++;
}

int
dl_entry (int n)
{
  for (int i = 0; i < n; i++)
    dl_helper (i);
  return n;
}

/* Calls back into the program, so that a stack trace crosses this module. */
__attribute__ ((noinline)) int
dl_call (void (*fn) (void *), void *data)
{
  fn (data);
  dl_sink++;
  return dl_sink;
}
