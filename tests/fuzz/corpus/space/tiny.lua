-- a one-gene space: the smallest that loads, samples and builds
local genes = { { name = "k", choices = { "1", "3" } } }
local kept
return {
  name = "tiny",
  genome = { genes = genes },
  sample = function (rng) return { rng:choice (genes[1].choices) } end,
  mutate = function (g, rng, opts) gennas.options (opts, {}) return g end,
  encode = function (g) return "k" .. g[1] end,
  decode = function (s)
    local k = s:match ("^k([13])$")
    if not k then error ("not k1 or k3", 0) end
    return { k }
  end,
  hash = function (g) return gennas.md5 (g[1]) end,
  build = function (net, g, opts)
    local o = gennas.options (opts, { C = 4 })
    local k = tonumber (g[1])
    local x = net:conv (net:input (), { out = o.C, k = k, pad = k // 2 })
    x = net:relu (net:bn (x))
    net:tap (x, "stage0")
    local y = net:maxpool (x, { k = 2 })
    net:tap (y, "stage1")
    local z = net:concat (net:avgpool (y, { k = 2 }), net:zero (net:avgpool (y, { k = 2 }), { c = o.C }))
    net:tap (net:add (z, z), "stage2")
    local n, c, h, w = net:shape (z)
    if opts.classifier then
      net:tap (net:linear (net:gap (z), opts.num_classes), "logits")
    end
    kept = net
  end,
}
