-- LuaRCON (rcon): print, answered to fm.rcon.

local classes = require("factorio_mocks.control.classes")
local output = require("factorio_mocks.control.output")

local rcon = classes.impl("LuaRCON")
function rcon.call.print(d, message)
  local text = output.capture(d.state, "rcon", message, "en", "LuaRCON.print")
  if d.state.rcon_active then d.state.rcon_active[#d.state.rcon_active + 1] = text end
end
