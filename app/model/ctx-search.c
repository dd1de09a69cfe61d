/* ctx-search.c: span search over the model's arrays and, for attributes and SQL
 * filters, over the file through a separate hardened connection.
 *
 * A user's WHERE clause is untrusted text run against an untrusted file: it is compiled
 * on a read-only, defensive connection under an authorizer that allows reading the span
 * and string tables and calling functions, nothing else, and runs under a time limit. */
#include "ctx-search.h"

#include <string.h>

#include "ctx-trace-model-private.h"

#define DEFAULT_SQL_TIME_LIMIT_MS 10000
#define PARALLEL_MIN_SPANS 100000
#define MAX_CHUNKS 4

/* The span columns plus the name; flattened by SQLite, so `name` costs only if used. */
#define SEARCH_FROM \
  "SELECT id FROM (SELECT span.*, (SELECT value FROM string WHERE string.id = span.name_id)" \
  " AS name FROM span) WHERE "

/* The text form of attrs[key]: strings as is, true/false/null by name, numbers, objects
 * and arrays as JSON text.  json_valid first: invalid attrs just do not match. */
#define ATTR_TEXT \
  "(CASE json_type(attrs, ?1) WHEN 'text' THEN json_extract(attrs, ?1)" \
  " WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null'" \
  " ELSE CAST(json_extract(attrs, ?1) AS TEXT) END)"
#define ATTR_EQUAL "(attrs IS NOT NULL AND json_valid(attrs) AND " ATTR_TEXT " = ?2)"
#define ATTR_CONTAINS \
  "(attrs IS NOT NULL AND json_valid(attrs) AND instr(lower(" ATTR_TEXT "), lower(?2)) > 0)"

/* Keys that a JSON path cannot quote are compared through json_each. */
#define EACH_TEXT \
  "(CASE WHEN type IN ('true', 'false', 'null') THEN type ELSE CAST(value AS TEXT) END)"
#define EACH_EQUAL \
  "(attrs IS NOT NULL AND json_valid(attrs) AND EXISTS (SELECT 1 FROM json_each(attrs)" \
  " WHERE key = ?3 AND " EACH_TEXT " = ?2))"
#define EACH_CONTAINS \
  "(attrs IS NOT NULL AND json_valid(attrs) AND EXISTS (SELECT 1 FROM json_each(attrs)" \
  " WHERE key = ?3 AND instr(lower(" EACH_TEXT "), lower(?2)) > 0))"

gboolean
ctx_search_parse_attribute (const char *text, char **key, char **value, gboolean *contains,
                            GError **error)
{
  const char *op = text != NULL ? strpbrk (text, "=~") : NULL;
  g_autofree char *v = NULL;
  gsize n;

  if (op == NULL || op == text)
    {
      g_set_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_BAD_QUERY,
                   "An attribute search looks like key=value or key~text");
      return FALSE;
    }
  *key = g_strstrip (g_strndup (text, op - text));
  v = g_strstrip (g_strdup (op + 1));
  n = strlen (v);
  if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
    *value = g_strndup (v + 1, n - 2);
  else
    *value = g_steal_pointer (&v);
  *contains = *op == '~';
  return TRUE;
}

guint32
ctx_search_step (GArray *matches, guint32 span, gboolean forward)
{
  const guint32 *v = (const guint32 *) (gpointer) matches->data;
  guint lo = 0, hi = matches->len;

  if (matches->len == 0)
    return CTX_NONE;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (v[mid] < span || (forward && v[mid] == span))
        lo = mid + 1;
      else
        hi = mid;
    }
  if (forward)
    return lo < matches->len ? v[lo] : v[0];
  return lo > 0 ? v[lo - 1] : v[matches->len - 1];
}

/* ---- The SQL part */

static int
authorize (void *data, int action, const char *a, const char *b, const char *db_name,
           const char *trigger)
{
  switch (action)
    {
    case SQLITE_SELECT:
      return SQLITE_OK;
    case SQLITE_READ:
      return g_strcmp0 (a, "span") == 0 || g_strcmp0 (a, "string") == 0
             || g_strcmp0 (a, "json_each") == 0 || g_strcmp0 (a, "json_tree") == 0
             ? SQLITE_OK : SQLITE_DENY;
    case SQLITE_FUNCTION:
      return g_ascii_strcasecmp (b, "load_extension") == 0 ? SQLITE_DENY : SQLITE_OK;
    default:
      return SQLITE_DENY;
    }
}

static gboolean
is_blank (const char *tail)
{
  while (tail != NULL && g_ascii_isspace (*tail))
    tail++;
  return tail == NULL || *tail == '\0';
}

static char *
build_sql (const CtxSearchQuery *query, const char *key, gboolean contains, gboolean each)
{
  GString *sql = g_string_new (SEARCH_FROM);

  if (key != NULL && each)
    g_string_append (sql, contains ? EACH_CONTAINS : EACH_EQUAL);
  else if (key != NULL)
    g_string_append (sql, contains ? ATTR_CONTAINS : ATTR_EQUAL);
  else
    g_string_append (sql, "1");
  /* Newlines end a trailing "--" comment in the user's clause. */
  if (query->sql_where != NULL)
    g_string_append_printf (sql, " AND (\n%s\n)", query->sql_where);
  g_string_append (sql, "\nAND id > :ctx_lo AND id <= :ctx_hi ORDER BY id");
  return g_string_free (sql, FALSE);
}

static sqlite3_stmt *
prepare_user (sqlite3 *db, const char *sql, const char *path, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *tail = NULL;
  int rc;

  /* json_each declares its table when first used; do that before the authorizer (which
   * would refuse the declaration) so that filters may use it. */
  sqlite3_exec (db, "SELECT count(*) FROM json_each('{}'), json_tree('{}')", NULL, NULL, NULL);
  sqlite3_set_authorizer (db, authorize, NULL);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, &tail);
  sqlite3_set_authorizer (db, NULL, NULL);
  if (rc == SQLITE_OK && stmt != NULL && is_blank (tail))
    return stmt;
  sqlite3_finalize (stmt);
  if (rc == SQLITE_OK)
    g_set_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_BAD_QUERY,
                 "The filter must be one expression (no “;”)");
  else if (rc == SQLITE_AUTH || strstr (sqlite3_errmsg (db), "not authorized") != NULL
           || strstr (sqlite3_errmsg (db), "prohibited") != NULL)
    g_set_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_BAD_QUERY,
                 "The filter may only read span columns and call functions: %s",
                 sqlite3_errmsg (db));
  else
    g_set_error (error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_BAD_QUERY,
                 "The filter is not a valid SQL expression: %s", sqlite3_errmsg (db));
  return NULL;
}

static void
bind_attribute (sqlite3_stmt *stmt, const char *key, const char *value)
{
  g_autofree char *jpath = g_strdup_printf ("$.\"%s\"", key);

  sqlite3_bind_text (stmt, 1, jpath, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  if (sqlite3_bind_parameter_count (stmt) >= 3)
    sqlite3_bind_text (stmt, 3, key, -1, SQLITE_TRANSIENT);
}

static int
collect_ids (sqlite3_stmt *stmt, GArray *ids)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  return rc;
}

/* JSON parsing dominates attribute and SQL criteria, so large files are searched in
 * id ranges on parallel connections, like the first load. */
typedef struct
{
  const char *path;
  const CtxSearchQuery *query;
  const char *key;
  const char *value;
  gboolean contains;
  sqlite3 *db;          /* NULL: the chunk opens its own connection */
  CtxDbGuard guard;
  gint64 lo;            /* ids in (lo, hi] */
  gint64 hi;
  GArray *ids;
  GError *error;
} SearchChunk;

static void
bind_range (sqlite3_stmt *stmt, gint64 lo, gint64 hi)
{
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":ctx_lo"), lo);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":ctx_hi"), hi);
}

static gboolean
run_sql (SearchChunk *c)
{
  gboolean each = c->key != NULL && strpbrk (c->key, "\"\\") != NULL;
  g_autofree char *sql = build_sql (c->query, c->key, c->contains, each);
  sqlite3_stmt *stmt = prepare_user (c->db, sql, c->path, &c->error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (c->key != NULL)
    bind_attribute (stmt, c->key, c->value);
  bind_range (stmt, c->lo, c->hi);
  ctx_trace_db_guard_begin (c->db, &c->guard);
  rc = collect_ids (stmt, c->ids);
  ctx_trace_db_guard_end (c->db);
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if ((rc & 0xff) == SQLITE_ERROR)
    g_set_error (&c->error, CTX_TRACE_ERROR, CTX_TRACE_ERROR_BAD_QUERY,
                 "The filter failed: %s", sqlite3_errmsg (c->db));
  else
    ctx_trace_db_set_error (c->db, rc, &c->guard, c->path, &c->error);
  return FALSE;
}

static gpointer
search_chunk_run (gpointer data)
{
  SearchChunk *c = data;
  gboolean own = c->db == NULL;

  if (own && (c->db = ctx_trace_db_open (c->path, NULL, &c->error)) == NULL)
    return NULL;
  if (!run_sql (c))
    g_atomic_int_set (c->guard.stop, 1);
  if (own)
    ctx_trace_db_close (c->db);
  return NULL;
}

static guint
n_search_chunks (gint64 lo, gint64 hi)
{
  guint cores = MIN (g_get_num_processors (), MAX_CHUNKS);

  return hi - lo >= PARALLEL_MIN_SPANS && cores > 1 ? cores : 1;
}

static gboolean
run_chunks (SearchChunk *chunks, guint n, GArray *ids, GError **error)
{
  GThread *threads[MAX_CHUNKS] = { NULL };
  GError *failure = NULL;

  for (guint k = 1; k < n; k++)
    threads[k] = g_thread_new ("ctx-search", search_chunk_run, &chunks[k]);
  search_chunk_run (&chunks[0]);
  for (guint k = 1; k < n; k++)
    g_thread_join (threads[k]);
  for (guint k = 0; k < n; k++)
    {
      if (failure == NULL || g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        failure = chunks[k].error != NULL ? chunks[k].error : failure;
      g_array_append_vals (ids, chunks[k].ids->data, chunks[k].ids->len);
    }
  if (failure != NULL)
    g_propagate_error (error, g_error_copy (failure));
  for (guint k = 0; k < n; k++)
    {
      g_array_unref (chunks[k].ids);
      g_clear_error (&chunks[k].error);
    }
  return failure == NULL;
}

static gboolean
search_ranges (sqlite3 *db, const char *path, SearchChunk *proto, GArray *ids, GError **error)
{
  SearchChunk chunks[MAX_CHUNKS];
  gint64 lo = 0, hi = 0, step;
  guint n;

  if (!ctx_trace_db_query_int (db, "SELECT coalesce(min(id), 1) - 1 FROM span", path, &lo, error)
      || !ctx_trace_db_query_int (db, "SELECT coalesce(max(id), 0) FROM span", path, &hi, error))
    return FALSE;
  n = n_search_chunks (lo, hi);
  step = (hi - lo) / n;
  for (guint k = 0; k < n; k++)
    {
      chunks[k] = *proto;
      chunks[k].db = k == 0 ? db : NULL;
      chunks[k].lo = lo + step * k;
      chunks[k].hi = k + 1 == n ? hi : lo + step * (k + 1);
      chunks[k].ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  return run_chunks (chunks, n, ids, error);
}

/* Returns the file ids (sorted) matching the attribute and SQL criteria. */
static GArray *
search_file (const char *path, const CtxSearchQuery *query, GCancellable *cancellable,
             GError **error)
{
  g_autofree char *key = NULL, *value = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint limit = query->time_limit_ms != 0 ? query->time_limit_ms
                : query->sql_where != NULL ? DEFAULT_SQL_TIME_LIMIT_MS : 0;
  gint stop = 0;
  SearchChunk proto = { path, query };
  sqlite3 *db;
  gboolean ok;

  if (query->attribute != NULL
      && !ctx_search_parse_attribute (query->attribute, &key, &value, &proto.contains, error))
    return NULL;
  proto.key = key;
  proto.value = value;
  proto.guard = (CtxDbGuard) { cancellable,
                               limit != 0 ? g_get_monotonic_time () + (gint64) limit * 1000 : 0,
                               &stop };
  db = ctx_trace_db_open (path, NULL, error);
  if (db == NULL)
    return NULL;
  ok = search_ranges (db, path, &proto, ids, error);
  ctx_trace_db_close (db);
  return ok ? g_steal_pointer (&ids) : NULL;
}

/* ---- The in-memory part */

static guint8 *
match_names (CtxTraceModel *self, const char *name)
{
  guint n = self->strings->len;
  guint8 *match = g_new0 (guint8, MAX (n, 1));
  g_autofree char *needle = g_utf8_casefold (name, -1);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *hay = g_utf8_casefold (g_ptr_array_index (self->strings, i), -1);
      match[i] = strstr (hay, needle) != NULL;
    }
  return match;
}

static gboolean
span_matches (const CtxSpan *s, const CtxSearchQuery *query, const guint8 *names)
{
  if (names != NULL && !names[s->name])
    return FALSE;
  if (query->errors_only && s->status != 2)
    return FALSE;
  return query->min_duration_ns <= 0 || ctx_span_duration (s) >= query->min_duration_ns;
}

static void
filter_all (CtxTraceModel *self, const CtxSearchQuery *query, const guint8 *names,
            GArray *out, GCancellable *cancellable)
{
  for (guint32 i = 0; i < self->n_spans; i++)
    {
      if ((i & 0xfffff) == 0 && g_cancellable_is_cancelled (cancellable))
        return;
      if (span_matches (&self->spans[i], query, names))
        g_array_append_val (out, i);
    }
}

static void
filter_ids (CtxTraceModel *self, const CtxSearchQuery *query, const guint8 *names,
            GArray *ids, GArray *out)
{
  for (guint k = 0; k < ids->len; k++)
    {
      guint32 i = ctx_trace_model_find_id (self, g_array_index (ids, gint64, k));
      if (i != CTX_NONE && span_matches (&self->spans[i], query, names))
        g_array_append_val (out, i);
    }
}

GArray *
ctx_trace_model_search (CtxTraceModel *self, const CtxSearchQuery *query,
                        GCancellable *cancellable, GError **error)
{
  g_autoptr (GArray) ids = NULL;
  GArray *out;
  guint8 *names = NULL;

  g_return_val_if_fail (CTX_IS_TRACE_MODEL (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  if ((query->attribute != NULL || query->sql_where != NULL)
      && (ids = search_file (self->path, query, cancellable, error)) == NULL)
    return NULL;
  out = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_rw_lock_reader_lock (&self->lock);
  if (query->name != NULL && query->name[0] != '\0')
    names = match_names (self, query->name);
  if (ids != NULL)
    filter_ids (self, query, names, ids, out);
  else
    filter_all (self, query, names, out, cancellable);
  g_rw_lock_reader_unlock (&self->lock);
  g_free (names);
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    return out;
  g_array_unref (out);
  return NULL;
}

/* ---- Async */

typedef struct
{
  char *name;
  char *attribute;
  char *sql_where;
  CtxSearchQuery query;
} QueryCopy;

static void
query_copy_free (gpointer data)
{
  QueryCopy *copy = data;

  g_free (copy->name);
  g_free (copy->attribute);
  g_free (copy->sql_where);
  g_free (copy);
}

static QueryCopy *
query_copy (const CtxSearchQuery *query)
{
  QueryCopy *copy = g_new0 (QueryCopy, 1);

  copy->query = *query;
  copy->query.name = copy->name = g_strdup (query->name);
  copy->query.attribute = copy->attribute = g_strdup (query->attribute);
  copy->query.sql_where = copy->sql_where = g_strdup (query->sql_where);
  return copy;
}

static void
search_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  QueryCopy *copy = data;
  GError *error = NULL;
  GArray *out = ctx_trace_model_search (source, &copy->query, cancellable, &error);

  if (out == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, out, (GDestroyNotify) g_array_unref);
}

void
ctx_trace_model_search_async (CtxTraceModel *self, const CtxSearchQuery *query,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ctx_trace_model_search_async);
  g_task_set_task_data (task, query_copy (query), query_copy_free);
  g_task_run_in_thread (task, search_thread);
}

GArray *
ctx_trace_model_search_finish (CtxTraceModel *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
