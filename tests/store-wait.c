/* store-wait.c - waiting for a running search to record evaluations
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "store-wait.h"

GnStore *
store_wait_for_evals (const char *db, gint64 at_least, gint64 *run,
                      gint64 *count)
{
  GnStore *store = NULL;
  *run = -1;
  *count = 0;
  for (int i = 0; i < 6000 && *count < at_least; i++)
    {
      g_usleep (20000);
      if (store == NULL && g_file_test (db, G_FILE_TEST_EXISTS))
        store = gn_store_open (db, NULL);
      if (store && (*run >= 0 || gn_store_find_run (store, NULL, run, NULL,
                                                    NULL)))
        *count = gn_store_count (store, *run);
    }
  return store;
}
