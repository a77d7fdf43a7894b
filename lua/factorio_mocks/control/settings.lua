-- Mod settings at runtime (state.settings): the stores, their LuaCustomTables, the checks on a
-- write, and fm.set_setting. LuaSettings (control/classes/LuaSettings.lua) reads them.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local set_of = require("factorio_mocks.stage.common").set_of

local M = {}

-- Values live in state.settings.<store>[name] (startup, global, player_default, per_player[i]).
-- Reading settings.global[name] gives a fresh {value = …} each time, as in the game: changing
-- that table changes nothing; a mod writes a whole ModSetting table instead, which raises
-- on_runtime_mod_setting_changed (player_index nil: "In all other cases, this is nil", the
-- event's description).

local KIND_TYPES = {
  ["bool-setting"] = "boolean", ["int-setting"] = "number", ["double-setting"] = "number",
  ["string-setting"] = "string", ["color-setting"] = "table",
}
local SETTING_TYPES = { "bool-setting", "int-setting", "double-setting", "string-setting", "color-setting" }

local function copy_value(v)
  if type(v) ~= "table" then return v end
  local c = {}
  for k, x in pairs(v) do c[k] = x end
  return c
end

-- The mods whose files are on the call stack (chunks named @__mod__/…); none for the test's
-- own code. A library file runs in the calling mod's Lua state in the game, so one frame of
-- the owner anywhere up the stack counts.
local function mods_on_stack(level)
  local found, any = {}, false
  local l = level + 1
  while true do
    local info = debug.getinfo(l, "S")
    if not info then break end
    local name = info.source:match("^@__([^/]+)__/")
    if name then found[name], any = true, true end
    l = l + 1
  end
  return any and found or nil
end

-- Checks a ModSetting written to `name`; our words (the game's were not found).
local function checked_value(settings, name, setting, where, level)
  if type(setting) ~= "table" or classes.is_object(setting) or setting.value == nil then
    error(("%s: a ModSetting table ({value = …}) expected, got %s"):format(where,
      type(setting) == "table" and "a table without value" or type(setting)), level + 1)
  end
  local value = setting.value
  local proto = settings.protos[name]
  local kind = proto and proto.type
  local want = KIND_TYPES[kind]
  if want then
    if type(value) ~= want or (kind == "int-setting" and value % 1 ~= 0) then
      error(("%s: %s is an %s; %s expected, got %s"):format(where, name, kind,
        kind == "int-setting" and "integer" or want, type(value)), level + 1)
    end
    local allowed = proto.allowed_values
    if allowed then
      local found = false
      for _, v in ipairs(allowed) do if v == value then found = true end end
      if not found then error(("%s: %s is not an allowed value of %s"):format(where, tostring(value), name), level + 1) end
    end
    if (proto.minimum_value and value < proto.minimum_value) or (proto.maximum_value and value > proto.maximum_value) then
      error(("%s: %s is out of %s's range [%s, %s]"):format(where, tostring(value), name,
        tostring(proto.minimum_value or "-inf"), tostring(proto.maximum_value or "inf")), level + 1)
    end
  end
  return copy_value(value)
end

-- A LuaCustomTable over one store; `write(name, setting, level)` is nil for a read-only one.
local function settings_table(store, write)
  local t = classes.custom_table(function(name)
    local v = store[name]
    if v ~= nil then return { value = copy_value(v) } end
  end, function()
    local names = {}
    for name in pairs(store) do names[#names + 1] = name end
    table.sort(names)
    return names
  end)
  classes.data(t).assign = write
  return t
end

local function changed(state, name, setting_type, player_index)
  script.raise(state, state.env_defines.events.on_runtime_mod_setting_changed,
    { player_index = player_index, setting = name, setting_type = setting_type })
end

-- Writes `setting` to a runtime setting from mod code (level: the caller to blame).
local function writer(state, store_name, setting_type, player_index)
  return function(name, setting, level)
    local settings = state.settings
    local store = store_name and settings[store_name] or settings.per_player[player_index]
    local where = "settings." .. (store_name or "get_player_settings(" .. player_index .. ")") .. "[" .. ("%q"):format(tostring(name)) .. "]"
    if store[name] == nil then
      error(("%s: no %s setting named %s"):format(where, setting_type, tostring(name)), level + 1)
    end
    local mods, owner = mods_on_stack(level), settings.owners[name]
    if mods and owner and not mods[owner] then
      -- "Mods can only change their own settings" (the API description); our words.
      error(("%s: only mod %s can change this setting; mods can only change their own settings"):format(where, owner), level + 1)
    end
    store[name] = checked_value(settings, name, setting, where, level + 1)
    -- Changing player_default affects future players only; the game's docs mention no event.
    if store_name ~= "player_default" then changed(state, name, setting_type, player_index) end
  end
end

local function per_player(state, index)
  local settings = state.settings
  local store = settings.per_player[index]
  if not store then
    store = {}
    for name, value in pairs(settings.player_default) do store[name] = copy_value(value) end
    settings.per_player[index] = store
  end
  return store
end

local function player_index_of(state, player, where, level)
  local pd = classes.data(player)
  local index = pd and pd.index or player
  if type(index) == "string" then
    local p = state.world.players_by_name[index]
    index = p and classes.data(p).index
  end
  if not state.world.players[index] then error(where .. ": Invalid player identification: " .. tostring(player), level + 1) end
  return index
end

M.settings_table, M.writer, M.per_player, M.player_index_of = settings_table, writer, per_player, player_index_of

--- Adds setting prototypes (data.raw of a settings stage) owned by `mod`: defaults into their
--- stores, unless the test already chose a startup value.
function M.add_setting_prototypes(state, raw, mod)
  local settings = state.settings
  for _, kind in ipairs(SETTING_TYPES) do
    for name, proto in pairs(raw[kind] or {}) do
      settings.protos[name], settings.owners[name] = proto, mod
      local value = proto.default_value
      if proto.hidden and proto.forced_value ~= nil then value = proto.forced_value end
      local store = proto.setting_type == "startup" and settings.startup
        or proto.setting_type == "runtime-global" and settings.global
        or proto.setting_type == "runtime-per-user" and settings.player_default
      if store and store[name] == nil then store[name] = value end
      if proto.setting_type == "runtime-per-user" then
        for _, values in pairs(settings.per_player) do if values[name] == nil then values[name] = copy_value(value) end end
      end
    end
  end
end

-- The dataset's setting prototypes and values, then fm.setup's startup choices.
local function runtime_settings(state, startup)
  local result = { startup = {}, global = {}, player_default = {}, per_player = {}, protos = {}, owners = {} }
  for name, setting in pairs(startup) do result.startup[name] = setting.value end
  state.settings = result
  local source = state.session.dataset.source
  local types, raw = set_of(source.types() or {}), {}
  for _, t in ipairs(SETTING_TYPES) do
    if types[t] then raw[t] = source.build(t) end
  end
  M.add_setting_prototypes(state, raw, nil)
  local from_dataset = state.session.dataset.settings
  if type(from_dataset) == "table" then
    for kind, target in pairs({ ["runtime-global"] = result.global, ["runtime-per-user"] = result.player_default }) do
      for name, setting in pairs(from_dataset[kind] or {}) do
        target[name] = type(setting) == "table" and setting.value or setting
      end
    end
  end
  result.tables = {
    startup = settings_table(result.startup, nil),
    global = settings_table(result.global, writer(state, "global", "runtime-global")),
    player_default = settings_table(result.player_default, writer(state, "player_default", "runtime-per-user")),
    per_player = {},
  }
  return result
end

M.runtime_settings = runtime_settings

--- fm.set_setting(name, value[, player]): changes a runtime setting as a player would in the
--- mod settings GUI (no ownership rule), then raises on_runtime_mod_setting_changed.
function M.set_setting(state, name, value, player)
  local settings = state.settings
  if player ~= nil then
    local index = player_index_of(state, player, "fm.set_setting", 3)
    local store = per_player(state, index)
    if settings.player_default[name] == nil then
      error(("fm.set_setting: '%s' is not a runtime-per-user setting"):format(tostring(name)), 3)
    end
    store[name] = checked_value(settings, name, { value = value }, "fm.set_setting", 3)
    changed(state, name, "runtime-per-user", index)
  else
    if settings.global[name] == nil then
      error(("fm.set_setting: '%s' is not a runtime-global setting"):format(tostring(name)), 3)
    end
    settings.global[name] = checked_value(settings, name, { value = value }, "fm.set_setting", 3)
    changed(state, name, "runtime-global", nil)
  end
end

return M
