/* gn-proxy-check.h - checking a plugin's descriptor (private)
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * The checks gn_proxy_load_file() runs on the descriptor a plugin hands
 * back, apart from the loading itself, so that they can be driven
 * without a shared object (tests/fuzz/fuzz-proxy-desc.c).
 */
#ifndef GN_PROXY_CHECK_H
#define GN_PROXY_CHECK_H

#include <glib.h>
#include "gn-proxy.h"

G_BEGIN_DECLS

/**
 * gn__proxy_check_descriptor:
 * @d: the descriptor; only its data is read, no function is called
 * @file_name: the proxy's name as its file spells it ("grad-norm")
 * @path: what messages call the plugin (its file)
 *
 * Checks what gn_proxy_load_file() promises (gn-proxy.h): the ABI
 * version, struct_size, the required members, the name against
 * @file_name, and every parameter spec (well formed, its default inside
 * its range, a name as GnProxyParamSpec says and not one the host
 * owns).
 *
 * Returns: TRUE, or FALSE with a GN_PROXY_ERROR (_ABI or _DESCRIPTOR)
 * naming @path.
 */
gboolean gn__proxy_check_descriptor (const GnProxyDesc *d,
                                     const char *file_name,
                                     const char *path, GError **error);

G_END_DECLS

#endif /* GN_PROXY_CHECK_H */
