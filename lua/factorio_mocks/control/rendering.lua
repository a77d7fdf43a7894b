-- rendering: the render objects of a session (state.render_objects); the members of LuaRendering
-- and LuaRenderObject are in control/classes/LuaRendering.lua.

local classes = require("factorio_mocks.control.classes")

local M = {}

function M.globals(state)
  state.render_next_id, state.render_objects = 0, {}
  return classes.new("LuaRendering", { state = state })
end

return M
