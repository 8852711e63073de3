-- spaces/nds-darts-lr-wd-in.lua - NDS's DARTS space with learning rate and weight decay varied, trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: the DARTS space of
-- spaces/nds-darts-in.lua, each architecture trained with its own drawn
-- learning rate and weight decay (the base_lr and wd columns; the proxy
-- sees only the architecture).  515 architectures trained for 50 epochs
-- on ImageNet (data/nds/).
-- The cells, the networks and the options: spaces/lib/darts-cells.lua
-- and docs/spaces.md.
local cells = gennas.import ("darts-cells")

return cells.space {
  name = "nds-DARTS_lr-wd_in",
  description = "NDS DARTS cell space, lr and wd varied, ImageNet (515 records)",
  ops = cells.DARTS_OPS,
  nodes = 4,
  concat = "all",
  widths = { 32, 48, 64, 80, 96 },
  depths = { 6, 10, 14, 18, 22 },
  network = "imagenet",
  published = { input = 224, classes = 1000, flops = "nds-cell" },
  benchmark = { file = "nds/DARTS_lr-wd_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
