/* ct-test.h: a few helpers for the library's tests (plain C: no GLib in the library's
 * world, and ThreadSanitizer runs stay free of other libraries' noise). */
#pragma once

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int ct_test_failures;

#define CHECK(cond)                                                                         \
  do                                                                                        \
    {                                                                                       \
      if (!(cond))                                                                          \
        {                                                                                   \
          fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);          \
          ct_test_failures++;                                                               \
        }                                                                                   \
    }                                                                                       \
  while (0)

#define CHECK_EQ_INT(a, b)                                                                  \
  do                                                                                        \
    {                                                                                       \
      long long a_ = (long long) (a), b_ = (long long) (b);                                 \
      if (a_ != b_)                                                                         \
        {                                                                                   \
          fprintf (stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__,  \
                   #a, a_, #b, b_);                                                         \
          ct_test_failures++;                                                               \
        }                                                                                   \
    }                                                                                       \
  while (0)

#define CHECK_EQ_STR(a, b)                                                                  \
  do                                                                                        \
    {                                                                                       \
      const char *a_ = (a), *b_ = (b);                                                      \
      if (a_ == NULL || b_ == NULL || strcmp (a_, b_) != 0)                                 \
        {                                                                                   \
          fprintf (stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__,    \
                   #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                             \
          ct_test_failures++;                                                               \
        }                                                                                   \
    }                                                                                       \
  while (0)

static inline int
ct_test_done (const char *name)
{
  if (ct_test_failures == 0)
    printf ("%s: ok\n", name);
  else
    printf ("%s: %d checks failed\n", name, ct_test_failures);
  return ct_test_failures == 0 ? 0 : 1;
}

/* A fresh temporary directory; the path is static storage. */
static inline const char *
ct_test_tmpdir (void)
{
  static char dir[256];
  const char *base = getenv ("TMPDIR");
  snprintf (dir, sizeof dir, "%s/ctxtrace-test-XXXXXX", base ? base : "/tmp");
  if (mkdtemp (dir) == NULL)
    {
      perror ("mkdtemp");
      exit (2);
    }
  return dir;
}

static inline sqlite3 *
ct_test_open (const char *path)
{
  sqlite3 *db = NULL;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      fprintf (stderr, "cannot open %s: %s\n", path, db ? sqlite3_errmsg (db) : "?");
      exit (2);
    }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* First column of the first row of sql as an integer (-1 when there is no row). */
static inline long long
ct_test_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      fprintf (stderr, "bad SQL %s: %s\n", sql, sqlite3_errmsg (db));
      ct_test_failures++;
      return -1;
    }
  if (sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  return v;
}

/* First column of the first row as text, copied into a static buffer ("" when none). */
static inline const char *
ct_test_text (sqlite3 *db, const char *sql)
{
  static char buf[70000];
  sqlite3_stmt *st = NULL;
  buf[0] = '\0';
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      fprintf (stderr, "bad SQL %s: %s\n", sql, sqlite3_errmsg (db));
      ct_test_failures++;
      return buf;
    }
  if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_text (st, 0) != NULL)
    snprintf (buf, sizeof buf, "%s", (const char *) sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  return buf;
}

/* How many spans have this name. */
static inline long long
ct_test_count_named (sqlite3 *db, const char *name)
{
  char sql[256];
  snprintf (sql, sizeof sql,
            "SELECT count(*) FROM span s JOIN string n ON n.id = s.name_id WHERE n.value = '%s'",
            name);
  return ct_test_int (db, sql);
}
