// test-cplusplus: the public header compiles as C++ and works from C++ code.
#include <ctxtrace.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <unistd.h>

static int
fib (int n)
{
  CTXTRACE_FUNC ();
  return n < 2 ? n : fib (n - 1) + fib (n - 2);
}

int
main ()
{
  std::string path = std::string (std::getenv ("TMPDIR") ? std::getenv ("TMPDIR") : "/tmp")
                     + "/ctxtrace-cplusplus-" + std::to_string (::getpid ()) + ".db";
  if (ctxtrace_start (path.c_str ()) != 0)
    return 1;
  {
    CTXTRACE_SCOPE_VAR (span, "cpp");
    ctxtrace_attr_int (span, "fib", fib (10));
    ctxtrace_context_t ctx = ctxtrace_context_current ();
    std::thread t ([ctx] {
      ctxtrace_context_attach (ctx);
      CTXTRACE_SCOPE ("in-thread");
      ctxtrace_context_detach ();
    });
    t.join ();
  }
  ctxtrace_flush ();
  ctxtrace_stats_t st;
  ctxtrace_get_stats (&st);
  ctxtrace_stop ();
  std::remove (path.c_str ());
  std::remove ((path + "-wal").c_str ());
  std::remove ((path + "-shm").c_str ());
  // fib(10) makes 177 calls; plus "cpp" and "in-thread".
  bool ok = st.committed_spans == 179 && st.dropped_spans == 0;
  std::printf ("test-cplusplus: %s (%llu spans)\n", ok ? "ok" : "FAILED",
               (unsigned long long) st.committed_spans);
  return ok ? 0 : 1;
}
