/* main.c: ctxtrace-viewer [FILE.db ...]
 *         ctxtrace-viewer --record OUT.db -- PROGRAM [ARGS...] */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ctx-application.h"

/* PROGRAM's arguments are its own, so --record is parsed here, before GApplication sees
 * (and would take them for files to open). */
static gboolean
parse_record (int   *argc,
              char **argv,
              char **path,
              char ***program)
{
  if (*argc < 2 || g_strcmp0 (argv[1], "--record") != 0)
    return TRUE;
  if (*argc < 5 || g_strcmp0 (argv[3], "--") != 0)
    {
      g_printerr ("usage: %s --record OUT.db -- PROGRAM [ARGS...]\n", argv[0]);
      return FALSE;
    }
  *path = argv[2];
  *program = argv + 4;
  *argc = 1;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CtxApplication) app = NULL;
  char *record_path = NULL, **program = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (!parse_record (&argc, argv, &record_path, &program))
    return 2;
  app = ctx_application_new ();
  if (program != NULL)
    {
      /* Its own instance: the program's lifetime is this process's. */
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
      ctx_application_set_record (app, record_path, (const char * const *) program);
    }
  return g_application_run (G_APPLICATION (app), argc, argv);
}
