/* preload-prog: built with -finstrument-functions but NOT linked with libctxtrace.  The
 * hooks then bind to glibc's own no-op __cyg_profile_func_enter/exit, and LD_PRELOAD of
 * libctxtrace.so puts the library's hooks before glibc's: the program is traced with no
 * rebuild.  Run by test-preload. */
#include <pthread.h>
#include <stdio.h>

static volatile int sink;

__attribute__ ((noinline)) static void
pp_leaf (int i)
{
  sink += i;
}

__attribute__ ((noinline)) static void
pp_under_skip (void)
{
  sink++;
}

__attribute__ ((noinline)) void pp_skip (void);
__attribute__ ((noinline)) void
pp_skip (void)
{
  pp_under_skip ();
  sink++;
}

__attribute__ ((noinline)) static void *
pp_work (void *data)
{
  for (int i = 0; i < 10; i++)
    pp_leaf (i);
  pp_skip ();
  return data;
}

int
main (void)
{
  pthread_t t;
  pp_work (NULL);
  pthread_create (&t, NULL, pp_work, NULL);
  pthread_join (t, NULL);
  printf ("preload-prog done\n");
  return 0;
}
