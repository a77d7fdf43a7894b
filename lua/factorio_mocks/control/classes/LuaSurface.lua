-- LuaSurface: properties, day time, print, finding and creating entities, tiles, sounds.

local classes = require("factorio_mocks.control.classes")
local output = require("factorio_mocks.control.output")
local prototypes = require("factorio_mocks.control.prototypes")
local world = require("factorio_mocks.control.world")
local resolve = require("factorio_mocks.control.world.resolve")
local search = require("factorio_mocks.control.world.search")
local entities = require("factorio_mocks.control.world.entities")
local effects = require("factorio_mocks.control.effects")

local position_of = resolve.position_of

local surface_audience = output.surface_audience

local matching = search.matching

local tile_key = world.tile_key

local create_entity = entities.create_entity

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

function surface.call.print(d, message, print_settings)
  output.print_to(d.state, "surface", message, "en", surface_audience(d.state, d.self), print_settings, "LuaSurface.print")
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

function surface.call.create_entity(d, params) return create_entity(d, params, 2) end

-- "Play a sound for every player on this surface."
function surface.call.play_sound(d, spec)
  effects.play(d.state, spec, surface_audience(d.state, d.self), "LuaSurface.play_sound")
end
