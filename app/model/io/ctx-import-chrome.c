/* ctx-import-chrome.c: streaming reader of Chrome trace event JSON.
 *
 * Why not json-glib: JsonParser (and JsonReader on top of it) builds the whole document
 * as a tree of GObject-backed nodes, many times the size of the file, before the first
 * event can be looked at; a 1 GB trace would not fit.  yajl (Debian's libyajl) is an
 * event-driven parser: we keep only the event being read, turn it into a 40-byte
 * CtxImportItem, and re-serialise its "args" with yajl's generator.  The parser has no
 * recursion (its nesting stack is on the heap), so deeply nested input cannot overflow
 * the C stack.
 *
 * Array form ([ev, ...]; the closing bracket may be missing, as the format allows) and
 * object form ({"traceEvents": [...], "beginningOfTime": us} as clang -ftime-trace and
 * our exporter write) are both read.
 */
#include "ctx-import-private.h"

#include <math.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#define CHUNK_SIZE (256 * 1024)

typedef enum
{
  FIELD_OTHER,
  FIELD_PH,
  FIELD_NAME,
  FIELD_TS,
  FIELD_DUR,
  FIELD_PID,
  FIELD_TID,
  FIELD_ARGS,
} Field;

typedef enum
{
  MARKER_NONE,
  MARKER_STATUS,  /* args "ctxtrace.status": our exporter's span status */
  MARKER_OPEN,    /* args "ctxtrace.open": the span had not ended */
  MARKER_NAME,    /* args "name" (kept): the name in M events */
} Marker;

typedef struct
{
  CtxImportData *data;
  yajl_gen gen;
  int depth;            /* containers open around the current position */
  int events_depth;     /* depth inside the traceEvents array, 0 until found */
  gboolean in_events;   /* inside that array now */
  gboolean object_form;
  gboolean top_key_events;  /* the top-level key being read is "traceEvents" */
  gboolean top_key_base;    /* ... is "beginningOfTime" */
  gboolean seen_value;

  /* The event being read. */
  int event_depth;      /* depth inside the event object, 0 when not in one */
  Field field;
  gboolean bad;         /* a field had the wrong type */
  char ph;
  gboolean has_ph, has_ts, has_dur;
  GString *name;
  gboolean has_name;
  gint64 ts, dur, pid, tid;
  int args_depth;       /* depth inside "args", 0 when not in it */
  gboolean args_failed;
  gboolean has_args;
  Marker marker;
  GString *marker_key;  /* a marker key not yet passed to the generator */
  int status;
  gboolean open_marker;
  GString *args_name;
} ChromeParser;

static gboolean
parse_micros_double (const char *s, gsize len, gint64 *ns)
{
  char buf[64];
  double d;

  if (len >= sizeof buf)
    return FALSE;
  memcpy (buf, s, len);
  buf[len] = '\0';
  d = g_ascii_strtod (buf, NULL) * 1000.0;
  if (!isfinite (d) || fabs (d) > 9.0e18)
    return FALSE;
  *ns = (gint64) llround (d);
  return TRUE;
}

/* Appends one decimal digit to *v; FALSE on overflow. */
static inline gboolean
push_digit (guint64 *v, char c)
{
  return !__builtin_mul_overflow (*v, 10, v) && !__builtin_add_overflow (*v, c - '0', v);
}

/* "123.4567" microseconds -> 123457 ns, exactly (epoch microseconds have 16 digits, past
 * what a double holds to the nanosecond); exponents go through a double. */
static gboolean
parse_micros (const char *s, gsize len, gint64 *ns)
{
  gsize i, int_digits = 0, frac = 0;
  gboolean neg = len > 0 && s[0] == '-', ok = TRUE;
  guint64 v = 0;

  for (i = neg; i < len && g_ascii_isdigit (s[i]); i++, int_digits++)
    ok &= push_digit (&v, s[i]);
  if (i < len && s[i] == '.')
    for (i++; i < len && g_ascii_isdigit (s[i]); i++, frac++)
      {
        if (frac < 3)
          ok &= push_digit (&v, s[i]);
        else if (frac == 3 && s[i] >= '5')
          ok &= !__builtin_add_overflow (v, 1, &v);
      }
  for (; frac < 3; frac++)
    ok &= push_digit (&v, '0');
  if (i != len || int_digits == 0)
    return parse_micros_double (s, len, ns);
  if (!ok || v > (guint64) G_MAXINT64)
    return FALSE;
  *ns = neg ? -(gint64) v : (gint64) v;
  return TRUE;
}

static gboolean
parse_id (const char *s, gsize len, gint64 *out)
{
  gboolean neg = len > 0 && s[0] == '-';
  gint64 v = 0, ns;
  gsize i;

  /* Plain integers of up to 18 digits cannot overflow: the common case, done directly. */
  for (i = neg; i < len && i < 18 + (gsize) neg && g_ascii_isdigit (s[i]); i++)
    v = v * 10 + (s[i] - '0');
  if (i == len && len > (gsize) neg)
    {
      *out = neg ? -v : v;
      return TRUE;
    }

  /* An id is an integer; parse_micros gives it times 1000 when it is one. */
  if (!parse_micros (s, len, &ns) || ns % 1000 != 0)
    return FALSE;
  *out = ns / 1000;
  return TRUE;
}

static void
reset_event (ChromeParser *p, int depth)
{
  p->event_depth = depth;
  p->field = FIELD_OTHER;
  p->bad = p->has_ph = p->has_ts = p->has_dur = p->has_name = FALSE;
  p->args_failed = FALSE;
  p->ph = 0;
  p->ts = p->dur = p->pid = p->tid = 0;
  p->args_depth = 0;
  p->marker = MARKER_NONE;
  p->status = 0;
  p->open_marker = FALSE;
  g_string_truncate (p->name, 0);
  g_string_truncate (p->args_name, 0);
  g_string_truncate (p->marker_key, 0);
  if (p->has_args)
    {
      yajl_gen_clear (p->gen);
      yajl_gen_reset (p->gen, NULL);
    }
  p->has_args = FALSE;
}

static void
skip_event (ChromeParser *p, guint64 *reason)
{
  (*reason)++;
  p->data->stats->skipped++;
}

/* ---- Turning a finished event into items ----------------------------------------- */

static guint64
store_args (ChromeParser *p)
{
  CtxImportData *data = p->data;
  const unsigned char *buf = NULL;
  size_t len = 0;
  guint64 offset;

  if (!p->has_args)
    return 0;
  yajl_gen_get_buf (p->gen, &buf, &len);
  if (p->args_failed || len > CTX_IMPORT_MAX_ATTRS)
    {
      /* The index first: looking up a thread may grow (move) the arrays. */
      guint32 ti = ctx_import_thread (data, p->pid, p->tid);
      guint32 pi = g_array_index (data->threads, CtxImportThread, ti).process;

      g_array_index (data->processes, CtxImportProcess, pi).rejected_attrs++;
      data->stats->rejected_attrs++;
      return 0;
    }
  if (len <= 2)  /* {} */
    return 0;
  offset = data->attrs->len + 1;
  g_byte_array_append (data->attrs, buf, (guint) len);
  g_byte_array_append (data->attrs, (const guint8 *) "", 1);
  return offset;
}

static CtxImportItem *
add_item (ChromeParser *p, CtxItemKind kind, gint64 dur)
{
  CtxImportData *data = p->data;
  CtxImportItem item = { p->ts, dur, 0, ctx_import_thread (data, p->pid, p->tid), 0,
                         (guint8) kind, (guint8) CLAMP (p->status, 0, 2) };

  item.name = ctx_import_intern (data, p->has_name ? p->name->str : "(unnamed)",
                                 p->has_name ? p->name->len : strlen ("(unnamed)"));
  if (p->name->len > CTX_IMPORT_MAX_NAME)
    {
      g_array_index (data->processes, CtxImportProcess,
                     g_array_index (data->threads, CtxImportThread, item.thread).process)
        .truncated_values++;
      data->stats->truncated_names++;
    }
  item.attrs = store_args (p);
  g_array_append_val (data->items, item);
  return &g_array_index (data->items, CtxImportItem, data->items->len - 1);
}

static void
end_span (ChromeParser *p)
{
  CtxImportData *data = p->data;
  guint32 ti = ctx_import_thread (data, p->pid, p->tid);
  CtxImportThread *t = &g_array_index (data->threads, CtxImportThread, ti);
  CtxImportItem *item;
  guint index;

  if (t->open->len == 0)
    {
      skip_event (p, &data->stats->skipped_invalid);  /* E without B */
      return;
    }
  index = g_array_index (t->open, guint, t->open->len - 1);
  g_array_set_size (t->open, t->open->len - 1);
  item = &g_array_index (data->items, CtxImportItem, index);
  item->dur = MAX (p->ts - item->start, 0);
  if (p->status != 0)
    item->status = (guint8) CLAMP (p->status, 0, 2);
  /* Chrome merges E's args into B's; we keep B's, or E's when B had none. */
  if (item->attrs == 0)
    item->attrs = store_args (p);
}

static void
begin_span (ChromeParser *p)
{
  CtxImportData *data = p->data;
  guint index = data->items->len;
  CtxImportThread *t;

  add_item (p, CTX_ITEM_SPAN, -1);
  t = &g_array_index (data->threads, CtxImportThread,
                      g_array_index (data->items, CtxImportItem, index).thread);
  g_array_append_val (t->open, index);
}

static void
set_name (char **slot, GString *name)
{
  g_free (*slot);
  *slot = g_strndup (name->str, MIN (name->len, CTX_IMPORT_MAX_NAME));
}

/* Only names are used; a process name creates no thread row. */
static void
metadata (ChromeParser *p)
{
  CtxImportData *data = p->data;

  if (p->args_name->len > 0 && g_strcmp0 (p->name->str, "thread_name") == 0)
    {
      guint32 ti = ctx_import_thread (data, p->pid, p->tid);
      set_name (&g_array_index (data->threads, CtxImportThread, ti).name, p->args_name);
    }
  else if (p->args_name->len > 0 && g_strcmp0 (p->name->str, "process_name") == 0)
    {
      guint32 pi = ctx_import_process (data, p->pid);
      set_name (&g_array_index (data->processes, CtxImportProcess, pi).name, p->args_name);
    }
  data->stats->metadata++;
}

static void
finish_event (ChromeParser *p)
{
  CtxImportStats *stats = p->data->stats;

  if (p->bad || !p->has_ph)
    skip_event (p, &stats->skipped_invalid);
  else if (p->ph == 'M')
    metadata (p);
  else if (!p->has_ts)
    skip_event (p, &stats->skipped_invalid);
  else if (p->ph == 'X' && p->dur >= 0)
    add_item (p, CTX_ITEM_SPAN, p->open_marker ? -1 : p->dur);
  else if (p->ph == 'X')
    skip_event (p, &stats->skipped_invalid);  /* negative duration */
  else if (p->ph == 'B')
    begin_span (p);
  else if (p->ph == 'E')
    end_span (p);
  else if (p->ph == 'i' || p->ph == 'I')
    {
      add_item (p, CTX_ITEM_INSTANT, 0);
      stats->instants++;
    }
  else
    skip_event (p, &stats->skipped_phase);
  p->event_depth = 0;
}

/* ---- Values inside "args": passed to the generator ------------------------------- */

static void
args_gen_status (ChromeParser *p, yajl_gen_status st)
{
  if (st != yajl_gen_status_ok)
    p->args_failed = TRUE;
}

/* Once the generator has failed it must not be called again: yajl 2.1 indexes its state
 * array with a depth that has already passed YAJL_MAX_DEPTH. */
#define ARGS_GEN(p, call) \
  G_STMT_START { if (!(p)->args_failed) args_gen_status ((p), (call)); } G_STMT_END

/* A marker key is held back until we know its value is one we consume. */
static void
args_flush_marker (ChromeParser *p)
{
  if (p->marker_key->len > 0)
    ARGS_GEN (p, yajl_gen_string (p->gen, (const unsigned char *) p->marker_key->str,
                                         p->marker_key->len));
  g_string_truncate (p->marker_key, 0);
  p->marker = MARKER_NONE;
}

static gboolean
args_take_marker (ChromeParser *p, const char *s, gsize len, gboolean is_bool, gboolean b)
{
  gint64 v;

  if (p->marker == MARKER_STATUS && !is_bool && parse_id (s, len, &v) && v >= 0 && v <= 2)
    p->status = (int) v;
  else if (p->marker == MARKER_OPEN && is_bool)
    p->open_marker = b;
  else
    return FALSE;
  g_string_truncate (p->marker_key, 0);
  p->marker = MARKER_NONE;
  return TRUE;
}

static void
args_key (ChromeParser *p, const char *s, gsize len)
{
  args_flush_marker (p);
  if (p->depth == p->args_depth)
    {
      if (len == 15 && memcmp (s, "ctxtrace.status", 15) == 0)
        p->marker = MARKER_STATUS;
      else if (len == 13 && memcmp (s, "ctxtrace.open", 13) == 0)
        p->marker = MARKER_OPEN;
      else if (len == 4 && memcmp (s, "name", 4) == 0)
        p->marker = MARKER_NAME;
    }
  if (p->marker == MARKER_STATUS || p->marker == MARKER_OPEN)
    g_string_append_len (p->marker_key, s, (gssize) len);
  else
    ARGS_GEN (p, yajl_gen_string (p->gen, (const unsigned char *) s, len));
}

/* ---- yajl callbacks ----------------------------------------------------------------- */

static ChromeParser *
top_scalar (void *ctx)
{
  ChromeParser *p = ctx;

  p->seen_value = TRUE;
  return p;
}

static gint64
hash_name (const char *s, gsize len)
{
  guint32 h = 2166136261u;  /* FNV-1a */

  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) s[i]) * 16777619u;
  return h & 0x7fffffff;
}

static void
event_scalar (ChromeParser *p, const char *s, gsize len, gboolean is_string)
{
  gint64 v;

  switch (p->field)
    {
    case FIELD_PH:
      p->bad |= !is_string || len != 1;
      p->ph = len > 0 ? s[0] : 0;
      p->has_ph = TRUE;
      break;
    case FIELD_NAME:
      p->bad |= !is_string;
      g_string_append_len (g_string_truncate (p->name, 0), s, (gssize) len);
      p->has_name = TRUE;
      break;
    case FIELD_TS:
      p->has_ts = !is_string && parse_micros (s, len, &p->ts);
      p->bad |= !p->has_ts;
      break;
    case FIELD_DUR:
      p->has_dur = !is_string && parse_micros (s, len, &p->dur);
      p->bad |= !p->has_dur;
      break;
    case FIELD_PID:
    case FIELD_TID:
      /* Some writers quote pids and tids; others use names: those get a stable number. */
      if (!parse_id (s, len, &v))
        v = hash_name (s, len);
      *(p->field == FIELD_PID ? &p->pid : &p->tid) = v;
      break;
    case FIELD_ARGS:
    case FIELD_OTHER:
    default:
      break;
    }
  p->field = FIELD_OTHER;
}

/* Every scalar of the document arrives here; s is NULL for null and booleans. */
static int
on_scalar (ChromeParser *p, const char *s, gsize len, gboolean is_string, int boolean)
{
  if (p->args_depth > 0)
    {
      if (p->marker == MARKER_NAME && is_string && p->depth == p->args_depth)
        g_string_append_len (g_string_truncate (p->args_name, 0), s, (gssize) len);
      if (!args_take_marker (p, s, len, boolean >= 0, boolean > 0))
        {
          args_flush_marker (p);
          if (is_string)
            ARGS_GEN (p, yajl_gen_string (p->gen, (const unsigned char *) s, len));
          else if (s != NULL)
            ARGS_GEN (p, yajl_gen_number (p->gen, s, len));
          else if (boolean >= 0)
            ARGS_GEN (p, yajl_gen_bool (p->gen, boolean));
          else
            ARGS_GEN (p, yajl_gen_null (p->gen));
        }
    }
  else if (p->event_depth > 0 && p->depth == p->event_depth)
    {
      if (s == NULL && p->field != FIELD_OTHER && p->field != FIELD_ARGS)
        p->bad = TRUE;
      else
        event_scalar (p, s, len, is_string);
    }
  else if (p->in_events && p->depth == p->events_depth)
    skip_event (p, &p->data->stats->skipped_invalid);  /* not an object */
  else if (p->depth == 1 && p->object_form && p->top_key_base && !is_string && s != NULL)
    parse_micros (s, len, &p->data->base_ns);
  return 1;
}

static int
on_null (void *ctx)
{
  return on_scalar (top_scalar (ctx), NULL, 0, FALSE, -1);
}

static int
on_boolean (void *ctx, int b)
{
  return on_scalar (top_scalar (ctx), NULL, 0, FALSE, b != 0);
}

static int
on_number (void *ctx, const char *s, size_t len)
{
  return on_scalar (top_scalar (ctx), s, len, FALSE, -1);
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  return on_scalar (top_scalar (ctx), (const char *) s, len, TRUE, -1);
}

static Field
field_from_key (const char *s, gsize len)
{
  /* Called for every key of every event: a switch, not a table walk. */
  switch (len)
    {
    case 2:
      return s[0] == 'p' && s[1] == 'h' ? FIELD_PH : s[0] == 't' && s[1] == 's' ? FIELD_TS
             : FIELD_OTHER;
    case 3:
      return memcmp (s, "dur", 3) == 0 ? FIELD_DUR : memcmp (s, "pid", 3) == 0 ? FIELD_PID
             : memcmp (s, "tid", 3) == 0 ? FIELD_TID : FIELD_OTHER;
    case 4:
      return memcmp (s, "name", 4) == 0 ? FIELD_NAME : memcmp (s, "args", 4) == 0 ? FIELD_ARGS
             : FIELD_OTHER;
    default:
      return FIELD_OTHER;
    }
}

static int
on_map_key (void *ctx, const unsigned char *key, size_t len)
{
  ChromeParser *p = ctx;
  const char *s = (const char *) key;

  if (p->args_depth > 0)
    args_key (p, s, len);
  else if (p->event_depth > 0 && p->depth == p->event_depth)
    p->field = field_from_key (s, len);
  else if (p->depth == 1 && p->object_form)
    {
      p->top_key_events = len == 11 && memcmp (s, "traceEvents", 11) == 0;
      p->top_key_base = len == 15 && memcmp (s, "beginningOfTime", 15) == 0;
    }
  return 1;
}

/* A container opened where the event expected a scalar field. */
static void
event_container (ChromeParser *p, gboolean is_map)
{
  if (p->field == FIELD_ARGS && is_map)
    {
      p->args_depth = p->depth + 1;
      p->has_args = TRUE;
      ARGS_GEN (p, yajl_gen_map_open (p->gen));
    }
  else if (p->field != FIELD_OTHER && p->field != FIELD_ARGS)
    p->bad = TRUE;
  p->field = FIELD_OTHER;
}

static int
on_start_container (ChromeParser *p, gboolean is_map)
{
  if (p->args_depth > 0)
    {
      args_flush_marker (p);
      /* Deeper args are refused before yajl's own limit (128) is reached. */
      if (p->depth - p->args_depth >= CTX_IMPORT_MAX_ARGS_DEPTH)
        p->args_failed = TRUE;
      ARGS_GEN (p, is_map ? yajl_gen_map_open (p->gen) : yajl_gen_array_open (p->gen));
    }
  else if (p->event_depth > 0 && p->depth == p->event_depth)
    event_container (p, is_map);
  else if (p->in_events && p->depth == p->events_depth)
    {
      if (is_map)
        reset_event (p, p->depth + 1);
      else
        skip_event (p, &p->data->stats->skipped_invalid);
    }
  else if (p->depth == 0)
    {
      p->object_form = is_map;
      p->events_depth = is_map ? 0 : 1;
      p->in_events = !is_map;
    }
  else if (p->depth == 1 && p->object_form && p->top_key_events && !is_map)
    {
      p->events_depth = 2;
      p->in_events = TRUE;
    }
  p->depth++;
  return 1;
}

static int
on_end_container (ChromeParser *p, gboolean is_map)
{
  p->depth--;
  if (p->args_depth > 0)
    {
      args_flush_marker (p);
      ARGS_GEN (p, is_map ? yajl_gen_map_close (p->gen) : yajl_gen_array_close (p->gen));
      if (p->depth < p->args_depth)
        p->args_depth = 0;
    }
  else if (p->event_depth > 0 && p->depth < p->event_depth)
    finish_event (p);
  else if (p->in_events && p->depth < p->events_depth)
    p->in_events = FALSE;
  return 1;
}

static int
on_start_map (void *ctx)
{
  return on_start_container (top_scalar (ctx), TRUE);
}

static int
on_end_map (void *ctx)
{
  return on_end_container (ctx, TRUE);
}

static int
on_start_array (void *ctx)
{
  return on_start_container (top_scalar (ctx), FALSE);
}

static int
on_end_array (void *ctx)
{
  return on_end_container (ctx, FALSE);
}

static const yajl_callbacks callbacks = {
  on_null, on_boolean, NULL, NULL, on_number, on_string,
  on_start_map, on_map_key, on_end_map, on_start_array, on_end_array,
};

/* ---- Driving the parser ------------------------------------------------------------- */

typedef struct
{
  ChromeParser parser;
  yajl_handle handle;
  guint64 consumed;  /* bytes fed before the current chunk */
} Reader;

static void
reader_init (Reader *r, CtxImportData *data)
{
  memset (r, 0, sizeof *r);
  r->parser.data = data;
  r->parser.name = g_string_new (NULL);
  r->parser.args_name = g_string_new (NULL);
  r->parser.marker_key = g_string_new (NULL);
  r->parser.gen = yajl_gen_alloc (NULL);
  r->handle = yajl_alloc (&callbacks, NULL, &r->parser);
}

static void
reader_clear (Reader *r)
{
  yajl_free (r->handle);
  yajl_gen_free (r->parser.gen);
  g_string_free (r->parser.name, TRUE);
  g_string_free (r->parser.args_name, TRUE);
  g_string_free (r->parser.marker_key, TRUE);
}

static gboolean
parse_error (Reader *r, const guint8 *chunk, gsize len, GError **error)
{
  unsigned char *msg = yajl_get_error (r->handle, 0, chunk, len);
  g_autofree char *text = g_strstrip (g_strdup ((const char *) msg));

  g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_PARSE,
               "invalid JSON near byte %" G_GUINT64_FORMAT ": %s",
               r->consumed + yajl_get_bytes_consumed (r->handle), text);
  yajl_free_error (r->handle, msg);
  return FALSE;
}

static gboolean
reader_feed (Reader *r, const guint8 *chunk, gsize len, GError **error)
{
  if (yajl_parse (r->handle, chunk, len) != yajl_status_ok)
    return parse_error (r, chunk, len, error);
  r->consumed += len;
  return TRUE;
}

/* Input that stops early keeps its complete events: the format allows an array without
 * its closing bracket, written by a program that crashed. */
static gboolean
reader_finish (Reader *r, GError **error)
{
  ChromeParser *p = &r->parser;

  if (yajl_complete_parse (r->handle) != yajl_status_ok && p->seen_value)
    {
      if (!p->in_events)
        return parse_error (r, NULL, 0, error);
      p->data->stats->truncated_input = TRUE;
      if (p->event_depth > 0)
        skip_event (p, &p->data->stats->skipped_invalid);
    }
  if (!p->seen_value)
    g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_PARSE, "empty input: no JSON value");
  else if (p->events_depth == 0)
    g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_PARSE,
                 "not a Chrome trace: expected an array of events or an object with a "
                 "\"traceEvents\" array");
  return p->seen_value && p->events_depth != 0;
}

static gboolean
import_parsed (Reader *r, sqlite3 *db, const char *source_name, CtxImportStats *stats,
               GError **error)
{
  gboolean ok = reader_finish (r, error)
                && ctx_import_build (r->parser.data, db, source_name, error);

  reader_clear (r);
  ctx_import_data_clear (r->parser.data);
  return ok;
}

gboolean
ctx_import_chrome (FILE *in, const char *source_name, sqlite3 *db, CtxImportStats *stats,
                   GError **error)
{
  CtxImportData data;
  Reader r;
  g_autofree guint8 *chunk = g_malloc (CHUNK_SIZE);
  gboolean ok = TRUE;
  gsize n;

  ctx_import_data_init (&data, stats);
  reader_init (&r, &data);
  while (ok && (n = fread (chunk, 1, CHUNK_SIZE, in)) > 0)
    ok = reader_feed (&r, chunk, n, error);
  if (ok && ferror (in))
    {
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_OPEN, "%s: read error", source_name);
      ok = FALSE;
    }
  if (!ok)
    {
      reader_clear (&r);
      ctx_import_data_clear (&data);
      return FALSE;
    }
  return import_parsed (&r, db, source_name, stats, error);
}

gboolean
ctx_import_chrome_data (const guint8 *bytes, gsize len, sqlite3 *db, CtxImportStats *stats,
                        GError **error)
{
  CtxImportData data;
  Reader r;

  ctx_import_data_init (&data, stats);
  reader_init (&r, &data);
  if (!reader_feed (&r, bytes, len, error))
    {
      reader_clear (&r);
      ctx_import_data_clear (&data);
      return FALSE;
    }
  return import_parsed (&r, db, "memory", stats, error);
}
