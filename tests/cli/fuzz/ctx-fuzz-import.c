/* ctx-fuzz-import.c: libFuzzer target for the Chrome JSON importer: any input gives a
 * trace or a clean error, never a crash, a leak or undefined behaviour. */
#include <sqlite3.h>
#include <stdint.h>

#include "ctx-io.h"
#include "ctxtrace-schema.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  sqlite3 *db = NULL;
  CtxImportStats stats;
  GError *error = NULL;

  if (sqlite3_open (":memory:", &db) != SQLITE_OK)
    return 0;
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  if (ctxtrace_schema_create (db, "fuzz", 0) == SQLITE_OK
      && !ctx_import_chrome_data (data, size, db, &stats, &error))
    g_clear_error (&error);
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  return 0;
}
