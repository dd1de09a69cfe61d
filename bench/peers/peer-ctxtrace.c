/* peer-ctxtrace: ctxtrace begin+end on a static site (the CTXTRACE_SCOPE path), without
 * attributes and with 4 (int, double, bool, string), in the loop every peer shares.  The
 * writer empties the ring between bursts (ctxtrace_flush, untimed), so nothing is dropped:
 * a dropping hot path skips the timestamp and would look cheap. */
#include "peer-loop.h"
#include <ctxtrace.h>
#include <unistd.h>

static const ctxtrace_site_t site = { "bench", __FILE__, __LINE__, 0 };

PEER_CASE (span, ctxtrace_end (ctxtrace_begin_site (&site)))
PEER_CASE (span_4_attrs, {
  ctxtrace_span_t s = ctxtrace_begin_site (&site);
  ctxtrace_attr_int (s, "args.i", i);
  ctxtrace_attr_double (s, "args.x", 0.5);
  ctxtrace_attr_bool (s, "args.flag", i & 1);
  ctxtrace_attr_str (s, "return", "ok");
  ctxtrace_end (s);
})

static void
drain (void)
{
  ctxtrace_flush ();
}

int
main (int argc, char **argv)
{
  static const peer_case_t cases[] = {
    { "span", burst_span, drain, 0 },
    { "span_4_attrs", burst_span_4_attrs, drain, PEER_BURST / 16 }, /* ~16 ring slots a span */
  };
  char path[256];
  snprintf (path, sizeof path, "/tmp/ctxtrace-peer-%d.db", (int) getpid ());
  if (ctxtrace_start (path) != 0)
    {
      fprintf (stderr, "peer-ctxtrace: %s\n", ctxtrace_last_error ());
      return 1;
    }
  int rc = peer_main (argc, argv, "ctxtrace", cases, sizeof cases / sizeof cases[0]);
  ctxtrace_stats_t st;
  ctxtrace_get_stats (&st);
  ctxtrace_stop ();
  if (argc < 2 || strcmp (argv[1], "--count") != 0)
    printf ("{\"peer\":\"ctxtrace\",\"case\":\"drops\",\"dropped\":%llu}\n",
            (unsigned long long) st.dropped_spans);
  unlink (path);
  char aux[300];
  snprintf (aux, sizeof aux, "%s-wal", path), unlink (aux);
  snprintf (aux, sizeof aux, "%s-shm", path), unlink (aux);
  return rc;
}
