/* test-record-launch: which programs `--record` preloads libctxtrace into, and the
 * environment it gives them.  A program is instrumented when its dynamic symbol table
 * imports __cyg_profile_func_enter; the name elsewhere in the file (a string, the debug
 * information of any program that includes ctxtrace.h) does not count. */
#define _GNU_SOURCE  /* memmem */
#include <glib/gstdio.h>
#include <string.h>

#include "ctx-record-launch.h"

static const char *self_exe;

/* This very string is in our .rodata, and our debug information may name the hook. */
static const char hook_name[] = "__cyg_profile_func_enter";

static const char *
instrumented_program (void)
{
  const char *path = g_getenv ("CTX_INSTRUMENTED_PROG");

  g_assert_nonnull (path);
  return path;
}

static void
test_instrumented (void)
{
  g_assert_true (ctx_record_is_instrumented (instrumented_program ()));
}

static void
test_mentions_only (void)
{
  g_autofree char *data = NULL;
  gsize size = 0;

  /* The file holds the name, but nothing imports it. */
  g_assert_true (g_file_get_contents (self_exe, &data, &size, NULL));
  g_assert_nonnull (memmem (data, size, hook_name, sizeof hook_name));
  g_assert_false (ctx_record_is_instrumented (self_exe));
  g_assert_false (ctx_record_is_instrumented ("sh"));  /* looked up in PATH */
  g_assert_false (ctx_record_is_instrumented ("/nonexistent/program"));
}

static char *
write_temp (const char *name, const char *data, gsize size)
{
  g_autofree char *dir = g_dir_make_tmp ("ctx-record-XXXXXX", NULL);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, (gssize) size, NULL));
  return path;
}

static void
remove_temp (char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
}

/* Truncated and damaged copies of an instrumented program: no crash, no false answer. */
static void
test_damaged (void)
{
  g_autofree char *data = NULL;
  gsize size = 0;
  char *path;

  g_assert_true (g_file_get_contents (instrumented_program (), &data, &size, NULL));
  g_assert_cmpuint (size, >, 4096);
  for (gsize cut = 0; cut < 128; cut += 7)
    {
      path = write_temp ("cut", data, cut);
      g_assert_false (ctx_record_is_instrumented (path));
      remove_temp (path);
    }
  /* Section headers placed past the end of the file. */
  {
    g_autofree char *bad = g_memdup2 (data, size);
    guint64 far = G_MAXUINT64 - 16;

    memcpy (bad + (sizeof (void *) == 8 ? 0x28 : 0x20), &far, sizeof (void *));
    path = write_temp ("bad-shoff", bad, size);
    g_assert_false (ctx_record_is_instrumented (path));
    remove_temp (path);
  }
  path = write_temp ("text", hook_name, sizeof hook_name);
  g_assert_false (ctx_record_is_instrumented (path));
  remove_temp (path);
}

static void
test_prepare (void)
{
  g_autoptr (GSubprocessLauncher) plain = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GSubprocessLauncher) inst = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *abs = g_build_filename (cwd, "out.db", NULL);
  const char *preload;

  g_subprocess_launcher_unsetenv (plain, "LD_PRELOAD");
  ctx_record_prepare (plain, "out.db", NULL, self_exe);
  g_assert_cmpstr (g_subprocess_launcher_getenv (plain, "CTXTRACE_DB"), ==, abs);
  g_assert_null (g_subprocess_launcher_getenv (plain, "LD_PRELOAD"));
  g_assert_null (g_subprocess_launcher_getenv (plain, "CTXTRACE_FILTER"));

  ctx_record_prepare (inst, "out.db", "main", instrumented_program ());
  g_assert_cmpstr (g_subprocess_launcher_getenv (inst, "CTXTRACE_FILTER"), ==, "main");
  preload = g_subprocess_launcher_getenv (inst, "LD_PRELOAD");
  g_assert_nonnull (preload);
  g_assert_nonnull (strstr (preload, "libctxtrace.so"));
}

int
main (int argc, char **argv)
{
  self_exe = argv[0];
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record/instrumented", test_instrumented);
  g_test_add_func ("/record/mentions-only", test_mentions_only);
  g_test_add_func ("/record/damaged", test_damaged);
  g_test_add_func ("/record/prepare", test_prepare);
  return g_test_run ();
}
