/* demo-agent: a small simulated LLM agent, traced with libctxtrace.
 *
 * For a few seconds it takes tasks, plans each with a (simulated) model call, runs tool
 * calls on a thread pool (their spans nest under the step that submitted them), retries
 * some failures, and records each call's inputs and outputs as attributes.
 *
 *   demo-agent [OUT.db] [SECONDS]     (or CTXTRACE_DB=OUT.db demo-agent)
 */
#include <ctxtrace.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_WORKERS 3

typedef struct
{
  ctxtrace_context_t ctx;
  const char *tool;
  int task;
  int step;
  char result[128];
  int failed;
} tool_call_t;

static const char *const tasks[] = {
  "summarise the quarterly report", "find flights to Lisbon", "fix the failing unit test",
  "draft a reply to the customer", "compare three laptops", "plan a team offsite",
};
static const char *const tools[] = { "web_search", "read_file", "run_python", "calculator" };

static void
sleep_us (long us)
{
  struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
  nanosleep (&ts, NULL);
}

/* Deterministic pseudo-randomness so that every run tells the same story. */
static unsigned
noise (unsigned a, unsigned b)
{
  unsigned x = a * 2654435761u ^ (b + 0x9e3779b9u) * 40503u;
  x ^= x >> 15;
  return x * 2246822519u;
}

static void
tokenize (const char *text)
{
  CTXTRACE_FUNC ();
  ctxtrace_attr_int (CTXTRACE_CURRENT, "args.chars", (int64_t) strlen (text));
  sleep_us (1500 + (long) (noise ((unsigned) strlen (text), 7) % 2000));
}

static int
llm_call (const char *model, const char *prompt, int salt, char *out, size_t outlen)
{
  CTXTRACE_SCOPE_VAR (span, "llm_call");
  ctxtrace_attr_str (span, "args.model", model);
  ctxtrace_attr_str (span, "args.prompt", prompt);
  ctxtrace_attr_double (span, "args.temperature", 0.2);
  tokenize (prompt);
  ctxtrace_event ("request_sent", "{\"bytes\": 512}");
  sleep_us (15000 + (long) (noise ((unsigned) salt, 1) % 45000));
  if (noise ((unsigned) salt, 2) % 11 == 0)
    {
      ctxtrace_set_error (span, "RateLimitError", "429: too many requests, retry after 1s");
      return -1;
    }
  int tokens = 40 + (int) (noise ((unsigned) salt, 3) % 400);
  snprintf (out, outlen, "Use %s, then answer.", tools[noise ((unsigned) salt, 4) % 4]);
  ctxtrace_attr_str (span, "return", out);
  ctxtrace_attr_json (span, "usage", tokens > 300 ? "{\"prompt\": 812, \"completion\": 301}"
                                                  : "{\"prompt\": 640, \"completion\": 96}");
  return 0;
}

static void
run_tool (tool_call_t *call)
{
  ctxtrace_context_attach (call->ctx);
  {
    CTXTRACE_SCOPE_VAR (span, "tool_call");
    ctxtrace_attr_str (span, "args.tool", call->tool);
    ctxtrace_attr_int (span, "args.task", call->task);
    {
      CTXTRACE_SCOPE ("prepare_input");
      sleep_us (2000 + (long) (noise ((unsigned) call->task, (unsigned) call->step) % 6000));
    }
    sleep_us (8000 + (long) (noise ((unsigned) call->step, 9) % 50000));
    if (noise ((unsigned) call->task * 31u, (unsigned) call->step) % 9 == 0)
      {
        call->failed = 1;
        ctxtrace_set_error (span, "ToolError", "the tool returned malformed output");
      }
    else
      {
        snprintf (call->result, sizeof call->result, "%s: %u results", call->tool,
                  noise ((unsigned) call->task, 5) % 50);
        ctxtrace_attr_str (span, "return", call->result);
      }
  }
  ctxtrace_context_detach ();
}

/* A tiny thread pool: workers take tool calls from a queue. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static tool_call_t *queue[64];
static int q_head, q_tail, done, quitting;

static void *
worker (void *data)
{
  char name[32];
  snprintf (name, sizeof name, "tool-worker-%d", (int) (intptr_t) data);
  ctxtrace_thread_name (name);
  pthread_mutex_lock (&lock);
  while (!quitting)
    {
      if (q_head == q_tail)
        {
          pthread_cond_wait (&cond, &lock);
          continue;
        }
      tool_call_t *call = queue[q_head++ % 64];
      pthread_mutex_unlock (&lock);
      run_tool (call);
      pthread_mutex_lock (&lock);
      done++;
      pthread_cond_broadcast (&cond);
    }
  pthread_mutex_unlock (&lock);
  return NULL;
}

static void
run_tools (int task, int step, int n)
{
  tool_call_t calls[4];
  CTXTRACE_SCOPE ("dispatch_tools");
  pthread_mutex_lock (&lock);
  int target = done + n;
  for (int i = 0; i < n; i++)
    {
      calls[i] = (tool_call_t) { ctxtrace_context_current (), tools[(task + i) % 4], task,
                                 step * 4 + i, "", 0 };
      queue[q_tail++ % 64] = &calls[i];
    }
  pthread_cond_broadcast (&cond);
  while (done < target)
    pthread_cond_wait (&cond, &lock);
  pthread_mutex_unlock (&lock);
  for (int i = 0; i < n; i++)
    if (calls[i].failed)
      ctxtrace_event ("tool_failed", "{\"action\": \"continue without it\"}");
}

static void
agent_step (int task, int step)
{
  char plan[128], prompt[256];
  CTXTRACE_SCOPE_VAR (span, "agent_step");
  ctxtrace_attr_int (span, "args.step", step);
  snprintf (prompt, sizeof prompt, "Task: %s. Step %d. What next?", tasks[task % 6], step);
  int attempt = 0;
  while (llm_call ("gpt-sim-4", prompt, task * 100 + step * 10 + attempt, plan, sizeof plan) != 0
         && attempt < 2)
    {
      ctxtrace_event ("retry", attempt == 0 ? "{\"attempt\": 1}" : "{\"attempt\": 2}");
      attempt++;
    }
  run_tools (task, step, 1 + (int) (noise ((unsigned) task, (unsigned) step) % 3));
}

static void
handle_task (int task)
{
  CTXTRACE_SCOPE_VAR (span, "handle_task");
  ctxtrace_attr_str (span, "args.task", tasks[task % 6]);
  ctxtrace_attr_int (span, "args.id", task);
  int steps = 2 + (int) (noise ((unsigned) task, 11) % 3);
  for (int step = 0; step < steps; step++)
    agent_step (task, step);
  if (task % 5 == 4)
    ctxtrace_set_error (span, "BudgetExceeded", "the task used more than its token budget");
  else
    ctxtrace_attr_str (span, "return", "done");
}

int
main (int argc, char **argv)
{
  const char *out = argc > 1 && argv[1][0] != '\0' ? argv[1] : NULL;
  double seconds = argc > 2 ? atof (argv[2]) : 5.0;
  pthread_t workers[N_WORKERS];

  if (out != NULL && ctxtrace_start (out) != 0)
    {
      fprintf (stderr, "demo-agent: cannot record into %s: %s\n", out, ctxtrace_last_error ());
      return 1;
    }
  ctxtrace_thread_name ("agent");
  for (int i = 0; i < N_WORKERS; i++)
    pthread_create (&workers[i], NULL, worker, (void *) (intptr_t) i);
  struct timespec t0, now;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  int task = 0;
  {
    CTXTRACE_SCOPE ("agent_session");
    do
      {
        handle_task (task++);
        clock_gettime (CLOCK_MONOTONIC, &now);
      }
    while ((double) (now.tv_sec - t0.tv_sec) + (double) (now.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
  }
  pthread_mutex_lock (&lock);
  quitting = 1;
  pthread_cond_broadcast (&cond);
  pthread_mutex_unlock (&lock);
  for (int i = 0; i < N_WORKERS; i++)
    pthread_join (workers[i], NULL);
  ctxtrace_stop ();
  printf ("demo-agent: %d tasks done\n", task);
  return 0;
}
