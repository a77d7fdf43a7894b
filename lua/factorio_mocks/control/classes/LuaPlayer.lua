-- LuaPlayer (and the LuaControl members a player has): identity, force and surface, character
-- and controller, cursor, inventories, print and translation, selection, shortcuts, display,
-- reach, permission group, sounds and local flying text.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local output = require("factorio_mocks.control.output")
local prototypes = require("factorio_mocks.control.prototypes")
local inventory = require("factorio_mocks.control.inventory")
local resolve = require("factorio_mocks.control.world.resolve")
local search = require("factorio_mocks.control.world.search")
local entities = require("factorio_mocks.control.world.entities")
local players = require("factorio_mocks.control.world.players")
local permissions_state = require("factorio_mocks.control.world.permissions")
local effects = require("factorio_mocks.control.effects")

local data = classes.data

local position_of, force_of, surface_of = resolve.position_of, resolve.force_of, resolve.surface_of

local connected = output.connected

local entity_box = search.entity_box

local main_inventory = entities.main_inventory

local change_selection = players.change_selection

local default_group = permissions_state.default_group

local inventory_contents = inventory.contents

local entity = classes.impl("LuaEntity")

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
  local result = output.text(state, ls, d.locale, where)
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

-- A player reads a print in their own locale.
function player.call.print(d, message, print_settings)
  output.print_to(d.state, "player", message, d.locale, connected({ d.self }), print_settings, "LuaPlayer.print")
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

-- The event is "Raised when a selectable entity is written to this attribute."
function player.set.selected(d, e) change_selection(d, e, false) end

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

function player.get.permission_group(d)
  if d.permission_group == nil then d.permission_group = default_group(d.state) end
  return d.permission_group ~= false and d.permission_group or nil
end
function player.set.permission_group(d, g)
  -- Writing nil takes the player out of every group ("if any").
  d.permission_group = g or false
end

-- "Play a sound for this player."
function player.call.play_sound(d, spec)
  effects.play(d.state, spec, connected({ d.self }), "LuaPlayer.play_sound")
end

-- "Either position or create_at_cursor are required. When create_at_cursor is true, all
-- parameters other than text are ignored." time_to_live defaults to 80 ticks.
function player.call.create_local_flying_text(d, params)
  local where = "LuaPlayer.create_local_flying_text"
  local entry
  if params.create_at_cursor then
    entry = { at_cursor = true, time_to_live = 80 }
  else
    if params.position == nil then error(where .. ": either position or create_at_cursor = true is required", 2) end
    if params.speed ~= nil and params.speed < 0 then error(where .. ": speed can't be a negative value", 2) end
    entry = {
      position = position_of(params.position, where, 2),
      surface = params.surface ~= nil and surface_of(d.state, params.surface, 2) or d.self.surface,
      color = params.color, time_to_live = params.time_to_live or 80, speed = params.speed,
    }
  end
  entry.text = output.text(d.state, params.text, d.locale, where)
  entry.localised_string = params.text
  entry.tick = d.state.tick
  local list = d.state.flying_texts[d.index]
  if not list then list = {}; d.state.flying_texts[d.index] = list end
  list[#list + 1] = entry
end
