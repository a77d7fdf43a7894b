-- LuaCommandProcessor (commands): add_command, remove_command, the command lists (running one:
-- control/commands.lua).

local classes = require("factorio_mocks.control.classes")

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
