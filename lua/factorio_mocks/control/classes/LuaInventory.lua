-- LuaInventory: slots with counts, stack sizes from the item prototypes, and 2.0's shapes
-- (get_contents → {{name, count, quality}}); the operations live in control/inventory.lua.

local classes = require("factorio_mocks.control.classes")
local inventories = require("factorio_mocks.control.inventory")

local data = classes.data

local inventory = classes.impl("LuaInventory")
function inventory.len(d) return d.size end
function inventory.index(d, key)
  if type(key) == "number" then
    if key < 1 or key > d.size or key % 1 ~= 0 then
      -- The game's words (a 2.0 crash report: LuaInventory's __index in an on_built_entity handler).
      error("Index out of inventory bounds.", 3)
    end
    return true, inventories.stack(d.self, key)
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
function inventory.call.insert(d, items) return inventories.insert(d.self, items, 2) end
function inventory.call.remove(d, items) return inventories.remove(d.self, items, 2) end
function inventory.call.get_item_count(d, item) return inventories.count(d.self, item) end
function inventory.call.clear(d) inventories.clear(d.self) end
function inventory.call.is_empty(d) return inventories.is_empty(d.self) end
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
  local name, _, quality, stack_size = inventories.item_of(d, items, 3)
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
  local room = room_for(d, items) -- not a tail call: inventories.item_of's error level counts this frame
  return room
end
function inventory.call.find_item_stack(d, item)
  local name = type(item) == "table" and item.name or item
  for i = 1, d.size do
    local s = d.slots[i]
    if s and s.name == name then return inventories.stack(d.self, i), i end
  end
end
function inventory.call.find_empty_stack(d)
  for i = 1, d.size do
    if not d.slots[i] then return inventories.stack(d.self, i), i end
  end
end
