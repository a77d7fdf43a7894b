-- LuaGui and LuaGuiElement trees: add with the element types and their fields, destroy, clear,
-- children, parent, tags, name lookup (element[name]) and style as a table.

local classes = require("factorio_mocks.control.classes")

local M = {}

local data = classes.data

local TYPES = {}
for _, t in ipairs({ "button", "sprite-button", "checkbox", "flow", "frame", "label", "line", "progressbar",
  "table", "textfield", "radiobutton", "sprite", "scroll-pane", "drop-down", "list-box", "camera",
  "choose-elem-button", "text-box", "slider", "minimap", "entity-preview", "empty-widget", "tabbed-pane",
  "tab", "switch" }) do TYPES[t] = true end

-- Fields every element reads before anything was set.
local function defaults(t)
  local f = { caption = "", tooltip = "", visible = true, enabled = true, ignored_by_interaction = false,
    raise_hover_events = false, locked = false }
  if t == "textfield" or t == "text-box" then f.text = "" end
  if t == "flow" or t == "frame" then f.direction = "horizontal" end
  if t == "drop-down" or t == "list-box" then f.items = {}; f.selected_index = 0 end
  if t == "progressbar" then f.value = 0 end
  return f
end

local function new_element(state, t, name, parent, player_index)
  state.gui_next_index = (state.gui_next_index or 0) + 1
  return classes.new("LuaGuiElement", {
    state = state, type = t, name = name or "", parent = parent, player_index = player_index,
    children = {}, tags = {}, fields = defaults(t), style = { name = t }, index = state.gui_next_index,
  })
end

function M.new_gui(state, player)
  local index = data(player).index
  local gui = { state = state, player = player }
  for _, root in ipairs({ "top", "left", "center", "screen", "relative", "goal" }) do
    gui[root] = new_element(state, root == "screen" and "empty-widget" or "flow", root, nil, index)
  end
  return classes.new("LuaGui", gui)
end

local lgui = classes.impl("LuaGui")
for _, root in ipairs({ "top", "left", "center", "screen", "relative", "goal" }) do
  lgui.get[root] = function(d) return d[root] end
end
function lgui.get.player(d) return d.player end

local element = classes.impl("LuaGuiElement")

-- Parameters of add that are not attributes to copy.
local NOT_FIELDS = { type = true, name = true, tags = true, style = true, index = true }

function element.call.add(d, params)
  local t = params.type
  -- Our words: the game's message for an unknown element type was not found.
  if not TYPES[t] then error("Unknown GUI element type: " .. tostring(t), 2) end
  local name = params.name
  if name ~= nil and name ~= "" then
    for _, child in ipairs(d.children) do
      if data(child).name == name then
        error(("Gui element with name %s already present in the parent element."):format(name), 2)
      end
    end
  end
  local child = new_element(d.state, t, name, d.self, d.player_index)
  local cd = data(child)
  for k, v in pairs(params) do
    if not NOT_FIELDS[k] then cd.fields[k] = v end
  end
  if params.tags then cd.tags = params.tags end
  if params.style then cd.style = { name = params.style } end
  if params.index then table.insert(d.children, params.index, child) else d.children[#d.children + 1] = child end
  return child
end

local function destroy_tree(e)
  local d = data(e)
  for _, child in ipairs(d.children) do destroy_tree(child) end
  d.children = {}
  classes.invalidate(e)
end

function element.call.destroy(d)
  if d.parent then
    local siblings = data(d.parent).children
    for i, c in ipairs(siblings) do if c == d.self then table.remove(siblings, i); break end end
  end
  destroy_tree(d.self)
end

function element.call.clear(d)
  for _, child in ipairs(d.children) do destroy_tree(child) end
  d.children = {}
end

function element.index(d, key)
  if type(key) == "string" then
    for _, child in ipairs(d.children) do
      if data(child).name == key then return true, child end
    end
    return true, nil
  end
  return false
end

function element.get.children(d)
  local list = {}
  for i, c in ipairs(d.children) do list[i] = c end
  return list
end
function element.get.children_names(d)
  local list = {}
  for i, c in ipairs(d.children) do list[i] = data(c).name end
  return list
end
function element.get.parent(d) return d.parent end
function element.get.name(d) return d.name end
function element.set.name(d, v) d.name = v end
function element.get.type(d) return d.type end
function element.get.index(d) return d.index end
function element.get.player_index(d) return d.player_index end
function element.get.gui(d) return data(d.state.world.player_list[d.player_index]).gui end
-- tags read as a copy, as in the game: changing the returned table changes nothing.
function element.get.tags(d)
  local copy = {}
  for k, v in pairs(d.tags) do copy[k] = v end
  return copy
end
function element.set.tags(d, v) d.tags = v end
function element.get.style(d) return d.style end
function element.set.style(d, v) d.style = { name = v } end

return M
