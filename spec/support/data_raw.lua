-- Comparing data.raw tables in specs: the first difference between two values, and the game's
-- order-dependent parts made comparable. One place for the specs that check a data stage's
-- result against a built-in data.raw (builtin_datasets_spec, game_data_spec).
local M = {}

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

-- The first difference between two values, or nil; numbers to 1e-9 relative (the game's JSON
-- writer rounds to 14 digits).
local function deep_difference(expected, got, path)
  if type(expected) ~= type(got) then return ("%s: expected %s, got %s"):format(path, show(expected), show(got)) end
  if type(expected) == "number" then
    if expected == got or (expected ~= expected and got ~= got) then return nil end
    if math.abs(expected - got) <= 1e-9 * math.max(1, math.abs(expected)) then return nil end
    return ("%s: expected %s, got %s"):format(path, show(expected), show(got))
  end
  if type(expected) ~= "table" then
    if expected ~= got then return ("%s: expected %s, got %s"):format(path, show(expected), show(got)) end
    return nil
  end
  for _, k in ipairs(sorted_keys(expected)) do
    local d = deep_difference(expected[k], got[k], path .. "." .. tostring(k))
    if d then return d end
  end
  for _, k in ipairs(sorted_keys(got)) do
    if expected[k] == nil then return ("%s.%s: expected nil, got %s"):format(path, tostring(k), show(got[k])) end
  end
  return nil
end

-- base's data-updates.lua adds the barrel recipes to `fluid-handling` in `pairs(data.raw.fluid)`
-- order; the game's pairs order is its own (and the script's is sorted), so effects compare as a set.
local function effects_as_set(proto)
  if type(proto) ~= "table" or proto.type ~= "technology" or type(proto.effects) ~= "table" then return proto end
  local copy = {}
  for k, v in pairs(proto) do copy[k] = v end
  local effects = {}
  for i, e in ipairs(proto.effects) do effects[i] = e end
  local function key(e) return tostring(e.type) .. "|" .. tostring(e.recipe or e.modifier or "") end
  table.sort(effects, function(a, b) return key(a) < key(b) end)
  copy.effects = effects
  return copy
end

M.sorted_keys, M.show, M.deep_difference, M.effects_as_set = sorted_keys, show, deep_difference, effects_as_set
return M
