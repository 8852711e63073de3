/* fuzz-arch.c - fuzz harness: a space's architecture strings
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * An architecture string comes from the command line, a store or a
 * benchmark table; the space's decode() (Lua, in the sandbox) parses it.
 * Built once per space in spaces/ (-DFUZZ_SPACE='"nb201"'): the input,
 * up to its first NUL byte, is canonicalized, and hashed if the space
 * hashes.  What must hold besides not crashing: a string is either
 * canonicalized or refused with GN_SPACE_ERROR_ARCH (or _LIMIT, when it
 * is too long to decode within the budget); a canonical string is a
 * fixed point (canonicalizing it again gives it back); its hash is
 * defined.
 */
#include "gennas.h"
#include "fuzz.h"

#include <string.h>

#ifndef FUZZ_SPACE
#error "compile with -DFUZZ_SPACE='\"NAME\"', a space of spaces/"
#endif

static GnSpace *space;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  GError *error = NULL;
  fuzz_quiet ();
  char *path = fuzz_source_file ("spaces", FUZZ_SPACE ".lua", NULL);
  space = gn_space_load (path, &error);
  g_assert_no_error (error);
  g_free (path);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  char *arch = g_strndup ((const char *) data, size);
  char *canon = gn_space_canonicalize (space, arch, &error);
  if (canon == NULL)
    {
      /* malformed, or so long that decoding it ran out of budget */
      g_assert_true (g_error_matches (error, GN_SPACE_ERROR,
                                      GN_SPACE_ERROR_ARCH)
                     || g_error_matches (error, GN_SPACE_ERROR,
                                         GN_SPACE_ERROR_LIMIT));
      g_clear_error (&error);
      goto out;
    }
  char *again = gn_space_canonicalize (space, canon, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, canon);
  g_free (again);
  if (gn_space_has_hash (space))
    {
      char *hash = gn_space_hash (space, canon, &error);
      g_assert_no_error (error);
      g_assert_nonnull (hash);
      g_free (hash);
    }
  g_free (canon);
out:
  g_free (arch);
  return 0;
}
