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

-- is_blueprint, is_item_with_tags, …: where the item's type sits among the item prototypes
-- (their parents in the prototype API, the same in 2.0.77 and 2.1.9: ItemWithLabel is the parent
-- of item-with-inventory, item-with-tags and selection-tool; SelectionTool of blueprint,
-- copy-paste-tool, deconstruction-item, spidertron-remote and upgrade-item; Tool of armor and
-- repair-tool; ItemWithInventory of blueprint-book).
local SELECTION_TOOLS = { "selection-tool", "blueprint", "copy-paste-tool", "deconstruction-item", "spidertron-remote",
  "upgrade-item" }
local KINDS = {
  is_ammo = { "ammo" },
  is_armor = { "armor" },
  is_blueprint = { "blueprint" },
  is_blueprint_book = { "blueprint-book" },
  is_deconstruction_item = { "deconstruction-item" },
  is_item_with_entity_data = { "item-with-entity-data" },
  is_item_with_inventory = { "item-with-inventory", "blueprint-book" },
  is_item_with_label = { "item-with-label", "item-with-inventory", "blueprint-book", "item-with-tags",
    classes.unpack(SELECTION_TOOLS) },
  is_item_with_tags = { "item-with-tags" },
  is_repair_tool = { "repair-tool" },
  is_selection_tool = SELECTION_TOOLS,
  is_tool = { "tool", "armor", "repair-tool" },
  is_upgrade_item = { "upgrade-item" },
}
for member, types in pairs(KINDS) do
  local set = {}
  for _, t in ipairs(types) do set[t] = true end
  stack.get[member] = function(d) readable(d); return set[stack.get.type(d)] == true end
end
