-- darts.lua - CONF_DARTS, the task GenNAS found by proxy-task search on the
-- NDS DARTS space: dots and the resized input only.  docs/method.md §3.3.
return {
  name = "darts",
  noise = { kind = "gaussian", level = 0.2 },
  stages = {
    { channels = 80,
      signals = {
        { "gdot", partial = 0.5, level = 1.6, per_sample = true },
        { "resize", level = 1.3 },
      } },
    { channels = 32,
      signals = {
        { "dot", partial = 0.71875, level = 2.2, per_sample = true },
        { "gdot", partial = 0.609375, level = 1.0, per_sample = false },
        { "resize", level = 2.1 },
      } },
    { channels = 80,
      signals = {
        { "gdot", partial = 0.5625, level = 1.7, per_sample = true },
        { "resize", level = 0.5 },
      } },
  },
}
