-- LuaInventory and LuaItemStack: slots with counts, stack sizes from the item prototypes, and
-- 2.0's shapes (get_contents → {{name, count, quality}}).

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

local inventory = classes.impl("LuaInventory")
function inventory.len(d) return d.size end
function inventory.index(d, key)
  if type(key) == "number" then
    if key < 1 or key > d.size or key % 1 ~= 0 then
      -- The game's words (a 2.0 crash report: LuaInventory's __index in an on_built_entity handler).
      error("Index out of inventory bounds.", 3)
    end
    return true, M.stack(d.self, key)
  end
  return false
end
function inventory.get.index(d) return d.index end
function inventory.get.mod_owner(d) return d.mod_owner end
-- Only script inventories (game.create_inventory) can be destroyed.
function inventory.call.destroy(d)
  -- Our words: the game's message for destroying an entity's or player's inventory was not found.
  if not d.mod_owner then error("not mocked: LuaInventory.destroy for an inventory not made by game.create_inventory", 2) end
  classes.invalidate(d.self)
end
function inventory.get.entity_owner(d)
  local od = data(d.owner)
  return od and od.class == "LuaEntity" and d.owner or nil
end
function inventory.get.player_owner(d)
  local od = data(d.owner)
  return od and od.class == "LuaPlayer" and d.owner or nil
end
function inventory.call.insert(d, items) return M.insert(d.self, items, 2) end
function inventory.call.remove(d, items) return M.remove(d.self, items, 2) end
function inventory.call.get_item_count(d, item) return M.count(d.self, item) end
function inventory.call.clear(d) M.clear(d.self) end
function inventory.call.is_empty(d) return M.is_empty(d.self) end
function inventory.call.is_full(d)
  for i = 1, d.size do
    local s = d.slots[i]
    if not s then return false end
  end
  return true
end
function inventory.call.get_contents(d)
  local totals, order = {}, {}
  for i = 1, d.size do
    local s = d.slots[i]
    if s then
      local key = s.name .. "\0" .. s.quality
      if not totals[key] then
        totals[key] = { name = s.name, count = 0, quality = s.quality }
        order[#order + 1] = key
      end
      totals[key].count = totals[key].count + s.count
    end
  end
  local out = {}
  for i, key in ipairs(order) do out[i] = totals[key] end
  return out
end
-- How many of `items` fit: empty slots take a full stack, matching stacks their remainder.
local function room_for(d, items)
  local name, _, quality, stack_size = item_of(d, items, 3)
  local room = 0
  for i = 1, d.size do
    local s = d.slots[i]
    if not s then room = room + stack_size
    elseif s.name == name and s.quality == quality then room = room + stack_size - s.count end
  end
  return room
end
function inventory.call.can_insert(d, items) return room_for(d, items) > 0 end
function inventory.call.get_insertable_count(d, items)
  local room = room_for(d, items) -- not a tail call: item_of's error level counts this frame
  return room
end
function inventory.call.find_item_stack(d, item)
  local name = type(item) == "table" and item.name or item
  for i = 1, d.size do
    local s = d.slots[i]
    if s and s.name == name then return M.stack(d.self, i), i end
  end
end
function inventory.call.find_empty_stack(d)
  for i = 1, d.size do
    if not d.slots[i] then return M.stack(d.self, i), i end
  end
end

local stack = classes.impl("LuaItemStack")
local function slot(d) return d.inventory.slots[d.slot] end
local function readable(d)
  local s = slot(d)
  -- The game's words (seen in mod logs).
  if not s then error("LuaItemStack API call when LuaItemStack was invalid for read.", 3) end
  return s
end
function stack.get.valid_for_read(d) return slot(d) ~= nil end
function stack.get.name(d) return readable(d).name end
function stack.get.count(d) return readable(d).count end
function stack.set.count(d, v)
  readable(d)
  if v <= 0 then d.inventory.slots[d.slot] = nil else slot(d).count = v end
end
function stack.get.quality(d) return prototypes.get(d.state, "quality", readable(d).quality) or readable(d).quality end
function stack.get.prototype(d) return prototypes.get(d.state, "item", readable(d).name) end
function stack.get.type(d) return data(stack.get.prototype(d)).raw.type end
function stack.call.clear(d) d.inventory.slots[d.slot] = nil end
function stack.call.set_stack(d, items)
  if items == nil then d.inventory.slots[d.slot] = nil; return true end
  local name, count, quality = item_of(d, items, 2)
  d.inventory.slots[d.slot] = { name = name, count = count, quality = quality }
  return true
end
function stack.call.can_set_stack(d, items) return items == nil or pcall(item_of, d, items, 1) end

return M
