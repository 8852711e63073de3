-- spaces/nds-nasnet-in.lua - NDS's NASNet space, trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: NASNet's cell (5 nodes of two edges, any
-- earlier input, 13 operations, the nodes no other node takes
-- concatenated), the network's width and depth drawn per architecture.
-- 122 architectures trained for 50 epochs on ImageNet (data/nds/).
-- The cells, the networks and the options: spaces/lib/darts-cells.lua
-- and docs/spaces.md.
local cells = gennas.import ("darts-cells")

return cells.space {
  name = "nds-NASNet_in",
  description = "NDS NASNet cell space, ImageNet (122 records)",
  ops = { "sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7", "dil_conv_3x3",
          "conv_1x1", "conv_3x3", "conv_3x1_1x3", "conv_7x1_1x7",
          "avg_pool_3x3", "max_pool_3x3", "max_pool_5x5", "max_pool_7x7",
          "skip_connect" },
  nodes = 5,
  concat = "loose",
  widths = { 32, 48, 64 },
  depths = { 6, 10, 14, 18, 22 },
  network = "imagenet",
  published = { input = 224, classes = 1000, flops = "nds-cell" },
  benchmark = { file = "nds/NASNet_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
