/* gn-store.c - the SQLite results store, see gn-store.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Durability.  The database runs in write-ahead-log mode with
 * synchronous=NORMAL: a transaction is committed once its frames have been
 * appended to the -wal file with write(2), i.e. once they are in the
 * kernel's page cache, which outlives the process however it dies.  Only a
 * power cut or a kernel crash can lose the last few commits (FULL would
 * fsync after every evaluation, a price a search need not pay: an
 * evaluation lost that way is merely computed again on --resume).  The
 * WAL also gives a reader (`gennas export`) a consistent snapshot while a
 * search keeps writing, and the busy timeout covers the short moments when
 * two connections want the write lock at once.
 *
 * Identity and versions.  PRAGMA application_id marks the file as a
 * gennas store and PRAGMA user_version holds SCHEMA_VERSION; both are set
 * in the transaction that creates the tables.  A file is accepted only if
 * it is empty (then the schema is created) or carries our id and a version
 * we know; anything else is GN_STORE_ERROR_SCHEMA and is left untouched
 * (not even its journal mode is changed).  An older version is migrated
 * on opening, in one transaction (upgrade_schema()); a gennas that knows
 * only the older version then refuses the file with a clear message.
 * Each migration step also completes a half-done one (a column already
 * added, the version not yet bumped): it adds only what is missing and
 * fills only what is empty, so running it again is harmless.
 *
 * Schema history.  1: runs and evals.  2: runs.parent, the run another
 * run derives from (a search's final stage names its search); filled in
 * from the "parent" member of version-1 final stages' configurations.
 * 3: runs.checksum and evals.checksum, each row's checksum (below); the
 * migration checks the older rows' types and then computes theirs.
 *
 * Integrity.  Opening an existing store runs SQLite's integrity check
 * (PRAGMA integrity_check) before anything else touches the file, or,
 * for a store larger than FULL_CHECK_MAX_BYTES, its quick check.  Both
 * read every page and find a damaged b-tree, a malformed record or a
 * missing NOT NULL value; only the full check also compares every index
 * with its table (a damaged index can send a scan to the wrong row or to
 * one row twice), and that costs O(N log N) lookups: measured on a
 * 110 MB store of 200,000 evaluations, 0.10 s for the quick check and
 * 0.33 s for the full one, warm.  Up to 64 MiB (some 100,000
 * evaluations) a search or an export pays well under a second for the
 * full check; above that, the quick check keeps opening linear.
 * Neither sees a changed byte inside a valid value: that is what the
 * checksum is for.  Each row carries gennas_checksum() of its values
 * (their SQLite types and bytes: the first 8 bytes of a SHA-256, as an
 * integer), computed by SQLite from the bound values when the row is
 * written, and every row read is checked, type by type, then against it
 * (check_eval_row(), check_run_row()).  It costs 8 bytes and one hash of
 * some 300 bytes per row, written once and read rarely, and it turns a
 * silently changed score into GN_STORE_ERROR_CORRUPT naming the row.  It
 * guards against damage, not against someone who recomputes it: the
 * function is no secret.  runs.status, the one value gennas updates in
 * place, is not covered; nothing reads it back.
 *
 * Sequence numbers.  gn_store_record() reads the next number and inserts
 * the row inside one BEGIN IMMEDIATE transaction, so concurrent writers
 * are serialised and a run's numbers are always 0 .. n-1 without gaps.
 * Because of that invariant, the next number (the run's count) is read
 * as max(seq) + 1, one descent of the primary-key index, instead of
 * count(*), which would scan the whole run on every evaluation.
 *
 * Statements are prepared once, on first use, and kept in the store.
 */
#include "config.h"
#include "gn-store.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sqlite3.h>

G_DEFINE_QUARK (gn-store-error-quark, gn_store_error)

/* Bump when the schema changes, and add a step to migrations[]. */
#define SCHEMA_VERSION 3
/* 'gnas': PRAGMA application_id of every gennas store */
#define APPLICATION_ID 0x676e6173
/* long enough to outwait any single commit of another writer, short
 * enough that a stuck lock is reported rather than hanging a search */
#define BUSY_TIMEOUT_MS 10000
/* the largest store that gets the full integrity check on opening (see
 * the top of the file); larger ones get the quick check */
#define FULL_CHECK_MAX_BYTES ((gint64) 64 << 20)
/* the SQL function of a row's checksum */
#define CHECKSUM_FUNCTION "gennas_checksum"

static const char schema_sql[] =
  "CREATE TABLE runs ("
  "  id          INTEGER PRIMARY KEY,"
  "  created     TEXT NOT NULL,"
  "  config_hash TEXT NOT NULL,"
  "  config      TEXT NOT NULL,"          /* a JSON object */
  "  status      TEXT NOT NULL,"
  "  parent      INTEGER REFERENCES runs (id),"  /* NULL: none */
  "  checksum    INTEGER"                 /* of RUN_COLUMNS */
  ");"
  "CREATE INDEX runs_by_config_hash ON runs (config_hash);"
  "CREATE TABLE evals ("
  "  run         INTEGER NOT NULL REFERENCES runs (id),"
  "  seq         INTEGER NOT NULL,"
  "  space       TEXT,"
  "  arch        TEXT NOT NULL,"
  "  proxy       TEXT,"
  "  config_hash TEXT,"
  "  seed        INTEGER NOT NULL,"
  "  score       REAL,"                   /* NULL: NaN */
  "  loss        REAL,"                   /* NULL: NaN, no loss */
  "  status      TEXT,"
  "  seconds     REAL,"                   /* NULL: NaN */
  "  time        TEXT NOT NULL,"
  "  cached      INTEGER NOT NULL,"
  "  message     TEXT,"
  "  checksum    INTEGER,"                /* of EVAL_DATA_COLUMNS */
  "  PRIMARY KEY (run, seq),"
  "  UNIQUE (run, arch)"
  ");"
  /* the cache lookup of gn_store_lookup() */
  "CREATE INDEX evals_by_cache_key ON evals (space, arch, config_hash, seed);";

/* The columns of a run that gennas reads and its checksum covers, in
 * the order of every query that reads them; then the checksum. */
#define RUN_COLUMNS "id, config, parent, created, config_hash"
#define RUN_READ_COLUMNS RUN_COLUMNS ", checksum"
enum { RUN_ID, RUN_CONFIG, RUN_PARENT, RUN_CREATED, RUN_CONFIG_HASH,
       RUN_CHECKSUM };

/* An evaluation's values, as GnEval has them, which its checksum covers;
 * then the checksum. */
#define EVAL_DATA_COLUMNS \
  "run, seq, space, arch, proxy, config_hash, seed, score, loss, status, " \
  "seconds, time, cached, message"
#define EVAL_COLUMNS EVAL_DATA_COLUMNS ", checksum"
#define N_EVAL_DATA_COLUMNS 14

/* version 1 -> 2: the parents version 1 kept only in a final stage's
 * configuration (the column is added first) */
static const char fill_parent_sql[] =
  "UPDATE runs SET parent = json_extract (config, '$.parent') "
  "WHERE parent IS NULL AND json_valid (config) "
  "AND json_extract (config, '$.stage') = 'final' "
  "AND json_type (config, '$.parent') = 'integer' "
  "AND json_extract (config, '$.parent') IN (SELECT id FROM runs);";

/* version 2 -> 3: the checksums of the rows that have none yet (the
 * columns are added, and the rows checked, first) */
static const char fill_checksums_sql[] =
  "UPDATE runs SET checksum = " CHECKSUM_FUNCTION " (" RUN_COLUMNS ") "
  "WHERE checksum IS NULL;"
  "UPDATE evals SET checksum = " CHECKSUM_FUNCTION " (" EVAL_DATA_COLUMNS ") "
  "WHERE checksum IS NULL;";

typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_NEXT_RUN_ID,
  STMT_NEW_RUN,
  STMT_FIND_RUN,
  STMT_LATEST_RUN,
  STMT_GET_RUN,
  STMT_SET_STATUS,
  STMT_RUN_EXISTS,
  STMT_NEXT_SEQ,
  STMT_INSERT_EVAL,
  STMT_LOOKUP,
  STMT_COUNT,
  STMT_FOREACH_RUN,
  STMT_FOREACH_ALL,
  N_STMTS
} Stmt;

static const char *const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  /* what an INTEGER PRIMARY KEY would be given: the id is part of the
   * checksum, which is computed in the INSERT */
  [STMT_NEXT_RUN_ID] = "SELECT coalesce(max(id), 0) + 1 FROM runs",
  [STMT_NEW_RUN] =
    "INSERT INTO runs (" RUN_COLUMNS ", status, checksum) "
    "VALUES (?1, ?2, ?3, ?4, ?5, 'running', "
    CHECKSUM_FUNCTION " (?1, ?2, ?3, ?4, ?5))",
  [STMT_FIND_RUN] =
    "SELECT " RUN_READ_COLUMNS " FROM runs WHERE config_hash = ?1 "
    "ORDER BY id DESC LIMIT 1",
  [STMT_LATEST_RUN] =
    "SELECT " RUN_READ_COLUMNS " FROM runs ORDER BY id DESC LIMIT 1",
  [STMT_GET_RUN] = "SELECT " RUN_READ_COLUMNS " FROM runs WHERE id = ?1",
  [STMT_SET_STATUS] = "UPDATE runs SET status = ?2 WHERE id = ?1",
  [STMT_RUN_EXISTS] = "SELECT 1 FROM runs WHERE id = ?1",
  /* = count(*) given gap-free numbers, see the top of the file */
  [STMT_NEXT_SEQ] =
    "SELECT coalesce(max(seq) + 1, 0) FROM evals WHERE run = ?1",
  [STMT_INSERT_EVAL] =
    "INSERT INTO evals (" EVAL_COLUMNS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    CHECKSUM_FUNCTION " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
    "?13, ?14))",
  /* a scored status (gn_eval_status_scored(), by its stored names); an
   * original computation rather than an earlier cache hit, then the
   * oldest: any reusable row has the same score, this makes it stable */
  [STMT_LOOKUP] =
    "SELECT " EVAL_COLUMNS " FROM evals "
    "WHERE space = ?1 AND arch = ?2 AND config_hash = ?3 AND seed = ?4 "
    "AND status IN ('ok', 'nonfinite') "
    "ORDER BY cached, run, seq LIMIT 1",
  [STMT_COUNT] = "SELECT count(*) FROM evals WHERE run = ?1",
  [STMT_FOREACH_RUN] =
    "SELECT " EVAL_COLUMNS " FROM evals WHERE run = ?1 ORDER BY run, seq",
  [STMT_FOREACH_ALL] =
    "SELECT " EVAL_COLUMNS " FROM evals ORDER BY run, seq",
};

struct _GnStore {
  sqlite3 *db;
  char *path;
  sqlite3_stmt *stmts[N_STMTS];   /* prepared on first use, or NULL */
  /* the strings of the last two lookups: a lookup fills one and clears
   * it first, so its arguments may be the previous lookup's strings */
  GStringChunk *lookup_strings[2];
  guint lookup_flip;
};

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

/* Returns: (transfer full): @text as one line of UTF-8: a damaged file's
 * bytes reach SQLite's messages (a column name in its schema, say). */
static char *
one_line (const char *text)
{
  char *line = g_utf8_make_valid (text, -1);
  for (char *p = line; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return line;
}

/* Sets an error from the connection's last message ("what" says what we
 * were doing): @code, or GN_STORE_ERROR_CORRUPT if SQLite found the file
 * damaged.  Always returns FALSE. */
static gboolean
set_sqlite_error (GnStore *store, GError **error, GnStoreError code,
                  const char *what)
{
  int rc = sqlite3_extended_errcode (store->db) & 0xff;
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
    code = GN_STORE_ERROR_CORRUPT;
  char *message = one_line (sqlite3_errmsg (store->db));
  g_set_error (error, GN_STORE_ERROR, code, "%s: %s: %s", store->path, what,
               message);
  g_free (message);
  return FALSE;
}

/* Returns: (transfer none): the cached statement @id, reset and with no
 * bindings, or NULL with @error. */
static sqlite3_stmt *
get_stmt (GnStore *store, Stmt id, GError **error)
{
  if (store->stmts[id] == NULL
      && sqlite3_prepare_v3 (store->db, stmt_sql[id], -1,
                             SQLITE_PREPARE_PERSISTENT, &store->stmts[id],
                             NULL) != SQLITE_OK)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot prepare a statement");
      return NULL;
    }
  return store->stmts[id];
}

/* Makes a statement ready for its next use.  Bindings are cleared too:
 * they point at the caller's strings (SQLITE_STATIC), which are gone. */
static void
done_stmt (sqlite3_stmt *s)
{
  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
}

/* Runs one of BEGIN / COMMIT / ROLLBACK. */
static gboolean
run_simple (GnStore *store, Stmt id, const char *what, GError **error)
{
  sqlite3_stmt *s = get_stmt (store, id, error);
  if (s == NULL)
    return FALSE;
  gboolean ok = sqlite3_step (s) == SQLITE_DONE;
  if (!ok)
    set_sqlite_error (store, error, GN_STORE_ERROR_FAILED, what);
  done_stmt (s);
  return ok;
}

/* Ends a failed write transaction.  SQLite has already rolled back by
 * itself after some errors (a full disk, an I/O error): then there is
 * nothing left to undo. */
static void
rollback (GnStore *store)
{
  if (!sqlite3_get_autocommit (store->db))
    run_simple (store, STMT_ROLLBACK, "cannot roll back", NULL);
}

static int
bind_text (sqlite3_stmt *s, int i, const char *text)
{
  /* a NULL pointer binds SQL NULL */
  return sqlite3_bind_text (s, i, text, -1, SQLITE_STATIC);
}

static int
bind_double (sqlite3_stmt *s, int i, double v)
{
  /* SQLite would turn a NaN into NULL by itself; say so explicitly, since
   * column_double() relies on it to read NULL back as NAN */
  return isnan (v) ? sqlite3_bind_null (s, i) : sqlite3_bind_double (s, i, v);
}

static double
column_double (sqlite3_stmt *s, int i)
{
  return sqlite3_column_type (s, i) == SQLITE_NULL
         ? NAN : sqlite3_column_double (s, i);
}

/* ------------------------------------------------------------------ */
/* row checks                                                          */
/* ------------------------------------------------------------------ */

/* One value into a row's checksum: its SQLite type, then its bytes
 * (integers and doubles as 8 little-endian bytes, text and blobs after
 * their length). */
static void
checksum_value (GChecksum *c, sqlite3_value *v)
{
  guchar type = (guchar) sqlite3_value_type (v);
  guint64 u;
  g_checksum_update (c, &type, 1);
  switch (type)
    {
    case SQLITE_INTEGER:
      u = GUINT64_TO_LE ((guint64) sqlite3_value_int64 (v));
      g_checksum_update (c, (const guchar *) &u, sizeof u);
      break;
    case SQLITE_FLOAT:
      {
        double d = sqlite3_value_double (v);
        /* a REAL column keeps -0.0 as the integer 0, read back as 0.0 */
        if (d == 0)
          d = 0;
        memcpy (&u, &d, sizeof u);
        u = GUINT64_TO_LE (u);
        g_checksum_update (c, (const guchar *) &u, sizeof u);
        break;
      }
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      {
        /* the pointer first, then its length, as SQLite asks */
        const guchar *p = type == SQLITE_TEXT ? sqlite3_value_text (v)
                                              : sqlite3_value_blob (v);
        int n = sqlite3_value_bytes (v);
        u = GUINT64_TO_LE ((guint64) n);
        g_checksum_update (c, (const guchar *) &u, sizeof u);
        if (n > 0)
          g_checksum_update (c, p, n);
        break;
      }
    default:
      break;                     /* NULL: its type says it all */
    }
}

/* The checksum of @n values: the first 8 bytes of their SHA-256, as a
 * signed integer (SQLite's INTEGER). */
static gint64
row_checksum (int n, sqlite3_value **values)
{
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  guint64 u = 0;
  for (int i = 0; i < n; i++)
    checksum_value (c, values[i]);
  g_checksum_get_digest (c, digest, &len);
  g_checksum_free (c);
  for (int i = 0; i < 8; i++)
    u = u << 8 | digest[i];
  return (gint64) u;
}

/* gennas_checksum (VALUE, ...) in SQL, for the INSERTs and the migration */
static void
checksum_function (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
  sqlite3_result_int64 (ctx, row_checksum (argc, argv));
}

/* The checksum of columns @first .. @first + @n - 1 of @s's row as read;
 * @n is at most N_EVAL_DATA_COLUMNS. */
static gint64
column_checksum (sqlite3_stmt *s, int first, int n)
{
  sqlite3_value *v[N_EVAL_DATA_COLUMNS];
  G_STATIC_ASSERT (RUN_CHECKSUM <= N_EVAL_DATA_COLUMNS);
  /* the row's own values (unprotected: a GnStore is used from one
   * thread, and SQLITE_OPEN_NOMUTEX makes that the rule) */
  for (int i = 0; i < n; i++)
    v[i] = sqlite3_column_value (s, first + i);
  return row_checksum (n, v);
}

/* The SQLite types a column may hold, as masks of 1 << type. */
#define T_INT  (1 << SQLITE_INTEGER)
#define T_REAL (1 << SQLITE_FLOAT)
#define T_TEXT (1 << SQLITE_TEXT)
#define T_NULL (1 << SQLITE_NULL)
/* a number: REAL, or INTEGER for a whole value written by other SQL */
#define T_NUMBER (T_REAL | T_INT)

typedef struct {
  const char *name;
  int types;
} ColumnRule;

/* EVAL_COLUMNS: what each may hold */
static const ColumnRule eval_rules[N_EVAL_DATA_COLUMNS + 1] = {
  { "run", T_INT }, { "seq", T_INT }, { "space", T_TEXT | T_NULL },
  { "arch", T_TEXT }, { "proxy", T_TEXT | T_NULL },
  { "config_hash", T_TEXT | T_NULL }, { "seed", T_INT },
  { "score", T_NUMBER | T_NULL }, { "loss", T_NUMBER | T_NULL },
  { "status", T_TEXT }, { "seconds", T_NUMBER | T_NULL },
  { "time", T_TEXT }, { "cached", T_INT }, { "message", T_TEXT | T_NULL },
  { "checksum", T_INT },
};

/* RUN_READ_COLUMNS: what each may hold */
static const ColumnRule run_rules[] = {
  { "id", T_INT }, { "config", T_TEXT }, { "parent", T_INT | T_NULL },
  { "created", T_TEXT }, { "config_hash", T_TEXT }, { "checksum", T_INT },
};

static const char *
type_name (int type)
{
  switch (type)
    {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a real number";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "a blob";
    default: return "NULL";
    }
}

/* Returns: (transfer full): the column @i of @s if it is an integer, for
 * naming a row, or "?" */
static char *
int_or_unknown (sqlite3_stmt *s, int i)
{
  return sqlite3_column_type (s, i) == SQLITE_INTEGER
         ? g_strdup_printf ("%" G_GINT64_FORMAT,
                            (gint64) sqlite3_column_int64 (s, i))
         : g_strdup ("?");
}

/* Sets GN_STORE_ERROR_CORRUPT for the row @s is on ("evaluation" names
 * it by run and seq, a run by its id), saying @what (printf).  Returns
 * FALSE. */
static gboolean G_GNUC_PRINTF (4, 5)
set_corrupt_row (GnStore *store, sqlite3_stmt *s, GError **error,
                 const char *what, ...)
{
  gboolean eval = sqlite3_column_count (s) > (int) G_N_ELEMENTS (run_rules);
  char *a = int_or_unknown (s, 0), *b = eval ? int_or_unknown (s, 1) : NULL;
  char *row = eval ? g_strdup_printf ("the evaluation of run %s, seq %s",
                                      a, b)
                   : g_strdup_printf ("run %s", a);
  va_list ap;
  va_start (ap, what);
  char *text = g_strdup_vprintf (what, ap);
  va_end (ap);
  g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT,
               "%s: a damaged store: %s %s", store->path, row, text);
  g_free (text);
  g_free (row);
  g_free (b);
  g_free (a);
  return FALSE;
}

/* Checks each column of @s's row against @rules, without converting any. */
static gboolean
check_types (GnStore *store, sqlite3_stmt *s, const ColumnRule *rules,
             int n, GError **error)
{
  for (int i = 0; i < n; i++)
    {
      int type = sqlite3_column_type (s, i);
      if (!(rules[i].types & (1 << type)))
        return set_corrupt_row (store, s, error, "holds %s in '%s'",
                                type_name (type), rules[i].name);
    }
  return TRUE;
}

/* Checks a row of EVAL_COLUMNS: every column's type, the values that
 * have a domain, and (if @checksum) the checksum.  A row older than
 * schema 3, being migrated, has no checksum yet. */
static gboolean
check_eval_row (GnStore *store, sqlite3_stmt *s, gboolean checksum,
                GError **error)
{
  GnEvalStatus status;
  gint64 cached;
  if (!check_types (store, s, eval_rules,
                    N_EVAL_DATA_COLUMNS + (checksum ? 1 : 0), error))
    return FALSE;
  if (sqlite3_column_int64 (s, 0) < 1)
    return set_corrupt_row (store, s, error, "has a run id below 1");
  /* a search's budget is an int */
  if (sqlite3_column_int64 (s, 1) < 0
      || sqlite3_column_int64 (s, 1) > G_MAXINT)
    return set_corrupt_row (store, s, error, "has a sequence number out "
                            "of range");
  if (!gn_eval_status_parse ((const char *) sqlite3_column_text (s, 9),
                             &status))
    return set_corrupt_row (store, s, error, "has a status that is none of "
                            "ok, nonfinite, error, crashed, timeout");
  if ((cached = sqlite3_column_int64 (s, 12)) != 0 && cached != 1)
    return set_corrupt_row (store, s, error, "has 'cached' neither 0 nor 1");
  if (checksum
      && column_checksum (s, 0, N_EVAL_DATA_COLUMNS)
         != sqlite3_column_int64 (s, N_EVAL_DATA_COLUMNS))
    return set_corrupt_row (store, s, error, "does not match its checksum");
  return TRUE;
}

/* As check_eval_row(), for a row of RUN_READ_COLUMNS. */
static gboolean
check_run_row (GnStore *store, sqlite3_stmt *s, gboolean checksum,
               GError **error)
{
  if (!check_types (store, s, run_rules,
                    RUN_CHECKSUM + (checksum ? 1 : 0), error))
    return FALSE;
  if (sqlite3_column_int64 (s, RUN_ID) < 1
      || (sqlite3_column_type (s, RUN_PARENT) == SQLITE_INTEGER
          && sqlite3_column_int64 (s, RUN_PARENT) < 1))
    return set_corrupt_row (store, s, error, "has an id below 1");
  if (checksum
      && column_checksum (s, 0, RUN_CHECKSUM)
         != sqlite3_column_int64 (s, RUN_CHECKSUM))
    return set_corrupt_row (store, s, error, "does not match its checksum");
  return TRUE;
}

/* Fills @e from a row of EVAL_COLUMNS once check_eval_row() passes it;
 * the strings belong to @s. */
static gboolean
read_eval (GnStore *store, sqlite3_stmt *s, GnEval *e, GError **error)
{
  if (!check_eval_row (store, s, TRUE, error))
    return FALSE;
  e->run = sqlite3_column_int64 (s, 0);
  e->seq = sqlite3_column_int64 (s, 1);
  e->space = (const char *) sqlite3_column_text (s, 2);
  e->arch = (const char *) sqlite3_column_text (s, 3);
  e->proxy = (const char *) sqlite3_column_text (s, 4);
  e->config_hash = (const char *) sqlite3_column_text (s, 5);
  e->seed = sqlite3_column_int64 (s, 6);
  e->score = column_double (s, 7);
  e->loss = column_double (s, 8);
  gn_eval_status_parse ((const char *) sqlite3_column_text (s, 9),
                        &e->status);
  e->seconds = column_double (s, 10);
  e->time = (const char *) sqlite3_column_text (s, 11);
  e->cached = sqlite3_column_int64 (s, 12) != 0;
  e->message = (const char *) sqlite3_column_text (s, 13);
  return TRUE;
}

/* Returns: (transfer full): now in UTC, ISO 8601 with milliseconds
 * ("2026-01-31T12:34:56.789Z"): fixed width, so it also sorts as text. */
static char *
now_utc (void)
{
  GDateTime *now = g_date_time_new_now_utc ();
  char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  char *stamp = g_strdup_printf ("%s.%03dZ", date,
                                 g_date_time_get_microsecond (now) / 1000);
  g_free (date);
  g_date_time_unref (now);
  return stamp;
}

/* Runs a one-off query returning one integer.  Returns the SQLite code of
 * the failing call (SQLITE_OK on success), for check_schema() to tell a
 * file that is not SQLite (SQLITE_NOTADB) from other failures. */
static int
query_int64 (GnStore *store, const char *sql, gint64 *value)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2 (store->db, sql, -1, &s, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (s);
      if (rc == SQLITE_ROW)
        {
          *value = sqlite3_column_int64 (s, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_ERROR;       /* our queries always return a row */
    }
  sqlite3_finalize (s);
  return rc;
}

/* ------------------------------------------------------------------ */
/* opening                                                             */
/* ------------------------------------------------------------------ */

/* The four figures check_schema() decides by.  The first reads of the
 * file: this is where a file that is not a database at all shows. */
static gboolean
read_schema_figures (GnStore *store, gint64 *app_id, gint64 *version,
                     gint64 *n_objects, gint64 *n_ours, GError **error)
{
  int rc;
  if ((rc = query_int64 (store, "PRAGMA application_id", app_id))
      != SQLITE_OK
      || (rc = query_int64 (store, "PRAGMA user_version", version))
      != SQLITE_OK
      || (rc = query_int64 (store, "SELECT count(*) FROM sqlite_master",
                            n_objects)) != SQLITE_OK
      || (rc = query_int64 (store,
                            "SELECT count(*) FROM sqlite_master WHERE "
                            "type = 'table' AND name IN ('runs', 'evals')",
                            n_ours)) != SQLITE_OK)
    {
      if ((rc & 0xff) == SQLITE_NOTADB)
        g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA,
                     "%s: not a gennas results store (not an SQLite "
                     "database)", store->path);
      else
        set_sqlite_error (store, error,
                          (rc & 0xff) == SQLITE_CANTOPEN
                          || (rc & 0xff) == SQLITE_PERM
                          ? GN_STORE_ERROR_OPEN : GN_STORE_ERROR_FAILED,
                          "cannot read the store");
      return FALSE;
    }
  return TRUE;
}

/* Checks the file is ours and of a version we read.  *@version is its
 * schema version, 0 if it is empty and the schema still has to be
 * created. */
static gboolean
check_schema (GnStore *store, gint64 *version_out, GError **error)
{
  gint64 app_id = 0, version = 0, n_objects = 0, n_ours = 0;

  /* the reads are one snapshot: outside a transaction each would be its
   * own, and another process creating the schema between two of them
   * (two searches starting on one new store) would show its tables
   * without our application id.  Inside upgrade_schema()'s transaction
   * they already are one. */
  gboolean own_snapshot = sqlite3_get_autocommit (store->db) != 0;
  if (own_snapshot
      && sqlite3_exec (store->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                             "cannot read the store");
  gboolean ok = read_schema_figures (store, &app_id, &version, &n_objects,
                                     &n_ours, error);
  /* a read: nothing to keep, and nothing lost if it cannot end cleanly */
  if (own_snapshot && !sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  if (!ok)
    return FALSE;

  *version_out = 0;
  if (app_id == 0 && version == 0 && n_objects == 0)
    return TRUE;
  if (app_id != APPLICATION_ID)
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA,
                   "%s: not a gennas results store (an SQLite database "
                   "holding other tables)", store->path);
      return FALSE;
    }
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA,
                   "%s: written by a newer gennas (store schema %"
                   G_GINT64_FORMAT ", this one reads up to %d)",
                   store->path, version, SCHEMA_VERSION);
      return FALSE;
    }
  if (version < 1 || n_ours != 2)
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_SCHEMA,
                   "%s: a damaged gennas results store (schema %"
                   G_GINT64_FORMAT ", %" G_GINT64_FORMAT " of its 2 "
                   "tables)", store->path, version, n_ours);
      return FALSE;
    }
  *version_out = version;
  return TRUE;
}

/* SQLite's own check of an existing store's file, full or quick by its
 * size (see the top of the file).  It only reads. */
static gboolean
check_integrity (GnStore *store, GError **error)
{
  gint64 pages = 0, page_size = 0;
  sqlite3_stmt *s = NULL;
  gboolean ok = FALSE;
  int rc;

  if (query_int64 (store, "PRAGMA page_count", &pages) != SQLITE_OK
      || query_int64 (store, "PRAGMA page_size", &page_size) != SQLITE_OK)
    return set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                             "cannot read the store");
  /* (1): stop at the first problem; one is enough to refuse the file */
  const char *sql = pages * page_size <= FULL_CHECK_MAX_BYTES
                    ? "PRAGMA integrity_check (1)" : "PRAGMA quick_check (1)";
  if (sqlite3_prepare_v2 (store->db, sql, -1, &s, NULL) != SQLITE_OK
      || (rc = sqlite3_step (s)) != SQLITE_ROW)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot check the store");
      goto out;
    }
  const char *verdict = (const char *) sqlite3_column_text (s, 0);
  if (verdict == NULL || strcmp (verdict, "ok") != 0)
    {
      /* SQLite's report may span lines: one line here */
      char *line = one_line (verdict ? verdict : "no verdict");
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_CORRUPT,
                   "%s: a damaged store (SQLite's check: %s)", store->path,
                   g_strstrip (line));
      g_free (line);
      goto out;
    }
  ok = TRUE;

out:
  sqlite3_finalize (s);
  return ok;
}

static gboolean
configure (GnStore *store, GError **error)
{
  sqlite3_stmt *s = NULL;
  gboolean ok = FALSE;

  /* the file's schema (a trigger or a view someone added) may not call
   * functions with side effects, nor ours, which is SQLITE_DIRECTONLY */
  if (sqlite3_exec (store->db, "PRAGMA foreign_keys = ON; "
                    "PRAGMA trusted_schema = OFF", NULL, NULL, NULL)
      != SQLITE_OK)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot enable foreign keys");
      goto out;
    }

  /* the pragma answers with the mode in force, which is not WAL if the
   * file system cannot do it (no shared memory).  Leaving the rollback
   * journal takes the file's exclusive lock, and SQLite answers BUSY at
   * once, without its busy handler, while another process opening the
   * same new store holds a lock: so the switch is retried, within the
   * busy timeout. */
  int rc = sqlite3_prepare_v2 (store->db, "PRAGMA journal_mode = WAL", -1,
                               &s, NULL);
  if (rc == SQLITE_OK)
    for (gint64 waited_us = 0, pause_us = 1000; ; waited_us += pause_us,
         pause_us = MIN (2 * pause_us, 50000))
      {
        rc = sqlite3_step (s);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
          break;
        if (waited_us >= BUSY_TIMEOUT_MS * (gint64) 1000)
          break;
        sqlite3_reset (s);
        g_usleep (pause_us);
      }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot switch to write-ahead logging");
      goto out;
    }
  const char *mode = (const char *) sqlite3_column_text (s, 0);
  const char *file = sqlite3_db_filename (store->db, "main");
  /* an in-memory or temporary database has nothing to keep durable */
  if (g_ascii_strcasecmp (mode ? mode : "", "wal") != 0
      && !(file == NULL || file[0] == '\0'))
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_OPEN,
                   "%s: cannot use write-ahead logging here (journal mode "
                   "stays '%s')", store->path, mode ? mode : "?");
      goto out;
    }

  if (sqlite3_exec (store->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
                    NULL) != SQLITE_OK)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot set the synchronous mode");
      goto out;
    }
  ok = TRUE;

out:
  sqlite3_finalize (s);
  return ok;
}

/* Runs @sql, statements without results, for creating or migrating the
 * schema. */
static gboolean
exec_sql (GnStore *store, const char *sql, GError **error)
{
  if (sqlite3_exec (store->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  return set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                           "cannot update the schema");
}

/* Adds @column to @table unless a half-done migration already did. */
static gboolean
add_column (GnStore *store, const char *table, const char *column,
            const char *decl, GError **error)
{
  gint64 n = 0;
  char *sql = g_strdup_printf ("SELECT count(*) FROM pragma_table_info "
                               "('%s') WHERE name = '%s'", table, column);
  gboolean ok = query_int64 (store, sql, &n) == SQLITE_OK;
  g_free (sql);
  if (!ok)
    return set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                             "cannot read the schema");
  if (n > 0)
    return TRUE;
  sql = g_strdup_printf ("ALTER TABLE %s ADD COLUMN %s %s", table, column,
                         decl);
  ok = exec_sql (store, sql, error);
  g_free (sql);
  return ok;
}

/* Checks every row @sql gives with @check (which, before schema 3, has
 * no checksum to compare). */
static gboolean
check_rows (GnStore *store, const char *sql,
            gboolean (*check) (GnStore *, sqlite3_stmt *, gboolean,
                               GError **),
            GError **error)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2 (store->db, sql, -1, &s, NULL);
  gboolean ok = rc == SQLITE_OK;
  while (ok && (rc = sqlite3_step (s)) == SQLITE_ROW)
    ok = check (store, s, FALSE, error);
  if (ok && rc != SQLITE_DONE)
    ok = set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                           "cannot read the rows to migrate");
  sqlite3_finalize (s);
  return ok;
}

/* 1 -> 2: runs.parent */
static gboolean
migrate_to_2 (GnStore *store, GError **error)
{
  return add_column (store, "runs", "parent", "INTEGER REFERENCES runs (id)",
                     error)
         && exec_sql (store, fill_parent_sql, error);
}

/* 2 -> 3: the checksums, of rows whose values pass the checks (a value
 * damaged before must not be blessed with a checksum) */
static gboolean
migrate_to_3 (GnStore *store, GError **error)
{
  return add_column (store, "runs", "checksum", "INTEGER", error)
         && add_column (store, "evals", "checksum", "INTEGER", error)
         && check_rows (store, "SELECT " RUN_READ_COLUMNS " FROM runs "
                        "WHERE checksum IS NULL", check_run_row, error)
         && check_rows (store, "SELECT " EVAL_COLUMNS " FROM evals "
                        "WHERE checksum IS NULL", check_eval_row, error)
         && exec_sql (store, fill_checksums_sql, error);
}

/* migrations[v] brings a store of version v + 1 to v + 2 */
static gboolean (*const migrations[SCHEMA_VERSION - 1]) (GnStore *,
                                                          GError **) = {
  migrate_to_2,
  migrate_to_3,
};

/* Brings an empty store or one of an older schema to SCHEMA_VERSION, in
 * one transaction: a failure leaves the file as it was. */
static gboolean
upgrade_schema (GnStore *store, GError **error)
{
  gint64 version = 0;

  if (!run_simple (store, STMT_BEGIN, "cannot start a transaction", error))
    return FALSE;
  /* another process may have created or migrated it since check_schema()
   * looked: decide again under the write lock */
  if (!check_schema (store, &version, error))
    goto fail;
  if (version == 0 && !exec_sql (store, schema_sql, error))
    goto fail;
  /* a new schema is the current one; check_schema() accepts nothing else
   * below SCHEMA_VERSION */
  for (gint64 v = version == 0 ? SCHEMA_VERSION : version;
       v < SCHEMA_VERSION; v++)
    if (!migrations[v - 1] (store, error))
      goto fail;
  if (version < SCHEMA_VERSION)
    {
      char *pragmas = g_strdup_printf ("PRAGMA application_id = %d; "
                                       "PRAGMA user_version = %d;",
                                       APPLICATION_ID, SCHEMA_VERSION);
      gboolean ok = exec_sql (store, pragmas, error);
      g_free (pragmas);
      if (!ok)
        goto fail;
    }
  if (!run_simple (store, STMT_COMMIT, "cannot update the schema", error))
    goto fail;
  return TRUE;

fail:
  rollback (store);
  return FALSE;
}

GnStore *
gn_store_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GnStore *store = g_new0 (GnStore, 1);
  gint64 version = 0;
  store->path = g_strdup (path);
  store->lookup_strings[0] = g_string_chunk_new (256);
  store->lookup_strings[1] = g_string_chunk_new (256);

  /* NOMUTEX: a GnStore is used from one thread (see gn-store.h) */
  int rc = sqlite3_open_v2 (path, &store->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                            | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_OPEN,
                   "%s: cannot open: %s", path,
                   store->db ? sqlite3_errmsg (store->db)
                             : sqlite3_errstr (rc));
      goto fail;
    }
  /* SQLITE_CONSTRAINT_UNIQUE rather than SQLITE_CONSTRAINT: a duplicate
   * architecture must be told from a missing run */
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, BUSY_TIMEOUT_MS);
  /* the rows' checksum; DIRECTONLY: for our statements, never for a
   * trigger or a view in the file */
  if (sqlite3_create_function_v2 (store->db, CHECKSUM_FUNCTION, -1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC
                                  | SQLITE_DIRECTONLY, NULL,
                                  checksum_function, NULL, NULL, NULL)
      != SQLITE_OK)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot define the checksum");
      goto fail;
    }

  /* SQLite falls back to read-only when the file is write-protected;
   * a store must be able to record */
  if (sqlite3_db_readonly (store->db, "main") == 1)
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_OPEN,
                   "%s: cannot open for writing", path);
      goto fail;
    }

  /* check before configuring, so that a foreign or damaged database is
   * left exactly as it was */
  if (!check_schema (store, &version, error)
      || (version > 0 && !check_integrity (store, error))
      || !configure (store, error)
      || (version < SCHEMA_VERSION && !upgrade_schema (store, error)))
    goto fail;
  return store;

fail:
  gn_store_close (store);
  return NULL;
}

void
gn_store_close (GnStore *store)
{
  if (store == NULL)
    return;
  for (int i = 0; i < N_STMTS; i++)
    sqlite3_finalize (store->stmts[i]);
  /* the last connection to close checkpoints the WAL into the database
   * and removes the -wal file */
  if (store->db != NULL && sqlite3_close (store->db) != SQLITE_OK)
    g_warning ("%s: cannot close the store: %s", store->path,
               sqlite3_errmsg (store->db));
  g_string_chunk_free (store->lookup_strings[0]);
  g_string_chunk_free (store->lookup_strings[1]);
  g_free (store->path);
  g_free (store);
}

char *
gn_store_config_hash (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* ------------------------------------------------------------------ */
/* runs                                                                */
/* ------------------------------------------------------------------ */

gboolean
gn_store_new_run (GnStore *store, const char *config_json,
                  const char *config_hash, gint64 parent, gint64 *run,
                  GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (config_json != NULL && config_hash != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  char *created = now_utc ();
  gboolean ok = FALSE, in_transaction = FALSE;
  sqlite3_stmt *s;
  gint64 id = 0;
  int rc;

  /* the id is part of the checksum, so it is chosen here rather than by
   * SQLite: under the write lock, like an evaluation's seq */
  if (!run_simple (store, STMT_BEGIN, "cannot start a transaction", error))
    goto out;
  in_transaction = TRUE;
  if ((s = get_stmt (store, STMT_NEXT_RUN_ID, error)) == NULL)
    goto out;
  rc = sqlite3_step (s);
  id = sqlite3_column_int64 (s, 0);
  done_stmt (s);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot number a run");
      goto out;
    }

  if ((s = get_stmt (store, STMT_NEW_RUN, error)) == NULL)
    goto out;
  if (sqlite3_bind_int64 (s, 1, id) != SQLITE_OK
      || bind_text (s, 2, config_json) != SQLITE_OK
      || (parent > 0 ? sqlite3_bind_int64 (s, 3, parent)
                     : sqlite3_bind_null (s, 3)) != SQLITE_OK
      || bind_text (s, 4, created) != SQLITE_OK
      || bind_text (s, 5, config_hash) != SQLITE_OK
      || sqlite3_step (s) != SQLITE_DONE)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot create a run");
      done_stmt (s);
      goto out;
    }
  done_stmt (s);
  if (!run_simple (store, STMT_COMMIT, "cannot create a run", error))
    goto out;
  in_transaction = FALSE;
  if (run != NULL)
    *run = id;
  ok = TRUE;

out:
  if (in_transaction)
    rollback (store);
  g_free (created);
  return ok;
}

/* Steps @s, a bound query whose row is RUN_READ_COLUMNS, into @run,
 * @config_json and @parent (0 for NULL) once check_run_row() passes it;
 * "no row" becomes GN_STORE_ERROR_NOT_FOUND saying @missing. */
static gboolean
read_run_row (GnStore *store, sqlite3_stmt *s, int rc, gint64 *run,
              char **config_json, gint64 *parent, const char *missing,
              GError **error)
{
  gboolean ok = FALSE;
  if (rc == SQLITE_OK)
    rc = sqlite3_step (s);
  if (rc == SQLITE_ROW && check_run_row (store, s, TRUE, error))
    {
      if (run != NULL)
        *run = sqlite3_column_int64 (s, RUN_ID);
      if (config_json != NULL)
        *config_json = g_strdup ((const char *) sqlite3_column_text
                                   (s, RUN_CONFIG));
      if (parent != NULL)        /* NULL reads as 0 */
        *parent = sqlite3_column_int64 (s, RUN_PARENT);
      ok = TRUE;
    }
  else if (rc == SQLITE_ROW)
    ;                            /* check_run_row() said why */
  else if (rc == SQLITE_DONE)
    g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND, "%s: %s",
                 store->path, missing);
  else
    set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                      "cannot look up a run");
  done_stmt (s);
  return ok;
}

gboolean
gn_store_find_run (GnStore *store, const char *config_hash, gint64 *run,
                   char **config_json, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sqlite3_stmt *s = get_stmt (store, config_hash != NULL ? STMT_FIND_RUN
                                                         : STMT_LATEST_RUN,
                              error);
  if (s == NULL)
    return FALSE;
  int rc = config_hash != NULL ? bind_text (s, 1, config_hash) : SQLITE_OK;
  char *missing = config_hash != NULL
                  ? g_strdup_printf ("no run with configuration hash %s",
                                     config_hash)
                  : g_strdup ("no runs yet");
  gboolean ok = read_run_row (store, s, rc, run, config_json, NULL, missing,
                              error);
  g_free (missing);
  return ok;
}

gboolean
gn_store_get_run (GnStore *store, gint64 run, char **config_json,
                  gint64 *parent, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sqlite3_stmt *s = get_stmt (store, STMT_GET_RUN, error);
  if (s == NULL)
    return FALSE;
  char *missing = g_strdup_printf ("no run %" G_GINT64_FORMAT, run);
  gboolean ok = read_run_row (store, s, sqlite3_bind_int64 (s, 1, run), NULL,
                              config_json, parent, missing, error);
  g_free (missing);
  return ok;
}

gboolean
gn_store_set_run_status (GnStore *store, gint64 run, const char *status,
                         GError **error)
{
  g_return_val_if_fail (store != NULL && status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sqlite3_stmt *s = get_stmt (store, STMT_SET_STATUS, error);
  if (s == NULL)
    return FALSE;
  gboolean ok = FALSE;
  if (sqlite3_bind_int64 (s, 1, run) != SQLITE_OK
      || bind_text (s, 2, status) != SQLITE_OK
      || sqlite3_step (s) != SQLITE_DONE)
    set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                      "cannot set a run's status");
  else if (sqlite3_changes (store->db) == 0)
    g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND,
                 "%s: no run %" G_GINT64_FORMAT, store->path, run);
  else
    ok = TRUE;
  done_stmt (s);
  return ok;
}

/* Returns FALSE with GN_STORE_ERROR_NOT_FOUND if @run does not exist. */
static gboolean
check_run (GnStore *store, gint64 run, GError **error)
{
  sqlite3_stmt *s = get_stmt (store, STMT_RUN_EXISTS, error);
  if (s == NULL)
    return FALSE;
  gboolean ok = FALSE;
  int rc = sqlite3_bind_int64 (s, 1, run);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    ok = TRUE;
  else if (rc == SQLITE_DONE)
    g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND,
                 "%s: no run %" G_GINT64_FORMAT, store->path, run);
  else
    set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                      "cannot look up a run");
  done_stmt (s);
  return ok;
}

/* ------------------------------------------------------------------ */
/* evaluations                                                         */
/* ------------------------------------------------------------------ */

static int
bind_eval (sqlite3_stmt *s, const GnEval *e, gint64 seq, const char *time)
{
  int rc;
  if ((rc = sqlite3_bind_int64 (s, 1, e->run)) != SQLITE_OK
      || (rc = sqlite3_bind_int64 (s, 2, seq)) != SQLITE_OK
      || (rc = bind_text (s, 3, e->space)) != SQLITE_OK
      || (rc = bind_text (s, 4, e->arch)) != SQLITE_OK
      || (rc = bind_text (s, 5, e->proxy)) != SQLITE_OK
      || (rc = bind_text (s, 6, e->config_hash)) != SQLITE_OK
      || (rc = sqlite3_bind_int64 (s, 7, e->seed)) != SQLITE_OK
      || (rc = bind_double (s, 8, e->score)) != SQLITE_OK
      || (rc = bind_double (s, 9, e->loss)) != SQLITE_OK
      || (rc = bind_text (s, 10, gn_eval_status_name (e->status)))
         != SQLITE_OK
      || (rc = bind_double (s, 11, e->seconds)) != SQLITE_OK
      || (rc = bind_text (s, 12, time)) != SQLITE_OK
      || (rc = sqlite3_bind_int (s, 13, e->cached ? 1 : 0)) != SQLITE_OK
      || (rc = bind_text (s, 14, e->message)) != SQLITE_OK)
    return rc;
  return SQLITE_OK;
}

gboolean
gn_store_record (GnStore *store, const GnEval *e, gint64 *seq,
                 GError **error)
{
  g_return_val_if_fail (store != NULL && e != NULL, FALSE);
  g_return_val_if_fail (e->arch != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gboolean ok = FALSE, in_transaction = FALSE;
  char *time = now_utc ();
  sqlite3_stmt *s;
  gint64 next = 0;
  int rc;

  /* IMMEDIATE takes the write lock now (waiting up to the busy timeout),
   * so no other writer can take our sequence number between the read
   * and the insert */
  if (!run_simple (store, STMT_BEGIN, "cannot start a transaction", error))
    goto out;
  in_transaction = TRUE;

  if ((s = get_stmt (store, STMT_NEXT_SEQ, error)) == NULL)
    goto out;
  rc = sqlite3_bind_int64 (s, 1, e->run);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (s);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot number an evaluation");
      done_stmt (s);
      goto out;
    }
  next = sqlite3_column_int64 (s, 0);
  done_stmt (s);

  if ((s = get_stmt (store, STMT_INSERT_EVAL, error)) == NULL)
    goto out;
  rc = bind_eval (s, e, next, time);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (s);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_DUPLICATE,
                 "%s: run %" G_GINT64_FORMAT " already has architecture %s",
                 store->path, e->run, e->arch);
  else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_NOT_FOUND,
                 "%s: no run %" G_GINT64_FORMAT, store->path, e->run);
  else if (rc != SQLITE_DONE)
    set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                      "cannot record an evaluation");
  done_stmt (s);
  if (rc != SQLITE_DONE)
    goto out;

  if (!run_simple (store, STMT_COMMIT, "cannot commit an evaluation", error))
    goto out;
  in_transaction = FALSE;
  if (seq != NULL)
    *seq = next;
  ok = TRUE;

out:
  if (in_transaction)
    rollback (store);
  g_free (time);
  return ok;
}

static const char *
chunk_dup (GStringChunk *chunk, const char *s)
{
  return s != NULL ? g_string_chunk_insert (chunk, s) : NULL;
}

gboolean
gn_store_lookup (GnStore *store, const char *space, const char *arch,
                 const char *config_hash, gint64 seed, GnEval *out)
{
  g_return_val_if_fail (store != NULL && arch != NULL && out != NULL,
                        FALSE);

  GError *error = NULL;
  gboolean found = FALSE;
  sqlite3_stmt *s = get_stmt (store, STMT_LOOKUP, &error);
  int rc = SQLITE_OK;

  GStringChunk *chunk = store->lookup_strings[store->lookup_flip ^= 1];
  g_string_chunk_clear (chunk);
  if (s != NULL)
    {
      if ((rc = bind_text (s, 1, space)) == SQLITE_OK
          && (rc = bind_text (s, 2, arch)) == SQLITE_OK
          && (rc = bind_text (s, 3, config_hash)) == SQLITE_OK
          && (rc = sqlite3_bind_int64 (s, 4, seed)) == SQLITE_OK)
        rc = sqlite3_step (s);
      if (rc == SQLITE_ROW && read_eval (store, s, out, &error))
        {
          /* copied: the row's own strings die with the reset below */
          out->space = chunk_dup (chunk, out->space);
          out->arch = chunk_dup (chunk, out->arch);
          out->proxy = chunk_dup (chunk, out->proxy);
          out->config_hash = chunk_dup (chunk, out->config_hash);
          out->time = chunk_dup (chunk, out->time);
          out->message = chunk_dup (chunk, out->message);
          found = TRUE;
        }
      else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        set_sqlite_error (store, &error, GN_STORE_ERROR_FAILED,
                          "cannot look up a cached score");
      done_stmt (s);
    }
  /* no GError in this call: a failed lookup only costs computing the
   * score again, but it must not go unnoticed */
  if (error != NULL)
    {
      g_warning ("%s", error->message);
      g_error_free (error);
    }
  return found;
}

/* Returns: the number of evaluations of @run, or -1 (with a warning) if
 * SQLite fails. */
gint64
gn_store_count (GnStore *store, gint64 run)
{
  g_return_val_if_fail (store != NULL, -1);

  GError *error = NULL;
  gint64 n = -1;
  sqlite3_stmt *s = get_stmt (store, STMT_COUNT, &error);
  if (s != NULL)
    {
      int rc = sqlite3_bind_int64 (s, 1, run);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (s);
      if (rc == SQLITE_ROW)
        n = sqlite3_column_int64 (s, 0);
      else
        set_sqlite_error (store, &error, GN_STORE_ERROR_FAILED,
                          "cannot count evaluations");
      done_stmt (s);
    }
  if (error != NULL)
    {
      g_warning ("%s", error->message);
      g_error_free (error);
    }
  return n;
}

/* Returns TRUE on completion or if @fn returned FALSE to stop (that is
 * not an error); FALSE with GN_STORE_ERROR_NOT_FOUND for a @run that does
 * not exist.  @fn may look up, count and scan again (a nested scan gets
 * its own statement).  It may also record, but the scan's read snapshot
 * is then upgraded to a write, which SQLite refuses (SQLITE_BUSY) if
 * another connection wrote since the scan began. */
gboolean
gn_store_foreach (GnStore *store, gint64 run, GnEvalFunc fn, gpointer user,
                  GError **error)
{
  g_return_val_if_fail (store != NULL && fn != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (run >= 0 && !check_run (store, run, error))
    return FALSE;

  Stmt id = run >= 0 ? STMT_FOREACH_RUN : STMT_FOREACH_ALL;
  sqlite3_stmt *s = get_stmt (store, id, error);
  gboolean owned = FALSE, ok = FALSE;
  int rc = SQLITE_OK;
  if (s == NULL)
    return FALSE;
  /* a nested call (from @fn) must not reset the outer scan under it */
  if (sqlite3_stmt_busy (s))
    {
      s = NULL;
      if (sqlite3_prepare_v2 (store->db, stmt_sql[id], -1, &s, NULL)
          != SQLITE_OK)
        {
          set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                            "cannot prepare a statement");
          goto out;
        }
      owned = TRUE;
    }

  if (run >= 0)
    rc = sqlite3_bind_int64 (s, 1, run);
  /* one statement: one consistent snapshot, whatever is written while
   * we read */
  gint64 last_run = 0, last_seq = -1;
  while (rc == SQLITE_OK && (rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      GnEval e;
      if (!read_eval (store, s, &e, error))
        goto out;
      /* the primary key's order; a damaged index (in a store too large
       * for the full check) could repeat a row or go back */
      if (e.run < last_run || (e.run == last_run && e.seq <= last_seq))
        {
          set_corrupt_row (store, s, error, "comes out of order (a damaged "
                           "index)");
          goto out;
        }
      last_run = e.run;
      last_seq = e.seq;
      if (!fn (&e, user))
        {
          rc = SQLITE_DONE;
          break;
        }
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store, error, GN_STORE_ERROR_FAILED,
                        "cannot read the evaluations");
      goto out;
    }
  ok = TRUE;

out:
  if (owned)
    sqlite3_finalize (s);
  else if (s != NULL)
    done_stmt (s);
  return ok;
}

/* ------------------------------------------------------------------ */
/* export                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
  FILE *out;
  gboolean jsonl;
  GString *line;
  int write_errno;        /* non-zero once a write failed */
} Export;

/* The shortest of %.15g, %.16g, %.17g that reads back as @v: 0.1 stays
 * "0.1", yet every double round-trips.  Locale-independent. */
static void
append_double (GString *out, double v)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (out, buf);
}

/* CSV: NaN is an empty field (SQL NULL), infinities are "inf" and
 * "-inf" as strtod() reads them */
static void
csv_double (GString *out, double v)
{
  if (isnan (v))
    return;
  if (isinf (v))
    g_string_append (out, v > 0 ? "inf" : "-inf");
  else
    append_double (out, v);
}

/* A plain decimal number, as a spreadsheet reads one: [+-]digits[.digits]
 * [e[+-]digits] (no "inf", no hexadecimal). */
static gboolean
is_decimal (const char *s)
{
  gboolean digits = FALSE;
  if (*s == '+' || *s == '-')
    s++;
  for (; g_ascii_isdigit (*s); s++)
    digits = TRUE;
  if (*s == '.')
    for (s++; g_ascii_isdigit (*s); s++)
      digits = TRUE;
  if (digits && (*s == 'e' || *s == 'E'))
    {
      s++;
      if (*s == '+' || *s == '-')
        s++;
      if (!g_ascii_isdigit (*s))
        return FALSE;
      while (g_ascii_isdigit (*s))
        s++;
    }
  return digits && *s == '\0';
}

/* What a spreadsheet would run as a formula (OWASP's rule on CSV
 * injection): a field starting with '=', '@', a tab or a carriage return,
 * or with '+' or '-' unless it is a number. */
static gboolean
csv_is_formula (const char *s)
{
  switch (s[0])
    {
    case '=': case '@': case '\t': case '\r':
      return TRUE;
    case '+': case '-':
      return !is_decimal (s);
    default:
      return FALSE;
    }
}

/* RFC 4180: quoted if it holds a comma, a quote or a line break, quotes
 * doubled.  NULL is an empty field and "" a quoted empty one, so readers
 * that care (PostgreSQL's COPY) can tell them apart.  A field that would
 * be a formula is quoted with a single quote before it, which the
 * spreadsheet shows as text. */
static void
csv_string (GString *out, const char *s)
{
  if (s == NULL)
    return;
  gboolean formula = csv_is_formula (s);
  if (!formula && s[0] != '\0' && strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  if (formula)
    g_string_append_c (out, '\'');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* JSON numbers have no NaN or infinity: null */
static void
json_double (GString *out, double v)
{
  if (!isfinite (v))
    g_string_append (out, "null");
  else
    append_double (out, v);
}

static void
json_string (GString *out, const char *s)
{
  if (s == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  /* JSON text is UTF-8; SQLite stores whatever bytes it was given */
  char *valid = NULL;
  if (!g_utf8_validate (s, -1, NULL))
    s = valid = g_utf8_make_valid (s, -1);
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\b': g_string_append (out, "\\b"); break;
      case '\f': g_string_append (out, "\\f"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
  g_free (valid);
}

/* The exported columns, in order: the header of the CSV and the keys of
 * each JSON object. */
typedef enum { COL_INT, COL_REAL, COL_TEXT, COL_BOOL, COL_STATUS } ColumnType;

static const struct {
  const char *name;
  ColumnType type;
  gsize offset;                /* in GnEval */
} export_columns[] = {
  { "run", COL_INT, G_STRUCT_OFFSET (GnEval, run) },
  { "seq", COL_INT, G_STRUCT_OFFSET (GnEval, seq) },
  { "space", COL_TEXT, G_STRUCT_OFFSET (GnEval, space) },
  { "arch", COL_TEXT, G_STRUCT_OFFSET (GnEval, arch) },
  { "proxy", COL_TEXT, G_STRUCT_OFFSET (GnEval, proxy) },
  { "config_hash", COL_TEXT, G_STRUCT_OFFSET (GnEval, config_hash) },
  { "seed", COL_INT, G_STRUCT_OFFSET (GnEval, seed) },
  { "score", COL_REAL, G_STRUCT_OFFSET (GnEval, score) },
  { "loss", COL_REAL, G_STRUCT_OFFSET (GnEval, loss) },
  { "status", COL_STATUS, G_STRUCT_OFFSET (GnEval, status) },
  { "seconds", COL_REAL, G_STRUCT_OFFSET (GnEval, seconds) },
  { "time", COL_TEXT, G_STRUCT_OFFSET (GnEval, time) },
  { "cached", COL_BOOL, G_STRUCT_OFFSET (GnEval, cached) },
  { "message", COL_TEXT, G_STRUCT_OFFSET (GnEval, message) },
};

/* One line: CSV fields, or a JSON object whose keys are the column names */
static void
export_line (const GnEval *e, gboolean jsonl, GString *l)
{
  for (gsize i = 0; i < G_N_ELEMENTS (export_columns); i++)
    {
      const char *field = (const char *) e + export_columns[i].offset;
      if (jsonl)
        g_string_append_printf (l, "%c\"%s\":", i ? ',' : '{',
                                export_columns[i].name);
      else if (i)
        g_string_append_c (l, ',');
      switch (export_columns[i].type)
        {
        case COL_INT:
          g_string_append_printf (l, "%" G_GINT64_FORMAT,
                                  *(const gint64 *) field);
          break;
        case COL_REAL:
          (jsonl ? json_double : csv_double) (l, *(const double *) field);
          break;
        case COL_TEXT:
          (jsonl ? json_string : csv_string) (l, *(const char *const *) field);
          break;
        case COL_STATUS:
          (jsonl ? json_string : csv_string)
            (l, gn_eval_status_name (*(const GnEvalStatus *) field));
          break;
        case COL_BOOL:
          if (jsonl)
            g_string_append (l, *(const gboolean *) field ? "true" : "false");
          else
            g_string_append_c (l, *(const gboolean *) field ? '1' : '0');
          break;
        }
    }
  g_string_append (l, jsonl ? "}\n" : "\n");
}

static gboolean
write_line (Export *x)
{
  errno = 0;
  if (fwrite (x->line->str, 1, x->line->len, x->out) != x->line->len)
    {
      x->write_errno = errno != 0 ? errno : EIO;
      return FALSE;
    }
  return TRUE;
}

static gboolean
export_row (const GnEval *e, gpointer user)
{
  Export *x = user;
  g_string_truncate (x->line, 0);
  export_line (e, x->jsonl, x->line);
  return write_line (x);
}

gboolean
gn_store_export (GnStore *store, gint64 run, const char *format, FILE *out,
                 GError **error)
{
  g_return_val_if_fail (store != NULL && format != NULL && out != NULL,
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  Export x = { out, FALSE, NULL, 0 };
  gboolean ok = FALSE;

  if (strcmp (format, "jsonl") == 0)
    x.jsonl = TRUE;
  else if (strcmp (format, "csv") != 0)
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_FAILED,
                   "unknown export format '%s' (csv or jsonl)", format);
      return FALSE;
    }
  /* before the header: an unknown run writes nothing */
  if (run >= 0 && !check_run (store, run, error))
    return FALSE;

  x.line = g_string_sized_new (256);
  if (!x.jsonl)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (export_columns); i++)
        g_string_append_printf (x.line, "%s%s", i ? "," : "",
                                export_columns[i].name);
      g_string_append_c (x.line, '\n');
      write_line (&x);
    }
  if (x.write_errno == 0 && !gn_store_foreach (store, run, export_row, &x,
                                               error))
    goto out;
  if (x.write_errno == 0 && fflush (out) != 0)
    x.write_errno = errno != 0 ? errno : EIO;
  if (x.write_errno != 0)
    {
      g_set_error (error, GN_STORE_ERROR, GN_STORE_ERROR_FAILED,
                   "%s: cannot write the export: %s", store->path,
                   g_strerror (x.write_errno));
      goto out;
    }
  ok = TRUE;

out:
  g_string_free (x.line, TRUE);
  return ok;
}
