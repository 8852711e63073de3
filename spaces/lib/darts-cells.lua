-- spaces/lib/darts-cells.lua - DARTS-like cell spaces: genotypes and networks
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Imported by the cell spaces (`gennas.import ("darts-cells")`): the NDS
-- family (DARTS, ENAS, PNAS, NASNet, Amoeba; Radosavovic et al., "On
-- Network Design Spaces for Visual Recognition", ICCV 2019) and the
-- DARTS space.  `cells.space (spec)` returns a complete space table.
--
-- An architecture is a DARTS genotype, written as DARTS prints it:
--
--   Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...],
--            normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[...])
--
-- followed, in a space whose networks vary in width and depth (the NDS
-- spaces), by ` width=W depth=D`: the initial channels C and the number
-- of cells.  A cell has inputs 0 and 1 (the outputs of the two previous
-- cells, preprocessed) and `nodes` intermediate nodes 2, 3, ...; node k
-- sums two edges, list entries 2(k-2)+1 and 2(k-2)+2, each `(op, input)`
-- with input < k.  The cell's output concatenates the nodes of `concat`.
-- Reading is tolerant (either quote, spaces, `range(2, 6)` for a concat,
-- the fields in any order); the canonical string is the form above.
--
-- The networks are DARTS's (pycls's copy, which NDS trained):
--
--   cifar:    stem conv3x3 (3 -> 3C) + BN; cells at 32x32
--   imagenet: stem0 conv3x3 s2 (3 -> C/2), BN, ReLU, conv3x3 s2 (-> C), BN;
--             stem1 ReLU, conv3x3 s2, BN; the first cell's input 0 is
--             stem0's output (one stride finer), so it is reduced
--
-- then `depth` cells, the ones at depth//3 and 2 depth//3 reducing (stride
-- 2, twice the channels), and global average pooling and a linear
-- classifier.  Preprocessing: input 0 through FactorizedReduce after a
-- reducing cell, else ReLU-conv1x1-BN; input 1 through ReLU-conv1x1-BN.
-- In a reducing cell every edge from input 0 or 1 has stride 2.
--
-- GenNAS's proxy network (docs/method.md) is the same network on a 32x32
-- input: the ImageNet network with its stems at stride 1 and the first
-- cell's input 0 through ReLU-conv1x1-BN; its taps are the input of the
-- first reducing cell ("stage0", 32x32), of the second ("stage1", 16x16)
-- and the last cell's output ("stage2", 8x8).

local cells = {}

-- the operations the NDS op sets name, with what they cost to describe
local KNOWN_OPS = {
  none = true, skip_connect = true,
  avg_pool_3x3 = true, max_pool_3x3 = true, max_pool_5x5 = true,
  max_pool_7x7 = true,
  conv_1x1 = true, conv_3x3 = true,
  sep_conv_3x3 = true, sep_conv_5x5 = true, sep_conv_7x7 = true,
  dil_conv_3x3 = true, dil_conv_5x5 = true, dil_sep_conv_3x3 = true,
  conv_3x1_1x3 = true, conv_7x1_1x7 = true,
}
cells.KNOWN_OPS = KNOWN_OPS

-- the eight operations of the DARTS search, "none" included: the op set
-- of NDS's DARTS spaces
cells.DARTS_OPS = { "none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
                    "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3",
                    "dil_conv_5x5" }

local MAX_WIDTH, MAX_DEPTH, MAX_NODES = 4096, 200, 16

-- ------------------------------------------------------------------
-- reading: a small tokenizer and a parser of Python literals
-- ------------------------------------------------------------------

local function tokenize (s)
  local toks, i, n = {}, 1, #s
  while i <= n do
    local c = s:sub (i, i)
    if c:match ("%s") then
      i = i + 1
    elseif c:match ("[%(%)%[%],=]") then
      toks[#toks + 1] = { kind = c, pos = i }
      i = i + 1
    elseif c == "'" or c == '"' then
      local j = s:find (c, i + 1, true)
      if not j then
        error (string.format ("unterminated string at character %d", i), 0)
      end
      toks[#toks + 1] = { kind = "str", value = s:sub (i + 1, j - 1),
                          pos = i }
      i = j + 1
    elseif c:match ("[%w_%-]") then
      local j = i
      while j + 1 <= n and s:sub (j + 1, j + 1):match ("[%w_%.%-]") do
        j = j + 1
      end
      local word = s:sub (i, j)
      local num = word:match ("^%-?%d+$") and math.tointeger (tonumber (word))
      if num then
        toks[#toks + 1] = { kind = "int", value = num, pos = i }
      elseif word:match ("^[%a_][%w_]*$") then
        toks[#toks + 1] = { kind = "name", value = word, pos = i }
      else
        error (string.format ("unexpected '%s' at character %d", word, i),
               0)
      end
      i = j + 1
    else
      error (string.format ("unexpected '%s' at character %d", c, i), 0)
    end
  end
  return toks
end

local Parser = {}
Parser.__index = Parser

local function parser (s)
  return setmetatable ({ toks = tokenize (s), i = 1, len = #s }, Parser)
end

function Parser:peek (k)
  return self.toks[self.i + (k or 0)]
end

function Parser:where ()
  local t = self.toks[self.i]
  return t and string.format ("at character %d", t.pos) or "at the end"
end

function Parser:expect (kind, what)
  local t = self.toks[self.i]
  if not t or t.kind ~= kind then
    error (string.format ("expected %s %s", what or ("'" .. kind .. "'"),
                          self:where ()), 0)
  end
  self.i = self.i + 1
  return t
end

function Parser:accept (kind)
  local t = self.toks[self.i]
  if t and t.kind == kind then
    self.i = self.i + 1
    return t
  end
end

-- a literal: 'str', int, [...], (...) or range(a, b)
function Parser:value ()
  local t = self:peek ()
  if not t then
    error ("unexpected end of the genotype", 0)
  end
  if t.kind == "str" or t.kind == "int" then
    self.i = self.i + 1
    return t.value
  elseif t.kind == "[" or t.kind == "(" then
    local close = t.kind == "[" and "]" or ")"
    self.i = self.i + 1
    local list = {}
    while not self:accept (close) do
      list[#list + 1] = self:value ()
      if not self:accept (",") then
        self:expect (close)
        break
      end
    end
    return list
  elseif t.kind == "name" and t.value == "range" then
    self.i = self.i + 1
    self:expect ("(")
    local a = self:expect ("int", "an integer").value
    self:expect (",")
    local b = self:expect ("int", "an integer").value
    self:expect (")")
    if b - a > MAX_NODES + 2 then
      error ("range too long", 0)
    end
    local list = {}
    for v = a, b - 1 do list[#list + 1] = v end
    return list
  end
  error (string.format ("unexpected '%s' %s", t.value or t.kind,
                        self:where ()), 0)
end

-- ------------------------------------------------------------------
-- the genome: { normal = { {op, in}, ... }, normal_concat = { ... },
--               reduce = ..., reduce_concat = ..., width = W, depth = D }
-- ------------------------------------------------------------------

local CELL_FIELDS = { "normal", "normal_concat", "reduce", "reduce_concat" }

local function parse_genotype (s)
  local p = parser (s)
  local head = p:expect ("name", "'Genotype('")
  if head.value ~= "Genotype" then
    error (string.format ("expected 'Genotype(' at character %d, found '%s'",
                          head.pos, head.value), 0)
  end
  p:expect ("(")
  local g = {}
  while not p:accept (")") do
    local key = p:expect ("name", "a field name")
    local known = false
    for _, f in ipairs (CELL_FIELDS) do known = known or f == key.value end
    if not known then
      error (string.format ("unknown field '%s' (normal, normal_concat, "
                            .. "reduce, reduce_concat)", key.value), 0)
    end
    if g[key.value] ~= nil then
      error (string.format ("field '%s' given twice", key.value), 0)
    end
    p:expect ("=")
    g[key.value] = p:value ()
    if not p:accept (",") then
      p:expect (")")
      break
    end
  end
  for _, f in ipairs (CELL_FIELDS) do
    if g[f] == nil then
      error (string.format ("the genotype has no '%s'", f), 0)
    end
  end
  -- width=W depth=D
  while p:peek () do
    local key = p:expect ("name", "width=W or depth=D")
    if key.value ~= "width" and key.value ~= "depth" then
      error (string.format ("unexpected '%s' after the genotype (width=W "
                            .. "or depth=D)", key.value), 0)
    end
    if g[key.value] ~= nil then
      error (string.format ("'%s' given twice", key.value), 0)
    end
    p:expect ("=")
    g[key.value] = p:expect ("int", "an integer").value
  end
  return g
end

-- every structural rule of a cell; returns the number of nodes
local function check_cell (g, which, spec)
  local all_ops = {}
  if spec.any_cell then
    for op in pairs (KNOWN_OPS) do all_ops[#all_ops + 1] = op end
    table.sort (all_ops)
  end
  local edges, concat = g[which], g[which .. "_concat"]
  if type (edges) ~= "table" or #edges == 0 or #edges % 2 ~= 0 then
    error (string.format ("'%s' must list two edges per node", which), 0)
  end
  local nodes = #edges // 2
  if not spec.any_cell and nodes ~= spec.nodes then
    error (string.format ("'%s' has %d edges; this space's cells have %d "
                          .. "nodes of two edges (%d edges)", which, #edges,
                          spec.nodes, 2 * spec.nodes), 0)
  end
  if nodes > MAX_NODES then
    error (string.format ("'%s' has more than %d nodes", which, MAX_NODES),
           0)
  end
  for e, edge in ipairs (edges) do
    if type (edge) ~= "table" or #edge ~= 2 or type (edge[1]) ~= "string"
       or math.type (edge[2]) ~= "integer" then
      error (string.format ("%s edge %d must be ('op', input)", which, e), 0)
    end
    local op, input = edge[1], edge[2]
    if not (spec.is_op[op] or (spec.any_cell and KNOWN_OPS[op])) then
      error (string.format ("%s edge %d: unknown operation '%s' (one of %s)",
                            which, e, op,
                            table.concat (spec.any_cell and all_ops
                                          or spec.ops, ", ")), 0)
    end
    local node = (e - 1) // 2 + 2
    if input < 0 or input >= node then
      error (string.format ("%s edge %d: node %d cannot take input %d (only "
                            .. "0 to %d)", which, e, node, input, node - 1),
             0)
    end
  end
  if type (concat) ~= "table" or #concat == 0 then
    error (string.format ("'%s_concat' must list nodes", which), 0)
  end
  local prev = -1
  for _, k in ipairs (concat) do
    if math.type (k) ~= "integer" or k < 2 or k > nodes + 1 then
      error (string.format ("'%s_concat' names %s, not a node (2 to %d)",
                            which, tostring (k), nodes + 1), 0)
    end
    if k <= prev then
      error (string.format ("'%s_concat' must list nodes in increasing "
                            .. "order, once each", which), 0)
    end
    prev = k
  end
  return nodes
end

-- the nodes no other node takes as input ("loose ends": NASNet, ENAS,
-- Amoeba concatenate those)
local function loose_ends (edges)
  local used, out = {}, {}
  for _, e in ipairs (edges) do used[e[2]] = true end
  for k = 2, #edges // 2 + 1 do
    if not used[k] then out[#out + 1] = k end
  end
  return out
end

local function all_nodes (edges)
  local out = {}
  for k = 2, #edges // 2 + 1 do out[#out + 1] = k end
  return out
end

local function edges_text (edges)
  local parts = {}
  for i, e in ipairs (edges) do
    parts[i] = string.format ("('%s', %d)", e[1], e[2])
  end
  return "[" .. table.concat (parts, ", ") .. "]"
end

local function ints_text (xs)
  local parts = {}
  for i, v in ipairs (xs) do parts[i] = tostring (v) end
  return "[" .. table.concat (parts, ", ") .. "]"
end

-- ------------------------------------------------------------------
-- the network
-- ------------------------------------------------------------------

local function builder (net)
  local B = {}

  function B.relu_conv_bn (x, c_out, k, stride, pad)
    local y = net:relu (x)
    y = net:conv { y, out = c_out, k = k, stride = stride, pad = pad,
                   bias = false }
    return net:bn (y)
  end

  -- ReLU, pointwise-by-depthwise (dilation d), BN
  local function dw_pw_bn (x, c, k, stride, dil)
    local y = net:relu (x)
    y = net:conv { y, out = c, k = k, stride = stride,
                   pad = dil * (k - 1) // 2, dilation = dil, groups = c,
                   bias = false }
    y = net:conv { y, out = c, k = 1, bias = false }
    return net:bn (y)
  end

  -- pycls: relu; cat (conv1x1 s2 (x), conv1x1 s2 (x shifted one pixel
  -- up and left, zero-filled)); BN.  Works for odd sizes too.
  function B.factorized_reduce (x, c_out)
    if c_out % 2 ~= 0 then
      error (string.format ("FactorizedReduce needs an even number of "
                            .. "channels, not %d", c_out), 0)
    end
    local y = net:relu (x)
    local n, c, h, w = net:shape (y)
    local a = net:conv { y, out = c_out // 2, k = 1, stride = 2,
                         bias = false }
    local shifted = net:crop { y, top = 1, left = 1, h = h, w = w }
    local b = net:conv { shifted, out = c_out // 2, k = 1, stride = 2,
                         bias = false }
    return net:bn (net:concat { a, b })
  end

  -- one edge's operation at c channels; nil for "none" at stride 1 (the
  -- node's sum ignores it)
  function B.op (name, x, c, stride)
    if name == "none" then
      return nil
    elseif name == "skip_connect" then
      if stride == 1 then return x end
      return B.factorized_reduce (x, c)
    elseif name == "avg_pool_3x3" then
      return net:avgpool (x, { k = 3, stride = stride, pad = 1,
                               count_include_pad = false })
    elseif name:match ("^max_pool_") then
      local k = tonumber (name:match ("(%d)x"))
      return net:maxpool (x, { k = k, stride = stride, pad = (k - 1) // 2 })
    elseif name == "conv_1x1" then
      return B.relu_conv_bn (x, c, 1, stride, 0)
    elseif name == "conv_3x3" then
      return B.relu_conv_bn (x, c, 3, stride, 1)
    elseif name:match ("^sep_conv_") then
      local k = tonumber (name:match ("(%d)x"))
      return dw_pw_bn (dw_pw_bn (x, c, k, stride, 1), c, k, 1, 1)
    elseif name == "dil_sep_conv_3x3" then
      return dw_pw_bn (dw_pw_bn (x, c, 3, stride, 2), c, 3, 1, 2)
    elseif name:match ("^dil_conv_") then
      local k = tonumber (name:match ("(%d)x"))
      return dw_pw_bn (x, c, k, stride, 2)
    elseif name == "conv_3x1_1x3" or name == "conv_7x1_1x7" then
      local k = name == "conv_3x1_1x3" and 3 or 7
      local y = net:relu (x)
      y = net:conv { y, out = c, kh = 1, kw = k, stride_h = 1,
                     stride_w = stride, pad_h = 0, pad_w = k // 2,
                     bias = false }
      y = net:conv { y, out = c, kh = k, kw = 1, stride_h = stride,
                     stride_w = 1, pad_h = k // 2, pad_w = 0, bias = false }
      return net:bn (y)
    end
    error ("no builder for operation " .. name, 0)
  end

  -- one cell: s0, s1 (the two previous outputs) -> output, channels
  function B.cell (g, s0, s1, c, reduction, reduction_prev)
    local which = reduction and "reduce" or "normal"
    local edges, concat = g[which], g[which .. "_concat"]
    if reduction_prev then
      s0 = B.factorized_reduce (s0, c)
    else
      s0 = B.relu_conv_bn (s0, c, 1, 1, 0)
    end
    s1 = B.relu_conv_bn (s1, c, 1, 1, 0)
    local states = { [0] = s0, [1] = s1 }
    for k = 2, #edges // 2 + 1 do
      local terms = {}
      local first
      for e = 2 * (k - 2) + 1, 2 * (k - 2) + 2 do
        local name, input = edges[e][1], edges[e][2]
        local stride = (reduction and input < 2) and 2 or 1
        local y = B.op (name, states[input], c, stride)
        first = first or { input = input, stride = stride }
        if y then terms[#terms + 1] = y end
      end
      if #terms == 0 then
        -- both edges "none": zeros shaped like the node
        states[k] = net:zero (states[first.input],
                              { c = c, stride = first.stride })
      elseif #terms == 1 then
        states[k] = terms[1]
      else
        states[k] = net:add (terms)
      end
    end
    local outs = {}
    for i, k in ipairs (concat) do outs[i] = states[k] end
    local out = #outs == 1 and net:identity (outs[1]) or net:concat (outs)
    return out, #concat * c
  end

  return B
end

-- builds the whole network; `o` holds the resolved options
local function build_network (net, g, o)
  local B = builder (net)
  local C, depth = o.width, o.depth
  local x = net:input ()
  local s0, s1, c_curr, reduction_prev
  if o.network == "cifar" then
    local stem = net:bn (net:conv { x, out = 3 * C, k = 3, pad = 1,
                                    bias = false })
    s0, s1, c_curr, reduction_prev = stem, stem, C, false
  else
    if C % 2 ~= 0 then
      error (string.format ("the ImageNet network needs an even width, not "
                            .. "%d", C), 0)
    end
    local st = o.stem_stride
    local y = net:conv { x, out = C // 2, k = 3, stride = st, pad = 1,
                         bias = false }
    y = net:relu (net:bn (y))
    y = net:conv { y, out = C, k = 3, stride = st, pad = 1, bias = false }
    s0 = net:bn (y)
    y = net:conv { net:relu (s0), out = C, k = 3, stride = st, pad = 1,
                   bias = false }
    s1 = net:bn (y)
    c_curr = C
    -- at stride 1 the stems keep the size and input 0 needs no reducing
    reduction_prev = st ~= 1
  end
  local r1, r2 = depth // 3, 2 * depth // 3
  for i = 0, depth - 1 do
    local reduction = i == r1 or i == r2
    if reduction then c_curr = 2 * c_curr end
    if i == r1 then net:tap (s1, "stage0") end
    if i == r2 then net:tap (s1, "stage1") end
    local out = B.cell (g, s0, s1, c_curr, reduction, reduction_prev)
    s0, s1, reduction_prev = s1, out, reduction
  end
  net:tap (s1, "stage2")
  if o.classifier then
    net:tap (net:linear (net:gap (s1), o.num_classes), "logits")
  end
end

-- ------------------------------------------------------------------
-- the space
-- ------------------------------------------------------------------

-- spec = {
--   name, description, ops = { ... },   the op set (sampling and checks)
--   nodes = 4,                          intermediate nodes per cell
--   concat = "all" | "loose",           what a sampled cell concatenates
--   widths = { ... }, depths = { ... }  the architecture's width and depth
--                                       vary (NDS): sampled from these;
--   width = 36, depth = 20,             or they are build options: the
--   proxy_width = 16, proxy_depth = 8   published and the proxy's defaults
--   distinct_inputs = true,             a node's two inputs differ (DARTS)
--   any_cell = true,                    strings may use any known op and
--                                       number of nodes (published cells)
--   network = "imagenet" | "cifar",     the published network
--   published = { input =, classes =, flops = },
--   configs = { ... },                  named networks (docs/spaces.md)
--   benchmark = { ... },
--   proxy_defaults = { ... },           default: GenNAS's task for the
--                                       family, CONF_DARTS, at batch 8
-- }
function cells.space (spec)
  assert (type (spec.ops) == "table" and #spec.ops > 0, "spec.ops")
  spec.is_op = {}
  for _, op in ipairs (spec.ops) do
    assert (KNOWN_OPS[op], "unknown op " .. tostring (op))
    spec.is_op[op] = true
  end
  local varies = spec.widths ~= nil
  assert (varies == (spec.depths ~= nil), "widths and depths go together")
  local concat_rule = spec.concat == "loose" and loose_ends or all_nodes

  local function decode (s)
    local g = parse_genotype (s)
    local nn = check_cell (g, "normal", spec)
    local nr = check_cell (g, "reduce", spec)
    if nn ~= nr then
      error (string.format ("the normal cell has %d nodes, the reduction "
                            .. "cell %d", nn, nr), 0)
    end
    if varies then
      if g.width == nil or g.depth == nil then
        error ("this space's architectures end with width=W depth=D", 0)
      end
      if g.width < 2 or g.width > MAX_WIDTH or g.width % 2 ~= 0 then
        error (string.format ("width must be an even number of channels "
                              .. "in [2, %d], not %d", MAX_WIDTH, g.width),
               0)
      end
      if g.depth < 3 or g.depth > MAX_DEPTH then
        error (string.format ("depth must be a number of cells in [3, %d], "
                              .. "not %d", MAX_DEPTH, g.depth), 0)
      end
    elseif g.width ~= nil or g.depth ~= nil then
      error ("this space's width and depth are build options "
             .. "(--space-option width=W, depth=D), not part of the "
             .. "architecture", 0)
    end
    return g
  end

  -- DARTS's Genotype(...) literal, as its genotypes.py writes a cell pair
  local function genotype (g)
    return string.format ("Genotype(normal=%s, normal_concat=%s, "
                          .. "reduce=%s, reduce_concat=%s)",
                          edges_text (g.normal), ints_text (g.normal_concat),
                          edges_text (g.reduce), ints_text (g.reduce_concat))
  end

  -- the genotype, and in the NDS spaces the network's width and depth
  local function encode (g)
    local s = genotype (g)
    if varies then
      s = s .. string.format (" width=%d depth=%d", g.width, g.depth)
    end
    return s
  end

  -- the sum of a node is commutative: order each node's pair of edges
  local function hash (g)
    local h = {}
    for _, which in ipairs ({ "normal", "reduce" }) do
      local e = g[which]
      local pairs_ = {}
      for k = 1, #e // 2 do
        local a = string.format ("%s~%d", e[2 * k - 1][1], e[2 * k - 1][2])
        local b = string.format ("%s~%d", e[2 * k][1], e[2 * k][2])
        if b < a then a, b = b, a end
        pairs_[k] = a .. "+" .. b
      end
      h[#h + 1] = table.concat (pairs_, "|") .. "/"
                  .. table.concat (g[which .. "_concat"], ",")
    end
    if varies then
      h[#h + 1] = string.format ("w%d,d%d", g.width, g.depth)
    end
    return table.concat (h, ";")
  end

  local function sample_cell (rng)
    local edges = {}
    for k = 2, spec.nodes + 1 do
      local a = rng:int (0, k - 1)
      local b = rng:int (0, k - 1)
      if spec.distinct_inputs then
        -- two different inputs, as DARTS derives a cell
        b = rng:int (0, k - 2)
        if b >= a then b = b + 1 end
      end
      edges[#edges + 1] = { rng:choice (spec.ops), a }
      edges[#edges + 1] = { rng:choice (spec.ops), b }
    end
    return edges, concat_rule (edges)
  end

  local function sample (rng)
    local g = {}
    g.normal, g.normal_concat = sample_cell (rng)
    g.reduce, g.reduce_concat = sample_cell (rng)
    if varies then
      g.width = rng:choice (spec.widths)
      g.depth = rng:choice (spec.depths)
    end
    return g
  end

  -- regularized evolution's move in a cell space: re-pick one edge's
  -- operation or one edge's input, in the normal or the reduction cell
  -- (and, where they vary, the width or the depth), to another value
  local function others (list, current)
    local out = {}
    for _, v in ipairs (list) do
      if v ~= current then out[#out + 1] = v end
    end
    return out
  end

  local function mutate (g, rng, opts)
    gennas.options (opts, {})
    local moves = { "op", "input" }
    if varies and #spec.widths > 1 then moves[#moves + 1] = "width" end
    if varies and #spec.depths > 1 then moves[#moves + 1] = "depth" end
    local move = rng:choice (moves)
    if move == "width" then
      g.width = rng:choice (others (spec.widths, g.width))
      return g
    elseif move == "depth" then
      g.depth = rng:choice (others (spec.depths, g.depth))
      return g
    end
    local which = rng:choice ({ "normal", "reduce" })
    local edges = g[which]
    local e = rng:int (1, #edges)
    local node = (e - 1) // 2 + 2
    if move == "op" and #spec.ops > 1 then
      edges[e][1] = rng:choice (others (spec.ops, edges[e][1]))
    else
      -- another input (with distinct inputs, not the node's other one)
      local partner = e % 2 == 1 and e + 1 or e - 1
      local inputs = {}
      for i = 0, node - 1 do
        if not (spec.distinct_inputs and i == edges[partner][2]) then
          inputs[#inputs + 1] = i
        end
      end
      local choices = others (inputs, edges[e][2])
      if #choices == 0 then                   -- node 2 with distinct inputs
        edges[e][1] = rng:choice (others (spec.ops, edges[e][1]))
      else
        edges[e][2] = rng:choice (choices)
      end
    end
    if spec.concat == "loose" then
      g[which .. "_concat"] = loose_ends (edges)
      if #g[which .. "_concat"] == 0 then
        g[which .. "_concat"] = all_nodes (edges)
      end
    end
    return g
  end

  local defaults = {
    width = 0,
    depth = 0,
    width_mult = 1,
    network = spec.network,
    stem_stride = 0,
  }

  local function build (net, g, opts)
    local o = gennas.options (opts, defaults)
    if not varies then
      -- the published network, or the space's proxy size
      local w = opts.published and spec.width or spec.proxy_width
      local d = opts.published and spec.depth or spec.proxy_depth
      o.width = o.width > 0 and o.width or w
      o.depth = o.depth > 0 and o.depth or d
    else
      o.width = o.width > 0 and o.width or g.width
      o.depth = o.depth > 0 and o.depth or g.depth
    end
    -- a narrower proxy: every width times width_mult, kept even
    if o.width_mult <= 0 or o.width_mult > 16 then
      error ("option width_mult must be a number above 0, at most 16", 2)
    end
    if o.width_mult ~= 1 and math.type (o.width) == "integer" then
      o.width = math.max (2, 2 * math.floor (o.width * o.width_mult / 2
                                             + 0.5))
    end
    if math.type (o.width) ~= "integer" or o.width < 2
       or o.width > MAX_WIDTH then
      error (string.format ("option width must be an integer in [2, %d]",
                            MAX_WIDTH), 2)
    end
    if math.type (o.depth) ~= "integer" or o.depth < 3
       or o.depth > MAX_DEPTH then
      error (string.format ("option depth must be an integer in [3, %d]",
                            MAX_DEPTH), 2)
    end
    if o.network ~= "imagenet" and o.network ~= "cifar" then
      error ("option network must be imagenet or cifar", 2)
    end
    -- ImageNet stems downsample by 8 as published; GenNAS's proxy runs
    -- them at stride 1 on 32x32
    if o.stem_stride == 0 then
      o.stem_stride = opts.published and 2 or 1
    end
    if o.stem_stride ~= 1 and o.stem_stride ~= 2 then
      error ("option stem_stride must be 1 or 2", 2)
    end
    build_network (net, g, o)
  end

  -- the genes: each edge's operation and input, and the width and depth
  -- where they vary (the concatenation follows from them)
  local genes = {}
  for _, which in ipairs ({ "normal", "reduce" }) do
    for k = 2, spec.nodes + 1 do
      local inputs = {}
      for i = 0, k - 1 do inputs[#inputs + 1] = i end
      for j = 1, 2 do
        genes[#genes + 1] = { name = string.format ("%s node %d edge %d op",
                                                    which, k, j),
                              choices = spec.ops }
        genes[#genes + 1] = { name = string.format ("%s node %d edge %d "
                                                    .. "input", which, k, j),
                              choices = inputs }
      end
    end
  end
  if varies then
    genes[#genes + 1] = { name = "width", choices = spec.widths }
    genes[#genes + 1] = { name = "depth", choices = spec.depths }
  end

  return {
    name = spec.name,
    description = spec.description,
    genome = { genes = genes },
    sample = sample,
    mutate = mutate,
    encode = encode,
    decode = decode,
    hash = hash,
    genotype = genotype,
    build = build,
    benchmark = spec.benchmark,
    published = spec.published,
    configs = spec.configs,
    proxy_defaults = spec.proxy_defaults
                     or { regression = { recipe = "darts", batch = 8 } },
  }
end

cells.parse_genotype = parse_genotype
cells.loose_ends = loose_ends

return cells
