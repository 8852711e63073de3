/* gn-store.h - every evaluation, durably: the SQLite results store
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * One SQLite database (write-ahead log; a commit survives the process
 * being killed at any moment) holds:
 *
 *   runs   one row per search: its id, when it started, and its whole
 *          configuration (space, algorithm, proxy and its canonical
 *          configuration, seed, budget, population, ...) as a JSON object,
 *          plus the configuration's hash, so `--resume` can find it; its
 *          status ("running", "finished", "stopped"), and the run it
 *          derives from, if any (a search's final stage names its search).
 *   evals  one row per evaluation of a run: the run, its sequence number
 *          in the run (0, 1, ... in the order results were recorded), the
 *          space name, the canonical architecture, the proxy name, the
 *          proxy configuration hash (parameters + recipe checksum, i.e. a
 *          hash of gn_proxy_config()), the seed, score, raw loss, status
 *          (gn_eval_status_name(): "ok", "nonfinite", "error", "crashed",
 *          "timeout"; a GnEvalStatus in GnEval), seconds, a
 *          UTC time stamp, whether it was a cache hit, and an error
 *          message.  (run, arch) is unique: a run never evaluates an
 *          architecture twice.
 *
 * Each recorded evaluation is its own committed transaction before the
 * call returns, so a search killed with SIGKILL at any moment loses at
 * most the evaluations still running, never a recorded one.
 *
 * Integrity: opening checks the file (SQLite's integrity check, or its
 * quick check for a large store), and every row read back is checked:
 * each column's SQLite type, the status among the five names, a
 * non-negative sequence number, and a per-row checksum written with the
 * row.  A row that fails is never read as a value: the call fails with
 * GN_STORE_ERROR_CORRUPT naming the row (docs/store.md, "What a store is
 * trusted with").
 *
 * Cache: a score already known for the same (space, architecture, proxy
 * configuration hash, seed) with status "ok" or "nonfinite", from any run,
 * is found by gn_store_lookup() so it need not be computed again.
 *
 * A GnStore is used from one thread.
 */
#ifndef GN_STORE_H
#define GN_STORE_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include <stdio.h>
#include "gn-eval.h"

G_BEGIN_DECLS

#define GN_STORE_ERROR (gn_store_error_quark ())
GQuark gn_store_error_quark (void);

typedef enum {
  GN_STORE_ERROR_FAILED,     /* SQLite said no; the message says why   */
  GN_STORE_ERROR_OPEN,       /* the file cannot be opened or created   */
  GN_STORE_ERROR_SCHEMA,     /* not a gennas store, or a newer schema  */
  GN_STORE_ERROR_NOT_FOUND,  /* no such run                            */
  GN_STORE_ERROR_DUPLICATE,  /* the run already has this architecture  */
  GN_STORE_ERROR_CORRUPT     /* the file or a row fails its checks     */
} GnStoreError;

typedef struct _GnStore GnStore;

/** One evaluation, as recorded and as read back. */
typedef struct {
  gint64 run;
  gint64 seq;                 /* 0-based order within the run           */
  const char *space;
  const char *arch;
  const char *proxy;
  const char *config_hash;
  gint64 seed;
  double score;               /* higher is better; -DBL_MAX if failed   */
  double loss;                /* NAN when the proxy has none            */
  GnEvalStatus status;        /* text in the store, one of the names of
                                 gn_eval_status_name()                 */
  double seconds;
  const char *time;           /* UTC, ISO 8601; set by the store        */
  gboolean cached;
  const char *message;        /* (nullable) why it failed               */
} GnEval;

/**
 * gn_store_open:
 * @path: the database file, created if missing
 *
 * Opens (creating the schema when new, checking it otherwise) with the
 * WAL journal and a busy timeout, so `gennas export` can read while a
 * search writes.  An existing store is checked first (see "Integrity"
 * above) and migrated to the current schema if it is older.
 *
 * Returns: (transfer full): the store, or NULL with @error:
 * GN_STORE_ERROR_OPEN, _SCHEMA (not a store, or a newer one), _CORRUPT
 * (the file fails SQLite's check, or a row to migrate fails its own), or
 * _FAILED.
 */
GnStore *gn_store_open (const char *path, GError **error);
void     gn_store_close (GnStore *store);

/**
 * gn_store_config_hash:
 *
 * Returns: (transfer full): the hex SHA-256 of @text; used for both the
 * proxy configuration hash and the run configuration hash.
 */
char *gn_store_config_hash (const char *text);

/**
 * gn_store_new_run:
 * @config_json: the run's whole configuration, a JSON object (text)
 * @config_hash: the hash by which --resume finds the run
 * @parent: the run this one derives from (a search's final stage names
 *   its search), or 0 for none; run ids start at 1.  It must exist:
 *   otherwise GN_STORE_ERROR_FAILED.
 * @run: (out): the new run's id
 */
gboolean gn_store_new_run (GnStore *store, const char *config_json,
                           const char *config_hash, gint64 parent,
                           gint64 *run, GError **error);

/**
 * gn_store_find_run:
 * @config_hash: (nullable): NULL means the latest run of any configuration
 * @run: (out): the latest run with that hash
 * @config_json: (out) (optional) (transfer full): its configuration
 *
 * Returns: TRUE and the run, or FALSE with GN_STORE_ERROR_NOT_FOUND,
 * or another error (GN_STORE_ERROR_CORRUPT if the run's row is damaged).
 */
gboolean gn_store_find_run (GnStore *store, const char *config_hash,
                            gint64 *run, char **config_json,
                            GError **error);

/**
 * gn_store_get_run:
 * @config_json: (out) (optional) (transfer full): the run's configuration
 * @parent: (out) (optional): the run it derives from, 0 for none
 *
 * Returns: FALSE with GN_STORE_ERROR_NOT_FOUND if there is no such run,
 * GN_STORE_ERROR_CORRUPT if its row is damaged.
 */
gboolean gn_store_get_run (GnStore *store, gint64 run, char **config_json,
                           gint64 *parent, GError **error);

/** Sets a run's status text ("running", "finished", ...). */
gboolean gn_store_set_run_status (GnStore *store, gint64 run,
                                  const char *status, GError **error);

/**
 * gn_store_record:
 * @e: the evaluation; @e->run and @e->arch must be set; @e->seq is
 *   ignored (the store assigns the next one) and @e->time too
 * @seq: (out) (optional): the sequence number given
 *
 * Commits one evaluation durably.
 *
 * Returns: FALSE with GN_STORE_ERROR_DUPLICATE if the run already has
 * @e->arch, or another error.
 */
gboolean gn_store_record (GnStore *store, const GnEval *e, gint64 *seq,
                          GError **error);

/**
 * gn_store_lookup:
 * @out: (out caller-allocates): the cached evaluation; its strings stay
 *   valid until the next call on @store
 *
 * Returns: TRUE if a reusable score exists (see the cache rule above).
 * A damaged row is no score: it is reported with g_warning() and the
 * lookup returns FALSE, so the score is computed again.
 */
gboolean gn_store_lookup (GnStore *store, const char *space,
                          const char *arch, const char *config_hash,
                          gint64 seed, GnEval *out);

/** Number of evaluations recorded for @run. */
gint64 gn_store_count (GnStore *store, gint64 run);

/**
 * GnEvalFunc:
 *
 * Called for each evaluation by gn_store_foreach(); @e's strings are valid
 * during the call only.  Return FALSE to stop.
 */
typedef gboolean (*GnEvalFunc) (const GnEval *e, gpointer user);

/**
 * gn_store_foreach:
 * @run: a run id, or -1 for every run
 *
 * Visits the evaluations in (run, seq) order.  A damaged row ends the
 * visit with GN_STORE_ERROR_CORRUPT; @fn has seen only the rows before it.
 */
gboolean gn_store_foreach (GnStore *store, gint64 run, GnEvalFunc fn,
                           gpointer user, GError **error);

/**
 * gn_store_export:
 * @format: "csv" or "jsonl"
 * @out: where to write (e.g. stdout)
 *
 * Writes every evaluation of @run (-1: all), one per line, with a header
 * line for CSV; strings are quoted as each format requires, and a CSV
 * text field that a spreadsheet would take for a formula (it starts with
 * '=', '+', '-' or '@' and is not a number, or with a tab or a carriage
 * return) is written with a leading single quote.  A damaged row stops
 * the export with GN_STORE_ERROR_CORRUPT; the lines before it were
 * written.
 */
gboolean gn_store_export (GnStore *store, gint64 run, const char *format,
                          FILE *out, GError **error);

G_END_DECLS

#endif /* GN_STORE_H */
