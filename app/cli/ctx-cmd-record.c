/* ctx-cmd-record.c: ctxtrace record -o OUT.db [--filter F] -- PROGRAM ARGS...
 *
 * Runs PROGRAM with recording turned on through the environment that libctxtrace reads
 * when it starts, waits for it, prints a summary on stderr (stdout belongs to PROGRAM)
 * and exits with PROGRAM's status (128 + signal when it was killed).
 */
#include "ctx-cli.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>

#include "ctx-io.h"
#include "ctx-record-launch.h"

#define EXIT_NOT_FOUND 127
#define EXIT_CANNOT_RUN 126

typedef struct
{
  char *output;
  char *filter;
  gboolean force;
} RecordOptions;

static void
print_summary (const char *output, const char *program, int code)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = g_file_test (output, G_FILE_TEST_EXISTS) ? ctx_io_open_trace (output, &error)
                                                          : NULL;
  sqlite3_stmt *stmt = NULL;

  if (db != NULL && sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM span),"
                                        " (SELECT count(*) FROM process),"
                                        " (SELECT ifnull(sum(dropped_spans), 0) FROM process)",
                                        -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    fprintf (stderr, "ctxtrace record: %s: %lld spans from %lld processes, %lld dropped\n",
             output, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
             sqlite3_column_int64 (stmt, 2));
  else if (error != NULL)
    fprintf (stderr, "ctxtrace record: %s\n", error->message);
  else
    fprintf (stderr, "ctxtrace record: no trace was written to %s (is %s linked with "
             "libctxtrace?)\n", output, program);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  fprintf (stderr, "ctxtrace record: %s exited with status %d\n", program, code);
}

static int
spawn_failed (const char *program, GError *error)
{
  fprintf (stderr, "ctxtrace record: %s: %s\n", program, error->message);
  return g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT) ? EXIT_NOT_FOUND
                                                                     : EXIT_CANNOT_RUN;
}

static int
run_record (const RecordOptions *opts, char **program_argv)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_autoptr (GSubprocess) sp = NULL;
  g_autoptr (GError) error = NULL;
  int code;

  ctx_record_prepare (launcher, opts->output, opts->filter, program_argv[0]);
  sp = g_subprocess_launcher_spawnv (launcher, (const char *const *) program_argv, &error);
  if (sp == NULL)
    return spawn_failed (program_argv[0], error);
  /* Ctrl-C reaches PROGRAM too; we stay to report how it ended. */
  signal (SIGINT, SIG_IGN);
  signal (SIGQUIT, SIG_IGN);
  if (!g_subprocess_wait (sp, NULL, &error))
    return ctx_cli_fail ("record", error);
  code = ctx_record_exit_code (sp);
  print_summary (opts->output, program_argv[0], code);
  return code;
}

static gboolean
parse (int *argc, char ***argv, RecordOptions *opts, int *exit_code)
{
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opts->output, "The trace file to write",
      "OUT.db" },
    { "filter", 0, 0, G_OPTION_ARG_STRING, &opts->filter, "Only record functions matching "
      "FILTER (passed as CTXTRACE_FILTER)", "FILTER" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &opts->force, "Replace OUT.db if it exists", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("-o OUT.db -- PROGRAM [ARGS...]");
  g_autoptr (GError) error = NULL;

  g_set_prgname ("ctxtrace record");
  g_option_context_set_summary (context, "Run PROGRAM with recording on (CTXTRACE_DB set), "
                                "print a summary, exit with PROGRAM's status.");
  g_option_context_add_main_entries (context, entries, NULL);
  /* Options after PROGRAM are PROGRAM's. */
  g_option_context_set_strict_posix (context, TRUE);
  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  *exit_code = ctx_cli_usage ("record", error->message);
  return FALSE;
}

int
ctx_cmd_record (int argc, char **argv)
{
  RecordOptions opts = { NULL, NULL, FALSE };
  int exit_code = CTX_EXIT_OK, first = 1;

  if (!parse (&argc, &argv, &opts, &exit_code))
    goto out;
  if (argc > 1 && g_strcmp0 (argv[1], "--") == 0)
    first = 2;
  if (opts.output == NULL)
    exit_code = ctx_cli_usage ("record", "-o OUT.db is required");
  else if (argc <= first)
    exit_code = ctx_cli_usage ("record", "expected a PROGRAM to run");
  else if (!opts.force && g_file_test (opts.output, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "ctxtrace record: %s exists (use --force to replace it)\n", opts.output);
      exit_code = CTX_EXIT_FAILURE;
    }
  else
    {
      ctx_record_remove_trace (opts.output);
      exit_code = run_record (&opts, argv + first);
    }
out:
  g_free (opts.output);
  g_free (opts.filter);
  return exit_code;
}
