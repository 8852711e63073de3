-- nb101.lua - CONF_NB101, the task GenNAS found by proxy-task search on
-- NAS-Bench-101 (and applied to NAS-Bench-201 too).  docs/method.md §3.3.
-- The published config lists ten frequencies drawn at random inside each
-- range; here they are spread evenly over the same range.
return {
  name = "nb101",
  noise = { kind = "uniform", level = 0.1 },
  stages = {
    { channels = 64,
      signals = {
        { "sin2d", freqs = linspace(0.0143, 0.0229, 10), level = 1.1,
          per_sample = true },
      } },
    { channels = 48,
      signals = {
        { "sin1d", freqs = linspace(0.288, 0.306, 10), level = 1.8,
          per_sample = true },
        { "sin2d", freqs = linspace(0.265, 0.421, 10), level = 2.9,
          per_sample = true },
        { "gdot", partial = 0.578125, level = 1.1, per_sample = true },
        { "resize", level = 2.4 },
      } },
    { channels = 16,
      signals = {
        { "sin1d", freqs = linspace(0.103, 0.158, 10), level = 1.5,
          per_sample = false },
        { "sin2d", freqs = linspace(0.086, 0.245, 10), level = 0.9,
          per_sample = false },
        { "gdot", partial = 0.4375, level = 2.1, per_sample = false },
        { "resize", level = 2.2 },
      } },
  },
}
