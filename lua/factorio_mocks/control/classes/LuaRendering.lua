-- LuaRendering (rendering) and LuaRenderObject: draw_* calls return LuaRenderObjects with ids;
-- get_all_objects, get_object_by_id, clear.

local classes = require("factorio_mocks.control.classes")
local data = classes.data
local api = classes.api

local rendering = classes.impl("LuaRendering")

for method in pairs(api.classes.LuaRendering.m) do
  local kind = method:match("^draw_(.+)$")
  if kind then
    rendering.call[method] = function(d, params)
      local state = d.state
      state.render_next_id = state.render_next_id + 1
      local fields = {}
      for k, v in pairs(params) do fields[k] = v end
      local obj = classes.new("LuaRenderObject", { state = state, id = state.render_next_id, type = kind,
        fields = fields, mod = (state.parsing or state.primary).name })
      state.render_objects[#state.render_objects + 1] = obj
      return obj
    end
  end
end

local function live(state, mod_name)
  local list, keep = {}, {}
  for _, obj in ipairs(state.render_objects) do
    local od = data(obj)
    if od.valid ~= false then
      keep[#keep + 1] = obj
      if mod_name == nil or od.mod == mod_name then list[#list + 1] = obj end
    end
  end
  state.render_objects = keep
  return list
end

function rendering.call.get_all_objects(d, mod_name) return live(d.state, mod_name) end
function rendering.call.clear(d, mod_name)
  for _, obj in ipairs(live(d.state, mod_name)) do classes.invalidate(obj) end
  live(d.state)
end
function rendering.call.get_object_by_id(d, id)
  for _, obj in ipairs(live(d.state)) do if data(obj).id == id then return obj end end
end

local object = classes.impl("LuaRenderObject")
function object.get.id(d) return d.id end
function object.get.type(d) return d.type end
function object.call.destroy(d) classes.invalidate(d.self) end
