/* test-preload: LD_PRELOAD=libctxtrace.so traces a program built with -finstrument-functions
 * that was not linked with the library (preload-prog), with a filter: names of static
 * functions, counts and nesting right. */
#include <spawn.h>
#include <sys/wait.h>

#include "ct-test.h"

extern char **environ;

int
main (int argc, char **argv)
{
  if (argc != 3)
    return 2;
  char db[300], e_db[320], e_preload[1100], e_asan[1100];
  snprintf (db, sizeof db, "%s/preload.db", ct_test_tmpdir ());
  snprintf (e_db, sizeof e_db, "CTXTRACE_DB=%s", db);
  snprintf (e_preload, sizeof e_preload, "LD_PRELOAD=%s", argv[2]);
  /* Sanitizer builds: the program links the ASan runtime itself, after the preload. */
  const char *asan = getenv ("ASAN_OPTIONS");
  snprintf (e_asan, sizeof e_asan, "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
            asan != NULL ? asan : "", asan != NULL && asan[0] != '\0' ? ":" : "");
  size_t n = 0;
  while (environ[n] != NULL)
    n++;
  const char **env = calloc (n + 8, sizeof *env);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp (environ[i], "ASAN_OPTIONS=", 13) != 0 && strncmp (environ[i], "LD_PRELOAD=", 11) != 0)
      env[k++] = environ[i];
  env[k++] = e_db;
  env[k++] = e_preload;
  env[k++] = e_asan;
  env[k++] = "CTXTRACE_FILTER=!pp_skip";
  char *child_argv[] = { argv[1], NULL };
  pid_t pid;
  int status = -1;
  CHECK_EQ_INT (posix_spawn (&pid, argv[1], NULL, NULL, child_argv, (char **) env), 0);
  waitpid (pid, &status, 0);
  free (env);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  sqlite3 *sdb = ct_test_open (db);
  CHECK_EQ_INT (ct_test_count_named (sdb, "main"), 1);
  CHECK_EQ_INT (ct_test_count_named (sdb, "pp_work"), 2);
  CHECK_EQ_INT (ct_test_count_named (sdb, "pp_leaf"), 20);
  CHECK_EQ_INT (ct_test_count_named (sdb, "pp_skip"), 0);
  CHECK_EQ_INT (ct_test_count_named (sdb, "pp_under_skip"), 0);
  CHECK_EQ_INT (ct_test_int (sdb, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                  " JOIN string cn ON cn.id = c.name_id JOIN string pn ON pn.id ="
                                  " p.name_id WHERE cn.value = 'pp_leaf' AND pn.value = 'pp_work'"
                                  " AND c.depth = p.depth + 1"), 20);
  CHECK_EQ_INT (ct_test_int (sdb, "SELECT count(DISTINCT thread_id) FROM span"), 2);
  CHECK_EQ_INT (ct_test_int (sdb, "SELECT count(*) FROM span WHERE dur_ns IS NULL"), 0);
  sqlite3_close (sdb);
  return ct_test_done ("test-preload");
}
