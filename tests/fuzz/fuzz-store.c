/* fuzz-store.c - fuzz harness: the results store reader
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The input is a store file's bytes: the harness writes it to a fresh
 * file (no -wal or -shm beside it) and opens it with gn_store_open(), as
 * `gennas export` or `gennas search --resume --db FILE` would.  If it
 * opens, the harness reads it every way the commands do (the latest run
 * and its configuration, its count, every evaluation, both export
 * formats, a cache lookup) and then records a new run with one
 * evaluation.  Every call must succeed or fail with a GN_STORE_ERROR;
 * SQLite's own checks of the file format are trusted to be fuzzed
 * upstream, what is fuzzed here is gennas's side of them.
 */
#include "gennas.h"
#include "fuzz.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir, *db, *wal, *shm;
static FILE *sink;

static void
remove_files (void)
{
  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  GError *error = NULL;
  fuzz_quiet ();
  dir = g_dir_make_tmp ("gennas-fuzz-store-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "fuzz.db", NULL);
  wal = g_strconcat (db, "-wal", NULL);
  shm = g_strconcat (db, "-shm", NULL);
  atexit (remove_files);
  sink = fopen ("/dev/null", "w");
  g_assert_nonnull (sink);
  return 0;
}

typedef struct {
  gint64 n;
  GnEval first;
  char *space, *arch, *config_hash;
} Visit;

static gboolean
visit (const GnEval *e, gpointer user)
{
  Visit *v = user;
  /* any field may be NULL in a table gennas did not write */
  if (v->n++ == 0)
    {
      v->first = *e;
      v->space = g_strdup (e->space);
      v->arch = g_strdup (e->arch);
      v->config_hash = g_strdup (e->config_hash);
    }
  return TRUE;
}

static void
expect_store_error (GError **error)
{
  g_assert_nonnull (*error);
  g_assert_true ((*error)->domain == GN_STORE_ERROR);
  g_clear_error (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  char *config = NULL;
  gint64 run = -1, parent = 0;
  Visit v = { 0 };

  remove_files ();
  g_mkdir (dir, 0700);
  if (!g_file_set_contents (db, (const char *) data, (gssize) size, &error))
    g_error ("%s", error->message);

  GnStore *store = gn_store_open (db, &error);
  if (store == NULL)
    {
      expect_store_error (&error);
      return 0;
    }

  if (gn_store_find_run (store, NULL, &run, &config, &error))
    {
      /* NULL in a row gennas did not write */
      g_clear_pointer (&config, g_free);
      if (!gn_store_get_run (store, run, &config, &parent, &error))
        expect_store_error (&error);
      /* -1 (and a warning) when it cannot count */
      g_assert_cmpint (gn_store_count (store, run), >=, -1);
    }
  else
    expect_store_error (&error);

  if (!gn_store_foreach (store, -1, visit, &v, &error))
    expect_store_error (&error);
  if (!gn_store_export (store, -1, "csv", sink, &error))
    expect_store_error (&error);
  if (!gn_store_export (store, run, "jsonl", sink, &error))
    expect_store_error (&error);
  if (v.n > 0 && v.space && v.arch && v.config_hash)
    {
      GnEval hit;
      gn_store_lookup (store, v.space, v.arch, v.config_hash, v.first.seed,
                       &hit);
    }

  gint64 added;
  if (gn_store_new_run (store, "{}", "fuzz", 0, &added, &error))
    {
      GnEval e = { .run = added, .space = "fuzz", .arch = "a", .proxy = "p",
                   .config_hash = "h", .seed = 1, .score = 1, .loss = NAN,
                   .status = GN_EVAL_OK, .seconds = 0 };
      if (!gn_store_record (store, &e, NULL, &error))
        expect_store_error (&error);
    }
  else
    expect_store_error (&error);

  gn_store_close (store);
  g_free (config);
  g_free (v.space);
  g_free (v.arch);
  g_free (v.config_hash);
  return 0;
}
