/* ctx-time.h: time arithmetic and formatting shared by every view of the viewer.
 *
 * Views work in "relative" nanoseconds (doubles, 0 = the trace's start) because absolute
 * epoch times (~1.7e18) lose sub-microsecond precision as doubles.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ts - origin as a double, exact whenever the difference fits in 53 bits and never
 * overflowing (hostile files put timestamps near the int64 limits). */
static inline double
ctx_time_rel (gint64 ts,
              gint64 origin)
{
  gint64 diff;

  if (!__builtin_sub_overflow (ts, origin, &diff))
    return (double) diff;
  return (double) ts - (double) origin;
}

char *ctx_time_format_duration (double ns);
/* A ruler label for offset ns, with as many decimals as step (the tick spacing) needs. */
char *ctx_time_format_offset (double ns, double step);
/* Local wall-clock time with nanoseconds, or NULL outside the years GDateTime handles. */
char *ctx_time_format_wallclock (gint64 ns);
/* The 1-2-5 series step >= ns (at least 1 ns). */
double ctx_time_nice_step (double ns);

G_END_DECLS
