-- resnet.lua - CONF_RESNET, the task GenNAS found by proxy-task search on
-- the NDS ResNet space.  docs/method.md §3.3; frequencies spread evenly
-- over each published range.
return {
  name = "resnet",
  noise = { kind = "gaussian", level = 0.9 },
  stages = {
    { channels = 16,
      signals = {
        { "sin1d", freqs = linspace(0.216, 0.384, 10), level = 1.1,
          per_sample = false },
        { "dot", partial = 0.09375, level = 0.5, per_sample = false },
      } },
    { channels = 16,
      signals = {
        { "sin2d", freqs = linspace(0.056, 0.265, 10), level = 1.2,
          per_sample = true },
        { "dot", partial = 0.3125, level = 2.9, per_sample = true },
        { "resize", level = 2.3 },
      } },
    { channels = 32,
      signals = {
        { "sin2d", freqs = linspace(0.261, 0.394, 10), level = 1.8,
          per_sample = true },
        { "gdot", partial = 0.5, level = 2.1, per_sample = false },
      } },
  },
}
