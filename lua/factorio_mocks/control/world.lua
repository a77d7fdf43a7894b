-- The world: game, players, forces, surfaces and entities, built on the generated classes and on
-- the dataset's prototypes. No simulation (crafting, belts, power, fluids, combat): those members
-- fail with `not mocked: …`.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local shims = require("factorio_mocks.control.shims")
local prototypes = require("factorio_mocks.control.prototypes")
local inventory = require("factorio_mocks.control.inventory")

local M = {}

local data = classes.data

local function inventory_contents(inv)
  return classes.impl("LuaInventory").call.get_contents(data(inv))
end

local function position_of(p, what, level)
  if type(p) ~= "table" then error(("%s: MapPosition expected, got %s"):format(what, type(p)), level + 1) end
  local x, y = p.x or p[1], p.y or p[2]
  if type(x) ~= "number" or type(y) ~= "number" then
    error(what .. ": MapPosition expected ({x = …, y = …} or {x, y})", level + 1)
  end
  return { x = x, y = y }
end
M.position_of = position_of

local function area_of(a)
  local lt, rb = a.left_top or a[1], a.right_bottom or a[2]
  local p1, p2 = position_of(lt, "area", 3), position_of(rb, "area", 3)
  return p1, p2
end

-- Resolves a ForceID (name, index or LuaForce) to the force object.
local function force_of(state, force, level)
  if force == nil then return nil end
  local fd = data(force)
  if fd and fd.class == "LuaForce" then return force end
  local found = state.world.forces[force] or (type(force) == "number" and state.world.force_list[force])
  if not found then error("Invalid force: " .. tostring(force), level + 1) end
  return found
end
M.force_of = force_of

local function surface_of(state, surface, level)
  local sd = data(surface)
  if sd and sd.class == "LuaSurface" then return surface end
  local found = state.world.surfaces[surface] or (type(surface) == "number" and state.world.surface_list[surface])
  if not found then error("Invalid surface: " .. tostring(surface), level + 1) end
  return found
end
M.surface_of = surface_of

local function player_of(state, player, level)
  local pd = data(player)
  if pd and pd.class == "LuaPlayer" then return player end
  local found = type(player) == "number" and state.world.players[player] or state.world.players_by_name[player]
  if not found then error("Invalid player: " .. tostring(player), level + 1) end
  return found
end
M.player_of = player_of

-- Forces -------------------------------------------------------------------------------------------

local function new_force(state, name)
  local w = state.world
  local index = #w.force_list + 1
  local force = classes.new("LuaForce", { state = state, name = name, index = index, evolution = {}, recipes = {}, technologies = {},
    research_queue = {} })
  w.forces[name] = force
  w.force_list[index] = force
  return force
end

-- Connected players only: a print reaches the consoles of players in the game.
local function connected(list, keep)
  local out = {}
  for _, p in ipairs(list) do
    local pd = data(p)
    if pd.connected and (keep == nil or keep(pd)) then out[#out + 1] = p end
  end
  return out
end
M.connected = connected

local force = classes.impl("LuaForce")
function force.get.name(d) return d.name end
function force.get.index(d) return d.index end
function force.get.players(d)
  local list = {}
  for _, p in ipairs(d.state.world.player_list) do
    if data(p).force == d.self then list[#list + 1] = p end
  end
  return list
end
function force.get.connected_players(d) return connected(force.get.players(d)) end

function force.call.print(d, message, print_settings)
  shims.print_to(d.state, "force", message, "en", connected(d.state.world.player_list, function(pd) return pd.force == d.self end),
    print_settings, "LuaForce.print")
end

-- The force's bonuses and modifiers start at 0 on a new map; what a mod writes reads back
-- (classes keeps written values), so only the first read needs this.
function force.attribute(d, key, r)
  if r.mode == "rw" and (key:find("_modifier$") or key:find("_bonus$")) and classes.check_type(0, r.type) == nil then
    return true, 0
  end
  return false
end

local function force_recipe(d, name)
  local r = d.recipes[name]
  if r == nil then
    local proto = prototypes.get(d.state, "recipe", name)
    if not proto then return nil end
    local raw = data(proto).raw
    r = classes.new("LuaRecipe", { state = d.state, force = d.self, name = name, proto = proto, raw = raw,
      enabled = raw.enabled ~= false })
    d.recipes[name] = r
  end
  return r
end
function force.get.recipes(d)
  if not d.recipe_table then
    d.recipe_table = classes.custom_table(function(name) return force_recipe(d, name) end,
      function() return prototypes.family_raw(d.state, "recipe").names end)
  end
  return d.recipe_table
end

local function force_technology(d, name)
  local t = d.technologies[name]
  if t == nil then
    local proto = prototypes.get(d.state, "technology", name)
    if not proto then return nil end
    local raw = data(proto).raw
    t = classes.new("LuaTechnology", { state = d.state, force = d.self, name = name, proto = proto, raw = raw,
      enabled = raw.enabled ~= false, researched = false, progress = 0 })
    d.technologies[name] = t
  end
  return t
end
function force.get.technologies(d)
  if not d.technology_table then
    d.technology_table = classes.custom_table(function(name) return force_technology(d, name) end,
      function() return prototypes.family_raw(d.state, "technology").names end)
  end
  return d.technology_table
end
function force.get.current_research(d) return d.research_queue[1] end
function force.get.research_queue(d)
  local q = {}
  for i, t in ipairs(d.research_queue) do q[i] = t end
  return q
end
function force.set.research_queue(d, queue)
  local q = {}
  for i, t in ipairs(queue or {}) do
    q[i] = type(t) == "string" and force_technology(d, t) or t
    if not q[i] then error("Unknown technology name: " .. tostring(t), 2) end
  end
  d.research_queue = q
end
function force.call.add_research(d, tech)
  local t = type(tech) == "string" and force_technology(d, tech) or tech
  if not t then error("Unknown technology name: " .. tostring(tech), 2) end
  if data(t).researched then return false end
  d.research_queue[#d.research_queue + 1] = t
  return true
end
function force.call.cancel_current_research(d) table.remove(d.research_queue, 1) end
function force.call.get_evolution_factor(d, surface)
  local s = surface_of(d.state, surface or 1, 2)
  return d.evolution[data(s).index] or 0
end
function force.call.set_evolution_factor(d, factor, surface)
  local s = surface_of(d.state, surface or 1, 2)
  d.evolution[data(s).index] = factor
end
function force.call.reset(d)
  d.recipes, d.technologies, d.research_queue, d.evolution = {}, {}, {}, {}
end
function force.call.reset_recipes(d) d.recipes = {} end
function force.call.reset_technologies(d) d.technologies = {} end
function force.call.enable_all_recipes(d)
  for _, name in ipairs(prototypes.family_raw(d.state, "recipe").names) do data(force_recipe(d, name)).enabled = true end
end
function force.call.research_all_technologies(d)
  for _, name in ipairs(prototypes.family_raw(d.state, "technology").names) do
    data(force_technology(d, name)).researched = true
  end
end

local recipe = classes.impl("LuaRecipe")
function recipe.get.name(d) return d.name end
function recipe.get.enabled(d) return d.enabled end
function recipe.set.enabled(d, v) d.enabled = v end
function recipe.get.force(d) return d.force end
function recipe.get.prototype(d) return d.proto end
function recipe.get.category(d) return d.raw.category or "crafting" end
function recipe.get.ingredients(d) return d.proto.ingredients end
function recipe.get.products(d) return d.proto.products end
function recipe.get.energy(d) return d.proto.energy end
function recipe.get.localised_name(d) return d.proto.localised_name end

local technology = classes.impl("LuaTechnology")
function technology.get.name(d) return d.name end
function technology.get.force(d) return d.force end
function technology.get.prototype(d) return d.proto end
function technology.get.enabled(d) return d.enabled end
function technology.set.enabled(d, v) d.enabled = v end
function technology.get.researched(d) return d.researched end
function technology.set.researched(d, v)
  d.researched = v
  if v then
    -- Researching unlocks the technology's recipes and raises on_research_finished, as in the game.
    for _, effect in ipairs(d.raw.effects or {}) do
      if effect.type == "unlock-recipe" then
        local r = force_recipe(data(d.force), effect.recipe)
        if r then data(r).enabled = true end
      end
    end
    script.raise(d.state, d.state.env_defines.events.on_research_finished, { research = d.self, by_script = true })
  end
end
-- "Saved technology progress fraction as a value in range [0, 1). 0 means there is no saved progress."
function technology.get.saved_progress(d) return d.progress end
function technology.set.saved_progress(d, v)
  if v < 0 or v >= 1 then error(("LuaTechnology::saved_progress must be in [0, 1), got %s"):format(v), 2) end
  d.progress = v
end
function technology.get.level(d) return d.raw.level or 1 end
function technology.get.prerequisites(d)
  local out = {}
  for _, name in ipairs(d.raw.prerequisites or {}) do out[name] = force_technology(data(d.force), name) end
  return out
end
function technology.get.localised_name(d) return d.proto.localised_name end

-- Surfaces ------------------------------------------------------------------------------------------

local function new_surface(state, name, planet)
  local w = state.world
  local index = #w.surface_list + 1
  local surface = classes.new("LuaSurface", { state = state, name = name, index = index, entities = {}, tiles = {},
    planet = planet })
  w.surfaces[name] = surface
  w.surface_list[index] = surface
  return surface
end

local surface = classes.impl("LuaSurface")
-- What a new surface starts with (day time 0 is noon); written values read back.
local SURFACE_DEFAULTS = { daytime = 0, always_day = false, freeze_daytime = false }
function surface.attribute(d, key)
  if SURFACE_DEFAULTS[key] ~= nil then return true, SURFACE_DEFAULTS[key] end
  return false
end
function surface.get.name(d) return d.name end
function surface.get.index(d) return d.index end

-- Surface properties: the planet's `surface_properties`, else the surface-property prototype's
-- `default_value` (a surface without a planet, as game.create_surface makes). Written values
-- (set_property) read back.
local function surface_property(d, name, level)
  local proto = prototypes.family_raw(d.state, "surface_property").by_name[name]
  -- Our words: the game's message for an unknown surface property was not found.
  if not proto then error("Unknown surface property: " .. tostring(name), level + 1) end
  if d.properties and d.properties[name] ~= nil then return d.properties[name] end
  local planet = d.planet and prototypes.family_raw(d.state, "space_location").by_name[d.planet]
  local value = planet and planet.surface_properties and planet.surface_properties[name]
  if value == nil then value = proto.default_value or 0 end
  return value
end
function surface.call.get_property(d, property)
  local name = type(property) == "string" and property or (classes.data(property) or {}).name
  return surface_property(d, name, 2)
end
function surface.call.set_property(d, property, value)
  local name = type(property) == "string" and property or (classes.data(property) or {}).name
  surface_property(d, name, 2)
  d.properties = d.properties or {}
  d.properties[name] = value
end
-- The length of a day follows the day-night-cycle property (in ticks: nauvis's 7 minutes are
-- 25200) until a mod writes it.
function surface.get.ticks_per_day(d)
  if d.ticks_per_day then return d.ticks_per_day end
  return math.floor(surface_property(d, "day-night-cycle", 2))
end
function surface.set.ticks_per_day(d, v) d.ticks_per_day = v end
-- The connected players on surface `s`: who a surface-wide print or sound reaches.
local function surface_audience(state, s)
  return connected(state.world.player_list, function(pd)
    return (pd.character and data(pd.character).valid ~= false and data(pd.character).surface or pd.surface) == s
  end)
end
M.surface_audience = surface_audience
function surface.call.print(d, message, print_settings)
  shims.print_to(d.state, "surface", message, "en", surface_audience(d.state, d.self), print_settings, "LuaSurface.print")
end

local function entity_box(ed)
  local box = ed.raw and ed.raw.collision_box
  local p = ed.position
  if not box then return p, p end
  local lt, rb = box[1] or box.left_top, box[2] or box.right_bottom
  return { x = p.x + (lt[1] or lt.x), y = p.y + (lt[2] or lt.y) }, { x = p.x + (rb[1] or rb.x), y = p.y + (rb[2] or rb.y) }
end

local function one_of(value, wanted)
  if wanted == nil then return true end
  if type(wanted) ~= "table" or data(wanted) then return value == wanted end
  for _, w in ipairs(wanted) do if value == w then return true end end
  return false
end

-- find_entities_filtered's filter: name, type, force, position (+radius), area, limit, invert.
local function matching(d, filter)
  filter = filter or {}
  local state = d.state
  local forces
  if filter.force ~= nil then
    local list = (type(filter.force) == "table" and not data(filter.force)) and filter.force or { filter.force }
    forces = {}
    for i, f in ipairs(list) do forces[i] = force_of(state, f, 4) end
  end
  local area_lt, area_rb
  if filter.area then area_lt, area_rb = area_of(filter.area) end
  local pos = filter.position and position_of(filter.position, "position", 4)
  local result = {}
  for _, e in ipairs(d.entities) do
    local ed = data(e)
    -- The API description: area and position are the search area (an entity colliding with the
    -- area, or with the position; with a radius, its centre within it); name, type and force
    -- are the filters, and only they are inverted by `invert`.
    local inside = true
    if area_lt then
      local lt, rb = entity_box(ed)
      inside = lt.x <= area_rb.x and rb.x >= area_lt.x and lt.y <= area_rb.y and rb.y >= area_lt.y
    end
    if inside and pos then
      if filter.radius then
        local dx, dy = ed.position.x - pos.x, ed.position.y - pos.y
        inside = dx * dx + dy * dy <= filter.radius * filter.radius
      else
        local lt, rb = entity_box(ed)
        inside = pos.x >= lt.x and pos.x <= rb.x and pos.y >= lt.y and pos.y <= rb.y
      end
    end
    local matches = one_of(ed.name, filter.name) and one_of(ed.type, filter.type) and (not forces or one_of(ed.force, forces))
    if filter.invert then matches = not matches end
    if inside and matches then
      result[#result + 1] = e
      if filter.limit and #result >= filter.limit then break end
    end
  end
  return result
end

function surface.call.find_entities_filtered(d, filter) return matching(d, filter) end
function surface.call.count_entities_filtered(d, filter) return #matching(d, filter) end
function surface.call.find_entity(d, entity, position)
  local name = type(entity) == "string" and entity or entity.name
  local found = matching(d, { name = name, position = position, limit = 1 })
  return found[1]
end
function surface.call.find_entities(d, area)
  if area == nil then return matching(d, {}) end
  return matching(d, { area = area })
end

local function tile_key(x, y) return math.floor(x) .. "," .. math.floor(y) end

function surface.call.get_tile(d, x, y)
  if type(x) == "table" then x, y = x.x or x[1], x.y or x[2] end
  local tx, ty = math.floor(x), math.floor(y)
  return classes.new("LuaTile", { state = d.state, surface = d.self, x = tx, y = ty, tiles = d.tiles })
end
function surface.call.set_tiles(d, tiles)
  for _, t in ipairs(tiles) do
    if not prototypes.get(d.state, "tile", t.name) then error("Unknown tile name: " .. tostring(t.name), 2) end
    local p = position_of(t.position, "tiles.position", 2)
    d.tiles[tile_key(p.x, p.y)] = t.name
  end
end

local tile = classes.impl("LuaTile")
-- Tiles no mod has set read as the default ground of a fresh map.
function tile.get.name(d) return d.tiles[tile_key(d.x, d.y)] or "grass-1" end
function tile.get.position(d) return { x = d.x, y = d.y } end
function tile.get.surface(d) return d.surface end
function tile.get.prototype(d) return prototypes.get(d.state, "tile", tile.get.name(d)) end

-- Entities --------------------------------------------------------------------------------------

-- Inventories an entity type has: its prototype's (prototypes.inventory_sizes).
local function entity_inventories(state, ed)
  return prototypes.inventory_sizes(state, ed.raw or {}, ed.type)
end

-- Max health, of entities and their prototypes: EntityWithHealthPrototype's max_health (its
-- default from the prototype API); "0 if this is not an entity with health".
local function has_health(raw) return prototypes.descends(raw.type, "EntityWithHealthPrototype") end
local function max_health(raw)
  if not has_health(raw) then return 0 end
  return prototypes.property(raw, "max_health")
end

-- LuaEntityPrototype.get_max_health(quality): how quality scales health is not modelled.
classes.impl("LuaEntityPrototype").call.get_max_health = function(d, quality)
  local name = classes.is_object(quality) and quality.name or quality
  if name ~= nil and name ~= "normal" then
    error("not mocked: LuaEntityPrototype.get_max_health for quality " .. tostring(name), 2)
  end
  return max_health(d.raw)
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

function surface.call.create_entity(d, params) return create_entity(d, params, 2) end

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

local function has_flag(d, flag)
  for _, f in ipairs(d.raw.flags or {}) do if f == flag then return true end end
  return false
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
  for _, index in ipairs({ inv.assembling_machine_input, inv.assembling_machine_output }) do
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
  d.inventories[inv.assembling_machine_input] = inventory.new(d.state, inputs, d.self, inv.assembling_machine_input)
  d.inventories[inv.assembling_machine_output] = inventory.new(d.state, outputs, d.self, inv.assembling_machine_output)
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

local function main_inventory(d)
  local inv = d.state.env_defines.inventory
  return d.inventories[inv.chest] or d.inventories[inv.character_main] or d.inventories[inv.car_trunk]
    or d.inventories[inv.cargo_wagon]
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
  return first_inventory(d, { "furnace_result", "assembling_machine_output", "chest", "car_trunk", "cargo_wagon" })
end
-- The module inventory's defines.inventory name per machine type (the sizes: prototypes.inventory_sizes).
local MODULE_INVENTORY = {
  furnace = "furnace_modules", ["assembling-machine"] = "assembling_machine_modules", lab = "lab_modules",
  ["mining-drill"] = "mining_drill_modules", beacon = "beacon_modules", ["rocket-silo"] = "rocket_silo_modules",
}
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

-- Players -----------------------------------------------------------------------------------------

local player = classes.impl("LuaPlayer")
function player.get.index(d) return d.index end
function player.get.name(d) return d.name end
function player.get.force(d) return d.force end
function player.set.force(d, v)
  d.force = force_of(d.state, v, 3)
  if d.character then data(d.character).force = d.force end
end
function player.get.surface(d) return d.character and data(d.character).surface or d.surface end
function player.get.surface_index(d) return data(player.get.surface(d)).index end
function player.get.physical_surface(d) return player.get.surface(d) end
function player.get.position(d)
  local p = d.character and data(d.character).position or d.position
  return { x = p.x, y = p.y }
end
player.get.physical_position = player.get.position
function player.get.character(d) return d.character and data(d.character).valid ~= false and d.character or nil end
function player.set.character(d, v)
  if d.character then data(d.character).player = nil end
  d.character = v
  if v then data(v).player = d.self end
end
function player.get.connected(d) return d.connected end
function player.get.admin(d) return d.admin end
function player.set.admin(d, v) d.admin = v end
-- "Read will return the entity, equipment, equipment-grid, player, element, inventory, item or
-- nil": a defines.gui_type written there reads back only through opened_gui_type.
function player.get.opened(d)
  local v = d.opened
  if type(v) == "number" or (v ~= nil and data(v).valid == false) then return nil end
  return v
end
function player.set.opened(d, v) d.opened = v end
function player.get.gui(d) return d.gui end
function player.get.cursor_stack(d) return inventory.stack(d.cursor, 1) end
function player.get.mod_settings(d)
  return classes.impl("LuaSettings").call.get_player_settings({ state = d.state }, d.self)
end
function player.get.tag(d) return d.tag or "" end
function player.set.tag(d, v) d.tag = v end
function player.get.color(d) return d.color end
function player.set.color(d, v) d.color = v end
function player.get.locale(d) return d.locale end

-- The LocalisedString as on_string_translated hands it back: a copy whose numbers became
-- strings (observed in the game, e.g. lossycrypt's Babelfish notes).
local function echo_ls(ls)
  if type(ls) == "number" then return tostring(ls) end
  if type(ls) ~= "table" or classes.is_object(ls) then return ls end
  local copy = {}
  for i, v in pairs(ls) do copy[i] = echo_ls(v) end
  return copy
end

-- Queues one request: translated now, in the player's locale (so an invalid LocalisedString
-- fails at the mod's call), delivered by script.tick on the next tick.
local function request(d, ls, where)
  local state = d.state
  local result = shims.text(state, ls, d.locale, where)
  -- Not translated: a key the locale lacks. Packed strings ("" and "?") always count as
  -- translated, as the game reports them (Babelfish's notes); their parts may still read
  -- Unknown key: "…".
  local translated = true
  if type(ls) == "table" and not classes.is_object(ls) and type(ls[1]) == "string" and ls[1] ~= "" and ls[1] ~= "?" then
    translated = result ~= ('Unknown key: "%s"'):format(ls[1])
  end
  local id = state.next_translation_id
  state.next_translation_id = id + 1
  state.translations[#state.translations + 1] = {
    player = d.self, payload = { player_index = d.index, id = id, localised_string = echo_ls(ls),
      result = result, translated = translated },
  }
  return id
end

-- "Does nothing if this player is not connected" (the API description): no id then.
function player.call.request_translation(d, ls)
  if not d.connected then return nil end
  return request(d, ls, "LuaPlayer.request_translation")
end
function player.call.request_translations(d, list)
  if not d.connected then return nil end
  local ids = {}
  for i, ls in ipairs(list) do ids[i] = request(d, ls, "LuaPlayer.request_translations") end
  return ids
end

--- fm.set_locale(player, lang): the player switches language; on_player_locale_changed follows.
function M.set_locale(state, p, lang)
  if type(lang) ~= "string" then error("fm.set_locale: expected a locale such as \"de\", got " .. type(lang), 3) end
  local d = data(player_of(state, p, 3))
  local old = d.locale
  d.locale = lang
  script.raise(state, state.env_defines.events.on_player_locale_changed, { player_index = d.index, old_locale = old })
end

-- A player reads a print in their own locale.
function player.call.print(d, message, print_settings)
  shims.print_to(d.state, "player", message, d.locale, connected({ d.self }), print_settings, "LuaPlayer.print")
end
function player.call.get_main_inventory(d)
  return d.character and data(d.character).valid ~= false and main_inventory(data(d.character)) or nil
end
local function player_inventory(d, what)
  local inv = player.call.get_main_inventory(d)
  if not inv then error(("not mocked: LuaPlayer.%s for a player without a character"):format(what), 3) end
  return inv
end
function player.call.insert(d, items) return inventory.insert(player_inventory(d, "insert"), items, 3) end
function player.call.remove_item(d, items) return inventory.remove(player_inventory(d, "remove_item"), items, 3) end
function player.call.get_item_count(d, item)
  local inv = player.call.get_main_inventory(d)
  return (inv and inventory.count(inv, item) or 0) + inventory.count(d.cursor, item)
end
function player.call.get_inventory(d, index)
  if d.character and data(d.character).valid ~= false then return data(d.character).inventories[index] end
end
function player.call.teleport(d, position, surface_arg, raise_teleported)
  if d.character then return entity.call.teleport(data(d.character), position, surface_arg, raise_teleported) end
  d.position = position_of(position, "teleport", 2)
  if surface_arg then d.surface = surface_of(d.state, surface_arg, 2) end
  return true
end

-- The entity under the mouse. "Assigning an entity will select it if is selectable,
-- otherwise the selection is cleared" (the API description); a destroyed one reads as nil.
function player.get.selected(d)
  local e = d.selected
  if e and data(e).valid ~= false then return e end
end

-- Selects `e` (nil or an unselectable entity: clears); on_selected_entity_changed follows a
-- change to an entity, and a change to nothing when `cleared_too`.
local function change_selection(d, e, cleared_too)
  local last = player.get.selected(d)
  d.selected = e and not has_flag(data(e), "not-selectable-in-game") and e or nil
  if d.selected ~= last and (d.selected ~= nil or cleared_too) then
    script.raise(d.state, d.state.env_defines.events.on_selected_entity_changed, { player_index = d.index, last_entity = last })
  end
end

-- The event is "Raised when a selectable entity is written to this attribute."
function player.set.selected(d, e) change_selection(d, e, false) end

--- fm.select(player, entity): the player moves the mouse onto `entity` (nil: off it);
--- on_selected_entity_changed follows with the entity selected before.
function M.select(state, p, e)
  local d = data(player_of(state, p, 3))
  local ed = data(e)
  if e ~= nil and not (ed and ed.class == "LuaEntity") then
    error("fm.select: expected a LuaEntity or nil, got " .. (ed and ed.class or type(e)), 3)
  end
  change_selection(d, e, true)
end

-- "As if the user pressed it": the cursor's items go back to the main inventory; true when the
-- cursor is empty afterwards. on_player_cursor_stack_changed follows a change (the game raises
-- it later in the same tick; here when the call is done, which a handler cannot tell apart).
function player.call.clear_cursor(d)
  local main = player.call.get_main_inventory(d)
  local changed = false
  for _, item in ipairs(inventory_contents(d.cursor)) do
    local moved = main and inventory.insert(main, item, 2) or 0
    if moved > 0 then
      inventory.remove(d.cursor, { name = item.name, count = moved, quality = item.quality }, 2)
      changed = true
    end
  end
  if changed then
    script.raise(d.state, d.state.env_defines.events.on_player_cursor_stack_changed, { player_index = d.index })
  end
  return inventory.is_empty(d.cursor)
end

-- Custom Lua shortcuts: available and untoggled until a mod says otherwise.
local function shortcut(d, name, where)
  if not prototypes.family_raw(d.state, "shortcut").by_name[name] then
    -- Our words: the game's message was not found.
    error(("%s: unknown shortcut '%s'"):format(where, tostring(name)), 3)
  end
  d.shortcuts = d.shortcuts or {}
  local s = d.shortcuts[name]
  if not s then s = { toggled = false, available = true }; d.shortcuts[name] = s end
  return s
end
function player.call.set_shortcut_toggled(d, name, toggled) shortcut(d, name, "LuaPlayer.set_shortcut_toggled").toggled = toggled end
function player.call.is_shortcut_toggled(d, name) return shortcut(d, name, "LuaPlayer.is_shortcut_toggled").toggled end
function player.call.set_shortcut_available(d, name, available) shortcut(d, name, "LuaPlayer.set_shortcut_available").available = available end
function player.call.is_shortcut_available(d, name) return shortcut(d, name, "LuaPlayer.is_shortcut_available").available end

-- The controller and what a player holds ------------------------------------------------------

-- The GUI type of what `opened` holds (defines.gui_type): what the mock can open maps to its
-- type; a defines.gui_type written to `opened` reads back as itself.
local OPENED_GUI_TYPE = {
  LuaEntity = "entity", LuaGuiElement = "custom", LuaPlayer = "other_player", LuaItemStack = "item",
  LuaEquipment = "equipment", LuaEquipmentGrid = "opened_entity_grid", LuaInventory = "script_inventory",
  LuaLogisticNetwork = "logistic",
}
function player.get.opened_gui_type(d)
  local gui_type = d.state.env_defines.gui_type
  local v = d.opened
  if type(v) == "number" then return v end
  if v == nil or data(v).valid == false then return gui_type.none end
  return gui_type[OPENED_GUI_TYPE[data(v).class]]
end

local function has_character(d)
  return d.character ~= nil and data(d.character).valid ~= false
end

-- A player with a character is character-controlled. Without one: the controller of a player
-- whose character died is ghost ("the multiplayer waiting-to-respawn screen"); a player made
-- without one (fm.create_player{character = false}) is god, "not tied to a character".
function player.get.controller_type(d)
  local controllers = d.state.env_defines.controllers
  if has_character(d) then return controllers.character end
  return d.character and controllers.ghost or controllers.god
end
player.get.physical_controller_type = player.get.controller_type

function player.get.force_index(d) return data(d.force).index end

-- No vehicles are simulated: a player never sits in one.
function player.get.vehicle(d) return nil end
function player.get.driving(d) return false end
-- The physical controller's vehicle (the same while no remote view is simulated): none.
function player.get.physical_vehicle(d) return nil end
-- A player looks at the game world, not the map (map view is not simulated).
function player.get.render_mode(d) return d.state.env_defines.render_mode.game end
-- A player plays with keyboard and mouse (no game controller is simulated).
function player.get.input_method(d) return d.state.env_defines.input_method.keyboard_and_mouse end
function player.set.driving(d, v)
  if v then error("not mocked: LuaControl.driving = true (vehicles are not simulated)", 2) end
end

-- cursor_ghost reads {name = LuaItemPrototype, quality = LuaQualityPrototype}; it is written as an
-- ItemWithQualityID (a name, a prototype, a stack or {name, quality}), "normal" quality unless given.
function player.get.cursor_ghost(d)
  local g = d.cursor_ghost
  if not g then return nil end
  return { name = prototypes.get(d.state, "item", g.name), quality = prototypes.get(d.state, "quality", g.quality) }
end
function player.set.cursor_ghost(d, v)
  if v == nil then d.cursor_ghost = nil; return end
  local name, quality = v, "normal"
  local vd = data(v)
  if vd and vd.class == "LuaItemStack" then
    name, quality = v.name, v.quality.name
  elseif vd then
    name = v.name
  elseif type(v) == "table" then
    name, quality = v.name, v.quality or "normal"
    if data(name) then name = name.name end
    if data(quality) then quality = quality.name end
  end
  if type(name) ~= "string" or not prototypes.get(d.state, "item", name) then
    error("Unknown item name: " .. tostring(name), 2)
  end
  d.cursor_ghost = { name = name, quality = quality }
end

-- "All SpiderVehicles currently selected by the player, if they are holding a spidertron
-- remote": nil while the cursor holds none; else the selection (empty until written), without
-- the spiders that are gone.
local function holds_remote(d)
  for _, item in ipairs(inventory_contents(d.cursor)) do
    local raw = prototypes.family_raw(d.state, "item").by_name[item.name]
    if raw and raw.type == "spidertron-remote" then return true end
  end
  return false
end
function player.get.spidertron_remote_selection(d)
  if not holds_remote(d) then return nil end
  local out = {}
  for _, e in ipairs(d.spidertron_selection or {}) do
    if data(e).valid ~= false then out[#out + 1] = e end
  end
  return out
end
function player.set.spidertron_remote_selection(d, list)
  -- Our words: the game's message for selecting without a remote was not found.
  if not holds_remote(d) then error("LuaPlayer::spidertron_remote_selection: the player holds no spidertron remote", 3) end
  local out = {}
  for i, e in ipairs(list or {}) do
    local ed = data(e)
    if not ed or ed.class ~= "LuaEntity" or ed.type ~= "spider-vehicle" then
      error(("LuaPlayer::spidertron_remote_selection: entry %d is not a spider vehicle"):format(i), 3)
    end
    out[i] = e
  end
  d.spidertron_selection = out
end

-- "Whether the player is holding something in the cursor", the cursor ghost included.
function player.call.is_cursor_empty(d)
  return inventory.is_empty(d.cursor) and d.cursor_ghost == nil
end

-- What a new player reads (the API description's defaults where it gives them: during
-- on_player_created the resolution "will always return" 1920x1080 and the scale 1); written
-- values read back.
local PLAYER_DEFAULTS = { cheat_mode = false }
function player.attribute(d, key, r)
  if PLAYER_DEFAULTS[key] ~= nil then return true, PLAYER_DEFAULTS[key] end
  -- The character's bonuses and modifiers start at 0, as the force's do.
  if r.mode == "rw" and key:find("^character_") and (key:find("_modifier$") or key:find("_bonus$")) then
    return true, 0
  end
  return false
end
function player.get.display_resolution(d)
  local r = d.display_resolution or { width = 1920, height = 1080 }
  return { width = r.width, height = r.height }
end
function player.get.display_scale(d) return d.display_scale or 1 end
function player.get.walking_state(d)
  local w = d.walking_state or { walking = false, direction = d.state.env_defines.direction.north }
  return { walking = w.walking, direction = w.direction }
end
function player.set.walking_state(d, v)
  if type(v.walking) ~= "boolean" then error("LuaControl::walking_state: walking (boolean) expected", 2) end
  if type(v.direction) ~= "number" then error("LuaControl::walking_state: direction (defines.direction) expected", 2) end
  d.walking_state = { walking = v.walking, direction = v.direction }
end

-- reach_distance: the character prototype's, plus the force's and the character's bonus; "max
-- uint when not a character or player connected to a character".
function player.get.reach_distance(d)
  if not has_character(d) then return 4294967295 end
  local raw = data(d.character).raw
  return (raw.reach_distance or 10) + d.force.character_reach_distance_bonus + d.self.character_reach_distance_bonus
end

-- "Can a given entity be opened or accessed?": within reach of the character. The geometry is
-- ours (the game's is not published): the distance from the character to the nearest point
-- of the entity's collision box.
function player.call.can_reach_entity(d, e)
  if not has_character(d) then
    error("not mocked: LuaControl.can_reach_entity for a player without a character", 2)
  end
  local ed = data(e)
  if ed.surface ~= player.get.surface(d) then return false end
  local p = data(d.character).position
  local lt, rb = entity_box(ed)
  local dx = math.max(lt.x - p.x, 0, p.x - rb.x)
  local dy = math.max(lt.y - p.y, 0, p.y - rb.y)
  local reach = player.get.reach_distance(d)
  return dx * dx + dy * dy <= reach * reach
end

-- The screen the player has: on_player_created always reads 1920x1080 at scale 1; a test gives
-- another with fm.create_player{display_resolution = …, display_scale = …}, which arrives "shortly
-- afterwards" with its events, as in the game.
local function check_display(opts, level)
  local r = opts.display_resolution
  if r ~= nil and (type(r) ~= "table" or type(r.width) ~= "number" or type(r.height) ~= "number") then
    error("fm.create_player: display_resolution must be {width = …, height = …}", level + 1)
  end
  if opts.display_scale ~= nil and type(opts.display_scale) ~= "number" then
    error("fm.create_player: display_scale must be a number", level + 1)
  end
end
local function set_display(state, d, resolution, scale)
  local events = state.env_defines.events
  if resolution then
    local old = player.get.display_resolution(d)
    d.display_resolution = { width = resolution.width, height = resolution.height }
    script.raise(state, events.on_player_display_resolution_changed, { player_index = d.index, old_resolution = old })
  end
  if scale then
    local old = player.get.display_scale(d)
    d.display_scale = scale
    script.raise(state, events.on_player_display_scale_changed, { player_index = d.index, old_scale = old })
  end
end

-- Permission groups: every player starts in the game's "Default" group (group_id 0, which mods
-- read with game.permissions.get_group(0)), where every action is allowed.
local function permissions_of(state)
  local w = state.world
  if not w.permission_groups then
    w.permission_groups = {}
    w.next_permission_group = 0
  end
  return w.permission_groups
end

local function new_permission_group(state, name)
  local groups = permissions_of(state)
  local w = state.world
  local id = w.next_permission_group
  w.next_permission_group = id + 1
  local g = classes.new("LuaPermissionGroup", { state = state, group_id = id, name = name, denied = {} })
  groups[#groups + 1] = g
  return g
end

local function default_group(state)
  local groups = permissions_of(state)
  return groups[1] or new_permission_group(state, "Default")
end

function player.get.permission_group(d)
  if d.permission_group == nil then d.permission_group = default_group(d.state) end
  return d.permission_group ~= false and d.permission_group or nil
end
function player.set.permission_group(d, g)
  -- Writing nil takes the player out of every group ("if any").
  d.permission_group = g or false
end

local group = classes.impl("LuaPermissionGroup")
function group.get.group_id(d) return d.group_id end
function group.get.name(d) return d.name end
-- "Setting the name to nil or an empty string sets the name to the default value." That value
-- was not found; the mock's is "Group <id>".
local function group_name(d, v)
  return (v == nil or v == "") and ("Group " .. d.group_id) or v
end
function group.set.name(d, v) d.name = group_name(d, v) end
function group.get.players(d)
  local list = {}
  for _, p in ipairs(d.state.world.player_list) do
    if p.permission_group == d.self then list[#list + 1] = p end
  end
  return list
end
function group.call.add_player(d, p)
  player.set.permission_group(data(player_of(d.state, p, 2)), d.self)
  return true
end
function group.call.remove_player(d, p)
  local pd = data(player_of(d.state, p, 2))
  if player.get.permission_group(pd) ~= d.self then return false end
  player.set.permission_group(pd, nil)
  return true
end
function group.call.allows_action(d, action) return not d.denied[action] end
function group.call.set_allows_action(d, action, allow)
  d.denied[action] = not allow or nil
  return true
end
function group.call.destroy(d)
  local groups = permissions_of(d.state)
  for i, g in ipairs(groups) do
    if g == d.self then table.remove(groups, i); break end
  end
  for _, p in ipairs(group.get.players(d)) do player.set.permission_group(data(p), nil) end
  classes.invalidate(d.self)
  return true
end

local permissions = classes.impl("LuaPermissionGroups")
function permissions.get.groups(d)
  default_group(d.state)
  local list = {}
  for i, g in ipairs(permissions_of(d.state)) do list[i] = g end
  return list
end
function permissions.call.create_group(d, name)
  default_group(d.state)
  local g = new_permission_group(d.state, name)
  data(g).name = group_name(data(g), name)
  return g
end
function permissions.call.get_group(d, id)
  for _, g in ipairs(permissions.get.groups(d)) do
    local gd = data(g)
    if gd.group_id == id or gd.name == id then return g end
  end
end

--- fm.create_player{name = …, force = "player", admin = false, connected = true, character = true,
--- locale = "en", display_resolution = {width = 1920, height = 1080}, display_scale = 1}
function M.create_player(state, opts)
  local w = state.world
  local index = #w.player_list + 1
  local name = opts.name or ("player-" .. index)
  if w.players_by_name[name] then error(("fm.create_player: a player named '%s' exists already"):format(name), 3) end
  check_display(opts, 3)
  local d = {
    state = state, index = index, name = name, admin = opts.admin or false,
    connected = opts.connected ~= false, position = { x = 0, y = 0 }, locale = "en",
    surface = w.surface_list[1], color = { r = 1, g = 0.63, b = 0.26, a = 0.5 },
  }
  local p = classes.new("LuaPlayer", d)
  d.force = force_of(state, opts.force or "player", 3)
  d.cursor = inventory.new(state, 1, p, nil)
  d.gui = require("factorio_mocks.control.gui").new_gui(state, p)
  if opts.character ~= false and prototypes.get(state, "entity", "character") then
    local c = create_entity(data(d.surface), { name = "character", position = opts.position or { 0, 0 }, force = d.force }, 3)
    player.set.character(d, c)
  end
  w.player_list[index] = p
  w.players_by_name[name] = p
  local events = state.env_defines.events
  script.raise(state, events.on_player_created, { player_index = index })
  if d.connected then script.raise(state, events.on_player_joined_game, { player_index = index }) end
  -- The game reports "en" during on_player_created and the player's real locale just after.
  if opts.locale and opts.locale ~= "en" then M.set_locale(state, p, opts.locale) end
  set_display(state, d, opts.display_resolution, opts.display_scale)
  return p
end

function M.join(state, p)
  local d = data(player_of(state, p, 3))
  d.connected = true
  script.raise(state, state.env_defines.events.on_player_joined_game, { player_index = d.index })
end

function M.leave(state, p)
  local d = data(player_of(state, p, 3))
  d.connected = false
  script.raise(state, state.env_defines.events.on_player_left_game, { player_index = d.index, reason = state.env_defines.disconnect_reason.quit })
end

-- Built and mined by a player, from the test side ------------------------------------------------

-- A temporary inventory holding `items` ({name, count, quality}…) with `spare` empty slots,
-- for an event's lifetime.
local function temporary_inventory(state, items, spare)
  local inv = inventory.new(state, #items + spare, nil, nil)
  for _, item in ipairs(items) do inventory.insert(inv, item, 2) end
  return inv
end

-- A construction robot builds: on_robot_built_entity with the robot and the stack of the item
-- used (in a temporary inventory, gone after the event).
local function robot_build(state, opts)
  local robot = opts.robot
  local surface_obj = surface_of(state, opts.surface or (data(robot) and data(robot).surface) or 1, 4)
  local force_obj = force_of(state, opts.force or (data(robot) and data(robot).force) or "player", 4)
  if robot == true then
    if not prototypes.get(state, "entity", "construction-robot") then
      error("fm.build: the dataset has no construction-robot; pass robot = <a LuaEntity>", 4)
    end
    robot = create_entity(data(surface_obj), { name = "construction-robot", position = opts.position, force = force_obj }, 4)
  elseif not data(robot) or data(robot).class ~= "LuaEntity" then
    error("fm.build: robot must be true or a LuaEntity, got " .. type(robot), 4)
  end
  local e = create_entity(data(surface_obj), { name = opts.name, position = opts.position, direction = opts.direction,
    force = force_obj, recipe = opts.recipe }, 4)
  local items = data(e).proto.items_to_place_this
  local held = temporary_inventory(state, items[1] and { { name = items[1].name, count = items[1].count or 1 } } or {}, 1)
  local ok, err = pcall(script.raise, state, state.env_defines.events.on_robot_built_entity,
    { robot = robot, entity = e, stack = inventory.stack(held, 1), tags = opts.tags })
  classes.invalidate(held)
  if not ok then error(err, 0) end
  return e, robot
end

--- fm.build{name = …, position = …, player = p, direction = …, tags = …}: the player places
--- the entity (on their surface, for their force); on_built_entity follows with the item used.
--- With robot = true (or a robot entity) instead of player, a construction robot builds it:
--- on_robot_built_entity, for `force` (default "player").
function M.build(state, opts)
  if type(opts) ~= "table" then error("fm.build: expected a table such as {name = \"iron-chest\", position = {0, 0}, player = p}", 3) end
  if opts.robot ~= nil and opts.player ~= nil then error("fm.build: give player or robot, not both", 3) end
  if opts.robot ~= nil then
    local e, robot = robot_build(state, opts)   -- not a tail call: robot_build's error levels count this frame
    return e, robot
  end
  if opts.player == nil then error("fm.build: player (the player who builds) or robot = true is required", 3) end
  local p = player_of(state, opts.player, 3)
  local pd = data(p)
  local surface_obj = opts.surface and surface_of(state, opts.surface, 3) or player.get.surface(pd)
  local e = create_entity(data(surface_obj), { name = opts.name, position = opts.position, direction = opts.direction,
    force = opts.force or pd.force, recipe = opts.recipe, player = p }, 3)
  local items = data(e).proto.items_to_place_this
  local consumed = temporary_inventory(state, items[1] and { { name = items[1].name, count = items[1].count or 1 } } or {}, 0)
  local ok, err = pcall(script.raise, state, state.env_defines.events.on_built_entity,
    { entity = e, player_index = pd.index, consumed_items = consumed, tags = opts.tags })
  -- "This inventory is temporary and thus invalidated after the event" (the API description).
  classes.invalidate(consumed)
  if not ok then error(err, 0) end
  return e
end

--- fm.mine(entity, player): the player mines the entity. on_pre_player_mined_item, then
--- on_player_mined_entity with the products in a buffer handlers may change; the entity goes,
--- the buffer's items go to the player, and on_player_mined_item follows for each.
function M.mine(state, e, p)
  local ed = data(e)
  if not ed or ed.class ~= "LuaEntity" then error("fm.mine: expected a LuaEntity", 3) end
  if ed.valid == false then error("LuaEntity API call when LuaEntity was invalid.", 3) end
  local pd = data(player_of(state, p, 3))
  local events = state.env_defines.events
  local props = ed.proto.mineable_properties
  if not props.minable then error(("fm.mine: %s is not minable"):format(ed.name), 3) end
  script.raise(state, events.on_pre_player_mined_item, { entity = e, player_index = pd.index })
  if ed.valid == false then return {} end   -- a handler destroyed it: nothing is mined
  local items = {}
  for _, product in ipairs(props.products) do
    if product.type == nil or product.type == "item" then
      local amount = product.amount or product.amount_max or 1
      if amount > 0 then items[#items + 1] = { name = product.name, count = amount } end
    end
  end
  -- Room for what handlers add; the game's buffer size is not documented.
  local buffer = temporary_inventory(state, items, 10)
  local ok, err = pcall(script.raise, state, events.on_player_mined_entity, { entity = e, player_index = pd.index, buffer = buffer })
  if not ok then classes.invalidate(buffer); error(err, 0) end
  local mined = inventory_contents(buffer)
  classes.invalidate(buffer)
  if ed.valid ~= false then remove_entity(ed) end
  local main = player.call.get_main_inventory(pd)
  for _, item in ipairs(mined) do
    if main then inventory.insert(main, item, 2) end
    script.raise(state, events.on_player_mined_item, { item_stack = item, player_index = pd.index })
  end
  return mined
end

-- GUI events from the test side.
function M.gui_event(state, kind, element, value)
  local ed = data(element)
  if not ed or ed.class ~= "LuaGuiElement" then error("fm." .. kind .. ": expected a LuaGuiElement", 3) end
  if ed.valid == false then error("LuaGuiElement API call when LuaGuiElement was invalid.", 3) end
  local events = state.env_defines.events
  if kind == "click" then
    value = value or {}
    script.raise(state, events.on_gui_click, { element = element, player_index = ed.player_index,
      button = value.button or state.env_defines.mouse_button_type.left,
      alt = value.alt or false, control = value.control or false, shift = value.shift or false })
  elseif kind == "text" then
    ed.fields.text = value
    script.raise(state, events.on_gui_text_changed, { element = element, player_index = ed.player_index, text = value })
  elseif kind == "check" then
    ed.fields.state = value
    script.raise(state, events.on_gui_checked_state_changed, { element = element, player_index = ed.player_index })
  end
end

-- game --------------------------------------------------------------------------------------------

local game = classes.impl("LuaGameScript")
function game.get.tick(d) return d.state.tick end
function game.get.ticks_played(d) return d.state.tick end
function game.get.players(d)
  local w = d.state.world
  return classes.custom_table(function(k)
    if type(k) == "number" then return w.player_list[k] end
    return w.players_by_name[k]
  end, function()
    local keys = {}
    for i in ipairs(w.player_list) do keys[i] = i end
    return keys
  end)
end
function game.get.connected_players(d) return connected(d.state.world.player_list) end
function game.get.forces(d)
  local w = d.state.world
  return classes.custom_table(function(k)
    if type(k) == "number" then return w.force_list[k] end
    return w.forces[k]
  end, function()
    local keys = {}
    for _, f in ipairs(w.force_list) do keys[#keys + 1] = data(f).name end
    return keys
  end)
end
function game.get.surfaces(d)
  local w = d.state.world
  return classes.custom_table(function(k)
    if type(k) == "number" then return w.surface_list[k] end
    return w.surfaces[k]
  end, function()
    local keys = {}
    for _, s in ipairs(w.surface_list) do keys[#keys + 1] = data(s).name end
    return keys
  end)
end
function game.get.player(d) return d.state.command_player end
function game.call.is_multiplayer(d) return false end
function game.get.permissions(d)
  d.permissions = d.permissions or classes.new("LuaPermissionGroups", { state = d.state })
  return d.permissions
end
function game.call.get_player(d, id)
  local w = d.state.world
  if type(id) == "number" then return w.player_list[id] end
  return w.players_by_name[id]
end
function game.call.get_surface(d, id)
  local w = d.state.world
  if type(id) == "number" then return w.surface_list[id] end
  return w.surfaces[id]
end
function game.call.create_surface(d, name)
  if d.state.world.surfaces[name] then error(("Surface with name '%s' already exists."):format(name), 2) end
  local s = new_surface(d.state, name)
  script.raise(d.state, d.state.env_defines.events.on_surface_created, { surface_index = data(s).index })
  return s
end
function game.call.create_force(d, name)
  if d.state.world.forces[name] then error(("Force with name '%s' already exists."):format(name), 2) end
  local f = new_force(d.state, name)
  script.raise(d.state, d.state.env_defines.events.on_force_created, { force = f })
  return f
end
-- Each connected player reads game.print in their locale; fm.output() keeps the English text.
function game.call.print(d, message, print_settings)
  shims.print_to(d.state, "game", message, "en", connected(d.state.world.player_list), print_settings, "LuaGameScript.print")
end
-- The innermost mod on the stack (chunks load as "@__name__/…"); the test itself is "level".
local function calling_mod()
  local l = 3
  while true do
    local info = debug.getinfo(l, "S")
    if not info then return "level" end
    local name = info.source:match("^@__([^/]+)__/")
    if name then return name end
    l = l + 1
  end
end

-- A script inventory: owned by the mod, lives until destroy(), as in the game.
function game.call.create_inventory(d, size)
  local inv = inventory.new(d.state, size, nil, nil)
  data(inv).mod_owner = calling_mod()
  local list = d.state.world.script_inventories
  list[#list + 1] = inv
  return inv
end
-- {[mod name] = {inventories it made, oldest first}} for the inventories not yet destroyed;
-- with `mod`, only that mod's (an empty table when it has none).
function game.call.get_script_inventories(d, mod)
  local out = {}
  for _, inv in ipairs(d.state.world.script_inventories) do
    local id = data(inv)
    if id.valid ~= false and (mod == nil or id.mod_owner == mod) then
      out[id.mod_owner] = out[id.mod_owner] or {}
      table.insert(out[id.mod_owner], inv)
    end
  end
  return out
end

-- LuaRandomGenerator: generator() in [0, 1), generator(m) in [1, m], generator(m, n) in [m, n].
-- A Park–Miller generator (exact in doubles on every Lua): seeded runs repeat, though the
-- numbers are not the game's.
local RANDOM_MOD, RANDOM_MUL = 2147483647, 48271
local function seed_of(seed)
  seed = math.floor(seed or 341) % RANDOM_MOD
  if seed == 0 then seed = 1 end
  return seed
end
function game.call.create_random_generator(d, seed)
  return classes.new("LuaRandomGenerator", { state = d.state, seed = seed_of(seed) })
end
local random = classes.impl("LuaRandomGenerator")
function random.call.re_seed(d, seed) d.seed = seed_of(seed) end
function random.callable(d, m, n)
  d.seed = (d.seed * RANDOM_MUL) % RANDOM_MOD
  local x = (d.seed - 1) / (RANDOM_MOD - 1)
  if m == nil then return x end
  if n == nil then m, n = 1, m end
  -- The game's words for an empty interval were not found.
  if type(m) ~= "number" or type(n) ~= "number" or m > n then error("LuaRandomGenerator: interval is empty", 3) end
  return math.floor(m + x * (n - m + 1))
end

function game.call.get_entity_by_unit_number(d, unit_number) return d.state.world.entities[unit_number] end

-- The map settings of a new game: data.raw["map-settings"]["map-settings"] without the prototype's
-- type, name and difficulty settings (LuaGameScript::difficulty_settings has those). One table
-- per game: "the members of the dictionary that is returned can be modified mid-game".
local function copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = copy(x) end
  return out
end
function game.get.map_settings(d)
  local w = d.state.world
  if not w.map_settings then
    local raw = prototypes.family_raw(d.state, "map_settings").by_name["map-settings"]
    if not raw then error("not mocked: LuaGameScript.map_settings (the dataset has no map-settings prototype)", 3) end
    local settings = copy(raw)
    settings.type, settings.name, settings.difficulty_settings = nil, nil, nil
    w.map_settings = settings
  end
  return w.map_settings
end

-- Values a new game starts with; written ones read back.
local GAME_DEFAULTS = { tick_paused = false, speed = 1 }
function game.attribute(d, key)
  if GAME_DEFAULTS[key] ~= nil then return true, GAME_DEFAULTS[key] end
  return false
end
function game.set.speed(d, v)
  -- Our words: "Minimum value is 0.01" is the API description's.
  if v < 0.01 then error(("LuaGameScript::speed must be at least 0.01, got %s"):format(v), 2) end
  d.fields = d.fields or {}
  d.fields.speed = v
end

function M.globals(state)
  state.world = {
    players_by_name = {}, player_list = {}, forces = {}, force_list = {}, surfaces = {}, surface_list = {},
    entities = {}, next_unit_number = 1, script_inventories = {},
  }
  state.world.players = state.world.player_list
  local protos = prototypes.globals(state)
  new_force(state, "player")
  new_force(state, "enemy")
  new_force(state, "neutral")
  -- The first surface is nauvis's, the planet's when the prototypes have it.
  new_surface(state, "nauvis", prototypes.family_raw(state, "space_location").by_name.nauvis and "nauvis" or nil)
  local g = {
    game = classes.new("LuaGameScript", { state = state }),
    prototypes = protos,
    rendering = require("factorio_mocks.control.rendering").globals(state),
  }
  return g
end

return M
