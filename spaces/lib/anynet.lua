-- spaces/lib/anynet.lua - AnyNet networks: NDS's ResNet, ResNeXt and Vanilla spaces
--
-- Copyright 2026 the gennas authors. MIT licence, see LICENSE.
--
-- Imported by the AnyNet spaces (`gennas.import ("anynet")`) of
-- Radosavovic et al., "On Network Design Spaces for Visual Recognition"
-- (NDS, ICCV 2019): ResNeXt-A, ResNeXt-B, ResNet and Vanilla.
-- `anynet.space (spec)` returns a complete space table; `anynet.parse`,
-- `anynet.encode`, `anynet.count_params` and `anynet.build` are there for
-- other spaces.  docs/spaces.md, "NDS AnyNet spaces", says the same for
-- users.
--
-- An architecture is NDS's description of the network (its records'
-- `net_json`): one entry per stage in each list, the first entry (index
-- 0) describing the stem.  The canonical string is one line, the fields
-- in this order:
--
--   block_type=res_bottleneck_block ds=[1,2,2,2] ws=[64,16,128,128]
--       ss=[8,1,2,2] bot_muls=[1,0.25,0.5,0.25] num_gs=[1,2,4,2]
--   block_type=res_basic_block ds=[1,5,2,3,10] ws=[32,32,32,192,128]
--       ss=[4,1,2,2,2]
--
-- (without the line breaks): depths, widths, strides, bottleneck
-- multipliers and numbers of groups; bot_muls and num_gs only for
-- bottleneck blocks.  Numbers are written as integers, and a bottleneck
-- multiplier that is not one in the fewest digits that read back as the
-- same double (0.25).  `decode` also reads NDS's JSON object, e.g.
-- {"block_type":"res_basic_block","bot_muls":[],"ds":[1,5,2,3,10],...},
-- with the keys in any order, any spacing, 1.0 for 1; and the KEY=VALUE
-- form with any spacing and order.  data/nds/anynet_arch.py writes the
-- same canonical string from a net_json in Python.
--
-- The stem (entry 0): ds[0] = 1; ss[0] is its stride, which says which
-- stem NDS used (inferred from the records' parameter and flop counts,
-- which it reproduces exactly):
--
--   ss[0] = 4:  conv7x7 stride 2 (3 -> ws[0]), BN, ReLU, maxpool 3x3 s2
--               (pycls's res_stem_in; NDS's ResNet and Vanilla)
--   ss[0] = 8:  three conv3x3 stride 2, BN, ReLU: 3 -> ws[0]/2 -> ws[0]
--               -> ws[0] (NDS's ResNeXt-A and -B on ImageNet)
--
-- bot_muls[0] and num_gs[0] describe nothing (NDS writes 1 and 1, its
-- CIFAR records 0 and 1); they are read if non-negative and written as 1.
-- Stage i (i >= 1): ds[i] blocks of width ws[i], the first of stride
-- ss[i] (1 or 2) and the others of stride 1:
--
--   res_bottleneck_block: x + F(x), then ReLU; F = conv1x1 (-> w_b), BN,
--       ReLU, conv3x3 (stride, num_gs[i] groups), BN, ReLU, conv1x1
--       (-> ws[i]), BN, with w_b = ws[i] * bot_muls[i] (a whole number
--       that num_gs[i] divides); x through conv1x1 (stride) + BN when the
--       width or the resolution changes
--   res_basic_block: the same with F = conv3x3 (stride), BN, ReLU,
--       conv3x3, BN
--   double_plain_block: conv3x3 (stride), BN, ReLU, conv3x3, BN, ReLU
--
-- then global average pooling and a linear classifier.  num_gs is the
-- number of groups (NDS's meaning: the parameter counts say so), not
-- pycls's later group width.  Convolutions have no bias and pycls's
-- initialisation, N(0, sqrt(2 / (k*k*out))).
--
-- Built as published (GnBuildOptions.published), that is NDS's network,
-- with the classifier when asked for.  Otherwise it is GenNAS's proxy
-- network (ResNetSeriesWrapper, docs/method.md §2.3 and §4), for a 32x32
-- input:
--
--   stem:    conv3x3 stride 1 (3 -> stem_w = 12), BN, ReLU
--   s1:      the stem entry as a stage: ds[0] blocks of the record's
--            kind, stem_w -> ws[0], stride 1 (bot_mul 1, 1 group)
--   stages:  the record's stages, every one at stride 1 but the last two,
--            which halve: the last three stages' outputs are 32x32,
--            16x16 and 8x8, tapped "stage0", "stage1", "stage2"
--
-- The taps are pre-ReLU (the last block's ReLU comes after the tap), as
-- GenNAS removes the ReLU of the last block of s2, s3 and s4 and applies
-- it by hand before the next stage.  With three stages after the stem
-- (ResNeXt) this is GenNAS's network; GenNAS has no network for the
-- four-stage spaces (ResNet_lr-wd, Vanilla_lr-wd), and this one keeps
-- all four stages, the first two at 32x32.
--
-- Build options (`--space-option KEY=VALUE`; the proxy only, ignored as
-- published): stem_w (12), width_mult (1: every stage's width and
-- bottleneck width times this, rounded to a multiple of the groups),
-- num_gs_as_width (false: true reads num_gs as pycls's group width, as
-- GenNAS's ResNetSeriesWrapper does, so a stage has w_b / num_gs groups
-- and the s1 block ws[0] groups).

local anynet = {}

local BLOCKS = { "res_bottleneck_block", "res_basic_block",
                 "double_plain_block" }
local IS_BLOCK = {}
for _, b in ipairs (BLOCKS) do IS_BLOCK[b] = true end

local FIELDS = { "block_type", "ds", "ws", "ss", "bot_muls", "num_gs" }
local IS_FIELD = {}
for _, f in ipairs (FIELDS) do IS_FIELD[f] = true end

local MAX_CHARS = 2048     -- of an architecture string
local MAX_STAGES = 6       -- after the stem
local MAX_DEPTH = 64       -- blocks of a stage
local MAX_WIDTH = 4096     -- channels

-- an error located at the check that failed (the caller's line)
local function fail (fmt, ...)
  error (string.format (fmt, ...), 2)
end

-- ------------------------------------------------------------------
-- reading: a tokenizer and a parser of both forms
-- ------------------------------------------------------------------

local PUNCT = { ["{"] = true, ["}"] = true, ["["] = true, ["]"] = true,
                [","] = true, [":"] = true, ["="] = true }

local function tokenize (s)
  local toks, i, n = {}, 1, #s
  while i <= n do
    local c = s:sub (i, i)
    if c == " " or c == "\t" or c == "\n" or c == "\r" then
      i = i + 1
    elseif PUNCT[c] then
      toks[#toks + 1] = { kind = c, pos = i }
      i = i + 1
    elseif c == '"' then
      local j = s:find ('"', i + 1, true)
      if not j then fail ("unterminated string at character %d", i) end
      toks[#toks + 1] = { kind = "str", value = s:sub (i + 1, j - 1),
                          pos = i }
      i = j + 1
    elseif c:match ("[%d%.%-%+]") then
      local j = i
      while j < n and s:sub (j + 1, j + 1):match ("[%w%.%-%+]") do
        j = j + 1
      end
      local word = s:sub (i, j)
      local num = word:match ("^[%-%+]?[%d%.]+[eE]?[%-%+]?%d*$")
                  and tonumber (word)
      if not num or num ~= num or num == math.huge or num == -math.huge then
        fail ("malformed number '%s' at character %d", word, i)
      end
      toks[#toks + 1] = { kind = "num", value = num, pos = i }
      i = j + 1
    elseif c:match ("[%a_]") then
      local j = i
      while j < n and s:sub (j + 1, j + 1):match ("[%w_]") do j = j + 1 end
      toks[#toks + 1] = { kind = "name", value = s:sub (i, j), pos = i }
      i = j + 1
    else
      fail ("unexpected '%s' at character %d", c, i)
    end
  end
  return toks
end

-- Parses either form into a table of raw fields (lists of numbers, the
-- block type a string); checks nothing about their values.
local function parse_fields (s)
  if type (s) ~= "string" then
    fail ("an architecture is a string, not %s", type (s))
  end
  if #s > MAX_CHARS then
    fail ("too long (%d characters; an AnyNet architecture is a line of "
          .. "at most %d)", #s, MAX_CHARS)
  end
  local toks, i = tokenize (s), 1
  local function peek () return toks[i] end
  local function where ()
    local t = toks[i]
    return t and string.format ("at character %d", t.pos) or "at the end"
  end
  local function expect (kind, what)
    local t = toks[i]
    if not t or t.kind ~= kind then
      fail ("expected %s %s", what, where ())
    end
    i = i + 1
    return t
  end

  local json = peek () and peek ().kind == "{"
  local fields = {}

  local function value (key)
    local t = peek ()
    if t and t.kind == "[" then
      i = i + 1
      local list = {}
      if peek () and peek ().kind == "]" then
        i = i + 1
        return list
      end
      while true do
        local v = expect ("num", "a number in " .. key)
        list[#list + 1] = v.value
        if #list > MAX_STAGES + 1 then
          fail ("%s lists more than %d entries (a stem and at most %d "
                .. "stages)", key, MAX_STAGES + 1, MAX_STAGES)
        end
        local sep = peek ()
        if sep and sep.kind == "]" then
          i = i + 1
          return list
        end
        expect (",", "',' or ']' in " .. key)
      end
    elseif t and (t.kind == "str" or t.kind == "name") then
      i = i + 1
      return t.value
    end
    fail ("expected the value of %s %s", key, where ())
  end

  local function field ()
    local t = peek ()
    local key
    if json then
      key = expect ("str", "a quoted key").value
      expect (":", "':' after \"" .. key .. "\"")
    else
      key = expect ("name", "a field name (block_type, ds, ws, ss, "
                    .. "bot_muls, num_gs)").value
      expect ("=", "'=' after " .. key)
    end
    if not IS_FIELD[key] then
      fail ("unknown field '%s' at character %d (block_type, ds, ws, ss, "
            .. "bot_muls, num_gs)", key, t.pos)
    end
    if fields[key] ~= nil then
      fail ("%s given twice (at character %d)", key, t.pos)
    end
    fields[key] = value (key)
  end

  if json then
    i = i + 1
    if not (peek () and peek ().kind == "}") then
      while true do
        field ()
        local sep = peek ()
        if sep and sep.kind == "}" then break end
        expect (",", "',' or '}'")
      end
    end
    i = i + 1
    if peek () then fail ("unexpected text after '}' %s", where ()) end
  else
    if not peek () then fail ("empty architecture") end
    while peek () do field () end
  end
  return fields
end

-- ------------------------------------------------------------------
-- checking: a genome { block, ds, ws, ss, bms, gs } (Lua lists, entry
-- 1 the stem) from raw fields, or an error naming the culprit
-- ------------------------------------------------------------------

local function whole (list, key, k)
  local v = list[k]
  if type (v) ~= "number" or math.type (v) == "float"
     and (v ~= math.floor (v) or math.abs (v) > 2^31) then
    fail ("%s[%d] must be a whole number, not %s", key, k - 1,
          tostring (v))
  end
  return math.tointeger (v)
end

-- Canonical order and values; raises an error for anything malformed.
local function check (f)
  local g = {}
  for _, key in ipairs ({ "block_type", "ds", "ws", "ss" }) do
    if f[key] == nil then fail ("missing %s", key) end
  end
  if type (f.block_type) ~= "string" or not IS_BLOCK[f.block_type] then
    fail ("unknown block_type '%s' (%s)", tostring (f.block_type),
          table.concat (BLOCKS, ", "))
  end
  g.block = f.block_type
  local bottleneck = g.block == "res_bottleneck_block"
  for _, key in ipairs ({ "ds", "ws", "ss", "bot_muls", "num_gs" }) do
    if f[key] ~= nil and type (f[key]) ~= "table" then
      fail ("%s must be a list, not '%s'", key, tostring (f[key]))
    end
  end
  local n = #f.ds
  if n < 4 then
    fail ("ds has %d entries: the stem and at least 3 stages are needed "
          .. "(the proxy taps the last three)", n)
  end
  for _, key in ipairs ({ "ws", "ss" }) do
    if #f[key] ~= n then
      fail ("%s has %d entries and ds %d: every list has one per stage, "
            .. "the stem first", key, #f[key], n)
    end
  end
  for _, key in ipairs ({ "bot_muls", "num_gs" }) do
    local len = f[key] and #f[key] or 0
    if bottleneck and len ~= n then
      fail ("%s has %d entries and ds %d: a %s needs one per stage, the "
            .. "stem first", key, len, n, g.block)
    elseif not bottleneck and len ~= 0 then
      fail ("%s takes no %s (it has no bottleneck)", g.block, key)
    end
  end

  g.ds, g.ws, g.ss = {}, {}, {}
  for k = 1, n do
    g.ds[k] = whole (f.ds, "ds", k)
    g.ws[k] = whole (f.ws, "ws", k)
    g.ss[k] = whole (f.ss, "ss", k)
  end
  if g.ds[1] ~= 1 then
    fail ("ds[0] = %d: the first entry is the stem, of depth 1", g.ds[1])
  end
  if g.ss[1] ~= 4 and g.ss[1] ~= 8 then
    fail ("ss[0] = %d: the stem's stride is 4 (conv7x7 and max pool) or "
          .. "8 (three conv3x3)", g.ss[1])
  end
  if g.ws[1] < 1 or g.ws[1] > MAX_WIDTH
     or g.ss[1] == 8 and g.ws[1] % 2 ~= 0 then
    fail ("ws[0] = %d: the stem's width must be %s from 1 to %d", g.ws[1],
          g.ss[1] == 8 and "an even number" or "a number", MAX_WIDTH)
  end
  for k = 2, n do
    if g.ds[k] < 1 or g.ds[k] > MAX_DEPTH then
      fail ("ds[%d] = %d: a stage has 1 to %d blocks", k - 1, g.ds[k],
            MAX_DEPTH)
    end
    if g.ws[k] < 1 or g.ws[k] > MAX_WIDTH then
      fail ("ws[%d] = %d: a stage is 1 to %d channels wide", k - 1, g.ws[k],
            MAX_WIDTH)
    end
    if g.ss[k] ~= 1 and g.ss[k] ~= 2 then
      fail ("ss[%d] = %d: a stage has stride 1 or 2", k - 1, g.ss[k])
    end
  end

  if bottleneck then
    g.bms, g.gs = { 1 }, { 1 }
    local b0, g0 = f.bot_muls[1], f.num_gs[1]
    if type (b0) ~= "number" or b0 < 0 then
      fail ("bot_muls[0] must be a number, 0 or more, not %s",
            tostring (b0))
    end
    if whole (f.num_gs, "num_gs", 1) < 1 then
      fail ("num_gs[0] must be 1 or more, not %s", tostring (g0))
    end
    for k = 2, n do
      local bm = f.bot_muls[k]
      if type (bm) ~= "number" or not (bm > 0) or bm > MAX_WIDTH then
        fail ("bot_muls[%d] = %s: a bottleneck multiplier is positive",
              k - 1, tostring (bm))
      end
      local wb = g.ws[k] * bm
      if wb ~= math.floor (wb) or wb < 1 or wb > MAX_WIDTH then
        fail ("bot_muls[%d] = %s: the bottleneck width ws[%d] * bot_muls"
              .. "[%d] = %s must be a whole number from 1 to %d", k - 1,
              tostring (bm), k - 1, k - 1, tostring (wb), MAX_WIDTH)
      end
      wb = math.tointeger (wb)
      local groups = whole (f.num_gs, "num_gs", k)
      if groups < 1 or wb % groups ~= 0 then
        fail ("num_gs[%d] = %d groups do not divide the bottleneck width "
              .. "%d (ws[%d] * bot_muls[%d])", k - 1, groups, wb, k - 1,
              k - 1)
      end
      -- a whole-valued multiplier reads the same as its integer
      g.bms[k] = math.tointeger (bm) or bm
      g.gs[k] = groups
    end
  end
  return g
end

-- The genome of an architecture string (either form); an error (one line,
-- no location) if it is malformed.
function anynet.parse (s)
  return check (parse_fields (s))
end

-- ------------------------------------------------------------------
-- writing
-- ------------------------------------------------------------------

-- an integer as such, another number in the fewest significant digits
-- that read back as the same double (as data/nds/anynet_arch.py does)
local function number (x)
  local int = math.tointeger (x)
  if int then return string.format ("%d", int) end
  if x == math.floor (x) and math.abs (x) < 2^53 then
    return string.format ("%d", math.tointeger (math.floor (x)))
  end
  for p = 1, 17 do
    local s = string.format ("%." .. p .. "g", x)
    if tonumber (s) == x then return s end
  end
  return string.format ("%.17g", x)
end

local function list (xs)
  local out = {}
  for k, x in ipairs (xs) do out[k] = number (x) end
  return "[" .. table.concat (out, ",") .. "]"
end

function anynet.encode (g)
  local s = string.format ("block_type=%s ds=%s ws=%s ss=%s", g.block,
                           list (g.ds), list (g.ws), list (g.ss))
  if g.block == "res_bottleneck_block" then
    s = s .. string.format (" bot_muls=%s num_gs=%s", list (g.bms),
                            list (g.gs))
  end
  return s
end

local function copy (g)
  local c = { block = g.block }
  for _, key in ipairs ({ "ds", "ws", "ss", "bms", "gs" }) do
    if g[key] then c[key] = table.move (g[key], 1, #g[key], 1, {}) end
  end
  return c
end

-- ------------------------------------------------------------------
-- the published network's size, for the spaces' complexity bound
-- ------------------------------------------------------------------

-- Parameters of the network as NDS trained it, with a classifier of
-- @classes (the same count `gennas space info` makes from the build).
function anynet.count_params (g, classes)
  local p = 0
  local w0 = g.ws[1]
  if g.ss[1] == 4 then
    p = 3 * w0 * 49 + 2 * w0
  else
    local h = w0 // 2
    p = 3 * h * 9 + 2 * h + h * w0 * 9 + 2 * w0 + w0 * w0 * 9 + 2 * w0
  end
  local prev = w0
  for k = 2, #g.ds do
    local w = g.ws[k]
    for b = 1, g.ds[k] do
      local w_in = b == 1 and prev or w
      local stride = b == 1 and g.ss[k] or 1
      if g.block == "double_plain_block" then
        p = p + w_in * w * 9 + w * w * 9 + 4 * w
      else
        if w_in ~= w or stride ~= 1 then p = p + w_in * w + 2 * w end
        if g.block == "res_basic_block" then
          p = p + w_in * w * 9 + w * w * 9 + 4 * w
        else
          local wb = math.tointeger (w * g.bms[k])
          p = p + w_in * wb + wb * wb * 9 // g.gs[k] + wb * w
                + 4 * wb + 2 * w
        end
      end
    end
    prev = w
  end
  return p + prev * classes + classes
end

-- ------------------------------------------------------------------
-- building
-- ------------------------------------------------------------------

local function conv_bn (net, x, out, k, stride, groups)
  local y = net:conv { x, out = out, k = k, stride = stride,
                       pad = (k - 1) // 2, groups = groups or 1,
                       bias = false, init = "normal_fan_out" }
  return net:bn (y)
end

-- One block; returns its output before the block's last ReLU.
local function block (net, kind, x, w_in, w_out, stride, wb, groups)
  if kind == "double_plain_block" then
    local y = net:relu (conv_bn (net, x, w_out, 3, stride))
    return conv_bn (net, y, w_out, 3, 1)
  end
  local skip = x
  if w_in ~= w_out or stride ~= 1 then
    skip = conv_bn (net, x, w_out, 1, stride)
  end
  local f
  if kind == "res_basic_block" then
    f = net:relu (conv_bn (net, x, w_out, 3, stride))
    f = conv_bn (net, f, w_out, 3, 1)
  else
    f = net:relu (conv_bn (net, x, wb, 1, 1))
    f = net:relu (conv_bn (net, f, wb, 3, stride, groups))
    f = conv_bn (net, f, w_out, 1, 1)
  end
  return net:add (skip, f)
end

-- A stage of @depth blocks; returns its output before the last ReLU.
local function stage (net, kind, x, w_in, w_out, stride, depth, wb, groups)
  for b = 1, depth do
    if b > 1 then x = net:relu (x) end
    x = block (net, kind, x, b == 1 and w_in or w_out, w_out,
               b == 1 and stride or 1, wb, groups)
  end
  return x
end

local function positive_integer (o, key)
  if math.type (o[key]) ~= "integer" or o[key] < 1 or o[key] > MAX_WIDTH then
    error (string.format ("option %s must be a whole number from 1 to %d",
                          key, MAX_WIDTH), 3)
  end
end

-- Builds the network of genome @g (docs at the top of this file).
function anynet.build (net, g, opts)
  local o = gennas.options (opts, { stem_w = 12, width_mult = 1,
                                    num_gs_as_width = false })
  positive_integer (o, "stem_w")
  if not (o.width_mult > 0 and o.width_mult <= 16) then
    error ("option width_mult must be a number above 0, at most 16", 2)
  end
  local kind, n = g.block, #g.ds - 1
  local published = opts.published
  local scale = published and 1 or o.width_mult

  -- a stage's width and its bottleneck's width and groups, scaled; a
  -- scaled bottleneck is a multiple of its groups
  local function widths (k)
    local w = math.max (1, math.floor (g.ws[k] * scale + 0.5))
    if kind ~= "res_bottleneck_block" then return w end
    local wb0 = math.tointeger (g.ws[k] * g.bms[k])
    local groups = g.gs[k]
    if k == 1 then wb0, groups = g.ws[1], 1 end   -- the proxy's s1
    if not published and o.num_gs_as_width then
      groups = k == 1 and wb0 or wb0 // g.gs[k]
      if groups < 1 then
        error (string.format ("num_gs_as_width: stage %d's bottleneck "
                              .. "(%d) is narrower than its group width "
                              .. "(%d)", k - 1, wb0, g.gs[k]), 0)
      end
    end
    local per = wb0 // groups * scale
    local wb = math.max (1, math.floor (per + 0.5)) * groups
    return w, wb, groups
  end

  local x = net:input ()
  local prev
  if published then
    local w0 = g.ws[1]
    if g.ss[1] == 4 then
      x = net:relu (conv_bn (net, x, w0, 7, 2))
      x = net:maxpool (x, { k = 3, stride = 2, pad = 1 })
    else
      x = net:relu (conv_bn (net, x, w0 // 2, 3, 2))
      x = net:relu (conv_bn (net, x, w0, 3, 2))
      x = net:relu (conv_bn (net, x, w0, 3, 2))
    end
    prev = w0
  else
    x = net:relu (conv_bn (net, x, o.stem_w, 3, 1))
    local w, wb, groups = widths (1)
    x = stage (net, kind, x, o.stem_w, w, 1, g.ds[1], wb, groups)
    x = net:relu (x)
    prev = w
  end

  for s = 1, n do
    local k = s + 1
    local w, wb, groups = widths (k)
    local stride = g.ss[k]
    if not published then stride = s > n - 2 and 2 or 1 end
    x = stage (net, kind, x, prev, w, stride, g.ds[k], wb, groups)
    if s > n - 3 then net:tap (x, "stage" .. (s - (n - 2))) end
    if s < n or opts.classifier then x = net:relu (x) end
    prev = w
  end
  if opts.classifier then
    net:tap (net:linear (net:gap (x), opts.num_classes), "logits")
  end
end

-- ------------------------------------------------------------------
-- a space: the value sets of NDS's definition
-- ------------------------------------------------------------------

local function member (set, v)
  for _, x in ipairs (set) do
    if x == v then return true end
  end
  return false
end

local function set_text (set)
  local out = {}
  for k, x in ipairs (set) do out[k] = number (x) end
  return table.concat (out, ", ")
end

-- anynet.space {
--   name, description, published, benchmark: as in any space table;
--   block_type = "res_bottleneck_block" | "res_basic_block" |
--                "double_plain_block",
--   stem_stride = 4 | 8,  stem_widths = { ... },
--   strides = { ... }     the stages' strides (their number: the stages),
--   depths, widths = { ... }   each stage's choices,
--   bot_muls, groups = { ... } (bottleneck blocks),
--   max_params = N        sample and mutate stay at or under N
--                         parameters as published (optional)
-- }
function anynet.space (spec)
  local bottleneck = spec.block_type == "res_bottleneck_block"
  local n = #spec.strides
  local classes = spec.published and spec.published.classes or 10
  local bound = spec.max_params

  -- genes: the stem's width if it varies, then per stage d, w (, b, g)
  local genes, slots = {}, {}
  local function gene (name, choices, field, k)
    genes[#genes + 1] = { name = name, choices = choices }
    slots[#slots + 1] = { field = field, k = k, choices = choices }
  end
  if #spec.stem_widths > 1 then gene ("w0", spec.stem_widths, "ws", 1) end
  for s = 1, n do
    gene ("d" .. s, spec.depths, "ds", s + 1)
    gene ("w" .. s, spec.widths, "ws", s + 1)
    if bottleneck then
      gene ("b" .. s, spec.bot_muls, "bms", s + 1)
      gene ("g" .. s, spec.groups, "gs", s + 1)
    end
  end

  local function valid (g)
    if g.block ~= spec.block_type then
      return false, "block_type " .. g.block .. " is not this space's ("
                    .. spec.block_type .. ")"
    end
    if #g.ds ~= n + 1 then
      return false, string.format ("%d stages; this space has %d after the "
                                   .. "stem", #g.ds - 1, n)
    end
    if g.ss[1] ~= spec.stem_stride then
      return false, string.format ("ss[0] = %d; this space's stem has "
                                   .. "stride %d", g.ss[1], spec.stem_stride)
    end
    if not member (spec.stem_widths, g.ws[1]) then
      return false, string.format ("ws[0] = %d is not one of this space's "
                                   .. "stem widths (%s)", g.ws[1],
                                   set_text (spec.stem_widths))
    end
    for s = 1, n do
      if g.ss[s + 1] ~= spec.strides[s] then
        return false, string.format ("ss = %s; this space's strides are %s",
                                     list (g.ss),
                                     list ({ spec.stem_stride,
                                             table.unpack (spec.strides) }))
      end
    end
    for _, slot in ipairs (slots) do
      local v = g[slot.field][slot.k]
      if not member (slot.choices, v) then
        local key = ({ ds = "ds", ws = "ws", bms = "bot_muls",
                       gs = "num_gs" })[slot.field]
        return false, string.format ("%s[%d] = %s is not one of this "
                                     .. "space's choices (%s)", key,
                                     slot.k - 1, number (v),
                                     set_text (slot.choices))
      end
    end
    return true
  end

  local function fits (g)
    return not bound or anynet.count_params (g, classes) <= bound
  end

  -- every choice of every gene's set is valid with every other (the
  -- spaces' groups divide their narrowest bottleneck); anything else
  -- would be the space file's mistake
  local function draw (rng)
    local g = { block = spec.block_type, ds = { 1 }, ws = { 0 },
                ss = { spec.stem_stride, table.unpack (spec.strides) } }
    if bottleneck then g.bms, g.gs = { 1 }, { 1 } end
    g.ws[1] = spec.stem_widths[1]
    for _, slot in ipairs (slots) do
      g[slot.field][slot.k] = rng:choice (slot.choices)
    end
    return g
  end

  local function sample (rng)
    for _ = 1, 10000 do
      local g = draw (rng)
      if fits (g) then return g end
    end
    error ("no architecture within max_params in 10000 draws", 0)
  end

  -- a uniformly drawn neighbour (one gene changed to another of its
  -- choices) within the bound, if the parent is
  local function mutate (g, rng, opts)
    gennas.options (opts, {})
    local bounded = fits (g)
    local near = {}
    for _, slot in ipairs (slots) do
      local old = g[slot.field][slot.k]
      for _, v in ipairs (slot.choices) do
        if v ~= old then
          g[slot.field][slot.k] = v
          if not bounded or fits (g) then
            near[#near + 1] = { slot = slot, v = v }
          end
        end
      end
      g[slot.field][slot.k] = old
    end
    if #near == 0 then
      error ("no neighbour within max_params", 0)
    end
    local pick = rng:choice (near)
    local child = copy (g)
    child[pick.slot.field][pick.slot.k] = pick.v
    return child
  end

  return {
    name = spec.name,
    description = spec.description,
    genome = { genes = genes, valid = valid },
    sample = sample,
    mutate = mutate,
    encode = anynet.encode,
    decode = anynet.parse,
    build = anynet.build,
    published = spec.published,
    benchmark = spec.benchmark,
    -- GenNAS's task for the family, CONF_RESNET, at batch 8
    proxy_defaults = { regression = { recipe = "resnet", batch = 8 } },
  }
end

return anynet
