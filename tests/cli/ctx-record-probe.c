/* ctx-record-probe.c: a small program linked with libctxtrace for `ctxtrace record`
 * tests.  It records only through CTXTRACE_DB (no ctxtrace_start call), on two threads,
 * and exits with the status given as its first argument. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctxtrace.h"

static void
leaf (int i)
{
  CTXTRACE_SCOPE_VAR (span, "probe_leaf");
  ctxtrace_attr_int (span, "args.i", i);
  if (i == 3)
    ctxtrace_set_error (span, "ProbeError", "leaf 3 failed");
  ctxtrace_event ("probe_event", "{\"i\":1}");
}

static void *
worker (void *data)
{
  ctxtrace_thread_name ("probe-worker");
  {
    CTXTRACE_SCOPE_VAR (span, "probe_worker");
    for (int i = 0; i < 5; i++)
      leaf (i);
  }
  return data;
}

int
main (int argc, char **argv)
{
  pthread_t thread;

  {
    CTXTRACE_SCOPE_VAR (span, "probe_main");
    ctxtrace_attr_str (span, "args.mode", "test");
    pthread_create (&thread, NULL, worker, NULL);
    pthread_join (thread, NULL);
    for (int i = 0; i < 5; i++)
      leaf (i);
  }
  printf ("probe done\n");
  return argc > 1 ? atoi (argv[1]) : 0;
}
