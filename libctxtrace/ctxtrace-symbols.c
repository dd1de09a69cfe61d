/* ctxtrace-symbols.c: names for code addresses, for -finstrument-functions spans.
 *
 * dladdr() finds the module of an address and its exported symbols; static functions are
 * only in the module's ELF symbol table (.symtab), which this file reads itself: a bounds-
 * checked walk over the section headers of a read-only mapping.  A library would add a
 * dependency to every program linked with libctxtrace (it depends on sqlite3 and pthreads
 * only) for the one thing needed here.  Runs in the writer thread; results are cached by
 * the caller, tables per module here. */
#include "ctxtrace-symbols.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
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
  char *path;
  void *map;
  size_t map_size;
  int relative;      /* ET_DYN: symbol values are offsets from the load base */
  sym_t *syms;       /* function symbols sorted by address */
  size_t n_syms;
  ct_module_t *next;
};

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
        && syms[i].st_name < strtab->sh_size
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
  m->relative = eh->e_type == ET_DYN;
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

static ct_module_t *
module_load (const char *path)
{
  ct_module_t *m = calloc (1, sizeof *m);
  struct stat st;
  if (m == NULL || (m->path = strdup (path)) == NULL)
    {
      free (m);
      return NULL;
    }
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && fstat (fd, &st) == 0 && st.st_size > 0)
    {
      m->map = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      m->map_size = m->map == MAP_FAILED ? 0 : (size_t) st.st_size;
      if (m->map == MAP_FAILED)
        m->map = NULL;
    }
  if (fd >= 0)
    close (fd);
  if (m->map != NULL)
    read_elf (m);
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

size_t
ct_symbolize (ct_module_t **modules, const void *addr, char *out, size_t size)
{
  Dl_info info;
  if (dladdr (addr, &info) == 0 || info.dli_fname == NULL)
    return (size_t) snprintf (out, size, "0x%llx", (unsigned long long) (uintptr_t) addr);
  /* The main program's name may be relative (argv[0]) or empty: read it through /proc. */
  const char *path = info.dli_fname[0] == '/' ? info.dli_fname : "/proc/self/exe";
  ct_module_t *m = *modules;
  while (m != NULL && strcmp (m->path, path) != 0)
    m = m->next;
  if (m == NULL && (m = module_load (path)) != NULL)
    {
      m->next = *modules;
      *modules = m;
    }
  uint64_t offset = (uintptr_t) addr - (uintptr_t) info.dli_fbase;
  const sym_t *s = m != NULL ? find_sym (m, m->relative ? offset : (uintptr_t) addr) : NULL;
  if (s != NULL)
    return (size_t) snprintf (out, size, "%s", s->name);
  if (info.dli_sname != NULL)
    return (size_t) snprintf (out, size, "%s", info.dli_sname);
  const char *slash = strrchr (info.dli_fname, '/');
  return (size_t) snprintf (out, size, "%s+0x%llx", slash ? slash + 1 : info.dli_fname,
                            (unsigned long long) offset);
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
      free (modules->path);
      free (modules);
      modules = next;
    }
}
