-- nlp.lua - CONF_NLP, the NLP task GenNAS's proxy-task search found on
-- NAS-Bench-NLP: sequences of 8 steps of 48 features, uniform input noise
-- 0.6; input Sin2D, target Sin2D plus Gaussian dots.  docs/method.md §3.6.
return {
  name = "nlp",
  sequence = { length = 8, width = 48, batch = 16 },
  noise = { kind = "uniform", level = 0.6 },
  stages = {
    { signals = {      -- the input
        { "sin2d", level = 2.6, per_sample = true,
          freqs = { 0.19548103160169628, 0.2282158789801897,
                    0.1842639908446425, 0.20731949085325374,
                    0.22082386741852128, 0.1345443194045737,
                    0.17034055075490867, 0.22295752611900838,
                    0.19031212316299922, 0.19147574467301293 } },
      } },
    { signals = {      -- the target
        { "sin2d", level = 0.8, per_sample = true,
          freqs = { 0.17216149803882433, 0.17012483744775037,
                    0.168561304364928, 0.16552930641090283,
                    0.16468901024790167, 0.1702319091210886,
                    0.16422069490502256, 0.1770741059514029,
                    0.17124201034882974, 0.17227888619876072 } },
        { "gdot", level = 0.7, partial = 0.8625968590962992,
          per_sample = true },
      } },
  },
}
