-- LuaItemStack: a slot of an inventory.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")
local inventories = require("factorio_mocks.control.inventory")

local data = classes.data

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
  local name, count, quality = inventories.item_of(d, items, 2)
  d.inventory.slots[d.slot] = { name = name, count = count, quality = quality }
  return true
end
function stack.call.can_set_stack(d, items) return items == nil or pcall(inventories.item_of, d, items, 1) end
