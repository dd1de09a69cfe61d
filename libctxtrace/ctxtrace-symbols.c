/* ctxtrace-symbols.c: names for code addresses, for -finstrument-functions spans, filters
 * and stack traces.
 *
 * dladdr() finds the module of an address and its exported symbols; static functions are
 * only in the module's ELF symbol table (.symtab), which this file reads itself: a bounds-
 * checked walk over the section headers of a read-only mapping.  A library would add a
 * dependency to every program linked with libctxtrace (it depends on sqlite3 and pthreads
 * only) for the one thing needed here.  The writer thread keeps its own cache of symbol
 * tables; filters and stack traces (any thread) share one behind a lock. */
#include "ctxtrace-symbols.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  uint64_t addr;
  uint64_t size;
  const char *name;  /* into the module's string table (mapping kept) */
} sym_t;

struct ct_module
{
  char *path;        /* as opened: the loader's name, /proc/self/exe for the program */
  char *name;        /* for people: the program's real path instead of /proc/self/exe */
  void *map;
  size_t map_size;
  sym_t *syms;       /* function symbols sorted by address (file addresses) */
  size_t n_syms;
  ct_module_t *next;
};

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static ct_module_t *shared_modules;

static int
cmp_sym (const void *a, const void *b)
{
  const sym_t *x = a, *y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The function symbols of one symbol table section, appended to m->syms. */
static void
read_symtab (ct_module_t *m, const Elf64_Shdr *sh, const Elf64_Shdr *strtab)
{
  const char *base = m->map;
  if (sh->sh_entsize != sizeof (Elf64_Sym) || sh->sh_offset > m->map_size
      || sh->sh_size > m->map_size - sh->sh_offset || strtab->sh_offset > m->map_size
      || strtab->sh_size > m->map_size - strtab->sh_offset)
    return;
  const Elf64_Sym *syms = (const Elf64_Sym *) (base + sh->sh_offset);
  size_t n = sh->sh_size / sizeof (Elf64_Sym);
  sym_t *out = realloc (m->syms, (m->n_syms + n) * sizeof *out);
  if (out == NULL)
    return;
  m->syms = out;
  for (size_t i = 0; i < n; i++)
    if (ELF64_ST_TYPE (syms[i].st_info) == STT_FUNC && syms[i].st_value != 0
        && syms[i].st_shndx != SHN_UNDEF && syms[i].st_name < strtab->sh_size
        && memchr (base + strtab->sh_offset + syms[i].st_name, '\0',
                   strtab->sh_size - syms[i].st_name) != NULL)
      out[m->n_syms++] = (sym_t) { syms[i].st_value, syms[i].st_size,
                                   base + strtab->sh_offset + syms[i].st_name };
}

static void
read_elf (ct_module_t *m)
{
  const Elf64_Ehdr *eh = m->map;
  if (m->map_size < sizeof *eh || memcmp (eh->e_ident, ELFMAG, SELFMAG) != 0
      || eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof (Elf64_Shdr)
      || eh->e_shoff > m->map_size
      || (size_t) eh->e_shnum * sizeof (Elf64_Shdr) > m->map_size - eh->e_shoff)
    return;
  const Elf64_Shdr *sh = (const Elf64_Shdr *) ((const char *) m->map + eh->e_shoff);
  /* .symtab has every function; .dynsym (a subset) is used when the file is stripped. */
  for (int want = SHT_SYMTAB; want != 0; want = want == SHT_SYMTAB ? SHT_DYNSYM : 0)
    {
      for (size_t i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == (Elf64_Word) want && sh[i].sh_link < eh->e_shnum)
          read_symtab (m, &sh[i], &sh[sh[i].sh_link]);
      if (m->n_syms > 0)
        break;
    }
  qsort (m->syms, m->n_syms, sizeof *m->syms, cmp_sym);
}

static void
map_file (ct_module_t *m)
{
  struct stat st;
  int fd = open (m->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  if (fstat (fd, &st) == 0 && st.st_size > 0)
    {
      m->map = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      m->map_size = m->map == MAP_FAILED ? 0 : (size_t) st.st_size;
      if (m->map == MAP_FAILED)
        m->map = NULL;
    }
  close (fd);
}

static ct_module_t *
module_load (const char *path)
{
  ct_module_t *m = calloc (1, sizeof *m);
  char real[PATH_MAX];
  if (m == NULL || (m->path = strdup (path)) == NULL)
    {
      free (m);
      return NULL;
    }
  ssize_t n = strcmp (path, "/proc/self/exe") == 0 ? readlink (path, real, sizeof real - 1) : -1;
  if (n > 0)
    real[n] = '\0';
  m->name = strdup (n > 0 ? real : path);
  map_file (m);
  if (m->map != NULL)
    read_elf (m);
  return m;
}

/* The cached module for path, loaded on first use (NULL only when out of memory). */
static ct_module_t *
module_get (ct_module_t **modules, const char *path)
{
  ct_module_t *m = *modules;
  while (m != NULL && strcmp (m->path, path) != 0)
    m = m->next;
  if (m == NULL && (m = module_load (path)) != NULL)
    {
      m->next = *modules;
      *modules = m;
    }
  return m;
}

static const sym_t *
find_sym (const ct_module_t *m, uint64_t addr)
{
  size_t lo = 0, hi = m->n_syms;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (m->syms[mid].addr <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return NULL;
  const sym_t *s = &m->syms[lo - 1];
  return addr < s->addr + (s->size ? s->size : 1) ? s : NULL;
}

/* The program itself has an empty loader name (or argv[0]): read it through /proc. */
static const char *
module_path (const struct link_map *lm, const Dl_info *info)
{
  const char *name = lm != NULL ? lm->l_name : info->dli_fname;
  return name == NULL || name[0] == '\0' ? "/proc/self/exe" : name;
}

static int
where (const void *addr, Dl_info *info, struct link_map **lm)
{
  *lm = NULL;
  return dladdr1 (addr, info, (void **) lm, RTLD_DL_LINKMAP) != 0 && info->dli_fname != NULL
         && *lm != NULL;
}

static void
lookup_in (ct_module_t **modules, const void *addr, const Dl_info *info,
           const struct link_map *lm, ct_symbol_t *sym)
{
  ct_module_t *m = module_get (modules, module_path (lm, info));
  uint64_t file_addr = (uintptr_t) addr - lm->l_addr;
  const sym_t *s = m != NULL ? find_sym (m, file_addr) : NULL;
  sym->module = m == NULL ? info->dli_fname : m->name != NULL ? m->name : m->path;
  sym->module_offset = (uintptr_t) addr - (uintptr_t) info->dli_fbase;
  if (s != NULL)
    {
      sym->function = s->name;
      sym->function_offset = file_addr - s->addr;
    }
  else if (info->dli_sname != NULL)
    {
      sym->function = info->dli_sname;
      sym->function_offset = (uintptr_t) addr - (uintptr_t) info->dli_saddr;
    }
}

int
ct_symbol_lookup (ct_module_t **modules, const void *addr, ct_symbol_t *sym)
{
  Dl_info info;
  struct link_map *lm;
  memset (sym, 0, sizeof *sym);
  if (!where (addr, &info, &lm))
    return 0;
  lookup_in (modules, addr, &info, lm, sym);
  return 1;
}

int
ct_symbol_lookup_shared (const void *addr, ct_symbol_t *sym)
{
  Dl_info info;
  struct link_map *lm;
  memset (sym, 0, sizeof *sym);
  if (!where (addr, &info, &lm))
    return 0;
  pthread_mutex_lock (&shared_lock);
  lookup_in (&shared_modules, addr, &info, lm, sym);
  pthread_mutex_unlock (&shared_lock);
  return 1;
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash != NULL ? slash + 1 : path;
}

size_t
ct_symbolize (ct_module_t **modules, const void *addr, char *out, size_t size)
{
  ct_symbol_t s;
  if (!ct_symbol_lookup (modules, addr, &s))
    return (size_t) snprintf (out, size, "0x%llx", (unsigned long long) (uintptr_t) addr);
  if (s.function != NULL)
    return (size_t) snprintf (out, size, "%s", s.function);
  return (size_t) snprintf (out, size, "%s+0x%llx", base_name (s.module),
                            (unsigned long long) s.module_offset);
}

typedef struct
{
  ct_symbol_fn fn;
  void *data;
} foreach_t;

static int
foreach_module (struct dl_phdr_info *info, size_t size, void *data)
{
  foreach_t *it = data;
  (void) size;
  const char *path = info->dlpi_name[0] != '\0' ? info->dlpi_name : "/proc/self/exe";
  pthread_mutex_lock (&shared_lock);
  ct_module_t *m = module_get (&shared_modules, path);
  pthread_mutex_unlock (&shared_lock);
  /* A cached module never changes once loaded, and is never freed: no lock needed. */
  for (size_t i = 0; m != NULL && i < m->n_syms; i++)
    it->fn (it->data, info->dlpi_addr + m->syms[i].addr, m->syms[i].name);
  return 0;
}

void
ct_symbols_foreach_loaded (ct_symbol_fn fn, void *data)
{
  foreach_t it = { fn, data };
  dl_iterate_phdr (foreach_module, &it);
}

static void
format_frame (FILE *f, int i, const void *pc)
{
  ct_symbol_t s;
  /* A return address may be just past the end of the calling function: look up pc - 1. */
  if (!ct_symbol_lookup_shared ((const char *) pc - 1, &s))
    fprintf (f, "#%d %p", i, pc);
  else if (s.function != NULL)
    fprintf (f, "#%d %s+0x%llx (%s+0x%llx)", i, s.function,
             (unsigned long long) s.function_offset + 1, base_name (s.module),
             (unsigned long long) s.module_offset + 1);
  else
    fprintf (f, "#%d ?? (%s+0x%llx)", i, base_name (s.module),
             (unsigned long long) s.module_offset + 1);
}

char *
ct_symbols_format_stack (void *const *frames, int n)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);
  if (f == NULL)
    return NULL;
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        fputc ('\n', f);
      format_frame (f, i, frames[i]);
    }
  if (fclose (f) != 0)
    {
      free (text);
      return NULL;
    }
  return text;
}

void
ct_symbols_fork_prepare (void)
{
  pthread_mutex_lock (&shared_lock);
}

void
ct_symbols_fork_parent (void)
{
  pthread_mutex_unlock (&shared_lock);
}

void
ct_symbols_fork_child (void)
{
  pthread_mutex_unlock (&shared_lock);
}

void
ct_modules_free (ct_module_t *modules)
{
  while (modules != NULL)
    {
      ct_module_t *next = modules->next;
      if (modules->map != NULL)
        munmap (modules->map, modules->map_size);
      free (modules->syms);
      free (modules->name);
      free (modules->path);
      free (modules);
      modules = next;
    }
}
