/* ctxtrace-symbols.h: code addresses to function names (writer thread). */
#pragma once

#include <stddef.h>

#define CT_HIDDEN __attribute__ ((visibility ("hidden")))

typedef struct ct_module ct_module_t;

/* Writes the name of the function containing addr into out (NUL-terminated, truncated to
 * size): its symbol, static ones included, or "module+0xoffset".  *modules caches the
 * symbol tables read so far (start from NULL).  Returns the untruncated length. */
CT_HIDDEN size_t ct_symbolize (ct_module_t **modules, const void *addr, char *out, size_t size);
CT_HIDDEN void ct_modules_free (ct_module_t *modules);
