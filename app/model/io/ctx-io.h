/* ctx-io.h: trace files in and out: export to other tools' formats, import Chrome trace
 * JSON, merge trace files.  Used by the ctxtrace command line (and later the viewer).
 *
 * Export streams straight from SQLite and never holds the spans in memory, so it does not
 * use the trace model.  Import and merge create new files with ctxtrace_schema_create() so
 * that the schema text exists once (libctxtrace/ctxtrace-schema.c).
 */
#pragma once

#include <stdio.h>

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define CTX_IO_ERROR (ctx_io_error_quark ())
GQuark ctx_io_error_quark (void);

typedef enum
{
  CTX_IO_ERROR_OPEN,          /* missing, unreadable or not a database */
  CTX_IO_ERROR_NOT_CTXTRACE,  /* SQLite, but not a ctxtrace trace */
  CTX_IO_ERROR_NEWER_SCHEMA,  /* written by a newer ctxtrace */
  CTX_IO_ERROR_CORRUPT,       /* malformed database, query failed */
  CTX_IO_ERROR_EXISTS,        /* the output file exists (and --force was not given) */
  CTX_IO_ERROR_WRITE,         /* writing the output failed (disk full, closed pipe) */
  CTX_IO_ERROR_PARSE,         /* input JSON that cannot be read */
} CtxIoError;

/* Opens a trace read-only on a hardened connection: SQLITE_DBCONFIG_DEFENSIVE,
 * trusted_schema=OFF, length limits.  Refuses other databases and newer schemas. */
sqlite3 *ctx_io_open_trace (const char *path, GError **error);

/* Output files are built under a temporary name and renamed into place on success, so
 * a failed import or merge never leaves a half-written trace behind. */
typedef struct _CtxIoOutput CtxIoOutput;

CtxIoOutput *ctx_io_output_create (const char *path, gboolean force, const char *created_by,
                                   GError **error);
sqlite3 *ctx_io_output_get_db (CtxIoOutput *out);
/* Commits, switches the file to WAL mode (docs/schema.md) and renames it into place. */
gboolean ctx_io_output_finish (CtxIoOutput *out, GError **error);
/* Drops the temporary file; safe after a failed or successful finish. */
void ctx_io_output_free (CtxIoOutput *out);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxIoOutput, ctx_io_output_free)

/* Sets *error from the connection's last message; always returns FALSE. */
gboolean ctx_io_sql_error (sqlite3 *db, const char *what, GError **error);

/* ---- Export -------------------------------------------------------------------------- */

typedef enum
{
  CTX_EXPORT_CHROME,      /* Chrome trace event JSON (object form) */
  CTX_EXPORT_SPEEDSCOPE,  /* speedscope file format, one evented profile per thread */
  CTX_EXPORT_OTLP,        /* OTLP/JSON ExportTraceServiceRequest */
} CtxExportFormat;

gboolean ctx_export_format_from_string (const char *name, CtxExportFormat *format);

typedef struct
{
  guint64 spans;          /* spans written */
  guint64 events;         /* events written */
  guint64 bad_attrs;      /* attrs that were not a JSON object, dropped */
} CtxExportStats;

/* Writes the trace open on db to out (buffered by the caller or not). */
gboolean ctx_export (sqlite3 *db, CtxExportFormat format, FILE *out, CtxExportStats *stats,
                     GError **error);

/* ---- Import -------------------------------------------------------------------------- */

typedef struct
{
  guint64 spans;             /* spans written (X, and B/E pairs) */
  guint64 open_spans;        /* B without E: imported as still open */
  guint64 instants;          /* i/I events written */
  guint64 metadata;          /* M events used */
  guint64 skipped;           /* events skipped, all reasons */
  guint64 skipped_phase;     /* ... unknown or unsupported phase */
  guint64 skipped_invalid;   /* ... missing or wrongly typed fields, E without B */
  guint64 truncated_names;   /* names cut at 1024 bytes */
  guint64 rejected_attrs;    /* args dropped: too large or too deep */
  gboolean truncated_input;  /* the input ended early; complete events were kept */
} CtxImportStats;

/* Reads Chrome trace event JSON (array or object form, clang -ftime-trace) from in. */
gboolean ctx_import_chrome (FILE *in, const char *source_name, sqlite3 *db,
                            CtxImportStats *stats, GError **error);
/* Same, from memory (used by the fuzz target). */
gboolean ctx_import_chrome_data (const guint8 *data, gsize len, sqlite3 *db,
                                 CtxImportStats *stats, GError **error);

/* ---- Merge --------------------------------------------------------------------------- */

/* Appends the trace at path to db, remapping every id past those already in db.  Names
 * and distributed trace ids are shared, not duplicated. */
gboolean ctx_merge_append (sqlite3 *db, const char *path, GError **error);

G_END_DECLS
