/* peer-instrumented: the shared loop calling peer_work(), which is built with -pg or
 * -finstrument-functions.  Run plainly, under `uftrace record`, or linked with
 * ctxtrace-instrument (CTXTRACE_DB set): ns per function entry+exit.  PEER_NAME names the
 * build in the output. */
#include "peer-loop.h"

void peer_work (uint32_t x);

#ifndef PEER_NAME
#define PEER_NAME "instrumented"
#endif
#ifdef PEER_CTXTRACE
#include <ctxtrace.h>
static void
drain (void)
{
  ctxtrace_flush ();
}
#define PEER_DRAIN drain
#else
#define PEER_DRAIN peer_pause
#endif

PEER_CASE (function_call, peer_work (i))

int
main (int argc, char **argv)
{
  static const peer_case_t cases[] = {
    { "function_call", burst_function_call, PEER_DRAIN, 0 },
  };
  return peer_main (argc, argv, PEER_NAME, cases, sizeof cases / sizeof cases[0]);
}
