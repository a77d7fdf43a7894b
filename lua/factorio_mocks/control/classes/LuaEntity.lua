-- LuaEntity: the members of an entity in the world (creating one: control/world/entities.lua).

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local prototypes = require("factorio_mocks.control.prototypes")
local inventory = require("factorio_mocks.control.inventory")
local world = require("factorio_mocks.control.world")
local resolve = require("factorio_mocks.control.world.resolve")
local search = require("factorio_mocks.control.world.search")
local entities = require("factorio_mocks.control.world.entities")

local data = classes.data

local position_of, force_of, surface_of, player_of = resolve.position_of, resolve.force_of, resolve.surface_of, resolve.player_of

local max_health, has_flag = prototypes.max_health, prototypes.has_flag

local entity_box = search.entity_box

local remove_entity, main_inventory = entities.remove_entity, entities.main_inventory

local force_recipe = world.force_recipe

local inventory_contents = inventory.contents

local MODULE_INVENTORY = prototypes.MODULE_INVENTORY

local entity = classes.impl("LuaEntity")
function entity.get.name(d) return d.name end
function entity.get.type(d) return d.type end
function entity.get.unit_number(d) return d.unit_number end
function entity.get.position(d) return { x = d.position.x, y = d.position.y } end
function entity.get.direction(d) return d.direction end
function entity.set.direction(d, v) d.direction = v end
function entity.get.force(d) return d.force end
function entity.set.force(d, v) d.force = force_of(d.state, v, 3) end
function entity.get.surface(d) return d.surface end
function entity.get.surface_index(d) return data(d.surface).index end
function entity.get.prototype(d) return d.proto end
function entity.get.quality(d)
  if not d.quality then error("LuaEntity.quality: the dataset has no quality prototype 'normal'", 2) end
  return d.quality
end
function entity.get.health(d) return d.health end
function entity.set.health(d, v)
  if d.health == nil then return end   -- "the current health of the entity, if any"
  d.health = math.max(0, math.min(v, max_health(d.raw)))
end
function entity.get.max_health(d) return max_health(d.raw) end
function entity.get.localised_name(d) return d.proto.localised_name end
function entity.get.player(d) return d.player end
function entity.get.bounding_box(d)
  local lt, rb = entity_box(d)
  return { left_top = lt, right_bottom = rb }
end

-- Flags every entity starts with; written values read back (classes keeps them).
local ENTITY_FLAGS = { active = true, destructible = true, operable = true, minable_flag = true,
  disabled_by_script = false, energy = 0 }
function entity.attribute(d, key)
  if ENTITY_FLAGS[key] ~= nil then return true, ENTITY_FLAGS[key] end
  return false
end

-- "Entities that are not rotatable naturally (like chest or furnace) can't be set to be
-- rotatable": chests read false whatever is written. Other types follow the prototype's
-- not-rotatable flag until a mod writes the attribute.
local NO_DIRECTION = { container = true, ["logistic-container"] = true, ["infinity-container"] = true,
  ["temporary-container"] = true }
function entity.get.rotatable(d)
  if NO_DIRECTION[d.type] then return false end
  if d.rotatable ~= nil then return d.rotatable end
  return not has_flag(d, "not-rotatable")
end
function entity.set.rotatable(d, v) d.rotatable = v end

-- minable "takes into account minable_flag"; writing it "will result in write to
-- minable_flag instead" (deprecated since 2.0.26).
function entity.get.minable(d) return d.self.minable_flag end
function entity.set.minable(d, v) d.self.minable_flag = v end
-- last_user: the player who built it (fm.build, create_entity{player = …}), nil otherwise.
function entity.get.last_user(d) return d.last_user end
function entity.set.last_user(d, v) d.last_user = v and player_of(d.state, v, 3) or nil end
function entity.call.get_health_ratio(d)
  if d.health == nil then return nil end   -- "nil if this entity doesn't have health"
  return d.health / max_health(d.raw)
end

function entity.call.teleport(d, position, surface_arg, raise_teleported)
  local pos = position
  if type(position) == "number" then pos = { x = d.position.x + position, y = d.position.y + surface_arg }; surface_arg = nil end
  pos = position_of(pos, "teleport", 2)
  local old_surface, old_position = d.surface, d.position
  if surface_arg ~= nil then
    local s = surface_of(d.state, surface_arg, 2)
    if s ~= d.surface then
      local from = data(d.surface).entities
      for i, e in ipairs(from) do if e == d.self then table.remove(from, i); break end end
      local to = data(s).entities
      to[#to + 1] = d.self
      d.surface = s
    end
  end
  d.position = pos
  if d.player then data(d.player).position = nil end
  if raise_teleported then
    script.raise(d.state, d.state.env_defines.events.script_raised_teleported, { entity = d.self,
      old_surface_index = data(old_surface).index, old_position = { x = old_position.x, y = old_position.y } })
  end
  return true
end

function entity.call.destroy(d, opts)
  if opts and opts.raise_destroy then
    script.raise(d.state, d.state.env_defines.events.script_raised_destroy, { entity = d.self })
  end
  remove_entity(d)
  return true
end

function entity.call.die(d, force_arg, cause)
  local events = d.state.env_defines.events
  script.raise(d.state, events.on_entity_died, { entity = d.self, force = force_arg and force_of(d.state, force_arg, 2), cause = cause })
  remove_entity(d)
  return true
end

-- The types the R key turns a quarter turn (4 of the 16 directions) in 2.0. Others are left
-- out rather than guessed: an underground belt or a loader swaps input and output instead,
-- and whether a machine turns depends on its fluid boxes.
local QUARTER_TURNS = {
  ["transport-belt"] = true, inserter = true, ["pipe-to-ground"] = true, pump = true,
  ["arithmetic-combinator"] = true, ["decider-combinator"] = true, ["selector-combinator"] = true,
  ["constant-combinator"] = true,
}

function entity.call.rotate(d, params)
  params = params or {}
  if not QUARTER_TURNS[d.type] then error(("not mocked: LuaEntity.rotate for entities of type %s"):format(d.type), 2) end
  if not d.self.rotatable then return false end
  local previous = d.direction
  d.direction = (previous + (params.reverse and 12 or 4)) % 16
  if params.by_player ~= nil then
    local p = player_of(d.state, params.by_player, 2)
    script.raise(d.state, d.state.env_defines.events.on_player_rotated_entity,
      { entity = d.self, previous_direction = previous, player_index = data(p).index })
  end
  return true
end

-- Deconstruction orders: a mark, its events and last_user. No robots come: the mark stays
-- until cancelled or the entity goes.
function entity.call.order_deconstruction(d, force_arg, player_arg)
  force_of(d.state, force_arg, 2)
  if not d.self.minable or has_flag(d, "not-deconstructable") then return false end
  local p = player_arg ~= nil and player_of(d.state, player_arg, 2) or nil
  if p then d.last_user = p end
  -- A second order leaves the mark as it is; whether the game raises the event again was
  -- not found, so it is raised once.
  if d.to_be_deconstructed then return true end
  d.to_be_deconstructed = true
  script.raise(d.state, d.state.env_defines.events.on_marked_for_deconstruction,
    { entity = d.self, player_index = p and data(p).index })
  return true
end

function entity.call.cancel_deconstruction(d, force_arg, player_arg)
  force_of(d.state, force_arg, 2)
  local p = player_arg ~= nil and player_of(d.state, player_arg, 2) or nil
  if not d.to_be_deconstructed then return end   -- "does nothing otherwise"
  d.to_be_deconstructed = nil
  if p then d.last_user = p end
  script.raise(d.state, d.state.env_defines.events.on_cancelled_deconstruction,
    { entity = d.self, player_index = p and data(p).index })
end

function entity.call.to_be_deconstructed(d) return d.to_be_deconstructed == true end

function entity.call.get_inventory(d, index)
  if type(index) ~= "number" then error("bad argument #1 (inventory) to 'LuaEntity.get_inventory' (number expected, got " .. type(index) .. ")", 2) end
  return d.inventories[index]
end

-- Crafting machines: the recipe sizes the input and output inventories, as in the game.
local function resize_crafter(d, recipe_proto)
  local inv = d.state.env_defines.inventory
  local removed = {}
  for _, index in ipairs({ inv.crafter_input, inv.crafter_output }) do
    local old = d.inventories[index]
    if old then
      for _, item in ipairs(inventory_contents(old)) do removed[#removed + 1] = item end
      classes.invalidate(old)
    end
  end
  local function count_items(list)
    local n = 0
    for _, x in ipairs(list) do if x.type == "item" then n = n + 1 end end
    return n
  end
  local inputs = recipe_proto and count_items(recipe_proto.ingredients) or 0
  local outputs = recipe_proto and count_items(recipe_proto.products) or 0
  d.inventories[inv.crafter_input] = inventory.new(d.state, inputs, d.self, inv.crafter_input)
  d.inventories[inv.crafter_output] = inventory.new(d.state, outputs, d.self, inv.crafter_output)
  return removed
end

function entity.call.set_recipe(d, recipe_arg, quality)
  if d.type ~= "assembling-machine" then
    error(("not mocked: LuaEntity.set_recipe for entities of type %s"):format(d.type), 2)
  end
  if recipe_arg == nil then
    d.recipe = nil
    return resize_crafter(d, nil)
  end
  local rd = data(recipe_arg)
  local name = rd and rd.name or recipe_arg
  local proto = prototypes.get(d.state, "recipe", name)
  -- By analogy with the game's "Unknown entity name: …".
  if not proto then error("Unknown recipe name: " .. tostring(name), 2) end
  local category = data(proto).raw.category or "crafting"
  local allowed = false
  for _, c in ipairs(d.raw.crafting_categories or {}) do if c == category then allowed = true end end
  if not allowed then
    -- Our words: the game's message was not found.
    error(("Recipe %s (category %s) can't be crafted in %s"):format(name, category, d.name), 2)
  end
  d.recipe, d.recipe_quality = name, quality or "normal"
  return resize_crafter(d, proto)
end

function entity.call.get_recipe(d)
  if d.type ~= "assembling-machine" and d.type ~= "furnace" and d.type ~= "rocket-silo" then
    error(("not mocked: LuaEntity.get_recipe for entities of type %s"):format(d.type), 2)
  end
  if not d.recipe then return nil end
  return force_recipe(data(d.force), d.recipe), prototypes.get(d.state, "quality", d.recipe_quality) or d.recipe_quality
end

function entity.call.get_main_inventory(d) return main_inventory(d) end
-- The inventory getters name the one inventory of that role the entity type has (nil if none).
local function first_inventory(d, names)
  local inv = d.state.env_defines.inventory
  for _, name in ipairs(names) do
    local found = inv[name] and d.inventories[inv[name]]
    if found then return found end
  end
end
function entity.call.get_fuel_inventory(d) return first_inventory(d, { "fuel" }) end
function entity.call.get_burnt_result_inventory(d) return first_inventory(d, { "burnt_result" }) end
function entity.call.get_output_inventory(d)
  return first_inventory(d, { "crafter_output", "chest", "car_trunk", "cargo_wagon" })
end

function entity.call.get_module_inventory(d)
  local name = MODULE_INVENTORY[d.type]
  return name and first_inventory(d, { name }) or nil
end

local function need_inventory(d, what)
  local inv = main_inventory(d)
  if not inv then error(("not mocked: LuaEntity.%s for entities of type %s"):format(what, d.type), 3) end
  return inv
end
function entity.call.insert(d, items) return inventory.insert(need_inventory(d, "insert"), items, 3) end
function entity.call.remove_item(d, items) return inventory.remove(need_inventory(d, "remove_item"), items, 3) end
function entity.call.get_item_count(d, item)
  local total = 0
  for _, inv in pairs(d.inventories) do total = total + inventory.count(inv, item) end
  return total
end
function entity.call.clear_items_inside(d)
  for _, inv in pairs(d.inventories) do inventory.clear(inv) end
end
function entity.call.has_items_inside(d)
  for _, inv in pairs(d.inventories) do if not inventory.is_empty(inv) then return true end end
  return false
end
