/* test-time.c: durations, ruler labels, 1-2-5 steps and overflow-free relative times. */
#include <math.h>
#include <string.h>

#include "ctx-time.h"

static void
check_duration (double ns, const char *expected)
{
  g_autofree char *text = ctx_time_format_duration (ns);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_duration (void)
{
  check_duration (0, "0 ns");
  check_duration (999, "999 ns");
  check_duration (1500, "1.5 µs");
  check_duration (2.25e6, "2.25 ms");
  check_duration (3e9, "3 s");
  check_duration (90e9, "1 min 30.0 s");
  check_duration (7200e9, "2 h 0 min");
  check_duration (-1500, "−1.5 µs");
  check_duration (NAN, "?");
  /* The whole int64 range as a duration must still be text, not garbage. */
  {
    g_autofree char *text = ctx_time_format_duration (1.8e19);
    g_assert_true (g_str_has_suffix (text, "days"));
  }
}

static void
test_offset (void)
{
  g_autofree char *a = ctx_time_format_offset (3.5e9, 1);
  g_autofree char *b = ctx_time_format_offset (3.5e9, 1e8);
  g_autofree char *c = ctx_time_format_offset (0, 2e6);
  g_autofree char *d = ctx_time_format_offset (1500, 500);

  g_assert_cmpstr (a, ==, "3.500000000 s");
  g_assert_cmpstr (b, ==, "3.5 s");
  g_assert_cmpstr (c, ==, "0 ms");
  g_assert_cmpstr (d, ==, "1.5 µs");
}

static void
test_nice_step (void)
{
  g_assert_cmpfloat (ctx_time_nice_step (0.2), ==, 1);
  g_assert_cmpfloat (ctx_time_nice_step (1.5), ==, 2);
  g_assert_cmpfloat (ctx_time_nice_step (3), ==, 5);
  g_assert_cmpfloat (ctx_time_nice_step (7), ==, 10);
  g_assert_cmpfloat (ctx_time_nice_step (120000), ==, 200000);
}

static void
test_rel (void)
{
  gint64 origin = G_GINT64_CONSTANT (1700000000000000000);

  g_assert_cmpfloat (ctx_time_rel (origin + 1, origin), ==, 1);
  g_assert_cmpfloat (ctx_time_rel (origin + 123456789, origin), ==, 123456789);
  /* Across the int64 range: no overflow, the right magnitude. */
  g_assert_cmpfloat (ctx_time_rel (G_MAXINT64, G_MININT64), >, 1.8e19);
  g_assert_cmpfloat (ctx_time_rel (G_MININT64, G_MAXINT64), <, -1.8e19);
}

static void
test_wallclock (void)
{
  g_autofree char *text = ctx_time_format_wallclock (G_GINT64_CONSTANT (1700000000123456789));
  g_autofree char *neg = ctx_time_format_wallclock (-1);

  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, ".123456789 UTC"));
  g_assert_true (g_str_has_prefix (text, "2023-11-1"));
  g_assert_nonnull (neg);
  g_assert_true (g_str_has_prefix (neg, "1969-12-31 23:59:59.999999999"));
}

int
main (int argc, char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/time/duration", test_duration);
  g_test_add_func ("/time/offset", test_offset);
  g_test_add_func ("/time/nice-step", test_nice_step);
  g_test_add_func ("/time/rel", test_rel);
  g_test_add_func ("/time/wallclock", test_wallclock);
  return g_test_run ();
}
