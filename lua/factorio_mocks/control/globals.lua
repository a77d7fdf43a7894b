-- The runtime globals around the world: commands, remote, rcon, helpers, settings, and log and
-- localised_print captured for fm.output (the world's own globals: control/world/init.lua).

local classes = require("factorio_mocks.control.classes")
local output = require("factorio_mocks.control.output")
local settings = require("factorio_mocks.control.settings")

local M = {}

function M.globals(state, common)
  state.commands, state.interfaces, state.interface_owner = {}, {}, {}
  local startup = require("factorio_mocks.stage.common").startup_settings(state.session)
  state.settings = settings.runtime_settings(state, startup)
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
    output.capture(state, "log", message, "en", "log")
    if log then return log(message) end
  end
  g.localised_print = function(message)
    output.capture(state, "print", message, "en", "localised_print")
    if localised_print then return localised_print(message) end
  end
  return g
end

return M
