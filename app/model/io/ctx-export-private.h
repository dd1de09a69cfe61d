/* ctx-export-private.h: what the exporters (one file per format) share. */
#pragma once

#include "ctx-io.h"
#include "ctx-json-out.h"

G_BEGIN_DECLS

/* Selects a span's attrs as minified JSON when they are an object, '' when they are
 * something else (counted and dropped), NULL when absent. */
#define CTX_EXPORT_ATTRS_SQL(col) \
  "CASE WHEN " col " IS NULL THEN NULL WHEN json_valid(" col ") AND json_type(" col \
  ") = 'object' THEN json(" col ") ELSE '' END"

typedef struct
{
  gint64 id;      /* process.id */
  gint64 pid;
  char *name;
  char *cmdline;
  char *hostname;
} CtxExportProcess;

typedef struct
{
  gint64 pid;     /* pid as written: the OS pid, or process.id when OS pids repeat */
  gint64 tid;     /* tid as written: the OS tid, or thread.id when they repeat */
  gint64 os_tid;
  char *name;
  const CtxExportProcess *process;  /* NULL when the thread's process row is missing */
} CtxExportThread;

typedef struct
{
  sqlite3 *db;
  CtxJsonOut out;
  CtxExportStats *stats;
  GHashTable *processes;  /* gint64 process.id -> CtxExportProcess */
  GHashTable *threads;    /* gint64 thread.id -> CtxExportThread */
  gint64 base_ns;         /* earliest process start, floored to a microsecond */
  GHashTable *names;      /* gint64 string.id -> escaped JSON string (a bounded cache) */
  sqlite3_stmt *name_stmt;
} CtxExporter;

const CtxExportThread *ctx_exporter_thread (CtxExporter *ex, gint64 thread_id);
sqlite3_stmt *ctx_exporter_prepare (CtxExporter *ex, const char *sql, GError **error);
/* Steps stmt; TRUE with *row set, or FALSE with *error on failure. */
gboolean ctx_exporter_step (CtxExporter *ex, sqlite3_stmt *stmt, gboolean *row,
                            GError **error);
/* Attrs text from a CTX_EXPORT_ATTRS_SQL column: NULL when absent or dropped. */
const char *ctx_exporter_attrs (CtxExporter *ex, sqlite3_stmt *stmt, int col);
/* Writes the name with this string.id as a JSON string ("(unnamed)" if missing). */
gboolean ctx_exporter_write_name (CtxExporter *ex, gint64 name_id, GError **error);
/* The latest end or start of any span, for drawing spans that are still open. */
gboolean ctx_exporter_latest_ns (CtxExporter *ex, gint64 *latest, GError **error);

gboolean ctx_export_chrome (CtxExporter *ex, GError **error);
gboolean ctx_export_speedscope (CtxExporter *ex, GError **error);
gboolean ctx_export_otlp (CtxExporter *ex, GError **error);

G_END_DECLS
