-- LuaStyle: an element's style; written fields read back, unwritten ones from data.raw["gui-style"].

local classes = require("factorio_mocks.control.classes")
local gui = require("factorio_mocks.control.gui")

local element = classes.impl("LuaGuiElement")

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
  local styles = gui.style_table(d.state)
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
