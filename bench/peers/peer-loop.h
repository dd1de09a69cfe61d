/* peer-loop.h: the one timing loop every peer program shares, so that ctxtrace, the
 * baselines and each other tracer are measured by the same code.
 *
 * A peer program defines its cases with PEER_CASE (the body runs once per span, inline in
 * a noinline burst function named burst_<case>, which callgrind's --toggle-collect can
 * isolate) and calls peer_main with a table of them.  It prints one JSON line per case:
 *
 *   {"peer":"lttng-ust","case":"span","ns":41.2,"spans":262144}
 *
 * Usage: PROG [SPANS]          time SPANS spans per case (default 262144), in bursts
 *        PROG --count N CASE   only run N spans of CASE (for callgrind instruction counts)
 */
#ifndef PEER_LOOP_H
#define PEER_LOOP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PEER_BURST 8192u /* spans per timed burst: fits every tracer's buffer */

#define PEER_CASE(name, body)                                                            \
  __attribute__ ((noinline)) static void burst_##name (uint32_t n)                       \
  {                                                                                      \
    for (uint32_t i = 0; i < n; i++)                                                     \
      {                                                                                  \
        body;                                                                            \
        __asm__ volatile ("" : : : "memory");                                            \
      }                                                                                  \
  }

typedef struct
{
  const char *name;
  void (*burst) (uint32_t n);
  void (*drain) (void); /* untimed, between bursts: lets a tracer's consumer catch up */
  uint32_t burst_len;   /* spans per burst; 0 for PEER_BURST */
} peer_case_t;

static inline double
peer_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static inline void
peer_pause (void)
{
  struct timespec ts = { 0, 2000000 };
  nanosleep (&ts, NULL);
}

static inline double
peer_time_case (const peer_case_t *c, uint32_t spans)
{
  double total = 0;
  uint32_t len = c->burst_len ? c->burst_len : PEER_BURST;
  c->burst (len / 8); /* warm caches and lazily created per-thread state */
  if (c->drain != NULL)
    c->drain ();
  for (uint32_t done = 0; done < spans; done += len)
    {
      double t0 = peer_now_ns ();
      c->burst (len);
      total += peer_now_ns () - t0;
      if (c->drain != NULL)
        c->drain ();
    }
  return total / (double) spans;
}

static inline int
peer_main (int argc, char **argv, const char *peer, const peer_case_t *cases, size_t n_cases)
{
  if (argc > 3 && strcmp (argv[1], "--count") == 0)
    {
      uint32_t n = (uint32_t) strtoul (argv[2], NULL, 10);
      for (size_t k = 0; k < n_cases; k++)
        if (strcmp (cases[k].name, argv[3]) == 0)
          {
            uint32_t len = cases[k].burst_len ? cases[k].burst_len : PEER_BURST;
            for (uint32_t done = 0; done < n; done += len)
              {
                cases[k].burst (n - done < len ? n - done : len);
                if (cases[k].drain != NULL)
                  cases[k].drain ();
              }
            return 0;
          }
      fprintf (stderr, "%s: no case %s\n", peer, argv[3]);
      return 2;
    }
  uint32_t spans = argc > 1 ? (uint32_t) strtoul (argv[1], NULL, 10) : 262144u;
  spans = spans < PEER_BURST ? PEER_BURST : spans - spans % PEER_BURST;
  for (size_t k = 0; k < n_cases; k++)
    {
      double ns = peer_time_case (&cases[k], spans);
      printf ("{\"peer\":\"%s\",\"case\":\"%s\",\"ns\":%.3f,\"spans\":%u}\n", peer,
              cases[k].name, ns, spans);
      fflush (stdout);
    }
  return 0;
}

#endif
