/* spaces.c - the space files gennas ships, for the tests
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "spaces.h"

char *
test_space_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "spaces", name, NULL);
}

GnSpace *
test_space_load (const char *name)
{
  GError *error = NULL;
  char *path = test_space_path (name);
  GnSpace *space = gn_space_load (path, &error);
  g_assert_no_error (error);
  g_free (path);
  return space;
}

GnNet *
test_space_build_published (GnSpace *space, const char *arch,
                            const char *const *options, int size,
                            int classes)
{
  GnBuildOptions o = { .batch = 1, .in_h = size, .in_w = size,
                       .classifier = TRUE, .num_classes = classes,
                       .published = TRUE, .options = options };
  GError *error = NULL;
  GnNet *net = gn_space_build (space, arch, &o, &error);
  g_assert_no_error (error);
  return net;
}
