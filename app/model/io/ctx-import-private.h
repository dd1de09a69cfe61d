/* ctx-import-private.h: the Chrome importer's two halves share this.  The parser
 * (ctx-import-chrome.c) streams the JSON into compact arrays; the builder
 * (ctx-import-build.c) sorts them per thread, rebuilds nesting and writes the trace. */
#pragma once

#include "ctx-io.h"

G_BEGIN_DECLS

/* docs/schema.md limits, applied to imported data as the library applies them. */
#define CTX_IMPORT_MAX_NAME 1024
#define CTX_IMPORT_MAX_ATTRS (64 * 1024)
/* Nesting inside one event's args; JSON parsers of our readers recurse on it. */
#define CTX_IMPORT_MAX_ARGS_DEPTH 64

typedef enum
{
  CTX_ITEM_SPAN = 0,     /* sorts before instants at the same time: they nest inside */
  CTX_ITEM_INSTANT = 1,
} CtxItemKind;

/* One span or instant, 40 bytes: the whole input is held in these, never as a DOM. */
typedef struct
{
  gint64 start;   /* ns, relative to the file's time base */
  gint64 dur;     /* ns; -1 while open (B without E) */
  guint64 attrs;  /* offset + 1 into CtxImportData.attrs, 0 for none */
  guint32 thread; /* index into threads */
  guint32 name;   /* index into names */
  guint8 kind;    /* CtxItemKind */
  guint8 status;  /* 0 unset, 1 ok, 2 error */
} CtxImportItem;

typedef struct
{
  gint64 pid;
  char *name;
  guint64 truncated_values;
  guint64 rejected_attrs;
} CtxImportProcess;

typedef struct
{
  gint64 tid;
  guint32 process;  /* index into processes */
  char *name;
  GArray *open;     /* guint indices of items begun (B) and not yet ended */
} CtxImportThread;

typedef struct
{
  GArray *items;           /* CtxImportItem */
  GByteArray *attrs;       /* NUL-terminated JSON objects */
  GPtrArray *names;        /* interned span and event names */
  GHashTable *name_index;  /* name -> index + 1 */
  GArray *processes;       /* CtxImportProcess */
  GHashTable *process_index;  /* gint64 pid -> index + 1 */
  GArray *threads;         /* CtxImportThread */
  GHashTable *thread_index;   /* gint64[2] {pid, tid} -> index + 1 */
  gint64 base_ns;          /* "beginningOfTime" in ns, 0 when absent */
  CtxImportStats *stats;
} CtxImportData;

void ctx_import_data_init (CtxImportData *data, CtxImportStats *stats);
void ctx_import_data_clear (CtxImportData *data);
guint32 ctx_import_intern (CtxImportData *data, const char *name, gsize len);
guint32 ctx_import_process (CtxImportData *data, gint64 pid);
guint32 ctx_import_thread (CtxImportData *data, gint64 pid, gint64 tid);

gboolean ctx_import_build (CtxImportData *data, sqlite3 *db, const char *source_name,
                           GError **error);

G_END_DECLS
