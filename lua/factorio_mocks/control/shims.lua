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
  local saved = state.rcon_active
  state.rcon_active = from_rcon and {} or nil
  local ok, err = pcall(command.fn, data)
  local rcon_out = state.rcon_active
  state.rcon_active = saved
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

function helpers.call.json_to_table(d, text)
  local ok, result = pcall(json.decode, text)
  if not ok then return nil end
  return result
end

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

local settings_impl = classes.impl("LuaSettings")
function settings_impl.get.startup(d) return d.state.settings.startup end
function settings_impl.get.global(d) return d.state.settings.global end
function settings_impl.get.player_default(d) return d.state.settings.player_default end
function settings_impl.call.get_player_settings(d, player)
  local pd = classes.data(player)
  local index = pd and pd.index or player
  if type(index) == "string" then
    local p = d.state.world.players_by_name[index]
    index = p and classes.data(p).index
  end
  if not d.state.world.players[index] then error("Invalid player identification: " .. tostring(player), 2) end
  local per = d.state.settings.per_player[index]
  if not per then
    per = {}
    for name, setting in pairs(d.state.settings.player_default) do per[name] = { value = setting.value } end
    d.state.settings.per_player[index] = per
  end
  return per
end

-- Runtime settings: the dataset's setting prototypes and their defaults.
local SETTING_TYPES = { "bool-setting", "int-setting", "double-setting", "string-setting", "color-setting" }
local function runtime_settings(state, startup)
  local result = { startup = startup, global = {}, player_default = {}, per_player = {}, types = {} }
  local source = state.session.dataset.source
  local types = {}
  for _, t in ipairs(source.types() or {}) do types[t] = true end
  for _, t in ipairs(SETTING_TYPES) do
    if types[t] then
      for name, proto in pairs(source.build(t) or {}) do
        local target = proto.setting_type == "runtime-global" and result.global
          or proto.setting_type == "runtime-per-user" and result.player_default
        if target then target[name] = { value = proto.default_value } end
        result.types[name] = proto.setting_type
      end
    end
  end
  local from_dataset = state.session.dataset.settings
  if type(from_dataset) == "table" then
    for kind, target in pairs({ ["runtime-global"] = result.global, ["runtime-per-user"] = result.player_default }) do
      for name, setting in pairs(from_dataset[kind] or {}) do
        target[name] = { value = type(setting) == "table" and setting.value or setting }
        result.types[name] = kind
      end
    end
  end
  return result
end

--- fm.set_setting(name, value[, player]): changes a runtime setting as a player would in the
--- mod settings GUI, then raises on_runtime_mod_setting_changed.
function M.set_setting(state, name, value, player)
  local settings = state.settings
  local index
  if player ~= nil then
    index = classes.data(player) and classes.data(player).index or player
    local per = settings_impl.call.get_player_settings({ state = state }, index)
    if not settings.player_default[name] then
      error(("fm.set_setting: '%s' is not a runtime-per-user setting of the dataset"):format(tostring(name)), 3)
    end
    per[name] = { value = value }
  else
    if not settings.global[name] then
      error(("fm.set_setting: '%s' is not a runtime-global setting of the dataset"):format(tostring(name)), 3)
    end
    settings.global[name] = { value = value }
  end
  local defines = state.env_defines
  script.raise(state, defines.events.on_runtime_mod_setting_changed, {
    player_index = index, setting = name,
    setting_type = player ~= nil and "runtime-per-user" or "runtime-global",
  })
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
