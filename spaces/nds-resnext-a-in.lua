-- spaces/nds-resnext-a-in.lua - NDS's ResNeXt-A space, trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: an AnyNet of residual bottleneck blocks, a stem and three
-- stages, each stage's depth, width, bottleneck multiplier and groups
-- drawn apart.  130 architectures trained for 50 epochs on ImageNet
-- (data/nds/ResNeXt-A_in.csv).  The networks, the string and the options:
-- spaces/lib/anynet.lua and docs/spaces.md.
local anynet = gennas.import ("anynet")

return anynet.space {
  name = "nds-ResNeXt-A_in",
  description = "NDS ResNeXt-A, ImageNet (130 records)",
  block_type = "res_bottleneck_block",
  stem_stride = 8,
  stem_widths = { 64 },
  strides = { 1, 2, 2 },
  depths = { 1, 2, 4, 8, 16 },
  widths = { 16, 32, 64, 128, 256 },
  bot_muls = { 1, 0.5, 0.25 },
  groups = { 1, 2, 4 },
  max_params = 8e6,
  published = { input = 224, classes = 1000, flops = "nds-anynet" },
  benchmark = { file = "nds/ResNeXt-A_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
