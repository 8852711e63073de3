/* gn-error.c - the GN_ERROR domain
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "gn-error.h"

G_DEFINE_QUARK (gn-error-quark, gn_error)
