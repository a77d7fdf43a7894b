-- LuaGui and LuaGuiElement trees: the element types, the fields every element starts with, the
-- styles of data.raw["gui-style"], a player's roots, and GUI events from the test side (fm.click,
-- fm.gui_text, fm.gui_check). The classes' members: control/classes/LuaGui.lua and LuaStyle.lua.

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

M.TYPES, M.style_table, M.check_style, M.new_element = TYPES, style_table, check_style, new_element

local function destroy_tree(e)
  local d = data(e)
  for _, child in ipairs(d.children) do destroy_tree(child) end
  d.children = {}
  classes.invalidate(e)
end

M.destroy_tree = destroy_tree

-- GUI events from the test side.
function M.event(state, kind, element, value)
  local ed = data(element)
  if not ed or ed.class ~= "LuaGuiElement" then error("fm." .. kind .. ": expected a LuaGuiElement", 3) end
  if ed.valid == false then error("LuaGuiElement API call when LuaGuiElement was invalid.", 3) end
  local events = state.env_defines.events
  if kind == "click" then
    -- fm.click(element), fm.click(element, {button =, alt =, control =, shift =}), or
    -- fm.click(element, player) with the player the element belongs to (who else could click it).
    local vd = data(value)
    if vd then
      if vd.class ~= "LuaPlayer" or vd.index ~= ed.player_index then
        error(("fm.click: the element belongs to player %d; give that player, or options such as {button = "
          .. "defines.mouse_button_type.right, shift = true}, not %s"):format(ed.player_index,
          vd.class == "LuaPlayer" and "player " .. tostring(vd.index) or "a " .. vd.class), 3)
      end
      value = nil
    elseif value ~= nil and type(value) ~= "table" then
      error("fm.click: expected options such as {button = defines.mouse_button_type.right, shift = true} or the "
        .. "element's player, got " .. type(value), 3)
    end
    value = value or {}
    for k in pairs(value) do
      if k ~= "button" and k ~= "alt" and k ~= "control" and k ~= "shift" then
        error(("fm.click: unknown option '%s' (button, alt, control, shift)"):format(tostring(k)), 3)
      end
    end
    script.raise(state, events.on_gui_click, { element = element, player_index = ed.player_index,
      button = value.button or state.env_defines.mouse_button_type.left,
      alt = value.alt or false, control = value.control or false, shift = value.shift or false })
  elseif kind == "text" then
    ed.fields.text = value
    script.raise(state, events.on_gui_text_changed, { element = element, player_index = ed.player_index, text = value })
  elseif kind == "check" then
    ed.fields.state = value
    script.raise(state, events.on_gui_checked_state_changed, { element = element, player_index = ed.player_index })
  end
end

return M
