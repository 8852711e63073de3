-- combo.lua - CONF_COMBO, GenNAS's hand-designed combination of signals
-- (no task search): high-frequency waves and dots early, lower-frequency
-- waves and the resized input later.  docs/method.md §3.3.
local high = frange(0.375, 0.4875, 0.0125)   -- the "_H" band, 10 values
local mid = frange(0.125, 0.35, 0.025)       -- the "_M" band, 10 values

return {
  name = "combo",
  noise = { kind = "none" },
  stages = {
    { channels = 64,
      signals = {
        { "sin1d", freqs = high, level = 1, per_sample = true },
        { "sin2d", freqs = high, level = 1, per_sample = true },
        { "dot", partial = 1, level = 1, per_sample = true },
      } },
    { channels = 64,
      signals = {
        { "sin1d", freqs = high, level = 1, per_sample = true },
        { "sin2d", freqs = mid, level = 1, per_sample = true },
        { "resize", level = 1 },
      } },
    { channels = 64,
      signals = {
        { "sin1d", freqs = high, level = 1, per_sample = true },
        { "dot", partial = 1, level = 1, per_sample = true },
        { "resize", level = 1 },
      } },
  },
}
