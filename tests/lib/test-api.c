/* test-api: what a traced program sees through the public API, checked in the file. */
#include <ctxtrace.h>
#include <errno.h>
#include <pthread.h>

#include "ct-test.h"

static char db_path[300];

static void
nested (int depth)
{
  CTXTRACE_SCOPE ("nested");
  if (depth > 0)
    nested (depth - 1);
}

static void
test_nesting (sqlite3 *db)
{
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span s JOIN string n ON n.id = s.name_id"
                                 " WHERE n.value = 'nested'"), 6);
  /* Each nested span is the child of the one above it, one level deeper, inside it. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " JOIN string n ON n.id = c.name_id WHERE n.value = 'nested'"
                                 " AND p.name_id = c.name_id AND c.depth = p.depth + 1 AND c.start_ns >= p.start_ns"
                                 " AND c.end_ns <= p.end_ns"), 4);
  CHECK_EQ_INT (ct_test_int (db, "SELECT max(depth) FROM span s JOIN string n ON n.id = s.name_id"
                                 " WHERE n.value = 'nested'"), 4);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE end_ns < start_ns"), 0);
}

static void
test_attributes (sqlite3 *db)
{
  const char *q = "SELECT attrs FROM span s JOIN string n ON n.id = s.name_id WHERE n.value = 'attrs'";
  CHECK_EQ_STR (ct_test_text (db, q),
                "{\"args.n\":-42,\"args.x\":0.25,\"args.flag\":true,\"args.s\":\"a \\\"q\\\"\\n\","
                "\"return\":{\"k\":[1,2,null]},\"whole\":2.0,\"tenth\":0.2,"
                "\"third\":0.3333333333333333}");
  CHECK_EQ_INT (ct_test_int (db, "SELECT json_extract(attrs, '$.\"args.n\"') FROM span s JOIN"
                                 " string n ON n.id = s.name_id WHERE n.value = 'attrs'"), -42);
  /* Invalid JSON is refused and counted, and the rest of the span is kept. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT rejected_attrs FROM process"), 2);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span WHERE attrs IS NOT NULL AND json_valid(attrs) = 0"), 0);
}

static void
test_errors_and_events (sqlite3 *db)
{
  CHECK_EQ_INT (ct_test_int (db, "SELECT status FROM span s JOIN string n ON n.id = s.name_id"
                                 " WHERE n.value = 'fails'"), 2);
  CHECK_EQ_STR (ct_test_text (db, "SELECT json_extract(attrs, '$.\"exception.message\"') FROM span"
                                  " WHERE status = 2"), "disk on fire");
  CHECK_EQ_STR (ct_test_text (db, "SELECT json_extract(attrs, '$.\"exception.type\"') FROM span"
                                  " WHERE status = 2"), "IOError");
  CHECK_EQ_INT (ct_test_int (db, "SELECT status FROM span s JOIN string n ON n.id = s.name_id"
                                 " WHERE n.value = 'succeeds'"), 1);
  /* The event belongs to the span that was current, at a time inside it. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM event e JOIN span s ON s.id = e.span_id"
                                 " JOIN string n ON n.id = s.name_id JOIN string en ON en.id ="
                                 " e.name_id WHERE n.value = 'fails' AND en.value = 'retry' AND"
                                 " e.ts_ns BETWEEN s.start_ns AND s.end_ns AND"
                                 " json_extract(e.attrs, '$.attempt') = 2"), 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM event WHERE span_id IS NULL"), 1);
}

static void *
worker (void *data)
{
  ctxtrace_context_t *ctx = data;
  ctxtrace_thread_name ("pool-worker");
  ctxtrace_context_attach (*ctx);
  ctxtrace_span_t s = ctxtrace_begin ("handed-over");
  nested (0);
  ctxtrace_end (s);
  ctxtrace_context_detach ();
  ctxtrace_end (ctxtrace_begin ("after-detach"));
  return NULL;
}

static void
test_context (sqlite3 *db)
{
  /* The worker's span is a child of the submitting span, on another thread. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " JOIN string cn ON cn.id = c.name_id JOIN string pn ON pn.id ="
                                 " p.name_id WHERE cn.value = 'handed-over' AND pn.value ="
                                 " 'submit' AND c.thread_id <> p.thread_id AND c.depth = 0"), 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT parent_id IS NULL FROM span s JOIN string n ON n.id ="
                                 " s.name_id WHERE n.value = 'after-detach'"), 1);
  CHECK_EQ_STR (ct_test_text (db, "SELECT t.name FROM thread t JOIN span s ON s.thread_id = t.id"
                                  " JOIN string n ON n.id = s.name_id WHERE n.value ="
                                  " 'handed-over'"), "pool-worker");
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(DISTINCT trace_id) FROM span"), 1);
}

static void
test_limits (sqlite3 *db)
{
  CHECK_EQ_INT (ct_test_int (db, "SELECT max(length(CAST(value AS BLOB))) FROM string"), 1024);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM string WHERE value = '(null)'"), 1);
  CHECK_EQ_INT (ct_test_int (db, "SELECT length(CAST(json_extract(attrs, '$.big') AS BLOB))"
                                 " FROM span s JOIN string n ON n.id = s.name_id WHERE n.value"
                                 " = 'limits'"), 16384);
  CHECK (ct_test_int (db, "SELECT truncated_values FROM process") >= 2);
}

static void
test_out_of_order (sqlite3 *db)
{
  /* An outer span may end first; the inner one keeps its own end. */
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                                 " JOIN string n ON n.id = c.name_id WHERE n.value = 'inner'"
                                 " AND c.end_ns > p.end_ns AND c.attrs IS NULL"), 1);
}

static void
record_everything (void)
{
  char big[20000];
  memset (big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';

  /* Before start: no-ops. */
  CHECK (ctxtrace_begin ("too-early") == CTXTRACE_NO_SPAN);
  ctxtrace_end (CTXTRACE_NO_SPAN);
  ctxtrace_attr_int (CTXTRACE_NO_SPAN, "k", 1);
  CHECK (!ctxtrace_enabled ());

  CHECK_EQ_INT (ctxtrace_start (db_path), 0);
  CHECK (ctxtrace_enabled ());
  CHECK_EQ_INT (ctxtrace_start (db_path), -EALREADY);
  nested (4);

  ctxtrace_span_t a = ctxtrace_begin ("attrs");
  ctxtrace_attr_int (a, "args.n", -42);
  ctxtrace_attr_double (a, "args.x", 0.25);
  ctxtrace_attr_bool (a, "args.flag", true);
  ctxtrace_attr_str (a, "args.s", "a \"q\"\n");
  ctxtrace_attr_json (a, "return", "{\"k\": [1, 2, null]}");
  ctxtrace_attr_json (a, "bad", "{\"unterminated\": ");
  ctxtrace_attr_json (a, "also bad", "nul");
  ctxtrace_attr_double (CTXTRACE_CURRENT, "whole", 2.0);
  /* Doubles in their shortest exact form, not 0.20000000000000001. */
  ctxtrace_attr_double (a, "tenth", 0.2);
  ctxtrace_attr_double (a, "third", 1.0 / 3.0);
  ctxtrace_end (a);

  ctxtrace_event ("outside", NULL);
  {
    CTXTRACE_SCOPE_VAR (f, "fails");
    ctxtrace_event ("retry", "{\"attempt\": 2}");
    ctxtrace_set_error (f, "IOError", "disk on fire");
  }
  {
    CTXTRACE_SCOPE_VAR (s, "succeeds");
    ctxtrace_set_ok (s);
  }
  {
    CTXTRACE_SCOPE ("submit");
    ctxtrace_context_t ctx = ctxtrace_context_current ();
    pthread_t t;
    pthread_create (&t, NULL, worker, &ctx);
    pthread_join (t, NULL);
  }
  {
    ctxtrace_span_t l = ctxtrace_begin (big);
    ctxtrace_end (l);
    ctxtrace_end (ctxtrace_begin (NULL));
    CTXTRACE_SCOPE_VAR (lim, "limits");
    ctxtrace_attr_str (lim, "big", big);
  }
  ctxtrace_span_t outer = ctxtrace_begin ("outer");
  ctxtrace_span_t inner = ctxtrace_begin ("inner");
  ctxtrace_end (outer);
  ctxtrace_end (inner);
  ctxtrace_flush ();

  ctxtrace_stats_t st;
  ctxtrace_get_stats (&st);
  CHECK_EQ_INT (st.dropped_spans, 0);
  CHECK_EQ_INT (st.rejected_attrs, 2);
  CHECK (st.committed_spans >= 15);
  ctxtrace_stop ();
  CHECK (!ctxtrace_enabled ());
  /* After stop: no-ops again. */
  CHECK (ctxtrace_begin ("too-late") == CTXTRACE_NO_SPAN);
  ctxtrace_event ("too-late", NULL);
}

int
main (void)
{
  snprintf (db_path, sizeof db_path, "%s/api.db", ct_test_tmpdir ());
  record_everything ();
  sqlite3 *db = ct_test_open (db_path);
  CHECK_EQ_INT (ct_test_int (db, "SELECT count(*) FROM string WHERE value LIKE 'too-%'"), 0);
  test_nesting (db);
  test_attributes (db);
  test_errors_and_events (db);
  test_context (db);
  test_limits (db);
  test_out_of_order (db);
  CHECK_EQ_STR (ct_test_text (db, "PRAGMA integrity_check"), "ok");
  CHECK_EQ_INT (ct_test_int (db, "PRAGMA application_id"), CTXTRACE_APPLICATION_ID);
  CHECK_EQ_INT (ct_test_int (db, "PRAGMA user_version"), CTXTRACE_SCHEMA_VERSION);
  CHECK (ct_test_int (db, "SELECT end_ns FROM process") > 0);
  sqlite3_close (db);
  return ct_test_done ("test-api");
}
