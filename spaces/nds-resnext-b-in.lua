-- spaces/nds-resnext-b-in.lua - NDS's ResNeXt-B space, trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: ResNeXt-A's networks with wider stages (64 to 1024
-- channels) and up to 16 groups.  164 architectures trained for 50 epochs
-- on ImageNet (data/nds/ResNeXt-B_in.csv).  The networks, the string and
-- the options: spaces/lib/anynet.lua and docs/spaces.md.
local anynet = gennas.import ("anynet")

return anynet.space {
  name = "nds-ResNeXt-B_in",
  description = "NDS ResNeXt-B, ImageNet (164 records)",
  block_type = "res_bottleneck_block",
  stem_stride = 8,
  stem_widths = { 64 },
  strides = { 1, 2, 2 },
  depths = { 1, 2, 4, 8, 16 },
  widths = { 64, 128, 256, 512, 1024 },
  bot_muls = { 1, 0.5, 0.25 },
  groups = { 1, 2, 4, 8, 16 },
  max_params = 8e6,
  published = { input = 224, classes = 1000, flops = "nds-anynet" },
  benchmark = { file = "nds/ResNeXt-B_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
