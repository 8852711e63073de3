/* store-wait.h - waiting for a running search to record evaluations
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#ifndef STORE_WAIT_H
#define STORE_WAIT_H

#include "gennas.h"

/**
 * store_wait_for_evals:
 * @db: the store another process is writing (it may not exist yet)
 * @at_least: evaluations to wait for in its latest run
 * @run: (out): that run
 * @count: (out): the evaluations it held when the wait ended
 *
 * Polls @db every 20 ms for up to two minutes (a loaded CI machine may be
 * slow to start a search) until its latest run holds @at_least
 * evaluations.
 *
 * Returns: (transfer full) (nullable): the open store, NULL if the file
 * never appeared.
 */
GnStore *store_wait_for_evals (const char *db, gint64 at_least, gint64 *run,
                               gint64 *count);

#endif /* STORE_WAIT_H */
