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

/** Builds @arch's network as published (batch 1, the classifier of
 * @classes classes, a @size x @size input, @options: NULL or a
 * configuration's build options), as `gennas space info` counts it; fails
 * the test if the space refuses it.  Returns: (transfer full): the net. */
GnNet   *test_space_build_published (GnSpace *space, const char *arch,
                                     const char *const *options, int size,
                                     int classes);

#endif /* TEST_SPACES_H */
