-- The control stage. The runtime mocks live in factorio_mocks.control; this file installs them.

local common = require("factorio_mocks.stage.common")

local M = {}

function M.globals(session, fm)
  local _ = fm.init -- attaches the control driver (see api.lua) before the first control session
  local g = common.globals(session, fm)
  for name, value in pairs(require("factorio_mocks.control").globals(session, fm, g)) do g[name] = value end
  return g
end

return M
