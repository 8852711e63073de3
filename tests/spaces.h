/* spaces.h - the space files gennas ships, for the tests
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#ifndef TEST_SPACES_H
#define TEST_SPACES_H

#include "gennas.h"

/** Returns: (transfer full): the path of the shipped space file @name
 * (spaces/NAME in the source tree). */
char    *test_space_path (const char *name);

/** Loads the shipped space file @name; fails the test if it does not.
 * Returns: (transfer full): the space. */
GnSpace *test_space_load (const char *name);

#endif /* TEST_SPACES_H */
