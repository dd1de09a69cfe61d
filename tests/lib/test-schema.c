/* test-schema: the schema the library creates is the one docs/schema.md documents. */
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
  return ct_test_done ("test-schema");
}
