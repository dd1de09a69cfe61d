/* ctx-record-launch.c: see ctx-record-launch.h. */
#define _GNU_SOURCE  /* memmem */
#include "ctx-record-launch.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#ifndef CTX_PRELOAD_LIBRARY
#define CTX_PRELOAD_LIBRARY "libctxtrace.so.0"
#endif
#ifndef CTX_INSTALLED_LIBRARY
#define CTX_INSTALLED_LIBRARY "libctxtrace.so.0"
#endif
#define ELF_MAX_BYTES (512 * 1024 * 1024)

gboolean
ctx_record_is_instrumented (const char *program)
{
  g_autofree char *path = strchr (program, '/') != NULL ? g_strdup (program)
                                                        : g_find_program_in_path (program);
  g_autoptr (GMappedFile) file = path != NULL ? g_mapped_file_new (path, FALSE, NULL) : NULL;
  static const char symbol[] = "__cyg_profile_func_enter";
  const char *data;
  gsize size;

  if (file == NULL)
    return FALSE;
  data = g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);
  if (size < 4 || size > ELF_MAX_BYTES || memcmp (data, "\177ELF", 4) != 0)
    return FALSE;
  /* The name is in the dynamic string table (resolved to glibc's empty stub unless we
   * preload ours); sizeof includes the NUL that ends it there. */
  return memmem (data, size, symbol, sizeof symbol) != NULL;
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
