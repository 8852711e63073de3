-- a space whose build breaks the builder's rules in turn
local genes = { { name = "e", choices = { "1", "2", "3", "4", "5", "6" } } }
local kept
local function build (net, g, opts)
  local x = net:input ()
  local e = g[1]
  if e == "1" then net:conv (x, { out = -1, k = 3 })
  elseif e == "2" then net:conv (x, { out = 4, k = 0 })
  elseif e == "3" then net:add (x, net:maxpool (x, { k = 2 }))
  elseif e == "4" then net:tap (99, "stage0")
  elseif e == "5" then net:concat {}
  else kept:relu (x) end
  kept = net
end
return {
  name = "errors",
  genome = { genes = genes },
  sample = function (rng) return { rng:choice (genes[1].choices) } end,
  mutate = function (g, rng, opts) return g end,
  encode = function (g) return g[1] end,
  decode = function (s) return { s } end,
  build = build,
}
