-- nb201-task.lua - a proxy task found by gennas's own proxy-task search on
-- NAS-Bench-201 (docs/recipes.md, "Searching for a recipe"):
--
--   bench/task-search.sh -o DIR -w 2 -B 30 -P 10 -S 3 nb201
--
-- i.e. gennas task-search spaces/nb201.lua --labeled
-- data/nb201-search20.csv --budget 30 --population 10 --tournament 3
-- (seed 1, the default regression proxy trained on each task), on 20
-- labelled cells outside GenNAS's three 1,000-cell samples.  Fitness on
-- those 20: Spearman 0.920 (Kendall 0.768) against cifar10_test, where
-- the default recipe, combo, gets 0.881.  On GenNAS's sample 0, which it
-- never saw, the regression proxy with this recipe ranks 1,000 cells at
-- Spearman 0.905, Kendall 0.734, top-10% 0.62 against cifar10_test
-- (combo: 0.879, 0.694, 0.41); docs/benchmarks.md has the rest.
--
-- The task string (spaces/task-cv.lua):
--   noise=gaussian:0.4;ch=1,1,0.25;s0=sin2d:0.5:0.4175:0.4327:G,resize:2.7;s1=sin1d:0.5:0.0827:0.3777:G,sin2d:1.4:0.0603:0.1406:L,resize:0.8,gdot:1.7:0.3125:G;s2=sin1d:1:0.0841:0.3842:L,sin2d:2.8:0.0628:0.1752:G,dot:1.4:0.296875:G,resize:2.3
return {
  name = "nb201-task",
  noise = { kind = "gaussian", level = 0.4 },
  stages = {
    { channels = 64,
      signals = {
        { "sin2d", freqs = linspace(0.4175, 0.4327, 10), level = 0.5, per_sample = false },
        { "resize", level = 2.7 },
      } },
    { channels = 64,
      signals = {
        { "sin1d", freqs = linspace(0.0827, 0.3777, 10), level = 0.5, per_sample = false },
        { "sin2d", freqs = linspace(0.0603, 0.1406, 10), level = 1.4, per_sample = true },
        { "resize", level = 0.8 },
        { "gdot", partial = 0.3125, level = 1.7, per_sample = false },
      } },
    { channels = 16,
      signals = {
        { "sin1d", freqs = linspace(0.0841, 0.3842, 10), level = 1, per_sample = true },
        { "sin2d", freqs = linspace(0.0628, 0.1752, 10), level = 2.8, per_sample = false },
        { "dot", partial = 0.296875, level = 1.4, per_sample = false },
        { "resize", level = 2.3 },
      } },
  },
}
