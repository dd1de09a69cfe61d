/* ctx-gen-trace.h: write schema-v1 trace files with plain SQLite, for tests and benches.
 *
 * Two levels: CtxGen writes rows one by one (for traces whose numbers a test computes by
 * hand), ctx_gen_trace() writes a synthetic trace of any size, and ctx_gen_bad() writes the
 * broken and hostile files a reader must survive. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _CtxGen CtxGen;

typedef struct
{
  gint64 id;          /* 0: the next id */
  gint64 parent_id;   /* 0: a root */
  gint64 thread_id;
  const char *name;
  gint64 start_ns;
  gint64 dur_ns;
  gboolean open;      /* dur_ns NULL */
  int depth;
  int status;         /* 0 unset, 1 ok, 2 error */
  const char *attrs;  /* JSON text or NULL */
} CtxGenSpan;

/* Creates path (replacing it) with the schema; rows are written in one transaction. */
CtxGen *ctx_gen_new (const char *path, GError **error);
/* Opens an existing trace for appending, in WAL mode, as a live writer would. */
CtxGen *ctx_gen_open (const char *path, GError **error);
sqlite3 *ctx_gen_get_db (CtxGen *gen);
gint64 ctx_gen_process (CtxGen *gen, gint64 pid, const char *name);
gint64 ctx_gen_thread (CtxGen *gen, gint64 process_id, gint64 tid, const char *name);
gint64 ctx_gen_string (CtxGen *gen, const char *value);
gint64 ctx_gen_span (CtxGen *gen, const CtxGenSpan *span);
gint64 ctx_gen_event (CtxGen *gen, gint64 span_id, gint64 thread_id, gint64 ts_ns,
                      const char *name, const char *attrs);
/* Runs SQL on the file (for damage a test wants to do by hand). */
gboolean ctx_gen_exec (CtxGen *gen, const char *sql, GError **error);
/* Commits; wal: leave the file in WAL mode like the library does. */
gboolean ctx_gen_close (CtxGen *gen, gboolean wal, GError **error);
/* Commits what was written so far and starts a new transaction (live-file tests). */
gboolean ctx_gen_commit (CtxGen *gen, GError **error);

typedef struct
{
  guint n_spans;
  guint n_processes;          /* default 1 */
  guint threads_per_process;  /* default 1 */
  guint fanout;               /* children per span, default 3 */
  guint max_depth;            /* default 4 */
  guint n_names;              /* distinct span names, default 50 */
  guint open_every;           /* every Nth root stays open (0: none) */
  guint error_every;          /* every Nth span has status 2 and exception attrs */
  guint attrs_every;          /* every Nth span has attrs */
  guint orphan_every;         /* every Nth root names a parent absent from the file */
  guint64 seed;
} CtxGenOptions;

/* Span ids are assigned at span begin (pre-order), times nest properly per thread.
 * Returns the number of spans written through *n_written when not NULL. */
gboolean ctx_gen_trace (const char *path, const CtxGenOptions *options, guint *n_written,
                        GError **error);

/* Bad files: "empty" (0 bytes), "text", "foreign" (another SQLite db), "newer" (schema 2),
 * "truncated", "corrupt-page", "no-span-table", "span-view", "deep-json", "invalid-json", "huge-name",
 * "many-children", "bad-times", "int64-limits". */
gboolean ctx_gen_bad (const char *path, const char *kind, GError **error);

G_END_DECLS
