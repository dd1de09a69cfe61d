/* bench-hotpath: cost of a span (begin + end) on the calling thread, beside baselines
 * measured in the same run: two bare rdtsc reads (the floor of any TSC tracer) and an
 * empty out-of-line function call.  Prints JSON lines; figures are medians of runs.
 *
 *   bench-hotpath [RUNS]            time it
 *   bench-hotpath --count N         just record N spans (for callgrind instruction counts)
 */
#include <ctxtrace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define BURST 8192 /* spans per timed burst: fits the ring, so nothing is dropped */

static const ctxtrace_site_t site = { "bench", __FILE__, __LINE__, 0 };
static volatile uint64_t sink;

static double
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

__attribute__ ((noinline)) static void
empty_call (uint64_t x)
{
  __asm__ volatile ("" : : "r"(x) : "memory");
}

static double
time_rdtsc (int n)
{
  double t0 = now_ns ();
  uint64_t acc = 0;
  for (int i = 0; i < n; i++)
    {
      uint64_t a = __rdtsc ();
      uint64_t b = __rdtsc ();
      acc += b - a;
    }
  sink = acc;
  return (now_ns () - t0) / n;
}

static double
time_empty (int n)
{
  double t0 = now_ns ();
  for (int i = 0; i < n; i++)
    {
      empty_call ((uint64_t) i);
      empty_call ((uint64_t) i + 1);
    }
  return (now_ns () - t0) / n;
}

static double
time_spans (int n, int attrs)
{
  double total = 0;
  int burst = attrs ? BURST / 16 : BURST; /* a span with 4 attributes takes ~16 slots */
  for (int done = 0; done < n; done += burst)
    {
      double t0 = now_ns ();
      for (int i = 0; i < burst; i++)
        {
          ctxtrace_span_t s = ctxtrace_begin_site (&site);
          if (attrs)
            {
              ctxtrace_attr_int (s, "args.i", i);
              ctxtrace_attr_double (s, "args.x", 0.5);
              ctxtrace_attr_bool (s, "args.flag", i & 1);
              ctxtrace_attr_str (s, "return", "ok");
            }
          ctxtrace_end (s);
        }
      total += now_ns () - t0;
      ctxtrace_flush (); /* untimed: the writer empties the ring between bursts */
    }
  return total / n;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}


static double
median_of (int runs, double (*fn) (int), int n)
{
  double v[64];
  for (int r = 0; r < runs; r++)
    v[r] = fn (n);
  qsort (v, (size_t) runs, sizeof *v, cmp);
  return v[runs / 2];
}

/* The macro form: the recording test is inline in the caller. */
static double
time_scopes (int n)
{
  double t0 = now_ns ();
  for (int i = 0; i < n; i++)
    {
      CTXTRACE_SCOPE ("bench-scope");
      __asm__ volatile ("" : : : "memory");
    }
  return (now_ns () - t0) / n;
}

static double spans_plain (int n) { return time_spans (n, 0); }
static double spans_attrs (int n) { return time_spans (n, 1); }

int
main (int argc, char **argv)
{
  char path[256];
  snprintf (path, sizeof path, "/tmp/ctxtrace-bench-%d.db", (int) getpid ());
  if (argc > 2 && strcmp (argv[1], "--count") == 0)
    {
      int n = atoi (argv[2]);
      ctxtrace_start (path);
      for (int i = 0; i < n; i++)
        {
          ctxtrace_end (ctxtrace_begin_site (&site));
          if (i % BURST == BURST - 1)
            ctxtrace_flush (); /* no drops: the drop path would look cheap */
        }
      ctxtrace_stop ();
      unlink (path);
      return 0;
    }
  int runs = argc > 1 ? atoi (argv[1]) : 7;
  if (runs < 1 || runs > 64)
    runs = 7;
  int n = 1 << 20;
  double rdtsc = median_of (runs, time_rdtsc, n);
  double empty = median_of (runs, time_empty, n);
  double disabled = median_of (runs, spans_plain, n);
  double disabled_macro = median_of (runs, time_scopes, n);
  if (ctxtrace_start (path) != 0)
    {
      fprintf (stderr, "bench-hotpath: %s\n", ctxtrace_last_error ());
      return 1;
    }
  double enabled = median_of (runs, spans_plain, n);
  double with_attrs = median_of (runs, spans_attrs, n / 8);
  ctxtrace_stats_t st;
  ctxtrace_get_stats (&st);
  ctxtrace_stop ();
  printf ("{\"case\":\"baseline_two_rdtsc\",\"ns\":%.2f}\n", rdtsc);
  printf ("{\"case\":\"baseline_two_empty_calls\",\"ns\":%.2f}\n", empty);
  printf ("{\"case\":\"span_disabled_calls\",\"ns\":%.2f,\"ratio_to_empty_calls\":%.2f}\n",
          disabled, disabled / empty);
  printf ("{\"case\":\"span_disabled_macro\",\"ns\":%.2f}\n", disabled_macro);
  printf ("{\"case\":\"span_enabled\",\"ns\":%.2f,\"ratio_to_rdtsc\":%.3f,\"dropped\":%llu}\n",
          enabled, enabled / rdtsc, (unsigned long long) st.dropped_spans);
  printf ("{\"case\":\"span_4_attrs\",\"ns\":%.2f,\"ratio_to_rdtsc\":%.3f}\n", with_attrs,
          with_attrs / rdtsc);
  unlink (path);
  char aux[300];
  snprintf (aux, sizeof aux, "%s-wal", path), unlink (aux);
  snprintf (aux, sizeof aux, "%s-shm", path), unlink (aux);
  return 0;
}
