-- LuaCustomTable: the game's dictionary-like tables (classes.custom_table makes them).

local classes = require("factorio_mocks.control.classes")

local custom = classes.impl("LuaCustomTable")
function custom.index(d, key)
  local v = d.lookup(key)
  if v ~= nil then return true, v end
  return true, nil
end
-- Writable custom tables (mod settings) give `assign(key, value, level)`; level 3 blames the
-- code that wrote (assign < custom.newindex < the __newindex metamethod < caller).
function custom.newindex(d, key, value)
  if not d.assign then
    -- Our words: the game's message for writing to a read-only LuaCustomTable was not found.
    error("LuaCustomTable is read only: can't set " .. tostring(key) .. ".", 3)
  end
  d.assign(key, value, 3)
end
function custom.len(d) return #d.keys() end
function custom.pairs(d)
  local keys, i = d.keys(), 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, d.lookup(k) end
  end
end
