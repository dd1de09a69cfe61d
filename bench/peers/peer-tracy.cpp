/* peer-tracy: Tracy client zones (TRACY_ENABLE) in the loop every peer shares.  No server
 * connects, so the client keeps every zone in its queue: bench/run times a short run
 * (a few hundred thousand zones) before the queue grows far.  The 4-attribute case adds
 * ZoneValue x3 and ZoneText, Tracy's nearest to ctxtrace's attributes. */
#include "peer-loop.h"
#include <cstring>
#include <tracy/Tracy.hpp>

PEER_CASE (span, { ZoneScopedN ("bench"); })
PEER_CASE (span_4_attrs, {
  ZoneScopedN ("bench");
  ZoneValue (i);
  ZoneValue (static_cast<uint64_t> (0.5 * 1000));
  ZoneValue (i & 1);
  ZoneText ("ok", 2);
})

int
main (int argc, char **argv)
{
  static const peer_case_t cases[] = {
    { "span", burst_span, NULL, 0 },
    { "span_4_attrs", burst_span_4_attrs, NULL, 0 },
  };
  return peer_main (argc, argv, "tracy", cases, sizeof cases / sizeof cases[0]);
}
