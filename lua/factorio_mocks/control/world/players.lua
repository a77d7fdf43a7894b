-- Players from the test side: fm.create_player, fm.join, fm.leave, fm.set_locale, fm.select
-- (and the selection change LuaPlayer.selected shares), the display a player gets.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local prototypes = require("factorio_mocks.control.prototypes")
local inventory = require("factorio_mocks.control.inventory")
local resolve = require("factorio_mocks.control.world.resolve")
local entities = require("factorio_mocks.control.world.entities")

local M = {}

local data = classes.data

local player_of, force_of = resolve.player_of, resolve.force_of

local create_entity = entities.create_entity

local has_flag = prototypes.has_flag

local player = classes.impl("LuaPlayer")

--- fm.set_locale(player, lang): the player switches language; on_player_locale_changed follows.
function M.set_locale(state, p, lang)
  if type(lang) ~= "string" then error("fm.set_locale: expected a locale such as \"de\", got " .. type(lang), 3) end
  local d = data(player_of(state, p, 3))
  local old = d.locale
  d.locale = lang
  script.raise(state, state.env_defines.events.on_player_locale_changed, { player_index = d.index, old_locale = old })
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

M.change_selection = change_selection

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

return M
