-- spaces/nds-darts-fix-w-d-in.lua - NDS's DARTS space at a fixed width and depth, trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: the DARTS space of
-- spaces/nds-darts-in.lua with every network 32 channels wide and 22
-- cells deep (so the strings still end with width=32 depth=22).  499
-- architectures trained for only 5 epochs on ImageNet (data/nds/).
-- The cells, the networks and the options: spaces/lib/darts-cells.lua
-- and docs/spaces.md.
local cells = gennas.import ("darts-cells")

return cells.space {
  name = "nds-DARTS_fix-w-d_in",
  description = "NDS DARTS cell space, width 32 and depth 22 fixed, ImageNet (499 records, 5 epochs)",
  ops = cells.DARTS_OPS,
  nodes = 4,
  concat = "all",
  widths = { 32 },
  depths = { 22 },
  network = "imagenet",
  published = { input = 224, classes = 1000, flops = "nds-cell" },
  benchmark = { file = "nds/DARTS_fix-w-d_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
