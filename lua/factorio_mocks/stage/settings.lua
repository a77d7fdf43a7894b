-- The settings stage: an empty data.raw that mods extend with setting prototypes.

local common = require("factorio_mocks.stage.common")
local data_stage = require("factorio_mocks.stage.data")

local M = {}

function M.globals(session, fm)
  local g = common.globals(session, fm)
  g.data = data_stage.new_data({}, g.serpent)
  g.mods = common.mods(session)
  g.feature_flags = common.feature_flags(session, g.mods)
  return g
end

return M
