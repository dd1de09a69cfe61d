/* ctx-demo-trace: writes a small, realistic-looking trace (an agent pipeline over two
 * processes and several threads, with attributes, events and a few failures) for
 * screenshots and manual testing:  ctx-demo-trace OUT.db */
#include "ctx-gen-trace.h"

#define MS G_GINT64_CONSTANT (1000000)
#define T0 G_GINT64_CONSTANT (1764000000000000000)

typedef struct
{
  CtxGen *gen;
  GRand *rand;
  gint64 next_id;
} Demo;

static gint64
span (Demo *d, gint64 parent, gint64 thread, int depth, const char *name, gint64 start,
      gint64 dur, int status, const char *attrs)
{
  CtxGenSpan s = { .id = d->next_id++, .parent_id = parent, .thread_id = thread, .name = name,
                   .start_ns = start, .dur_ns = dur, .depth = depth, .status = status,
                   .attrs = attrs };

  ctx_gen_span (d->gen, &s);
  return s.id;
}

static gint64
jitter (Demo *d, gint64 base)
{
  return base / 2 + g_rand_int_range (d->rand, 0, (gint32) MAX (base, 1));
}

/* A tool call: an HTTP request with DNS, connect and body parsing below it. */
static void
tool_call (Demo *d, gint64 parent, gint64 thread, int depth, gint64 start, gint64 dur, int k)
{
  g_autofree char *attrs = g_strdup_printf ("{\"args.query\":\"weather in city %d\",\"args.limit\":%d}", k, 5 + k % 3);
  gboolean fail = k % 7 == 3;
  gint64 id = span (d, parent, thread, depth, "tool.web_search", start, dur, fail ? 2 : 1,
                    fail ? "{\"exception.type\":\"TimeoutError\",\"exception.message\":\"search backend did not answer in 2 s\","
                           "\"exception.stacktrace\":\"tool_call (agent.c:210)\\nhttp_get (http.c:88)\\npoll_wait (http.c:41)\"}"
                         : attrs);
  gint64 t = start + dur / 20;
  gint64 req = span (d, id, thread, depth + 1, "http.request", t, dur * 8 / 10, fail ? 2 : 1,
                     "{\"http.method\":\"GET\",\"http.url\":\"https://search.example/api\"}");

  span (d, req, thread, depth + 2, "dns.resolve", t + dur / 50, dur / 10, 1, NULL);
  span (d, req, thread, depth + 2, "tls.handshake", t + dur / 6, dur / 6, 1, NULL);
  if (!fail)
    span (d, req, thread, depth + 2, "json.parse", t + dur * 6 / 10, dur / 6, 1, "{\"bytes\":48213}");
}

static void
llm_call (Demo *d, gint64 parent, gint64 thread, int depth, gint64 start, gint64 dur, int k)
{
  g_autofree char *attrs = g_strdup_printf ("{\"args.model\":\"small-7b\",\"args.prompt_tokens\":%d,"
                                            "\"return\":{\"tokens\":%d,\"finish\":\"stop\"}}",
                                            800 + k * 37, 120 + k * 11);
  gint64 id = span (d, parent, thread, depth, "llm.generate", start, dur, 1, attrs);
  gint64 t = start;

  span (d, id, thread, depth + 1, "tokenize", t, dur / 12, 1, NULL);
  t += dur / 10;
  for (int i = 0; i < 6; i++, t += dur / 8)
    span (d, id, thread, depth + 1, "decode.batch", t, dur / 9, 1, NULL);
  ctx_gen_event (d->gen, id, thread, start + dur / 2, "first_token", "{\"latency_ms\":42}");
}

static void
agent_step (Demo *d, gint64 parent, gint64 thread, gint64 start, gint64 dur, int k)
{
  g_autofree char *attrs = g_strdup_printf ("{\"args.step\":%d,\"args.goal\":\"plan a trip\"}", k);
  gint64 id = span (d, parent, thread, 1, "agent.step", start, dur, 1, attrs);

  llm_call (d, id, thread, 2, start + dur / 30, dur * 45 / 100, k);
  tool_call (d, id, thread, 2, start + dur / 2, dur * 45 / 100, k);
}

static void
worker (Demo *d, gint64 parent, gint64 thread, gint64 start, int n)
{
  gint64 t = start;

  for (int i = 0; i < n; i++)
    {
      gint64 dur = jitter (d, 6 * MS);
      gint64 id = span (d, parent, thread, 0, "embed.batch", t, dur, i % 9 == 4 ? 2 : 1,
                        i % 9 == 4 ? "{\"exception.type\":\"OutOfMemory\",\"exception.message\":\"batch too large\"}" : NULL);
      span (d, id, thread, 1, "vectorize", t + dur / 10, dur * 6 / 10, 1, NULL);
      span (d, id, thread, 1, "index.insert", t + dur * 3 / 4, dur / 5, 1, NULL);
      t += dur + jitter (d, 2 * MS);
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  Demo d = { .next_id = 1 };
  gint64 p1, p2, main_t, w1, w2, w3, root, t = T0;

  if (argc != 2)
    {
      g_printerr ("usage: ctx-demo-trace OUT.db\n");
      return 2;
    }
  d.gen = ctx_gen_new (argv[1], &error);
  if (d.gen == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  d.rand = g_rand_new_with_seed (42);
  p1 = ctx_gen_process (d.gen, 4242, "agent");
  p2 = ctx_gen_process (d.gen, 4300, "indexer");
  main_t = ctx_gen_thread (d.gen, p1, 4242, "main");
  w1 = ctx_gen_thread (d.gen, p1, 4243, "tool-pool-1");
  w2 = ctx_gen_thread (d.gen, p2, 4300, "main");
  w3 = ctx_gen_thread (d.gen, p2, 4301, "embedder");
  root = span (&d, 0, main_t, 0, "agent.run", t, 300 * MS, 1, "{\"args.user\":\"alice\",\"args.task\":\"plan a trip\"}");
  for (int k = 0; k < 8; k++)
    agent_step (&d, root, main_t, t + 5 * MS + k * 36 * MS, 34 * MS, k);
  for (int k = 0; k < 10; k++)
    tool_call (&d, root, w1, 0, t + 20 * MS + k * 28 * MS, 22 * MS, k + 20);
  worker (&d, 0, w2, t + 10 * MS, 30);
  worker (&d, 0, w3, t + 40 * MS, 30);
  g_rand_free (d.rand);
  if (!ctx_gen_close (d.gen, TRUE, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}
