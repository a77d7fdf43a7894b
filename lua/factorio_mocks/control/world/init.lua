-- The world's state (state.world): forces with their recipes and technologies, surfaces and
-- their tile grid, and the world's globals (game, prototypes, rendering). The classes' behaviour
-- is in control/classes/; no simulation (crafting, belts, power, fluids, combat): those members
-- fail with `not mocked: …`.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")

local M = {}

local data = classes.data

local function new_force(state, name)
  local w = state.world
  local index = #w.force_list + 1
  local force = classes.new("LuaForce", { state = state, name = name, index = index, evolution = {}, recipes = {}, technologies = {},
    research_queue = {} })
  w.forces[name] = force
  w.force_list[index] = force
  return force
end

M.new_force = new_force

-- A force's LuaRecipe and LuaTechnology objects, made on first use.

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

M.force_recipe = force_recipe

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

M.force_technology = force_technology

local function new_surface(state, name, planet)
  local w = state.world
  local index = #w.surface_list + 1
  local surface = classes.new("LuaSurface", { state = state, name = name, index = index, entities = {}, tiles = {},
    planet = planet })
  w.surfaces[name] = surface
  w.surface_list[index] = surface
  return surface
end

M.new_surface = new_surface

-- The tile grid: a surface's tiles by "x,y" key.

local function tile_key(x, y) return math.floor(x) .. "," .. math.floor(y) end

M.tile_key = tile_key

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
