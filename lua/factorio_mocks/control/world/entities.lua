-- Entities in the world: creating one (its place on the tile grid, its inventories) and
-- removing one.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local prototypes = require("factorio_mocks.control.prototypes")
local inventory = require("factorio_mocks.control.inventory")
local resolve = require("factorio_mocks.control.world.resolve")

local M = {}

local data = classes.data

local position_of, force_of, player_of = resolve.position_of, resolve.force_of, resolve.player_of

local has_health, max_health = prototypes.has_health, prototypes.max_health

-- Inventories an entity type has: its prototype's (prototypes.inventory_sizes).
local function entity_inventories(state, ed)
  return prototypes.inventory_sizes(state, ed.raw or {}, ed.type)
end

-- The tile grid: "When the tile width is odd, the center will be in the center of the tile,
-- when it is even, the center is on the tile transition" (EntityPrototype::tile_width, which
-- is "the collision box width rounded up" unless set; likewise tile_height). Entities flagged
-- placeable-off-grid (characters, vehicles, units, trees) and those without a collision box stay
-- where they are put; an entity turned east or west swaps its width and height.
local tile_size = prototypes.tile_size

local function snap_axis(v, size)
  if size <= 0 then return v end
  if size % 2 == 1 then return math.floor(v) + 0.5 end
  return math.floor(v + 0.5)
end

local function snapped(state, raw, pos, direction)
  for _, flag in ipairs(raw.flags or {}) do
    if flag == "placeable-off-grid" then return pos end
  end
  local dirs = state.env_defines.direction
  local w, h = tile_size(raw, direction == dirs.east or direction == dirs.west)
  return { x = snap_axis(pos.x, w), y = snap_axis(pos.y, h) }
end

--- Creates an entity on `surface_d`; `params` as LuaSurface.create_entity takes them.
local function create_entity(d, params, level)
  local state = d.state
  local proto = prototypes.get(state, "entity", params.name)
  if not proto then error("Unknown entity name: " .. tostring(params.name), level + 1) end
  local pd = data(proto)
  local pos = snapped(state, pd.raw, position_of(params.position, "create_entity", level + 1), params.direction or 0)
  local w = state.world
  local unit_number = w.next_unit_number
  w.next_unit_number = unit_number + 1
  -- QualityID: a name or a LuaQualityPrototype; "normal" unless given.
  local quality_name = params.quality or "normal"
  if classes.is_object(quality_name) then quality_name = quality_name.name end
  local quality = prototypes.get(state, "quality", quality_name)
  -- By analogy with the game's "Unknown entity name: …". A dataset without qualities (1.1)
  -- still creates entities; their quality is then an error to read.
  if not quality and params.quality ~= nil then error("Unknown quality name: " .. tostring(quality_name), level + 1) end
  local ed = {
    state = state, name = params.name, type = pd.raw.type, raw = pd.raw, proto = proto, quality = quality,
    position = pos, direction = params.direction or 0, surface = d.self,
    force = force_of(state, params.force or "neutral", level + 1),
    unit_number = unit_number, health = has_health(pd.raw) and max_health(pd.raw) or nil, inventories = {},
  }
  if params.player ~= nil then ed.last_user = player_of(state, params.player, level + 1) end
  local e = classes.new("LuaEntity", ed)
  for index, size in pairs(entity_inventories(state, ed)) do
    ed.inventories[index] = inventory.new(state, size, e, index)
  end
  d.entities[#d.entities + 1] = e
  w.entities[unit_number] = e
  local recipe_name = ed.type == "assembling-machine" and (pd.raw.fixed_recipe or params.recipe)
  if recipe_name then classes.impl("LuaEntity").call.set_recipe(ed, recipe_name) end
  if params.raise_built then
    script.raise(state, state.env_defines.events.script_raised_built, { entity = e })
  end
  return e
end
M.create_entity = create_entity

local function remove_entity(d)
  local list = data(d.surface).entities
  for i, e in ipairs(list) do
    if e == d.self then table.remove(list, i); break end
  end
  d.state.world.entities[d.unit_number] = nil
  for _, inv in pairs(d.inventories) do classes.invalidate(inv) end
  classes.invalidate(d.self)
  script.object_destroyed(d.state, d.self)
end

M.remove_entity = remove_entity

local function main_inventory(d)
  local inv = d.state.env_defines.inventory
  return d.inventories[inv.chest] or d.inventories[inv.character_main] or d.inventories[inv.car_trunk]
    or d.inventories[inv.cargo_wagon]
end

M.main_inventory = main_inventory

return M
