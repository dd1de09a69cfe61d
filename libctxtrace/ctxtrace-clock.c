/* ctxtrace-clock.c: timestamps.  The hot path reads the invariant TSC (or the vDSO
 * monotonic clock); the writer converts ticks to epoch nanoseconds with a calibration it
 * refreshes every cycle, anchored at the latest (tsc, monotonic) pair so that errors in
 * the rate never accumulate over a long recording. */
#include "ctxtrace-private.h"

#include <stdio.h>
#include <stdlib.h>

int ct_use_tsc = 0;

int64_t
ct_monotonic_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
ct_realtime_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#ifdef CT_HAVE_TSC
/* True when /proc/cpuinfo lists both constant_tsc and nonstop_tsc: the TSC then ticks at
 * one rate on every core, through frequency changes and idle states. */
static int
cpu_has_invariant_tsc (void)
{
  FILE *f = fopen ("/proc/cpuinfo", "re");
  char line[4096];
  int found = 0;

  if (f == NULL)
    return 0;
  while (!found && fgets (line, sizeof line, f) != NULL)
    if (strncmp (line, "flags", 5) == 0)
      found = strstr (line, " constant_tsc") != NULL && strstr (line, " nonstop_tsc") != NULL
              ? 1 : -1;
  fclose (f);
  return found == 1;
}
#endif

void
ct_clock_choose (void)
{
#ifdef CT_HAVE_TSC
  const char *force = getenv ("CTXTRACE_CLOCK");
  if (force != NULL && strcmp (force, "monotonic") == 0)
    ct_use_tsc = 0;
  else
    ct_use_tsc = cpu_has_invariant_tsc ();
#endif
}

/* One (tsc, monotonic) pair, taken with the TSC read on both sides of the clock read so
 * that an interruption in between is noticed and the sample retried. */
static void
sample (uint64_t *tsc, int64_t *mono)
{
  uint64_t best_window = UINT64_MAX;
  for (int i = 0; i < 5; i++)
    {
      uint64_t t0 = ct_now ();
      int64_t m = ct_monotonic_ns ();
      uint64_t t1 = ct_now ();
      if (t1 - t0 < best_window)
        {
          best_window = t1 - t0;
          *tsc = t0 + (t1 - t0) / 2;
          *mono = m;
        }
    }
}

void
ct_clock_init (ct_clock_t *clock)
{
  memset (clock, 0, sizeof *clock);
  clock->epoch_offset = ct_realtime_ns () - ct_monotonic_ns ();
  if (!ct_use_tsc)
    {
      clock->ns_per_tick = 1.0;
      return;
    }
  sample (&clock->tsc0, &clock->mono0);
  clock->tsc = clock->tsc0;
  clock->mono = clock->mono0;
  /* A first rate from a 200 us interval; ct_clock_update refines it from then on. */
  uint64_t t;
  int64_t m;
  do
    sample (&t, &m);
  while (m - clock->mono0 < 200000);
  clock->ns_per_tick = (double) (m - clock->mono0) / (double) (t - clock->tsc0);
  clock->tsc = t;
  clock->mono = m;
}

void
ct_clock_update (ct_clock_t *clock)
{
  uint64_t t;
  int64_t m;

  if (!ct_use_tsc)
    return;
  sample (&t, &m);
  if (t <= clock->tsc0 || m <= clock->mono0)
    return;
  clock->ns_per_tick = (double) (m - clock->mono0) / (double) (t - clock->tsc0);
  clock->tsc = t;
  clock->mono = m;
}

int64_t
ct_clock_to_epoch (const ct_clock_t *clock, uint64_t ticks)
{
  if (!ct_use_tsc)
    return (int64_t) ticks + clock->epoch_offset;
  double delta = (double) (int64_t) (ticks - clock->tsc) * clock->ns_per_tick;
  return clock->mono + (int64_t) delta + clock->epoch_offset;
}

int64_t
ct_clock_duration (const ct_clock_t *clock, uint64_t from, uint64_t to)
{
  if (to <= from)
    return 0;
  if (!ct_use_tsc)
    return (int64_t) (to - from);
  return (int64_t) ((double) (to - from) * clock->ns_per_tick);
}
