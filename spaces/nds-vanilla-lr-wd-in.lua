-- spaces/nds-vanilla-lr-wd-in.lua - NDS's Vanilla space (learning rate
-- and weight decay drawn too), trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: the ResNet space's networks without the residual
-- connections (blocks of two conv3x3-BN-ReLU).  500 architectures
-- trained on ImageNet (data/nds/Vanilla_lr-wd_in.csv).  The networks, the
-- string and the options: spaces/lib/anynet.lua and docs/spaces.md.
local anynet = gennas.import ("anynet")

return anynet.space {
  name = "nds-Vanilla_lr-wd_in",
  description = "NDS Vanilla (lr and wd drawn too), ImageNet (500 records)",
  block_type = "double_plain_block",
  stem_stride = 4,
  stem_widths = { 16, 32, 64 },
  strides = { 1, 2, 2, 2 },
  depths = { 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24 },
  widths = { 16, 32, 48, 64, 96, 128, 192, 256, 384, 512 },
  max_params = 6e6,
  published = { input = 224, classes = 1000, flops = "nds-anynet" },
  benchmark = { file = "nds/Vanilla_lr-wd_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
