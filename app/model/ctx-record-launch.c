/* ctx-record-launch.c: see ctx-record-launch.h. */
#define _GNU_SOURCE  /* ElfW */
#include "ctx-record-launch.h"

#include <elf.h>
#include <glib/gstdio.h>
#include <link.h>
#include <signal.h>
#include <string.h>

#ifndef CTX_PRELOAD_LIBRARY
#define CTX_PRELOAD_LIBRARY "libctxtrace.so.0"
#endif
#ifndef CTX_INSTALLED_LIBRARY
#define CTX_INSTALLED_LIBRARY "libctxtrace.so.0"
#endif
#define ELF_MAX_BYTES (512 * 1024 * 1024)

/* Copies size bytes at offset at (any alignment) into out; FALSE when they are not all
 * in the file. */
static gboolean
elf_read (const char *data, gsize size, guint64 at, gsize n, gpointer out)
{
  if (at > size || size - at < n)
    return FALSE;
  memcpy (out, data + at, n);
  return TRUE;
}

static gboolean
elf_section (const char *data, gsize size, const ElfW (Ehdr) *eh, guint i, ElfW (Shdr) *sh)
{
  guint64 at;

  if (i >= eh->e_shnum || eh->e_shentsize < sizeof *sh
      || __builtin_add_overflow ((guint64) eh->e_shoff, (guint64) i * eh->e_shentsize, &at))
    return FALSE;
  return elf_read (data, size, at, sizeof *sh, sh) && sh->sh_offset <= size
         && sh->sh_size <= size - sh->sh_offset;
}

/* An undefined name in the dynamic symbol table: the program calls a function that some
 * loaded library must provide.  Only .dynsym counts: the name also appears in the debug
 * information of any program that includes ctxtrace.h, instrumented or not. */
static gboolean
elf_imports (const char *data, gsize size, const char *name)
{
  ElfW (Ehdr) eh;
  ElfW (Shdr) sym, str;
  ElfW (Sym) s;

  if (!elf_read (data, size, 0, sizeof eh, &eh)
      || eh.e_ident[EI_CLASS] != (sizeof (void *) == 8 ? ELFCLASS64 : ELFCLASS32))
    return FALSE;
  for (guint i = 0; i < eh.e_shnum; i++)
    {
      if (!elf_section (data, size, &eh, i, &sym) || sym.sh_type != SHT_DYNSYM
          || sym.sh_entsize < sizeof s || !elf_section (data, size, &eh, sym.sh_link, &str))
        continue;
      for (guint64 k = 0; k < sym.sh_size / sym.sh_entsize; k++)
        {
          const char *n;
          gsize room;

          if (!elf_read (data, size, sym.sh_offset + k * sym.sh_entsize, sizeof s, &s))
            break;
          if (s.st_shndx != SHN_UNDEF || s.st_name >= str.sh_size)
            continue;
          n = data + str.sh_offset + s.st_name;
          room = str.sh_size - s.st_name;
          if (strnlen (n, room) == strlen (name) && strncmp (n, name, room) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

gboolean
ctx_record_is_instrumented (const char *program)
{
  g_autofree char *path = strchr (program, '/') != NULL ? g_strdup (program)
                                                        : g_find_program_in_path (program);
  g_autoptr (GMappedFile) file = path != NULL ? g_mapped_file_new (path, FALSE, NULL) : NULL;
  const char *data;
  gsize size;

  if (file == NULL)
    return FALSE;
  data = g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);
  if (size < 4 || size > ELF_MAX_BYTES || memcmp (data, "\177ELF", 4) != 0)
    return FALSE;
  /* Resolved to glibc's empty stub unless we preload ours. */
  return elf_imports (data, size, "__cyg_profile_func_enter");
}

/* The build tree's library when running uninstalled, else the installed one. */
static const char *
preload_library (void)
{
  const char *env = g_getenv ("CTXTRACE_PRELOAD_LIBRARY");

  if (env != NULL && env[0] != '\0')
    return env;
  if (g_file_test (CTX_PRELOAD_LIBRARY, G_FILE_TEST_EXISTS))
    return CTX_PRELOAD_LIBRARY;
  return CTX_INSTALLED_LIBRARY;
}

static void
add_preload (GSubprocessLauncher *launcher)
{
  const char *old = g_getenv ("LD_PRELOAD");
  g_autofree char *value = old != NULL && old[0] != '\0'
                           ? g_strdup_printf ("%s %s", preload_library (), old)
                           : g_strdup (preload_library ());

  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", value, TRUE);
}

void
ctx_record_prepare (GSubprocessLauncher *launcher, const char *output, const char *filter,
                    const char *program)
{
  g_autofree char *abs = g_canonicalize_filename (output, NULL);

  g_subprocess_launcher_setenv (launcher, "CTXTRACE_DB", abs, TRUE);
  if (filter != NULL)
    g_subprocess_launcher_setenv (launcher, "CTXTRACE_FILTER", filter, TRUE);
  if (ctx_record_is_instrumented (program))
    add_preload (launcher);
}

int
ctx_record_exit_code (GSubprocess *sp)
{
  if (g_subprocess_get_if_exited (sp))
    return g_subprocess_get_exit_status (sp);
  if (g_subprocess_get_if_signaled (sp))
    return 128 + g_subprocess_get_term_sig (sp);
  return 1;
}

char *
ctx_record_describe_exit (GSubprocess *sp)
{
  if (g_subprocess_get_if_signaled (sp))
    return g_strdup_printf ("killed by signal %d (%s)", g_subprocess_get_term_sig (sp),
                            g_strsignal (g_subprocess_get_term_sig (sp)));
  return g_strdup_printf ("exited with status %d", ctx_record_exit_code (sp));
}

void
ctx_record_remove_trace (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}
