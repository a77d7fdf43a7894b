-- LuaGameScript (game): players, forces and surfaces, print, inventories, random generators,
-- map settings, speed, sounds.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local output = require("factorio_mocks.control.output")
local prototypes = require("factorio_mocks.control.prototypes")
local inventory = require("factorio_mocks.control.inventory")
local world = require("factorio_mocks.control.world")
local effects = require("factorio_mocks.control.effects")

local data = classes.data

local connected = output.connected

local new_force, new_surface = world.new_force, world.new_surface

local seed_of = require("factorio_mocks.control.classes.LuaRandomGenerator").seed_of

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
  output.print_to(d.state, "game", message, "en", connected(d.state.world.player_list), print_settings, "LuaGameScript.print")
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

function game.call.create_random_generator(d, seed)
  return classes.new("LuaRandomGenerator", { state = d.state, seed = seed_of(seed) })
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

-- Sounds reach the players prints reach: connected ones, of the game, the surface or the one.

-- "Play a sound for every player in the game."
function game.call.play_sound(d, spec)
  effects.play(d.state, spec, connected(d.state.world.player_list), "LuaGameScript.play_sound")
end
