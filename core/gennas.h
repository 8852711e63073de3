/* gennas.h - the public API of libgennas
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Include this header only; the others refuse direct inclusion.
 *
 *   gn-error.h   the GN_ERROR domain
 *   gn-rng.h     the seeded generator every random draw comes from
 *   gn-ops.h     float32 NCHW compute kernels (forward and backward)
 *   gn-net.h     the network IR: build, compile, forward, backward
 *   gn-optim.h   SGD and Adam with PyTorch's semantics
 *   gn-space.h   search spaces written in Lua
 *   gn-table.h   read-only CSV tables (benchmark ground truth)
 *   gn-data.h    image datasets and augmented batches
 *   gn-signals.h the synthetic signal bases of GenNAS
 *   gn-stats.h   rank correlations and top-k retrieval
 *   gn-plot.h    PNG charts: score-vs-accuracy scatters, trajectories
 *   gn-export.h  a built network as JSON or as a PyTorch model.py
 *   gn-eval.h    how one evaluation ended (GnEvalStatus)
 *   gn-proxy.h   the proxy plugin ABI and its loader
 *   gn-workers.h worker processes that evaluate architectures
 *   gn-search.h  regularized evolution and random search
 *   gn-store.h   the SQLite results store: every evaluation, durably
 *   gn-recipe.h  signal-basis recipes (Lua)
 */
#ifndef GENNAS_H
#define GENNAS_H

#define GN_INSIDE_GENNAS_H
#include "gn-error.h"
#include "gn-rng.h"
#include "gn-ops.h"
#include "gn-net.h"
#include "gn-optim.h"
#include "gn-space.h"
#include "gn-table.h"
#include "gn-data.h"
#include "gn-signals.h"
#include "gn-stats.h"
#include "gn-plot.h"
#include "gn-export.h"
#include "gn-eval.h"
#include "gn-proxy.h"
#include "gn-workers.h"
#include "gn-search.h"
#include "gn-store.h"
#include "gn-recipe.h"
#undef GN_INSIDE_GENNAS_H

#endif /* GENNAS_H */
