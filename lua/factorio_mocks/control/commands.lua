-- Mods' commands and remote interfaces as state: fm.run_command / fm.rcon run a command, and a
-- mod's reload forgets what it registered.

local classes = require("factorio_mocks.control.classes")

local M = {}

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

return M
