-- task-cv.lua - the space of GenNAS's computer-vision proxy tasks: signal
-- recipes (docs/recipes.md) as `gennas task-search` evolves them.
--
-- An "architecture" of this space is a task, not a network: a regression
-- recipe made of GenNAS's genes (do_search.py / config_generator.py, §6 of
-- docs/method.md):
--
--   noise                     kind (gaussian, uniform) and level 0.0-0.9
--   channels of stage s       64 x {0.25, 0.5, 0.75, 1, 1.25, 1.5}
--   slot (stage s, signal t)  off, or on with its settings; t one of
--                             sin1d, sin2d, dot, resize, gdot
--     level    0.5, 0.6, ..., 2.9 (every kind)
--     sin1d, sin2d: a frequency range [lo, hi] from two U[0, 0.5) draws
--              (four decimals), and local (per sample) or global
--     dot, gdot: partial = k / 64 for k in 0..63 (GenNAS's shipped tasks
--              are multiples of 1/64; the pixels drawn are int(partial 64)
--              either way), and local or global
--
-- GenNAS draws ten frequencies at random inside a range; here, as in the
-- shipped recipes, they are spread evenly over it (linspace), so the range
-- is the gene.  A random task turns each slot on with probability 1/2;
-- mutation redraws each gene with probability 0.2 (GenNAS keeps each with
-- probability 0.8), a redrawn slot possibly turning off.  A task with no
-- signal at all in a stage is valid (its targets are zeros).
--
-- The canonical string, e.g.
--   noise=uniform:0.1;ch=1,0.75,0.25;s0=sin2d:1.1:0.0143:0.0229:L;
--   s1=sin1d:1.8:0.288:0.306:L,gdot:1.1:0.578125:G,resize:2.4;s2=-
-- (one line), lists the slots that are on in the order above; `genotype`
-- (gennas export-arch --format genotype) writes the task as a recipe
-- file, which is what `gennas task-search` saves and the regression
-- proxy's `recipe` parameter reads.  There is no `build`: a task is not a
-- network; the `task` proxy scores it by training networks of another
-- space on it.

local KINDS = { "sin1d", "sin2d", "dot", "resize", "gdot" }
local NOISE = { "gaussian", "uniform" }
local MULTS = { 0.25, 0.5, 0.75, 1, 1.25, 1.5 }
local BASE_CHANNELS = 64
local N_STAGES = 3
local MUTATE_P = 0.2

local KIND_OF = {}
for i, k in ipairs (KINDS) do KIND_OF[k] = i end

local function is_sin (kind) return kind == "sin1d" or kind == "sin2d" end
local function is_dot (kind) return kind == "dot" or kind == "gdot" end

-- the categorical genes, for `gennas space check` (the settings of a slot
-- that is on are continuous and not counted)
local genes = { { name = "noise", choices = {} } }
for _, kind in ipairs (NOISE) do
  for l = 0, 9 do
    table.insert (genes[1].choices, string.format ("%s:%.1f", kind, l / 10))
  end
end
for s = 0, N_STAGES - 1 do
  genes[#genes + 1] = { name = "ch" .. s, choices = MULTS }
end
for s = 0, N_STAGES - 1 do
  for _, kind in ipairs (KINDS) do
    genes[#genes + 1] = { name = "s" .. s .. "." .. kind,
                          choices = { "off", "on" } }
  end
end

-- -- drawing genes (GenNAS's generator) ---------------------------------

local function round4 (x) return math.floor (x * 10000 + 0.5) / 10000 end

local function draw_noise (rng)
  return { kind = rng:choice (NOISE), level = rng:int (0, 9) / 10 }
end

-- one slot: nil (off) with probability 1/2, else the kind's settings
local function draw_slot (rng, kind)
  if rng:uniform () < 0.5 then return nil end
  local slot = { kind = kind, level = rng:int (5, 29) / 10 }
  if is_sin (kind) then
    local a, b = round4 (rng:uniform () * 0.5), round4 (rng:uniform () * 0.5)
    if a >= 0.5 then a = 0.4999 end
    if b >= 0.5 then b = 0.4999 end
    slot.lo, slot.hi = math.min (a, b), math.max (a, b)
  elseif is_dot (kind) then
    slot.partial = rng:int (0, 63) / 64
  end
  if kind ~= "resize" then slot["local"] = rng:uniform () < 0.5 end
  return slot
end

local function sample (rng)
  local g = { noise = draw_noise (rng), mult = {}, slots = {} }
  for s = 1, N_STAGES do
    g.mult[s] = rng:choice (MULTS)
    g.slots[s] = {}
    for k, kind in ipairs (KINDS) do g.slots[s][k] = draw_slot (rng, kind) end
  end
  return g
end

-- -- the canonical string --------------------------------------------------

local function num (x)
  -- shortest form that reads back exactly for the values drawn above
  local s = string.format ("%.6f", x):gsub ("0+$", ""):gsub ("%.$", "")
  return s
end

local function encode_slot (slot)
  local f = { slot.kind, num (slot.level) }
  if is_sin (slot.kind) then
    f[#f + 1] = num (slot.lo)
    f[#f + 1] = num (slot.hi)
  elseif is_dot (slot.kind) then
    f[#f + 1] = num (slot.partial)
  end
  if slot.kind ~= "resize" then f[#f + 1] = slot["local"] and "L" or "G" end
  return table.concat (f, ":")
end

local function encode (g)
  local mult = {}
  for s = 1, N_STAGES do mult[s] = num (g.mult[s]) end
  local parts = { "noise=" .. g.noise.kind .. ":" .. num (g.noise.level),
                  "ch=" .. table.concat (mult, ",") }
  for s = 1, N_STAGES do
    local on = {}
    for k = 1, #KINDS do
      if g.slots[s][k] then on[#on + 1] = encode_slot (g.slots[s][k]) end
    end
    parts[#parts + 1] = "s" .. (s - 1) .. "=" ..
                        (#on > 0 and table.concat (on, ",") or "-")
  end
  return table.concat (parts, ";")
end

local function mutate (g, rng, opts)
  gennas.options (opts, {})
  local parent = encode (g)
  -- a child that redraws nothing, or redraws each gene as it was, is its
  -- parent: draw again
  repeat
    if rng:uniform () < MUTATE_P then g.noise = draw_noise (rng) end
    for s = 1, N_STAGES do
      if rng:uniform () < MUTATE_P then g.mult[s] = rng:choice (MULTS) end
      for k, kind in ipairs (KINDS) do
        if rng:uniform () < MUTATE_P then
          g.slots[s][k] = draw_slot (rng, kind)
        end
      end
    end
  until encode (g) ~= parent
  return g
end

local function number (text, what)
  local v = tonumber (text)
  if v == nil or v ~= v then error (what .. " '" .. tostring (text) ..
                                    "' is not a number", 0) end
  return v
end

local function decode_slot (text, s)
  local f = gennas.split (text, ":")
  local kind = f[1]
  if not KIND_OF[kind] then
    error (string.format ("stage %d: unknown signal '%s' (one of %s)", s - 1,
                          tostring (kind), table.concat (KINDS, ", ")), 0)
  end
  local want = is_sin (kind) and 5 or is_dot (kind) and 4 or 2
  if #f ~= want then
    error (string.format ("stage %d: '%s' needs %d fields, has %d", s - 1,
                          text, want, #f), 0)
  end
  local slot = { kind = kind, level = number (f[2], "level") }
  if is_sin (kind) then
    slot.lo, slot.hi = number (f[3], "frequency"), number (f[4], "frequency")
  elseif is_dot (kind) then
    slot.partial = number (f[3], "partial")
  end
  if kind ~= "resize" then
    if f[want] ~= "L" and f[want] ~= "G" then
      error (string.format ("stage %d: '%s' must end in L (local) or G "
                            .. "(global)", s - 1, text), 0)
    end
    slot["local"] = f[want] == "L"
  end
  return slot
end

local function decode (str)
  local parts = gennas.split (str, ";")
  if #parts ~= 2 + N_STAGES then
    error (string.format ("expected noise=..;ch=..;s0=..;s1=..;s2=.. (%d "
                          .. "fields joined by ';'), got %d fields",
                          2 + N_STAGES, #parts), 0)
  end
  local kind, level = parts[1]:match ("^noise=(%a+):([%d.]+)$")
  if not kind then error ("the first field must be noise=KIND:LEVEL", 0) end
  local g = { noise = { kind = kind, level = number (level, "noise level") },
              mult = {}, slots = {} }
  local mults = parts[2]:match ("^ch=(.*)$")
  if not mults then error ("the second field must be ch=M0,M1,M2", 0) end
  local m = gennas.split (mults, ",")
  if #m ~= N_STAGES then
    error (string.format ("ch= needs %d multipliers, has %d", N_STAGES, #m), 0)
  end
  for s = 1, N_STAGES do
    g.mult[s] = number (m[s], "channel multiplier")
    local body = parts[2 + s]:match ("^s" .. (s - 1) .. "=(.*)$")
    if not body then error ("field " .. (2 + s) .. " must be s" .. (s - 1)
                            .. "=...", 0) end
    g.slots[s] = {}
    if body ~= "-" then
      for _, text in ipairs (gennas.split (body, ",")) do
        local slot = decode_slot (text, s)
        local k = KIND_OF[slot.kind]
        if g.slots[s][k] then
          error (string.format ("stage %d lists %s twice", s - 1, slot.kind), 0)
        end
        g.slots[s][k] = slot
      end
    end
  end
  return g
end

local function member (v, list)
  for _, x in ipairs (list) do if x == v then return true end end
  return false
end

local function valid (g)
  if not member (g.noise.kind, NOISE) then
    return false, "noise must be gaussian or uniform"
  end
  if g.noise.level < 0 or g.noise.level > 0.9 then
    return false, "noise level must be in [0, 0.9]"
  end
  for s = 1, N_STAGES do
    if not member (g.mult[s], MULTS) then
      return false, string.format ("stage %d: channel multiplier %s is not "
                                   .. "one of 0.25, 0.5, ..., 1.5", s - 1,
                                   tostring (g.mult[s]))
    end
    for k = 1, #KINDS do
      local slot = g.slots[s][k]
      if slot then
        local where = string.format ("stage %d %s", s - 1, slot.kind)
        if slot.level < 0.5 or slot.level > 2.9 then
          return false, where .. ": level must be in [0.5, 2.9]"
        end
        if is_sin (slot.kind) and not (0 <= slot.lo and slot.lo <= slot.hi
                                       and slot.hi < 0.5) then
          return false, where .. ": frequencies must be 0 <= lo <= hi < 0.5"
        end
        if is_dot (slot.kind) and not (0 <= slot.partial
                                       and slot.partial < 1) then
          return false, where .. ": partial must be in [0, 1)"
        end
      end
    end
  end
  return true
end

-- -- the task as a recipe file -------------------------------------------

local function genotype (g)
  local out = {
    "-- a proxy task found by gennas task-search (spaces/task-cv.lua):",
    "--   " .. encode (g),
    "return {",
    "  name = \"task\",",
    string.format ("  noise = { kind = %q, level = %s },", g.noise.kind,
                   num (g.noise.level)),
    "  stages = {",
  }
  for s = 1, N_STAGES do
    out[#out + 1] = string.format ("    { channels = %d,",
                                   math.floor (BASE_CHANNELS * g.mult[s]))
    out[#out + 1] = "      signals = {"
    for k = 1, #KINDS do
      local slot = g.slots[s][k]
      if slot then
        local f = { string.format ("%q", slot.kind) }
        if is_sin (slot.kind) then
          f[#f + 1] = string.format ("freqs = linspace(%s, %s, 10)",
                                     num (slot.lo), num (slot.hi))
        elseif is_dot (slot.kind) then
          f[#f + 1] = "partial = " .. num (slot.partial)
        end
        f[#f + 1] = "level = " .. num (slot.level)
        if slot.kind ~= "resize" then
          f[#f + 1] = "per_sample = " .. tostring (slot["local"])
        end
        out[#out + 1] = "        { " .. table.concat (f, ", ") .. " },"
      end
    end
    out[#out + 1] = "      } },"
  end
  out[#out + 1] = "  },"
  out[#out + 1] = "}"
  return table.concat (out, "\n") .. "\n"
end

return {
  name = "task-cv",
  description = "GenNAS's computer-vision proxy tasks (signal recipes), "
                .. "for gennas task-search",
  genome = { genes = genes, valid = valid },
  sample = sample,
  mutate = mutate,
  encode = encode,
  decode = decode,
  genotype = genotype,
}
