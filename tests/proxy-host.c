/* proxy-host.c - what a test needs to run proxies as the host does
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "proxy-host.h"
#include "spaces.h"

void
test_proxy_host_use_build_tree (void)
{
  char *plugins = g_test_build_filename (G_TEST_BUILT, "..", "plugins",
                                         ".libs", NULL);
  g_setenv ("GENNAS_PROXY_PATH", plugins, TRUE);
  g_setenv ("GENNAS_PROXY_SYSTEM_PATH", "", TRUE);
  g_free (plugins);
}

void
test_proxy_host_open (TestProxyHost *h, const char *space_name)
{
  GError *error = NULL;
  h->space = test_space_load (space_name);
  char *cifar = gn_data_find ("cifar10", &error);
  g_assert_no_error (error);
  h->data = gn_dataset_load_cifar10 (cifar, &error);
  g_assert_no_error (error);
  g_free (cifar);
  h->reg = gn_proxy_registry_new ();
}

void
test_proxy_host_close (TestProxyHost *h)
{
  gn_proxy_registry_free (h->reg);
  gn_dataset_free (h->data);
  gn_space_free (h->space);
}
