-- spaces/nds-resnet-lr-wd-in.lua - NDS's ResNet space (learning rate and
-- weight decay drawn too), trained on ImageNet
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition",
-- ICCV 2019: an AnyNet of residual basic blocks, a ResNet stem of 16, 32
-- or 64 channels and four stages, each stage's depth and width drawn
-- apart; every record also drew its learning rate and weight decay.  494
-- architectures trained on ImageNet (data/nds/ResNet_lr-wd_in.csv).  The
-- networks, the string and the options: spaces/lib/anynet.lua and
-- docs/spaces.md.
local anynet = gennas.import ("anynet")

return anynet.space {
  name = "nds-ResNet_lr-wd_in",
  description = "NDS ResNet (lr and wd drawn too), ImageNet (494 records)",
  block_type = "res_basic_block",
  stem_stride = 4,
  stem_widths = { 16, 32, 64 },
  strides = { 1, 2, 2, 2 },
  depths = { 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24 },
  widths = { 16, 32, 48, 64, 96, 128, 192, 256, 384, 512 },
  max_params = 6e6,
  published = { input = 224, classes = 1000, flops = "nds-anynet" },
  benchmark = { file = "nds/ResNet_lr-wd_in.csv", key = "arch",
                metrics = { "final_test_acc", "min_test_acc" } },
}
