-- my-recipe.lua
local high = frange(0.375, 0.4875, 0.0125)  -- 0.375, 0.3875, ..., 0.4875

return {
  name = "my-recipe",
  noise = { kind = "uniform", level = 0.1 },  -- none | uniform | gaussian
  stages = {
    { channels = 64,
      signals = {
        { "sin1d", freqs = high, level = 1, per_sample = true },
        { "dot", partial = 1, level = 1, per_sample = true },
      } },
    { channels = 48,
      signals = {
        { "sin2d", freqs = linspace(0.1, 0.3, 10), level = 2 },
        { "resize", level = 1 },
      } },
    { channels = 16,
      signals = {
        { "gdot", partial = 0.5, level = 2.1 },
        { fn = function (rng, sample, channel)      -- a signal of your own
            local map = {}
            for i = 1, 64 do map[i] = rng:uniform () * 2 - 1 end
            return map                              -- 64 numbers, or 8 rows of 8
          end, level = 0.5, per_sample = true },
      } },
  },
}
