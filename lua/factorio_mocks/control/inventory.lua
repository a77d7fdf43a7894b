-- Inventories and their stacks: slots with counts, stack sizes from the item prototypes. The
-- classes' members: control/classes/LuaInventory.lua and LuaItemStack.lua.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")

local M = {}

local data = classes.data

-- The stacks of an inventory go with it (an event's temporary inventory, a destroyed chest).
local function invalidate_stacks(d)
  for _, s in pairs(d.stacks) do classes.invalidate(s) end
end

function M.new(state, size, owner, index)
  return classes.new("LuaInventory", { state = state, size = size, slots = {}, owner = owner, index = index, stacks = {},
    on_invalidate = invalidate_stacks })
end

-- ItemStackIdentification: "name" or {name = …, count = …, quality = …}.
local function item_of(d, items, level)
  local name, count, quality
  if type(items) == "string" then
    name, count = items, 1
  elseif type(items) == "table" and not classes.is_object(items) then
    name, count, quality = items.name, items.count or 1, items.quality
  else
    error("ItemStackIdentification expected (an item name or {name = …, count = …}), got " .. type(items), level + 1)
  end
  if type(quality) == "table" or classes.is_object(quality) then quality = quality.name end
  local proto = prototypes.get(d.state, "item", name)
  -- The game's words (2.0 crash reports from LuaInventory.insert and get_item_count).
  if not proto then error("Unknown item name: " .. tostring(name), level + 1) end
  return name, count, quality or "normal", data(proto).raw.stack_size or 1
end

M.item_of = item_of

function M.insert(inv, items, level)
  local d = data(inv)
  local name, count, quality, stack_size = item_of(d, items, level + 1)
  local left = count
  for i = 1, d.size do
    local s = d.slots[i]
    if left > 0 and s and s.name == name and s.quality == quality and s.count < stack_size then
      local n = math.min(stack_size - s.count, left)
      s.count, left = s.count + n, left - n
    end
  end
  for i = 1, d.size do
    if left <= 0 then break end
    if not d.slots[i] then
      local n = math.min(stack_size, left)
      d.slots[i] = { name = name, count = n, quality = quality }
      left = left - n
    end
  end
  return count - left
end

function M.remove(inv, items, level)
  local d = data(inv)
  local name, count, quality = item_of(d, items, level + 1)
  local left = count
  for i = d.size, 1, -1 do
    local s = d.slots[i]
    if left > 0 and s and s.name == name and s.quality == quality then
      local n = math.min(s.count, left)
      s.count, left = s.count - n, left - n
      if s.count == 0 then d.slots[i] = nil end
    end
  end
  return count - left
end

function M.count(inv, item)
  local d = data(inv)
  local name = type(item) == "table" and item.name or item
  local total = 0
  for i = 1, d.size do
    local s = d.slots[i]
    if s and (name == nil or s.name == name) then total = total + s.count end
  end
  return total
end

function M.clear(inv) data(inv).slots = {} end

function M.is_empty(inv)
  local d = data(inv)
  for i = 1, d.size do if d.slots[i] then return false end end
  return true
end

function M.stack(inv, i)
  local d = data(inv)
  local s = d.stacks[i]
  if not s then
    s = classes.new("LuaItemStack", { state = d.state, inventory = d, slot = i })
    d.stacks[i] = s
  end
  return s
end

-- An inventory's contents in 2.0's shape ({{name, count, quality}}), as LuaInventory.get_contents.

function M.contents(inv)
  return classes.impl("LuaInventory").call.get_contents(data(inv))
end

return M
