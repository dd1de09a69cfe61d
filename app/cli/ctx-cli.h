/* ctx-cli.h: what the ctxtrace subcommands share. */
#pragma once

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes (documented in ctxtrace --help). */
enum
{
  CTX_EXIT_OK = 0,
  CTX_EXIT_FAILURE = 1,  /* the command ran and failed: bad input, I/O error */
  CTX_EXIT_USAGE = 2,    /* wrong arguments */
};

typedef int (*CtxCommandFunc) (int argc, char **argv);

/* Parses argv with entries; on failure prints the message and returns FALSE.
 * *exit_code is set to 0 after --help and to CTX_EXIT_USAGE on errors. */
gboolean ctx_cli_parse (const char *command, const char *parameter, const char *summary,
                        const GOptionEntry *entries, int *argc, char ***argv,
                        int *exit_code);
/* Prints "ctxtrace COMMAND: message" on stderr and returns CTX_EXIT_FAILURE. */
int ctx_cli_fail (const char *command, const GError *error);
int ctx_cli_usage (const char *command, const char *message);
/* "-" or NULL is stdout; otherwise the file is created (replaced).  NULL on error. */
FILE *ctx_cli_open_output (const char *path, GError **error);
gboolean ctx_cli_close_output (FILE *fp, const char *path, GError **error);
/* 1234567 ns -> "1.235 ms" */
char *ctx_cli_format_duration (gint64 ns);

int ctx_cmd_info (int argc, char **argv);
int ctx_cmd_stats (int argc, char **argv);
int ctx_cmd_tree (int argc, char **argv);
int ctx_cmd_export (int argc, char **argv);
int ctx_cmd_import (int argc, char **argv);
int ctx_cmd_merge (int argc, char **argv);
int ctx_cmd_record (int argc, char **argv);

G_END_DECLS
