/* test-disable: with -DCTXTRACE_DISABLE every macro compiles to nothing.  This program is
 * linked WITHOUT libctxtrace: any macro that still called the library would not link. */
#define CTXTRACE_DISABLE 1
#include <ctxtrace.h>
#include <stdio.h>

static int
traced (int x)
{
  CTXTRACE_FUNC ();
  CTXTRACE_SCOPE ("literal");
  CTXTRACE_SCOPE_VAR (span, "named");
  CTXTRACE_SCOPE_DYNAMIC (dyn, "dynamic");
  CTXTRACE_ATTR_INT (span, "args.x", x);
  CTXTRACE_ATTR_DOUBLE (span, "d", 1.5);
  CTXTRACE_ATTR_BOOL (span, "b", 1);
  CTXTRACE_ATTR_STR (dyn, "s", "v");
  CTXTRACE_ATTR_JSON (dyn, "j", "{}");
  CTXTRACE_ERROR (span, "E", "m");
  CTXTRACE_EVENT ("e", NULL);
  return x * 2 + (int) span + (int) dyn;
}

int
main (void)
{
  int r = traced (21);
  printf ("test-disable: %s\n", r == 42 ? "ok" : "wrong result");
  return r == 42 ? 0 : 1;
}
