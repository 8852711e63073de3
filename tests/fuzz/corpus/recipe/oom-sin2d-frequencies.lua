-- a few thousand sin2d frequencies once asked for gigabytes per draw
local many = frange (0.1, 125.35, 0.025)
return {
  stages = {
    { channels = 1, signals = { { "sin2d", freqs = many } } },
    { channels = 1, signals = { { "dot", partial = 1 } } },
    { channels = 1, signals = { { "resize" } } },
  },
}
