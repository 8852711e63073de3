-- spaces/nbnlp.lua - NAS-Bench-NLP's recurrent cells
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Klyuchnikov et al., "NAS-Bench-NLP: Neural Architecture Search
-- Benchmark for Natural Language Processing", arXiv:2006.07116.  A cell
-- ("recipe") is a DAG of named nodes computing the new hidden tuple
-- h_new_0 .. h_new_{k-1} of a layer from its input x and the previous
-- tuple h_prev_0 .. h_prev_{k-1} (k, the hidden tuple size, is 1 + the
-- largest i of an h_new_i).  The layer's output is h_new_0; the others
-- are carried state (the LSTM's cell c is h_new_1).  Ops, every value
-- but x of width hidden:
--
--   linear(a|b|...)            sum_j W_j a_j + b: one matrix per input,
--                              one bias
--   blend(z|a|b)               z * a + (1 - z) * b
--   elementwise_prod(a|b)      a * b
--   elementwise_sum(a|b)       a + b
--   activation_tanh(a), activation_sigm(a), activation_leaky_relu(a)
--                              (slope 0.01)
--
-- Accepted forms: the one-line recipe of data/nbnlp_ptb.csv's `cell`
-- column, `name=op(in|in);name=op(in)...`, and NB-NLP's JSON dict,
-- {"name": {"op": "linear", "input": ["x", "h_prev_0"]}, ...}.  Entries
-- may come in any order (NB-NLP's are not always topological).
--
-- The canonical string is the one-line form of the cell with its
-- intermediate nodes renamed node_0, node_1, ... in a canonical
-- topological order and the inputs of linear, elementwise_prod and
-- elementwise_sum (whose order does not change the network: one
-- independently drawn matrix per input) sorted, so two recipes of one
-- network (other names, another key order, swapped inputs) print alike,
-- and share a cache entry.  The order refines each node's structure
-- upward (what it computes from the base nodes) and downward (what reads
-- it, up to the outputs), as nb101.lua's hash does.  hash () is the MD5
-- of the canonical string, the key of data/nbnlp_ptb.csv.
--
-- The network (NB-NLP's AWDRNNModel, as GenNAS's NBNLPWrapper runs it):
-- a linear encoder D -> emsize, three layers of the cell (emsize -> nhid,
-- nhid -> nhid, nhid -> emsize: the last is emsize wide because NB-NLP
-- ties its embedding and decoder), a linear decoder emsize -> D, applied
-- at every one of the L time steps of a sequence; the hidden tuples start
-- at zero.  Published (`gennas space info`): NB-NLP's language model on
-- PTB, a tied embedding of 10,000 words, which its `num_params` counts
-- as V * emsize + V (the embedding and the decoder's bias).

local OPS = { "linear", "blend", "elementwise_prod", "elementwise_sum",
              "activation_tanh", "activation_sigm", "activation_leaky_relu" }
-- inputs each op takes: { min, max }
local ARITY = {
  linear = { 1, 3 },
  blend = { 3, 3 },
  elementwise_prod = { 2, 2 },
  elementwise_sum = { 2, 2 },
  activation_tanh = { 1, 1 },
  activation_sigm = { 1, 1 },
  activation_leaky_relu = { 1, 1 },
}
-- ops whose inputs can be swapped without changing the network
local COMMUTATIVE = { linear = true, elementwise_prod = true,
                      elementwise_sum = true }
local ACTIVATIONS = { "activation_tanh", "activation_sigm",
                      "activation_leaky_relu" }
local MAX_NODES = 64
local MAX_TUPLE = 8

local fmt = string.format

-- ------------------------------------------------------------------
-- reading
-- ------------------------------------------------------------------

-- name=op(in|in);... -> list of { name, op, inputs }
local function parse_compact (s)
  local nodes = {}
  for _, entry in ipairs (gennas.split (s, ";")) do
    -- few repeated items: the sandbox charges a match by its worst case
    local name, op, args = entry:match ("^([%w_]+)=([%w_]+)(%b())$")
    if not name then
      error (fmt ("malformed entry '%s' (expected name=op(in|in...))",
                  entry), 0)
    end
    local inputs = {}
    args = args:sub (2, -2)
    if args ~= "" then
      for _, a in ipairs (gennas.split (args, "|")) do
        local n = a:match ("^([%w_]+)$")
        if not n then
          error (fmt ("node '%s': malformed input '%s'", name, a), 0)
        end
        inputs[#inputs + 1] = n
      end
    end
    nodes[#nodes + 1] = { name = name, op = op, inputs = inputs }
  end
  return nodes
end

-- NB-NLP's JSON dict, in key order.  Only what a recipe holds: objects,
-- arrays and strings without escapes beyond \" and \\.
local function parse_json (s)
  local pos = 1
  local function fail (what)
    error (fmt ("JSON recipe, at character %d: %s", pos, what), 0)
  end
  local function skip ()
    pos = s:find ("[^%s]", pos) or #s + 1
  end
  local function expect (c)
    skip ()
    if s:sub (pos, pos) ~= c then fail (fmt ("expected '%s'", c)) end
    pos = pos + 1
  end
  local function peek ()
    skip ()
    return s:sub (pos, pos)
  end
  local function str ()
    expect ('"')
    local out = {}
    while true do
      local c = s:sub (pos, pos)
      if c == "" then fail ("unterminated string") end
      pos = pos + 1
      if c == '"' then break end
      if c == "\\" then
        c = s:sub (pos, pos)
        if c ~= '"' and c ~= "\\" and c ~= "/" then
          fail ("unsupported escape")
        end
        pos = pos + 1
      end
      out[#out + 1] = c
    end
    return table.concat (out)
  end
  -- { "k": v, ... } calling item (key) for each value
  local function object (item)
    expect ("{")
    if peek () == "}" then pos = pos + 1; return end
    while true do
      local k = str ()
      expect (":")
      item (k)
      local c = peek ()
      pos = pos + 1
      if c == "}" then return end
      if c ~= "," then pos = pos - 1; fail ("expected ',' or '}'") end
    end
  end
  local nodes, seen = {}, {}
  object (function (name)
    local node = { name = name, inputs = {} }
    object (function (field)
      if field == "op" then
        node.op = str ()
      elseif field == "input" then
        expect ("[")
        if peek () == "]" then
          pos = pos + 1
        else
          while true do
            node.inputs[#node.inputs + 1] = str ()
            local c = peek ()
            pos = pos + 1
            if c == "]" then break end
            if c ~= "," then pos = pos - 1; fail ("expected ',' or ']'") end
          end
        end
      else
        fail (fmt ("node '%s': unknown field '%s' (op, input)", name, field))
      end
    end)
    if node.op == nil then
      error (fmt ("node '%s' has no \"op\"", name), 0)
    end
    if seen[name] then error (fmt ("node '%s' is defined twice", name), 0) end
    seen[name] = true
    nodes[#nodes + 1] = node
  end)
  skip ()
  if pos <= #s then fail ("text after the recipe") end
  return nodes
end

-- ------------------------------------------------------------------
-- checking: returns the genome { nodes, k, order } or nil and a reason
-- ------------------------------------------------------------------

local function base_index (name, k)
  if name == "x" then return 0 end
  local i = name:match ("^h_prev_(%d+)$")
  if i then
    i = tonumber (i)
    if i < k then return i + 1 end
  end
  return nil
end

local function check (nodes)
  if #nodes == 0 then return nil, "the recipe is empty" end
  if #nodes > MAX_NODES then
    return nil, fmt ("%d nodes (at most %d)", #nodes, MAX_NODES)
  end
  local by_name, k = {}, 0
  for _, nd in ipairs (nodes) do
    if by_name[nd.name] then
      return nil, fmt ("node '%s' is defined twice", nd.name)
    end
    by_name[nd.name] = nd
    local i = nd.name:match ("^h_new_(%d+)$")
    if i then k = math.max (k, tonumber (i) + 1) end
  end
  if not by_name.h_new_0 then
    return nil, "no node h_new_0 (the layer's output)"
  end
  if k > MAX_TUPLE then
    return nil, fmt ("hidden tuple of %d (at most %d)", k, MAX_TUPLE)
  end
  for i = 1, k - 1 do
    if not by_name["h_new_" .. i] then
      return nil, fmt ("h_new_%d is missing (h_new_%d is defined)", i, k - 1)
    end
  end
  for _, nd in ipairs (nodes) do
    if nd.name == "x" or nd.name:match ("^h_prev_%d+$") then
      return nil, fmt ("'%s' is an input of the cell and cannot be defined",
                       nd.name)
    end
    local ar = ARITY[nd.op]
    if not ar then
      return nil, fmt ("node '%s': unknown op '%s' (one of %s)", nd.name,
                       nd.op, table.concat (OPS, ", "))
    end
    if #nd.inputs < ar[1] or #nd.inputs > ar[2] then
      return nil, fmt ("node '%s': %s takes %s inputs, not %d", nd.name,
                       nd.op, ar[1] == ar[2] and tostring (ar[1])
                              or fmt ("%d to %d", ar[1], ar[2]),
                       #nd.inputs)
    end
    local dup = {}
    for _, a in ipairs (nd.inputs) do
      if not by_name[a] and not base_index (a, k) then
        return nil, fmt ("node '%s': unknown input '%s'", nd.name, a)
      end
      if nd.op ~= "blend" and dup[a] then
        return nil, fmt ("node '%s': input '%s' given twice", nd.name, a)
      end
      dup[a] = true
    end
  end
  -- topological order (Kahn; ready nodes in the recipe's order)
  local indeg, readers = {}, {}
  for _, nd in ipairs (nodes) do
    indeg[nd.name] = 0
    readers[nd.name] = {}
  end
  for _, nd in ipairs (nodes) do
    for _, a in ipairs (nd.inputs) do
      if by_name[a] then
        indeg[nd.name] = indeg[nd.name] + 1
        table.insert (readers[a], nd.name)
      end
    end
  end
  local order, done = {}, {}
  local progress = true
  while progress do
    progress = false
    for _, nd in ipairs (nodes) do
      if not done[nd.name] and indeg[nd.name] == 0 then
        done[nd.name] = true
        order[#order + 1] = nd
        for _, r in ipairs (readers[nd.name]) do indeg[r] = indeg[r] - 1 end
        progress = true
      end
    end
  end
  if #order < #nodes then
    -- walk back along unfinished inputs until a node repeats
    local cur, path, at = nil, {}, {}
    for _, nd in ipairs (nodes) do
      if not done[nd.name] then cur = nd.name; break end
    end
    while not at[cur] do
      at[cur] = #path + 1
      path[#path + 1] = cur
      for _, a in ipairs (by_name[cur].inputs) do
        if by_name[a] and not done[a] then cur = a; break end
      end
    end
    local cyc = {}
    for i = #path, at[cur], -1 do cyc[#cyc + 1] = path[i] end
    cyc[#cyc + 1] = cyc[1]
    return nil, "cycle " .. table.concat (cyc, " -> ")
  end
  -- every node and every input of the cell must reach an output
  local reach = {}
  for i = #order, 1, -1 do
    local nd = order[i]
    if nd.name:match ("^h_new_%d+$") then reach[nd.name] = true end
    if not reach[nd.name] then
      return nil, fmt ("node '%s' reaches no output (h_new_*)", nd.name)
    end
    for _, a in ipairs (nd.inputs) do reach[a] = true end
  end
  if not reach.x then return nil, "the input x is never read" end
  for i = 0, k - 1 do
    if not reach["h_prev_" .. i] then
      return nil, fmt ("h_prev_%d is never read, so h_new_%d is unreachable "
                       .. "from the output", i, i)
    end
  end
  return { nodes = nodes, k = k, order = order, by_name = by_name }
end

local function decode (s)
  local nodes
  if s:match ("^%s*{") then
    nodes = parse_json (s)
  else
    nodes = parse_compact (s)
  end
  local g, why = check (nodes)
  if not g then error (why, 0) end
  return g
end

-- ------------------------------------------------------------------
-- the canonical form
-- ------------------------------------------------------------------

local function canonical (g)
  local md5 = gennas.md5
  local order, k = g.order, g.k
  local up, down = {}, {}
  up.x = "x"
  for i = 0, k - 1 do up["h_prev_" .. i] = "h_prev_" .. i end
  for _, nd in ipairs (order) do
    local parts = {}
    for j, a in ipairs (nd.inputs) do parts[j] = up[a] end
    if COMMUTATIVE[nd.op] then table.sort (parts) end
    up[nd.name] = md5 (nd.op .. "(" .. table.concat (parts, ",") .. ")")
  end
  -- downward: an output's name, and each reader's op, input slot (none
  -- for a commutative op) and downward structure
  local reads = {}
  for _, nd in ipairs (order) do reads[nd.name] = {} end
  for i = #order, 1, -1 do
    local nd = order[i]
    local parts = reads[nd.name]
    table.sort (parts)
    local out = nd.name:match ("^h_new_%d+$") and nd.name or ""
    down[nd.name] = md5 (out .. "<" .. table.concat (parts, ",") .. ">")
    for j, a in ipairs (nd.inputs) do
      if reads[a] then
        local slot = COMMUTATIVE[nd.op] and "*" or tostring (j)
        table.insert (reads[a], nd.op .. slot .. up[nd.name]
                                .. down[nd.name])
      end
    end
  end
  local key = {}
  for _, nd in ipairs (order) do key[nd.name] = up[nd.name] .. down[nd.name] end
  -- topological order taking the smallest key among the ready nodes
  local indeg, readers = {}, {}
  for _, nd in ipairs (order) do
    indeg[nd.name] = 0
    readers[nd.name] = {}
  end
  for _, nd in ipairs (order) do
    for _, a in ipairs (nd.inputs) do
      if indeg[a] then
        indeg[nd.name] = indeg[nd.name] + 1
        table.insert (readers[a], nd.name)
      end
    end
  end
  local ready, pos, canon = {}, {}, {}
  for _, nd in ipairs (order) do
    if indeg[nd.name] == 0 then ready[#ready + 1] = nd.name end
  end
  local rank = { x = 0 }
  for i = 0, k - 1 do rank["h_prev_" .. i] = i + 1 end
  local rename = { x = "x" }
  for i = 0, k - 1 do rename["h_prev_" .. i] = "h_prev_" .. i end
  local n_inner = 0
  while #ready > 0 do
    local best = 1
    for i = 2, #ready do
      if key[ready[i]] < key[ready[best]] then best = i end
    end
    local name = table.remove (ready, best)
    canon[#canon + 1] = name
    rank[name] = 100 + #canon
    if name:match ("^h_new_%d+$") then
      rename[name] = name
    else
      rename[name] = "node_" .. n_inner
      n_inner = n_inner + 1
    end
    for _, r in ipairs (readers[name]) do
      indeg[r] = indeg[r] - 1
      if indeg[r] == 0 then ready[#ready + 1] = r end
    end
  end
  local entries = {}
  for i, name in ipairs (canon) do
    local nd = g.by_name[name]
    local ins = {}
    for j, a in ipairs (nd.inputs) do ins[j] = a end
    if COMMUTATIVE[nd.op] then
      table.sort (ins, function (a, b) return rank[a] < rank[b] end)
    end
    for j, a in ipairs (ins) do ins[j] = rename[a] end
    entries[i] = fmt ("%s=%s(%s)", rename[name], nd.op,
                      table.concat (ins, "|"))
  end
  return table.concat (entries, ";")
end

local function encode (g)
  return canonical (g)
end

local function hash (g)
  return gennas.md5 (canonical (g))
end

-- ------------------------------------------------------------------
-- NB-NLP's generator (search_space.py, RecepieGenerator)
-- ------------------------------------------------------------------

local function weighted (rng, items, weights)
  local total = 0
  for _, w in ipairs (weights) do total = total + w end
  local u = rng:uniform () * total
  for i, w in ipairs (weights) do
    u = u - w
    if u < 0 then return items[i] end
  end
  return items[#items]
end

-- n distinct items of list, in draw order
local function distinct (rng, list, n)
  local pool = {}
  for i, v in ipairs (list) do pool[i] = v end
  rng:shuffle (pool)
  local out = {}
  for i = 1, n do out[i] = pool[i] end
  return out
end

-- The generator's rules for a cell it keeps: every input of the cell is
-- read (check () already asks that), and no h_new_i reads an h_prev_j
-- directly.  NB-NLP's hand-written GRU breaks the second; the stored
-- random cells all keep both.
local function generator_valid (g)
  for i = 0, g.k - 1 do
    for _, a in ipairs (g.by_name["h_new_" .. i].inputs) do
      if a:match ("^h_prev_%d+$") then
        return false, fmt ("h_new_%d reads %s directly", i, a)
      end
    end
  end
  return true
end

-- One draw of RecepieGenerator.generate_random_recepie: a redundant
-- graph of about k + v vertices, k of them renamed h_new_*, pruned to
-- what reaches them; nil if the generator would reject it.
local function generate (rng, k, v)
  local base = { "x" }
  for i = 0, k - 1 do base[#base + 1] = "h_prev_" .. i end
  local nodes, acts = {}, {}
  local i = 0
  while i < k + v do
    local op = weighted (rng, { "linear", "blend", "elementwise_prod",
                                "elementwise_sum" }, { 3, 1, 1, 1 })
    if op == "linear" then
      local cand = {}
      for _, b in ipairs (base) do cand[#cand + 1] = b end
      for _, a in ipairs (acts) do cand[#cand + 1] = a end
      local n = weighted (rng, { 2, 3 }, { 4, 1 })
      n = math.min (n, #cand)
      nodes[#nodes + 1] = { name = "node_" .. i, op = "linear",
                            inputs = distinct (rng, cand, n) }
      i = i + 1
      local act = rng:choice (ACTIVATIONS)
      nodes[#nodes + 1] = { name = "node_" .. i, op = act,
                            inputs = { "node_" .. (i - 1) } }
      acts[#acts + 1] = "node_" .. i
      i = i + 1
    else
      local n = op == "blend" and 3 or 2
      local cand = {}
      for j = 2, #base do cand[#cand + 1] = base[j] end
      for _, nd in ipairs (nodes) do cand[#cand + 1] = nd.name end
      if n <= #cand then
        nodes[#nodes + 1] = { name = "node_" .. i, op = op,
                              inputs = distinct (rng, cand, n) }
        i = i + 1
      end
    end
  end
  -- k distinct nodes become the outputs, moved to the end
  local names = {}
  for j, nd in ipairs (nodes) do names[j] = nd.name end
  local chosen = distinct (rng, names, k)
  local new = {}
  for j, name in ipairs (chosen) do new[name] = "h_new_" .. (j - 1) end
  local kept, outs = {}, {}
  for _, nd in ipairs (nodes) do
    for j, a in ipairs (nd.inputs) do nd.inputs[j] = new[a] or a end
    if new[nd.name] then
      nd.name = new[nd.name]
      outs[nd.name] = nd
    else
      kept[#kept + 1] = nd
    end
  end
  for j = 0, k - 1 do kept[#kept + 1] = outs["h_new_" .. j] end
  -- prune what reaches no output
  local by_name, visited = {}, {}
  for _, nd in ipairs (kept) do by_name[nd.name] = nd end
  local queue = {}
  for j = 0, k - 1 do
    queue[#queue + 1] = "h_new_" .. j
    visited["h_new_" .. j] = true
  end
  local head = 1
  while head <= #queue do
    local nd = by_name[queue[head]]
    head = head + 1
    if nd then
      for _, a in ipairs (nd.inputs) do
        if not visited[a] then
          visited[a] = true
          queue[#queue + 1] = a
        end
      end
    end
  end
  local pruned = {}
  for _, nd in ipairs (kept) do
    if visited[nd.name] then pruned[#pruned + 1] = nd end
  end
  for _, b in ipairs (base) do
    if not visited[b] then return nil end
  end
  local g = check (pruned)
  if not g or not generator_valid (g) then return nil end
  return g
end

-- NB-NLP's stored cells have hidden tuple sizes 1, 2 and 3 in the
-- proportions 34 : 47 : 19 and 2 to 21 nodes; its generator's other
-- setting, the number of vertices drawn before pruning, is not recorded.
-- The size is drawn in the stored proportions and then cells of that
-- size until the generator keeps one, with V_MIN..V_MAX vertices.
local V_MIN, V_MAX = 10, 20
local function sample (rng)
  local k = weighted (rng, { 1, 2, 3 }, { 4863, 6677, 2782 })
  while true do
    local g = generate (rng, k, rng:int (V_MIN, V_MAX))
    if g then return g end
  end
end

-- ------------------------------------------------------------------
-- mutation
-- ------------------------------------------------------------------

local function copy_nodes (g)
  local out = {}
  for i, nd in ipairs (g.order) do
    local ins = {}
    for j, a in ipairs (nd.inputs) do ins[j] = a end
    out[i] = { name = nd.name, op = nd.op, inputs = ins }
  end
  return out
end

local function fresh_name (by_name)
  local i = 0
  while by_name["m_" .. i] do i = i + 1 end
  return "m_" .. i
end

-- Candidate inputs of a node by the generator's rules: a linear reads
-- the cell's inputs and activations, the other ops anything but x;
-- only nodes before position pos (in topological order), so no cycle.
local function candidates (nodes, pos, op, k)
  local cand = {}
  if op == "linear" then cand[1] = "x" end
  for i = 0, k - 1 do cand[#cand + 1] = "h_prev_" .. i end
  for i = 1, pos - 1 do
    local nd = nodes[i]
    if op ~= "linear" or nd.op:match ("^activation_") then
      cand[#cand + 1] = nd.name
    end
  end
  return cand
end

local function mutate_once (g, rng)
  local nodes = copy_nodes (g)
  local k = g.k
  local by_name = {}
  for _, nd in ipairs (nodes) do by_name[nd.name] = nd end
  local kind = rng:int (1, 4)
  if kind == 1 then
    -- change an op to another of the same number of inputs
    local nd = rng:choice (nodes)
    local same = {}
    for _, op in ipairs (OPS) do
      local ar = ARITY[op]
      if op ~= nd.op and #nd.inputs >= ar[1] and #nd.inputs <= ar[2] then
        same[#same + 1] = op
      end
    end
    if #same == 0 then return nil end
    nd.op = rng:choice (same)
  elseif kind == 2 then
    -- re-wire one input of a node
    local pos = rng:int (1, #nodes)
    local nd = nodes[pos]
    local j = rng:int (1, #nd.inputs)
    local cand = candidates (nodes, pos, nd.op, k)
    nd.inputs[j] = rng:choice (cand)
  elseif kind == 3 then
    -- add a node: a linear and its activation, or another op, on
    -- existing values, spliced into one input of a later node
    local pos = rng:int (1, #nodes)
    local target = nodes[pos]
    local j = rng:int (1, #target.inputs)
    local op = weighted (rng, { "linear", "blend", "elementwise_prod",
                                "elementwise_sum" }, { 3, 1, 1, 1 })
    local n = op == "linear" and weighted (rng, { 2, 3 }, { 4, 1 })
              or op == "blend" and 3 or 2
    local cand = candidates (nodes, pos, op, k)
    if #cand < n then return nil end
    local name = fresh_name (by_name)
    local new = { { name = name, op = op, inputs = distinct (rng, cand, n) } }
    by_name[name] = new[1]
    if op == "linear" then
      local act = fresh_name (by_name)
      new[2] = { name = act, op = rng:choice (ACTIVATIONS), inputs = { name } }
      by_name[act] = new[2]
      name = act
    end
    target.inputs[j] = name
    for i = #new, 1, -1 do table.insert (nodes, pos, new[i]) end
  else
    -- remove a node that is not an output: its readers read one of its
    -- inputs instead
    local inner = {}
    for i, nd in ipairs (nodes) do
      if not nd.name:match ("^h_new_%d+$") then inner[#inner + 1] = i end
    end
    if #inner == 0 then return nil end
    local pos = rng:choice (inner)
    local gone = table.remove (nodes, pos)
    local with = rng:choice (gone.inputs)
    for _, nd in ipairs (nodes) do
      for j, a in ipairs (nd.inputs) do
        if a == gone.name then nd.inputs[j] = with end
      end
    end
  end
  -- drop what no longer reaches an output, as the generator prunes
  local changed = true
  while changed do
    changed = false
    local read = {}
    for _, nd in ipairs (nodes) do
      for _, a in ipairs (nd.inputs) do read[a] = true end
    end
    for i = #nodes, 1, -1 do
      local nd = nodes[i]
      if not read[nd.name] and not nd.name:match ("^h_new_%d+$") then
        table.remove (nodes, i)
        changed = true
      end
    end
  end
  local ok, h = pcall (check, nodes)
  if not ok or not h or not generator_valid (h) then return nil end
  -- the generator's shapes: a linear reads no blend/prod/sum/linear,
  -- blend/prod/sum read no x
  for _, nd in ipairs (h.nodes) do
    for _, a in ipairs (nd.inputs) do
      local src = h.by_name[a]
      if nd.op == "linear" and src and not src.op:match ("^activation_") then
        return nil
      end
      if nd.op ~= "linear" and not nd.op:match ("^activation_")
         and a == "x" then
        return nil
      end
    end
  end
  return h
end

-- One change (an op, an input, a node added or removed) that keeps the
-- generator's rules and changes the network; retried until one does.
local function mutate (g, rng, opts)
  gennas.options (opts, {})
  local before = canonical (g)
  for _ = 1, 1000 do
    local h = mutate_once (g, rng)
    if h and canonical (h) ~= before then return h end
  end
  error ("no valid mutation found in 1000 tries", 0)
end

local function valid (g)
  return true
end

-- ------------------------------------------------------------------
-- the network
-- ------------------------------------------------------------------

-- One layer of the cell unrolled over the time steps: xs[t] are the
-- layer's inputs ([n][width][1][1] nodes), the result its outputs
-- (h_new_0 at every step).  A linear node is one set of parameters for
-- every step (BPTT adds up its gradients), drawn from U(±1/sqrt(hid)) as
-- NB-NLP's CustomRNN.reset_parameters; the hidden tuple starts at zero.
local function cell_layer (net, g, xs, hid)
  local zero = net:zero (xs[1], { c = hid })
  local prev = {}
  for i = 0, g.k - 1 do prev["h_prev_" .. i] = zero end
  local first, outs = {}, {}
  local init = 1 / math.sqrt (hid)
  for t, x in ipairs (xs) do
    local v = { x = x }
    for name, id in pairs (prev) do v[name] = id end
    for _, nd in ipairs (g.order) do
      local ins = {}
      for j, a in ipairs (nd.inputs) do ins[j] = v[a] end
      local id
      if nd.op == "linear" then
        id = net:linear_multi (ins, hid, { init = init,
                                           share = first[nd.name] })
        first[nd.name] = first[nd.name] or id
      elseif nd.op == "blend" then
        id = net:blend (ins[1], ins[2], ins[3])
      elseif nd.op == "elementwise_prod" then
        id = net:mul (ins[1], ins[2])
      elseif nd.op == "elementwise_sum" then
        id = net:add (ins[1], ins[2])
      elseif nd.op == "activation_tanh" then
        id = net:tanh (ins[1])
      elseif nd.op == "activation_sigm" then
        id = net:sigmoid (ins[1])
      else
        id = net:leaky_relu (ins[1])
      end
      v[nd.name] = id
    end
    for i = 0, g.k - 1 do prev["h_prev_" .. i] = v["h_new_" .. i] end
    outs[t] = v.h_new_0
  end
  return outs
end

-- Locked dropout: one mask for all the steps of a sequence.
local function lock_drop (net, xs, p)
  if p == 0 then return xs end
  local out = {}
  for t, x in ipairs (xs) do
    out[t] = net:dropout (x, { p = p, share = out[1] })
  end
  return out
end

-- Build options: emsize (400), nhid (600), nlayers (3), NB-NLP's
-- dropouts dropouti (0.4, the encoder's output), dropouth (0.25, between
-- layers) and dropout (0.1, the last layer's output).
--
-- The proxy's network (GenNAS's NBNLPWrapper): the input [n][D][L][1] is
-- a sequence of L steps of D features; a linear encoder D -> emsize
-- (U(±0.1), no bias), the layers, a linear decoder emsize -> D (U(±0.1),
-- bias 0), at every step.  Taps: "stage0".."stage2", the outputs of
-- the first three layers over the steps ([n][L * width][1][1], step-major),
-- and "output", the decoder's ([n][L * D][1][1]).
--
-- Published (`gennas space info`): NB-NLP's language model, counted per
-- token (one step): the embedding of its vocabulary (opts.num_classes,
-- 10,000 for PTB) is a linear map of a one-hot token, V -> emsize without
-- bias, and the decoder its weight transposed with a bias of its own
-- (tied, as NB-NLP trains it), tapped "logits" (the steps' logits side
-- by side).  Its input is a sequence of one-hot tokens, [n][V][L][1]
-- (the zero-cost proxies' batch); an input of any other width stands for
-- one token, a zero one-hot of one step, as `gennas space info` counts
-- the network per token.
local function build (net, g, opts)
  local o = gennas.options (opts, { emsize = 400, nhid = 600, nlayers = 3,
                                    dropouti = 0.4, dropouth = 0.25,
                                    dropout = 0.1 })
  for _, k in ipairs ({ "emsize", "nhid", "nlayers" }) do
    if math.type (o[k]) ~= "integer" or o[k] < 1 then
      error ("option " .. k .. " must be a positive integer", 2)
    end
  end
  for _, k in ipairs ({ "dropouti", "dropouth", "dropout" }) do
    if o[k] < 0 or o[k] >= 1 then
      error ("option " .. k .. " must lie in [0, 1)", 2)
    end
  end
  -- the canonical recipe: the network (and the order its parameters are
  -- drawn in) is the same for every recipe of it
  g = decode (canonical (g))
  local _, d, steps = net:shape (net:input ())
  local stand_in = opts.published and d ~= opts.num_classes
  if stand_in then steps = 1 end
  local xs, enc = {}, nil
  for t = 1, steps do
    local x = net:crop (net:input (), { top = t - 1, h = 1, left = 0, w = 1 })
    if stand_in then
      x = net:zero (x, { c = opts.num_classes })   -- one zero token
    end
    xs[t] = net:linear_multi ({ x }, o.emsize, { bias = false, init = 0.1,
                                                 share = enc })
    enc = enc or xs[t]
  end
  xs = lock_drop (net, xs, o.dropouti)
  for l = 1, o.nlayers do
    local hid = l == o.nlayers and o.emsize or o.nhid
    xs = cell_layer (net, g, xs, hid)
    if l <= 3 then net:tap (net:concat (xs), "stage" .. (l - 1)) end
    xs = lock_drop (net, xs, l == o.nlayers and o.dropout or o.dropouth)
  end
  for l = o.nlayers + 1, 3 do
    net:tap (net:concat (xs), "stage" .. (l - 1))   -- fewer than 3 layers
  end
  local ys, dec = {}, nil
  if opts.published then
    for t = 1, steps do     -- the decoder tied to the encoder, then to itself
      ys[t] = net:linear_multi ({ xs[t] }, opts.num_classes,
                                ys[1] and { share = ys[1] }
                                or { share = enc, transposed = true,
                                     zero_bias = true })
    end
    net:tap (net:concat (ys), "logits")
    return
  end
  for t = 1, steps do
    ys[t] = net:linear_multi ({ xs[t] }, d, { init = 0.1, zero_bias = true,
                                              share = dec })
    dec = dec or ys[t]
  end
  local out = net:concat (ys)
  net:tap (out, "output")
  if opts.classifier then net:tap (out, "logits") end
end

-- The genome is a graph, not a fixed list of genes; these describe the
-- op of each of the at most 21 nodes of the stored cells, for
-- `gennas space check`'s summary (the wiring multiplies it further).
local genes = { { name = "hidden_tuple_size", choices = { 1, 2, 3 } } }
for i = 1, 21 do genes[#genes + 1] = { name = "op" .. i, choices = OPS } end

return {
  name = "nasbenchnlp",
  description = "NAS-Bench-NLP recurrent cells (14,322 trained on PTB)",
  genome = { genes = genes, valid = valid },
  sample = sample,
  mutate = mutate,
  encode = encode,
  decode = decode,
  hash = hash,
  build = build,
  input = "sequence",
  published = { input = 1, classes = 10000 },
  benchmark = {
    file = "nbnlp/nbnlp_ptb_nets.csv",
    key = "nbnlp_hash",
    key_is_hash = true,
    arch = { "cell" },
    metrics = { "min_test_ppl", "final_test_ppl", "test_ppl_at_best_val",
                "final_val_ppl", "test_ppl_ep1", "test_ppl_ep10" },
    -- perplexities: lower is better, so rankings are judged against
    -- their negation (docs/spaces.md, "Benchmarks")
    lower = { "min_test_ppl", "final_test_ppl", "test_ppl_at_best_val",
              "final_val_ppl", "test_ppl_ep1", "test_ppl_ep10" },
  },
}
