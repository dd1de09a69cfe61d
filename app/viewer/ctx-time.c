/* ctx-time.c: durations, ruler labels and wall-clock times as text. */
#include "config.h"

#include <math.h>

#include "ctx-time.h"

typedef struct
{
  double ns;
  const char *suffix;
} Unit;

/* Largest first; the first unit not bigger than the value is used. */
static const Unit units[] = {
  { 1e9, "s" },
  { 1e6, "ms" },
  { 1e3, "µs" },
  { 1, "ns" },
};

static const Unit *
unit_for (double ns)
{
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (fabs (ns) >= units[i].ns)
      return &units[i];
  return &units[G_N_ELEMENTS (units) - 1];
}

static char *
format_long_duration (double ns)
{
  double s = ns / 1e9;

  if (s < 3600)
    return g_strdup_printf ("%d min %.1f s", (int) (s / 60), fmod (s, 60));
  if (s < 86400 * 1000.0)
    return g_strdup_printf ("%d h %d min", (int) (s / 3600), (int) fmod (s / 60, 60));
  return g_strdup_printf ("%.3g days", s / 86400);
}

char *
ctx_time_format_duration (double ns)
{
  const Unit *u;

  if (!isfinite (ns))
    return g_strdup ("?");
  if (ns < 0)
    {
      g_autofree char *pos = ctx_time_format_duration (-ns);
      return g_strconcat ("−", pos, NULL);
    }
  if (ns >= 60e9)
    return format_long_duration (ns);
  u = unit_for (ns);
  if (u->ns == 1)
    return g_strdup_printf ("%.0f ns", ns);
  return g_strdup_printf ("%.3g %s", ns / u->ns, u->suffix);
}

char *
ctx_time_format_offset (double ns,
                        double step)
{
  const Unit *u = unit_for (ns != 0 ? ns : step);
  int decimals;

  if (!isfinite (ns) || !isfinite (step) || step <= 0)
    return g_strdup ("?");
  decimals = (int) ceil (log10 (u->ns / step) - 1e-9);
  decimals = CLAMP (decimals, 0, 12);
  return g_strdup_printf ("%.*f %s", decimals, ns / u->ns, u->suffix);
}

char *
ctx_time_format_wallclock (gint64 ns)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *base = NULL;
  g_autofree char *zone = NULL;
  gint64 secs = ns / G_GINT64_CONSTANT (1000000000);
  gint64 frac = ns % G_GINT64_CONSTANT (1000000000);

  if (frac < 0)
    {
      frac += 1000000000;
      secs -= 1;
    }
  dt = g_date_time_new_from_unix_local (secs);
  if (dt == NULL)
    return NULL;
  base = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
  zone = g_date_time_format (dt, "%Z");
  return g_strdup_printf ("%s.%09" G_GINT64_FORMAT " %s", base, frac, zone != NULL ? zone : "");
}

double
ctx_time_nice_step (double ns)
{
  double p, m;

  if (!(ns > 1))
    return 1;
  p = pow (10, floor (log10 (ns)));
  m = ns / p;
  if (m <= 1)
    return p;
  if (m <= 2)
    return 2 * p;
  if (m <= 5)
    return 5 * p;
  return 10 * p;
}
