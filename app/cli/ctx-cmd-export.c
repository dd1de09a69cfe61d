/* ctx-cmd-export.c: ctxtrace export --format chrome|speedscope|otlp FILE [-o OUT] */
#include "ctx-cli.h"

#include <glib/gstdio.h>

#include "ctx-io.h"

/* Opening OUT truncates it: it must not be the trace being read. */
static gboolean
same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;

  return b != NULL && g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0 && sa.st_dev == sb.st_dev
         && sa.st_ino == sb.st_ino;
}

static int
run_export (const char *input, CtxExportFormat format, const char *output)
{
  g_autoptr (GError) error = NULL;
  CtxExportStats stats;
  sqlite3 *db = ctx_io_open_trace (input, &error);
  FILE *fp;
  gboolean ok;

  if (db == NULL)
    return ctx_cli_fail ("export", error);
  if (same_file (input, output))
    {
      sqlite3_close (db);
      fprintf (stderr, "ctxtrace export: %s is the trace being exported\n", output);
      return CTX_EXIT_USAGE;
    }
  fp = ctx_cli_open_output (output, &error);
  if (fp == NULL)
    {
      sqlite3_close (db);
      return ctx_cli_fail ("export", error);
    }
  ok = ctx_export (db, format, fp, &stats, &error);
  ok = ctx_cli_close_output (fp, output, ok ? &error : NULL) && ok;
  sqlite3_close (db);
  if (!ok && fp != stdout)
    g_unlink (output);  /* no half-written file that looks like an export */
  if (!ok)
    return ctx_cli_fail ("export", error);
  if (stats.bad_attrs > 0)
    fprintf (stderr, "ctxtrace export: %" G_GUINT64_FORMAT " attribute values that were not "
             "JSON objects were left out\n", stats.bad_attrs);
  return CTX_EXIT_OK;
}

int
ctx_cmd_export (int argc, char **argv)
{
  g_autofree char *format_name = NULL;
  g_autofree char *output = NULL;
  int exit_code = CTX_EXIT_OK;
  CtxExportFormat format;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      "chrome (Perfetto, about:tracing), speedscope, or otlp (OTLP/JSON)", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to OUT ('-': stdout, the "
      "default)", "OUT" },
    { NULL },
  };

  if (!ctx_cli_parse ("export", "FILE", "Convert a trace for other tools, streaming: any "
                      "size of trace is exported in little memory.", entries, &argc, &argv,
                      &exit_code))
    return exit_code;
  if (format_name == NULL)
    return ctx_cli_usage ("export", "--format is required (chrome, speedscope or otlp)");
  if (!ctx_export_format_from_string (format_name, &format))
    return ctx_cli_usage ("export", "unknown format (use chrome, speedscope or otlp)");
  if (argc != 2)
    return ctx_cli_usage ("export", "expected one trace FILE");
  return run_export (argv[1], format, output);
}
