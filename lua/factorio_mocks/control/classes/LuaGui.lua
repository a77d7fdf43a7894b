-- LuaGui and LuaGuiElement: the roots, add with the element types and their fields, destroy,
-- clear, children, parent, tags, name lookup (element[name]), style, screen location (the trees:
-- control/gui.lua).

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local gui = require("factorio_mocks.control.gui")

local data = classes.data

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
  if not gui.TYPES[t] then error("Unknown GUI element type: " .. tostring(t), 2) end
  local name = params.name
  if name ~= nil and name ~= "" then
    for _, child in ipairs(d.children) do
      if data(child).name == name then
        error(("Gui element with name %s already present in the parent element."):format(name), 2)
      end
    end
  end
  local child = gui.new_element(d.state, t, name, d.self, d.player_index)
  local cd = data(child)
  for k, v in pairs(params) do
    if not NOT_FIELDS[k] then cd.fields[k] = v end
  end
  if params.tags then cd.tags = params.tags end
  if params.style then
    gui.check_style(d.state, params.style, 2)
    cd.style = { name = params.style, fields = {} }
  end
  if params.index then table.insert(d.children, params.index, child) else d.children[#d.children + 1] = child end
  return child
end

function element.call.destroy(d)
  if d.parent then
    local siblings = data(d.parent).children
    for i, c in ipairs(siblings) do if c == d.self then table.remove(siblings, i); break end end
  end
  gui.destroy_tree(d.self)
end

function element.call.clear(d)
  for _, child in ipairs(d.children) do gui.destroy_tree(child) end
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
-- One LuaStyle per element; it reads the element's current style, so it stays right after
-- `element.style = "other"` (which drops what was written, as the game restyles from scratch).
function element.get.style(d)
  if not d.style_object then d.style_object = classes.new("LuaStyle", { state = d.state, element = d }) end
  return d.style_object
end
function element.set.style(d, v)
  -- classes' __newindex tail-calls setters: level 2 is the code that wrote.
  gui.check_style(d.state, v, 2)
  d.style = { name = v, fields = {} }
end

-- Screen elements --------------------------------------------------------------------------------

-- An element "stored in LuaGui::screen": a direct child of the screen root.
local function in_screen(d)
  local parent = d.parent and data(d.parent)
  return parent ~= nil and parent.parent == nil and parent.name == "screen"
end

-- Members the API description gives only to some element types ("subclasses"). Our words: the
-- game's message for the wrong type was not found.
local function only_for(d, types, member)
  for _, t in ipairs(types) do if d.type == t then return end end
  error(("LuaGuiElement::%s can't be used on an element of type %s (only %s)"):format(member, d.type,
    table.concat(types, ", ")), 3)
end

-- "The location of this widget when stored in LuaGui::screen. nil if not set or not in
-- LuaGui::screen." An element added there stands at the top left, {x = 0, y = 0}, until moved.
function element.get.location(d)
  if not in_screen(d) then return nil end
  local l = d.location or { x = 0, y = 0 }
  return { x = l.x, y = l.y }
end
function element.set.location(d, v)
  local x, y = v.x or v[1], v.y or v[2]
  if type(x) ~= "number" or type(y) ~= "number" then
    error("LuaGuiElement::location: GuiLocation expected ({x = …, y = …} or {x, y})", 2)
  end
  -- Elsewhere than in screen a location means nothing, so it reads nil.
  if in_screen(d) then d.location = { x = x, y = y } end
end

-- "Forces this frame to re-auto-center. Only works on frames stored directly in screen"; the
-- game answers with on_gui_location_changed on a later tick. The layout is not simulated, so
-- location keeps its value.
function element.call.force_auto_center(d)
  only_for(d, { "frame" }, "force_auto_center")
  if not in_screen(d) then return end
  script.raise_next_tick(d.state, d.state.env_defines.events.on_gui_location_changed,
    { element = d.self, player_index = d.player_index }, d.self)
end

-- Focus, drawing order and text selection have no effect a script can read back.
function element.call.focus(d) end
function element.call.bring_to_front(d) end
function element.call.select_all(d) only_for(d, { "textfield", "text-box" }, "select_all") end
