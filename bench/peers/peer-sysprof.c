/* peer-sysprof: libsysprof-capture marks into a file writer, in the loop every peer
 * shares.  A mark holds a start time and a duration, so a span is two clock reads and one
 * sysprof_capture_writer_add_mark.  Sysprof has no attributes: the 4-attribute case
 * formats them into the mark's message, which is how a user would carry them. */
#include "peer-loop.h"
#include <sysprof-capture.h>
#include <unistd.h>

static SysprofCaptureWriter *writer;
static int pid;

PEER_CASE (span, {
  int64_t t0 = SYSPROF_CAPTURE_CURRENT_TIME;
  sysprof_capture_writer_add_mark (writer, t0, -1, pid, SYSPROF_CAPTURE_CURRENT_TIME - t0,
                                   "bench", "bench", NULL);
})
PEER_CASE (span_4_attrs, {
  char msg[96];
  int64_t t0 = SYSPROF_CAPTURE_CURRENT_TIME;
  snprintf (msg, sizeof msg, "{\"args.i\":%u,\"args.x\":%g,\"args.flag\":%s,\"return\":\"%s\"}",
            i, 0.5, (i & 1) ? "true" : "false", "ok");
  sysprof_capture_writer_add_mark (writer, t0, -1, pid, SYSPROF_CAPTURE_CURRENT_TIME - t0,
                                   "bench", "bench", msg);
})

int
main (int argc, char **argv)
{
  static const peer_case_t cases[] = {
    { "span", burst_span, NULL, 0 },
    { "span_4_attrs", burst_span_4_attrs, NULL, 0 },
  };
  char path[256];
  snprintf (path, sizeof path, "/tmp/ctxtrace-peer-sysprof-%d.syscap", (int) getpid ());
  pid = (int) getpid ();
  writer = sysprof_capture_writer_new (path, 0); /* 0: the library's default buffer */
  if (writer == NULL)
    {
      perror ("sysprof_capture_writer_new");
      return 1;
    }
  int rc = peer_main (argc, argv, "sysprof-capture", cases, sizeof cases / sizeof cases[0]);
  sysprof_capture_writer_flush (writer);
  sysprof_capture_writer_unref (writer);
  unlink (path);
  return rc;
}
