/* ctxtrace-filter.c: CTXTRACE_FILTER and CTXTRACE_MAX_DEPTH.
 *
 * CTXTRACE_FILTER is a comma-separated list of function names or fnmatch(3) patterns,
 * like uftrace's -F and -N: a plain pattern keeps matching functions and everything they
 * call; "!pattern" leaves out matching functions and everything they call (exclusion wins
 * over keeping).  With no plain pattern every function is kept except the excluded ones.
 * The verdicts are per address, computed from the ELF symbol tables (static functions
 * included) when recording starts; the per-thread bookkeeping of which calls are inside a
 * kept or excluded one is in ctxtrace-instrument.c. */
#include "ctxtrace-filter.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctxtrace-symbols.h"

typedef struct
{
  char *pattern;
  int exclude;
} pattern_t;

ct_filter_t ct_filter = { .max_depth = UINT32_MAX };

/* Guards the patterns, inserts into the published table and the retired list. */
static pthread_mutex_t filter_lock = PTHREAD_MUTEX_INITIALIZER;
static pattern_t *patterns;
static size_t n_patterns;
static char *current_spec;      /* the CTXTRACE_FILTER the table was built for */
static ct_ftable_t *retired;    /* older tables, kept: a hook may still be reading one */

static ct_ftable_t *
table_new (unsigned bits)
{
  ct_ftable_t *t = calloc (1, sizeof *t + (sizeof t->slots[0] << bits));
  if (t == NULL)
    return NULL;
  t->mask = (UINT64_C (1) << bits) - 1;
  t->shift = 64 - bits;
  return t;
}

/* Adds fn unless present; the caller made sure that a free slot remains. */
static void
table_put (ct_ftable_t *t, uintptr_t fn, int verdict)
{
  for (uint64_t i = ct_ftable_hash (t, fn);; i = (i + 1) & t->mask)
    {
      uint64_t w = atomic_load_explicit (&t->slots[i], memory_order_relaxed);
      if ((w & CT_LOW_MASK) == fn && w != 0)
        {
          /* Aliases of one address: exclusion wins over keeping over neither. */
          if ((int) (w >> CT_TAG_SHIFT) < verdict)
            atomic_store_explicit (&t->slots[i], (uint64_t) verdict << CT_TAG_SHIFT | fn,
                                   memory_order_relaxed);
          return;
        }
      if (w == 0)
        {
          atomic_store_explicit (&t->slots[i], (uint64_t) verdict << CT_TAG_SHIFT | fn,
                                 memory_order_relaxed);
          t->count++;
          return;
        }
    }
}

/* A table twice as large with t's entries, or t itself if out of memory. */
static ct_ftable_t *
table_grow (ct_ftable_t *t)
{
  ct_ftable_t *bigger = table_new ((unsigned) (64 - t->shift + 1));
  if (bigger == NULL)
    return t;
  for (uint64_t i = 0; i <= t->mask; i++)
    {
      uint64_t w = atomic_load_explicit (&t->slots[i], memory_order_relaxed);
      if (w != 0)
        table_put (bigger, (uintptr_t) (w & CT_LOW_MASK), (int) (w >> CT_TAG_SHIFT));
    }
  return bigger;
}

static int
verdict_for (const char *name)
{
  int verdict = CT_VERDICT_NEUTRAL;
  for (size_t i = 0; name != NULL && i < n_patterns; i++)
    if (fnmatch (patterns[i].pattern, name, 0) == 0)
      {
        if (patterns[i].exclude)
          return CT_VERDICT_EXCLUDE;
        verdict = CT_VERDICT_KEEP;
      }
  return verdict;
}

typedef struct
{
  ct_ftable_t *table;
  int failed;
} build_t;

static void
add_symbol (void *data, uintptr_t addr, const char *name)
{
  build_t *b = data;
  if (b->failed || addr == 0 || (addr & ~CT_LOW_MASK) != 0)
    return;
  if ((b->table->count + 1) * 2 > b->table->mask + 1)
    {
      ct_ftable_t *bigger = table_grow (b->table);
      if (bigger == b->table)
        {
          b->failed = 1;
          return;
        }
      free (b->table);
      b->table = bigger;
    }
  table_put (b->table, addr, verdict_for (name));
}

/* The verdicts of every function loaded now (NULL when out of memory: then every address
 * takes the slow path once and fills a table from there). */
static ct_ftable_t *
table_build (void)
{
  build_t b = { table_new (12), 0 };
  if (b.table == NULL)
    return NULL;
  ct_symbols_foreach_loaded (add_symbol, &b);
  if (b.failed)
    {
      free (b.table);
      return NULL;
    }
  return b.table;
}

/* Makes t the table the hooks read; the previous one is retired, never freed. */
static void
publish_locked (ct_ftable_t *t)
{
  ct_ftable_t *old = atomic_load_explicit (&ct_filter.table, memory_order_relaxed);
  if (old == t)
    return;
  if (old != NULL)
    {
      old->retired_next = retired;
      retired = old;
    }
  atomic_store_explicit (&ct_filter.table, t, memory_order_release);
}

int
ct_filter_verdict_slow (uintptr_t fn)
{
  ct_symbol_t sym;
  /* The symbol lookup (which may ask the dynamic loader) runs without filter_lock. */
  ct_symbol_lookup_shared ((const void *) fn, &sym);
  pthread_mutex_lock (&filter_lock);
  int verdict = verdict_for (sym.function);
  ct_ftable_t *t = atomic_load_explicit (&ct_filter.table, memory_order_relaxed);
  if (t == NULL)
    t = table_new (10);
  else if ((t->count + 1) * 2 > t->mask + 1)
    t = table_grow (t);
  if (t != NULL && (fn & ~CT_LOW_MASK) == 0 && (t->count + 1) * 2 <= t->mask + 1)
    {
      table_put (t, fn, verdict);
      publish_locked (t);
    }
  pthread_mutex_unlock (&filter_lock);
  return verdict;
}

static void
free_patterns (pattern_t *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (list[i].pattern);
  free (list);
}

/* Splits spec at commas; spaces around each item are ignored, empty items skipped. */
static pattern_t *
parse_spec (const char *spec, size_t *n_out)
{
  size_t n = 0, cap = 1;
  for (const char *c = spec; *c != '\0'; c++)
    cap += *c == ',';
  pattern_t *list = calloc (cap, sizeof *list);
  for (const char *p = spec; list != NULL && *p != '\0';)
    {
      size_t len = strcspn (p, ",");
      const char *start = p, *end = p + len;
      p = *end == ',' ? end + 1 : end;
      while (start < end && (*start == ' ' || *start == '\t'))
        start++;
      while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
      int exclude = start < end && *start == '!';
      start += exclude;
      if (start == end)
        continue;
      list[n] = (pattern_t) { strndup (start, (size_t) (end - start)), exclude };
      if (list[n].pattern != NULL)
        n++;
    }
  *n_out = n;
  return list;
}

static uint32_t
max_depth_from_env (void)
{
  const char *text = getenv ("CTXTRACE_MAX_DEPTH");
  if (text == NULL || text[0] == '\0')
    return UINT32_MAX;
  char *end;
  unsigned long depth = strtoul (text, &end, 10);
  if (*end != '\0' || depth == 0 || text[0] == '-')
    {
      fprintf (stderr, "ctxtrace: ignoring CTXTRACE_MAX_DEPTH=%s (not a positive integer)\n",
               text);
      return UINT32_MAX;
    }
  return depth >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t) depth;
}

static int
same_spec (const char *a, const char *b)
{
  return (a == NULL || a[0] == '\0') ? (b == NULL || b[0] == '\0') : b != NULL && strcmp (a, b) == 0;
}

/* New patterns and their table; the symbol tables are read outside filter_lock. */
static void
set_spec (const char *spec)
{
  size_t n = 0;
  pattern_t *list = spec != NULL ? parse_spec (spec, &n) : NULL;
  pthread_mutex_lock (&filter_lock);
  free_patterns (patterns, n_patterns);
  patterns = list;
  n_patterns = n;
  pthread_mutex_unlock (&filter_lock);
  ct_ftable_t *t = n > 0 ? table_build () : NULL;
  pthread_mutex_lock (&filter_lock);
  publish_locked (t);
  pthread_mutex_unlock (&filter_lock);
  free (current_spec);
  current_spec = spec != NULL ? strdup (spec) : NULL;
}

void
ct_filter_configure (void)
{
  const char *spec = getenv ("CTXTRACE_FILTER");
  if (!same_spec (spec, current_spec))
    set_spec (spec);
  int keep_all = 1;
  for (size_t i = 0; i < n_patterns; i++)
    keep_all &= patterns[i].exclude;
  uint32_t depth = max_depth_from_env ();
  atomic_store_explicit (&ct_filter.has_patterns, n_patterns > 0, memory_order_relaxed);
  atomic_store_explicit (&ct_filter.keep_all, keep_all, memory_order_relaxed);
  atomic_store_explicit (&ct_filter.max_depth, depth, memory_order_relaxed);
  atomic_store_explicit (&ct_filter.on, n_patterns > 0 || depth != UINT32_MAX,
                         memory_order_relaxed);
}

void
ct_filter_fork_prepare (void)
{
  pthread_mutex_lock (&filter_lock);
  ct_symbols_fork_prepare ();
}

void
ct_filter_fork_parent (void)
{
  ct_symbols_fork_parent ();
  pthread_mutex_unlock (&filter_lock);
}

void
ct_filter_fork_child (void)
{
  ct_symbols_fork_child ();
  pthread_mutex_unlock (&filter_lock);
}
