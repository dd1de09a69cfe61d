/* test-schema: the schema the library creates is the one docs/schema.md documents, and
 * every example query of the documentation runs on a real trace. */
#include <ctxtrace.h>
#include <ctype.h>

#include "ct-test.h"
#include "ctxtrace-schema.h"

/* Keeps only CREATE statements, with runs of white space folded to one space. */
static void
normalize (const char *in, char *out, size_t size)
{
  size_t n = 0;
  const char *p = strstr (in, "CREATE TABLE");
  int space = 0;
  for (; p != NULL && *p != '\0' && strncmp (p, "```", 3) != 0 && n + 2 < size; p++)
    {
      if (isspace ((unsigned char) *p))
        space = 1;
      else
        {
          if (space && n > 0 && out[n - 1] != '(')
            out[n++] = ' ';
          space = 0;
          out[n++] = *p;
        }
    }
  out[n] = '\0';
}

/* Records a little of everything, then runs each ```sql block of the examples. */
static void
run_examples (const char *doc)
{
  char path[300];
  snprintf (path, sizeof path, "%s/examples.db", ct_test_tmpdir ());
  CHECK_EQ_INT (ctxtrace_start (path), 0);
  {
    CTXTRACE_SCOPE_VAR (s, "call");
    ctxtrace_attr_str (s, "args.model", "x");
    CTXTRACE_SCOPE_VAR (f, "fails");
    ctxtrace_set_error (f, "E", "broken");
  }
  ctxtrace_stop ();
  sqlite3 *db = ct_test_open (path);
  const char *p = strstr (doc, "## Example queries");
  const char *end = strstr (doc, "## The schema as SQL");
  int n = 0;
  while (p != NULL && (p = strstr (p, "```sql\n")) != NULL && p < end)
    {
      p += 7;
      const char *close = strstr (p, "```");
      char *sql = strndup (p, (size_t) (close - p));
      sqlite3_stmt *st = NULL;
      int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);
      while (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW)
        rc = SQLITE_OK;
      if (rc != SQLITE_DONE)
        fprintf (stderr, "example query failed: %s\n%s\n", sqlite3_errmsg (db), sql);
      CHECK (rc == SQLITE_DONE);
      sqlite3_finalize (st);
      free (sql);
      n++;
    }
  CHECK (n >= 7);
  sqlite3_close (db);
}

int
main (void)
{
  static char doc[200000], a[20000], b[20000];
  FILE *f = fopen (SOURCE_ROOT "/docs/schema.md", "r");
  CHECK (f != NULL);
  if (f == NULL)
    return ct_test_done ("test-schema");
  size_t len = fread (doc, 1, sizeof doc - 1, f);
  fclose (f);
  doc[len] = '\0';
  const char *sql = strstr (doc, "## The schema as SQL");
  CHECK (sql != NULL);
  normalize (sql ? sql : "", a, sizeof a);
  normalize (ctxtrace_schema_sql, b, sizeof b);
  if (strcmp (a, b) != 0)
    fprintf (stderr, "docs/schema.md:\n%s\nlibctxtrace:\n%s\n", a, b);
  CHECK (strlen (a) > 100 && strcmp (a, b) == 0);
  CHECK (strstr (sql ? sql : "", "PRAGMA application_id = 1129601108;") != NULL);
  run_examples (doc);
  return ct_test_done ("test-schema");
}
