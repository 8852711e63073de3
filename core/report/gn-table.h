/* gn-table.h - read-only CSV tables: the benchmarks' ground truth
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A GnTable is a whole CSV file held in memory: a header row naming the
 * columns, then data rows of exactly as many fields.  Fields follow
 * RFC 4180: separated by commas, optionally double-quoted, with "" for a
 * quote inside a quoted field (which may also span lines).  Lines end in
 * LF or CRLF; blank lines are skipped; a UTF-8 byte-order mark is ignored;
 * lines before the header that begin with '#' are comments, not records
 * (gn_table_comments(); the combine proxy's reference samples record
 * their settings there).
 * Anything else malformed (a short or long row, a stray or unterminated
 * quote, a NUL byte, an empty or duplicate column name) is a
 * GN_TABLE_ERROR_PARSE whose message starts with "file:line:".
 *
 *   GnTable *t = gn_table_load ("data/nb201.csv", &error);
 *   int key = gn_table_find_column (t, "arch_str", &error);
 *   int acc = gn_table_find_column (t, "cifar10_test", &error);
 *   int row = gn_table_lookup (t, key, arch, &error);
 *   double v;
 *   if (row >= 0 && gn_table_get_double (t, row, acc, &v, &error)) ...
 *
 * Rows and columns are numbered from 0; row 0 is the first data row.
 * Reading is thread-safe; gn_table_lookup() builds a per-column index on
 * first use, so call it once per key column before sharing a table
 * between threads, or give each thread its own.
 *
 * A space's benchmark table is loaded with gn_table_load_benchmark(),
 * which also checks that it can serve as ground truth.
 */
#ifndef GN_TABLE_H
#define GN_TABLE_H

#if !defined(GN_INSIDE_GENNAS_H) && !defined(GN_COMPILATION)
#error "Only <gennas.h> can be included directly."
#endif

#include <glib.h>
#include "gn-space.h"

G_BEGIN_DECLS

#define GN_TABLE_ERROR (gn_table_error_quark ())
GQuark gn_table_error_quark (void);

typedef enum {
  GN_TABLE_ERROR_IO,         /* the file cannot be read                   */
  GN_TABLE_ERROR_PARSE,      /* malformed CSV ("file:line: ...")          */
  GN_TABLE_ERROR_NO_COLUMN,  /* no column has the requested name          */
  GN_TABLE_ERROR_NOT_FOUND,  /* no row has the requested key              */
  GN_TABLE_ERROR_VALUE,      /* a field is not the number asked for       */
  GN_TABLE_ERROR_DUPLICATE,  /* two rows of a benchmark share a key       */
  GN_TABLE_ERROR_EMPTY       /* a benchmark table without rows            */
} GnTableError;

typedef struct _GnTable GnTable;

/**
 * gn_table_load:
 * @path: a CSV file
 *
 * Returns: (transfer full): the table, or NULL with @error
 * (GN_TABLE_ERROR_IO or GN_TABLE_ERROR_PARSE).
 */
GnTable    *gn_table_load (const char *path, GError **error);

/**
 * gn_table_load_benchmark:
 * @bm: a space's benchmark (gn_space_get_benchmark())
 *
 * Loads @bm's table and checks that it can serve as ground truth: its
 * key, architecture and metric columns exist, it has at least one row,
 * no two rows share a key, and every metric of every row is a finite
 * number (gn_table_get_double(), and neither NaN nor infinite).  The
 * key column's index is built on the way, as gn_table_lookup() would.
 *
 * Returns: (transfer full): the table, or NULL with @error naming the
 * file, and the line and column where there is one:
 * GN_TABLE_ERROR_IO, _PARSE, _NO_COLUMN, _EMPTY, _DUPLICATE or _VALUE.
 */
GnTable    *gn_table_load_benchmark (const GnBenchmark *bm, GError **error);

/**
 * gn_table_new_from_data:
 * @name: what error messages call the data (e.g. a file name)
 * @data: the CSV text (copied)
 * @len: its length in bytes, or -1 if NUL-terminated
 *
 * Returns: (transfer full): the table, or NULL with @error
 * (GN_TABLE_ERROR_PARSE).
 */
GnTable    *gn_table_new_from_data (const char *name, const char *data,
                                    gssize len, GError **error);

/** Frees @table; NULL is allowed. */
void        gn_table_free (GnTable *table);

/** Returns: (transfer none): the comment lines before the header, in
 * order, each without its '#', one space after it and its line end;
 * NULL-terminated (empty without any). */
const char *const *gn_table_comments (const GnTable *table);
/** Returns: (transfer none): the path or name the table was read from. */
const char *gn_table_name (const GnTable *table);
guint       gn_table_n_rows (const GnTable *table);
guint       gn_table_n_columns (const GnTable *table);
/** Returns: (transfer none): the header of @column. */
const char *gn_table_column_name (const GnTable *table, guint column);

/**
 * gn_table_find_column:
 *
 * Returns: the index of the column named @name, or -1 with @error
 * (GN_TABLE_ERROR_NO_COLUMN).
 */
int         gn_table_find_column (const GnTable *table, const char *name,
                                  GError **error);

/** Returns: (transfer none): the unquoted text of a field ("" if empty). */
const char *gn_table_get (const GnTable *table, guint row, guint column);

/**
 * gn_table_get_double:
 * @value: (out): the field as a double
 *
 * Parses the whole field with g_ascii_strtod() (locale-independent;
 * "nan" and "inf" are accepted, as written).
 *
 * Returns: FALSE with @error (GN_TABLE_ERROR_VALUE, naming the file,
 * line and column) if the field is empty, not a number, or a number
 * beyond a double's range (such as 1e400, which would read as infinity).
 */
gboolean    gn_table_get_double (const GnTable *table, guint row,
                                 guint column, double *value,
                                 GError **error);

/**
 * gn_table_lookup:
 * @key_column: the column holding the keys
 * @key: the key to find (compared byte for byte)
 *
 * Finds the row whose @key_column equals @key in O(1) after a first call
 * that indexes the column.  If several rows share a key, the first wins.
 *
 * Returns: the row, or -1 with @error (GN_TABLE_ERROR_NOT_FOUND).
 */
int         gn_table_lookup (GnTable *table, guint key_column,
                             const char *key, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GnTable, gn_table_free)

G_END_DECLS

#endif /* GN_TABLE_H */
