-- The hand-written globals around the world: commands, remote, rcon, helpers, settings, and the
-- capture of everything printed (fm.output).

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local json = require("factorio_mocks.control.json")

local M = {}

local echo = os.getenv("FACTORIO_MOCKS_LOG") == "1"

--- The text a LocalisedString shows in `lang` (default "en"), through fm.locale. An invalid
--- LocalisedString fails here, as printing one fails in the game; `where` names the API call.
function M.text(state, message, lang, where)
  local t = type(message)
  if t == "string" then return message end
  -- Numbers, booleans and nil as text; an object as its class ("[LuaPlayer]").
  if t ~= "table" or classes.is_object(message) then return tostring(message) end
  local ok, text = pcall(state.fm.locale.translate, message, lang or "en")
  if not ok then error((where and (where .. ": ") or "") .. tostring(text), 0) end
  return text
end

--- Records what `source` printed (game, player, force, surface, rcon, log, print) as the
--- text a player with locale `lang` reads.
function M.capture(state, source, message, lang, where)
  local text = M.text(state, message, lang, where)
  state.output[#state.output + 1] = { source = source, text = text }
  if echo then io.stderr:write("[" .. source .. "] ", text, "\n") end
  return text
end

-- How long a console remembers a line for print_settings.skip (the API description's ticks).
local SKIP_TICKS = { if_redundant = 60, if_visible = 1152 }

--- game/force/surface/player.print: captured once for fm.output (in `lang`), and once per
--- recipient in that player's locale for fm.output(player). By default a console skips a line
--- it showed in the last 60 ticks, as the game does (print_settings.skip).
function M.print_to(state, source, message, lang, recipients, print_settings, where)
  local text = M.capture(state, source, message, lang, where)
  local skip_ticks = SKIP_TICKS.if_redundant
  if type(print_settings) == "table" and print_settings.skip ~= nil then
    skip_ticks = nil
    for name, value in pairs(state.env_defines.print_skip) do
      if value == print_settings.skip then skip_ticks = SKIP_TICKS[name] end
    end
  end
  for _, p in ipairs(recipients) do
    local pd = classes.data(p)
    local console = state.consoles[pd.index]
    if not console then console = {}; state.consoles[pd.index] = console end
    local line = pd.locale == lang and text or M.text(state, message, pd.locale, where)
    local shown = false
    if skip_ticks then
      for i = #console, 1, -1 do
        local old = console[i]
        if state.tick - old.tick > skip_ticks then break end
        if old.text == line then shown = true; break end
      end
    end
    if not shown then console[#console + 1] = { text = line, tick = state.tick, source = source } end
  end
  return text
end

-- Copies a value crossing between mods (remote calls): each mod has its own Lua state in the game.
local function transfer(value, seen)
  if type(value) == "function" then error("Can't pass a function through remote.call", 0) end
  if type(value) ~= "table" or classes.is_object(value) then return value end
  seen = seen or {}
  if seen[value] then return seen[value] end
  local copy = {}
  seen[value] = copy
  for k, v in pairs(value) do copy[transfer(k, seen)] = transfer(v, seen) end
  return copy
end

-- LuaCommandProcessor ---------------------------------------------------------------------------

-- The game's own commands (a subset of /help's list), which a mod may not replace.
local GAME_COMMANDS = {
  "admins", "ban", "bans", "c", "clear", "color", "command", "config", "delete-blueprint-library",
  "demote", "editor", "evolution", "h", "help", "ignore", "ignores", "kick", "measured-command",
  "mute", "mutes", "o", "open", "p", "permissions", "players", "promote", "purge", "r", "reply",
  "reset-tips", "s", "screenshot", "seed", "server-save", "shout", "silent-command", "swap-players",
  "time", "toggle-action-logging", "toggle-heavy-mode", "unban", "unignore", "unlock-shortcut-bar",
  "unlock-tips", "unmute", "version", "w", "whisper", "whitelist",
}
local GAME_COMMAND_SET = {}
for _, name in ipairs(GAME_COMMANDS) do GAME_COMMAND_SET[name] = true end

local commands = classes.impl("LuaCommandProcessor")

function commands.call.add_command(d, name, help, fn)
  if type(fn) ~= "function" then
    error("bad argument #3 (function) to 'LuaCommandProcessor.add_command' (function expected, got " .. type(fn) .. ")", 2)
  end
  -- The game refuses duplicates; its exact words were not found, so these are ours.
  if d.state.commands[name] or GAME_COMMAND_SET[name] then
    error(("Command '%s' already exists."):format(name), 2)
  end
  d.state.commands[name] = { help = help, fn = fn, mod = d.state.parsing or d.state.primary }
end

function commands.call.remove_command(d, name)
  local existed = d.state.commands[name] ~= nil
  d.state.commands[name] = nil
  return existed
end

function commands.get.commands(d)
  local list = {}
  for name, c in pairs(d.state.commands) do list[name] = c.help end
  return list
end

function commands.get.game_commands(d)
  local list = {}
  for _, name in ipairs(GAME_COMMANDS) do list[name] = { "command-help." .. name } end
  return list
end

--- fm.run_command("/name parameters", player) and fm.rcon("/name …"): the CustomCommandData
--- handlers get (player_index is nil from RCON).
function M.run_command(state, line, player, from_rcon)
  if type(line) ~= "string" then error("fm.run_command: expected a command line such as \"/name parameters\", got " .. type(line), 3) end
  local name, parameter = line:match("^/(%S+)%s*(.*)$")
  if not name then error("fm.run_command: a command line starts with '/': " .. line, 3) end
  local command = state.commands[name]
  if not command then
    error(("fm.run_command: unknown command /%s (commands.add_command registers one)"):format(name), 3)
  end
  local index
  if player ~= nil then
    local pd = classes.data(player)
    index = pd and pd.index or player
  end
  local data = { name = name, tick = state.tick, player_index = index, parameter = parameter ~= "" and parameter or nil }
  local saved, saved_player = state.rcon_active, state.command_player
  state.rcon_active = from_rcon and {} or nil
  -- game.player is the player typing the command, only inside the handler (nil from RCON).
  state.command_player = index and state.world.players[index] or nil
  local ok, err = pcall(command.fn, data)
  local rcon_out = state.rcon_active
  state.rcon_active, state.command_player = saved, saved_player
  if not ok then
    error(("Error while running command \"%s\": %s"):format(name, tostring(err)), 0)
  end
  return rcon_out
end

--- Forgets what a mod registered in its Lua state (before its control.lua runs again on load).
function M.clear_mod(state, mod)
  for name, owner in pairs(state.interface_owner) do
    if owner == mod then state.interfaces[name], state.interface_owner[name] = nil, nil end
  end
  for name, c in pairs(state.commands) do
    if c.mod == mod then state.commands[name] = nil end
  end
end

-- LuaRemote -------------------------------------------------------------------------------------

local remote = classes.impl("LuaRemote")

function remote.call.add_interface(d, name, functions)
  if d.state.interfaces[name] then
    -- Documented as an error; the game's exact words were not found.
    error(("Remote interface with name '%s' already exists."):format(name), 2)
  end
  local copy = {}
  for fname, fn in pairs(functions) do
    if type(fn) ~= "function" then error(("remote.add_interface: %s.%s is not a function"):format(name, tostring(fname)), 2) end
    copy[fname] = fn
  end
  d.state.interfaces[name] = copy
  d.state.interface_owner[name] = d.state.parsing or d.state.primary
end

function remote.call.remove_interface(d, name)
  local existed = d.state.interfaces[name] ~= nil
  d.state.interfaces[name] = nil
  return existed
end

function remote.get.interfaces(d)
  local list = {}
  for name, functions in pairs(d.state.interfaces) do
    list[name] = {}
    for fname in pairs(functions) do list[name][fname] = true end
  end
  return list
end

local unpack = table.unpack or unpack

function remote.call.call(d, interface, fname, ...)
  local functions = d.state.interfaces[interface]
  if not functions then error("Unknown interface: " .. tostring(interface), 2) end
  local fn = functions[fname]
  if not fn then
    -- Our words: the game's message for a missing function was not found.
    error(("Unknown function name: %s in interface %s"):format(tostring(fname), tostring(interface)), 2)
  end
  local args = { n = select("#", ...), ... }
  for i = 1, args.n do args[i] = transfer(args[i]) end
  local result = { pcall(fn, unpack(args, 1, args.n)) }
  if not result[1] then
    error(("Error when running interface function %s.%s: %s"):format(interface, fname, tostring(result[2])), 2)
  end
  return transfer(result[2])
end

-- LuaRCON ---------------------------------------------------------------------------------------

local rcon = classes.impl("LuaRCON")
function rcon.call.print(d, message)
  local text = M.capture(d.state, "rcon", message, "en", "LuaRCON.print")
  if d.state.rcon_active then d.state.rcon_active[#d.state.rcon_active + 1] = text end
end

-- LuaHelpers ------------------------------------------------------------------------------------

local helpers = classes.impl("LuaHelpers")

function helpers.get.game_version(d) return d.state.session.dataset.factorio_version or "2.0.77" end

function helpers.call.table_to_json(d, data) return json.encode(data) end

-- The JSON parser datasets use (Rust: fm.codec); nil for text that is not JSON, as the game.
function helpers.call.json_to_table(d, text) return d.state.fm.codec.json_to_table(text) end

function helpers.call.write_file(d, filename, data, append, for_player)
  if filename:find("%.%.") or filename:find("^/") then
    error("Path can't contain \"..\" or start with \"/\": " .. filename, 2)
  end
  local text = M.text(d.state, data, "en", "LuaHelpers.write_file")
  local files = d.state.files
  files[filename] = (append and files[filename] or "") .. text
end

function helpers.call.remove_path(d, path)
  local files = d.state.files
  for name in pairs(files) do
    if name == path or name:sub(1, #path + 1) == path .. "/" then files[name] = nil end
  end
end

-- zlib + base64, as the game does (the codec is Rust: fm.codec).
function helpers.call.encode_string(d, text) return d.state.fm.codec.encode_string(text) end
function helpers.call.decode_string(d, text) return d.state.fm.codec.decode_string(text) end

function helpers.call.compare_versions(d, first, second)
  local function parts(v)
    local t = {}
    for n in v:gmatch("%d+") do t[#t + 1] = tonumber(n) end
    return t
  end
  local a, b = parts(first), parts(second)
  for i = 1, math.max(#a, #b) do
    local x, y = a[i] or 0, b[i] or 0
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end

function helpers.call.direction_to_string(d, direction)
  for name, value in pairs(d.state.env_defines.direction) do
    if value == direction then return name end
  end
end

function helpers.call.multilingual_to_lower(d, input) return input:lower() end

-- Sprite paths the game accepts: "type/name" with a known type, a file path, or a utility name.
local SPRITE_TYPES = {
  item = "item", entity = "entity", technology = "technology", recipe = "recipe", fluid = "fluid",
  tile = "tile", ["virtual-signal"] = "virtual-signal", ["item-group"] = "item-group",
  quality = "quality", ["space-location"] = "space-location",
}
function helpers.call.is_valid_sprite_path(d, path)
  local kind, name = path:match("^([^/]+)/(.+)$")
  if not kind then return false end
  if kind == "file" or kind == "utility" then return true end
  if not SPRITE_TYPES[kind] then return false end
  local prototypes = rawget(d.state.session.env, "prototypes")
  local ok, list = pcall(function() return prototypes[kind:gsub("%-", "_")] end)
  if ok and list then return list[name] ~= nil end
  return false
end

function helpers.call.check_prototype_translations(d) end

-- LuaSettings -----------------------------------------------------------------------------------
--
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

local settings_impl = classes.impl("LuaSettings")
function settings_impl.get.startup(d) return d.state.settings.tables.startup end
function settings_impl.get.global(d) return d.state.settings.tables.global end
function settings_impl.get.player_default(d) return d.state.settings.tables.player_default end
function settings_impl.call.get_player_settings(d, player)
  local state = d.state
  local index = player_index_of(state, player, "LuaSettings.get_player_settings", 2)
  local tables = state.settings.tables.per_player
  if not tables[index] then
    tables[index] = settings_table(per_player(state, index), writer(state, nil, "runtime-per-user", index))
  end
  return tables[index]
end
M.get_player_settings = function(state, player) return settings_impl.call.get_player_settings({ state = state }, player) end

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
  local types, raw = {}, {}
  for _, t in ipairs(source.types() or {}) do types[t] = true end
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

-- The globals ------------------------------------------------------------------------------------

function M.globals(state, common)
  state.commands, state.interfaces, state.interface_owner = {}, {}, {}
  local startup = require("factorio_mocks.stage.common").startup_settings(state.session)
  state.settings = runtime_settings(state, startup)
  local g = {
    commands = classes.new("LuaCommandProcessor", { state = state }),
    remote = classes.new("LuaRemote", { state = state }),
    rcon = classes.new("LuaRCON", { state = state }),
    helpers = classes.new("LuaHelpers", { state = state }),
    settings = classes.new("LuaSettings", { state = state }),
  }
  -- log and localised_print keep writing fm.logs (common) and are captured here too.
  local log, localised_print = common.log, common.localised_print
  g.log = function(message)
    M.capture(state, "log", message, "en", "log")
    if log then return log(message) end
  end
  g.localised_print = function(message)
    M.capture(state, "print", message, "en", "localised_print")
    if localised_print then return localised_print(message) end
  end
  return g
end

return M
