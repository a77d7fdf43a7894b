-- LuaEntityPrototype: flags, items to place, mining, inventories, fluid capacity, tiles, health,
-- an inserter's attributes.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")

local defaults = prototypes.defaults

local max_health = prototypes.max_health

local entity = classes.impl("LuaEntityPrototype")

function entity.get.flags(d) return prototypes.flags(d) end

function entity.call.has_flag(d, flag) return prototypes.has_flag(d, flag) end

function entity.get.items_to_place_this(d) return prototypes.items_to_place(d.state, d.raw) end
function entity.get.mineable_properties(d)
  local m = d.raw.minable
  if not m then return { minable = false } end
  local products = m.results or (m.result and { { type = "item", name = m.result, amount = m.count or 1 } }) or {}
  return { minable = true, mining_time = m.mining_time, products = products }
end

-- "The base size of the given inventory", nil where the entity has none; a quality's size
-- (quality_affects_inventory_size) is not mocked.
local function normal_quality(d, member, quality)
  local name = classes.is_object(quality) and quality.name or quality
  if name ~= nil and name ~= "normal" then
    error("not mocked: LuaEntityPrototype." .. member .. " of a quality other than normal", 3)
  end
end
function entity.call.get_inventory_size(d, index, quality)
  normal_quality(d, "get_inventory_size", quality)
  return prototypes.inventory_sizes(d.state, d.raw, d.raw.type)[index]
end
-- "The fluid capacity of this entity or 0 if this entity doesn't support fluids. Crafting machines
-- will report 0": a fluid wagon's capacity, else the volumes of the entity's fluid boxes.
local FLUID_BOXES = prototypes.split(defaults.fluid_boxes)
local function fluid_capacity(d)
  if d.raw.type == "fluid-wagon" then return d.raw.capacity or 0 end
  if prototypes.descends(d.raw.type, "CraftingMachinePrototype") then return 0 end
  local total = 0
  for _, key in ipairs(FLUID_BOXES) do
    local box = d.raw[key]
    if type(box) == "table" then total = total + (box.volume or 0) end
  end
  return total
end
entity.get.fluid_capacity = fluid_capacity
function entity.call.get_fluid_capacity(d, quality)
  normal_quality(d, "get_fluid_capacity", quality)
  return fluid_capacity(d)
end

function entity.get.tile_width(d) return (prototypes.tile_size(d.raw)) end
function entity.get.tile_height(d) return select(2, prototypes.tile_size(d.raw)) end

-- An inserter's attributes: InserterPrototype's properties under other names (nil for other
-- entities). Vectors come in the array format the game provides.
local INSERTER = {
  inserter_pickup_position = "pickup_position", inserter_drop_position = "insert_position",
  inserter_chases_belt_items = "chases_belt_items", inserter_max_belt_stack_size = "max_belt_stack_size",
  inserter_stack_size_bonus = "stack_size_bonus",
}
for attr, key in pairs(INSERTER) do
  entity.get[attr] = function(d)
    if d.raw.type ~= "inserter" then return nil end
    local v = prototypes.property(d.raw, key)
    if type(v) == "table" then return { v.x or v[1], v.y or v[2] } end
    return v
  end
end

-- LuaEntityPrototype.get_max_health(quality): how quality scales health is not modelled.
entity.call.get_max_health = function(d, quality)
  local name = classes.is_object(quality) and quality.name or quality
  if name ~= nil and name ~= "normal" then
    error("not mocked: LuaEntityPrototype.get_max_health for quality " .. tostring(name), 2)
  end
  return max_health(d.raw)
end
