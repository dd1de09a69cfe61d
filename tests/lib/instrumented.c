/* instrumented.c: code built with -finstrument-functions for test-instrument: static and
 * global functions, recursion, threads, and a longjmp that skips exits. */
#include <pthread.h>
#include <setjmp.h>

#include "instrumented.h"

static _Atomic int sink; /* atomic: threads share it (ThreadSanitizer) */

static void
static_leaf (int i)
{
  sink += i;
}

int
global_mid (int n)
{
  for (int i = 0; i < n; i++)
    static_leaf (i);
  return n;
}

int
recurse (int depth)
{
  return depth == 0 ? 0 : 1 + recurse (depth - 1);
}

static void *
thread_body (void *data)
{
  global_mid ((int) (intptr_t) data);
  return NULL;
}

void
run_in_threads (int n_threads, int n)
{
  pthread_t t[8];
  for (int i = 0; i < n_threads && i < 8; i++)
    pthread_create (&t[i], NULL, thread_body, (void *) (intptr_t) n);
  for (int i = 0; i < n_threads && i < 8; i++)
    pthread_join (t[i], NULL);
}

static jmp_buf escape;

static void
jump_out (void)
{
  longjmp (escape, 1);
}

/* Never returns (every path ends in longjmp), which is the point. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static void
deep_then_jump (int depth)
{
  if (depth == 0)
    jump_out ();
  else
    deep_then_jump (depth - 1);
}

void
longjmp_across (int depth)
{
  if (setjmp (escape) == 0)
    deep_then_jump (depth);
}
