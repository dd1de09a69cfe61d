/* bench-filter: what an instrumented call costs with CTXTRACE_FILTER, beside baselines
 * measured in the same run: the same call while not recording (the hooks' first branch),
 * and a recorded call without any filter.  An excluded call pays the filter's address
 * table probe and a shadow-stack push and pop; a kept call also writes its two records.
 * Prints JSON lines; figures are medians of runs.   bench-filter [RUNS] */
#include <ctxtrace.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench-filter-work.h"

#define BURST 8192 /* calls per timed burst: a recorded burst fits the ring, nothing dropped */
#define BURSTS 64

static double
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Median over bursts of ns per call of fn; flushes between bursts so nothing drops. */
static double
time_calls (void (*fn) (void), int flush)
{
  double t[BURSTS];
  for (int b = 0; b < BURSTS; b++)
    {
      if (flush)
        ctxtrace_flush ();
      double t0 = now_ns ();
      for (int i = 0; i < BURST; i++)
        fn ();
      t[b] = (now_ns () - t0) / BURST;
    }
  qsort (t, BURSTS, sizeof *t, cmp_double);
  return t[BURSTS / 2];
}

static int
start (const char *path, const char *filter)
{
  if (filter != NULL)
    setenv ("CTXTRACE_FILTER", filter, 1);
  else
    unsetenv ("CTXTRACE_FILTER");
  unlink (path);
  if (ctxtrace_start (path) != 0)
    {
      fprintf (stderr, "bench-filter: %s\n", ctxtrace_last_error ());
      return 0;
    }
  return 1;
}

int
main (int argc, char **argv)
{
  int runs = argc > 1 ? atoi (argv[1]) : 5;
  char path[64];
  snprintf (path, sizeof path, "/tmp/ctxtrace-bench-filter-%d.db", (int) getpid ());
  double off = 1e9, excluded = 1e9, kept = 1e9, plain = 1e9;
  ctxtrace_stats_t stats = { 0 };
  uint64_t dropped = 0;
  for (int r = 0; r < runs; r++)
    {
      double v = time_calls (bf_excluded, 0);
      off = v < off ? v : off;
      if (!start (path, "bf_kept,!bf_excluded"))
        return 1;
      v = time_calls (bf_excluded, 0);
      excluded = v < excluded ? v : excluded;
      v = time_calls (bf_kept, 1);
      kept = v < kept ? v : kept;
      ctxtrace_get_stats (&stats);
      dropped += stats.dropped_spans;
      ctxtrace_stop ();
      if (!start (path, NULL))
        return 1;
      v = time_calls (bf_kept, 1);
      plain = v < plain ? v : plain;
      ctxtrace_get_stats (&stats);
      dropped += stats.dropped_spans;
      ctxtrace_stop ();
    }
  unlink (path);
  printf ("{\"case\":\"instrumented_call_not_recording\",\"ns\":%.2f}\n", off);
  printf ("{\"case\":\"instrumented_call_recorded_no_filter\",\"ns\":%.2f}\n", plain);
  printf ("{\"case\":\"filter_excluded_call\",\"ns\":%.2f,\"over_not_recording_ns\":%.2f}\n",
          excluded, excluded - off);
  printf ("{\"case\":\"filter_kept_call\",\"ns\":%.2f,\"ratio_to_no_filter\":%.2f,"
          "\"dropped\":%llu}\n", kept, kept / plain, (unsigned long long) dropped);
  return 0;
}
