/* ctx-cli.c: the ctxtrace command line: picks the subcommand and holds their helpers. */
#include "ctx-cli.h"

#include <errno.h>
#include <locale.h>
#include <string.h>

#include "ctx-io.h"
#include "ctxtrace.h"

static const struct
{
  const char *name;
  CtxCommandFunc func;
  const char *summary;
} commands[] = {
  { "info", ctx_cmd_info, "processes, threads, span count, time range, drops" },
  { "stats", ctx_cmd_stats, "time per span name: count, total, self" },
  { "tree", ctx_cmd_tree, "indented call tree with durations" },
  { "export", ctx_cmd_export, "write Chrome JSON, speedscope or OTLP JSON" },
  { "import", ctx_cmd_import, "read Chrome trace event JSON (and clang -ftime-trace)" },
  { "merge", ctx_cmd_merge, "combine traces into one file" },
  { "record", ctx_cmd_record, "run a program with recording on" },
};

gboolean
ctx_cli_parse (const char *command, const char *parameter, const char *summary,
               const GOptionEntry *entries, int *argc, char ***argv, int *exit_code)
{
  g_autofree char *prgname = g_strdup_printf ("ctxtrace %s", command);
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autoptr (GError) error = NULL;

  /* --help then reads "ctxtrace export [OPTION…] FILE". */
  g_set_prgname (prgname);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, TRUE);
  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  fprintf (stderr, "ctxtrace %s: %s\nTry 'ctxtrace %s --help'.\n", command, error->message,
           command);
  *exit_code = CTX_EXIT_USAGE;
  return FALSE;
}

int
ctx_cli_fail (const char *command, const GError *error)
{
  fprintf (stderr, "ctxtrace %s: %s\n", command, error->message);
  return CTX_EXIT_FAILURE;
}

int
ctx_cli_usage (const char *command, const char *message)
{
  fprintf (stderr, "ctxtrace %s: %s\nTry 'ctxtrace %s --help'.\n", command, message, command);
  return CTX_EXIT_USAGE;
}

FILE *
ctx_cli_open_output (const char *path, GError **error)
{
  FILE *fp;

  if (path == NULL || strcmp (path, "-") == 0)
    return stdout;
  fp = fopen (path, "wb");
  if (fp == NULL)
    {
      int saved = errno;
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_WRITE, "%s: %s", path,
                   g_strerror (saved));
    }
  return fp;
}

gboolean
ctx_cli_close_output (FILE *fp, const char *path, GError **error)
{
  int failed = fflush (fp) != 0 || ferror (fp);
  int saved = errno;

  if (fp != stdout && fclose (fp) != 0 && !failed)
    {
      failed = TRUE;
      saved = errno;
    }
  if (!failed)
    return TRUE;
  g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_WRITE, "%s: %s",
               path != NULL ? path : "standard output", g_strerror (saved));
  return FALSE;
}

char *
ctx_cli_format_duration (gint64 ns)
{
  double v = (double) ns;

  if (ns < 0)
    return g_strdup ("open");
  if (ns < 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " ns", ns);
  if (ns < 1000000)
    return g_strdup_printf ("%.3f us", v / 1e3);
  if (ns < G_GINT64_CONSTANT (1000000000))
    return g_strdup_printf ("%.3f ms", v / 1e6);
  return g_strdup_printf ("%.3f s", v / 1e9);
}

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: ctxtrace COMMAND [OPTION...] ARGS\n\n"
           "Read, convert and record ctxtrace trace files.\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n'ctxtrace COMMAND --help' describes a command.  FILE '-' is standard "
           "output (or input, for import).\n\nExit status: 0 success, 1 failure, 2 usage "
           "error; record exits with the program's status.\n");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_set_prgname ("ctxtrace");
  if (argc < 2)
    {
      print_usage (stderr);
      return CTX_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return CTX_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("ctxtrace %s (schema version %d)\n", CTXTRACE_VERSION_STRING,
              CTXTRACE_SCHEMA_VERSION);
      return CTX_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].func (argc - 1, argv + 1);
  fprintf (stderr, "ctxtrace: unknown command '%s'\n", argv[1]);
  print_usage (stderr);
  return CTX_EXIT_USAGE;
}
