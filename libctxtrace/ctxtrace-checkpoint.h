/* ctxtrace-checkpoint.h: WAL checkpoints on a thread of their own. */
#pragma once

#include <pthread.h>
#include <sqlite3.h>

#define CT_HIDDEN __attribute__ ((visibility ("hidden")))

typedef struct ct_checkpointer ct_checkpointer_t;

/* The busy handler of the library's connections (ctxtrace-db.c). */
CT_HIDDEN int ct_db_busy_retry (void *data, int count);

/* Opens a second connection to path and starts the checkpoint thread (NULL on failure:
 * the writer then keeps SQLite's automatic checkpoints). */
CT_HIDDEN ct_checkpointer_t *ct_checkpointer_new (const char *path);
/* Makes the writer's commits ask for checkpoints (instead of running them). */
CT_HIDDEN void ct_checkpointer_attach (ct_checkpointer_t *c, sqlite3 *writer_db);
CT_HIDDEN void ct_checkpointer_stop (ct_checkpointer_t *c);
/* Around fork(): no checkpoint half done. */
CT_HIDDEN void ct_checkpointer_lock (ct_checkpointer_t *c);
CT_HIDDEN void ct_checkpointer_unlock (ct_checkpointer_t *c);
CT_HIDDEN void ct_checkpointer_abandon (ct_checkpointer_t *c);
