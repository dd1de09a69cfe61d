/* ctx-export-otlp.c: OTLP/JSON (an ExportTraceServiceRequest), as read by the
 * OpenTelemetry Collector, Jaeger and Grafana Tempo.
 *
 * OTLP/JSON departs from the protobuf JSON mapping in two ways we follow: trace and span
 * ids are hex, 64-bit integers are decimal strings.  Spans are written in id order; each
 * run of spans from one process becomes a resourceSpans entry (the same process may appear
 * in several entries, which OTLP allows), so nothing is sorted or held in memory.  Events
 * and links are read by two more cursors ordered by span id, merged with the spans.
 */
#include "ctx-export-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ctxtrace.h"

#define OTLP_SPAN_KIND_INTERNAL 1
/* Protobuf decoders stop at 100 levels of messages (each AnyValue level costs three):
 * deeper attribute values are written as their JSON text. */
#define OTLP_MAX_VALUE_DEPTH 24

typedef struct
{
  CtxExporter *ex;
  sqlite3_stmt *events;  /* span_id, ts_ns, name, attrs; NULL once exhausted */
  sqlite3_stmt *links;   /* span_id, linked_span_id, trace hex; NULL once exhausted */
  const CtxExportProcess *process;
  gboolean in_resource;
  gboolean first_span;
  gint64 latest_ns;
} OtlpWriter;

static void write_any_value (CtxJsonOut *o, JsonNode *node, int depth);

static void
write_value_scalar (CtxJsonOut *o, JsonNode *node)
{
  GType type = json_node_get_value_type (node);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (type == G_TYPE_STRING)
    {
      ctx_json_out_lit (o, "{\"stringValue\":");
      ctx_json_out_string (o, json_node_get_string (node), -1);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      ctx_json_out_lit (o, "{\"boolValue\":");
      if (json_node_get_boolean (node))
        ctx_json_out_lit (o, "true");
      else
        ctx_json_out_lit (o, "false");
    }
  else if (type == G_TYPE_INT64)
    {
      ctx_json_out_lit (o, "{\"intValue\":");
      ctx_json_out_int_string (o, json_node_get_int (node));
    }
  else
    {
      ctx_json_out_lit (o, "{\"doubleValue\":");
      g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node));
      ctx_json_out_raw (o, buf, strlen (buf));
    }
  ctx_json_out_lit (o, "}");
}

static void
write_key_values (CtxJsonOut *o, JsonObject *object, gboolean leading_comma, int depth)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &member))
    {
      if (leading_comma)
        ctx_json_out_lit (o, ",");
      leading_comma = TRUE;
      ctx_json_out_lit (o, "{\"key\":");
      ctx_json_out_string (o, key, -1);
      ctx_json_out_lit (o, ",\"value\":");
      write_any_value (o, member, depth);
      ctx_json_out_lit (o, "}");
    }
}

static void
write_array_value (CtxJsonOut *o, JsonArray *array, int depth)
{
  guint n = json_array_get_length (array);

  /* Empty lists are left out, as protobuf writers do, so a round trip is exact. */
  if (n == 0)
    {
      ctx_json_out_lit (o, "{\"arrayValue\":{}}");
      return;
    }
  ctx_json_out_lit (o, "{\"arrayValue\":{\"values\":[");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        ctx_json_out_lit (o, ",");
      write_any_value (o, json_array_get_element (array, i), depth + 1);
    }
  ctx_json_out_lit (o, "]}}");
}

static void
write_as_json_text (CtxJsonOut *o, JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  ctx_json_out_lit (o, "{\"stringValue\":");
  ctx_json_out_string (o, text, -1);
  ctx_json_out_lit (o, "}");
}

static void
write_any_value (CtxJsonOut *o, JsonNode *node, int depth)
{
  if (depth >= OTLP_MAX_VALUE_DEPTH && !JSON_NODE_HOLDS_VALUE (node)
      && !JSON_NODE_HOLDS_NULL (node))
    {
      write_as_json_text (o, node);
      return;
    }
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      if (json_object_get_size (json_node_get_object (node)) == 0)
        {
          ctx_json_out_lit (o, "{\"kvlistValue\":{}}");
          break;
        }
      ctx_json_out_lit (o, "{\"kvlistValue\":{\"values\":[");
      write_key_values (o, json_node_get_object (node), FALSE, depth + 1);
      ctx_json_out_lit (o, "]}}");
      break;
    case JSON_NODE_ARRAY:
      write_array_value (o, json_node_get_array (node), depth);
      break;
    case JSON_NODE_VALUE:
      write_value_scalar (o, node);
      break;
    case JSON_NODE_NULL:
    default:
      ctx_json_out_lit (o, "{}");
      break;
    }
}

/* attrs was checked to be a JSON object by SQLite; returns it parsed, or NULL. */
static JsonObject *
parse_attrs (const char *attrs)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;

  if (attrs == NULL)
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, attrs, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

static void
write_string_attr (CtxJsonOut *o, const char *key, const char *value, gboolean comma)
{
  if (comma)
    ctx_json_out_lit (o, ",");
  ctx_json_out_lit (o, "{\"key\":");
  ctx_json_out_string (o, key, -1);
  ctx_json_out_lit (o, ",\"value\":{\"stringValue\":");
  ctx_json_out_string (o, value, -1);
  ctx_json_out_lit (o, "}}");
}

static void
write_int_attr (CtxJsonOut *o, const char *key, gint64 value, gboolean comma)
{
  if (comma)
    ctx_json_out_lit (o, ",");
  ctx_json_out_lit (o, "{\"key\":");
  ctx_json_out_string (o, key, -1);
  ctx_json_out_lit (o, ",\"value\":{\"intValue\":");
  ctx_json_out_int_string (o, value);
  ctx_json_out_lit (o, "}}");
}

static void
write_resource (OtlpWriter *w, const CtxExportProcess *p)
{
  CtxJsonOut *o = &w->ex->out;

  ctx_json_out_lit (o, "{\"resource\":{\"attributes\":[");
  write_string_attr (o, "service.name", p != NULL && p->name != NULL ? p->name
                     : "unknown_service", FALSE);
  if (p != NULL)
    {
      write_int_attr (o, "process.pid", p->pid, TRUE);
      if (p->cmdline != NULL)
        write_string_attr (o, "process.command_line", p->cmdline, TRUE);
      if (p->hostname != NULL)
        write_string_attr (o, "host.name", p->hostname, TRUE);
    }
  ctx_json_out_lit (o, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"ctxtrace\",\"version\":\""
                    CTXTRACE_VERSION_STRING "\"},\"spans\":[\n");
}

static void
switch_resource (OtlpWriter *w, const CtxExportProcess *p)
{
  CtxJsonOut *o = &w->ex->out;

  if (w->in_resource && p == w->process)
    {
      ctx_json_out_lit (o, ",\n");
      return;
    }
  if (w->in_resource)
    ctx_json_out_lit (o, "]}]},\n");
  write_resource (w, p);
  w->in_resource = TRUE;
  w->process = p;
}

static void
write_hex_id (CtxJsonOut *o, gint64 id)
{
  char buf[20];

  g_snprintf (buf, sizeof buf, "\"%016" G_GINT64_MODIFIER "x\"", (guint64) id);
  ctx_json_out_raw (o, buf, 18);
}

/* trace.hex as lowercase hex, or a made-up id when the row is missing or malformed. */
static void
write_trace_id (CtxJsonOut *o, const char *hex, gint64 trace_id)
{
  char buf[40];
  gsize n = hex != NULL ? strlen (hex) : 0;
  gboolean valid = n == 32;

  for (gsize i = 0; valid && i < n; i++)
    valid = g_ascii_isxdigit (hex[i]);
  if (valid)
    {
      g_autofree char *lower = g_ascii_strdown (hex, -1);
      g_snprintf (buf, sizeof buf, "\"%s\"", lower);
    }
  else
    g_snprintf (buf, sizeof buf, "\"%016" G_GINT64_MODIFIER "x%016" G_GINT64_MODIFIER "x\"",
                (guint64) 0, (guint64) trace_id);
  ctx_json_out_raw (o, buf, 34);
}

static gboolean
advance (OtlpWriter *w, sqlite3_stmt **cursor, GError **error)
{
  gboolean row = FALSE;

  if (!ctx_exporter_step (w->ex, *cursor, &row, error))
    return FALSE;
  if (!row)
    g_clear_pointer (cursor, sqlite3_finalize);
  return TRUE;
}

/* Moves cursor to the first row of span_id; TRUE in *here when there is one. */
static gboolean
seek (OtlpWriter *w, sqlite3_stmt **cursor, gint64 span_id, gboolean *here, GError **error)
{
  while (*cursor != NULL && sqlite3_column_int64 (*cursor, 0) < span_id)
    if (!advance (w, cursor, error))
      return FALSE;
  *here = *cursor != NULL && sqlite3_column_int64 (*cursor, 0) == span_id;
  return TRUE;
}

static void
write_event (OtlpWriter *w)
{
  CtxJsonOut *o = &w->ex->out;
  const char *name = (const char *) sqlite3_column_text (w->events, 2);
  g_autoptr (JsonObject) attrs = parse_attrs (ctx_exporter_attrs (w->ex, w->events, 3));

  ctx_json_out_lit (o, "{\"timeUnixNano\":");
  ctx_json_out_int_string (o, sqlite3_column_int64 (w->events, 1));
  ctx_json_out_lit (o, ",\"name\":");
  ctx_json_out_string (o, name != NULL ? name : "(unnamed)", -1);
  if (attrs != NULL && json_object_get_size (attrs) > 0)
    {
      ctx_json_out_lit (o, ",\"attributes\":[");
      write_key_values (o, attrs, FALSE, 0);
      ctx_json_out_lit (o, "]");
    }
  ctx_json_out_lit (o, "}");
  w->ex->stats->events++;
}

static gboolean
write_events (OtlpWriter *w, gint64 span_id, GError **error)
{
  gboolean here = FALSE, first = TRUE;

  if (!seek (w, &w->events, span_id, &here, error))
    return FALSE;
  if (!here)
    return TRUE;
  ctx_json_out_lit (&w->ex->out, ",\"events\":[");
  while (here)
    {
      if (!first)
        ctx_json_out_lit (&w->ex->out, ",");
      first = FALSE;
      write_event (w);
      if (!advance (w, &w->events, error) || !seek (w, &w->events, span_id, &here, error))
        return FALSE;
    }
  ctx_json_out_lit (&w->ex->out, "]");
  return TRUE;
}

static gboolean
write_links (OtlpWriter *w, gint64 span_id, GError **error)
{
  CtxJsonOut *o = &w->ex->out;
  gboolean here = FALSE, first = TRUE;

  if (!seek (w, &w->links, span_id, &here, error))
    return FALSE;
  if (!here)
    return TRUE;
  ctx_json_out_lit (o, ",\"links\":[");
  while (here)
    {
      if (!first)
        ctx_json_out_lit (o, ",");
      ctx_json_out_lit (o, "{\"traceId\":");
      first = FALSE;
      write_trace_id (o, (const char *) sqlite3_column_text (w->links, 2),
                      sqlite3_column_int64 (w->links, 3));
      ctx_json_out_lit (o, ",\"spanId\":");
      write_hex_id (o, sqlite3_column_int64 (w->links, 1));
      ctx_json_out_lit (o, "}");
      if (!advance (w, &w->links, error) || !seek (w, &w->links, span_id, &here, error))
        return FALSE;
    }
  ctx_json_out_lit (o, "]");
  return TRUE;
}

static void
write_span_attributes (OtlpWriter *w, const CtxExportThread *t, JsonObject *attrs,
                       gboolean open)
{
  CtxJsonOut *o = &w->ex->out;

  ctx_json_out_lit (o, ",\"attributes\":[");
  write_int_attr (o, "thread.id", t->os_tid, FALSE);
  if (t->name != NULL)
    write_string_attr (o, "thread.name", t->name, TRUE);
  if (open)
    ctx_json_out_lit (o, ",{\"key\":\"ctxtrace.open\",\"value\":{\"boolValue\":true}}");
  if (attrs != NULL)
    write_key_values (o, attrs, TRUE, 0);
  ctx_json_out_lit (o, "]");
}

static void
write_status (CtxJsonOut *o, int status, JsonObject *attrs)
{
  const char *message = NULL;

  if (status != 1 && status != 2)
    return;
  ctx_json_out_lit (o, ",\"status\":{\"code\":");
  ctx_json_out_int (o, status);
  if (status == 2 && attrs != NULL && json_object_has_member (attrs, "exception.message"))
    {
      JsonNode *node = json_object_get_member (attrs, "exception.message");
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        message = json_node_get_string (node);
    }
  if (message != NULL && message[0] != '\0')
    {
      ctx_json_out_lit (o, ",\"message\":");
      ctx_json_out_string (o, message, -1);
    }
  ctx_json_out_lit (o, "}");
}

/* Columns: id, parent_id, thread_id, start_ns, dur_ns, status, name, attrs, hex, trace_id */
static gboolean
write_span (OtlpWriter *w, sqlite3_stmt *stmt, GError **error)
{
  CtxJsonOut *o = &w->ex->out;
  gint64 id = sqlite3_column_int64 (stmt, 0);
  const CtxExportThread *t = ctx_exporter_thread (w->ex, sqlite3_column_int64 (stmt, 2));
  gint64 start = sqlite3_column_int64 (stmt, 3);
  gboolean open = sqlite3_column_type (stmt, 4) == SQLITE_NULL;
  gint64 end = open ? MAX (w->latest_ns, start) : start + MAX (sqlite3_column_int64 (stmt, 4), 0);
  g_autoptr (JsonObject) attrs = parse_attrs (ctx_exporter_attrs (w->ex, stmt, 7));

  switch_resource (w, t->process);
  ctx_json_out_lit (o, "{\"traceId\":");
  write_trace_id (o, (const char *) sqlite3_column_text (stmt, 8), sqlite3_column_int64 (stmt, 9));
  ctx_json_out_lit (o, ",\"spanId\":");
  write_hex_id (o, id);
  if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    {
      ctx_json_out_lit (o, ",\"parentSpanId\":");
      write_hex_id (o, sqlite3_column_int64 (stmt, 1));
    }
  ctx_json_out_lit (o, ",\"name\":");
  if (!ctx_exporter_write_name (w->ex, sqlite3_column_int64 (stmt, 6), error))
    return FALSE;
  ctx_json_out_lit (o, ",\"kind\":1,\"startTimeUnixNano\":");
  ctx_json_out_int_string (o, start);
  ctx_json_out_lit (o, ",\"endTimeUnixNano\":");
  ctx_json_out_int_string (o, end);
  write_span_attributes (w, t, attrs, open);
  if (!write_events (w, id, error) || !write_links (w, id, error))
    return FALSE;
  write_status (o, sqlite3_column_int (stmt, 5), attrs);
  ctx_json_out_lit (o, "}");
  w->ex->stats->spans++;
  return TRUE;
}

static gboolean
open_cursors (OtlpWriter *w, GError **error)
{
  w->events = ctx_exporter_prepare (w->ex,
      "SELECT e.span_id, e.ts_ns, n.value, " CTX_EXPORT_ATTRS_SQL ("e.attrs")
      " FROM event e LEFT JOIN string n ON n.id = e.name_id"
      " WHERE e.span_id IS NOT NULL ORDER BY e.span_id, e.ts_ns, e.id", error);
  if (w->events == NULL)
    return FALSE;
  w->links = ctx_exporter_prepare (w->ex,
      "SELECT l.span_id, l.linked_span_id, t.hex, s.trace_id FROM link l"
      " LEFT JOIN span s ON s.id = l.linked_span_id LEFT JOIN trace t ON t.id = s.trace_id"
      " ORDER BY l.span_id, l.rowid", error);
  if (w->links == NULL)
    return FALSE;
  return advance (w, &w->events, error) && advance (w, &w->links, error);
}

static gboolean
write_spans (OtlpWriter *w, GError **error)
{
  sqlite3_stmt *stmt = ctx_exporter_prepare (w->ex,
      "SELECT s.id, s.parent_id, s.thread_id, s.start_ns, s.dur_ns, s.status, s.name_id, "
      CTX_EXPORT_ATTRS_SQL ("s.attrs") ", t.hex, s.trace_id FROM span s"
      " LEFT JOIN trace t ON t.id = s.trace_id"
      " ORDER BY s.id", error);
  gboolean row = FALSE, ok;

  if (stmt == NULL)
    return FALSE;
  while ((ok = ctx_exporter_step (w->ex, stmt, &row, error)) && row
         && (ok = write_span (w, stmt, error)))
    ;
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
ctx_export_otlp (CtxExporter *ex, GError **error)
{
  OtlpWriter w = { ex, NULL, NULL, NULL, FALSE, TRUE, 0 };
  gboolean ok;

  ctx_json_out_lit (&ex->out, "{\"resourceSpans\":[\n");
  ok = ctx_exporter_latest_ns (ex, &w.latest_ns, error) && open_cursors (&w, error)
       && write_spans (&w, error);
  if (w.in_resource)
    ctx_json_out_lit (&ex->out, "\n]}]}");
  ctx_json_out_lit (&ex->out, "\n]}\n");
  g_clear_pointer (&w.events, sqlite3_finalize);
  g_clear_pointer (&w.links, sqlite3_finalize);
  return ok;
}
