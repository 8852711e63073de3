-- chain.lua - three stages, each a chain of 1 to 3 identical blocks
local KINDS = { "conv3x3", "conv1x1", "dil3x3" }
local DEPTHS = { 1, 2, 3 }

-- the genome is { kind0, depth0, kind1, depth1, kind2, depth2 }
local genes = {}
for s = 0, 2 do
  genes[#genes + 1] = { name = "kind" .. s, choices = KINDS }
  genes[#genes + 1] = { name = "depth" .. s, choices = DEPTHS }
end

local function encode (g)
  local stages = {}
  for s = 0, 2 do
    stages[#stages + 1] = g[2 * s + 1] .. "*" .. g[2 * s + 2]
  end
  return table.concat (stages, "-")
end

local function decode (str)
  local stages = gennas.split (str, "-")
  if #stages ~= 3 then error ("expected three stages joined by '-'") end
  local g = {}
  for s, stage in ipairs (stages) do
    local kind, depth = stage:match ("^(%w+)%*(%d)$")
    if not kind then error ("stage " .. s .. " is not KIND*DEPTH") end
    g[#g + 1] = kind
    g[#g + 1] = tonumber (depth)
  end
  return g
end

local function valid (g)
  for i, gene in ipairs (genes) do
    local known = false
    for _, choice in ipairs (gene.choices) do
      known = known or choice == g[i]
    end
    if not known then
      return false, "no " .. gene.name .. " " .. tostring (g[i])
    end
  end
  return true
end

local function sample (rng)
  local g = {}
  for i, gene in ipairs (genes) do g[i] = rng:choice (gene.choices) end
  return g
end

-- redraw one gene
local function mutate (g, rng, opts)
  gennas.options (opts, {})       -- this space takes no mutation options
  local i = rng:int (1, #genes)
  g[i] = rng:choice (genes[i].choices)
  return g
end

local function build (net, g, opts)
  local o = gennas.options (opts, { C = 16 })

  local function block (x, kind, c)
    local y
    if kind == "conv3x3" then
      y = net:conv { x, out = c, k = 3, pad = 1, bias = false }
    elseif kind == "conv1x1" then
      y = net:conv { x, out = c, k = 1, bias = false }
    else
      y = net:conv { x, out = c, k = 3, pad = 2, dilation = 2, bias = false }
    end
    return net:relu (net:bn (y))
  end

  local x = block (net:input (), "conv3x3", o.C)       -- the stem
  for s = 0, 2 do
    if s > 0 then x = net:maxpool (x, { k = 2 }) end
    for _ = 1, g[2 * s + 2] do
      x = block (x, g[2 * s + 1], o.C << s)
    end
    net:tap (x, "stage" .. s)
  end
  if opts.classifier then
    net:tap (net:linear (net:gap (x), opts.num_classes), "logits")
  end
end

return {
  name = "chain",
  description = "three stages of 1-3 identical blocks",
  genome = { genes = genes, valid = valid },
  sample = sample,
  mutate = mutate,
  encode = encode,
  decode = decode,
  build = build,
}
