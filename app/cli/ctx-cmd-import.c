/* ctx-cmd-import.c: ctxtrace import FILE.json -o OUT.db */
#include "ctx-cli.h"

#include <errno.h>
#include <string.h>

#include "ctx-io.h"
#include "ctxtrace.h"

static void
print_summary (const char *output, const CtxImportStats *s)
{
  fprintf (stderr, "ctxtrace import: %s: %" G_GUINT64_FORMAT " spans (%" G_GUINT64_FORMAT
           " still open), %" G_GUINT64_FORMAT " instant events\n", output, s->spans,
           s->open_spans, s->instants);
  if (s->skipped > 0)
    fprintf (stderr, "ctxtrace import: skipped %" G_GUINT64_FORMAT " events (%"
             G_GUINT64_FORMAT " of unsupported phases, %" G_GUINT64_FORMAT " invalid: "
             "missing or wrongly typed fields, E without B, not an object)\n",
             s->skipped, s->skipped_phase, s->skipped_invalid);
  if (s->truncated_names > 0 || s->rejected_attrs > 0)
    fprintf (stderr, "ctxtrace import: %" G_GUINT64_FORMAT " names cut at 1024 bytes, %"
             G_GUINT64_FORMAT " args dropped (over 64 KiB or nested too deeply)\n",
             s->truncated_names, s->rejected_attrs);
  if (s->truncated_input)
    fprintf (stderr, "ctxtrace import: warning: the input ends early; the complete events "
             "were imported\n");
}

static FILE *
open_input (const char *path, GError **error)
{
  FILE *fp;

  if (strcmp (path, "-") == 0)
    return stdin;
  fp = fopen (path, "rb");
  if (fp == NULL)
    {
      int saved = errno;
      g_set_error (error, CTX_IO_ERROR, CTX_IO_ERROR_OPEN, "%s: %s", path,
                   g_strerror (saved));
    }
  return fp;
}

static int
run_import (const char *input, const char *output, gboolean force)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxIoOutput) out = NULL;
  CtxImportStats stats;
  FILE *in = open_input (input, &error);
  gboolean ok;

  if (in == NULL)
    return ctx_cli_fail ("import", error);
  out = ctx_io_output_create (output, force, "ctxtrace import " CTXTRACE_VERSION_STRING,
                              &error);
  ok = out != NULL
       && ctx_import_chrome (in, input, ctx_io_output_get_db (out), &stats, &error)
       && ctx_io_output_finish (out, &error);
  if (in != stdin)
    fclose (in);
  if (!ok)
    return ctx_cli_fail ("import", error);
  print_summary (output, &stats);
  return CTX_EXIT_OK;
}

int
ctx_cmd_import (int argc, char **argv)
{
  g_autofree char *output = NULL;
  gboolean force = FALSE;
  int exit_code = CTX_EXIT_OK;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The trace file to create", "OUT.db" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "Replace OUT.db if it exists", NULL },
    { NULL },
  };

  if (!ctx_cli_parse ("import", "FILE.json", "Create a trace from Chrome trace event JSON "
                      "(array or object form; X, B/E, i/I and M events; args become "
                      "attributes), such as clang -ftime-trace output or a Perfetto JSON "
                      "export.  FILE.json '-' reads standard input.", entries, &argc, &argv,
                      &exit_code))
    return exit_code;
  if (output == NULL)
    return ctx_cli_usage ("import", "-o OUT.db is required");
  if (argc != 2)
    return ctx_cli_usage ("import", "expected one input FILE.json");
  return run_import (argv[1], output, force);
}
