/* replay.c - a fuzz harness as a plain program: replays its corpus
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Linked with one harness (fuzz.h) in place of libFuzzer, for compilers
 * without it and for `make check`:
 *
 *   replay-NAME              every file of tests/fuzz/corpus/NAME/
 *                            (under $G_TEST_SRCDIR), as a TAP test
 *   replay-NAME PATH...      those files, and every file in those folders
 *
 * so a crash libFuzzer found, once minimized into the corpus, fails
 * `make check` (and its ASan run) until it is fixed.  Prints TAP: one
 * line per input, in the order of their names.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME='\"NAME\"', the harness's corpus folder"
#endif

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Adds @path to @files: the file itself, or a folder's files. */
static void
add_inputs (GPtrArray *files, const char *path)
{
  GError *error = NULL;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  GDir *dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      fprintf (stderr, "replay-%s: %s\n", FUZZ_NAME, error->message);
      exit (1);
    }
  GPtrArray *names = g_ptr_array_new ();
  for (const char *n; (n = g_dir_read_name (dir)) != NULL; )
    if (n[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, n, NULL));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (files, names->pdata[i]);
  g_ptr_array_free (names, TRUE);
}

int
main (int argc, char **argv)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  if (argc > 1)
    for (int i = 1; i < argc; i++)
      add_inputs (files, argv[i]);
  else
    {
      char *corpus = fuzz_source_file ("tests", "fuzz", "corpus", FUZZ_NAME,
                                       NULL);
      add_inputs (files, corpus);
      g_free (corpus);
    }

  LLVMFuzzerInitialize (&argc, &argv);
  printf ("1..%u\n", MAX (files->len, 1));
  if (files->len == 0)
    printf ("not ok 1 - replay-%s: no inputs\n", FUZZ_NAME);
  int failed = files->len == 0;
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      char *data = NULL;
      gsize len = 0;
      GError *error = NULL;
      char *base = g_path_get_basename (path);
      if (!g_file_get_contents (path, &data, &len, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, base, error->message);
          g_clear_error (&error);
          failed = 1;
        }
      else
        {
          /* a copy of exactly @len bytes, so ASan sees a read past them */
          uint8_t *copy = g_malloc (MAX (len, 1));
          memcpy (copy, data, len);
          fflush (stdout);
          LLVMFuzzerTestOneInput (copy, len);
          g_free (copy);
          printf ("ok %u - %s (%" G_GSIZE_FORMAT " bytes)\n", i + 1, base,
                  len);
        }
      fflush (stdout);
      g_free (base);
      g_free (data);
    }
  g_ptr_array_free (files, TRUE);
  return failed;
}
