/* LTTng-UST tracepoint provider for peer-lttng: a span is an entry and an exit event,
 * each carrying the site pointer ctxtrace's records carry (the payload of lttng-ust's own
 * func_entry/func_exit); the 4-attribute entry adds an int, a double, a bool and a string. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER ctxbench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./peer-lttng-tp.h"

#if !defined(PEER_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define PEER_LTTNG_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT (ctxbench, span_begin,
  LTTNG_UST_TP_ARGS (const void *, site),
  LTTNG_UST_TP_FIELDS (lttng_ust_field_integer_hex (unsigned long, site, (unsigned long) site)))

LTTNG_UST_TRACEPOINT_EVENT (ctxbench, span_end,
  LTTNG_UST_TP_ARGS (const void *, site),
  LTTNG_UST_TP_FIELDS (lttng_ust_field_integer_hex (unsigned long, site, (unsigned long) site)))

LTTNG_UST_TRACEPOINT_EVENT (ctxbench, span_begin_attrs,
  LTTNG_UST_TP_ARGS (const void *, site, long, i, double, x, int, flag, const char *, ret),
  LTTNG_UST_TP_FIELDS (
    lttng_ust_field_integer_hex (unsigned long, site, (unsigned long) site)
    lttng_ust_field_integer (long, args_i, i)
    lttng_ust_field_float (double, args_x, x)
    lttng_ust_field_integer (int, args_flag, flag)
    lttng_ust_field_string (ret, ret)))

#endif

#include <lttng/tracepoint-event.h>
