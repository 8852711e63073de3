-- spaces/darts.lua - the DARTS search space, for searching and for
-- scoring any published DARTS-style cell
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search",
-- ICLR 2019.  A genotype is a normal and a reduction cell of 4 nodes,
-- each summing two edges from two different earlier nodes, with the 7
-- operations DARTS derives cells from (its search's eighth, "none", is
-- never kept); every node is concatenated.  Architectures are written
-- as DARTS prints them:
--
--   Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...],
--            normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[...])
--
-- Any published cell of the DARTS family reads too (NASNet-A, AmoebaNet-A,
-- PNAS and ENAS cells, with 5 nodes and their own operations), so their
-- sizes and scores can be compared; sampling and mutation stay inside
-- the DARTS space.
--
-- The network (spaces/lib/darts-cells.lua): as published, DARTS's CIFAR
-- network at width=36, depth=20 (3.3M parameters for DARTS V2); the
-- configuration "mobile" (`gennas space info --config mobile`) is the
-- ImageNet mobile setting, network=imagenet width=48 depth=14 at 224x224
-- with 1000 classes.  A proxy builds width=16, depth=14 by default: on
-- NDS's DARTS_fix-w-d records (genotypes at one width and depth) the
-- regression proxy ranks at Spearman 0.71 with 14 cells, 0.31 with 8
-- (docs/benchmarks.md, "DARTS space: choosing the search's proxy
-- network").
-- Build options: width, depth, network (cifar or imagenet), stem_stride.
local cells = gennas.import ("darts-cells")

return cells.space {
  name = "darts",
  description = "DARTS cell space (CIFAR network, C=36, 20 cells)",
  ops = { "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3",
          "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5" },
  nodes = 4,
  concat = "all",
  distinct_inputs = true,
  any_cell = true,
  width = 36, depth = 20,
  proxy_width = 16, proxy_depth = 14,
  network = "cifar",
  configs = {
    cifar = { input = 32, classes = 10,
              options = { network = "cifar", width = 36, depth = 20 } },
    mobile = { input = 224, classes = 1000,
               options = { network = "imagenet", width = 48, depth = 14 } },
  },
}
