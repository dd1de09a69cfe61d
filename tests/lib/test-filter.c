/* test-filter: CTXTRACE_FILTER and CTXTRACE_MAX_DEPTH on a program part built with
 * -finstrument-functions (instrumented.c) and a library built the same way and loaded with
 * dlopen() after recording started (filter-dl.c): names, counts and nesting exactly right
 * for keep patterns (a function and what it calls), !exclusions (a function and what it
 * calls), globs, depth limits, recursion thousands deep, threads and longjmp. */
#include <ctxtrace.h>
#include <dlfcn.h>

#include "ct-test.h"
#include "filter-jump.h"
#include "instrumented.h"

static int (*dl_entry) (int n);
static char dir[256];

static long long
max_depth_of (sqlite3 *db, const char *name)
{
  char sql[256];
  snprintf (sql, sizeof sql,
            "SELECT max(depth) FROM span s JOIN string n ON n.id = s.name_id WHERE n.value = '%s'",
            name);
  return ct_test_int (db, sql);
}

/* Spans whose parent is the named function, one level down and inside it in time. */
static long long
children_of (sqlite3 *db, const char *child, const char *parent)
{
  char sql[600];
  snprintf (sql, sizeof sql,
            "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id JOIN string cn ON"
            " cn.id = c.name_id JOIN string pn ON pn.id = p.name_id WHERE cn.value = '%s' AND"
            " pn.value = '%s' AND c.depth = p.depth + 1 AND c.start_ns >= p.start_ns AND"
            " c.end_ns <= p.end_ns",
            child, parent);
  return ct_test_int (db, sql);
}

/* Every span closed, nested in its parent one level down; roots at depth 0. */
static void
check_nesting (sqlite3 *db)
{
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE dur_ns IS NULL"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " WHERE c.depth != p.depth + 1 OR c.start_ns < p.start_ns OR"
                                 " c.end_ns > p.end_ns"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE (parent_id IS NULL) !="
                                 " (depth = 0)"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE json_extract(attrs,"
                                 " '$.\"ctxtrace.unwound\"') IS NOT NULL"), 0);
}

static void
set_env (const char *name, const char *value)
{
  if (value != NULL)
    setenv (name, value, 1);
  else
    unsetenv (name);
}

/* Records work() with the given filter and depth limit; the caller closes the result. */
static sqlite3 *
record (const char *filter, const char *depth, void (*work) (void))
{
  static int n;
  char path[300];
  snprintf (path, sizeof path, "%s/filter-%d.db", dir, n++);
  set_env ("CTXTRACE_FILTER", filter);
  set_env ("CTXTRACE_MAX_DEPTH", depth);
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  work ();
  ctxtrace_stop ();
  sqlite3 *db = ct_test_open (path);
  check_nesting (db);
  return db;
}

static void
mixed_work (void)
{
  global_mid (5);
  recurse (50);
  run_in_threads (3, 4);
  dl_entry (3);
}

static void
keep_one (void)
{
  sqlite3 *db = record ("global_mid", NULL, mixed_work);
  CHECK_EQ_INT (ct_test_count_named (db, "global_mid"), 1 + 3);
  CHECK_EQ_INT (ct_test_count_named (db, "static_leaf"), 5 + 3 * 4); /* called by a kept function */
  CHECK_EQ_INT (children_of (db, "static_leaf", "global_mid"), 5 + 3 * 4);
  CHECK_EQ_INT (ct_test_count_named (db, "recurse"), 0);
  CHECK_EQ_INT (ct_test_count_named (db, "thread_body"), 0);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_entry"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE depth = 0"), 1 + 3);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 4 + 17);
  sqlite3_close (db);
}

static void
exclude_one (void)
{
  /* No keep pattern: everything but the excluded function (and what it calls). */
  sqlite3 *db = record ("!static_leaf", NULL, mixed_work);
  CHECK_EQ_INT (ct_test_count_named (db, "global_mid"), 1 + 3);
  CHECK_EQ_INT (ct_test_count_named (db, "static_leaf"), 0);
  CHECK_EQ_INT (ct_test_count_named (db, "recurse"), 51);
  CHECK_EQ_INT (ct_test_count_named (db, "thread_body"), 3);
  CHECK_EQ_INT (children_of (db, "global_mid", "thread_body"), 3);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_entry"), 1);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_helper"), 3);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_leaf"), 3);
  sqlite3_close (db);
  /* Excluding a function leaves out what it calls; globs and spaces in the list. */
  db = record (" thread_*, !global_m?d ", NULL, mixed_work);
  CHECK_EQ_INT (ct_test_count_named (db, "thread_body"), 3);
  CHECK_EQ_INT (ct_test_count_named (db, "global_mid"), 0);
  CHECK_EQ_INT (ct_test_count_named (db, "static_leaf"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 3);
  sqlite3_close (db);
}

static void
dlopened (void)
{
  /* Now in the table built at start. */
  sqlite3 *db = record ("dl_*", NULL, mixed_work);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_entry"), 1);
  CHECK_EQ_INT (children_of (db, "dl_helper", "dl_entry"), 3); /* static, in the .so */
  CHECK_EQ_INT (children_of (db, "dl_leaf", "dl_helper"), 3);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 7);
  sqlite3_close (db);
  db = record ("dl_entry,!dl_helper", NULL, mixed_work);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_entry"), 1);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_helper"), 0);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_leaf"), 0);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 1);
  sqlite3_close (db);
}

static void
deep_work (void)
{
  recurse (3000);
  global_mid (2);
}

static void
depth_limits (void)
{
  sqlite3 *db = record (NULL, "2", mixed_work);
  CHECK_EQ_INT (ct_test_count_named (db, "recurse"), 2);
  CHECK_EQ_INT (max_depth_of (db, "recurse"), 1);
  CHECK_EQ_INT (ct_test_count_named (db, "thread_body"), 3);
  CHECK_EQ_INT (ct_test_count_named (db, "global_mid"), 1 + 3);
  CHECK_EQ_INT (ct_test_count_named (db, "static_leaf"), 5); /* depth 2 under the threads' */
  CHECK_EQ_INT (ct_test_count_named (db, "dl_helper"), 3);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_leaf"), 0);
  sqlite3_close (db);
  /* Depth counts from the kept function. */
  db = record ("recurse", "100", deep_work);
  CHECK_EQ_INT (ct_test_count_named (db, "recurse"), 100);
  CHECK_EQ_INT (max_depth_of (db, "recurse"), 99);
  CHECK_EQ_INT (children_of (db, "recurse", "recurse"), 99);
  CHECK_EQ_INT (ct_test_count_named (db, "global_mid"), 0);
  sqlite3_close (db);
  /* Recursion thousands deep under a filter: every level, exactly nested. */
  db = record ("!nothing_matches_this", NULL, deep_work);
  CHECK_EQ_INT (ct_test_count_named (db, "recurse"), 3001);
  CHECK_EQ_INT (max_depth_of (db, "recurse"), 3000);
  CHECK_EQ_INT (children_of (db, "recurse", "recurse"), 3000);
  CHECK_EQ_INT (children_of (db, "static_leaf", "global_mid"), 2);
  sqlite3_close (db);
}

static void
jump_work (void)
{
  longjmp_across (20);
  recurse (3);
  global_mid (1);
}

static void
longjmps (void)
{
  /* A kept function left by longjmp: the kept region ends with it. */
  sqlite3 *db = record ("deep_then_jump", NULL, jump_work);
  CHECK_EQ_INT (ct_test_count_named (db, "deep_then_jump"), 21);
  CHECK_EQ_INT (children_of (db, "deep_then_jump", "deep_then_jump"), 20);
  CHECK_EQ_INT (children_of (db, "jump_out", "deep_then_jump"), 1);
  CHECK_EQ_INT (ct_test_count_named (db, "recurse"), 0);
  CHECK_EQ_INT (ct_test_count_named (db, "static_leaf"), 0);
  sqlite3_close (db);
  /* An excluded function left by longjmp: recording resumes after it. */
  db = record ("!deep_then_jump", NULL, jump_work);
  CHECK_EQ_INT (ct_test_count_named (db, "longjmp_across"), 1);
  CHECK_EQ_INT (ct_test_count_named (db, "deep_then_jump"), 0);
  CHECK_EQ_INT (ct_test_count_named (db, "jump_out"), 0);
  CHECK_EQ_INT (ct_test_count_named (db, "recurse"), 4);
  CHECK_EQ_INT (children_of (db, "static_leaf", "global_mid"), 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE depth = 0"), 3);
  sqlite3_close (db);
  /* The frames a longjmp skipped end inside the function it landed in. */
  db = record ("longjmp_across", "10", jump_work);
  CHECK_EQ_INT (ct_test_count_named (db, "longjmp_across"), 1);
  CHECK_EQ_INT (ct_test_count_named (db, "deep_then_jump"), 9);
  CHECK_EQ_INT (children_of (db, "deep_then_jump", "longjmp_across"), 1);
  CHECK_EQ_INT (ct_test_count_named (db, "global_mid"), 0);
  sqlite3_close (db);
}

static void
loop_work (void)
{
  fj_loop (10);
  global_mid (1);
}

/* Steps abandoned by longjmp and called again from the same place: siblings, not nested. */
static void
recovery_loop (void)
{
  sqlite3 *db = record ("!nothing_matches_this", NULL, loop_work);
  CHECK_EQ_INT (ct_test_count_named (db, "fj_loop"), 1);
  CHECK_EQ_INT (children_of (db, "fj_step", "fj_loop"), 10);
  CHECK_EQ_INT (children_of (db, "fj_fail", "fj_step"), 10);
  CHECK_EQ_INT (children_of (db, "static_leaf", "global_mid"), 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE depth = 0"), 2);
  sqlite3_close (db);
  db = record ("fj_step", NULL, loop_work);
  CHECK_EQ_INT (ct_test_count_named (db, "fj_step"), 10);
  CHECK_EQ_INT (children_of (db, "fj_fail", "fj_step"), 10);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE depth = 0"), 10);
  CHECK_EQ_INT (ct_test_count_named (db, "global_mid"), 0);
  sqlite3_close (db);
}

static void
thread_work (void)
{
  run_in_threads (4, 5);
  global_mid (2);
}

static void
threads (void)
{
  sqlite3 *db = record ("thread_body", NULL, thread_work);
  CHECK_EQ_INT (ct_test_count_named (db, "thread_body"), 4);
  CHECK_EQ_INT (children_of (db, "global_mid", "thread_body"), 4);
  CHECK_EQ_INT (children_of (db, "static_leaf", "global_mid"), 20);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 4 + 4 + 20);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT thread_id) FROM span"), 4);
  sqlite3_close (db);
}

static void
load_and_call (void)
{
  void *dl = dlopen (FILTER_DL_PATH, RTLD_NOW);
  if (dl == NULL || (dl_entry = (int (*) (int)) dlsym (dl, "dl_entry")) == NULL)
    {
      fprintf (stderr, "cannot load %s: %s\n", FILTER_DL_PATH, dlerror ());
      exit (2);
    }
  dl_entry (3);
  global_mid (1);
}

int
main (void)
{
  snprintf (dir, sizeof dir, "%s", ct_test_tmpdir ());
  /* The library is loaded after the session's table was built: its functions are
   * resolved on their first call (the slow path), static ones included. */
  sqlite3 *db = record ("dl_*", NULL, load_and_call);
  CHECK_EQ_INT (ct_test_count_named (db, "dl_entry"), 1);
  CHECK_EQ_INT (children_of (db, "dl_helper", "dl_entry"), 3);
  CHECK_EQ_INT (children_of (db, "dl_leaf", "dl_helper"), 3);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span"), 7);
  sqlite3_close (db);
  dlopened ();
  keep_one ();
  exclude_one ();
  depth_limits ();
  longjmps ();
  recovery_loop ();
  threads ();
  return ct_test_done ("test-filter");
}
