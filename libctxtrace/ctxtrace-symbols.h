/* ctxtrace-symbols.h: code addresses to function names (writer thread, filters, stack traces). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CT_HIDDEN __attribute__ ((visibility ("hidden")))

typedef struct ct_module ct_module_t;

/* What is known about a code address.  The strings live as long as the module cache that
 * answered (the shared cache below lives until the process exits). */
typedef struct
{
  const char *function;       /* NULL when no symbol covers the address */
  uintptr_t function_offset;  /* addr - start of function */
  const char *module;         /* path of the module, NULL when the address is in none */
  uintptr_t module_offset;    /* addr - load base of the module */
} ct_symbol_t;

/* Writes the name of the function containing addr into out (NUL-terminated, truncated to
 * size): its symbol, static ones included, or "module+0xoffset".  *modules caches the
 * symbol tables read so far (start from NULL).  Returns the untruncated length. */
CT_HIDDEN size_t ct_symbolize (ct_module_t **modules, const void *addr, char *out, size_t size);
CT_HIDDEN void ct_modules_free (ct_module_t *modules);

/* Fills *sym for addr from *modules.  Returns 0 when addr is in no module. */
CT_HIDDEN int ct_symbol_lookup (ct_module_t **modules, const void *addr, ct_symbol_t *sym);

/* The same from one process-wide cache, safe from any thread.  dladdr() is called outside
 * the cache's lock, so a thread inside the dynamic loader never waits for it. */
CT_HIDDEN int ct_symbol_lookup_shared (const void *addr, ct_symbol_t *sym);

/* Calls fn with the run-time address and name of every function symbol of every module
 * loaded now (static functions included), read through the shared cache. */
typedef void (*ct_symbol_fn) (void *data, uintptr_t addr, const char *name);
CT_HIDDEN void ct_symbols_foreach_loaded (ct_symbol_fn fn, void *data);

/* A text stack trace of frames (return addresses, as from backtrace()), one line per frame:
 * "#N function+0xoff (module+0xoff)"; malloc'ed, NULL when out of memory. */
CT_HIDDEN char *ct_symbols_format_stack (void *const *frames, int n);

/* Around fork(): the shared cache's lock is taken so that the child never inherits it held. */
CT_HIDDEN void ct_symbols_fork_prepare (void);
CT_HIDDEN void ct_symbols_fork_parent (void);
CT_HIDDEN void ct_symbols_fork_child (void);
