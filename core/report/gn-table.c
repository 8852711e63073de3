/* gn-table.c - read-only CSV tables, see gn-table.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The file is read into one buffer and unquoted in place: every field
 * becomes a NUL-terminated string inside that buffer (unquoting only ever
 * shortens a field, so the write position never overtakes the read
 * position), and the table is an array of pointers into it.
 */
#include "config.h"
#include "gn-table.h"

#include <errno.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (gn-table-error-quark, gn_table_error)

struct _GnTable {
  char *name;
  char *buf;              /* the unquoted text all fields point into  */
  guint n_columns;
  guint n_rows;
  const char **header;    /* [n_columns]                               */
  const char **cells;     /* [n_rows * n_columns], row-major          */
  guint *lines;           /* [n_rows]: the line each row starts on    */
  GHashTable **index;     /* [n_columns]: key -> row + 1, built lazily */
  const char **comments;  /* the '#' lines before the header, NULL-ended */
};

typedef struct {
  const char *name;
  char *rd, *wr, *end;
  guint line;
} Parser;

/* Parses one field at p->rd, unquoting it into p->wr.  Returns its start;
 * *last is TRUE if the record ended after it. */
static char *
parse_field (Parser *p, gboolean *last, GError **error)
{
  char *start = p->wr;
  if (p->rd < p->end && *p->rd == '"')
    {
      guint first_line = p->line;
      p->rd++;
      for (;;)
        {
          if (p->rd >= p->end)
            {
              g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE,
                           "%s:%u: unterminated quoted field", p->name,
                           first_line);
              return NULL;
            }
          char c = *p->rd++;
          if (c == '"')
            {
              if (p->rd < p->end && *p->rd == '"')
                {
                  *p->wr++ = '"';
                  p->rd++;
                  continue;
                }
              break;
            }
          if (c == '\n')
            p->line++;
          *p->wr++ = c;
        }
      if (p->rd < p->end && *p->rd != ',' && *p->rd != '\n'
          && !(*p->rd == '\r' && p->rd + 1 < p->end && p->rd[1] == '\n'))
        {
          g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE,
                       "%s:%u: unexpected character after a closing quote",
                       p->name, p->line);
          return NULL;
        }
    }
  else
    {
      while (p->rd < p->end && *p->rd != ',' && *p->rd != '\n'
             && !(*p->rd == '\r' && p->rd + 1 < p->end && p->rd[1] == '\n'))
        {
          if (*p->rd == '"')
            {
              g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE,
                           "%s:%u: a quote inside an unquoted field",
                           p->name, p->line);
              return NULL;
            }
          *p->wr++ = *p->rd++;
        }
    }

  /* the separator or line end, then terminate the field in place */
  *last = TRUE;
  if (p->rd < p->end)
    {
      if (*p->rd == ',')
        {
          *last = FALSE;
          p->rd++;
        }
      else
        {
          p->rd += *p->rd == '\r' ? 2 : 1;
          p->line++;
        }
    }
  *p->wr++ = '\0';
  return start;
}

static gboolean
parse (GnTable *t, gsize len, GError **error)
{
  Parser p = { t->name, t->buf, t->buf, t->buf + len, 1 };
  GPtrArray *fields = g_ptr_array_new ();
  GPtrArray *comments = g_ptr_array_new ();
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean ok = FALSE;

  if (memchr (t->buf, '\0', len) != NULL)
    {
      g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE,
                   "%s: contains a NUL byte (not a CSV text file)", t->name);
      goto out;
    }
  if (len >= 3 && memcmp (t->buf, "\xef\xbb\xbf", 3) == 0)
    p.rd += 3;

  while (p.rd < p.end)
    {
      /* blank lines are not records */
      if (*p.rd == '\n' || (*p.rd == '\r' && p.rd + 1 < p.end
                            && p.rd[1] == '\n'))
        {
          p.rd += *p.rd == '\r' ? 2 : 1;
          p.line++;
          continue;
        }
      /* before the header, a line that begins with '#' is a comment
       * (a reference sample's record of its settings, say), kept in
       * place without its '#', one space after it and its line end; the
       * fields are then written after it */
      if (t->header == NULL && *p.rd == '#')
        {
          char *text = p.rd + 1 + (p.rd + 1 < p.end && p.rd[1] == ' ');
          char *nl = memchr (p.rd, '\n', (size_t) (p.end - p.rd));
          char *stop = nl != NULL ? nl : p.end;
          if (stop > text && stop[-1] == '\r')
            stop--;
          *stop = '\0';   /* a '\r', '\n', or the spare byte at the end */
          g_ptr_array_add (comments, text);
          p.rd = p.wr = nl != NULL ? nl + 1 : p.end;
          p.line++;
          continue;
        }
      guint line = p.line, n = 0;
      gboolean last = FALSE;
      while (!last)
        {
          char *f = parse_field (&p, &last, error);
          if (f == NULL)
            goto out;
          g_ptr_array_add (fields, f);
          n++;
        }
      if (t->header == NULL)
        {
          t->n_columns = n;
          /* stealing leaves @fields empty, ready for the data rows */
          t->header = (const char **) g_ptr_array_steal (fields, NULL);
          for (guint i = 0; i < n; i++)
            {
              if (t->header[i][0] == '\0')
                {
                  g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE,
                               "%s:%u: column %u has no name", t->name,
                               line, i + 1);
                  goto out;
                }
              for (guint j = 0; j < i; j++)
                if (strcmp (t->header[i], t->header[j]) == 0)
                  {
                    g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE,
                                 "%s:%u: column name '%s' appears twice",
                                 t->name, line, t->header[i]);
                    goto out;
                  }
            }
          continue;
        }
      if (n != t->n_columns)
        {
          g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE,
                       "%s:%u: expected %u fields, found %u", t->name, line,
                       t->n_columns, n);
          goto out;
        }
      g_array_append_val (lines, line);
    }
  if (t->header == NULL)
    {
      g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_PARSE,
                   "%s: empty file (no header row)", t->name);
      goto out;
    }

  t->n_rows = lines->len;
  t->cells = (const char **) g_ptr_array_steal (fields, NULL);
  t->lines = (guint *) g_array_steal (lines, NULL);
  t->index = g_new0 (GHashTable *, t->n_columns);
  g_ptr_array_add (comments, NULL);
  t->comments = (const char **) g_ptr_array_steal (comments, NULL);
  ok = TRUE;

out:
  g_ptr_array_unref (comments);
  g_ptr_array_unref (fields);
  g_array_unref (lines);
  return ok;
}

GnTable *
gn_table_new_from_data (const char *name, const char *data, gssize len,
                        GError **error)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gsize n = len < 0 ? strlen (data) : (gsize) len;
  GnTable *t = g_new0 (GnTable, 1);
  t->name = g_strdup (name);
  /* one spare byte: the last field's terminator when the file has no
   * final newline */
  t->buf = g_malloc (n + 1);
  memcpy (t->buf, data, n);
  t->buf[n] = '\0';
  if (!parse (t, n, error))
    {
      gn_table_free (t);
      return NULL;
    }
  return t;
}

GnTable *
gn_table_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  char *text = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_IO, "%s",
                   local->message);
      g_error_free (local);
      return NULL;
    }
  GnTable *t = g_new0 (GnTable, 1);
  t->name = g_strdup (path);
  t->buf = text;   /* g_file_get_contents() NUL-terminates: the spare byte */
  if (!parse (t, len, error))
    {
      gn_table_free (t);
      return NULL;
    }
  return t;
}

void
gn_table_free (GnTable *table)
{
  if (table == NULL)
    return;
  if (table->index != NULL)
    for (guint i = 0; i < table->n_columns; i++)
      if (table->index[i] != NULL)
        g_hash_table_unref (table->index[i]);
  g_free (table->index);
  g_free (table->comments);
  g_free (table->lines);
  g_free (table->cells);
  g_free (table->header);
  g_free (table->buf);
  g_free (table->name);
  g_free (table);
}

const char *const *
gn_table_comments (const GnTable *table)
{
  g_return_val_if_fail (table != NULL, NULL);
  return table->comments;
}

const char *
gn_table_name (const GnTable *table)
{
  g_return_val_if_fail (table != NULL, NULL);
  return table->name;
}

guint
gn_table_n_rows (const GnTable *table)
{
  g_return_val_if_fail (table != NULL, 0);
  return table->n_rows;
}

guint
gn_table_n_columns (const GnTable *table)
{
  g_return_val_if_fail (table != NULL, 0);
  return table->n_columns;
}

const char *
gn_table_column_name (const GnTable *table, guint column)
{
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (column < table->n_columns, NULL);
  return table->header[column];
}

int
gn_table_find_column (const GnTable *table, const char *name, GError **error)
{
  g_return_val_if_fail (table != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  for (guint i = 0; i < table->n_columns; i++)
    if (strcmp (table->header[i], name) == 0)
      return (int) i;
  g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_NO_COLUMN,
               "%s: no column named '%s'", table->name, name);
  return -1;
}

const char *
gn_table_get (const GnTable *table, guint row, guint column)
{
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (row < table->n_rows, NULL);
  g_return_val_if_fail (column < table->n_columns, NULL);
  return table->cells[(gsize) row * table->n_columns + column];
}

/* Sets GN_TABLE_ERROR_VALUE for the field at @row, @column: "'FIELD'
 * @what", the field escaped and cut short so the message stays one line.
 * Returns FALSE. */
static gboolean
set_value_error (const GnTable *table, guint row, guint column,
                 const char *what, GError **error)
{
  const char *s = gn_table_get (table, row, column);
  char *head = g_strndup (s, 40);
  char *shown = g_strescape (head, NULL);
  g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_VALUE,
               "%s:%u: column '%s': '%s%s' %s", table->name,
               table->lines[row], table->header[column], shown,
               strlen (s) > 40 ? "..." : "", what);
  g_free (shown);
  g_free (head);
  return FALSE;
}

gboolean
gn_table_get_double (const GnTable *table, guint row, guint column,
                     double *value, GError **error)
{
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (row < table->n_rows, FALSE);
  g_return_val_if_fail (column < table->n_columns, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  const char *s = gn_table_get (table, row, column);
  char *end = NULL;
  errno = 0;
  double v = g_ascii_strtod (s, &end);
  if (s[0] == '\0' || g_ascii_isspace (s[0]) || *end != '\0')
    return set_value_error (table, row, column, "is not a number", error);
  /* an overflow reads as infinity; an "inf" written as such does not set
   * errno */
  if (errno == ERANGE && isinf (v))
    return set_value_error (table, row, column, "is beyond a double's "
                            "range", error);
  *value = v;
  return TRUE;
}

/* Returns: (transfer none): the index of @column, built on first use:
 * keys point into the buffer, values are row + 1 (0 is "absent"), and
 * the first of rows sharing a key wins.  @repeat: (out) (optional): the
 * first row whose key an earlier row has, or -1; known only when this
 * call builds the index. */
static GHashTable *
index_column (GnTable *table, guint column, int *repeat)
{
  GHashTable *idx = table->index[column];
  if (repeat != NULL)
    *repeat = -1;
  if (idx != NULL)
    return idx;
  idx = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint r = 0; r < table->n_rows; r++)
    {
      const char *key = gn_table_get (table, r, column);
      if (!g_hash_table_contains (idx, key))
        g_hash_table_insert (idx, (gpointer) key, GUINT_TO_POINTER (r + 1));
      else if (repeat != NULL && *repeat < 0)
        *repeat = (int) r;
    }
  table->index[column] = idx;
  return idx;
}

int
gn_table_lookup (GnTable *table, guint key_column, const char *key,
                 GError **error)
{
  g_return_val_if_fail (table != NULL, -1);
  g_return_val_if_fail (key_column < table->n_columns, -1);
  g_return_val_if_fail (key != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  guint found = GPOINTER_TO_UINT (g_hash_table_lookup (
                  index_column (table, key_column, NULL), key));
  if (found == 0)
    {
      g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_NOT_FOUND,
                   "%s: no row has %s '%s'", table->name,
                   table->header[key_column], key);
      return -1;
    }
  return (int) found - 1;
}

/* The checks of gn_table_load_benchmark(). */
static gboolean
check_benchmark (GnTable *t, const GnBenchmark *bm, GError **error)
{
  int key = gn_table_find_column (t, bm->key_column, error);
  if (key < 0)
    return FALSE;
  for (char **c = bm->arch_columns; c != NULL && *c != NULL; c++)
    if (gn_table_find_column (t, *c, error) < 0)
      return FALSE;
  if (t->n_rows == 0)
    {
      g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_EMPTY,
                   "%s: no rows, only a header", t->name);
      return FALSE;
    }

  int repeat;
  index_column (t, (guint) key, &repeat);
  if (repeat >= 0)
    {
      const char *k = gn_table_get (t, (guint) repeat, (guint) key);
      guint first = GPOINTER_TO_UINT (g_hash_table_lookup (t->index[key],
                                                           k)) - 1;
      g_set_error (error, GN_TABLE_ERROR, GN_TABLE_ERROR_DUPLICATE,
                   "%s:%u: column '%s': the key of line %u again", t->name,
                   t->lines[repeat], t->header[key], t->lines[first]);
      return FALSE;
    }

  for (char **m = bm->metrics; m != NULL && *m != NULL; m++)
    {
      int col = gn_table_find_column (t, *m, error);
      if (col < 0)
        return FALSE;
      for (guint r = 0; r < t->n_rows; r++)
        {
          double v;
          if (!gn_table_get_double (t, r, (guint) col, &v, error))
            return FALSE;
          if (!isfinite (v))
            return set_value_error (t, r, (guint) col, "is not a finite "
                                    "number", error);
        }
    }
  return TRUE;
}

GnTable *
gn_table_load_benchmark (const GnBenchmark *bm, GError **error)
{
  g_return_val_if_fail (bm != NULL && bm->path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  GnTable *t = gn_table_load (bm->path, error);
  if (t != NULL && !check_benchmark (t, bm, error))
    g_clear_pointer (&t, gn_table_free);
  return t;
}
