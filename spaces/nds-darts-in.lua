-- spaces/nds-darts-in.lua - NDS's DARTS space, trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: DARTS's cell (4 nodes of two edges, any earlier input, the
-- 8 operations of the DARTS search including "none", every node
-- concatenated), the network's width and depth drawn per architecture.
-- 121 architectures trained for 50 epochs on ImageNet (data/nds/).
-- The cells, the networks and the options: spaces/lib/darts-cells.lua
-- and docs/spaces.md.
local cells = gennas.import ("darts-cells")

return cells.space {
  name = "nds-DARTS_in",
  description = "NDS DARTS cell space, ImageNet (121 records)",
  ops = cells.DARTS_OPS,
  nodes = 4,
  concat = "all",
  widths = { 32, 48, 64, 80, 96 },
  depths = { 6, 10, 14, 18, 22 },
  network = "imagenet",
  published = { input = 224, classes = 1000, flops = "nds-cell" },
  benchmark = { file = "nds/DARTS_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
