-- pairs in a sorted key order (numbers, then strings, then the rest), for runs that must give the
-- same bytes every time: `factorio-mocks dataset build --reproducible` and
-- scripts/derive-data-raw.lua. The game's own pairs follow insertion order; plain Lua's do not.
--
--   pairs = require("factorio_mocks.sorted_pairs")(pairs)

local rank = { number = 1, string = 2, boolean = 3 }
local function before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return (rank[ta] or 9) < (rank[tb] or 9) end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

--- A pairs over what `plain_pairs` gives (__pairs included), in sorted key order; keys set to nil
--- during the loop are skipped, keys added during it are not visited.
return function(plain_pairs)
  return function(t)
    local keys = {}
    for k in plain_pairs(t) do keys[#keys + 1] = k end
    table.sort(keys, before)
    local i, meta = 0, getmetatable(t)
    local function step()
      i = i + 1
      local k = keys[i]
      if k == nil then return nil end
      local v
      if meta then v = t[k] else v = rawget(t, k) end
      if v == nil then return step() end
      return k, v
    end
    return step, t, nil
  end
end
