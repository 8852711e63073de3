-- spaces/nds-amoeba-in.lua - NDS's AmoebaNet space, trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: AmoebaNet's cell (5 nodes of two
-- edges, any earlier input, 8 operations, the nodes no other node takes
-- concatenated), the network's width and depth drawn per architecture.
-- 124 architectures trained for 50 epochs on ImageNet (data/nds/).
-- The cells, the networks and the options: spaces/lib/darts-cells.lua
-- and docs/spaces.md.
local cells = gennas.import ("darts-cells")

return cells.space {
  name = "nds-Amoeba_in",
  description = "NDS Amoeba cell space, ImageNet (124 records)",
  ops = { "sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7", "dil_sep_conv_3x3",
          "conv_7x1_1x7", "max_pool_3x3", "avg_pool_3x3", "skip_connect" },
  nodes = 5,
  concat = "loose",
  widths = { 32, 48, 64, 80 },
  depths = { 6, 10, 14, 18, 22 },
  network = "imagenet",
  published = { input = 224, classes = 1000, flops = "nds-cell" },
  benchmark = { file = "nds/Amoeba_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
