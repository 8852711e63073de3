/* test-store-damage.c - a store with bytes changed at random: `gennas
 * export` and `gennas search --resume` read it intact or refuse it with a
 * one-line error, never crash and never pass on an altered row
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A real store (a 20-evaluation search with the params proxy) is copied
 * GN_DAMAGE_COPIES times (default 10), each copy with GN_DAMAGE_BYTES
 * (default 4) bytes at random places replaced, from a generator seeded
 * with GN_DAMAGE_SEED (default 1), so a failure reproduces exactly.  The
 * tally (how many copies each command read, refused, got wrong) goes to
 * the log; the test fails on any crash, any row exported with an altered
 * value (or a row missing or added) by an export that succeeded, and any
 * resumed search whose result differs from the original's.
 */
#include "gennas.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *gennas, *space_path, *tmpdir;

typedef struct {
  int status;       /* the exit status, or -N if killed by signal N */
  char *out, *err;  /* NUL-terminated, but bytes: a damaged store's text
                       need not be UTF-8 */
} CliRun;

static char *
bytes_to_string (GBytes *b)
{
  gsize len = 0;
  const char *data = b != NULL ? g_bytes_get_data (b, &len) : NULL;
  char *s = g_malloc (len + 1);
  if (len > 0)
    memcpy (s, data, len);
  s[len] = '\0';
  return s;
}

/* As run-cli.h's cli_run(), for output that may not be text. */
static CliRun
run_gennas (const char *first, ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, gennas);
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  GError *error = NULL;
  GBytes *out = NULL, *err = NULL;
  GSubprocess *p = g_subprocess_newv ((const char *const *) argv->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                      | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                      &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (p, NULL, NULL, &out, &err,
                                           &error));
  g_assert_no_error (error);
  CliRun r = { g_subprocess_get_if_signaled (p)
               ? -g_subprocess_get_term_sig (p)
               : g_subprocess_get_exit_status (p),
               bytes_to_string (out), bytes_to_string (err) };
  g_bytes_unref (out);
  g_bytes_unref (err);
  g_object_unref (p);
  g_ptr_array_free (argv, TRUE);
  return r;
}

static void
cli_run_clear (CliRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static CliRun
search (const char *db, gboolean resume)
{
  return run_gennas ("search", space_path, "--proxy", "params", "--budget",
                     "20", "--workers", "1", "--db", db,
                     resume ? "--resume" : NULL, NULL);
}

/* The last line of @text, without its newline. */
static char *
last_line (const char *text)
{
  char **lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  while (n > 0 && lines[n - 1][0] == '\0')
    n--;
  char *last = g_strdup (n > 0 ? lines[n - 1] : "");
  g_strfreev (lines);
  return last;
}

/* A refusal ends stderr with one line "gennas CMD: ..." (after the
 * command's own progress lines). */
static gboolean
refused_in_one_line (const char *err, const char *cmd)
{
  char *last = last_line (err);
  char *prefix = g_strdup_printf ("gennas %s: ", cmd);
  gboolean ok = g_str_has_prefix (last, prefix)
                && g_str_has_suffix (err, "\n");
  g_free (prefix);
  g_free (last);
  return ok;
}

static void
log_refusal (GString *log, guint copy, const char *err)
{
  char *last = last_line (err);
  g_string_append_printf (log, "copy %u: %s\n", copy, last);
  g_free (last);
}

static guint
env_uint (const char *name, guint fallback)
{
  const char *v = g_getenv (name);
  return v != NULL && *v != '\0' ? (guint) strtoul (v, NULL, 10) : fallback;
}

typedef struct {
  guint read, refused, altered, crashed;
} Tally;

static void
test_damaged_copies (void)
{
  guint copies = env_uint ("GN_DAMAGE_COPIES", 10);
  guint n_bytes = env_uint ("GN_DAMAGE_BYTES", 4);
  guint seed = env_uint ("GN_DAMAGE_SEED", 1);

  char *orig = g_build_filename (tmpdir, "orig.db", NULL);
  CliRun made = search (orig, FALSE);
  g_assert_cmpint (made.status, ==, 0);
  char *want_result = last_line (made.out);
  CliRun ref = run_gennas ("export", orig, NULL);
  g_assert_cmpint (ref.status, ==, 0);
  /* the search closed the store: it is one file, its WAL checkpointed */
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (orig, &bytes, &len, NULL));
  g_assert_cmpuint (len, >, 0);

  GRand *rand = g_rand_new_with_seed (seed);
  Tally export = { 0 }, resume = { 0 };
  GString *wrong = g_string_new (NULL), *refusals = g_string_new (NULL);
  for (guint i = 0; i < copies; i++)
    {
      char *copy = g_strdup_printf ("%s/copy-%u.db", tmpdir, i);
      char *damaged = g_memdup2 (bytes, len);
      for (guint k = 0; k < n_bytes; k++)
        damaged[g_rand_int_range (rand, 0, (gint32) len)]
          ^= (char) g_rand_int_range (rand, 1, 256);
      g_assert_true (g_file_set_contents (copy, damaged, (gssize) len, NULL));

      CliRun r = run_gennas ("export", copy, NULL);
      if (r.status < 0 || r.status > 1)
        {
          export.crashed++;
          g_string_append_printf (wrong, "copy %u: export exited %d\n", i,
                                  r.status);
        }
      else if (r.status == 0 && strcmp (r.out, ref.out) == 0)
        export.read++;
      else if (r.status == 0)
        {
          export.altered++;
          g_string_append_printf (wrong, "copy %u: export altered rows\n", i);
        }
      else if (refused_in_one_line (r.err, "export"))
        {
          export.refused++;
          log_refusal (refusals, i, r.err);
        }
      else
        {
          export.crashed++;
          g_string_append_printf (wrong, "copy %u: export failed without "
                                  "its one-line error\n", i);
        }
      cli_run_clear (&r);

      r = search (copy, TRUE);
      char *result = last_line (r.out);
      if (r.status < 0 || r.status > 1)
        {
          resume.crashed++;
          g_string_append_printf (wrong, "copy %u: search --resume exited "
                                  "%d\n", i, r.status);
        }
      else if (r.status == 0 && strcmp (result, want_result) == 0)
        resume.read++;
      else if (r.status == 0)
        {
          resume.altered++;
          g_string_append_printf (wrong, "copy %u: search --resume found "
                                  "'%s'\n", i, result);
        }
      else if (refused_in_one_line (r.err, "search"))
        {
          resume.refused++;
          log_refusal (refusals, i, r.err);
        }
      else
        {
          resume.crashed++;
          g_string_append_printf (wrong, "copy %u: search --resume failed "
                                  "without its one-line error\n", i);
        }
      g_free (result);
      cli_run_clear (&r);

      /* the copy, with the -wal and -shm a command may have left */
      for (const char *const *ext = (const char *const[]) { "", "-wal",
                                                             "-shm", NULL };
           *ext; ext++)
        {
          char *f = g_strconcat (copy, *ext, NULL);
          g_remove (f);
          g_free (f);
        }
      g_free (damaged);
      g_free (copy);
    }

  g_test_message ("%u copies, %u bytes changed in each, seed %u:\n"
                  "  export: %u read intact, %u refused, %u altered, "
                  "%u crashed\n"
                  "  search --resume: %u same result, %u refused, "
                  "%u different result, %u crashed",
                  copies, n_bytes, seed, export.read, export.refused,
                  export.altered, export.crashed, resume.read, resume.refused,
                  resume.altered, resume.crashed);
  g_test_message ("refusals:\n%s", refusals->str);
  if (wrong->len > 0)
    g_test_message ("%s", wrong->str);
  g_assert_cmpuint (export.crashed + resume.crashed, ==, 0);
  g_assert_cmpuint (export.altered, ==, 0);
  g_assert_cmpuint (resume.altered, ==, 0);

  g_string_free (wrong, TRUE);
  g_string_free (refusals, TRUE);
  g_rand_free (rand);
  g_free (bytes);
  cli_run_clear (&ref);
  cli_run_clear (&made);
  g_free (want_result);
  g_remove (orig);
  g_free (orig);
}

/* Replaces the first occurrence of @needle in the file @path by @with
 * (as long); returns FALSE if there is none. */
static gboolean
patch_file (const char *path, const void *needle, gsize len,
            const void *with)
{
  char *bytes = NULL;
  gsize size = 0;
  g_assert_true (g_file_get_contents (path, &bytes, &size, NULL));
  char *at = NULL;
  for (gsize i = 0; at == NULL && i + len <= size; i++)
    if (memcmp (bytes + i, needle, len) == 0)
      at = bytes + i;
  if (at != NULL)
    {
      memcpy (at, with, len);
      g_assert_true (g_file_set_contents (path, bytes, (gssize) size, NULL));
    }
  g_free (bytes);
  return at != NULL;
}

/* Damage no SQLite check can see, a changed byte inside a valid value,
 * found by the rows' checksums: the best score's last bit, then the run's
 * configuration. */
static void
test_value_in_place (void)
{
  char *db = g_build_filename (tmpdir, "in-place.db", NULL);
  CliRun r = search (db, FALSE);
  g_assert_cmpint (r.status, ==, 0);
  cli_run_clear (&r);

  /* the highest score, exactly as the store has it (a REAL is 8 bytes,
   * big-endian, in an SQLite record) */
  r = run_gennas ("export", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  char **lines = g_strsplit (r.out, "\n", -1);
  double best = -G_MAXDOUBLE;
  for (char **l = lines + 1; *l && **l; l++)
    {
      char **f = g_strsplit (*l, ",", -1);
      best = MAX (best, g_ascii_strtod (f[7], NULL));
      g_strfreev (f);
    }
  g_strfreev (lines);
  cli_run_clear (&r);
  guint64 bits, changed;
  memcpy (&bits, &best, sizeof bits);
  bits = GUINT64_TO_BE (bits);
  changed = bits ^ GUINT64_TO_BE (1);
  g_assert_true (patch_file (db, &bits, sizeof bits, &changed));

  r = run_gennas ("export", db, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (refused_in_one_line (r.err, "export"));
  g_assert_nonnull (strstr (r.err, "does not match its checksum"));
  cli_run_clear (&r);
  r = search (db, TRUE);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (refused_in_one_line (r.err, "search"));
  g_assert_nonnull (strstr (r.err, "does not match its checksum"));
  cli_run_clear (&r);

  /* restored, then the run's configuration: --resume must not take the
   * damaged run for a missing one and start another */
  g_assert_true (patch_file (db, &changed, sizeof changed, &bits));
  g_assert_true (patch_file (db, "\"algo\":\"rea\"", 12, "\"algo\":\"reb\""));
  r = run_gennas ("export", db, NULL);
  g_assert_cmpint (r.status, ==, 0);     /* the evaluations are intact */
  cli_run_clear (&r);
  r = search (db, TRUE);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (refused_in_one_line (r.err, "search"));
  g_assert_nonnull (strstr (r.err, "run 1 does not match its checksum"));
  g_assert_null (strstr (r.err, "starting a new one"));
  cli_run_clear (&r);

  for (const char *const *ext = (const char *const[]) { "", "-wal", "-shm",
                                                         NULL };
       *ext; ext++)
    {
      char *f = g_strconcat (db, *ext, NULL);
      g_remove (f);
      g_free (f);
    }
  g_free (db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gennas = g_test_build_filename (G_TEST_BUILT, "..", "cli", "gennas", NULL);
  space_path = g_test_build_filename (G_TEST_DIST, "..", "spaces",
                                      "nb201.lua", NULL);
  tmpdir = g_dir_make_tmp ("gennas-damage-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/store-damage/copies", test_damaged_copies);
  g_test_add_func ("/store-damage/value-in-place", test_value_in_place);
  int status = g_test_run ();

  g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (space_path);
  g_free (gennas);
  return status;
}
