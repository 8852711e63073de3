/* test-store.c - the results store: opening and schema checks, runs,
 * recording, the cache rule, iteration, CSV and JSONL export, and
 * surviving SIGKILL
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gennas.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *dir;
  char *path;         /* dir/results.db, not created */
} Fixture;

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  fx->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "results.db", NULL);
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  /* the database, its -wal and -shm, and whatever a test wrote */
  GDir *d = g_dir_open (fx->dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      char *file = g_build_filename (fx->dir, name, NULL);
      g_assert_cmpint (g_remove (file), ==, 0);
      g_free (file);
    }
  if (d != NULL)
    g_dir_close (d);
  g_assert_cmpint (g_rmdir (fx->dir), ==, 0);
  g_free (fx->path);
  g_free (fx->dir);
}

static GnStore *
open_ok (const char *path)
{
  GError *error = NULL;
  GnStore *store = gn_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static gint64
new_run_ok (GnStore *store, const char *config)
{
  GError *error = NULL;
  char *hash = gn_store_config_hash (config);
  gint64 run = -1;
  g_assert_true (gn_store_new_run (store, config, hash, 0, &run, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run, >=, 0);
  g_free (hash);
  return run;
}

static gint64
record_ok (GnStore *store, const GnEval *e)
{
  GError *error = NULL;
  gint64 seq = -1;
  g_assert_true (gn_store_record (store, e, &seq, &error));
  g_assert_no_error (error);
  return seq;
}

static GnEval
eval_of (gint64 run, const char *arch, GnEvalStatus status, double score)
{
  return (GnEval) {
    .run = run, .seq = 12345, .space = "nb201", .arch = arch,
    .proxy = "regression", .config_hash = "cfg", .seed = 7,
    .score = score, .loss = 0.5, .status = status, .seconds = 1.25,
    .time = "ignored", .cached = FALSE, .message = NULL,
  };
}

/* SQLite from the outside: the first column of the first row, or NULL */
static char *
raw_query (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  char *result = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE
                                    | SQLITE_OPEN_CREATE, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==,
                   SQLITE_OK);
  int rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (s, 0));
  else
    g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (s);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return result;
}

static void
raw_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE
                                    | SQLITE_OPEN_CREATE, NULL), ==,
                   SQLITE_OK);
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);
  g_assert_cmpstr (message, ==, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static void
assert_raw (const char *path, const char *sql, const char *expected)
{
  char *got = raw_query (path, sql);
  g_assert_cmpstr (got, ==, expected);
  g_free (got);
}

/* ------------------------------------------------------------------ */

static void
test_open (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  GnStore *store = open_ok (fx->path);
  g_assert_true (g_file_test (fx->path, G_FILE_TEST_EXISTS));
  gint64 run = new_run_ok (store, "{\"space\":\"nb201\"}");
  GnEval e = eval_of (run, "|a|", GN_EVAL_OK, 1.0);
  record_ok (store, &e);
  /* a second connection while the first is open (export during search) */
  GnStore *reader = open_ok (fx->path);
  g_assert_cmpint (gn_store_count (reader, run), ==, 1);
  gn_store_close (reader);
  gn_store_close (store);
  gn_store_close (NULL);

  /* persistent settings as the file says them */
  assert_raw (fx->path, "PRAGMA journal_mode", "wal");
  assert_raw (fx->path, "PRAGMA application_id", "1735287155");
  assert_raw (fx->path, "PRAGMA user_version", "3");

  store = open_ok (fx->path);
  gint64 found = -1;
  char *config = NULL;
  g_assert_true (gn_store_find_run (store, NULL, &found, &config, &error));
  g_assert_no_error (error);
  g_assert_cmpint (found, ==, run);
  g_assert_cmpstr (config, ==, "{\"space\":\"nb201\"}");
  g_free (config);
  g_assert_cmpint (gn_store_count (store, run), ==, 1);
  gn_store_close (store);

  char *missing = g_build_filename (fx->dir, "no", "such", "dir.db", NULL);
  g_assert_null (gn_store_open (missing, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  g_free (missing);
}

static void
test_schema_refusal (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  /* another application's database: refused and left exactly as it was */
  char *foreign = g_build_filename (fx->dir, "people.db", NULL);
  raw_exec (foreign, "CREATE TABLE people (name TEXT);"
                     "INSERT INTO people VALUES ('ada');");
  g_assert_null (gn_store_open (foreign, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "not a gennas results store"));
  g_clear_error (&error);
  assert_raw (foreign, "PRAGMA journal_mode", "delete");
  assert_raw (foreign, "SELECT group_concat(name) FROM sqlite_master",
              "people");
  assert_raw (foreign, "PRAGMA user_version", "0");

  /* one that uses user_version for itself, and happens to have a "runs" */
  char *lookalike = g_build_filename (fx->dir, "lookalike.db", NULL);
  raw_exec (lookalike, "CREATE TABLE runs (id INTEGER);"
                       "CREATE TABLE evals (x);"
                       "PRAGMA user_version = 1;");
  g_assert_null (gn_store_open (lookalike, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA);
  g_clear_error (&error);

  /* not SQLite at all */
  char *text = g_build_filename (fx->dir, "notes.txt", NULL);
  char *junk = g_strnfill (4096, 'x');
  g_assert_true (g_file_set_contents (text, junk, -1, NULL));
  g_assert_null (gn_store_open (text, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "not an SQLite database"));
  g_clear_error (&error);
  char *after = NULL;
  g_assert_true (g_file_get_contents (text, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, junk);
  g_free (after);
  g_free (junk);

  /* a store written by a future gennas */
  gn_store_close (open_ok (fx->path));
  char *v = raw_query (fx->path, "PRAGMA user_version");
  char *sql = g_strdup_printf ("PRAGMA user_version = %d", atoi (v) + 1);
  raw_exec (fx->path, sql);
  g_assert_null (gn_store_open (fx->path, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer gennas"));
  g_clear_error (&error);
  g_free (sql);
  g_free (v);

  /* ours, but a table is gone */
  raw_exec (fx->path, "PRAGMA user_version = 1; DROP TABLE evals;");
  g_assert_null (gn_store_open (fx->path, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA);
  g_clear_error (&error);

  /* an empty file (say, from touch) is a new store */
  char *empty = g_build_filename (fx->dir, "empty.db", NULL);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  gn_store_close (open_ok (empty));

  g_free (empty);
  g_free (text);
  g_free (lookalike);
  g_free (foreign);
}

static void
test_runs (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  gint64 run = -1;
  char *config = NULL;

  char *hash = gn_store_config_hash ("abc");
  g_assert_cmpstr (hash, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a"
                             "9cb410ff61f20015ad");
  g_free (hash);

  GnStore *store = open_ok (fx->path);
  g_assert_false (gn_store_find_run (store, NULL, &run, NULL, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  gint64 a1 = new_run_ok (store, "{\"seed\":1}");
  gint64 b = new_run_ok (store, "{\"seed\":2}");
  gint64 a2 = new_run_ok (store, "{\"seed\":1}");
  g_assert_cmpint (a1, <, b);
  g_assert_cmpint (b, <, a2);

  char *ha = gn_store_config_hash ("{\"seed\":1}");
  char *hb = gn_store_config_hash ("{\"seed\":2}");
  g_assert_true (gn_store_find_run (store, ha, &run, &config, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run, ==, a2);             /* the latest with the hash */
  g_assert_cmpstr (config, ==, "{\"seed\":1}");
  g_clear_pointer (&config, g_free);
  g_assert_true (gn_store_find_run (store, hb, &run, NULL, &error));
  g_assert_cmpint (run, ==, b);
  g_assert_true (gn_store_find_run (store, NULL, &run, &config, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run, ==, a2);             /* the latest of all */
  g_clear_pointer (&config, g_free);
  g_assert_false (gn_store_find_run (store, "0000", &run, &config, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND);
  g_assert_null (config);
  g_clear_error (&error);

  /* a run derived from another: the parent must exist */
  gint64 parent = -1;
  g_assert_true (gn_store_get_run (store, b, NULL, &parent, &error));
  g_assert_cmpint (parent, ==, 0);
  gint64 child = -1;
  g_assert_true (gn_store_new_run (store, "{}", "child", b, &child, &error));
  g_assert_no_error (error);
  g_assert_true (gn_store_get_run (store, child, &config, &parent, &error));
  g_assert_cmpint (parent, ==, b);
  g_assert_cmpstr (config, ==, "{}");
  g_clear_pointer (&config, g_free);
  g_assert_false (gn_store_new_run (store, "{}", "orphan", child + 100,
                                    &run, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "FOREIGN KEY"));
  g_clear_error (&error);
  g_assert_false (gn_store_get_run (store, child + 100, NULL, &parent,
                                    &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (gn_store_find_run (store, NULL, &run, NULL, &error));
  g_assert_cmpint (run, ==, child);
  raw_exec (fx->path, "DELETE FROM runs WHERE config_hash = 'child'");

  g_assert_true (gn_store_set_run_status (store, b, "finished", &error));
  g_assert_no_error (error);
  g_assert_false (gn_store_set_run_status (store, a2 + 100, "finished",
                                           &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  gn_store_close (store);

  char *sql = g_strdup_printf ("SELECT group_concat(status, ' ') FROM "
                               "(SELECT status FROM runs ORDER BY id)");
  assert_raw (fx->path, sql, "running finished running");
  g_free (sql);
  sql = g_strdup_printf ("SELECT config_hash FROM runs WHERE id = %"
                         G_GINT64_FORMAT, b);
  assert_raw (fx->path, sql, hb);
  g_free (sql);
  assert_raw (fx->path, "SELECT count(*) FROM runs WHERE created GLOB "
              "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'", "3");
  g_free (ha);
  g_free (hb);
}

/* The schema 1 of gennas, verbatim as it shipped, and a few rows. */
#define V1_SCHEMA \
  "CREATE TABLE runs (id INTEGER PRIMARY KEY, created TEXT NOT NULL," \
  " config_hash TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL);" \
  "CREATE INDEX runs_by_config_hash ON runs (config_hash);" \
  "CREATE TABLE evals (run INTEGER NOT NULL REFERENCES runs (id)," \
  " seq INTEGER NOT NULL, space TEXT, arch TEXT NOT NULL, proxy TEXT," \
  " config_hash TEXT, seed INTEGER NOT NULL, score REAL, loss REAL," \
  " status TEXT, seconds REAL, time TEXT NOT NULL, cached INTEGER NOT NULL," \
  " message TEXT, PRIMARY KEY (run, seq), UNIQUE (run, arch));" \
  "CREATE INDEX evals_by_cache_key ON evals (space, arch, config_hash," \
  " seed);"
#define V1_ROWS \
  "INSERT INTO runs VALUES (1, '2026-01-01T00:00:00.000Z', 'h1'," \
  " '{\"algo\": \"rea\", \"seed\": 1}', 'finished');" \
  "INSERT INTO runs VALUES (2, '2026-01-01T00:10:00.000Z', 'h2'," \
  " '{\"algo\": \"list\", \"stage\": \"final\", \"parent\": 1}'," \
  " 'finished');" \
  /* a parent that is not there, and a configuration that is not JSON */ \
  "INSERT INTO runs VALUES (3, '2026-01-01T00:20:00.000Z', 'h3'," \
  " '{\"stage\": \"final\", \"parent\": 42}', 'running');" \
  "INSERT INTO runs VALUES (4, '2026-01-01T00:30:00.000Z', 'h4'," \
  " 'not json', 'running');" \
  "INSERT INTO evals VALUES (1, 0, 'nb201', 'a', 'regression', 'c', 1," \
  " -1.5, 1.5, 'ok', 2.0, '2026-01-01T00:00:01.000Z', 0, NULL);"
#define V1_PRAGMAS \
  "PRAGMA application_id = 1735287155; PRAGMA user_version = 1;"
/* schema 2: runs.parent */
#define V2_PRAGMAS \
  "PRAGMA application_id = 1735287155; PRAGMA user_version = 2;"

static GPtrArray *all_evals (GnStore *store, gint64 run);

/* What a store of schema 1 holds once migrated: every row, a final
 * stage's parent moved from its configuration to the column, a checksum
 * on every row; and it works as a new one. */
static void
assert_migrated (const char *path)
{
  GError *error = NULL;
  GnStore *store = open_ok (path);
  gint64 parent = -1, run = -1;
  char *config = NULL;
  g_assert_true (gn_store_get_run (store, 2, &config, &parent, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parent, ==, 1);
  g_assert_nonnull (strstr (config, "\"stage\": \"final\""));
  g_clear_pointer (&config, g_free);
  for (gint64 r = 1; r <= 4; r += 2)
    {
      g_assert_true (gn_store_get_run (store, r, NULL, &parent, &error));
      g_assert_no_error (error);
      g_assert_cmpint (parent, ==, 0);
    }
  g_assert_cmpint (gn_store_count (store, 1), ==, 1);
  GPtrArray *all = all_evals (store, 1);
  g_assert_cmpfloat (((GnEval *) all->pdata[0])->score, ==, -1.5);
  g_ptr_array_unref (all);
  GnEval e = eval_of (1, "b", GN_EVAL_OK, -1.0);
  g_assert_cmpint (record_ok (store, &e), ==, 1);
  g_assert_true (gn_store_new_run (store, "{}", "h5", 1, &run, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run, ==, 5);
  gn_store_close (store);

  assert_raw (path, "PRAGMA user_version", "3");
  assert_raw (path, "PRAGMA foreign_key_check", NULL);
  assert_raw (path, "SELECT group_concat(ifnull(parent, '-'), ' ') FROM "
              "(SELECT parent FROM runs ORDER BY id)", "- 1 - - 1");
  assert_raw (path, "SELECT (SELECT count(*) FROM runs WHERE checksum IS "
              "NULL) + (SELECT count(*) FROM evals WHERE checksum IS NULL)",
              "0");
  /* and a second opening finds nothing more to do */
  gn_store_close (open_ok (path));
  assert_raw (path, "PRAGMA user_version", "3");
}

/* A store written by gennas with schema 1 is migrated in place. */
static void
test_migrate (Fixture *fx, gconstpointer data)
{
  raw_exec (fx->path, V1_SCHEMA V1_ROWS V1_PRAGMAS);
  assert_migrated (fx->path);
}

/* A migration left half done (by hand, or by an older gennas that did not
 * run it in one transaction): a column added, the version not bumped.
 * Opening completes it. */
static void
test_migrate_half_done (Fixture *fx, gconstpointer data)
{
  /* 1 -> 2: runs.parent added, nothing filled, still version 1 */
  raw_exec (fx->path, V1_SCHEMA V1_ROWS
            "ALTER TABLE runs ADD COLUMN parent INTEGER REFERENCES runs (id);"
            V1_PRAGMAS);
  assert_migrated (fx->path);

  /* 2 -> 3: evals.checksum added (runs.checksum not), version 2 */
  char *two = g_build_filename (fx->dir, "two.db", NULL);
  raw_exec (two, V1_SCHEMA V1_ROWS
            "ALTER TABLE runs ADD COLUMN parent INTEGER REFERENCES runs (id);"
            "UPDATE runs SET parent = 1 WHERE id = 2;"
            "ALTER TABLE evals ADD COLUMN checksum INTEGER;"
            V2_PRAGMAS);
  assert_migrated (two);

  /* and version 2 with both columns added, some rows filled: those are
   * kept (they were computed the same way), the others filled */
  char *three = g_build_filename (fx->dir, "three.db", NULL);
  raw_exec (three, V1_SCHEMA V1_ROWS
            "ALTER TABLE runs ADD COLUMN parent INTEGER REFERENCES runs (id);"
            "UPDATE runs SET parent = 1 WHERE id = 2;"
            "ALTER TABLE evals ADD COLUMN checksum INTEGER;"
            "ALTER TABLE runs ADD COLUMN checksum INTEGER;"
            V2_PRAGMAS);
  gn_store_close (open_ok (three));
  raw_exec (three, "UPDATE runs SET checksum = NULL WHERE id > 2;"
                   "PRAGMA user_version = 2;");
  assert_migrated (three);
  g_free (three);
  g_free (two);
}

/* A migration that fails changes nothing: a row of schema 2 whose score
 * is text is not given a checksum; the store stays at version 2, without
 * the new columns, and says which row. */
static void
test_migrate_refused (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  raw_exec (fx->path, V1_SCHEMA V1_ROWS
            "ALTER TABLE runs ADD COLUMN parent INTEGER REFERENCES runs (id);"
            "INSERT INTO evals VALUES (1, 1, 'nb201', 'b', 'regression', 'c',"
            " 1, 'high', 1.5, 'ok', 2.0, '2026-01-01T00:00:02.000Z', 0,"
            " NULL);"
            V2_PRAGMAS);
  g_assert_null (gn_store_open (fx->path, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "run 1, seq 1 holds text in "
                                            "'score'"));
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);
  assert_raw (fx->path, "PRAGMA user_version", "2");
  assert_raw (fx->path, "SELECT count(*) FROM pragma_table_info ('evals') "
              "WHERE name = 'checksum'", "0");
  assert_raw (fx->path, "SELECT count(*) FROM pragma_table_info ('runs') "
              "WHERE name = 'checksum'", "0");
}

typedef struct {
  GPtrArray *evals;     /* deep copies, GnEval * */
  int stop_after;       /* -1: never */
  GnStore *store;       /* for the nested calls */
} Collect;

static void
eval_free (gpointer p)
{
  GnEval *e = p;
  g_free ((char *) e->space);
  g_free ((char *) e->arch);
  g_free ((char *) e->proxy);
  g_free ((char *) e->config_hash);
  g_free ((char *) e->time);
  g_free ((char *) e->message);
  g_free (e);
}

static GnEval *
eval_copy (const GnEval *e)
{
  GnEval *c = g_new (GnEval, 1);
  *c = *e;
  c->space = g_strdup (e->space);
  c->arch = g_strdup (e->arch);
  c->proxy = g_strdup (e->proxy);
  c->config_hash = g_strdup (e->config_hash);
  c->time = g_strdup (e->time);
  c->message = g_strdup (e->message);
  return c;
}

static gboolean
collect (const GnEval *e, gpointer user)
{
  Collect *c = user;
  g_ptr_array_add (c->evals, eval_copy (e));
  return c->stop_after < 0 || (int) c->evals->len < c->stop_after;
}

static GPtrArray *
all_evals (GnStore *store, gint64 run)
{
  GError *error = NULL;
  Collect c = { g_ptr_array_new_with_free_func (eval_free), -1, store };
  g_assert_true (gn_store_foreach (store, run, collect, &c, &error));
  g_assert_no_error (error);
  return c.evals;
}

static void
assert_same_double (double got, double expected)
{
  if (isnan (expected))
    g_assert_true (isnan (got));
  else
    g_assert_true (got == expected);   /* bit for bit, even -DBL_MAX */
}

static void
assert_eval (const GnEval *got, const GnEval *want, gint64 seq)
{
  g_assert_cmpint (got->run, ==, want->run);
  g_assert_cmpint (got->seq, ==, seq);
  g_assert_cmpstr (got->space, ==, want->space);
  g_assert_cmpstr (got->arch, ==, want->arch);
  g_assert_cmpstr (got->proxy, ==, want->proxy);
  g_assert_cmpstr (got->config_hash, ==, want->config_hash);
  g_assert_cmpint (got->seed, ==, want->seed);
  assert_same_double (got->score, want->score);
  assert_same_double (got->loss, want->loss);
  g_assert_cmpint (got->status, ==, want->status);
  assert_same_double (got->seconds, want->seconds);
  g_assert_cmpint (!!got->cached, ==, !!want->cached);
  g_assert_cmpstr (got->message, ==, want->message);
  /* set by the store, UTC with milliseconds */
  g_assert_true (g_regex_match_simple (
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
      got->time, 0, 0));
}

static void
test_record (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  GnStore *store = open_ok (fx->path);
  gint64 r1 = new_run_ok (store, "{\"n\":1}");
  gint64 r2 = new_run_ok (store, "{\"n\":2}");

  GnEval e[4] = {
    eval_of (r1, "|a|", GN_EVAL_OK, 0.75),
    eval_of (r1, "|b|", GN_EVAL_NONFINITE, -G_MAXDOUBLE),
    eval_of (r1, "|c|", GN_EVAL_ERROR, -G_MAXDOUBLE),
    eval_of (r1, "|d|", GN_EVAL_OK, 1e-300),
  };
  e[1].loss = NAN;
  e[2].loss = INFINITY;
  e[2].message = "boom: \"quoted\", and\nmore";
  e[2].seconds = NAN;
  e[3].cached = TRUE;
  e[3].seed = -3;

  g_assert_cmpint (record_ok (store, &e[0]), ==, 0);
  g_assert_cmpint (record_ok (store, &e[1]), ==, 1);
  /* numbering is per run */
  GnEval other = eval_of (r2, "|a|", GN_EVAL_OK, 0.5);
  g_assert_cmpint (record_ok (store, &other), ==, 0);
  g_assert_cmpint (record_ok (store, &e[2]), ==, 2);

  /* a run never evaluates an architecture twice */
  GnEval again = eval_of (r1, "|b|", GN_EVAL_OK, 3.0);
  gint64 seq = -7;
  g_assert_false (gn_store_record (store, &again, &seq, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, "|b|"));
  g_clear_error (&error);
  g_assert_cmpint (seq, ==, -7);
  g_assert_cmpint (gn_store_count (store, r1), ==, 3);

  /* and the refusal left no gap */
  g_assert_cmpint (record_ok (store, &e[3]), ==, 3);

  GnEval orphan = eval_of (r2 + 100, "|a|", GN_EVAL_OK, 1.0);
  g_assert_false (gn_store_record (store, &orphan, NULL, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (gn_store_count (store, r2 + 100), ==, 0);

  g_assert_cmpint (gn_store_count (store, r1), ==, 4);
  g_assert_cmpint (gn_store_count (store, r2), ==, 1);
  gn_store_close (store);

  /* everything reads back after reopening, NaN and -DBL_MAX included */
  store = open_ok (fx->path);
  GPtrArray *got = all_evals (store, r1);
  g_assert_cmpuint (got->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    assert_eval (g_ptr_array_index (got, i), &e[i], i);
  g_ptr_array_unref (got);
  gn_store_close (store);

  /* NaN is stored as NULL */
  assert_raw (fx->path, "SELECT count(*) FROM evals WHERE loss IS NULL",
              "1");
}

static void
test_lookup (Fixture *fx, gconstpointer data)
{
  GnStore *store = open_ok (fx->path);
  gint64 r1 = new_run_ok (store, "{\"n\":1}");
  static const GnEvalStatus statuses[] = {
    GN_EVAL_OK, GN_EVAL_NONFINITE, GN_EVAL_ERROR, GN_EVAL_CRASHED,
    GN_EVAL_TIMEOUT
  };
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      char *arch = g_strdup_printf ("|%s|",
                                    gn_eval_status_name (statuses[i]));
      GnEval e = eval_of (r1, arch, statuses[i],
                          i == 0 ? 0.25 : -G_MAXDOUBLE);
      if (i == 1)
        e.loss = NAN;
      if (i >= 2)
        e.message = "it failed";
      record_ok (store, &e);
      g_free (arch);
    }

  GnEval out;
  memset (&out, 0, sizeof out);
  g_assert_true (gn_store_lookup (store, "nb201", "|ok|", "cfg", 7, &out));
  g_assert_cmpint (out.run, ==, r1);
  g_assert_cmpint (out.seq, ==, 0);
  g_assert_cmpstr (out.arch, ==, "|ok|");
  g_assert_cmpint (out.status, ==, GN_EVAL_OK);
  g_assert_cmpfloat (out.score, ==, 0.25);
  g_assert_cmpfloat (out.loss, ==, 0.5);
  g_assert_false (out.cached);

  /* the previous answer's strings may be the next question */
  g_assert_true (gn_store_lookup (store, out.space, out.arch,
                                  out.config_hash, out.seed, &out));
  g_assert_cmpstr (out.arch, ==, "|ok|");
  g_assert_true (gn_store_lookup (store, out.space, "|nonfinite|",
                                  out.config_hash, 7, &out));
  g_assert_cmpint (out.status, ==, GN_EVAL_NONFINITE);
  g_assert_true (out.score == -G_MAXDOUBLE);
  g_assert_true (isnan (out.loss));

  /* failures are not scores: they are computed again */
  g_assert_false (gn_store_lookup (store, "nb201", "|error|", "cfg", 7,
                                   &out));
  g_assert_false (gn_store_lookup (store, "nb201", "|crashed|", "cfg", 7,
                                   &out));
  g_assert_false (gn_store_lookup (store, "nb201", "|timeout|", "cfg", 7,
                                   &out));
  /* the whole key must match */
  g_assert_false (gn_store_lookup (store, "nb201", "|ok|", "cfg", 8, &out));
  g_assert_false (gn_store_lookup (store, "nb201", "|ok|", "cfg2", 7,
                                   &out));
  g_assert_false (gn_store_lookup (store, "nb101", "|ok|", "cfg", 7, &out));
  g_assert_false (gn_store_lookup (store, "nb201", "|OK|", "cfg", 7, &out));

  /* from any run: a later run finds r1's score; r2 records a cache hit
   * and a real computation of what failed in r1 */
  gint64 r2 = new_run_ok (store, "{\"n\":2}");
  GnEval hit = eval_of (r2, "|ok|", GN_EVAL_OK, 0.25);
  hit.cached = TRUE;
  record_ok (store, &hit);
  GnEval retry = eval_of (r2, "|error|", GN_EVAL_OK, 0.125);
  record_ok (store, &retry);

  g_assert_true (gn_store_lookup (store, "nb201", "|ok|", "cfg", 7, &out));
  g_assert_cmpint (out.run, ==, r1);        /* the original, not the hit */
  g_assert_false (out.cached);
  g_assert_true (gn_store_lookup (store, "nb201", "|error|", "cfg", 7,
                                  &out));
  g_assert_cmpint (out.run, ==, r2);
  g_assert_cmpfloat (out.score, ==, 0.125);
  g_assert_cmpint (out.status, ==, GN_EVAL_OK);
  g_assert_null (out.message);
  gn_store_close (store);

  /* and across processes' lifetimes */
  store = open_ok (fx->path);
  g_assert_true (gn_store_lookup (store, "nb201", "|nonfinite|", "cfg", 7,
                                  &out));
  g_assert_cmpint (out.run, ==, r1);
  gn_store_close (store);

  /* the statuses are kept as the text they always were; a text the store
   * did not write is a damaged row, never a score */
  assert_raw (fx->path, "SELECT group_concat(status, ' ') FROM "
              "(SELECT status FROM evals ORDER BY run, seq)",
              "ok nonfinite error crashed timeout ok ok");
  raw_exec (fx->path, "UPDATE evals SET status = 'exploded' "
            "WHERE arch = '|nonfinite|'");
  store = open_ok (fx->path);
  g_assert_false (gn_store_lookup (store, "nb201", "|nonfinite|", "cfg", 7,
                                   &out));
  GError *error = NULL;
  Collect c = { g_ptr_array_new_with_free_func (eval_free), -1, store };
  g_assert_false (gn_store_foreach (store, r1, collect, &c, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "run 1, seq 1 has a status"));
  g_assert_cmpuint (c.evals->len, ==, 1);       /* the rows before it */
  g_clear_error (&error);
  g_ptr_array_unref (c.evals);

  /* a damaged row the lookup would return: it says so, and it is no
   * score (computed again) */
  raw_exec (fx->path, "UPDATE evals SET score = 0.5 WHERE arch = '|ok|' "
            "AND run = 1");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*run 1, seq 0 does not match its checksum*");
  g_assert_false (gn_store_lookup (store, "nb201", "|ok|", "cfg", 7, &out));
  g_test_assert_expected_messages ();
  gn_store_close (store);
}

static gboolean
nested (const GnEval *e, gpointer user)
{
  Collect *c = user;
  /* the store's other calls, and a nested scan, in the middle of one */
  g_assert_cmpint (gn_store_count (c->store, e->run), >, 0);
  GPtrArray *inner = all_evals (c->store, e->run);   /* the same query */
  g_assert_cmpuint (inner->len, >, e->seq);
  g_ptr_array_unref (inner);
  inner = all_evals (c->store, -1);
  g_assert_cmpuint (inner->len, ==, 5);
  g_ptr_array_unref (inner);
  return collect (e, user);
}

static void
test_foreach (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  GnStore *store = open_ok (fx->path);
  gint64 r1 = new_run_ok (store, "{\"n\":1}");
  gint64 r2 = new_run_ok (store, "{\"n\":2}");
  /* interleaved, as two searches sharing a file would write them */
  const struct { gint64 run; const char *arch; } order[] = {
    { r2, "|x|" }, { r1, "|a|" }, { r2, "|y|" }, { r1, "|b|" },
    { r1, "|c|" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      GnEval e = eval_of (order[i].run, order[i].arch, GN_EVAL_OK, i);
      record_ok (store, &e);
    }

  static const char *const want_all[] = { "|a|", "|b|", "|c|", "|x|", "|y|" };
  GPtrArray *all = all_evals (store, -1);
  g_assert_cmpuint (all->len, ==, 5);
  for (guint i = 0; i < all->len; i++)
    {
      const GnEval *e = g_ptr_array_index (all, i);
      g_assert_cmpstr (e->arch, ==, want_all[i]);
      g_assert_cmpint (e->run, ==, i < 3 ? r1 : r2);
      g_assert_cmpint (e->seq, ==, i < 3 ? i : i - 3);
    }
  g_ptr_array_unref (all);

  GPtrArray *two = all_evals (store, r2);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpstr (((GnEval *) g_ptr_array_index (two, 1))->arch, ==, "|y|");
  g_ptr_array_unref (two);

  /* stopping early is not an error */
  Collect c = { g_ptr_array_new_with_free_func (eval_free), 2, store };
  g_assert_true (gn_store_foreach (store, -1, collect, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.evals->len, ==, 2);
  g_ptr_array_set_size (c.evals, 0);

  c.stop_after = -1;
  g_assert_true (gn_store_foreach (store, r1, nested, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.evals->len, ==, 3);
  g_ptr_array_unref (c.evals);

  g_assert_false (gn_store_foreach (store, r2 + 1, collect, &c, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  gn_store_close (store);
}

/* ------------------------------------------------------------------ */
/* export                                                              */
/* ------------------------------------------------------------------ */

static const char *const columns[] = {
  "run", "seq", "space", "arch", "proxy", "config_hash", "seed", "score",
  "loss", "status", "seconds", "time", "cached", "message",
};

/* The export fixture: run r1 holds tricky rows, r2 one plain row.
 * Returns the rows as recorded (time filled in from the store). */
static GPtrArray *
fill_for_export (GnStore *store, gint64 *r1, gint64 *r2)
{
  *r1 = new_run_ok (store, "{\"n\":1}");
  *r2 = new_run_ok (store, "{\"n\":2}");
  GnEval e[4] = {
    eval_of (*r1, "|nor_conv_3x3~0|+|skip,\"q\"~0|", GN_EVAL_OK, 0.1),
    eval_of (*r1, "|a|", GN_EVAL_NONFINITE, -G_MAXDOUBLE),
    eval_of (*r1, "|b|", GN_EVAL_ERROR, -G_MAXDOUBLE),
    eval_of (*r1, "|c|", GN_EVAL_OK, 1e-300),
  };
  e[0].loss = 0.25;
  e[1].loss = NAN;
  e[1].cached = TRUE;
  e[1].message = "diverged, at step 3\nsaid \"inf\"\t\x01 \\ end";
  e[2].loss = INFINITY;
  e[2].seconds = NAN;
  e[2].seed = -5;
  e[2].message = "bad, byte \xff here";   /* a comma alone */
  e[3].loss = 3.0;
  e[3].seconds = 12.5;
  e[3].message = "";
  for (guint i = 0; i < 4; i++)
    record_ok (store, &e[i]);
  GnEval plain = eval_of (*r2, "|d|", GN_EVAL_OK, 2.0);
  record_ok (store, &plain);
  return all_evals (store, -1);
}

static char *
export_to_string (GnStore *store, gint64 run, const char *format,
                  const char *dir)
{
  GError *error = NULL;
  char *file = g_build_filename (dir, "export.out", NULL);
  FILE *out = fopen (file, "w");
  g_assert_nonnull (out);
  g_assert_true (gn_store_export (store, run, format, out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fclose (out), ==, 0);
  char *text = NULL;
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  g_assert_cmpint (g_remove (file), ==, 0);
  g_free (file);
  return text;
}

static void
assert_csv_double (const char *field, double want)
{
  if (isnan (want))
    g_assert_cmpstr (field, ==, "");
  else if (isinf (want))
    g_assert_cmpstr (field, ==, want > 0 ? "inf" : "-inf");
  else
    {
      char *end = NULL;
      double v = g_ascii_strtod (field, &end);
      g_assert_cmpstr (end, ==, "");
      g_assert_true (v == want);
    }
}

static void
assert_csv_row (GnTable *t, guint row, const GnEval *e)
{
  char *run = g_strdup_printf ("%" G_GINT64_FORMAT, e->run);
  char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, e->seq);
  char *seed = g_strdup_printf ("%" G_GINT64_FORMAT, e->seed);
  g_assert_cmpstr (gn_table_get (t, row, 0), ==, run);
  g_assert_cmpstr (gn_table_get (t, row, 1), ==, seq);
  g_assert_cmpstr (gn_table_get (t, row, 2), ==, e->space);
  g_assert_cmpstr (gn_table_get (t, row, 3), ==, e->arch);
  g_assert_cmpstr (gn_table_get (t, row, 4), ==, e->proxy);
  g_assert_cmpstr (gn_table_get (t, row, 5), ==, e->config_hash);
  g_assert_cmpstr (gn_table_get (t, row, 6), ==, seed);
  assert_csv_double (gn_table_get (t, row, 7), e->score);
  assert_csv_double (gn_table_get (t, row, 8), e->loss);
  g_assert_cmpstr (gn_table_get (t, row, 9), ==,
                   gn_eval_status_name (e->status));
  assert_csv_double (gn_table_get (t, row, 10), e->seconds);
  g_assert_cmpstr (gn_table_get (t, row, 11), ==, e->time);
  g_assert_cmpstr (gn_table_get (t, row, 12), ==, e->cached ? "1" : "0");
  g_assert_cmpstr (gn_table_get (t, row, 13), ==,
                   e->message ? e->message : "");
  g_free (run);
  g_free (seq);
  g_free (seed);
}

static void
test_export_csv (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  GnStore *store = open_ok (fx->path);
  gint64 r1, r2;
  GPtrArray *evals = fill_for_export (store, &r1, &r2);
  g_assert_cmpuint (evals->len, ==, 5);

  char *text = export_to_string (store, -1, "csv", fx->dir);
  g_assert_true (g_str_has_prefix (text, "run,seq,space,arch,proxy,"
                                   "config_hash,seed,score,loss,status,"
                                   "seconds,time,cached,message\n"));
  /* quoted only where RFC 4180 needs it, quotes doubled */
  g_assert_nonnull (strstr (text, ",\"|nor_conv_3x3~0|+|skip,\"\"q\"\"~0|\","));
  g_assert_nonnull (strstr (text, ",|a|,"));
  /* shortest round-trip numbers */
  g_assert_nonnull (strstr (text, ",0.1,0.25,ok,1.25,"));
  /* an empty message is a quoted empty field, no message an empty one */
  g_assert_nonnull (strstr (text, ",0,\"\"\n"));
  g_assert_true (g_str_has_suffix (text, ",0,\n"));

  GnTable *t = gn_table_new_from_data ("export.csv", text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gn_table_n_columns (t), ==, G_N_ELEMENTS (columns));
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    g_assert_cmpstr (gn_table_column_name (t, i), ==, columns[i]);
  g_assert_cmpuint (gn_table_n_rows (t), ==, evals->len);
  for (guint i = 0; i < evals->len; i++)
    assert_csv_row (t, i, g_ptr_array_index (evals, i));
  /* the project's reader parses our -DBL_MAX back exactly */
  double v = 0;
  g_assert_true (gn_table_get_double (t, 1, 7, &v, &error));
  g_assert_true (v == -G_MAXDOUBLE);
  gn_table_free (t);
  g_free (text);

  /* one run */
  text = export_to_string (store, r2, "csv", fx->dir);
  t = gn_table_new_from_data ("export.csv", text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gn_table_n_rows (t), ==, 1);
  assert_csv_row (t, 0, g_ptr_array_index (evals, 4));
  gn_table_free (t);
  g_free (text);

  /* refusals write nothing */
  char *file = g_build_filename (fx->dir, "refused.out", NULL);
  FILE *out = fopen (file, "w");
  g_assert_false (gn_store_export (store, -1, "xml", out, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (gn_store_export (store, r2 + 1, "csv", out, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (ftell (out), ==, 0);
  fclose (out);
  g_free (file);

  /* a failed write is an error, not a silently short file */
  out = fopen ("/dev/full", "w");
  if (out != NULL)
    {
      g_assert_false (gn_store_export (store, -1, "csv", out, &error));
      g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
      g_clear_error (&error);
      fclose (out);
    }

  g_ptr_array_unref (evals);
  gn_store_close (store);
}

/* Text that a spreadsheet would run as a formula is exported with a
 * single quote before it, quoted (OWASP's rule on CSV injection); numbers
 * and other text are left alone. */
static void
test_export_csv_formulas (Fixture *fx, gconstpointer data)
{
  static const struct {
    const char *text, *field;   /* the message, and its CSV field */
  } cases[] = {
    { "=HYPERLINK(\"http://x.invalid\",\"y\")",
      "\"'=HYPERLINK(\"\"http://x.invalid\"\",\"\"y\"\")\"" },
    { "@SUM(A1)", "\"'@SUM(A1)\"" },
    { "+A1", "\"'+A1\"" },
    { "-A1+1", "\"'-A1+1\"" },
    { "-", "\"'-\"" },
    { "-inf", "\"'-inf\"" },
    { "\tx", "\"'\tx\"" },
    { "\rx", "\"'\rx\"" },
    { "-1.5", "-1.5" },
    { "+2e-3", "+2e-3" },
    { "a=b", "a=b" },
    { "x,y", "\"x,y\"" },
  };
  GError *error = NULL;
  GnStore *store = open_ok (fx->path);
  gint64 run = new_run_ok (store, "{}");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *arch = g_strdup_printf ("|%u|", i);
      GnEval e = eval_of (run, arch, GN_EVAL_ERROR, -G_MAXDOUBLE);
      e.message = cases[i].text;
      record_ok (store, &e);
      g_free (arch);
    }
  /* the architecture too, as any text column */
  GnEval e = eval_of (run, "=1+2", GN_EVAL_OK, 1.0);
  record_ok (store, &e);

  char *text = export_to_string (store, run, "csv", fx->dir);
  g_test_message ("%s", text);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* the message ends the line, after "cached" */
      char *tail = g_strconcat (",0,", cases[i].field, "\n", NULL);
      g_assert_nonnull (strstr (text, tail));
      g_free (tail);
    }
  g_assert_nonnull (strstr (text, ",\"'=1+2\","));

  /* what a CSV reader gets back: the text, after the quote */
  GnTable *t = gn_table_new_from_data ("export.csv", text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gn_table_get (t, 0, 13), ==,
                   "'=HYPERLINK(\"http://x.invalid\",\"y\")");
  g_assert_cmpstr (gn_table_get (t, 8, 13), ==, "-1.5");
  gn_table_free (t);
  g_free (text);

  /* JSON Lines are data, not a spreadsheet: unchanged */
  text = export_to_string (store, run, "jsonl", fx->dir);
  g_assert_nonnull (strstr (text, "\"message\":\"=HYPERLINK("));
  g_free (text);
  gn_store_close (store);
}

/* A small strict reader for the flat objects of one JSONL line. */
typedef struct {
  char *key;
  char kind;        /* 's' string, 'n' number, 'l' null / true / false */
  char *text;       /* the decoded string, or the token */
} JsonField;

static void
json_field_free (gpointer p)
{
  JsonField *f = p;
  g_free (f->key);
  g_free (f->text);
  g_free (f);
}

static char *
json_parse_string (const char **pp)
{
  const char *p = *pp;
  GString *s = g_string_new (NULL);
  g_assert_cmpint (*p++, ==, '"');
  while (*p != '"')
    {
      /* JSON forbids raw control characters in strings (and NUL ends) */
      g_assert_cmpint ((guchar) *p, >=, 0x20);
      if (*p != '\\')
        {
          g_string_append_c (s, *p++);
          continue;
        }
      p++;
      switch (*p++)
        {
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/': g_string_append_c (s, '/'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          {
            gunichar c = 0;
            for (int k = 0; k < 4; k++)
              {
                g_assert_true (g_ascii_isxdigit (p[k]));
                c = c * 16 + g_ascii_xdigit_value (p[k]);
              }
            g_assert_false (c >= 0xd800 && c < 0xe000);
            g_string_append_unichar (s, c);
            p += 4;
            break;
          }
        default:
          g_assert_not_reached ();
        }
    }
  *pp = p + 1;
  g_assert_true (g_utf8_validate (s->str, s->len, NULL));
  return g_string_free (s, FALSE);
}

static GPtrArray *
json_parse_object (const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (json_field_free);
  const char *p = line;
  g_assert_cmpint (*p++, ==, '{');
  for (;;)
    {
      JsonField *f = g_new0 (JsonField, 1);
      g_ptr_array_add (fields, f);
      f->key = json_parse_string (&p);
      g_assert_cmpint (*p++, ==, ':');
      if (*p == '"')
        {
          f->kind = 's';
          f->text = json_parse_string (&p);
        }
      else if (g_str_has_prefix (p, "null") || g_str_has_prefix (p, "true"))
        {
          f->kind = 'l';
          f->text = g_strndup (p, 4);
          p += 4;
        }
      else if (g_str_has_prefix (p, "false"))
        {
          f->kind = 'l';
          f->text = g_strdup ("false");
          p += 5;
        }
      else
        {
          const char *start = p;
          if (*p == '-')
            p++;
          g_assert_true (g_ascii_isdigit (*p));
          while (*p != '\0' && strchr ("0123456789.eE+-", *p) != NULL)
            p++;
          f->kind = 'n';
          f->text = g_strndup (start, p - start);
          char *end = NULL;
          g_ascii_strtod (f->text, &end);
          g_assert_cmpstr (end, ==, "");
        }
      if (*p == ',')
        {
          p++;
          continue;
        }
      g_assert_cmpint (*p++, ==, '}');
      break;
    }
  g_assert_cmpstr (p, ==, "");
  return fields;
}

static void
assert_json_string (const JsonField *f, const char *want)
{
  if (want == NULL)
    {
      g_assert_cmpint (f->kind, ==, 'l');
      g_assert_cmpstr (f->text, ==, "null");
      return;
    }
  g_assert_cmpint (f->kind, ==, 's');
  if (g_utf8_validate (want, -1, NULL))
    g_assert_cmpstr (f->text, ==, want);
  else
    {
      char *valid = g_utf8_make_valid (want, -1);
      g_assert_cmpstr (f->text, ==, valid);
      g_free (valid);
    }
}

static void
assert_json_number (const JsonField *f, double want)
{
  if (!isfinite (want))
    {
      g_assert_cmpint (f->kind, ==, 'l');
      g_assert_cmpstr (f->text, ==, "null");
      return;
    }
  g_assert_cmpint (f->kind, ==, 'n');
  g_assert_true (g_ascii_strtod (f->text, NULL) == want);
}

static void
assert_json_int (const JsonField *f, gint64 want)
{
  g_assert_cmpint (f->kind, ==, 'n');
  g_assert_cmpint (g_ascii_strtoll (f->text, NULL, 10), ==, want);
}

static void
assert_json_row (const char *line, const GnEval *e)
{
  GPtrArray *o = json_parse_object (line);
  g_assert_cmpuint (o->len, ==, G_N_ELEMENTS (columns));
  for (guint i = 0; i < o->len; i++)
    g_assert_cmpstr (((JsonField *) g_ptr_array_index (o, i))->key, ==,
                     columns[i]);
#define FIELD(i) ((const JsonField *) g_ptr_array_index (o, (i)))
  assert_json_int (FIELD (0), e->run);
  assert_json_int (FIELD (1), e->seq);
  assert_json_string (FIELD (2), e->space);
  assert_json_string (FIELD (3), e->arch);
  assert_json_string (FIELD (4), e->proxy);
  assert_json_string (FIELD (5), e->config_hash);
  assert_json_int (FIELD (6), e->seed);
  assert_json_number (FIELD (7), e->score);
  assert_json_number (FIELD (8), e->loss);
  assert_json_string (FIELD (9), gn_eval_status_name (e->status));
  assert_json_number (FIELD (10), e->seconds);
  assert_json_string (FIELD (11), e->time);
  g_assert_cmpint (FIELD (12)->kind, ==, 'l');
  g_assert_cmpstr (FIELD (12)->text, ==, e->cached ? "true" : "false");
  assert_json_string (FIELD (13), e->message);
#undef FIELD
  g_ptr_array_unref (o);
}

static void
test_export_jsonl (Fixture *fx, gconstpointer data)
{
  GnStore *store = open_ok (fx->path);
  gint64 r1, r2;
  GPtrArray *evals = fill_for_export (store, &r1, &r2);

  char *text = export_to_string (store, -1, "jsonl", fx->dir);
  g_assert_true (g_str_has_suffix (text, "}\n"));
  /* the escapes themselves, as JSON spells them */
  g_assert_nonnull (strstr (text, "\"message\":\"diverged, at step 3\\n"
                                  "said \\\"inf\\\"\\t\\u0001 \\\\ end\""));
  g_assert_nonnull (strstr (text, "\"loss\":null"));
  g_assert_nonnull (strstr (text, "\"score\":-1.7976931348623157e+308"));
  g_assert_nonnull (strstr (text, "\"score\":0.1,"));

  char **lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, evals->len + 1);
  g_assert_cmpstr (lines[evals->len], ==, "");
  for (guint i = 0; i < evals->len; i++)
    assert_json_row (lines[i], g_ptr_array_index (evals, i));
  g_strfreev (lines);
  g_free (text);

  text = export_to_string (store, r1, "jsonl", fx->dir);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  for (guint i = 0; i < 4; i++)
    assert_json_row (lines[i], g_ptr_array_index (evals, i));
  g_strfreev (lines);
  g_free (text);

  g_ptr_array_unref (evals);
  gn_store_close (store);
}

/* ------------------------------------------------------------------ */
/* durability                                                          */
/* ------------------------------------------------------------------ */

/* The i-th evaluation the writer process records: a pure function of i,
 * so the survivor can check every row it finds. */
static GnEval
durable_eval (gint64 run, gint64 i, char **arch, char **message)
{
  static const GnEvalStatus statuses[] = { GN_EVAL_OK, GN_EVAL_NONFINITE,
                                           GN_EVAL_ERROR };
  *arch = g_strdup_printf ("|nor_conv_3x3~0|+|skip_connect~0|%"
                           G_GINT64_FORMAT "|", i);
  /* rows of varied size, some spanning pages */
  *message = i % 3 == 0 ? NULL
             : g_strdup_printf ("%" G_GINT64_FORMAT " %*s", i,
                                (int) (i * 37 % 5000), "x");
  return (GnEval) {
    .run = run, .space = "nb201", .arch = *arch, .proxy = "regression",
    .config_hash = "cfg", .seed = i * 1000003, .score = i * 0.5 - 3,
    .loss = i % 7 == 0 ? NAN : 1.0 / (i + 1), .status = statuses[i % 3],
    .seconds = i / 1000.0, .cached = i % 2, .message = *message,
  };
}

static void G_GNUC_NORETURN
writer_main (const char *path, gint64 run, int fd)
{
  GError *error = NULL;
  GnStore *store = gn_store_open (path, &error);
  if (store == NULL)
    _exit (2);
  for (gint64 i = gn_store_count (store, run);; i++)
    {
      char *arch, *message;
      GnEval e = durable_eval (run, i, &arch, &message);
      gint64 seq = -1;
      if (!gn_store_record (store, &e, &seq, &error) || seq != i)
        _exit (3);
      g_free (arch);
      g_free (message);
      /* only now is it committed: tell the parent */
      if (write (fd, &seq, sizeof seq) != sizeof seq)
        _exit (4);
    }
}

/* Reads one reported sequence number; FALSE at the end of the pipe. */
static gboolean
read_seq (int fd, gint64 *seq)
{
  gsize got = 0;
  while (got < sizeof *seq)
    {
      ssize_t n = read (fd, (char *) seq + got, sizeof *seq - got);
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        {
          g_assert_cmpuint (got, ==, 0);   /* whole numbers only */
          return FALSE;
        }
      got += n;
    }
  return TRUE;
}

static void
test_durability (Fixture *fx, gconstpointer data)
{
  GnStore *store = open_ok (fx->path);
  gint64 run = new_run_ok (store, "{\"durable\":true}");
  /* never share a connection across fork(): the writer opens its own */
  gn_store_close (store);

  gint64 committed = 0;       /* every seq below this was reported */
  for (int round = 0; round < 4; round++)
    {
      int fds[2];
      g_assert_cmpint (pipe (fds), ==, 0);
      pid_t pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          writer_main (fx->path, run, fds[1]);
        }
      close (fds[1]);

      /* let it commit a random number of rows, read alongside it, then
       * kill it at a random moment: often inside a transaction */
      int want = g_test_rand_int_range (1, 200);
      gint64 seq = -1;
      for (int k = 0; k < want; k++)
        {
          if (!read_seq (fds[0], &seq))
            {
              int status = 0;
              waitpid (pid, &status, 0);
              g_error ("the writer stopped early (wait status 0x%x: exit "
                       "2 open, 3 record, 4 pipe)", status);
            }
          g_assert_cmpint (seq, ==, committed);
          committed++;
          if (k == want / 2)
            {
              GnStore *reader = open_ok (fx->path);
              g_assert_cmpint (gn_store_count (reader, run), >=, committed);
              gn_store_close (reader);
            }
        }
      g_usleep (g_test_rand_int_range (0, 20000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      int status = 0;
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      while (read_seq (fds[0], &seq))
        {
          g_assert_cmpint (seq, ==, committed);
          committed++;
        }
      close (fds[0]);

      /* every reported row is there, intact, numbered without gaps; at
       * most one more (committed, killed before it could report) */
      store = open_ok (fx->path);
      gint64 n = gn_store_count (store, run);
      g_assert_cmpint (n, >=, committed);
      g_assert_cmpint (n, <=, committed + 1);
      GPtrArray *rows = all_evals (store, run);
      g_assert_cmpint (rows->len, ==, n);
      for (gint64 i = 0; i < n; i++)
        {
          char *arch, *message;
          GnEval want_e = durable_eval (run, i, &arch, &message);
          assert_eval (g_ptr_array_index (rows, i), &want_e, i);
          g_free (arch);
          g_free (message);
        }
      g_ptr_array_unref (rows);
      gn_store_close (store);
      committed = n;
      g_test_message ("round %d: %" G_GINT64_FORMAT " rows", round, n);

      assert_raw (fx->path, "PRAGMA integrity_check", "ok");
      assert_raw (fx->path, "PRAGMA foreign_key_check", NULL);
    }
}

/* ------------------------------------------------------------------ */
/* damage                                                              */
/* ------------------------------------------------------------------ */

/* Reads every evaluation of the store at @path and expects a damaged row,
 * in a message that contains @what. */
static void
assert_damaged_row (const char *path, const char *what)
{
  GError *error = NULL;
  GnStore *store = open_ok (path);
  Collect c = { g_ptr_array_new_with_free_func (eval_free), -1, store };
  g_assert_false (gn_store_foreach (store, -1, collect, &c, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "a damaged store: "));
  g_assert_nonnull (strstr (error->message, what));
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);
  g_ptr_array_unref (c.evals);
  /* the export fails the same way */
  FILE *out = tmpfile ();
  g_assert_false (gn_store_export (store, -1, "csv", out, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  fclose (out);
  gn_store_close (store);
}

/* A value gennas did not write is a damaged row, named, never read as a
 * number: a score that is text (which SQLite reads as 0), a status that
 * is none of the five, a seq out of range, a value changed in place. */
static void
test_damaged_rows (Fixture *fx, gconstpointer data)
{
  static const struct {
    const char *sql, *what;
  } cases[] = {
    { "UPDATE evals SET score = 'x' WHERE seq = 1",
      "run 1, seq 1 holds text in 'score'" },
    { "UPDATE evals SET seconds = x'00' WHERE seq = 1",
      "run 1, seq 1 holds a blob in 'seconds'" },
    { "UPDATE evals SET status = 'fine' WHERE seq = 1",
      "run 1, seq 1 has a status that is none of" },
    { "UPDATE evals SET seq = -3 WHERE seq = 1",
      "run 1, seq -3 has a sequence number out of range" },
    { "UPDATE evals SET seq = 4294967296 WHERE seq = 1",
      "has a sequence number out of range" },
    { "UPDATE evals SET cached = 2 WHERE seq = 1",
      "has 'cached' neither 0 nor 1" },
    /* valid types and domains, a changed value: only the checksum sees */
    { "UPDATE evals SET score = 0.75 WHERE seq = 1",
      "run 1, seq 1 does not match its checksum" },
    { "UPDATE evals SET arch = '|c|' WHERE seq = 1",
      "run 1, seq 1 does not match its checksum" },
    { "UPDATE evals SET status = 'ok' WHERE seq = 1",
      "run 1, seq 1 does not match its checksum" },
    { "UPDATE evals SET checksum = NULL WHERE seq = 1",
      "run 1, seq 1 holds NULL in 'checksum'" },
    /* a row added by hand has no checksum */
    { "INSERT INTO evals (" "run, seq, space, arch, proxy, config_hash, seed, "
      "score, loss, status, seconds, time, cached) VALUES (1, 2, 'nb201', "
      "'|z|', 'p', 'c', 7, 1.0, 1.0, 'ok', 1.0, 't', 0)",
      "run 1, seq 2 holds NULL in 'checksum'" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strdup_printf ("%s/case-%u.db", fx->dir, i);
      GnStore *store = open_ok (path);
      gint64 run = new_run_ok (store, "{}");
      GnEval a = eval_of (run, "|a|", GN_EVAL_OK, 0.25);
      GnEval b = eval_of (run, "|b|", GN_EVAL_ERROR, -G_MAXDOUBLE);
      record_ok (store, &a);
      record_ok (store, &b);
      gn_store_close (store);
      g_test_message ("%s", cases[i].sql);
      raw_exec (path, cases[i].sql);
      assert_damaged_row (path, cases[i].what);
      g_free (path);
    }
}

/* The checksum holds for every value gennas writes: no false alarm. */
static void
test_checksum_values (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  GnStore *store = open_ok (fx->path);
  gint64 run = new_run_ok (store, "{\"x\":\"\xc3\xa9\"}");
  static const double values[] = {
    0.0, -0.0, 3.0, -1.5, 1e-310, -G_MAXDOUBLE, G_MAXDOUBLE,
    4611686018427387904.0, -9223372036854775808.0, 1e300, INFINITY,
    -INFINITY, NAN,
  };
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      char *arch = g_strdup_printf ("|%u|", i);
      GnEval e = eval_of (run, arch, GN_EVAL_NONFINITE, values[i]);
      e.loss = values[(i + 1) % G_N_ELEMENTS (values)];
      e.seconds = values[(i + 2) % G_N_ELEMENTS (values)];
      e.seed = i % 2 ? G_MININT64 : G_MAXINT64;
      e.message = i % 2 ? "" : "caf\xc3\xa9 \"x\"";
      e.space = i % 3 ? NULL : "s";
      record_ok (store, &e);
      g_free (arch);
    }
  gint64 child = -1;
  g_assert_true (gn_store_new_run (store, "{}", "h", run, &child, &error));
  g_assert_no_error (error);
  gn_store_close (store);

  store = open_ok (fx->path);
  GPtrArray *all = all_evals (store, run);
  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (values));
  for (guint i = 0; i < all->len; i++)
    {
      const GnEval *e = all->pdata[i];
      double want = values[i];
      g_assert_true (isnan (want) ? isnan (e->score) : e->score == want);
    }
  g_ptr_array_unref (all);
  gint64 parent = 0;
  g_assert_true (gn_store_get_run (store, child, NULL, &parent, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parent, ==, run);
  gn_store_close (store);

  /* a run's row is covered too */
  raw_exec (fx->path, "UPDATE runs SET config = '{\"x\":1}' WHERE id = 1");
  store = open_ok (fx->path);
  char *config = NULL;
  g_assert_false (gn_store_get_run (store, run, &config, NULL, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "run 1 does not match its "
                                            "checksum"));
  g_assert_null (config);
  g_clear_error (&error);
  char *hash = gn_store_config_hash ("{\"x\":\"\xc3\xa9\"}");
  g_assert_false (gn_store_find_run (store, hash, NULL, NULL, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_free (hash);
  gn_store_close (store);
}

/* A damaged file is refused on opening, in one line, and left as it was:
 * here an index whose entries no longer match their table. */
static void
test_damaged_file (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  GnStore *store = open_ok (fx->path);
  gint64 run = new_run_ok (store, "{}");
  GnEval e = eval_of (run, "|a|", GN_EVAL_OK, 0.25);
  record_ok (store, &e);
  gn_store_close (store);

  /* the last byte of the cache index's one page: the rowid its only
   * entry points to */
  char *root = raw_query (fx->path, "SELECT rootpage FROM sqlite_master "
                                    "WHERE name = 'evals_by_cache_key'");
  char *page_size = raw_query (fx->path, "PRAGMA page_size");
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (fx->path, &bytes, &len, NULL));
  gsize at = (gsize) atoi (root) * (gsize) atoi (page_size) - 1;
  g_assert_cmpuint (at, <, len);
  bytes[at] ^= 0x40;
  g_assert_true (g_file_set_contents (fx->path, bytes, (gssize) len, NULL));

  g_assert_null (gn_store_open (fx->path, &error));
  g_assert_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "a damaged store (SQLite's "
                                            "check: "));
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);
  char *after = NULL;
  gsize after_len = 0;
  g_assert_true (g_file_get_contents (fx->path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, bytes, len);
  g_free (after);
  g_free (bytes);
  g_free (page_size);
  g_free (root);
}

/* Several processes opening one new store at once (two searches started
 * together, or `gennas export` while a search starts) each get it, with
 * its schema made once: none is refused as locked or as a foreign
 * database.  The children start together on a pipe. */
#define OPENERS 6
#define OPEN_ROUNDS 40
static void
test_open_concurrent (Fixture *fx, gconstpointer data)
{
  int refused = 0;
  for (int round = 0; round < OPEN_ROUNDS; round++)
    {
      char name[32];
      g_snprintf (name, sizeof name, "new-%d.db", round);
      char *path = g_build_filename (fx->dir, name, NULL);
      int go[2];
      g_assert_cmpint (pipe (go), ==, 0);
      pid_t pids[OPENERS];
      for (int k = 0; k < OPENERS; k++)
        {
          pids[k] = fork ();
          g_assert_cmpint (pids[k], >=, 0);
          if (pids[k] == 0)
            {
              char c;
              close (go[1]);
              /* the parent's close is the starting gun */
              if (read (go[0], &c, 1) != 0)
                _exit (3);
              GError *error = NULL;
              GnStore *store = gn_store_open (path, &error);
              if (store == NULL)
                {
                  g_printerr ("# %s\n", error->message);
                  _exit (1);
                }
              gn_store_close (store);
              _exit (0);
            }
        }
      close (go[0]);
      close (go[1]);
      for (int k = 0; k < OPENERS; k++)
        {
          int status = 0;
          g_assert_cmpint (waitpid (pids[k], &status, 0), ==, pids[k]);
          g_assert_true (WIFEXITED (status));
          refused += WEXITSTATUS (status) != 0;
        }
      GnStore *store = open_ok (path);
      gint64 run = 0;
      g_assert_false (gn_store_find_run (store, NULL, &run, NULL, NULL));
      gn_store_close (store);
      g_free (path);
    }
  g_assert_cmpint (refused, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_set_up, fn, \
              fixture_tear_down)
  ADD ("open", test_open);
  ADD ("open-concurrent", test_open_concurrent);
  ADD ("schema-refusal", test_schema_refusal);
  ADD ("runs", test_runs);
  ADD ("migrate", test_migrate);
  ADD ("migrate-half-done", test_migrate_half_done);
  ADD ("migrate-refused", test_migrate_refused);
  ADD ("record", test_record);
  ADD ("lookup", test_lookup);
  ADD ("foreach", test_foreach);
  ADD ("export-csv", test_export_csv);
  ADD ("export-csv-formulas", test_export_csv_formulas);
  ADD ("export-jsonl", test_export_jsonl);
  ADD ("durability", test_durability);
  ADD ("damaged-rows", test_damaged_rows);
  ADD ("checksum-values", test_checksum_values);
  ADD ("damaged-file", test_damaged_file);
#undef ADD
  return g_test_run ();
}
