/* ctxtrace.h: the whole public API of libctxtrace.
 *
 * Record spans (named, timed, nested calls with JSON attributes), errors and events into
 * one SQLite file, written by a background thread.  See docs/schema.md for the file.
 *
 * Every function is safe to call from any thread, before ctxtrace_start() and after
 * ctxtrace_stop() (then it does nothing), and never blocks the calling thread except
 * ctxtrace_start(), ctxtrace_flush() and ctxtrace_stop().
 *
 * Build with -DCTXTRACE_DISABLE and every CTXTRACE_* macro compiles to nothing.
 */
#ifndef CTXTRACE_H
#define CTXTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTXTRACE_VERSION_MAJOR 0
#define CTXTRACE_VERSION_MINOR 1
#define CTXTRACE_VERSION_MICRO 0
#define CTXTRACE_VERSION_STRING "0.1.0"

/* The trace file's schema version (PRAGMA user_version); see docs/schema.md. */
#define CTXTRACE_SCHEMA_VERSION 1
/* PRAGMA application_id of a trace file: ASCII "CTXT". */
#define CTXTRACE_APPLICATION_ID 0x43545854

#if defined(CTXTRACE_COMPILATION) && defined(__GNUC__)
#define CTXTRACE_API __attribute__ ((visibility ("default")))
#else
#define CTXTRACE_API
#endif

/* A span handle.  0 (CTXTRACE_NO_SPAN) means "not recording": every call accepts it and
 * does nothing.  CTXTRACE_CURRENT names the innermost open span of the calling thread. */
typedef uint64_t ctxtrace_span_t;
#define CTXTRACE_NO_SPAN ((ctxtrace_span_t) 0)
#define CTXTRACE_CURRENT ((ctxtrace_span_t) UINT64_MAX)

/* A static per-call-site descriptor: lets the hot path pass one pointer, not a string. */
typedef struct ctxtrace_site
{
  const char *name;
  const char *file;
  uint32_t line;
  uint32_t reserved;
} ctxtrace_site_t;

/* Names a span so that work handed to another thread (or process) nests under it.
 * Captured by value; valid after the span ends. */
typedef struct ctxtrace_context
{
  uint64_t key;          /* process-local capture key, 0 if none */
  uint64_t span_id;      /* remote parent span id (from a traceparent), 0 if none */
  uint8_t trace_id[16];  /* remote trace id (from a traceparent), zero if none */
} ctxtrace_context_t;

/* Counters of the current (or last) recording session in this process. */
typedef struct ctxtrace_stats
{
  uint64_t committed_spans;  /* spans written to the file */
  uint64_t dropped_spans;    /* spans lost to a full ring */
  uint64_t dropped_records;  /* ring records lost (ends, attributes, events included) */
  uint64_t rejected_attrs;   /* attributes refused: invalid JSON, too large */
  uint64_t truncated_values; /* names and values cut at the documented limits */
  uint64_t write_errors;     /* failed commits (disk full, I/O error); recording stops */
  uint64_t commit_latency_p50_ns; /* from a span's end to its commit, over recent commits */
  uint64_t commit_latency_p99_ns;
  uint64_t filtered_spans;   /* spans shorter than CTXTRACE_MIN_DURATION, not written */
  uint64_t viewer_launch_failures; /* ctxtrace_open_viewer() / CTXTRACE_VIEWER=1 failures */
} ctxtrace_stats_t;

/* ---- Recording ---------------------------------------------------------------------- */

/* Creates db_path or appends to it (another process may be writing it too) and starts
 * recording.  Returns 0, or a negative errno-style code with ctxtrace_last_error() set:
 * -EALREADY already recording, -EINVAL not a ctxtrace trace (left untouched), -EPROTO a
 * newer schema, -EACCES / -ENOENT / -EIO the file cannot be opened or written. */
CTXTRACE_API int ctxtrace_start (const char *db_path);

/* Returns once everything recorded (by any thread) before the call is committed. */
CTXTRACE_API void ctxtrace_flush (void);

/* Flushes, closes the file and stops recording.  Open spans stay open in the file. */
CTXTRACE_API void ctxtrace_stop (void);

/* True while recording. */
CTXTRACE_API bool ctxtrace_enabled (void);

/* A message for the last failure of ctxtrace_start() in this process, or "". */
CTXTRACE_API const char *ctxtrace_last_error (void);

/* Fills *stats with this process's counters. */
CTXTRACE_API void ctxtrace_get_stats (ctxtrace_stats_t *stats);

/* ---- Spans -------------------------------------------------------------------------- */

/* Begins a span named name (copied; NULL becomes "(null)"). */
CTXTRACE_API ctxtrace_span_t ctxtrace_begin (const char *name);

/* Begins a span described by a static site: no copy.  site must outlive the recording. */
CTXTRACE_API ctxtrace_span_t ctxtrace_begin_site (const ctxtrace_site_t *site);

/* Ends a span.  Spans normally end innermost first; ending an outer span first is allowed. */
CTXTRACE_API void ctxtrace_end (ctxtrace_span_t span);

/* ---- Attributes (one JSON object per span; see docs/schema.md for the key conventions) -- */

CTXTRACE_API void ctxtrace_attr_int (ctxtrace_span_t span, const char *key, int64_t value);
CTXTRACE_API void ctxtrace_attr_double (ctxtrace_span_t span, const char *key, double value);
CTXTRACE_API void ctxtrace_attr_bool (ctxtrace_span_t span, const char *key, bool value);
CTXTRACE_API void ctxtrace_attr_str (ctxtrace_span_t span, const char *key, const char *value);
/* json is JSON text (any value); invalid JSON is refused and counted. */
CTXTRACE_API void ctxtrace_attr_json (ctxtrace_span_t span, const char *key, const char *json);

/* Marks a span failed: status=2, exception.type and exception.message attributes. */
CTXTRACE_API void ctxtrace_set_error (ctxtrace_span_t span, const char *type, const char *message);

/* Like ctxtrace_set_error(), and records the calling thread's stack as the attribute
 * exception.stacktrace: one frame per line, "#N function+0xoff (module+0xoff)", innermost
 * (the caller of this function) first.  Symbolized here, in the calling thread. */
CTXTRACE_API void ctxtrace_set_error_stacktrace (ctxtrace_span_t span, const char *type,
                                                 const char *message);

/* Marks a span succeeded: status=1. */
CTXTRACE_API void ctxtrace_set_ok (ctxtrace_span_t span);

/* Records a point in time on the calling thread's current span; json_attrs may be NULL. */
CTXTRACE_API void ctxtrace_event (const char *name, const char *json_attrs);

/* ---- Context across threads --------------------------------------------------------- */

/* Captures the calling thread's current span (or attached context). */
CTXTRACE_API ctxtrace_context_t ctxtrace_context_current (void);

/* Until the matching detach, spans begun on this thread outside any other span are
 * children of ctx.  Attach/detach pairs nest. */
CTXTRACE_API void ctxtrace_context_attach (ctxtrace_context_t ctx);
CTXTRACE_API void ctxtrace_context_detach (void);

/* ---- Context across processes (W3C trace context) ------------------------------------ */

/* Buffer size for a traceparent: "00-" 32 hex "-" 16 hex "-01" and a NUL. */
#define CTXTRACE_TRACEPARENT_SIZE 56

/* Writes ctx as a traceparent; for a context captured here, waits until its span is in the
 * file (its span id is the file's span id).  0, -EINVAL (no context), -ENOENT (unknown). */
CTXTRACE_API int ctxtrace_context_to_traceparent (ctxtrace_context_t ctx, char *buf, size_t size);

/* Parses a traceparent into *ctx; 0, or -EINVAL for malformed text (then *ctx is unchanged). */
CTXTRACE_API int ctxtrace_context_from_traceparent (const char *traceparent,
                                                    ctxtrace_context_t *ctx);

/* Sets CTXTRACE_DB and CTXTRACE_TRACEPARENT (the calling thread's current span) in this
 * process's environment, so that a program spawned next records into the same file under
 * that span.  Not thread-safe against other threads' getenv (setenv never is).
 * 0, or -ENOENT when not recording. */
CTXTRACE_API int ctxtrace_export_env (void);

/* ---- Viewer ------------------------------------------------------------------------- */

/* Starts ctxtrace-viewer (CTXTRACE_VIEWER_PATH, else found on PATH) on the file being
 * recorded, detached: it never blocks the program and outlives it.  0, -ENOENT when not
 * recording or no viewer was found, another negative errno when it cannot be started
 * (then a message goes to stderr and viewer_launch_failures counts it). */
CTXTRACE_API int ctxtrace_open_viewer (void);

/* ---- Threads ------------------------------------------------------------------------ */

/* Names the calling thread in the trace (copied, 1024 bytes at most). */
CTXTRACE_API void ctxtrace_thread_name (const char *name);

/* The hooks of -finstrument-functions (see pkg-config ctxtrace-instrument): a program built
 * with that flag calls them on every function entry and exit. */
CTXTRACE_API void __cyg_profile_func_enter (void *fn, void *call_site)
  __attribute__ ((no_instrument_function));
CTXTRACE_API void __cyg_profile_func_exit (void *fn, void *call_site)
  __attribute__ ((no_instrument_function));

/* The address of a word that is nonzero while recording: the macros test it inline so
 * that a site costs a load and a predicted branch when nothing records. */
CTXTRACE_API const uint32_t *ctxtrace_recording_word (void);

/* Used by the macros; not for direct use.  Relaxed atomics: any thread may fill in the
 * (always identical) pointer, and the word changes under the program's feet. */
static const uint32_t *ctxtrace_word_;

static inline ctxtrace_span_t
ctxtrace_scope_begin_ (const ctxtrace_site_t *site)
{
  const uint32_t *word = __atomic_load_n (&ctxtrace_word_, __ATOMIC_RELAXED);
  if (__builtin_expect (word == NULL, 0))
    {
      word = ctxtrace_recording_word ();
      __atomic_store_n (&ctxtrace_word_, word, __ATOMIC_RELAXED);
    }
  if (__builtin_expect (__atomic_load_n (word, __ATOMIC_RELAXED) == 0, 1))
    return CTXTRACE_NO_SPAN;
  return ctxtrace_begin_site (site);
}

static inline void
ctxtrace_scope_end_ (ctxtrace_span_t *span)
{
  if (*span != CTXTRACE_NO_SPAN)
    ctxtrace_end (*span);
}

#ifdef __cplusplus
}
#endif

/* ---- Macros: compile to nothing with -DCTXTRACE_DISABLE --------------------------------- */

#define CTXTRACE_CONCAT_(a, b) a##b
#define CTXTRACE_CONCAT(a, b) CTXTRACE_CONCAT_ (a, b)

#ifndef CTXTRACE_DISABLE

/* Opens a span named by the string literal name, ended when the variable var leaves scope. */
#define CTXTRACE_SCOPE_VAR(var, name)                                                      \
  static const ctxtrace_site_t CTXTRACE_CONCAT (var, _site_) = { "" name "", __FILE__,   \
                                                                  __LINE__, 0 };            \
  ctxtrace_span_t var __attribute__ ((cleanup (ctxtrace_scope_end_), unused))              \
    = ctxtrace_scope_begin_ (&CTXTRACE_CONCAT (var, _site_))

/* Opens a span named by a string literal, ended at scope exit. */
#define CTXTRACE_SCOPE(name) CTXTRACE_SCOPE_VAR (CTXTRACE_CONCAT (ctxtrace_scope_, __LINE__), name)

/* Opens a span named after the enclosing function, ended at scope exit. */
#define CTXTRACE_FUNC()                                                                     \
  static const ctxtrace_site_t CTXTRACE_CONCAT (ctxtrace_fn_site_, __LINE__)               \
    = { __func__, __FILE__, __LINE__, 0 };                                                  \
  ctxtrace_span_t CTXTRACE_CONCAT (ctxtrace_fn_, __LINE__)                                 \
    __attribute__ ((cleanup (ctxtrace_scope_end_), unused))                                 \
    = ctxtrace_scope_begin_ (&CTXTRACE_CONCAT (ctxtrace_fn_site_, __LINE__))

/* Opens a span with a run-time name (copied), ended when var leaves scope. */
#define CTXTRACE_SCOPE_DYNAMIC(var, name_expr)                                              \
  ctxtrace_span_t var __attribute__ ((cleanup (ctxtrace_scope_end_), unused))              \
    = ctxtrace_begin (name_expr)

#define CTXTRACE_ATTR_INT(span, key, v) ctxtrace_attr_int ((span), (key), (v))
#define CTXTRACE_ATTR_DOUBLE(span, key, v) ctxtrace_attr_double ((span), (key), (v))
#define CTXTRACE_ATTR_BOOL(span, key, v) ctxtrace_attr_bool ((span), (key), (v))
#define CTXTRACE_ATTR_STR(span, key, v) ctxtrace_attr_str ((span), (key), (v))
#define CTXTRACE_ATTR_JSON(span, key, v) ctxtrace_attr_json ((span), (key), (v))
#define CTXTRACE_ERROR(span, type, msg) ctxtrace_set_error ((span), (type), (msg))
#define CTXTRACE_EVENT(name, json) ctxtrace_event ((name), (json))

#else /* CTXTRACE_DISABLE */

#define CTXTRACE_SCOPE_VAR(var, name)                                                      \
  const ctxtrace_span_t var __attribute__ ((unused)) = CTXTRACE_NO_SPAN
#define CTXTRACE_SCOPE(name) ((void) 0)
#define CTXTRACE_FUNC() ((void) 0)
#define CTXTRACE_SCOPE_DYNAMIC(var, name_expr)                                              \
  const ctxtrace_span_t var __attribute__ ((unused)) = CTXTRACE_NO_SPAN
#define CTXTRACE_ATTR_INT(span, key, v) ((void) 0)
#define CTXTRACE_ATTR_DOUBLE(span, key, v) ((void) 0)
#define CTXTRACE_ATTR_BOOL(span, key, v) ((void) 0)
#define CTXTRACE_ATTR_STR(span, key, v) ((void) 0)
#define CTXTRACE_ATTR_JSON(span, key, v) ((void) 0)
#define CTXTRACE_ERROR(span, type, msg) ((void) 0)
#define CTXTRACE_EVENT(name, json) ((void) 0)

#endif /* CTXTRACE_DISABLE */

#endif /* CTXTRACE_H */
