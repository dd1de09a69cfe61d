/* test-instrument: a program part built with -finstrument-functions is traced with no
 * code change: names (static functions included), counts and nesting exactly right,
 * recursion thousands deep, threads, and exits skipped by longjmp. */
#include <ctxtrace.h>

#include "ct-test.h"
#include "instrumented.h"

int
main (void)
{
  char path[300];
  snprintf (path, sizeof path, "%s/instrument.db", ct_test_tmpdir ());
  global_mid (3); /* before recording: nothing */
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  global_mid (5);
  recurse (3000);
  run_in_threads (4, 10);
  longjmp_across (20);
  global_mid (1); /* nesting is right again after the longjmp */
  ctxtrace_stop ();

  sqlite3 *db = ct_test_open (path);
  CHECK_EQ_INT (ct_test_count_named (db, "global_mid"), 1 + 4 + 1);
  CHECK_EQ_INT (ct_test_count_named (db, "static_leaf"), 5 + 4 * 10 + 1);
  CHECK_EQ_INT (ct_test_count_named (db, "recurse"), 3001);
  CHECK_EQ_INT (ct_test_count_named (db, "thread_body"), 4);
  CHECK_EQ_INT (ct_test_count_named (db, "deep_then_jump"), 21);
  CHECK_EQ_INT (ct_test_count_named (db, "jump_out"), 1);
  /* Every static_leaf is a child of a global_mid, one level down, inside it. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " JOIN string cn ON cn.id = c.name_id JOIN string pn ON pn.id ="
                                 " p.name_id WHERE cn.value = 'static_leaf' AND pn.value ="
                                 " 'global_mid' AND c.depth = p.depth + 1 AND c.start_ns >="
                                 " p.start_ns AND c.end_ns <= p.end_ns"), 5 + 40 + 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT max(depth) FROM span s JOIN string n ON n.id ="
                                 " s.name_id WHERE n.value = 'recurse'"), 3000);
  /* The frames the longjmp skipped end where it landed, marked unwound; the last
   * global_mid is a root again. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE json_extract(attrs,"
                                 " '$.\"ctxtrace.unwound\"') = 1"), 22);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span s JOIN string n ON n.id ="
                                 " s.name_id WHERE n.value = 'global_mid' AND s.depth = 0"), 1 + 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE dur_ns IS NULL"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT thread_id) FROM span"), 5);
  sqlite3_close (db);
  return ct_test_done ("test-instrument");
}
