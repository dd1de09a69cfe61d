/* A user's program, built in tests with `pkg-config --cflags --libs ctxtrace`. */
#include <ctxtrace.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
  if (argc < 2 || ctxtrace_start (argv[1]) != 0)
    {
      fprintf (stderr, "cannot record: %s\n", ctxtrace_last_error ());
      return 1;
    }
  {
    CTXTRACE_SCOPE ("outer");
    CTXTRACE_SCOPE ("inner");
  }
  ctxtrace_stop ();
  return 0;
}
