/* proxy-host.h - what a test needs to run proxies as the host does
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#ifndef TEST_PROXY_HOST_H
#define TEST_PROXY_HOST_H

#include "gennas.h"

/* A shipped space, the CIFAR-10 images and a plugin registry. */
typedef struct {
  GnSpace *space;
  GnDataset *data;
  GnProxyRegistry *reg;
} TestProxyHost;

/** Makes the registry find the build tree's proxy plugins, and only
 * them (GENNAS_PROXY_PATH set, GENNAS_PROXY_SYSTEM_PATH emptied); call it
 * after g_test_init(). */
void test_proxy_host_use_build_tree (void);

/** Loads the shipped space file @space_name (spaces/NAME), CIFAR-10 from
 * the data folders and a registry; fails the test if any cannot be. */
void test_proxy_host_open (TestProxyHost *h, const char *space_name);
void test_proxy_host_close (TestProxyHost *h);

#endif /* TEST_PROXY_HOST_H */
