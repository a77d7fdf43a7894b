-- `prototypes` (2.0): read-only views of the dataset's data.raw, built lazily per family, with
-- runtime attributes mapped from the prototype fields.

local classes = require("factorio_mocks.control.classes")

local M = {}

local api = classes.api
-- Per prototype, the defaults the prototype API gives its properties (generated).
local defaults = require("factorio_mocks.control.prototype_defaults_" .. api.version:gsub("%.", "_"))
M.defaults = defaults

--- Whether data.raw type `typename` is `root` or descends from it (root: "TurretPrototype").
function M.descends(typename, root)
  local name = defaults.types[typename]
  while name do
    if name == root then return true end
    name = defaults.prototypes[name].parent
  end
  return false
end

--- The game's value of property `key` of a data.raw prototype: the property if set, else the
--- default the prototype API gives for the prototype's type (nil when it gives none).
function M.property(raw, key)
  local v = raw[key]
  if v ~= nil then return v end
  local name = defaults.types[raw.type]
  while name do
    local p = defaults.prototypes[name]
    local d = p.d[key]
    if d ~= nil then
      if type(d) ~= "table" then return d end
      if d.box then return d.box end
      if d.same_as == nil then return nil end
      return M.property(raw, d.same_as)
    end
    name = p.parent
  end
end

-- LuaPrototypes attribute → data.raw types (nil: the attribute's name with '-' for '_').
local FAMILY_TYPES = {
  item_group = { "item-group" }, item_subgroup = { "item-subgroup" },
  mod_data = { "mod-data" }, virtual_signal = { "virtual-signal" },
  -- Planets are space locations.
  space_location = { "space-location", "planet" },
  decorative = { "optimized-decorative" },
  mod_setting = { "bool-setting", "int-setting", "double-setting", "string-setting", "color-setting" },
}
local function split(list)
  local t = {}
  for v in list:gmatch("[^,]+") do t[#t + 1] = v end
  return t
end
FAMILY_TYPES.entity = split(api.prototype_types.entity)
FAMILY_TYPES.item = split(api.prototype_types.item)
FAMILY_TYPES.equipment = split(api.prototype_types.equipment)
FAMILY_TYPES.achievement = {}
for typename in pairs(defaults.types) do
  if M.descends(typename, "AchievementPrototype") then FAMILY_TYPES.achievement[#FAMILY_TYPES.achievement + 1] = typename end
end
table.sort(FAMILY_TYPES.achievement)

-- The locale section of a family's default localised_name ({"item-name.iron-plate"}).
local LOCALE_SECTION = {
  item = "item", entity = "entity", recipe = "recipe", technology = "technology", fluid = "fluid",
  tile = "tile", virtual_signal = "virtual-signal", quality = "quality", equipment = "equipment",
  space_location = "space-location", item_group = "item-group", achievement = "achievement",
}

-- Every prototype of `family`: name → raw table, from data.raw (built once per session).
local function family_raw(state, family)
  -- Before prototypes.globals too (world's first surface asks for its planet).
  local cache = state.prototype_raw or {}
  state.prototype_raw = cache
  if cache[family] then return cache[family] end
  local types = FAMILY_TYPES[family] or { (family:gsub("_", "-")) }
  local source = state.session.dataset.source
  local present = {}
  for _, t in ipairs(source.types() or {}) do present[t] = true end
  local all, names = {}, {}
  for _, t in ipairs(types) do
    if present[t] then
      for name, proto in pairs(source.build(t) or {}) do
        if all[name] == nil then names[#names + 1] = name end
        all[name] = proto
      end
    end
  end
  table.sort(names)
  cache[family] = { by_name = all, names = names }
  return cache[family]
end
M.family_raw = family_raw

--- The prototype object `name` of `family`, or nil.
function M.get(state, family, name)
  local objects = state.prototype_objects[family]
  if not objects then objects = {}; state.prototype_objects[family] = objects end
  local obj = objects[name]
  if obj then return obj end
  local raw = family_raw(state, family).by_name[name]
  if not raw then return nil end
  local attr = api.classes.LuaPrototypes.a[family]
  local class = attr and attr:match("LuaCustomTable<(.-)>") or "LuaPrototypeBase"
  if not api.classes[class] then class = "LuaPrototypeBase" end
  obj = classes.new(class, { state = state, family = family, raw = raw, name = name })
  objects[name] = obj
  return obj
end

-- LuaPrototypes ---------------------------------------------------------------------------------

local protos = classes.impl("LuaPrototypes")
for family, attr in pairs(api.classes.LuaPrototypes.a) do
  if attr:find("LuaCustomTable<", 1, true) and attr ~= "r:LuaCustomTable<MapGenPreset>" then
    protos.get[family] = function(d)
      local state = d.state
      local tables = state.prototype_tables
      if not tables[family] then
        tables[family] = classes.custom_table(
          function(name) return M.get(state, family, name) end,
          function() return family_raw(state, family).names end)
      end
      return tables[family]
    end
  end
end

-- get_entity_filtered and the other get_*_filtered: a custom table of the prototypes that pass.
local filters = require("factorio_mocks.control.prototype_filters")
filters.install(M)
for method in pairs(api.classes.LuaPrototypes.m) do
  local family = method:match("^get_(.+)_filtered$")
  if family then
    local concept   -- get_mod_setting_filtered takes ModSettingPrototypeFilter …
    for name in pairs(defaults.filters) do
      if name:lower() == (family:gsub("_", "") .. "prototypefilter") then concept = name end
    end
    protos.call[method] = function(d, list)
      local state = d.state
      local ok, err = pcall(filters.check, concept, list)
      if not ok then error(err, 2) end
      local names = {}
      local all = family_raw(state, family)
      for _, name in ipairs(all.names) do
        ok, err = pcall(filters.evaluate, concept, list, all.by_name[name], state)
        if not ok then error(err, 2) end
        if err then names[#names + 1] = name end
      end
      local set = {}
      for _, name in ipairs(names) do set[name] = true end
      return classes.custom_table(
        function(name) return set[name] and M.get(state, family, name) or nil end,
        function() return names end)
    end
  end
end

--- The items that place entity prototype `raw`: its placeable_by ({item, count} or a list of
--- them), else the items whose place_result it is (by name).
function M.items_to_place(state, raw)
  local list = {}
  local by = raw.placeable_by
  if by then
    if by.item then by = { by } end
    for i, v in ipairs(by) do list[i] = { name = v.item, count = v.count } end
    return list
  end
  for name, item_raw in pairs(family_raw(state, "item").by_name) do
    if item_raw.place_result == raw.name then list[#list + 1] = { name = name, count = 1 } end
  end
  table.sort(list, function(a, b) return a.name < b.name end)
  return list
end
-- The data.raw item that places entity prototype `raw` first, or nil.
local function placing_item(state, raw)
  local first = M.items_to_place(state, raw)[1]
  return first and family_raw(state, "item").by_name[first.name]
end

-- Prototype attributes ----------------------------------------------------------------------------

local base = classes.impl("LuaPrototypeBase")
function base.get.name(d) return d.name end
function base.get.type(d) return d.raw.type end
function base.get.order(d)
  if d.raw.order then return d.raw.order end
  -- "The order string is taken from the items in placeable_by … or from an item that has its
  -- place_result set to this entity" (EntityPrototype::order).
  local placing = d.family == "entity" and placing_item(d.state, d.raw)
  return placing and placing.order or ""
end
-- The name a product of a recipe shows: its item's or fluid's (nil for other product types).
local function product_name(state, product)
  local family = product.type == "fluid" and "fluid" or product.type == "item" and "item" or nil
  local obj = family and M.get(state, family, product.name)
  return obj and obj.localised_name or nil
end

function base.get.localised_name(d)
  if d.raw.localised_name then return d.raw.localised_name end
  -- An item that places an entity is named after it; a recipe after its main product.
  if d.family == "item" and d.raw.place_result and d.raw.place_result ~= "" then
    local placed = M.get(d.state, "entity", d.raw.place_result)
    if placed then return placed.localised_name end
  elseif d.family == "recipe" then
    local main = classes.impl("LuaRecipePrototype").get.main_product(d)
    local name = main and product_name(d.state, main)
    if name then return name end
  end
  return { (LOCALE_SECTION[d.family] or d.family) .. "-name." .. d.name }
end
function base.get.localised_description(d)
  if d.raw.localised_description then return d.raw.localised_description end
  return { (LOCALE_SECTION[d.family] or d.family) .. "-description." .. d.name }
end
function base.get.hidden(d) return d.raw.hidden or false end
function base.get.parameter(d) return d.raw.parameter or false end

local function group_object(state, family, name)
  return name and M.get(state, family, name) or nil
end
--- The subgroup name of a prototype as the game resolves it: its own, a recipe's main product's,
--- an entity's placing item's (as its order, EntityPrototype::order), "other" for items, fluids,
--- recipes and entities, else nil.
function M.subgroup_name(state, family, raw, d)
  if raw.subgroup then return raw.subgroup end
  if family == "entity" then
    local placing = placing_item(state, raw)
    return placing and M.subgroup_name(state, "item", placing) or "other"
  end
  if family == "recipe" then
    local main = classes.impl("LuaRecipePrototype").get.main_product(d or { state = state, raw = raw })
    local product_family = main and (main.type == "fluid" and "fluid" or main.type == "item" and "item")
    local product = product_family and family_raw(state, product_family).by_name[main.name]
    if product then return M.subgroup_name(state, product_family, product) end
  end
  return (family == "item" or family == "fluid" or family == "recipe") and "other" or nil
end
function base.get.subgroup(d)
  return group_object(d.state, "item_subgroup", M.subgroup_name(d.state, d.family, d.raw, d))
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
    return type(v) == "string" and v ~= "" and M.get(d.state, ref.family, v) or nil
  end
  if v == nil and optional then return nil end
  if type(v) == "string" then v = { v } end
  local out = {}
  for _, name in ipairs(v or {}) do
    local obj = M.get(d.state, ref.family, name)
    if obj and ref.shape == "{}" then out[name] = obj elseif obj then out[#out + 1] = obj end
  end
  return out
end

-- BoundingBox attributes read the data.raw box ({{-0.4, -0.4}, {0.4, 0.4}}) or its default in the
-- runtime's form: {left_top = {x, y}, right_bottom = {x, y}}, orientation when non-zero.
local BOXES = {}
for class, list in pairs(defaults.boxes) do BOXES[class] = {} for name in list:gmatch("[^,]+") do BOXES[class][name] = true end end
local function position(p) return { x = p.x or p[1], y = p.y or p[2] } end
function M.bounding_box(box)
  if box == nil then return nil end
  local out = { left_top = position(box.left_top or box[1]), right_bottom = position(box.right_bottom or box[2]) }
  local orientation = box.orientation or box[3]
  if orientation and orientation ~= 0 then out.orientation = orientation end
  return out
end

function base.attribute(d, key, r)
  local ref = REFS[r.owner] and REFS[r.owner][key]
  if ref then return true, reference(d, ref, d.raw[key], r.type:sub(-1) == "?") end
  if BOXES[r.owner] and BOXES[r.owner][key] then
    local box = M.property(d.raw, key)
    -- A box the API gives no default for (rails' computed selection box) stays not mocked.
    if box ~= nil or r.type:sub(-1) == "?" then return true, M.bounding_box(box) end
    return false
  end
  local t = r.type:gsub("%?$", "")
  if MAPPED[r.owner] and MAPPED[r.owner][key] then
    local v = M.property(d.raw, key)
    -- An optional attribute ("the group …, if any") is nil where the default is empty.
    if v == "" and r.type:sub(-1) == "?" then return true, nil end
    if v ~= nil and type(v) == SIMPLE[t] then return true, v end
  end
  local v = d.raw[key]
  if SIMPLE[t] and type(v) == SIMPLE[t] then return true, v end
  if v == nil and r.type:sub(-1) == "?" and SIMPLE[t] then return true, nil end
  return false
end

-- flags: "Active flags are in the dictionary as true"; has_flag tests one (entities and items).
local function flags(d)
  local set = {}
  for _, f in ipairs(d.raw.flags or {}) do set[f] = true end
  return set
end
local function has_flag(d, flag) return flags(d)[flag] == true end

local item = classes.impl("LuaItemPrototype")
function item.get.stack_size(d) return d.raw.stack_size end
item.get.flags, item.call.has_flag = flags, has_flag

local entity = classes.impl("LuaEntityPrototype")
entity.get.flags, entity.call.has_flag = flags, has_flag
function entity.get.items_to_place_this(d) return M.items_to_place(d.state, d.raw) end
function entity.get.mineable_properties(d)
  local m = d.raw.minable
  if not m then return { minable = false } end
  local products = m.results or (m.result and { { type = "item", name = m.result, amount = m.count or 1 } }) or {}
  return { minable = true, mining_time = m.mining_time, products = products }
end

-- Inventories an entity type has, sized from the prototype's fields. A crafting machine's input
-- and output are 0 here: an entity's follow its recipe (world's resize_crafter).
local MODULE_INVENTORY = {
  furnace = "furnace_modules", ["assembling-machine"] = "assembling_machine_modules", lab = "lab_modules",
  ["mining-drill"] = "mining_drill_modules", beacon = "beacon_modules", ["rocket-silo"] = "rocket_silo_modules",
}
--- The inventories an entity of data.raw prototype `raw` (type `t`) has: defines.inventory index →
--- size.
function M.inventory_sizes(state, raw, t)
  local inv = state.env_defines.inventory
  local out = {}
  if t == "container" or t == "logistic-container" or t == "infinity-container" then
    out[inv.chest] = raw.inventory_size or 16
  elseif t == "character" then
    out[inv.character_main], out[inv.character_guns], out[inv.character_ammo] = raw.inventory_size or 80, 3, 3
    out[inv.character_trash] = 0
  elseif t == "car" or t == "spider-vehicle" then
    out[inv.car_trunk] = raw.inventory_size or 80
  elseif t == "cargo-wagon" then
    out[inv.cargo_wagon] = raw.inventory_size or 40
  elseif t == "furnace" then
    out[inv.furnace_source], out[inv.furnace_result] = raw.source_inventory_size or 1, raw.result_inventory_size or 1
  elseif t == "assembling-machine" or t == "rocket-silo" then
    out[inv.assembling_machine_input], out[inv.assembling_machine_output] = 0, 0
  elseif t == "lab" then
    out[inv.lab_input] = #(raw.inputs or {})
  elseif t == "ammo-turret" then
    out[inv.turret_ammo] = raw.inventory_size or 1
  end
  local modules = MODULE_INVENTORY[t]
  if modules and (raw.module_slots or 0) > 0 then out[inv[modules]] = raw.module_slots end
  local energy = raw.energy_source
  if energy and energy.type == "burner" then
    out[inv.fuel] = energy.fuel_inventory_size or 1
    if (energy.burnt_inventory_size or 0) > 0 then out[inv.burnt_result] = energy.burnt_inventory_size end
  end
  return out
end
-- "The base size of the given inventory", nil where the entity has none; a quality's size
-- (quality_affects_inventory_size) is not mocked.
local function normal_quality(d, member, quality)
  local name = classes.is_object(quality) and quality.name or quality
  if name ~= nil and name ~= "normal" then
    error("not mocked: LuaEntityPrototype." .. member .. " of a quality other than normal", 3)
  end
end
function entity.call.get_inventory_size(d, index, quality)
  normal_quality(d, "get_inventory_size", quality)
  return M.inventory_sizes(d.state, d.raw, d.raw.type)[index]
end
-- "The fluid capacity of this entity or 0 if this entity doesn't support fluids. Crafting machines
-- will report 0": a fluid wagon's capacity, else the volumes of the entity's fluid boxes.
local FLUID_BOXES = split(defaults.fluid_boxes)
local function fluid_capacity(d)
  if d.raw.type == "fluid-wagon" then return d.raw.capacity or 0 end
  if M.descends(d.raw.type, "CraftingMachinePrototype") then return 0 end
  local total = 0
  for _, key in ipairs(FLUID_BOXES) do
    local box = d.raw[key]
    if type(box) == "table" then total = total + (box.volume or 0) end
  end
  return total
end
entity.get.fluid_capacity = fluid_capacity
function entity.call.get_fluid_capacity(d, quality)
  normal_quality(d, "get_fluid_capacity", quality)
  return fluid_capacity(d)
end

--- The tiles entity prototype `raw` covers, width and height (swapped when `sideways`, turned east
--- or west): tile_width and tile_height, else "calculated by the collision box width rounded up"
--- (EntityPrototype::tile_width); 0, 0 without a collision box.
function M.tile_size(raw, sideways)
  local box = raw.collision_box
  if not box then return 0, 0 end
  local lt, rb = box[1] or box.left_top, box[2] or box.right_bottom
  -- Map positions have 1/256 tile precision: a box a rounding error wider than a tile is one tile.
  local function round_up(size) return math.ceil(size - 1 / 512) end
  local w = raw.tile_width or round_up((rb[1] or rb.x) - (lt[1] or lt.x))
  local h = raw.tile_height or round_up((rb[2] or rb.y) - (lt[2] or lt.y))
  if sideways then w, h = h, w end
  return w, h
end
function entity.get.tile_width(d) return (M.tile_size(d.raw)) end
function entity.get.tile_height(d) return select(2, M.tile_size(d.raw)) end

-- An inserter's attributes: InserterPrototype's properties under other names (nil for other
-- entities). Vectors come in the array format the game provides.
local INSERTER = {
  inserter_pickup_position = "pickup_position", inserter_drop_position = "insert_position",
  inserter_chases_belt_items = "chases_belt_items", inserter_max_belt_stack_size = "max_belt_stack_size",
  inserter_stack_size_bonus = "stack_size_bonus",
}
for attr, key in pairs(INSERTER) do
  entity.get[attr] = function(d)
    if d.raw.type ~= "inserter" then return nil end
    local v = M.property(d.raw, key)
    if type(v) == "table" then return { v.x or v[1], v.y or v[2] } end
    return v
  end
end

local function copy_list(list, default_type)
  local out = {}
  for i, v in ipairs(list or {}) do
    local c = {}
    for k, x in pairs(v) do c[k] = x end
    -- Older list forms {"iron-plate", 2} become the runtime's named shape.
    if c.name == nil and c[1] then c.name, c.amount, c[1], c[2] = c[1], c[2] or 1, nil, nil end
    c.type = c.type or default_type
    out[i] = c
  end
  return out
end

local recipe = classes.impl("LuaRecipePrototype")
function recipe.get.ingredients(d) return copy_list(d.raw.ingredients, "item") end
function recipe.get.products(d)
  local results = d.raw.results or (d.raw.result and { { type = "item", name = d.raw.result, amount = d.raw.result_count or 1 } })
  return copy_list(results, "item")
end
function recipe.get.energy(d) return d.raw.energy_required or 0.5 end
function recipe.get.enabled(d) return d.raw.enabled ~= false end
function recipe.get.category(d) return d.raw.category or "crafting" end
function recipe.get.main_product(d)
  local products = recipe.get.products(d)
  -- "" says the recipe has no main product (it keeps its own name and subgroup).
  if d.raw.main_product == "" then return nil end
  if d.raw.main_product then
    for _, p in ipairs(products) do if p.name == d.raw.main_product then return p end end
  end
  if #products == 1 then return products[1] end
end

local tech = classes.impl("LuaTechnologyPrototype")
function tech.get.enabled(d) return d.raw.enabled ~= false end
function tech.get.research_unit_count(d) return d.raw.unit and d.raw.unit.count or 0 end
function tech.get.research_unit_energy(d) return d.raw.unit and (d.raw.unit.time or 0) * 60 or 0 end
function tech.get.research_unit_ingredients(d) return copy_list(d.raw.unit and d.raw.unit.ingredients, "item") end
function tech.get.effects(d) return copy_list(d.raw.effects) end

local group = classes.impl("LuaGroup")
function group.get.name(d) return d.name end
function group.get.type(d) return d.raw.type end
function group.get.order(d) return d.raw.order or "" end
function group.get.group(d)
  if d.family == "item_subgroup" then return M.get(d.state, "item_group", d.raw.group) end
end
function group.get.localised_name(d) return d.raw.localised_name or { "item-group-name." .. d.name } end

function M.globals(state)
  state.prototype_raw = state.prototype_raw or {}
  state.prototype_objects, state.prototype_tables = {}, {}
  return classes.new("LuaPrototypes", { state = state })
end

return M
