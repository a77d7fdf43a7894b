-- LuaGui and LuaGuiElement trees: add with the element types and their fields, destroy, clear,
-- children, parent, tags, name lookup (element[name]), and each element's LuaStyle.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")
local script = require("factorio_mocks.control.script")

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

-- Styles ------------------------------------------------------------------------------------------

-- The styles of data.raw["gui-style"].default (nil when the dataset has none, as a bare one).
local function style_table(state)
  local raw = prototypes.family_raw(state, "gui_style").by_name.default
  return raw
end

-- The style an element gets when `add` names none. The game's defaults are not in the API
-- description; these are the gui-style names of the element types (underscores, textbox for
-- text fields), falling back to the type's own name.
local DEFAULT_STYLE = {
  ["sprite-button"] = "button", ["choose-elem-button"] = "button", textfield = "textbox", ["text-box"] = "textbox",
  ["drop-down"] = "dropdown", sprite = "image",
}
local function default_style(t)
  return DEFAULT_STYLE[t] or (t:gsub("%-", "_"))
end

-- `name` checked against the dataset's styles, when it has any.
local function check_style(state, name, level)
  if type(name) ~= "string" then error("string expected, got " .. type(name), level + 1) end
  local styles = style_table(state)
  -- The game's words (seen in mod crash reports from LuaGuiElement.add).
  if styles and type(styles[name]) ~= "table" then error("Unknown style " .. name, level + 1) end
end

local function new_element(state, t, name, parent, player_index)
  state.gui_next_index = (state.gui_next_index or 0) + 1
  return classes.new("LuaGuiElement", {
    state = state, type = t, name = name or "", parent = parent, player_index = player_index,
    children = {}, tags = {}, fields = defaults(t), style = { name = default_style(t), fields = {} },
    index = state.gui_next_index,
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
  if params.style then
    check_style(d.state, params.style, 2)
    cd.style = { name = params.style, fields = {} }
  end
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
-- One LuaStyle per element; it reads the element's current style, so it stays right after
-- `element.style = "other"` (which drops what was written, as the game restyles from scratch).
function element.get.style(d)
  if not d.style_object then d.style_object = classes.new("LuaStyle", { state = d.state, element = d }) end
  return d.style_object
end
function element.set.style(d, v)
  -- classes' __newindex tail-calls setters: level 2 is the code that wrote.
  check_style(d.state, v, 2)
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

-- LuaStyle ----------------------------------------------------------------------------------------

local style = classes.impl("LuaStyle")

-- Colors read back as {r, g, b, a}; 0–255 values are scaled to 0–1 as the game does (Color).
local function color_of(c)
  if type(c) ~= "table" then return c end
  local r, g, b, a = c.r or c[1] or 0, c.g or c[2] or 0, c.b or c[3] or 0, c.a or c[4]
  if r > 1 or g > 1 or b > 1 or (a or 0) > 1 then
    r, g, b, a = r / 255, g / 255, b / 255, a and a / 255
  end
  return { r = r, g = g, b = b, a = a or 1 }
end

-- Writes that set several fields (the API description's words for each).
local function sides(v, what)
  if type(v) == "number" then return v, v, v, v end
  if type(v) ~= "table" then error(what .. ": number or array expected, got " .. type(v), 4) end
  if #v == 2 then return v[1], v[2], v[1], v[2] end
  if #v == 4 then return v[1], v[2], v[3], v[4] end
  error(what .. ": an array of 2 or 4 numbers expected, got " .. #v, 4)
end
local function set_sides(d, v, what, prefix, suffix)
  local f = d.element.style.fields
  f[prefix .. "top_" .. suffix], f[prefix .. "right_" .. suffix], f[prefix .. "bottom_" .. suffix],
    f[prefix .. "left_" .. suffix] = sides(v, what)
end
function style.set.padding(d, v) set_sides(d, v, "LuaStyle::padding", "", "padding") end
function style.set.margin(d, v) set_sides(d, v, "LuaStyle::margin", "", "margin") end
function style.set.cell_padding(d, v) set_sides(d, v, "LuaStyle::cell_padding", "", "cell_padding") end
function style.set.extra_padding_when_activated(d, v)
  set_sides(d, v, "LuaStyle::extra_padding_when_activated", "extra_", "padding_when_activated")
end
function style.set.extra_margin_when_activated(d, v)
  set_sides(d, v, "LuaStyle::extra_margin_when_activated", "extra_", "margin_when_activated")
end
-- width/height set both the minimal and the maximal size; size sets width and height.
function style.set.width(d, v)
  local f = d.element.style.fields
  f.minimal_width, f.maximal_width = v, v
end
function style.set.height(d, v)
  local f = d.element.style.fields
  f.minimal_height, f.maximal_height = v, v
end
function style.set.size(d, v)
  local w, h = v, v
  if type(v) == "table" then w, h = v[1], v[2] end
  if type(w) ~= "number" or type(h) ~= "number" then
    error("LuaStyle::size: a number or an array of two numbers expected", 2)
  end
  style.set.width(d, w)
  style.set.height(d, h)
end
function style.get.name(d) return d.element.style.name end
function style.get.gui(d) return element.get.gui(d.element) end

-- The parent of a style in data.raw: its `parent`, else the root style of its type
-- (button_style → button), as the game resolves styles.
local function parent_style(styles, name, s)
  if s.parent then return s.parent end
  local root = type(s.type) == "string" and s.type:match("^(.*)_style$")
  if root and root ~= name and type(styles[root]) == "table" then return root end
end

-- What a style field reads when nothing was written: the value of the element's style or of
-- its parents in data.raw (width and friends count for the minimal/maximal sizes, padding and
-- margin for each side). A field no style in the chain sets fails as not mocked: the game's
-- engine defaults are not published.
local SHORTHAND = {
  minimal_width = "width", maximal_width = "width", minimal_height = "height", maximal_height = "height",
  natural_width = "width", natural_height = "height",
}
for _, side in ipairs({ "top", "right", "bottom", "left" }) do
  SHORTHAND[side .. "_padding"] = "padding"
  SHORTHAND[side .. "_margin"] = "margin"
  SHORTHAND[side .. "_cell_padding"] = "cell_padding"
end
local SIDE_INDEX = { top = 1, right = 2, bottom = 3, left = 4 }

local function from_shorthand(key, v)
  if type(v) ~= "table" then return v end
  local side = key:match("^(%a+)_")
  local i = SIDE_INDEX[side]
  if not i then return nil end
  if #v == 2 then return v[(i == 1 or i == 3) and 1 or 2] end
  return v[i]
end

function style.attribute(d, key, r)
  local written = d.element.style.fields[key]
  if written ~= nil then return true, written end
  local styles = style_table(d.state)
  local name = d.element.style.name
  local seen = {}
  while styles and name and not seen[name] do
    seen[name] = true
    local s = styles[name]
    if type(s) ~= "table" then break end
    local v = s[key]
    if v == nil and SHORTHAND[key] then v = from_shorthand(key, s[SHORTHAND[key]]) end
    if v ~= nil then
      if r.type:find("^Color") then return true, color_of(v) end
      return true, v
    end
    name = parent_style(styles, name, s)
  end
  error(("not mocked: LuaStyle.%s (style %s and its parents in data.raw don't set it)"):format(key, d.element.style.name), 3)
end

-- Writable fields keep what was written; colors come back in the game's {r, g, b, a} shape.
local STYLE_ATTRIBUTES = classes.api.classes.LuaStyle.a
for key, spec in pairs(STYLE_ATTRIBUTES) do
  local mode, t = spec:match("^(%a+):(.*)$")
  if mode == "rw" and not style.set[key] then
    local is_color = t:find("^Color") ~= nil
    style.set[key] = function(d, v)
      d.element.style.fields[key] = is_color and color_of(v) or v
    end
  end
end

return M
