/* peer-lttng: LTTng-UST tracepoints in the loop every peer shares.  bench/run starts
 * lttng-sessiond, creates a session writing to a temporary folder and enables ctxbench:*
 * before this runs, so every tracepoint is recorded.  The consumer daemon drains the
 * buffers while the loop pauses between bursts; discarded events are reported by
 * bench/run from `lttng stop`. */
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#include "peer-lttng-tp.h"
#include "peer-loop.h"

static const char site[] = "bench";

PEER_CASE (span, {
  lttng_ust_tracepoint (ctxbench, span_begin, site);
  lttng_ust_tracepoint (ctxbench, span_end, site);
})
PEER_CASE (span_4_attrs, {
  lttng_ust_tracepoint (ctxbench, span_begin_attrs, site, (long) i, 0.5, (int) (i & 1), "ok");
  lttng_ust_tracepoint (ctxbench, span_end, site);
})

int
main (int argc, char **argv)
{
  static const peer_case_t cases[] = {
    { "span", burst_span, peer_pause, 0 },
    { "span_4_attrs", burst_span_4_attrs, peer_pause, 0 },
  };
  if (!lttng_ust_tracepoint_enabled (ctxbench, span_begin))
    fprintf (stderr, "peer-lttng: tracepoints not enabled (is a session active?)\n");
  return peer_main (argc, argv, "lttng-ust", cases, sizeof cases / sizeof cases[0]);
}
