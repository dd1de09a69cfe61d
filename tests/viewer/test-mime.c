/* test-mime.c: the shared-mime-info rule recognises a trace by its content (the SQLite
 * header's application_id), and leaves other SQLite files alone. */
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ctx-gen-trace.h"

static char *tmpdir;

static void
install_mime_rule (void)
{
  g_autofree char *packages = g_build_filename (tmpdir, "mime", "packages", NULL);
  g_autofree char *target = g_build_filename (packages, "ctxtrace.xml", NULL);
  g_autofree char *xml = NULL;
  g_autofree char *mime_dir = g_build_filename (tmpdir, "mime", NULL);
  const char *argv[] = { g_getenv ("CTX_UPDATE_MIME"), mime_dir, NULL };
  int status;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (g_getenv ("CTX_MIME_XML"), &xml, NULL, NULL));
  g_assert_cmpint (g_mkdir_with_parents (packages, 0700), ==, 0);
  g_assert_true (g_file_set_contents (target, xml, -1, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static char *
guess (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_content_type_guess (NULL, (const guchar *) data, MIN (len, 4096), NULL);
}

static void
test_trace_recognised (void)
{
  g_autofree char *trace = g_build_filename (tmpdir, "a.bin", NULL);
  g_autofree char *foreign = g_build_filename (tmpdir, "b.bin", NULL);
  CtxGenOptions options = { .n_spans = 10 };
  g_autoptr(GError) error = NULL;
  g_autofree char *t1 = NULL, *t2 = NULL;

  g_assert_true (ctx_gen_trace (trace, &options, NULL, &error));
  g_assert_true (ctx_gen_bad (foreign, "foreign", &error));
  t1 = guess (trace);
  t2 = guess (foreign);
  g_assert_cmpstr (t1, ==, "application/x-ctxtrace-trace");
  g_assert_cmpstr (t2, !=, "application/x-ctxtrace-trace");
  g_assert_true (g_content_type_is_a (t1, "application/vnd.sqlite3"));
}

static void
cleanup (const char *path)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", path);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
}

int
main (int argc, char *argv[])
{
  int ret;

  tmpdir = g_dir_make_tmp ("ctx-mime-XXXXXX", NULL);
  /* Before GIO reads the MIME database: ours first, the system's for the base types. */
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);
  g_setenv ("XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
  g_test_init (&argc, &argv, NULL);
  install_mime_rule ();
  g_test_add_func ("/mime/trace-recognised", test_trace_recognised);
  ret = g_test_run ();
  cleanup (tmpdir);
  g_free (tmpdir);
  return ret;
}
