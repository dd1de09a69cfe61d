/* ctx-cmd-merge.c: ctxtrace merge A.db B.db... -o C.db */
#include "ctx-cli.h"

#include "ctx-io.h"
#include "ctxtrace.h"

static int
run_merge (int n_inputs, char **inputs, const char *output, gboolean force)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CtxIoOutput) out = ctx_io_output_create (output, force,
      "ctxtrace merge " CTXTRACE_VERSION_STRING, &error);

  if (out == NULL)
    return ctx_cli_fail ("merge", error);
  for (int i = 0; i < n_inputs; i++)
    if (!ctx_merge_append (ctx_io_output_get_db (out), inputs[i], &error))
      return ctx_cli_fail ("merge", error);
  if (!ctx_io_output_finish (out, &error))
    return ctx_cli_fail ("merge", error);
  fprintf (stderr, "ctxtrace merge: %d traces merged into %s\n", n_inputs, output);
  return CTX_EXIT_OK;
}

int
ctx_cmd_merge (int argc, char **argv)
{
  g_autofree char *output = NULL;
  gboolean force = FALSE;
  int exit_code = CTX_EXIT_OK;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The trace file to create", "OUT.db" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "Replace OUT.db if it exists", NULL },
    { NULL },
  };

  if (!ctx_cli_parse ("merge", "FILE.db...", "Combine traces of several runs or machines "
                      "into one file.  Ids are renumbered; span names and W3C trace ids are "
                      "shared, so a trace that crossed machines becomes one trace.", entries,
                      &argc, &argv, &exit_code))
    return exit_code;
  if (output == NULL)
    return ctx_cli_usage ("merge", "-o OUT.db is required");
  if (argc < 2)
    return ctx_cli_usage ("merge", "expected at least one trace FILE.db");
  return run_merge (argc - 1, argv + 1, output, force);
}
