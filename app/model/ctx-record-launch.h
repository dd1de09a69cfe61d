/* ctx-record-launch.h: running a program with recording on, for `ctxtrace record` and
 * `ctxtrace-viewer --record` (one behaviour for both). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The environment PROGRAM records with: CTXTRACE_DB (absolute), CTXTRACE_FILTER when
 * filter is set, and LD_PRELOAD of libctxtrace when PROGRAM was built with
 * -finstrument-functions (its ELF references __cyg_profile_func_enter). */
void ctx_record_prepare (GSubprocessLauncher *launcher, const char *output, const char *filter,
                         const char *program);
/* PROGRAM (a path, or a name looked up in PATH) imports __cyg_profile_func_enter (an undefined
 * symbol of its dynamic symbol table). */
gboolean ctx_record_is_instrumented (const char *program);
/* PROGRAM's exit status, 128 + signal when it was killed. */
int ctx_record_exit_code (GSubprocess *subprocess);
/* "exited with status N" / "was killed by signal N (NAME)", for people. */
char *ctx_record_describe_exit (GSubprocess *subprocess);
/* Removes a trace and its -wal and -shm (a stale -wal would be replayed into a new file). */
void ctx_record_remove_trace (const char *path);

G_END_DECLS
