-- a Lua signal as 8 rows of 8, and every built-in signal once
local function checker (rng, sample, channel)
  local rows = {}
  for r = 1, 8 do
    rows[r] = {}
    for c = 1, 8 do rows[r][c] = ((r + c) % 2) * 2 - 1 end
  end
  return rows
end
return {
  noise = { kind = "gaussian", level = 0.2 },
  stages = {
    { channels = 3, signals = { { fn = checker }, { "gdot", partial = 0.25 } } },
    { channels = 4, signals = { { "sin2d", freqs = linspace (0.1, 0.4, 3) } } },
    { channels = 1, signals = { { "resize", level = 0.5 }, { "dot", partial = 0 } } },
    { channels = 2, signals = {} },
  },
}
