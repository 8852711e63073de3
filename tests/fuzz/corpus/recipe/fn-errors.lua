-- Lua signals returning what a signal must not: the wrong count, a
-- non-number, a NaN, nothing, an error
local function bad (rng, sample, channel)
  local k = channel % 5
  if k == 0 then return { 1, 2, 3 }
  elseif k == 1 then local m = {} for i = 1, 64 do m[i] = "x" end return m
  elseif k == 2 then local m = {} for i = 1, 64 do m[i] = 0 / 0 end return m
  elseif k == 3 then return nil
  else error ("no map for channel " .. channel) end
end
return {
  name = "fn-errors",
  stages = {
    { channels = 5, signals = { { fn = bad, level = 1, per_sample = true } } },
    { channels = 2, signals = { { fn = function () return 1 end } } },
  },
}
