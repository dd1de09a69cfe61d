/* ctx-gen-trace: write a synthetic or deliberately broken trace file.
 *
 *   ctx-gen-trace OUT.db [--spans N] [--threads N] [--processes N] [--open-every N]
 *                        [--error-every N] [--attrs-every N] [--orphan-every N]
 *   ctx-gen-trace OUT.db --bad KIND
 */
#include "ctx-gen-trace.h"

int
main (int argc, char **argv)
{
  CtxGenOptions o = { .n_spans = 1000, .attrs_every = 5, .error_every = 50 };
  int spans = 1000, threads = 1, processes = 1, open_every = 0, error_every = 50;
  int attrs_every = 5, orphan_every = 0;
  g_autofree char *bad = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("OUT.db");
  GOptionEntry entries[] = {
    { "spans", 0, 0, G_OPTION_ARG_INT, &spans, "Number of spans", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads per process", "N" },
    { "processes", 0, 0, G_OPTION_ARG_INT, &processes, "Processes", "N" },
    { "open-every", 0, 0, G_OPTION_ARG_INT, &open_every, "Every Nth root left open", "N" },
    { "error-every", 0, 0, G_OPTION_ARG_INT, &error_every, "Every Nth span an error", "N" },
    { "attrs-every", 0, 0, G_OPTION_ARG_INT, &attrs_every, "Every Nth span has attrs", "N" },
    { "orphan-every", 0, 0, G_OPTION_ARG_INT, &orphan_every, "Every Nth root an orphan", "N" },
    { "bad", 0, 0, G_OPTION_ARG_STRING, &bad, "Write a broken file of this kind", "KIND" },
    { NULL },
  };
  guint written = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: ctx-gen-trace OUT.db");
      return 2;
    }
  o.n_spans = (guint) MAX (spans, 0);
  o.threads_per_process = (guint) MAX (threads, 1);
  o.n_processes = (guint) MAX (processes, 1);
  o.open_every = (guint) MAX (open_every, 0);
  o.error_every = (guint) MAX (error_every, 0);
  o.attrs_every = (guint) MAX (attrs_every, 0);
  o.orphan_every = (guint) MAX (orphan_every, 0);
  if (bad != NULL ? !ctx_gen_bad (argv[1], bad, &error)
                  : !ctx_gen_trace (argv[1], &o, &written, &error))
    {
      g_printerr ("ctx-gen-trace: %s\n", error->message);
      return 1;
    }
  return 0;
}
