-- nlp-single.lua - CONF_NLP_SINGLE, GenNAS's hand-designed NLP task: dots on every pixel (partial 1) in both
-- the input and the target, sequences of 8 steps of 64 features, no
-- noise.  docs/method.md §3.6.
local mid = frange (0.125, 0.35, 0.025)       -- the "_M" band, 10 values
local high = frange (0.375, 0.4875, 0.0125)   -- the "_H" band, 10 values
local signals = {
  { "dot", partial = 1, level = 1, per_sample = true },
}
return {
  name = "nlp-single",
  sequence = { length = 8, width = 64, batch = 64 },
  noise = { kind = "none" },
  stages = { { signals = signals }, { signals = signals } },
}
