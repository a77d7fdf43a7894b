-- LuaPrototypeBase: what every prototype reads (name, type, order, localised name and
-- description, subgroup, group), and the attributes that read data.raw (plain values, prototype
-- references, bounding boxes).

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")

local defaults = prototypes.defaults

local base = classes.impl("LuaPrototypeBase")
function base.get.name(d) return d.name end
function base.get.type(d) return d.raw.type end
function base.get.order(d)
  if d.raw.order then return d.raw.order end
  -- "The order string is taken from the items in placeable_by … or from an item that has its
  -- place_result set to this entity" (EntityPrototype::order).
  local placing = d.family == "entity" and prototypes.placing_item(d.state, d.raw)
  return placing and placing.order or ""
end
-- The name a product of a recipe shows: its item's or fluid's (nil for other product types).
local function product_name(state, product)
  local family = product.type == "fluid" and "fluid" or product.type == "item" and "item" or nil
  local obj = family and prototypes.get(state, family, product.name)
  return obj and obj.localised_name or nil
end

function base.get.localised_name(d)
  if d.raw.localised_name then return d.raw.localised_name end
  -- An item that places an entity is named after it; a recipe after its main product.
  if d.family == "item" and d.raw.place_result and d.raw.place_result ~= "" then
    local placed = prototypes.get(d.state, "entity", d.raw.place_result)
    if placed then return placed.localised_name end
  elseif d.family == "recipe" then
    local main = classes.impl("LuaRecipePrototype").get.main_product(d)
    local name = main and product_name(d.state, main)
    if name then return name end
  end
  return { (prototypes.LOCALE_SECTION[d.family] or d.family) .. "-name." .. d.name }
end
function base.get.localised_description(d)
  if d.raw.localised_description then return d.raw.localised_description end
  return { (prototypes.LOCALE_SECTION[d.family] or d.family) .. "-description." .. d.name }
end
function base.get.hidden(d) return d.raw.hidden or false end
function base.get.parameter(d) return d.raw.parameter or false end

local function group_object(state, family, name)
  return name and prototypes.get(state, family, name) or nil
end

function base.get.subgroup(d)
  return group_object(d.state, "item_subgroup", prototypes.subgroup_name(d.state, d.family, d.raw, d))
end
function base.get.group(d)
  if d.family == "item_subgroup" then return group_object(d.state, "item_group", d.raw.group) end
  local sub = base.get.subgroup(d)
  return sub and classes.data(sub).raw and group_object(d.state, "item_group", classes.data(sub).raw.group) or nil
end

-- Attributes with the same name and a plain value in data.raw read through (stack_size,
-- max_health, weight …); values whose runtime form differs ("4MJ") stay not mocked.
local SIMPLE = { string = "string", boolean = "boolean", double = "number", float = "number", uint8 = "number",
  uint16 = "number", uint32 = "number", int32 = "number", int8 = "number", int16 = "number", uint64 = "number" }
-- Attributes that mean the data.raw property of the same name (generated from both API
-- descriptions) read its value or the prototype API's default for the prototype's type.
local MAPPED = {}
for class, list in pairs(defaults.runtime) do
  MAPPED[class] = {}
  for name in list:gmatch("[^,]+") do MAPPED[class][name] = true end
end
-- Attributes whose value is a prototype (or an array or dictionary of them) that the data.raw
-- property of the same name names (generated: next_upgrade, place_result, burnt_result, rails …).
local REFS = {}
for class, list in pairs(defaults.refs) do
  REFS[class] = {}
  for name, family, shape in list:gmatch("([%w_]+)=([%w_]+)([%[%]{}]*)") do
    REFS[class][name] = { family = family, shape = shape }
  end
end
local function reference(d, ref, v, optional)
  if ref.shape == "" then
    -- "" (an item without a place result) names nothing.
    return type(v) == "string" and v ~= "" and prototypes.get(d.state, ref.family, v) or nil
  end
  if v == nil and optional then return nil end
  if type(v) == "string" then v = { v } end
  local out = {}
  for _, name in ipairs(v or {}) do
    local obj = prototypes.get(d.state, ref.family, name)
    if obj and ref.shape == "{}" then out[name] = obj elseif obj then out[#out + 1] = obj end
  end
  return out
end

-- BoundingBox attributes read the data.raw box ({{-0.4, -0.4}, {0.4, 0.4}}) or its default in the
-- runtime's form: {left_top = {x, y}, right_bottom = {x, y}}, orientation when non-zero.
local BOXES = {}
for class, list in pairs(defaults.boxes) do BOXES[class] = {} for name in list:gmatch("[^,]+") do BOXES[class][name] = true end end

function base.attribute(d, key, r)
  local ref = REFS[r.owner] and REFS[r.owner][key]
  if ref then return true, reference(d, ref, d.raw[key], r.type:sub(-1) == "?") end
  if BOXES[r.owner] and BOXES[r.owner][key] then
    local box = prototypes.property(d.raw, key)
    -- A box the API gives no default for (rails' computed selection box) stays not mocked.
    if box ~= nil or r.type:sub(-1) == "?" then return true, prototypes.bounding_box(box) end
    return false
  end
  local t = r.type:gsub("%?$", "")
  if MAPPED[r.owner] and MAPPED[r.owner][key] then
    local v = prototypes.property(d.raw, key)
    -- An optional attribute ("the group …, if any") is nil where the default is empty.
    if v == "" and r.type:sub(-1) == "?" then return true, nil end
    if v ~= nil and type(v) == SIMPLE[t] then return true, v end
  end
  local v = d.raw[key]
  if SIMPLE[t] and type(v) == SIMPLE[t] then return true, v end
  if v == nil and r.type:sub(-1) == "?" and SIMPLE[t] then return true, nil end
  return false
end
